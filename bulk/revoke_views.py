"""The registrar's bulk revocation pages: a file of credential ids or
verification codes with a reason, and the credential list to pick from (its
filters, 50 a page) with a reason. Either makes a revoke job whose dry run is
queued, and leads to the job's page; nothing is revoked until the job is run
from there.

Only the registrar's office (and superusers) may use them: anyone else
signed in gets a 403. Bad input shows the form again with a 422 and nothing
stored; nothing is a 500.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from courses.policies import PolicyError
from courses.services import institution_tz

from . import revoke_policies, selectors, services, tables
from .forms import ACCEPT
from .models import BulkJob
from .revoke_forms import CredentialFilterForm, RevokeUploadForm, SelectionForm
from .views import PAGE_SIZE, attachment, require_registrar

TEMPLATE_NAME = "bulk-revocation-template"


# --- a revocation from a file -----------------------------------------------------


def _revoke_page(
    request: HttpRequest, form: RevokeUploadForm, *, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "bulk/revoke_new.html",
        {"form": form, "columns": revoke_policies.COLUMNS, "accept": ACCEPT},
        status=status,
    )


@require_http_methods(["GET", "POST"])
@login_required
def revoke_new(request: HttpRequest) -> HttpResponse:
    """The upload form; a good file and a reason become a revoke job whose
    dry run is queued."""
    require_registrar(request)
    if request.method != "POST":
        return _revoke_page(request, RevokeUploadForm())
    form = RevokeUploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            job = services.job_create_from_file(
                actor=request.user,
                upload=form.cleaned_data["file"],
                kind=BulkJob.Kind.REVOKE,
                reason=form.cleaned_data["reason"],
            )
        except PolicyError as refusal:
            form.add_error("file", str(refusal))
        else:
            return redirect("bulk:job", public_id=job.public_id)
    return _revoke_page(request, form, status=422)


@require_GET
@login_required
def revoke_template_csv(request: HttpRequest) -> HttpResponse:
    require_registrar(request)
    return attachment(
        tables.revoke_template_csv(),
        filename=f"{TEMPLATE_NAME}.csv",
        content_type=tables.CSV_TYPE,
    )


# --- a revocation from a selection ------------------------------------------------


def _listing(form: CredentialFilterForm, request: HttpRequest) -> dict[str, Any]:
    """The page of credentials the filters select, or nothing when a filter
    is wrong (a list that silently ignored it could mislead)."""
    if not form.is_valid():
        return {"page": None, "job": None}
    data = form.cleaned_data
    job = None
    if data["job"] is not None:
        job = selectors.bulk_job(data["job"])
        if job is None:
            form.add_error("job", _("No bulk job has this id."))
            return {"page": None, "job": None}
    credentials = selectors.registrar_credentials(
        tz=institution_tz(),
        achievement_id=data["achievement"],
        status=data["status"],
        issued_from=data["issued_from"],
        issued_to=data["issued_to"],
        job=job,
        search=data["q"],
    )
    page = Paginator(credentials, PAGE_SIZE).get_page(request.GET.get("page"))
    return {"page": page, "job": job}


@require_http_methods(["GET", "POST"])
@login_required
def credentials(request: HttpRequest) -> HttpResponse:
    """Every credential, filtered, 50 a page, to tick and revoke with a
    reason: the selection becomes a revoke job (its dry run) and the job's
    page follows."""
    require_registrar(request)
    selection = SelectionForm(request.POST or None)
    if request.method == "POST" and selection.is_valid():
        try:
            job = services.job_create_from_rows(
                actor=request.user,
                rows=[
                    {"credential": str(credential_id)}
                    for credential_id in selection.cleaned_data["credential"]
                ],
                columns=("credential",),
                name="selection.csv",
                source=BulkJob.Source.SELECTION,
                kind=BulkJob.Kind.REVOKE,
                reason=selection.cleaned_data["reason"],
            )
        except PolicyError as refusal:
            selection.add_error(None, str(refusal))
        else:
            return redirect("bulk:job", public_id=job.public_id)
    filters = CredentialFilterForm(
        request.GET, achievements=selectors.revocable_achievements()
    )
    context = _listing(filters, request)
    selected = set()
    if request.method == "POST":
        selected = {str(value) for value in request.POST.getlist("credential")}
    context.update(filters=filters, selection=selection, selected=selected)
    invalid = bool(filters.errors or selection.errors)
    return render(
        request, "bulk/credentials.html", context, status=422 if invalid else 200
    )
