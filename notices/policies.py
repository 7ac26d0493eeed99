"""Which reminders and notices are due now, as pure functions.

Each function takes the facts (an enrolment's dates, state and activity; the
course's reminder settings; what was already sent) and ``now``, and returns the
notices due, each with the key that makes it unique in the sent-log. No ORM, no
settings, no clock.

A reminder "N days before" a date falls at the same wall-clock time N calendar
days earlier in the institution's time zone (so across a DST change it is 167
or 169 hours before, never an hour off on the learner's calendar). Where the
scan could not run for a while, only the nearest threshold crossed is sent: a
learner two days from the due date gets the two-day reminder, not a stale
seven-day one as well. A threshold that fell before the learner registered is
never sent (the registration e-mail gave the dates then).

The key of a date reminder includes the date it is about, so when an extension
moves the date the reminders follow it: the old keys no longer apply and the
new date's thresholds are due afresh.
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypeGuard
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

WEEK = dt.timedelta(days=7)
MAX_OFFSET_DAYS = 90


class Kind(enum.StrEnum):
    SUMMATIVE_DUE = "summative_due"
    END_DATE = "end_date"
    INACTIVITY = "inactivity"
    SECOND_ATTEMPT = "second_attempt"
    GRADING_OVERDUE = "grading_overdue"
    COURSE_REVIEW = "course_review"
    CREDENTIAL_ISSUED = "credential_issued"
    CREDENTIAL_EXPIRING = "credential_expiring"
    CREDENTIAL_CLAIM = "credential_claim"


@dataclass(frozen=True)
class ReminderSettings:
    """A course's reminder settings (``Microcredential`` fields)."""

    due_offsets_days: tuple[int, ...] = (7, 2)
    end_offsets_days: tuple[int, ...] = (7, 2)
    inactivity_days: int = 7


def _as_entries(offsets: object) -> list[object] | None:
    """A stored or submitted offsets value as a list of entries.

    The database column is JSON, so it may hold anything: a bare whole number
    reads as a list of one, text or an object as no list at all (None).
    """
    if isinstance(offsets, int) and not isinstance(offsets, bool):
        return [offsets]
    if isinstance(offsets, str | bytes | Mapping) or not isinstance(offsets, Iterable):
        return None
    return list(offsets)


def _is_offset(value: object) -> TypeGuard[int]:
    return (
        isinstance(value, int)
        and not isinstance(value, bool)
        and 1 <= value <= MAX_OFFSET_DAYS
    )


def offsets_problems(offsets: object) -> list[str]:
    """Why a list of reminder offsets is not usable (empty: it is)."""
    values = _as_entries(offsets)
    if values is None:
        return [_("Give the days as a list of whole numbers, for example 7 and 2.")]
    problems = []
    for value in values:
        if isinstance(value, bool) or not isinstance(value, int):
            problems.append(
                _("“%(value)s” is not a whole number of days.") % {"value": value}
            )
        elif not _is_offset(value):
            problems.append(
                _("%(value)s is outside 1 to %(max)s days before the date.")
                % {"value": value, "max": MAX_OFFSET_DAYS}
            )
    if not problems and len(set(values)) != len(values):
        problems.append(_("Each number of days may appear once."))
    return problems


def clean_offsets(offsets: object) -> tuple[int, ...]:
    """Offsets as stored in the database, made safe: valid ones, largest first.

    Never raises: whatever the JSON column holds, the scan carries on (a value
    that is not a list of days means no reminders).
    """
    values = _as_entries(offsets) or []
    return tuple(sorted({value for value in values if _is_offset(value)}, reverse=True))


_clean_cached = functools.lru_cache(maxsize=1024)(clean_offsets)


def _offsets(offsets: object) -> tuple[int, ...]:
    """``clean_offsets``, remembered for the few tuples a scan sees 100,000
    times (each course's settings)."""
    if isinstance(offsets, tuple):
        try:
            return _clean_cached(offsets)
        except TypeError:  # an unhashable element: clean it the long way
            pass
    return clean_offsets(offsets)


def _utc(moment: dt.datetime) -> dt.datetime:
    if moment.tzinfo is None:
        raise ValueError("aware datetimes only")
    return moment.astimezone(dt.UTC)


def days_before(target: dt.datetime, days: int, tz: ZoneInfo) -> dt.datetime:
    """The same wall-clock time ``days`` calendar days before ``target`` in ``tz``.

    Python's aware arithmetic is wall-clock arithmetic. A result the clocks
    skip (02:30 on a spring-forward night) is read with the offset from before
    the change, so it lands as far past the jump as it was into it (03:30); a
    result that happens twice is the first of the two (fold=0).
    """
    local = _utc(target).astimezone(tz)
    return (local - dt.timedelta(days=days)).astimezone(dt.UTC)


def date_key(target: dt.datetime) -> str:
    """The part of a key naming the date a reminder is about (UTC, seconds)."""
    return _utc(target).replace(microsecond=0).isoformat()


@dataclass(frozen=True)
class Due:
    """A notice due now: its kind, its key in the sent-log and when it fell due."""

    kind: Kind
    period_key: str
    due_at: dt.datetime
    target_at: dt.datetime | None = None


def threshold_due(
    *,
    kind: Kind,
    target: dt.datetime,
    offsets_days: Sequence[int],
    not_before: dt.datetime,
    sent: frozenset[tuple[str, str]],
    now: dt.datetime,
    tz: ZoneInfo,
) -> Due | None:
    """The reminder for ``target`` due at ``now``: the nearest threshold crossed
    after ``not_before`` and before ``target``, unless it was sent."""
    now = _utc(now)
    if now >= _utc(target):
        return None
    crossed = [
        (days, moment)
        for days in _offsets(offsets_days)
        if _utc(not_before) <= (moment := days_before(target, days, tz)) <= now
    ]
    if not crossed:
        return None
    days, moment = min(crossed)
    key = f"{days}d:{date_key(target)}"
    if (kind.value, key) in sent:
        return None
    return Due(kind=kind, period_key=key, due_at=moment, target_at=target)


@dataclass(frozen=True)
class EnrolmentFacts:
    """An enrolment as the reminder rules see it."""

    status: str  # active / completed / withdrawn / ended
    route: str  # course / plar
    registered_at: dt.datetime
    summative_due_at: dt.datetime
    ends_at: dt.datetime
    last_activity_at: dt.datetime | None = None
    attempt_1_submitted: bool = False
    awaiting_feedback: bool = False
    passed: bool = False
    # The latest released, failed summative attempt whose next attempt is
    # allowed and not started: (attempt id, released at), else None.
    failed_attempt_open: tuple[int, dt.datetime] | None = None
    # A scheduled cohort's first day: nobody is "inactive" before it opens.
    starts_at: dt.datetime | None = None


@dataclass(frozen=True)
class SentLog:
    """What was already sent for one enrolment: (kind, period key) pairs, and
    when the last inactivity nudge went out."""

    keys: frozenset[tuple[str, str]] = field(default_factory=frozenset)
    last_inactivity_nudge_at: dt.datetime | None = None


def _inactivity_due(
    facts: EnrolmentFacts,
    settings: ReminderSettings,
    sent: SentLog,
    now: dt.datetime,
) -> Due | None:
    if settings.inactivity_days <= 0 or facts.route != "course":
        return None
    if facts.passed or facts.awaiting_feedback or now >= _utc(facts.ends_at):
        return None
    last = _utc(facts.last_activity_at or facts.registered_at)
    if facts.starts_at is not None and _utc(facts.starts_at) > last:
        last = _utc(facts.starts_at)
    idle_from = last + dt.timedelta(days=settings.inactivity_days)
    if now < idle_from:
        return None
    if (
        sent.last_inactivity_nudge_at is not None
        and now - _utc(sent.last_inactivity_nudge_at) < WEEK
    ):
        return None
    week = int((now - idle_from) / WEEK)
    key = f"{date_key(last)}:w{week}"
    if (Kind.INACTIVITY.value, key) in sent.keys:
        return None
    return Due(kind=Kind.INACTIVITY, period_key=key, due_at=idle_from + week * WEEK)


def enrolment_notices_due(
    facts: EnrolmentFacts,
    settings: ReminderSettings,
    sent: SentLog,
    *,
    now: dt.datetime,
    tz: ZoneInfo,
) -> list[Due]:
    """Every learner notice due now for one enrolment.

    - before the summative due date, while attempt 1 is not submitted;
    - before the end date, while the learner has not passed and is not waiting
      for feedback;
    - an inactivity nudge after ``inactivity_days`` without learning activity,
      at most once a week, never after the end date (course route only: a
      PLAR candidate needs no course activity);
    - "attempt N is open" once the feedback on a failed attempt is released
      and the next attempt may be taken.
    Nothing for an enrolment that is not active.
    """
    now = _utc(now)
    if facts.status != "active":
        return []
    due: list[Due] = []
    if not facts.attempt_1_submitted:
        reminder = threshold_due(
            kind=Kind.SUMMATIVE_DUE,
            target=facts.summative_due_at,
            offsets_days=settings.due_offsets_days,
            not_before=facts.registered_at,
            sent=sent.keys,
            now=now,
            tz=tz,
        )
        if reminder:
            due.append(reminder)
    if not facts.passed and not facts.awaiting_feedback:
        reminder = threshold_due(
            kind=Kind.END_DATE,
            target=facts.ends_at,
            offsets_days=settings.end_offsets_days,
            not_before=facts.registered_at,
            sent=sent.keys,
            now=now,
            tz=tz,
        )
        if reminder:
            due.append(reminder)
    nudge = _inactivity_due(facts, settings, sent, now)
    if nudge:
        due.append(nudge)
    if facts.failed_attempt_open and now < _utc(facts.ends_at):
        attempt_id, released_at = facts.failed_attempt_open
        key = f"attempt:{attempt_id}"
        # Not before the feedback is out (a scan run for an earlier ``now``).
        if (
            _utc(released_at) <= now
            and (Kind.SECOND_ATTEMPT.value, key) not in sent.keys
        ):
            due.append(
                Due(
                    kind=Kind.SECOND_ATTEMPT,
                    period_key=key,
                    due_at=_utc(released_at),
                    target_at=facts.ends_at,
                )
            )
    return due


def next_reminder_at(
    facts: EnrolmentFacts,
    settings: ReminderSettings,
    *,
    now: dt.datetime,
    tz: ZoneInfo,
) -> list[tuple[Kind, dt.datetime]]:
    """The date reminders still to come for an enrolment (for the staff view):
    each threshold after ``now`` that the rules would send."""
    now = _utc(now)
    if facts.status != "active":
        return []
    upcoming = []
    targets = []
    if not facts.attempt_1_submitted:
        targets.append(
            (Kind.SUMMATIVE_DUE, facts.summative_due_at, settings.due_offsets_days)
        )
    if not facts.passed and not facts.awaiting_feedback:
        targets.append((Kind.END_DATE, facts.ends_at, settings.end_offsets_days))
    for kind, target, offsets in targets:
        for days in _offsets(offsets):
            moment = days_before(target, days, tz)
            if moment > now and moment >= _utc(facts.registered_at):
                upcoming.append((kind, moment))
    return sorted(upcoming, key=lambda pair: pair[1])


# --- staff and credential notices -------------------------------------------------


def grading_overdue_due(
    *, attempt_id: int, feedback_due_at: dt.datetime | None, now: dt.datetime
) -> Due | None:
    """An attempt whose feedback is past its turnaround (once per attempt)."""
    if feedback_due_at is None or _utc(now) <= _utc(feedback_due_at):
        return None
    return Due(
        kind=Kind.GRADING_OVERDUE,
        period_key=f"attempt:{attempt_id}",
        due_at=_utc(feedback_due_at),
        target_at=feedback_due_at,
    )


REVIEW_LEAD_DAYS = 30


def course_review_due(
    *, next_review_on: dt.date | None, today: dt.date, lead_days: int = REVIEW_LEAD_DAYS
) -> Due | None:
    """A course whose review falls due within ``lead_days`` (once per review date)."""
    if next_review_on is None or today < next_review_on - dt.timedelta(days=lead_days):
        return None
    start = next_review_on - dt.timedelta(days=lead_days)
    return Due(
        kind=Kind.COURSE_REVIEW,
        period_key=next_review_on.isoformat(),
        due_at=dt.datetime.combine(start, dt.time(0), tzinfo=dt.UTC),
    )


ISSUED_NOTICE_WITHIN = dt.timedelta(days=14)


def credential_issued_due(
    *, credential_id: str, awarded_at: dt.datetime, active: bool, now: dt.datetime
) -> Due | None:
    """A credential issued recently and still in force (once per credential)."""
    if not active or not (
        _utc(awarded_at) <= _utc(now) <= _utc(awarded_at) + ISSUED_NOTICE_WITHIN
    ):
        return None
    return Due(
        kind=Kind.CREDENTIAL_ISSUED,
        period_key=credential_issued_key(credential_id),
        due_at=_utc(awarded_at),
    )


def credential_issued_key(credential_id: str) -> str:
    """The key of a credential's "issued" notice, whoever records it (the scan
    or a bulk job): one notice per credential, ever."""
    return f"credential:{credential_id}"


EXPIRY_OFFSETS_DAYS = (60, 14)


def credential_expiring_due(
    *,
    valid_until: dt.datetime | None,
    awarded_at: dt.datetime,
    active: bool,
    renewed: bool,
    sent: frozenset[tuple[str, str]],
    now: dt.datetime,
    tz: ZoneInfo,
    offsets_days: Sequence[int] = EXPIRY_OFFSETS_DAYS,
) -> Due | None:
    """60 and 14 days before a credential lapses, unless renewed or revoked."""
    if valid_until is None or not active or renewed:
        return None
    return threshold_due(
        kind=Kind.CREDENTIAL_EXPIRING,
        target=valid_until,
        offsets_days=offsets_days,
        not_before=awarded_at,
        sent=sent,
        now=now,
        tz=tz,
    )


# --- credentials issued in bulk, and accounts to claim ------------------------------


class BulkNotice(enum.StrEnum):
    """What becomes of a bulk-issued credential's "issued" notice."""

    SEND = "send"  # e-mailed (and shown in the app), like any other
    SILENT = "silent"  # the registrar chose to issue without notice
    IN_CLAIM = "in_claim"  # the account claim e-mail lists it instead


def bulk_issued_notice(*, notify: bool, has_password: bool) -> BulkNotice:
    """A registrar who chose silence gets silence, whoever the recipient is; a
    recipient without a usable password (an account made for them by the job)
    cannot sign in to see the credential, so the claim e-mail tells them."""
    if not notify:
        return BulkNotice.SILENT
    return BulkNotice.SEND if has_password else BulkNotice.IN_CLAIM


def claim_due(*, user_id: int, now: dt.datetime) -> Due:
    """One claim e-mail per person, ever: a person given several credentials,
    in one job or in several, gets one e-mail listing what waits for them."""
    return Due(
        kind=Kind.CREDENTIAL_CLAIM, period_key=f"claim:{user_id}", due_at=_utc(now)
    )


def claim_still_relevant(*, has_password: bool, credentials_waiting: int) -> bool:
    """A claim e-mail goes out only while the account is unclaimed and holds a
    credential in force (all revoked before it left: nothing to claim)."""
    return not has_password and credentials_waiting > 0
