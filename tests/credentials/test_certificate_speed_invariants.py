"""How often a certificate is laid out (each layout costs about as much as
writing the PDF): once in the common case, once for the later certificates of a
bulk run even when their outcomes need a denser page, and never a different
layout than trying the candidates in order would choose.

Real WeasyPrint; no timing (bench/pdf.py measures the speed). A "fresh
renderer" is a new thread: its own fonts, fetcher and nothing learnt yet."""

from __future__ import annotations

import io
import random
import threading
from datetime import date

from PIL import Image
from pypdf import PdfReader

from credentials.certificates import (
    CertificateData,
    layout_candidates,
    layout_certificate,
    qr_svg,
    render_certificate_pdf,
)

VERIFY_URL = "https://northbridge.example.edu/credentials/verify/MC-7K4Q-9XPD/"
# Long enough that nine of them need a denser layout on US Letter.
LONG_OUTCOMES = tuple(
    f"{outcome} and explain the reasoning to a colleague in writing"
    for outcome in (
        "Explain how common attacks reach an organisation and who they target",
        "Configure multi-factor authentication and a password manager for a team",
        "Recognise and report a suspicious message using the incident procedure",
        "Apply secure habits to devices, updates and backups",
        "Assess a workplace against a checklist and recommend improvements",
        "Communicate a risk to colleagues in plain language",
    )
    * 2
)
# Short and long names, Latin and Vietnamese: one or two lines, three sizes.
NAMES = (
    "Ada Lovelace",
    "Zoë Featherstonehaugh-Montgomery Kierkegaard-Tremblay",
    "Bo",
    "Marie-Thérèse Éléonore Françoise de la Côte-Saint-Jérôme Beauchêne-Lefèbvre Ødeg",
    "Li Na",
    "Nguyễn Thị Minh Khai Trần Hưng Đạo Lê Thánh Tông Phạm Ngũ Lão Hoàng Hoa Thám Bùi",
)


def certificate(**overrides) -> CertificateData:
    values = {
        "learner_name": "Ada Lovelace",
        "achievement_name": "Cyber Hygiene for Small Teams",
        "outcomes": LONG_OUTCOMES[:4],
        "hours": 12,
        "issued_on": date(2025, 6, 3),
        "expires_on": date(2028, 6, 3),
        "issuer_name": "Northbridge Polytechnic",
        "issuer_url": "https://northbridge.example.edu",
        "signatory_name": "Dr. Imani Okafor",
        "signatory_title": "Registrar",
        "verification_code": "MC-7K4Q-9XPD",
        "verification_url": VERIFY_URL,
    }
    return CertificateData(**(values | overrides))


def in_fresh_renderer(function, *args):
    """``function(*args)`` in a new thread, whose renderer has learnt nothing."""
    outcome = {}

    def run() -> None:
        try:
            outcome["value"] = function(*args)
        except Exception as error:  # noqa: BLE001 - raised again below
            outcome["error"] = error

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def chosen(data: CertificateData) -> tuple[str, int]:
    layout = layout_certificate(data)
    return layout.density, layout.listed


def lay_out_run(run: list[CertificateData]) -> list[tuple[str, int, int]]:
    """(density, outcomes listed, layouts made) for each, in order, learning."""
    return [
        (layout.density, layout.listed, layout.attempts)
        for layout in map(layout_certificate, run)
    ]


def test_candidates_go_from_the_most_generous_layout_to_the_densest():
    assert layout_candidates(certificate(outcomes=LONG_OUTCOMES[:5])) == [
        ("regular", 5),
        ("compact", 5),
        ("dense", 5),
        ("dense", 3),
        ("dense", 1),
        ("dense", 0),
    ]


def test_a_common_certificate_is_laid_out_once():
    layout = in_fresh_renderer(layout_certificate, certificate())

    assert (layout.density, layout.listed, layout.attempts) == ("regular", 4, 1)
    assert len(layout.document.pages) == 1


def test_later_certificates_of_a_run_needing_the_dense_layout_are_laid_out_once():
    run = [
        certificate(learner_name=name, outcomes=LONG_OUTCOMES[:10], paper_size="Letter")
        for name in NAMES
    ]

    laid_out = in_fresh_renderer(lay_out_run, run)

    assert laid_out == [("dense", 10, 3)] + [("dense", 10, 1)] * (len(NAMES) - 1)


def test_what_a_run_taught_never_changes_the_layout_chosen():
    """Runs whose names need different layouts: each certificate starts from
    the previous one's layout and must move back or on to the one that trying
    the candidates in order (a fresh renderer) chooses."""
    for paper_size, count in (("Letter", 9), ("Letter", 12), ("A4", 12)):
        run = [
            certificate(
                learner_name=name,
                outcomes=LONG_OUTCOMES[:count],
                paper_size=paper_size,
            )
            for name in NAMES
        ]

        laid_out = in_fresh_renderer(lay_out_run, run)

        in_order = [in_fresh_renderer(chosen, data) for data in run]
        assert [(density, listed) for density, listed, _ in laid_out] == in_order
        layouts_in_order = sum(
            layout_candidates(data).index(choice) + 1
            for data, choice in zip(run, in_order, strict=True)
        )
        assert sum(attempts for *_, attempts in laid_out) < layouts_in_order


def test_a_run_whose_names_need_different_layouts_exercises_both_directions():
    run = [
        certificate(learner_name=name, outcomes=LONG_OUTCOMES[:9], paper_size="Letter")
        for name in NAMES
    ]

    densities = [density for density, *_ in in_fresh_renderer(lay_out_run, run)]

    assert densities == ["compact", "dense"] * 3


def test_a_credentials_a4_and_letter_pages_share_one_qr_code():
    title = f"QR code: verify this certificate at {VERIFY_URL}"

    assert qr_svg(VERIFY_URL, title=title) is qr_svg(VERIFY_URL, title=title)


def test_a_logo_with_more_pixels_than_print_needs_is_embedded_at_300_dpi(tmp_path):
    """Printed at most 45 mm by 13 mm: within 531 by 154 pixels at 300 dpi,
    instead of 2400 by 700 that WeasyPrint would compress again for every PDF."""
    logo = tmp_path / "logo.png"
    noisy_logo(2400, 700).save(logo)

    pdf = render_certificate_pdf(certificate(issuer_logo=str(logo)))

    assert image_sizes(pdf) == [(528, 154)]
    assert "Northbridge Polytechnic logo" in figure_alternative_texts(pdf)


def test_a_logo_within_print_resolution_is_embedded_as_it_is(tmp_path):
    logo = tmp_path / "logo.png"
    noisy_logo(400, 116).save(logo)

    pdf = render_certificate_pdf(certificate(issuer_logo=str(logo)))

    assert image_sizes(pdf) == [(400, 116)]


def noisy_logo(width: int, height: int) -> Image.Image:
    """A transparent picture that compresses badly, as photographs do."""
    generator = random.Random(width)  # noqa: S311 - test pixels, not secrets
    pixels = bytes(generator.getrandbits(8) for _ in range(width * height * 4))
    return Image.frombytes("RGBA", (width, height), pixels)


def image_sizes(pdf: bytes) -> list[tuple[int, int]]:
    """(width, height) in pixels of each raster image on the page."""
    sizes = []

    def visit(resources) -> None:
        for reference in resources.get("/XObject", {}).values():
            xobject = reference.get_object()
            if xobject["/Subtype"] == "/Image":
                sizes.append((int(xobject["/Width"]), int(xobject["/Height"])))
            if "/Resources" in xobject:
                visit(xobject["/Resources"])

    visit(PdfReader(io.BytesIO(pdf)).pages[0]["/Resources"])
    return sizes


def figure_alternative_texts(pdf: bytes) -> list[str]:
    def visit(node):
        kids = node.get("/K", [])
        for kid in kids if isinstance(kids, list) else [kids]:
            kid = kid.get_object() if hasattr(kid, "get_object") else kid
            if isinstance(kid, dict) and "/S" in kid:
                if kid["/S"] == "/Figure":
                    yield str(kid.get("/Alt"))
                yield from visit(kid)

    catalog = PdfReader(io.BytesIO(pdf)).trailer["/Root"]
    return list(visit(catalog["/StructTreeRoot"]))
