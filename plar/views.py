"""The learner's PLAR pages: ask to challenge a microcredential, write a
statement per learning outcome (autosaved), add evidence, submit with a
declaration, follow the status, appeal, and register for the full course when
the PLAR route is over.

Each view parses the request, checks whose request it is (anyone else's is a
404), calls one service or selector and renders. Refusals from the services
(``PlarRefused``, ``PolicyError``) are shown as messages or as the form again
with a 422; nothing is a 500.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from assessments import selectors as assessment_selectors
from assessments.models import Attempt
from courses import selectors as course_selectors
from courses.models import Enrolment, Microcredential
from courses.policies import PolicyError

from . import evidence_files, policies, selectors, services
from .forms import AppealForm, EvidenceForm, OfferingForm, StatementForm, SubmitForm
from .models import Appeal, PlarRequest

STATUS_POLL_SECONDS = 45


def _own_request(request: HttpRequest, request_id: int) -> PlarRequest:
    """The signed-in learner's request with what its pages show; else a 404."""
    plar_request = selectors.learner_request(request.user, request_id)
    if plar_request is None:
        raise Http404(_("This PLAR request does not exist or is not yours."))
    return plar_request


def _not_found_or(refusal: PolicyError) -> None:
    """Someone else's request (or evidence) is a 404, as for a GET."""
    if getattr(refusal, "code", "") == "not_found":
        raise Http404(str(refusal))


def _request_url(plar_request_id: int, anchor: str = "") -> str:
    url = reverse("plar:request", kwargs={"request_id": plar_request_id})
    return f"{url}#{anchor}" if anchor else url


# --- my requests and starting one ---------------------------------------------------


@require_GET
@login_required
def my_requests(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "plar/mine.html",
        {"plar_requests": list(selectors.learner_requests(request.user))},
    )


def _refusal_link(
    refusal: policies.PlarRefused, learner, course: Microcredential
) -> dict[str, str] | None:
    """Where a refused learner goes next: their open request, their
    credentials, their learning or the course page."""
    if refusal.code == "open_request":
        existing = selectors.open_request(learner, course)
        if existing is not None:
            return {
                "url": _request_url(existing.pk),
                "text": _("Continue your PLAR request"),
            }
    if refusal.code == "completed":
        return {"url": reverse("credentials:mine"), "text": _("Go to My credentials")}
    if refusal.code == "enrolled":
        return {"url": reverse("courses:dashboard"), "text": _("Go to My learning")}
    return {"url": course.get_absolute_url(), "text": _("Back to the course page")}


def _start_context(
    request: HttpRequest, course: Microcredential, refusal: policies.PlarRefused | None
) -> dict[str, Any]:
    rules = course.window_rules
    return {
        "course": course,
        "outcomes": list(course.outcomes.all()),
        "refusal": refusal,
        "refusal_link": (
            _refusal_link(refusal, request.user, course) if refusal else None
        ),
        "window_days": course.plar_window_days,
        "attempt_1_days": max(course.plar_window_days - rules.reserved_days, 0),
        "feedback_days": rules.feedback_turnaround_days,
        "resubmission_days": rules.resubmission_days,
        "accepted_types": evidence_files.accepted_extensions(),
        "max_file_mb": evidence_files.MAX_FILE_MB,
    }


@require_http_methods(["GET", "POST"])
@login_required
def request_start(request: HttpRequest, slug: str) -> HttpResponse:
    """GET: what a PLAR challenge of this course involves, and whether the
    learner may start one. POST: start it (or return to the open one)."""
    course = get_object_or_404(Microcredential.objects.published(), slug=slug)
    if request.method == "POST":
        try:
            plar_request = services.request_start(
                learner=request.user, course_id=course.pk
            )
        except PolicyError as refusal:
            if not isinstance(refusal, policies.PlarRefused):
                refusal = policies.PlarRefused(str(refusal), code="refused")
            return render(
                request,
                "plar/start.html",
                _start_context(request, course, refusal),
                status=422,
            )
        return redirect("plar:request", request_id=plar_request.pk)
    facts = selectors.request_facts(request.user, course, now=timezone.now())
    refusal = policies.request_refusal(facts)
    return render(request, "plar/start.html", _start_context(request, course, refusal))


# --- one request: the form while editable, the status page after ------------------


def _statement_rows(
    plar_request: PlarRequest,
    typed: dict[int, str] | None = None,
    errors: dict[int, str] | None = None,
) -> list[dict[str, Any]]:
    """Each outcome's statement; ``typed`` holds text the server refused to
    save, shown again with its ``errors`` so that nothing typed is lost."""
    typed, errors = typed or {}, errors or {}
    rows = []
    for statement in plar_request.statements.all():
        rows.append(
            {
                "statement": statement,
                "outcome": statement.outcome,
                "text": typed.get(statement.outcome_id, statement.text),
                "saved": bool(statement.text.strip()),
                "error": errors.get(statement.outcome_id, ""),
            }
        )
    return rows


def _last_reason(plar_request: PlarRequest, status: str) -> str:
    """The reason given with the latest change to ``status``."""
    reason = ""
    for event in plar_request.events.all():
        if event.to_status == status:
            reason = event.reason
    return reason


def _edit_context(
    plar_request: PlarRequest,
    *,
    evidence_form: EvidenceForm | None = None,
    typed: dict[int, str] | None = None,
    statement_error: dict[int, str] | None = None,
) -> dict[str, Any]:
    return {
        "plar_request": plar_request,
        "course": plar_request.microcredential,
        "statements": _statement_rows(plar_request, typed, statement_error),
        "evidence": list(plar_request.evidence.all()),
        "evidence_form": evidence_form or EvidenceForm(),
        "max_evidence": services.MAX_EVIDENCE_ITEMS,
        "accepted_types": evidence_files.accepted_extensions(),
        "accept_attribute": ",".join(evidence_files.accepted_extensions()),
        "max_file_mb": evidence_files.MAX_FILE_MB,
        "more_info_reason": _last_reason(plar_request, policies.Status.MORE_INFO),
        "max_statement_length": services.MAX_STATEMENT_LENGTH,
    }


def _appeal_refusal(
    plar_request: PlarRequest, appeals: list[Appeal], attempt: Attempt | None = None
) -> policies.PlarRefused | None:
    """Why this decision (or this attempt's result) may not be appealed now."""
    return policies.appeal_refusal(
        selectors.appeal_facts(plar_request, attempt, appeals=appeals)
    )


def _status_context(
    plar_request: PlarRequest, *, now: dt.datetime | None = None
) -> dict[str, Any]:
    """Everything the status block shows: the status and its reason, every
    date that applies, the history, the appeals and the next step."""
    now = now or timezone.now()
    course = plar_request.microcredential
    enrolment = plar_request.enrolment
    appeals = list(plar_request.appeals.all())
    decision = None
    route_ended = False
    attempts: list[Attempt] = []
    if enrolment is not None:
        attempts = selectors.route_attempts(plar_request)
        if enrolment.status == Enrolment.Status.ENDED:
            route_ended = True
        elif enrolment.status == Enrolment.Status.ACTIVE:
            assessment = assessment_selectors.summative_for_course(course.pk)
            if assessment is not None:
                decision = assessment_selectors.summative_decision(
                    enrolment, assessment, now=now
                )
                route_ended = selectors.route_over(decision)
    passed = enrolment is not None and enrolment.status == Enrolment.Status.COMPLETED
    declined = plar_request.status == policies.Status.DECLINED
    appealable_attempts = [
        attempt
        for attempt in attempts
        if attempt.status == Attempt.Status.RELEASED
        and _appeal_refusal(plar_request, appeals, attempt) is None
    ]
    offer_full_course = (route_ended or declined) and not passed
    other_enrolment = None
    offerings = []
    if offer_full_course:
        other_enrolment = assessment_selectors.active_enrolment(
            plar_request.learner, course.pk
        )
        if enrolment is not None and other_enrolment == enrolment:
            other_enrolment = None  # the PLAR route itself, still active
        if other_enrolment is None:
            offerings = course_selectors.open_offerings(course, now=now)
    final = plar_request.status == policies.Status.WITHDRAWN or passed
    context = {
        "plar_request": plar_request,
        "course": course,
        "enrolment": enrolment,
        "events": list(plar_request.events.all()),
        "appeals": appeals,
        "decision": decision,
        "attempts": attempts,
        "passed": passed,
        "route_ended": route_ended,
        "route_open": (
            enrolment is not None
            and enrolment.status == Enrolment.Status.ACTIVE
            and not route_ended
        ),
        "may_appeal_decision": declined
        and _appeal_refusal(plar_request, appeals) is None,
        "appealable_attempts": appealable_attempts,
        "offer_full_course": offer_full_course,
        "full_course_enrolment": other_enrolment,
        "offerings": offerings,
        "more_info_reason": _last_reason(plar_request, policies.Status.MORE_INFO),
        "poll": not final,
        "poll_seconds": STATUS_POLL_SECONDS,
    }
    context["version"] = _status_version(context)
    return context


def _status_version(context: dict[str, Any]) -> str:
    """A fingerprint of what the status block shows, so that the page's poll
    gets "nothing new" (204) and the block, and the focus in it, stay put."""
    plar_request, enrolment = context["plar_request"], context["enrolment"]
    decision = context["decision"]
    parts = (
        plar_request.status,
        plar_request.updated_at.isoformat(),
        len(context["events"]),
        enrolment
        and (
            enrolment.status,
            enrolment.summative_due_at.isoformat(),
            enrolment.ends_at.isoformat(),
        ),
        decision and (decision.state, decision.attempt_number),
        [(appeal.pk, appeal.status) for appeal in context["appeals"]],
        [(attempt.pk, attempt.status) for attempt in context["attempts"]],
        [offering.pk for offering in context["offerings"]],
        context["full_course_enrolment"] and context["full_course_enrolment"].pk,
    )
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:16]


@require_GET
@login_required
def request_page(request: HttpRequest, request_id: int) -> HttpResponse:
    plar_request = _own_request(request, request_id)
    if plar_request.is_editable:
        return render(request, "plar/request_edit.html", _edit_context(plar_request))
    context = _status_context(plar_request) | {
        "statements": _statement_rows(plar_request),
        "evidence": list(plar_request.evidence.all()),
    }
    return render(request, "plar/request_status.html", context)


@require_GET
def request_status(request: HttpRequest, request_id: int) -> HttpResponse:
    """The status block alone, for the page's htmx poll: 204 when nothing
    changed since the version the page shows."""
    if not request.user.is_authenticated:
        if request.htmx:
            return HttpResponse(status=204)  # signed out: leave the page as it is
        return redirect_to_login(request.get_full_path())
    plar_request = _own_request(request, request_id)
    context = _status_context(plar_request)
    if request.GET.get("v") == context["version"]:
        return HttpResponse(status=204)
    return render(
        request, "plar/_status.html", context | {"announce": bool(request.htmx)}
    )


# --- statements and evidence --------------------------------------------------------


@require_POST
@login_required
def statement_save(
    request: HttpRequest, request_id: int, outcome_id: int
) -> HttpResponse:
    """Autosave one statement (htmx), or save it from the plain form."""
    form = StatementForm(request.POST)
    text = form.cleaned_data["text"] if form.is_valid() else ""
    try:
        statement = services.statement_save(
            learner=request.user,
            request_id=request_id,
            outcome_id=outcome_id,
            text=text,
        )
    except PolicyError as refusal:
        _not_found_or(refusal)
        if request.htmx:
            return render(
                request,
                "plar/_saved_state.html",
                {"error": str(refusal)},
                status=422,
            )
        messages.error(request, str(refusal))
        plar_request = _own_request(request, request_id)
        if not plar_request.is_editable:
            return redirect(_request_url(plar_request.pk))
        return render(
            request,
            "plar/request_edit.html",
            _edit_context(
                plar_request,
                typed={outcome_id: text},
                statement_error={outcome_id: str(refusal)},
            ),
            status=422,
        )
    if request.htmx:
        return render(
            request, "plar/_saved_state.html", {"saved_at": statement.saved_at}
        )
    messages.success(request, _("Your statement is saved."))
    return redirect(_request_url(request_id, f"outcome-{outcome_id}"))


@require_POST
@login_required
def evidence_add(request: HttpRequest, request_id: int) -> HttpResponse:
    plar_request = _own_request(request, request_id)
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if data["file"]:
                evidence = services.evidence_add_file(
                    learner=request.user,
                    request_id=plar_request.pk,
                    upload=data["file"],
                    title=data["title"],
                )
            else:
                evidence = services.evidence_add_link(
                    learner=request.user,
                    request_id=plar_request.pk,
                    url=data["url"],
                    title=data["title"],
                )
        except PolicyError as refusal:
            _not_found_or(refusal)
            code = getattr(refusal, "code", "")
            form.add_error("url" if code == "bad_url" else "file", str(refusal))
        else:
            messages.success(
                request,
                _("“%(title)s” is added to your evidence.") % {"title": evidence.title},
            )
            return redirect(_request_url(plar_request.pk, "evidence"))
    if not plar_request.is_editable:
        messages.error(request, form.first_error())
        return redirect(_request_url(plar_request.pk))
    return render(
        request,
        "plar/request_edit.html",
        _edit_context(plar_request, evidence_form=form),
        status=422,
    )


@require_POST
@login_required
def evidence_remove(
    request: HttpRequest, request_id: int, evidence_id: int
) -> HttpResponse:
    try:
        services.evidence_remove(
            learner=request.user, request_id=request_id, evidence_id=evidence_id
        )
    except PolicyError as refusal:
        _not_found_or(refusal)
        messages.error(request, str(refusal))
        return redirect(_request_url(request_id))
    messages.success(request, _("The evidence is removed."))
    return redirect(_request_url(request_id, "evidence"))


@require_GET
@login_required
def evidence_file(
    request: HttpRequest, request_id: int, evidence_id: int
) -> HttpResponse:
    """An evidence file, only to the candidate and to reviewers of the course
    (and to them only once the request is submitted)."""
    plar_request = selectors.learner_request(request.user, request_id)
    if plar_request is None:
        plar_request = selectors.request_for_review(request.user, request_id)
    if plar_request is None:
        raise Http404
    evidence = next(
        (item for item in plar_request.evidence.all() if item.pk == evidence_id), None
    )
    if evidence is None or not evidence.file:
        raise Http404(_("This piece of evidence has no file."))
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError:
        raise Http404(_("The file is no longer available.")) from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=evidence.original_name or "evidence",
    )
    response["Cache-Control"] = "private, no-store"
    return response


# --- submit, withdraw, appeal, register for the full course ------------------------


def _submit_context(
    plar_request: PlarRequest, form: SubmitForm | None = None
) -> dict[str, Any]:
    statements = _statement_rows(plar_request)
    evidence = list(plar_request.evidence.all())
    return {
        "plar_request": plar_request,
        "course": plar_request.microcredential,
        "statements": statements,
        "evidence": evidence,
        "problems": services.submission_problems(plar_request),
        "missing": [row for row in statements if not row["saved"]],
        "no_evidence": not evidence,
        "form": form or SubmitForm(),
    }


@require_http_methods(["GET", "POST"])
@login_required
def submit(request: HttpRequest, request_id: int) -> HttpResponse:
    """GET: the confirm step (a summary, what is missing, the declaration).
    POST: submit, or resubmit after more information was asked for."""
    plar_request = _own_request(request, request_id)
    if not plar_request.is_editable:
        messages.info(
            request,
            _("This request is “%(status)s”; there is nothing to submit.")
            % {"status": plar_request.get_status_display()},
        )
        return redirect(_request_url(plar_request.pk))
    if request.method == "GET":
        return render(request, "plar/submit.html", _submit_context(plar_request))
    form = SubmitForm(request.POST)
    if not form.is_valid():
        return render(
            request, "plar/submit.html", _submit_context(plar_request, form), status=422
        )
    try:
        services.request_submit(
            learner=request.user, request_id=plar_request.pk, declaration=True
        )
    except PolicyError as refusal:
        _not_found_or(refusal)
        messages.error(request, str(refusal))
        return render(
            request, "plar/submit.html", _submit_context(plar_request, form), status=422
        )
    messages.success(
        request,
        _(
            "Your request is submitted. A reviewer will read it; you will get an "
            "e-mail at each step, and this page shows where it stands."
        ),
    )
    return redirect(_request_url(plar_request.pk))


@require_POST
@login_required
def withdraw(request: HttpRequest, request_id: int) -> HttpResponse:
    try:
        services.request_withdraw(learner=request.user, request_id=request_id)
    except PolicyError as refusal:
        _not_found_or(refusal)
        messages.error(request, str(refusal))
        return redirect(_request_url(request_id))
    messages.success(request, _("Your request is withdrawn."))
    return redirect("plar:mine")


def _appeal_context(
    plar_request: PlarRequest, attempt: Attempt | None, form: AppealForm
) -> dict[str, Any]:
    appeals = list(plar_request.appeals.all())
    return {
        "plar_request": plar_request,
        "course": plar_request.microcredential,
        "attempt": attempt,
        "form": form,
        "refusal": _appeal_refusal(plar_request, appeals, attempt),
    }


@require_http_methods(["GET", "POST"])
@login_required
def appeal(request: HttpRequest, request_id: int) -> HttpResponse:
    """Appeal a declined request, or (``attempt_id``) a failed PLAR result."""
    plar_request = _own_request(request, request_id)
    data = request.POST if request.method == "POST" else None
    raw_attempt = (data or request.GET).get("attempt_id", "")
    attempt = None
    if raw_attempt:
        attempt = selectors.plar_attempt(plar_request, raw_attempt)
        if attempt is None:
            raise Http404(_("This attempt is not part of your PLAR route."))
    initial = {"attempt_id": attempt.pk if attempt else None}
    form = AppealForm(data, initial=initial)
    if request.method == "GET":
        return render(
            request, "plar/appeal.html", _appeal_context(plar_request, attempt, form)
        )
    if form.is_valid():
        try:
            services.appeal_submit(
                learner=request.user,
                request_id=plar_request.pk,
                reason=form.cleaned_data["reason"],
                attempt_id=attempt.pk if attempt else None,
            )
        except PolicyError as refusal:
            _not_found_or(refusal)
            form.add_error("reason", str(refusal))
        else:
            messages.success(
                request,
                _(
                    "Your appeal is submitted. A reviewer who took no part in the "
                    "decision will decide it; you will get an e-mail."
                ),
            )
            return redirect(_request_url(plar_request.pk, "appeals"))
    return render(
        request,
        "plar/appeal.html",
        _appeal_context(plar_request, attempt, form),
        status=422,
    )


@require_POST
@login_required
def full_course_register(request: HttpRequest, request_id: int) -> HttpResponse:
    """One click after a PLAR route that cannot pass (or a decline): register
    for one of the course's open offerings."""
    plar_request = _own_request(request, request_id)
    form = OfferingForm(request.POST)
    course = plar_request.microcredential
    open_ids = {
        offering.pk
        for offering in course_selectors.open_offerings(course, now=timezone.now())
    }
    if not form.is_valid() or form.cleaned_data["offering_id"] not in open_ids:
        messages.error(
            request,
            form.first_error()
            or _(
                "This offering is not open for registration; choose one of the "
                "course's open offerings."
            ),
        )
        return redirect(_request_url(plar_request.pk, "next-step"))
    try:
        enrolment = services.full_course_register(
            learner=request.user,
            request_id=plar_request.pk,
            offering_id=form.cleaned_data["offering_id"],
        )
    except PolicyError as refusal:
        _not_found_or(refusal)
        messages.error(request, str(refusal))
        return redirect(_request_url(plar_request.pk, "next-step"))
    return redirect("courses:confirmed", enrolment_id=enrolment.pk)
