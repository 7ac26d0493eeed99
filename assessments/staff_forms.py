"""Forms of the staff dashboard (Django admin) for authoring assessments.

The authoring rules an item must keep (how many options, which one is correct,
accepted answers, a rubric for projects, file types) are pure functions at the
top of this module, so they read as the rules and are tested without a form.
The forms only parse input, scope the choices to the assessment's own course
and turn those rules into messages; the admin saves plain content edits itself.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from django import forms
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from courses.admin import _restrict
from courses.models import LearningOutcome, Microcredential
from courses.staff_forms import LabelledInlineFormSet, ModuleChoiceField

from .models import (
    Assessment,
    AssessmentKind,
    Criterion,
    Item,
    ItemKind,
    Rubric,
)

# --- The authoring rules, pure ---------------------------------------------

ONE_CORRECT_KINDS = frozenset({ItemKind.SINGLE, ItemKind.TRUE_FALSE, ItemKind.SCENARIO})
CHOICE_KINDS = ONE_CORRECT_KINDS | {ItemKind.MULTIPLE}
FILE_TYPE_PATTERN = re.compile(r"^\.[a-z0-9]{1,10}$")
MIN_LEVELS = 2
KIND_NAMES = {
    ItemKind.SINGLE: _("single-choice"),
    ItemKind.MULTIPLE: _("multiple-select"),
    ItemKind.TRUE_FALSE: _("true-or-false"),
    ItemKind.SHORT_ANSWER: _("short-answer"),
    ItemKind.SCENARIO: _("scenario"),
    ItemKind.PROJECT: _("project"),
}


def parse_file_types(value: str) -> list[str]:
    """``".PDF, .docx"`` → ``[".pdf", ".docx"]``; empty means no file upload.

    Raises ``ValueError`` naming the first entry that is not an extension.
    """
    types: list[str] = []
    for raw in value.split(","):
        entry = raw.strip().lower()
        if not entry:
            if value.strip():
                raise ValueError(_("an empty entry between two commas"))
            continue
        if not FILE_TYPE_PATTERN.match(entry):
            raise ValueError(entry)
        if entry not in types:
            types.append(entry)
    return types


def option_problems(kind: str, correct: Sequence[bool]) -> list[str]:
    """What is wrong with an item's options, given each option's correctness."""
    count, right = len(correct), sum(1 for flag in correct if flag)
    if kind not in CHOICE_KINDS:
        if count:
            return [
                _(
                    "A %(kind)s item has no options: remove them (it is graded "
                    "by its accepted answers or its rubric)."
                )
                % {"kind": KIND_NAMES.get(kind, kind)}
            ]
        return []
    label = KIND_NAMES[kind]
    problems: list[str] = []
    if kind == ItemKind.TRUE_FALSE and count != 2:
        problems.append(
            _("A true-or-false item has exactly two options (true and false).")
        )
    elif count < 2:
        problems.append(
            _("A %(kind)s item needs at least two options.") % {"kind": label}
        )
    if kind in ONE_CORRECT_KINDS and right != 1:
        problems.append(
            ngettext(
                "A %(kind)s item needs exactly one correct option; "
                "%(count)d is marked correct.",
                "A %(kind)s item needs exactly one correct option; "
                "%(count)d are marked correct.",
                right,
            )
            % {"kind": label, "count": right}
        )
    if kind == ItemKind.MULTIPLE and right < 1:
        problems.append(_("A multiple-select item needs at least one correct option."))
    return problems


def item_problems(
    *,
    kind: str,
    case: str,
    accepted_answers: Sequence[str],
    has_rubric: bool,
    rubric_has_criteria: bool,
    allows_files: bool,
    max_file_mb: int | None,
) -> dict[str, list[str]]:
    """What is wrong with an item's own fields, by field name."""
    problems: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        problems.setdefault(field, []).append(message)

    if kind == ItemKind.SCENARIO and not case.strip():
        add("case", _("A scenario decision starts with a case: describe it."))
    if kind == ItemKind.SHORT_ANSWER and not accepted_answers:
        add(
            "accepted_answers",
            _("A short-answer item needs at least one accepted answer."),
        )
    if kind == ItemKind.PROJECT:
        if not has_rubric:
            add(
                "rubric",
                _(
                    "A project item is graded with a rubric: choose one of this "
                    "microcredential's rubrics (create it under Rubrics first)."
                ),
            )
        elif not rubric_has_criteria:
            add(
                "rubric",
                _("This rubric has no criteria yet: add them before using it."),
            )
        if allows_files and not max_file_mb:
            add("max_file_mb", _("Give a size limit of at least 1 MB."))
    elif has_rubric:
        add(
            "rubric",
            _("Only project items are graded with a rubric; leave this empty."),
        )
    return problems


# --- Fields -----------------------------------------------------------------


class LinesField(forms.Field):
    """A list of strings edited as one per line."""

    widget = forms.Textarea(attrs={"rows": 3})

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list):
            return "\n".join(str(line) for line in value)
        return value

    def to_python(self, value: Any) -> list[str]:
        if isinstance(value, list):
            return [str(line).strip() for line in value if str(line).strip()]
        lines = (line.strip() for line in str(value or "").splitlines())
        return list(dict.fromkeys(line for line in lines if line))


class OutcomesField(forms.ModelMultipleChoiceField):
    """Learning outcomes as checkboxes; names the course when several show."""

    show_course = False

    def label_from_instance(self, obj: LearningOutcome) -> str:
        if self.show_course:
            return f"{obj.microcredential.code} · {obj.code}: {obj.text}"
        return f"{obj.code}: {obj.text}"


class OutcomeField(forms.ModelChoiceField):
    def label_from_instance(self, obj: LearningOutcome) -> str:
        return f"{obj.code}: {obj.text}"


class AssessmentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Assessment) -> str:
        return f"{obj.microcredential.code} · {obj}"


class RubricChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Rubric) -> str:
        return f"{obj.microcredential.code} · {obj.title}"


def _chosen(form: forms.ModelForm, name: str, instance_attr: str) -> Any:
    """The object picked in a ``name`` dropdown, else the instance's own.

    Lets a form scope its other choices to the course of the parent the
    person picked (bound form), was sent with (``?assessment=``), or the
    instance already has (the field is read-only on change).
    """
    field = form.fields.get(name)
    if field is None:
        if getattr(form.instance, f"{instance_attr}_id", None):
            return getattr(form.instance, instance_attr)
        return None
    raw = (
        form.data.get(form.add_prefix(name))
        if form.is_bound
        else form.get_initial_for_field(field, name)
    )
    raw = getattr(raw, "pk", raw)
    if raw in (None, "") or not str(raw).isdigit():
        return None
    return field.queryset.filter(pk=int(raw)).first()


# --- Assessments ------------------------------------------------------------


class AssessmentForm(forms.ModelForm):
    """An assessment's settings; items are edited on their own pages."""

    #: The courses this person may edit (``None``: all); set by the admin.
    course_ids: frozenset[int] | None = frozenset()

    class Meta:
        model = Assessment
        fields = (
            "microcredential",
            "module",
            "kind",
            "title",
            "instructions",
            "pass_mark_percent",
            "draw_count",
        )
        field_classes = {"module": ModuleChoiceField}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "microcredential" in self.fields:
            self.fields["microcredential"].queryset = _restrict(
                Microcredential.objects.order_by("code"), self.course_ids, "pk"
            )
        if "module" in self.fields:
            modules = (
                self.fields["module"]
                .queryset.select_related("microcredential")
                .order_by("microcredential__code", "position", "id")
            )
            if self.instance.microcredential_id:
                modules = modules.filter(
                    microcredential_id=self.instance.microcredential_id
                )
            self.fields["module"].queryset = _restrict(
                modules, self.course_ids, "microcredential_id"
            )
        if "pass_mark_percent" in self.fields:
            self.fields["pass_mark_percent"].help_text = _(
                "Between 1 and 100. A learner passes with a score at or above it "
                "and every learning outcome met."
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        course = cleaned.get("microcredential")
        if course is None and self.instance.microcredential_id:
            course = self.instance.microcredential
        module = cleaned.get("module")
        if (
            module is not None
            and course is not None
            and module.microcredential_id != course.pk
        ):
            self.add_error(
                "module", _("Choose a module of “%(course)s”.") % {"course": course}
            )
        if cleaned.get("kind") == AssessmentKind.SUMMATIVE and course is not None:
            self._refuse_second_summative(course)
        draw_count = cleaned.get("draw_count")
        if draw_count is not None:
            self._check_draw_count(draw_count)
        return cleaned

    def _refuse_second_summative(self, course: Microcredential) -> None:
        if transaction.get_connection().in_atomic_block:
            # The admin saves in a transaction: holding the course row until it
            # commits makes a simultaneous second summative wait, then see this
            # one (the unique constraint stays the last word).
            Microcredential.objects.select_for_update().filter(pk=course.pk).first()
        existing = (
            Assessment.objects.filter(
                microcredential=course, kind=AssessmentKind.SUMMATIVE
            )
            .exclude(pk=self.instance.pk)
            .first()
        )
        if existing is not None:
            self.add_error(
                "kind",
                _(
                    "“%(course)s” already has a summative assessment, "
                    "“%(title)s”. A microcredential has exactly one: edit that "
                    "one, or choose diagnostic or formative here."
                )
                % {"course": course, "title": existing.title},
            )

    def _check_draw_count(self, draw_count: int) -> None:
        items = self.instance.items.count() if self.instance.pk else 0
        if draw_count < 1:
            self.add_error(
                "draw_count",
                _("Draw at least one item, or leave this empty to use every item."),
            )
        elif draw_count > items:
            self.add_error(
                "draw_count",
                ngettext(
                    "Cannot draw %(draw)d items: this assessment has %(count)d "
                    "item. Add items first, or leave this empty.",
                    "Cannot draw %(draw)d items: this assessment has %(count)d "
                    "items. Add items first, or leave this empty.",
                    items,
                )
                % {"draw": draw_count, "count": items},
            )

    def validate_constraints(self) -> None:
        if not self.has_error("kind"):  # already said more clearly in clean()
            super().validate_constraints()


class ItemSummaryFormSet(LabelledInlineFormSet):
    """The items listed on an assessment: reorder, or delete some.

    The admin already refuses to delete an item with learners' answers (the
    answer protects it); this keeps enough items for the number drawn.
    """

    def clean(self) -> None:
        super().clean()
        if any(self.errors) or not self.deleted_forms:
            return
        draw_count = self.instance.draw_count
        kept = len(self.forms) - len(self.deleted_forms)
        if draw_count and kept < draw_count:
            raise forms.ValidationError(
                _(
                    "This assessment draws %(draw)d items per attempt; it must "
                    "keep at least that many. Lower the number drawn first."
                )
                % {"draw": draw_count}
            )


# --- Items and their options ------------------------------------------------


class ItemForm(forms.ModelForm):
    """One item of an assessment; its options are edited in the inline below."""

    course_ids: frozenset[int] | None = frozenset()

    accepted_answers = LinesField(
        label=_("Accepted answers"),
        required=False,
        help_text=_("Short answer: one accepted answer per line."),
    )

    class Meta:
        model = Item
        fields = (
            "assessment",
            "position",
            "kind",
            "prompt",
            "case",
            "points",
            "outcomes",
            "accepted_answers",
            "case_sensitive",
            "rubric",
            "allowed_file_types",
            "max_file_mb",
        )
        field_classes = {
            "assessment": AssessmentChoiceField,
            "outcomes": OutcomesField,
            "rubric": RubricChoiceField,
        }
        widgets = {
            "outcomes": forms.CheckboxSelectMultiple,
            "prompt": forms.Textarea(attrs={"rows": 4}),
            "case": forms.Textarea(attrs={"rows": 4}),
        }
        error_messages = {
            "outcomes": {
                "required": _(
                    "Map the item to at least one learning outcome of this "
                    "microcredential."
                ),
                "invalid_choice": _(
                    "A chosen outcome is not a learning outcome of this "
                    "assessment's microcredential; choose only its own."
                ),
            },
            "rubric": {
                "invalid_choice": _(
                    "That rubric is not one of this microcredential's rubrics."
                )
            },
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "assessment" in self.fields:
            self.fields["assessment"].queryset = _restrict(
                Assessment.objects.select_related("microcredential").order_by(
                    "microcredential__code", "kind", "title"
                ),
                self.course_ids,
                "microcredential_id",
            )
        assessment = _chosen(self, "assessment", "assessment")
        course_id = assessment.microcredential_id if assessment else None
        if "outcomes" in self.fields:
            field = self.fields["outcomes"]
            outcomes = LearningOutcome.objects.select_related("microcredential")
            if course_id is not None:
                field.queryset = outcomes.filter(microcredential_id=course_id)
            else:
                field.queryset = _restrict(
                    outcomes, self.course_ids, "microcredential_id"
                )
                field.show_course = True
        if "rubric" in self.fields:
            rubrics = Rubric.objects.select_related("microcredential")
            if course_id is not None:
                rubrics = rubrics.filter(microcredential_id=course_id)
            self.fields["rubric"].queryset = _restrict(
                rubrics, self.course_ids, "microcredential_id"
            )
        if "max_file_mb" in self.fields:
            self.fields["max_file_mb"].label = _("Largest file (MB)")
        if "allowed_file_types" in self.fields:
            self.fields["allowed_file_types"].help_text = _(
                'Project: extensions separated by commas, e.g. ".pdf,.docx"; '
                "leave empty for a written answer only."
            )

    def clean_allowed_file_types(self) -> str:
        value = self.cleaned_data.get("allowed_file_types") or ""
        try:
            return ",".join(parse_file_types(value))
        except ValueError as error:
            raise forms.ValidationError(
                _(
                    "“%(entry)s” is not a file extension. Write extensions "
                    'separated by commas, each starting with a dot, e.g. ".pdf,.docx".'
                )
                % {"entry": error}
            ) from error

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        assessment = cleaned.get("assessment")
        if assessment is None and self.instance.assessment_id:
            assessment = self.instance.assessment
        rubric = cleaned.get("rubric")
        if assessment is not None:
            course = assessment.microcredential
            foreign = [
                outcome.code
                for outcome in cleaned.get("outcomes") or ()
                if outcome.microcredential_id != course.pk
            ]
            if foreign:
                self.add_error(
                    "outcomes",
                    _(
                        "Not learning outcomes of “%(course)s”: %(codes)s. "
                        "Choose this microcredential's own outcomes."
                    )
                    % {"codes": ", ".join(foreign), "course": course},
                )
            if rubric is not None and rubric.microcredential_id != course.pk:
                self.add_error(
                    "rubric",
                    _("Choose a rubric of “%(course)s”.") % {"course": course},
                )
                rubric = None
        kind = cleaned.get("kind")
        if kind:
            problems = item_problems(
                kind=kind,
                case=cleaned.get("case") or "",
                accepted_answers=cleaned.get("accepted_answers") or [],
                has_rubric=rubric is not None,
                rubric_has_criteria=rubric is not None and rubric.criteria.exists(),
                allows_files=bool(cleaned.get("allowed_file_types")),
                max_file_mb=cleaned.get("max_file_mb"),
            )
            for field, messages in problems.items():
                if field in self.fields and self.has_error(field):
                    continue  # one message per field is enough
                for message in messages:
                    self.add_error(field if field in self.fields else None, message)
        return cleaned


class OptionFormSet(LabelledInlineFormSet):
    """The options of one item, checked together against the item's kind."""

    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        kind = self.instance.kind  # the item form has set it from the POST
        if not kind:
            return
        kept = [
            form.cleaned_data.get("is_correct", False)
            for form in self.forms
            if form.cleaned_data
            and not form.cleaned_data.get("DELETE")
            and (form.instance.pk or form.has_changed())
        ]
        problems = option_problems(kind, kept)
        if problems:
            raise forms.ValidationError(problems)


# --- Rubrics, criteria and levels -------------------------------------------


class RubricForm(forms.ModelForm):
    course_ids: frozenset[int] | None = frozenset()

    class Meta:
        model = Rubric
        fields = ("microcredential", "title")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "microcredential" in self.fields:
            self.fields["microcredential"].queryset = _restrict(
                Microcredential.objects.order_by("code"), self.course_ids, "pk"
            )


class CriterionForm(forms.ModelForm):
    """One criterion of a rubric, mapped to one of the course's outcomes."""

    course_ids: frozenset[int] | None = frozenset()

    class Meta:
        model = Criterion
        fields = ("rubric", "position", "title", "outcome")
        field_classes = {"rubric": RubricChoiceField, "outcome": OutcomeField}
        error_messages = {
            "outcome": {
                "invalid_choice": _(
                    "That is not a learning outcome of this rubric's microcredential."
                )
            }
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "rubric" in self.fields:
            self.fields["rubric"].queryset = _restrict(
                Rubric.objects.select_related("microcredential"),
                self.course_ids,
                "microcredential_id",
            )
        rubric = _chosen(self, "rubric", "rubric")
        if "outcome" in self.fields:
            outcomes = LearningOutcome.objects.select_related("microcredential")
            if rubric is not None:
                outcomes = outcomes.filter(microcredential_id=rubric.microcredential_id)
            self.fields["outcome"].queryset = _restrict(
                outcomes, self.course_ids, "microcredential_id"
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        rubric = cleaned.get("rubric")
        if rubric is None and self.instance.rubric_id:
            rubric = self.instance.rubric
        outcome = cleaned.get("outcome")
        if (
            rubric is not None
            and outcome is not None
            and outcome.microcredential_id != rubric.microcredential_id
        ):
            self.add_error(
                "outcome",
                _("Choose a learning outcome of “%(course)s”.")
                % {"course": rubric.microcredential},
            )
        return cleaned


class LevelFormSet(LabelledInlineFormSet):
    """A criterion's levels: at least two, each with its own label.

    (A level or criterion that learners were graded at is protected by the
    grade; the admin refuses to delete it with a message.)
    """

    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        kept = [
            form
            for form in self.forms
            if form.cleaned_data
            and not form.cleaned_data.get("DELETE")
            and (form.instance.pk or form.has_changed())
        ]
        problems: list[str] = []
        if len(kept) < MIN_LEVELS:
            problems.append(
                _(
                    "A criterion needs at least two levels (e.g. “Not yet met” "
                    "and “Met”), each with points and a descriptor."
                )
            )
        labels = [form.cleaned_data.get("label", "").strip().lower() for form in kept]
        if len(set(labels)) != len(labels):
            problems.append(_("Each level of a criterion needs its own label."))
        if problems:
            raise forms.ValidationError(problems)
