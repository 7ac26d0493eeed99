"""Reading a bulk revocation file: the same reader as an issuance file (and
the same refusals), with its own columns; an issuance file reads as before."""

from __future__ import annotations

import pytest

from bulk import tables

ID = "3f1c2a9e-5b7d-4e8a-9c0f-1a2b3c4d5e6f"


def read(text: str) -> tables.TableResult:
    return tables.read_revoke_table(text.encode("utf-8"), "revoke.csv")


@pytest.mark.parametrize(
    ("header", "column"),
    [
        ("credential", "credential"),
        ("Credential ID", "credential"),
        ("credential_id", "credential"),
        ("id", "credential"),
        ("UUID", "credential"),
        ("Identifiant", "credential"),
        ("verification_code", "verification_code"),
        ("Verification code", "verification_code"),
        ("code", "verification_code"),
        ("Code de vérification", "verification_code"),
        ("Credential (required)", "credential"),
    ],
)
def test_the_column_is_found_under_the_names_people_give_it(header, column):
    result = read(f"{header}\r\n{ID}\r\n")

    assert result.ok, result.error
    assert result.columns == (column,)
    assert result.rows == [{column: ID}]
    assert result.lines == [2]


def test_a_semicolon_file_with_other_columns_keeps_them_for_the_report():
    result = read("Nom;Code de vérification\r\nAda;7K4P-9QXR-2H\r\n")

    assert result.ok, result.error
    assert result.delimiter == ";"
    assert result.rows == [{"Nom": "Ada", "verification_code": "7K4P-9QXR-2H"}]
    assert any("semicolons" in note for note in result.notes)
    assert any("Nom" in note for note in result.notes)


def test_a_report_sent_back_drops_the_columns_the_dry_run_added():
    report = tables.write_csv(
        [
            {
                "credential": ID,
                "line": "2",
                "outcome": "error",
                "message": "No credential has the id …",
                "holder_email": "ada@example.org",
                "holder_name": "Ada",
                "achievement_code": "DATA-101",
            }
        ],
        tables.revoke_report_columns(("credential",)),
    )

    result = tables.read_revoke_table(report, "report.csv")

    assert result.ok, result.error
    assert result.rows == [{"credential": ID}]
    assert result.notes == ()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (f"{ID}\r\n{ID}\r\n", "(credential, verification_code)"),  # no header
        ("email,name\r\nada@example.org,Ada\r\n", "(credential, verification_code)"),
        ("id,credential_id\r\n1,2\r\n", "columns A and B both read as credential"),
        ("credential\r\n", "no rows below them"),
        ('credential\r\n"unclosed\r\n', "a quotation mark is never closed"),
    ],
)
def test_a_file_that_cannot_be_read_says_why(text, message):
    result = read(text)

    assert not result.ok
    assert message in result.error


def test_an_issuance_file_reads_as_before_code_is_still_its_achievement():
    result = tables.read_table(
        b"email,name,code,date\r\nada@example.org,Ada,DATA-101,2026-01-15\r\n"
    )

    assert result.ok, result.error
    assert result.columns == ("email", "legal_name", "achievement", "issue_date")
    refused = tables.read_table(f"credential\r\n{ID}\r\n".encode())
    assert not refused.ok
