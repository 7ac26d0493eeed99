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
HarfBuzz instead of fontTools, several times faster.
"""

from __future__ import annotations

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


def qr_svg(url: str, *, title: str = "") -> SafeString:
    """The QR code of ``url`` as inline SVG markup (vector, scalable).

    The symbol keeps its four-module quiet zone and is sized by CSS (``viewBox``,
    no width or height). ``title`` becomes the SVG ``<title>``, which WeasyPrint
    uses as the alternative text of the tagged figure; segno escapes it.
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

    Lays the page out in each of :data:`DENSITIES` and keeps the first that fits
    one page. If even the densest does not, it lists fewer outcomes (saying how
    many more the verification page lists) until it does. Raises ``ValueError``
    only when no outcome is left and the names alone overflow the page.
    """
    tools = _render_tools()
    with translation.override(data.language):
        context = _context(data)
    listed = min(len(data.outcomes), MAX_LISTED_OUTCOMES)
    for density in DENSITIES:
        document = _layout(data, context, tools, density=density, listed=listed)
        if _fits_one_page(document):
            return document.write_pdf(**PDF_OPTIONS)
    while listed > 0:
        listed = max(0, listed - 2)
        document = _layout(data, context, tools, density=DENSITIES[-1], listed=listed)
        if _fits_one_page(document):
            return document.write_pdf(**PDF_OPTIONS)
    raise ValueError("Cannot make this certificate: its text does not fit on one page")


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
    for box in page_box.descendants():
        if box.element_tag == "main":
            return box.border_box_y() + box.border_height() <= page_bottom + 0.5
    return False


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
        return logo
    path = Path(logo)
    if not path.is_file():
        logger.warning(
            "Certificate issuer logo %s is missing; rendering without it", logo
        )
        return ""
    return path.as_uri()


@dataclass(frozen=True)
class _RenderTools:
    """WeasyPrint objects worth building once per process (and thread)."""

    pid: int
    font_config: Any  # weasyprint.text.fonts.FontConfiguration
    url_fetcher: Any  # weasyprint.urls.URLFetcher
    stylesheet: Any  # weasyprint.CSS
    image_cache: dict = field(default_factory=dict)


_local = threading.local()


def warm_up() -> None:
    """Build this process's renderer now (fonts, fetcher, stylesheet: about a
    second) instead of on its first certificate; for a worker's start."""
    _render_tools()


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
