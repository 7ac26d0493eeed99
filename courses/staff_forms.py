"""Forms of the staff dashboard (Django admin) for courses and enrolments.

They only parse and validate input; every write goes through
``courses.services``, except the plain content edits the admin saves itself.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.text import capfirst, format_lazy
from django.utils.translation import gettext_lazy as _

from notices import policies as notice_policies

from . import policies
from .models import ContentItem, CourseStatus, ItemKind, Microcredential, Module

MAX_EXTENSION_DAYS = 365


class ExtensionForm(forms.Form):
    """An accommodation: how many days both dates move, and why."""

    extra_days = forms.IntegerField(
        label=_("Extra days"),
        min_value=1,
        max_value=MAX_EXTENSION_DAYS,
        help_text=_(
            "Both the summative due date and the end date move by this many "
            "calendar days."
        ),
    )
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Recorded in the audit log, e.g. the accommodation granted."),
    )


class WithdrawalForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Recorded in the audit log."),
    )


class LabelledInlineFormSet(forms.BaseInlineFormSet):
    """Tabular inlines show labels only as column headings; name each input too."""

    def add_fields(self, form: forms.Form, index: int | None) -> None:
        super().add_fields(form, index)
        for name, field in form.fields.items():
            # The admin wraps related fields; the input is the inner widget.
            widget = getattr(field.widget, "widget", field.widget)
            widget.attrs.setdefault("aria-label", str(field.label or name))


class ModuleChoiceField(forms.ModelChoiceField):
    """A module dropdown that says which course each module belongs to."""

    def label_from_instance(self, obj: Module) -> str:
        return f"{obj.microcredential.code} · {obj.position}. {obj.title}"


class ReminderDaysField(forms.CharField):
    """Days before a date on which learners are reminded, typed as "7, 2".

    Stored as a list of whole numbers, largest first; empty means none. The
    rules (whole days within ``MAX_OFFSET_DAYS``, each once) are
    ``notices.policies.offsets_problems``.
    """

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list | tuple):
            return ", ".join(str(days) for days in value)
        return value

    def to_python(self, value: Any) -> list[int | str]:
        if isinstance(value, list | tuple):
            return list(value)
        values: list[int | str] = [
            int(token) if re.fullmatch(r"[+-]?\d+", token) else token
            for token in re.split(r"[\s,;]+", super().to_python(value))
            if token
        ]
        if all(isinstance(days, int) for days in values):
            return sorted(values, reverse=True)
        return values

    def validate(self, value: list[int | str]) -> None:
        problems = notice_policies.offsets_problems(value)
        if problems:
            raise forms.ValidationError(problems)


def _reminder_days_field(name: str) -> ReminderDaysField:
    model_field = Microcredential._meta.get_field(name)
    return ReminderDaysField(
        label=capfirst(model_field.verbose_name),
        help_text=format_lazy(
            "{} {}",
            model_field.help_text,
            format_lazy(
                _(
                    "Type whole numbers of days from 1 to {max} separated by "
                    "commas, e.g. “7, 2”."
                ),
                max=notice_policies.MAX_OFFSET_DAYS,
            ),
        ),
    )


class MicrocredentialForm(forms.ModelForm):
    """Keeps a published course publishable while it is edited."""

    due_reminder_days = _reminder_days_field("due_reminder_days")
    end_reminder_days = _reminder_days_field("end_reminder_days")

    class Meta:
        model = Microcredential
        # Never status or published_at: those move only through the service.
        fields = (
            "code",
            "slug",
            "title",
            "summary",
            "description",
            "language",
            "level",
            "delivery_mode",
            "credit_status",
            "credit_value",
            "credit_institution",
            "time_commitment_hours",
            "completion_window_days",
            "feedback_turnaround_days",
            "resubmission_days",
            "min_learning_days",
            "credential_name",
            "credential_value",
            "owner",
            "instructors",
            "review_cycle_months",
            "next_review_on",
            "due_reminder_days",
            "end_reminder_days",
            "inactivity_nudge_days",
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.instance.pk and self.instance.status == CourseStatus.PUBLISHED:
            window_fields = (
                "completion_window_days",
                "feedback_turnaround_days",
                "resubmission_days",
                "min_learning_days",
            )
            values = {
                name: cleaned.get(name, getattr(self.instance, name))
                for name in window_fields
            }
            if all(isinstance(value, int) for value in values.values()):
                problems = policies.window_problems(policies.WindowRules(**values))
                if problems:
                    raise forms.ValidationError(
                        [
                            _("This course is published; its window must stay valid."),
                            *problems,
                        ]
                    )
        return cleaned


class ContentItemForm(forms.ModelForm):
    class Meta:
        model = ContentItem
        fields = (
            "module",
            "position",
            "kind",
            "title",
            "estimated_minutes",
            "body",
            "video_url",
            "video_file",
            "captions_file",
            "transcript",
            "resource_file",
        )
        field_classes = {"module": ModuleChoiceField}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("video_file", "captions_file", "resource_file"):
            field = self.fields.get(name)
            if field is not None:
                # The admin puts file inputs in a fieldset whose legend is not
                # their label; give the input its own accessible name.
                field.widget.attrs.setdefault("aria-label", str(field.label))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        kind = cleaned.get("kind")
        if kind == ItemKind.VIDEO:
            if not (cleaned.get("video_url") or cleaned.get("video_file")):
                self.add_error(
                    "video_url", _("A video needs a URL or an uploaded file.")
                )
            module = cleaned.get("module")
            has_text = bool(cleaned.get("captions_file")) or bool(
                (cleaned.get("transcript") or "").strip()
            )
            if (
                module is not None
                and module.microcredential.status == CourseStatus.PUBLISHED
                and not has_text
            ):
                self.add_error(
                    "transcript",
                    _(
                        "This course is published: every video needs a captions "
                        "file or a transcript."
                    ),
                )
        if kind == ItemKind.RESOURCE and not cleaned.get("resource_file"):
            self.add_error("resource_file", _("A downloadable resource needs a file."))
        return cleaned
