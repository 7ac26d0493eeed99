"""Course text as safe HTML: Markdown (or HTML) in, sanitised HTML out."""

import re

import markdown
import nh3
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import ngettext

from . import policies

ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "caption",
    "code",
    "dd",
    "del",
    "details",
    "dl",
    "dt",
    "em",
    "figcaption",
    "figure",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "ins",
    "kbd",
    "li",
    "mark",
    "ol",
    "p",
    "pre",
    "q",
    "s",
    "small",
    "span",
    "strong",
    "sub",
    "summary",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "u",
    "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "ol": {"start"},
}
_HEADING_ONE = re.compile(r"<(/?)h1>")


def rich_text(source: str) -> SafeString:
    """Render Markdown (raw HTML allowed) and strip anything unsafe.

    Page titles own the single <h1>, so a level-1 heading in content becomes <h2>.
    """
    html = markdown.markdown(source or "", extensions=["extra", "sane_lists"])
    html = _HEADING_ONE.sub(r"<\1h2>", html)
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return mark_safe(cleaned)  # noqa: S308 - sanitised by nh3 just above


def window_in_words(days: int) -> str:
    """'6 weeks' for 42, '10 days' for 10, in the active language."""
    count, unit = policies.window_span(days)
    if unit == "weeks":
        return ngettext("%(count)d week", "%(count)d weeks", count) % {"count": count}
    return ngettext("%(count)d day", "%(count)d days", count) % {"count": count}
