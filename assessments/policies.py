"""The summative attempt policy, feedback turnaround, the pass rule and where a
diagnostic suggests focusing, pure.

No ORM, no settings, no clock: facts and ``now`` in, a decision out or an
``AttemptRefused`` raised. The service gathers the facts (the enrolment's
*current* dates, so an extension is already applied; the prior attempts; the
number of extra attempts granted as an accommodation) and writes the result.

The rules (DESIGN.md, "Assessments" and "Completion window"):

- At most two attempts, plus one per extra attempt granted.
- Attempt 1 must be submitted by ``summative_due_at``; every later attempt by
  ``ends_at``. A deadline is inclusive: submitting at its last second is on
  time, one second later is late.
- Attempt *n + 1* opens only once attempt *n* is graded, did not pass, and its
  feedback has been released (at or before ``now``). If that feedback came out
  after ``ends_at``, there is no time left for the next attempt: only an
  extension (which moves ``ends_at``) can open it.
- After a pass nothing more can be started or submitted; an inactive enrolment
  (withdrawn, completed) can do nothing either. A result counts for the
  learner only once its feedback is released: until then a graded attempt is
  "awaiting feedback", pass or fail, so the decision never gives a grade away.

Instants are compared in UTC: Python compares two datetimes that share a
``tzinfo`` by their wall-clock reading and ignores ``fold``, which would get
the repeated hour of a fall-back night wrong.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from courses.policies import PolicyError, end_of_day

BASE_ATTEMPTS = 2


class AttemptRefused(PolicyError):
    """A summative attempt may not be started or submitted now.

    ``code`` names the rule for the API and tests; the message is for the
    learner.
    """

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.code = code


class SummativeState(enum.StrEnum):
    """Where a learner stands with the summative assessment."""

    MAY_START = "may_start"
    IN_PROGRESS = "in_progress"
    AWAITING_GRADING = "awaiting_grading"
    AWAITING_FEEDBACK = "awaiting_feedback"
    PASSED = "passed"
    NO_ATTEMPTS_LEFT = "no_attempts_left"
    DEADLINE_PASSED = "deadline_passed"
    FEEDBACK_AFTER_END = "feedback_after_end"
    INACTIVE = "inactive"


def _require_aware(name: str, moment: dt.datetime | None) -> None:
    if moment is not None and moment.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime")


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.UTC)


@dataclass(frozen=True)
class AttemptRecord:
    """The facts of one summative attempt so far.

    ``graded`` means a grade has been recorded (it may still be a draft to the
    learner until ``feedback_released_at``); ``passed`` is known only once
    graded.
    """

    number: int
    submitted_at: dt.datetime | None = None
    graded: bool = False
    feedback_released_at: dt.datetime | None = None
    passed: bool | None = None

    def __post_init__(self) -> None:
        if self.number < 1:
            raise ValueError("An attempt number starts at 1.")
        _require_aware("submitted_at", self.submitted_at)
        _require_aware("feedback_released_at", self.feedback_released_at)
        if self.graded and self.submitted_at is None:
            raise ValueError(f"Attempt {self.number} is graded but not submitted.")
        if self.feedback_released_at is not None and not self.graded:
            raise ValueError(f"Attempt {self.number} has feedback but no grade.")
        if self.passed is not None and not self.graded:
            raise ValueError(f"Attempt {self.number} has a result but no grade.")

    @property
    def submitted(self) -> bool:
        return self.submitted_at is not None


@dataclass(frozen=True)
class AttemptDecision:
    """What a learner may do with the summative assessment at ``now``.

    ``attempt_number`` and ``deadline`` are set exactly when something may be
    done (start a new attempt or submit the open one); ``reason`` says why not
    and is empty when something may be done; ``next_step`` is always set.
    """

    state: SummativeState
    may_start: bool
    may_submit: bool
    attempt_number: int | None
    deadline: dt.datetime | None
    attempts_allowed: int
    reason: str
    next_step: str

    @property
    def allowed(self) -> bool:
        return self.may_start or self.may_submit


def attempts_allowed(extra_attempts: int = 0) -> int:
    """How many summative attempts a learner has (two, plus accommodations)."""
    if extra_attempts < 0:
        raise ValueError("extra_attempts cannot be negative")
    return BASE_ATTEMPTS + extra_attempts


def attempt_deadline(
    number: int, *, summative_due_at: dt.datetime, ends_at: dt.datetime
) -> dt.datetime:
    """Attempt 1 is due on the summative due date; every later one at the end."""
    if number < 1:
        raise ValueError("An attempt number starts at 1.")
    return summative_due_at if number == 1 else ends_at


def _released_by(record: AttemptRecord, now: dt.datetime) -> bool:
    """Whether the learner can read this attempt's result and feedback at ``now``.

    A release time after ``now`` (scheduled, or clocks apart) does not count yet.
    """
    released_at = record.feedback_released_at
    return released_at is not None and _utc(released_at) <= _utc(now)


def _ordered(attempts: Sequence[AttemptRecord]) -> list[AttemptRecord]:
    ordered = sorted(attempts, key=lambda record: record.number)
    numbers = [record.number for record in ordered]
    if numbers != list(range(1, len(ordered) + 1)):
        raise ValueError(f"Attempt numbers must run 1, 2, 3...; got {numbers}.")
    return ordered


def _decision(
    state: SummativeState,
    allowed: int,
    *,
    reason: str = "",
    next_step: str,
    number: int | None = None,
    deadline: dt.datetime | None = None,
) -> AttemptDecision:
    return AttemptDecision(
        state=state,
        may_start=state is SummativeState.MAY_START,
        may_submit=state is SummativeState.IN_PROGRESS,
        attempt_number=number,
        deadline=deadline,
        attempts_allowed=allowed,
        reason=reason,
        next_step=next_step,
    )


def _ask_for_extension(*, answers_kept: bool = False) -> str:
    if answers_kept:
        return _(
            "If you need more time, ask your instructor for an extension; the "
            "answers you saved are kept."
        )
    return _("If you need more time, ask your instructor for an extension.")


def _after_this_attempt(number: int, allowed: int) -> str:
    if number < allowed:
        return _(
            "Your instructor grades it and releases feedback. If it does not pass, "
            "attempt %(next)s opens once you have the feedback."
        ) % {"next": number + 1}
    return _(
        "Your instructor grades it and releases feedback. This is your last attempt."
    )


def attempt_decision(
    *,
    attempts: Sequence[AttemptRecord],
    summative_due_at: dt.datetime,
    ends_at: dt.datetime,
    now: dt.datetime,
    extra_attempts: int = 0,
    enrolment_active: bool = True,
) -> AttemptDecision:
    """May the learner start a summative attempt, or submit the open one, now?

    ``summative_due_at`` and ``ends_at`` are the enrolment's current dates
    (extensions applied). Raises ``ValueError`` for naive datetimes or attempt
    numbers that do not run 1, 2, 3...
    """
    _require_aware("summative_due_at", summative_due_at)
    _require_aware("ends_at", ends_at)
    _require_aware("now", now)
    allowed = attempts_allowed(extra_attempts)
    history = _ordered(attempts)
    now = _utc(now)

    if any(record.passed and _released_by(record, now) for record in history):
        return _decision(
            SummativeState.PASSED,
            allowed,
            reason=_(
                "You have passed the summative assessment, so there is no further "
                "attempt."
            ),
            next_step=_("Your result and feedback stay on the assessment page."),
        )
    if not enrolment_active:
        return _decision(
            SummativeState.INACTIVE,
            allowed,
            reason=_(
                "Your enrolment is no longer active, so the summative assessment "
                "is closed to you."
            ),
            next_step=_(
                "If you think this is a mistake, contact the registrar's office."
            ),
        )

    latest = history[-1] if history else None

    # An attempt is open: it may be submitted until its deadline.
    if latest is not None and not latest.submitted:
        number = latest.number
        if number > allowed:
            return _no_attempts_left(allowed)
        deadline = attempt_deadline(
            number, summative_due_at=summative_due_at, ends_at=ends_at
        )
        if now <= _utc(deadline):
            return _decision(
                SummativeState.IN_PROGRESS,
                allowed,
                number=number,
                deadline=deadline,
                next_step=_(
                    "Your answers are saved as you go. Submit attempt %(number)s "
                    "by its deadline."
                )
                % {"number": number}
                + " "
                + _after_this_attempt(number, allowed),
            )
        return _decision(
            SummativeState.DEADLINE_PASSED,
            allowed,
            reason=_(
                "The deadline for attempt %(number)s has passed, so it can no "
                "longer be submitted."
            )
            % {"number": number},
            next_step=_ask_for_extension(answers_kept=True),
        )

    # Nothing yet: attempt 1, due on the summative due date.
    if latest is None:
        if now <= _utc(summative_due_at):
            return _decision(
                SummativeState.MAY_START,
                allowed,
                number=1,
                deadline=summative_due_at,
                next_step=_(
                    "Start attempt 1 when you are ready and submit it by the "
                    "summative due date."
                )
                + " "
                + _after_this_attempt(1, allowed),
            )
        return _decision(
            SummativeState.DEADLINE_PASSED,
            allowed,
            reason=_(
                "The summative due date has passed, so attempt 1 can no longer be "
                "started."
            ),
            next_step=_ask_for_extension(),
        )

    # The latest attempt is submitted and has not passed (yet).
    number = latest.number
    more = number < allowed
    if not latest.graded:
        return _decision(
            SummativeState.AWAITING_GRADING,
            allowed,
            reason=_(
                "Attempt %(number)s has been submitted and is waiting to be graded."
            )
            % {"number": number},
            next_step=_waiting_next_step(number, more),
        )
    released_at = latest.feedback_released_at
    if released_at is None or not _released_by(latest, now):
        # A result is the learner's only once its feedback is released.
        return _decision(
            SummativeState.AWAITING_FEEDBACK,
            allowed,
            reason=_(
                "Attempt %(number)s has been graded; its feedback has not been "
                "released yet."
            )
            % {"number": number},
            next_step=_waiting_next_step(number, more),
        )
    if not more:
        return _no_attempts_left(allowed)

    following = number + 1
    if _utc(released_at) > _utc(ends_at):
        return _decision(
            SummativeState.FEEDBACK_AFTER_END,
            allowed,
            reason=_(
                "The feedback on attempt %(number)s was released after the end "
                "date of your microcredential, so there is no time left for "
                "attempt %(next)s."
            )
            % {"number": number, "next": following},
            next_step=_(
                "Ask your instructor for an extension; once your dates move, "
                "attempt %(next)s opens."
            )
            % {"next": following},
        )
    if now > _utc(ends_at):
        return _decision(
            SummativeState.DEADLINE_PASSED,
            allowed,
            reason=_(
                "The end date of your microcredential has passed, so attempt "
                "%(next)s can no longer be started."
            )
            % {"next": following},
            next_step=_ask_for_extension(),
        )
    return _decision(
        SummativeState.MAY_START,
        allowed,
        number=following,
        deadline=ends_at,
        next_step=_(
            "Read the feedback on attempt %(number)s, then start attempt %(next)s "
            "and submit it by the end date of your microcredential."
        )
        % {"number": number, "next": following}
        + " "
        + _after_this_attempt(following, allowed),
    )


def _waiting_next_step(number: int, more: bool) -> str:
    if more:
        return _(
            "You will be told by e-mail when the feedback is released. If attempt "
            "%(number)s does not pass, attempt %(next)s opens then."
        ) % {"number": number, "next": number + 1}
    return _("You will be told by e-mail when the feedback is released.")


def _no_attempts_left(allowed: int) -> AttemptDecision:
    return _decision(
        SummativeState.NO_ATTEMPTS_LEFT,
        allowed,
        reason=ngettext(
            "You have used your %(count)s attempt at the summative assessment; "
            "there is no further attempt.",
            "You have used all %(count)s attempts at the summative assessment; "
            "there is no further attempt.",
            allowed,
        )
        % {"count": allowed},
        next_step=_(
            "Read your feedback, and talk to your instructor about your options, "
            "such as an accommodation or taking the microcredential again."
        ),
    )


def check_start(
    *,
    attempts: Sequence[AttemptRecord],
    summative_due_at: dt.datetime,
    ends_at: dt.datetime,
    now: dt.datetime,
    extra_attempts: int = 0,
    enrolment_active: bool = True,
) -> AttemptDecision:
    """The decision, if a new attempt may be started now; else ``AttemptRefused``."""
    decision = attempt_decision(
        attempts=attempts,
        summative_due_at=summative_due_at,
        ends_at=ends_at,
        now=now,
        extra_attempts=extra_attempts,
        enrolment_active=enrolment_active,
    )
    if not decision.may_start:
        reason = decision.reason or _(
            "Attempt %(number)s is already open; continue it instead."
        ) % {"number": decision.attempt_number}
        raise AttemptRefused(
            f"{reason} {decision.next_step}", code=decision.state.value
        )
    return decision


def check_submission(
    *,
    attempt_number: int,
    attempts: Sequence[AttemptRecord],
    summative_due_at: dt.datetime,
    ends_at: dt.datetime,
    now: dt.datetime,
    extra_attempts: int = 0,
    enrolment_active: bool = True,
) -> None:
    """Refuse, with a message for the learner, a late, third or repeated submit.

    ``attempts`` must include the attempt being submitted. Whether it belongs
    to this learner, and its answers to this assessment, is the service's check.
    Codes: ``inactive``, ``passed``, ``no_attempts_left``, ``not_started``,
    ``already_submitted``, ``late``.
    """
    decision = attempt_decision(
        attempts=attempts,
        summative_due_at=summative_due_at,
        ends_at=ends_at,
        now=now,
        extra_attempts=extra_attempts,
        enrolment_active=enrolment_active,
    )
    if decision.may_submit and decision.attempt_number == attempt_number:
        return
    allowed = decision.attempts_allowed
    record = next((r for r in attempts if r.number == attempt_number), None)
    if record is not None and record.submitted:
        raise AttemptRefused(
            _(
                "Attempt %(number)s has already been submitted; this submission "
                "was not recorded and nothing changed."
            )
            % {"number": attempt_number},
            code="already_submitted",
        )
    if decision.state in (SummativeState.PASSED, SummativeState.INACTIVE):
        raise AttemptRefused(decision.reason, code=decision.state.value)
    if attempt_number > allowed:
        raise AttemptRefused(
            _(
                "There is no attempt %(number)s: the summative assessment allows "
                "%(count)s attempts."
            )
            % {"number": attempt_number, "count": allowed},
            code=SummativeState.NO_ATTEMPTS_LEFT.value,
        )
    latest_number = max((r.number for r in attempts), default=0)
    if record is None or record.number != latest_number:
        raise AttemptRefused(
            _("Attempt %(number)s is not open, so it cannot be submitted.")
            % {"number": attempt_number},
            code="not_started",
        )
    raise AttemptRefused(
        _("The deadline for attempt %(number)s has passed, so it cannot be submitted.")
        % {"number": attempt_number}
        + " "
        + _ask_for_extension(answers_kept=True),
        code="late",
    )


# --- feedback turnaround ------------------------------------------------------
def feedback_due_at(
    submitted_at: dt.datetime, turnaround_days: int, tz: ZoneInfo
) -> dt.datetime:
    """End of day, in the institution's zone, ``turnaround_days`` after submission.

    Counted from the local calendar day the attempt was submitted on, so a
    submission at 23:30 on Monday with 7 days' turnaround is due at the end of
    the next Monday, whatever the UTC date or a DST change in between.
    """
    _require_aware("submitted_at", submitted_at)
    if turnaround_days < 0:
        raise ValueError("turnaround_days cannot be negative")
    day = submitted_at.astimezone(tz).date() + dt.timedelta(days=turnaround_days)
    return end_of_day(day, tz)


def is_feedback_overdue(
    feedback_due_at: dt.datetime,
    released_at: dt.datetime | None,
    now: dt.datetime,
) -> bool:
    """Unreleased past the due moment, or released after it (released late)."""
    _require_aware("feedback_due_at", feedback_due_at)
    _require_aware("released_at", released_at)
    _require_aware("now", now)
    moment = now if released_at is None else released_at
    return _utc(moment) > _utc(feedback_due_at)


# --- the pass rule ------------------------------------------------------------
@dataclass(frozen=True)
class OutcomeResult:
    """Passed, or why not (one learner-facing sentence per shortfall)."""

    passed: bool
    reasons: tuple[str, ...]
    unmet_outcomes: tuple[str, ...]


def _percent(value: Decimal) -> str:
    """70.00 -> "70", 65.50 -> "65.5"."""
    return f"{Decimal(value).normalize():f}"


def outcome_result(
    *,
    score_percent: Decimal,
    pass_mark_percent: Decimal,
    outcomes_met: Mapping[str, bool],
) -> OutcomeResult:
    """Pass = score at or above the pass mark **and** every learning outcome met.

    ``outcomes_met`` maps each of the course's learning outcomes (by the name
    shown to the learner) to whether the attempt met it. An empty mapping is a
    misconfigured assessment, not a pass: "every outcome met" must never hold
    because nothing was assessed, so it raises ``PolicyError`` for the grader.
    """
    for name, value in (("score", score_percent), ("pass mark", pass_mark_percent)):
        if not Decimal(value).is_finite() or not 0 <= value <= 100:
            raise ValueError(f"The {name} must be a percentage from 0 to 100.")
    if pass_mark_percent <= 0:
        raise ValueError("The pass mark must be above 0%.")
    if not outcomes_met:
        raise PolicyError(
            _(
                "This assessment is not linked to any learning outcome, so it "
                "cannot decide a pass. Link its items or rubric criteria to the "
                "course's learning outcomes."
            )
        )
    reasons = []
    if score_percent < pass_mark_percent:
        reasons.append(
            _("Your score of %(score)s%% is below the pass mark of %(mark)s%%.")
            % {
                "score": _percent(score_percent),
                "mark": _percent(pass_mark_percent),
            }
        )
    unmet = tuple(name for name, met in outcomes_met.items() if not met)
    reasons.extend(
        _('The learning outcome "%(outcome)s" is not yet met.') % {"outcome": name}
        for name in unmet
    )
    return OutcomeResult(
        passed=not reasons, reasons=tuple(reasons), unmet_outcomes=unmet
    )


# --- where to focus after a diagnostic ----------------------------------------
@dataclass(frozen=True)
class FocusSuggestion:
    """What a diagnostic suggests the learner works on first.

    ``outcome_codes``: the outcomes to focus on, in the course's order.
    ``modules``: each module that teaches at least one of them, in the course's
    order, with the focus outcomes it teaches. ``untaught_codes``: focus
    outcomes that no module is linked to (the learner still sees them).
    """

    outcome_codes: tuple[str, ...]
    modules: tuple[tuple[int, tuple[str, ...]], ...]
    untaught_codes: tuple[str, ...]

    @property
    def module_ids(self) -> tuple[int, ...]:
        return tuple(module_id for module_id, _codes in self.modules)


def diagnostic_focus(
    *,
    outcomes_met: Mapping[str, bool],
    module_outcomes: Sequence[tuple[int, Collection[str]]],
) -> FocusSuggestion:
    """Where to focus after a diagnostic, from its per-outcome results.

    - ``outcomes_met`` maps every outcome the diagnostic assessed (by code, in
      the course's order) to whether the learner met it. The outcomes not yet
      met are the ones to focus on; an outcome the diagnostic did not assess
      is never suggested (nothing is known about it).
    - ``module_outcomes`` lists the course's modules in order, each with the
      outcome codes it teaches (a module teaches the outcomes its formative
      checks assess). Every module that teaches at least one focus outcome is
      suggested, once, in the course's order.
    - Nothing not yet met: no outcome and no module to focus on.
    """
    focus = tuple(code for code, met in outcomes_met.items() if not met)
    wanted = set(focus)
    teaches: dict[int, set[str]] = {}  # in course order; a module listed twice merges
    for module_id, codes in module_outcomes:
        teaches.setdefault(module_id, set()).update(set(codes) & wanted)
    modules = tuple(
        (module_id, tuple(code for code in focus if code in codes))
        for module_id, codes in teaches.items()
        if codes
    )
    taught = set().union(*teaches.values())
    return FocusSuggestion(
        outcome_codes=focus,
        modules=modules,
        untaught_codes=tuple(code for code in focus if code not in taught),
    )
