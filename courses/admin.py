"""Staff dashboard for courses: content, governance, offerings, enrolments.

Who sees what is decided in ``get_queryset`` and ``has_*_permission``:

* instructors see and edit only the courses they own or teach, and their
  content; they may grant extensions in those courses;
* registrars see every course read-only, manage offerings, pathways and
  enrolments (extensions, withdrawals);
* status changes and enrolment changes go through ``courses.services`` only.

Learners' reflections are private and are deliberately not registered here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import ActionLocation
from django.db.models import Count, Q, QuerySet
from django.db.models.fields.related import ForeignKey, ManyToManyField
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from microcred.admin import StaffRoleRequiredMixin
from microcred.models import User
from microcred.roles import Role, is_instructor, is_registrar
from plar import policies as plar_policies

from . import policies, services
from .models import (
    ContentItem,
    CourseStatus,
    Enrolment,
    Extension,
    ItemKind,
    LearningOutcome,
    Microcredential,
    Module,
    Offering,
    Pathway,
    PathwayMembership,
    ScenarioChoice,
    Testimonial,
)
from .policies import STATUS_TRANSITIONS, PolicyError
from .staff_forms import (
    ContentItemForm,
    ExtensionForm,
    LabelledInlineFormSet,
    MicrocredentialForm,
    ModuleChoiceField,
    WithdrawalForm,
)

BOTH_LOCATIONS = [ActionLocation.CHANGE_LIST, ActionLocation.CHANGE_FORM]


# --- Who may touch which course --------------------------------------------


def editable_course_ids(request: HttpRequest) -> frozenset[int] | None:
    """Ids of the courses this person may edit; ``None`` means every course.

    Worked out once per request: the admin asks many times per page.
    """
    user = request.user
    if user.is_superuser:
        return None
    if not is_instructor(user):
        return frozenset()
    cached: frozenset[int] | None = getattr(request, "_editable_course_ids", None)
    if cached is None:
        cached = frozenset(
            Microcredential.objects.editable_by(user).values_list("pk", flat=True)
        )
        request._editable_course_ids = cached  # type: ignore[attr-defined]
    return cached


def visible_course_ids(request: HttpRequest) -> frozenset[int] | None:
    """Ids of the courses this person may see; ``None`` means every course."""
    if request.user.is_superuser or is_registrar(request.user):
        return None
    return editable_course_ids(request)


def _restrict(
    queryset: QuerySet, ids: frozenset[int] | None, field: str = "pk"
) -> QuerySet:
    if ids is None:
        return queryset
    return queryset.filter(**{f"{field}__in": ids})


def _in(ids: frozenset[int] | None, course_id: int | None) -> bool:
    return ids is None or course_id in ids


def course_filter(field: str) -> type[admin.SimpleListFilter]:
    """A 'by course' filter that only offers the courses the person may see."""

    class CourseFilter(admin.SimpleListFilter):
        title = _("microcredential")
        parameter_name = "course"

        def lookups(
            self, request: HttpRequest, model_admin: admin.ModelAdmin
        ) -> list[tuple[str, str]]:
            courses = _restrict(
                Microcredential.objects.only("pk", "code", "title"),
                visible_course_ids(request),
            )
            return [(str(course.pk), str(course)) for course in courses]

        def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
            if self.value():
                return queryset.filter(**{field: self.value()})
            return queryset

    return CourseFilter


def staff_instructors() -> QuerySet[User]:
    return (
        User.objects.filter(is_active=True, is_staff=True)
        .filter(Q(groups__name=Role.INSTRUCTOR.value) | Q(is_superuser=True))
        .distinct()
        .order_by("email")
    )


def _date(value: Any) -> str:
    return date_format(timezone.localtime(value), "DATE_FORMAT") if value else "—"


# --- Course content ---------------------------------------------------------


class CourseScopedPermissions:
    """View where the course is visible; add, change, delete where it is editable.

    ``course_id_of`` names the course of an object (for an inline, of its parent).
    """

    def course_id_of(self, obj: Any) -> int | None:
        return obj.pk

    def _allows(self, ids: frozenset[int] | None, obj: Any) -> bool:
        return obj is None or _in(ids, self.course_id_of(obj))

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_view_permission(request, obj) and self._allows(
            visible_course_ids(request), obj
        )

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return super().has_add_permission(request, *args) and self._allows(
            editable_course_ids(request), args[0] if args else None
        )

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_change_permission(request, obj) and self._allows(
            editable_course_ids(request), obj
        )

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_delete_permission(request, obj) and self._allows(
            editable_course_ids(request), obj
        )


class CourseContentInline(
    CourseScopedPermissions, StaffRoleRequiredMixin, admin.TabularInline
):
    """An inline of a course's own content: editable only on editable courses.

    ``obj`` in the inline permission methods is the parent course.
    """

    extra = 0
    formset = LabelledInlineFormSet


class LearningOutcomeInline(CourseContentInline):
    model = LearningOutcome
    fields = ("position", "code", "text")
    verbose_name = _("learning outcome")


class ModuleInline(CourseContentInline):
    model = Module
    fields = ("position", "title", "estimated_minutes", "summary", "items_link")
    readonly_fields = ("items_link",)

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        kwargs.setdefault(
            "widgets", {"summary": forms.Textarea(attrs={"rows": 2, "cols": 40})}
        )
        return super().get_formset(request, obj, **kwargs)

    @admin.display(description=_("items"))
    def items_link(self, module: Module) -> str:
        if not module.pk:
            return "—"
        url = reverse("admin:courses_contentitem_changelist")
        query = urlencode({"course": module.microcredential_id, "module": module.pk})
        return format_html('<a href="{}?{}">{}</a>', url, query, _("Items"))


class TestimonialInline(CourseContentInline):
    model = Testimonial
    fields = ("position", "author_name", "author_role", "quote", "is_approved")

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        kwargs.setdefault("widgets", {"quote": forms.Textarea(attrs={"rows": 2})})
        return super().get_formset(request, obj, **kwargs)


STATUS_ACTION_NAMES = {
    CourseStatus.IN_REVIEW: "to_in_review",
    CourseStatus.PUBLISHED: "to_published",
    CourseStatus.DRAFT: "to_draft",
    CourseStatus.RETIRED: "to_retired",
}


class MicrocredentialAdminForm(MicrocredentialForm):
    """The course form with its PLAR settings: when PLAR is offered, its window
    must hold two attempts (``plar.policies.window_problems``)."""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        days = cleaned.get("plar_window_days")
        if not cleaned.get("plar_offered") or not isinstance(days, int):
            return cleaned
        values = {
            name: cleaned.get(name, getattr(self.instance, name))
            for name in (
                "completion_window_days",
                "feedback_turnaround_days",
                "resubmission_days",
                "min_learning_days",
            )
        }
        if all(isinstance(value, int) for value in values.values()):
            for problem in plar_policies.window_problems(
                days, policies.WindowRules(**values)
            ):
                self.add_error("plar_window_days", problem)
        return cleaned


@admin.register(Microcredential)
class MicrocredentialAdmin(
    CourseScopedPermissions, StaffRoleRequiredMixin, admin.ModelAdmin
):
    form = MicrocredentialAdminForm
    change_form_template = "admin/courses/microcredential/change_form.html"
    list_display = (
        "code",
        "title",
        "status",
        "owner",
        "next_review_on",
        "items_link",
    )
    list_filter = ("status", "language", "level", "credit_status", "delivery_mode")
    list_select_related = ("owner",)
    search_fields = ("code", "title", "summary")
    prepopulated_fields = {"slug": ("title",)}
    readonly_fields = (
        "status",
        "published_at",
        "version",
        "created_at",
        "updated_at",
        "notices_link",
    )
    inlines = (LearningOutcomeInline, ModuleInline, TestimonialInline)
    actions = ("to_in_review", "to_published", "to_draft", "to_retired")
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "code",
                    "title",
                    "slug",
                    "summary",
                    "description",
                    ("language", "level", "delivery_mode"),
                )
            },
        ),
        (
            _("Time and completion window"),
            {
                "fields": (
                    "time_commitment_hours",
                    "completion_window_days",
                    ("feedback_turnaround_days", "resubmission_days"),
                    "min_learning_days",
                ),
                "description": _(
                    "The window must hold the minimum learning time plus the "
                    "feedback turnaround and the resubmission time (two attempts)."
                ),
            },
        ),
        (
            _("Prior learning (PLAR)"),
            {
                "fields": ("plar_offered", "plar_window_days"),
                "description": _(
                    "Whether learners may challenge this microcredential through "
                    "prior learning assessment and recognition, taking its summative "
                    "assessment. The PLAR window runs from approval to the end date "
                    "and must hold a day for attempt 1 plus the feedback turnaround "
                    "and the resubmission time."
                ),
            },
        ),
        (
            _("Reminders"),
            {
                "fields": (
                    "due_reminder_days",
                    "end_reminder_days",
                    "inactivity_nudge_days",
                    "notices_link",
                ),
                "description": _(
                    "Learners are reminded by e-mail (and on their notices page) "
                    "before their summative due date and their end date, and "
                    "nudged after a while without learning activity. Dates are "
                    "counted in the institution's time zone."
                ),
            },
        ),
        (
            _("Credential and credit"),
            {
                "fields": (
                    "credential_name",
                    "credential_value",
                    "credit_status",
                    ("credit_value", "credit_institution"),
                )
            },
        ),
        (
            _("Governance"),
            {
                "fields": (
                    "owner",
                    "instructors",
                    ("status", "published_at"),
                    ("review_cycle_months", "next_review_on"),
                    ("version", "created_at", "updated_at"),
                ),
                "description": _(
                    "The status changes only through the buttons above the form "
                    "(or the actions of the list): draft → in review → published "
                    "→ retired."
                ),
            },
        ),
    )

    # Who sees and edits what.

    def get_queryset(self, request: HttpRequest) -> QuerySet[Microcredential]:
        return _restrict(super().get_queryset(request), visible_course_ids(request))

    def formfield_for_foreignkey(
        self, db_field: ForeignKey, request: HttpRequest, **kwargs: Any
    ) -> Any:
        if db_field.name == "owner":
            kwargs["queryset"] = staff_instructors()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(
        self, db_field: ManyToManyField, request: HttpRequest, **kwargs: Any
    ) -> Any:
        if db_field.name == "instructors":
            kwargs["queryset"] = staff_instructors()
            kwargs["widget"] = forms.CheckboxSelectMultiple
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        initial = super().get_changeform_initial_data(request)
        if is_instructor(request.user):
            initial.setdefault("owner", request.user.pk)
            initial.setdefault("instructors", [request.user.pk])
        return initial

    def save_related(
        self, request: HttpRequest, form: forms.ModelForm, formsets: Any, change: bool
    ) -> None:
        super().save_related(request, form, formsets, change)
        course = form.instance
        user = request.user
        if user.is_superuser or course.owner_id == user.pk:
            return
        if not course.instructors.filter(pk=user.pk).exists():
            # Whoever creates or edits a course keeps access to it.
            course.instructors.add(user)

    # Status changes, only through the service.

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        extra_context = dict(extra_context or {})
        course = self.get_object(request, object_id)
        if course is not None and self.has_change_permission(request, course):
            extra_context["status_actions"] = [
                (
                    STATUS_ACTION_NAMES[target],
                    _status_button_label(course.status, target),
                )
                for target in _ordered_targets(course.status)
            ]
            extra_context["status_label"] = course.get_status_display()
        return super().change_view(request, object_id, form_url, extra_context)

    def _change_status(
        self, request: HttpRequest, queryset: QuerySet, new_status: CourseStatus
    ) -> None:
        for course in queryset:
            if not self.has_change_permission(request, course):
                self.message_user(
                    request,
                    _("You may not change the status of “%(course)s”.")
                    % {"course": course},
                    messages.ERROR,
                )
                continue
            try:
                decision = services.course_change_status(
                    actor=request.user, course_id=course.pk, new_status=new_status
                )
            except PolicyError as error:
                self.message_user(
                    request,
                    _("“%(course)s” was not changed: %(reasons)s")
                    % {"course": course, "reasons": error},
                    messages.ERROR,
                )
                continue
            for warning in decision.warnings if decision else ():
                self.message_user(
                    request,
                    _("“%(course)s”: %(warning)s")
                    % {"course": course, "warning": warning},
                    messages.WARNING,
                )
            self.message_user(
                request,
                _("“%(course)s” is now %(status)s.")
                % {"course": course, "status": new_status.label.lower()},
                messages.SUCCESS,
            )

    @admin.action(
        description=_("Send to review"), permissions=["change"], location=BOTH_LOCATIONS
    )
    def to_in_review(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._change_status(request, queryset, CourseStatus.IN_REVIEW)

    @admin.action(
        description=_("Publish"), permissions=["change"], location=BOTH_LOCATIONS
    )
    def to_published(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._change_status(request, queryset, CourseStatus.PUBLISHED)

    @admin.action(
        description=_("Return to draft"),
        permissions=["change"],
        location=BOTH_LOCATIONS,
    )
    def to_draft(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._change_status(request, queryset, CourseStatus.DRAFT)

    @admin.action(
        description=_("Retire"), permissions=["change"], location=BOTH_LOCATIONS
    )
    def to_retired(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._change_status(request, queryset, CourseStatus.RETIRED)

    @admin.display(description=_("notices"))
    def notices_link(self, course: Microcredential) -> str:
        if not course.pk:
            return _("Shown once the microcredential is saved.")
        return format_html(
            '<a href="{}">{}</a>',
            reverse("notices:course", kwargs={"course_id": course.pk}),
            _("Notices sent, waiting, failed and scheduled for this microcredential"),
        )

    @admin.display(description=_("content"))
    def items_link(self, course: Microcredential) -> str:
        url = reverse("admin:courses_contentitem_changelist")
        return format_html(
            '<a href="{}?{}">{}</a>', url, urlencode({"course": course.pk}), _("Items")
        )


def _ordered_targets(current: str) -> list[CourseStatus]:
    allowed = STATUS_TRANSITIONS.get(current, frozenset())
    return [status for status in CourseStatus if status in allowed]


def _status_button_label(current: str, target: CourseStatus) -> str:
    if current == CourseStatus.PUBLISHED and target == CourseStatus.IN_REVIEW:
        return _("Unpublish for review")
    if current == CourseStatus.RETIRED and target == CourseStatus.DRAFT:
        return _("Reopen as draft")
    return {
        CourseStatus.IN_REVIEW: _("Send to review"),
        CourseStatus.PUBLISHED: _("Publish"),
        CourseStatus.DRAFT: _("Return to draft"),
        CourseStatus.RETIRED: _("Retire"),
    }[target]


class ScenarioChoiceInline(
    CourseScopedPermissions, StaffRoleRequiredMixin, admin.StackedInline
):
    model = ScenarioChoice
    extra = 0
    fields = (("position", "is_recommended"), "text", "consequence", "feedback")
    verbose_name = _("scenario choice")

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        small = forms.Textarea(attrs={"rows": 3})
        kwargs.setdefault("widgets", {"consequence": small, "feedback": small})
        return super().get_formset(request, obj, **kwargs)

    def course_id_of(self, obj: ContentItem) -> int:
        return obj.module.microcredential_id


class ModuleFilter(admin.SimpleListFilter):
    """Modules of the course chosen in the course filter."""

    title = _("module")
    parameter_name = "module"

    def lookups(
        self, request: HttpRequest, model_admin: admin.ModelAdmin
    ) -> list[tuple[str, str]]:
        course = request.GET.get("course", "")
        if not course.isdigit() or not _in(visible_course_ids(request), int(course)):
            return []
        modules = Module.objects.filter(microcredential_id=int(course))
        return [
            (str(module.pk), f"{module.position}. {module.title}") for module in modules
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value():
            return queryset.filter(module_id=self.value())
        return queryset


@admin.register(ContentItem)
class ContentItemAdmin(
    CourseScopedPermissions, StaffRoleRequiredMixin, admin.ModelAdmin
):
    form = ContentItemForm
    change_form_template = "admin/courses/contentitem/change_form.html"
    list_display = (
        "title",
        "kind",
        "course_code",
        "module",
        "position",
        "estimated_minutes",
        "text_alternative",
        "preview_link",
    )
    list_filter = (course_filter("module__microcredential_id"), ModuleFilter, "kind")
    list_select_related = ("module__microcredential",)
    search_fields = ("title", "body")
    ordering = ("module__microcredential__code", "module__position", "position", "id")
    inlines = (ScenarioChoiceInline,)
    readonly_fields = ("preview_link",)

    def get_fieldsets(
        self, request: HttpRequest, obj: ContentItem | None = None
    ) -> list[tuple[Any, dict[str, Any]]]:
        """Show the media fields an item of this kind uses (all of them on add)."""
        kind = obj.kind if obj is not None else None
        main: tuple[Any, ...] = (
            "module",
            ("position", "kind"),
            "title",
            "estimated_minutes",
            "body",
        )
        if obj is not None:
            main += ("preview_link",)
        fieldsets: list[tuple[Any, dict[str, Any]]] = [(None, {"fields": main})]
        if kind in (None, ItemKind.VIDEO) or obj.video_url or obj.video_file:
            fieldsets.append(
                (
                    _("Video"),
                    {
                        "fields": (
                            "video_url",
                            "video_file",
                            "captions_file",
                            "transcript",
                        ),
                        "description": _(
                            "A video needs a captions file or a transcript before "
                            "the course can be published."
                        ),
                    },
                )
            )
        if kind in (None, ItemKind.RESOURCE) or obj.resource_file:
            fieldsets.append(
                (_("Downloadable resource"), {"fields": ("resource_file",)})
            )
        return fieldsets

    def get_inlines(
        self, request: HttpRequest, obj: ContentItem | None
    ) -> tuple[type[admin.options.InlineModelAdmin], ...]:
        if obj is not None and obj.kind != ItemKind.SCENARIO:
            return ()
        return self.inlines

    def get_queryset(self, request: HttpRequest) -> QuerySet[ContentItem]:
        return _restrict(
            super().get_queryset(request),
            visible_course_ids(request),
            "module__microcredential_id",
        )

    def course_id_of(self, obj: ContentItem) -> int:
        return obj.module.microcredential_id

    def formfield_for_foreignkey(
        self, db_field: ForeignKey, request: HttpRequest, **kwargs: Any
    ) -> Any:
        if db_field.name == "module":
            kwargs["queryset"] = _restrict(
                Module.objects.select_related("microcredential").order_by(
                    "microcredential__code", "position", "id"
                ),
                editable_course_ids(request),
                "microcredential_id",
            )
            kwargs["form_class"] = ModuleChoiceField
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        initial = super().get_changeform_initial_data(request)
        module = request.GET.get("module", "")
        if module.isdigit():
            initial["module"] = int(module)
        return initial

    @admin.display(description=_("course"), ordering="module__microcredential__code")
    def course_code(self, item: ContentItem) -> str:
        return item.module.microcredential.code

    @admin.display(description=_("captions or transcript"), boolean=True)
    def text_alternative(self, item: ContentItem) -> bool | None:
        return item.has_text_alternative if item.kind == ItemKind.VIDEO else None

    @admin.display(description=_("preview"))
    def preview_link(self, item: ContentItem) -> str:
        if not item.pk:
            return "—"
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">{}'
            '<span class="visually-hidden"> {}</span></a>',
            reverse("courses:item-preview", kwargs={"item_id": item.pk}),
            _("Preview as learner"),
            _("(opens in a new tab)"),
        )


# --- Registrars: offerings, pathways, enrolments ----------------------------


@admin.register(Offering)
class OfferingAdmin(StaffRoleRequiredMixin, admin.ModelAdmin):
    list_display = (
        "microcredential",
        "label",
        "kind",
        "starts_on",
        "registration_closes_at",
        "capacity",
        "enrolled",
        "is_open",
    )
    list_filter = (course_filter("microcredential_id"), "kind", "is_open")
    list_select_related = ("microcredential",)
    search_fields = ("label", "microcredential__code", "microcredential__title")
    fields = (
        "microcredential",
        "kind",
        "label",
        "starts_on",
        ("registration_opens_at", "registration_closes_at"),
        "capacity",
        "is_open",
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Offering]:
        queryset = (
            super()
            .get_queryset(request)
            .annotate(
                _enrolled=Count("enrolments", filter=~Q(enrolments__status="withdrawn"))
            )
        )
        return _restrict(queryset, visible_course_ids(request), "microcredential_id")

    def formfield_for_foreignkey(
        self, db_field: ForeignKey, request: HttpRequest, **kwargs: Any
    ) -> Any:
        if db_field.name == "microcredential":
            kwargs["queryset"] = _restrict(
                Microcredential.objects.all(), visible_course_ids(request)
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("enrolled"), ordering="_enrolled")
    def enrolled(self, offering: Offering) -> int:
        return offering._enrolled


class PathwayMembershipInline(StaffRoleRequiredMixin, admin.TabularInline):
    model = PathwayMembership
    extra = 0
    formset = LabelledInlineFormSet
    fields = ("position", "microcredential")
    verbose_name = _("microcredential in this pathway")
    verbose_name_plural = _("microcredentials in this pathway")


@admin.register(Pathway)
class PathwayAdmin(StaffRoleRequiredMixin, admin.ModelAdmin):
    list_display = (
        "title",
        "code",
        "requirement",
        "required_count",
        "course_count",
        "is_published",
    )
    list_filter = ("requirement", "is_published")
    search_fields = ("title", "code")
    prepopulated_fields = {"slug": ("title",)}
    fields = (
        "title",
        "code",
        "slug",
        "summary",
        ("requirement", "required_count"),
        "is_published",
    )
    inlines = (PathwayMembershipInline,)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Pathway]:
        return (
            super().get_queryset(request).annotate(_courses=Count("microcredentials"))
        )

    @admin.display(description=_("microcredentials"), ordering="_courses")
    def course_count(self, pathway: Pathway) -> int:
        return pathway._courses


class ExtensionInline(StaffRoleRequiredMixin, admin.TabularInline):
    """The extension history of an enrolment: read-only, as in the audit log."""

    model = Extension
    extra = 0
    can_delete = False
    fields = (
        "granted_at",
        "granted_by",
        "extra_days",
        "reason",
        "previous_summative_due_at",
        "new_summative_due_at",
        "previous_ends_at",
        "new_ends_at",
    )
    readonly_fields = fields
    verbose_name_plural = _("extension history")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Extension]:
        return super().get_queryset(request).select_related("granted_by")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Enrolment)
class EnrolmentAdmin(StaffRoleRequiredMixin, admin.ModelAdmin):
    """Enrolments are read-only here; they change only through services.

    Dates move only by an extension, status only by a withdrawal, each with a
    reason that lands in the audit log.
    """

    list_display = (
        "learner_email",
        "course_code",
        "offering_label",
        "route",
        "status",
        "registered_at",
        "summative_due_at",
        "ends_at",
    )
    list_filter = (course_filter("microcredential_id"), "status", "route")
    list_select_related = ("learner", "microcredential", "offering")
    search_fields = ("learner__email",)
    search_help_text = _("Search by the learner's e-mail address.")
    date_hierarchy = "registered_at"
    fields = (
        "learner",
        "microcredential",
        "offering",
        ("route", "status"),
        "registered_at",
        ("summative_due_at", "ends_at"),
        ("completed_at", "withdrawn_at"),
        "last_activity_at",
    )
    readonly_fields = (
        "learner",
        "microcredential",
        "offering",
        "route",
        "status",
        "registered_at",
        "summative_due_at",
        "ends_at",
        "completed_at",
        "withdrawn_at",
        "last_activity_at",
    )
    inlines = (ExtensionInline,)
    actions = ("grant_extension", "withdraw")
    action_template = "admin/courses/enrolment/action_with_reason.html"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Enrolment]:
        return _restrict(
            super()
            .get_queryset(request)
            .select_related("learner", "microcredential", "offering"),
            visible_course_ids(request),
            "microcredential_id",
        )

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_view_permission(request, obj) and (
            obj is None or _in(visible_course_ids(request), obj.microcredential_id)
        )

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False  # learners register through the registration service

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # changes happen only through the actions below

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # withdraw instead; the record stays

    def has_extend_permission(self, request: HttpRequest) -> bool:
        """Instructors (own courses, via the queryset) and registrars."""
        return self.has_view_permission(request) and request.user.has_perm(
            "courses.add_extension"
        )

    def has_withdraw_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request) and request.user.has_perm(
            "courses.change_enrolment"
        )

    @admin.display(description=_("learner"), ordering="learner__email")
    def learner_email(self, enrolment: Enrolment) -> str:
        return enrolment.learner.email

    @admin.display(description=_("course"), ordering="microcredential__code")
    def course_code(self, enrolment: Enrolment) -> str:
        return enrolment.microcredential.code

    @admin.display(description=_("offering"), ordering="offering__label")
    def offering_label(self, enrolment: Enrolment) -> str:
        # A PLAR-route enrolment has no offering: its window runs from approval.
        return enrolment.offering.label if enrolment.offering else "—"

    @admin.action(
        description=_("Grant an extension…"),
        permissions=["extend"],
        location=BOTH_LOCATIONS,
    )
    def grant_extension(
        self, request: HttpRequest, queryset: QuerySet
    ) -> HttpResponse | None:
        return self._with_reason(
            request,
            queryset,
            action_name="grant_extension",
            form_class=ExtensionForm,
            title=_("Grant an extension"),
            intro=_(
                "Both dates of each selected enrolment move by the number of days "
                "you give. The reason is kept in the audit log."
            ),
            apply=self._extend_one,
        )

    @admin.action(
        description=_("Withdraw…"), permissions=["withdraw"], location=BOTH_LOCATIONS
    )
    def withdraw(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        return self._with_reason(
            request,
            queryset,
            action_name="withdraw",
            form_class=WithdrawalForm,
            title=_("Withdraw learners"),
            intro=_(
                "Each selected learner is withdrawn from the microcredential; "
                "their record stays. The reason is kept in the audit log."
            ),
            apply=self._withdraw_one,
        )

    def _with_reason(
        self,
        request: HttpRequest,
        queryset: QuerySet,
        *,
        action_name: str,
        form_class: type[forms.Form],
        title: str,
        intro: str,
        apply: Callable[[HttpRequest, Enrolment, dict[str, Any]], str],
    ) -> HttpResponse | None:
        """Ask for the details on an intermediate page, then apply one by one."""
        action_field = (
            "CHANGE_FORM-action" if "CHANGE_FORM-action" in request.POST else "action"
        )
        if request.POST.get("_confirm") == "yes":
            form = form_class(request.POST)
            if form.is_valid():
                for enrolment in queryset:
                    try:
                        message = apply(request, enrolment, form.cleaned_data)
                    except PolicyError as error:
                        self.message_user(
                            request,
                            _("Nothing changed for %(enrolment)s: %(error)s")
                            % {"enrolment": enrolment, "error": error},
                            messages.ERROR,
                        )
                    else:
                        self.message_user(request, message, messages.SUCCESS)
                return None
        else:
            form = form_class()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": title,
            "intro": intro,
            "form": form,
            "enrolments": queryset,
            "objects": queryset,
            "action_field": action_field,
            "action_name": action_name,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            "media": self.media + form.media,
        }
        return TemplateResponse(request, self.action_template, context)

    def _extend_one(
        self, request: HttpRequest, enrolment: Enrolment, data: dict[str, Any]
    ) -> str:
        extension = services.enrolment_extend(
            actor=request.user,
            enrolment_id=enrolment.pk,
            extra_days=data["extra_days"],
            reason=data["reason"],
        )
        return ngettext(
            "Extension granted to %(enrolment)s: %(days)d day more; "
            "summative due %(due)s, ends %(ends)s.",
            "Extension granted to %(enrolment)s: %(days)d days more; "
            "summative due %(due)s, ends %(ends)s.",
            extension.extra_days,
        ) % {
            "enrolment": enrolment,
            "days": extension.extra_days,
            "due": _date(extension.new_summative_due_at),
            "ends": _date(extension.new_ends_at),
        }

    def _withdraw_one(
        self, request: HttpRequest, enrolment: Enrolment, data: dict[str, Any]
    ) -> str:
        services.enrolment_withdraw(
            actor=request.user, enrolment_id=enrolment.pk, reason=data["reason"]
        )
        return _("Withdrawn: %(enrolment)s.") % {"enrolment": enrolment}
