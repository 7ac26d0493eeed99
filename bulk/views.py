"""The registrar's bulk issuance pages: the jobs, a new job from a file (its
columns documented, a template to download), and a job's dry run with its
annotated report.

Only the registrar's office (and superusers) may use them: anyone else signed
in gets a 403, an unknown job a 404. A refusal from the service shows the form
again with a 422 and nothing stored; nothing is a 500. A checked job is run
from its page, which then shows its progress (polled) and, once it is done,
its counts and the result file; a refused start or cancel is a message on the
page and nothing changed.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import (
    require_GET,
    require_http_methods,
    require_POST,
)

from courses.policies import PolicyError
from courses.services import institution_tz
from microcred.downloads import private_file
from microcred.roles import is_registrar

from . import policies, selectors, services, tables
from .forms import ACCEPT, CohortForm, UploadForm
from .models import BulkJob, BulkRow

PAGE_SIZE = 50
POLL_SECONDS = 2
SHOWN_ERRORS = 100
SHOWN_SKIPS = 20

REPORT_TYPES = {"csv": tables.CSV_TYPE, "xlsx": tables.XLSX_TYPE}
TEMPLATE_NAME = "bulk-issuance-template"
RUNNING = (BulkJob.Status.PENDING, BulkJob.Status.RUNNING)
FINISHED = (
    BulkJob.Status.COMPLETED,
    BulkJob.Status.COMPLETED_WITH_ERRORS,
    BulkJob.Status.CANCELLED,
)


# --- who may see what -------------------------------------------------------------


def require_registrar(request: HttpRequest) -> None:
    """The registrar's office and superusers; anyone else is a 403."""
    if not is_registrar(request.user):
        raise PermissionDenied


def _job(request: HttpRequest, public_id: uuid.UUID) -> BulkJob:
    require_registrar(request)
    job = selectors.bulk_job(public_id)
    if job is None:
        raise Http404(_("This bulk job does not exist."))
    return job


def _rows(job: BulkJob, outcome: str) -> QuerySet[BulkRow]:
    return BulkRow.objects.filter(job=job, outcome=outcome).order_by("line")


def attachment(content: bytes, *, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=filename
    )
    return response


# --- the jobs ---------------------------------------------------------------------


@require_GET
@login_required
def jobs(request: HttpRequest) -> HttpResponse:
    """Every bulk job, newest first, 50 a page."""
    require_registrar(request)
    page = Paginator(selectors.registrar_jobs(), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "bulk/jobs.html", {"page": page})


# --- a new job from a file --------------------------------------------------------


def _new_page(
    request: HttpRequest, form: UploadForm, *, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "bulk/new.html",
        {"form": form, "columns": policies.COLUMNS, "accept": ACCEPT},
        status=status,
    )


@require_http_methods(["GET", "POST"])
@login_required
def new(request: HttpRequest) -> HttpResponse:
    """The upload form; a good file becomes a job whose dry run is queued."""
    require_registrar(request)
    if request.method != "POST":
        return _new_page(request, UploadForm())
    form = UploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            job = services.job_create_from_file(
                actor=request.user,
                upload=form.cleaned_data["file"],
                notify_recipients=form.cleaned_data["notify_recipients"],
            )
        except PolicyError as refusal:
            form.add_error("file", str(refusal))
        else:
            return redirect("bulk:job", public_id=job.public_id)
    return _new_page(request, form, status=422)


@require_GET
@login_required
def template_csv(request: HttpRequest) -> HttpResponse:
    require_registrar(request)
    return attachment(
        tables.template_csv(),
        filename=f"{TEMPLATE_NAME}.csv",
        content_type=tables.CSV_TYPE,
    )


@require_GET
@login_required
def template_xlsx(request: HttpRequest) -> HttpResponse:
    require_registrar(request)
    return attachment(
        tables.template_xlsx(),
        filename=f"{TEMPLATE_NAME}.xlsx",
        content_type=tables.XLSX_TYPE,
    )


@require_GET
@login_required
def sample_csv(request: HttpRequest) -> HttpResponse:
    """A file to try the dry run with: rows that issue, dated from today, and
    rows with errors, on achievements that exist here."""
    require_registrar(request)
    tz = institution_tz()
    today = timezone.now().astimezone(tz).date()
    month_ago = today - dt.timedelta(days=30)
    codes = [
        code
        for code, facts in selectors.achievement_facts(tz=tz).items()
        if facts.available_from <= month_ago
    ]
    if not codes:
        messages.info(
            request,
            _("A sample needs an achievement published a month ago or more."),
        )
        return redirect("bulk:new")
    content = tables.write_csv(tables.sample_rows(codes, today), policies.COLUMN_NAMES)
    return attachment(
        content, filename="bulk-issuance-sample.csv", content_type=tables.CSV_TYPE
    )


# --- one job ----------------------------------------------------------------------


def _percent(part: int, total: int) -> str:
    """A share for a CSS width: never localised ("12.50", not "12,50")."""
    return f"{100 * part / total:.2f}" if total else "0"


def _time_left(seconds: int) -> str:
    if seconds < 90:
        return ngettext("about %(n)s second", "about %(n)s seconds", seconds) % {
            "n": seconds
        }
    minutes = -(-seconds // 60)
    return ngettext("about %(n)s minute", "about %(n)s minutes", minutes) % {
        "n": minutes
    }


def _pace(total: int, done: int, started_at) -> dict[str, Any]:
    """Done out of total, the share, the rate since ``started_at`` and the
    time left at that rate."""
    percent, rate, seconds_left = policies.progress(
        total, done, started_at, timezone.now()
    )
    return {
        "done": done,
        "total": total,
        "percent": percent,
        "rate": rate,
        "time_left": None if seconds_left is None else _time_left(seconds_left),
    }


def _progress(job: BulkJob) -> dict[str, Any]:
    """How far a waiting or running job is: rows issued (or revoked) or found
    done already since it started, out of the rows it acts on."""
    total = job.will_revoke if job.kind == BulkJob.Kind.REVOKE else job.will_issue
    skipped = max(0, job.skipped - job.will_skip)
    done = min(job.issued + job.revoked + skipped + job.failed, total)
    return _pace(total, done, job.started_at) | {"skipped": skipped}


def _pdf_progress(job: BulkJob) -> dict[str, Any]:
    """How far the certificates of a finished issue job are."""
    total = BulkRow.objects.filter(job=job, state="issued").count()
    done = total if job.pdfs_finished_at else services.pdfs_rendered(job)
    return _pace(total, done, job.pdfs_started_at)


def _job_context(job: BulkJob) -> dict[str, Any]:
    finished = job.status in FINISHED
    making_files = bool(finished and job.pdfs_started_at and not job.archive_built_at)
    context: dict[str, Any] = {
        "job": job,
        "poll": job.status == BulkJob.Status.VALIDATING
        or job.status in RUNNING
        or making_files,
        "poll_seconds": POLL_SECONDS,
        "running": job.status in RUNNING,
        "finished": finished,
        "revoke": job.kind == BulkJob.Kind.REVOKE,
    }
    if job.status in RUNNING:
        context["progress"] = _progress(job)
    if finished and job.pdfs_started_at:
        context["pdfs"] = _pdf_progress(job)
    if job.status == BulkJob.Status.VALIDATED:
        acting = job.will_revoke if job.kind == BulkJob.Kind.REVOKE else job.will_issue
        acting_outcome = (
            BulkRow.Outcome.REVOKE
            if job.kind == BulkJob.Kind.REVOKE
            else BulkRow.Outcome.ISSUE
        )
        context.update(
            shares={
                "issue": _percent(acting, job.total_rows),
                "skip": _percent(job.will_skip, job.total_rows),
                "error": _percent(job.errors, job.total_rows),
            },
            acting=acting,
            acting_outcome=acting_outcome,
            error_rows=list(
                _rows(job, BulkRow.Outcome.ERROR).only("line", "message")[:SHOWN_ERRORS]
            ),
            skip_rows=list(
                _rows(job, BulkRow.Outcome.SKIP).only(
                    "line", "email", "achievement_code", "reference", "message"
                )[:SHOWN_SKIPS]
            ),
            shown_errors=SHOWN_ERRORS,
            shown_skips=SHOWN_SKIPS,
        )
    return context


@require_GET
@login_required
def job_page(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    job = _job(request, public_id)
    return render(request, "bulk/job.html", _job_context(job))


@never_cache
@require_GET
@login_required
def job_status(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """The job's body, polled while the rows are checked and while the job
    runs; once either is done, the result replaces the poll and the status line
    announces it."""
    job = _job(request, public_id)
    context = _job_context(job)
    context["announce"] = not context["poll"]
    return render(request, "bulk/_job_body.html", context)


@require_GET
@login_required
def report(request: HttpRequest, public_id: uuid.UUID) -> FileResponse:
    """The annotated dry-run file (``?format=csv`` or ``xlsx``): each row of the
    upload with its line, outcome and message."""
    job = _job(request, public_id)
    file_format = request.GET.get("format", "csv")
    if file_format not in REPORT_TYPES:
        raise Http404(_("The report comes as CSV or XLSX."))
    stored = job.report_csv if file_format == "csv" else job.report_xlsx
    if not stored:
        raise Http404(_("This job has no dry-run report."))
    return private_file(
        request,
        stored,
        filename=f"{job.file_stem}-dry-run.{file_format}",
        content_type=REPORT_TYPES[file_format],
    )


# --- running a job ----------------------------------------------------------------


@require_POST
@login_required
def start(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """Run a checked job: its rows are issued in chunks, its page shows how far
    it is. A job that is not ready (or already started) stays as it is."""
    job = _job(request, public_id)
    try:
        job = services.job_start(actor=request.user, job_id=job.pk)
    except PolicyError as refusal:
        messages.error(request, str(refusal))
    else:
        job.refresh_from_db(fields=["status"])
        if job.status in FINISHED:  # run in this request (no worker)
            messages.success(request, _("The job has run: its result is below."))
        else:
            messages.success(
                request, _("The job is running: this page shows how far it is.")
            )
    return redirect("bulk:job", public_id=job.public_id)


@require_POST
@login_required
def cancel(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """Stop a waiting or running job after the chunk it is working on."""
    job = _job(request, public_id)
    try:
        services.job_cancel(actor=request.user, job_id=job.pk)
    except PolicyError as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(
            request,
            _(
                "The job stops after the current chunk; the credentials issued "
                "so far stay issued."
            ),
        )
    return redirect("bulk:job", public_id=job.public_id)


@require_GET
@login_required
def result(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """A finished job's result (``?format=csv`` or ``xlsx``): each row with its
    outcome, what the run did, its credential and where to verify it."""
    job = _job(request, public_id)
    file_format = request.GET.get("format", "csv")
    if file_format not in REPORT_TYPES:
        raise Http404(_("The result comes as CSV or XLSX."))
    if job.status not in FINISHED:
        raise Http404(_("This job has no result yet."))
    stem = job.file_stem
    if file_format == "csv" and job.result_csv:
        return private_file(
            request,
            job.result_csv,
            filename=f"{stem}-result.csv",
            content_type=tables.CSV_TYPE,
        )
    rows = services.result_rows(job)
    if file_format == "csv":
        content = tables.write_csv(rows, services.RESULT_COLUMNS)
    else:
        content = tables.write_xlsx(rows, services.RESULT_COLUMNS, sheet_title="Result")
    response = attachment(
        content,
        filename=f"{stem}-result.{file_format}",
        content_type=REPORT_TYPES[file_format],
    )
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
@login_required
def archive(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """The ZIP of the job's certificates with its manifest; a download that
    broke off resumes where it stopped (byte ranges)."""
    job = _job(request, public_id)
    if not job.archive:
        raise Http404(_("The certificates' archive is not ready yet."))
    return private_file(
        request,
        job.archive,
        filename=os.path.basename(job.archive.name),
        content_type="application/zip",
    )


# --- the cohort source --------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def cohort(request: HttpRequest) -> HttpResponse:
    """Offerings whose completed learners hold no credential yet; one button
    each checks them as a job (its dry run)."""
    require_registrar(request)
    form = CohortForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = services.job_create_from_offering(
                actor=request.user,
                offering_id=form.cleaned_data["offering"],
                notify_recipients=form.cleaned_data["notify_recipients"],
            )
        except PolicyError as refusal:
            form.add_error(None, str(refusal))
        else:
            return redirect("bulk:job", public_id=job.public_id)
    offerings = list(selectors.cohort_offerings())
    return render(
        request,
        "bulk/cohort.html",
        {"offerings": offerings, "form": form},
        status=422 if form.errors else 200,
    )
