"""Bulk revocation: the dry run and the run of a revoke job.

``services`` hands revoke jobs here. The dry run reads the job's file (one
credential a row, by id or verification code), looks every credential up in
a few queries, decides each row with ``revoke_policies`` and stores the rows
and the annotated report. The run revokes one chunk of rows a call through
``credentials.services.credentials_revoke``, so each status list a chunk
touches is re-signed once for the chunk.
"""

from __future__ import annotations

import datetime as dt

from django.core.files.base import ContentFile
from django.db import models, transaction
from django.utils.translation import gettext as _

from courses.services import institution_tz

from . import revoke_policies, selectors, services, tables
from .models import BulkJob, BulkRow

#: A dry run (re)writes its rows only while the job is being checked or
#: checked, never once it has started, been refused or failed.
CHECKABLE = (BulkJob.Status.VALIDATING, BulkJob.Status.VALIDATED)


def _found(row: dict, *, tz) -> revoke_policies.FoundCredential:
    revoked_at = row["revoked_at"]
    return revoke_policies.FoundCredential(
        credential_id=row["pk"],
        verification_code=row["verification_code"],
        status=row["status"],
        email=row["learner__email"] or "",
        legal_name=row["recipient_name"] or "",
        achievement_code=(
            row["achievement__microcredential__code"]
            or row["achievement__pathway__code"]
            or ""
        ),
        revoked_on=revoked_at.astimezone(tz).date() if revoked_at else None,
        replaced_by_code=row["superseded_by__verification_code"] or "",
    )


def lookup(values, *, tz) -> dict[str, revoke_policies.FoundCredential]:
    """The credentials these values name, keyed by id and by code."""
    ids, codes = revoke_policies.lookup_keys(values)
    found: dict[str, revoke_policies.FoundCredential] = {}
    for row in selectors.credentials_to_revoke(ids=ids, codes=codes):
        credential = _found(row, tz=tz)
        found[str(credential.credential_id)] = credential
        found[credential.verification_code] = credential
    return found


def _row(job: BulkJob, decision: revoke_policies.RevokeDecision) -> BulkRow:
    row = BulkRow(
        job=job,
        line=decision.line,
        outcome=decision.outcome.value,
        message=decision.message[:5000],
        reference=decision.reference,
    )
    found = decision.found
    if found is not None:
        row.credential_id = found.credential_id
        row.email = found.email[:254]
        row.legal_name = found.legal_name[:200]
        row.achievement_code = found.achievement_code[:64]
    return row


def _report(
    rows: list[dict[str, str]], decisions: list[revoke_policies.RevokeDecision]
) -> list[dict[str, str]]:
    """Each row of the file with its line, outcome, message and holder."""
    report = []
    for row, decision in zip(rows, decisions, strict=True):
        found = decision.found
        report.append(
            {
                **row,
                "line": str(decision.line),
                "outcome": decision.outcome.label,
                "message": decision.message,
                "holder_email": found.email if found else "",
                "holder_name": found.legal_name if found else "",
                "achievement_code": found.achievement_code if found else "",
            }
        )
    return report


def job_dry_run(job: BulkJob, *, now: dt.datetime) -> BulkJob:
    """Read a revoke job's file, decide every row, store the rows and the
    annotated report (CSV and XLSX); nothing is revoked. Safe to run twice:
    the rows are replaced, and a job that has started is left as it is."""
    if job.status not in CHECKABLE:
        return job
    tz = institution_tz()
    with job.file.open("rb") as handle:
        data = handle.read()
    table = tables.read_revoke_table(data, job.file_name)
    if not table.ok:
        BulkJob.objects.filter(pk=job.pk, status__in=CHECKABLE).update(
            status=BulkJob.Status.REFUSED, refusal=table.error, validated_at=now
        )
        job.refresh_from_db()
        return job
    pairs = [
        (row.get("credential", ""), row.get("verification_code", ""))
        for row in table.rows
    ]
    found = lookup((value for pair in pairs for value in pair if value), tz=tz)
    decisions = revoke_policies.decide_rows(pairs, lookup=found, lines=table.lines)
    summary = revoke_policies.summarise(decisions)
    report = _report(table.rows, decisions)
    columns = tables.revoke_report_columns(table.columns)
    with transaction.atomic():
        job = BulkJob.objects.select_for_update().get(pk=job.pk)
        if job.status not in CHECKABLE:
            return job
        BulkRow.objects.filter(job=job).delete()
        BulkRow.objects.bulk_create(
            services.chunked(_row(job, decision) for decision in decisions),
            batch_size=services.ROW_BATCH,
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
        job.refusal = ""
        job.file_format = table.file_format
        job.notes = [str(note) for note in table.notes]
        job.total_rows = summary.total
        job.will_issue = 0
        job.will_revoke = summary.revoke
        job.will_skip = summary.skip
        job.errors = summary.error
        job.validated_at = now
        job.save()
    return job


def revoke_rows(job: BulkJob, rows: list[BulkRow], *, now: dt.datetime) -> None:
    """Revoke the credentials of one chunk's waiting rows, in one call (each
    status list re-signed once), and record what happened to each row.

    All in one transaction: a worker that dies before it commits leaves the
    rows waiting and nothing revoked, so the chunk is simply done again. A
    credential found revoked or superseded by then is a skip with the reason;
    one revoked by this job already (a redone chunk whose rows were left
    waiting) counts as this job's.
    """
    from credentials.models import Credential
    from credentials.services import credentials_revoke

    tz = institution_tz()
    with transaction.atomic():
        rows = list(
            BulkRow.objects.select_for_update()
            .filter(pk__in=[row.pk for row in rows], state="pending")
            .order_by("pk")
        )
        if not rows:
            return
        ids = {row.credential_id for row in rows if row.credential_id}
        existing = set(
            Credential.objects.filter(pk__in=ids).values_list("pk", flat=True)
        )
        revoked = {
            credential.pk
            for credential in credentials_revoke(
                credential_ids=sorted(existing, key=str),
                actor=job.started_by,
                reason=job.reason,
                now=now,
            )
        }
        others = {
            values["pk"]: values
            for values in Credential.objects.filter(pk__in=existing - revoked).values(
                "pk", "status", "revoked_at", "revoked_by_id", "revocation_reason"
            )
        }
        counts = {"revoked": 0, "skipped": 0, "failed": 0}
        for row in rows:
            state, message = _outcome(
                row, job=job, revoked=revoked, others=others, tz=tz
            )
            row.state = state
            row.run_message = message
            counts[state] += 1
        BulkRow.objects.bulk_update(
            rows, ["state", "run_message"], batch_size=services.ROW_BATCH
        )
        BulkJob.objects.filter(pk=job.pk).update(
            revoked=models.F("revoked") + counts["revoked"],
            skipped=models.F("skipped") + counts["skipped"],
            failed=models.F("failed") + counts["failed"],
        )


def _outcome(
    row: BulkRow, *, job: BulkJob, revoked: set, others: dict, tz
) -> tuple[str, str]:
    """What the run did to one row: ("revoked" | "skipped" | "failed", why)."""
    if row.credential_id in revoked:
        return "revoked", ""
    values = others.get(row.credential_id)
    if values is None:
        return "failed", _("The credential no longer exists; nothing was revoked.")
    if values["status"] == revoke_policies.SUPERSEDED:
        return "skipped", _(
            "Superseded by a corrected credential since the dry run; not revoked."
        )
    revoked_at = values["revoked_at"]
    ours = (
        revoked_at is not None
        and job.started_at is not None
        and revoked_at >= job.started_at
        and values["revoked_by_id"] == job.started_by_id
        and values["revocation_reason"] == job.reason
    )
    if ours:
        return "revoked", ""
    if revoked_at is None:
        return "skipped", _("Already revoked since the dry run; nothing changed.")
    return "skipped", _(
        "Already revoked on %(date)s by someone else since the dry run; "
        "nothing changed."
    ) % {"date": revoked_at.astimezone(tz).date().isoformat()}
