"""The PLAR review pages of instructors and registrars: the request queue, a
request's review page (start review, decide), the appeals queue and an appeal's
page, and the figures per course.

Each view checks who may see what (a learner is a 403; a request or appeal in a
course the reviewer does not teach is a 404), calls one service or selector and
renders. A refusal from a service is shown on the page again with a 422 and
nothing changed; nothing is a 500.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from courses.policies import PolicyError

from . import policies, selectors, services
from .models import Appeal, PlarRequest
from .staff_forms import (
    AppealDecisionForm,
    AppealFilterForm,
    DecisionForm,
    QueueFilterForm,
)

# --- who may see what -------------------------------------------------------------


def _require_reviewer(request: HttpRequest) -> None:
    """Instructors, registrars and superusers; anyone else (a learner) is a 403."""
    if not selectors.is_reviewer(request.user):
        raise PermissionDenied


def _request_for_review(request: HttpRequest, request_id: int) -> PlarRequest:
    _require_reviewer(request)
    plar_request = selectors.request_for_review(request.user, request_id)
    if plar_request is None:
        raise Http404(_("This PLAR request does not exist or is not in your courses."))
    return plar_request


def _appeal_for_review(request: HttpRequest, appeal_id: int) -> Appeal:
    _require_reviewer(request)
    appeal = selectors.appeal_for_review(request.user, appeal_id)
    if appeal is None:
        raise Http404(_("This appeal does not exist or is not in your courses."))
    return appeal


def _courses(request: HttpRequest) -> list:
    return list(
        selectors.reviewable_courses(request.user)
        .only("pk", "code", "title")
        .order_by("code")
    )


def _chosen_filters(form) -> dict[str, str]:
    """The filters the person chose (none when the form is empty or invalid)."""
    if not form.is_bound or not form.is_valid():
        return {}
    return {name: value for name, value in form.cleaned_data.items() if value}


def _days_since(moment: dt.datetime | None, now: dt.datetime) -> int | None:
    return None if moment is None else max((now - moment).days, 0)


# --- the request queue ------------------------------------------------------------


@require_GET
@login_required
def queue(request: HttpRequest) -> HttpResponse:
    """Requests waiting (submitted, under review, more information requested),
    oldest submission first; ``?course=`` and ``?status=`` narrow it."""
    _require_reviewer(request)
    form = QueueFilterForm(request.GET or None, courses=_courses(request))
    chosen = _chosen_filters(form)
    requests = selectors.review_queue(
        request.user, course_id=chosen.get("course"), status=chosen.get("status")
    )
    now = timezone.now()
    return render(
        request,
        "plar/staff/queue.html",
        {
            "form": form,
            "filtered": bool(chosen),
            "rows": [
                {"request": item, "days_waiting": _days_since(item.submitted_at, now)}
                for item in requests
            ],
            "open_appeals": selectors.appeal_queue(request.user).count(),
        },
    )


# --- one request ------------------------------------------------------------------


def _evidence_rows(
    request: HttpRequest, plar_request: PlarRequest
) -> list[dict[str, Any]]:
    """Each piece of evidence with the full address its link opens, shown as
    the link's text so that the reviewer sees where it goes."""
    rows = []
    for evidence in plar_request.evidence.all():
        if evidence.file:
            href = request.build_absolute_uri(
                reverse(
                    "plar:evidence-file",
                    kwargs={"request_id": plar_request.pk, "evidence_id": evidence.pk},
                )
            )
        else:
            href = evidence.url
        rows.append(
            {"evidence": evidence, "href": href, "is_file": bool(evidence.file)}
        )
    return rows


def _review_context(
    request: HttpRequest,
    plar_request: PlarRequest,
    *,
    form: DecisionForm | None = None,
    error: str = "",
) -> dict[str, Any]:
    course = plar_request.microcredential
    statements = {s.outcome_id: s for s in plar_request.statements.all()}
    outcomes = [
        {"outcome": outcome, "statement": statements.get(outcome.pk)}
        for outcome in course.outcomes.all()
    ]
    status = plar_request.status
    return {
        "plar_request": plar_request,
        "learner": plar_request.learner,
        "course": course,
        "enrolment": plar_request.enrolment,
        "outcomes": outcomes,
        "evidence_rows": _evidence_rows(request, plar_request),
        "events": list(plar_request.events.all()),
        "appeals": list(plar_request.appeals.all()),
        "attempts": selectors.route_attempts(plar_request),
        "may_start": status == policies.Status.SUBMITTED,
        "may_decide": status == policies.Status.UNDER_REVIEW,
        "form": form or DecisionForm(),
        "error": error,
    }


@require_GET
@login_required
def review_page(request: HttpRequest, request_id: int) -> HttpResponse:
    plar_request = _request_for_review(request, request_id)
    return render(
        request, "plar/staff/request.html", _review_context(request, plar_request)
    )


@require_POST
@login_required
def review_start(request: HttpRequest, request_id: int) -> HttpResponse:
    """Take a submitted request into review; the learner sees "under review"."""
    plar_request = _request_for_review(request, request_id)
    try:
        services.review_start(reviewer=request.user, request_id=plar_request.pk)
    except PolicyError as refusal:
        context = _review_context(request, plar_request, error=str(refusal))
        return render(request, "plar/staff/request.html", context, status=422)
    messages.success(
        request,
        _("You are reviewing this request; the learner sees “Under review”."),
    )
    return redirect("plar-staff:request", request_id=plar_request.pk)


DECIDED_MESSAGES = {
    policies.Status.APPROVED: gettext_lazy(
        "The request is approved and the PLAR route is open; the learner is told "
        "its dates."
    ),
    policies.Status.DECLINED: gettext_lazy(
        "The request is declined; the learner is told why."
    ),
    policies.Status.MORE_INFO: gettext_lazy(
        "The learner is asked for more information; the request comes back to this "
        "queue when they resubmit."
    ),
}


@require_POST
@login_required
def decide(request: HttpRequest, request_id: int) -> HttpResponse:
    """Approve, decline or ask for more information, with a reason."""
    plar_request = _request_for_review(request, request_id)
    form = DecisionForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            decided = services.request_decide(
                reviewer=request.user,
                request_id=plar_request.pk,
                decision=form.cleaned_data["decision"],
                reason=form.cleaned_data["reason"],
            )
        except PolicyError as refusal:
            error = str(refusal)
    else:
        error = _("Nothing was decided: check the decision and the reason.")
    if error:
        context = _review_context(request, plar_request, form=form, error=error)
        return render(request, "plar/staff/request.html", context, status=422)
    messages.success(request, str(DECIDED_MESSAGES[policies.Status(decided.status)]))
    return redirect("plar-staff:request", request_id=plar_request.pk)


# --- appeals ----------------------------------------------------------------------


@require_GET
@login_required
def appeal_queue(request: HttpRequest) -> HttpResponse:
    """Appeals waiting for a decision, oldest first."""
    _require_reviewer(request)
    form = AppealFilterForm(request.GET or None, courses=_courses(request))
    chosen = _chosen_filters(form)
    appeals = selectors.appeal_queue(request.user)
    if "course" in chosen:
        appeals = appeals.filter(request__microcredential_id=chosen["course"])
    if "kind" in chosen:
        appeals = appeals.filter(kind=chosen["kind"])
    now = timezone.now()
    return render(
        request,
        "plar/staff/appeals.html",
        {
            "form": form,
            "filtered": bool(chosen),
            "rows": [
                {
                    "appeal": appeal,
                    "days_waiting": _days_since(appeal.submitted_at, now),
                }
                for appeal in appeals
            ],
        },
    )


def _own_part_refusal(request: HttpRequest, appeal: Appeal) -> str:
    """Why this person may not decide the appeal (empty: they may)."""
    if not appeal.is_open or request.user.is_superuser:
        return ""
    refusal = policies.appeal_decider_refusal(
        decider_id=request.user.pk, decided_by_ids=selectors.appealed_deciders(appeal)
    )
    return str(refusal) if refusal else ""


def _appeal_context(
    request: HttpRequest,
    appeal: Appeal,
    *,
    form: AppealDecisionForm | None = None,
    error: str = "",
) -> dict[str, Any]:
    return {
        "appeal": appeal,
        "plar_request": appeal.request,
        "learner": appeal.request.learner,
        "course": appeal.request.microcredential,
        "attempt": appeal.attempt,
        "own_part": _own_part_refusal(request, appeal),
        "form": form or AppealDecisionForm(),
        "error": error,
    }


@require_http_methods(["GET", "POST"])
@login_required
def appeal_page(request: HttpRequest, appeal_id: int) -> HttpResponse:
    """GET: what is appealed and why. POST: grant or refuse, with a reason."""
    appeal = _appeal_for_review(request, appeal_id)
    if request.method == "GET":
        return render(
            request, "plar/staff/appeal.html", _appeal_context(request, appeal)
        )
    form = AppealDecisionForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            decided = services.appeal_decide(
                decider=request.user,
                appeal_id=appeal.pk,
                grant=form.grant,
                reason=form.cleaned_data["reason"],
            )
        except PolicyError as refusal:
            error = str(refusal)
    else:
        error = _("Nothing was decided: check the decision and the reason.")
    if error:
        context = _appeal_context(request, appeal, form=form, error=error)
        return render(request, "plar/staff/appeal.html", context, status=422)
    if decided.status == Appeal.Status.GRANTED:
        message = _("The appeal is granted; the learner is told what happens next.")
    else:
        message = _("The appeal is refused; the learner is told why.")
    messages.success(request, message)
    return redirect("plar-staff:appeal", appeal_id=appeal.pk)


# --- figures ----------------------------------------------------------------------


def _percent(rate: float | None) -> int | None:
    """0.6667 → 67 (half up); None stays None."""
    if rate is None:
        return None
    return int((Decimal(str(rate)) * 100).quantize(Decimal(1), ROUND_HALF_UP))


@require_GET
@login_required
def figures(request: HttpRequest) -> HttpResponse:
    """Requests, approval rate, pass rates on attempts 1 and 2 and the median
    days to a decision, per course."""
    _require_reviewer(request)
    rows = [
        {
            "course": row.course,
            "figures": row.figures,
            "approval_rate": _percent(row.figures.approval_rate),
            "pass_rate_1": _percent(row.figures.pass_rate_attempt_1),
            "pass_rate_2": _percent(row.figures.pass_rate_attempt_2),
        }
        for row in selectors.course_figures(request.user)
    ]
    return render(request, "plar/staff/figures.html", {"rows": rows})
