"""The completion-window and course rules, as pure functions: no database.

Deadlines are end of day in the institution's time zone (America/Toronto) and
shown in the learner's. The DST changes used below are Toronto's: spring
forward on 14 March 2027 and 12 March 2028, fall back on 7 November 2027.
"""

import dataclasses
import datetime as dt
import itertools
from zoneinfo import ZoneInfo

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from courses.policies import (
    END_OF_DAY,
    STATUS_TRANSITIONS,
    EnrolmentDates,
    PolicyError,
    PublishFacts,
    RegistrationFacts,
    WindowRules,
    check_status_change,
    days_left,
    end_of_day,
    extended_dates,
    publish_decision,
    registration_refusal,
    rolling_dates,
    scheduled_dates,
    window_problems,
)
from courses.rendering import window_in_words

TORONTO = ZoneInfo("America/Toronto")
TOKYO = ZoneInfo("Asia/Tokyo")
AUCKLAND = ZoneInfo("Pacific/Auckland")
UTC = dt.UTC
EST = dt.timedelta(hours=-5)
EDT = dt.timedelta(hours=-4)

# 42-day window, 7 days for feedback, 7 for the second attempt, 7 of learning.
RULES = WindowRules(
    completion_window_days=42, feedback_turnaround_days=7, resubmission_days=7
)


def toronto(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=TORONTO)


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


def elapsed(start: dt.datetime, end: dt.datetime) -> dt.timedelta:
    """Real time between two instants (same-zone subtraction is wall-clock time)."""
    return end.astimezone(UTC) - start.astimezone(UTC)


def local_day(moment: dt.datetime, tz: ZoneInfo = TORONTO) -> dt.date:
    return moment.astimezone(tz).date()


def local_time(moment: dt.datetime, tz: ZoneInfo = TORONTO) -> dt.time:
    return moment.astimezone(tz).time()


def rules_strategy() -> st.SearchStrategy[WindowRules]:
    """Any window long enough to hold learning time plus two attempts."""

    @st.composite
    def build(draw: st.DrawFn) -> WindowRules:
        feedback = draw(st.integers(1, 30))
        resubmission = draw(st.integers(1, 30))
        min_learning = draw(st.integers(0, 30))
        window = feedback + resubmission + min_learning + draw(st.integers(0, 200))
        return WindowRules(
            completion_window_days=window,
            feedback_turnaround_days=feedback,
            resubmission_days=resubmission,
            min_learning_days=min_learning,
        )

    return build()


instants = st.datetimes(
    min_value=dt.datetime(2015, 1, 1),  # noqa: DTZ001 - hypothesis wants naive bounds
    max_value=dt.datetime(2060, 12, 31),  # noqa: DTZ001
    timezones=st.just(UTC),
)
days = st.dates(min_value=dt.date(2015, 1, 1), max_value=dt.date(2060, 12, 31))


# --- end of day ---------------------------------------------------------------
@pytest.mark.parametrize(
    ("day", "offset"),
    [
        (dt.date(2027, 1, 15), EST),
        (dt.date(2027, 3, 13), EST),  # the day before spring forward
        (dt.date(2027, 3, 14), EDT),  # spring-forward day: 23 hours long
        (dt.date(2027, 11, 6), EDT),  # the day before fall back
        (dt.date(2027, 11, 7), EST),  # fall-back day: 25 hours long
        (dt.date(2028, 2, 29), EST),  # leap day
    ],
)
def test_end_of_day_is_23_59_59_local_whatever_the_utc_offset(day, offset):
    moment = end_of_day(day, TORONTO)
    assert moment.astimezone(TORONTO).date() == day
    assert local_time(moment) == END_OF_DAY
    assert moment.utcoffset() == offset


@pytest.mark.parametrize(
    ("zone", "day", "expected_utc"),
    [
        # Clocks go back from 00:00 to 23:00: 23:59:59 happens twice; the day
        # ends at the second one, an hour later than a naive reading.
        ("America/Santiago", dt.date(2024, 4, 6), utc(2024, 4, 7, 3, 59, 59)),
        ("America/Nuuk", dt.date(2026, 10, 24), utc(2026, 10, 25, 1, 59, 59)),
        # Clocks jump from 23:00 to 00:00 the next day: 23:59:59 never happens;
        # the day ends one second before the jump (22:59:59 local).
        ("America/Nuuk", dt.date(2026, 3, 28), utc(2026, 3, 29, 0, 59, 59)),
        # Clocks jump from 00:00 to 01:00: the day before ends normally.
        ("America/Santiago", dt.date(2024, 9, 7), utc(2024, 9, 8, 3, 59, 59)),
    ],
)
def test_end_of_day_is_the_last_second_of_the_day_where_dst_changes_at_midnight(
    zone, day, expected_utc
):
    tz = ZoneInfo(zone)
    moment = end_of_day(day, tz)
    # Compare in UTC: Python never calls a fold=1 datetime equal across zones.
    assert moment.astimezone(UTC) == expected_utc
    assert local_day(moment, tz) == day
    assert local_day(moment.astimezone(UTC) + dt.timedelta(seconds=1), tz) > day


@settings(deadline=None)  # the first look-up of a zone reads tzdata
@given(day=days, zone=st.timezones())
def test_end_of_day_is_the_last_second_of_that_local_day_in_any_zone(day, zone):
    moment = end_of_day(day, zone)
    one_second_later = moment.astimezone(UTC) + dt.timedelta(seconds=1)
    assert local_day(moment, zone) == day
    assert local_day(one_second_later, zone) > day


# --- rolling offerings --------------------------------------------------------
@pytest.mark.parametrize(
    ("registered_at", "expected_last_day"),
    [
        pytest.param(toronto(2027, 3, 1, 10, 0), dt.date(2027, 4, 12), id="morning"),
        pytest.param(toronto(2027, 3, 1, 23, 30), dt.date(2027, 4, 12), id="23:30"),
        pytest.param(toronto(2027, 3, 2, 0, 30), dt.date(2027, 4, 13), id="00:30"),
        pytest.param(
            # 03:30 UTC on 2 March is still 22:30 on 1 March in Toronto.
            dt.datetime(2027, 3, 2, 3, 30, tzinfo=UTC),
            dt.date(2027, 4, 12),
            id="utc-next-day-still-previous-day-in-toronto",
        ),
        pytest.param(
            dt.datetime(2027, 3, 2, 5, 0, tzinfo=UTC),
            dt.date(2027, 4, 13),
            id="utc-midnight-in-toronto",
        ),
        pytest.param(
            # 09:00 in Tokyo on 2 March is 19:00 on 1 March in Toronto.
            dt.datetime(2027, 3, 2, 9, 0, tzinfo=TOKYO),
            dt.date(2027, 4, 12),
            id="learner-in-tokyo-counts-in-toronto",
        ),
    ],
)
def test_rolling_window_starts_on_the_registration_day_in_the_institution_zone(
    registered_at, expected_last_day
):
    dates = rolling_dates(registered_at=registered_at, rules=RULES, tz=TORONTO)
    assert dates.ends_at == end_of_day(expected_last_day, TORONTO)
    assert dates.summative_due_at == end_of_day(
        expected_last_day - dt.timedelta(days=14), TORONTO
    )


def test_rolling_registration_on_1_march_ends_at_the_end_of_12_april():
    dates = rolling_dates(
        registered_at=toronto(2027, 3, 1, 12, 0), rules=RULES, tz=TORONTO
    )
    assert dates == EnrolmentDates(
        summative_due_at=toronto(2027, 3, 29, 23, 59, 59),
        ends_at=toronto(2027, 4, 12, 23, 59, 59),
    )


def test_rolling_window_across_spring_forward_keeps_end_of_day_with_new_offset():
    registered_at = toronto(2027, 2, 20, 9, 0)
    assert registered_at.utcoffset() == EST
    dates = rolling_dates(registered_at=registered_at, rules=RULES, tz=TORONTO)
    assert local_day(dates.ends_at) == dt.date(2027, 4, 3)
    assert local_time(dates.ends_at) == END_OF_DAY
    assert dates.ends_at.utcoffset() == EDT
    assert dates.ends_at.astimezone(UTC) == dt.datetime(
        2027, 4, 4, 3, 59, 59, tzinfo=UTC
    )


def test_rolling_window_across_fall_back_keeps_end_of_day_with_new_offset():
    registered_at = toronto(2027, 10, 1, 9, 0)
    assert registered_at.utcoffset() == EDT
    dates = rolling_dates(registered_at=registered_at, rules=RULES, tz=TORONTO)
    assert local_day(dates.ends_at) == dt.date(2027, 11, 12)
    assert local_time(dates.ends_at) == END_OF_DAY
    assert dates.ends_at.astimezone(UTC) == dt.datetime(
        2027, 11, 13, 4, 59, 59, tzinfo=UTC
    )


def test_deadline_on_the_spring_forward_day_itself_is_still_23_59_59():
    # 31 January + 42 days = 14 March 2027, the 23-hour day.
    dates = rolling_dates(
        registered_at=toronto(2027, 1, 31, 8, 0), rules=RULES, tz=TORONTO
    )
    assert dates.ends_at == toronto(2027, 3, 14, 23, 59, 59)
    assert dates.ends_at.astimezone(UTC) == dt.datetime(
        2027, 3, 15, 3, 59, 59, tzinfo=UTC
    )


def test_deadline_on_the_fall_back_day_itself_is_still_23_59_59():
    # 26 September + 42 days = 7 November 2027, the 25-hour day.
    dates = rolling_dates(
        registered_at=toronto(2027, 9, 26, 8, 0), rules=RULES, tz=TORONTO
    )
    assert dates.ends_at == toronto(2027, 11, 7, 23, 59, 59)
    assert dates.ends_at.utcoffset() == EST


@pytest.mark.parametrize(
    ("registered_on", "expected_due", "expected_end"),
    [
        # 1 Feb 2028 + 42 days crosses 29 Feb: 14 March, not 15 March.
        (dt.date(2028, 2, 1), dt.date(2028, 2, 29), dt.date(2028, 3, 14)),
        # Registering on the leap day itself.
        (dt.date(2028, 2, 29), dt.date(2028, 3, 28), dt.date(2028, 4, 11)),
        # Due date on the leap day: 15 Feb + 28 days.
        (dt.date(2028, 2, 15), dt.date(2028, 3, 14), dt.date(2028, 3, 28)),
        # The same calendar span in a common year.
        (dt.date(2027, 2, 1), dt.date(2027, 3, 1), dt.date(2027, 3, 15)),
    ],
)
def test_leap_days_count_as_calendar_days(registered_on, expected_due, expected_end):
    registered_at = dt.datetime.combine(registered_on, dt.time(12), tzinfo=TORONTO)
    dates = rolling_dates(registered_at=registered_at, rules=RULES, tz=TORONTO)
    assert local_day(dates.summative_due_at) == expected_due
    assert local_day(dates.ends_at) == expected_end


def test_rolling_dates_refuse_a_naive_registration_time():
    naive = dt.datetime(2027, 3, 1, 12)  # noqa: DTZ001
    with pytest.raises(ValueError, match="aware"):
        rolling_dates(registered_at=naive, rules=RULES, tz=TORONTO)


def test_rolling_dates_refuse_a_window_too_short_for_two_attempts():
    short = WindowRules(
        completion_window_days=20, feedback_turnaround_days=7, resubmission_days=7
    )
    with pytest.raises(PolicyError, match="needs at least 21 days"):
        rolling_dates(registered_at=toronto(2027, 3, 1, 9), rules=short, tz=TORONTO)


# --- display in the learner's zone --------------------------------------------
@pytest.mark.parametrize(
    ("zone", "shown_day", "shown_time"),
    [
        ("America/Toronto", dt.date(2027, 4, 12), dt.time(23, 59, 59)),
        ("America/Vancouver", dt.date(2027, 4, 12), dt.time(20, 59, 59)),
        ("Europe/Paris", dt.date(2027, 4, 13), dt.time(5, 59, 59)),
        ("Asia/Tokyo", dt.date(2027, 4, 13), dt.time(12, 59, 59)),
        ("Pacific/Auckland", dt.date(2027, 4, 13), dt.time(15, 59, 59)),
    ],
)
def test_the_same_deadline_is_shown_on_the_learners_calendar_day(
    zone, shown_day, shown_time
):
    dates = rolling_dates(
        registered_at=toronto(2027, 3, 1, 12), rules=RULES, tz=TORONTO
    )
    shown = dates.ends_at.astimezone(ZoneInfo(zone))
    assert (shown.date(), shown.time()) == (shown_day, shown_time)
    assert shown == dates.ends_at  # one instant, several calendars


def test_auckland_display_follows_new_zealand_dst_not_torontos():
    # On 3 April 2027 Auckland is still on NZDT (+13); on 5 April on NZST (+12).
    before = end_of_day(dt.date(2027, 4, 2), TORONTO).astimezone(AUCKLAND)
    after = end_of_day(dt.date(2027, 4, 5), TORONTO).astimezone(AUCKLAND)
    assert (before.date(), before.time()) == (dt.date(2027, 4, 3), dt.time(16, 59, 59))
    assert (after.date(), after.time()) == (dt.date(2027, 4, 6), dt.time(15, 59, 59))


# --- scheduled offerings ------------------------------------------------------
def test_scheduled_dates_are_fixed_by_the_start_day():
    dates = scheduled_dates(starts_on=dt.date(2027, 9, 13), rules=RULES, tz=TORONTO)
    assert dates == EnrolmentDates(
        summative_due_at=toronto(2027, 10, 11, 23, 59, 59),
        ends_at=toronto(2027, 10, 25, 23, 59, 59),
    )


def test_scheduled_window_across_fall_back_ends_at_23_59_59_standard_time():
    dates = scheduled_dates(starts_on=dt.date(2027, 10, 4), rules=RULES, tz=TORONTO)
    assert dates.summative_due_at == toronto(2027, 11, 1, 23, 59, 59)
    assert dates.summative_due_at.utcoffset() == EDT
    assert dates.ends_at == toronto(2027, 11, 15, 23, 59, 59)
    assert dates.ends_at.utcoffset() == EST


def test_scheduled_and_rolling_agree_when_registering_on_the_start_day():
    start = dt.date(2028, 2, 20)
    scheduled = scheduled_dates(starts_on=start, rules=RULES, tz=TORONTO)
    rolling = rolling_dates(
        registered_at=dt.datetime.combine(start, dt.time(23, 30), tzinfo=TORONTO),
        rules=RULES,
        tz=TORONTO,
    )
    assert scheduled == rolling


def test_scheduled_dates_refuse_a_window_too_short_for_two_attempts():
    short = WindowRules(
        completion_window_days=10, feedback_turnaround_days=5, resubmission_days=5
    )
    with pytest.raises(PolicyError, match="cannot hold"):
        scheduled_dates(starts_on=dt.date(2027, 9, 13), rules=short, tz=TORONTO)


# --- windows too short --------------------------------------------------------
@pytest.mark.parametrize(
    ("window", "feedback", "resubmission", "min_learning", "allowed"),
    [
        (21, 7, 7, 7, True),  # exactly reserved + minimum learning
        (20, 7, 7, 7, False),  # one day less
        (14, 7, 7, 0, True),  # no minimum learning time: reserved days suffice
        (13, 7, 7, 0, False),
        (2, 1, 1, 0, True),  # the smallest possible window
        (42, 7, 7, 7, True),
        (365, 30, 30, 300, True),
        (365, 30, 30, 306, False),
    ],
)
def test_window_must_hold_learning_time_plus_two_attempts(
    window, feedback, resubmission, min_learning, allowed
):
    rules = WindowRules(
        completion_window_days=window,
        feedback_turnaround_days=feedback,
        resubmission_days=resubmission,
        min_learning_days=min_learning,
    )
    assert (window_problems(rules) == []) is allowed


def test_window_problem_names_the_days_needed():
    rules = WindowRules(
        completion_window_days=20, feedback_turnaround_days=7, resubmission_days=7
    )
    assert window_problems(rules) == [
        "The completion window of 20 days cannot hold 7 days of learning plus "
        "7 days for feedback and 7 days for a second attempt "
        "(needs at least 21 days)."
    ]


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("completion_window_days", "The completion window must be at least one day."),
        (
            "feedback_turnaround_days",
            "The feedback turnaround must be at least one day.",
        ),
        ("resubmission_days", "The resubmission time must be at least one day."),
    ],
)
@pytest.mark.parametrize("value", [0, -1])
def test_every_period_must_be_at_least_one_day(field, message, value):
    values = {
        "completion_window_days": 42,
        "feedback_turnaround_days": 7,
        "resubmission_days": 7,
    } | {field: value}
    assert window_problems(WindowRules(**values)) == [message]


def test_negative_minimum_learning_time_is_a_problem():
    rules = WindowRules(
        completion_window_days=42,
        feedback_turnaround_days=7,
        resubmission_days=7,
        min_learning_days=-1,
    )
    assert window_problems(rules) == ["The minimum learning time cannot be negative."]


@given(
    window=st.integers(-5, 400),
    feedback=st.integers(-2, 60),
    resubmission=st.integers(-2, 60),
    min_learning=st.integers(-2, 60),
)
def test_window_problems_are_empty_exactly_when_everything_fits(
    window, feedback, resubmission, min_learning
):
    rules = WindowRules(
        completion_window_days=window,
        feedback_turnaround_days=feedback,
        resubmission_days=resubmission,
        min_learning_days=min_learning,
    )
    fits = (
        window >= 1
        and feedback >= 1
        and resubmission >= 1
        and min_learning >= 0
        and window >= feedback + resubmission + min_learning
    )
    assert (window_problems(rules) == []) is fits


# --- properties of the two dates ----------------------------------------------
@given(registered_at=instants, rules=rules_strategy())
@example(registered_at=dt.datetime(2027, 3, 2, 4, 59, 59, tzinfo=UTC), rules=RULES)
@example(registered_at=dt.datetime(2028, 2, 29, 5, 0, tzinfo=UTC), rules=RULES)
def test_rolling_dates_properties(registered_at, rules):
    dates = rolling_dates(registered_at=registered_at, rules=rules, tz=TORONTO)
    assert dates.summative_due_at < dates.ends_at
    assert registered_at < dates.ends_at
    if rules.min_learning_days >= 1:
        assert registered_at < dates.summative_due_at
    assert local_time(dates.summative_due_at) == END_OF_DAY
    assert local_time(dates.ends_at) == END_OF_DAY
    due_day, last_day = local_day(dates.summative_due_at), local_day(dates.ends_at)
    assert (last_day - due_day).days == rules.reserved_days
    assert (last_day - local_day(registered_at)).days == rules.completion_window_days
    assert (due_day - local_day(registered_at)).days >= rules.min_learning_days


@given(starts_on=days, rules=rules_strategy())
def test_scheduled_dates_properties(starts_on, rules):
    dates = scheduled_dates(starts_on=starts_on, rules=rules, tz=TORONTO)
    assert dates.summative_due_at < dates.ends_at
    assert local_time(dates.summative_due_at) == END_OF_DAY
    assert local_time(dates.ends_at) == END_OF_DAY
    assert (local_day(dates.ends_at) - local_day(dates.summative_due_at)).days == (
        rules.reserved_days
    )
    assert (local_day(dates.ends_at) - starts_on).days == rules.completion_window_days


@settings(deadline=None)
@given(registered_at=instants, rules=rules_strategy(), learner_zone=st.timezones())
def test_learner_zone_changes_only_how_the_dates_are_shown(
    registered_at, rules, learner_zone
):
    dates = rolling_dates(registered_at=registered_at, rules=rules, tz=TORONTO)
    shown = rolling_dates(
        registered_at=registered_at.astimezone(learner_zone), rules=rules, tz=TORONTO
    )
    assert shown == dates
    assert dates.ends_at.astimezone(learner_zone) == dates.ends_at


# --- extensions ---------------------------------------------------------------
def test_extension_moves_both_dates_by_the_same_calendar_days():
    current = rolling_dates(
        registered_at=toronto(2027, 3, 1, 12), rules=RULES, tz=TORONTO
    )
    extended = extended_dates(current, extra_days=10, tz=TORONTO)
    assert extended == EnrolmentDates(
        summative_due_at=toronto(2027, 4, 8, 23, 59, 59),
        ends_at=toronto(2027, 4, 22, 23, 59, 59),
    )


def test_extension_across_spring_forward_keeps_end_of_day_so_moves_23_hours_less():
    current = EnrolmentDates(
        summative_due_at=end_of_day(dt.date(2027, 2, 24), TORONTO),
        ends_at=end_of_day(dt.date(2027, 3, 10), TORONTO),
    )
    extended = extended_dates(current, extra_days=7, tz=TORONTO)
    assert extended.ends_at == toronto(2027, 3, 17, 23, 59, 59)
    assert extended.ends_at.utcoffset() == EDT
    assert elapsed(current.ends_at, extended.ends_at) == dt.timedelta(days=7, hours=-1)
    assert elapsed(current.summative_due_at, extended.summative_due_at) == (
        dt.timedelta(days=7)
    )


def test_extension_across_fall_back_keeps_end_of_day_so_moves_an_hour_more():
    current = EnrolmentDates(
        summative_due_at=end_of_day(dt.date(2027, 10, 20), TORONTO),
        ends_at=end_of_day(dt.date(2027, 11, 3), TORONTO),
    )
    extended = extended_dates(current, extra_days=7, tz=TORONTO)
    assert extended.summative_due_at == toronto(2027, 10, 27, 23, 59, 59)
    assert extended.ends_at == toronto(2027, 11, 10, 23, 59, 59)
    assert elapsed(current.ends_at, extended.ends_at) == dt.timedelta(days=7, hours=1)


def test_extension_across_the_leap_day():
    current = EnrolmentDates(
        summative_due_at=end_of_day(dt.date(2028, 2, 14), TORONTO),
        ends_at=end_of_day(dt.date(2028, 2, 28), TORONTO),
    )
    extended = extended_dates(current, extra_days=1, tz=TORONTO)
    assert local_day(extended.ends_at) == dt.date(2028, 2, 29)
    assert local_day(extended.summative_due_at) == dt.date(2028, 2, 15)


@pytest.mark.parametrize(
    ("extra_days", "message"),
    [
        (0, "at least one day"),
        (-3, "at least one day"),
        (366, "cannot exceed 365 days"),
    ],
)
def test_extension_must_be_between_one_and_365_days(extra_days, message):
    current = rolling_dates(
        registered_at=toronto(2027, 3, 1, 12), rules=RULES, tz=TORONTO
    )
    with pytest.raises(PolicyError, match=message):
        extended_dates(current, extra_days=extra_days, tz=TORONTO)


@pytest.mark.parametrize("extra_days", [1, 365])
def test_extension_limits_are_inclusive(extra_days):
    current = rolling_dates(
        registered_at=toronto(2027, 3, 1, 12), rules=RULES, tz=TORONTO
    )
    extended = extended_dates(current, extra_days=extra_days, tz=TORONTO)
    assert (local_day(extended.ends_at) - local_day(current.ends_at)).days == extra_days


@given(registered_at=instants, rules=rules_strategy(), extra=st.integers(1, 365))
def test_extension_moves_both_dates_by_exactly_n_calendar_days(
    registered_at, rules, extra
):
    current = rolling_dates(registered_at=registered_at, rules=rules, tz=TORONTO)
    extended = extended_dates(current, extra_days=extra, tz=TORONTO)
    for before, after in (
        (current.summative_due_at, extended.summative_due_at),
        (current.ends_at, extended.ends_at),
    ):
        assert (local_day(after) - local_day(before)).days == extra
        assert local_time(after) == END_OF_DAY
        # Never more than the DST hour away from N * 24 hours.
        drift = elapsed(before, after) - dt.timedelta(days=extra)
        assert abs(drift) <= dt.timedelta(hours=1)
    assert extended.summative_due_at < extended.ends_at


@given(
    registered_at=instants,
    first=st.integers(1, 200),
    second=st.integers(1, 165),
)
def test_two_extensions_equal_one_of_their_sum(registered_at, first, second):
    current = rolling_dates(registered_at=registered_at, rules=RULES, tz=TORONTO)
    twice = extended_dates(
        extended_dates(current, extra_days=first, tz=TORONTO),
        extra_days=second,
        tz=TORONTO,
    )
    assert twice == extended_dates(current, extra_days=first + second, tz=TORONTO)


# --- days left ----------------------------------------------------------------
DEADLINE = toronto(2027, 4, 12, 23, 59, 59)


@pytest.mark.parametrize(
    ("now", "tz", "expected"),
    [
        (toronto(2027, 4, 12, 0, 0, 1), TORONTO, 0),
        (toronto(2027, 4, 12, 23, 59, 59), TORONTO, 0),
        (toronto(2027, 4, 11, 23, 59, 59), TORONTO, 1),
        (toronto(2027, 4, 13, 0, 0, 0), TORONTO, -1),
        (toronto(2027, 3, 1, 12, 0), TORONTO, 42),
        # Across spring forward (14 March) still whole calendar days.
        (toronto(2027, 3, 10, 12, 0), TORONTO, 33),
        # In Tokyo the deadline is 12:59:59 on 13 April.
        (toronto(2027, 4, 12, 9, 0), TOKYO, 1),  # 22:00 on 12 April in Tokyo
        (toronto(2027, 4, 12, 20, 0), TOKYO, 0),  # 09:00 on 13 April in Tokyo
        (toronto(2027, 4, 12, 9, 0), AUCKLAND, 0),  # 01:00 on 13 April: due 15:59:59
        (toronto(2027, 4, 11, 9, 0), AUCKLAND, 1),
        (toronto(2027, 4, 12, 9, 0), ZoneInfo("America/Vancouver"), 0),
    ],
)
def test_days_left_counts_calendar_days_in_the_given_zone(now, tz, expected):
    assert days_left(DEADLINE, now=now, tz=tz) == expected


@given(registered_at=instants, rules=rules_strategy())
def test_days_left_on_registration_equals_the_window(registered_at, rules):
    dates = rolling_dates(registered_at=registered_at, rules=rules, tz=TORONTO)
    assert days_left(dates.ends_at, now=registered_at, tz=TORONTO) == (
        rules.completion_window_days
    )
    assert days_left(dates.ends_at, now=dates.ends_at, tz=TORONTO) == 0


# --- the window in plain words ------------------------------------------------
@pytest.mark.parametrize(
    ("window", "words"),
    [
        (1, "1 day"),
        (2, "2 days"),
        (6, "6 days"),
        (7, "1 week"),
        (8, "8 days"),
        (10, "10 days"),
        (14, "2 weeks"),
        (21, "3 weeks"),
        (42, "6 weeks"),
        (43, "43 days"),
        (70, "10 weeks"),
        (90, "90 days"),
    ],
)
def test_describe_window_in_plain_words(window, words):
    assert window_in_words(window) == words


@given(st.integers(1, 1000))
def test_describe_window_never_loses_days(window):
    number, unit = window_in_words(window).split()
    assert int(number) * (7 if unit.startswith("week") else 1) == window
    assert unit.endswith("s") is (int(number) != 1)


# --- registration -------------------------------------------------------------
NOW = toronto(2027, 3, 1, 12, 0)
OPEN = RegistrationFacts(
    course_published=True,
    offering_open=True,
    registration_opens_at=None,
    registration_closes_at=None,
    capacity=None,
    active_enrolments=0,
    learner_has_active_enrolment=False,
    learner_has_completed=False,
)


def facts(**changes) -> RegistrationFacts:
    return dataclasses.replace(OPEN, **changes)


@pytest.mark.parametrize(
    ("changes", "refusal"),
    [
        ({}, None),
        ({"course_published": False}, "not open for registration"),
        ({"learner_has_completed": True}, "already completed"),
        ({"learner_has_active_enrolment": True}, "already registered"),
        ({"offering_open": False}, "closed for registration"),
        ({"registration_opens_at": NOW + dt.timedelta(seconds=1)}, "not opened yet"),
        ({"registration_opens_at": NOW}, None),
        ({"registration_opens_at": NOW - dt.timedelta(days=1)}, None),
        ({"registration_closes_at": NOW - dt.timedelta(seconds=1)}, "has closed"),
        ({"registration_closes_at": NOW}, None),
        ({"registration_closes_at": NOW + dt.timedelta(days=1)}, None),
        ({"capacity": 10, "active_enrolments": 9}, None),
        ({"capacity": 10, "active_enrolments": 10}, "full"),
        ({"capacity": 10, "active_enrolments": 11}, "full"),
        ({"capacity": 0, "active_enrolments": 0}, "full"),
        ({"capacity": None, "active_enrolments": 100_000}, None),
    ],
)
def test_registration_refusal(changes, refusal):
    result = registration_refusal(facts(**changes), now=NOW)
    if refusal is None:
        assert result is None
    else:
        assert refusal in result


def test_registration_window_compares_instants_not_wall_clocks():
    # Registration closes at 23:59:59 in Toronto; 00:30 the next day in Tokyo
    # is still 11:30 the same day in Toronto.
    closes = toronto(2027, 3, 1, 23, 59, 59)
    tokyo_now = dt.datetime(2027, 3, 2, 0, 30, tzinfo=TOKYO)
    assert (
        registration_refusal(facts(registration_closes_at=closes), now=tokyo_now)
        is None
    )


@pytest.mark.parametrize(
    ("changes", "first_reason"),
    [
        (
            {"course_published": False, "offering_open": False, "capacity": 0},
            "not open for registration",
        ),
        ({"learner_has_active_enrolment": True, "capacity": 0}, "already registered"),
        ({"learner_has_completed": True, "offering_open": False}, "already completed"),
        ({"offering_open": False, "capacity": 0}, "closed for registration"),
    ],
)
def test_registration_gives_the_most_relevant_reason_first(changes, first_reason):
    assert first_reason in registration_refusal(facts(**changes), now=NOW)


# --- publishing ---------------------------------------------------------------
PUBLISHABLE = PublishFacts(
    rules=RULES,
    outcome_count=3,
    module_count=4,
    videos_without_text_alternative=(),
    has_summative_assessment=True,
    assessments_available=True,
    owner_set=True,
)


def publish_facts(**changes) -> PublishFacts:
    return dataclasses.replace(PUBLISHABLE, **changes)


def test_a_complete_course_may_be_published():
    decision = publish_decision(PUBLISHABLE)
    assert decision.allowed
    assert decision.problems == ()
    assert decision.warnings == ()


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"outcome_count": 0}, "The course has no learning outcomes."),
        ({"module_count": 0}, "The course has no modules."),
        ({"owner_set": False}, "The course has no owner."),
        (
            {"videos_without_text_alternative": ("Welcome",)},
            'The video "Welcome" has neither a captions file nor a transcript.',
        ),
        (
            {"has_summative_assessment": False, "assessments_available": True},
            "The course has no summative assessment.",
        ),
        (
            {
                "rules": WindowRules(
                    completion_window_days=20,
                    feedback_turnaround_days=7,
                    resubmission_days=7,
                )
            },
            "The completion window of 20 days cannot hold 7 days of learning plus "
            "7 days for feedback and 7 days for a second attempt "
            "(needs at least 21 days).",
        ),
    ],
)
def test_publishing_is_refused_with_the_reason(changes, problem):
    decision = publish_decision(publish_facts(**changes))
    assert not decision.allowed
    assert decision.problems == (problem,)


def test_publishing_at_the_exact_minimum_window_is_allowed():
    rules = WindowRules(
        completion_window_days=21, feedback_turnaround_days=7, resubmission_days=7
    )
    assert publish_decision(publish_facts(rules=rules)).allowed


def test_publishing_lists_every_reason_at_once():
    decision = publish_decision(
        publish_facts(
            outcome_count=0,
            module_count=0,
            owner_set=False,
            videos_without_text_alternative=("Intro", "Outro"),
            rules=WindowRules(
                completion_window_days=10,
                feedback_turnaround_days=7,
                resubmission_days=7,
            ),
        )
    )
    assert not decision.allowed
    assert len(decision.problems) == 6
    assert any('"Intro"' in problem for problem in decision.problems)
    assert any('"Outro"' in problem for problem in decision.problems)


def test_no_summative_assessment_only_warns_until_assessments_exist():
    decision = publish_decision(
        publish_facts(has_summative_assessment=False, assessments_available=False)
    )
    assert decision.allowed
    assert decision.problems == ()
    assert len(decision.warnings) == 1
    assert "no summative assessment yet" in decision.warnings[0]


# --- course status ------------------------------------------------------------
STATUSES = ["draft", "in_review", "published", "retired"]
ALLOWED = [
    ("draft", "in_review"),
    ("in_review", "draft"),
    ("in_review", "published"),
    ("published", "in_review"),
    ("published", "retired"),
    ("retired", "draft"),
]
FORBIDDEN = [
    pair for pair in itertools.product(STATUSES, repeat=2) if pair not in ALLOWED
] + [("draft", "archived"), ("archived", "draft"), ("", "draft")]


def test_the_allowed_transitions_are_exactly_the_governance_ones():
    assert {
        (current, new)
        for current, targets in STATUS_TRANSITIONS.items()
        for new in targets
    } == set(ALLOWED)


@pytest.mark.parametrize(("current", "new"), ALLOWED)
def test_allowed_status_change(current, new):
    check_status_change(current, new)


@pytest.mark.parametrize(("current", "new"), FORBIDDEN)
def test_forbidden_status_change_is_refused_with_a_clear_message(current, new):
    with pytest.raises(PolicyError) as refusal:
        check_status_change(current, new)
    assert str(refusal.value) == f"A course cannot go from {current} to {new}."


def test_a_draft_cannot_skip_review_to_be_published():
    with pytest.raises(PolicyError, match="draft to published"):
        check_status_change("draft", "published")


def test_a_retired_course_cannot_be_republished_directly():
    with pytest.raises(PolicyError, match="retired to published"):
        check_status_change("retired", "published")
