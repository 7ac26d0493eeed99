from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from . import policies
from .querysets import EnrolmentQuerySet, MicrocredentialQuerySet, OfferingQuerySet


class Language(models.TextChoices):
    ENGLISH = "en", _("English")
    FRENCH = "fr", _("French")


class Level(models.TextChoices):
    INTRODUCTORY = "introductory", _("Introductory")
    INTERMEDIATE = "intermediate", _("Intermediate")
    ADVANCED = "advanced", _("Advanced")


class CreditStatus(models.TextChoices):
    NON_CREDIT = "non_credit", _("Non-credit microcredential")
    FOR_CREDIT = "for_credit", _("For-credit microcredential")


class DeliveryMode(models.TextChoices):
    SELF_PACED = "self_paced", _("Online, self-paced")
    COHORT = "cohort", _("Online, scheduled cohort")
    BLENDED = "blended", _("Blended")


class CourseStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    PUBLISHED = "published", _("Published")
    RETIRED = "retired", _("Retired")


def notice_offsets_default() -> list[int]:
    """Remind 7 days and 2 days before a date (DESIGN.md, reminders)."""
    return [7, 2]


class Microcredential(models.Model):
    """A short, outcome-based course that ends in a credential."""

    code = models.SlugField(max_length=32, unique=True, help_text=_("e.g. DATA-101"))
    slug = models.SlugField(max_length=120, unique=True)
    title = models.CharField(max_length=200)
    summary = models.CharField(max_length=400)
    description = models.TextField(blank=True, help_text=_("Markdown."))
    language = models.CharField(
        max_length=8, choices=Language, default=Language.ENGLISH
    )
    level = models.CharField(max_length=16, choices=Level, default=Level.INTRODUCTORY)
    delivery_mode = models.CharField(
        max_length=16, choices=DeliveryMode, default=DeliveryMode.SELF_PACED
    )
    credit_status = models.CharField(
        max_length=16, choices=CreditStatus, default=CreditStatus.NON_CREDIT
    )
    credit_value = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Credits awarded, for for-credit microcredentials only."),
    )
    credit_institution = models.CharField(
        max_length=200,
        blank=True,
        help_text=_("Institution granting the credit, for for-credit only."),
    )
    time_commitment_hours = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1)]
    )
    completion_window_days = models.PositiveSmallIntegerField(
        default=42, validators=[MinValueValidator(1)]
    )
    feedback_turnaround_days = models.PositiveSmallIntegerField(
        default=7, validators=[MinValueValidator(1)]
    )
    resubmission_days = models.PositiveSmallIntegerField(
        default=7, validators=[MinValueValidator(1)]
    )
    min_learning_days = models.PositiveSmallIntegerField(default=7)
    plar_offered = models.BooleanField(
        _("PLAR offered"),
        default=False,
        help_text=_(
            "Learners who already have these skills may ask to challenge the "
            "microcredential through its summative assessment."
        ),
    )
    plar_window_days = models.PositiveSmallIntegerField(
        _("PLAR window (days)"),
        default=30,
        validators=[MinValueValidator(1)],
        help_text=_(
            "How long an approved PLAR candidate has, from approval to the end "
            "date; it must hold the feedback turnaround and the resubmission time."
        ),
    )
    credential_name = models.CharField(
        max_length=200, help_text=_("The digital badge and certificate earned.")
    )
    credential_value = models.TextField(
        blank=True, help_text=_("What the credential is worth, to whom.")
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_courses",
    )
    instructors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="teaching_courses"
    )
    status = models.CharField(
        max_length=16, choices=CourseStatus, default=CourseStatus.DRAFT, db_index=True
    )
    published_at = models.DateTimeField(null=True, blank=True)
    due_reminder_days = models.JSONField(
        _("reminders before the summative due date (days)"),
        default=notice_offsets_default,
        blank=True,
        help_text=_(
            "Days before the summative due date on which learners who have not "
            "submitted attempt 1 are reminded, e.g. 7 and 2. Empty: none."
        ),
    )
    end_reminder_days = models.JSONField(
        _("reminders before the end date (days)"),
        default=notice_offsets_default,
        blank=True,
        help_text=_(
            "Days before the end date on which learners who have not passed are "
            "reminded, e.g. 7 and 2. Empty: none."
        ),
    )
    inactivity_nudge_days = models.PositiveSmallIntegerField(
        _("inactivity nudge after (days)"),
        default=7,
        help_text=_(
            "Nudge a learner after this many days without learning activity "
            "(at most once a week, never after the end date). 0: never."
        ),
    )
    review_cycle_months = models.PositiveSmallIntegerField(default=12)
    next_review_on = models.DateField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MicrocredentialQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        verbose_name = _("microcredential")
        constraints = [
            models.CheckConstraint(
                condition=Q(credit_status="non_credit", credit_value__isnull=True)
                | Q(credit_status="for_credit", credit_value__gt=0),
                name="credit_value_only_for_credit",
                violation_error_message=_(
                    "For-credit microcredentials need a credit value; "
                    "non-credit ones must not have one."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("courses:detail", kwargs={"slug": self.slug})

    @property
    def window_rules(self) -> policies.WindowRules:
        return policies.WindowRules(
            completion_window_days=self.completion_window_days,
            feedback_turnaround_days=self.feedback_turnaround_days,
            resubmission_days=self.resubmission_days,
            min_learning_days=self.min_learning_days,
        )

    @property
    def window_in_words(self) -> str:
        from .rendering import window_in_words

        return window_in_words(self.completion_window_days)

    @property
    def is_for_credit(self) -> bool:
        return self.credit_status == CreditStatus.FOR_CREDIT

    @property
    def is_published(self) -> bool:
        return self.status == CourseStatus.PUBLISHED


class LearningOutcome(models.Model):
    microcredential = models.ForeignKey(
        Microcredential, on_delete=models.CASCADE, related_name="outcomes"
    )
    position = models.PositiveSmallIntegerField(default=0)
    code = models.CharField(max_length=16, help_text=_("e.g. LO1"))
    text = models.CharField(
        max_length=400, help_text=_("Measurable: starts with an action verb.")
    )

    class Meta:
        ordering = ["microcredential", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["microcredential", "code"], name="unique_outcome_code"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.text}"


class Module(models.Model):
    microcredential = models.ForeignKey(
        Microcredential, on_delete=models.CASCADE, related_name="modules"
    )
    position = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    estimated_minutes = models.PositiveSmallIntegerField(
        default=60, validators=[MinValueValidator(1)]
    )

    class Meta:
        ordering = ["microcredential", "position", "id"]

    def __str__(self) -> str:
        return self.title


class ItemKind(models.TextChoices):
    VIDEO = "video", _("Video")
    READING = "reading", _("Reading")
    CASE_STUDY = "case_study", _("Case study")
    SCENARIO = "scenario", _("Scenario")
    REFLECTION = "reflection", _("Reflective prompt")
    RESOURCE = "resource", _("Downloadable resource")


class ContentItem(models.Model):
    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(max_length=16, choices=ItemKind)
    title = models.CharField(max_length=200)
    estimated_minutes = models.PositiveSmallIntegerField(
        default=10, validators=[MinValueValidator(1)]
    )
    body = models.TextField(
        blank=True,
        help_text=_(
            "Markdown or HTML; sanitised when shown. The reading, the case, the "
            "scenario's situation or the reflective prompt."
        ),
    )
    video_url = models.URLField(blank=True)
    video_file = models.FileField(upload_to="videos/", blank=True)
    captions_file = models.FileField(
        upload_to="captions/", blank=True, help_text=_("WebVTT (.vtt).")
    )
    transcript = models.TextField(blank=True)
    resource_file = models.FileField(upload_to="resources/", blank=True)

    class Meta:
        ordering = ["module", "position", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def has_text_alternative(self) -> bool:
        return bool(self.captions_file) or bool(self.transcript.strip())


class ScenarioChoice(models.Model):
    item = models.ForeignKey(
        ContentItem, on_delete=models.CASCADE, related_name="choices"
    )
    position = models.PositiveSmallIntegerField(default=0)
    text = models.CharField(max_length=300)
    consequence = models.TextField()
    feedback = models.TextField(blank=True)
    is_recommended = models.BooleanField(default=False)

    class Meta:
        ordering = ["item", "position", "id"]

    def __str__(self) -> str:
        return self.text


class Pathway(models.Model):
    """A larger certificate stacked from microcredentials (all of, or N of M)."""

    class Requirement(models.TextChoices):
        ALL = "all", _("All of")
        N_OF_M = "n_of_m", _("N of M")

    code = models.SlugField(max_length=32, unique=True)
    slug = models.SlugField(max_length=120, unique=True)
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    requirement = models.CharField(
        max_length=8, choices=Requirement, default=Requirement.ALL
    )
    required_count = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text=_("For N of M: how many are needed.")
    )
    microcredentials = models.ManyToManyField(
        Microcredential, through="PathwayMembership", related_name="pathways"
    )
    is_published = models.BooleanField(default=True)

    class Meta:
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(requirement="all") | Q(required_count__gte=1),
                name="n_of_m_needs_count",
                violation_error_message=_("An N of M pathway needs N."),
            )
        ]

    def __str__(self) -> str:
        return self.title


class PathwayMembership(models.Model):
    pathway = models.ForeignKey(Pathway, on_delete=models.CASCADE)
    microcredential = models.ForeignKey(Microcredential, on_delete=models.CASCADE)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["pathway", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["pathway", "microcredential"], name="unique_pathway_member"
            )
        ]

    def __str__(self) -> str:
        return f"{self.pathway} ← {self.microcredential}"


class Offering(models.Model):
    class Kind(models.TextChoices):
        ROLLING = "rolling", _("Self-paced, start any time")
        SCHEDULED = "scheduled", _("Scheduled, fixed dates")

    microcredential = models.ForeignKey(
        Microcredential, on_delete=models.CASCADE, related_name="offerings"
    )
    kind = models.CharField(max_length=16, choices=Kind, default=Kind.ROLLING)
    label = models.CharField(max_length=120, help_text=_("e.g. Winter 2027 cohort"))
    starts_on = models.DateField(
        null=True, blank=True, help_text=_("Scheduled offerings: first day.")
    )
    registration_opens_at = models.DateTimeField(null=True, blank=True)
    registration_closes_at = models.DateTimeField(null=True, blank=True)
    capacity = models.PositiveIntegerField(null=True, blank=True)
    is_open = models.BooleanField(default=True)

    objects = OfferingQuerySet.as_manager()

    class Meta:
        ordering = ["microcredential", "starts_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="rolling") | Q(starts_on__isnull=False),
                name="scheduled_offering_has_start",
                violation_error_message=_("A scheduled offering needs a start date."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.microcredential.code} — {self.label}"

    @property
    def is_scheduled(self) -> bool:
        return self.kind == self.Kind.SCHEDULED

    @property
    def last_day(self) -> dt.date | None:
        if not self.is_scheduled or self.starts_on is None:
            return None
        return policies.scheduled_last_day(
            self.starts_on, self.microcredential.window_rules
        )


class Enrolment(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        COMPLETED = "completed", _("Completed")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        ENDED = "ended", _("Ended without completing")

    class Route(models.TextChoices):
        COURSE = "course", _("Course")
        PLAR = "plar", _("Prior learning (PLAR)")

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrolments"
    )
    offering = models.ForeignKey(
        Offering,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="enrolments",
        help_text=_("Course route only: a PLAR enrolment belongs to no offering."),
    )
    microcredential = models.ForeignKey(
        Microcredential, on_delete=models.PROTECT, related_name="enrolments"
    )
    route = models.CharField(max_length=8, choices=Route, default=Route.COURSE)
    status = models.CharField(
        max_length=16, choices=Status, default=Status.ACTIVE, db_index=True
    )
    registered_at = models.DateTimeField()
    summative_due_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    last_item = models.ForeignKey(
        ContentItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_activity_at = models.DateTimeField(null=True, blank=True)
    confirmation_sent_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = EnrolmentQuerySet.as_manager()

    class Meta:
        ordering = ["-registered_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["learner", "microcredential"],
                condition=Q(status="active"),
                name="one_active_enrolment_per_course",
                violation_error_message=_(
                    "You are already registered for this microcredential."
                ),
            ),
            models.CheckConstraint(
                condition=Q(summative_due_at__lte=models.F("ends_at")),
                name="summative_due_not_after_end",
            ),
            models.CheckConstraint(
                condition=Q(route="plar") | Q(offering__isnull=False),
                name="course_route_enrolment_has_offering",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.learner} in {self.microcredential.code}"

    @property
    def dates(self) -> policies.EnrolmentDates:
        return policies.EnrolmentDates(
            summative_due_at=self.summative_due_at, ends_at=self.ends_at
        )

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE

    @property
    def is_plar(self) -> bool:
        return self.route == self.Route.PLAR


class ItemProgress(models.Model):
    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.CASCADE, related_name="item_progress"
    )
    item = models.ForeignKey(ContentItem, on_delete=models.CASCADE, related_name="+")
    first_viewed_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)
    scenario_choice = models.ForeignKey(
        ScenarioChoice,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "item"], name="unique_item_progress"
            )
        ]

    def __str__(self) -> str:
        return f"{self.enrolment} · {self.item}"


class Reflection(models.Model):
    """A learner's private answer to a reflective prompt. Only they see it."""

    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.CASCADE, related_name="reflections"
    )
    item = models.ForeignKey(ContentItem, on_delete=models.CASCADE, related_name="+")
    text = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "item"], name="unique_reflection"
            )
        ]

    def __str__(self) -> str:
        return f"Reflection by {self.enrolment.learner_id} on {self.item_id}"


class Extension(models.Model):
    """An accommodation: both dates moved, with a reason."""

    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.CASCADE, related_name="extensions"
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    granted_at = models.DateTimeField(auto_now_add=True)
    extra_days = models.PositiveSmallIntegerField()
    reason = models.TextField()
    previous_summative_due_at = models.DateTimeField()
    previous_ends_at = models.DateTimeField()
    new_summative_due_at = models.DateTimeField()
    new_ends_at = models.DateTimeField()

    class Meta:
        ordering = ["-granted_at"]

    def __str__(self) -> str:
        return f"+{self.extra_days} days for {self.enrolment}"


class Testimonial(models.Model):
    microcredential = models.ForeignKey(
        Microcredential, on_delete=models.CASCADE, related_name="testimonials"
    )
    author_name = models.CharField(max_length=120)
    author_role = models.CharField(max_length=160, blank=True)
    quote = models.TextField()
    is_approved = models.BooleanField(
        default=False, help_text=_("Only curated testimonials are shown.")
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["microcredential", "position", "id"]

    def __str__(self) -> str:
        return f"{self.author_name} on {self.microcredential.code}"
