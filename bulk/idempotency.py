"""An API client's ``Idempotency-Key``: one job per key, however often — and
however simultaneously — the same request is sent.

The key's row is inserted first, in the transaction that makes the job, and a
unique constraint (owner, key) backs it: a second request with the same key
waits on that index until the first commits, then finds the first's job and
returns it. A request that fails (a refusal, an error) rolls its key back with
everything else, so the key may be used again. The same key with a different
request is refused: the client reused a key by mistake, and silently returning
the other job would hide it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from courses.policies import PolicyError

from .models import BulkJob, IdempotencyKey

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255
#: Visible ASCII: letters, digits and punctuation; no spaces, no controls.
_KEY = re.compile(rf"[\x21-\x7e]{{1,{MAX_KEY_LENGTH}}}")


class KeyMissing(PolicyError):
    """No key, or not a usable one."""


class KeyReused(PolicyError):
    """The key already made a job for a different request."""


@dataclass(frozen=True)
class Outcome:
    job: BulkJob
    #: True when the key had already made this job (nothing new was made).
    replayed: bool


def key_from_header(value: str | None) -> str:
    """The key a request sent, checked: 1 to 255 visible ASCII characters."""
    if value is None:
        raise KeyMissing(
            _(
                "Send an Idempotency-Key header (1 to 255 visible ASCII "
                "characters, a UUID for example): a request sent again with the "
                "same key returns the job it made instead of making another."
            )
        )
    if not _KEY.fullmatch(value):
        raise KeyMissing(
            _(
                "The Idempotency-Key header must be 1 to 255 visible ASCII "
                "characters (letters, digits, punctuation; no spaces)."
            )
        )
    return value


def request_sha256(
    *, method: str, path: str, options: dict[str, Any], body: Iterable[bytes]
) -> str:
    """What identifies a request: its method, path, options and body bytes (a
    JSON body exactly as sent, or an uploaded file's bytes). The options go
    first as one line of JSON, so no body can pass for other options."""
    digest = hashlib.sha256()
    head = {"method": method.upper(), "path": path, "options": options}
    digest.update(json.dumps(head, sort_keys=True).encode() + b"\n")
    for block in body:
        digest.update(block)
    return digest.hexdigest()


@transaction.atomic(durable=True)
def job_create_once(
    *,
    owner,
    key: str,
    request_sha256: str,
    create: Callable[[], BulkJob],
    now: dt.datetime | None = None,
) -> Outcome:
    """The job this key made, or a new one made by ``create()``.

    ``create`` runs only when the key is new, in this transaction, after the
    key's row is in place; a ``PolicyError`` from it rolls back the key too.
    Raises ``KeyReused`` when the key made a job for a different request.
    """
    now = now or timezone.now()
    found = _known(owner, key)
    if found is None:
        try:
            with transaction.atomic():
                record = IdempotencyKey.objects.create(
                    owner=owner, key=key, request_sha256=request_sha256, created_at=now
                )
        except IntegrityError:
            # Another request with this key committed while this one waited
            # on the unique index: its job is the answer.
            found = _known(owner, key)
            if found is None:  # pragma: no cover - the index said it exists
                raise
        else:
            job = create()
            record.job = job
            record.save(update_fields=["job"])
            return Outcome(job=job, replayed=False)
    if found.request_sha256 != request_sha256 or found.job is None:
        raise KeyReused(
            _(
                "This Idempotency-Key was used for a different request; nothing "
                "was created. Use a new key for a new job."
            )
        )
    return Outcome(job=found.job, replayed=True)


def _known(owner, key: str) -> IdempotencyKey | None:
    return (
        IdempotencyKey.objects.select_related("job")
        .filter(owner=owner, key=key)
        .first()
    )
