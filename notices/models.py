"""Reminders and notices: the sent-log (one row per notice, also the in-app
notification) and each person's preferences.

A notice is unique on (recipient, kind, subject, period key): a scan that runs
twice, or two beat processes, insert it once. Its e-mail goes out through
``services.notices_deliver``, which claims rows with ``SKIP LOCKED``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .policies import BulkNotice, Kind


class Notice(models.Model):
    class Kind(models.TextChoices):
        SUMMATIVE_DUE = Kind.SUMMATIVE_DUE.value, _("Summative due date reminder")
        END_DATE = Kind.END_DATE.value, _("End date reminder")
        INACTIVITY = Kind.INACTIVITY.value, _("Inactivity nudge")
        SECOND_ATTEMPT = Kind.SECOND_ATTEMPT.value, _("Next attempt open")
        GRADING_OVERDUE = Kind.GRADING_OVERDUE.value, _("Grading overdue")
        COURSE_REVIEW = Kind.COURSE_REVIEW.value, _("Course review due")
        CREDENTIAL_ISSUED = Kind.CREDENTIAL_ISSUED.value, _("Credential issued")
        CREDENTIAL_EXPIRING = Kind.CREDENTIAL_EXPIRING.value, _("Credential expiring")
        CREDENTIAL_CLAIM = Kind.CREDENTIAL_CLAIM.value, _("Account to claim")

    class Status(models.TextChoices):
        PENDING = "pending", _("Scheduled")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        DIGEST = "digest", _("Waiting for the daily digest")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")
        SKIPPED = "skipped", _("Not e-mailed (turned off)")
        # Credentials issued in bulk (``services.credentials_issued_record``).
        SILENT = BulkNotice.SILENT.value, _("Not sent (issued without notice)")
        IN_CLAIM = BulkNotice.IN_CLAIM.value, _("Listed in the account claim e-mail")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notices"
    )
    kind = models.CharField(max_length=24, choices=Kind)
    subject_type = models.CharField(max_length=16)  # enrolment, attempt, course…
    subject_id = models.CharField(max_length=64)
    period_key = models.CharField(max_length=80)
    course = models.ForeignKey(
        "courses.Microcredential",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notices",
    )
    enrolment = models.ForeignKey(
        "courses.Enrolment",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notices",
    )
    due_at = models.DateTimeField(help_text=_("When the notice fell due."))
    target_at = models.DateTimeField(
        null=True, blank=True, help_text=_("The date the notice is about, if any.")
    )
    created_at = models.DateTimeField()
    status = models.CharField(
        max_length=12, choices=Status, default=Status.PENDING, db_index=True
    )
    tries = models.PositiveSmallIntegerField(default=0)
    next_try_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-due_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "recipient",
                    "kind",
                    "subject_type",
                    "subject_id",
                    "period_key",
                ],
                name="one_notice_per_period",
            )
        ]
        indexes = [
            models.Index(fields=["status", "next_try_at"], name="notice_delivery"),
            models.Index(
                fields=["recipient", "read_at"],
                condition=Q(read_at__isnull=True),
                name="notice_unread",
            ),
            models.Index(fields=["enrolment", "kind"], name="notice_enrolment_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id} ({self.period_key})"

    @property
    def is_in_app(self) -> bool:
        """Shown in the learner's notifications (not cancelled, and not issued
        without notice)."""
        return self.status not in NOT_IN_APP


# Never shown in the person's notifications: no longer applied, or a registrar
# chose to issue without notice.
NOT_IN_APP = (Notice.Status.CANCELLED, Notice.Status.SILENT)


class NoticePreference(models.Model):
    """Which optional notices a person wants by e-mail, and whether as a digest."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notice_preference",
    )
    disabled_kinds = models.JSONField(default=list, blank=True)
    digest = models.BooleanField(
        _("one daily digest"),
        default=False,
        help_text=_("One e-mail a day with your reminders, instead of one each."),
    )
    last_digest_on = models.DateField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Notice preferences of {self.user_id}"
