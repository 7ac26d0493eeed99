"""Staff dashboard for PLAR: requests and appeals, read-only.

Decisions have their own pages (``plar.staff_views``: start a review, decide,
decide an appeal), which go through ``plar.services`` so that every decision
has a reason, a request event and an audit entry. Here staff find and read
requests; each row links to its review page. Instructors see the courses they
own or teach, registrars every course (the helpers of ``courses.admin``).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from courses.admin import (
    CourseScopedPermissions,
    _restrict,
    course_filter,
    visible_course_ids,
)
from microcred.admin import StaffRoleRequiredMixin
from microcred.models import User

from .models import Appeal, Evidence, OutcomeStatement, PlarRequest, RequestEvent


def _new_tab_link(url: str, text: str) -> str:
    return format_html(
        '<a href="{}" target="_blank" rel="noopener noreferrer">{}'
        '<span class="visually-hidden"> {}</span></a>',
        url,
        text,
        _("(opens in a new tab)"),
    )


def _review_link(plar_request: PlarRequest) -> str:
    return format_html(
        '<a href="{}">{}</a>',
        reverse("plar-staff:request", kwargs={"request_id": plar_request.pk}),
        _("Review page"),
    )


class ReadOnly:
    """Nobody adds, changes or deletes here: the services do, with a reason."""

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyInline(ReadOnly, StaffRoleRequiredMixin, admin.TabularInline):
    extra = 0
    can_delete = False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.fields


class StatementInline(ReadOnlyInline):
    model = OutcomeStatement
    fields = ("outcome", "text", "saved_at")
    verbose_name = _("statement")
    verbose_name_plural = _("statements per learning outcome")

    def get_queryset(self, request: HttpRequest) -> QuerySet[OutcomeStatement]:
        return super().get_queryset(request).select_related("outcome")


class EvidenceInline(ReadOnlyInline):
    model = Evidence
    fields = ("title", "where", "added_at")
    verbose_name_plural = _("evidence")

    @admin.display(description=_("file or link"))
    def where(self, evidence: Evidence) -> str:
        if evidence.file:
            url = reverse(
                "plar:evidence-file",
                kwargs={"request_id": evidence.request_id, "evidence_id": evidence.pk},
            )
            return _new_tab_link(url, evidence.original_name or url)
        return _new_tab_link(evidence.url, evidence.url)


class EventInline(ReadOnlyInline):
    model = RequestEvent
    fields = ("at", "actor", "from_status", "to_status", "reason", "emailed_at")
    verbose_name = _("status change")
    verbose_name_plural = _("history")

    def get_queryset(self, request: HttpRequest) -> QuerySet[RequestEvent]:
        return super().get_queryset(request).select_related("actor")


class AppealInline(ReadOnlyInline):
    model = Appeal
    fields = (
        "kind",
        "attempt",
        "status",
        "submitted_at",
        "reason",
        "decided_at",
        "decided_by",
        "decision_reason",
        "decide_link",
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Appeal]:
        return super().get_queryset(request).select_related("attempt", "decided_by")

    @admin.display(description=_("appeal page"))
    def decide_link(self, appeal: Appeal) -> str:
        return format_html(
            '<a href="{}">{}</a>',
            reverse("plar-staff:appeal", kwargs={"appeal_id": appeal.pk}),
            _("Decide") if appeal.is_open else _("Open"),
        )


class LearnerFilter(admin.SimpleListFilter):
    """``?learner=<id>``, reached from the learner's name in the list (a list of
    every learner would be too long to offer)."""

    title = _("learner")
    parameter_name = "learner"

    def lookups(
        self, request: HttpRequest, model_admin: admin.ModelAdmin
    ) -> list[tuple[str, str]]:
        value = self.value()
        if not (value and value.isdigit()):
            return []
        learner = User.objects.filter(pk=value).only("email").first()
        return [(value, learner.email)] if learner else []

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(learner_id=value)
        return queryset


@admin.register(PlarRequest)
class PlarRequestAdmin(
    ReadOnly, CourseScopedPermissions, StaffRoleRequiredMixin, admin.ModelAdmin
):
    """PLAR requests to find and read; decisions are made on the review page."""

    list_display = (
        "learner_link",
        "course_code",
        "status",
        "submitted_at",
        "reviewer",
        "decided_at",
        "route",
        "review_link",
    )
    list_filter = (
        course_filter("microcredential_id"),
        "status",
        LearnerFilter,
        "submitted_at",
        "decided_at",
    )
    list_select_related = ("learner", "microcredential", "reviewer", "enrolment")
    search_fields = (
        "learner__email",
        "learner__legal_name",
        "microcredential__code",
        "microcredential__title",
    )
    search_help_text = _(
        "Search by the learner's e-mail address or name, or the course code or title."
    )
    ordering = ("-submitted_at", "-created_at")
    fields = (
        "review_link",
        ("learner", "microcredential"),
        ("status", "declaration"),
        ("created_at", "submitted_at", "updated_at"),
        "reviewer",
        ("decided_at", "decided_by"),
        "decision_reason",
        ("enrolment", "route"),
    )
    readonly_fields = (
        "review_link",
        "learner",
        "microcredential",
        "status",
        "declaration",
        "created_at",
        "submitted_at",
        "updated_at",
        "reviewer",
        "decided_at",
        "decided_by",
        "decision_reason",
        "enrolment",
        "route",
    )
    inlines = (StatementInline, EvidenceInline, EventInline, AppealInline)

    def get_queryset(self, request: HttpRequest) -> QuerySet[PlarRequest]:
        return _restrict(
            super()
            .get_queryset(request)
            .select_related(
                "learner", "microcredential", "reviewer", "decided_by", "enrolment"
            ),
            visible_course_ids(request),
            "microcredential_id",
        )

    def course_id_of(self, obj: PlarRequest) -> int:
        return obj.microcredential_id

    @admin.display(description=_("learner"), ordering="learner__email")
    def learner_link(self, plar_request: PlarRequest) -> str:
        return format_html(
            '<a href="?{}" title="{}">{}</a>',
            urlencode({"learner": plar_request.learner_id}),
            _("Only this learner's requests"),
            plar_request.learner.email,
        )

    @admin.display(description=_("course"), ordering="microcredential__code")
    def course_code(self, plar_request: PlarRequest) -> str:
        return plar_request.microcredential.code

    @admin.display(description=_("route"))
    def route(self, plar_request: PlarRequest) -> str:
        enrolment = plar_request.enrolment
        return enrolment.get_route_display() if enrolment else "—"

    @admin.display(description=_("review"))
    def review_link(self, plar_request: PlarRequest) -> str:
        if plar_request.status == PlarRequest.Status.DRAFT:
            return _("Draft: the learner has not submitted it yet.")
        return _review_link(plar_request)


@admin.register(Appeal)
class AppealAdmin(
    ReadOnly, CourseScopedPermissions, StaffRoleRequiredMixin, admin.ModelAdmin
):
    """Appeals to find and read; each is decided on its appeal page."""

    list_display = (
        "learner_email",
        "course_code",
        "kind",
        "status",
        "submitted_at",
        "decided_at",
        "decided_by",
        "decide_link",
    )
    list_filter = (
        course_filter("request__microcredential_id"),
        "kind",
        "status",
        "submitted_at",
    )
    list_select_related = (
        "request__learner",
        "request__microcredential",
        "decided_by",
    )
    search_fields = ("request__learner__email", "request__microcredential__code")
    search_help_text = _("Search by the learner's e-mail address or the course code.")
    fields = (
        "decide_link",
        "request",
        ("kind", "attempt"),
        "status",
        "submitted_at",
        "reason",
        ("decided_at", "decided_by"),
        "decision_reason",
        "emailed_at",
    )
    readonly_fields = (
        "decide_link",
        "request",
        "kind",
        "attempt",
        "status",
        "submitted_at",
        "reason",
        "decided_at",
        "decided_by",
        "decision_reason",
        "emailed_at",
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Appeal]:
        return _restrict(
            super()
            .get_queryset(request)
            .select_related(
                "request__learner",
                "request__microcredential",
                "attempt",
                "decided_by",
            ),
            visible_course_ids(request),
            "request__microcredential_id",
        )

    def course_id_of(self, obj: Appeal) -> int:
        return obj.request.microcredential_id

    @admin.display(description=_("learner"), ordering="request__learner__email")
    def learner_email(self, appeal: Appeal) -> str:
        return appeal.request.learner.email

    @admin.display(description=_("course"), ordering="request__microcredential__code")
    def course_code(self, appeal: Appeal) -> str:
        return appeal.request.microcredential.code

    @admin.display(description=_("appeal page"))
    def decide_link(self, appeal: Appeal) -> str:
        return format_html(
            '<a href="{}">{}</a>',
            reverse("plar-staff:appeal", kwargs={"appeal_id": appeal.pk}),
            _("Decide") if appeal.is_open else _("Open"),
        )
