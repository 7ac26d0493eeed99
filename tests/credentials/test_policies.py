"""The credential rules: validity, state, renewal, pathways, codes, identity."""

from __future__ import annotations

import datetime as dt
import hashlib
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from credentials import policies
from credentials.policies import CredentialState

UTC = dt.UTC
TORONTO = ZoneInfo("America/Toronto")


def at(*args: int, tz=UTC) -> dt.datetime:
    return dt.datetime(*args, tzinfo=tz)


@pytest.mark.parametrize(
    ("awarded", "months", "until"),
    [
        (at(2026, 1, 15, 10), 12, at(2027, 1, 15, 10)),
        (at(2026, 1, 31, 10), 1, at(2026, 2, 28, 10)),
        (at(2028, 1, 31, 10), 1, at(2028, 2, 29, 10)),  # leap year
        (at(2028, 2, 29, 10), 12, at(2029, 2, 28, 10)),
        (at(2026, 11, 30, 23, 59), 3, at(2027, 2, 28, 23, 59)),
        (at(2026, 12, 1), 1, at(2027, 1, 1)),
        (at(2026, 3, 1, 12, tz=TORONTO), 24, at(2028, 3, 1, 12, tz=TORONTO)),
    ],
)
def test_validity_runs_whole_months_clamped_to_the_end_of_the_month(
    awarded, months, until
):
    assert policies.validity(awarded_at=awarded, valid_for_months=months) == (
        policies.Validity(awarded, until)
    )


def test_no_renewal_policy_means_no_expiry():
    awarded = at(2026, 5, 1)
    assert policies.validity(awarded_at=awarded, valid_for_months=None) == (
        policies.Validity(awarded, None)
    )


@pytest.mark.parametrize("months", [0, -1])
def test_validity_refuses_empty_periods(months):
    with pytest.raises(ValueError, match="at least 1"):
        policies.validity(awarded_at=at(2026, 5, 1), valid_for_months=months)


def test_validity_refuses_a_naive_award_time():
    with pytest.raises(ValueError, match="aware"):
        policies.validity(awarded_at=dt.datetime(2026, 5, 1), valid_for_months=1)  # noqa: DTZ001


@given(
    awarded=st.datetimes(
        min_value=dt.datetime(2000, 1, 1),  # noqa: DTZ001
        max_value=dt.datetime(2090, 1, 1),  # noqa: DTZ001
        timezones=st.just(UTC),
    ),
    months=st.integers(min_value=1, max_value=240),
)
def test_validity_always_ends_after_it_starts_and_keeps_the_time_of_day(
    awarded, months
):
    period = policies.validity(awarded_at=awarded, valid_for_months=months)
    assert period.valid_until > period.valid_from
    assert period.valid_until.time() == awarded.time()
    month_index = awarded.year * 12 + awarded.month - 1 + months
    assert period.valid_until.year * 12 + period.valid_until.month - 1 == month_index


UNTIL = at(2027, 6, 30, 12)


@pytest.mark.parametrize(
    ("revoked", "superseded", "until", "now", "state"),
    [
        (False, False, None, at(2090, 1, 1), CredentialState.VALID),
        (False, False, UNTIL, UNTIL - dt.timedelta(seconds=1), CredentialState.VALID),
        (False, False, UNTIL, UNTIL, CredentialState.EXPIRED),
        (False, False, UNTIL, UNTIL + dt.timedelta(days=1), CredentialState.EXPIRED),
        (True, False, None, at(2026, 1, 1), CredentialState.REVOKED),
        (True, False, UNTIL, UNTIL + dt.timedelta(days=1), CredentialState.REVOKED),
        (False, True, UNTIL, at(2026, 1, 1), CredentialState.SUPERSEDED),
        (True, True, UNTIL, at(2026, 1, 1), CredentialState.REVOKED),
    ],
)
def test_state_is_revoked_then_superseded_then_expired_then_valid(
    revoked, superseded, until, now, state
):
    assert (
        policies.credential_state(
            revoked=revoked, superseded=superseded, valid_until=until, now=now
        )
        is state
    )


@pytest.mark.parametrize(
    ("revoked", "until", "now", "allowed"),
    [
        (False, None, at(2030, 1, 1), False),  # never expires: nothing to renew
        (False, UNTIL, UNTIL - dt.timedelta(days=90, seconds=1), False),
        (False, UNTIL, UNTIL - dt.timedelta(days=90), True),  # window opens
        (False, UNTIL, UNTIL - dt.timedelta(days=1), True),
        (False, UNTIL, UNTIL + dt.timedelta(days=400), True),  # lapsed: still
        (True, UNTIL, UNTIL - dt.timedelta(days=1), False),  # revoked: never
    ],
)
def test_renewal_opens_inside_the_window_before_expiry(revoked, until, now, allowed):
    assert (
        policies.may_renew(
            revoked=revoked, valid_until=until, renewal_window_days=90, now=now
        )
        is allowed
    )


@pytest.mark.parametrize(
    ("requirement", "count", "members", "held", "earned"),
    [
        ("all", None, {1, 2, 3}, {1, 2, 3}, True),
        ("all", None, {1, 2, 3}, {1, 2}, False),
        ("all", None, {1, 2, 3}, {1, 2, 3, 9}, True),  # other courses don't matter
        ("all", None, set(), {1}, False),  # an empty pathway is never earned
        ("n_of_m", 2, {1, 2, 3}, {3}, False),
        ("n_of_m", 2, {1, 2, 3}, {1, 3}, True),
        ("n_of_m", 2, {1, 2, 3}, {1, 9, 10}, False),
        ("n_of_m", None, {1, 2, 3}, {1, 2, 3}, False),
    ],
)
def test_a_pathway_is_earned_by_all_or_n_of_its_microcredentials(
    requirement, count, members, held, earned
):
    assert (
        policies.pathway_earned(
            requirement=requirement,
            required_count=count,
            member_ids=members,
            held_ids=held,
        )
        is earned
    )


def test_an_unknown_pathway_requirement_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown"):
        policies.pathway_earned(
            requirement="some", required_count=1, member_ids={1}, held_ids={1}
        )


def test_verification_codes_are_ten_unambiguous_characters():
    codes = {policies.new_verification_code() for _ in range(500)}
    assert len(codes) == 500
    for code in codes:
        assert len(code) == 10
        assert set(code) <= set(policies.CODE_ALPHABET)
        assert not set(code) & set("ILOU")


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("7K4P9QXR2H", "7K4P9QXR2H"),
        ("7k4p-9qxr-2h", "7K4P9QXR2H"),
        (" 7K4P 9QXR 2H ", "7K4P9QXR2H"),
        ("7K4P9QXRZO", "7K4P9QXRZ0"),  # O read as zero
        ("IL4P9QXR2H", "114P9QXR2H"),  # I and L read as one
        ("7K4P9QXR2", None),  # too short
        ("7K4P9QXR2HH", None),  # too long
        ("7K4P9QXR2U", None),  # U is not in the alphabet
        ("<script>", None),
        ("", None),
    ],
)
def test_typed_codes_are_read_forgivingly_or_refused(typed, code):
    assert policies.normalise_verification_code(typed) == code


@given(st.text(alphabet=policies.CODE_ALPHABET, min_size=10, max_size=10))
def test_a_formatted_code_reads_back_as_itself(code):
    formatted = policies.format_verification_code(code)
    assert formatted.count("-") == 2
    assert policies.normalise_verification_code(formatted) == code


def test_the_identity_hash_is_salted_sha256_of_the_normalised_email():
    expected = hashlib.sha256(b"ada@example.org" + b"pepper").hexdigest()
    assert policies.identity_hash(" Ada@Example.org ", "pepper") == (
        f"sha256${expected}"
    )
    assert policies.identity_hash("ada@example.org", "salt") != (
        policies.identity_hash("ada@example.org", "pepper")
    )
