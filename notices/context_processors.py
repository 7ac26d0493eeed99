"""The unread count in the navigation.

The count is lazy: a page that never shows the navigation (an htmx partial,
an e-mail) runs no query; a page that does runs one, on the partial index of
unread notices.
"""

from __future__ import annotations

from functools import cache

from django.http import HttpRequest

from .selectors import unread_count


def notices(request: HttpRequest) -> dict:
    """``notices_unread``: the signed-in person's unread count, counted once
    and only if a template asks for it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or getattr(request, "htmx", False):
        return {}
    return {"notices_unread": cache(lambda: unread_count(user))}
