"""The reminder scan, the delivery of notices and what changes them.

Exactly once:
- the scan inserts every due notice with ``ON CONFLICT DO NOTHING`` on the
  sent-log's unique key (recipient, kind, subject, period key): a scan run
  twice, or by two beat processes at once, inserts each notice once;
- delivery claims pending rows with ``SELECT … FOR UPDATE SKIP LOCKED`` and
  marks them ``sending`` in the same transaction, so two workers never take
  the same row; a row is marked ``sent`` right after the mail server accepts
  it. A worker killed between claim and send leaves the row ``sending``; after
  ``STALE_CLAIM`` it is taken again (nothing is skipped). A claim is only
  good for ``CLAIM_HOLD`` (half of ``STALE_CLAIM``): a worker slowed down that
  long (a hanging mail server) gives the rest of its batch back instead of
  sending what another worker may have re-taken, and it marks only rows it
  still holds (``claimed_at`` is the claim's token). The one window left —
  killed after the server accepted the message and before the row is marked
  — is a few milliseconds wide.
Each send re-checks that the notice still applies (an extension moved the
date, a withdrawal, a submitted attempt): if not, it is cancelled unsent.
"""

from __future__ import annotations

import datetime as dt
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import BooleanField, ExpressionWrapper, F, Q
from django.db.models.constants import OnConflict
from django.db.models.sql import InsertQuery
from django.utils import timezone
from django.utils.translation import gettext as _

from . import emails, kinds, policies
from .kinds import Candidate, ScanContext
from .models import Notice, NoticePreference
from .policies import BulkNotice, Kind

INSERT_BATCH = 2_000
DELIVERY_BATCH = 200
STALE_CLAIM = dt.timedelta(minutes=15)
# How long a worker may go on sending a batch it claimed; well inside
# STALE_CLAIM, so no other worker has re-taken the rows yet.
CLAIM_HOLD = STALE_CLAIM / 2
MAX_TRIES = 6


def institution_tz():
    from courses.services import institution_tz as tz

    return tz()


# --- the scan ---------------------------------------------------------------------


@dataclass
class ScanResult:
    found: int = 0
    created: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)


def _notice(candidate: Candidate, now: dt.datetime) -> Notice:
    return Notice(
        recipient_id=candidate.recipient_id,
        kind=candidate.kind.value,
        subject_type=candidate.subject_type,
        subject_id=candidate.subject_id,
        period_key=candidate.period_key,
        course_id=candidate.course_id,
        enrolment_id=candidate.enrolment_id,
        due_at=candidate.due_at,
        target_at=candidate.target_at,
        created_at=now,
        next_try_at=now,
    )


def _insert(batch: list[Notice]) -> int:
    """Insert with ``ON CONFLICT DO NOTHING`` on the sent-log's unique key; how
    many rows were new (the database's count: a notice already logged, by an
    earlier scan or by one running at the same time, inserts nothing).

    ``bulk_create(ignore_conflicts=True)`` writes the same statement but does
    not say how many rows it inserted. On PostgreSQL the batch goes as one
    array a column (``INSERT … SELECT * FROM unnest(…)``): a fraction of the
    time of one parameter a value, which Django's compiler prepares one by
    one (the scan's hot spot with tens of thousands of notices due).
    """
    fields = [field for field in Notice._meta.concrete_fields if not field.primary_key]
    if connection.vendor == "postgresql":
        quote = connection.ops.quote_name
        columns = ", ".join(quote(field.column) for field in fields)
        arrays = ", ".join(f"%s::{field.db_type(connection)}[]" for field in fields)
        statements = [
            (
                # Names from the model, every value a parameter.
                f"INSERT INTO {quote(Notice._meta.db_table)} ({columns}) "  # noqa: S608
                f"SELECT * FROM unnest({arrays}) ON CONFLICT DO NOTHING",
                [
                    [getattr(notice, field.attname) for notice in batch]
                    for field in fields
                ],
            )
        ]
    else:
        query = InsertQuery(Notice, on_conflict=OnConflict.IGNORE)
        query.insert_values(fields, batch)
        statements = query.get_compiler(connection=connection).as_sql()
    inserted = 0
    with connection.cursor() as cursor:
        for sql, params in statements:
            cursor.execute(sql, params)
            inserted += cursor.rowcount
    return inserted


def notices_scan(
    *, now: dt.datetime | None = None, enrolment_ids=None, finders=None
) -> ScanResult:
    """Find every notice due now and record it once (not yet sent).

    Set-based: each finder reads in a bounded number of queries; inserts go
    in batches of ``INSERT_BATCH``. Safe to run at any time, twice, or in two
    processes at once.
    """
    now = now or timezone.now()
    context = ScanContext(now=now, tz=institution_tz())
    result = ScanResult()
    if finders is None:
        finders = kinds.FINDERS
    if enrolment_ids is not None:
        finders = [
            lambda ctx: kinds.find_enrolment_notices(ctx, enrolment_ids=enrolment_ids)
        ]
    batch: list[Notice] = []
    for finder in finders:
        for candidate in finder(context):
            result.found += 1
            result.by_kind[candidate.kind.value] = (
                result.by_kind.get(candidate.kind.value, 0) + 1
            )
            batch.append(_notice(candidate, now))
            if len(batch) >= INSERT_BATCH:
                result.created += _insert(batch)
                batch = []
    if batch:
        result.created += _insert(batch)
    return result


# --- delivery ---------------------------------------------------------------------


@dataclass
class DeliveryResult:
    sent: int = 0
    digest: int = 0
    skipped: int = 0
    cancelled: int = 0
    retried: int = 0
    failed: int = 0

    @property
    def handled(self) -> int:
        return (
            self.sent
            + self.digest
            + self.skipped
            + self.cancelled
            + self.retried
            + self.failed
        )


STALE_ERROR = "The worker sending it stopped before it was sent; taken again."


def _claim(now: dt.datetime, limit: int) -> list[int]:
    """Take up to ``limit`` notices to send; no other worker can take them."""
    with transaction.atomic():
        # Claims of workers that died: each counts as a try, so a notice that
        # kills every worker sending it fails in the end instead of forever.
        stale = Notice.objects.filter(
            status=Notice.Status.SENDING, claimed_at__lt=now - STALE_CLAIM
        )
        stale.filter(tries__gte=MAX_TRIES - 1).update(
            status=Notice.Status.FAILED,
            tries=F("tries") + 1,
            last_error=STALE_ERROR,
        )
        stale.update(
            status=Notice.Status.PENDING, tries=F("tries") + 1, last_error=STALE_ERROR
        )
        ids = list(
            Notice.objects.select_for_update(skip_locked=True)
            .filter(status=Notice.Status.PENDING)
            .filter(Q(next_try_at__isnull=True) | Q(next_try_at__lte=now))
            .order_by("due_at", "pk")
            .values_list("pk", flat=True)[:limit]
        )
        if ids:
            Notice.objects.filter(pk__in=ids).update(
                status=Notice.Status.SENDING, claimed_at=now
            )
    return ids


def backoff(tries: int) -> dt.timedelta:
    """2, 4, 8, 16, 32 minutes between tries."""
    return dt.timedelta(minutes=2**tries)


def _finish(notice: Notice, status: str, now: dt.datetime, **fields) -> None:
    """Record the outcome, if the row is still this claim's (``claimed_at`` is
    the claim's ``now``)."""
    Notice.objects.filter(
        pk=notice.pk, status=Notice.Status.SENDING, claimed_at=now
    ).update(status=status, **fields)


def _release(notices: list[Notice], now: dt.datetime) -> None:
    """Give claimed rows back unsent (the next batch takes them afresh)."""
    Notice.objects.filter(
        pk__in=[notice.pk for notice in notices],
        status=Notice.Status.SENDING,
        claimed_at=now,
    ).update(status=Notice.Status.PENDING)


def notices_deliver(
    *,
    now: dt.datetime | None = None,
    limit: int = DELIVERY_BATCH,
    claim_hold: dt.timedelta = CLAIM_HOLD,
) -> DeliveryResult:
    """Send (or digest, skip, cancel) up to ``limit`` pending notices."""
    now = now or timezone.now()
    result = DeliveryResult()
    ids = _claim(now, limit)
    if not ids:
        return result
    notices = list(
        Notice.objects.filter(pk__in=ids)
        .select_related("recipient", "course", "enrolment")
        .order_by("due_at", "pk")
    )
    preferences = {
        preference.user_id: preference
        for preference in NoticePreference.objects.filter(
            user_id__in={notice.recipient_id for notice in notices}
        )
    }
    relevance = emails.still_relevant(notices, now=now)
    deadline = time.monotonic() + claim_hold.total_seconds()
    for position, notice in enumerate(notices):
        if time.monotonic() > deadline:
            _release(notices[position:], now)
            break
        if not relevance.get(notice.pk, True):
            _finish(notice, Notice.Status.CANCELLED, now)
            result.cancelled += 1
            continue
        definition = kinds.KINDS[Kind(notice.kind)]
        preference = preferences.get(notice.recipient_id)
        if definition.optional and preference is not None:
            if notice.kind in preference.disabled_kinds:
                _finish(notice, Notice.Status.SKIPPED, now)
                result.skipped += 1
                continue
            if preference.digest:
                _finish(notice, Notice.Status.DIGEST, now)
                result.digest += 1
                continue
        if not notice.recipient.is_active or not notice.recipient.email:
            _finish(notice, Notice.Status.SKIPPED, now, last_error="No active e-mail.")
            result.skipped += 1
            continue
        try:
            emails.send_notice(notice, now=now)
        except Exception as error:  # noqa: BLE001 - any mail failure is retried
            tries = notice.tries + 1
            message = f"{type(error).__name__}: {error}"[:2000]
            if tries >= MAX_TRIES:
                _finish(
                    notice, Notice.Status.FAILED, now, tries=tries, last_error=message
                )
                result.failed += 1
            else:
                _finish(
                    notice,
                    Notice.Status.PENDING,
                    now,
                    tries=tries,
                    last_error=message,
                    next_try_at=now + backoff(tries),
                )
                result.retried += 1
            continue
        _finish(
            notice,
            Notice.Status.SENT,
            now,
            sent_at=timezone.now(),
            tries=notice.tries + 1,
        )
        result.sent += 1
    return result


def notices_deliver_all(*, now: dt.datetime | None = None) -> DeliveryResult:
    """Deliver batch after batch until nothing is pending and due."""
    total = DeliveryResult()
    while True:
        batch = notices_deliver(now=now)
        if not batch.handled:
            return total
        for name in ("sent", "digest", "skipped", "cancelled", "retried", "failed"):
            setattr(total, name, getattr(total, name) + getattr(batch, name))


# --- daily digests ----------------------------------------------------------------

DIGEST_HOUR = 7


def digests_send(*, now: dt.datetime | None = None) -> int:
    """One e-mail per person with their waiting notices, once a day from 07:00
    in their own time zone. Returns how many digests were sent."""
    import zoneinfo

    now = now or timezone.now()
    sent = 0
    user_ids = (
        Notice.objects.filter(status=Notice.Status.DIGEST)
        .values_list("recipient_id", flat=True)
        .distinct()
    )
    for preference in NoticePreference.objects.filter(
        user_id__in=list(user_ids)
    ).select_related("user"):
        local = now.astimezone(zoneinfo.ZoneInfo(preference.user.time_zone))
        if local.hour < DIGEST_HOUR or preference.last_digest_on == local.date():
            continue
        with transaction.atomic():
            locked = (
                NoticePreference.objects.select_for_update(skip_locked=True)
                .filter(pk=preference.pk)
                .first()
            )
            if locked is None or locked.last_digest_on == local.date():
                continue
            waiting = list(
                Notice.objects.select_for_update(of=("self",))
                .filter(recipient_id=preference.user_id, status=Notice.Status.DIGEST)
                .select_related("course", "enrolment")
                .order_by("due_at")
            )
            if not waiting:
                continue
            emails.send_digest(preference.user, waiting)
            Notice.objects.filter(pk__in=[n.pk for n in waiting]).update(
                status=Notice.Status.SENT, sent_at=now
            )
            locked.last_digest_on = local.date()
            locked.save(update_fields=["last_digest_on", "updated_at"])
            sent += 1
    return sent


# --- what changes notices ---------------------------------------------------------


def enrolment_dates_changed(*, enrolment_id: int) -> int:
    """An extension moved the dates: pending reminders about the old dates are
    cancelled (the scan schedules the new ones). Returns how many."""
    from courses.models import Enrolment

    enrolment = Enrolment.objects.get(pk=enrolment_id)
    return (
        Notice.objects.filter(
            enrolment_id=enrolment_id,
            status__in=(Notice.Status.PENDING, Notice.Status.DIGEST),
            kind__in=(Kind.SUMMATIVE_DUE, Kind.END_DATE),
        )
        .exclude(target_at__in=(enrolment.summative_due_at, enrolment.ends_at))
        .update(status=Notice.Status.CANCELLED)
    )


def enrolment_notices_cancel(*, enrolment_id: int) -> int:
    """A withdrawal (or any end): every notice still to send is cancelled."""
    return Notice.objects.filter(
        enrolment_id=enrolment_id,
        status__in=(Notice.Status.PENDING, Notice.Status.DIGEST),
    ).update(status=Notice.Status.CANCELLED)


# --- credentials issued in bulk, and accounts to claim ----------------------------

STATUS_OF = {
    BulkNotice.SEND: Notice.Status.PENDING,
    BulkNotice.SILENT: Notice.Status.SILENT,
    BulkNotice.IN_CLAIM: Notice.Status.IN_CLAIM,
}


def _deliver_soon() -> None:
    from .tasks import deliver

    deliver.delay()


def credentials_issued_record(
    *,
    credential_ids: Iterable[uuid.UUID | str],
    notify: bool,
    now: dt.datetime | None = None,
) -> int:
    """Record the notices of credentials a bulk job has just issued; how many
    rows were new.

    ``credential_ids`` are the credentials the job issued (not those the
    recipients already held). Every one in force gets its "credential issued"
    notice under the key the scan uses, so the scan never records a second
    one, back-dated credentials (outside the scan's window) included:
    pending (sent soon) when ``notify`` and the recipient can sign in;
    otherwise ``silent`` (the registrar chose no notice) or ``in_claim`` (the
    recipient has no usable password: an account made by the job). With
    ``notify``, each recipient without a usable password also gets one
    "claim your account" notice, whatever the number of credentials or jobs.

    Two queries (the credentials with their recipients, one insert with ``ON
    CONFLICT DO NOTHING``), a third only when some rows were there already:
    a scan that ran between the issuing and this call recorded them pending,
    and they are quietened as this call would have recorded them. Safe to run
    twice (a redone chunk): the second run records nothing. Delivery is
    queued on commit, so the e-mails leave soon, not at the next beat.
    """
    from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX

    from credentials.models import Credential

    ids = sorted({str(pk) for pk in credential_ids})
    if not ids:
        return 0
    now = now or timezone.now()
    rows = (
        Credential.objects.filter(pk__in=ids, status=Credential.Status.ACTIVE)
        .annotate(
            invited=ExpressionWrapper(
                Q(learner__password__startswith=UNUSABLE_PASSWORD_PREFIX),
                output_field=BooleanField(),
            )
        )
        .order_by("pk")
        .values_list(
            "pk",
            "learner_id",
            "awarded_at",
            "achievement__microcredential_id",
            "invited",
        )
    )
    notices: list[Notice] = []
    to_claim: set[int] = set()
    for pk, learner_id, awarded_at, course_id, invited in rows:
        decision = policies.bulk_issued_notice(notify=notify, has_password=not invited)
        notice = _notice(
            Candidate(
                recipient_id=learner_id,
                kind=Kind.CREDENTIAL_ISSUED,
                subject_type="credential",
                subject_id=str(pk),
                period_key=policies.credential_issued_key(str(pk)),
                due_at=awarded_at,
                course_id=course_id,
            ),
            now,
        )
        notice.status = STATUS_OF[decision]
        notices.append(notice)
        if decision == BulkNotice.IN_CLAIM:
            to_claim.add(learner_id)
    for user_id in sorted(to_claim):
        due = policies.claim_due(user_id=user_id, now=now)
        notices.append(
            _notice(
                Candidate(
                    recipient_id=user_id,
                    kind=due.kind,
                    subject_type="user",
                    subject_id=str(user_id),
                    period_key=due.period_key,
                    due_at=due.due_at,
                ),
                now,
            )
        )
    if not notices:
        return 0
    quiet = [
        notice.subject_id
        for notice in notices
        if notice.kind == Kind.CREDENTIAL_ISSUED
        and notice.status != Notice.Status.PENDING
    ]
    with transaction.atomic():
        recorded = _insert(notices)
        if quiet and recorded < len(notices):
            Notice.objects.filter(
                kind=Kind.CREDENTIAL_ISSUED,
                subject_type="credential",
                subject_id__in=quiet,
                status=Notice.Status.PENDING,
            ).update(status=Notice.Status.IN_CLAIM if notify else Notice.Status.SILENT)
        if any(notice.status == Notice.Status.PENDING for notice in notices):
            transaction.on_commit(_deliver_soon, robust=True)
    return recorded


class ClaimRefused(Exception):
    """The account cannot be claimed with this link (used, changed, unknown)."""


@transaction.atomic
def account_claim(
    *, user_id: int, fragment: str, password: str, now: dt.datetime | None = None
):
    """Claim an account made for a recipient of credentials: set its password
    (validated by the caller's form), confirm its e-mail address as the
    primary one (the claim link was sent to it), and mark the claim notice
    read. Returns the user, to sign in.

    Single use: the link carries a fragment of the password field, which
    setting a password changes; the user row is locked, so two submissions
    of one link claim once and the second is refused (``ClaimRefused``).
    """
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model

    from microcred.audit import audit_record

    now = now or timezone.now()
    user = (
        get_user_model()
        .objects.select_for_update()
        .filter(pk=user_id, is_active=True)
        .first()
    )
    if (
        user is None
        or user.has_usable_password()
        or not emails.claim_fragment_matches(user, fragment)
    ):
        raise ClaimRefused(
            _("This account has already been claimed, or the link is not valid.")
        )
    addresses = list(EmailAddress.objects.filter(user=user))
    address = next(
        (a for a in addresses if a.email.lower() == user.email.lower()), None
    )
    if (
        EmailAddress.objects.filter(email__iexact=user.email, verified=True)
        .exclude(user=user)
        .exists()
    ):
        raise ClaimRefused(
            _(
                "This e-mail address is already confirmed on another account, so "
                "this one cannot be claimed. Sign in with that account, or ask "
                "the registrar."
            )
        )
    user.set_password(password)
    user.save(update_fields=["password"])
    EmailAddress.objects.filter(user=user, primary=True).exclude(
        pk=address.pk if address else None
    ).update(primary=False)
    if address is None:
        EmailAddress.objects.create(
            user=user, email=user.email, verified=True, primary=True
        )
    elif not (address.verified and address.primary):
        address.verified = True
        address.primary = True
        address.save(update_fields=["verified", "primary"])
    Notice.objects.filter(
        recipient=user, kind=Kind.CREDENTIAL_CLAIM, read_at__isnull=True
    ).update(read_at=now)
    audit_record(actor=user, action="account.claim", target=user)
    return user


# --- the learner's side -----------------------------------------------------------


def preference_for(user) -> NoticePreference:
    preference, _created = NoticePreference.objects.get_or_create(user=user)
    return preference


@transaction.atomic
def preferences_save(*, user, disabled_kinds, digest: bool) -> NoticePreference:
    """Turn optional notices off or on; mandatory ones cannot be turned off."""
    optional = {kind.value for kind, d in kinds.KINDS.items() if d.optional}
    preference = preference_for(user)
    preference.disabled_kinds = sorted(set(disabled_kinds) & optional)
    preference.digest = bool(digest)
    preference.save()
    return preference


@transaction.atomic
def unsubscribe(*, user_id: int, kind: str) -> NoticePreference | None:
    """One-click unsubscribe from one optional kind (from a signed link)."""
    from django.contrib.auth import get_user_model

    definition = kinds.KINDS.get(Kind(kind)) if kind in Kind else None
    if definition is None or not definition.optional:
        return None
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None:
        return None
    preference = preference_for(user)
    if kind not in preference.disabled_kinds:
        preference.disabled_kinds = sorted({*preference.disabled_kinds, kind})
        preference.save(update_fields=["disabled_kinds", "updated_at"])
    return preference


def notices_mark_read(*, user, notice_ids=None, now: dt.datetime | None = None) -> int:
    """Mark the person's notices read (all of them, or those listed)."""
    now = now or timezone.now()
    queryset = Notice.objects.filter(recipient=user, read_at__isnull=True)
    if notice_ids is not None:
        queryset = queryset.filter(pk__in=notice_ids)
    return queryset.update(read_at=now)
