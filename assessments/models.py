"""Assessments: diagnostic, formative and summative; items, rubrics, attempts.

The rules (attempts, deadlines, grading) are pure functions in policies.py and
grading.py; writes go through services.py. An attempt belongs to an enrolment
(courses app), so the course route and the PLAR route share one summative
assessment object.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from microcred.storage import private_storage


class AssessmentKind(models.TextChoices):
    DIAGNOSTIC = "diagnostic", _("Diagnostic")
    FORMATIVE = "formative", _("Formative")
    SUMMATIVE = "summative", _("Summative")


class Assessment(models.Model):
    microcredential = models.ForeignKey(
        "courses.Microcredential", on_delete=models.CASCADE, related_name="assessments"
    )
    module = models.ForeignKey(
        "courses.Module",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assessments",
        help_text=_("Formative checks sit inside a module."),
    )
    kind = models.CharField(max_length=16, choices=AssessmentKind)
    title = models.CharField(max_length=200)
    instructions = models.TextField(blank=True, help_text=_("Markdown."))
    pass_mark_percent = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=Decimal("70"),
        validators=[MinValueValidator(Decimal("1")), MaxValueValidator(Decimal("100"))],
    )
    draw_count = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text=_(
            "Draw this many items from the pool for each attempt, so attempt 2 "
            "differs from attempt 1. Empty: every item, in order."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["microcredential", "kind", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["microcredential"],
                condition=Q(kind="summative"),
                name="one_summative_per_microcredential",
                violation_error_message=_(
                    "A microcredential has exactly one summative assessment."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.title}"

    @property
    def is_summative(self) -> bool:
        return self.kind == AssessmentKind.SUMMATIVE


class ItemKind(models.TextChoices):
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple select")
    TRUE_FALSE = "true_false", _("True or false")
    SHORT_ANSWER = "short_answer", _("Short answer")
    SCENARIO = "scenario", _("Scenario decision")
    PROJECT = "project", _("Project (rubric-graded)")


class Rubric(models.Model):
    """Criteria mapped to learning outcomes, each with levels and descriptors."""

    microcredential = models.ForeignKey(
        "courses.Microcredential", on_delete=models.CASCADE, related_name="rubrics"
    )
    title = models.CharField(max_length=200)

    class Meta:
        ordering = ["microcredential", "title"]

    def __str__(self) -> str:
        return self.title


class Criterion(models.Model):
    rubric = models.ForeignKey(
        Rubric, on_delete=models.CASCADE, related_name="criteria"
    )
    outcome = models.ForeignKey(
        "courses.LearningOutcome", on_delete=models.PROTECT, related_name="criteria"
    )
    position = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(max_length=200)

    class Meta:
        ordering = ["rubric", "position", "id"]
        verbose_name_plural = "criteria"

    def __str__(self) -> str:
        return self.title


class Level(models.Model):
    criterion = models.ForeignKey(
        Criterion, on_delete=models.CASCADE, related_name="levels"
    )
    label = models.CharField(max_length=80, help_text=_("e.g. Meets expectations"))
    points = models.DecimalField(max_digits=6, decimal_places=2)
    descriptor = models.TextField()

    class Meta:
        ordering = ["criterion", "points", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["criterion", "label"], name="unique_level_label"
            )
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.points})"


class Item(models.Model):
    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="items"
    )
    position = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(max_length=16, choices=ItemKind)
    prompt = models.TextField(help_text=_("The question; Markdown."))
    case = models.TextField(
        blank=True, help_text=_("Scenario: the case that precedes the decision.")
    )
    points = models.DecimalField(
        max_digits=6,
        decimal_places=2,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    outcomes = models.ManyToManyField(
        "courses.LearningOutcome", related_name="assessment_items"
    )
    accepted_answers = models.JSONField(
        default=list, blank=True, help_text=_("Short answer: every accepted answer.")
    )
    case_sensitive = models.BooleanField(default=False)
    rubric = models.ForeignKey(
        Rubric, null=True, blank=True, on_delete=models.PROTECT, related_name="items"
    )
    allowed_file_types = models.CharField(
        max_length=200,
        blank=True,
        default=".pdf,.docx,.odt,.txt",
        help_text=_("Project: comma-separated extensions; empty means no file."),
    )
    max_file_mb = models.PositiveSmallIntegerField(default=10)

    class Meta:
        ordering = ["assessment", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="project") | Q(rubric__isnull=False),
                name="project_item_has_rubric",
                violation_error_message=_("A project item is graded with a rubric."),
            )
        ]

    def __str__(self) -> str:
        return self.prompt[:60]

    @property
    def is_manual(self) -> bool:
        return self.kind == ItemKind.PROJECT


class Option(models.Model):
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="options")
    position = models.PositiveSmallIntegerField(default=0)
    text = models.CharField(max_length=400)
    is_correct = models.BooleanField(default=False)
    feedback = models.TextField(blank=True, help_text=_("Shown after grading."))
    consequence = models.TextField(
        blank=True, help_text=_("Scenario: what happens after this decision.")
    )

    class Meta:
        ordering = ["item", "position", "id"]

    def __str__(self) -> str:
        return self.text


class Attempt(models.Model):
    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", _("In progress")
        SUBMITTED = "submitted", _("Submitted, waiting for grading")
        GRADED = "graded", _("Graded, feedback not yet released")
        RELEASED = "released", _("Feedback released")

    enrolment = models.ForeignKey(
        "courses.Enrolment", on_delete=models.CASCADE, related_name="attempts"
    )
    assessment = models.ForeignKey(
        Assessment, on_delete=models.PROTECT, related_name="attempts"
    )
    number = models.PositiveSmallIntegerField()
    status = models.CharField(
        max_length=16, choices=Status, default=Status.IN_PROGRESS, db_index=True
    )
    item_ids = models.JSONField(
        default=list, help_text=_("The items of this attempt, in order.")
    )
    started_at = models.DateTimeField()
    submitted_at = models.DateTimeField(null=True, blank=True)
    deadline_at = models.DateTimeField(
        help_text=_("The deadline that applied when the attempt started.")
    )
    feedback_due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    score_percent = models.DecimalField(
        max_digits=5, decimal_places=2, null=True, blank=True
    )
    passed = models.BooleanField(null=True)
    overall_feedback = models.TextField(blank=True)
    graded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    graded_at = models.DateTimeField(null=True, blank=True)
    feedback_released_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["enrolment", "assessment", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "assessment", "number"],
                name="unique_attempt_number",
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1), name="attempt_number_positive"
            ),
        ]
        indexes = [models.Index(fields=["status", "submitted_at"])]

    def __str__(self) -> str:
        return f"Attempt {self.number} by enrolment {self.enrolment_id}"


def answer_upload_to(answer: Answer, filename: str) -> str:
    return f"attempts/{answer.attempt_id}/{answer.item_id}/{filename}"


class Answer(models.Model):
    """A learner's answer to one item of one attempt; autosaved."""

    attempt = models.ForeignKey(
        Attempt, on_delete=models.CASCADE, related_name="answers"
    )
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    selected_option_ids = models.JSONField(default=list, blank=True)
    text = models.TextField(blank=True)
    file = models.FileField(
        upload_to=answer_upload_to,
        storage=private_storage,
        blank=True,
        max_length=300,
    )
    saved_at = models.DateTimeField()
    points_awarded = models.DecimalField(
        max_digits=6, decimal_places=2, null=True, blank=True
    )
    feedback = models.JSONField(default=list, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["attempt", "item"], name="unique_answer_per_item"
            )
        ]

    def __str__(self) -> str:
        return f"Answer to item {self.item_id} in attempt {self.attempt_id}"


class CriterionGrade(models.Model):
    answer = models.ForeignKey(
        Answer, on_delete=models.CASCADE, related_name="criterion_grades"
    )
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    level = models.ForeignKey(Level, on_delete=models.PROTECT, related_name="+")
    comment = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["answer", "criterion"], name="unique_grade_per_criterion"
            )
        ]

    def __str__(self) -> str:
        return f"{self.criterion}: {self.level}"


class GradingEvent(models.Model):
    """Each change to a grade or feedback, so nothing is silently overwritten."""

    attempt = models.ForeignKey(
        Attempt, on_delete=models.CASCADE, related_name="grading_events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    action = models.CharField(max_length=32)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["attempt", "at", "id"]

    def __str__(self) -> str:
        return f"{self.action} on attempt {self.attempt_id}"


class ExtraAttempt(models.Model):
    """An accommodation: one more summative attempt, with a reason."""

    enrolment = models.ForeignKey(
        "courses.Enrolment", on_delete=models.CASCADE, related_name="extra_attempts"
    )
    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="extra_attempts"
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    granted_at = models.DateTimeField(auto_now_add=True)
    reason = models.TextField()

    class Meta:
        ordering = ["-granted_at"]

    def __str__(self) -> str:
        return f"Extra attempt for enrolment {self.enrolment_id}"
