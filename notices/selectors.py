"""Reads about notices that pages need (the in-app list, the unread count)."""

from __future__ import annotations

from django.db.models import Count, Window

from . import emails
from .models import Notice


def in_app(user):
    """The person's notices shown in the app (everything but cancelled ones)."""
    return Notice.objects.filter(recipient=user).exclude(status=Notice.Status.CANCELLED)


def unread_count(user) -> int:
    return in_app(user).filter(read_at__isnull=True).count()


def with_links(notices: list[Notice]) -> list[Notice]:
    """Each notice gets ``action_path``, the page that acts on it (no query)."""
    for notice in notices:
        notice.action_path = emails.action_url(notice, site="")
    return notices


def latest_unread(user, limit: int = 5) -> tuple[list[Notice], int]:
    """The newest unread notices and how many are unread in all, in one query
    (for the dashboard, which passes the count on as ``notices_unread``)."""
    rows = list(
        in_app(user)
        .filter(read_at__isnull=True)
        .select_related("course")
        .annotate(unread_total=Window(Count("pk")))
        .order_by("-created_at", "-pk")[:limit]
    )
    return with_links(rows), rows[0].unread_total if rows else 0
