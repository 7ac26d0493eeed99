"""The generated course badge: deterministic, readable, fitted to its circle."""

import io
import logging
import xml.etree.ElementTree as ET

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from credentials import badge_image, baking
from credentials.badge_image import (
    BOLD_FONT,
    MAX_TITLE_LINES,
    REGULAR_FONT,
    WHITE,
    badge_colour,
    contrast_ratio,
    layout_badge,
    render_badge_png,
)

LONG_TITLE = (
    "Introduction to Evidence-Based Decision Making in Community Health "
    "Organisations, Municipal Services and Not-for-Profit Agencies: Methods, "
    "Ethics and Practice"
)


def open_png(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def test_the_same_inputs_give_the_same_bytes():
    first = render_badge_png("Data Literacy", "DATA-101", "data-101")
    second = render_badge_png("Data Literacy", "DATA-101", "data-101")

    assert first == second


@pytest.mark.parametrize(
    "other",
    [
        ("Data Literacy II", "DATA-101", "data-101"),
        ("Data Literacy", "DATA-102", "data-101"),
        ("Data Literacy", "DATA-101", "data-102"),
    ],
)
def test_a_different_title_code_or_seed_gives_a_different_image(other):
    assert render_badge_png(*other) != render_badge_png(
        "Data Literacy", "DATA-101", "data-101"
    )


@pytest.mark.parametrize("size", [64, 256, 600, 1024])
def test_the_image_is_a_square_png_of_the_asked_size(size):
    image = open_png(render_badge_png("Data Literacy", "DATA-101", 1, size=size))

    assert image.format == "PNG"
    assert image.size == (size, size)
    assert image.mode == "RGBA"


def test_corners_are_transparent_and_the_centre_is_the_badge_colour():
    image = open_png(render_badge_png("", "", "seed", size=600))

    for corner in [(0, 0), (599, 0), (0, 599), (599, 599)]:
        assert image.getpixel(corner)[3] == 0
    assert image.getpixel((300, 300)) == (*badge_colour("seed"), 255)


def test_the_text_is_drawn_in_white():
    image = open_png(render_badge_png("Data Literacy", "DATA-101", "seed"))

    colours = {colour for _count, colour in image.getcolors(maxcolors=100_000)}
    assert (255, 255, 255, 255) in colours


@pytest.mark.parametrize("size", [0, 63, 2049, -600])
def test_an_unreasonable_size_is_refused(size):
    with pytest.raises(ValueError, match="64 to 2048 pixels"):
        render_badge_png("Data Literacy", "DATA-101", 1, size=size)


@given(seed=st.one_of(st.text(max_size=40), st.integers()))
def test_white_text_on_any_badge_colour_has_aaa_contrast(seed):
    assert contrast_ratio(WHITE, badge_colour(seed)) >= 7.0


def test_the_colour_depends_only_on_the_seed():
    assert badge_colour("data-101") == badge_colour("data-101")
    assert badge_colour("data-101") != badge_colour("data-102")
    assert badge_colour(7) == badge_colour("7")


def test_contrast_ratio_follows_wcag():
    assert contrast_ratio(WHITE, (0, 0, 0)) == pytest.approx(21)
    assert contrast_ratio((118, 118, 118), WHITE) == pytest.approx(4.54, abs=0.01)
    assert contrast_ratio(WHITE, WHITE) == 1


# --- fitting text ------------------------------------------------------------


def line_width(layout, line: str, bold: bool = False) -> float:
    font = badge_image._font(BOLD_FONT if bold else REGULAR_FONT, layout.title_size)
    if bold:
        font = badge_image._font(BOLD_FONT, layout.code_size)
    return font.getlength(line)


def test_a_short_title_keeps_the_largest_size_on_few_lines():
    layout = layout_badge("Data Literacy", "DATA-101", 1)

    assert layout.title_lines == ("Data Literacy",)
    assert layout.title_size == round(0.068 * 600)


def test_a_long_title_wraps_onto_at_most_three_lines_that_fit():
    layout = layout_badge(LONG_TITLE, "HLTH-2045", 1)

    assert 1 < len(layout.title_lines) <= MAX_TITLE_LINES
    for line in layout.title_lines:
        assert line_width(layout, line) <= layout.text_width


def test_a_title_too_long_for_three_lines_ends_with_an_ellipsis():
    layout = layout_badge(LONG_TITLE, "HLTH-2045", 1)

    assert layout.title_lines[-1].endswith("…")
    assert " ".join(layout.title_lines).startswith("Introduction to Evidence-Based")
    assert layout.title_size == round(0.041 * 600)


def test_a_title_that_fits_is_never_cut():
    title = "Evidence-Based Decision Making in Community Health"

    layout = layout_badge(title, "HLTH-2045", 1)

    assert " ".join(layout.title_lines) == title


def test_a_word_wider_than_the_badge_is_broken():
    word = "Pneumonoultramicroscopicsilicovolcanoconiosis" * 2

    layout = layout_badge(word, "MED-1", 1)

    assert "".join(layout.title_lines).rstrip("…") in word
    for line in layout.title_lines:
        assert line_width(layout, line) <= layout.text_width


def test_a_long_code_shrinks_then_is_cut_to_fit():
    layout = layout_badge("Title", "ENVIRONMENTAL-SCIENCE-AND-POLICY-4099", 1)

    assert layout.code_size == round(0.06 * 600)
    assert layout.code.endswith("…")
    assert line_width(layout, layout.code, bold=True) <= layout.text_width


def test_whitespace_in_title_and_code_is_normalised():
    layout = layout_badge("  Data\n\tLiteracy  ", " DATA-101\n", 1)

    assert layout.title_lines == ("Data Literacy",)
    assert layout.code == "DATA-101"


@settings(max_examples=25, deadline=None)
@given(
    title=st.text(
        alphabet=st.characters(codec="latin-1", categories=("L", "N", "P", "Zs")),
        max_size=200,
    )
)
def test_any_title_fits_inside_the_circle(title):
    layout = layout_badge(title, "CODE-1", "seed")

    assert len(layout.title_lines) <= MAX_TITLE_LINES
    for line in layout.title_lines:
        assert line_width(layout, line) <= layout.text_width
    baselines = layout.title_baselines()
    if baselines:
        assert baselines[0] - layout.title_line_height / 2 >= 0.52 * 600 - 1
        assert baselines[-1] + layout.title_line_height / 2 <= 0.78 * 600 + 1


# --- fonts ---------------------------------------------------------------------


def test_dejavu_is_found_where_debian_installs_it():
    assert badge_image.find_font(REGULAR_FONT).name == "DejaVuSans.ttf"
    assert badge_image.find_font(BOLD_FONT).name == "DejaVuSans-Bold.ttf"


def test_without_dejavu_the_badge_uses_pillows_font_and_says_so(
    monkeypatch, tmp_path, caplog
):
    monkeypatch.setattr(badge_image, "FONT_DIRS", (str(tmp_path),))

    with caplog.at_level(logging.WARNING, logger="credentials.badge_image"):
        data = render_badge_png("Data Literacy", "DATA-101", 1, size=300)

    assert open_png(data).size == (300, 300)
    assert "DejaVuSans.ttf and DejaVuSans-Bold.ttf not found" in caplog.text
    assert "fonts-dejavu-core" in caplog.text


# --- SVG, and baking the generated image ----------------------------------------


def test_the_svg_badge_is_well_formed_and_labelled():
    svg = badge_image.badge_svg("Data & Society <intro>", "DATA-101", "seed")

    root = ET.fromstring(svg)  # noqa: S314 - our own output
    ns = "{http://www.w3.org/2000/svg}"
    assert root.tag == ns + "svg"
    assert root.get("role") == "img"
    assert root.find(ns + "title").text == "DATA-101 — Data & Society <intro>"
    texts = [t.text for t in root.iter(ns + "text")]
    assert texts[0] == "DATA-101"
    assert " ".join(texts[1:]) == "Data & Society <intro>"
    circle = root.find(ns + "circle")
    assert circle.get("fill") == "#{:02x}{:02x}{:02x}".format(*badge_colour("seed"))


def test_the_svg_is_deterministic():
    assert badge_image.badge_svg(LONG_TITLE, "X", 1) == badge_image.badge_svg(
        LONG_TITLE, "X", 1
    )


def test_the_generated_badge_can_be_baked():
    png = render_badge_png("Data Literacy", "DATA-101", "data-101")
    credential = {"id": "https://microcred.example/credentials/1"}

    baked = baking.bake(png, credential)

    assert baking.unbake(baked) == credential
    assert open_png(baked).tobytes() == open_png(png).tobytes()
