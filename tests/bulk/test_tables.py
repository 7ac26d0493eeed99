"""Registrar files: reading CSV and XLSX uploads, naming every way a file can
be wrong, and writing files that no spreadsheet evaluates as formulas."""

from __future__ import annotations

import base64
import codecs
import csv
import datetime as dt
import io
import zipfile

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bulk import policies, tables
from bulk.policies import COLUMN_NAMES, AchievementFacts

HEADER = "email,legal_name,achievement,issue_date"
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6"
    "kgAAAABJRU5ErkJggg=="
)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + (
    b"\x00" * 64
)
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"


def csv_bytes(*lines: str, encoding: str = "utf-8") -> bytes:
    return "\r\n".join(lines).encode(encoding)


def read(data: bytes, filename: str = "rows.csv") -> tables.TableResult:
    return tables.read_table(data, filename)


def zipped(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


# Reading CSV


def test_a_utf8_file_is_read_with_its_accents_and_line_numbers():
    result = read(
        csv_bytes(
            HEADER,
            "helene@example.org,Hélène Côté,DATA-101,2025-06-30",
            "sam@example.org,Sam Lee,DATA-102,2025-07-01",
        )
    )

    assert result.ok
    assert result.file_format == "csv"
    assert result.delimiter == ","
    assert result.notes == ()
    assert result.columns == ("email", "legal_name", "achievement", "issue_date")
    assert result.lines == [2, 3]
    assert result.rows[0] == {
        "email": "helene@example.org",
        "legal_name": "Hélène Côté",
        "achievement": "DATA-101",
        "issue_date": "2025-06-30",
    }


def test_a_utf8_file_with_a_byte_order_mark_is_read():
    data = codecs.BOM_UTF8 + csv_bytes(HEADER, "a@example.org,Zoë,DATA-101,2025-06-30")

    result = read(data)

    assert result.ok
    assert result.columns[0] == "email"
    assert result.rows[0]["legal_name"] == "Zoë"


@pytest.mark.parametrize(
    "data",
    [
        "email,name\r\nx,Zoë".encode("utf-16"),  # with its byte-order mark
        codecs.BOM_UTF16_BE + "email,name\r\nx,Zoë".encode("utf-16-be"),
        "email,legal_name,achievement\r\nx,Zoe,DATA-101".encode("utf-16-le"),
    ],
    ids=["utf-16", "utf-16-be", "utf-16-le-without-bom"],
)
def test_a_utf16_file_is_refused_naming_utf16(data):
    result = read(data)

    assert not result.ok
    assert "not in UTF-8" in result.error
    assert "UTF-16" in result.error
    assert "CSV UTF-8" in result.error
    assert result.rows == []


def test_a_windows_1252_file_is_refused_naming_it_and_the_line():
    data = csv_bytes(
        HEADER,
        "sam@example.org,Sam Lee,DATA-101,2025-06-30",
        "helene@example.org,“Hélène” Côté,DATA-101,2025-06-30",
        encoding="cp1252",
    )

    result = read(data)

    assert "not in UTF-8" in result.error
    assert "Windows-1252" in result.error
    assert "Line 3 reads" in result.error
    assert "Hélène" in result.error


def test_a_latin1_file_is_refused_naming_latin1():
    data = csv_bytes(
        HEADER, "a@example.org,Hélène,DATA-101,2025-06-30", encoding="latin-1"
    )

    result = read(data)

    assert "Latin-1" in result.error
    assert "Line 2 reads “Hélène”" in result.error


@pytest.mark.parametrize(
    ("name", "says"),
    [
        ("François Ñåíø", "Mac Roman (older Excel for Mac)"),  # ç: not Windows-1252
        ("Ole Ñåíø", "Windows-1252 or Mac Roman"),
    ],
)
def test_a_mac_roman_file_is_refused_naming_mac_roman(name, says):
    data = csv_bytes(
        HEADER, f"a@example.org,{name},DATA-101,2025-06-30", encoding="mac-roman"
    )

    result = read(data)

    assert "not in UTF-8" in result.error
    assert says in result.error


@pytest.mark.parametrize(
    ("separator", "note"),
    [
        (";", "separated by semicolons, as Excel saves CSV in French"),
        ("\t", "separated by tabs"),
        ("|", "separated by vertical bars"),
    ],
)
def test_semicolon_tab_and_bar_separated_files_are_read_with_a_note(separator, note):
    data = csv_bytes(
        separator.join(["email", "legal_name", "achievement", "issue_date"]),
        separator.join(["a@example.org", "Côté, Hélène", "DATA-101", "2025-06-30"]),
    )

    result = read(data)

    assert result.ok
    assert result.delimiter == separator
    assert result.rows[0]["legal_name"] == "Côté, Hélène"
    assert any(note in text for text in result.notes)


@pytest.mark.parametrize(
    ("header", "column"),
    [
        ("E-mail", "email"),
        ("Email address", "email"),
        (" EMAIL ", "email"),
        ("e_mail", "email"),
        ("Courriel", "email"),
        ("Legal name", "legal_name"),
        ("Name", "legal_name"),
        ("Nom légal", "legal_name"),
        ("Achievement code", "achievement"),
        ("Course code", "achievement"),
        ("Issue date (YYYY-MM-DD)", "issue_date"),
        ("Date d'émission", "issue_date"),
        ("Expiry date", "expiry"),
        ("Valid until", "expiry"),
        ("Evidence URL", "evidence"),
        ("ROUTE *", "route"),
    ],
)
def test_header_spellings_are_recognised(header, column):
    names = {"email": "email", "legal_name": "legal_name"}
    names |= {"achievement": "achievement", "issue_date": "issue_date"}
    names[column] = header
    cells = {"email": "a@example.org", "legal_name": "Jo", "achievement": "DATA-101"}
    cells |= {"issue_date": "2025-06-30", column: cells.get(column, "x")}
    order = list(names)
    data = csv_bytes(
        ",".join(f'"{names[n]}"' for n in order),
        ",".join(cells[n] for n in order),
    )

    result = read(data)

    assert result.ok, result.error
    assert column in result.columns
    assert result.rows[0][column] == cells[column]


def test_missing_required_columns_are_named():
    result = read(csv_bytes("Email,Achievement,Student ID", "a@example.org,DATA-101,7"))

    assert not result.ok
    assert "no column for legal_name, issue_date" in result.error
    assert "“Student ID”" in result.error


def test_a_column_named_twice_is_refused():
    result = read(
        csv_bytes("email,Name,Legal name,achievement,issue_date", "a,b,c,d,e")
    )

    assert "names a column twice" in result.error
    assert "columns B and C both read as legal_name" in result.error


def test_unknown_columns_are_ignored_with_a_note_and_kept_for_the_report():
    result = read(
        csv_bytes(
            "Student ID,email,legal_name,achievement,issue_date,Notes,Notes",
            "S-1,a@example.org,Jo,DATA-101,2025-06-30,first,second",
        )
    )

    assert result.ok
    assert result.columns[0] == "Student ID"
    assert result.columns[-2:] == ("Notes", "Notes (2)")
    assert result.rows[0]["Notes (2)"] == "second"
    assert "“Student ID”, “Notes”, “Notes (2)”" in result.notes[0]


def test_values_under_a_column_without_a_name_are_ignored_with_a_note():
    result = read(csv_bytes(HEADER + ",", "a@example.org,Jo,DATA-101,2025-06-30,oops"))

    assert result.ok
    assert "oops" not in result.rows[0].values()
    assert any("without a name" in text for text in result.notes)


def test_blank_rows_are_skipped_and_line_numbers_stay_those_of_the_file():
    result = read(
        csv_bytes(
            "",
            HEADER,
            "a@example.org,Jo,DATA-101,2025-06-30",
            ",,,",
            "",
            "b@example.org,Sam,DATA-101,2025-06-30,,,",  # trailing empty cells
        )
    )

    assert result.ok
    assert result.lines == [3, 6]


def test_quoted_values_keep_their_commas_quotes_and_line_breaks():
    result = read(
        csv_bytes(
            HEADER + ",evidence",
            'a@example.org,"Lee, Sam",DATA-101,2025-06-30,"Said ""yes"".\nThen left."',
        )
    )

    assert result.rows[0]["legal_name"] == "Lee, Sam"
    assert result.rows[0]["evidence"] == 'Said "yes".\nThen left.'


def test_rows_with_more_values_than_columns_are_refused_naming_the_lines():
    result = read(
        csv_bytes(
            HEADER,
            "a@example.org,Jo,DATA-101,2025-06-30",
            "b@example.org,Lee, Sam,DATA-101,2025-06-30",
        )
    )

    assert not result.ok
    assert "Line 3 has more values than the first line has column names" in result.error
    assert "must be in double quotes" in result.error


def test_an_unclosed_quotation_mark_is_named():
    result = read(csv_bytes(HEADER, 'a@example.org,"Jo,DATA-101,2025-06-30'))

    assert "not a well-formed CSV table" in result.error
    assert "a quotation mark is never closed" in result.error


def test_a_header_without_rows_is_refused():
    assert "no rows below them" in read(csv_bytes(HEADER, "", ",,,")).error


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"", "The file is empty."),
        (codecs.BOM_UTF8, "The file is empty."),
        (b" \r\n\t\n", "The file is empty."),
        (PDF, "“rows.csv” is a PDF document, not a table"),
        (PNG, "is a PNG file (image/png), not a table"),
        (JPEG, "is a JPG file (image/jpeg), not a table"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "Excel 97–2003"),
        (b"<!DOCTYPE html><html><body>x</body></html>", "a web page (HTML)"),
        (b"{\\rtf1\\ansi hello}", "Rich Text (RTF)"),
        (b"\x00\x01\x02\x03\x04\xfe\xfd" * 20, "is a binary file, not a table"),
        (zipped({"notes.txt": b"hello"}), "is a ZIP archive, not a table"),
        (zipped({"word/document.xml": b"<w/>"}), "is a Word document, not a table"),
        (zipped({"xl/workbook.bin": b"\x00"}), "Excel binary workbook (.xlsb)"),
        (b"GIF89a\x01\x00\x01\x00\xff\xfe", "is a GIF file (image/gif)"),
        (
            zipped(
                {
                    "mimetype": b"application/vnd.oasis.opendocument.spreadsheet",
                    "content.xml": b"<x/>",
                }
            ),
            "OpenDocument spreadsheet (.ods)",
        ),
        (b"hello world\n", "its first line, “hello world”, does not name the columns"),
        (b"just one line, of text; no header", "does not name the columns"),
    ],
    ids=[
        "empty",
        "only-a-bom",
        "only-blanks",
        "pdf",
        "png",
        "jpeg",
        "xls",
        "html",
        "rtf",
        "binary",
        "zip",
        "docx",
        "xlsb",
        "gif",
        "ods",
        "text",
        "a-sentence",
    ],
)
def test_a_file_that_is_not_a_table_is_refused_saying_what_it_is(data, says):
    result = read(data)

    assert not result.ok
    assert says in result.error
    assert result.rows == []


def test_one_hundred_thousand_rows_are_read():
    data = (
        HEADER + "\n"
    ).encode() + b"a@example.org,Jo,DATA-101,2025-06-30\n" * 100_000

    result = read(data)

    assert result.ok
    assert len(result.rows) == 100_000
    assert result.lines[-1] == 100_001


def test_more_than_one_hundred_thousand_rows_are_refused_naming_the_count():
    data = (
        HEADER + "\n"
    ).encode() + b"a@example.org,Jo,DATA-101,2025-06-30\n" * 100_001

    result = read(data)

    assert not result.ok
    assert "The file has 100,001 rows; the limit is 100,000" in result.error
    assert result.rows == []


# Reading XLSX


def test_an_xlsx_file_round_trips_through_write_and_read():
    rows = [
        {
            "email": "helene@example.org",
            "legal_name": "Hélène Côté",
            "achievement": "DATA-101",
            "issue_date": "2025-06-30",
            "expiry": "",
            "evidence": "Line one\nline two",
            "route": "plar",
        },
        {"email": "sam@example.org", "legal_name": "Sam", "achievement": "DATA-102"},
    ]

    result = read(tables.write_xlsx(rows, COLUMN_NAMES), "rows.xlsx")

    assert result.ok
    assert result.file_format == "xlsx"
    assert result.columns == COLUMN_NAMES
    assert result.rows[0] == rows[0]
    assert result.rows[1] == dict.fromkeys(COLUMN_NAMES, "") | rows[1]
    assert result.lines == [2, 3]


def test_xlsx_dates_and_numbers_become_text_and_only_the_first_sheet_is_read():
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Graduates"
    sheet.append(["Email", "Name", "Code", "Issue date", "Student number"])
    sheet.append([None])
    excel_time = dt.datetime(2025, 6, 30, 14, 30)  # noqa: DTZ001 (Excel has no zones)
    sheet.append(["a@example.org", "Jo", "DATA-101", excel_time, 42])
    sheet.append(["b@example.org", "Sam", "DATA-101", dt.date(2025, 7, 1), 3.0])
    sheet.append(["c@example.org", "Al", "DATA-101", "2025-07-02", 2.5])
    workbook.create_sheet("Notes").append(["not read"])
    buffer = io.BytesIO()
    workbook.save(buffer)

    result = read(buffer.getvalue(), "graduates.xlsx")

    assert result.ok
    assert [row["issue_date"] for row in result.rows] == [
        "2025-06-30",
        "2025-07-01",
        "2025-07-02",
    ]
    assert [row["Student number"] for row in result.rows] == ["42", "3", "2.5"]
    assert result.lines == [3, 4, 5]
    assert any("first sheet, “Graduates”; 1 other sheet" in n for n in result.notes)


def test_a_damaged_xlsx_file_is_refused():
    data = tables.template_xlsx()

    result = read(data[: len(data) // 2], "rows.xlsx")

    assert not result.ok
    assert "cannot be opened" in result.error


def test_an_xlsx_without_our_columns_is_refused_like_a_csv():
    result = read(tables.write_xlsx([{"a": "1"}], ["a", "b"]), "rows.xlsx")

    assert "no column for email, legal_name, achievement, issue_date" in result.error


# Writing


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        (
            '=HYPERLINK("http://evil.example","Click")',
            '\'=HYPERLINK("http://evil.example","Click")',
        ),
        ("+1", "'+1"),
        ("-2", "'-2"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("  =1+1", "'  =1+1"),
        ("＝1+1", "'＝1+1"),
        ("Jane Doe", "Jane Doe"),
        ("jane-doe@example.org", "jane-doe@example.org"),
        ("2025-06-30", "2025-06-30"),
        ("", ""),
        ("'=already", "'=already"),
    ],
)
def test_cells_a_spreadsheet_would_evaluate_are_neutralised(cell, written):
    assert tables.neutralise(cell) == written


def test_csv_output_is_utf8_with_a_bom_crlf_and_no_formulas():
    rows = [
        {"email": '=HYPERLINK("http://evil.example")', "legal_name": "+1"},
        {"email": "-2", "legal_name": "@SUM(A1)", "issue_date": dt.date(2025, 6, 30)},
        {"email": "Hélène", "legal_name": None, "line": 7},
    ]

    data = tables.write_csv(rows, ["email", "legal_name", "issue_date", "line"])

    assert data.startswith(codecs.BOM_UTF8)
    assert data.count(b"\r\n") == 4
    cells = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert cells == [
        ["email", "legal_name", "issue_date", "line"],
        ['\'=HYPERLINK("http://evil.example")', "'+1", "", ""],
        ["'-2", "'@SUM(A1)", "2025-06-30", ""],
        ["Hélène", "", "", "7"],
    ]


def test_xlsx_output_has_only_text_cells_never_formulas():
    rows = [
        {"a": '=HYPERLINK("http://evil.example")', "b": "+1"},
        {"a": "-2", "b": "@SUM(A1)"},
        {"a": "bad\x00char", "b": "x" * 40_000},
    ]

    data = tables.write_xlsx(rows, ["a", "b"])

    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    cells = [cell for row in sheet.iter_rows(min_row=2) for cell in row]
    assert all(cell.data_type == "s" for cell in cells)
    assert [cell.value for cell in cells[:4]] == [
        '\'=HYPERLINK("http://evil.example")',
        "'+1",
        "'-2",
        "'@SUM(A1)",
    ]
    assert cells[4].value == "bad\ufffdchar"
    assert len(cells[5].value) == tables.XLSX_MAX_CELL


@pytest.mark.parametrize("template", [tables.template_csv, tables.template_xlsx])
def test_the_template_has_the_documented_columns_and_an_example_that_will_issue(
    template,
):
    result = read(template(), "template")

    assert result.ok
    assert result.columns == COLUMN_NAMES
    [decision] = policies.validate_rows(
        result.rows,
        achievements={"DATA-101": AchievementFacts("DATA-101", 1, dt.date(2024, 1, 1))},
        holdings=set(),
        today=dt.date(2026, 1, 1),
    )
    assert decision.outcome is policies.RowOutcome.ISSUE


def test_the_annotated_report_adds_line_outcome_and_message_and_can_be_sent_back():
    upload = read(
        csv_bytes(
            "Student ID," + HEADER,
            "S-1,a@example.org,Jo,DATA-101,2025-06-30",
            "S-2,=1+1,Sam,DATA-101,2025-06-30",
        )
    )
    decisions = policies.validate_rows(
        upload.rows,
        achievements={"DATA-101": AchievementFacts("DATA-101", 1, dt.date(2024, 1, 1))},
        holdings=set(),
        today=dt.date(2026, 1, 1),
        lines=upload.lines,
    )

    report = tables.write_csv(
        tables.annotate(upload.rows, decisions), tables.report_columns(upload.columns)
    )

    cells = list(csv.reader(io.StringIO(report.decode("utf-8-sig"), newline="")))
    assert cells[0] == [
        "Student ID",
        "email",
        "legal_name",
        "achievement",
        "issue_date",
        "line",
        "outcome",
        "message",
    ]
    assert cells[1][-3:] == ["2", "will issue", ""]
    assert cells[2][1] == "'=1+1"
    assert cells[2][-3:-1] == ["3", "error"]
    assert "is not a valid e-mail address" in cells[2][-1]
    sent_back = read(report)
    assert sent_back.ok
    assert sent_back.columns == upload.columns
    assert len(sent_back.notes) == 1  # Student ID only, not our report columns


# Arbitrary input


@settings(max_examples=300)
@given(
    st.one_of(
        st.binary(),
        st.binary().map(lambda tail: b"PK\x03\x04" + tail),
        st.binary().map(lambda tail: HEADER.encode() + b"\n" + tail),
        st.text().map(lambda text: (HEADER + "\n" + text).encode("utf-8")),
    )
)
def test_any_bytes_give_rows_or_an_error_never_an_exception(data):
    result = tables.read_table(data, "upload")

    assert result.ok != bool(result.error)
    if result.ok:
        assert len(result.rows) == len(result.lines) > 0


def stored_template() -> bytes:
    """The XLSX template with its parts stored, not deflated: damage reaches
    the XML and the ZIP headers rather than only breaking a checksum."""
    source = zipfile.ZipFile(io.BytesIO(tables.template_xlsx()))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for info in source.infolist():
            archive.writestr(info.filename, source.read(info.filename))
    return buffer.getvalue()


STORED_TEMPLATE = stored_template()


@settings(max_examples=300)
@given(
    damage=st.lists(
        st.tuples(st.integers(0, len(STORED_TEMPLATE) - 1), st.integers(0, 255)),
        min_size=1,
        max_size=8,
    )
)
def test_a_damaged_workbook_gives_an_error_never_an_exception(damage):
    data = bytearray(STORED_TEMPLATE)
    for position, value in damage:
        data[position] = value

    result = tables.read_table(bytes(data), "rows.xlsx")

    assert result.ok != bool(result.error)


plain_cells = st.text(
    st.characters(exclude_categories=("Cs",), exclude_characters="\x00")
)


@given(
    st.lists(
        st.fixed_dictionaries(
            {"email": st.from_regex(r"[a-z]{1,8}@example\.org", fullmatch=True)},
            optional=dict.fromkeys(COLUMN_NAMES[1:], plain_cells),
        ),
        min_size=1,
        max_size=10,
    )
)
def test_what_we_write_as_csv_reads_back_the_same_apart_from_neutralising(rows):
    result = tables.read_table(tables.write_csv(rows, COLUMN_NAMES), "report.csv")

    assert result.ok, result.error
    assert result.rows == [
        {name: tables.neutralise(row.get(name, "")) for name in COLUMN_NAMES}
        for row in rows
    ]
