"""Prior learning assessment and recognition (PLAR).

A learner asks to challenge a microcredential with a statement per learning
outcome and evidence; a reviewer decides with a reason; an approved candidate
gets an enrolment on the PLAR route (courses app) and takes the course's own
summative assessment. The rules are in policies.py, the writes in services.py.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from microcred.storage import private_storage

from . import policies


class PlarRequest(models.Model):
    class Status(models.TextChoices):
        # The same values as policies.Status, which the rules use.
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        UNDER_REVIEW = "under_review", _("Under review")
        MORE_INFO = "more_info", _("More information requested")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="plar_requests"
    )
    microcredential = models.ForeignKey(
        "courses.Microcredential",
        on_delete=models.PROTECT,
        related_name="plar_requests",
    )
    status = models.CharField(
        max_length=16, choices=Status, default=policies.Status.DRAFT, db_index=True
    )
    declaration = models.BooleanField(
        default=False,
        help_text=_("The learner declared the statements and evidence their own."),
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    submitted_at = models.DateTimeField(
        null=True, blank=True, help_text=_("The first submission.")
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="plar_reviews",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decision_reason = models.TextField(blank=True)
    enrolment = models.OneToOneField(
        "courses.Enrolment",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="plar_request",
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("PLAR request")
        constraints = [
            models.UniqueConstraint(
                fields=["learner", "microcredential"],
                condition=Q(status__in=sorted(s.value for s in policies.OPEN_STATUSES)),
                name="one_open_plar_request_per_course",
                violation_error_message=_(
                    "You already have an open PLAR request for this microcredential."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(status="approved") | Q(enrolment__isnull=False),
                name="approved_plar_request_has_enrolment",
            ),
        ]

    def __str__(self) -> str:
        return f"PLAR {self.pk} by {self.learner} for {self.microcredential.code}"

    @property
    def is_open(self) -> bool:
        return self.status in policies.OPEN_STATUSES

    @property
    def is_editable(self) -> bool:
        return self.status in policies.EDITABLE_STATUSES


class OutcomeStatement(models.Model):
    """The learner's account of how they already meet one learning outcome."""

    request = models.ForeignKey(
        PlarRequest, on_delete=models.CASCADE, related_name="statements"
    )
    outcome = models.ForeignKey(
        "courses.LearningOutcome", on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField(blank=True)
    saved_at = models.DateTimeField()

    class Meta:
        ordering = ["request", "outcome__position", "outcome_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["request", "outcome"], name="one_statement_per_outcome"
            )
        ]

    def __str__(self) -> str:
        return f"Statement on {self.outcome_id} in request {self.request_id}"


def evidence_upload_to(evidence: Evidence, filename: str) -> str:
    return f"plar/{evidence.request_id}/{filename}"


class Evidence(models.Model):
    """A work sample, prior certificate or employer letter: a file or a link."""

    request = models.ForeignKey(
        PlarRequest, on_delete=models.CASCADE, related_name="evidence"
    )
    title = models.CharField(max_length=200)
    file = models.FileField(
        upload_to=evidence_upload_to,
        storage=private_storage,
        blank=True,
        max_length=300,
    )
    original_name = models.CharField(max_length=255, blank=True)
    url = models.URLField(max_length=1000, blank=True)
    added_at = models.DateTimeField()

    class Meta:
        ordering = ["request", "added_at", "id"]
        verbose_name_plural = _("evidence")
        constraints = [
            models.CheckConstraint(
                condition=(Q(url="") & ~Q(file="")) | (~Q(url="") & Q(file="")),
                name="evidence_is_a_file_or_a_link",
            )
        ]

    def __str__(self) -> str:
        return self.title


class RequestEvent(models.Model):
    """One status change of a request: who, when, why. Nothing is overwritten."""

    request = models.ForeignKey(
        PlarRequest, on_delete=models.CASCADE, related_name="events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    from_status = models.CharField(max_length=16, choices=PlarRequest.Status)
    to_status = models.CharField(max_length=16, choices=PlarRequest.Status)
    reason = models.TextField(blank=True)
    at = models.DateTimeField()
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["request", "at", "id"]

    def __str__(self) -> str:
        return f"{self.request_id}: {self.from_status} → {self.to_status}"


class Appeal(models.Model):
    class Kind(models.TextChoices):
        DECISION = "decision", _("Against the decision")
        GRADE = "grade", _("Against a result")

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Waiting for a decision")
        GRANTED = "granted", _("Granted")
        REFUSED = "refused", _("Refused")

    request = models.ForeignKey(
        PlarRequest, on_delete=models.CASCADE, related_name="appeals"
    )
    kind = models.CharField(max_length=12, choices=Kind)
    attempt = models.ForeignKey(
        "assessments.Attempt",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="plar_appeals",
    )
    reason = models.TextField()
    status = models.CharField(
        max_length=12, choices=Status, default=policies.AppealStatus.SUBMITTED
    )
    submitted_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decision_reason = models.TextField(blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-submitted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["request", "kind"],
                condition=Q(attempt__isnull=True),
                name="one_appeal_per_decision",
                violation_error_message=_("This decision has already been appealed."),
            ),
            models.UniqueConstraint(
                fields=["request", "attempt"],
                condition=Q(attempt__isnull=False),
                name="one_appeal_per_result",
                violation_error_message=_("This result has already been appealed."),
            ),
            models.CheckConstraint(
                condition=Q(kind="decision", attempt__isnull=True)
                | Q(kind="grade", attempt__isnull=False),
                name="grade_appeal_names_its_attempt",
            ),
        ]

    def __str__(self) -> str:
        return f"Appeal {self.pk} on PLAR {self.request_id}"

    @property
    def is_open(self) -> bool:
        return self.status == policies.AppealStatus.SUBMITTED
