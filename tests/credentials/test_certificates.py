"""The PDF certificate: real WeasyPrint, read back with pypdf, QR decoded by
zxing-cpp from a rendering of the page by poppler's pdftoppm."""

from __future__ import annotations

import base64
import io
import logging
import os
import re
import shutil
import subprocess
import unicodedata
from datetime import date
from decimal import Decimal

import pytest
import zxingcpp
from PIL import Image
from pypdf import PdfReader

from credentials.certificates import (
    CertificateData,
    CreditKind,
    certificate_html,
    qr_svg,
    render_certificate_pdf,
)

VERIFY_URL = "https://northbridge.example.edu/credentials/verify/MC-7K4Q-9XPD/"
OUTCOMES = (
    "Explain how common attacks (phishing, credential stuffing, malware) reach "
    "an organisation",
    "Configure multi-factor authentication and a password manager for a team",
    "Recognise and report a suspicious message using the incident procedure",
    "Apply secure habits to devices, updates and backups",
)
# A 1×1 transparent PNG.
PNG_PIXEL = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA"
    "60e6kgAAAABJRU5ErkJggg=="
)


def certificate(**overrides) -> CertificateData:
    values = {
        "learner_name": "Ada Lovelace",
        "achievement_name": "Cyber Hygiene for Small Teams",
        "outcomes": OUTCOMES,
        "hours": 12,
        "credit_kind": CreditKind.NON_DEGREE,
        "credit_text": "Does not carry academic credit.",
        "issued_on": date(2025, 6, 3),
        "expires_on": date(2028, 6, 3),
        "issuer_name": "Northbridge Polytechnic",
        "issuer_url": "https://northbridge.example.edu",
        "signatory_name": "Dr. Imani Okafor",
        "signatory_title": "Registrar",
        "verification_code": "MC-7K4Q-9XPD",
        "verification_url": VERIFY_URL,
        "language": "en",
        "paper_size": "A4",
    }
    return CertificateData(**(values | overrides))


def pdf_text(pdf: bytes) -> str:
    """All the page's text, white space collapsed (wrapped lines join)."""
    reader = PdfReader(io.BytesIO(pdf))
    text = " ".join(page.extract_text() for page in reader.pages)
    return unicodedata.normalize("NFC", re.sub(r"\s+", " ", text))


def page_count(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


def rendered_page(pdf: bytes, tmp_path, dpi: int = 200) -> Image.Image:
    """The first page as an image, rendered by poppler (not by us)."""
    needs_system_package("poppler-utils", present=shutil.which("pdftoppm") is not None)
    source = tmp_path / "certificate.pdf"
    source.write_bytes(pdf)
    subprocess.run(  # noqa: S603 - fixed arguments, our own temporary file
        ["pdftoppm", "-r", str(dpi), "-f", "1", "-l", "1", "-png", "-singlefile"]
        + [str(source), str(tmp_path / "page")],
        check=True,
        timeout=60,
    )
    return Image.open(tmp_path / "page.png").convert("L")


@pytest.fixture(scope="module")
def english_pdf() -> bytes:
    return render_certificate_pdf(certificate())


def test_certificate_text_holds_name_achievement_and_verification_code(english_pdf):
    text = pdf_text(english_pdf)

    assert "Ada Lovelace" in text
    assert "Cyber Hygiene for Small Teams" in text
    assert "MC-7K4Q-9XPD" in text
    assert VERIFY_URL in text.replace(" ", "")


def test_certificate_shows_outcomes_hours_dates_issuer_and_signatory(english_pdf):
    text = pdf_text(english_pdf)

    for outcome in OUTCOMES:
        assert outcome in text
    assert "12 hours of learning" in text
    assert "June 3, 2025" in text
    assert "June 3, 2028" in text
    assert "Northbridge Polytechnic" in text
    assert "Dr. Imani Okafor" in text
    assert "Registrar" in text


def test_qr_code_on_the_rendered_page_decodes_to_the_verification_url(
    english_pdf, tmp_path
):
    page = rendered_page(english_pdf, tmp_path)

    codes = zxingcpp.read_barcodes(page)

    assert [(code.format.name, code.text) for code in codes] == [("QRCode", VERIFY_URL)]


def test_certificate_is_one_tagged_pdf_ua_page_with_title_and_language(english_pdf):
    reader = PdfReader(io.BytesIO(english_pdf))
    catalog = reader.trailer["/Root"]

    assert len(reader.pages) == 1
    assert catalog["/MarkInfo"]["/Marked"].value is True
    assert "/StructTreeRoot" in catalog
    assert catalog["/Lang"] == "en"
    assert catalog["/ViewerPreferences"]["/DisplayDocTitle"].value is True
    assert reader.metadata.title == (
        "Certificate: Cyber Hygiene for Small Teams — Ada Lovelace"
    )
    assert reader.metadata.author == "Northbridge Polytechnic"
    xmp = catalog["/Metadata"].get_object().get_data().decode()
    assert 'pdfuaid:part="1"' in xmp


def test_qr_code_is_a_tagged_figure_with_alternative_text(english_pdf):
    reader = PdfReader(io.BytesIO(english_pdf))
    figures = [
        element
        for element in _struct_elements(reader.trailer["/Root"]["/StructTreeRoot"])
        if element.get("/S") == "/Figure"
    ]

    assert [str(figure["/Alt"]) for figure in figures] == [
        f"QR code: verify this certificate at {VERIFY_URL}"
    ]


def test_structure_tree_has_one_title_and_lists_of_list_items_only(english_pdf):
    """What PDF/UA checkers look at: headings and list structure."""
    reader = PdfReader(io.BytesIO(english_pdf))
    elements = list(_struct_elements(reader.trailer["/Root"]["/StructTreeRoot"]))

    assert [e["/S"] for e in elements].count("/H1") == 1
    for element in elements:
        if element["/S"] == "/L":
            kinds = {kid["/S"] for kid in _struct_kids(element)}
            assert kinds <= {"/LI", "/Caption"}


def _struct_kids(node):
    """A structure element's child elements (not its content or annotations)."""
    kids = node.get("/K", [])
    for kid in kids if isinstance(kids, list) else [kids]:
        kid = kid.get_object() if hasattr(kid, "get_object") else kid
        if isinstance(kid, dict) and "/S" in kid:
            yield kid


def _struct_elements(node):
    for kid in _struct_kids(node):
        yield kid
        yield from _struct_elements(kid)


@pytest.mark.parametrize(
    ("paper_size", "width", "height"),
    [("A4", 842, 595), ("Letter", 792, 612)],
)
def test_certificate_is_printed_landscape_on_a4_or_us_letter(paper_size, width, height):
    pdf = render_certificate_pdf(certificate(paper_size=paper_size))

    box = PdfReader(io.BytesIO(pdf)).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (width, height)
    assert page_count(pdf) == 1


def test_letter_certificate_qr_code_decodes_too(tmp_path):
    pdf = render_certificate_pdf(certificate(paper_size="Letter"))

    codes = zxingcpp.read_barcodes(rendered_page(pdf, tmp_path, dpi=150))

    assert [code.text for code in codes] == [VERIFY_URL]


def test_french_learner_gets_a_french_certificate_tagged_fr():
    pdf = render_certificate_pdf(
        certificate(
            language="fr",
            issued_on=date(2025, 6, 1),
            expires_on=date(2028, 6, 3),
            hours=Decimal("7.5"),
        )
    )

    reader = PdfReader(io.BytesIO(pdf))
    text = pdf_text(pdf)
    assert reader.trailer["/Root"]["/Lang"] == "fr"
    assert "1er juin 2025" in text
    assert "3 juin 2028" in text
    assert "7,5" in text


def test_a_french_credit_note_puts_a_no_break_space_before_its_colon():
    data = certificate(
        language="fr", credit_kind=CreditKind.NON_DEGREE, credit_text="sans crédits"
    )

    assert "</strong>\u00a0: sans crédits</p>" in certificate_html(data)
    assert "sans crédits" in pdf_text(render_certificate_pdf(data))


def test_english_hours_keep_their_decimal_point():
    text = pdf_text(render_certificate_pdf(certificate(hours=Decimal("7.5"))))

    assert "7.5 hours of learning" in text


def test_certificate_without_outcomes_or_hours_leaves_their_sections_out():
    pdf = render_certificate_pdf(certificate(outcomes=(), hours=None))

    text = pdf_text(pdf).lower()
    assert "hours of learning" not in text
    assert "learning time" not in text
    assert "learning outcomes" not in text
    assert page_count(pdf) == 1


def test_certificate_without_expiry_shows_no_expiry_date():
    text = pdf_text(render_certificate_pdf(certificate(expires_on=None)))

    assert "valid until" not in text.lower()
    assert "June 3, 2025" in text


LONG_NAMES = [
    # 80 characters, accents
    "Marie-Thérèse Éléonore Françoise de la Côte-Saint-Jérôme Beauchêne-Lefèbvre Ødeg",
    "Nguyễn Thị Minh Khai",
    # 80 characters of Vietnamese
    "Nguyễn Thị Minh Khai Trần Hưng Đạo Lê Thánh Tông Phạm Ngũ Lão Hoàng Hoa Thám Bùi",
    "محمد بن عبد الله الخوارزمي",
    # No space to break at: must still stay inside the page.
    "Wolfeschlegelsteinhausenbergerdorffwelchevoralternwarengewissenhaftschaferswesen",
]


@pytest.mark.parametrize("name", LONG_NAMES)
@pytest.mark.parametrize("paper_size", ["A4", "Letter"])
def test_long_and_non_latin_names_fit_on_one_page(name, paper_size):
    assert len(name) <= 80
    pdf = render_certificate_pdf(certificate(learner_name=name, paper_size=paper_size))

    assert page_count(pdf) == 1
    assert_body_clears_the_attestation(pdf)
    text = pdf_text(pdf)
    if name.isascii() or "ễ" in name or "é" in name:
        assert name in text.replace("- ", "-") or _without_spaces(name) in (
            _without_spaces(text)
        )


def _without_spaces(value: str) -> str:
    return re.sub(r"\s+", "", value)


def test_arabic_name_is_printed_in_a_font_that_has_arabic():
    """DejaVu Serif has no Arabic; the stack falls back to DejaVu Sans, which has."""
    pdf = render_certificate_pdf(certificate(learner_name="محمد الخوارزمي"))

    assert any(font.endswith("+DejaVu-Sans") for font in _font_names(pdf))
    assert "محمد الخوارزمي" in pdf_text(pdf)


@pytest.mark.parametrize(
    "name", ["王小明", "山田 太郎", "김민준", "Nguyễn Thị Minh Khai 王小明"]
)
def test_chinese_japanese_and_korean_names_are_drawn_not_left_as_boxes(name, caplog):
    needs_system_package("fonts-wqy-microhei", present=cjk_font_installed())

    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        pdf = render_certificate_pdf(certificate(learner_name=name))

    assert ".notdef" not in caplog.text
    assert any("+WenQuanYi-Micro-Hei" in font for font in _font_names(pdf))
    assert name in pdf_text(pdf)


def needs_system_package(package: str, *, present: bool) -> None:
    """Skip (fail on CI) when a Debian package the test needs is missing."""
    if not present:
        message = f"needs the Debian package {package}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


def cjk_font_installed() -> bool:
    if shutil.which("fc-list") is None:
        return False
    listed = subprocess.run(
        ["fc-list", ":lang=zh", "family"],  # noqa: S607 - fontconfig's tool
        capture_output=True,
        text=True,
        check=False,
    )
    return "WenQuanYi Micro Hei" in listed.stdout


def _font_names(pdf: bytes) -> set[str]:
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    fonts = page["/Resources"]["/Font"]
    return {str(font.get_object()["/BaseFont"]) for font in fonts.values()}


def text_lines(pdf: bytes) -> list[tuple[float, str]]:
    """(height above the page's bottom in points, text) for each run of text."""
    lines = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            lines.append((tm[4] * cm[1] + tm[5] * cm[3] + cm[5], text.strip()))

    PdfReader(io.BytesIO(pdf)).pages[0].extract_text(visitor_text=visit)
    return lines


ATTESTATION_NOTE = (
    "This certificate is backed by a digitally signed Open Badges 3.0 credential. "
    "Check that it is genuine, current and not revoked at the address beside it "
    "or by scanning the QR code."
)


def assert_body_clears_the_attestation(pdf: bytes) -> None:
    """Nothing but the attestation (signatory, verification, note) is printed
    at or below the top of the attestation band: the body never runs into it."""
    data = certificate()
    band = " ".join(
        [
            data.signatory_name,
            data.signatory_title,
            data.issuer_name,
            "VERIFICATION CODE",
            data.verification_code,
            data.verification_url,
            ATTESTATION_NOTE,
        ]
    )
    lines = text_lines(pdf)
    band_top = max(y for y, text in lines if text == "VERIFICATION CODE")
    intruders = [text for y, text in lines if y <= band_top + 1 and text not in band]
    assert intruders == []


def test_many_long_outcomes_stay_on_one_page_and_point_to_the_verification_page():
    outcomes = [
        f"Outcome {n}: analyse a realistic workplace scenario, choose the relevant "
        f"controls, justify the choice in writing and evaluate the residual risk"
        for n in range(1, 25)
    ]

    pdf = render_certificate_pdf(
        certificate(outcomes=outcomes, learner_name="Ä" * 40 + " " + "Ö" * 39)
    )

    assert page_count(pdf) == 1
    assert_body_clears_the_attestation(pdf)
    text = pdf_text(pdf)
    assert "Outcome 1:" in text
    assert "more outcomes, listed on the verification page" in text


def test_twelve_outcomes_are_all_listed_on_one_page():
    outcomes = [f"Outcome {n}: apply the procedure to a case" for n in range(1, 13)]

    pdf = render_certificate_pdf(certificate(outcomes=outcomes))

    assert page_count(pdf) == 1
    assert_body_clears_the_attestation(pdf)
    text = pdf_text(pdf)
    assert all(outcome in text for outcome in outcomes)
    assert "listed on the verification page" not in text


def test_text_that_cannot_fit_one_page_is_refused_with_a_reason():
    with pytest.raises(ValueError, match="does not fit on one page"):
        render_certificate_pdf(certificate(achievement_name="Achievement " * 600))


def test_html_in_names_is_printed_as_text_not_interpreted():
    name = "<script>alert('x')</script> O'Brien & <b>Sons</b>"

    pdf = render_certificate_pdf(
        certificate(learner_name=name, achievement_name="Risk & <i>Safety</i>")
    )

    text = pdf_text(pdf)
    assert "<script>alert('x')</script>" in text
    assert "O'Brien & <b>Sons</b>" in text
    assert "Risk & <i>Safety</i>" in text
    assert b"/JavaScript" not in pdf
    assert b"/JS " not in pdf


def test_non_degree_credential_is_labelled_as_such_and_claims_no_credit(
    english_pdf,
):
    text = pdf_text(english_pdf)

    assert "Non-degree credential" in text
    assert "For credit" not in text


def test_for_credit_credential_shows_credit_value_and_institution():
    pdf = render_certificate_pdf(
        certificate(
            credit_kind=CreditKind.FOR_CREDIT,
            credit_text="3 credits (ECTS), Northbridge Polytechnic School of Computing",
        )
    )

    text = pdf_text(pdf)
    assert "For credit: 3 credits (ECTS), Northbridge Polytechnic School of" in text
    assert "Non-degree" not in text


def test_issuer_logo_from_a_data_uri_or_a_file_is_a_figure_with_alt_text(tmp_path):
    logo = tmp_path / "logo.png"
    logo.write_bytes(PNG_PIXEL)
    data_uri = "data:image/png;base64," + base64.b64encode(PNG_PIXEL).decode()

    for source in (data_uri, str(logo)):
        pdf = render_certificate_pdf(certificate(issuer_logo=source))

        reader = PdfReader(io.BytesIO(pdf))
        alts = [
            str(element.get("/Alt"))
            for element in _struct_elements(reader.trailer["/Root"]["/StructTreeRoot"])
            if element.get("/S") == "/Figure"
        ]
        assert "Northbridge Polytechnic logo" in alts


def test_missing_logo_file_is_left_out_with_a_warning(tmp_path, caplog):
    with caplog.at_level(logging.WARNING, logger="credentials.certificates"):
        pdf = render_certificate_pdf(
            certificate(issuer_logo=str(tmp_path / "gone.png"))
        )

    assert page_count(pdf) == 1
    assert "gone.png is missing" in caplog.text


def test_control_characters_are_removed_from_printed_text():
    data = certificate(learner_name="Ada\x00 \x08Love\x7flace\n")

    assert data.learner_name == "Ada Love lace"


def test_bidirectional_overrides_cannot_disguise_a_name():
    data = certificate(learner_name="Ada \u202eecalevoL\u202c \u2067x\u2069")

    assert data.learner_name == "Ada ecalevoL x"


def test_decomposed_accents_are_composed():
    assert certificate(learner_name="Jose\u0301").learner_name == "José"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"learner_name": "  "}, "the learner's name is empty"),
        ({"achievement_name": ""}, "the achievement's name is empty"),
        ({"verification_code": ""}, "the verification code is empty"),
        (
            {"verification_url": "javascript:alert(1)"},
            "the verification URL must be an absolute http(s) URL",
        ),
        (
            {"verification_url": "/credentials/verify/X/"},
            "the verification URL must be an absolute http(s) URL",
        ),
        (
            {"credit_kind": CreditKind.FOR_CREDIT, "credit_text": ""},
            "must state its credit value and institution",
        ),
        (
            {"expires_on": date(2025, 6, 3)},
            "the expiry date must come after the issue date",
        ),
        ({"paper_size": "A3"}, "the paper size must be one of A4, Letter"),
        ({"language": "de"}, "the language must be one of en, fr"),
        ({"hours": 0}, "the hours must be a positive number"),
        ({"hours": "NaN"}, "the hours must be a positive number"),
        ({"hours": "twelve"}, "the hours must be a number"),
        ({"outcomes": "one long outcome"}, "outcomes must be a list"),
        (
            {"issuer_logo": "https://cdn.example.org/logo.png"},
            "the issuer logo must be an absolute file path or a data URI",
        ),
    ],
)
def test_data_that_cannot_make_a_correct_certificate_is_refused_with_a_reason(
    overrides, message
):
    with pytest.raises(ValueError, match=re.escape(message)):
        certificate(**overrides)


def test_qr_svg_is_inline_vector_markup_with_an_escaped_title():
    svg = qr_svg(VERIFY_URL, title='Verify "<here>" & now')

    assert svg.startswith("<svg")
    assert "<path" in svg
    assert "<image" not in svg
    assert "viewBox=" in svg
    assert '<title>Verify "&lt;here&gt;" &amp; now</title>' in svg


def test_renderer_reads_only_files_and_data_never_the_network():
    from credentials.certificates import _render_tools

    fetcher = _render_tools().url_fetcher

    with pytest.raises(ValueError, match="disallowed protocol"):
        fetcher.fetch("https://example.org/logo.png")
    with pytest.raises(ValueError, match="disallowed protocol"):
        fetcher.fetch("ftp://example.org/logo.png")


def test_one_font_configuration_and_fetcher_serve_every_certificate_of_a_process():
    from credentials.certificates import _render_tools, warm_up

    warm_up()
    first = _render_tools()
    render_certificate_pdf(certificate())
    render_certificate_pdf(certificate(learner_name="Grace Hopper"))

    assert _render_tools() is first
