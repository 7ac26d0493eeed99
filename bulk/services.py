"""Every write of a bulk job goes through here.

A job starts from an uploaded file: it is stored (private storage, with its
SHA-256 for the audit), then checked row by row in a Celery task — the dry
run — which writes nothing but the job's own rows and its annotated report.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import uuid
from collections.abc import Iterable, Iterator

from django.conf import settings
from django.core.files.base import ContentFile, File
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from courses.policies import PolicyError
from courses.services import institution_tz
from credentials.policies import CredentialRefused
from microcred.audit import audit_record
from microcred.roles import is_registrar

from . import policies, selectors, tables
from .models import BulkChunk, BulkJob, BulkRow
from .tasks import build_archive, dry_run, render_pdfs, run_chunk

MAX_UPLOAD_MB = 50
ROW_BATCH = 5_000
#: Bulk jobs render the institution's certificate paper size; the other one is
#: rendered when a holder first downloads it.
BULK_PAPERS = ("A4",)


def _require_registrar(actor) -> None:
    if not is_registrar(actor):
        raise PolicyError(_("Only the registrar's office can run bulk jobs."))


def _job_create(
    *,
    actor,
    name: str,
    content,
    size: int,
    digest: str,
    source: str,
    kind: str = BulkJob.Kind.ISSUE,
    notify_recipients: bool = True,
    offering=None,
    reason: str = "",
    now: dt.datetime,
) -> BulkJob:
    """Store a job's source file (private storage, SHA-256 for the audit) and
    queue its dry run."""
    job = BulkJob(
        public_id=uuid.uuid4(),
        kind=kind,
        source=source,
        created_by=actor,
        created_at=now,
        file_name=name,
        file_sha256=digest,
        notify_recipients=notify_recipients,
        offering=offering,
        reason=reason,
    )
    extension = os.path.splitext(name)[1].lower() or ".csv"
    job.file.save(f"source{extension[:6]}", content, save=False)
    job.save()
    audit_record(
        actor=actor,
        action="bulk.upload",
        target=job,
        details={
            "kind": kind,
            "source": source,
            "file": name,
            "sha256": digest,
            "bytes": size,
        },
    )
    job_pk = job.pk
    transaction.on_commit(lambda: dry_run.delay(job_id=job_pk), robust=True)
    return job


def _reason(kind: str, reason: str) -> str:
    reason = (reason or "").strip()
    if kind == BulkJob.Kind.REVOKE and not reason:
        raise PolicyError(_("Revoking credentials needs a reason."))
    return reason


@transaction.atomic
def job_create_from_file(
    *,
    actor,
    upload: UploadedFile,
    notify_recipients: bool = True,
    kind: str = BulkJob.Kind.ISSUE,
    reason: str = "",
    source: str = BulkJob.Source.FILE,
    now: dt.datetime | None = None,
) -> BulkJob:
    """Store the file and queue its dry run; nothing is issued (or revoked)."""
    _require_registrar(actor)
    reason = _reason(kind, reason)
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
    return _job_create(
        actor=actor,
        name=os.path.basename(upload.name or "bulk.csv")[:255],
        content=upload,
        size=upload.size,
        digest=digest.hexdigest(),
        source=source,
        kind=kind,
        notify_recipients=notify_recipients,
        reason=reason,
        now=now,
    )


@transaction.atomic
def job_create_from_rows(
    *,
    actor,
    rows: list[dict],
    columns: tuple[str, ...] = policies.COLUMN_NAMES,
    name: str = "rows.csv",
    source: str = BulkJob.Source.API,
    kind: str = BulkJob.Kind.ISSUE,
    notify_recipients: bool = True,
    reason: str = "",
    offering=None,
    now: dt.datetime | None = None,
) -> BulkJob:
    """A job from rows given as data (the API, a cohort, a dashboard
    selection): they become the job's CSV file, so every job is checked,
    hashed and reported the same way."""
    _require_registrar(actor)
    reason = _reason(kind, reason)
    now = now or timezone.now()
    if not rows:
        raise PolicyError(_("There are no rows to check."))
    if len(rows) > tables.MAX_ROWS:
        raise PolicyError(
            _("There are %(count)s rows; the limit is %(limit)s a job.")
            % {"count": len(rows), "limit": tables.MAX_ROWS}
        )
    data = tables.write_source_csv(rows, columns)
    return _job_create(
        actor=actor,
        name=name,
        content=ContentFile(data),
        size=len(data),
        digest=hashlib.sha256(data).hexdigest(),
        source=source,
        kind=kind,
        notify_recipients=notify_recipients,
        offering=offering,
        reason=reason,
        now=now,
    )


def job_create_from_offering(
    *,
    actor,
    offering_id: int,
    notify_recipients: bool = True,
    now: dt.datetime | None = None,
) -> BulkJob:
    """A job for an offering's learners who completed it and hold no
    credential for it yet, each dated the day they completed."""
    _require_registrar(actor)
    now = now or timezone.now()
    offering = selectors.offering_for_cohort(offering_id)
    if offering is None:
        raise PolicyError(_("There is no such offering."))
    tz = institution_tz()
    rows = [
        {
            "email": enrolment.learner.email,
            "legal_name": enrolment.learner.legal_name,
            "achievement": offering.microcredential.code,
            "issue_date": enrolment.completed_at.astimezone(tz).date().isoformat(),
            "route": enrolment.route,
        }
        for enrolment in selectors.cohort_without_credential(offering)
    ]
    if not rows:
        raise PolicyError(
            _(
                "Every learner who completed %(offering)s already holds its "
                "credential: there is nothing to issue."
            )
            % {"offering": offering}
        )
    return job_create_from_rows(
        actor=actor,
        rows=rows,
        name=f"cohort-{offering.microcredential.code}-{offering.pk}.csv",
        source=BulkJob.Source.COHORT,
        notify_recipients=notify_recipients,
        offering=offering,
        now=now,
    )


def job_dry_run(*, job_id: int, now: dt.datetime | None = None) -> BulkJob:
    """Read the job's file, decide every row, store the rows and the annotated
    report (CSV and XLSX). Safe to run twice: the rows are replaced."""
    now = now or timezone.now()
    tz = institution_tz()
    job = BulkJob.objects.get(pk=job_id)
    if job.kind == BulkJob.Kind.REVOKE:
        from . import revocation

        return revocation.job_dry_run(job, now=now)
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
        if job.status not in (BulkJob.Status.VALIDATING, BulkJob.Status.VALIDATED):
            return job  # a dry run delivered again after the job started
        BulkRow.objects.filter(job=job).delete()
        BulkRow.objects.bulk_create(
            chunked(_row(job, decision) for decision in decisions),
            batch_size=ROW_BATCH,
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


def chunked(rows: Iterable[BulkRow]) -> Iterator[BulkRow]:
    """Number the rows that will act into chunks of ``BULK_RUN_CHUNK``, in
    line order: the run's tasks are one per chunk."""
    size = run_chunk_size()
    acting = 0
    for row in rows:
        if row.outcome in ACTING:
            row.chunk = acting // size
            acting += 1
        yield row


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
#
# A started job is split into chunks (numbered at the dry run, ``run_chunk``
# rows each), one task per chunk, all queued at once: a worker with several
# processes runs several chunks side by side (signing is most of the time and
# needs no lock). Each chunk records when it is done; the one that completes
# the last chunk finishes the job, then queues the PDFs (their own queue, one
# task per chunk) and, when the last PDF chunk is done, the ZIP archive.

ISSUED_AT = dt.time(12, 0)  # a credential dated by day is issued at noon
ACTING = (BulkRow.Outcome.ISSUE, BulkRow.Outcome.REVOKE)
FINISHED = (
    BulkJob.Status.COMPLETED,
    BulkJob.Status.COMPLETED_WITH_ERRORS,
    BulkJob.Status.CANCELLED,
)


def run_chunk_size() -> int:
    return settings.BULK_RUN_CHUNK


@transaction.atomic
def job_start(*, actor, job_id: int, now: dt.datetime | None = None) -> BulkJob:
    """Queue a checked job to run, one task per chunk; rows that will be
    skipped are counted now. Only a dry-run-ready job with rows to act on may
    start, and only once."""
    _require_registrar(actor)
    now = now or timezone.now()
    job = BulkJob.objects.select_for_update().get(pk=job_id)
    if job.status != BulkJob.Status.VALIDATED:
        raise PolicyError(
            _("Only a checked job can be run, once; this one is “%(status)s”.")
            % {"status": job.get_status_display()}
        )
    if job.kind == BulkJob.Kind.REVOKE and not job.will_revoke:
        raise PolicyError(_("No row of this file will revoke a credential."))
    if job.kind == BulkJob.Kind.ISSUE and not job.will_issue:
        raise PolicyError(_("No row of this file will issue a credential."))
    BulkRow.objects.filter(job=job, outcome=BulkRow.Outcome.SKIP).update(
        state="skipped",
        run_message=_("Nothing to do: see the message.")
        if job.kind == BulkJob.Kind.REVOKE
        else _("Already held: nothing issued."),
    )
    BulkRow.objects.filter(job=job, outcome=BulkRow.Outcome.ERROR).update(
        state="failed"
    )
    sizes = dict(
        BulkRow.objects.filter(job=job, outcome__in=ACTING)
        .order_by()
        .values_list("chunk")
        .annotate(count=models.Count("pk"))
    )
    BulkChunk.objects.bulk_create(
        [
            BulkChunk(job=job, number=number, rows=count)
            for number, count in sizes.items()
        ],
        ignore_conflicts=True,
    )
    job.status = BulkJob.Status.PENDING
    job.started_by = actor
    job.started_at = now
    job.skipped = job.will_skip
    job.chunks_total = len(sizes)
    job.save()
    audit_record(
        actor=actor,
        action="bulk.start",
        target=job,
        details={
            "kind": job.kind,
            "sha256": job.file_sha256,
            "will_issue": job.will_issue,
            "will_revoke": job.will_revoke,
            "chunks": job.chunks_total,
        },
    )
    job_pk = job.pk
    numbers = sorted(sizes)

    def queue() -> None:
        for number in numbers:
            run_chunk.delay(job_id=job_pk, number=number)

    transaction.on_commit(queue, robust=True)
    return job


@transaction.atomic
def job_cancel(*, actor, job_id: int) -> BulkJob:
    """Ask a job to stop: chunks already running finish, the others do not
    start."""
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


def _issue_rows(job: BulkJob, rows: list[BulkRow], *, now: dt.datetime) -> None:
    """Issue the credentials of these rows and record what happened to each."""
    from credentials.batch import IssueRequest, credentials_issue_batch
    from notices.services import credentials_issued_record

    tz = institution_tz()
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
    refused: list[BulkRow] = []
    while True:
        try:
            outcomes = credentials_issue_batch(requests, actor=job.created_by, now=now)
            break
        except CredentialRefused as refusal:
            # A row the issuance refuses (its achievement withdrawn since the
            # dry run, say) fails alone, with the reason; the rest is issued.
            position = getattr(refusal, "position", None)
            if position is None:
                raise
            row = rows.pop(position)
            requests.pop(position)
            row.state = "failed"
            row.run_message = _("Not issued: %(reason)s") % {"reason": refusal.reason}
            refused.append(row)
    # A chunk redone after a worker died between storing its credentials
    # and marking its rows finds them existing: they are this run's own.
    ours = selectors.credentials_created_since(
        (o.credential_id for o in outcomes if not o.created),
        since=job.started_at,
    )
    issued = skipped = 0
    with transaction.atomic():
        BulkRow.objects.bulk_update(refused, ["state", "run_message"])
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
        BulkJob.objects.filter(pk=job.pk).update(
            issued=models.F("issued") + issued,
            skipped=models.F("skipped") + skipped,
            failed=models.F("failed") + len(refused),
        )
        credentials_issued_record(
            credential_ids=[row.credential_id for row in rows if row.state == "issued"],
            notify=job.notify_recipients,
            now=now,
        )


def job_run_chunk(*, job_id: int, number: int, now: dt.datetime | None = None) -> None:
    """Issue (or revoke) the waiting rows of chunk ``number``.

    Resumable and idempotent: a row is marked done only after its credential
    exists (or is revoked), and issuing is idempotent on (learner,
    achievement, period), so a chunk redone after a worker died issues
    nothing twice and skips nothing. A job asked to stop runs no new chunk.
    """
    now = now or timezone.now()
    with transaction.atomic():
        job = BulkJob.objects.select_for_update().get(pk=job_id)
        if job.status not in (BulkJob.Status.PENDING, BulkJob.Status.RUNNING):
            return
        if job.status == BulkJob.Status.PENDING:
            job.status = BulkJob.Status.RUNNING
            job.save(update_fields=["status"])
    if not job.cancel_requested:
        rows = list(
            BulkRow.objects.filter(
                job_id=job_id, chunk=number, outcome__in=ACTING, state="pending"
            ).order_by("line")
        )
        if rows and job.kind == BulkJob.Kind.REVOKE:
            from . import revocation

            revocation.revoke_rows(job, rows, now=now)
        elif rows:
            _issue_rows(job, rows, now=now)
    _chunk_done(job_id=job_id, number=number, now=timezone.now())


def _chunk_done(*, job_id: int, number: int, now: dt.datetime) -> None:
    """Record a chunk as done; the last one finishes the job."""
    with transaction.atomic():
        job = BulkJob.objects.select_for_update().get(pk=job_id)
        marked = BulkChunk.objects.filter(
            job_id=job_id, number=number, done_at__isnull=True
        ).update(done_at=now)
        if not marked or job.status != BulkJob.Status.RUNNING:
            return  # a chunk redone, or the job already over
        if BulkChunk.objects.filter(job_id=job_id, done_at__isnull=True).exists():
            return
        _job_finish(job, now=timezone.now())


def _job_finish(job: BulkJob, *, now: dt.datetime) -> None:
    """Every chunk is done: the job's final status, its stored result file,
    the audit entry; then its PDFs are queued."""
    pending = BulkRow.objects.filter(job=job, outcome__in=ACTING, state="pending")
    if job.cancel_requested and pending.exists():
        job.status = BulkJob.Status.CANCELLED
    elif job.errors or job.failed:
        job.status = BulkJob.Status.COMPLETED_WITH_ERRORS
    else:
        job.status = BulkJob.Status.COMPLETED
    job.finished_at = now
    job.result_csv.save(
        "result.csv",
        ContentFile(tables.write_csv(result_rows(job), RESULT_COLUMNS)),
        save=False,
    )
    with_pdfs = (
        job.kind == BulkJob.Kind.ISSUE
        and BulkRow.objects.filter(job=job, state="issued").exists()
    )
    if with_pdfs:
        job.pdfs_started_at = now
    job.save()
    audit_record(
        actor=job.started_by,
        action="bulk.finish",
        target=job,
        details={
            "status": job.status,
            "sha256": job.file_sha256,
            "issued": job.issued,
            "revoked": job.revoked,
            "skipped": job.skipped,
            "errors": job.errors,
            "result": job.result_csv.name,
        },
    )
    if not with_pdfs:
        return
    numbers = list(
        BulkRow.objects.filter(job=job, state="issued")
        .order_by("chunk")
        .values_list("chunk", flat=True)
        .distinct()
    )
    BulkChunk.objects.filter(job=job).exclude(number__in=numbers).update(
        pdfs_done_at=now
    )
    job_pk = job.pk

    def queue() -> None:
        for number in numbers:
            render_pdfs.delay(job_id=job_pk, number=number)

    transaction.on_commit(queue, robust=True)


# --- the result file ----------------------------------------------------------------

RESULT_COLUMNS = (
    "line",
    "email",
    "legal_name",
    "achievement_code",
    "reference",
    "outcome",
    "state",
    "message",
    "credential_id",
    "verification_code",
    "verification_url",
)


def result_rows(job: BulkJob) -> list[dict]:
    """Each row of a job with its outcome, what the run did, its credential
    and where to verify it (two queries)."""
    from credentials.models import Credential
    from credentials.policies import format_verification_code

    outcomes = dict(BulkRow.Outcome.choices)
    states = dict(BulkRow._meta.get_field("state").choices)
    rows = list(
        BulkRow.objects.filter(job=job)
        .order_by("line")
        .values(
            "line",
            "email",
            "legal_name",
            "achievement_code",
            "reference",
            "outcome",
            "state",
            "message",
            "run_message",
            "credential_id",
        )
    )
    codes = dict(
        Credential.objects.filter(
            pk__in=[row["credential_id"] for row in rows if row["credential_id"]]
        ).values_list("pk", "verification_code")
    )
    result = []
    for row in rows:
        credential_id = row["credential_id"]
        code = codes.get(credential_id, "")
        result.append(
            {
                "line": row["line"],
                "email": row["email"],
                "legal_name": row["legal_name"],
                "achievement_code": row["achievement_code"],
                "reference": row["reference"],
                "outcome": str(outcomes.get(row["outcome"], row["outcome"])),
                "state": str(states.get(row["state"], row["state"])),
                "message": row["run_message"] or row["message"],
                "credential_id": str(credential_id) if credential_id else "",
                "verification_code": format_verification_code(code) if code else "",
                "verification_url": (
                    absolute_credential_url(credential_id) if credential_id else ""
                ),
            }
        )
    return result


# --- PDFs and the archive -------------------------------------------------------------


def job_render_pdfs(
    *, job_id: int, number: int, now: dt.datetime | None = None
) -> None:
    """Render the certificates of chunk ``number``'s issued credentials that
    have none yet (a redone task renders only what is missing); the last
    chunk queues the ZIP archive."""
    from credentials.models import Credential
    from credentials.services import certificates_render

    ids = list(
        Credential.objects.filter(
            pk__in=BulkRow.objects.filter(
                job_id=job_id, chunk=number, state="issued"
            ).values("credential_id"),
            pdf_rendered_at__isnull=True,
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    certificates_render(credential_ids=ids, papers=BULK_PAPERS)
    now = now or timezone.now()
    with transaction.atomic():
        job = BulkJob.objects.select_for_update().get(pk=job_id)
        marked = BulkChunk.objects.filter(
            job_id=job_id, number=number, pdfs_done_at__isnull=True
        ).update(pdfs_done_at=now)
        if not marked or job.pdfs_finished_at:
            return
        if BulkChunk.objects.filter(job_id=job_id, pdfs_done_at__isnull=True).exists():
            return
        job.pdfs_finished_at = now
        job.save(update_fields=["pdfs_finished_at"])
        job_pk = job.pk
        transaction.on_commit(lambda: build_archive.delay(job_id=job_pk), robust=True)


def pdfs_rendered(job: BulkJob) -> int:
    """How many of the job's issued credentials have their certificate."""
    from credentials.models import Credential

    return Credential.objects.filter(
        pk__in=BulkRow.objects.filter(job=job, state="issued").values("credential_id"),
        pdf_rendered_at__isnull=False,
    ).count()


MANIFEST_COLUMNS = (
    "file",
    "line",
    "email",
    "legal_name",
    "achievement_code",
    "credential_id",
    "verification_code",
    "verification_url",
)


def job_build_archive(*, job_id: int) -> BulkJob:
    """One ZIP of every certificate the job issued, with a CSV manifest,
    stored privately for the job's page (and the API) to serve. Built in a
    temporary file, never in memory; safe to run again (it is rebuilt).
    A certificate still missing is rendered first."""
    import tempfile
    import zipfile

    from credentials.models import Credential
    from credentials.services import certificate_render

    job = BulkJob.objects.get(pk=job_id)
    rows = {
        row["credential_id"]: row
        for row in BulkRow.objects.filter(job=job, state="issued").values(
            "credential_id", "line", "email", "achievement_code"
        )
    }
    credentials = sorted(
        Credential.objects.filter(pk__in=list(rows)).only(
            "pk", "pdf", "pdf_rendered_at", "verification_code", "recipient_name"
        ),
        key=lambda credential: rows[credential.pk]["line"],
    )
    manifest = []
    digest = hashlib.sha256()
    with tempfile.TemporaryFile() as spool:
        with zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_STORED) as archive:
            for credential in credentials:
                if not credential.pdf:
                    certificate_render(credential_id=credential.pk, papers=BULK_PAPERS)
                    credential.refresh_from_db(fields=["pdf"])
                row = rows[credential.pk]
                line = row["line"]
                name = f"{line:06d}-{credential.verification_code}.pdf"
                with (
                    credential.pdf.open("rb") as source,
                    archive.open(f"certificates/{name}", "w") as target,
                ):
                    shutil.copyfileobj(source, target, 1024 * 1024)
                manifest.append(
                    {
                        "file": f"certificates/{name}",
                        "line": line,
                        "email": row["email"],
                        "legal_name": credential.recipient_name,
                        "achievement_code": row["achievement_code"],
                        "credential_id": str(credential.pk),
                        "verification_code": credential.verification_code,
                        "verification_url": absolute_credential_url(credential.pk),
                    }
                )
            archive.writestr(
                "manifest.csv", tables.write_csv(manifest, MANIFEST_COLUMNS)
            )
        size = spool.tell()
        spool.seek(0)
        for block in iter(lambda: spool.read(1024 * 1024), b""):
            digest.update(block)
        spool.seek(0)
        old = job.archive.name
        job.archive.save(f"{job.file_stem}-certificates.zip", File(spool), save=False)
    BulkJob.objects.filter(pk=job.pk).update(
        archive=job.archive.name,
        archive_bytes=size,
        archive_sha256=digest.hexdigest(),
        archive_built_at=timezone.now(),
    )
    if old and old != job.archive.name:
        job.archive.storage.delete(old)
    audit_record(
        actor=job.started_by,
        action="bulk.archive",
        target=job,
        details={
            "certificates": len(manifest),
            "bytes": size,
            "sha256": digest.hexdigest(),
        },
    )
    job.refresh_from_db()
    return job


def absolute_credential_url(credential_id) -> str:
    from credentials.services import absolute_url

    return absolute_url("credential", pk=credential_id)
