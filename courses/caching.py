"""Rendered catalog and course-page fragments, cached in the shared cache.

Public pages are the same for everyone who asks in one language, so their
expensive parts (a page of cards, a course's outline) are rendered once and
kept. Every change to catalog data bumps one version number (see signals.py),
so a published course shows up at once; the timeout bounds anything a bulk
``update()`` might slip past.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable

from django.core.cache import cache
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

VERSION_KEY = "courses:catalog-version"
FRAGMENT_TIMEOUT = 300


def catalog_version() -> str:
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, uuid.uuid4().hex, timeout=None)
        version = cache.get(VERSION_KEY) or "unversioned"
    return version


def catalog_changed() -> None:
    cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)


def cached_fragment(name: str, parts: tuple, render: Callable[[], str]) -> SafeString:
    """The fragment for ``parts`` in the active language, rendered on a miss."""
    raw = repr((catalog_version(), get_language(), parts)).encode()
    key = f"courses:fragment:{name}:{hashlib.sha256(raw).hexdigest()}"
    html = cache.get(key)
    if html is None:
        html = render()
        cache.set(key, html, timeout=FRAGMENT_TIMEOUT)
    return mark_safe(html)  # noqa: S308 - our own rendered, auto-escaped templates
