"""PDF certificates: one tagged, accessible page per credential.

The renderer is pure of the database: the caller (the Celery task that renders
a credential's certificate) builds a :class:`CertificateData` from the issued
credential and stores the bytes :func:`render_certificate_pdf` returns.

What the page shows, in the learner's language (English or French): the
learner's legal name, the achievement, the learning outcomes, the learning time,
the credit label (a non-degree credential is labelled as such; a for-credit one
states its credit value and the institution granting it), the issue date, the
expiry date if any, the issuer and its signatory, the verification code and URL,
and a vector QR code (segno) that opens the public verification page.

The PDF is PDF/UA-1 (WeasyPrint's ``pdf/ua-1`` variant: tagged structure,
``/MarkInfo``, document title shown by viewers) with the document language set
from ``<html lang>``. It is always one page, A4 or US Letter, landscape: a long
name or a long list of outcomes switches to a denser layout, and past
:data:`MAX_LISTED_OUTCOMES` outcomes the page lists the first ones and points to
the verification page for the rest (which always lists them all).

Speed: building a ``FontConfiguration`` and a ``URLFetcher`` costs tens of
milliseconds (the fetcher builds an SSL context), so each worker process (each
thread, if a pool uses threads) keeps one of each and one parsed stylesheet; the
fetcher reads only ``file:`` and ``data:`` URLs, never the network. With
Debian's ``libharfbuzz-subset0`` installed WeasyPrint subsets fonts with
HarfBuzz instead of fontTools, several times faster. A worker calls
:func:`warm_up` at its start, then freezes what is loaded out of the garbage
collector's sweeps. Laying a page out costs about as much as writing its PDF,
so :func:`layout_certificate` lays out a bulk run's later certificates once
each, even when their outcomes need a denser layout (``python -m bench.pdf``
measures both kinds of run).
"""

from __future__ import annotations

import base64
import functools
import io
import logging
import os
import re
import threading
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import formats, translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext

logger = logging.getLogger(__name__)

PaperSize = Literal["A4", "Letter"]

#: Landscape page sizes in millimetres (width, height).
PAPER_SIZES_MM: dict[str, tuple[float, float]] = {
    "A4": (297.0, 210.0),
    "Letter": (279.4, 215.9),
}
#: At most this many outcomes are printed; the rest are on the verification page.
MAX_LISTED_OUTCOMES = 12
#: From the most generous layout to the densest; the first that fits one page wins.
DENSITIES = ("regular", "compact", "dense")
#: The only protocols the renderer may read: our own files and inline data.
ALLOWED_PROTOCOLS = frozenset({"file", "data"})
STYLESHEET = Path(__file__).resolve().parents[1] / "static/credentials/certificate.css"
TEMPLATE = "credentials/certificate.html"

# C0 and C1 control characters and DEL (never meaningful in a name, and NUL is
# not allowed in HTML), and the bidirectional embeddings, overrides and isolates
# (U+202A-U+202E, U+2066-U+2069), which can make a printed name read as another.
# The left-to-right and right-to-left marks stay: mixed-script names need them.
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_SPACES = re.compile(r"\s+")


class CreditKind(StrEnum):
    """Whether the credential carries academic credit (never blurred)."""

    NON_DEGREE = "non_degree"
    FOR_CREDIT = "for_credit"


def clean_text(value: str) -> str:
    """One line of printable text: control characters removed, runs of white
    space collapsed, Unicode in composed form (so "é" is one glyph)."""
    value = _CONTROL_CHARACTERS.sub(" ", value)
    return unicodedata.normalize("NFC", _SPACES.sub(" ", value).strip())


@dataclass(frozen=True, kw_only=True)
class CertificateData:
    """Everything the certificate page shows, already decided by the caller.

    - ``hours``: the achievement's time commitment, or ``None`` when it has none.
    - ``credit_kind`` and ``credit_text``: for :attr:`CreditKind.FOR_CREDIT` the
      text is required and states the credit value and the granting institution
      ("3 credits (ECTS), Université Laval"); for :attr:`CreditKind.NON_DEGREE`
      it is an optional note ("Does not carry academic credit.").
    - ``issuer_logo``: an absolute file path or a ``data:`` URI (the renderer
      reads no other URL), or ``None``. A logo kept in remote storage is passed
      as a data URI.
    - ``verification_url``: an absolute ``http(s)`` URL of the public
      verification page; it is both the QR code and the printed link.
    - ``language``: a code from ``settings.LANGUAGES``; the page is written in it
      and the PDF's ``/Lang`` says so.

    Text fields are cleaned on creation (:func:`clean_text`). A value that
    cannot make a correct certificate raises ``ValueError`` with a message.
    """

    learner_name: str
    achievement_name: str
    outcomes: tuple[str, ...] = ()
    hours: Decimal | int | None = None
    credit_kind: CreditKind = CreditKind.NON_DEGREE
    credit_text: str = ""
    issued_on: date
    expires_on: date | None = None
    issuer_name: str
    issuer_url: str = ""
    issuer_logo: str | None = None
    signatory_name: str = ""
    signatory_title: str = ""
    verification_code: str
    verification_url: str
    language: str = "en"
    paper_size: PaperSize = "A4"

    def __post_init__(self) -> None:
        for name in (
            "learner_name",
            "achievement_name",
            "credit_text",
            "issuer_name",
            "issuer_url",
            "signatory_name",
            "signatory_title",
            "verification_code",
            "verification_url",
        ):
            object.__setattr__(self, name, clean_text(getattr(self, name)))
        if isinstance(self.outcomes, str):
            raise ValueError("Cannot make this certificate: outcomes must be a list")
        outcomes = tuple(clean_text(o) for o in self.outcomes)
        object.__setattr__(self, "outcomes", tuple(o for o in outcomes if o))
        object.__setattr__(self, "credit_kind", CreditKind(self.credit_kind))
        if self.hours is not None and not isinstance(self.hours, Decimal):
            try:
                object.__setattr__(self, "hours", Decimal(str(self.hours)))
            except ArithmeticError:  # decimal.InvalidOperation
                raise ValueError(
                    "Cannot make this certificate: the hours must be a number"
                ) from None
        problems = certificate_problems(self)
        if problems:
            raise ValueError("Cannot make this certificate: " + "; ".join(problems))


def certificate_problems(data: CertificateData) -> list[str]:
    """The reasons ``data`` cannot make a correct certificate (empty if none)."""
    problems = []
    for name, label in (
        ("learner_name", "the learner's name"),
        ("achievement_name", "the achievement's name"),
        ("issuer_name", "the issuer's name"),
        ("verification_code", "the verification code"),
    ):
        if not getattr(data, name):
            problems.append(f"{label} is empty")
    if not _is_web_url(data.verification_url):
        problems.append("the verification URL must be an absolute http(s) URL")
    if data.issuer_url and not _is_web_url(data.issuer_url):
        problems.append("the issuer URL must be an absolute http(s) URL")
    if data.credit_kind is CreditKind.FOR_CREDIT and not data.credit_text:
        problems.append(
            "a for-credit certificate must state its credit value and institution"
        )
    if data.hours is not None and not (data.hours.is_finite() and data.hours > 0):
        problems.append("the hours must be a positive number")
    if data.expires_on is not None and data.expires_on <= data.issued_on:
        problems.append("the expiry date must come after the issue date")
    if data.paper_size not in PAPER_SIZES_MM:
        problems.append(f"the paper size must be one of {', '.join(PAPER_SIZES_MM)}")
    if data.language not in dict(settings.LANGUAGES):
        codes = ", ".join(code for code, _ in settings.LANGUAGES)
        problems.append(f"the language must be one of {codes}")
    if data.issuer_logo is not None and not (
        data.issuer_logo.startswith("data:image/")
        or Path(data.issuer_logo).is_absolute()
    ):
        problems.append("the issuer logo must be an absolute file path or a data URI")
    return problems


def _is_web_url(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in {"http", "https"} and bool(parts.netloc)


@functools.lru_cache(maxsize=64)
def qr_svg(url: str, *, title: str = "") -> SafeString:
    """The QR code of ``url`` as inline SVG markup (vector, scalable).

    The symbol keeps its four-module quiet zone and is sized by CSS (``viewBox``,
    no width or height). ``title`` becomes the SVG ``<title>``, which WeasyPrint
    uses as the alternative text of the tagged figure; segno escapes it.

    The last few are kept (the markup is immutable): a credential's A4 and
    Letter pages share one, which saves segno's ~5 ms choice of mask.
    """
    qr = segno.make_qr(url, error="m")
    return mark_safe(  # noqa: S308 - segno writes the markup and escapes the title
        qr.svg_inline(
            omitsize=True,
            svgclass="qr",
            lineclass=None,
            title=title or None,
            dark="#000",
            light="#fff",
        )
    )


def render_certificate_pdf(data: CertificateData) -> bytes:
    """The certificate as PDF/UA-1 bytes: one page, in ``data.language``.

    The layout is the one :func:`layout_certificate` chooses. Raises
    ``ValueError`` only when no outcome is left and the names alone overflow
    the page.
    """
    return layout_certificate(data).document.write_pdf(**PDF_OPTIONS)


@dataclass(frozen=True)
class CertificateLayout:
    """The page laid out for a certificate, and how it was found.

    ``attempts`` counts the layouts made to choose it (each one costs about as
    much as writing the PDF): 1 whenever the regular layout fits, and for most
    certificates of a run after its first.
    """

    density: str
    listed: int
    attempts: int
    document: Any  # weasyprint.Document, one page


def layout_certificate(data: CertificateData) -> CertificateLayout:
    """The first of :func:`layout_candidates` that fits one page.

    Tried in order, the candidates would lay every certificate of a bulk run
    whose outcomes need a denser page out two, three or more times. So the
    search starts where the previous certificate of the same run
    (:func:`_run_key`) ended, in this process, and steps back to more generous
    layouts only while they may still fit. Two facts keep the choice the one
    that trying in order makes:

    - when a layout does not fit, no more generous one does;
    - between two layouts, the height the sheet needs, less the blocks that vary
      from one learner to the next (:data:`_LEARNER_BLOCKS`, which only shrink
      in a denser layout), changes by the same amount for every certificate of
      a run; measured once, that difference proves for the next certificates
      that a more generous layout is too tall, without laying it out.

    Raises ``ValueError`` when even the last candidate does not fit.
    """
    tools = _render_tools()
    with translation.override(data.language):
        context = _context(data)
    candidates = layout_candidates(data)
    key = _run_key(data)
    hint = tools.layout_hints.get(key) or _LayoutHint()
    trials: dict[int, _Trial] = {}

    def attempt(index: int) -> _Trial:
        density, listed = candidates[index]
        document = _layout(data, context, tools, density=density, listed=listed)
        trials[index] = trial = _Trial.of(document)
        for neighbour, less_dense, denser in (
            (index - 1, index - 1, index),
            (index + 1, index, index + 1),
        ):
            if neighbour in trials:
                gap = trials[less_dense].rest_gap(trials[denser])
                if gap is not None:
                    hint.gaps[less_dense] = gap
        return trial

    start = min(hint.start, len(candidates) - 1)
    if attempt(start).fits:
        chosen = start
        while chosen > 0 and not _proven_too_tall(
            trials[chosen], hint.gaps.get(chosen - 1)
        ):
            if not attempt(chosen - 1).fits:
                break
            chosen -= 1
    else:
        chosen = next(
            (i for i in range(start + 1, len(candidates)) if attempt(i).fits), None
        )
        if chosen is None:
            raise ValueError(
                "Cannot make this certificate: its text does not fit on one page"
            )
    hint.start = chosen
    if len(tools.layout_hints) >= LAYOUT_HINTS_SIZE:
        tools.layout_hints.clear()
    tools.layout_hints[key] = hint
    density, listed = candidates[chosen]
    return CertificateLayout(density, listed, len(trials), trials[chosen].document)


def layout_candidates(data: CertificateData) -> list[tuple[str, int]]:
    """The layouts a certificate may take, as (density, outcomes listed), from
    the most generous: each of :data:`DENSITIES` listing every outcome it may
    (at most :data:`MAX_LISTED_OUTCOMES`), then the densest listing two fewer
    each time, down to none (the page then points to the verification page)."""
    listed = min(len(data.outcomes), MAX_LISTED_OUTCOMES)
    candidates = [(density, listed) for density in DENSITIES]
    while listed > 0:
        listed = max(0, listed - 2)
        candidates.append((DENSITIES[-1], listed))
    return candidates


def certificate_html(
    data: CertificateData, *, density: str = "regular", listed: int | None = None
) -> str:
    """The certificate page as HTML, written in ``data.language``."""
    with translation.override(data.language):
        context = _context(data)
        listed = len(data.outcomes) if listed is None else listed
        return render_to_string(TEMPLATE, _page_context(context, density, listed))


#: WeasyPrint options: PDF/UA-1 implies a tagged PDF 1.7.
PDF_OPTIONS = {"pdf_variant": "pdf/ua-1"}
#: Decoded images (the title rule, issuers' logos) kept per process, by URL. A
#: logo that changes must come with a new URL: a data URI, or the new file name
#: Django's storage gives an upload.
IMAGE_CACHE_SIZE = 32
#: Bulk runs whose layout hints a process keeps (:func:`layout_certificate`).
LAYOUT_HINTS_SIZE = 256
#: How far (CSS px) a candidate's proven height must pass the page's bottom for
#: it to be skipped without being laid out: well over the rounding of layouts.
_SKIP_MARGIN_PX = 1.0
#: The classes of the sheet's blocks whose height may vary from one certificate
#: of a run to the next: the name, the achievement, the row of facts (with the
#: dates). Each must only shrink, never grow, in a denser layout
#: (certificate.css), and nothing else on the sheet may vary within a run.
_LEARNER_BLOCKS = frozenset({"learner", "achievement", "fact-list"})


def _run_key(data: CertificateData) -> tuple:
    """What the certificates of one bulk run share: everything in the sheet's
    flow but the learner's name and the dates."""
    return (
        data.paper_size,
        data.language,
        data.achievement_name,
        data.outcomes,
        data.hours,
        data.credit_kind,
        data.credit_text,
        data.expires_on is None,
        data.issuer_name,
        data.issuer_logo,
    )


@dataclass
class _LayoutHint:
    """What one bulk run's certificates taught this process: the candidate the
    last one took, and for a candidate ``i`` how much taller (px) the sheet's
    content is than in candidate ``i + 1``, learner blocks left out."""

    start: int = 0
    gaps: dict[int, float] = field(default_factory=dict)


@dataclass(frozen=True)
class _Trial:
    """One laid-out candidate: whether it fits, and where (px from the page's
    top) its sheet needs the page to end, in all and less the learner blocks
    (``None`` when it ran onto a second page, where that cannot be measured)."""

    document: Any
    fits: bool
    need: float | None
    rest: float | None
    limit: float

    @classmethod
    def of(cls, document) -> _Trial:
        page_box = document.pages[0]._page_box
        limit = page_box.content_box_y() + page_box.height + 0.5
        sheet = _sheet_box(page_box)
        need = rest = None
        if len(document.pages) == 1 and sheet is not None:
            flow = [child for child in sheet.children if child.is_in_normal_flow()]
            bottom = flow[-1].position_y + flow[-1].margin_height() if flow else 0
            need = bottom + sheet.padding_bottom + sheet.border_bottom_width
            rest = need - _learner_height(sheet)
        return cls(document, _fits_one_page(document), need, rest, limit)

    def rest_gap(self, denser: _Trial) -> float | None:
        if self.rest is None or denser.rest is None:
            return None
        return self.rest - denser.rest


def _learner_height(sheet) -> float:
    """The content height of the sheet's :data:`_LEARNER_BLOCKS` (each
    element's first box: its line and text boxes share its element)."""
    heights = {}
    for box in sheet.descendants():
        element = box.element
        if (
            element is not None
            and element not in heights
            and _LEARNER_BLOCKS & set(element.get("class", "").split())
        ):
            heights[element] = box.height
    return sum(heights.values())


def _proven_too_tall(trial: _Trial, gap: float | None) -> bool:
    """Whether the candidate just before ``trial``'s cannot fit: its sheet
    needs at least ``trial``'s height plus the run's ``gap``."""
    if gap is None or trial.need is None:
        return False
    return trial.need + gap > trial.limit + _SKIP_MARGIN_PX


def _layout(
    data: CertificateData,
    context: dict,
    tools: _RenderTools,
    *,
    density: str,
    listed: int,
):
    from weasyprint import HTML

    with translation.override(data.language):
        page = render_to_string(TEMPLATE, _page_context(context, density, listed))
    html = HTML(
        string=page,
        base_url=STYLESHEET.parent.as_uri() + "/",
        url_fetcher=tools.url_fetcher,
    )
    if len(tools.image_cache) > IMAGE_CACHE_SIZE:
        tools.image_cache.clear()
    return html.render(
        font_config=tools.font_config,
        stylesheets=[tools.stylesheet],
        cache=tools.image_cache,
        **PDF_OPTIONS,
    )


def _fits_one_page(document) -> bool:
    """Whether the laid-out certificate is one page with nothing overflowing.

    The page count alone is not enough: a sheet whose text outgrows its minimum
    height can run past the page's bottom edge (and under the attestation, fixed
    at the bottom of the page) without WeasyPrint starting a second page. So the
    sheet's bottom edge must be inside the page area too. WeasyPrint has no
    public API for box geometry; ``Page._page_box`` has long been stable.
    """
    if len(document.pages) != 1:
        return False
    page_box = document.pages[0]._page_box
    page_bottom = page_box.content_box_y() + page_box.height
    sheet = _sheet_box(page_box)
    if sheet is None:
        return False
    return sheet.border_box_y() + sheet.border_height() <= page_bottom + 0.5


def _sheet_box(page_box):
    """The ``<main>`` sheet's box on a page (near the top of the tree)."""
    return next(
        (box for box in page_box.descendants() if box.element_tag == "main"), None
    )


def _context(data: CertificateData) -> dict:
    """What the template shows, in the active language (the same for every
    layout tried)."""
    height = PAPER_SIZES_MM[data.paper_size][1]
    return {
        "data": data,
        "title": gettext("Certificate: %(achievement)s — %(name)s")
        % {"achievement": data.achievement_name, "name": data.learner_name},
        "lang": data.language,
        "page_size": f"{data.paper_size} landscape",
        "sheet_min_height": f"{height - 2 * PAGE_FRAME_MM - 0.5:.1f}mm",
        "name_size": _name_size(data.learner_name),
        "hours_text": _hours_text(data.hours) if data.hours is not None else "",
        # Credit and issue date always; learning time and expiry when known.
        "facts_count": 2 + (data.hours is not None) + (data.expires_on is not None),
        "issued_on": _long_date(data.issued_on, data.language),
        "expires_on": _long_date(data.expires_on, data.language)
        if data.expires_on
        else "",
        "issuer_logo": _logo_src(data.issuer_logo),
        "qr": qr_svg(
            data.verification_url,
            title=gettext("QR code: verify this certificate at %(url)s")
            % {"url": data.verification_url},
        ),
    }


def _page_context(context: dict, density: str, listed: int) -> dict:
    """``context`` for one layout: its density and how many outcomes it lists."""
    outcomes = context["data"].outcomes
    shown = outcomes[: min(listed, MAX_LISTED_OUTCOMES)]
    return context | {
        "density": density,
        "outcomes": shown,
        "outcome_columns": _columns(shown),
        "outcomes_omitted": len(outcomes) - len(shown),
    }


#: What the page keeps around the sheet (certificate.css: @page margin, border and
#: padding), so the sheet can fill the rest of the page's height.
PAGE_FRAME_MM = 7 + 4.5 * 25.4 / 72 + 2.5


def _columns(outcomes: tuple[str, ...]) -> list[tuple[str, ...]]:
    """One column for a short list; two (the first one longer) past four."""
    if len(outcomes) <= 4:
        return [outcomes] if outcomes else []
    half = (len(outcomes) + 1) // 2
    return [outcomes[:half], outcomes[half:]]


def _name_size(name: str) -> str:
    """A size class for the learner's name, so a long one stays on two lines."""
    if len(name) <= 32:
        return "name-l"
    if len(name) <= 56:
        return "name-m"
    return "name-s"


def _hours_text(hours: Decimal) -> str:
    """The learning time: "12 hours of learning", "7.5 hours" ("7,5" in French)."""
    integral = hours == hours.to_integral_value()
    shown = formats.number_format(hours if not integral else int(hours), use_l10n=True)
    count = int(hours) if integral else 2
    return ngettext(
        "%(hours)s hour of learning", "%(hours)s hours of learning", count
    ) % {"hours": shown}


#: Long dates per language: "June 3, 2025", "3 juin 2025" ("1er juin 2025").
_LONG_DATE_FORMATS = {"en": "F j, Y", "fr": "j F Y"}


def _long_date(value: date, language: str) -> str:
    fmt = _LONG_DATE_FORMATS.get(language, "DATE_FORMAT")
    if language == "fr" and value.day == 1:
        fmt = r"j\e\r F Y"
    return formats.date_format(value, fmt)


def _logo_src(logo: str | None) -> str:
    """The logo as a URL WeasyPrint may read, or "" when there is none to show."""
    if not logo:
        return ""
    if logo.startswith("data:"):
        return _print_sized_logo(logo, None)
    path = Path(logo)
    if not path.is_file():
        logger.warning(
            "Certificate issuer logo %s is missing; rendering without it", logo
        )
        return ""
    stat = path.stat()
    return _print_sized_logo(logo, (stat.st_mtime_ns, stat.st_size))


#: The largest a logo is printed (certificate.css, .issuer-logo), and the
#: resolution it needs there: print quality, nothing a reader can tell apart.
LOGO_MAX_MM = (45.0, 13.0)
LOGO_MAX_DPI = 300


@functools.lru_cache(maxsize=16)
def _print_sized_logo(logo: str, version: tuple[int, int] | None) -> str:
    """The URL of ``logo`` (a file path or a ``data:`` URI) for WeasyPrint,
    scaled down once per process when it has more pixels than it is printed
    with at :data:`LOGO_MAX_DPI` (``version``, a file's modification time and
    size, tells a replaced file apart).

    WeasyPrint decodes and compresses a raster logo again for every PDF (all
    but a JPEG, which it embeds as it is), at a cost that grows with its
    compressed size: some 100 ms a certificate for a 2000 × 578 PNG of 286 kB,
    against 10 ms once scaled down. A scaled logo that is no smaller than the
    original (smoothing can make a small sharp one heavier), a JPEG, an
    animation, an image in an unusual mode or one Pillow cannot read is passed
    on as it is.
    """
    from PIL import Image, ImageOps, UnidentifiedImageError

    url = logo if version is None else Path(logo).as_uri()
    box = tuple(round(mm / 25.4 * LOGO_MAX_DPI) for mm in LOGO_MAX_MM)
    try:
        source = _logo_bytes(logo) if version is None else Path(logo).read_bytes()
        with Image.open(io.BytesIO(source)) as image:
            if (
                image.format in {"JPEG", "MPO"}
                or getattr(image, "is_animated", False)
                or image.mode not in {"RGB", "RGBA", "L", "LA", "P"}
                or (image.width <= box[0] and image.height <= box[1])
            ):
                return url
            image = ImageOps.exif_transpose(image)
            if image.mode == "P":
                transparent = "transparency" in image.info
                image = image.convert("RGBA" if transparent else "RGB")
            image.thumbnail(box, Image.Resampling.LANCZOS)
            scaled = io.BytesIO()
            image.save(scaled, format="PNG")
    except (OSError, ValueError, UnidentifiedImageError, Image.DecompressionBombError):
        return url
    if scaled.tell() >= len(source):
        return url  # smoothing made it no lighter to embed: keep the original
    return "data:image/png;base64," + base64.b64encode(scaled.getvalue()).decode()


def _logo_bytes(data_uri: str) -> bytes:
    header, _, payload = data_uri.partition(",")
    if not header.endswith(";base64"):
        raise ValueError("only base64 data URIs are scaled")
    return base64.b64decode(payload, validate=True)


@dataclass(frozen=True)
class _RenderTools:
    """WeasyPrint objects worth building once per process (and thread), and
    what the process learnt about its bulk runs' layouts."""

    pid: int
    font_config: Any  # weasyprint.text.fonts.FontConfiguration
    url_fetcher: Any  # weasyprint.urls.URLFetcher
    stylesheet: Any  # weasyprint.CSS
    image_cache: dict = field(default_factory=dict)
    layout_hints: dict[tuple, _LayoutHint] = field(default_factory=dict)


_local = threading.local()


def warm_up() -> None:
    """Make this process ready to render, for a worker's start (about a second).

    Builds the renderer (fonts, fetcher, stylesheet) and renders a sample
    certificate in each language, which loads what the first certificates would
    load otherwise: templates, translations, font faces, and WeasyPrint's and
    Django's lazily built tables. A worker then freezes all that out of the
    garbage collector's sweeps (``microcred.celery``); left to the first
    certificates, it would be swept again and again for the life of the process.
    """
    tools = _render_tools()
    for language, _name in settings.LANGUAGES:
        render_certificate_pdf(_warm_up_certificate(language))
    tools.layout_hints.clear()


def _warm_up_certificate(language: str) -> CertificateData:
    """A certificate that uses every font and part of the page."""
    return CertificateData(
        learner_name="Ada Lovelace",
        achievement_name="Warm-up",
        outcomes=("Render a certificate",),
        hours=1,
        credit_kind=CreditKind.FOR_CREDIT,
        credit_text="1 credit",
        issued_on=date(2025, 1, 1),
        expires_on=date(2026, 1, 1),
        issuer_name="Warm-up",
        issuer_url="https://example.org",
        signatory_name="Warm-up",
        signatory_title="Warm-up",
        verification_code="WARM-UP",
        verification_url="https://example.org/verify/WARM-UP/",
        language=language,
    )


def _render_tools() -> _RenderTools:
    """This process's (and thread's) fonts, fetcher, stylesheet and images.

    Keyed by process id as well, so a worker forked from a parent that already
    rendered builds its own instead of sharing the parent's font handles.
    """
    tools = getattr(_local, "tools", None)
    if tools is None or tools.pid != os.getpid():
        from weasyprint import CSS
        from weasyprint.text.fonts import FontConfiguration
        from weasyprint.urls import URLFetcher

        font_config = FontConfiguration()
        url_fetcher = URLFetcher(allowed_protocols=ALLOWED_PROTOCOLS)
        stylesheet = CSS(
            filename=str(STYLESHEET), font_config=font_config, url_fetcher=url_fetcher
        )
        tools = _RenderTools(os.getpid(), font_config, url_fetcher, stylesheet)
        _local.tools = tools
    return tools
