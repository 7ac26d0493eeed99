"""Reads of the credentials app, with the joins their callers need."""

from __future__ import annotations

import uuid

from django.db.models import QuerySet

from . import policies
from .models import Achievement, Credential, SigningKey, StatusList


def published_keys() -> QuerySet[SigningKey]:
    """Every key that ever signed (active and retired): all stay published."""
    return SigningKey.objects.order_by("created_at", "pk")


def credential_public(credential_id) -> Credential | None:
    """A credential for its public page, or None for a malformed or unknown id."""
    try:
        pk = uuid.UUID(str(credential_id))
    except (ValueError, TypeError, AttributeError):
        return None
    return (
        Credential.objects.select_related(
            "achievement__microcredential",
            "achievement__pathway",
            "superseded_by",
            "signing_key",
        )
        .filter(pk=pk)
        .first()
    )


def credential_by_code(typed: str) -> Credential | None:
    code = policies.normalise_verification_code(typed or "")
    if code is None:
        return None
    return Credential.objects.filter(verification_code=code).first()


def achievement_public(pk) -> Achievement | None:
    try:
        return (
            Achievement.objects.select_related("microcredential", "pathway")
            .prefetch_related("alignments", "microcredential__outcomes")
            .filter(pk=int(pk))
            .first()
        )
    except (TypeError, ValueError):
        return None


def status_list(pk) -> StatusList | None:
    try:
        return StatusList.objects.filter(pk=int(pk)).first()
    except (TypeError, ValueError):
        return None


def learner_credentials(learner) -> QuerySet[Credential]:
    return (
        Credential.objects.filter(learner=learner)
        .select_related("achievement__microcredential", "achievement__pathway")
        .order_by("-awarded_at")
    )


def credentials_in_record() -> QuerySet[Credential]:
    """Every credential but superseded versions (they live on as history)."""
    return Credential.objects.exclude(status=Credential.Status.SUPERSEDED)


def renewal_open(*, learner, course, now) -> bool:
    """Whether the learner may renew the course's credential now: they hold
    one with an expiry and the renewal window before it has opened."""
    latest = (
        credentials_in_record()
        .filter(learner=learner, achievement__microcredential=course)
        .select_related("achievement")
        .order_by("-period")
        .first()
    )
    if latest is None:
        return False
    return policies.may_renew(
        revoked=latest.status == Credential.Status.REVOKED,
        valid_until=latest.valid_until,
        renewal_window_days=latest.achievement.renewal_window_days,
        now=now,
    )


def held_course_ids(learner) -> set[int]:
    """The microcredentials whose credential the learner holds in force."""
    return set(
        Credential.objects.filter(
            learner=learner,
            status=Credential.Status.ACTIVE,
            achievement__microcredential__isnull=False,
        ).values_list("achievement__microcredential_id", flat=True)
    )
