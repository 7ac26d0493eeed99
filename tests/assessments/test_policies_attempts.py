"""The summative attempt policy, feedback turnaround and pass rule: no database.

Deadlines are end of day in the institution's zone (America/Toronto). The DST
changes used below are Toronto's: spring forward on 14 March 2027, fall back on
7 November 2027 (01:00-01:59 happens twice).
"""

import dataclasses
import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from assessments.policies import (
    BASE_ATTEMPTS,
    AttemptDecision,
    AttemptRecord,
    AttemptRefused,
    SummativeState,
    attempt_deadline,
    attempt_decision,
    attempts_allowed,
    check_start,
    check_submission,
    feedback_due_at,
    is_feedback_overdue,
    outcome_result,
)
from courses.policies import PolicyError, end_of_day

TORONTO = ZoneInfo("America/Toronto")
TOKYO = ZoneInfo("Asia/Tokyo")
UTC = dt.UTC
SECOND = dt.timedelta(seconds=1)
DAY = dt.timedelta(days=1)
S = SummativeState


def toronto(*args: int, fold: int = 0) -> dt.datetime:
    return dt.datetime(*args, tzinfo=TORONTO, fold=fold)


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


# A 42-day rolling enrolment registered on 1 March 2027 (see courses' tests).
DUE = toronto(2027, 3, 29, 23, 59, 59)
END = toronto(2027, 4, 12, 23, 59, 59)
SUBMITTED_1 = toronto(2027, 3, 27, 14, 0)
RELEASED_1 = toronto(2027, 4, 2, 10, 0)
SUBMITTED_2 = toronto(2027, 4, 8, 9, 0)
RELEASED_2 = toronto(2027, 4, 10, 9, 0)


def started(number: int) -> AttemptRecord:
    return AttemptRecord(number=number)


def submitted(number: int, at: dt.datetime) -> AttemptRecord:
    return AttemptRecord(number=number, submitted_at=at)


def graded(number: int, at: dt.datetime, *, passed: bool = False) -> AttemptRecord:
    return AttemptRecord(number=number, submitted_at=at, graded=True, passed=passed)


def released(
    number: int, at: dt.datetime, released_at: dt.datetime, *, passed: bool = False
) -> AttemptRecord:
    return AttemptRecord(
        number=number,
        submitted_at=at,
        graded=True,
        feedback_released_at=released_at,
        passed=passed,
    )


FAILED_1 = released(1, SUBMITTED_1, RELEASED_1)
FAILED_2 = released(2, SUBMITTED_2, RELEASED_2)


def decide(
    attempts: tuple[AttemptRecord, ...] = (),
    *,
    now: dt.datetime,
    due: dt.datetime = DUE,
    end: dt.datetime = END,
    extra: int = 0,
    active: bool = True,
) -> AttemptDecision:
    return attempt_decision(
        attempts=attempts,
        summative_due_at=due,
        ends_at=end,
        now=now,
        extra_attempts=extra,
        enrolment_active=active,
    )


def submit(
    number: int,
    attempts: tuple[AttemptRecord, ...],
    *,
    now: dt.datetime,
    due: dt.datetime = DUE,
    end: dt.datetime = END,
    extra: int = 0,
    active: bool = True,
) -> None:
    check_submission(
        attempt_number=number,
        attempts=attempts,
        summative_due_at=due,
        ends_at=end,
        now=now,
        extra_attempts=extra,
        enrolment_active=active,
    )


# --- the decision, case by case -----------------------------------------------
# (history, now, dates/extras, expected state, expected attempt number, deadline)
CASES = [
    pytest.param((), DUE - 10 * DAY, {}, S.MAY_START, 1, DUE, id="first-attempt"),
    pytest.param((), DUE, {}, S.MAY_START, 1, DUE, id="start-1-exactly-at-due"),
    pytest.param(
        (), DUE + SECOND, {}, S.DEADLINE_PASSED, None, None, id="start-1-late"
    ),
    pytest.param(
        (started(1),), DUE, {}, S.IN_PROGRESS, 1, DUE, id="submit-1-exactly-at-due"
    ),
    pytest.param(
        (started(1),),
        DUE + SECOND,
        {},
        S.DEADLINE_PASSED,
        None,
        None,
        id="submit-1-one-second-late",
    ),
    pytest.param(
        (submitted(1, SUBMITTED_1),),
        RELEASED_1,
        {},
        S.AWAITING_GRADING,
        None,
        None,
        id="1-waits-for-grading",
    ),
    pytest.param(
        (graded(1, SUBMITTED_1),),
        RELEASED_1,
        {},
        S.AWAITING_FEEDBACK,
        None,
        None,
        id="1-graded-feedback-not-released",
    ),
    pytest.param(
        (graded(1, SUBMITTED_1, passed=True),),
        RELEASED_1,
        {},
        S.AWAITING_FEEDBACK,
        None,
        None,
        id="a-pass-is-not-told-before-release",
    ),
    pytest.param(
        (FAILED_1,),
        RELEASED_1 - SECOND,
        {},
        S.AWAITING_FEEDBACK,
        None,
        None,
        id="release-time-still-ahead",
    ),
    pytest.param(
        (FAILED_1,), RELEASED_1, {}, S.MAY_START, 2, END, id="2-opens-at-release"
    ),
    pytest.param(
        (released(1, SUBMITTED_1, END - SECOND),),
        END - SECOND,
        {},
        S.MAY_START,
        2,
        END,
        id="feedback-released-a-second-before-end",
    ),
    pytest.param(
        (released(1, SUBMITTED_1, END),),
        END,
        {},
        S.MAY_START,
        2,
        END,
        id="feedback-released-at-the-end-second",
    ),
    pytest.param(
        (released(1, SUBMITTED_1, END + SECOND),),
        END + SECOND,
        {},
        S.FEEDBACK_AFTER_END,
        None,
        None,
        id="feedback-released-a-second-after-end",
    ),
    pytest.param(
        (FAILED_1,), END + SECOND, {}, S.DEADLINE_PASSED, None, None, id="start-2-late"
    ),
    pytest.param(
        (FAILED_1, started(2)), END, {}, S.IN_PROGRESS, 2, END, id="submit-2-at-end"
    ),
    pytest.param(
        (FAILED_1, started(2)),
        END + SECOND,
        {},
        S.DEADLINE_PASSED,
        None,
        None,
        id="submit-2-one-second-late",
    ),
    pytest.param(
        (released(1, SUBMITTED_1, RELEASED_1, passed=True),),
        RELEASED_1,
        {},
        S.PASSED,
        None,
        None,
        id="passed-on-1",
    ),
    pytest.param(
        (FAILED_1, released(2, SUBMITTED_2, RELEASED_2, passed=True)),
        RELEASED_2,
        {},
        S.PASSED,
        None,
        None,
        id="passed-on-2",
    ),
    pytest.param(
        (FAILED_1, FAILED_2),
        RELEASED_2,
        {},
        S.NO_ATTEMPTS_LEFT,
        None,
        None,
        id="no-attempt-3",
    ),
    pytest.param(
        (FAILED_1, FAILED_2),
        RELEASED_2,
        {"extra": 1},
        S.MAY_START,
        3,
        END,
        id="attempt-3-with-an-extra-attempt",
    ),
    pytest.param(
        (FAILED_1, submitted(2, SUBMITTED_2)),
        RELEASED_2,
        {"extra": 1},
        S.AWAITING_GRADING,
        None,
        None,
        id="attempt-3-waits-for-feedback-on-2",
    ),
    pytest.param(
        (FAILED_1, FAILED_2, released(3, END - DAY, END - SECOND)),
        END,
        {"extra": 1},
        S.NO_ATTEMPTS_LEFT,
        None,
        None,
        id="no-attempt-4-with-one-extra",
    ),
    pytest.param(
        (FAILED_1, FAILED_2, started(3)),
        RELEASED_2,
        {},
        S.NO_ATTEMPTS_LEFT,
        None,
        None,
        id="an-open-attempt-3-without-an-extra-attempt",
    ),
    pytest.param((), DUE, {"active": False}, S.INACTIVE, None, None, id="withdrawn"),
    pytest.param(
        (started(1),),
        DUE,
        {"active": False},
        S.INACTIVE,
        None,
        None,
        id="withdrawn-with-an-open-attempt",
    ),
    pytest.param(
        (),
        DUE + SECOND,
        {"due": DUE + 7 * DAY, "end": END + 7 * DAY},
        S.MAY_START,
        1,
        DUE + 7 * DAY,
        id="extension-moves-the-due-date",
    ),
    pytest.param(
        (started(1),),
        DUE + 3 * DAY,
        {"due": DUE + 7 * DAY, "end": END + 7 * DAY},
        S.IN_PROGRESS,
        1,
        DUE + 7 * DAY,
        id="extension-reopens-an-overdue-attempt",
    ),
    pytest.param(
        (released(1, SUBMITTED_1, END + DAY),),
        END + DAY,
        {"due": DUE + 7 * DAY, "end": END + 7 * DAY},
        S.MAY_START,
        2,
        END + 7 * DAY,
        id="extension-after-late-feedback-opens-2",
    ),
]


@pytest.mark.parametrize(
    ("history", "now", "options", "state", "number", "deadline"), CASES
)
def test_summative_attempt_decision_at_each_boundary(
    history, now, options, state, number, deadline
):
    decision = decide(history, now=now, **options)
    assert decision.state is state
    assert decision.attempt_number == number
    assert decision.deadline == deadline
    assert decision.may_start == (state is S.MAY_START)
    assert decision.may_submit == (state is S.IN_PROGRESS)
    assert bool(decision.reason) != decision.allowed
    assert decision.next_step


def test_second_attempt_opens_only_after_feedback_is_released():
    graded_only = decide((graded(1, SUBMITTED_1),), now=END - DAY)
    assert not graded_only.may_start
    assert "not been released" in graded_only.reason
    assert "attempt 2 opens then" in graded_only.next_step

    after_release = decide((FAILED_1,), now=RELEASED_1)
    assert after_release.may_start
    assert after_release.attempt_number == 2
    assert after_release.deadline == END


def test_feedback_released_after_the_end_date_points_to_an_extension():
    decision = decide((released(1, SUBMITTED_1, END + SECOND),), now=END + DAY)
    assert decision.state is S.FEEDBACK_AFTER_END
    assert "released after the end date" in decision.reason
    assert "no time left for attempt 2" in decision.reason
    assert "ask your instructor for an extension" in decision.next_step.lower()


def test_there_is_no_third_attempt_without_an_accommodation():
    decision = decide((FAILED_1, FAILED_2), now=RELEASED_2)
    assert decision.reason == (
        "You have used all 2 attempts at the summative assessment; there is no "
        "further attempt."
    )
    assert attempts_allowed() == BASE_ATTEMPTS == 2
    assert attempts_allowed(1) == 3


def test_a_missed_due_date_says_so_and_suggests_an_extension():
    decision = decide((started(1),), now=DUE + SECOND)
    assert decision.reason == (
        "The deadline for attempt 1 has passed, so it can no longer be submitted."
    )
    assert "extension" in decision.next_step
    assert "answers you saved are kept" in decision.next_step


def test_the_last_attempt_says_it_is_the_last():
    assert "last attempt" in decide((FAILED_1,), now=RELEASED_1).next_step
    assert "attempt 2 opens" in decide((), now=DUE).next_step


def test_attempt_deadline_is_the_due_date_for_1_and_the_end_date_after():
    assert attempt_deadline(1, summative_due_at=DUE, ends_at=END) == DUE
    assert attempt_deadline(2, summative_due_at=DUE, ends_at=END) == END
    assert attempt_deadline(3, summative_due_at=DUE, ends_at=END) == END
    with pytest.raises(ValueError, match="starts at 1"):
        attempt_deadline(0, summative_due_at=DUE, ends_at=END)


# --- DST and zones ------------------------------------------------------------
@pytest.mark.parametrize(
    ("due_day", "utc_deadline"),
    [
        pytest.param(dt.date(2027, 3, 14), utc(2027, 3, 15, 3, 59, 59), id="spring"),
        pytest.param(
            dt.date(2027, 3, 13), utc(2027, 3, 14, 4, 59, 59), id="pre-spring"
        ),
        pytest.param(dt.date(2027, 11, 7), utc(2027, 11, 8, 4, 59, 59), id="fall-back"),
        pytest.param(dt.date(2027, 11, 6), utc(2027, 11, 7, 3, 59, 59), id="pre-fall"),
    ],
)
def test_a_deadline_on_a_dst_change_day_is_kept_to_the_second(due_day, utc_deadline):
    due = end_of_day(due_day, TORONTO)
    end = end_of_day(due_day + 14 * DAY, TORONTO)
    assert due.astimezone(UTC) == utc_deadline
    for history in ((), (started(1),)):
        on_time = decide(history, now=utc_deadline, due=due, end=end)
        late = decide(history, now=utc_deadline + SECOND, due=due, end=end)
        assert on_time.allowed
        assert on_time.deadline == due
        assert late.state is S.DEADLINE_PASSED


def test_the_repeated_hour_of_a_fall_back_night_is_compared_as_real_time():
    # 01:30 happens twice on 7 November 2027; fold=1 is the second, an hour later.
    # Python compares same-zone datetimes by wall clock (they look equal), so the
    # policy must compare instants.
    deadline = toronto(2027, 11, 7, 1, 30, fold=0)
    an_hour_later = toronto(2027, 11, 7, 1, 30, fold=1)
    assert an_hour_later.astimezone(UTC) - deadline.astimezone(UTC) == dt.timedelta(
        hours=1
    )
    end = deadline + 14 * DAY
    assert decide((started(1),), now=deadline, due=deadline, end=end).may_submit
    late = decide((started(1),), now=an_hour_later, due=deadline, end=end)
    assert late.state is S.DEADLINE_PASSED
    with pytest.raises(AttemptRefused, match="deadline for attempt 1 has passed"):
        submit(1, (started(1),), now=an_hour_later, due=deadline, end=end)


def test_a_learner_in_another_zone_gets_the_same_deadline_second():
    exactly = DUE.astimezone(TOKYO)
    assert exactly.date() == dt.date(2027, 3, 30)  # already the next day in Tokyo
    assert decide((started(1),), now=exactly).may_submit
    assert not decide((started(1),), now=exactly + SECOND).may_submit


# --- aware datetimes only, consistent histories -------------------------------
NAIVE = dt.datetime(2027, 3, 20, 12)  # noqa: DTZ001 - the point of these tests


@pytest.mark.parametrize("field", ["now", "due", "end"])
def test_the_decision_refuses_naive_datetimes(field):
    arguments = {"now": DUE - DAY, "due": DUE, "end": END} | {field: NAIVE}
    with pytest.raises(ValueError, match="aware"):
        decide((), **arguments)


@pytest.mark.parametrize(
    "fields",
    [
        {"submitted_at": NAIVE},
        {"submitted_at": SUBMITTED_1, "graded": True, "feedback_released_at": NAIVE},
    ],
    ids=["submitted-at", "released-at"],
)
def test_an_attempt_record_refuses_naive_datetimes(fields):
    with pytest.raises(ValueError, match="aware"):
        AttemptRecord(number=1, **fields)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"number": 0}, "starts at 1"),
        ({"number": 1, "graded": True}, "graded but not submitted"),
        (
            {"number": 1, "submitted_at": SUBMITTED_1, "feedback_released_at": END},
            "feedback but no grade",
        ),
        ({"number": 1, "submitted_at": SUBMITTED_1, "passed": False}, "no grade"),
    ],
    ids=["number-0", "graded-unsubmitted", "released-ungraded", "result-ungraded"],
)
def test_an_inconsistent_attempt_record_is_a_programming_error(fields, message):
    with pytest.raises(ValueError, match=message):
        AttemptRecord(**fields)


@pytest.mark.parametrize(
    "numbers", [(2,), (1, 3), (1, 1)], ids=["no-1", "gap", "duplicate"]
)
def test_attempt_numbers_must_run_from_1_without_gaps(numbers):
    history = tuple(FAILED_1 if n == 1 else started(n) for n in numbers)
    with pytest.raises(ValueError, match="must run 1, 2, 3"):
        decide(history, now=RELEASED_1)


def test_negative_extra_attempts_are_a_programming_error():
    with pytest.raises(ValueError, match="negative"):
        decide((), now=DUE, extra=-1)


# --- refusing a submission ----------------------------------------------------
@pytest.mark.parametrize(
    ("number", "history", "now", "options"),
    [
        pytest.param(1, (started(1),), DUE - DAY, {}, id="1-before-due"),
        pytest.param(1, (started(1),), DUE, {}, id="1-exactly-at-due"),
        pytest.param(2, (FAILED_1, started(2)), END, {}, id="2-exactly-at-end"),
        pytest.param(
            3,
            (FAILED_1, FAILED_2, started(3)),
            END,
            {"extra": 1},
            id="3-with-an-extra-attempt",
        ),
        pytest.param(
            1,
            (started(1),),
            DUE + 5 * DAY,
            {"due": DUE + 7 * DAY, "end": END + 7 * DAY},
            id="1-within-an-extension",
        ),
    ],
)
def test_a_submission_on_time_is_accepted(number, history, now, options):
    submit(number, history, now=now, **options)


@pytest.mark.parametrize(
    ("number", "history", "now", "options", "code", "message"),
    [
        pytest.param(
            1,
            (started(1),),
            DUE + SECOND,
            {},
            "late",
            "The deadline for attempt 1 has passed, so it cannot be submitted.",
            id="1-one-second-late",
        ),
        pytest.param(
            2,
            (FAILED_1, started(2)),
            END + SECOND,
            {},
            "late",
            "The deadline for attempt 2 has passed",
            id="2-one-second-late",
        ),
        pytest.param(
            1,
            (submitted(1, SUBMITTED_1),),
            SUBMITTED_1 + SECOND,
            {},
            "already_submitted",
            "Attempt 1 has already been submitted; this submission was not "
            "recorded and nothing changed.",
            id="double-click",
        ),
        pytest.param(
            1,
            (FAILED_1, started(2)),
            RELEASED_1,
            {},
            "already_submitted",
            "Attempt 1 has already been submitted",
            id="resubmitting-an-old-attempt",
        ),
        pytest.param(
            3,
            (FAILED_1, FAILED_2, started(3)),
            RELEASED_2,
            {},
            "no_attempts_left",
            "There is no attempt 3: the summative assessment allows 2 attempts.",
            id="third-attempt",
        ),
        pytest.param(
            3,
            (FAILED_1, FAILED_2),
            RELEASED_2,
            {},
            "no_attempts_left",
            "There is no attempt 3",
            id="third-attempt-never-started",
        ),
        pytest.param(
            2,
            (graded(1, SUBMITTED_1),),
            RELEASED_1,
            {},
            "not_started",
            "Attempt 2 is not open, so it cannot be submitted.",
            id="2-before-feedback-on-1",
        ),
        pytest.param(
            1,
            (started(1),),
            DUE,
            {"active": False},
            "inactive",
            "Your enrolment is no longer active",
            id="withdrawn",
        ),
        pytest.param(
            2,
            (released(1, SUBMITTED_1, RELEASED_1, passed=True), started(2)),
            RELEASED_1 + DAY,
            {},
            "passed",
            "You have passed the summative assessment",
            id="after-a-pass",
        ),
    ],
)
def test_a_late_third_or_repeated_submission_is_refused_with_a_clear_message(
    number, history, now, options, code, message
):
    with pytest.raises(AttemptRefused, match=message) as refused:
        submit(number, history, now=now, **options)
    assert refused.value.code == code
    assert isinstance(refused.value, PolicyError)


def test_a_late_refusal_points_to_an_extension_and_keeps_the_answers():
    with pytest.raises(AttemptRefused) as refused:
        submit(1, (started(1),), now=DUE + SECOND)
    assert str(refused.value).endswith(
        "If you need more time, ask your instructor for an extension; the answers "
        "you saved are kept."
    )


def test_check_start_returns_the_decision_or_refuses():
    decision = check_start(
        attempts=(FAILED_1,), summative_due_at=DUE, ends_at=END, now=RELEASED_1
    )
    assert (decision.attempt_number, decision.deadline) == (2, END)
    with pytest.raises(AttemptRefused, match="Attempt 1 is already open") as refused:
        check_start(attempts=(started(1),), summative_due_at=DUE, ends_at=END, now=DUE)
    assert refused.value.code == S.IN_PROGRESS
    with pytest.raises(AttemptRefused, match="no time left") as refused:
        check_start(
            attempts=(released(1, SUBMITTED_1, END + SECOND),),
            summative_due_at=DUE,
            ends_at=END,
            now=END + DAY,
        )
    assert refused.value.code == S.FEEDBACK_AFTER_END


# --- properties -----------------------------------------------------------------
STAGES = ("started", "submitted", "graded", "released")
offsets = st.one_of(
    st.integers(-3, 3),  # around the boundary, to the second
    st.integers(-40 * 86400, 40 * 86400),  # anywhere in a window
)


@dataclasses.dataclass(frozen=True)
class Scenario:
    history: tuple[AttemptRecord, ...]
    due: dt.datetime
    end: dt.datetime
    now: dt.datetime
    extra: int
    active: bool

    def decide(self, **changes) -> AttemptDecision:
        scenario = dataclasses.replace(self, **changes)
        return decide(
            scenario.history,
            now=scenario.now,
            due=scenario.due,
            end=scenario.end,
            extra=scenario.extra,
            active=scenario.active,
        )


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    """Histories the services can produce, and a moment near any of their dates."""
    start = draw(
        st.datetimes(
            min_value=dt.datetime(2020, 1, 1),  # noqa: DTZ001 - hypothesis bounds
            max_value=dt.datetime(2040, 12, 31),  # noqa: DTZ001
            timezones=st.just(UTC),
        )
    )
    seconds = st.integers(0, 30 * 86400)
    due = start + dt.timedelta(seconds=draw(seconds))
    end = due + dt.timedelta(seconds=draw(seconds))
    extra = draw(st.integers(0, 2))
    count = draw(st.integers(0, BASE_ATTEMPTS + extra))
    history = []
    moment = start
    for number in range(1, count + 1):
        last = number == count
        stage = draw(st.sampled_from(STAGES)) if last else "released"
        moment += dt.timedelta(seconds=draw(seconds))
        if stage == "started":
            history.append(started(number))
            continue
        submitted_at = moment
        graded = stage in ("graded", "released")
        passed = (draw(st.booleans()) if last else False) if graded else None
        released_at = None
        if stage == "released":
            moment += dt.timedelta(seconds=draw(seconds))
            released_at = moment
        history.append(
            AttemptRecord(
                number=number,
                submitted_at=submitted_at,
                graded=graded,
                feedback_released_at=released_at,
                passed=passed,
            )
        )
    anchors = [start, due, end] + [
        r.feedback_released_at for r in history if r.feedback_released_at
    ]
    now = draw(st.sampled_from(anchors)) + dt.timedelta(seconds=draw(offsets))
    return Scenario(
        history=tuple(history),
        due=due,
        end=end,
        now=now,
        extra=extra,
        # Mostly active: an inactive enrolment decides nothing else.
        active=draw(st.sampled_from((True, True, True, False))),
    )


@given(scenarios())
def test_never_more_than_two_plus_extra_attempts_may_be_started(scenario):
    decision = scenario.decide()
    if decision.may_start:
        assert decision.attempt_number == len(scenario.history) + 1
        assert decision.attempt_number <= BASE_ATTEMPTS + scenario.extra
    if decision.may_submit:
        assert decision.attempt_number == len(scenario.history)
        assert decision.attempt_number <= BASE_ATTEMPTS + scenario.extra


@given(scenarios())
def test_may_start_or_submit_only_up_to_that_attempts_deadline(scenario):
    decision = scenario.decide()
    if decision.allowed:
        assert decision.deadline is not None
        assert scenario.now.astimezone(UTC) <= decision.deadline.astimezone(UTC)
        expected = scenario.due if decision.attempt_number == 1 else scenario.end
        assert decision.deadline == expected


@given(scenarios())
def test_a_later_attempt_never_opens_before_the_previous_feedback_is_released(
    scenario,
):
    decision = scenario.decide()
    if decision.may_start and decision.attempt_number > 1:
        previous = scenario.history[-1]
        assert previous.feedback_released_at is not None
        assert previous.feedback_released_at <= scenario.now
        assert previous.feedback_released_at <= scenario.end
        assert previous.passed is False


@given(scenarios())
def test_nothing_after_a_released_pass_or_on_an_inactive_enrolment(scenario):
    decision = scenario.decide()
    passed = any(
        r.passed
        and r.feedback_released_at is not None
        and r.feedback_released_at <= scenario.now
        for r in scenario.history
    )
    if passed or not scenario.active:
        assert not decision.allowed
        assert decision.state in (S.PASSED, S.INACTIVE)


@given(scenarios())
def test_the_decision_is_self_consistent(scenario):
    decision = scenario.decide()
    assert not (decision.may_start and decision.may_submit)
    assert (decision.attempt_number is None) == (not decision.allowed)
    assert (decision.deadline is None) == (not decision.allowed)
    assert bool(decision.reason) == (not decision.allowed)
    assert decision.next_step
    assert decision.attempts_allowed == BASE_ATTEMPTS + scenario.extra


@given(scenarios(), st.integers(1, 60))
def test_an_extension_never_takes_away_what_was_allowed(scenario, days):
    before = scenario.decide()
    assume(before.allowed)
    delta = dt.timedelta(days=days)
    after = scenario.decide(due=scenario.due + delta, end=scenario.end + delta)
    assert after.state is before.state
    assert after.attempt_number == before.attempt_number


@given(scenarios(), st.sampled_from([TORONTO, TOKYO, ZoneInfo("Pacific/Chatham")]))
def test_the_zone_instants_are_written_in_does_not_change_the_decision(scenario, zone):
    def shift(moment):
        return moment.astimezone(zone)

    shifted_history = tuple(
        dataclasses.replace(
            r,
            submitted_at=r.submitted_at and shift(r.submitted_at),
            feedback_released_at=r.feedback_released_at
            and shift(r.feedback_released_at),
        )
        for r in scenario.history
    )
    shifted = scenario.decide(
        history=shifted_history,
        due=shift(scenario.due),
        end=shift(scenario.end),
        now=shift(scenario.now),
    )
    original = scenario.decide()
    assert (shifted.state, shifted.attempt_number) == (
        original.state,
        original.attempt_number,
    )


@given(scenarios())
def test_check_submission_accepts_exactly_what_the_decision_allows(scenario):
    decision = scenario.decide()
    for number in range(1, len(scenario.history) + 2):
        arguments = {
            "attempt_number": number,
            "attempts": scenario.history,
            "summative_due_at": scenario.due,
            "ends_at": scenario.end,
            "now": scenario.now,
            "extra_attempts": scenario.extra,
            "enrolment_active": scenario.active,
        }
        if decision.may_submit and decision.attempt_number == number:
            check_submission(**arguments)
        else:
            with pytest.raises(AttemptRefused, match=r"\w"):
                check_submission(**arguments)


@given(scenarios())
def test_check_start_accepts_exactly_what_the_decision_allows(scenario):
    decision = scenario.decide()
    arguments = {
        "attempts": scenario.history,
        "summative_due_at": scenario.due,
        "ends_at": scenario.end,
        "now": scenario.now,
        "extra_attempts": scenario.extra,
        "enrolment_active": scenario.active,
    }
    if decision.may_start:
        assert check_start(**arguments) == decision
    else:
        with pytest.raises(AttemptRefused) as refused:
            check_start(**arguments)
        assert refused.value.code == decision.state


# --- feedback turnaround --------------------------------------------------------
@pytest.mark.parametrize(
    ("submitted_at", "days", "due"),
    [
        pytest.param(
            toronto(2027, 3, 1, 9, 0), 7, toronto(2027, 3, 8, 23, 59, 59), id="monday"
        ),
        pytest.param(
            toronto(2027, 3, 1, 23, 30),
            7,
            toronto(2027, 3, 8, 23, 59, 59),
            id="late-evening-counts-that-day",
        ),
        pytest.param(
            # 03:30 UTC on 2 March is 22:30 on 1 March in Toronto.
            utc(2027, 3, 2, 3, 30),
            7,
            toronto(2027, 3, 8, 23, 59, 59),
            id="utc-date-is-not-the-local-date",
        ),
        pytest.param(
            toronto(2027, 3, 10, 12, 0),
            7,
            toronto(2027, 3, 17, 23, 59, 59),
            id="across-spring-forward",
        ),
        pytest.param(
            toronto(2027, 11, 1, 12, 0),
            7,
            toronto(2027, 11, 8, 23, 59, 59),
            id="across-fall-back",
        ),
        pytest.param(
            toronto(2028, 2, 25, 12, 0),
            7,
            toronto(2028, 3, 3, 23, 59, 59),
            id="across-a-leap-day",
        ),
        pytest.param(
            toronto(2027, 3, 1, 9, 0), 0, toronto(2027, 3, 1, 23, 59, 59), id="same-day"
        ),
    ],
)
def test_feedback_is_due_at_the_end_of_the_local_day_turnaround_days_later(
    submitted_at, days, due
):
    assert feedback_due_at(submitted_at, days, TORONTO) == due


def test_feedback_due_refuses_naive_times_and_negative_turnaround():
    with pytest.raises(ValueError, match="aware"):
        feedback_due_at(NAIVE, 7, TORONTO)
    with pytest.raises(ValueError, match="negative"):
        feedback_due_at(SUBMITTED_1, -1, TORONTO)


@settings(deadline=None)  # the first look-up of a zone reads tzdata
@given(
    submitted_at=st.datetimes(
        min_value=dt.datetime(2015, 1, 1),  # noqa: DTZ001 - hypothesis bounds
        max_value=dt.datetime(2060, 12, 31),  # noqa: DTZ001
        timezones=st.just(UTC),
    ),
    days=st.integers(0, 60),
    zone=st.sampled_from([TORONTO, TOKYO, ZoneInfo("America/Santiago")]),
)
def test_feedback_due_is_the_last_second_of_the_day_after_the_turnaround(
    submitted_at, days, zone
):
    due = feedback_due_at(submitted_at, days, zone)
    local_submitted = submitted_at.astimezone(zone).date()
    assert due.astimezone(zone).date() == local_submitted + dt.timedelta(days=days)
    assert due.astimezone(UTC) >= submitted_at
    assert (due.astimezone(UTC) + SECOND).astimezone(zone).date() > due.astimezone(
        zone
    ).date()


DUE_FEEDBACK = toronto(2027, 4, 5, 23, 59, 59)


@pytest.mark.parametrize(
    ("released_at", "now", "overdue"),
    [
        pytest.param(None, DUE_FEEDBACK - DAY, False, id="waiting-not-yet-due"),
        pytest.param(None, DUE_FEEDBACK, False, id="waiting-exactly-at-due"),
        pytest.param(None, DUE_FEEDBACK + SECOND, True, id="waiting-a-second-past"),
        pytest.param(DUE_FEEDBACK, DUE_FEEDBACK + DAY, False, id="released-at-due"),
        pytest.param(
            DUE_FEEDBACK + SECOND, DUE_FEEDBACK + DAY, True, id="released-late"
        ),
    ],
)
def test_feedback_is_overdue_only_after_its_due_second(released_at, now, overdue):
    assert is_feedback_overdue(DUE_FEEDBACK, released_at, now) is overdue


def test_feedback_overdue_refuses_naive_times():
    with pytest.raises(ValueError, match="aware"):
        is_feedback_overdue(DUE_FEEDBACK, None, NAIVE)


# --- the pass rule --------------------------------------------------------------
@pytest.mark.parametrize(
    ("score", "mark", "outcomes", "passed", "reasons"),
    [
        pytest.param(
            "70", "70", {"A": True, "B": True}, True, [], id="exactly-at-mark"
        ),
        pytest.param("100", "70", {"A": True}, True, [], id="full-marks"),
        pytest.param(
            "69.99",
            "70.00",
            {"A": True},
            False,
            ["Your score of 69.99% is below the pass mark of 70%."],
            id="a-hundredth-below",
        ),
        pytest.param(
            "95",
            "70",
            {"Plan a budget": True, "Explain variance": False},
            False,
            ['The learning outcome "Explain variance" is not yet met.'],
            id="high-score-outcome-not-met",
        ),
        pytest.param(
            "50.50",
            "70",
            {"A": False, "B": False},
            False,
            [
                "Your score of 50.5% is below the pass mark of 70%.",
                'The learning outcome "A" is not yet met.',
                'The learning outcome "B" is not yet met.',
            ],
            id="everything-short",
        ),
    ],
)
def test_pass_needs_the_pass_mark_and_every_outcome(
    score, mark, outcomes, passed, reasons
):
    result = outcome_result(
        score_percent=Decimal(score),
        pass_mark_percent=Decimal(mark),
        outcomes_met=outcomes,
    )
    assert result.passed is passed
    assert list(result.reasons) == reasons
    assert result.unmet_outcomes == tuple(k for k, v in outcomes.items() if not v)


def test_an_assessment_without_outcomes_cannot_decide_a_pass():
    with pytest.raises(PolicyError, match="not linked to any learning outcome"):
        outcome_result(
            score_percent=Decimal(100), pass_mark_percent=Decimal(70), outcomes_met={}
        )


@pytest.mark.parametrize(
    ("score", "mark"),
    [("-1", "70"), ("100.01", "70"), ("NaN", "70"), ("80", "0"), ("80", "101")],
)
def test_scores_and_pass_marks_outside_0_to_100_are_programming_errors(score, mark):
    with pytest.raises(ValueError, match="percentage|above 0"):
        outcome_result(
            score_percent=Decimal(score),
            pass_mark_percent=Decimal(mark),
            outcomes_met={"A": True},
        )


percentages = st.decimals(min_value=0, max_value=100, places=2)


@given(
    score=percentages,
    mark=st.decimals(min_value=Decimal("0.01"), max_value=100, places=2),
    outcomes=st.dictionaries(
        st.text(min_size=1, max_size=8), st.booleans(), min_size=1
    ),
)
@example(score=Decimal("70"), mark=Decimal("70.00"), outcomes={"A": True})
def test_passed_exactly_when_at_or_above_the_mark_and_every_outcome_met(
    score, mark, outcomes
):
    result = outcome_result(
        score_percent=score, pass_mark_percent=mark, outcomes_met=outcomes
    )
    assert result.passed == (score >= mark and all(outcomes.values()))
    assert len(result.reasons) == (score < mark) + list(outcomes.values()).count(False)
    assert result.passed == (not result.reasons)
