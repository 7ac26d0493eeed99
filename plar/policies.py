"""The rules of prior learning assessment and recognition (PLAR), as pure
functions: who may ask, which status changes are allowed and by whom, the PLAR
window's dates, who may decide an appeal, and the per-course figures.

No ORM, no settings, no clock: facts in, a decision out.
"""

from __future__ import annotations

import datetime as dt
import enum
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from courses.policies import EnrolmentDates, PolicyError, WindowRules, end_of_day


class PlarRefused(PolicyError):
    """A PLAR rule refuses the request; ``code`` names which rule."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.code = code


class Status(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    UNDER_REVIEW = "under_review"
    MORE_INFO = "more_info"
    APPROVED = "approved"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"


STATUS_LABELS = {
    Status.DRAFT: gettext_lazy("Draft"),
    Status.SUBMITTED: gettext_lazy("Submitted"),
    Status.UNDER_REVIEW: gettext_lazy("Under review"),
    Status.MORE_INFO: gettext_lazy("More information requested"),
    Status.APPROVED: gettext_lazy("Approved"),
    Status.DECLINED: gettext_lazy("Declined"),
    Status.WITHDRAWN: gettext_lazy("Withdrawn"),
}

# A request is "open" while it may still lead to a decision.
OPEN_STATUSES = frozenset(
    {Status.DRAFT, Status.SUBMITTED, Status.UNDER_REVIEW, Status.MORE_INFO}
)
# Statuses a learner may still edit (statements, evidence, declaration).
EDITABLE_STATUSES = frozenset({Status.DRAFT, Status.MORE_INFO})


class Actor(enum.StrEnum):
    LEARNER = "learner"
    REVIEWER = "reviewer"
    APPEAL = "appeal"  # an appeal granted against a decline


@dataclass(frozen=True)
class Transition:
    to: Status
    by: Actor
    needs_reason: bool


# Every allowed status change; anything else is refused.
TRANSITIONS: dict[Status, tuple[Transition, ...]] = {
    Status.DRAFT: (
        Transition(Status.SUBMITTED, Actor.LEARNER, needs_reason=False),
        Transition(Status.WITHDRAWN, Actor.LEARNER, needs_reason=False),
    ),
    Status.SUBMITTED: (
        Transition(Status.UNDER_REVIEW, Actor.REVIEWER, needs_reason=False),
        Transition(Status.WITHDRAWN, Actor.LEARNER, needs_reason=False),
    ),
    Status.UNDER_REVIEW: (
        Transition(Status.APPROVED, Actor.REVIEWER, needs_reason=True),
        Transition(Status.DECLINED, Actor.REVIEWER, needs_reason=True),
        Transition(Status.MORE_INFO, Actor.REVIEWER, needs_reason=True),
    ),
    Status.MORE_INFO: (
        Transition(Status.SUBMITTED, Actor.LEARNER, needs_reason=False),
        Transition(Status.WITHDRAWN, Actor.LEARNER, needs_reason=False),
    ),
    Status.DECLINED: (Transition(Status.APPROVED, Actor.APPEAL, needs_reason=True),),
    Status.APPROVED: (),
    Status.WITHDRAWN: (),
}


def check_transition(
    current: str, target: str, *, by: Actor, reason: str = ""
) -> Transition:
    """The transition from ``current`` to ``target`` by ``by``, or PlarRefused."""
    for status in (current, target):
        if status not in Status:
            raise PlarRefused(
                _("“%(status)s” is not a PLAR request status.") % {"status": status},
                code="unknown_status",
            )
    current_status, target_status = Status(current), Status(target)
    for transition in TRANSITIONS[current_status]:
        if transition.to == target_status and transition.by == by:
            if transition.needs_reason and not reason.strip():
                raise PlarRefused(
                    _("This decision needs a reason; the learner will read it."),
                    code="reason_required",
                )
            return transition
    raise PlarRefused(
        _("A request that is “%(current)s” cannot become “%(target)s”.")
        % {
            "current": STATUS_LABELS[current_status],
            "target": STATUS_LABELS[target_status],
        },
        code="forbidden_transition",
    )


@dataclass(frozen=True)
class RequestFacts:
    """What decides whether a learner may start a PLAR request for a course."""

    plar_offered: bool
    course_published: bool
    has_summative: bool
    has_active_enrolment: bool
    has_completed: bool
    holds_credential: bool
    renewal_open: bool
    has_open_request: bool
    plar_route_ended: bool


def request_refusal(facts: RequestFacts) -> PlarRefused | None:
    """Why this learner may not start a PLAR request now (None: they may)."""
    if not facts.course_published:
        return PlarRefused(
            _("This microcredential is not open to learners."), code="not_published"
        )
    if not facts.plar_offered or not facts.has_summative:
        return PlarRefused(
            _(
                "This microcredential does not offer prior learning assessment; "
                "register for the course instead."
            ),
            code="not_offered",
        )
    if facts.has_open_request:
        return PlarRefused(
            _(
                "You already have an open PLAR request for this microcredential; "
                "continue that one."
            ),
            code="open_request",
        )
    if facts.has_active_enrolment:
        return PlarRefused(
            _(
                "You are already registered for this microcredential, so there is "
                "nothing to challenge; go on with it from My learning."
            ),
            code="enrolled",
        )
    if (facts.holds_credential or facts.has_completed) and not facts.renewal_open:
        return PlarRefused(
            _(
                "You have already completed this microcredential and hold its "
                "credential; see My credentials."
            ),
            code="completed",
        )
    if facts.plar_route_ended:
        return PlarRefused(
            _(
                "You have already challenged this microcredential through PLAR "
                "without passing; register for the full course instead."
            ),
            code="challenged",
        )
    return None


def window_problems(plar_window_days: int, rules: WindowRules) -> list[str]:
    """Why a PLAR window cannot hold two attempts (empty if it can).

    A PLAR candidate needs no learning time, but attempt 1 needs at least one
    day and the window must keep the feedback turnaround and the resubmission
    time after it, as on the course route.
    """
    needed = rules.reserved_days + 1
    if plar_window_days < needed:
        return [
            _(
                "The PLAR window of %(days)s days cannot hold a day for attempt 1 "
                "plus %(feedback)s days for feedback and %(resubmission)s days for "
                "a second attempt (needs at least %(needed)s days)."
            )
            % {
                "days": plar_window_days,
                "feedback": rules.feedback_turnaround_days,
                "resubmission": rules.resubmission_days,
                "needed": needed,
            }
        ]
    return []


def window_dates(
    *,
    approved_at: dt.datetime,
    plar_window_days: int,
    rules: WindowRules,
    tz: ZoneInfo,
) -> EnrolmentDates:
    """The PLAR route's two dates, counted from the day of approval (day 0).

    The end date is the end of day ``plar_window_days`` after approval; the
    summative is due the feedback turnaround plus the resubmission time before
    it, so a failed attempt 1 always leaves room for attempt 2 — the same rule
    as the course route (DESIGN.md, "Time-bound completion").
    """
    if approved_at.tzinfo is None:
        raise ValueError("approved_at must be an aware datetime")
    problems = window_problems(plar_window_days, rules)
    if problems:
        raise PolicyError(" ".join(problems))
    last_day = approved_at.astimezone(tz).date() + dt.timedelta(days=plar_window_days)
    due_day = last_day - dt.timedelta(days=rules.reserved_days)
    return EnrolmentDates(
        summative_due_at=end_of_day(due_day, tz), ends_at=end_of_day(last_day, tz)
    )


class AppealKind(enum.StrEnum):
    DECISION = "decision"  # against a declined request
    GRADE = "grade"  # against a released PLAR attempt's result


class AppealStatus(enum.StrEnum):
    SUBMITTED = "submitted"
    GRANTED = "granted"
    REFUSED = "refused"


@dataclass(frozen=True)
class AppealFacts:
    kind: AppealKind
    request_status: str
    attempt_released: bool
    attempt_passed: bool | None
    attempt_on_plar_route: bool
    has_open_appeal: bool
    already_appealed: bool
    # The PLAR route was passed (on a later attempt): a failed attempt before
    # it no longer decides anything.
    route_passed: bool = False
    # The learner has made a newer request for the course since this decision.
    superseded: bool = False


def superseded_refusal() -> PlarRefused:
    """A decline the learner has moved on from (a newer request) is final."""
    return PlarRefused(
        _(
            "You have made a newer PLAR request for this microcredential since "
            "this decision, so it can no longer be appealed."
        ),
        code="superseded",
    )


def appeal_refusal(facts: AppealFacts) -> PlarRefused | None:
    """Why this appeal may not be lodged (None: it may)."""
    if facts.has_open_appeal:
        return PlarRefused(
            _("You already have an appeal waiting for a decision."),
            code="open_appeal",
        )
    if facts.already_appealed:
        return PlarRefused(
            _("This decision has already been appealed and the appeal decided."),
            code="already_appealed",
        )
    if facts.kind == AppealKind.DECISION:
        if facts.request_status != Status.DECLINED:
            return PlarRefused(
                _("Only a declined PLAR request can be appealed."),
                code="not_declined",
            )
        if facts.superseded:
            return superseded_refusal()
        return None
    if not facts.attempt_on_plar_route:
        return PlarRefused(
            _("Only a result on the PLAR route can be appealed here."),
            code="not_plar_attempt",
        )
    if not facts.attempt_released:
        return PlarRefused(
            _("A result can be appealed once its feedback is released."),
            code="not_released",
        )
    if facts.attempt_passed:
        return PlarRefused(
            _("This attempt passed; there is nothing to appeal."), code="passed"
        )
    if facts.route_passed:
        return PlarRefused(
            _(
                "You passed the summative assessment on a later attempt, so this "
                "result no longer decides anything; there is nothing to appeal."
            ),
            code="passed",
        )
    return None


def appeal_decider_refusal(
    *, decider_id: int, decided_by_ids: Iterable[int | None]
) -> PlarRefused | None:
    """An appeal is decided by someone who took no part in what is appealed."""
    if decider_id in set(decided_by_ids):
        return PlarRefused(
            _(
                "You made the decision this appeal is about; another instructor or "
                "a registrar must decide it."
            ),
            code="own_decision",
        )
    return None


# --- the figures on the staff page ------------------------------------------------


@dataclass(frozen=True)
class RequestOutcome:
    """One submitted request, as the figures need it."""

    submitted_at: dt.datetime | None
    decided_at: dt.datetime | None
    approved: bool
    declined: bool


@dataclass(frozen=True)
class PlarFigures:
    requests: int
    decided: int
    approved: int
    approval_rate: float | None
    passed_attempt_1: int
    passed_attempt_2: int
    candidates_assessed: int
    pass_rate_attempt_1: float | None
    pass_rate_attempt_2: float | None
    median_days_to_decision: float | None


def figures(
    outcomes: Sequence[RequestOutcome],
    *,
    first_attempt_results: Sequence[bool],
    second_attempt_results: Sequence[bool],
) -> PlarFigures:
    """Requests, approval rate, pass rate on attempts 1 and 2 and the median
    days from submission to decision, for one course.

    The pass rate on attempt 2 is among those who took an attempt 2 (those who
    failed attempt 1); each rate is None where nothing is there to count.
    """
    submitted = [o for o in outcomes if o.submitted_at is not None]
    decided = [o for o in submitted if o.approved or o.declined]
    approved = sum(1 for o in decided if o.approved)
    days = [
        (o.decided_at - o.submitted_at).total_seconds() / 86_400
        for o in decided
        if o.decided_at is not None and o.submitted_at is not None
    ]

    def rate(part: int, whole: int) -> float | None:
        return part / whole if whole else None

    passed_1 = sum(first_attempt_results)
    passed_2 = sum(second_attempt_results)
    return PlarFigures(
        requests=len(submitted),
        decided=len(decided),
        approved=approved,
        approval_rate=rate(approved, len(decided)),
        passed_attempt_1=passed_1,
        passed_attempt_2=passed_2,
        candidates_assessed=len(first_attempt_results),
        pass_rate_attempt_1=rate(passed_1, len(first_attempt_results)),
        pass_rate_attempt_2=rate(passed_2, len(second_attempt_results)),
        median_days_to_decision=round(statistics.median(days), 1) if days else None,
    )
