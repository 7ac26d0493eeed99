"""A registrar's bulk job: the file (or cohort) it came from, its dry run and
its rows. The rules of a row are in policies.py, file reading in tables.py,
the writes in services.py.
"""

from __future__ import annotations

import os

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from microcred.storage import private_storage


def job_upload_to(job: BulkJob, filename: str) -> str:
    return f"bulk/{job.public_id}/{filename}"


class BulkJob(models.Model):
    class Kind(models.TextChoices):
        ISSUE = "issue", _("Issue credentials")
        REVOKE = "revoke", _("Revoke credentials")

    class Source(models.TextChoices):
        FILE = "file", _("CSV or XLSX file")
        COHORT = "cohort", _("An offering's completed learners")
        API = "api", _("API")
        SELECTION = "selection", _("A selection in the dashboard")

    class Status(models.TextChoices):
        VALIDATING = "validating", _("Checking the rows")
        VALIDATED = "validated", _("Dry run ready")
        REFUSED = "refused", _("File refused")
        PENDING = "pending", _("Waiting to run")
        RUNNING = "running", _("Running")
        COMPLETED = "completed", _("Completed")
        COMPLETED_WITH_ERRORS = "completed_errors", _("Completed with errors")
        CANCELLED = "cancelled", _("Cancelled")
        FAILED = "failed", _("Failed")

    public_id = models.UUIDField(unique=True, editable=False)
    kind = models.CharField(max_length=8, choices=Kind, default=Kind.ISSUE)
    source = models.CharField(max_length=12, choices=Source, default=Source.FILE)
    status = models.CharField(
        max_length=16, choices=Status, default=Status.VALIDATING, db_index=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="bulk_jobs"
    )
    created_at = models.DateTimeField()
    file = models.FileField(
        upload_to=job_upload_to, storage=private_storage, blank=True, max_length=300
    )
    file_name = models.CharField(max_length=255, blank=True)
    file_sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    file_format = models.CharField(max_length=8, blank=True)
    offering = models.ForeignKey(
        "courses.Offering",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Cohort source: the offering whose completed learners it issues."),
    )
    notify_recipients = models.BooleanField(
        default=True,
        help_text=_("E-mail each recipient (and invite those without an account)."),
    )
    reason = models.TextField(blank=True, help_text=_("Bulk revocation: why."))
    refusal = models.TextField(
        blank=True, help_text=_("Why the file could not be read at all.")
    )
    notes = models.JSONField(default=list, blank=True)
    total_rows = models.PositiveIntegerField(default=0)
    will_issue = models.PositiveIntegerField(default=0)
    will_revoke = models.PositiveIntegerField(default=0)
    will_skip = models.PositiveIntegerField(default=0)
    errors = models.PositiveIntegerField(default=0)
    validated_at = models.DateTimeField(null=True, blank=True)
    report_csv = models.FileField(
        upload_to=job_upload_to, storage=private_storage, blank=True, max_length=300
    )
    report_xlsx = models.FileField(
        upload_to=job_upload_to, storage=private_storage, blank=True, max_length=300
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    cancel_requested = models.BooleanField(default=False)
    issued = models.PositiveIntegerField(default=0)
    revoked = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    chunks_total = models.PositiveIntegerField(default=0)
    result_csv = models.FileField(
        upload_to=job_upload_to, storage=private_storage, blank=True, max_length=300
    )
    pdfs_started_at = models.DateTimeField(null=True, blank=True)
    pdfs_finished_at = models.DateTimeField(null=True, blank=True)
    archive = models.FileField(
        upload_to=job_upload_to, storage=private_storage, blank=True, max_length=300
    )
    archive_bytes = models.PositiveBigIntegerField(default=0)
    archive_sha256 = models.CharField(max_length=64, blank=True)
    archive_built_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("bulk job")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.public_id} ({self.status})"

    @property
    def file_stem(self) -> str:
        """The uploaded file's name without its extension: what the files made
        from it are named after."""
        return os.path.splitext(self.file_name)[0] or "bulk"


class BulkRow(models.Model):
    """One row of a job, as the dry run decided it."""

    class Outcome(models.TextChoices):
        ISSUE = "issue", _("will issue")
        REVOKE = "revoke", _("will revoke")
        SKIP = "skip", _("will skip")
        ERROR = "error", _("error")

    job = models.ForeignKey(BulkJob, on_delete=models.CASCADE, related_name="rows")
    line = models.PositiveIntegerField()
    outcome = models.CharField(max_length=8, choices=Outcome)
    message = models.TextField(blank=True)
    email = models.CharField(max_length=254, blank=True)
    legal_name = models.CharField(max_length=200, blank=True)
    achievement_code = models.CharField(max_length=64, blank=True)
    achievement_id = models.PositiveIntegerField(null=True, blank=True)
    issue_date = models.DateField(null=True, blank=True)
    expires_on = models.DateField(null=True, blank=True)
    evidence_narrative = models.TextField(blank=True)
    evidence_url = models.URLField(max_length=1000, blank=True)
    route = models.CharField(max_length=12, blank=True)
    reference = models.CharField(
        max_length=64,
        blank=True,
        help_text=_("Bulk revocation: the credential id or verification code given."),
    )
    chunk = models.PositiveIntegerField(null=True, blank=True)
    state = models.CharField(
        max_length=8,
        choices=[
            ("pending", _("Waiting")),
            ("issued", _("Issued")),
            ("revoked", _("Revoked")),
            ("skipped", _("Skipped")),
            ("failed", _("Failed")),
        ],
        default="pending",
        db_index=True,
    )
    credential_id = models.UUIDField(null=True, blank=True)
    run_message = models.TextField(blank=True)

    class Meta:
        ordering = ["job", "line"]
        constraints = [
            models.UniqueConstraint(fields=["job", "line"], name="one_row_per_line")
        ]
        indexes = [models.Index(fields=["job", "chunk", "state"])]

    def __str__(self) -> str:
        return f"line {self.line} of job {self.job_id}"


class BulkChunk(models.Model):
    """A slice of a running job's rows, run by one task: chunks run side by
    side on several worker processes; each records when its issuing (or
    revoking) and its PDFs are done, so the last one finishes the job."""

    job = models.ForeignKey(BulkJob, on_delete=models.CASCADE, related_name="chunks")
    number = models.PositiveIntegerField()
    rows = models.PositiveIntegerField(default=0)
    done_at = models.DateTimeField(null=True, blank=True)
    pdfs_done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["job", "number"]
        constraints = [
            models.UniqueConstraint(fields=["job", "number"], name="one_chunk_number")
        ]

    def __str__(self) -> str:
        return f"chunk {self.number} of job {self.job_id}"


class IdempotencyKey(models.Model):
    """An API client's ``Idempotency-Key``: the first request with a key makes
    the job; a repeat with the same body gets that job back, a different body
    under the same key is refused."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    key = models.CharField(max_length=255)
    request_sha256 = models.CharField(max_length=64)
    job = models.ForeignKey(
        BulkJob, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["owner", "key"], name="one_job_per_key")
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.owner_id})"
