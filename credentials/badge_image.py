"""The generated badge image of a course: a round badge with its code and title.

Every achievement needs an image (Open Badges ``Achievement.image``); until
staff upload one, this draws it. The drawing is a pure function of its
inputs: the same title, code, colour seed and size give the same PNG bytes
(for a given Pillow, FreeType and font version), so it can be regenerated
instead of stored, and tests can compare bytes.

Readable by design:

- white text on a background colour chosen so the contrast ratio is at least
  7:1 (WCAG 2.2 AAA for text of any size), whatever the seed;
- the code in bold on one line, the title below it on up to three lines,
  the font shrinking until it fits inside the circle; a title that still does
  not fit at the smallest size is cut with an ellipsis;
- DejaVu Sans (Debian's ``fonts-dejavu-core``), looked up when drawing;
  without it, Pillow's built-in font and a logged warning.
"""

from __future__ import annotations

import colorsys
import hashlib
import html
import io
import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

logger = logging.getLogger(__name__)

#: Where DejaVu is looked for, in order (Debian, Fedora/Arch, a local install).
FONT_DIRS: tuple[str, ...] = (
    "/usr/share/fonts/truetype/dejavu",
    "/usr/share/fonts/dejavu",
    "/usr/share/fonts/TTF",
    "/usr/local/share/fonts",
)
REGULAR_FONT = "DejaVuSans.ttf"
BOLD_FONT = "DejaVuSans-Bold.ttf"

WHITE = (255, 255, 255)
MIN_CONTRAST = 7.0
MIN_SIZE, MAX_SIZE = 64, 2048
MAX_TITLE_LINES = 3
ELLIPSIS = "…"

# Geometry, as fractions of the badge's side.
_OUTER_RADIUS = 0.48
_RING_RADIUS = 0.435
_RING_WIDTH = 0.012
_TEXT_WIDTH = 0.58
_CODE_CENTRE_Y = 0.36
_CODE_SIZES = (0.13, 0.115, 0.10, 0.09, 0.08, 0.07, 0.06)
_DIVIDER_Y = 0.47
_TITLE_TOP = 0.52
_TITLE_BOTTOM = 0.78
_TITLE_SIZES = (0.068, 0.062, 0.056, 0.05, 0.045, 0.041)
_LINE_SPACING = 1.2
_SUPERSAMPLE = 2


# --- colour -------------------------------------------------------------------


def _relative_luminance(rgb: tuple[int, int, int]) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(first: tuple[int, int, int], second: tuple[int, int, int]) -> float:
    """The WCAG contrast ratio of two sRGB colours, from 1 to 21."""
    lighter, darker = sorted(
        (_relative_luminance(first), _relative_luminance(second)), reverse=True
    )
    return (lighter + 0.05) / (darker + 0.05)


def badge_colour(colour_seed: str | int) -> tuple[int, int, int]:
    """A background colour for ``colour_seed``: its hue from a hash of the seed,
    dark enough that white text on it has a contrast of at least 7:1."""
    digest = hashlib.sha256(str(colour_seed).encode()).digest()
    hue = int.from_bytes(digest[:2], "big") / 65536
    saturation = 0.45 + digest[2] / 255 * 0.25
    lightness = 0.42
    while True:
        rgb = tuple(
            round(c * 255) for c in colorsys.hls_to_rgb(hue, lightness, saturation)
        )
        if contrast_ratio(WHITE, rgb) >= MIN_CONTRAST or lightness <= 0:
            return rgb  # type: ignore[return-value]
        lightness = round(lightness - 0.01, 2)


def _tint(rgb: tuple[int, int, int], amount: float) -> tuple[int, int, int]:
    return tuple(round(c + (255 - c) * amount) for c in rgb)  # type: ignore[return-value]


def _hex(rgb: tuple[int, int, int]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)


# --- fonts ----------------------------------------------------------------------


def find_font(filename: str) -> Path | None:
    """The path of font ``filename`` in ``FONT_DIRS``, or ``None``."""
    for directory in FONT_DIRS:
        path = Path(directory) / filename
        if path.is_file():
            return path
    return None


def _warn_if_fonts_missing() -> None:
    missing = [name for name in (REGULAR_FONT, BOLD_FONT) if find_font(name) is None]
    if missing:
        logger.warning(
            "Font %s not found in %s; badge images use Pillow's default font. "
            "Install fonts-dejavu-core.",
            " and ".join(missing),
            ", ".join(FONT_DIRS),
        )


def _font(filename: str, size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """DejaVu at ``size`` pixels, or Pillow's default font when DejaVu is missing."""
    path = find_font(filename)
    if path is None:
        return ImageFont.load_default(size=size)
    return _truetype(str(path), size)


@lru_cache(maxsize=64)
def _truetype(path: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size)


def _width(font: ImageFont.FreeTypeFont | ImageFont.ImageFont, text: str) -> float:
    return font.getlength(text)


# --- layout ---------------------------------------------------------------------


@dataclass(frozen=True)
class BadgeLayout:
    """Where everything goes on a badge of side ``size`` (in pixels)."""

    size: int
    background: tuple[int, int, int]
    ring: tuple[int, int, int]
    code: str
    code_size: int
    title_lines: tuple[str, ...]
    title_size: int
    text_width: int

    @property
    def title_line_height(self) -> int:
        return round(self.title_size * _LINE_SPACING)

    def title_baselines(self) -> list[int]:
        """The vertical centre of each title line, the block centred in its band."""
        height = self.title_line_height * len(self.title_lines)
        band_top, band_bottom = _TITLE_TOP * self.size, _TITLE_BOTTOM * self.size
        top = band_top + (band_bottom - band_top - height) / 2
        return [
            round(top + self.title_line_height * (i + 0.5))
            for i in range(len(self.title_lines))
        ]


def _wrap(text: str, font, max_width: float) -> list[str]:
    """Greedy word wrap; a word wider than a line is broken between characters."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if _width(font, candidate) <= max_width:
            current = candidate
            continue
        if current:
            lines.append(current)
        current = ""
        while _width(font, word) > max_width:
            cut = len(word) - 1
            while cut > 1 and _width(font, word[:cut]) > max_width:
                cut -= 1
            lines.append(word[:cut])
            word = word[cut:]
        current = word
    if current:
        lines.append(current)
    return lines


def _shorten(line: str, font, max_width: float) -> str:
    """``line`` cut so that it and an ellipsis fit ``max_width``."""
    line = line.rstrip()
    while line and _width(font, line + ELLIPSIS) > max_width:
        line = line[:-1].rstrip()
    return line + ELLIPSIS


def layout_badge(
    title: str, code: str, colour_seed: str | int, size: int = 600
) -> BadgeLayout:
    """Choose colours, font sizes and line breaks for a badge (no drawing)."""
    if not MIN_SIZE <= size <= MAX_SIZE:
        raise ValueError(f"A badge image is {MIN_SIZE} to {MAX_SIZE} pixels wide.")
    title = " ".join(str(title).split())
    code = " ".join(str(code).split())
    _warn_if_fonts_missing()
    background = badge_colour(colour_seed)
    text_width = round(_TEXT_WIDTH * size)

    code_size = round(_CODE_SIZES[-1] * size)
    for fraction in _CODE_SIZES:
        candidate = round(fraction * size)
        if _width(_font(BOLD_FONT, candidate), code) <= text_width:
            code_size = candidate
            break
    code_font = _font(BOLD_FONT, code_size)
    if _width(code_font, code) > text_width:
        code = _shorten(code, code_font, text_width)

    band = (_TITLE_BOTTOM - _TITLE_TOP) * size
    title_lines: list[str] = []
    title_size = round(_TITLE_SIZES[-1] * size)
    for fraction in _TITLE_SIZES:
        candidate = round(fraction * size)
        lines = _wrap(title, _font(REGULAR_FONT, candidate), text_width)
        fits_height = len(lines) * round(candidate * _LINE_SPACING) <= band
        if len(lines) <= MAX_TITLE_LINES and fits_height:
            title_size, title_lines = candidate, lines
            break
    else:
        font = _font(REGULAR_FONT, title_size)
        lines = _wrap(title, font, text_width)
        title_lines = lines[:MAX_TITLE_LINES]
        if len(lines) > MAX_TITLE_LINES:
            title_lines[-1] = _shorten(title_lines[-1], font, text_width)

    return BadgeLayout(
        size=size,
        background=background,
        ring=_tint(background, 0.55),
        code=code,
        code_size=code_size,
        title_lines=tuple(title_lines),
        title_size=title_size,
        text_width=text_width,
    )


# --- drawing --------------------------------------------------------------------


def render_badge_png(
    title: str, code: str, colour_seed: str | int, size: int = 600
) -> bytes:
    """The badge as PNG bytes: ``size`` × ``size`` pixels, transparent corners."""
    layout = layout_badge(title, code, colour_seed, size)
    scale = _SUPERSAMPLE
    side = size * scale
    image = Image.new("RGBA", (side, side), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    centre = side / 2

    def circle(radius: float, **options) -> None:
        r = radius * side
        draw.ellipse((centre - r, centre - r, centre + r, centre + r), **options)

    circle(_OUTER_RADIUS, fill=layout.background)
    circle(_RING_RADIUS, outline=layout.ring, width=max(1, round(_RING_WIDTH * side)))

    code_font = _font(BOLD_FONT, layout.code_size * scale)
    draw.text(
        (centre, _CODE_CENTRE_Y * side),
        layout.code,
        font=code_font,
        fill=WHITE,
        anchor="mm",
    )
    half_rule = 0.12 * side
    draw.line(
        (centre - half_rule, _DIVIDER_Y * side, centre + half_rule, _DIVIDER_Y * side),
        fill=layout.ring,
        width=max(1, round(0.006 * side)),
    )
    title_font = _font(REGULAR_FONT, layout.title_size * scale)
    for line, y in zip(layout.title_lines, layout.title_baselines(), strict=True):
        draw.text((centre, y * scale), line, font=title_font, fill=WHITE, anchor="mm")

    image = image.resize((size, size), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=False)
    return out.getvalue()


def badge_svg(title: str, code: str, colour_seed: str | int, size: int = 600) -> str:
    """The same badge as an SVG document (text stays text: selectable, sharp)."""
    layout = layout_badge(title, code, colour_seed, size)
    c = size / 2
    esc = html.escape
    label = f"{layout.code} — {' '.join(layout.title_lines)}"
    font = "font-family=\"'DejaVu Sans', Verdana, sans-serif\""
    lines = "".join(
        f'<text x="{c:g}" y="{y}" {font} font-size="{layout.title_size}" '
        f'fill="#ffffff" text-anchor="middle" dominant-baseline="central">'
        f"{esc(line)}</text>"
        for line, y in zip(layout.title_lines, layout.title_baselines(), strict=True)
    )
    half_rule = 0.12 * size
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" '
        f'viewBox="0 0 {size} {size}" role="img" aria-label="{esc(label)}">'
        f"<title>{esc(label)}</title>"
        f'<circle cx="{c:g}" cy="{c:g}" r="{_OUTER_RADIUS * size:g}" '
        f'fill="{_hex(layout.background)}"/>'
        f'<circle cx="{c:g}" cy="{c:g}" r="{_RING_RADIUS * size:g}" fill="none" '
        f'stroke="{_hex(layout.ring)}" stroke-width="{_RING_WIDTH * size:g}"/>'
        f'<text x="{c:g}" y="{_CODE_CENTRE_Y * size:g}" {font} font-weight="bold" '
        f'font-size="{layout.code_size}" fill="#ffffff" text-anchor="middle" '
        f'dominant-baseline="central">{esc(layout.code)}</text>'
        f'<line x1="{c - half_rule:g}" y1="{_DIVIDER_Y * size:g}" '
        f'x2="{c + half_rule:g}" y2="{_DIVIDER_Y * size:g}" '
        f'stroke="{_hex(layout.ring)}" stroke-width="{0.006 * size:g}"/>'
        f"{lines}</svg>"
    )
