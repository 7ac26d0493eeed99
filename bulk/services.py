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
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from courses.policies import PolicyError
from courses.services import institution_tz
from microcred.audit import audit_record
from microcred.roles import is_registrar

from . import policies, selectors, tables
from .models import BulkJob, BulkRow
from .tasks import dry_run, run_chunk

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


def job_mark_failed(*, job_id: int, during_run: bool = False) -> None:
    """A dry run or a run stopped on an unexpected error: the job says so
    (and its page stops waiting)."""
    if during_run:
        message = _(
            "The run stopped on an unexpected error. The credentials issued "
            "before it stayed issued (see the result file); tell the platform's "
            "administrators."
        )
    else:
        message = _(
            "The check stopped on an unexpected error; nothing was issued. "
            "Upload the file again, and tell the platform's administrators if "
            "it happens again."
        )
    BulkJob.objects.filter(pk=job_id).exclude(
        status__in=(
            BulkJob.Status.VALIDATED,
            BulkJob.Status.REFUSED,
            BulkJob.Status.COMPLETED,
            BulkJob.Status.COMPLETED_WITH_ERRORS,
            BulkJob.Status.CANCELLED,
        )
    ).update(status=BulkJob.Status.FAILED, refusal=message, finished_at=timezone.now())


# --- running a checked job ------------------------------------------------------

RUN_CHUNK = 500
ISSUED_AT = dt.time(12, 0)  # a credential dated by day is issued at noon


@transaction.atomic
def job_start(*, actor, job_id: int, now: dt.datetime | None = None) -> BulkJob:
    """Queue a checked job to run; rows that will be skipped are counted now.

    Only a dry-run-ready job with rows to issue may start, and only once.
    """
    _require_registrar(actor)
    now = now or timezone.now()
    job = BulkJob.objects.select_for_update().get(pk=job_id)
    if job.status != BulkJob.Status.VALIDATED:
        raise PolicyError(
            _("Only a checked job can be run, once; this one is “%(status)s”.")
            % {"status": job.get_status_display()}
        )
    if not job.will_issue:
        raise PolicyError(_("No row of this file will issue a credential."))
    BulkRow.objects.filter(job=job, outcome=BulkRow.Outcome.SKIP).update(
        state="skipped", run_message=_("Already held: nothing issued.")
    )
    BulkRow.objects.filter(job=job, outcome=BulkRow.Outcome.ERROR).update(
        state="failed"
    )
    job.status = BulkJob.Status.PENDING
    job.started_by = actor
    job.started_at = now
    job.skipped = job.will_skip
    job.save()
    audit_record(
        actor=actor,
        action="bulk.start",
        target=job,
        details={"sha256": job.file_sha256, "will_issue": job.will_issue},
    )
    job_pk = job.pk
    transaction.on_commit(lambda: run_chunk.delay(job_id=job_pk), robust=True)
    return job


@transaction.atomic
def job_cancel(*, actor, job_id: int) -> BulkJob:
    """Ask a job to stop: it stops after the chunk it is working on."""
    _require_registrar(actor)
    job = BulkJob.objects.select_for_update().get(pk=job_id)
    if job.status not in (BulkJob.Status.PENDING, BulkJob.Status.RUNNING):
        raise PolicyError(_("Only a waiting or running job can be cancelled."))
    job.cancel_requested = True
    job.save(update_fields=["cancel_requested"])
    audit_record(actor=actor, action="bulk.cancel", target=job)
    return job


def _recipients(emails: set[str], names: dict[str, str]) -> dict[str, int]:
    """The user id of every recipient, making an account (no password: they
    claim it) for each e-mail not known yet. One query, plus one insert."""
    from django.contrib.auth import get_user_model

    user_model = get_user_model()
    known = dict(user_model.objects.filter(email__in=emails).values_list("email", "pk"))
    missing = sorted(emails - set(known))
    if missing:
        new_users = []
        for email in missing:
            user = user_model(email=email, legal_name=names[email], is_active=True)
            user.set_unusable_password()
            new_users.append(user)
        user_model.objects.bulk_create(new_users, ignore_conflicts=True)
        known = dict(
            user_model.objects.filter(email__in=emails).values_list("email", "pk")
        )
    return known


def job_run_chunk(
    *, job_id: int, size: int = RUN_CHUNK, now: dt.datetime | None = None
) -> bool:
    """Issue the next ``size`` waiting rows; True if rows are left.

    Resumable and idempotent: a row is marked issued only after its credential
    exists, and issuing is idempotent on (learner, achievement, period), so a
    chunk redone after a worker died issues nothing twice and skips nothing.
    """
    from credentials.batch import IssueRequest, credentials_issue_batch

    now = now or timezone.now()
    tz = institution_tz()
    with transaction.atomic():
        job = BulkJob.objects.select_for_update().get(pk=job_id)
        if job.status not in (BulkJob.Status.PENDING, BulkJob.Status.RUNNING):
            return False
        if job.cancel_requested:
            job.status = BulkJob.Status.CANCELLED
            job.finished_at = now
            job.save(update_fields=["status", "finished_at"])
            return False
        if job.status == BulkJob.Status.PENDING:
            job.status = BulkJob.Status.RUNNING
            job.save(update_fields=["status"])
    rows = list(
        BulkRow.objects.filter(
            job_id=job_id, outcome=BulkRow.Outcome.ISSUE, state="pending"
        ).order_by("line")[:size]
    )
    if rows:
        users = _recipients(
            {row.email for row in rows}, {row.email: row.legal_name for row in rows}
        )
        requests = [
            IssueRequest(
                learner_id=users[row.email],
                achievement_id=row.achievement_id,
                awarded_at=dt.datetime.combine(row.issue_date, ISSUED_AT, tzinfo=tz),
                route=row.route,
                recipient_name=row.legal_name,
                valid_until=(
                    dt.datetime.combine(row.expires_on, dt.time(23, 59, 59), tzinfo=tz)
                    if row.expires_on
                    else None
                ),
                evidence_narrative=row.evidence_narrative,
                evidence_url=row.evidence_url,
            )
            for row in rows
        ]
        outcomes = credentials_issue_batch(requests, actor=job.created_by, now=now)
        # A chunk redone after a worker died between storing its credentials
        # and marking its rows finds them existing: they are this run's own.
        ours = selectors.credentials_created_since(
            (o.credential_id for o in outcomes if not o.created),
            since=job.started_at,
        )
        issued = skipped = 0
        with transaction.atomic():
            for row, outcome in zip(rows, outcomes, strict=True):
                row.credential_id = outcome.credential_id
                if outcome.created or outcome.credential_id in ours:
                    row.state = "issued"
                    issued += 1
                else:
                    row.state = "skipped"
                    row.run_message = _("Already held: nothing issued.")
                    skipped += 1
            BulkRow.objects.bulk_update(
                rows, ["state", "credential_id", "run_message"], batch_size=ROW_BATCH
            )
            BulkJob.objects.filter(pk=job_id).update(
                issued=models.F("issued") + issued,
                skipped=models.F("skipped") + skipped,
            )
    left = BulkRow.objects.filter(
        job_id=job_id, outcome=BulkRow.Outcome.ISSUE, state="pending"
    ).exists()
    if not left:
        with transaction.atomic():
            job = BulkJob.objects.select_for_update().get(pk=job_id)
            if job.status == BulkJob.Status.RUNNING:
                job.status = (
                    BulkJob.Status.COMPLETED_WITH_ERRORS
                    if job.errors or job.failed
                    else BulkJob.Status.COMPLETED
                )
                job.finished_at = timezone.now()
                job.save(update_fields=["status", "finished_at"])
                audit_record(
                    actor=job.started_by,
                    action="bulk.finish",
                    target=job,
                    details={
                        "issued": job.issued,
                        "skipped": job.skipped,
                        "errors": job.errors,
                    },
                )
    return left
