"""Forms of the assessment pages: an autosaved answer, a rubric grade, an extra
attempt. They parse and check shapes; the rules are the services' to apply."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Answer, Criterion, Item, Level

MAX_COMMENT_LENGTH = 5_000
MAX_OVERALL_FEEDBACK_LENGTH = 20_000
MAX_REASON_LENGTH = 2_000


class AnswerForm(forms.Form):
    """One autosaved answer: the chosen options, a text, or a file.

    ``part`` says which, so that "no option ticked" (clearing a multiple-select
    answer) differs from "this request is about the text".
    """

    PART_OPTIONS = "options"
    PART_TEXT = "text"
    PART_FILE = "file"

    part = forms.ChoiceField(
        choices=[
            (PART_OPTIONS, PART_OPTIONS),
            (PART_TEXT, PART_TEXT),
            (PART_FILE, PART_FILE),
        ]
    )
    text = forms.CharField(required=False, strip=False)
    file = forms.FileField(required=False)

    def __init__(self, data=None, files=None, **kwargs: Any) -> None:
        super().__init__(data, files, **kwargs)
        self.option_values = data.getlist("option") if data is not None else []

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        wants_file = cleaned.get("part") == self.PART_FILE
        if wants_file and not cleaned.get("file") and "file" not in self.errors:
            self.add_error("file", _("Choose a file to upload."))
        return cleaned

    def service_kwargs(self) -> dict[str, Any]:
        """The keyword arguments of ``services.answer_save`` for this answer."""
        part = self.cleaned_data["part"]
        if part == self.PART_OPTIONS:
            return {"option_ids": self.option_values}
        if part == self.PART_TEXT:
            return {"text": self.cleaned_data["text"]}
        return {"upload": self.cleaned_data["file"]}

    def first_error(self) -> str:
        for errors in self.errors.values():
            return str(errors[0])
        return ""


@dataclass(frozen=True)
class CriterionRow:
    """One criterion of a project item's rubric, as the grading table shows it."""

    criterion: Criterion
    levels: tuple[Level, ...]
    level_field: str
    comment_field: str
    selected_level_id: int | None
    comment: str


@dataclass(frozen=True)
class RubricBlock:
    item: Item
    rows: tuple[CriterionRow, ...]
    # Column headings when every criterion has the same level labels, in order.
    column_labels: tuple[str, ...]


def _level_field(item: Item, criterion: Criterion) -> str:
    return f"level-{item.pk}-{criterion.pk}"


def _comment_field(item: Item, criterion: Criterion) -> str:
    return f"comment-{item.pk}-{criterion.pk}"


class GradingForm(forms.Form):
    """Rubric levels and comments for each project item, and overall feedback.

    Built from the attempt's project items (rubric prefetched) and its stored
    answers, so an unbound form shows the draft saved so far.
    """

    overall_feedback = forms.CharField(
        label=_("Overall feedback to the learner"),
        required=False,
        strip=False,
        max_length=MAX_OVERALL_FEEDBACK_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
    )

    def __init__(
        self,
        *,
        items: Iterable[Item],
        answers: Mapping[int, Answer],
        overall_feedback: str = "",
        data=None,
    ) -> None:
        super().__init__(data, initial={"overall_feedback": overall_feedback})
        self.project_items = [item for item in items if item.is_manual]
        self.stored: dict[tuple[int, int], tuple[int, str]] = {}
        for item in self.project_items:
            answer = answers.get(item.pk)
            grades = answer.criterion_grades.all() if answer is not None else ()
            for grade in grades:
                self.stored[(item.pk, grade.criterion_id)] = (
                    grade.level_id,
                    grade.comment,
                )
            for criterion in item.rubric.criteria.all():
                level_id, comment = self.stored.get((item.pk, criterion.pk), (None, ""))
                self.fields[_level_field(item, criterion)] = forms.TypedChoiceField(
                    label=criterion.title,
                    choices=[
                        (level.pk, level.label) for level in criterion.levels.all()
                    ],
                    coerce=int,
                    required=False,
                    empty_value=None,
                    widget=forms.RadioSelect,
                    initial=level_id,
                )
                self.fields[_comment_field(item, criterion)] = forms.CharField(
                    label=_("Comment on “%(criterion)s”")
                    % {"criterion": criterion.title},
                    required=False,
                    strip=False,
                    max_length=MAX_COMMENT_LENGTH,
                    widget=forms.Textarea(attrs={"rows": 2}),
                    initial=comment,
                )

    def _value(self, name: str) -> Any:
        if (
            self.is_bound
            and hasattr(self, "cleaned_data")
            and name in self.cleaned_data
        ):
            return self.cleaned_data[name]
        return self[name].value()

    def blocks(self) -> list[RubricBlock]:
        """The rubric tables, with the levels and comments as entered so far."""
        blocks = []
        for item in self.project_items:
            rows = []
            for criterion in item.rubric.criteria.all():
                level_field = _level_field(item, criterion)
                selected = self._value(level_field)
                try:
                    selected = int(selected) if selected not in (None, "") else None
                except (TypeError, ValueError):
                    selected = None
                rows.append(
                    CriterionRow(
                        criterion=criterion,
                        levels=tuple(criterion.levels.all()),
                        level_field=level_field,
                        comment_field=_comment_field(item, criterion),
                        selected_level_id=selected,
                        comment=self._value(_comment_field(item, criterion)) or "",
                    )
                )
            label_sets = {tuple(level.label for level in row.levels) for row in rows}
            columns = next(iter(label_sets)) if len(label_sets) == 1 else ()
            blocks.append(
                RubricBlock(item=item, rows=tuple(rows), column_labels=columns)
            )
        return blocks

    def grades(self) -> list[tuple[Item, dict[int, int], dict[int, str]]]:
        """Per project item: the chosen level and the comment of each criterion.

        A comment is sent where a level is chosen or was saved before (so it
        can be emptied), and otherwise only when written, so that the service
        can say a level is needed first.
        """
        result = []
        for item in self.project_items:
            levels: dict[int, int] = {}
            comments: dict[int, str] = {}
            for criterion in item.rubric.criteria.all():
                level_id = self.cleaned_data.get(_level_field(item, criterion))
                comment = self.cleaned_data.get(_comment_field(item, criterion)) or ""
                if level_id is not None:
                    levels[criterion.pk] = level_id
                stored = (item.pk, criterion.pk) in self.stored
                if level_id is not None or stored or comment.strip():
                    comments[criterion.pk] = comment
            result.append((item, levels, comments))
        return result


class ExtraAttemptForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (recorded in the audit log)"),
        max_length=MAX_REASON_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Give a reason for the extra attempt.")},
    )
