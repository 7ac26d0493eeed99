"""Batched issuance for registrars' bulk jobs: many credentials, few queries.

``credentials_issue_batch`` issues what ``services.credential_issue`` issues
(the same Open Badges 3.0 document, signed with ``eddsa-rdfc-2022`` by the
same helpers) for a whole batch of requests, with a number of queries that
does not grow with the batch: one query for the credentials already held, one
for the learners, one for the achievements, one status-list lock for every
entry of the batch, one insert of the credentials and one of their audit
entries. Signing (RDFC-1.0 canonicalisation) is the floor; everything else is
batched around it.

It is idempotent on the natural key (learner, achievement, period; superseded
credentials left out), as ``credential_issue`` is: a request whose credential
exists already is answered with that credential, ``created=False``.

Transactions, and why there are three:

1. the status entries of the whole batch are allocated under one row lock on
   the status list, in a short transaction of their own, so the lock is *not*
   held while the batch is signed: two workers running two batches sign in
   parallel (a lock held over the signing would serialise them, and signing
   is most of the time). An entry allocated by a batch that then fails stays
   unused: an always-clear bit, harmless (``credential_issue`` accepts the
   same when it loses a race);
2. signing runs outside any transaction;
3. the credentials are inserted with ``ON CONFLICT DO NOTHING`` in natural-key
   order (two overlapping batches wait on each other's rows, never deadlock),
   then one select tells which rows are ours; a row skipped because a
   concurrent writer issued the same award is answered with that writer's
   credential. The audit entries are inserted in the same transaction.

Called inside an outer transaction, the whole batch is atomic with it (and
the status-list lock is held until that transaction ends): correct, but
concurrent batches then serialise on the lock. A bulk job should call it
outside a transaction, one chunk at a time.

PDFs are not rendered nor queued here: the bulk job queues them on its own
queue; the pdf fields are left empty, as ``credential_issue`` leaves them
until its rendering task runs.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from microcred.models import AuditEntry

from . import documents, policies, proofs, shapes, statuslist
from .identity import signer_identity
from .models import (
    STATUS_LIST_SIZE,
    Achievement,
    Credential,
    Route,
    SigningKey,
    StatusList,
)
from .policies import CredentialRefused
from .services import (
    _clean_name,
    _evidence_name,
    _evidence_narrative,
    _facts,
    _require_registrar,
    _signer,
    _status_list_sign,
    absolute_url,
    signing_key_ensure,
)

NaturalKey = tuple[int, int, int]  # learner, achievement, period

#: Verification codes drawn again when one is taken (50 random bits each: a
#: collision is already unlikely once; ten times in a row does not happen).
CODE_ATTEMPTS = 10


@dataclass(frozen=True)
class IssueRequest:
    learner_id: int
    achievement_id: int
    awarded_at: dt.datetime  # aware
    route: str  # a Route value: course / plar / recognised
    recipient_name: str  # the legal name to print
    valid_until: dt.datetime | None = None  # None: the achievement's policy
    evidence_narrative: str = ""
    evidence_url: str = ""
    period: int = 1

    @property
    def natural_key(self) -> NaturalKey:
        return (self.learner_id, self.achievement_id, self.period)


@dataclass(frozen=True)
class IssueOutcome:
    request: IssueRequest
    credential_id: uuid.UUID
    created: bool  # False: it existed already (same learner, achievement, period)


def _refused(position: int, message: str, code: str) -> CredentialRefused:
    """The batch's refusal, naming the request; ``position`` and ``reason``
    let a caller set that request aside and issue the rest."""
    refusal = CredentialRefused(
        _("Request %(number)d: %(message)s Nothing was issued.")
        % {"number": position + 1, "message": message},
        code=code,
    )
    refusal.position = position
    refusal.reason = message
    return refusal


def _check(requests: Sequence[IssueRequest], *, learners, achievements) -> None:
    """Refuse the whole batch, naming the request, before anything is written."""
    routes = set(Route.values)
    for position, request in enumerate(requests):
        if request.learner_id not in learners:
            raise _refused(position, _("there is no such learner."), "no_learner")
        if request.achievement_id not in achievements:
            raise _refused(
                position, _("there is no such achievement."), "no_achievement"
            )
        if request.route not in routes:
            raise _refused(
                position,
                _("the route must be one of %(routes)s.")
                % {"routes": ", ".join(sorted(routes))},
                "bad_route",
            )
        if request.period < 1:
            raise _refused(position, _("the period starts at 1."), "bad_period")
        for moment in (request.awarded_at, request.valid_until):
            if moment is not None and (
                moment.tzinfo is None or moment.utcoffset() is None
            ):
                raise _refused(
                    position, _("a date has no time zone."), "naive_datetime"
                )
        if request.valid_until is not None and (
            request.valid_until <= request.awarded_at
        ):
            raise _refused(
                position,
                _("the expiry date must come after the issue date."),
                "expiry_before_issue",
            )
        try:
            _clean_name(request.recipient_name)
        except CredentialRefused as error:
            raise _refused(position, str(error.message), error.code) from error


def _existing(keys: set[NaturalKey]) -> dict[NaturalKey, uuid.UUID]:
    """The credentials already issued for these natural keys (one query)."""
    if not keys:
        return {}
    rows = (
        Credential.objects.exclude(status=Credential.Status.SUPERSEDED)
        .filter(
            learner_id__in={k[0] for k in keys},
            achievement_id__in={k[1] for k in keys},
            period__in={k[2] for k in keys},
        )
        .values_list("learner_id", "achievement_id", "period", "pk")
    )
    return {
        (learner, achievement, period): pk
        for learner, achievement, period, pk in rows
        if (learner, achievement, period) in keys
    }


def _verification_codes(count: int) -> list[str]:
    """``count`` distinct new verification codes. They are not checked against
    the table first (50 random bits each): a code already taken makes its row
    skipped by the bulk insert, and that row is inserted again with another
    code (``_insert_one_by_one``)."""
    codes: set[str] = set()
    while len(codes) < count:
        codes.add(policies.new_verification_code())
    return list(codes)


def _status_entries_allocate(
    *, key: SigningKey, count: int, now: dt.datetime
) -> list[tuple[StatusList, int]]:
    """``count`` consecutive free entries in the issuer's status lists.

    As ``services._status_entry_allocate`` does for one entry: the lowest
    non-full list of this issuer identity, locked; a new list (signed) when
    none has room. The list's ``next_index`` moves by as many entries as it
    gives in one update; when the batch does not fit, the list is filled and
    the rest comes from the next list.
    """
    issuer_id = signer_identity(key).issuer_id
    entries: list[tuple[StatusList, int]] = []
    with transaction.atomic(savepoint=False):
        while len(entries) < count:
            status_list = (
                StatusList.objects.select_for_update()
                .filter(next_index__lt=F("size"), issuer_id=issuer_id)
                .order_by("pk")
                .first()
            )
            if status_list is None:
                status_list = StatusList.objects.create(
                    size=STATUS_LIST_SIZE,
                    bits=bytes(STATUS_LIST_SIZE // 8),
                    issuer_id=issuer_id,
                )
                _status_list_sign(status_list, key=key, now=now)
                status_list = StatusList.objects.select_for_update().get(
                    pk=status_list.pk
                )
            first = statuslist.next_status_index(
                used=status_list.next_index, list_size=status_list.size
            )
            taken = min(count - len(entries), status_list.size - first)
            StatusList.objects.filter(pk=status_list.pk).update(
                next_index=first + taken
            )
            entries.extend(
                (status_list, index) for index in range(first, first + taken)
            )
    return entries


def _narrative(request: IssueRequest, credential: Credential) -> str:
    """The evidence narrative: the registrar's, else the route's own words.

    The Open Badges 3.0 document builder has no field for an external
    evidence URL, so a URL is given in the narrative.
    """
    narrative = request.evidence_narrative.strip() or _evidence_narrative(
        credential, credential.achievement.microcredential
    )
    if request.evidence_url.strip():
        narrative += "\n\n" + _("Evidence: %(url)s") % {
            "url": request.evidence_url.strip()
        }
    return proofs.strip_control_characters(narrative)


def _outcome_codes(achievement: Achievement) -> list[str]:
    """Every learning outcome of the course: a credential is only awarded
    when all of them are met (the achievement's criteria say so)."""
    course = achievement.microcredential
    if course is None:
        return []
    return [outcome.code for outcome in course.outcomes.all()]


def _build(
    request: IssueRequest,
    *,
    learner,
    achievement: Achievement,
    outcomes: list[str],
    entry: tuple[StatusList, int],
    code: str,
    key: SigningKey,
) -> Credential:
    status_list, index = entry
    if request.valid_until is None:
        dates = policies.validity(
            awarded_at=request.awarded_at,
            valid_for_months=achievement.valid_for_months,
        )
        valid_from, valid_until = dates.valid_from, dates.valid_until
    else:
        valid_from, valid_until = request.awarded_at, request.valid_until
    return Credential(
        learner=learner,
        achievement=achievement,
        route=request.route,
        period=request.period,
        recipient_name=_clean_name(request.recipient_name),
        verification_code=code,
        awarded_at=request.awarded_at,
        valid_from=valid_from,
        valid_until=valid_until,
        result={"score_percent": None, "outcomes_met": outcomes},
        status_list=status_list,
        status_index=index,
        signing_key=key,
        document={},
    )


def _signed(
    credentials: list[tuple[IssueRequest, Credential]],
    *,
    key: SigningKey,
    now: dt.datetime,
) -> None:
    """Sign every credential. The issuer and achievement facts are built once
    per achievement by ``services._facts`` (its queries run once); each
    credential then gets its own id, recipient, dates, status entry and
    evidence. One signer serves the batch, and credentials of one achievement
    share their RDF conversion (``credentials.shapes``): only the
    canonicalisation proper runs for each."""
    signer = _signer(key, now=now)
    shared = shapes.credential_shapes()
    templates: dict[int, documents.CredentialFacts] = {}
    # URL reversing costs about as much as a tenth of a signature: reverse once
    # with a placeholder id, then substitute each credential's id.
    placeholder = uuid.UUID(int=0)
    credential_url = absolute_url("credential", pk=placeholder)
    list_urls: dict[int, str] = {}
    for request, credential in credentials:
        learner = credential.learner
        salt = secrets.token_hex(16)
        if credential.status_list_id not in list_urls:
            list_urls[credential.status_list_id] = absolute_url(
                "status-list", pk=credential.status_list_id
            )
        template = templates.get(credential.achievement_id)
        if template is None:
            template = templates[credential.achievement_id] = _facts(
                credential, key=key, salt=salt, email=learner.email
            )
        facts = dataclasses.replace(
            template,
            id=credential_url.replace(str(placeholder), str(credential.pk)),
            identity_hash=policies.identity_hash(learner.email, salt),
            salt=salt,
            awarded_at=credential.awarded_at,
            valid_from=credential.valid_from,
            valid_until=credential.valid_until,
            status_list_url=list_urls[credential.status_list_id],
            status_index=credential.status_index,
            evidence_name=_evidence_name(credential.route),
            evidence_narrative=_narrative(request, credential),
            result=documents.ResultFacts(
                score_percent=None,
                outcomes_met=tuple(credential.result["outcomes_met"]),
            ),
        )
        document, nquads = shared.canonical(facts)
        credential.document = signer.sign(document, canonical_document=nquads)


def _insert_one_by_one(
    credentials: list[Credential],
) -> tuple[list[Credential], dict[NaturalKey, uuid.UUID]]:
    """Insert the rows the bulk insert skipped although no credential holds
    their natural key: their verification code was taken. Each gets another
    code (it is not in the signed document) and its own savepoint. Returns the
    rows inserted and, for any row that lost its natural key to a concurrent
    writer meanwhile, that writer's credential."""
    inserted: list[Credential] = []
    winners: dict[NaturalKey, uuid.UUID] = {}
    for credential in credentials:
        natural_key = (
            credential.learner_id,
            credential.achievement_id,
            credential.period,
        )
        for _attempt in range(CODE_ATTEMPTS):
            credential.verification_code = policies.new_verification_code()
            try:
                with transaction.atomic():
                    credential.save(force_insert=True)
            except IntegrityError:
                winner = _existing({natural_key})
                if winner:
                    winners.update(winner)
                    break
                continue
            inserted.append(credential)
            break
        else:  # pragma: no cover - ten taken codes in a row
            raise RuntimeError("Could not draw a free verification code.")
    return inserted, winners


def _audit_entries(credentials: list[Credential], *, actor) -> list[AuditEntry]:
    return [
        AuditEntry(
            actor=actor if getattr(actor, "pk", None) else None,
            action="credential.issue",
            object_type=Credential._meta.label_lower,
            object_id=str(credential.pk),
            object_repr=str(credential)[:255],
            details={
                "achievement": credential.achievement.name,
                "route": credential.route,
                "period": credential.period,
                "verification_code": credential.verification_code,
                "awarded_at": credential.awarded_at.isoformat(),
                "bulk": True,
            },
        )
        for credential in credentials
    ]


def _store(
    credentials: list[Credential], *, actor
) -> dict[NaturalKey, tuple[uuid.UUID, bool]]:
    """Insert the credentials and their audit entries; for each natural key,
    the credential that holds it and whether this call created it."""
    rows = sorted(credentials, key=lambda c: (c.learner_id, c.achievement_id, c.period))
    with transaction.atomic(savepoint=False):
        Credential.objects.bulk_create(rows, ignore_conflicts=True)
        ours = set(
            Credential.objects.filter(pk__in=[c.pk for c in rows]).values_list(
                "pk", flat=True
            )
        )
        skipped = [c for c in rows if c.pk not in ours]
        winners = _existing(
            {(c.learner_id, c.achievement_id, c.period) for c in skipped}
        )
        lost = [
            c
            for c in skipped
            if (c.learner_id, c.achievement_id, c.period) not in winners
        ]
        retried, late_winners = _insert_one_by_one(lost)
        winners.update(late_winners)
        created = [c for c in rows if c.pk in ours] + retried
        AuditEntry.objects.bulk_create(_audit_entries(created, actor=actor))
    found = {key: (pk, False) for key, pk in winners.items()}
    found.update(
        {(c.learner_id, c.achievement_id, c.period): (c.pk, True) for c in created}
    )
    return found


def credentials_issue_batch(
    requests: Sequence[IssueRequest], *, actor, now: dt.datetime | None = None
) -> list[IssueOutcome]:
    """Issue a batch of credentials (registrars only); one outcome per request,
    in order.

    A request whose credential exists already (same learner, achievement and
    period, superseded ones left out) is answered with it, ``created=False``;
    so is a request repeated within the batch, after its first occurrence.
    A request that cannot be issued (unknown learner or achievement, bad
    route, naive or inverted dates, an empty name) refuses the whole batch
    with a ``CredentialRefused`` naming it, before anything is written.
    """
    _require_registrar(actor, _("Only a registrar may issue credentials in bulk."))
    now = now or timezone.now()
    requests = list(requests)
    if not requests:
        return []
    learners = get_user_model().objects.in_bulk({r.learner_id for r in requests})
    achievements = (
        Achievement.objects.select_related("microcredential", "pathway")
        .prefetch_related("microcredential__outcomes", "alignments")
        .in_bulk({r.achievement_id for r in requests})
    )
    _check(requests, learners=learners, achievements=achievements)

    found = {
        key: (pk, False)
        for key, pk in _existing({r.natural_key for r in requests}).items()
    }
    to_issue: dict[NaturalKey, IssueRequest] = {}
    for request in requests:
        if request.natural_key not in found:
            to_issue.setdefault(request.natural_key, request)

    if to_issue:
        key = signing_key_ensure(now=now)
        pending = list(to_issue.values())
        codes = _verification_codes(len(pending))
        entries = _status_entries_allocate(key=key, count=len(pending), now=now)
        outcomes = {
            pk: _outcome_codes(achievement) for pk, achievement in achievements.items()
        }
        credentials = [
            (
                request,
                _build(
                    request,
                    learner=learners[request.learner_id],
                    achievement=achievements[request.achievement_id],
                    outcomes=outcomes[request.achievement_id],
                    entry=entry,
                    code=code,
                    key=key,
                ),
            )
            for request, entry, code in zip(pending, entries, codes, strict=True)
        ]
        _signed(credentials, key=key, now=now)
        found.update(_store([c for _r, c in credentials], actor=actor))

    answered: set[NaturalKey] = set()
    results = []
    for request in requests:
        credential_id, created = found[request.natural_key]
        results.append(
            IssueOutcome(
                request=request,
                credential_id=credential_id,
                created=created and request.natural_key not in answered,
            )
        )
        answered.add(request.natural_key)
    return results
