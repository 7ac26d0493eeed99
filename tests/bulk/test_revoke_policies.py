"""The rules of a bulk revocation row, without the database: what a value
may look like, and what happens to an active, revoked, superseded, unknown or
repeated credential."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bulk.revoke_policies import (
    ACTIVE,
    REVOKED,
    SUPERSEDED,
    FoundCredential,
    RevokeOutcome,
    decide_row,
    decide_rows,
    lookup_key,
    lookup_keys,
    summarise,
)
from credentials.policies import (
    CODE_ALPHABET,
    CODE_LENGTH,
    format_verification_code,
    normalise_verification_code,
)

ACTIVE_ID = uuid.UUID("3f1c2a9e-5b7d-4e8a-9c0f-1a2b3c4d5e6f")
REVOKED_ID = uuid.UUID("0b5e7c1d-2f3a-4b6c-8d9e-0f1a2b3c4d5e")
SUPERSEDED_ID = uuid.UUID("9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d")


def found(credential_id, code, status=ACTIVE, **kwargs) -> FoundCredential:
    return FoundCredential(
        credential_id=credential_id,
        verification_code=code,
        status=status,
        email=f"{code.lower()}@example.org",
        legal_name="Ada Lovelace",
        achievement_code="DATA-101",
        **kwargs,
    )


CREDENTIALS = (
    found(ACTIVE_ID, "7K4P9QXR2H"),
    found(REVOKED_ID, "A1B2C3D4E5", REVOKED, revoked_on=dt.date(2026, 3, 1)),
    found(SUPERSEDED_ID, "ZZZZ0000YY", SUPERSEDED, replaced_by_code="NEWC0DE123"),
)
LOOKUP = {
    key: credential
    for credential in CREDENTIALS
    for key in (str(credential.credential_id), credential.verification_code)
}


def decide(value: str, code: str = "", line: int = 2):
    return decide_row(value, code, line=line, lookup=LOOKUP)


# What a value may look like


@pytest.mark.parametrize(
    ("value", "key"),
    [
        ("3f1c2a9e-5b7d-4e8a-9c0f-1a2b3c4d5e6f", str(ACTIVE_ID)),
        ("3F1C2A9E-5B7D-4E8A-9C0F-1A2B3C4D5E6F", str(ACTIVE_ID)),
        ("3f1c2a9e5b7d4e8a9c0f1a2b3c4d5e6f", str(ACTIVE_ID)),
        ("{3f1c2a9e-5b7d-4e8a-9c0f-1a2b3c4d5e6f}", str(ACTIVE_ID)),
        ("urn:uuid:3f1c2a9e-5b7d-4e8a-9c0f-1a2b3c4d5e6f", str(ACTIVE_ID)),
        ("  3f1c2a9e-5b7d-4e8a-9c0f-1a2b3c4d5e6f\t", str(ACTIVE_ID)),
        (
            "https://microcred.example.org/credentials/"
            "3f1c2a9e-5b7d-4e8a-9c0f-1a2b3c4d5e6f",
            str(ACTIVE_ID),
        ),
        ("7K4P-9QXR-2H", "7K4P9QXR2H"),
        ("7K4P9QXR2H", "7K4P9QXR2H"),
        ("7k4p-9qxr-2h", "7K4P9QXR2H"),
        ("7K4P 9QXR 2H", "7K4P9QXR2H"),
        ("7K4P\u20119QXR\u20132H", "7K4P9QXR2H"),  # non-breaking hyphen, en dash
        ("7K4P\u00a09QXR\u00a02H", "7K4P9QXR2H"),  # non-breaking spaces
        ("\uff17\uff2b\uff14\uff30-9QXR-2H", "7K4P9QXR2H"),  # full-width
        ("A1B2-C3D4-E5", "A1B2C3D4E5"),
        ("ZZZZ-OOOO-YY", "ZZZZ0000YY"),  # O read as zero
        ("", None),
        ("   ", None),
        ("7K4P-9QXR", None),  # too short
        ("7K4P-9QXR-2H-9", None),  # too long
        ("7K4P-9QXR-2U", None),  # U is not in the alphabet
        ("ada@example.org", None),
        ("DATA-101", None),
        ("3f1c2a9e-5b7d-4e8a-9c0f-1a2b3c4d5e6", None),  # one digit short
        ("https://example.org/nothing-here", None),
        ('=HYPERLINK("x")', None),
    ],
)
def test_a_value_names_a_credential_by_id_or_by_code_as_printed(value, key):
    assert lookup_key(value) == key


def test_the_keys_to_look_up_are_split_into_ids_and_codes():
    ids, codes = lookup_keys(
        ["3F1C2A9E5B7D4E8A9C0F1A2B3C4D5E6F", "7k4p 9qxr 2h", "nonsense", ""]
    )

    assert ids == {str(ACTIVE_ID)}
    assert codes == {"7K4P9QXR2H"}


# What happens to a row


@pytest.mark.parametrize(
    ("value", "outcome", "message"),
    [
        (str(ACTIVE_ID), RevokeOutcome.REVOKE, ""),
        ("7K4P-9QXR-2H", RevokeOutcome.REVOKE, ""),
        ("7k4p9qxr2h", RevokeOutcome.REVOKE, ""),
        (str(REVOKED_ID), RevokeOutcome.SKIP, "Already revoked on 2026-03-01"),
        ("a1b2 c3d4 e5", RevokeOutcome.SKIP, "Already revoked on 2026-03-01"),
        (
            str(SUPERSEDED_ID),
            RevokeOutcome.SKIP,
            "Superseded by a corrected credential (verification code NEWC-0DE1-23)",
        ),
        ("", RevokeOutcome.ERROR, "Empty: give the credential's id"),
        ("DATA-101", RevokeOutcome.ERROR, "“DATA-101” is not a credential id"),
        (
            "QQQQ-QQQQ-QQ",
            RevokeOutcome.ERROR,
            "No credential has the verification code QQQQ-QQQQ-QQ",
        ),
        (
            "00000000-0000-4000-8000-000000000000",
            RevokeOutcome.ERROR,
            "No credential has the id 00000000-0000-4000-8000-000000000000",
        ),
    ],
)
def test_each_row_is_decided_with_a_message_to_act_on(value, outcome, message):
    decision = decide(value)

    assert decision.outcome is outcome
    assert message in decision.message
    assert decision.reference == value.strip()
    if outcome is RevokeOutcome.ERROR:
        assert decision.found is None
    else:
        assert decision.found is not None


def test_the_labels_of_the_outcomes_are_those_the_report_shows():
    assert [outcome.label for outcome in RevokeOutcome] == [
        "will revoke",
        "will skip",
        "error",
    ]


def test_a_credential_revoked_without_a_date_is_still_a_skip():
    credential = found(REVOKED_ID, "A1B2C3D4E5", REVOKED)

    decision = decide_row("A1B2C3D4E5", line=2, lookup={"A1B2C3D4E5": credential})

    assert decision.outcome is RevokeOutcome.SKIP
    assert decision.message == "Already revoked; nothing to do."


def test_a_superseded_credential_without_its_replacement_is_a_skip():
    credential = found(SUPERSEDED_ID, "ZZZZ0000YY", SUPERSEDED)

    decision = decide_row("ZZZZ0000YY", line=2, lookup={"ZZZZ0000YY": credential})

    assert decision.outcome is RevokeOutcome.SKIP
    assert decision.message == "Superseded by a corrected credential; nothing to do."


@pytest.mark.parametrize(
    ("credential", "code", "outcome"),
    [
        (str(ACTIVE_ID), "7K4P-9QXR-2H", RevokeOutcome.REVOKE),  # the same one
        ("", "7K4P-9QXR-2H", RevokeOutcome.REVOKE),  # the code alone
        (str(ACTIVE_ID), "", RevokeOutcome.REVOKE),  # the id alone
        (str(ACTIVE_ID), "A1B2-C3D4-E5", RevokeOutcome.ERROR),  # two credentials
        (str(ACTIVE_ID), "not a code", RevokeOutcome.ERROR),
        (str(ACTIVE_ID), "QQQQ-QQQQ-QQ", RevokeOutcome.ERROR),  # unknown code
    ],
)
def test_a_row_with_an_id_and_a_code_needs_both_to_name_one_credential(
    credential, code, outcome
):
    decision = decide(credential, code)

    assert decision.outcome is outcome
    assert decision.reference == (credential or code)


def test_two_different_credentials_in_one_row_are_named_in_the_message():
    decision = decide(str(ACTIVE_ID), "A1B2-C3D4-E5")

    assert "two different credentials" in decision.message
    assert "A1B2-C3D4-E5" in decision.message


def test_a_long_value_is_cut_to_fit_the_stored_reference_and_the_message():
    value = "x" * 500

    decision = decide(value)

    assert decision.outcome is RevokeOutcome.ERROR
    assert len(decision.reference) == 64
    assert len(decision.message) < 300


def test_a_credential_listed_twice_by_id_and_by_code_is_an_error_on_the_second():
    decisions = decide_rows(
        [
            str(ACTIVE_ID),
            "7k4p-9qxr-2h",
            str(REVOKED_ID),
            "A1B2C3D4E5",
            "nonsense",
            "nonsense",
        ],
        lookup=LOOKUP,
    )

    assert [d.line for d in decisions] == [2, 3, 4, 5, 6, 7]
    assert [d.outcome for d in decisions] == [
        RevokeOutcome.REVOKE,
        RevokeOutcome.ERROR,
        RevokeOutcome.SKIP,
        RevokeOutcome.ERROR,
        RevokeOutcome.ERROR,
        RevokeOutcome.ERROR,
    ]
    assert decisions[1].message == (
        "Listed twice: line 2 names the same credential; only line 2 is used."
    )
    assert "line 4" in decisions[3].message
    # The report still says whose credential the repeated row named.
    assert decisions[1].found is not None
    assert decisions[1].found.credential_id == ACTIVE_ID
    # Values that name nothing are not "the same credential".
    assert "not a credential id" in decisions[5].message
    assert summarise(decisions).revoke == 1
    assert summarise(decisions).skip == 1
    assert summarise(decisions).error == 4
    assert summarise(decisions).total == 6


def test_rows_keep_the_line_numbers_the_file_gave_them():
    decisions = decide_rows(
        [(str(ACTIVE_ID), ""), ("", "A1B2-C3D4-E5")], lookup=LOOKUP, lines=[5, 9]
    )

    assert [(d.line, d.outcome) for d in decisions] == [
        (5, RevokeOutcome.REVOKE),
        (9, RevokeOutcome.SKIP),
    ]


# Properties

codes = st.text(alphabet=CODE_ALPHABET, min_size=CODE_LENGTH, max_size=CODE_LENGTH)


@st.composite
def printed(draw, code: str) -> str:
    """A code as a person may type it: dashes or spaces anywhere, any case."""
    separators = st.sampled_from(["", "", "-", " ", "\u2011", "\u00a0"])
    text = "".join(draw(separators) + ch for ch in code) + draw(separators)
    return draw(st.sampled_from([text, text.lower(), text.upper()]))


@given(data=st.data(), code=codes)
def test_a_code_typed_any_way_names_the_same_credential(data, code):
    typed = data.draw(printed(code))

    assert lookup_key(typed) == code
    assert lookup_key(format_verification_code(code)) == code


@given(credential_id=st.uuids())
def test_an_id_written_any_way_names_the_same_credential(credential_id):
    for text in (
        str(credential_id),
        str(credential_id).upper(),
        credential_id.hex,
        f"urn:uuid:{credential_id}",
        f"https://example.org/credentials/{credential_id}",
    ):
        assert lookup_key(text) == str(credential_id)


@given(value=st.text(max_size=80))
def test_any_text_is_decided_and_never_raises(value):
    decision = decide(value)

    assert decision.outcome in RevokeOutcome
    assert len(decision.reference) <= 64
    key = lookup_key(value)
    if key is None:
        assert decision.outcome is RevokeOutcome.ERROR
    else:
        assert len(key) == 36 or normalise_verification_code(key) == key


credentials = st.builds(
    found,
    credential_id=st.uuids(),
    code=codes,
    status=st.sampled_from([ACTIVE, REVOKED, SUPERSEDED]),
)


@given(
    pool=st.lists(
        credentials, min_size=1, max_size=8, unique_by=lambda c: c.credential_id
    ),
    data=st.data(),
)
def test_a_file_revokes_each_active_credential_at_most_once_and_only_those(pool, data):
    by_code = {c.verification_code: c for c in pool}
    pool = list(by_code.values())  # two credentials never share a code
    lookup = {
        key: credential
        for credential in pool
        for key in (str(credential.credential_id), credential.verification_code)
    }
    rows = data.draw(
        st.lists(
            st.one_of(
                st.sampled_from(pool).map(lambda c: str(c.credential_id)),
                st.sampled_from(pool).flatmap(lambda c: printed(c.verification_code)),
                st.text(max_size=12),
            ),
            max_size=30,
        )
    )

    decisions = decide_rows(rows, lookup=lookup)

    assert len(decisions) == len(rows)
    revoked = [d.found.credential_id for d in decisions if d.outcome == "revoke"]
    assert len(revoked) == len(set(revoked))
    for decision in decisions:
        if decision.outcome is RevokeOutcome.REVOKE:
            assert decision.found.status == ACTIVE
        if decision.outcome is RevokeOutcome.SKIP:
            assert decision.found.status in (REVOKED, SUPERSEDED)
    # Every active credential the file names is revoked by its first row.
    named = {d.found.credential_id for d in decisions if d.found is not None}
    active = {c.credential_id for c in pool if c.status == ACTIVE}
    assert set(revoked) == named & active
    summary = summarise(decisions)
    assert (summary.revoke, summary.total) == (len(revoked), len(rows))
