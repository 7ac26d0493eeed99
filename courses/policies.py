"""The product's rules about courses and enrolments, as pure functions.

No ORM, no settings, no clock: dates and rules in, a decision out.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

END_OF_DAY = dt.time(23, 59, 59)


class PolicyError(Exception):
    """A rule refuses the request; the message is shown to the person."""


@dataclass(frozen=True)
class WindowRules:
    """A microcredential's timing rules (all in days)."""

    completion_window_days: int
    feedback_turnaround_days: int
    resubmission_days: int
    min_learning_days: int = 7

    @property
    def reserved_days(self) -> int:
        """Days kept after the summative due date for grading and attempt 2."""
        return self.feedback_turnaround_days + self.resubmission_days


@dataclass(frozen=True)
class EnrolmentDates:
    summative_due_at: dt.datetime
    ends_at: dt.datetime


def _exists(moment: dt.datetime, tz: ZoneInfo) -> bool:
    """Whether this wall-clock reading in ``tz`` really happens (is not in a gap)."""
    back = moment.astimezone(dt.UTC).astimezone(tz)
    return back.replace(tzinfo=None) == moment.replace(tzinfo=None)


def end_of_day(day: dt.date, tz: ZoneInfo) -> dt.datetime:
    """The last second of ``day`` in ``tz``, as an aware datetime.

    Usually 23:59:59. Where the clocks go back at midnight (Santiago, Cairo,
    Beirut...) 23:59:59 happens twice and the day ends at the second one; where
    they jump forward at 23:00 straight into the next day (Nuuk), the day ends
    one second before the jump.
    """
    for fold in (1, 0):
        candidate = dt.datetime.combine(day, END_OF_DAY.replace(fold=fold), tzinfo=tz)
        if _exists(candidate, tz):
            return candidate.astimezone(dt.UTC).astimezone(tz)
    next_midnight = dt.datetime.combine(
        day + dt.timedelta(days=1), dt.time(0), tzinfo=tz
    )
    return (next_midnight.astimezone(dt.UTC) - dt.timedelta(seconds=1)).astimezone(tz)


def window_problems(rules: WindowRules) -> list[str]:
    """Why a window cannot hold learning time plus two attempts (empty if it can)."""
    problems = []
    for name, value in (
        ("completion window", rules.completion_window_days),
        ("feedback turnaround", rules.feedback_turnaround_days),
        ("resubmission time", rules.resubmission_days),
    ):
        if value < 1:
            problems.append(f"The {name} must be at least one day.")
    if rules.min_learning_days < 0:
        problems.append("The minimum learning time cannot be negative.")
    needed = rules.reserved_days + rules.min_learning_days
    if not problems and rules.completion_window_days < needed:
        problems.append(
            f"The completion window of {rules.completion_window_days} days cannot "
            f"hold {rules.min_learning_days} days of learning plus "
            f"{rules.feedback_turnaround_days} days for feedback and "
            f"{rules.resubmission_days} days for a second attempt "
            f"(needs at least {needed} days)."
        )
    return problems


def dates_for_end_day(
    last_day: dt.date, rules: WindowRules, tz: ZoneInfo
) -> EnrolmentDates:
    """Both dates, given the last day of the microcredential."""
    due_day = last_day - dt.timedelta(days=rules.reserved_days)
    return EnrolmentDates(
        summative_due_at=end_of_day(due_day, tz), ends_at=end_of_day(last_day, tz)
    )


def rolling_dates(
    *, registered_at: dt.datetime, rules: WindowRules, tz: ZoneInfo
) -> EnrolmentDates:
    """Self-paced rolling offering: the window starts on the day of registration.

    The day of registration counts as day 0, so a 42-day window registered on
    1 March ends at the end of 12 April.
    """
    if registered_at.tzinfo is None:
        raise ValueError("registered_at must be an aware datetime")
    problems = window_problems(rules)
    if problems:
        raise PolicyError(" ".join(problems))
    start_day = registered_at.astimezone(tz).date()
    return dates_for_end_day(
        start_day + dt.timedelta(days=rules.completion_window_days), rules, tz
    )


def scheduled_last_day(starts_on: dt.date, rules: WindowRules) -> dt.date:
    return starts_on + dt.timedelta(days=rules.completion_window_days)


def scheduled_dates(
    *, starts_on: dt.date, rules: WindowRules, tz: ZoneInfo
) -> EnrolmentDates:
    """Scheduled offering: fixed dates, the same for everyone in it."""
    problems = window_problems(rules)
    if problems:
        raise PolicyError(" ".join(problems))
    return dates_for_end_day(scheduled_last_day(starts_on, rules), rules, tz)


def extended_dates(
    current: EnrolmentDates, *, extra_days: int, tz: ZoneInfo
) -> EnrolmentDates:
    """An extension moves both dates by the same number of calendar days.

    Counted in the institution's calendar, so a deadline stays at end of day
    across a DST change.
    """
    if extra_days < 1:
        raise PolicyError(_("An extension must add at least one day."))
    if extra_days > 365:
        raise PolicyError(_("An extension cannot exceed 365 days."))
    delta = dt.timedelta(days=extra_days)
    return EnrolmentDates(
        summative_due_at=end_of_day(
            current.summative_due_at.astimezone(tz).date() + delta, tz
        ),
        ends_at=end_of_day(current.ends_at.astimezone(tz).date() + delta, tz),
    )


def days_left(deadline: dt.datetime, *, now: dt.datetime, tz: ZoneInfo) -> int:
    """Whole calendar days from today to the deadline's day (0 = due today, <0 past)."""
    return (deadline.astimezone(tz).date() - now.astimezone(tz).date()).days


def window_span(days: int) -> tuple[int, str]:
    """(6, "weeks") for 42, (10, "days") for 10: how to say a window's length."""
    if days % 7 == 0 and days >= 7:
        return days // 7, "weeks"
    return days, "days"


@dataclass(frozen=True)
class PublishFacts:
    """What publishing needs to know about a course, gathered by a selector."""

    rules: WindowRules
    outcome_count: int
    module_count: int
    videos_without_text_alternative: tuple[str, ...]
    has_summative_assessment: bool
    assessments_available: bool
    owner_set: bool


@dataclass(frozen=True)
class PublishDecision:
    problems: tuple[str, ...]
    warnings: tuple[str, ...]

    @property
    def allowed(self) -> bool:
        return not self.problems


def publish_decision(facts: PublishFacts) -> PublishDecision:
    problems = list(window_problems(facts.rules))
    warnings = []
    if facts.outcome_count == 0:
        problems.append("The course has no learning outcomes.")
    if facts.module_count == 0:
        problems.append("The course has no modules.")
    if not facts.owner_set:
        problems.append("The course has no owner.")
    problems.extend(
        f'The video "{title}" has neither a captions file nor a transcript.'
        for title in facts.videos_without_text_alternative
    )
    if not facts.has_summative_assessment:
        if facts.assessments_available:
            problems.append("The course has no summative assessment.")
        else:
            warnings.append(
                "The course has no summative assessment yet; add one once "
                "assessments are available."
            )
    return PublishDecision(problems=tuple(problems), warnings=tuple(warnings))


# Course status transitions (governance).
STATUS_TRANSITIONS: dict[str, frozenset[str]] = {
    "draft": frozenset({"in_review"}),
    "in_review": frozenset({"draft", "published"}),
    "published": frozenset({"retired", "in_review"}),
    "retired": frozenset({"draft"}),
}


def check_status_change(current: str, new: str) -> None:
    if new not in STATUS_TRANSITIONS.get(current, frozenset()):
        raise PolicyError(f"A course cannot go from {current} to {new}.")


ALREADY_REGISTERED = gettext_lazy(
    "You are already registered for this microcredential."
)


@dataclass(frozen=True)
class RegistrationFacts:
    course_published: bool
    offering_open: bool
    registration_opens_at: dt.datetime | None
    registration_closes_at: dt.datetime | None
    capacity: int | None
    active_enrolments: int
    learner_has_active_enrolment: bool
    learner_has_completed: bool


def registration_refusal(facts: RegistrationFacts, *, now: dt.datetime) -> str | None:
    """Why a learner may not register (None means they may)."""
    if not facts.course_published:
        return _("This microcredential is not open for registration.")
    if facts.learner_has_completed:
        return _("You have already completed this microcredential.")
    if facts.learner_has_active_enrolment:
        return str(ALREADY_REGISTERED)
    if not facts.offering_open:
        return _("This offering is closed for registration.")
    if facts.registration_opens_at and now < facts.registration_opens_at:
        return _("Registration for this offering has not opened yet.")
    if facts.registration_closes_at and now > facts.registration_closes_at:
        return _("Registration for this offering has closed.")
    if facts.capacity is not None and facts.active_enrolments >= facts.capacity:
        return _("This offering is full.")
    return None


def pathway_progress(*, required: int, earned: int) -> tuple[int, int]:
    """(earned toward the pathway, needed), capped at needed."""
    return min(earned, required), required
