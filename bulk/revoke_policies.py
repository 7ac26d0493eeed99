"""The rules of a registrar's bulk revocation rows, as pure functions.

A row names one credential, by its id (a UUID, or a verification address
that holds it) or by its verification code as printed (with or without
dashes or spaces, in any case). Each row gets a decision — *will revoke*,
*will skip* (already revoked, or superseded by a corrected credential: not an
error) or *error* (not an id nor a code, no such credential, listed twice) —
with a message a registrar can act on.

No ORM, no settings, no clock: the caller looks up the credentials the rows
name (``lookup_keys`` says which) and passes them as a mapping from each key
(a canonical UUID string or a stored verification code) to
``FoundCredential``.
"""

from __future__ import annotations

import datetime as dt
import enum
import itertools
import re
import unicodedata
import uuid
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bulk.policies import Column
from credentials.policies import format_verification_code, normalise_verification_code

ACTIVE, REVOKED, SUPERSEDED = "active", "revoked", "superseded"  # Credential.Status
MAX_REFERENCE_LENGTH = 64  # BulkRow.reference

#: The columns of a bulk revocation file, as its page documents them.
COLUMNS: tuple[Column, ...] = (
    Column(
        "credential",
        True,
        gettext_lazy(
            "The credential's id, or its verification code as printed on the "
            "certificate: with or without dashes or spaces, in capitals or not. A "
            "verification page's address works too. The column may also be named "
            "credential_id, id, verification_code or code."
        ),
        "7K4P-9QXR-2H",
    ),
    Column(
        "verification_code",
        False,
        gettext_lazy(
            "When a file has both an id column and a verification code column (a "
            "bulk issuance's result file has), the id is used and the code must "
            "name the same credential."
        ),
        "7K4P9QXR2H",
    ),
)
_SHOWN_LENGTH = 60

_UUID_IN_TEXT = re.compile(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
)
# Hyphens and dashes a code copied from a PDF or a word processor may carry
# (soft hyphen, hyphen, non-breaking hyphen, figure dash, en and em dashes,
# minus sign), and control characters.
_CODE_PUNCTUATION = re.compile("[\u00ad\u2010-\u2015\u2212\x00-\x1f\x7f-\x9f]")
_FORBIDDEN = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


class RevokeOutcome(enum.StrEnum):
    REVOKE = "revoke"  # BulkRow.Outcome's values
    SKIP = "skip"
    ERROR = "error"

    @property
    def label(self) -> str:
        return str(_OUTCOME_LABELS[self])


_OUTCOME_LABELS = {
    RevokeOutcome.REVOKE: gettext_lazy("will revoke"),
    RevokeOutcome.SKIP: gettext_lazy("will skip"),
    RevokeOutcome.ERROR: gettext_lazy("error"),
}


@dataclass(frozen=True, slots=True)
class FoundCredential:
    """What the decision and the report need of one credential."""

    credential_id: uuid.UUID
    verification_code: str  # as stored: ten characters, no dashes
    status: str  # ACTIVE, REVOKED or SUPERSEDED
    email: str  # the holder's
    legal_name: str  # the name on the credential
    achievement_code: str
    revoked_on: dt.date | None = None  # in the institution's time zone
    replaced_by_code: str = ""  # a superseded one's corrected credential


@dataclass(frozen=True, slots=True)
class RevokeDecision:
    line: int
    outcome: RevokeOutcome
    message: str
    reference: str  # the value given (trimmed, cut to fit BulkRow.reference)
    found: FoundCredential | None  # the credential the row names, when found


@dataclass(frozen=True)
class Summary:
    revoke: int = 0
    skip: int = 0
    error: int = 0

    @property
    def total(self) -> int:
        return self.revoke + self.skip + self.error


def _shown(value: str, limit: int = _SHOWN_LENGTH) -> str:
    text = _FORBIDDEN.sub("\ufffd", value.strip())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def lookup_key(value: str) -> str | None:
    """The key a value names: a credential id as a canonical UUID string
    (``str(uuid.UUID(...))``), or a verification code as stored (ten
    characters, upper case, no dashes); None when it is neither.

    Accepted: a UUID in any of Python's spellings (dashes or not, braces,
    ``urn:uuid:``), a web address holding one (a verification page's), or a
    verification code with spaces, hyphens or dashes anywhere, in any case,
    O read as 0 and I or L as 1.
    """
    text = unicodedata.normalize("NFKC", value).strip()
    if not text:
        return None
    try:
        return str(uuid.UUID(text))
    except ValueError:
        pass
    if text.casefold().startswith(("http://", "https://")):
        found = _UUID_IN_TEXT.findall(text)
        return str(uuid.UUID(found[-1])) if len(set(found)) == 1 else None
    squeezed = "".join(_CODE_PUNCTUATION.sub("", text).split())
    return normalise_verification_code(squeezed)


def lookup_keys(values: Iterable[str]) -> tuple[set[str], set[str]]:
    """The credential ids and the verification codes to look up for these
    values: (ids, codes)."""
    ids: set[str] = set()
    codes: set[str] = set()
    for value in values:
        key = lookup_key(value)
        if key is None:
            continue
        (ids if len(key) == 36 else codes).add(key)
    return ids, codes


def _not_a_reference(value: str) -> str:
    return _(
        "“%(value)s” is not a credential id or a verification code. A "
        "verification code has 10 letters and digits, like 7K4P-9QXR-2H; a "
        "credential id has 32 hexadecimal digits, like "
        "3f1c2a9e-5b7d-4e8a-9c0f-1a2b3c4d5e6f."
    ) % {"value": _shown(value)}


def _not_found(value: str, key: str) -> str:
    if len(key) == 36:
        return _("No credential has the id %(id)s.") % {"id": key}
    return _("No credential has the verification code %(code)s.") % {
        "code": format_verification_code(key)
    }


def _error(line: int, reference: str, message: str, found=None) -> RevokeDecision:
    return RevokeDecision(line, RevokeOutcome.ERROR, message, reference, found)


def decide_row(
    credential: str,
    verification_code: str = "",
    *,
    line: int,
    lookup: Mapping[str, FoundCredential],
) -> RevokeDecision:
    """What will happen to one row, and why.

    ``credential`` is the row's value (an id or a code); ``verification_code``
    the value of a second column some files have (an issuance result file has
    both): either one is enough, and when both are given they must name the
    same credential. ``lookup`` maps ``lookup_key``s to the credentials found.
    """
    given = [value.strip() for value in (credential, verification_code)]
    given = [value for value in given if value]
    if not given:
        return _error(
            line,
            "",
            _("Empty: give the credential's id or its verification code."),
        )
    reference = given[0][:MAX_REFERENCE_LENGTH]
    found: list[FoundCredential] = []
    for value in given:
        key = lookup_key(value)
        if key is None:
            return _error(line, reference, _not_a_reference(value))
        credential_found = lookup.get(key)
        if credential_found is None:
            return _error(line, reference, _not_found(value, key))
        found.append(credential_found)
    first = found[0]
    if any(other.credential_id != first.credential_id for other in found[1:]):
        return _error(
            line,
            reference,
            _(
                "The id %(id)s and the verification code %(code)s name two "
                "different credentials; keep the one you mean."
            )
            % {"id": _shown(given[0]), "code": _shown(given[1])},
        )
    if first.status == REVOKED:
        if first.revoked_on is not None:
            message = _("Already revoked on %(date)s; nothing to do.") % {
                "date": first.revoked_on.isoformat()
            }
        else:
            message = _("Already revoked; nothing to do.")
        return RevokeDecision(line, RevokeOutcome.SKIP, message, reference, first)
    if first.status == SUPERSEDED:
        if first.replaced_by_code:
            message = _(
                "Superseded by a corrected credential (verification code "
                "%(code)s); nothing to do. To revoke the award, list the "
                "corrected credential."
            ) % {"code": format_verification_code(first.replaced_by_code)}
        else:
            message = _("Superseded by a corrected credential; nothing to do.")
        return RevokeDecision(line, RevokeOutcome.SKIP, message, reference, first)
    return RevokeDecision(line, RevokeOutcome.REVOKE, "", reference, first)


def decide_rows(
    rows: Iterable[Sequence[str] | str],
    *,
    lookup: Mapping[str, FoundCredential],
    lines: Sequence[int] | None = None,
    first_line: int = 2,
) -> list[RevokeDecision]:
    """Decide every row of a file, in order. A row is a value, or a pair
    (credential, verification code). A later row naming a credential an
    earlier row named (by its id or by its code) is an error that points to
    the first one.

    Line numbers are ``lines`` when given (one per row, as ``read_table``
    reports them), else counted from ``first_line``. Linear in the rows.
    """
    numbered = (
        zip(lines, rows, strict=True)
        if lines is not None
        else zip(itertools.count(first_line), rows)
    )
    first_seen: dict[uuid.UUID, int] = {}
    decisions = []
    for line, row in numbered:
        values = (row,) if isinstance(row, str) else tuple(row)
        decision = decide_row(*values[:2], line=line, lookup=lookup)
        found = decision.found
        if found is not None:
            first = first_seen.setdefault(found.credential_id, line)
            if first != line:
                decision = _error(
                    line,
                    decision.reference,
                    _(
                        "Listed twice: line %(line)s names the same credential; "
                        "only line %(line)s is used."
                    )
                    % {"line": first},
                    found,
                )
        decisions.append(decision)
    return decisions


def summarise(decisions: Iterable[RevokeDecision]) -> Summary:
    """How many rows will revoke, will skip, and are errors."""
    counts = Counter(decision.outcome for decision in decisions)
    return Summary(
        revoke=counts[RevokeOutcome.REVOKE],
        skip=counts[RevokeOutcome.SKIP],
        error=counts[RevokeOutcome.ERROR],
    )
