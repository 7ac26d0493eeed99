"""Every notice kind, defined once: who receives it, whether the learner may
turn its e-mail off, and the finder that yields what is due now.

A finder reads set-based (a bounded number of queries whatever the number of
rows), asks a pure rule in policies.py whether each candidate is due, and
yields ``Candidate`` rows; the scan inserts them with ``ON CONFLICT DO
NOTHING`` on the sent-log's unique key, so nothing is sent twice. Adding a
notice kind is one ``NoticeKind`` here (and its e-mail templates).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db.models import Exists, OuterRef, Subquery
from django.utils.translation import gettext_lazy as _

from . import policies
from .policies import Kind

ENROLMENT_CHUNK = 5_000


@dataclass(frozen=True)
class Candidate:
    recipient_id: int
    kind: Kind
    subject_type: str
    subject_id: str
    period_key: str
    due_at: dt.datetime
    target_at: dt.datetime | None = None
    course_id: int | None = None
    enrolment_id: int | None = None


@dataclass(frozen=True)
class ScanContext:
    now: dt.datetime
    tz: ZoneInfo  # the institution's zone: dates are counted in it

    @property
    def today(self) -> dt.date:
        return self.now.astimezone(self.tz).date()


Finder = Callable[[ScanContext], Iterator[Candidate]]


@dataclass(frozen=True)
class NoticeKind:
    kind: Kind
    label: str
    description: str
    optional: bool  # the learner may turn its e-mail off
    audience: str  # "learner" or "staff"


# --- the enrolment finder: due dates, end dates, inactivity, next attempt --------

ENROLMENT_KINDS = (
    Kind.SUMMATIVE_DUE,
    Kind.END_DATE,
    Kind.INACTIVITY,
    Kind.SECOND_ATTEMPT,
)


def _summative_attempts(**filters):
    from assessments.models import Attempt

    return Attempt.objects.filter(
        enrolment=OuterRef("pk"), assessment__kind="summative", **filters
    )


def enrolment_rows(after_pk: int, limit: int, *, enrolment_ids=None):
    """One chunk of active enrolments with everything the rules need, in one
    query (attempt facts as subqueries)."""
    from assessments.models import ExtraAttempt
    from courses.models import Enrolment

    latest = _summative_attempts().order_by("-number")
    queryset = Enrolment.objects.filter(status="active", pk__gt=after_pk)
    if enrolment_ids is not None:
        queryset = queryset.filter(pk__in=enrolment_ids)
    return list(
        queryset.order_by("pk")
        .annotate(
            attempt_1_submitted=Exists(
                _summative_attempts(number=1, submitted_at__isnull=False)
            ),
            awaiting_feedback=Exists(
                _summative_attempts(status__in=("submitted", "graded"))
            ),
            passed_any=Exists(_summative_attempts(status="released", passed=True)),
            latest_id=Subquery(latest.values("pk")[:1]),
            latest_number=Subquery(latest.values("number")[:1]),
            latest_status=Subquery(latest.values("status")[:1]),
            latest_passed=Subquery(latest.values("passed")[:1]),
            latest_released_at=Subquery(latest.values("feedback_released_at")[:1]),
            has_extra=Exists(ExtraAttempt.objects.filter(enrolment=OuterRef("pk"))),
        )
        .values(
            "pk",
            "learner_id",
            "microcredential_id",
            "route",
            "status",
            "registered_at",
            "summative_due_at",
            "ends_at",
            "last_activity_at",
            "offering__starts_on",
            "microcredential__due_reminder_days",
            "microcredential__end_reminder_days",
            "microcredential__inactivity_nudge_days",
            "attempt_1_submitted",
            "awaiting_feedback",
            "passed_any",
            "latest_id",
            "latest_number",
            "latest_status",
            "latest_passed",
            "latest_released_at",
            "has_extra",
        )[:limit]
    )


def _extra_counts(enrolment_ids: list[int]) -> dict[int, int]:
    from django.db.models import Count

    from assessments.models import ExtraAttempt

    return dict(
        ExtraAttempt.objects.filter(
            enrolment_id__in=enrolment_ids, assessment__kind="summative"
        )
        .values("enrolment_id")
        .annotate(n=Count("pk"))
        .values_list("enrolment_id", "n")
    )


def _sent_logs(enrolment_ids: list[int], *, within=None) -> dict[int, policies.SentLog]:
    """What was sent for each of ``enrolment_ids``, the pks of one chunk of
    active enrolments, in increasing order.

    Read by their range of pks (and, for a scan of some enrolments only,
    ``within``, the scan's own filter), not by a list of thousands of ids: the
    list alone cost more than the query.
    """
    from .models import Notice

    notices = Notice.objects.filter(
        enrolment_id__gte=enrolment_ids[0],
        enrolment_id__lte=enrolment_ids[-1],
        enrolment__status="active",
        kind__in=[k.value for k in ENROLMENT_KINDS],
    )
    if within is not None:
        notices = notices.filter(enrolment_id__in=within)
    keys: dict[int, set[tuple[str, str]]] = defaultdict(set)
    last_nudge: dict[int, dt.datetime] = {}
    for enrolment_id, kind, period_key, created_at in notices.order_by().values_list(
        "enrolment_id", "kind", "period_key", "created_at"
    ):
        keys[enrolment_id].add((kind, period_key))
        if kind == Kind.INACTIVITY and (
            enrolment_id not in last_nudge or created_at > last_nudge[enrolment_id]
        ):
            last_nudge[enrolment_id] = created_at
    return {
        pk: policies.SentLog(
            keys=frozenset(keys.get(pk, ())),
            last_inactivity_nudge_at=last_nudge.get(pk),
        )
        for pk in enrolment_ids
    }


def enrolment_facts(
    row: dict, extra_attempts: int, tz: ZoneInfo | None = None
) -> policies.EnrolmentFacts:
    """The rules' view of one ``enrolment_rows`` row (``tz``: the institution's
    zone, in which a scheduled cohort's first day starts)."""
    failed_open = None
    if (
        row["latest_status"] == "released"
        and row["latest_passed"] is False
        and row["latest_number"] < 2 + extra_attempts
        and row["latest_released_at"] is not None
    ):
        failed_open = (row["latest_id"], row["latest_released_at"])
    return policies.EnrolmentFacts(
        status=row["status"],
        route=row["route"],
        registered_at=row["registered_at"],
        summative_due_at=row["summative_due_at"],
        ends_at=row["ends_at"],
        last_activity_at=row["last_activity_at"],
        attempt_1_submitted=row["attempt_1_submitted"],
        awaiting_feedback=row["awaiting_feedback"],
        passed=row["passed_any"],
        failed_attempt_open=failed_open,
        starts_at=(
            dt.datetime.combine(row["offering__starts_on"], dt.time(0), tzinfo=tz)
            if row.get("offering__starts_on") and tz is not None
            else None
        ),
    )


def reminder_settings(row: dict) -> policies.ReminderSettings:
    return policies.ReminderSettings(
        due_offsets_days=policies.clean_offsets(
            row["microcredential__due_reminder_days"] or ()
        ),
        end_offsets_days=policies.clean_offsets(
            row["microcredential__end_reminder_days"] or ()
        ),
        inactivity_days=row["microcredential__inactivity_nudge_days"],
    )


def find_enrolment_notices(
    context: ScanContext, *, enrolment_ids=None, chunk: int = ENROLMENT_CHUNK
) -> Iterator[Candidate]:
    """Active enrolments in chunks of ``chunk``: three queries per chunk."""
    # A course's reminder settings, read from its first row in this scan.
    settings_by_course: dict[int, policies.ReminderSettings] = {}
    after = 0
    while True:
        rows = enrolment_rows(after, chunk, enrolment_ids=enrolment_ids)
        if not rows:
            return
        ids = [row["pk"] for row in rows]
        extras = (
            _extra_counts([row["pk"] for row in rows if row["has_extra"]])
            if any(row["has_extra"] for row in rows)
            else {}
        )
        sent = _sent_logs(ids, within=enrolment_ids)
        for row in rows:
            course_id = row["microcredential_id"]
            if course_id not in settings_by_course:
                settings_by_course[course_id] = reminder_settings(row)
            for due in policies.enrolment_notices_due(
                enrolment_facts(row, extras.get(row["pk"], 0), context.tz),
                settings_by_course[course_id],
                sent[row["pk"]],
                now=context.now,
                tz=context.tz,
            ):
                yield Candidate(
                    recipient_id=row["learner_id"],
                    kind=due.kind,
                    subject_type="enrolment",
                    subject_id=str(row["pk"]),
                    period_key=due.period_key,
                    due_at=due.due_at,
                    target_at=due.target_at,
                    course_id=row["microcredential_id"],
                    enrolment_id=row["pk"],
                )
        if len(rows) < chunk:
            return
        after = ids[-1]


# --- staff notices ---------------------------------------------------------------


def _teachers(course_ids: set[int]) -> dict[int, set[int]]:
    from courses.models import Microcredential

    teachers: dict[int, set[int]] = defaultdict(set)
    for course_id, owner_id, instructor_id in Microcredential.objects.filter(
        pk__in=course_ids
    ).values_list("pk", "owner_id", "instructors"):
        for person in (owner_id, instructor_id):
            if person is not None:
                teachers[course_id].add(person)
    return teachers


def find_grading_overdue(context: ScanContext) -> Iterator[Candidate]:
    """Attempts past their feedback turnaround, to each teacher of the course."""
    from assessments.models import Attempt

    rows = list(
        Attempt.objects.filter(
            assessment__kind="summative",
            status__in=("submitted", "graded"),
            feedback_due_at__lt=context.now,
        ).values(
            "pk", "feedback_due_at", "enrolment_id", "assessment__microcredential_id"
        )
    )
    teachers = _teachers({row["assessment__microcredential_id"] for row in rows})
    for row in rows:
        due = policies.grading_overdue_due(
            attempt_id=row["pk"],
            feedback_due_at=row["feedback_due_at"],
            now=context.now,
        )
        if due is None:
            continue
        course_id = row["assessment__microcredential_id"]
        for teacher in sorted(teachers.get(course_id, ())):
            yield Candidate(
                recipient_id=teacher,
                kind=due.kind,
                subject_type="attempt",
                subject_id=str(row["pk"]),
                period_key=due.period_key,
                due_at=due.due_at,
                target_at=due.target_at,
                course_id=course_id,
            )


def find_course_reviews(context: ScanContext) -> Iterator[Candidate]:
    """Published courses whose review falls due, to their owner."""
    from courses.models import Microcredential

    horizon = context.today + dt.timedelta(days=policies.REVIEW_LEAD_DAYS)
    for row in Microcredential.objects.filter(
        status="published", owner__isnull=False, next_review_on__lte=horizon
    ).values("pk", "owner_id", "next_review_on"):
        due = policies.course_review_due(
            next_review_on=row["next_review_on"], today=context.today
        )
        if due:
            yield Candidate(
                recipient_id=row["owner_id"],
                kind=due.kind,
                subject_type="course",
                subject_id=str(row["pk"]),
                period_key=due.period_key,
                due_at=due.due_at,
                course_id=row["pk"],
            )


# --- credential notices ----------------------------------------------------------


def find_credentials_issued(context: ScanContext) -> Iterator[Candidate]:
    from credentials.models import Credential

    for row in Credential.objects.filter(
        status="active", awarded_at__gte=context.now - policies.ISSUED_NOTICE_WITHIN
    ).values("pk", "learner_id", "awarded_at", "achievement__microcredential_id"):
        due = policies.credential_issued_due(
            credential_id=str(row["pk"]),
            awarded_at=row["awarded_at"],
            active=True,
            now=context.now,
        )
        if due:
            yield Candidate(
                recipient_id=row["learner_id"],
                kind=due.kind,
                subject_type="credential",
                subject_id=str(row["pk"]),
                period_key=due.period_key,
                due_at=due.due_at,
                course_id=row["achievement__microcredential_id"],
            )


def find_credentials_expiring(context: ScanContext) -> Iterator[Candidate]:
    from credentials.models import Credential

    from .models import Notice

    horizon = context.now + dt.timedelta(days=max(policies.EXPIRY_OFFSETS_DAYS) + 1)
    newer = Credential.objects.filter(
        learner=OuterRef("learner"),
        achievement=OuterRef("achievement"),
        period__gt=OuterRef("period"),
    ).exclude(status="revoked")
    rows = list(
        Credential.objects.filter(
            status="active",
            valid_until__isnull=False,
            valid_until__gt=context.now,
            valid_until__lte=horizon,
        )
        .annotate(renewed=Exists(newer))
        .values(
            "pk",
            "learner_id",
            "awarded_at",
            "valid_until",
            "renewed",
            "achievement__microcredential_id",
        )
    )
    sent: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for subject_id, period_key in Notice.objects.filter(
        kind=Kind.CREDENTIAL_EXPIRING,
        subject_type="credential",
        subject_id__in=[str(row["pk"]) for row in rows],
    ).values_list("subject_id", "period_key"):
        sent[subject_id].add((Kind.CREDENTIAL_EXPIRING.value, period_key))
    for row in rows:
        due = policies.credential_expiring_due(
            valid_until=row["valid_until"],
            awarded_at=row["awarded_at"],
            active=True,
            renewed=row["renewed"],
            sent=frozenset(sent[str(row["pk"])]),
            now=context.now,
            tz=context.tz,
        )
        if due:
            yield Candidate(
                recipient_id=row["learner_id"],
                kind=due.kind,
                subject_type="credential",
                subject_id=str(row["pk"]),
                period_key=due.period_key,
                due_at=due.due_at,
                target_at=due.target_at,
                course_id=row["achievement__microcredential_id"],
            )


# --- the registry ----------------------------------------------------------------

KINDS: dict[Kind, NoticeKind] = {
    definition.kind: definition
    for definition in (
        NoticeKind(
            Kind.SUMMATIVE_DUE,
            _("Summative due date reminders"),
            _("Before the first attempt at the summative assessment is due."),
            optional=True,
            audience="learner",
        ),
        NoticeKind(
            Kind.END_DATE,
            _("End date reminders"),
            _("Before the end date of a microcredential you have not passed yet."),
            optional=True,
            audience="learner",
        ),
        NoticeKind(
            Kind.INACTIVITY,
            _("Nudges when you have not studied for a while"),
            _("At most once a week, never after the end date."),
            optional=True,
            audience="learner",
        ),
        NoticeKind(
            Kind.SECOND_ATTEMPT,
            _("Next attempt open"),
            _("When feedback is released and another attempt is open to you."),
            optional=False,
            audience="learner",
        ),
        NoticeKind(
            Kind.CREDENTIAL_ISSUED,
            _("Credential issued"),
            _("When you earn a credential."),
            optional=False,
            audience="learner",
        ),
        NoticeKind(
            Kind.CREDENTIAL_EXPIRING,
            _("Credential expiring"),
            _("60 and 14 days before a credential with an expiry date lapses."),
            optional=False,
            audience="learner",
        ),
        NoticeKind(
            Kind.CREDENTIAL_CLAIM,
            _("Claim your account"),
            _(
                "When an institution issues you a credential before you have an "
                "account: the link to set your password and see it."
            ),
            optional=False,
            audience="learner",
        ),
        NoticeKind(
            Kind.GRADING_OVERDUE,
            _("Grading overdue"),
            _("To instructors, when feedback is past its turnaround."),
            optional=True,
            audience="staff",
        ),
        NoticeKind(
            Kind.COURSE_REVIEW,
            _("Course review due"),
            _("To course owners, 30 days before a course's review date."),
            optional=True,
            audience="staff",
        ),
    )
}

# Every finder the scan runs; the enrolment finder yields four kinds. Account
# claims have none: a bulk job records them as it issues
# (``services.credentials_issued_record``).
FINDERS: tuple[Finder, ...] = (
    find_enrolment_notices,
    find_grading_overdue,
    find_course_reviews,
    find_credentials_issued,
    find_credentials_expiring,
)


def enrolment_kind_values() -> list[str]:
    return [kind.value for kind in ENROLMENT_KINDS]
