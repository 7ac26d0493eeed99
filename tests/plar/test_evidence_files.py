"""Which evidence files a PLAR request accepts: by name, size and content (the
first bytes), so a renamed executable is never taken for a document; and the
names files are stored under. No database."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from django.core.files.uploadedfile import (
    InMemoryUploadedFile,
    SimpleUploadedFile,
    TemporaryUploadedFile,
)

from plar import evidence_files
from tests.plar import factories as pf

MB = evidence_files.MB
JPEG_BYTES = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"


def office(main_part: str) -> bytes:
    """A minimal Office Open XML container (a ZIP with its content types)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(main_part, "<document/>")
    return buffer.getvalue()


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("certificate.pdf", pf.PDF_BYTES),
        ("CERTIFICATE.PDF", pf.PDF_BYTES),
        ("screenshot.png", pf.PNG_BYTES),
        ("photo.jpg", JPEG_BYTES),
        ("photo.jpeg", JPEG_BYTES),
        ("report.docx", office("word/document.xml")),
        ("budget.xlsx", office("xl/workbook.xml")),
        ("slides.pptx", office("ppt/presentation.xml")),
        ("notes.txt", "Plain notes, with “quotes” and café.".encode()),
        ("my.final.report.pdf", pf.PDF_BYTES),
    ],
)
def test_an_accepted_document_has_no_problem(name, content):
    assert evidence_files.problem(upload(name, content)) is None


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("certificate.pdf", pf.EXE_BYTES),
        ("photo.png", pf.EXE_BYTES),
        ("photo.jpg", pf.EXE_BYTES),
        ("report.docx", pf.EXE_BYTES),
        ("letter.pdf", pf.PNG_BYTES),
        ("letter.png", pf.PDF_BYTES),
        ("report.docx", pf.PDF_BYTES),
        ("letter.pdf", b"Just some text pretending to be a PDF."),
    ],
)
def test_content_that_does_not_match_the_extension_is_refused(name, content):
    problem = evidence_files.problem(upload(name, content))
    extension = name[name.rindex(".") :]
    assert problem == (
        f"The content of this file is not a {extension} file; upload the document "
        "itself, not a renamed file."
    )


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("setup.exe", ".exe"),
        ("script.sh", ".sh"),
        ("page.html", ".html"),
        ("image.svg", ".svg"),
        ("archive.zip", ".zip"),
        ("README", "?"),
        ("certificate.pdf.exe", ".exe"),
    ],
)
def test_a_type_not_on_the_list_is_refused_with_the_list(name, shown):
    problem = evidence_files.problem(upload(name, pf.PDF_BYTES))
    assert f"“{shown}”" in problem
    assert ".docx, .jpeg, .jpg, .odt, .pdf, .png, .pptx, .txt, .xlsx" in problem


def test_an_empty_file_is_refused():
    assert evidence_files.problem(upload("empty.pdf", b"")) == "The file is empty."


def sized(size: int) -> InMemoryUploadedFile:
    """A PDF that reports ``size`` bytes without holding them."""
    return InMemoryUploadedFile(
        io.BytesIO(pf.PDF_BYTES), "file", "big.pdf", "application/pdf", size, None
    )


@pytest.mark.parametrize(
    ("size", "refused"),
    [
        (20 * MB, False),
        (20 * MB + 1, True),
        (500 * MB, True),
    ],
)
def test_a_file_may_be_at_most_20_mb(size, refused):
    problem = evidence_files.problem(sized(size))
    if refused:
        assert problem == "The file is too large: the limit is 20 MB."
    else:
        assert problem is None


def test_a_large_file_on_disk_is_measured_by_its_size():
    size = 20 * MB + 1
    big = TemporaryUploadedFile("portfolio.pdf", "application/pdf", size, None)
    try:
        big.write(pf.PDF_BYTES)
        big.seek(size - 1)
        big.write(b"\n")
        assert evidence_files.problem(big) == (
            "The file is too large: the limit is 20 MB."
        )
    finally:
        big.close()


def test_checking_the_content_leaves_the_file_at_its_start():
    checked = upload("certificate.pdf", pf.PDF_BYTES)
    checked.read(5)
    assert evidence_files.problem(checked) is None
    assert checked.read() == pf.PDF_BYTES


@pytest.mark.parametrize(
    ("head", "ok"),
    [
        pytest.param(b"Plain ASCII.", True, id="ascii"),
        pytest.param("Déjà vu, naïve café — “quoted”.".encode(), True, id="utf-8"),
        # A multi-byte character cut by the 8 KB sample is still text.
        pytest.param("é".encode()[:1], True, id="cut-at-the-end"),
        pytest.param(b"abc" + "€".encode()[:2], True, id="cut-euro"),
        pytest.param("Café".encode("latin-1") + b" and more text", False, id="latin-1"),
        pytest.param(b"text\x00with a NUL", False, id="nul"),
        pytest.param(b"\xff\xfe\x00\x00binary", False, id="binary"),
    ],
)
def test_a_txt_file_must_be_plain_utf8_text(head, ok):
    problem = evidence_files.content_problem(".txt", head)
    assert (problem is None) is ok
    if not ok:
        assert problem == "This .txt file is not plain text (UTF-8)."


def test_only_the_first_8_kb_are_read_for_the_content():
    # A text file whose 8,192nd byte starts a two-byte character.
    content = b"a" * 8191 + "é".encode() + b" and more"
    assert evidence_files.problem(upload("long.txt", content)) is None


@pytest.mark.parametrize(
    ("original", "base", "extension"),
    [
        ("Employer letter.pdf", "Employer_letter", ".pdf"),
        ("CV.PDF", "CV", ".pdf"),
        ("résumé.docx", "résumé", ".docx"),
        ("a" * 200 + ".txt", "a" * 80, ".txt"),
        ("..", "evidence", ""),
        ("", "evidence", ""),
        ("!!!.pdf", "evidence", ".pdf"),
        (".pdf", "pdf", ""),
        ("../../etc/passwd.txt", "passwd", ".txt"),
        ("C:\\Users\\me\\cv.pdf", "CUsersmecv", ".pdf"),
        ("archive.tar.gz", "archive.tar", ""),
    ],
)
def test_a_stored_name_is_safe_and_keeps_a_readable_base(original, base, extension):
    stored = evidence_files.stored_name(original)
    assert re.fullmatch(
        re.escape(base) + r"-[0-9a-f]{12}" + re.escape(extension), stored
    ), stored
    assert "/" not in stored
    assert ".." not in stored


def test_two_uploads_of_the_same_name_are_stored_apart():
    names = {evidence_files.stored_name("cv.pdf") for _ in range(50)}
    assert len(names) == 50
