"""Reads the bulk dry run needs: the achievements a file may name, and the
credentials its recipients already hold."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from django.db.models import (
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)

from courses.models import Enrolment, Microcredential, Offering, Pathway
from credentials.models import Achievement, Credential

from . import policies
from .models import BulkJob


def achievement_facts(*, tz: ZoneInfo) -> dict[str, policies.AchievementFacts]:
    """Every achievement a registrar may issue, by code: published (or retired)
    microcredentials and published pathways. Each one's achievement row is
    made on first use, as the first issuance would (``credentials.services``);
    the existing ones are read in one query.
    A pathway whose code is also a microcredential's is left out (the file
    could not say which is meant)."""
    from credentials import services as credential_services

    facts: dict[str, policies.AchievementFacts] = {}
    existing = {
        (achievement.microcredential_id, achievement.pathway_id): achievement
        for achievement in Achievement.objects.filter(
            Q(microcredential__status__in=("published", "retired"))
            | Q(pathway__is_published=True)
        )
    }
    for course in Microcredential.objects.filter(
        status__in=("published", "retired")
    ).order_by("code"):
        achievement = existing.get(
            (course.pk, None)
        ) or credential_services.achievement_for_course(course)
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
        achievement = existing.get(
            (None, pathway.pk)
        ) or credential_services.achievement_for_pathway(pathway)
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


# --- the cohort source --------------------------------------------------------------


def _no_credential_yet(offering_field: str = ""):
    """Completed enrolments whose learner has never been issued the course's
    credential (a revoked one counts: re-issuing it is a decision of its own,
    not a cohort's)."""
    prefix = f"{offering_field}__" if offering_field else ""
    return Exists(
        Credential.objects.filter(
            learner_id=OuterRef(f"{prefix}learner_id"),
            achievement__microcredential_id=OuterRef(f"{prefix}microcredential_id"),
        )
    )


def cohort_without_credential(offering: Offering) -> QuerySet[Enrolment]:
    """An offering's learners who completed it and hold no credential for it."""
    return (
        Enrolment.objects.filter(offering=offering, status=Enrolment.Status.COMPLETED)
        .exclude(_no_credential_yet())
        .select_related("learner")
        .order_by("completed_at", "pk")
    )


def offering_for_cohort(offering_id) -> Offering | None:
    return (
        Offering.objects.select_related("microcredential")
        .filter(
            pk=offering_id,
            microcredential__status__in=("published", "retired"),
        )
        .first()
    )


def cohort_offerings() -> QuerySet[Offering]:
    """Offerings of issuable courses, each with how many of its learners
    completed and hold no credential yet (only those with some)."""
    waiting = (
        Enrolment.objects.filter(
            offering_id=OuterRef("pk"), status=Enrolment.Status.COMPLETED
        )
        .exclude(_no_credential_yet())
        .order_by()
        .values("offering_id")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return (
        Offering.objects.select_related("microcredential")
        .filter(microcredential__status__in=("published", "retired"))
        .annotate(waiting=Subquery(waiting, output_field=IntegerField()))
        .filter(waiting__gt=0)
        .order_by("microcredential__code", "starts_on", "pk")
    )


# --- bulk revocation ----------------------------------------------------------------

#: How many ids (or codes) one lookup query names.
LOOKUP_BATCH = 5_000


def credentials_to_revoke(*, ids: Iterable[str], codes: Iterable[str]) -> list[dict]:
    """The credentials with these ids or verification codes, with what a
    revocation's dry run reports of each (its holder, achievement, status and
    the code of the credential that superseded it): one query per 5,000 ids
    and codes, never one a row."""
    ids, codes = sorted(ids), sorted(codes)
    fields = (
        "pk",
        "verification_code",
        "status",
        "revoked_at",
        "recipient_name",
        "learner__email",
        "achievement__microcredential__code",
        "achievement__pathway__code",
        "superseded_by__verification_code",
    )
    found: dict = {}
    for start in range(0, max(len(ids), len(codes)), LOOKUP_BATCH):
        wanted = Q(pk__in=ids[start : start + LOOKUP_BATCH]) | Q(
            verification_code__in=codes[start : start + LOOKUP_BATCH]
        )
        for row in Credential.objects.filter(wanted).order_by().values(*fields):
            found[row["pk"]] = row
    return list(found.values())


def registrar_credentials(
    *,
    tz: ZoneInfo,
    achievement_id: int | None = None,
    status: str = "",
    issued_from: dt.date | None = None,
    issued_to: dt.date | None = None,
    job: BulkJob | None = None,
    search: str = "",
) -> QuerySet[Credential]:
    """The credentials a registrar may pick to revoke, newest award first,
    filtered: by achievement, status, award date (days in ``tz``, both ends
    included), the bulk job that issued them, and a search of the holder's
    e-mail, the name on the credential, its verification code or its id."""
    from credentials.policies import normalise_verification_code

    from .models import BulkRow

    credentials = Credential.objects.select_related(
        "learner", "achievement__microcredential", "achievement__pathway"
    ).order_by("-awarded_at", "pk")
    if achievement_id is not None:
        credentials = credentials.filter(achievement_id=achievement_id)
    if status:
        credentials = credentials.filter(status=status)
    if issued_from is not None:
        start = dt.datetime.combine(issued_from, dt.time(0), tzinfo=tz)
        credentials = credentials.filter(awarded_at__gte=start)
    if issued_to is not None:
        end = dt.datetime.combine(
            issued_to + dt.timedelta(days=1), dt.time(0), tzinfo=tz
        )
        credentials = credentials.filter(awarded_at__lt=end)
    if job is not None:
        credentials = credentials.filter(
            pk__in=BulkRow.objects.filter(
                job=job, state="issued", credential_id__isnull=False
            ).values("credential_id")
        )
    search = search.strip()
    if search:
        wanted = (
            Q(learner__email__icontains=search)
            | Q(recipient_name__icontains=search)
            | Q(learner__legal_name__icontains=search)
        )
        code = normalise_verification_code(search)
        if code is not None:
            wanted |= Q(verification_code=code)
        credential_id = _uuid_or_none(search)
        if credential_id is not None:
            wanted |= Q(pk=credential_id)
        credentials = credentials.filter(wanted)
    return credentials


def _uuid_or_none(text: str):
    import uuid

    try:
        return uuid.UUID(text)
    except ValueError:
        return None


def revocable_achievements() -> QuerySet[Achievement]:
    """The achievements that have credentials, for the credential list's filter."""
    return (
        Achievement.objects.filter(credentials__isnull=False)
        .distinct()
        .select_related("microcredential", "pathway")
        .order_by("name", "pk")
    )


def bulk_job(public_id) -> BulkJob | None:
    """One job by its public id, with who uploaded it (the job pages, the API,
    the credential list's job filter)."""
    return registrar_jobs().filter(public_id=public_id).first()
