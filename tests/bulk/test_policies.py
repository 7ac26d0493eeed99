"""Row validation for bulk issuance: every error named, with its column and
value; already-held rows skipped; duplicates caught; never a crash on any text."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bulk import policies
from bulk.policies import AchievementFacts, RowOutcome

TODAY = dt.date(2026, 5, 15)
ACHIEVEMENTS = {
    "DATA-101": AchievementFacts("DATA-101", 1, dt.date(2024, 1, 1)),
    "DATA-102": AchievementFacts("DATA-102", 2, dt.date(2025, 3, 1), 12),
    "ANALYTICS-CERT": AchievementFacts("ANALYTICS-CERT", 3, dt.date(2025, 9, 1)),
}
GOOD = {
    "email": "jane.doe@example.org",
    "legal_name": "Jane Doe",
    "achievement": "DATA-101",
    "issue_date": "2025-06-30",
    "expiry": "",
    "evidence": "",
    "route": "",
}


def row(**changes: str) -> dict[str, str]:
    return GOOD | changes


def decide(cells: dict[str, str], holdings=frozenset(), achievements=None):
    return policies.validate_row(
        cells,
        line=2,
        achievements=ACHIEVEMENTS if achievements is None else achievements,
        holdings=holdings,
        today=TODAY,
    )


def test_a_good_row_will_issue_with_its_values_cleaned():
    decision = decide(
        row(
            email="  Jane.Doe@Example.ORG ",
            legal_name="  Jane   Doe ",
            achievement="data-101",
            evidence="Portfolio reviewed by the panel.",
            route="PLAR",
        )
    )

    assert decision.outcome is RowOutcome.ISSUE
    assert decision.messages == ()
    assert decision.values == policies.CleanRow(
        email="jane.doe@example.org",
        legal_name="Jane Doe",
        achievement=ACHIEVEMENTS["DATA-101"],
        issue_date=dt.date(2025, 6, 30),
        expiry=None,
        expires_on=None,
        evidence_narrative="Portfolio reviewed by the panel.",
        evidence_url="",
        route="plar",
    )
    assert decision.key == ("jane.doe@example.org", "DATA-101")


@pytest.mark.parametrize(
    ("changes", "column", "says"),
    [
        ({"email": ""}, "email", "is empty"),
        ({"email": "   "}, "email", "is empty"),
        ({"email": "jane@"}, "email", "“jane@” is not a valid e-mail address"),
        ({"email": "jane.example.org"}, "email", "not a valid e-mail address"),
        ({"email": "jane@example,org"}, "email", "not a valid e-mail address"),
        ({"email": "Jane <jane@example.org>"}, "email", "not a valid e-mail"),
        ({"email": "a" * 250 + "@example.org"}, "email", "262 characters long"),
        ({"legal_name": ""}, "legal_name", "is empty"),
        ({"legal_name": "x" * 201}, "legal_name", "201 characters long"),
        ({"legal_name": "jane@example.org"}, "legal_name", "looks like an e-mail"),
        ({"achievement": ""}, "achievement", "is empty"),
        ({"achievement": "HIST-900"}, "achievement", "no achievement has the code"),
        ({"achievement": "DTA-101"}, "achievement", "Did you mean DATA-101"),
        ({"issue_date": ""}, "issue_date", "is empty"),
        ({"issue_date": "30/06/2025"}, "issue_date", "“30/06/2025” is not a date"),
        ({"issue_date": "2025-02-30"}, "issue_date", "written YYYY-MM-DD"),
        ({"issue_date": "20250630"}, "issue_date", "written YYYY-MM-DD"),
        ({"issue_date": "2025-06-30T10:00"}, "issue_date", "written YYYY-MM-DD"),
        ({"issue_date": "２０２５-06-30"}, "issue_date", "written YYYY-MM-DD"),
        ({"issue_date": "2026-05-16"}, "issue_date", "2026-05-16 is in the future"),
        ({"issue_date": "2023-12-31"}, "issue_date", "before DATA-101 existed"),
        ({"expiry": "2026-13-01"}, "expiry", "“2026-13-01” is not a date"),
        ({"expiry": "2025-06-30"}, "expiry", "is not after the issue date"),
        ({"expiry": "2025-01-01"}, "expiry", "is not after the issue date"),
        ({"evidence": "x" * 2001}, "evidence", "2001 characters long"),
        ({"evidence": "ftp://example.org/p"}, "evidence", "starting with https://"),
        ({"evidence": "www.example.org/p"}, "evidence", "starting with https://"),
        ({"evidence": "https://exa mple.org"}, "evidence", "not a valid web address"),
        ({"evidence": "https://"}, "evidence", "not a valid web address"),
        ({"route": "elsewhere"}, "route", "“elsewhere” is not a route"),
        ({"route": "credit"}, "route", "course, plar or recognised"),
        ({"email": "jane@example.org\x07"}, "email", "control character (U+0007)"),
        ({"legal_name": "Jane\x00Doe"}, "legal_name", "(U+0000) at position 5"),
        ({"legal_name": "Jane\nDoe"}, "legal_name", "control character (U+000A)"),
        ({"legal_name": "Jane\ud800"}, "legal_name", "(U+D800)"),
        ({"achievement": "DATA-101\x1b"}, "achievement", "control character"),
        ({"issue_date": "2025-06-30\x0b"}, "issue_date", "control character"),
        ({"expiry": "\x85"}, "expiry", "control character (U+0085)"),
        ({"evidence": "Reviewed\x00"}, "evidence", "control character"),
        ({"route": "plar\x7f"}, "route", "control character (U+007F)"),
    ],
)
def test_each_problem_is_an_error_naming_its_column_and_value(changes, column, says):
    decision = decide(row(**changes))

    assert decision.outcome is RowOutcome.ERROR
    assert decision.values is None
    assert len(decision.messages) == 1
    [message] = decision.messages
    assert message.column == column
    assert says in message.text
    assert decision.message.startswith(f"{column}: ")


@pytest.mark.parametrize(
    "changes",
    [
        {"issue_date": TODAY.isoformat()},  # today is not the future
        {"issue_date": "2024-01-01"},  # the day the achievement appeared
        {"expiry": "2025-07-01"},  # the day after the issue date
        {"legal_name": "x" * 200},
        {"evidence": "x" * 2000},
        {"evidence": "Observed on site.\r\n\tSigned by the assessor."},
        {"evidence": "HTTPS://portfolio.example.org/jane?tab=1#d101"},
        {"email": "o'brien+badges@sub.example.co.uk"},
        {"legal_name": "Zoë Ångström-Nuñez 李小龙"},
    ],
)
def test_rows_on_the_boundaries_will_issue(changes):
    assert decide(row(**changes)).outcome is RowOutcome.ISSUE


@pytest.mark.parametrize(
    ("typed", "route"),
    [
        ("", "recognised"),
        ("  ", "recognised"),
        ("course", "course"),
        ("Course", "course"),
        ("PLAR", "plar"),
        ("prior learning", "plar"),
        ("recognised", "recognised"),
        ("Recognized", "recognised"),
        ("recognised elsewhere", "recognised"),
        ("Recognised_Elsewhere", "recognised"),
    ],
)
def test_route_accepts_its_names_and_defaults_to_recognised(typed, route):
    assert decide(row(route=typed)).values.route == route


def test_routes_are_the_credential_routes():
    from credentials.models import Route

    assert set(policies.ROUTES) == set(Route.values)


def test_evidence_is_a_narrative_or_a_web_address():
    narrative = decide(row(evidence="  Assessed by portfolio.  ")).values
    link = decide(row(evidence=" https://portfolio.example.org/jane ")).values

    assert (narrative.evidence_narrative, narrative.evidence_url) == (
        "Assessed by portfolio.",
        "",
    )
    assert (link.evidence_narrative, link.evidence_url) == (
        "",
        "https://portfolio.example.org/jane",
    )


def test_a_row_with_many_problems_reports_them_all():
    decision = decide(
        {
            "email": "jane@",
            "legal_name": "",
            "achievement": "DATA-999",
            "issue_date": "2030-01-01",
            "expiry": "2029-01-01",
            "evidence": "ftp://x",
            "route": "elsewhere",
        }
    )

    assert decision.outcome is RowOutcome.ERROR
    assert [m.column for m in decision.messages] == [
        "email",
        "legal_name",
        "achievement",
        "issue_date",
        "expiry",
        "evidence",
        "route",
    ]


def test_missing_keys_read_as_empty_cells():
    decision = decide({"email": "jane@example.org"})

    assert decision.outcome is RowOutcome.ERROR
    assert {m.column for m in decision.messages} == {
        "legal_name",
        "achievement",
        "issue_date",
    }


def test_a_recipient_who_already_holds_it_will_be_skipped_not_refused():
    holdings = {("jane.doe@example.org", "DATA-101")}

    decision = decide(row(email="JANE.DOE@example.org "), holdings=holdings)

    assert decision.outcome is RowOutcome.SKIP
    assert "already holds DATA-101" in decision.message
    assert decision.values is not None


def test_holding_another_achievement_does_not_skip():
    holdings = {("jane.doe@example.org", "DATA-102")}

    assert decide(row(), holdings=holdings).outcome is RowOutcome.ISSUE


def test_an_error_beats_a_holding():
    holdings = {("jane.doe@example.org", "DATA-101")}

    decision = decide(row(issue_date="2030-01-01"), holdings=holdings)

    assert decision.outcome is RowOutcome.ERROR


def test_expiry_follows_the_renewal_policy_when_the_file_gives_none():
    decision = decide(row(achievement="DATA-102", issue_date="2025-08-31"))

    assert decision.values.expiry is None
    assert decision.values.expires_on == dt.date(2026, 8, 31)
    assert decision.messages == ()


def test_an_expiry_in_the_file_beats_the_renewal_policy():
    decision = decide(
        row(achievement="DATA-102", issue_date="2025-08-31", expiry="2030-01-01")
    )

    assert decision.values.expires_on == dt.date(2030, 1, 1)


def test_a_back_dated_credential_already_expired_will_issue_with_a_note():
    decision = decide(row(achievement="DATA-102", issue_date="2025-03-31"))

    assert decision.outcome is RowOutcome.ISSUE
    assert decision.values.expires_on == dt.date(2026, 3, 31)
    assert "expired on 2026-03-31" in decision.message


def test_codes_match_exactly_first_then_ignoring_case():
    achievements = {
        "ab-1": AchievementFacts("ab-1", 1, dt.date(2020, 1, 1)),
        "AB-1": AchievementFacts("AB-1", 2, dt.date(2020, 1, 1)),
    }

    exact = decide(row(achievement="ab-1"), achievements=achievements)
    unclear = decide(row(achievement="Ab-1"), achievements=achievements)

    assert exact.values.achievement.achievement_id == 1
    assert unclear.outcome is RowOutcome.ERROR
    assert "matches several codes" in unclear.message
    assert "ab-1, AB-1" in unclear.message


def test_long_values_are_shortened_in_messages():
    decision = decide(row(email="x" * 100 + "@"))

    assert "x" * 59 + "…" in decision.message
    assert "x" * 61 not in decision.message


# Files of rows


def test_a_second_row_for_the_same_email_and_achievement_is_a_duplicate():
    rows = [
        row(),
        row(email="sam@example.org", legal_name="Sam Lee"),
        row(email="JANE.DOE@example.org", issue_date="2025-07-01"),
        row(achievement="DATA-102"),  # same person, another achievement: fine
        row(),
    ]

    decisions = policies.validate_rows(
        rows, achievements=ACHIEVEMENTS, holdings=set(), today=TODAY
    )

    assert [d.line for d in decisions] == [2, 3, 4, 5, 6]
    assert [d.outcome for d in decisions] == [
        RowOutcome.ISSUE,
        RowOutcome.ISSUE,
        RowOutcome.ERROR,
        RowOutcome.ISSUE,
        RowOutcome.ERROR,
    ]
    assert decisions[2].message.startswith("Duplicate of line 2")
    assert decisions[4].message.startswith("Duplicate of line 2")
    assert decisions[2].values is None


def test_a_duplicate_keeps_its_own_errors_and_uses_the_given_line_numbers():
    rows = [row(), row(issue_date="yesterday")]

    decisions = policies.validate_rows(
        rows,
        achievements=ACHIEVEMENTS,
        holdings=set(),
        today=TODAY,
        lines=[7, 10],
    )

    assert decisions[1].line == 10
    assert decisions[1].message.startswith("Duplicate of line 7")
    assert [m.column for m in decisions[1].messages] == [None, "issue_date"]


def test_a_duplicate_of_a_held_credential_is_still_a_duplicate():
    holdings = {("jane.doe@example.org", "DATA-101")}

    decisions = policies.validate_rows(
        [row(), row()], achievements=ACHIEVEMENTS, holdings=holdings, today=TODAY
    )

    assert [d.outcome for d in decisions] == [RowOutcome.SKIP, RowOutcome.ERROR]


def test_rows_without_a_valid_email_are_not_compared_as_duplicates():
    decisions = policies.validate_rows(
        [row(email="jane@"), row(email="jane@")],
        achievements=ACHIEVEMENTS,
        holdings=set(),
        today=TODAY,
    )

    assert all("Duplicate" not in d.message for d in decisions)


def test_line_numbers_must_match_the_rows():
    with pytest.raises(ValueError, match="zip"):
        policies.validate_rows(
            [row(), row()],
            achievements=ACHIEVEMENTS,
            holdings=set(),
            today=TODAY,
            lines=[2],
        )


def test_summary_counts_rows_by_outcome():
    rows = [
        row(),
        row(email="sam@example.org"),
        row(email="held@example.org"),
        row(email="bad@"),
        row(),
    ]
    decisions = policies.validate_rows(
        rows,
        achievements=ACHIEVEMENTS,
        holdings={("held@example.org", "DATA-101")},
        today=TODAY,
    )

    summary = policies.summarise(decisions)

    assert summary == policies.Summary(issue=2, skip=1, error=2)
    assert summary.total == 5


def test_outcomes_have_labels_for_people():
    assert [o.label for o in RowOutcome] == ["will issue", "will skip", "error"]


def test_the_columns_are_documented_in_template_order():
    assert policies.COLUMN_NAMES == (
        "email",
        "legal_name",
        "achievement",
        "issue_date",
        "expiry",
        "evidence",
        "route",
    )
    assert policies.REQUIRED_COLUMNS == (
        "email",
        "legal_name",
        "achievement",
        "issue_date",
    )
    assert all(str(column.description) for column in policies.COLUMNS)


def test_twenty_thousand_rows_with_many_unknown_codes_validate_in_one_pass():
    """A sanity run, not a timing: linear work, suggestions looked up once."""
    achievements = {
        f"C-{n:04d}": AchievementFacts(f"C-{n:04d}", n, dt.date(2020, 1, 1))
        for n in range(500)
    }
    rows = []
    for n in range(20_000):
        cells = row(
            email=f"learner{n % 15_000}@example.org",
            achievement=f"C-{n % 500:04d}",
        )
        if n % 10 == 0:
            cells["achievement"] = f"UNKNOWN-{n}"
        rows.append(cells)

    decisions = policies.validate_rows(
        rows,
        achievements=policies.AchievementIndex(achievements),
        holdings={("learner1@example.org", "C-0001")},
        today=TODAY,
    )
    summary = policies.summarise(decisions)

    assert summary.total == 20_000
    assert summary.skip == 1
    assert summary.error == 2_000 + 4_500  # unknown codes, then repeats


# Arbitrary input

hostile_text = st.one_of(
    st.text(),
    st.text(st.characters(exclude_categories=())),  # surrogates, controls, all
    st.sampled_from(
        [
            "jane.doe@example.org",
            "Jane Doe",
            "DATA-101",
            "data-102",
            "2025-06-30",
            "2026-05-16",
            '=HYPERLINK("http://x")',
            "https://example.org/p",
            "recognised",
        ]
    ),
)
rows_of_text = st.fixed_dictionaries(
    {}, optional=dict.fromkeys(policies.COLUMN_NAMES, hostile_text)
)


@given(cells=rows_of_text)
def test_any_text_in_any_cell_gets_an_outcome_and_errors_say_why(cells):
    decision = decide(cells)

    assert decision.outcome in RowOutcome
    if decision.outcome is RowOutcome.ERROR:
        assert decision.messages
        assert decision.values is None
        for message in decision.messages:
            assert message.column in policies.COLUMN_NAMES
            assert message.text.strip()
            assert str(message).startswith(f"{message.column}: ")
    else:
        assert decision.values is not None
        assert decision.values.issue_date <= TODAY
        assert decision.values.legal_name
        assert "@" in decision.values.email


@given(rows=st.lists(rows_of_text, max_size=20))
def test_any_file_gets_one_decision_per_row(rows):
    decisions = policies.validate_rows(
        rows, achievements=ACHIEVEMENTS, holdings=set(), today=TODAY
    )

    assert [d.line for d in decisions] == list(range(2, len(rows) + 2))
    assert policies.summarise(decisions).total == len(rows)


@given(
    issued=st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2100, 1, 1)),
    today=st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2100, 1, 1)),
)
def test_an_issue_date_is_accepted_from_the_achievement_until_today(issued, today):
    decision = policies.validate_row(
        row(issue_date=issued.isoformat()),
        line=2,
        achievements=ACHIEVEMENTS,
        holdings=set(),
        today=today,
    )

    accepted = dt.date(2024, 1, 1) <= issued <= today
    assert (decision.outcome is RowOutcome.ISSUE) == accepted


# --- a running job's progress -----------------------------------------------------

STARTED = dt.datetime(2026, 5, 15, 12, 0, tzinfo=dt.UTC)


def test_progress_gives_the_share_done_the_rate_and_the_seconds_left():
    now = STARTED + dt.timedelta(seconds=20)
    assert policies.progress(100, 40, STARTED, now) == (40, 2.0, 30)


def test_progress_rounds_the_seconds_left_up_and_the_percent_down():
    now = STARTED + dt.timedelta(seconds=10)
    percent, rate, left = policies.progress(3, 1, STARTED, now)
    assert (percent, left) == (33, 20)
    assert rate == pytest.approx(0.1)


@pytest.mark.parametrize(
    ("done", "started_at", "seconds"), [(0, STARTED, 5), (5, None, 5), (5, STARTED, 0)]
)
def test_progress_has_no_estimate_before_anything_is_done_or_time_passed(
    done, started_at, seconds
):
    now = STARTED + dt.timedelta(seconds=seconds)
    percent, rate, left = policies.progress(10, done, started_at, now)
    assert (rate, left) == (None, None)
    assert percent == 10 * done


def test_progress_never_goes_past_the_total():
    now = STARTED + dt.timedelta(seconds=1)
    assert policies.progress(4, 9, STARTED, now) == (100, 4.0, 0)
    assert policies.progress(0, 0, STARTED, now)[0] == 100
