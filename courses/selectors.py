"""Reads about courses and enrolments, with their joins made explicit."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, OuterRef, Prefetch, Q, Subquery, Sum

from . import policies
from .models import (
    ContentItem,
    Enrolment,
    ItemKind,
    Microcredential,
    Module,
    Offering,
    Pathway,
    PathwayMembership,
    Testimonial,
)


def publish_facts(course: Microcredential) -> policies.PublishFacts:
    videos = ContentItem.objects.filter(
        module__microcredential=course, kind=ItemKind.VIDEO
    )
    missing = tuple(item.title for item in videos if not item.has_text_alternative)
    from assessments.selectors import summative_for_course  # avoids an import cycle

    return policies.PublishFacts(
        rules=course.window_rules,
        outcome_count=course.outcomes.count(),
        module_count=course.modules.count(),
        videos_without_text_alternative=missing,
        has_summative_assessment=summative_for_course(course.pk) is not None,
        assessments_available=True,
        owner_set=course.owner_id is not None,
    )


@dataclass(frozen=True)
class CatalogFilters:
    q: str = ""
    language: str = ""
    level: str = ""
    credit_status: str = ""
    delivery_mode: str = ""
    pathway: str = ""


def catalog_list(filters: CatalogFilters):
    courses = Microcredential.objects.published().prefetch_related(
        Prefetch("pathways", queryset=Pathway.objects.filter(is_published=True))
    )
    if filters.q:
        words = filters.q.split()[:8]
        for word in words:
            courses = courses.filter(
                Q(title__icontains=word)
                | Q(summary__icontains=word)
                | Q(code__icontains=word)
                | Q(outcomes__text__icontains=word)
            )
        courses = courses.distinct()
    for field in ("language", "level", "credit_status", "delivery_mode"):
        value = getattr(filters, field)
        if value:
            courses = courses.filter(**{field: value})
    if filters.pathway:
        courses = courses.filter(pathways__slug=filters.pathway)
    return courses.order_by("title")


def published_pathways():
    return Pathway.objects.filter(is_published=True).order_by("title")


def course_detail(slug: str, *, now: dt.datetime) -> Microcredential:
    """A published course with everything its public page shows."""
    return (
        Microcredential.objects.published()
        .select_related("owner")
        .prefetch_related(
            "outcomes",
            Prefetch("modules", queryset=Module.objects.order_by("position", "id")),
            "instructors",
            Prefetch(
                "testimonials",
                queryset=Testimonial.objects.filter(is_approved=True),
                to_attr="approved_testimonials",
            ),
            Prefetch(
                "pathways",
                queryset=Pathway.objects.filter(is_published=True).annotate(
                    size=Subquery(
                        PathwayMembership.objects.filter(pathway=OuterRef("pk"))
                        .values("pathway")
                        .annotate(n=Count("pk"))
                        .values("n")
                    )
                ),
            ),
        )
        .get(slug=slug)
    )


def open_offerings(course: Microcredential, *, now: dt.datetime) -> list[Offering]:
    """Offerings open for registration now, with the seats already taken."""
    return list(
        Offering.objects.open_for_registration(now=now)
        .filter(microcredential=course)
        .select_related("microcredential")
        .annotate(taken=Count("enrolments", filter=~Q(enrolments__status="withdrawn")))
        .order_by("kind", "starts_on", "id")
    )


def course_for_learning(course_id: int) -> Microcredential:
    return Microcredential.objects.prefetch_related(
        Prefetch(
            "modules",
            queryset=Module.objects.order_by("position", "id").prefetch_related(
                Prefetch(
                    "items", queryset=ContentItem.objects.order_by("position", "id")
                )
            ),
        ),
        "outcomes",
    ).get(pk=course_id)


def ordered_items(course: Microcredential) -> list[ContentItem]:
    """Items in learning order, from a course fetched by course_for_learning."""
    return [item for module in course.modules.all() for item in module.items.all()]


def enrolment_progress_map(enrolment_ids: list[int]) -> dict[int, tuple[int, int]]:
    """(completed items, total items) per enrolment, in two queries."""
    if not enrolment_ids:
        return {}
    enrolments = Enrolment.objects.filter(pk__in=enrolment_ids).annotate(
        done=Count("item_progress", filter=Q(item_progress__completed_at__isnull=False))
    )
    totals = dict(
        Microcredential.objects.filter(enrolments__pk__in=enrolment_ids)
        .annotate(n=Count("modules__items", distinct=True))
        .values_list("pk", "n")
    )
    return {e.pk: (e.done, totals.get(e.microcredential_id, 0)) for e in enrolments}


def learner_enrolments(learner):
    """The learner's enrolments, with the credentials each earned (in force or
    revoked; superseded versions left out)."""
    from credentials.selectors import credentials_in_record

    return (
        Enrolment.objects.filter(learner=learner)
        .select_related("microcredential", "offering", "last_item")
        .prefetch_related(Prefetch("credentials", queryset=credentials_in_record()))
        .order_by("status", "ends_at")
    )


@dataclass(frozen=True)
class PathwayStanding:
    pathway: Pathway
    earned: int
    in_progress: int
    needed: int
    members: list[Microcredential]

    @property
    def percent(self) -> int:
        return round(100 * self.earned / self.needed) if self.needed else 0


def learner_pathways(learner) -> list[PathwayStanding]:
    """Progress toward every published pathway the learner has started."""
    statuses: dict[int, str] = {}
    for course_id, status in Enrolment.objects.filter(learner=learner).values_list(
        "microcredential_id", "status"
    ):
        if statuses.get(course_id) != "completed":
            statuses[course_id] = status
    if not statuses:
        return []
    # Earned means holding the microcredential's credential in force (a
    # revoked one no longer counts), as pathway issuance counts it.
    from credentials.selectors import held_course_ids

    held = held_course_ids(learner)
    pathways = (
        Pathway.objects.filter(is_published=True, microcredentials__in=statuses.keys())
        .distinct()
        .prefetch_related("microcredentials")
    )
    standings = []
    for pathway in pathways:
        members = list(pathway.microcredentials.all())
        needed = (
            len(members)
            if pathway.requirement == Pathway.Requirement.ALL
            else min(pathway.required_count or len(members), len(members))
        )
        earned = sum(1 for m in members if m.pk in held)
        in_progress = sum(1 for m in members if statuses.get(m.pk) == "active")
        earned, needed = policies.pathway_progress(required=needed, earned=earned)
        standings.append(PathwayStanding(pathway, earned, in_progress, needed, members))
    return standings


def course_total_minutes(course: Microcredential) -> int:
    return course.modules.aggregate(total=Sum("estimated_minutes"))["total"] or 0
