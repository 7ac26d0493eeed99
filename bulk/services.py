"""Every write of a bulk job goes through here.

A job starts from an uploaded file: it is stored (private storage, with its
SHA-256 for the audit), then checked row by row in a Celery task — the dry
run — which writes nothing but the job's own rows and its annotated report.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import uuid

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from courses.policies import PolicyError
from courses.services import institution_tz
from microcred.audit import audit_record
from microcred.roles import is_registrar

from . import policies, selectors, tables
from .models import BulkJob, BulkRow
from .tasks import dry_run

MAX_UPLOAD_MB = 50
ROW_BATCH = 5_000


def _require_registrar(actor) -> None:
    if not is_registrar(actor):
        raise PolicyError(_("Only the registrar's office can run bulk jobs."))


@transaction.atomic
def job_create_from_file(
    *,
    actor,
    upload: UploadedFile,
    notify_recipients: bool = True,
    now: dt.datetime | None = None,
) -> BulkJob:
    """Store the file and queue its dry run; nothing is issued."""
    _require_registrar(actor)
    now = now or timezone.now()
    if not upload.size:
        raise PolicyError(_("The file is empty."))
    if upload.size > MAX_UPLOAD_MB * 1024 * 1024:
        raise PolicyError(
            _("The file is too large: the limit is %(limit)s MB.")
            % {"limit": MAX_UPLOAD_MB}
        )
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    name = os.path.basename(upload.name or "bulk.csv")[:255]
    job = BulkJob(
        public_id=uuid.uuid4(),
        created_by=actor,
        created_at=now,
        file_name=name,
        file_sha256=digest.hexdigest(),
        notify_recipients=notify_recipients,
    )
    extension = os.path.splitext(name)[1].lower() or ".csv"
    job.file.save(f"source{extension[:6]}", upload, save=False)
    job.save()
    audit_record(
        actor=actor,
        action="bulk.upload",
        target=job,
        details={"file": name, "sha256": job.file_sha256, "bytes": upload.size},
    )
    job_pk = job.pk
    transaction.on_commit(lambda: dry_run.delay(job_id=job_pk), robust=True)
    return job


def job_dry_run(*, job_id: int, now: dt.datetime | None = None) -> BulkJob:
    """Read the job's file, decide every row, store the rows and the annotated
    report (CSV and XLSX). Safe to run twice: the rows are replaced."""
    now = now or timezone.now()
    tz = institution_tz()
    job = BulkJob.objects.get(pk=job_id)
    with job.file.open("rb") as handle:
        data = handle.read()
    table = tables.read_table(data, job.file_name)
    if not table.ok:
        BulkJob.objects.filter(pk=job.pk).update(
            status=BulkJob.Status.REFUSED, refusal=table.error, validated_at=now
        )
        job.refresh_from_db()
        return job
    with transaction.atomic():
        facts = selectors.achievement_facts(tz=tz)
    today = now.astimezone(tz).date()
    today_start = dt.datetime.combine(today, dt.time(0), tzinfo=tz)
    held = selectors.holdings(
        (row.get("email", "") for row in table.rows), today_start=today_start
    )
    decisions = policies.validate_rows(
        table.rows,
        achievements=policies.AchievementIndex(facts),
        holdings=held,
        today=today,
        lines=table.lines,
    )
    summary = policies.summarise(decisions)
    report = tables.annotate(table.rows, decisions)
    columns = tables.report_columns(table.columns)
    with transaction.atomic():
        job = BulkJob.objects.select_for_update().get(pk=job_id)
        BulkRow.objects.filter(job=job).delete()
        BulkRow.objects.bulk_create(
            (_row(job, decision) for decision in decisions), batch_size=ROW_BATCH
        )
        job.report_csv.save(
            "dry-run.csv", ContentFile(tables.write_csv(report, columns)), save=False
        )
        job.report_xlsx.save(
            "dry-run.xlsx",
            ContentFile(tables.write_xlsx(report, columns, sheet_title="Dry run")),
            save=False,
        )
        job.status = BulkJob.Status.VALIDATED
        job.file_format = table.file_format
        job.notes = [str(note) for note in table.notes]
        job.total_rows = summary.total
        job.will_issue = summary.issue
        job.will_skip = summary.skip
        job.errors = summary.error
        job.validated_at = now
        job.save()
    return job


def _row(job: BulkJob, decision: policies.RowDecision) -> BulkRow:
    values = decision.values
    row = BulkRow(
        job=job,
        line=decision.line,
        outcome=decision.outcome.value,
        message=decision.message[:5000],
    )
    if values is not None:
        row.email = values.email
        row.legal_name = values.legal_name
        row.achievement_code = values.achievement.code
        row.achievement_id = values.achievement.achievement_id
        row.issue_date = values.issue_date
        row.expires_on = values.expires_on
        row.evidence_narrative = values.evidence_narrative
        row.evidence_url = values.evidence_url
        row.route = values.route
    return row


def job_mark_failed(*, job_id: int) -> None:
    """A dry run (or, later, a run) stopped on an unexpected error."""
    BulkJob.objects.filter(pk=job_id).exclude(
        status__in=(BulkJob.Status.VALIDATED, BulkJob.Status.REFUSED)
    ).update(
        status=BulkJob.Status.FAILED,
        refusal=_(
            "The check stopped on an unexpected error; nothing was issued. "
            "Upload the file again, and tell the platform's administrators if "
            "it happens again."
        ),
    )
