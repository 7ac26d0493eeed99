"""Staff dashboard for assessments: authoring, and a read-only view of attempts.

Authoring reads top-down, as an instructor writes a quiz:

* an **assessment** page holds its settings and lists its items (reorder them
  there, open one to edit it, or "Add an item");
* an **item** page holds the question, its learning outcomes and its options,
  each with its feedback (and, for a scenario, its consequence);
* a **rubric** page lists its criteria; a **criterion** page holds its levels.

Everything is scoped to the courses a person may see (registrars: all, read
only) or edit (instructors: the courses they own or teach), with the helpers
of ``courses.admin``. Choices (outcomes, rubrics, modules) come only from the
assessment's own course, and the forms refuse anything else.

Learners' attempts and answers are read-only here for everyone; grading
happens on its own page.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import Count, Max, Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from courses.admin import (
    CourseScopedPermissions,
    _restrict,
    course_filter,
    editable_course_ids,
    visible_course_ids,
)
from courses.models import LearningOutcome
from courses.staff_forms import LabelledInlineFormSet
from microcred.admin import StaffRoleRequiredMixin

from .models import (
    Answer,
    Assessment,
    AssessmentKind,
    Attempt,
    Criterion,
    GradingEvent,
    Item,
    ItemKind,
    Level,
    Option,
    Rubric,
)
from .staff_forms import (
    AssessmentForm,
    CriterionForm,
    ItemForm,
    ItemSummaryFormSet,
    LevelFormSet,
    OptionFormSet,
    RubricForm,
)


def preview_url(assessment_id: int) -> str | None:
    """The learner's preview of an assessment, once that page exists."""
    try:
        return reverse("assessments:preview", kwargs={"assessment_id": assessment_id})
    except NoReverseMatch:
        return None


def _add_url(model: str, **query: int) -> str:
    return f"{reverse(f'admin:assessments_{model}_add')}?{urlencode(query)}"


def _short(text: str, length: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= length else f"{text[: length - 1]}…"


def _with_option_counts(queryset: QuerySet[Item]) -> QuerySet[Item]:
    return queryset.prefetch_related("outcomes").annotate(
        _options=Count("options", distinct=True),
        _correct=Count("options", filter=Q(options__is_correct=True), distinct=True),
    )


class ScopedForms:
    """Hands the form the courses this person may edit, to scope its choices."""

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> type[forms.ModelForm]:
        form = super().get_form(request, obj, change=change, **kwargs)
        form.course_ids = editable_course_ids(request)
        return form


class BackToParent:
    """After "Save", go back to the parent's page; "add another" keeps the parent.

    The parent is the item's assessment or the criterion's rubric.
    """

    parent_field: str

    def _parent_url(self, obj: Any) -> str:
        parent = getattr(obj, self.parent_field)
        opts = parent._meta
        return reverse(
            f"admin:{opts.app_label}_{opts.model_name}_change", args=[parent.pk]
        )

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        """``?assessment=5`` (or ``?rubric=5``) picks the parent; next position."""
        initial = super().get_changeform_initial_data(request)
        parent_id = str(initial.get(self.parent_field, ""))
        if parent_id.isdigit():
            last = self.model.objects.filter(
                **{f"{self.parent_field}_id": int(parent_id)}
            ).aggregate(last=Max("position"))["last"]
            initial.setdefault("position", (last or 0) + 1)
        return initial

    def response_add(
        self, request: HttpRequest, obj: Any, post_url_continue: str | None = None
    ) -> HttpResponse:
        response = super().response_add(request, obj, post_url_continue)
        if "_addanother" in request.POST and isinstance(response, HttpResponseRedirect):
            response["Location"] = _add_url(
                self.opts.model_name,
                **{self.parent_field: getattr(obj, f"{self.parent_field}_id")},
            )
        return response

    def response_post_save_add(self, request: HttpRequest, obj: Any) -> HttpResponse:
        return HttpResponseRedirect(self._parent_url(obj))

    def response_post_save_change(self, request: HttpRequest, obj: Any) -> HttpResponse:
        return HttpResponseRedirect(self._parent_url(obj))


# --- Assessments and their items --------------------------------------------


class ItemSummaryInline(
    CourseScopedPermissions, StaffRoleRequiredMixin, admin.TabularInline
):
    """The items of an assessment: reorder here, open one to edit it."""

    model = Item
    formset = ItemSummaryFormSet
    extra = 0
    fields = ("position", "kind", "points", "outcome_codes", "options")
    readonly_fields = ("kind", "points", "outcome_codes", "options")
    show_change_link = True  # each row is headed by its prompt and a link
    verbose_name = _("item")
    verbose_name_plural = _("items (open an item to edit its options and feedback)")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Item]:
        return _with_option_counts(super().get_queryset(request))

    def course_id_of(self, obj: Assessment) -> int:
        return obj.microcredential_id

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # items are added on their own page, with their options

    @admin.display(description=_("prompt"))
    def prompt_summary(self, item: Item) -> str:
        return _short(item.prompt)

    @admin.display(description=_("outcomes"))
    def outcome_codes(self, item: Item) -> str:
        return _outcome_codes(item)

    @admin.display(description=_("options"))
    def options(self, item: Item) -> str:
        return _option_summary(item)


def _outcome_codes(item: Item) -> str:
    return ", ".join(outcome.code for outcome in item.outcomes.all()) or "—"


def _option_summary(item: Item) -> str:
    if not getattr(item, "_options", 0):
        return "—"
    return _("%(count)d (%(correct)d correct)") % {
        "count": item._options,
        "correct": item._correct,
    }


@admin.register(Assessment)
class AssessmentAdmin(
    ScopedForms, CourseScopedPermissions, StaffRoleRequiredMixin, admin.ModelAdmin
):
    form = AssessmentForm
    change_form_template = "admin/assessments/assessment/change_form.html"
    list_display = (
        "title",
        "course_code",
        "kind",
        "pass_mark",
        "item_count",
        "draw_count",
        "module",
        "preview_link",
    )
    list_filter = ("kind", course_filter("microcredential_id"))
    list_select_related = ("microcredential", "module")
    search_fields = ("title", "microcredential__code", "microcredential__title")
    ordering = ("microcredential__code", "kind", "title")
    inlines = (ItemSummaryInline,)
    fieldsets = (
        (
            None,
            {"fields": ("microcredential", "kind", "module", "title", "instructions")},
        ),
        (
            _("Passing and drawing items"),
            {
                "fields": ("pass_mark_percent", "draw_count"),
                "description": _(
                    "A summative assessment has at most two attempts; drawing "
                    "fewer items than the pool holds lets attempt 2 differ from "
                    "attempt 1."
                ),
            },
        ),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Assessment]:
        queryset = super().get_queryset(request).annotate(_items=Count("items"))
        return _restrict(queryset, visible_course_ids(request), "microcredential_id")

    def course_id_of(self, obj: Assessment) -> int:
        return obj.microcredential_id

    def get_readonly_fields(
        self, request: HttpRequest, obj: Assessment | None = None
    ) -> tuple[str, ...]:
        # Its items' outcomes and rubrics belong to the course: it stays there.
        return ("microcredential", "plar_settings") if obj is not None else ()

    def get_fieldsets(self, request: HttpRequest, obj: Assessment | None = None) -> Any:
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or obj.kind != AssessmentKind.SUMMATIVE:
            return fieldsets
        # PLAR candidates take this same summative; the course holds the setting.
        return (
            *fieldsets,
            (
                _("Prior learning (PLAR)"),
                {
                    "fields": ("plar_settings",),
                    "description": _(
                        "Approved PLAR candidates take this summative assessment, "
                        "with the same two attempts and feedback policy."
                    ),
                },
            ),
        )

    @admin.display(description=_("PLAR"))
    def plar_settings(self, assessment: Assessment) -> str:
        course = assessment.microcredential
        if course.plar_offered:
            line = ngettext(
                "offered, window %(days)d day",
                "offered, window %(days)d days",
                course.plar_window_days,
            ) % {"days": course.plar_window_days}
        else:
            line = _("not offered")
        url = reverse("admin:courses_microcredential_change", args=[course.pk])
        return format_html(
            '{} · <a href="{}#id_plar_offered">{}</a>',
            line,
            url,
            _("change in the course's settings"),
        )

    def get_list_display(self, request: HttpRequest) -> tuple[str, ...]:
        if preview_url(0) is None:
            return tuple(f for f in self.list_display if f != "preview_link")
        return self.list_display

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        extra_context = dict(extra_context or {})
        assessment = self.get_object(request, object_id)
        if assessment is not None and self.has_view_permission(request, assessment):
            extra_context["preview_url"] = preview_url(assessment.pk)
            if self.has_change_permission(request, assessment):
                extra_context["add_item_url"] = _add_url(
                    "item", assessment=assessment.pk
                )
            if assessment.kind == AssessmentKind.SUMMATIVE:
                extra_context["uncovered_outcomes"] = list(
                    LearningOutcome.objects.filter(
                        microcredential_id=assessment.microcredential_id
                    ).exclude(assessment_items__assessment=assessment)
                )
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.display(description=_("course"), ordering="microcredential__code")
    def course_code(self, assessment: Assessment) -> str:
        return assessment.microcredential.code

    @admin.display(description=_("pass mark"), ordering="pass_mark_percent")
    def pass_mark(self, assessment: Assessment) -> str:
        return f"{assessment.pass_mark_percent.normalize():f} %"

    @admin.display(description=_("items"), ordering="_items")
    def item_count(self, assessment: Assessment) -> str:
        url = reverse("admin:assessments_item_changelist")
        return format_html(
            '<a href="{}?{}">{}</a>',
            url,
            urlencode({"assessment__id__exact": assessment.pk}),
            assessment._items,
        )

    @admin.display(description=_("preview"))
    def preview_link(self, assessment: Assessment) -> str:
        url = preview_url(assessment.pk)
        if url is None:
            return "—"
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">{}'
            '<span class="visually-hidden"> {}</span></a>',
            url,
            _("Preview as a learner"),
            _("(opens in a new tab)"),
        )


class OptionInline(
    CourseScopedPermissions, StaffRoleRequiredMixin, admin.TabularInline
):
    model = Option
    formset = OptionFormSet
    fields = ("position", "text", "is_correct", "feedback", "consequence")
    verbose_name = _("option")
    verbose_name_plural = _("options (choice, true-or-false and scenario items)")

    def get_extra(
        self, request: HttpRequest, obj: Item | None = None, **kwargs: Any
    ) -> int:
        return 4 if obj is None else 0

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        small = forms.Textarea(attrs={"rows": 2, "cols": 30})
        kwargs.setdefault(
            "widgets",
            {
                "text": forms.Textarea(attrs={"rows": 2, "cols": 30}),
                "feedback": small,
                "consequence": small,
            },
        )
        return super().get_formset(request, obj, **kwargs)

    def course_id_of(self, obj: Item) -> int:
        return obj.assessment.microcredential_id


@admin.register(Item)
class ItemAdmin(
    BackToParent,
    ScopedForms,
    CourseScopedPermissions,
    StaffRoleRequiredMixin,
    admin.ModelAdmin,
):
    form = ItemForm
    parent_field = "assessment"
    list_display = (
        "prompt_summary",
        "kind",
        "assessment",
        "course_code",
        "position",
        "points",
        "outcome_codes",
        "options",
    )
    list_filter = (course_filter("assessment__microcredential_id"), "kind")
    list_select_related = ("assessment__microcredential",)
    search_fields = ("prompt", "case")
    ordering = ("assessment__microcredential__code", "assessment_id", "position", "id")
    inlines = (OptionInline,)
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "assessment",
                    ("position", "kind", "points"),
                    "prompt",
                    "outcomes",
                )
            },
        ),
        (
            _("Scenario"),
            {
                "fields": ("case",),
                "description": _(
                    "A scenario decision starts with a case; its options are the "
                    "decisions, each with a consequence."
                ),
            },
        ),
        (_("Short answer"), {"fields": ("accepted_answers", "case_sensitive")}),
        (
            _("Project (rubric-graded)"),
            {
                "fields": ("rubric", ("allowed_file_types", "max_file_mb")),
                "description": _(
                    "The learner writes an answer and, if file types are allowed, "
                    "uploads a file; an instructor grades it with the rubric."
                ),
            },
        ),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Item]:
        return _restrict(
            _with_option_counts(super().get_queryset(request)),
            visible_course_ids(request),
            "assessment__microcredential_id",
        )

    def course_id_of(self, obj: Item) -> int:
        return obj.assessment.microcredential_id

    def get_readonly_fields(
        self, request: HttpRequest, obj: Item | None = None
    ) -> tuple[str, ...]:
        return ("assessment",) if obj is not None else ()

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        initial = super().get_changeform_initial_data(request)
        initial.setdefault("kind", ItemKind.SINGLE)
        return initial

    def get_formset_kwargs(
        self, request: HttpRequest, obj: Item, inline: Any, prefix: str
    ) -> dict[str, Any]:
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if isinstance(inline, OptionInline) and obj.pk is None:
            # A new item's blank option rows come numbered 1, 2, 3, 4.
            extra = inline.get_extra(request, None)
            kwargs["initial"] = [{"position": n} for n in range(1, extra + 1)]
        return kwargs

    @admin.display(description=_("prompt"), ordering="prompt")
    def prompt_summary(self, item: Item) -> str:
        return _short(item.prompt)

    @admin.display(
        description=_("course"), ordering="assessment__microcredential__code"
    )
    def course_code(self, item: Item) -> str:
        return item.assessment.microcredential.code

    @admin.display(description=_("outcomes"))
    def outcome_codes(self, item: Item) -> str:
        return _outcome_codes(item)

    @admin.display(description=_("options"))
    def options(self, item: Item) -> str:
        return _option_summary(item)


# --- Rubrics, criteria, levels ----------------------------------------------


class CriterionSummaryInline(
    CourseScopedPermissions, StaffRoleRequiredMixin, admin.TabularInline
):
    """The criteria of a rubric: reorder here, open one to edit its levels."""

    model = Criterion
    formset = LabelledInlineFormSet
    extra = 0
    fields = ("position", "title", "outcome_code", "levels")
    readonly_fields = ("title", "outcome_code", "levels")
    show_change_link = True
    verbose_name = _("criterion")
    verbose_name_plural = _("criteria (open a criterion to edit its levels)")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Criterion]:
        return (
            super()
            .get_queryset(request)
            .select_related("outcome")
            .prefetch_related("levels")
        )

    def course_id_of(self, obj: Rubric) -> int:
        return obj.microcredential_id

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # criteria are added on their own page, with their levels

    @admin.display(description=_("outcome"))
    def outcome_code(self, criterion: Criterion) -> str:
        return criterion.outcome.code

    @admin.display(description=_("levels"))
    def levels(self, criterion: Criterion) -> str:
        return ", ".join(str(level) for level in criterion.levels.all()) or "—"


@admin.register(Rubric)
class RubricAdmin(
    ScopedForms, CourseScopedPermissions, StaffRoleRequiredMixin, admin.ModelAdmin
):
    form = RubricForm
    change_form_template = "admin/assessments/rubric/change_form.html"
    list_display = ("title", "course_code", "criterion_count", "item_count")
    list_filter = (course_filter("microcredential_id"),)
    list_select_related = ("microcredential",)
    search_fields = ("title", "microcredential__code")
    ordering = ("microcredential__code", "title")
    fields = ("microcredential", "title")
    inlines = (CriterionSummaryInline,)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Rubric]:
        queryset = (
            super()
            .get_queryset(request)
            .annotate(
                _criteria=Count("criteria", distinct=True),
                _items=Count("items", distinct=True),
            )
        )
        return _restrict(queryset, visible_course_ids(request), "microcredential_id")

    def course_id_of(self, obj: Rubric) -> int:
        return obj.microcredential_id

    def get_readonly_fields(
        self, request: HttpRequest, obj: Rubric | None = None
    ) -> tuple[str, ...]:
        return ("microcredential",) if obj is not None else ()

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        extra_context = dict(extra_context or {})
        rubric = self.get_object(request, object_id)
        if rubric is not None and self.has_change_permission(request, rubric):
            extra_context["add_criterion_url"] = _add_url("criterion", rubric=rubric.pk)
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.display(description=_("course"), ordering="microcredential__code")
    def course_code(self, rubric: Rubric) -> str:
        return rubric.microcredential.code

    @admin.display(description=_("criteria"), ordering="_criteria")
    def criterion_count(self, rubric: Rubric) -> int:
        return rubric._criteria

    @admin.display(description=_("used by items"), ordering="_items")
    def item_count(self, rubric: Rubric) -> int:
        return rubric._items


class LevelInline(CourseScopedPermissions, StaffRoleRequiredMixin, admin.TabularInline):
    model = Level
    formset = LevelFormSet
    fields = ("label", "points", "descriptor")
    verbose_name = _("level")
    verbose_name_plural = _("levels (at least two, e.g. “Not yet met” and “Met”)")

    def get_extra(
        self, request: HttpRequest, obj: Criterion | None = None, **kwargs: Any
    ) -> int:
        return 3 if obj is None else 0

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        kwargs.setdefault(
            "widgets", {"descriptor": forms.Textarea(attrs={"rows": 2, "cols": 50})}
        )
        return super().get_formset(request, obj, **kwargs)

    def course_id_of(self, obj: Criterion) -> int:
        return obj.rubric.microcredential_id


@admin.register(Criterion)
class CriterionAdmin(
    BackToParent,
    ScopedForms,
    CourseScopedPermissions,
    StaffRoleRequiredMixin,
    admin.ModelAdmin,
):
    """Reached from its rubric's page, so not listed on the dashboard's index."""

    form = CriterionForm
    parent_field = "rubric"
    list_display = ("title", "rubric", "course_code", "outcome", "position")
    list_select_related = ("rubric__microcredential", "outcome")
    list_filter = (course_filter("rubric__microcredential_id"),)
    ordering = ("rubric__microcredential__code", "rubric__title", "position", "id")
    fields = ("rubric", ("position", "title"), "outcome")
    inlines = (LevelInline,)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Criterion]:
        return _restrict(
            super().get_queryset(request).select_related("rubric__microcredential"),
            visible_course_ids(request),
            "rubric__microcredential_id",
        )

    def course_id_of(self, obj: Criterion) -> int:
        return obj.rubric.microcredential_id

    def get_readonly_fields(
        self, request: HttpRequest, obj: Criterion | None = None
    ) -> tuple[str, ...]:
        return ("rubric",) if obj is not None else ()

    @admin.display(description=_("course"), ordering="rubric__microcredential__code")
    def course_code(self, criterion: Criterion) -> str:
        return criterion.rubric.microcredential.code


# --- Attempts: read-only for everyone ----------------------------------------


class ReadOnlyInline(StaffRoleRequiredMixin, admin.TabularInline):
    extra = 0
    can_delete = False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AnswerInline(ReadOnlyInline):
    model = Answer
    fields = ("item_prompt", "answer_text", "file_name", "saved_at", "points_awarded")
    verbose_name_plural = _("answers")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Answer]:
        return super().get_queryset(request).select_related("item")

    @admin.display(description=_("item"))
    def item_prompt(self, answer: Answer) -> str:
        return _short(answer.item.prompt, 60)

    @admin.display(description=_("answer"))
    def answer_text(self, answer: Answer) -> str:
        if answer.selected_option_ids:
            return _("options %(ids)s") % {
                "ids": ", ".join(str(pk) for pk in answer.selected_option_ids)
            }
        return _short(answer.text, 200) or "—"

    @admin.display(description=_("file"))
    def file_name(self, answer: Answer) -> str:
        # The name only: the file is served to the learner and graders elsewhere.
        return answer.file.name.rsplit("/", 1)[-1] if answer.file else "—"


class GradingEventInline(ReadOnlyInline):
    model = GradingEvent
    fields = ("at", "actor", "action", "change_details")
    verbose_name_plural = _("grading history")

    def get_queryset(self, request: HttpRequest) -> QuerySet[GradingEvent]:
        return super().get_queryset(request).select_related("actor")

    @admin.display(description=_("details"))
    def change_details(self, event: GradingEvent) -> str:
        if not event.details:
            return "—"
        return format_html_join(
            ", ", "{}: {}", ((key, value) for key, value in event.details.items())
        )


@admin.register(Attempt)
class AttemptAdmin(CourseScopedPermissions, StaffRoleRequiredMixin, admin.ModelAdmin):
    """Attempts as learners left them; grades change on the grading page only."""

    list_display = (
        "learner_email",
        "course_code",
        "assessment_title",
        "number",
        "status",
        "submitted_at",
        "feedback_due_at",
        "graded_at",
        "feedback_released_at",
        "score_percent",
        "passed",
    )
    list_filter = (
        course_filter("assessment__microcredential_id"),
        "status",
        "assessment__kind",
    )
    list_select_related = ("enrolment__learner", "assessment__microcredential")
    search_fields = ("enrolment__learner__email",)
    search_help_text = _("Search by the learner's e-mail address.")
    date_hierarchy = "started_at"
    fields = (
        "enrolment",
        "assessment",
        ("number", "status"),
        ("started_at", "deadline_at"),
        ("submitted_at", "feedback_due_at"),
        ("score_percent", "passed"),
        ("graded_by", "graded_at", "feedback_released_at"),
        "overall_feedback",
    )
    readonly_fields = (
        "enrolment",
        "assessment",
        "number",
        "status",
        "started_at",
        "deadline_at",
        "submitted_at",
        "feedback_due_at",
        "score_percent",
        "passed",
        "graded_by",
        "graded_at",
        "feedback_released_at",
        "overall_feedback",
    )
    inlines = (AnswerInline, GradingEventInline)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Attempt]:
        return _restrict(
            super()
            .get_queryset(request)
            .select_related(
                "enrolment__learner", "assessment__microcredential", "graded_by"
            ),
            visible_course_ids(request),
            "assessment__microcredential_id",
        )

    def course_id_of(self, obj: Attempt) -> int:
        return obj.assessment.microcredential_id

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False  # learners start attempts

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # grading has its own page, with its history

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("learner"), ordering="enrolment__learner__email")
    def learner_email(self, attempt: Attempt) -> str:
        return attempt.enrolment.learner.email

    @admin.display(
        description=_("course"), ordering="assessment__microcredential__code"
    )
    def course_code(self, attempt: Attempt) -> str:
        return attempt.assessment.microcredential.code

    @admin.display(description=_("assessment"), ordering="assessment__title")
    def assessment_title(self, attempt: Attempt) -> str:
        return attempt.assessment.title
