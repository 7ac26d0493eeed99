"""The shapes of the assessment endpoints of API v1. No logic of their own.

Times are ISO 8601 with the offset of the caller's time zone (the context's
``tz``), as everywhere in API v1.

Nothing that gives an answer away is in an attempt: not which option is
correct, not an option's feedback or a scenario's consequence, not the
accepted short answers. Once the feedback is released, the *result* shows the
learner's own chosen options with whether each was correct and its feedback,
as the web feedback page does; options the learner did not choose stay
unmarked, so a second attempt drawing the same question learns nothing new.

Enumerations get explicit component names (``AttemptStatusEnum``...): the
catalog already has fields named ``kind`` and ``status`` with other values,
and drf-spectacular would otherwise warn about the clash.
"""

from __future__ import annotations

import os
from decimal import Decimal, InvalidOperation
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from courses.api.serializers import ErrorSerializer, ZonedDateTimeField, zone_of
from courses.models import Microcredential

from .. import services
from ..models import (
    Answer,
    Assessment,
    AssessmentKind,
    Attempt,
    Item,
    ItemKind,
    Option,
)
from ..policies import SummativeState

# Points as the rest of the API gives decimals: a string with two places.
POINTS = serializers.DecimalField(max_digits=6, decimal_places=2)

# ---------------------------------------------------------------- enums


def _enum(choices: type, description: str) -> dict[str, Any]:
    lines = "\n".join(f"* `{value}` - {label}" for value, label in choices.choices)
    return {
        "type": "string",
        "enum": list(choices.values),
        "description": f"{description}\n\n{lines}",
    }


@extend_schema_field(
    _enum(AssessmentKind, "The kind of assessment."),
    component_name="AssessmentKindEnum",
)
class AssessmentKindField(serializers.ChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=AssessmentKind.choices, **kwargs)


@extend_schema_field(
    _enum(ItemKind, "The kind of question."), component_name="ItemKindEnum"
)
class ItemKindField(serializers.ChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=ItemKind.choices, **kwargs)


@extend_schema_field(
    _enum(Attempt.Status, "Where the attempt stands."),
    component_name="AttemptStatusEnum",
)
class AttemptStatusField(serializers.ChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=Attempt.Status.choices, **kwargs)


@extend_schema_field(
    {
        "type": "string",
        "enum": [state.value for state in SummativeState],
        "description": "Where the learner stands with the summative assessment.",
    },
    component_name="SummativeStateEnum",
)
class SummativeStateField(serializers.CharField):
    pass


# ---------------------------------------------------------------- requests


class AttemptListQuerySerializer(serializers.Serializer):
    """Optional filters of the learner's attempts."""

    enrolment = serializers.IntegerField(
        min_value=1, required=False, help_text="Only attempts of this enrolment."
    )
    kind = AssessmentKindField(
        required=False, help_text="Only attempts at assessments of this kind."
    )


class AttemptStartRequestSerializer(serializers.Serializer):
    assessment = serializers.IntegerField(
        min_value=1,
        required=False,
        help_text=(
            "An assessment of the enrolment's microcredential. Left out: its "
            "summative assessment."
        ),
    )


class StrictTextField(serializers.CharField):
    """Text only: a number or a boolean is refused, not turned into text."""

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class AnswerRequestSerializer(serializers.Serializer):
    """One answer: chosen options, a text, or (multipart) a file.

    Send what the question takes; a part left out stays as saved, so
    ``{"option_ids": []}`` clears a choice and a text sent alone keeps the
    uploaded file.
    """

    option_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        max_length=100,
        help_text=(
            "Single choice, true or false, scenario and multiple select: the ids "
            "of the chosen options (one, except for multiple select)."
        ),
    )
    text = StrictTextField(
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        help_text="Short answer and project: the text of the answer.",
    )
    file = serializers.FileField(
        required=False,
        use_url=False,
        help_text=(
            "Project, multipart/form-data only: the file, of an allowed type and "
            "within the size limit the question gives."
        ),
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs:
            raise serializers.ValidationError(
                _("Send the answer: option_ids, text, or a file.")
            )
        return attrs

    def service_kwargs(self) -> dict[str, Any]:
        """The keyword arguments of ``services.answer_save`` for this answer."""
        names = {"option_ids": "option_ids", "text": "text", "file": "upload"}
        return {names[key]: value for key, value in self.validated_data.items()}


class SubmitRequestSerializer(serializers.Serializer):
    confirm = serializers.BooleanField(
        help_text="Must be true: once submitted, the answers cannot be changed."
    )

    def validate_confirm(self, value: bool) -> bool:
        if value is not True:
            raise serializers.ValidationError(
                _(
                    "Send confirm: true to submit. Once submitted, the answers "
                    "cannot be changed."
                )
            )
        return value


# ---------------------------------------------------------------- errors


class RefusalSerializer(ErrorSerializer):
    """An error the attempt rules gave: the usual shape plus the rule's code."""

    code = serializers.CharField(
        required=False,
        help_text=(
            "Present when a rule refused (not for an invalid field): the "
            "rule's name, for programs, e.g. `not_enrolled`, "
            "`inactive`, `deadline_passed`, `awaiting_grading`, "
            "`awaiting_feedback`, `no_attempts_left`, `passed`, `late`, "
            "`already_submitted`, `not_released`, `invalid_answer`, `refused`."
        ),
    )


# ---------------------------------------------------------------- parts


class AssessmentRefSerializer(serializers.ModelSerializer):
    kind = AssessmentKindField(read_only=True)

    class Meta:
        model = Assessment
        fields = ["id", "title", "kind"]
        read_only_fields = fields


class CourseRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Microcredential
        fields = ["code", "slug", "title"]
        read_only_fields = fields


class OutcomeLineSerializer(serializers.Serializer):
    code = serializers.CharField()
    text = serializers.CharField()
    percent = serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        allow_null=True,
        help_text="The share of this outcome's points earned; null if not assessed.",
    )
    met = serializers.BooleanField()


class ReleasedResultSerializer(serializers.Serializer):
    score_percent = serializers.DecimalField(max_digits=5, decimal_places=2)
    passed = serializers.BooleanField(allow_null=True)
    outcomes = OutcomeLineSerializer(
        many=True, help_text="Met or not yet met, per learning outcome."
    )


class NextStepSerializer(serializers.Serializer):
    """What the learner may do now, and what happens next, in words."""

    state = SummativeStateField(
        allow_null=True,
        help_text="Summative only; null for formative and diagnostic checks.",
    )
    may_start = serializers.BooleanField(help_text="A new attempt may be started.")
    may_submit = serializers.BooleanField(
        help_text="The open attempt may be submitted."
    )
    attempt_number = serializers.IntegerField(
        allow_null=True, help_text="The attempt that may be started or submitted."
    )
    deadline = ZonedDateTimeField(
        allow_null=True, help_text="When that attempt must be submitted by."
    )
    reason = serializers.CharField(help_text="Why not, when nothing may be done.")
    text = serializers.CharField(help_text="What happens next.")


def _attempt_url(context: dict[str, Any], name: str, attempt: Attempt) -> str:
    path = reverse(f"api:{name}", kwargs={"attempt_id": attempt.pk})
    request = context.get("request")
    return request.build_absolute_uri(path) if request else path


def recorded_outcomes(attempt: Attempt) -> list[dict[str, Any]]:
    """The per-outcome lines recorded when the attempt's feedback was released.

    The release writes the score, pass and each outcome's percent and met into
    the attempt's grading history, and the grade is final from then on; the
    view prefetches that event (``result_events``) and the course's outcomes,
    so a page of attempts costs the same few queries whatever its length.
    """
    events = getattr(attempt, "result_events", None) or []
    recorded = events[0].details.get("outcomes", {}) if events else {}
    lines = []
    for outcome in attempt.enrolment.microcredential.outcomes.all():
        entry = recorded.get(outcome.code)
        if not isinstance(entry, dict):
            continue
        try:
            percent = (
                None if entry.get("percent") is None else Decimal(entry["percent"])
            )
        except (InvalidOperation, TypeError, ValueError):
            percent = None
        lines.append(
            {
                "code": outcome.code,
                "text": outcome.text,
                "percent": percent,
                "met": bool(entry.get("met")),
            }
        )
    return lines


# ---------------------------------------------------------------- attempts


class AttemptSummarySerializer(serializers.ModelSerializer):
    """One attempt in the learner's list; its result once feedback is released."""

    url = serializers.SerializerMethodField()
    result_url = serializers.SerializerMethodField(
        help_text="The full result and feedback; null until released."
    )
    enrolment = serializers.IntegerField(source="enrolment_id", read_only=True)
    course = CourseRefSerializer(source="enrolment.microcredential", read_only=True)
    assessment = AssessmentRefSerializer(read_only=True)
    status = AttemptStatusField(read_only=True)
    started_at = ZonedDateTimeField()
    submitted_at = ZonedDateTimeField(allow_null=True)
    deadline_at = ZonedDateTimeField(
        help_text="The deadline that applied when the attempt started."
    )
    feedback_due_at = serializers.SerializerMethodField(
        help_text=(
            "Summative: an instructor's feedback is due by then. Null for "
            "formative and diagnostic checks, marked at once."
        )
    )
    feedback_released = serializers.SerializerMethodField()
    feedback_released_at = ZonedDateTimeField(allow_null=True)
    result = serializers.SerializerMethodField(
        help_text="Score, pass and outcomes; null until the feedback is released."
    )

    class Meta:
        model = Attempt
        fields = [
            "id",
            "url",
            "result_url",
            "enrolment",
            "course",
            "assessment",
            "number",
            "status",
            "started_at",
            "submitted_at",
            "deadline_at",
            "feedback_due_at",
            "feedback_released",
            "feedback_released_at",
            "result",
        ]
        read_only_fields = fields

    @staticmethod
    def _released(attempt: Attempt) -> bool:
        return attempt.status == Attempt.Status.RELEASED

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, attempt: Attempt) -> str:
        return _attempt_url(self.context, "attempt-detail", attempt)

    @extend_schema_field({"type": "string", "format": "uri", "nullable": True})
    def get_result_url(self, attempt: Attempt) -> str | None:
        if not self._released(attempt):
            return None
        return _attempt_url(self.context, "attempt-result", attempt)

    @extend_schema_field(ZonedDateTimeField(allow_null=True))
    def get_feedback_due_at(self, attempt: Attempt) -> str | None:
        if attempt.feedback_due_at is None or not attempt.assessment.is_summative:
            return None
        tz = self.context.get("tz") or zone_of(None)
        return attempt.feedback_due_at.astimezone(tz).isoformat()

    def get_feedback_released(self, attempt: Attempt) -> bool:
        return self._released(attempt)

    @extend_schema_field(ReleasedResultSerializer(allow_null=True))
    def get_result(self, attempt: Attempt) -> dict[str, Any] | None:
        if not self._released(attempt) or attempt.score_percent is None:
            return None
        return ReleasedResultSerializer(
            {
                "score_percent": attempt.score_percent,
                "passed": attempt.passed,
                "outcomes": recorded_outcomes(attempt),
            }
        ).data


class OptionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Option
        fields = ["id", "text"]
        read_only_fields = fields


class FileRulesSerializer(serializers.Serializer):
    allowed_types = serializers.ListField(
        child=serializers.CharField(), help_text='Extensions, e.g. [".pdf", ".docx"].'
    )
    max_mb = serializers.IntegerField(help_text="The largest file accepted, in MB.")


class SavedAnswerSerializer(serializers.ModelSerializer):
    item = serializers.IntegerField(source="item_id", read_only=True)
    selected_option_ids = serializers.ListField(
        child=serializers.IntegerField(), read_only=True
    )
    file_name = serializers.SerializerMethodField(
        help_text="The uploaded file's name; null if none."
    )
    saved_at = ZonedDateTimeField()

    class Meta:
        model = Answer
        fields = ["item", "selected_option_ids", "text", "file_name", "saved_at"]
        read_only_fields = fields

    def get_file_name(self, answer: Answer) -> str | None:
        return os.path.basename(answer.file.name) if answer.file else None


def _answer(context: dict[str, Any], item: Item) -> Answer | None:
    return context.get("answers", {}).get(item.pk)


def _has_answer(answer: Answer | None) -> bool:
    return bool(
        answer is not None
        and (answer.selected_option_ids or answer.text.strip() or answer.file)
    )


class QuestionSerializer(serializers.ModelSerializer):
    """A question of the attempt, as the learner sees it, with their answer."""

    # The view puts ``answers`` ({item id: Answer}) and ``numbers`` ({item id:
    # its number in the attempt}) in the context.

    number = serializers.SerializerMethodField()
    kind = ItemKindField(read_only=True)
    options = OptionSerializer(
        many=True,
        read_only=True,
        help_text="Choice questions: the options, without which is correct.",
    )
    file = serializers.SerializerMethodField(
        help_text="Projects that take a file: the types and size accepted."
    )
    answer = serializers.SerializerMethodField(
        help_text="The saved answer; null if nothing has been saved."
    )
    answered = serializers.SerializerMethodField()

    class Meta:
        model = Item
        fields = [
            "id",
            "number",
            "kind",
            "prompt",
            "case",
            "points",
            "options",
            "file",
            "answer",
            "answered",
        ]
        read_only_fields = fields

    def get_number(self, item: Item) -> int:
        return self.context["numbers"][item.pk]

    @extend_schema_field(FileRulesSerializer(allow_null=True))
    def get_file(self, item: Item) -> dict[str, Any] | None:
        extensions = services.allowed_extensions(item)
        if item.kind != ItemKind.PROJECT or not extensions:
            return None
        return {"allowed_types": extensions, "max_mb": item.max_file_mb}

    @extend_schema_field(SavedAnswerSerializer(allow_null=True))
    def get_answer(self, item: Item) -> dict[str, Any] | None:
        answer = _answer(self.context, item)
        if answer is None:
            return None
        return SavedAnswerSerializer(answer, context=self.context).data

    def get_answered(self, item: Item) -> bool:
        return _has_answer(_answer(self.context, item))


class AttemptDetailSerializer(AttemptSummarySerializer):
    """One attempt with its questions, the saved answers and what comes next."""

    # The view sets ``attempt.questions`` (its items in order) and
    # ``attempt.next_step``, and ``answers``/``numbers`` in the context.

    instructions = serializers.CharField(
        source="assessment.instructions", read_only=True, help_text="Markdown."
    )
    deadline = ZonedDateTimeField(
        help_text=(
            "Submit by then. An open summative attempt follows the enrolment's "
            "current dates, so an extension counts."
        )
    )
    time_zone = serializers.SerializerMethodField(
        help_text="The zone the times are given in."
    )
    answered_count = serializers.SerializerMethodField()
    next_step = NextStepSerializer(read_only=True)
    questions = QuestionSerializer(many=True, read_only=True)

    class Meta(AttemptSummarySerializer.Meta):
        fields = [
            *AttemptSummarySerializer.Meta.fields,
            "instructions",
            "deadline",
            "time_zone",
            "answered_count",
            "next_step",
            "questions",
        ]
        read_only_fields = fields

    def get_time_zone(self, attempt: Attempt) -> str:
        return str(self.context["tz"])

    def get_answered_count(self, attempt: Attempt) -> int:
        return sum(
            1 for item in attempt.questions if _has_answer(_answer(self.context, item))
        )


# ---------------------------------------------------------------- results


class ChosenOptionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Option
        fields = ["id", "text", "is_correct", "feedback", "consequence"]
        read_only_fields = fields


class RubricLineSerializer(serializers.Serializer):
    criterion = serializers.CharField(source="criterion.title")
    outcome = serializers.CharField(
        source="criterion.outcome.code", help_text="The learning outcome it assesses."
    )
    level = serializers.CharField(source="level.label")
    points = serializers.DecimalField(
        source="level.points", max_digits=6, decimal_places=2
    )
    descriptor = serializers.CharField(source="level.descriptor")
    comment = serializers.CharField(help_text="The grader's comment; may be empty.")


class ResultQuestionSerializer(serializers.ModelSerializer):
    """A question with the learner's answer, points and feedback."""

    number = serializers.SerializerMethodField()
    kind = ItemKindField(read_only=True)
    points_awarded = serializers.SerializerMethodField()
    correct = serializers.SerializerMethodField(
        help_text="Auto-graded questions: full marks or not. Projects: null."
    )
    chosen_options = serializers.SerializerMethodField(
        help_text="Choice questions: the options chosen, each marked and explained."
    )
    text = serializers.SerializerMethodField(help_text="The text answered.")
    file_name = serializers.SerializerMethodField()
    feedback = serializers.SerializerMethodField(
        help_text="Auto-graded questions: the feedback given."
    )
    rubric = serializers.SerializerMethodField(
        help_text="Projects: the level chosen for each criterion, with comments."
    )

    class Meta:
        model = Item
        fields = [
            "id",
            "number",
            "kind",
            "prompt",
            "case",
            "points",
            "points_awarded",
            "correct",
            "chosen_options",
            "text",
            "file_name",
            "feedback",
            "rubric",
        ]
        read_only_fields = fields

    def get_number(self, item: Item) -> int:
        return self.context["numbers"][item.pk]

    @extend_schema_field(
        serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    )
    def get_points_awarded(self, item: Item) -> str | None:
        answer = _answer(self.context, item)
        if answer is None or answer.points_awarded is None:
            return None
        return POINTS.to_representation(answer.points_awarded)

    @extend_schema_field(serializers.BooleanField(allow_null=True))
    def get_correct(self, item: Item) -> bool | None:
        if item.is_manual:
            return None
        answer = _answer(self.context, item)
        return bool(answer is not None and answer.points_awarded == item.points)

    @extend_schema_field(ChosenOptionSerializer(many=True))
    def get_chosen_options(self, item: Item) -> list[dict[str, Any]]:
        answer = _answer(self.context, item)
        chosen = set(answer.selected_option_ids) if answer is not None else set()
        options = [option for option in item.options.all() if option.pk in chosen]
        return ChosenOptionSerializer(options, many=True).data

    def get_text(self, item: Item) -> str:
        answer = _answer(self.context, item)
        return answer.text if answer is not None else ""

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_file_name(self, item: Item) -> str | None:
        answer = _answer(self.context, item)
        if answer is None or not answer.file:
            return None
        return os.path.basename(answer.file.name)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_feedback(self, item: Item) -> list[str]:
        answer = _answer(self.context, item)
        return [str(line) for line in answer.feedback] if answer is not None else []

    @extend_schema_field(RubricLineSerializer(many=True))
    def get_rubric(self, item: Item) -> list[dict[str, Any]]:
        answer = _answer(self.context, item)
        if answer is None or not item.is_manual:
            return []
        grades = sorted(
            answer.criterion_grades.all(),
            key=lambda grade: (grade.criterion.position, grade.criterion_id),
        )
        return RubricLineSerializer(grades, many=True).data


class AttemptResultSerializer(serializers.ModelSerializer):
    """A released attempt: score, pass, why, per outcome and per question."""

    # The view sets ``attempt.questions``, ``attempt.next_step`` and
    # ``attempt.outcome_lines`` / ``attempt.reasons`` (from
    # ``selectors.attempt_result``), and ``answers``/``numbers`` in the context.

    url = serializers.SerializerMethodField()
    course = CourseRefSerializer(source="enrolment.microcredential", read_only=True)
    assessment = AssessmentRefSerializer(read_only=True)
    submitted_at = ZonedDateTimeField()
    feedback_released_at = ZonedDateTimeField()
    pass_mark_percent = serializers.DecimalField(
        source="assessment.pass_mark_percent",
        max_digits=5,
        decimal_places=2,
        read_only=True,
    )
    reasons = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        help_text="Why it did not pass, one sentence per shortfall.",
    )
    outcomes = OutcomeLineSerializer(
        source="outcome_lines",
        many=True,
        read_only=True,
        help_text="Met or not yet met, per learning outcome.",
    )
    overall_feedback = serializers.CharField(
        read_only=True, help_text="The instructor's feedback; may be empty."
    )
    time_zone = serializers.SerializerMethodField()
    next_step = NextStepSerializer(read_only=True)
    questions = ResultQuestionSerializer(many=True, read_only=True)

    class Meta:
        model = Attempt
        fields = [
            "id",
            "url",
            "course",
            "assessment",
            "number",
            "submitted_at",
            "feedback_released_at",
            "score_percent",
            "pass_mark_percent",
            "passed",
            "reasons",
            "outcomes",
            "overall_feedback",
            "time_zone",
            "next_step",
            "questions",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, attempt: Attempt) -> str:
        return _attempt_url(self.context, "attempt-detail", attempt)

    def get_time_zone(self, attempt: Attempt) -> str:
        return str(self.context["tz"])


# ---------------------------------------------------------------- grading


class LearnerRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="get_full_name")
    email = serializers.EmailField()


class QueueEntrySerializer(serializers.Serializer):
    """A submitted summative attempt waiting for grading or for release."""

    attempt = serializers.IntegerField(source="attempt.pk")
    learner = LearnerRefSerializer()
    course = CourseRefSerializer()
    assessment = AssessmentRefSerializer(source="attempt.assessment")
    attempt_number = serializers.IntegerField(source="attempt.number")
    status = AttemptStatusField(
        source="attempt.status",
        help_text="`submitted`: waiting for grading; `graded`: a draft, not released.",
    )
    submitted_at = ZonedDateTimeField(source="attempt.submitted_at")
    feedback_due_at = ZonedDateTimeField(allow_null=True)
    overdue = serializers.BooleanField(
        help_text="The feedback is past its due time and not released."
    )
    grading_url = serializers.SerializerMethodField(
        help_text="The grading page (staff web pages)."
    )

    @extend_schema_field(OpenApiTypes.URI)
    def get_grading_url(self, entry) -> str:
        path = reverse("assessments:grade", kwargs={"attempt_id": entry.attempt.pk})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path
