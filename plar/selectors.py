"""Reads about PLAR requests and appeals, with the joins each page needs."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet

from assessments import policies as assessment_policies
from assessments import selectors as assessment_selectors
from assessments.models import Attempt
from courses.models import Enrolment, Microcredential, Offering
from credentials import selectors as credential_selectors
from microcred.roles import is_instructor, is_registrar

from . import policies
from .models import Appeal, OutcomeStatement, PlarRequest

# --- who may review ---------------------------------------------------------------


def may_review(user, course: Microcredential) -> bool:
    """Registrars review every course; instructors the courses they teach."""
    if not getattr(user, "is_authenticated", False):
        return False
    if is_registrar(user):
        return True
    return is_instructor(user) and assessment_selectors.teaches(user, course)


def is_reviewer(user) -> bool:
    return is_registrar(user) or is_instructor(user)


def reviewable_courses(user) -> QuerySet[Microcredential]:
    if is_registrar(user):
        return Microcredential.objects.all()
    if is_instructor(user):
        return assessment_selectors.courses_taught(user).distinct()
    return Microcredential.objects.none()


# --- the learner's side -----------------------------------------------------------


def open_request(learner, course: Microcredential) -> PlarRequest | None:
    return (
        PlarRequest.objects.filter(
            learner=learner,
            microcredential=course,
            status__in=[s.value for s in policies.OPEN_STATUSES],
        )
        .select_related("microcredential")
        .first()
    )


def request_facts(
    learner, course: Microcredential, *, now: dt.datetime
) -> policies.RequestFacts:
    """A PLAR route whose window has run out unused counts as ended, not as an
    active enrolment; a PLAR window too short for two attempts (a course
    setting that slipped past the form) counts as PLAR not offered."""
    enrolments = Enrolment.objects.filter(learner=learner, microcredential=course)
    active = enrolments.filter(status=Enrolment.Status.ACTIVE)
    lapsed_plar = active.filter(route=Enrolment.Route.PLAR, ends_at__lt=now)
    return policies.RequestFacts(
        plar_offered=course.plar_offered
        and not policies.window_problems(course.plar_window_days, course.window_rules),
        course_published=course.is_published,
        has_summative=assessment_selectors.summative_for_course(course.pk) is not None,
        has_active_enrolment=active.exclude(pk__in=lapsed_plar).exists(),
        has_completed=enrolments.filter(status="completed").exists(),
        holds_credential=course.pk in credential_selectors.held_course_ids(learner),
        renewal_open=credential_selectors.renewal_open(
            learner=learner, course=course, now=now
        ),
        has_open_request=open_request(learner, course) is not None,
        plar_route_ended=enrolments.filter(
            route=Enrolment.Route.PLAR, status=Enrolment.Status.ENDED
        ).exists()
        or lapsed_plar.exists(),
    )


def newer_request_exists(request: PlarRequest) -> bool:
    """Whether the learner has made another request for the course since this
    one (a withdrawn one does not count)."""
    return (
        PlarRequest.objects.filter(
            learner_id=request.learner_id,
            microcredential_id=request.microcredential_id,
            pk__gt=request.pk,
        )
        .exclude(status=policies.Status.WITHDRAWN)
        .exists()
    )


def appeal_facts(
    request: PlarRequest,
    attempt: Attempt | None,
    *,
    appeals: list[Appeal] | None = None,
) -> policies.AppealFacts:
    """What ``policies.appeal_refusal`` needs to judge an appeal of the
    request's decision (no attempt) or of an attempt's result. ``appeals``:
    the request's appeals, if already loaded."""
    if appeals is None:
        appeals = list(Appeal.objects.filter(request=request))
    kind = policies.AppealKind.GRADE if attempt else policies.AppealKind.DECISION
    attempt_id = attempt.pk if attempt else None
    return policies.AppealFacts(
        kind=kind,
        request_status=request.status,
        attempt_released=bool(attempt and attempt.feedback_released_at),
        attempt_passed=attempt.passed if attempt else None,
        attempt_on_plar_route=attempt is not None,
        has_open_appeal=any(appeal.is_open for appeal in appeals),
        already_appealed=any(
            appeal.kind == kind and appeal.attempt_id == attempt_id
            for appeal in appeals
        ),
        route_passed=bool(
            attempt
            and request.enrolment is not None
            and request.enrolment.status == Enrolment.Status.COMPLETED
        ),
        superseded=kind == policies.AppealKind.DECISION
        and newer_request_exists(request),
    )


def learner_requests(learner) -> QuerySet[PlarRequest]:
    return (
        PlarRequest.objects.filter(learner=learner)
        .exclude(status=policies.Status.WITHDRAWN)
        .select_related("microcredential", "enrolment")
        .order_by("-updated_at")
    )


def _with_details(queryset: QuerySet[PlarRequest]) -> QuerySet[PlarRequest]:
    return queryset.select_related(
        "microcredential", "learner", "enrolment", "reviewer", "decided_by"
    ).prefetch_related(
        Prefetch(
            "statements",
            queryset=OutcomeStatement.objects.select_related("outcome"),
        ),
        "evidence",
        "events__actor",
        Prefetch(
            "appeals",
            queryset=Appeal.objects.select_related("attempt", "decided_by"),
        ),
    )


def learner_request(learner, request_id) -> PlarRequest | None:
    """The learner's own request with everything its page shows, or None."""
    try:
        return _with_details(PlarRequest.objects.filter(learner=learner)).get(
            pk=request_id
        )
    except (PlarRequest.DoesNotExist, ValueError, TypeError):
        return None


def is_course_offering(course: Microcredential, offering_id) -> bool:
    """Whether ``offering_id`` names one of the course's offerings."""
    try:
        return Offering.objects.filter(pk=offering_id, microcredential=course).exists()
    except (ValueError, TypeError):
        return False


def plar_attempt(request: PlarRequest, attempt_id) -> Attempt | None:
    """A summative attempt made on this request's PLAR enrolment."""
    if request.enrolment_id is None:
        return None
    try:
        return Attempt.objects.get(
            pk=attempt_id,
            enrolment_id=request.enrolment_id,
            assessment__kind="summative",
        )
    except (Attempt.DoesNotExist, ValueError, TypeError):
        return None


def route_attempts(request: PlarRequest) -> list[Attempt]:
    if request.enrolment_id is None:
        return []
    return list(
        Attempt.objects.filter(
            enrolment_id=request.enrolment_id, assessment__kind="summative"
        ).order_by("number")
    )


ROUTE_OVER_STATES = frozenset(
    {
        assessment_policies.SummativeState.NO_ATTEMPTS_LEFT,
        assessment_policies.SummativeState.DEADLINE_PASSED,
        assessment_policies.SummativeState.FEEDBACK_AFTER_END,
        assessment_policies.SummativeState.INACTIVE,
    }
)


def route_over(decision: assessment_policies.AttemptDecision) -> bool:
    """Whether a PLAR route can no longer lead to a pass."""
    return decision.state in ROUTE_OVER_STATES


# --- the reviewers' side ----------------------------------------------------------

QUEUE_STATUSES = (
    policies.Status.SUBMITTED,
    policies.Status.UNDER_REVIEW,
    policies.Status.MORE_INFO,
)


def review_queue(
    user, *, course_id=None, course_code=None, status=None
) -> QuerySet[PlarRequest]:
    """Requests waiting on a reviewer (or on the learner's answer), oldest
    first; narrowed to one course (by id or code) or one status if given."""
    queue = PlarRequest.objects.filter(
        microcredential__in=reviewable_courses(user),
        status__in=[s.value for s in QUEUE_STATUSES],
    )
    if course_id is not None:
        queue = queue.filter(microcredential_id=course_id)
    if course_code is not None:
        queue = queue.filter(microcredential__code=course_code)
    if status is not None:
        queue = queue.filter(status=status)
    return queue.select_related("microcredential", "learner", "reviewer").order_by(
        "submitted_at", "pk"
    )


def request_for_review(user, request_id) -> PlarRequest | None:
    """A request in a course the person reviews, or None (then a 404)."""
    try:
        request = _with_details(PlarRequest.objects.all()).get(pk=request_id)
    except (PlarRequest.DoesNotExist, ValueError, TypeError):
        return None
    if request.status == policies.Status.DRAFT:
        return None  # a draft is the learner's own until submitted
    return request if may_review(user, request.microcredential) else None


def appeal_queue(user) -> QuerySet[Appeal]:
    return (
        Appeal.objects.filter(
            request__microcredential__in=reviewable_courses(user),
            status=Appeal.Status.SUBMITTED,
        )
        .select_related("request__microcredential", "request__learner", "attempt")
        .order_by("submitted_at", "pk")
    )


def appeal_for_review(user, appeal_id) -> Appeal | None:
    try:
        appeal = Appeal.objects.select_related(
            "request__microcredential",
            "request__learner",
            "request__decided_by",
            "attempt",
            "decided_by",
        ).get(pk=appeal_id)
    except (Appeal.DoesNotExist, ValueError, TypeError):
        return None
    return appeal if may_review(user, appeal.request.microcredential) else None


def appealed_deciders(appeal: Appeal) -> list[int | None]:
    """Who took part in what is appealed: the decision's reviewer, or the
    attempt's grader and whoever released its feedback."""
    if appeal.kind == Appeal.Kind.DECISION:
        return [appeal.request.decided_by_id, appeal.request.reviewer_id]
    attempt = appeal.attempt
    releasers = list(
        attempt.grading_events.filter(action="feedback_released").values_list(
            "actor_id", flat=True
        )
    )
    return [attempt.graded_by_id, *releasers]


# --- the figures per course -------------------------------------------------------


@dataclass(frozen=True)
class CourseFigures:
    course: Microcredential
    figures: policies.PlarFigures


def course_figures(user) -> list[CourseFigures]:
    """PLAR figures for every course the person reviews that has requests.

    Three queries whatever the number of courses or requests.
    """
    courses = {
        course.pk: course
        for course in reviewable_courses(user).filter(
            Q(plar_offered=True) | Q(plar_requests__isnull=False)
        )
    }
    outcomes: dict[int, list[policies.RequestOutcome]] = {pk: [] for pk in courses}
    for row in PlarRequest.objects.filter(
        microcredential_id__in=courses, submitted_at__isnull=False
    ).values("microcredential_id", "submitted_at", "decided_at", "status"):
        outcomes[row["microcredential_id"]].append(
            policies.RequestOutcome(
                submitted_at=row["submitted_at"],
                decided_at=row["decided_at"],
                approved=row["status"] == policies.Status.APPROVED,
                declined=row["status"] == policies.Status.DECLINED,
            )
        )
    first: dict[int, list[bool]] = {pk: [] for pk in courses}
    second: dict[int, list[bool]] = {pk: [] for pk in courses}
    for row in Attempt.objects.filter(
        enrolment__microcredential_id__in=courses,
        enrolment__route=Enrolment.Route.PLAR,
        assessment__kind="summative",
        status=Attempt.Status.RELEASED,
        number__in=(1, 2),
    ).values("enrolment__microcredential_id", "number", "passed"):
        target = first if row["number"] == 1 else second
        target[row["enrolment__microcredential_id"]].append(bool(row["passed"]))
    return [
        CourseFigures(
            course=course,
            figures=policies.figures(
                outcomes[pk],
                first_attempt_results=first[pk],
                second_attempt_results=second[pk],
            ),
        )
        for pk, course in sorted(courses.items(), key=lambda kv: kv[1].title)
    ]
