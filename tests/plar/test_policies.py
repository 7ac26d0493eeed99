"""The PLAR rules, as pure functions: no database, no clock.

Who may ask, which status changes are allowed and by whom (every forbidden
one included), the PLAR window's dates, appeals and the figures. The window is
counted in the institution's zone (America/Toronto unless a test says
otherwise): spring forward on 14 March 2027, fall back on 7 November 2027.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
from zoneinfo import ZoneInfo

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from courses.policies import (
    END_OF_DAY,
    EnrolmentDates,
    PolicyError,
    WindowRules,
    end_of_day,
)
from plar.policies import (
    Actor,
    AppealFacts,
    AppealKind,
    PlarRefused,
    RequestFacts,
    RequestOutcome,
    Status,
    appeal_decider_refusal,
    appeal_refusal,
    check_transition,
    figures,
    request_refusal,
    window_dates,
    window_problems,
)

UTC = dt.UTC
TORONTO = ZoneInfo("America/Toronto")
AUCKLAND = ZoneInfo("Pacific/Auckland")
KIRITIMATI = ZoneInfo("Pacific/Kiritimati")  # UTC+14, west of the date line
PAGO_PAGO = ZoneInfo("Pacific/Pago_Pago")  # UTC−11, east of it
EST = dt.timedelta(hours=-5)
EDT = dt.timedelta(hours=-4)

# 7 days for feedback and 7 for a second attempt: 14 days kept after the due date.
RULES = WindowRules(
    completion_window_days=42, feedback_turnaround_days=7, resubmission_days=7
)


def toronto(*args: int, fold: int = 0) -> dt.datetime:
    return dt.datetime(*args, tzinfo=TORONTO, fold=fold)


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


def local_day(moment: dt.datetime, tz: ZoneInfo = TORONTO) -> dt.date:
    return moment.astimezone(tz).date()


def local_time(moment: dt.datetime, tz: ZoneInfo = TORONTO) -> dt.time:
    return moment.astimezone(tz).time()


def in_utc(moment: dt.datetime) -> dt.datetime:
    # Two datetimes sharing a tzinfo compare by wall clock and ignore fold.
    return moment.astimezone(UTC)


# --- status transitions: the whole table ------------------------------------------

# Written out here, not read from plar.policies.TRANSITIONS: the test states the
# rule. (from, to, by) → whether a reason is required.
ALLOWED: dict[tuple[Status, Status, Actor], bool] = {
    (Status.DRAFT, Status.SUBMITTED, Actor.LEARNER): False,
    (Status.DRAFT, Status.WITHDRAWN, Actor.LEARNER): False,
    (Status.SUBMITTED, Status.UNDER_REVIEW, Actor.REVIEWER): False,
    (Status.SUBMITTED, Status.WITHDRAWN, Actor.LEARNER): False,
    (Status.UNDER_REVIEW, Status.APPROVED, Actor.REVIEWER): True,
    (Status.UNDER_REVIEW, Status.DECLINED, Actor.REVIEWER): True,
    (Status.UNDER_REVIEW, Status.MORE_INFO, Actor.REVIEWER): True,
    (Status.MORE_INFO, Status.SUBMITTED, Actor.LEARNER): False,
    (Status.MORE_INFO, Status.WITHDRAWN, Actor.LEARNER): False,
    (Status.DECLINED, Status.APPROVED, Actor.APPEAL): True,
}

EVERY_COMBINATION = list(itertools.product(Status, Status, Actor))
FORBIDDEN = [c for c in EVERY_COMBINATION if c not in ALLOWED]


def as_params(combinations) -> list:
    return [
        pytest.param(current, target, actor, id=f"{current}->{target}-by-{actor}")
        for current, target, actor in combinations
    ]


def test_the_table_covers_every_status_target_and_actor():
    assert len(EVERY_COMBINATION) == len(Status) ** 2 * len(Actor) == 147
    assert len(FORBIDDEN) == 147 - len(ALLOWED)


@pytest.mark.parametrize(
    ("current", "target", "actor"),
    as_params(c for c, needs_reason in ALLOWED.items() if not needs_reason),
)
def test_an_allowed_transition_without_a_reason_succeeds(current, target, actor):
    transition = check_transition(current, target, by=actor)
    assert (transition.to, transition.by) == (target, actor)
    assert transition.needs_reason is False


@pytest.mark.parametrize(
    ("current", "target", "actor"),
    as_params(c for c, needs_reason in ALLOWED.items() if needs_reason),
)
def test_an_allowed_decision_succeeds_with_a_reason(current, target, actor):
    transition = check_transition(
        current, target, by=actor, reason="Your evidence covers both outcomes."
    )
    assert (transition.to, transition.by) == (target, actor)
    assert transition.needs_reason is True


@pytest.mark.parametrize("reason", ["", "   ", "\n\t"])
@pytest.mark.parametrize(
    ("current", "target", "actor"),
    as_params(c for c, needs_reason in ALLOWED.items() if needs_reason),
)
def test_an_allowed_decision_without_a_reason_is_refused(
    current, target, actor, reason
):
    with pytest.raises(PlarRefused) as refused:
        check_transition(current, target, by=actor, reason=reason)
    assert refused.value.code == "reason_required"
    assert "reason" in str(refused.value)


@pytest.mark.parametrize("reason", ["", "A reason does not make it allowed."])
@pytest.mark.parametrize(("current", "target", "actor"), as_params(FORBIDDEN))
def test_every_other_transition_is_forbidden(current, target, actor, reason):
    with pytest.raises(PlarRefused) as refused:
        check_transition(current, target, by=actor, reason=reason)
    assert refused.value.code == "forbidden_transition"


def test_a_forbidden_transition_names_both_statuses_for_people():
    with pytest.raises(PlarRefused) as refused:
        check_transition("approved", "draft", by=Actor.REVIEWER, reason="x")
    assert str(refused.value) == ("A request that is “Approved” cannot become “Draft”.")


@pytest.mark.parametrize(
    ("current", "target", "unknown"),
    [
        ("draft", "granted", "granted"),
        ("archived", "submitted", "archived"),
        ("", "submitted", ""),
    ],
)
def test_an_unknown_status_is_refused_and_named(current, target, unknown):
    with pytest.raises(PlarRefused) as refused:
        check_transition(current, target, by=Actor.LEARNER)
    assert refused.value.code == "unknown_status"
    assert f"“{unknown}”" in str(refused.value)


def test_plain_strings_from_the_database_are_accepted():
    # The model stores the values; the rules take them as they come.
    assert check_transition("draft", "submitted", by=Actor.LEARNER).to == "submitted"


# --- who may start a request ----------------------------------------------------

MAY_ASK = RequestFacts(
    plar_offered=True,
    course_published=True,
    has_summative=True,
    has_active_enrolment=False,
    has_completed=False,
    holds_credential=False,
    renewal_open=False,
    has_open_request=False,
    plar_route_ended=False,
)

# Each fact alone that refuses, and the refusal's code, highest precedence first.
REFUSING_FACTS: list[tuple[str, dict[str, bool], str]] = [
    ("unpublished", {"course_published": False}, "not_published"),
    ("plar-not-offered", {"plar_offered": False}, "not_offered"),
    ("no-summative", {"has_summative": False}, "not_offered"),
    ("open-request", {"has_open_request": True}, "open_request"),
    ("enrolled", {"has_active_enrolment": True}, "enrolled"),
    ("completed", {"has_completed": True}, "completed"),
    ("holds-credential", {"holds_credential": True}, "completed"),
    ("plar-route-ended", {"plar_route_ended": True}, "challenged"),
]


def facts(**changes: bool) -> RequestFacts:
    return dataclasses.replace(MAY_ASK, **changes)


def test_a_learner_with_nothing_in_the_way_may_ask():
    assert request_refusal(MAY_ASK) is None


@pytest.mark.parametrize(
    ("changes", "code"),
    [pytest.param(changes, code, id=name) for name, changes, code in REFUSING_FACTS],
)
def test_each_fact_alone_refuses_with_its_own_code(changes, code):
    refusal = request_refusal(facts(**changes))
    assert isinstance(refusal, PlarRefused)
    assert refusal.code == code
    assert str(refusal)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        pytest.param(first, second, id=f"{first[0]}-over-{second[0]}")
        for first, second in itertools.combinations(REFUSING_FACTS, 2)
        if first[2] != second[2]
    ],
)
def test_the_higher_refusal_wins_when_two_facts_refuse(first, second):
    refusal = request_refusal(facts(**first[1], **second[1]))
    assert refusal is not None
    assert refusal.code == first[2]


def test_everything_at_once_is_refused_as_unpublished():
    everything = {}
    for _name, changes, _code in REFUSING_FACTS:
        everything |= changes
    assert request_refusal(facts(**everything)).code == "not_published"


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"holds_credential": True}, id="holds-credential"),
        pytest.param({"has_completed": True}, id="completed"),
        pytest.param({"has_completed": True, "holds_credential": True}, id="both"),
        pytest.param({}, id="renewal-alone"),
    ],
)
def test_an_open_renewal_lets_a_credential_holder_challenge_again(changes):
    assert request_refusal(facts(renewal_open=True, **changes)) is None


def test_an_open_renewal_does_not_lift_an_active_enrolment():
    refusal = request_refusal(
        facts(renewal_open=True, holds_credential=True, has_active_enrolment=True)
    )
    assert refusal.code == "enrolled"


def test_a_challenged_learner_is_pointed_to_the_full_course():
    refusal = request_refusal(facts(plar_route_ended=True))
    assert "register for the full course" in str(refusal)


# --- the PLAR window --------------------------------------------------------------


def plar_dates(
    approved_at: dt.datetime,
    days: int = 30,
    rules: WindowRules = RULES,
    tz: ZoneInfo = TORONTO,
) -> EnrolmentDates:
    return window_dates(
        approved_at=approved_at, plar_window_days=days, rules=rules, tz=tz
    )


def test_the_approval_day_is_day_0_and_the_route_ends_at_the_end_of_day_n():
    dates = plar_dates(toronto(2027, 3, 1, 10, 0), days=30)
    assert dates == EnrolmentDates(
        summative_due_at=toronto(2027, 3, 17, 23, 59, 59),
        ends_at=toronto(2027, 3, 31, 23, 59, 59),
    )


@pytest.mark.parametrize(
    ("feedback", "resubmission", "expected_due"),
    [
        (7, 7, dt.date(2027, 3, 17)),
        (3, 10, dt.date(2027, 3, 18)),
        (14, 1, dt.date(2027, 3, 16)),
        (1, 1, dt.date(2027, 3, 29)),
    ],
)
def test_the_summative_is_due_feedback_plus_resubmission_days_before_the_end(
    feedback, resubmission, expected_due
):
    rules = WindowRules(
        completion_window_days=42,
        feedback_turnaround_days=feedback,
        resubmission_days=resubmission,
    )
    dates = plar_dates(toronto(2027, 3, 1, 10, 0), days=30, rules=rules)
    assert dates.ends_at == end_of_day(dt.date(2027, 3, 31), TORONTO)
    assert dates.summative_due_at == end_of_day(expected_due, TORONTO)


def test_the_course_completion_window_plays_no_part_in_the_plar_window():
    short_course = dataclasses.replace(RULES, completion_window_days=14)
    long_course = dataclasses.replace(RULES, completion_window_days=365)
    approved_at = toronto(2027, 3, 1, 10, 0)
    assert plar_dates(approved_at, rules=short_course) == plar_dates(
        approved_at, rules=long_course
    )


@pytest.mark.parametrize(
    ("approved_at", "day_0"),
    [
        pytest.param(
            toronto(2027, 3, 1, 23, 59, 59), dt.date(2027, 3, 1), id="23:59:59"
        ),
        pytest.param(toronto(2027, 3, 2, 0, 0, 0), dt.date(2027, 3, 2), id="00:00:00"),
        pytest.param(
            # 23:59:59.999999 is still the approval day.
            dt.datetime(2027, 3, 1, 23, 59, 59, 999_999, tzinfo=TORONTO),
            dt.date(2027, 3, 1),
            id="last-microsecond",
        ),
        pytest.param(
            # 04:30 UTC on 2 March is 23:30 on 1 March in Toronto.
            utc(2027, 3, 2, 4, 30),
            dt.date(2027, 3, 1),
            id="utc-next-day-still-previous-day-in-toronto",
        ),
        pytest.param(
            utc(2027, 3, 2, 5, 0),
            dt.date(2027, 3, 2),
            id="utc-midnight-in-toronto",
        ),
        pytest.param(
            # A reviewer in Tokyo approving at 09:00 on 2 March: 19:00 on 1 March
            # in Toronto.
            dt.datetime(2027, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Tokyo")),
            dt.date(2027, 3, 1),
            id="reviewer-in-tokyo-counts-in-toronto",
        ),
    ],
)
def test_day_0_is_the_approval_day_in_the_institution_zone(approved_at, day_0):
    dates = plar_dates(approved_at, days=30)
    assert local_day(dates.ends_at) == day_0 + dt.timedelta(days=30)
    assert local_time(dates.ends_at) == END_OF_DAY
    assert local_day(dates.summative_due_at) == day_0 + dt.timedelta(days=16)
    assert local_time(dates.summative_due_at) == END_OF_DAY


def test_one_second_past_midnight_moves_both_dates_a_day():
    before = plar_dates(toronto(2027, 3, 1, 23, 59, 59))
    after = plar_dates(toronto(2027, 3, 2, 0, 0, 0))
    assert in_utc(after.ends_at) - in_utc(before.ends_at) == dt.timedelta(days=1)
    assert in_utc(after.summative_due_at) - in_utc(
        before.summative_due_at
    ) == dt.timedelta(days=1)


@pytest.mark.parametrize(
    "approved_at",
    [
        pytest.param(toronto(2027, 3, 14, 1, 30), id="before-the-jump-est"),
        pytest.param(toronto(2027, 3, 14, 3, 30), id="after-the-jump-edt"),
        pytest.param(toronto(2027, 3, 14, 23, 59, 59), id="end-of-the-23-hour-day"),
    ],
)
def test_an_approval_on_the_spring_forward_day_counts_that_day_as_day_0(approved_at):
    dates = plar_dates(approved_at, days=30)
    assert dates.ends_at == toronto(2027, 4, 13, 23, 59, 59)
    assert dates.ends_at.utcoffset() == EDT
    assert dates.summative_due_at == toronto(2027, 3, 30, 23, 59, 59)


def test_a_window_across_spring_forward_ends_at_23_59_59_daylight_time():
    approved_at = toronto(2027, 3, 1, 9, 0)
    assert approved_at.utcoffset() == EST
    dates = plar_dates(approved_at, days=30)
    assert in_utc(dates.ends_at) == utc(2027, 4, 1, 3, 59, 59)
    assert in_utc(dates.summative_due_at) == utc(2027, 3, 18, 3, 59, 59)


@pytest.mark.parametrize("fold", [0, 1], ids=["first-01:30-edt", "second-01:30-est"])
def test_an_approval_in_the_repeated_fall_back_hour_counts_that_day_as_day_0(fold):
    approved_at = toronto(2027, 11, 7, 1, 30, fold=fold)
    assert approved_at.utcoffset() == (EDT if fold == 0 else EST)
    dates = plar_dates(approved_at, days=30)
    assert dates.ends_at == toronto(2027, 12, 7, 23, 59, 59)
    assert dates.ends_at.utcoffset() == EST
    assert dates.summative_due_at == toronto(2027, 11, 23, 23, 59, 59)


def test_a_window_across_fall_back_ends_at_23_59_59_standard_time():
    approved_at = toronto(2027, 10, 20, 9, 0)
    dates = plar_dates(approved_at, days=30)
    assert in_utc(dates.summative_due_at) == utc(2027, 11, 6, 3, 59, 59)  # EDT
    assert in_utc(dates.ends_at) == utc(2027, 11, 20, 4, 59, 59)  # EST


def test_a_due_date_on_the_fall_back_day_itself_is_its_last_second():
    # 22 October + 16 days = 7 November, the 25-hour day.
    dates = plar_dates(toronto(2027, 10, 22, 12, 0), days=30)
    assert dates.summative_due_at == toronto(2027, 11, 7, 23, 59, 59)
    assert in_utc(dates.summative_due_at) == utc(2027, 11, 8, 4, 59, 59)


# One instant: 10:30 UTC on 1 March 2027 is 23:30 on 1 March in Auckland
# (NZDT, +13), 00:30 on 2 March in Kiritimati (+14) and 23:30 on 28 February in
# Pago Pago (−11): day 0 is two calendar days apart across the date line.
ONE_INSTANT = utc(2027, 3, 1, 10, 30)


@pytest.mark.parametrize(
    ("tz", "day_0", "ends_at_utc"),
    [
        pytest.param(
            AUCKLAND, dt.date(2027, 3, 1), utc(2027, 3, 31, 10, 59, 59), id="auckland"
        ),
        pytest.param(
            KIRITIMATI,
            dt.date(2027, 3, 2),
            utc(2027, 4, 1, 9, 59, 59),
            id="kiritimati",
        ),
        pytest.param(
            PAGO_PAGO,
            dt.date(2027, 2, 28),
            utc(2027, 3, 31, 10, 59, 59),
            id="pago-pago",
        ),
    ],
)
def test_an_institution_across_the_date_line_counts_in_its_own_calendar(
    tz, day_0, ends_at_utc
):
    dates = plar_dates(ONE_INSTANT, days=30, tz=tz)
    assert local_day(dates.ends_at, tz) == day_0 + dt.timedelta(days=30)
    assert local_time(dates.ends_at, tz) == END_OF_DAY
    assert in_utc(dates.ends_at) == ends_at_utc
    assert local_day(dates.summative_due_at, tz) == day_0 + dt.timedelta(days=16)
    assert local_time(dates.summative_due_at, tz) == END_OF_DAY


def test_auckland_window_across_its_april_fall_back_keeps_the_end_of_day():
    # New Zealand leaves daylight time on 4 April 2027 (+13 → +12).
    dates = plar_dates(dt.datetime(2027, 3, 10, 9, 0, tzinfo=AUCKLAND), tz=AUCKLAND)
    assert dates.summative_due_at == dt.datetime(
        2027, 3, 26, 23, 59, 59, tzinfo=AUCKLAND
    )
    assert dates.summative_due_at.utcoffset() == dt.timedelta(hours=13)
    assert dates.ends_at == dt.datetime(2027, 4, 9, 23, 59, 59, tzinfo=AUCKLAND)
    assert dates.ends_at.utcoffset() == dt.timedelta(hours=12)


def test_the_same_end_reads_as_different_days_for_learners_elsewhere():
    dates = plar_dates(toronto(2027, 3, 1, 10, 0), days=30)
    in_kiritimati = dates.ends_at.astimezone(KIRITIMATI)
    in_pago_pago = dates.ends_at.astimezone(PAGO_PAGO)
    assert (in_kiritimati.date(), in_kiritimati.time()) == (
        dt.date(2027, 4, 1),
        dt.time(17, 59, 59),
    )
    assert (in_pago_pago.date(), in_pago_pago.time()) == (
        dt.date(2027, 3, 31),
        dt.time(16, 59, 59),
    )


@pytest.mark.parametrize(
    ("days", "feedback", "resubmission", "allowed"),
    [
        (15, 7, 7, True),  # one day for attempt 1, then 14 kept
        (14, 7, 7, False),
        (1, 7, 7, False),
        (3, 1, 1, True),
        (2, 1, 1, False),
        (61, 30, 30, True),
        (60, 30, 30, False),
    ],
)
def test_a_plar_window_must_hold_a_day_for_attempt_1_plus_the_reserved_days(
    days, feedback, resubmission, allowed
):
    rules = WindowRules(
        completion_window_days=42,
        feedback_turnaround_days=feedback,
        resubmission_days=resubmission,
    )
    assert (window_problems(days, rules) == []) is allowed


def test_the_shortest_window_makes_attempt_1_due_the_day_after_approval():
    dates = plar_dates(toronto(2027, 3, 1, 10, 0), days=15)
    assert dates.summative_due_at == toronto(2027, 3, 2, 23, 59, 59)
    assert dates.ends_at == toronto(2027, 3, 16, 23, 59, 59)


def test_a_window_too_short_is_refused_with_the_days_needed():
    with pytest.raises(PolicyError) as refused:
        plar_dates(toronto(2027, 3, 1, 10, 0), days=14)
    assert str(refused.value) == (
        "The PLAR window of 14 days cannot hold a day for attempt 1 plus 7 days "
        "for feedback and 7 days for a second attempt (needs at least 15 days)."
    )


def test_window_dates_refuse_a_naive_approval_time():
    with pytest.raises(ValueError, match="aware"):
        plar_dates(dt.datetime(2027, 3, 1, 10, 0))  # noqa: DTZ001


@st.composite
def valid_windows(draw: st.DrawFn) -> tuple[WindowRules, int]:
    """Any course timing and any PLAR window long enough for it."""
    feedback = draw(st.integers(1, 30))
    resubmission = draw(st.integers(1, 30))
    rules = WindowRules(
        completion_window_days=feedback + resubmission + 7,
        feedback_turnaround_days=feedback,
        resubmission_days=resubmission,
    )
    return rules, rules.reserved_days + 1 + draw(st.integers(0, 365))


approval_instants = st.datetimes(
    min_value=dt.datetime(2000, 1, 1),  # noqa: DTZ001 - hypothesis wants naive bounds
    max_value=dt.datetime(2100, 12, 31),  # noqa: DTZ001
    timezones=st.timezones(),
)
institution_zones = st.sampled_from(
    [
        TORONTO,
        AUCKLAND,
        KIRITIMATI,
        PAGO_PAGO,
        UTC,
        ZoneInfo("Asia/Kolkata"),
        ZoneInfo("Australia/Lord_Howe"),  # a 30-minute daylight change
        ZoneInfo("America/Santiago"),  # changes at midnight
        ZoneInfo("America/St_Johns"),
    ]
)


@settings(deadline=None, max_examples=300)  # the first look-up of a zone reads tzdata
@given(approved_at=approval_instants, window=valid_windows(), tz=institution_zones)
@example(
    approved_at=toronto(2027, 3, 14, 23, 59, 59),
    window=(RULES, 15),
    tz=TORONTO,
)
@example(
    approved_at=toronto(2027, 11, 7, 1, 30, fold=1),
    window=(RULES, 15),
    tz=TORONTO,
)
def test_the_route_ends_after_the_due_date_which_is_after_the_approval(
    approved_at, window, tz
):
    rules, days = window
    dates = plar_dates(approved_at, days=days, rules=rules, tz=tz)
    assert in_utc(dates.ends_at) > in_utc(dates.summative_due_at) > in_utc(approved_at)
    due_day, last_day = (
        local_day(dates.summative_due_at, tz),
        local_day(dates.ends_at, tz),
    )
    assert (last_day - due_day).days == rules.reserved_days
    assert last_day == local_day(approved_at, tz) + dt.timedelta(days=days)
    for moment in (dates.summative_due_at, dates.ends_at):
        # The last second of its local day.
        one_second_later = in_utc(moment) + dt.timedelta(seconds=1)
        assert local_day(one_second_later, tz) > local_day(moment, tz)


@settings(deadline=None)
@given(
    approved_at=approval_instants,
    feedback=st.integers(1, 30),
    resubmission=st.integers(1, 30),
    short_by=st.integers(1, 60),
)
def test_any_window_shorter_than_needed_is_refused(
    approved_at, feedback, resubmission, short_by
):
    rules = WindowRules(
        completion_window_days=60,
        feedback_turnaround_days=feedback,
        resubmission_days=resubmission,
    )
    days = rules.reserved_days + 1 - short_by
    with pytest.raises(PolicyError, match="cannot hold"):
        plar_dates(approved_at, days=days, rules=rules)


# --- appeals ----------------------------------------------------------------------

DECISION_APPEAL = AppealFacts(
    kind=AppealKind.DECISION,
    request_status="declined",
    attempt_released=False,
    attempt_passed=None,
    attempt_on_plar_route=False,
    has_open_appeal=False,
    already_appealed=False,
)
GRADE_APPEAL = AppealFacts(
    kind=AppealKind.GRADE,
    request_status="approved",
    attempt_released=True,
    attempt_passed=False,
    attempt_on_plar_route=True,
    has_open_appeal=False,
    already_appealed=False,
)


def test_a_declined_request_may_be_appealed():
    assert appeal_refusal(DECISION_APPEAL) is None


@pytest.mark.parametrize("status", [s for s in Status if s != Status.DECLINED])
def test_only_a_declined_request_may_be_appealed(status):
    refusal = appeal_refusal(
        dataclasses.replace(DECISION_APPEAL, request_status=status)
    )
    assert refusal.code == "not_declined"


def test_a_failed_released_plar_attempt_may_be_appealed():
    assert appeal_refusal(GRADE_APPEAL) is None


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        pytest.param({"attempt_on_plar_route": False}, "not_plar_attempt", id="course"),
        pytest.param(
            {"attempt_released": False, "attempt_passed": None},
            "not_released",
            id="not-released",
        ),
        pytest.param(
            # Graded as a fail but not released: the result is not the learner's yet.
            {"attempt_released": False},
            "not_released",
            id="graded-not-released",
        ),
        pytest.param({"attempt_passed": True}, "passed", id="passed"),
        pytest.param({"route_passed": True}, "passed", id="passed-later"),
        pytest.param({"has_open_appeal": True}, "open_appeal", id="open-appeal"),
        pytest.param({"already_appealed": True}, "already_appealed", id="decided"),
    ],
)
def test_a_result_appeal_is_refused(changes, code):
    assert appeal_refusal(dataclasses.replace(GRADE_APPEAL, **changes)).code == code


def test_a_decline_the_learner_moved_on_from_cannot_be_appealed():
    refusal = appeal_refusal(dataclasses.replace(DECISION_APPEAL, superseded=True))
    assert refusal.code == "superseded"
    assert "newer PLAR request" in str(refusal)


def test_a_result_appeal_ignores_newer_requests():
    assert appeal_refusal(dataclasses.replace(GRADE_APPEAL, superseded=True)) is None


def test_a_decision_appeal_ignores_the_route():
    assert appeal_refusal(dataclasses.replace(DECISION_APPEAL, route_passed=True)) is (
        None
    )


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        pytest.param({"has_open_appeal": True}, "open_appeal", id="open-appeal"),
        pytest.param({"already_appealed": True}, "already_appealed", id="decided"),
    ],
)
def test_a_decision_may_be_appealed_once(changes, code):
    assert appeal_refusal(dataclasses.replace(DECISION_APPEAL, **changes)).code == code


@pytest.mark.parametrize(
    ("base", "changes", "code"),
    [
        (
            GRADE_APPEAL,
            {"has_open_appeal": True, "already_appealed": True},
            "open_appeal",
        ),
        (
            GRADE_APPEAL,
            {"already_appealed": True, "attempt_passed": True},
            "already_appealed",
        ),
        (
            GRADE_APPEAL,
            {"attempt_on_plar_route": False, "attempt_released": False},
            "not_plar_attempt",
        ),
        (
            GRADE_APPEAL,
            {"attempt_released": False, "attempt_passed": True},
            "not_released",
        ),
        (
            DECISION_APPEAL,
            {"has_open_appeal": True, "request_status": "approved"},
            "open_appeal",
        ),
        (
            DECISION_APPEAL,
            {"already_appealed": True, "request_status": "approved"},
            "already_appealed",
        ),
    ],
)
def test_the_first_appeal_rule_that_applies_gives_the_reason(base, changes, code):
    assert appeal_refusal(dataclasses.replace(base, **changes)).code == code


@pytest.mark.parametrize(
    ("decider_id", "decided_by_ids", "refused"),
    [
        (7, [7, None], True),  # the reviewer who declined
        (7, [3, 7], True),  # the one who released the feedback
        (7, [None, 3], False),
        (7, [], False),
        (7, [None, None], False),
    ],
)
def test_an_appeal_is_decided_by_someone_who_took_no_part(
    decider_id, decided_by_ids, refused
):
    refusal = appeal_decider_refusal(
        decider_id=decider_id, decided_by_ids=decided_by_ids
    )
    if refused:
        assert refusal.code == "own_decision"
    else:
        assert refusal is None


def test_the_deciders_may_be_any_iterable():
    assert appeal_decider_refusal(decider_id=5, decided_by_ids=iter([5])) is not None


# --- the figures ----------------------------------------------------------------

T0 = utc(2027, 3, 1, 12, 0)


def outcome(
    *, days: float | None = None, approved: bool = False, declined: bool = False
) -> RequestOutcome:
    decided = approved or declined
    return RequestOutcome(
        submitted_at=T0,
        decided_at=T0 + dt.timedelta(days=days) if decided else None,
        approved=approved,
        declined=declined,
    )


def test_figures_of_a_course_without_requests_are_zero_and_rates_unknown():
    result = figures([], first_attempt_results=[], second_attempt_results=[])
    assert (result.requests, result.decided, result.approved) == (0, 0, 0)
    assert result.approval_rate is None
    assert result.median_days_to_decision is None
    assert result.pass_rate_attempt_1 is None
    assert result.pass_rate_attempt_2 is None
    assert result.candidates_assessed == 0


def test_undecided_requests_count_as_requests_but_give_no_rate():
    result = figures(
        [outcome(), outcome()], first_attempt_results=[], second_attempt_results=[]
    )
    assert (result.requests, result.decided, result.approved) == (2, 0, 0)
    assert result.approval_rate is None
    assert result.median_days_to_decision is None


def test_drafts_never_submitted_are_not_requests():
    draft = RequestOutcome(
        submitted_at=None, decided_at=None, approved=False, declined=False
    )
    result = figures(
        [draft, outcome(days=2, approved=True)],
        first_attempt_results=[],
        second_attempt_results=[],
    )
    assert (result.requests, result.decided) == (1, 1)


def test_the_approval_rate_is_among_decided_requests():
    result = figures(
        [
            outcome(days=1, approved=True),
            outcome(days=2, approved=True),
            outcome(days=3, approved=True),
            outcome(days=4, declined=True),
            outcome(),  # still waiting
        ],
        first_attempt_results=[],
        second_attempt_results=[],
    )
    assert (result.requests, result.decided, result.approved) == (5, 4, 3)
    assert result.approval_rate == 0.75


@pytest.mark.parametrize(
    ("days", "median"),
    [
        ([3], 3.0),
        ([1, 2, 10], 2.0),
        ([1, 2, 3, 10], 2.5),
        ([0.25, 0.5], 0.4),  # 0.375 rounded to a tenth
        ([1 / 24], 0.0),  # an hour
    ],
)
def test_the_median_days_from_submission_to_decision(days, median):
    result = figures(
        [outcome(days=d, declined=True) for d in days],
        first_attempt_results=[],
        second_attempt_results=[],
    )
    assert result.median_days_to_decision == median


def test_pass_rate_on_attempt_2_is_among_those_who_took_an_attempt_2():
    # Four candidates: two pass attempt 1; of the two who fail it, one passes 2.
    result = figures(
        [],
        first_attempt_results=[True, False, False, True],
        second_attempt_results=[True, False],
    )
    assert result.candidates_assessed == 4
    assert (result.passed_attempt_1, result.passed_attempt_2) == (2, 1)
    assert result.pass_rate_attempt_1 == 0.5
    assert result.pass_rate_attempt_2 == 0.5


def test_no_attempt_2_taken_gives_no_attempt_2_rate():
    result = figures(
        [], first_attempt_results=[True, True, False], second_attempt_results=[]
    )
    assert result.pass_rate_attempt_1 == pytest.approx(2 / 3)
    assert result.pass_rate_attempt_2 is None
    assert result.passed_attempt_2 == 0
