"""Reads about notices that pages need (the in-app list, the unread count)."""

from __future__ import annotations

from dataclasses import dataclass

from django.core import signing
from django.db.models import Count, Window

from . import emails
from .models import NOT_IN_APP, Notice


def in_app(user):
    """The person's notices shown in the app (everything but cancelled ones and
    those of credentials issued without notice)."""
    return Notice.objects.filter(recipient=user).exclude(status__in=NOT_IN_APP)


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


@dataclass(frozen=True)
class ClaimLink:
    """What a claim link names: the account and the fragment it was signed
    with, or why it no longer works (``problem``)."""

    user: object | None = None
    fragment: str = ""
    problem: emails.ClaimProblem | None = None


def claim_link(token: str) -> ClaimLink:
    """The account a claim link names, if it can still be claimed (one query)."""
    from django.contrib.auth import get_user_model

    try:
        user_id, fragment, expired = emails.read_claim_token(token)
    except (signing.BadSignature, ValueError):
        return ClaimLink(problem=emails.ClaimProblem.INVALID)
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return ClaimLink(problem=emails.ClaimProblem.INVALID)
    if user.has_usable_password() or not emails.claim_fragment_matches(user, fragment):
        return ClaimLink(user=user, problem=emails.ClaimProblem.USED)
    if expired:
        return ClaimLink(user=user, problem=emails.ClaimProblem.EXPIRED)
    return ClaimLink(user=user, fragment=fragment)


def credentials_waiting(user):
    """The credentials in force of an account being claimed, newest first."""
    from credentials.selectors import learner_credentials

    return learner_credentials(user).filter(status="active")
