"""Registrar files in and out: reading a CSV or XLSX upload into rows, and
writing the files we hand back (template, dry-run report, results).

Reading never raises on bad input: a ``TableResult`` carries either the rows
or one clear error that names the problem — an empty file, a PDF or an image,
an old .xls, a file that is not UTF-8 (with the encoding it seems to be in),
a header without the required columns, a row with more cells than the header,
more than ``MAX_ROWS`` rows. A semicolon- or tab-separated file is read, and a
note says so (Excel writes semicolons where the decimal mark is a comma).

Writing neutralises every text cell that a spreadsheet would take for a
formula (OWASP's CSV injection advice): it gets a leading apostrophe.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import unicodedata
import zipfile
import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import filetype
import openpyxl
from django.utils.formats import number_format
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from bulk.policies import COLUMN_NAMES, COLUMNS, REQUIRED_COLUMNS, RowDecision

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

MAX_ROWS = 100_000
MAX_UNPACKED_BYTES = 512 * 1024 * 1024  # an XLSX's XML, once unzipped
XLSX_MAX_CELL = 32_767  # Excel's limit on the characters in a cell
REPORT_COLUMNS = ("line", "outcome", "message")  # added by ``annotate``

# Header spellings we accept, compared by ``header_key`` (case, accents,
# spaces, punctuation and anything in brackets ignored).
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "email": (
        "e-mail",
        "email address",
        "e-mail address",
        "mail",
        "recipient email",
        "courriel",
        "adresse courriel",
        "adresse électronique",
    ),
    "legal_name": (
        "legal name",
        "name",
        "full name",
        "recipient name",
        "recipient",
        "nom",
        "nom légal",
        "nom complet",
    ),
    "achievement": (
        "achievement code",
        "code",
        "course code",
        "microcredential",
        "microcredential code",
        "pathway code",
        "credential",
        "credential code",
        "code du cours",
    ),
    "issue_date": (
        "issue date",
        "issued",
        "issued on",
        "date issued",
        "date of issue",
        "award date",
        "awarded on",
        "date",
        "date d'émission",
        "date de délivrance",
    ),
    "expiry": (
        "expiry date",
        "expires",
        "expires on",
        "expiration",
        "expiration date",
        "valid until",
        "date d'expiration",
    ),
    "evidence": (
        "evidence url",
        "evidence narrative",
        "narrative",
        "preuve",
        "preuves",
    ),
    "route": ("voie",),
}

_DELIMITERS = {
    ",": gettext_lazy("commas"),
    ";": gettext_lazy("semicolons"),
    "\t": gettext_lazy("tabs"),
    "|": gettext_lazy("vertical bars"),
}

# Text formats that are not tables, told by their first bytes.
_SIGNATURES: tuple[tuple[bytes, Promise], ...] = (  # lower case
    (b"%pdf-", gettext_lazy("a PDF document")),
    (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
        gettext_lazy(
            "an Excel 97–2003 workbook (.xls), a password-protected workbook, "
            "or another old Office file"
        ),
    ),
    (b"{\\rtf", gettext_lazy("a Rich Text (RTF) document")),
    (b"<!doctype html", gettext_lazy("a web page (HTML)")),
    (b"<html", gettext_lazy("a web page (HTML)")),
    (b"<?xml", gettext_lazy("an XML document")),
)

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\0")
_FORMULA_AFTER_SPACES = ("=", "+", "-", "@", "\uff1d", "\uff0b", "\uff0d", "\uff20")
_NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_CP1252_UNDEFINED = frozenset({0x81, 0x8D, 0x8F, 0x90, 0x9D})
# A byte of 0x80-0x9F inside a word: a letter in Mac Roman; in Windows-1252
# mostly punctuation (’, 0x92, is left out: it sits inside words too).
_C1_INSIDE_WORD = re.compile(rb"[A-Za-z\x80-\xff][\x80-\x91\x93-\x9f][A-Za-z\x80-\xff]")

Cell = str | int | float | bool | dt.date | None


@dataclass(frozen=True)
class TableResult:
    """Rows keyed by column name (ours, or the file's header for extra
    columns), their line numbers (the header is line 1), and what to tell the
    registrar; or an error and nothing else."""

    rows: list[dict[str, str]] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    columns: tuple[str, ...] = ()  # in the file's order
    notes: tuple[str, ...] = ()
    error: str | None = None
    file_format: str = ""  # "csv" or "xlsx"
    delimiter: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def header_key(text: str) -> str:
    """``"E-mail address (required)"`` → ``"emailaddress"``."""
    text = re.sub(r"\(.*?\)|\[.*?\]", "", text)
    text = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in text if ch.isascii() and ch.isalnum())


_HEADER_COLUMNS: dict[str, str] = {
    header_key(alias): name
    for name in COLUMN_NAMES
    for alias in (name, name.replace("_", " "), *HEADER_ALIASES.get(name, ()))
}
_REPORT_KEYS = frozenset(header_key(name) for name in REPORT_COLUMNS)


@dataclass(frozen=True)
class TableColumns:
    """The columns of one kind of file: their names, the required ones, the
    header spellings read as each (by ``header_key``), the header keys of our
    own report's columns (ignored on a report sent back) and, when a row
    needs one of several columns, those columns (``one_of``)."""

    names: tuple[str, ...]
    required: tuple[str, ...]
    headers: Mapping[str, str]
    ignored: frozenset[str] = _REPORT_KEYS
    one_of: tuple[str, ...] = ()
    one_of_label: str | Promise = ""


ISSUE_COLUMNS = TableColumns(COLUMN_NAMES, REQUIRED_COLUMNS, _HEADER_COLUMNS)


def _refused(
    message: str, *, file_format: str = "", delimiter: str | None = None
) -> TableResult:
    return TableResult(error=message, file_format=file_format, delimiter=delimiter)


def _listed(items: Sequence[str], limit: int = 5) -> str:
    shown = ", ".join(items[:limit])
    if len(items) > limit:
        shown += " " + _("and %(count)s more") % {"count": len(items) - limit}
    return shown


def _quoted(text: str, limit: int = 40) -> str:
    text = _NOT_IN_XML.sub("\ufffd", text.strip())
    shown = text if len(text) <= limit else text[: limit - 1] + "…"
    # Translatable quotation marks: French uses « » with non-breaking spaces.
    return _("“%(text)s”") % {"text": shown}


# Reading


def read_table(
    data: bytes, filename: str = "", *, spec: TableColumns = ISSUE_COLUMNS
) -> TableResult:
    """The rows of an uploaded CSV or XLSX file, or why it cannot be read.

    The content decides the format, not the name; ``filename`` only sharpens
    the messages. ``spec`` says which columns the file has (a bulk issuance
    file's by default).
    """
    if not data.removeprefix(codecs.BOM_UTF8).strip():
        return _refused(_("The file is empty."))
    lowered = data[:32].lstrip().lower()
    for signature, kind in _SIGNATURES:
        if lowered.startswith(signature):
            return _refused(_not_a_table(str(kind), filename))
    if data.startswith(b"PK\x03\x04"):
        return _read_xlsx(data, filename, spec)
    if data.startswith(b"PK"):
        return _refused(_not_a_table(_("a ZIP archive"), filename))
    text, problem = _decode(data, filename)
    if text is None:
        return _refused(problem or _("The file cannot be read."))
    return _read_csv(text, spec)


def _not_a_table(kind: str, filename: str) -> str:
    advice = _(
        "Upload a CSV file (UTF-8) or an Excel workbook (.xlsx); the template "
        "shows the columns."
    )
    if filename:
        found = _("%(name)s is %(kind)s, not a table.") % {
            "name": _quoted(filename),
            "kind": kind,
        }
    else:
        found = _("This file is %(kind)s, not a table.") % {"kind": kind}
    return f"{found} {advice}"


def _not_utf8(encoding: str, example: str = "") -> str:
    message = _("The file is not in UTF-8: it looks like %(encoding)s.") % {
        "encoding": encoding
    }
    if example:
        message += " " + example
    return (
        message
        + " "
        + _(
            "In Excel, choose File › Save As › “CSV UTF-8 (comma delimited)” "
            "and upload that file, or upload the .xlsx workbook itself."
        )
    )


def _decode(data: bytes, filename: str) -> tuple[str | None, str | None]:
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return None, _not_utf8("UTF-32")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return None, _not_utf8(_("UTF-16 (Excel’s “Unicode Text”)"))
    body = data.removeprefix(codecs.BOM_UTF8)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        return None, _undecodable(body, error.start, filename)
    if "\x00" not in text:
        return text, None
    if _looks_like_utf16(body):
        return None, _not_utf8(_("UTF-16 (Excel’s “Unicode Text”)"))
    return None, _binary(body, filename)


def _undecodable(data: bytes, position: int, filename: str) -> str:
    if _looks_like_utf16(data):
        return _not_utf8(_("UTF-16 (Excel’s “Unicode Text”)"))
    if b"\x00" in data[:8192] or filetype.guess(data[:8192]) is not None:
        return _binary(data, filename)
    high = set(data.translate(None, delete=bytes(range(0x80))))
    reading: str | None = "cp1252"
    if high & _CP1252_UNDEFINED:
        encoding = _("Mac Roman (older Excel for Mac) or another 8-bit encoding")
        reading = "mac-roman"
    elif _C1_INSIDE_WORD.search(data):
        encoding = _("Windows-1252 or Mac Roman")
        reading = None
    elif any(0x80 <= byte <= 0x9F for byte in high):
        encoding = _("Windows-1252 (Excel’s “CSV” on Windows)")
    else:
        encoding = _("Latin-1 (ISO-8859-1) or Windows-1252")
    if reading is None:
        return _not_utf8(encoding)
    line = data.count(b"\n", 0, position) + 1
    start = max(data.rfind(sep, 0, position) for sep in b' ,;\t\n"') + 1
    ends = [data.find(sep, position) for sep in b' ,;\t\r\n"']
    end = min((e for e in ends if e != -1), default=len(data))
    word = data[start : min(end, start + 60)].decode(reading, errors="replace")
    example = _("Line %(line)s reads %(word)s in that encoding.") % {
        "line": line,
        "word": _quoted(word),
    }
    return _not_utf8(encoding, example)


def _looks_like_utf16(data: bytes) -> bool:
    """Mostly-ASCII text in UTF-16 has a zero byte in every other place."""
    sample = data[:4096]
    half = len(sample) // 2
    if half < 4:
        return False
    odd, even = sample[1::2].count(0), sample[0::2].count(0)
    return max(odd, even) >= half * 0.6 and min(odd, even) <= half * 0.1


def _binary(data: bytes, filename: str) -> str:
    kind = filetype.guess(data[:8192])
    if kind is not None:
        return _not_a_table(
            _("a %(type)s file (%(mime)s)")
            % {"type": kind.extension.upper(), "mime": kind.mime},
            filename,
        )
    return _not_a_table(_("a binary file"), filename)


def _read_csv(text: str, spec: TableColumns = ISSUE_COLUMNS) -> TableResult:
    delimiter = _delimiter(text, spec)
    if delimiter is None:
        first = next((line for line in text.splitlines() if line.strip()), "")
        return _refused(
            _(
                "This file is not a table we can read: its first line, %(line)s, "
                "does not name the columns. The first line must be the column "
                "names (%(columns)s), as in the template."
            )
            % {"line": _quoted(first, 80), "columns": ", ".join(spec.names)}
        )
    notes = []
    if delimiter == ";":
        notes.append(
            _(
                "Read as a table separated by semicolons, as Excel saves CSV in "
                "French and other languages."
            )
        )
    elif delimiter != ",":
        notes.append(
            _("Read as a table separated by %(delimiter)s.")
            % {"delimiter": _DELIMITERS[delimiter]}
        )
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        return _table(
            reader, file_format="csv", delimiter=delimiter, notes=notes, spec=spec
        )
    except csv.Error as error:
        return _refused(
            _(
                "The file is not a well-formed CSV table near line %(line)s "
                "(%(problem)s). A value containing the separator, a quotation "
                "mark or a line break must be in double quotes, with quotation "
                "marks inside it doubled."
            )
            % {"line": reader.line_num, "problem": _csv_problem(error)},
            file_format="csv",
            delimiter=delimiter,
        )


def _csv_problem(error: csv.Error) -> str:
    text = str(error)
    if "unexpected end of data" in text:
        return _("a quotation mark is never closed")
    if "field larger than field limit" in text:
        return _("a value is far too long")
    if "expected after" in text:
        return _("a quotation mark in the middle of a value")
    return text


def _delimiter(text: str, spec: TableColumns = ISSUE_COLUMNS) -> str | None:
    """The separator under which the first non-blank line names most of our
    columns (comma first on a tie); None when it names none of them."""
    head = io.StringIO(text[:65_536], newline="")
    first = ""
    for line in head:
        if line.strip(' \t\r\n,;|"'):
            first = line
            break
    best, best_known = None, 0
    for candidate in _DELIMITERS:
        try:
            cells = next(csv.reader([first], delimiter=candidate), [])
        except csv.Error:
            continue
        known = len({spec.headers.get(header_key(cell)) for cell in cells} - {None})
        if known > best_known:
            best, best_known = candidate, known
    return best


def _table(
    records: Iterable[Sequence[str]],
    *,
    file_format: str,
    delimiter: str | None = None,
    notes: list[str] | None = None,
    spec: TableColumns = ISSUE_COLUMNS,
) -> TableResult:
    """Header, then rows; ``records`` are the file's lines, the first is line 1."""
    notes = list(notes or [])
    numbered = enumerate(records, start=1)
    header: Sequence[str] = ()
    for _line, cells in numbered:
        if any(cell.strip() for cell in cells):
            header = cells
            break
    if not header:
        return _refused(
            _("The file has no rows, not even the column names."),
            file_format=file_format,
        )
    mapping, problem = _header_mapping(header, spec)
    if problem is not None:
        return _refused(problem, file_format=file_format, delimiter=delimiter)
    columns = tuple(name for name in mapping if name)
    width = len(header)
    extras = [name for name in columns if name not in spec.names]
    if extras:
        notes.append(
            _(
                "Columns we do not use were ignored (they stay in the report): "
                "%(columns)s."
            )
            % {"columns": _listed([_quoted(name) for name in extras])}
        )
    rows: list[dict[str, str]] = []
    lines: list[int] = []
    count = 0
    too_wide: list[int] = []
    headless_values = False
    for line, cells in numbered:
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) > width and any(cell.strip() for cell in cells[width:]):
            too_wide.append(line)
            continue
        count += 1
        if count > MAX_ROWS or too_wide:
            continue  # refused below; keep counting for the message
        row = dict.fromkeys(columns, "")
        for name, cell in zip(mapping, cells, strict=False):
            if name:
                row[name] = cell
            elif name is None and cell.strip():
                headless_values = True
        rows.append(row)
        lines.append(line)
    if too_wide:
        return _refused(
            ngettext(
                "Line %(lines)s has more values than the first line has column "
                "names. A value containing the separator (%(delimiter)s) must be "
                "in double quotes.",
                "Lines %(lines)s have more values than the first line has column "
                "names. A value containing the separator (%(delimiter)s) must be "
                "in double quotes.",
                len(too_wide),
            )
            % {
                "lines": _listed([str(n) for n in too_wide]),
                "delimiter": _DELIMITERS.get(delimiter or ",", _("commas")),
            },
            file_format=file_format,
            delimiter=delimiter,
        )
    if count > MAX_ROWS:
        return _refused(
            _(
                "The file has %(count)s rows; the limit is %(limit)s a file. "
                "Split it into several files."
            )
            % {
                "count": number_format(count, force_grouping=True),
                "limit": number_format(MAX_ROWS, force_grouping=True),
            },
            file_format=file_format,
            delimiter=delimiter,
        )
    if not rows:
        return _refused(
            _("The file has the column names but no rows below them."),
            file_format=file_format,
            delimiter=delimiter,
        )
    if headless_values:
        notes.append(
            _("Values in columns without a name in the first line were ignored.")
        )
    return TableResult(
        rows=rows,
        lines=lines,
        columns=columns,
        notes=tuple(notes),
        file_format=file_format,
        delimiter=delimiter,
    )


def _header_mapping(
    header: Sequence[str], spec: TableColumns = ISSUE_COLUMNS
) -> tuple[list[str | None], str | None]:
    """Each header cell's column name, or the problem. An unnamed column maps
    to None, our own report's columns (on a report sent back) to "": both are
    ignored."""
    mapping: list[str | None] = []
    seen: dict[str, int] = {}
    clashes: list[str] = []
    for position, text in enumerate(header):
        label = text.strip().lstrip("\ufeff")
        key = header_key(label)
        name = spec.headers.get(key)
        if name is None:
            if not label:
                mapping.append(None)
                continue
            if key in spec.ignored:
                mapping.append("")
                continue
            name = label
            suffix = 2
            while name in seen:
                name = f"{label} ({suffix})"
                suffix += 1
        elif name in seen:
            clashes.append(
                _("columns %(first)s and %(second)s both read as %(name)s")
                % {
                    "first": get_column_letter(seen[name] + 1),
                    "second": get_column_letter(position + 1),
                    "name": name,
                }
            )
        seen[name] = position
        mapping.append(name)
    if clashes:
        return mapping, _(
            "The first line names a column twice: %(clashes)s. Keep one."
        ) % {"clashes": "; ".join(clashes)}
    missing = [name for name in spec.required if name not in seen]
    if spec.one_of and not any(name in seen for name in spec.one_of):
        missing.append(str(spec.one_of_label) or " / ".join(spec.one_of))
    if missing:
        found = [_quoted(text) for text in header if text.strip()]
        return mapping, _(
            "The file has no column for %(missing)s. The first line must name "
            "the columns, as in the template; it has %(found)s."
        ) % {"missing": ", ".join(missing), "found": _listed(found, 10)}
    return mapping, None


def _read_xlsx(
    data: bytes, filename: str, spec: TableColumns = ISSUE_COLUMNS
) -> TableResult:
    damaged = _(
        "This file looks like an Excel workbook but cannot be opened; it may be "
        "damaged. Open it in Excel and save it again, or save it as “CSV UTF-8”."
    )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            unpacked = sum(info.file_size for info in archive.infolist())
            kind = _zip_kind(archive, names)
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        OSError,
        ValueError,
        RuntimeError,
    ):
        return _refused(damaged, file_format="xlsx")
    if kind is not None:
        return _refused(_not_a_table(kind, filename))
    if unpacked > MAX_UNPACKED_BYTES:
        return _refused(
            _("This workbook is too large once unpacked; split it into several."),
            file_format="xlsx",
        )
    workbook = None
    try:
        workbook = openpyxl.load_workbook(
            io.BytesIO(data), read_only=True, data_only=True
        )
        if not workbook.worksheets:
            return _refused(_("This workbook has no sheet."), file_format="xlsx")
        sheet = workbook.worksheets[0]
        notes = []
        others = len(workbook.sheetnames) - 1
        if others:
            notes.append(
                ngettext(
                    "Read the first sheet, %(sheet)s; %(count)s other sheet was "
                    "not read.",
                    "Read the first sheet, %(sheet)s; %(count)s other sheets were "
                    "not read.",
                    others,
                )
                % {"sheet": _quoted(sheet.title), "count": others}
            )
        records = (
            [_cell_text(value) for value in values]
            for values in sheet.iter_rows(values_only=True)
        )
        return _table(records, file_format="xlsx", notes=notes, spec=spec)
    except (
        InvalidFileException,
        zipfile.BadZipFile,
        zlib.error,
        KeyError,
        IndexError,
        ValueError,
        TypeError,
        OSError,
        SyntaxError,  # XML parse errors
        EOFError,
        RuntimeError,  # an encrypted member, an unknown compression method
    ):
        return _refused(damaged, file_format="xlsx")
    finally:
        if workbook is not None:
            workbook.close()


def _zip_kind(archive: zipfile.ZipFile, names: list[str]) -> str | None:
    """What a ZIP holds when it is not an Excel workbook (None: it is one)."""
    if "xl/workbook.bin" in names:
        return _(
            "an Excel binary workbook (.xlsb); save it as .xlsx or as “CSV UTF-8” first"
        )
    if any(name.startswith("xl/") for name in names):
        return None
    if any(name.endswith(".iwa") for name in names):
        return _(
            "an Apple Numbers, Pages or Keynote file; export it as .xlsx or as "
            "CSV first"
        )
    if "mimetype" in names:
        mimetype = archive.read("mimetype")[:100]
        if b"spreadsheet" in mimetype:
            return _(
                "an OpenDocument spreadsheet (.ods); save it as .xlsx or as "
                "“CSV UTF-8” first"
            )
        return _("an OpenDocument file")
    if any(name.startswith("word/") for name in names):
        return _("a Word document")
    if any(name.startswith("ppt/") for name in names):
        return _("a PowerPoint presentation")
    return _("a ZIP archive")


def _cell_text(value: object) -> str:
    """A spreadsheet cell as the text a CSV would hold; dates as YYYY-MM-DD."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)


# Writing


def neutralise(cell: str) -> str:
    """A text cell a spreadsheet will show, never evaluate.

    Cells starting with ``=``, ``+``, ``-``, ``@`` (also after spaces, and
    their full-width forms), a tab, a line break or NUL get a leading ``'``.
    """
    if cell.startswith(_FORMULA_START) or cell.lstrip().startswith(
        _FORMULA_AFTER_SPACES
    ):
        return "'" + cell
    return cell


def _csv_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return neutralise(str(value))


def _csv_text(
    rows: Iterable[Mapping[str, object]],
    columns: Sequence[str],
    header: Callable[[str], str],
    cell: Callable[[object], str],
) -> str:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([header(name) for name in columns])
    for row in rows:
        writer.writerow([cell(row.get(name)) for name in columns])
    return buffer.getvalue()


def write_csv(rows: Iterable[Mapping[str, Cell]], columns: Sequence[str]) -> bytes:
    """UTF-8 with a byte-order mark (so Excel reads accents), CRLF, commas."""
    text = _csv_text(rows, columns, neutralise, _csv_cell)
    return codecs.BOM_UTF8 + text.encode("utf-8", errors="replace")


def write_source_csv(
    rows: Iterable[Mapping[str, object]], columns: Sequence[str]
) -> bytes:
    """Rows we were given as data (API, cohort) as the CSV a job reads: values
    kept exactly (not neutralised — this file is read back, not opened in a
    spreadsheet); the job's audit hashes these bytes."""
    text = _csv_text(
        rows, columns, str, lambda value: "" if value is None else str(value)
    )
    return text.encode("utf-8")


def _xlsx_cell(value: object) -> object:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int | float) and abs(value) < 1e15 and value == value:
        return value
    text = value.isoformat() if isinstance(value, dt.date) else str(value)
    text = neutralise(_NOT_IN_XML.sub("\ufffd", text))
    if len(text) > XLSX_MAX_CELL:
        text = text[: XLSX_MAX_CELL - 1] + "…"
    return text


def write_xlsx(
    rows: Iterable[Mapping[str, Cell]],
    columns: Sequence[str],
    *,
    sheet_title: str = "Rows",
) -> bytes:
    """One sheet, the column names first; text cells neutralised, never
    formulas; dates as YYYY-MM-DD text so no locale rewrites them."""
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title[:31])
    sheet.append([_xlsx_cell(name) for name in columns])
    for row in rows:
        sheet.append([_xlsx_cell(row.get(name)) for name in columns])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def template_rows() -> list[dict[str, str]]:
    return [{column.name: column.example for column in COLUMNS}]


def sample_rows(codes: Sequence[str], today: dt.date) -> list[dict[str, str]]:
    """Rows to try a dry run with, dated from ``today``: three that issue
    (``codes`` are achievements that exist and may be issued from at least a
    month ago) and three with an error each."""
    first, second = codes[0], codes[-1]
    day = dt.timedelta(days=1)
    return [
        {
            "email": "maria.santos@example.org",
            "legal_name": "Maria Santos",
            "achievement": first,
            "issue_date": (today - 7 * day).isoformat(),
            "evidence": "https://portfolio.example.org/maria-santos",
            "route": "recognised",
        },
        {
            "email": "tomasz.nowak@example.org",
            "legal_name": "Tomasz Nowak",
            "achievement": second,
            "issue_date": (today - 14 * day).isoformat(),
            "evidence": "Completed the equivalent workshops at a partner college.",
            "route": "recognised",
        },
        {
            "email": "aroha.ngata@example.org",
            "legal_name": "Aroha Ngata",
            "achievement": first.lower(),
            "issue_date": (today - 21 * day).isoformat(),
            "expiry": (today + 730 * day).isoformat(),
            "route": "course",
        },
        {
            "email": "not-an-email",
            "legal_name": "Someone Unknown",
            "achievement": first,
            "issue_date": (today - 7 * day).isoformat(),
        },
        {
            "email": "jean.dupont@example.org",
            "legal_name": "Jean Dupont",
            "achievement": "ZZZ-999",
            "issue_date": (today - 7 * day).isoformat(),
        },
        {
            "email": "chen.wei@example.org",
            "legal_name": "Chen Wei",
            "achievement": second,
            "issue_date": (today + 30 * day).isoformat(),
        },
    ]


def template_csv() -> bytes:
    """The documented columns and one example row."""
    return write_csv(template_rows(), COLUMN_NAMES)


def template_xlsx() -> bytes:
    return write_xlsx(template_rows(), COLUMN_NAMES, sheet_title="Template")


def annotate(
    rows: Iterable[Mapping[str, str]], decisions: Iterable[RowDecision]
) -> list[dict[str, str]]:
    """The dry-run report: each row with its line, outcome and message."""
    return [
        {
            **row,
            "line": str(decision.line),
            "outcome": decision.outcome.label,
            "message": decision.message,
        }
        for row, decision in zip(rows, decisions, strict=True)
    ]


def report_columns(columns: Sequence[str]) -> tuple[str, ...]:
    """The file's columns, then ``line``, ``outcome`` and ``message``."""
    return (*(c for c in columns if c not in REPORT_COLUMNS), *REPORT_COLUMNS)


# A bulk revocation file: one credential a row, named by its id or by its
# verification code. A file may have both columns (the result file of a bulk
# issuance has them): the id is used, the code checked against it.

REVOKE_COLUMN_NAMES = ("credential", "verification_code")
REVOKE_HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "credential": (
        "credential id",
        "credential uuid",
        "id",
        "uuid",
        "identifier",
        "identifiant",
        "identifiant du titre",
    ),
    "verification_code": (
        "verification code",
        "verification",
        "code",
        "certificate code",
        "code de vérification",
    ),
}
#: What the dry-run report of a revocation adds to the file's columns: the
#: line, outcome and message, then who holds the credential (for the registrar
#: to check before running). All are ignored in a report sent back.
REVOKE_REPORT_COLUMNS = (
    *REPORT_COLUMNS,
    "holder_email",
    "holder_name",
    "achievement_code",
)
REVOKE_COLUMNS = TableColumns(
    names=REVOKE_COLUMN_NAMES,
    required=(),
    headers={
        header_key(alias): name
        for name in REVOKE_COLUMN_NAMES
        for alias in (
            name,
            name.replace("_", " "),
            *REVOKE_HEADER_ALIASES.get(name, ()),
        )
    },
    ignored=frozenset(header_key(name) for name in REVOKE_REPORT_COLUMNS),
    one_of=REVOKE_COLUMN_NAMES,
    one_of_label=gettext_lazy(
        "credential (the credential's id or its verification code)"
    ),
)
REVOKE_TEMPLATE_ROWS = (
    {"credential": "3f1c2a9e-5b7d-4e8a-9c0f-1a2b3c4d5e6f"},
    {"credential": "7K4P-9QXR-2H"},
)


def read_revoke_table(data: bytes, filename: str = "") -> TableResult:
    """The rows of a bulk revocation file, or why it cannot be read (the same
    refusals as an issuance file's)."""
    return read_table(data, filename, spec=REVOKE_COLUMNS)


def revoke_report_columns(columns: Sequence[str]) -> tuple[str, ...]:
    """The file's columns, then the line, outcome, message and holder."""
    return (
        *(c for c in columns if c not in REVOKE_REPORT_COLUMNS),
        *REVOKE_REPORT_COLUMNS,
    )


def revoke_template_csv() -> bytes:
    """The one column of a revocation file, with an id and a code as examples."""
    return write_csv(REVOKE_TEMPLATE_ROWS, ("credential",))
