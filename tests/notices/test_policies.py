"""Which notices are due now, as pure functions: no database, nothing mocked.

Dates are counted in the institution's zone passed to the rules (America/Toronto
unless a test says otherwise). The DST changes used below are Toronto's
(spring forward on 14 March 2027, fall back on 7 November 2027) and Auckland's
(back on 4 April 2027). Unless a test moves them, the enrolment registers on
4 January 2027, its summative is due at the end of 15 February and it ends at
the end of 1 March: no DST change falls between those dates.
"""

import dataclasses
import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from notices.policies import (
    EXPIRY_OFFSETS_DAYS,
    ISSUED_NOTICE_WITHIN,
    MAX_OFFSET_DAYS,
    REVIEW_LEAD_DAYS,
    WEEK,
    Due,
    EnrolmentFacts,
    Kind,
    ReminderSettings,
    SentLog,
    clean_offsets,
    course_review_due,
    credential_expiring_due,
    credential_issued_due,
    date_key,
    days_before,
    enrolment_notices_due,
    grading_overdue_due,
    next_reminder_at,
    offsets_problems,
    threshold_due,
)

UTC = dt.UTC
TORONTO = ZoneInfo("America/Toronto")
AUCKLAND = ZoneInfo("Pacific/Auckland")  # UTC+12, +13 in the southern summer
PAGO_PAGO = ZoneInfo("Pacific/Pago_Pago")  # UTC-11, just east of the date line
KIRITIMATI = ZoneInfo("Pacific/Kiritimati")  # UTC+14, skipped 31 December 1994

SECOND = dt.timedelta(seconds=1)
HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)


def toronto(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=TORONTO)


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


def elapsed(start: dt.datetime, end: dt.datetime) -> dt.timedelta:
    """Real time between two instants (same-zone subtraction is wall-clock)."""
    return end.astimezone(UTC) - start.astimezone(UTC)


def wall(moment: dt.datetime, tz: ZoneInfo) -> dt.datetime:
    """The naive wall-clock reading of ``moment`` in ``tz``."""
    return moment.astimezone(tz).replace(tzinfo=None)


def local(*args: int) -> dt.datetime:
    """A naive wall-clock reading, to compare with ``wall``."""
    return dt.datetime(*args)  # noqa: DTZ001 - a wall-clock reading, no zone


def exists(naive: dt.datetime, tz: ZoneInfo) -> bool:
    """Whether the wall-clock time ``naive`` happens in ``tz`` (not skipped)."""
    return wall(naive.replace(tzinfo=tz).astimezone(UTC), tz) == naive


REGISTERED = toronto(2027, 1, 4, 10, 15)
DUE = toronto(2027, 2, 15, 23, 59, 59)
END = toronto(2027, 3, 1, 23, 59, 59)
DEFAULTS = ReminderSettings()

FACTS = EnrolmentFacts(
    status="active",
    route="course",
    registered_at=REGISTERED,
    summative_due_at=DUE,
    ends_at=END,
)


def key(days: int, target: dt.datetime = DUE) -> str:
    return f"{days}d:{date_key(target)}"


def reminder(
    now: dt.datetime,
    *,
    target: dt.datetime = DUE,
    offsets: tuple[object, ...] = (7, 2),
    registered: dt.datetime = REGISTERED,
    sent_days: tuple[int, ...] = (),
    tz: ZoneInfo = TORONTO,
) -> Due | None:
    return threshold_due(
        kind=Kind.SUMMATIVE_DUE,
        target=target,
        offsets_days=offsets,  # type: ignore[arg-type]  # as stored: unchecked
        not_before=registered,
        sent=frozenset((Kind.SUMMATIVE_DUE.value, key(d, target)) for d in sent_days),
        now=now,
        tz=tz,
    )


def notices(
    facts: EnrolmentFacts,
    *,
    now: dt.datetime,
    sent: SentLog | None = None,
    rules: ReminderSettings = DEFAULTS,
    tz: ZoneInfo = TORONTO,
) -> dict[Kind, Due]:
    """The notices due, by kind (the rule never returns two of one kind)."""
    due = enrolment_notices_due(facts, rules, sent or SentLog(), now=now, tz=tz)
    by_kind = {notice.kind: notice for notice in due}
    assert len(by_kind) == len(due)
    return by_kind


def sent_log(
    *pairs: tuple[Kind, str], last_nudge: dt.datetime | None = None
) -> SentLog:
    return SentLog(
        keys=frozenset((kind.value, period_key) for kind, period_key in pairs),
        last_inactivity_nudge_at=last_nudge,
    )


# --- a reminder N days before a date ----------------------------------------------


@pytest.mark.parametrize(
    ("now", "registered", "sent_days", "expected_days"),
    [
        pytest.param(DUE - 7 * DAY, REGISTERED, (), 7, id="exactly-at-7-days"),
        pytest.param(DUE - 7 * DAY - SECOND, REGISTERED, (), None, id="1s-before-7"),
        pytest.param(DUE - 5 * DAY, REGISTERED, (), 7, id="between-7-and-2"),
        pytest.param(DUE - 2 * DAY - SECOND, REGISTERED, (), 7, id="1s-before-2"),
        pytest.param(DUE - 2 * DAY, REGISTERED, (), 2, id="exactly-at-2-days"),
        pytest.param(DUE - DAY, REGISTERED, (), 2, id="past-2-with-7-unsent"),
        pytest.param(DUE - DAY, REGISTERED, (7,), 2, id="past-2-with-7-sent"),
        pytest.param(DUE - SECOND, REGISTERED, (7,), 2, id="1s-before-the-date"),
        pytest.param(DUE, REGISTERED, (), None, id="at-the-date"),
        pytest.param(DUE + SECOND, REGISTERED, (), None, id="1s-after-the-date"),
        pytest.param(DUE + 3 * DAY, REGISTERED, (), None, id="days-after-the-date"),
        pytest.param(DUE - 5 * DAY, REGISTERED, (7,), None, id="7-already-sent"),
        pytest.param(DUE - DAY, REGISTERED, (2,), None, id="2-already-sent"),
        pytest.param(DUE - DAY, REGISTERED, (7, 2), None, id="both-already-sent"),
        pytest.param(DUE - 5 * DAY, DUE - 6 * DAY, (), None, id="7-before-register"),
        pytest.param(DUE - DAY, DUE - 6 * DAY, (), 2, id="2-after-register"),
        pytest.param(DUE - DAY, DUE - 36 * HOUR, (), None, id="both-before-register"),
        pytest.param(DUE - 7 * DAY, DUE - 7 * DAY, (), 7, id="7-at-registration"),
    ],
)
def test_the_reminder_due_is_the_nearest_threshold_crossed_after_registration(
    now, registered, sent_days, expected_days
):
    due = reminder(now, registered=registered, sent_days=sent_days)

    if expected_days is None:
        assert due is None
    else:
        assert due == Due(
            kind=Kind.SUMMATIVE_DUE,
            period_key=key(expected_days),
            due_at=DUE - expected_days * DAY,
            target_at=DUE,
        )


def test_a_reminder_falls_due_at_the_same_wall_clock_time_as_the_date():
    due = reminder(DUE - 5 * DAY)

    assert due is not None
    assert due.due_at.astimezone(TORONTO) == toronto(2027, 2, 8, 23, 59, 59)
    assert due.due_at.tzinfo is UTC


def test_the_key_names_the_days_and_the_date_in_utc_to_the_second():
    target = toronto(2027, 2, 15, 23, 59, 59, 999_999)

    assert key(7, target) == "7d:2027-02-16T04:59:59+00:00"


def test_offsets_that_are_not_usable_are_ignored_by_the_rule():
    stored = (0, 91, True, "3", 5.0, 2)

    assert reminder(DUE - 5 * DAY, offsets=stored) is None
    due = reminder(DUE - DAY, offsets=stored)
    assert due is not None
    assert due.period_key == key(2)


def test_no_offsets_means_no_reminders():
    assert reminder(DUE - DAY, offsets=()) is None


def test_a_naive_now_is_refused():
    with pytest.raises(ValueError, match="aware"):
        reminder(dt.datetime(2027, 2, 10))  # noqa: DTZ001 - the point of the test


def test_the_moment_of_now_does_not_depend_on_the_zone_it_is_written_in():
    moment = DUE - 7 * DAY

    for zone in (UTC, TORONTO, AUCKLAND, PAGO_PAGO, KIRITIMATI):
        assert reminder(moment.astimezone(zone)) == reminder(moment)
        assert reminder((moment - SECOND).astimezone(zone)) is None


# --- DST -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "days", "threshold", "hours"),
    [
        pytest.param(
            toronto(2027, 3, 15, 9), 7, toronto(2027, 3, 8, 9), 167, id="spring-7"
        ),
        pytest.param(
            toronto(2027, 3, 15, 9), 2, toronto(2027, 3, 13, 9), 47, id="spring-2"
        ),
        pytest.param(
            toronto(2027, 3, 15, 23, 59, 59),
            7,
            toronto(2027, 3, 8, 23, 59, 59),
            167,
            id="spring-7-end-of-day",
        ),
        pytest.param(
            toronto(2027, 11, 8, 9), 7, toronto(2027, 11, 1, 9), 169, id="fall-7"
        ),
        pytest.param(
            toronto(2027, 11, 8, 9), 2, toronto(2027, 11, 6, 9), 49, id="fall-2"
        ),
        pytest.param(
            toronto(2027, 11, 8, 23, 59, 59),
            7,
            toronto(2027, 11, 1, 23, 59, 59),
            169,
            id="fall-7-end-of-day",
        ),
        pytest.param(
            toronto(2027, 3, 5, 9), 7, toronto(2027, 2, 26, 9), 168, id="no-change"
        ),
    ],
)
def test_across_a_dst_change_the_threshold_keeps_the_wall_clock_time(
    target, days, threshold, hours
):
    assert days_before(target, days, TORONTO) == threshold
    assert elapsed(threshold, target) == dt.timedelta(hours=hours)
    assert wall(days_before(target, days, TORONTO), TORONTO).time() == (target.time())


@pytest.mark.parametrize(
    ("target", "due_168_hours_before"),
    [
        pytest.param(toronto(2027, 3, 15, 23, 59, 59), False, id="after-spring"),
        pytest.param(toronto(2027, 11, 8, 23, 59, 59), True, id="after-fall-back"),
    ],
)
def test_across_a_dst_change_the_reminder_is_due_exactly_at_its_threshold(
    target, due_168_hours_before
):
    threshold = target - 7 * DAY  # wall-clock arithmetic: 23:59:59 a week before

    due = reminder(threshold, target=target)
    assert due is not None
    assert due.period_key == key(7, target)
    assert due.due_at == threshold
    assert reminder(threshold - SECOND, target=target) is None
    # 168 hours before is an hour too early in spring, an hour late in autumn.
    week_of_hours = target.astimezone(UTC) - dt.timedelta(hours=168)
    assert (reminder(week_of_hours, target=target) is not None) is (
        due_168_hours_before
    )


def test_a_threshold_in_the_skipped_hour_is_read_with_the_offset_before_the_change():
    # 02:30 on 14 March 2027 never happens in Toronto; read as EST it is 07:30
    # UTC, which the clocks show as 03:30 EDT.
    threshold = days_before(toronto(2027, 3, 21, 2, 30), 7, TORONTO)

    assert threshold == utc(2027, 3, 14, 7, 30)
    assert wall(threshold, TORONTO) == local(2027, 3, 14, 3, 30)


def test_a_threshold_in_the_repeated_hour_is_the_first_of_the_two():
    # 01:30 on 7 November 2027 happens twice in Toronto: EDT first, then EST.
    threshold = days_before(toronto(2027, 11, 14, 1, 30), 7, TORONTO)

    assert threshold == utc(2027, 11, 7, 5, 30)


# --- time zones across the date line -----------------------------------------------

# One instant: 9:00 on 7 April in Auckland (three days after its clocks went
# back), 10:00 on 6 April in Pago Pago, 11:00 on 7 April on Kiritimati.
ACROSS = utc(2027, 4, 6, 21)


@pytest.mark.parametrize(
    ("tz", "threshold", "local_threshold", "hours"),
    [
        pytest.param(
            AUCKLAND,
            utc(2027, 3, 30, 20),
            local(2027, 3, 31, 9),
            169,
            id="auckland-across-its-dst-end",
        ),
        pytest.param(
            PAGO_PAGO,
            utc(2027, 3, 30, 21),
            local(2027, 3, 30, 10),
            168,
            id="pago-pago",
        ),
        pytest.param(
            KIRITIMATI,
            utc(2027, 3, 30, 21),
            local(2027, 3, 31, 11),
            168,
            id="kiritimati",
        ),
    ],
)
def test_the_rule_counts_calendar_days_in_the_zone_it_is_given(
    tz, threshold, local_threshold, hours
):
    assert days_before(ACROSS, 7, tz) == threshold
    assert wall(threshold, tz) == local_threshold
    assert elapsed(threshold, ACROSS) == dt.timedelta(hours=hours)
    due = reminder(threshold, target=ACROSS, registered=utc(2027, 1, 1), tz=tz)
    assert due is not None
    assert due.period_key == key(7, ACROSS)  # the key does not depend on the zone
    assert reminder(threshold - SECOND, target=ACROSS, tz=tz) is None


def test_half_an_hour_before_the_utc_week_only_auckland_has_crossed_its_threshold():
    now = utc(2027, 3, 30, 20, 30)

    assert reminder(now, target=ACROSS, tz=AUCKLAND) is not None
    assert reminder(now, target=ACROSS, tz=PAGO_PAGO) is None
    assert reminder(now, target=ACROSS, tz=KIRITIMATI) is None


@pytest.mark.parametrize("tz", [AUCKLAND, PAGO_PAGO, KIRITIMATI])
def test_an_end_of_day_date_is_reminded_at_the_end_of_the_day_a_week_before(tz):
    target = dt.datetime(2027, 6, 15, 23, 59, 59, tzinfo=tz)

    threshold = days_before(target, 7, tz)

    assert wall(threshold, tz) == local(2027, 6, 8, 23, 59, 59)
    assert reminder(threshold, target=target, registered=utc(2027, 1, 1), tz=tz)
    assert reminder(threshold - SECOND, target=target, tz=tz) is None


def test_the_same_local_day_ends_25_hours_apart_either_side_of_the_date_line():
    kiritimati = days_before(
        dt.datetime(2027, 6, 15, 23, 59, 59, tzinfo=KIRITIMATI), 7, KIRITIMATI
    )
    pago_pago = days_before(
        dt.datetime(2027, 6, 15, 23, 59, 59, tzinfo=PAGO_PAGO), 7, PAGO_PAGO
    )

    assert elapsed(kiritimati, pago_pago) == dt.timedelta(hours=25)


def test_across_the_day_kiritimati_skipped_seven_calendar_days_are_six_real_ones():
    target = dt.datetime(1995, 1, 5, 12, tzinfo=KIRITIMATI)

    threshold = days_before(target, 7, KIRITIMATI)

    assert wall(threshold, KIRITIMATI) == local(1994, 12, 29, 12)
    assert elapsed(threshold, target) == 6 * DAY
    # 31 December 1994 never happened there: 5 and 4 days before coincide,
    # and the nearer one is sent.
    assert days_before(target, 5, KIRITIMATI) == days_before(target, 4, KIRITIMATI)
    due = reminder(
        days_before(target, 4, KIRITIMATI),
        target=target,
        offsets=(5, 4),
        registered=dt.datetime(1994, 1, 1, tzinfo=UTC),
        tz=KIRITIMATI,
    )
    assert due is not None
    assert due.period_key == key(4, target)


# --- an extension moves the date -------------------------------------------------


def extended(days: int) -> EnrolmentFacts:
    return dataclasses.replace(
        FACTS, summative_due_at=DUE + days * DAY, ends_at=END + days * DAY
    )


def test_after_an_extension_the_old_dates_key_does_not_block_the_new_dates_reminders():
    first = notices(FACTS, now=DUE - 7 * DAY)[Kind.SUMMATIVE_DUE]
    assert first.period_key == key(7)
    sent = sent_log((Kind.SUMMATIVE_DUE, first.period_key))
    facts = extended(10)  # granted an hour after the reminder went out
    new_due = DUE + 10 * DAY

    quiet = [DUE - 7 * DAY + HOUR, DUE - 2 * DAY, DUE, new_due - 7 * DAY - SECOND]
    for now in quiet:
        assert Kind.SUMMATIVE_DUE not in notices(facts, now=now, sent=sent)
    seven = notices(facts, now=new_due - 7 * DAY, sent=sent)[Kind.SUMMATIVE_DUE]
    assert seven.period_key == key(7, new_due)
    assert seven.due_at == new_due - 7 * DAY
    assert seven.target_at == new_due
    two = notices(facts, now=new_due - 2 * DAY, sent=sent)[Kind.SUMMATIVE_DUE]
    assert two.period_key == key(2, new_due)


def test_an_extension_of_three_days_right_after_the_reminder_sends_it_again_later():
    """Stated behaviour: the 7-day reminder is about a date, so moving the date
    by three days right after it went out sends a second "7 days left"
    reminder three days after the first, naming the new date."""
    sent = sent_log((Kind.SUMMATIVE_DUE, key(7)))
    facts = extended(3)
    new_due = DUE + 3 * DAY

    assert Kind.SUMMATIVE_DUE not in notices(facts, now=DUE - 7 * DAY + HOUR, sent=sent)
    assert Kind.SUMMATIVE_DUE not in notices(
        facts, now=DUE - 4 * DAY - SECOND, sent=sent
    )
    again = notices(facts, now=DUE - 4 * DAY, sent=sent)[Kind.SUMMATIVE_DUE]
    assert again.period_key == key(7, new_due)
    assert again.due_at == DUE - 7 * DAY + 3 * DAY


def test_an_extension_after_the_two_day_reminder_sends_the_nearest_one_at_once():
    """Stated behaviour: one day more, granted the day before the date, makes
    the new date two days away; the two-day reminder for it goes out at once
    (its seven-day threshold passed unseen, so it is skipped)."""
    sent = sent_log((Kind.SUMMATIVE_DUE, key(7)), (Kind.SUMMATIVE_DUE, key(2)))
    new_due = DUE + DAY

    due = notices(extended(1), now=DUE - DAY, sent=sent)[Kind.SUMMATIVE_DUE]

    assert due.period_key == key(2, new_due)


def test_end_date_reminders_follow_the_extended_end_date():
    sent = sent_log((Kind.END_DATE, key(7, END)))
    facts = extended(10)
    new_end = END + 10 * DAY

    assert Kind.END_DATE not in notices(facts, now=END - 2 * DAY, sent=sent)
    due = notices(facts, now=new_end - 7 * DAY, sent=sent)[Kind.END_DATE]
    assert due.period_key == key(7, new_end)


# --- which reminders the enrolment's state allows -----------------------------------

# The day before the due date: the 2-day summative reminder has fallen due, and
# with end reminders at 30 and 14 days the 30-day one too. The learner studied
# an hour ago, so no nudge.
BOTH_DUE_AT = DUE - DAY
WIDE_END = ReminderSettings(end_offsets_days=(30, 14))
STUDYING = dataclasses.replace(FACTS, last_activity_at=BOTH_DUE_AT - HOUR)


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        pytest.param({}, {Kind.SUMMATIVE_DUE, Kind.END_DATE}, id="nothing-submitted"),
        pytest.param(
            {"attempt_1_submitted": True}, {Kind.END_DATE}, id="attempt-1-failed"
        ),
        pytest.param(
            {"attempt_1_submitted": True, "awaiting_feedback": True},
            set(),
            id="awaiting-feedback",
        ),
        pytest.param({"attempt_1_submitted": True, "passed": True}, set(), id="passed"),
        pytest.param({"status": "completed"}, set(), id="completed"),
        pytest.param({"status": "withdrawn"}, set(), id="withdrawn"),
        pytest.param({"status": "ended"}, set(), id="ended"),
    ],
)
def test_reminders_stop_when_they_no_longer_apply(changes, expected):
    facts = dataclasses.replace(STUDYING, **changes)

    assert set(notices(facts, now=BOTH_DUE_AT, rules=WIDE_END)) == expected


def test_the_summative_and_end_reminders_due_together_are_one_of_each():
    due = notices(STUDYING, now=BOTH_DUE_AT, rules=WIDE_END)

    assert due[Kind.SUMMATIVE_DUE].period_key == key(2)
    assert due[Kind.END_DATE].period_key == key(30, END)


@pytest.mark.parametrize("status", ["completed", "withdrawn", "ended"])
def test_an_enrolment_that_is_not_active_gets_nothing_at_all(status):
    facts = dataclasses.replace(
        FACTS,
        status=status,
        failed_attempt_open=(42, DUE + DAY),
        last_activity_at=None,
    )

    assert notices(facts, now=DUE + 2 * DAY) == {}
    assert next_reminder_at(facts, DEFAULTS, now=REGISTERED, tz=TORONTO) == []


def test_a_course_can_set_its_own_offsets():
    rules = ReminderSettings(due_offsets_days=(10, 3, 1))

    assert notices(STUDYING, now=DUE - 10 * DAY, rules=rules)[
        Kind.SUMMATIVE_DUE
    ].period_key == key(10)
    assert notices(STUDYING, now=DUE - 2 * DAY, rules=rules)[
        Kind.SUMMATIVE_DUE
    ].period_key == key(3)
    assert Kind.SUMMATIVE_DUE not in notices(
        STUDYING,
        now=DUE - 7 * DAY,
        rules=rules,
        sent=sent_log((Kind.SUMMATIVE_DUE, key(10))),
    )


def test_the_upcoming_reminders_are_listed_in_order_from_now():
    upcoming = next_reminder_at(FACTS, DEFAULTS, now=DUE - 3 * DAY, tz=TORONTO)

    assert upcoming == [
        (Kind.SUMMATIVE_DUE, DUE - 2 * DAY),
        (Kind.END_DATE, END - 7 * DAY),
        (Kind.END_DATE, END - 2 * DAY),
    ]
    submitted = dataclasses.replace(FACTS, attempt_1_submitted=True)
    assert [
        kind
        for kind, _ in next_reminder_at(
            submitted, DEFAULTS, now=DUE - 3 * DAY, tz=TORONTO
        )
    ] == [Kind.END_DATE, Kind.END_DATE]


# --- inactivity -----------------------------------------------------------------

LAST_ACTIVE = toronto(2027, 1, 20, 15, 30)
IDLE = dataclasses.replace(FACTS, last_activity_at=LAST_ACTIVE)
STREAK = date_key(LAST_ACTIVE)


def nudge(
    facts: EnrolmentFacts = IDLE,
    *,
    now: dt.datetime,
    sent: SentLog | None = None,
    rules: ReminderSettings = DEFAULTS,
) -> Due | None:
    return notices(facts, now=now, sent=sent, rules=rules).get(Kind.INACTIVITY)


@pytest.mark.parametrize(
    ("now", "expected_key"),
    [
        pytest.param(LAST_ACTIVE + 7 * DAY, f"{STREAK}:w0", id="exactly-7-days"),
        pytest.param(LAST_ACTIVE + 7 * DAY - SECOND, None, id="7-days-less-1s"),
        pytest.param(LAST_ACTIVE + 10 * DAY, f"{STREAK}:w0", id="10-days"),
        pytest.param(LAST_ACTIVE + 14 * DAY - SECOND, f"{STREAK}:w0", id="14d-less-1s"),
        pytest.param(LAST_ACTIVE + 14 * DAY, f"{STREAK}:w1", id="14-days"),
        pytest.param(LAST_ACTIVE + 21 * DAY, f"{STREAK}:w2", id="21-days"),
        pytest.param(END - SECOND, f"{STREAK}:w4", id="1s-before-the-end"),
        pytest.param(END, None, id="at-the-end"),
        pytest.param(END + 7 * DAY, None, id="after-the-end"),
    ],
)
def test_an_idle_learner_is_nudged_after_seven_days_with_a_weekly_key(
    now, expected_key
):
    due = nudge(now=now)

    if expected_key is None:
        assert due is None
    else:
        assert due is not None
        assert due.period_key == expected_key
        assert due.due_at <= now < due.due_at + WEEK
        assert due.target_at is None


def test_without_any_activity_inactivity_counts_from_registration():
    never = dataclasses.replace(FACTS, last_activity_at=None)

    assert nudge(never, now=REGISTERED + 7 * DAY - SECOND) is None
    due = nudge(never, now=REGISTERED + 7 * DAY)
    assert due is not None
    assert due.period_key == f"{date_key(REGISTERED)}:w0"


@pytest.mark.parametrize(
    ("since_last_nudge", "is_due"),
    [
        pytest.param(7 * DAY - SECOND, False, id="6d-23h-59m-59s-ago"),
        pytest.param(7 * DAY, True, id="exactly-7-days-ago"),
        pytest.param(9 * DAY, True, id="9-days-ago"),
        pytest.param(DAY, False, id="yesterday"),
    ],
)
def test_at_most_one_nudge_a_week(since_last_nudge, is_due):
    now = LAST_ACTIVE + 20 * DAY  # week 1 of the streak; its key is not sent
    sent = sent_log(last_nudge=now - since_last_nudge)

    assert (nudge(now=now, sent=sent) is not None) is is_due


def test_a_nudge_already_sent_for_this_week_of_the_streak_is_not_sent_again():
    now = LAST_ACTIVE + 10 * DAY
    sent = sent_log((Kind.INACTIVITY, f"{STREAK}:w0"))

    assert nudge(now=now, sent=sent) is None
    assert nudge(now=LAST_ACTIVE + 14 * DAY, sent=sent) is not None


def test_resumed_activity_starts_a_new_streak_with_its_own_key():
    sent = sent_log((Kind.INACTIVITY, f"{STREAK}:w0"), last_nudge=LAST_ACTIVE + 7 * DAY)
    resumed_at = LAST_ACTIVE + 9 * DAY
    resumed = dataclasses.replace(FACTS, last_activity_at=resumed_at)

    assert nudge(resumed, now=resumed_at + 7 * DAY - SECOND, sent=sent) is None
    due = nudge(resumed, now=resumed_at + 7 * DAY, sent=sent)
    assert due is not None
    assert due.period_key == f"{date_key(resumed_at)}:w0"


def test_nudges_come_weekly_while_idle_and_stop_at_the_end_date():
    sent = SentLog()
    sent_at = []
    now = LAST_ACTIVE.astimezone(UTC)  # hourly scans, on the half hour
    while now < END + 14 * DAY:
        due = nudge(now=now, sent=sent)
        if due:
            sent_at.append(now)
            sent = SentLog(
                keys=sent.keys | {(due.kind.value, due.period_key)},
                last_inactivity_nudge_at=now,
            )
        now += HOUR

    # 27 January, 3, 10, 17 and 24 February; 3 March is after the end.
    assert sent_at == [LAST_ACTIVE + 7 * DAY + n * WEEK for n in range(5)]


@pytest.mark.parametrize(
    ("changes", "rules"),
    [
        pytest.param({"route": "plar"}, DEFAULTS, id="plar-route"),
        pytest.param({}, ReminderSettings(inactivity_days=0), id="turned-off"),
        pytest.param(
            {"attempt_1_submitted": True, "awaiting_feedback": True},
            DEFAULTS,
            id="awaiting-feedback",
        ),
        pytest.param(
            {"attempt_1_submitted": True, "passed": True}, DEFAULTS, id="passed"
        ),
        pytest.param({"status": "withdrawn"}, DEFAULTS, id="withdrawn"),
    ],
)
def test_no_nudge_where_there_is_nothing_to_study_for(changes, rules):
    facts = dataclasses.replace(IDLE, **changes)

    for days in (7, 14, 30):
        assert nudge(facts, now=LAST_ACTIVE + days * DAY, rules=rules) is None


def test_a_course_can_nudge_sooner():
    rules = ReminderSettings(inactivity_days=3)

    assert nudge(now=LAST_ACTIVE + 3 * DAY - SECOND, rules=rules) is None
    due = nudge(now=LAST_ACTIVE + 3 * DAY, rules=rules)
    assert due is not None
    assert due.period_key == f"{STREAK}:w0"


# --- the next attempt is open ---------------------------------------------------

RELEASED = toronto(2027, 2, 20, 11)
FAILED = dataclasses.replace(
    STUDYING, attempt_1_submitted=True, failed_attempt_open=(42, RELEASED)
)


def test_the_next_attempt_is_announced_once_when_failed_feedback_is_released():
    due = notices(FAILED, now=RELEASED)[Kind.SECOND_ATTEMPT]

    assert due == Due(
        kind=Kind.SECOND_ATTEMPT,
        period_key="attempt:42",
        due_at=RELEASED,
        target_at=END,
    )
    sent = sent_log((Kind.SECOND_ATTEMPT, "attempt:42"))
    assert Kind.SECOND_ATTEMPT not in notices(FAILED, now=RELEASED + HOUR, sent=sent)


@pytest.mark.parametrize(
    ("now", "is_due"),
    [
        pytest.param(RELEASED - SECOND, False, id="before-the-release"),
        pytest.param(RELEASED, True, id="at-the-release"),
        pytest.param(END - SECOND, True, id="1s-before-the-end"),
        pytest.param(END, False, id="at-the-end"),
        pytest.param(END + DAY, False, id="after-the-end"),
    ],
)
def test_the_next_attempt_notice_is_due_from_the_release_until_the_end(now, is_due):
    assert (Kind.SECOND_ATTEMPT in notices(FAILED, now=now)) is is_due


def test_a_later_failed_attempt_has_its_own_key():
    third = dataclasses.replace(FAILED, failed_attempt_open=(57, RELEASED + 5 * DAY))
    sent = sent_log((Kind.SECOND_ATTEMPT, "attempt:42"))

    due = notices(third, now=RELEASED + 5 * DAY, sent=sent)[Kind.SECOND_ATTEMPT]

    assert due.period_key == "attempt:57"


# --- staff and credential notices -------------------------------------------------

FEEDBACK_DUE = toronto(2027, 2, 22, 23, 59, 59)


@pytest.mark.parametrize(
    ("feedback_due_at", "now", "is_due"),
    [
        pytest.param(FEEDBACK_DUE, FEEDBACK_DUE - SECOND, False, id="before"),
        pytest.param(FEEDBACK_DUE, FEEDBACK_DUE, False, id="at-the-turnaround"),
        pytest.param(FEEDBACK_DUE, FEEDBACK_DUE + SECOND, True, id="1s-past"),
        pytest.param(FEEDBACK_DUE, FEEDBACK_DUE + 30 * DAY, True, id="long-past"),
        pytest.param(None, FEEDBACK_DUE, False, id="no-turnaround"),
    ],
)
def test_grading_is_overdue_once_past_the_turnaround(feedback_due_at, now, is_due):
    due = grading_overdue_due(attempt_id=7, feedback_due_at=feedback_due_at, now=now)

    if is_due:
        assert due == Due(
            kind=Kind.GRADING_OVERDUE,
            period_key="attempt:7",
            due_at=FEEDBACK_DUE,
            target_at=FEEDBACK_DUE,
        )
    else:
        assert due is None


REVIEW_ON = dt.date(2027, 6, 30)


@pytest.mark.parametrize(
    ("today", "is_due"),
    [
        pytest.param(dt.date(2027, 5, 30), False, id="31-days-before"),
        pytest.param(dt.date(2027, 5, 31), True, id="30-days-before"),
        pytest.param(REVIEW_ON, True, id="on-the-day"),
        pytest.param(dt.date(2027, 8, 1), True, id="overdue"),
    ],
)
def test_a_course_review_is_due_from_thirty_days_before_its_date(today, is_due):
    due = course_review_due(next_review_on=REVIEW_ON, today=today)

    if is_due:
        assert due is not None
        assert due.kind == Kind.COURSE_REVIEW
        assert due.period_key == "2027-06-30"  # once per review date
        assert due.due_at == utc(2027, 5, 31)
    else:
        assert due is None


def test_a_course_without_a_review_date_is_never_due():
    assert course_review_due(next_review_on=None, today=REVIEW_ON) is None


def test_the_review_lead_is_thirty_days_unless_told_otherwise():
    assert REVIEW_LEAD_DAYS == 30
    week_before = dt.date(2027, 6, 23)

    shorter = {"next_review_on": REVIEW_ON, "lead_days": 7}
    assert course_review_due(today=week_before - DAY, **shorter) is None
    assert course_review_due(today=week_before, **shorter) is not None


AWARDED = toronto(2027, 2, 22, 14)  # no DST change in the next 14 days


@pytest.mark.parametrize(
    ("now", "active", "is_due"),
    [
        pytest.param(AWARDED - SECOND, True, False, id="before-the-award"),
        pytest.param(AWARDED, True, True, id="at-the-award"),
        pytest.param(AWARDED + ISSUED_NOTICE_WITHIN, True, True, id="14-days-later"),
        pytest.param(
            AWARDED + ISSUED_NOTICE_WITHIN + SECOND, True, False, id="too-late"
        ),
        pytest.param(AWARDED + HOUR, False, False, id="revoked"),
    ],
)
def test_a_credential_issued_notice_is_due_within_fourteen_days(now, active, is_due):
    due = credential_issued_due(
        credential_id="c-1", awarded_at=AWARDED, active=active, now=now
    )

    if is_due:
        assert due == Due(
            kind=Kind.CREDENTIAL_ISSUED, period_key="credential:c-1", due_at=AWARDED
        )
    else:
        assert due is None


VALID_UNTIL = toronto(2028, 3, 2, 23, 59, 59)


def expiring(
    now: dt.datetime,
    *,
    awarded: dt.datetime = AWARDED,
    active: bool = True,
    renewed: bool = False,
    sent_days: tuple[int, ...] = (),
    valid_until: dt.datetime | None = VALID_UNTIL,
) -> Due | None:
    return credential_expiring_due(
        valid_until=valid_until,
        awarded_at=awarded,
        active=active,
        renewed=renewed,
        sent=frozenset(
            (Kind.CREDENTIAL_EXPIRING.value, key(d, VALID_UNTIL)) for d in sent_days
        ),
        now=now,
        tz=TORONTO,
    )


@pytest.mark.parametrize(
    ("now", "changes", "expected_days"),
    [
        pytest.param(VALID_UNTIL - 60 * DAY - SECOND, {}, None, id="1s-before-60"),
        pytest.param(VALID_UNTIL - 60 * DAY, {}, 60, id="exactly-60"),
        pytest.param(VALID_UNTIL - 30 * DAY, {}, 60, id="between"),
        pytest.param(VALID_UNTIL - 30 * DAY, {"sent_days": (60,)}, None, id="60-sent"),
        pytest.param(VALID_UNTIL - 14 * DAY, {}, 14, id="exactly-14"),
        pytest.param(VALID_UNTIL - DAY, {"sent_days": (60,)}, 14, id="14-after-60"),
        pytest.param(VALID_UNTIL - DAY, {"sent_days": (60, 14)}, None, id="both-sent"),
        pytest.param(VALID_UNTIL, {}, None, id="lapsed"),
        pytest.param(VALID_UNTIL - DAY, {"renewed": True}, None, id="renewed"),
        pytest.param(VALID_UNTIL - DAY, {"active": False}, None, id="revoked"),
        pytest.param(VALID_UNTIL - DAY, {"valid_until": None}, None, id="no-expiry"),
        pytest.param(
            VALID_UNTIL - 30 * DAY,
            {"awarded": VALID_UNTIL - 40 * DAY},
            None,
            id="60-before-award",
        ),
        pytest.param(
            VALID_UNTIL - 14 * DAY,
            {"awarded": VALID_UNTIL - 40 * DAY},
            14,
            id="14-after-award",
        ),
    ],
)
def test_a_credential_expiring_notice_is_due_60_and_14_days_before(
    now, changes, expected_days
):
    due = expiring(now, **changes)

    if expected_days is None:
        assert due is None
    else:
        assert due is not None
        assert due.kind == Kind.CREDENTIAL_EXPIRING
        assert due.period_key == key(expected_days, VALID_UNTIL)
        assert due.due_at == VALID_UNTIL - expected_days * DAY


def test_credentials_are_reminded_60_and_14_days_before_they_lapse():
    assert EXPIRY_OFFSETS_DAYS == (60, 14)


# --- offsets as a course sets them ------------------------------------------------


@pytest.mark.parametrize(
    ("offsets", "problems"),
    [
        pytest.param([7, 2], [], id="the-default"),
        pytest.param([2, 7], [], id="any-order"),
        pytest.param([], [], id="none"),
        pytest.param([1, MAX_OFFSET_DAYS], [], id="the-bounds"),
        pytest.param([True], ["“True” is not a whole number of days."], id="a-bool"),
        pytest.param(["7"], ["“7” is not a whole number of days."], id="a-string"),
        pytest.param([7.0], ["“7.0” is not a whole number of days."], id="a-float"),
        pytest.param([None], ["“None” is not a whole number of days."], id="null"),
        pytest.param([0], ["0 is outside 1 to 90 days before the date."], id="zero"),
        pytest.param(
            [-2], ["-2 is outside 1 to 90 days before the date."], id="negative"
        ),
        pytest.param(
            [91], ["91 is outside 1 to 90 days before the date."], id="too-far"
        ),
        pytest.param([7, 7], ["Each number of days may appear once."], id="twice"),
        pytest.param(
            [7, 7, 0],
            ["0 is outside 1 to 90 days before the date."],
            id="out-of-range-first",
        ),
        pytest.param(7, [], id="a-bare-number"),
        pytest.param(
            "7, 2",
            ["Give the days as a list of whole numbers, for example 7 and 2."],
            id="text",
        ),
        pytest.param(
            {"7": 2},
            ["Give the days as a list of whole numbers, for example 7 and 2."],
            id="an-object",
        ),
        pytest.param(
            None,
            ["Give the days as a list of whole numbers, for example 7 and 2."],
            id="nothing",
        ),
    ],
)
def test_offsets_problems_says_what_is_wrong(offsets, problems):
    assert offsets_problems(offsets) == problems


@pytest.mark.parametrize(
    ("stored", "cleaned"),
    [
        pytest.param([7, 2], (7, 2), id="the-default"),
        pytest.param([2, 7], (7, 2), id="largest-first"),
        pytest.param([7, 2, 7], (7, 2), id="duplicates"),
        pytest.param([], (), id="none"),
        pytest.param([True, False, "3", 5.0, None, [4]], (), id="not-numbers"),
        pytest.param([0, -1, 91, 1, 90], (90, 1), id="out-of-range"),
        pytest.param(7, (7,), id="a-bare-number"),
        pytest.param(0, (), id="a-bare-zero"),
        pytest.param("7,2", (), id="text"),
        pytest.param({"7": 2}, (), id="an-object"),
        pytest.param(None, (), id="null"),
        pytest.param((3, 1), (3, 1), id="a-tuple"),
    ],
)
def test_clean_offsets_keeps_the_valid_ones_largest_first(stored, cleaned):
    assert clean_offsets(stored) == cleaned
    assert clean_offsets(cleaned) == cleaned
    assert offsets_problems(cleaned) == []


# --- properties -----------------------------------------------------------------

ZONES = [
    ZoneInfo(name)
    for name in (
        "UTC",
        "America/Toronto",
        "America/Santiago",
        "America/Nuuk",
        "Europe/London",
        "Asia/Kolkata",
        "Australia/Lord_Howe",
        "Pacific/Auckland",
        "Pacific/Chatham",
        "Pacific/Pago_Pago",
        "Pacific/Kiritimati",
    )
]
zones = st.sampled_from(ZONES)
instants = st.datetimes(
    min_value=dt.datetime(2026, 1, 1),  # noqa: DTZ001 - bounds of a strategy
    max_value=dt.datetime(2036, 1, 1),  # noqa: DTZ001
    timezones=st.just(UTC),
)


def spans(days: int) -> st.SearchStrategy[dt.timedelta]:
    """Up to ``days`` days and a time of day (drawn apart, so both vary)."""
    return st.builds(
        lambda whole, seconds: whole * DAY + seconds * SECOND,
        st.integers(0, days),
        st.integers(0, 86_399),
    )


offsets_sets = st.integers(0, 6).flatmap(  # drawing the size first: few empty
    lambda size: st.lists(
        st.integers(1, 30), min_size=size, max_size=size, unique=True
    ).map(tuple)
)
rule_sets = st.builds(
    ReminderSettings,
    due_offsets_days=offsets_sets,
    end_offsets_days=offsets_sets,
    inactivity_days=st.integers(0, 30),
)


@st.composite
def enrolment_facts(draw: st.DrawFn, *, active_only: bool = False) -> EnrolmentFacts:
    registered = draw(instants)
    due = registered + draw(spans(120))
    ends = due + draw(spans(60))
    submitted = draw(st.sampled_from([False, False, True]))
    failed_open = None
    if submitted and draw(st.booleans()):
        failed_open = (
            draw(st.integers(1, 10_000)),
            registered + draw(spans(200)),
        )
    return EnrolmentFacts(
        status="active"
        if active_only
        else draw(
            st.sampled_from(["active"] * 4 + ["completed", "withdrawn", "ended"])
        ),
        route=draw(st.sampled_from(["course", "course", "plar"])),
        registered_at=registered,
        summative_due_at=due,
        ends_at=ends,
        last_activity_at=draw(st.none() | spans(200).map(lambda s: registered + s)),
        attempt_1_submitted=submitted,
        awaiting_feedback=submitted and draw(st.booleans()),
        passed=submitted and draw(st.booleans()),
        failed_attempt_open=failed_open,
    )


def possible_keys(facts: EnrolmentFacts) -> list[tuple[str, str]]:
    """Every key the rules could give this enrolment (for random sent-logs)."""
    keys = [
        (kind.value, f"{days}d:{date_key(target)}")
        for kind, target in (
            (Kind.SUMMATIVE_DUE, facts.summative_due_at),
            (Kind.END_DATE, facts.ends_at),
        )
        for days in range(1, 31)
    ]
    last = facts.last_activity_at or facts.registered_at
    keys += [(Kind.INACTIVITY.value, f"{date_key(last)}:w{n}") for n in range(40)]
    if facts.failed_attempt_open:
        keys.append(
            (Kind.SECOND_ATTEMPT.value, f"attempt:{facts.failed_attempt_open[0]}")
        )
    return keys


@st.composite
def cases(draw: st.DrawFn):
    """An enrolment, its course's settings, the zone, a sent-log and ``now``:
    anywhere in the enrolment's life, or within seconds or hours of a moment
    the rules turn on (a threshold, a date, a nudge, a release)."""
    facts = draw(enrolment_facts())
    rules = draw(rule_sets)
    tz = draw(zones)
    keys = draw(st.sets(st.sampled_from(possible_keys(facts))))
    last_nudge = draw(st.none() | spans(300).map(lambda s: facts.registered_at + s))
    last = facts.last_activity_at or facts.registered_at
    moments = [
        facts.registered_at,
        facts.summative_due_at,
        facts.ends_at,
        last + rules.inactivity_days * DAY + draw(st.integers(0, 5)) * WEEK,
    ]
    moments += [
        days_before(target, days, tz)
        for target, offsets in (
            (facts.summative_due_at, rules.due_offsets_days),
            (facts.ends_at, rules.end_offsets_days),
        )
        for days in offsets
    ]
    if facts.failed_attempt_open:
        moments.append(facts.failed_attempt_open[1])
    jitter = draw(st.sampled_from([0, 1, -1]) | st.integers(-2 * 86_400, 2 * 86_400))
    near = draw(st.sampled_from(moments)) + jitter * SECOND
    anywhere = facts.registered_at - 10 * DAY + draw(spans(300))
    now = draw(st.sampled_from([near, near, anywhere])).astimezone(draw(zones))
    return facts, rules, tz, SentLog(frozenset(keys), last_nudge), now


# The first look-up of a zone reads tzdata; the cases are cheap, so many.
@settings(deadline=None, max_examples=400)
@given(case=cases())
def test_every_due_notice_has_fallen_due_and_its_date_is_still_ahead(case):
    facts, rules, tz, sent, now = case

    due = enrolment_notices_due(facts, rules, sent, now=now, tz=tz)

    kinds = [notice.kind for notice in due]
    assert len(kinds) == len(set(kinds))  # at most one notice of each kind
    for notice in due:
        assert notice.due_at <= now
        assert notice.target_at is None or now < notice.target_at
        assert (notice.kind.value, notice.period_key) not in sent.keys


@settings(deadline=None, max_examples=400)
@given(case=cases())
def test_once_its_keys_are_in_the_sent_log_the_same_scan_finds_nothing(case):
    facts, rules, tz, sent, now = case
    due = enrolment_notices_due(facts, rules, sent, now=now, tz=tz)
    logged = SentLog(
        keys=sent.keys | {(notice.kind.value, notice.period_key) for notice in due},
        last_inactivity_nudge_at=sent.last_inactivity_nudge_at,
    )

    again = enrolment_notices_due(facts, rules, logged, now=now, tz=tz)

    assert not {notice.kind for notice in again} & {notice.kind for notice in due}


def simulate(
    facts: EnrolmentFacts,
    rules: ReminderSettings,
    times: list[dt.datetime],
    tz: ZoneInfo,
) -> list[tuple[dt.datetime, Due]]:
    """Scan at each time, recording what is sent as the scan would."""
    sent = SentLog()
    out = []
    for now in times:
        for notice in enrolment_notices_due(facts, rules, sent, now=now, tz=tz):
            out.append((now, notice))
            sent = SentLog(
                keys=sent.keys | {(notice.kind.value, notice.period_key)},
                last_inactivity_nudge_at=now
                if notice.kind == Kind.INACTIVITY
                else sent.last_inactivity_nudge_at,
            )
    return out


@settings(deadline=None)
@given(
    facts=enrolment_facts(active_only=True),
    rules=rule_sets,
    tz=zones,
    fractions=st.lists(st.floats(0, 1), max_size=80),
)
def test_scans_at_any_times_send_each_notice_at_most_once(facts, rules, tz, fractions):
    span = facts.ends_at - facts.registered_at
    times = [facts.registered_at + span * f for f in sorted(fractions)]

    sent = simulate(facts, rules, times, tz)

    pairs = [(notice.kind, notice.period_key) for _, notice in sent]
    assert len(pairs) == len(set(pairs))
    summative = [n for _, n in sent if n.kind == Kind.SUMMATIVE_DUE]
    assert len(summative) <= len(clean_offsets(rules.due_offsets_days))
    end = [n for _, n in sent if n.kind == Kind.END_DATE]
    assert len(end) <= len(clean_offsets(rules.end_offsets_days))
    # Nearest first never happens: each later reminder is nearer the date.
    for reminders in (summative, end):
        days = [int(n.period_key.split("d:")[0]) for n in reminders]
        assert days == sorted(days, reverse=True)
    nudges = [at for at, n in sent if n.kind == Kind.INACTIVITY]
    assert all(b - a >= WEEK for a, b in zip(nudges, nudges[1:], strict=False))
    assert all(at < facts.ends_at for at in nudges)


@settings(deadline=None, max_examples=60)
@given(
    facts=enrolment_facts(active_only=True),
    rules=rule_sets,
    tz=zones,
)
@example(
    facts=dataclasses.replace(FACTS, route="plar"),
    rules=DEFAULTS,
    tz=TORONTO,
)
def test_regular_scans_send_every_threshold_after_registration_exactly_once(
    facts, rules, tz
):
    facts = dataclasses.replace(
        facts, attempt_1_submitted=False, awaiting_feedback=False, passed=False
    )
    step = 6 * HOUR
    times = []
    now = facts.registered_at
    while now <= facts.ends_at:
        times.append(now)
        now += step

    sent = simulate(facts, rules, times, tz)

    for kind, target, offsets in (
        (Kind.SUMMATIVE_DUE, facts.summative_due_at, rules.due_offsets_days),
        (Kind.END_DATE, facts.ends_at, rules.end_offsets_days),
    ):
        expected = {
            key(days, target): days_before(target, days, tz)
            for days in offsets
            if days_before(target, days, tz) >= facts.registered_at
        }
        got = {n.period_key: (at, n) for at, n in sent if n.kind == kind}
        assert set(got) == set(expected)
        for period_key, (at, notice) in got.items():
            assert notice.due_at == expected[period_key]
            assert notice.due_at <= at < notice.due_at + step


@settings(deadline=None)
@given(target=instants, days=st.integers(1, MAX_OFFSET_DAYS), tz=zones)
@example(target=toronto(2027, 3, 21, 2, 30).astimezone(UTC), days=7, tz=TORONTO)
@example(target=toronto(2027, 11, 14, 1, 30).astimezone(UTC), days=7, tz=TORONTO)
def test_days_before_is_that_many_calendar_days_earlier_at_the_same_time(
    target, days, tz
):
    threshold = days_before(target, days, tz)

    expected = wall(target, tz) - days * DAY
    if exists(expected, tz):
        assert wall(threshold, tz) == expected
    else:
        # A time the clocks skip is read with the offset before the change:
        # it lands as far past the gap's start as it was into the gap.
        before = expected.replace(tzinfo=tz, fold=0).utcoffset()
        after = expected.replace(tzinfo=tz, fold=1).utcoffset()
        assert wall(threshold, tz) == expected + (after - before)
    if days > 1:
        assert threshold < days_before(target, days - 1, tz)  # nearer, later
    assert threshold < target
    assert threshold.tzinfo is UTC


def test_a_scheduled_cohort_learner_is_not_nudged_before_the_cohort_starts():
    tz = ZoneInfo("America/Toronto")
    registered = dt.datetime(2027, 1, 4, 9, 0, tzinfo=tz)
    starts = dt.datetime(2027, 2, 1, 0, 0, tzinfo=tz)
    facts = EnrolmentFacts(
        status="active",
        route="course",
        registered_at=registered,
        summative_due_at=dt.datetime(2027, 3, 1, 23, 59, 59, tzinfo=tz),
        ends_at=dt.datetime(2027, 3, 15, 23, 59, 59, tzinfo=tz),
        starts_at=starts,
    )
    rules = ReminderSettings(inactivity_days=7)

    def nudges(now):
        return [
            d
            for d in enrolment_notices_due(facts, rules, SentLog(), now=now, tz=tz)
            if d.kind == Kind.INACTIVITY
        ]

    assert nudges(registered + dt.timedelta(days=20)) == []
    assert nudges(starts + dt.timedelta(days=7) - dt.timedelta(seconds=1)) == []
    assert len(nudges(starts + dt.timedelta(days=7))) == 1
