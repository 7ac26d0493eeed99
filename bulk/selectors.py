"""Reads the bulk dry run needs: the achievements a file may name, and the
credentials its recipients already hold."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from django.db.models import Q, QuerySet

from courses.models import Microcredential, Pathway
from credentials.models import Achievement, Credential

from . import policies
from .models import BulkJob


def achievement_facts(*, tz: ZoneInfo) -> dict[str, policies.AchievementFacts]:
    """Every achievement a registrar may issue, by code: published (or retired)
    microcredentials and published pathways. Each one's achievement row is
    made on first use, as the first issuance would (``credentials.services``).
    A pathway whose code is also a microcredential's is left out (the file
    could not say which is meant)."""
    from credentials import services as credential_services

    facts: dict[str, policies.AchievementFacts] = {}
    for course in Microcredential.objects.filter(
        status__in=("published", "retired")
    ).order_by("code"):
        achievement = credential_services.achievement_for_course(course)
        started = course.published_at or course.created_at
        facts[course.code] = policies.AchievementFacts(
            code=course.code,
            achievement_id=achievement.pk,
            available_from=started.astimezone(tz).date(),
            valid_for_months=achievement.valid_for_months,
        )
    for pathway in Pathway.objects.filter(is_published=True).order_by("code"):
        if pathway.code in facts:
            continue
        achievement = credential_services.achievement_for_pathway(pathway)
        facts[pathway.code] = policies.AchievementFacts(
            code=pathway.code,
            achievement_id=achievement.pk,
            available_from=achievement.created_at.astimezone(tz).date(),
            valid_for_months=achievement.valid_for_months,
        )
    return facts


def holdings(
    emails: Iterable[str], *, today_start: dt.datetime
) -> frozenset[tuple[str, str]]:
    """(normalised e-mail, achievement code) for every credential the given
    people hold in force (active and not expired at ``today_start``)."""
    wanted = {policies.normalise_email(email) for email in emails if email}
    if not wanted:
        return frozenset()
    rows = (
        Credential.objects.filter(
            status=Credential.Status.ACTIVE, learner__email__in=wanted
        )
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gt=today_start))
        .values_list(
            "learner__email",
            "achievement__microcredential__code",
            "achievement__pathway__code",
        )
    )
    return frozenset(
        (policies.normalise_email(email), course_code or pathway_code)
        for email, course_code, pathway_code in rows
        if course_code or pathway_code
    )


def credentials_created_since(ids: Iterable, *, since: dt.datetime) -> set:
    """Which of these credentials were stored at or after ``since`` (a run
    redone after a killed worker finds its own earlier work this way)."""
    return set(
        Credential.objects.filter(pk__in=list(ids), created_at__gte=since).values_list(
            "pk", flat=True
        )
    )


def registrar_jobs() -> QuerySet[BulkJob]:
    return BulkJob.objects.select_related("created_by").order_by("-created_at", "-id")


def achievements_known() -> QuerySet[Achievement]:
    return Achievement.objects.all()
