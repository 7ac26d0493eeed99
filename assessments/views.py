"""The assessment pages: the learner's summative overview, attempt and feedback,
the learner's formative checks and diagnostic, and the instructors' grading
queue and grading page.

Each view parses the request, checks who may see what (another learner's
enrolment or attempt, or a course the grader does not teach, is a 404; a
learner on the grading pages is a 403), calls one service or selector and
renders. Refusals from the services are shown as messages; nothing is a 500.
"""

from __future__ import annotations

import os
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from courses.models import Enrolment
from courses.policies import PolicyError
from microcred.roles import is_instructor, is_registrar

from . import selectors, services
from .forms import AnswerForm, ExtraAttemptForm, GradingForm
from .models import Answer, Assessment, Attempt, ExtraAttempt, Item

# --- the learner's side -----------------------------------------------------------


def _own_enrolment(request: HttpRequest, enrolment_id: int) -> Enrolment:
    """The signed-in learner's enrolment; anyone else's is a 404."""
    return get_object_or_404(
        Enrolment.objects.select_related("microcredential"),
        pk=enrolment_id,
        learner=request.user,
    )


def _own_attempt(request: HttpRequest, attempt_id: int) -> Attempt:
    """The signed-in learner's attempt; anyone else's is a 404."""
    attempt = selectors.learner_attempt(request.user, attempt_id)
    if attempt is None:
        raise Http404(_("This attempt does not exist or is not yours."))
    return attempt


def _decision(attempt: Attempt):
    if not attempt.assessment.is_summative:
        return None
    return selectors.summative_decision(attempt.enrolment, attempt.assessment)


def _released_result(attempt: Attempt) -> selectors.AttemptResult | None:
    """The per-outcome result, once the learner may read it."""
    if attempt.status != Attempt.Status.RELEASED:
        return None
    try:
        return selectors.attempt_result(attempt)
    except PolicyError:
        return None


@require_GET
@login_required
def summative_overview(request: HttpRequest, enrolment_id: int) -> HttpResponse:
    enrolment = _own_enrolment(request, enrolment_id)
    assessment = selectors.summative_for_course(enrolment.microcredential_id)
    context: dict[str, Any] = {
        "enrolment": enrolment,
        "course": enrolment.microcredential,
        "assessment": assessment,
    }
    if assessment is not None:
        attempts = list(selectors.learner_attempts(enrolment, assessment))
        context |= {
            "decision": selectors.summative_decision(enrolment, assessment),
            "open_attempt": next(
                (a for a in attempts if a.status == Attempt.Status.IN_PROGRESS), None
            ),
            "past": [
                {"attempt": attempt, "result": _released_result(attempt)}
                for attempt in attempts
                if attempt.status != Attempt.Status.IN_PROGRESS
            ],
            "item_count": _item_count(assessment),
        }
    return render(request, "assessments/summative.html", context)


def _item_count(assessment) -> int:
    """How many questions each attempt has (a draw, or the whole bank)."""
    in_bank = assessment.items.count()
    return min(assessment.draw_count, in_bank) if assessment.draw_count else in_bank


@require_POST
@login_required
def attempt_start(request: HttpRequest, enrolment_id: int) -> HttpResponse:
    """Start attempt N, or continue the open one (a double click starts one)."""
    enrolment = _own_enrolment(request, enrolment_id)
    assessment = selectors.summative_for_course(enrolment.microcredential_id)
    if assessment is None:
        raise Http404(_("This microcredential has no summative assessment yet."))
    try:
        attempt = services.attempt_start(
            learner=request.user, assessment_id=assessment.pk
        )
    except PolicyError as refusal:
        messages.error(request, str(refusal))
        return redirect("assessments:summative", enrolment_id=enrolment.pk)
    return redirect("assessments:attempt", attempt_id=attempt.pk)


def _has_answer(answer: Answer | None) -> bool:
    return bool(
        answer is not None
        and (answer.selected_option_ids or answer.text.strip() or answer.file)
    )


def _questions(
    attempt: Attempt, *, typed: dict[int, str] | None = None
) -> list[dict[str, Any]]:
    """The attempt's items in order, each with the learner's saved answer.

    ``typed`` holds text the server refused to save, shown again so that
    nothing the learner typed is lost.
    """
    items = selectors.attempt_items(attempt)
    answers = selectors.attempt_answers(attempt)
    questions = []
    for number, item in enumerate(items, start=1):
        answer = answers.get(item.pk)
        text = answer.text if answer is not None else ""
        if typed and item.pk in typed:
            text = typed[item.pk]
        questions.append(
            {
                "number": number,
                "item": item,
                "answer": answer,
                "answered": _has_answer(answer),
                "chosen": set(answer.selected_option_ids) if answer else set(),
                "text": text,
                "file_types": services.allowed_extensions(item),
            }
        )
    return questions


def _attempt_context(attempt: Attempt, **kwargs: Any) -> dict[str, Any]:
    decision = _decision(attempt)
    questions = _questions(attempt, **kwargs)
    return {
        "attempt": attempt,
        "assessment": attempt.assessment,
        "enrolment": attempt.enrolment,
        "course": attempt.enrolment.microcredential,
        "decision": decision,
        "deadline": (decision.deadline if decision else None) or attempt.deadline_at,
        "questions": questions,
        "answered": sum(1 for question in questions if question["answered"]),
        "may_submit": decision.may_submit if decision else True,
    }


@require_GET
@login_required
def attempt_page(request: HttpRequest, attempt_id: int) -> HttpResponse:
    attempt = _own_attempt(request, attempt_id)
    if not attempt.assessment.is_summative:
        return redirect(_check_url(attempt))
    if attempt.status != Attempt.Status.IN_PROGRESS:
        return redirect("assessments:feedback", attempt_id=attempt.pk)
    return render(request, "assessments/attempt.html", _attempt_context(attempt))


def _answer_refused(
    request: HttpRequest,
    attempt: Attempt,
    item_id: int,
    message: str,
    form: AnswerForm,
) -> HttpResponse:
    part = form.data.get("part", "")
    if request.htmx:
        if part == AnswerForm.PART_FILE:
            return _file_block(request, attempt, item_id, error=message, status=422)
        return render(
            request,
            "assessments/_saved_state.html",
            {"error": message, "is_text": part == AnswerForm.PART_TEXT},
            status=422,
        )
    messages.error(request, message)
    if attempt.status != Attempt.Status.IN_PROGRESS:
        return redirect("assessments:feedback", attempt_id=attempt.pk)
    typed = (
        {item_id: form.data.get("text", "")} if part == AnswerForm.PART_TEXT else None
    )
    return render(
        request,
        "assessments/attempt.html",
        _attempt_context(attempt, typed=typed),
        status=422,
    )


def _file_block(
    request: HttpRequest,
    attempt: Attempt,
    item_id: int,
    *,
    error: str = "",
    saved_at=None,
    status: int = 200,
) -> HttpResponse:
    question = next((q for q in _questions(attempt) if q["item"].pk == item_id), None)
    if question is None:
        return render(
            request, "assessments/_saved_state.html", {"error": error}, status=status
        )
    return render(
        request,
        "assessments/_file_answer.html",
        {"attempt": attempt, "q": question, "error": error, "saved_at": saved_at},
        status=status,
    )


@require_POST
@login_required
def answer_save(request: HttpRequest, attempt_id: int, item_id: int) -> HttpResponse:
    """Autosave one answer (htmx), or save it from the plain form."""
    attempt = _own_attempt(request, attempt_id)
    form = AnswerForm(request.POST, request.FILES)
    if not form.is_valid():
        return _answer_refused(request, attempt, item_id, form.first_error(), form)
    try:
        answer = services.answer_save(
            learner=request.user,
            attempt_id=attempt.pk,
            item_id=item_id,
            **form.service_kwargs(),
        )
    except PolicyError as refusal:
        return _answer_refused(request, attempt, item_id, str(refusal), form)
    if request.htmx:
        if form.cleaned_data["part"] == AnswerForm.PART_FILE:
            return _file_block(request, attempt, item_id, saved_at=answer.saved_at)
        return render(
            request, "assessments/_saved_state.html", {"saved_at": answer.saved_at}
        )
    messages.success(request, _("Your answer is saved."))
    return redirect(
        reverse("assessments:attempt", kwargs={"attempt_id": attempt.pk})
        + f"#item-{item_id}"
    )


@require_http_methods(["GET", "POST"])
@login_required
def attempt_submit(request: HttpRequest, attempt_id: int) -> HttpResponse:
    """GET: the confirm step (what is answered, what happens next). POST: submit."""
    attempt = _own_attempt(request, attempt_id)
    if not attempt.assessment.is_summative:
        # Formative checks and diagnostics are checked without a confirm step.
        if request.method == "GET":
            return redirect(_check_url(attempt))
        return check_submit(request, attempt_id)
    if request.method == "GET":
        if attempt.status != Attempt.Status.IN_PROGRESS:
            return redirect("assessments:feedback", attempt_id=attempt.pk)
        return render(
            request, "assessments/submit_confirm.html", _attempt_context(attempt)
        )
    try:
        attempt = services.attempt_submit(learner=request.user, attempt_id=attempt.pk)
    except PolicyError as refusal:
        messages.error(request, str(refusal))
        attempt.refresh_from_db(fields=["status"])
        if attempt.status == Attempt.Status.IN_PROGRESS:
            return redirect("assessments:attempt", attempt_id=attempt.pk)
        return redirect("assessments:feedback", attempt_id=attempt.pk)
    messages.success(
        request,
        _("Attempt %(number)s is submitted.") % {"number": attempt.number},
    )
    return redirect("assessments:feedback", attempt_id=attempt.pk)


def _feedback_questions(attempt: Attempt) -> list[dict[str, Any]]:
    """Each item with what the learner answered, its points and its feedback."""
    questions = []
    for question in _questions(attempt):
        item: Item = question["item"]
        answer: Answer | None = question["answer"]
        chosen = [
            option for option in item.options.all() if option.pk in question["chosen"]
        ]
        grades = list(answer.criterion_grades.all()) if answer is not None else []
        grades.sort(key=lambda grade: (grade.criterion.position, grade.criterion_id))
        questions.append(
            question
            | {
                "chosen_options": chosen,
                "points": answer.points_awarded if answer is not None else None,
                "feedback": list(answer.feedback) if answer is not None else [],
                "grades": grades,
                "full_marks": (
                    answer is not None
                    and answer.points_awarded is not None
                    and answer.points_awarded == item.points
                ),
            }
        )
    return questions


@require_GET
@login_required
def feedback(request: HttpRequest, attempt_id: int) -> HttpResponse:
    attempt = _own_attempt(request, attempt_id)
    if attempt.status == Attempt.Status.IN_PROGRESS:
        return redirect("assessments:attempt", attempt_id=attempt.pk)
    context: dict[str, Any] = {
        "attempt": attempt,
        "assessment": attempt.assessment,
        "enrolment": attempt.enrolment,
        "course": attempt.enrolment.microcredential,
        "released": attempt.status == Attempt.Status.RELEASED,
        "decision": _decision(attempt),
    }
    if context["released"]:
        context |= {
            "result": _released_result(attempt),
            "questions": _feedback_questions(attempt),
        }
    return render(request, "assessments/feedback.html", context)


# --- formative checks and the diagnostic -------------------------------------------
#
# One page per check (``check_page``): the questions of the open attempt, with the
# same autosave as the summative; or, once checked, every question with its
# feedback, a "Try again" button and, for a diagnostic, where to focus. Checking
# needs no confirm step: it never counts, nothing is lost (the answers stay in
# the attempt) and trying again is one click.


def _check_url(attempt: Attempt, *, checked: bool = False) -> str:
    url = reverse(
        "assessments:check",
        kwargs={
            "enrolment_id": attempt.enrolment_id,
            "assessment_id": attempt.assessment_id,
        },
    )
    return f"{url}?checked=1#results" if checked else url


def _own_check(
    request: HttpRequest, enrolment_id: int, assessment_id: int
) -> tuple[Enrolment, selectors.CheckSummary]:
    """The learner's enrolment and one of its course's checks; else a 404."""
    enrolment = _own_enrolment(request, enrolment_id)
    summary = selectors.learner_check(enrolment, assessment_id)
    if summary is None:
        raise Http404(_("This check is not part of your microcredential."))
    return enrolment, summary


def _answer_state(item: Item, answer: Answer | None) -> str:
    """correct / partly / incorrect / unanswered / manual, for one checked answer."""
    if item.is_manual:
        return "manual"
    if not _has_answer(answer):
        return "unanswered"
    points = answer.points_awarded
    if points is not None and points >= item.points:
        return "correct"
    if points:
        return "partly"
    return "incorrect"


def _checked_questions(attempt: Attempt) -> list[dict[str, Any]]:
    """Each question of a checked attempt with its per-option feedback: what
    the learner chose, which options are correct, and each one's feedback."""
    questions = []
    for question in _feedback_questions(attempt):
        item: Item = question["item"]
        options = [
            {
                "option": option,
                "chosen": option.pk in question["chosen"],
                "correct": option.is_correct,
            }
            for option in item.options.all()
        ]
        questions.append(
            question
            | {
                "state": _answer_state(item, question["answer"]),
                "options": options,
                "correct_options": [o["option"] for o in options if o["correct"]],
            }
        )
    return questions


def _check_context(
    request: HttpRequest, enrolment: Enrolment, summary: selectors.CheckSummary
) -> dict[str, Any]:
    assessment = summary.assessment
    context: dict[str, Any] = {
        "enrolment": enrolment,
        "course": enrolment.microcredential,
        "assessment": assessment,
        "module": assessment.module,
        "summary": summary,
        "attempt": summary.open_attempt,
        "may_retry": enrolment.is_active,
    }
    if summary.open_attempt is not None:
        context |= {
            "questions": _questions(summary.open_attempt),
            # The answers' autosaves and the check share one queue, so an
            # autosave still in flight lands before the check.
            "hx_sync": "#check-body:queue all",
        }
    elif summary.last_attempt is not None:
        checked = summary.last_attempt
        questions = _checked_questions(checked)
        context |= {
            "checked": checked,
            "checked_questions": questions,
            "correct_count": sum(1 for q in questions if q["state"] == "correct"),
            "just_checked": request.GET.get("checked") == "1",
        }
        if summary.is_diagnostic:
            context["diagnostic"] = selectors.diagnostic_result(checked)
        else:
            context["result"] = _released_result(checked)
    return context


@require_GET
@login_required
def check_page(
    request: HttpRequest, enrolment_id: int, assessment_id: int
) -> HttpResponse:
    """A formative check or the diagnostic: answer, check, read the feedback,
    try again."""
    enrolment, summary = _own_check(request, enrolment_id, assessment_id)
    return render(
        request, "assessments/check.html", _check_context(request, enrolment, summary)
    )


@require_POST
@login_required
def check_start(
    request: HttpRequest, enrolment_id: int, assessment_id: int
) -> HttpResponse:
    """Start a try (or continue the open one): unlimited, never refused by dates."""
    enrolment, summary = _own_check(request, enrolment_id, assessment_id)
    try:
        services.attempt_start(
            learner=request.user, assessment_id=summary.assessment.pk
        )
    except PolicyError as refusal:
        messages.error(request, str(refusal))
    return redirect(
        "assessments:check", enrolment_id=enrolment.pk, assessment_id=assessment_id
    )


@require_POST
@login_required
def check_submit(request: HttpRequest, attempt_id: int) -> HttpResponse:
    """Check a formative or diagnostic try: graded and its feedback shown at once.

    A summative attempt is never submitted here: it goes to its confirm step.
    """
    attempt = _own_attempt(request, attempt_id)
    if attempt.assessment.is_summative:
        return redirect("assessments:submit", attempt_id=attempt.pk)
    try:
        services.attempt_submit(learner=request.user, attempt_id=attempt.pk)
    except PolicyError as refusal:
        messages.error(request, str(refusal))
        return redirect(_check_url(attempt))
    return redirect(_check_url(attempt, checked=True))


# --- the instructors' side --------------------------------------------------------


def _require_grading_role(request: HttpRequest) -> None:
    """Instructors, registrars and superusers; anyone else (a learner) is a 403."""
    if not (is_instructor(request.user) or is_registrar(request.user)):
        raise PermissionDenied


def _attempt_for_staff(request: HttpRequest, attempt_id: int) -> Attempt:
    """An attempt in a course the person teaches (or any, for a registrar)."""
    _require_grading_role(request)
    attempt = selectors.attempt_for_grading(attempt_id)
    if attempt is None or not (
        is_registrar(request.user)
        or selectors.teaches(request.user, attempt.assessment.microcredential)
    ):
        raise Http404(_("This attempt does not exist or is not in your courses."))
    return attempt


@require_GET
@login_required
def assessment_preview(request: HttpRequest, assessment_id: int) -> HttpResponse:
    """Staff see every question of an assessment as a learner would; nothing
    they choose or type is sent or recorded."""
    _require_grading_role(request)
    assessment = get_object_or_404(
        Assessment.objects.select_related("microcredential"), pk=assessment_id
    )
    if not (
        is_registrar(request.user)
        or selectors.teaches(request.user, assessment.microcredential)
    ):
        raise Http404(_("This assessment is not in your courses."))
    items = list(
        selectors.items_with_keys()
        .filter(assessment=assessment)
        .order_by("position", "id")
    )
    questions = [
        {
            "number": number,
            "item": item,
            "answer": None,
            "answered": False,
            "chosen": set(),
            "text": "",
            "file_types": services.allowed_extensions(item),
        }
        for number, item in enumerate(items, start=1)
    ]
    return render(
        request,
        "assessments/preview.html",
        {
            "assessment": assessment,
            "course": assessment.microcredential,
            "questions": questions,
            "item_count": _item_count(assessment),
            "preview": True,
        },
    )


@require_GET
@login_required
def grading_queue(request: HttpRequest) -> HttpResponse:
    _require_grading_role(request)
    return render(
        request,
        "assessments/queue.html",
        {"entries": selectors.grading_queue(request.user)},
    )


def _grading_context(
    request: HttpRequest,
    attempt: Attempt,
    *,
    form: GradingForm | None = None,
    extra_form: ExtraAttemptForm | None = None,
) -> dict[str, Any]:
    questions = _feedback_questions(attempt)
    if form is None:
        form = GradingForm(
            items=[q["item"] for q in questions],
            answers={q["item"].pk: q["answer"] for q in questions if q["answer"]},
            overall_feedback=attempt.overall_feedback,
        )
    blocks = {block.item.pk: block for block in form.blocks()}
    for question in questions:
        question["rubric"] = blocks.get(question["item"].pk)
    return {
        "attempt": attempt,
        "assessment": attempt.assessment,
        "enrolment": attempt.enrolment,
        "learner": attempt.enrolment.learner,
        "course": attempt.enrolment.microcredential,
        "questions": questions,
        "form": form,
        "may_grade": selectors.teaches(request.user, attempt.assessment.microcredential)
        and attempt.status in (Attempt.Status.SUBMITTED, Attempt.Status.GRADED),
        "history": list(selectors.attempt_history(attempt)),
        "extra_form": extra_form or ExtraAttemptForm(),
        "extra_attempts": list(
            ExtraAttempt.objects.filter(
                enrolment=attempt.enrolment, assessment=attempt.assessment
            ).select_related("granted_by")
        ),
    }


@require_http_methods(["GET", "POST"])
@login_required
def grading_page(request: HttpRequest, attempt_id: int) -> HttpResponse:
    """GET: the answers, rubric and history. POST: save the draft, and with
    ``action=release`` go on to the release confirm step."""
    attempt = _attempt_for_staff(request, attempt_id)
    if request.method == "GET":
        return render(
            request, "assessments/grade.html", _grading_context(request, attempt)
        )
    if attempt.status == Attempt.Status.IN_PROGRESS:
        messages.error(request, _("This attempt has not been submitted yet."))
        return redirect("assessments:grade", attempt_id=attempt.pk)
    questions = _questions(attempt)
    form = GradingForm(
        items=[q["item"] for q in questions],
        answers={q["item"].pk: q["answer"] for q in questions if q["answer"]},
        overall_feedback=attempt.overall_feedback,
        data=request.POST,
    )
    error = ""
    if form.is_valid():
        try:
            _save_grades(request, attempt, form)
        except PolicyError as refusal:
            error = str(refusal)
    else:
        error = _("Check the grading form: some values are not valid.")
    if error:
        messages.error(request, error)
        context = _grading_context(request, attempt, form=form)
        return render(request, "assessments/grade.html", context, status=422)
    if request.POST.get("action") == "release":
        return redirect("assessments:release", attempt_id=attempt.pk)
    messages.success(
        request, _("The draft grade is saved. The learner cannot see it yet.")
    )
    return redirect("assessments:grade", attempt_id=attempt.pk)


def _save_grades(request: HttpRequest, attempt: Attempt, form: GradingForm) -> None:
    overall = form.cleaned_data["overall_feedback"]
    grades = form.grades()
    if not grades:
        services.grade_save(
            grader=request.user,
            attempt_id=attempt.pk,
            criterion_levels={},
            comments={},
            overall_feedback=overall,
        )
        return
    for item, levels, comments in grades:
        services.grade_save(
            grader=request.user,
            attempt_id=attempt.pk,
            criterion_levels=levels,
            comments=comments,
            overall_feedback=overall,
            item_id=item.pk,
        )


@require_http_methods(["GET", "POST"])
@login_required
def feedback_release(request: HttpRequest, attempt_id: int) -> HttpResponse:
    """GET: what the learner will see, and a button to confirm. POST: release."""
    attempt = _attempt_for_staff(request, attempt_id)
    if attempt.status == Attempt.Status.RELEASED:
        messages.info(request, _("The feedback on this attempt is already released."))
        return redirect("assessments:grade", attempt_id=attempt.pk)
    if attempt.status != Attempt.Status.GRADED:
        messages.error(
            request,
            _("Choose a level for every rubric criterion before releasing feedback."),
        )
        return redirect("assessments:grade", attempt_id=attempt.pk)
    if request.method == "GET":
        try:
            result = selectors.attempt_result(attempt)
            problem = ""
        except PolicyError as refusal:
            result, problem = None, str(refusal)
        return render(
            request,
            "assessments/release_confirm.html",
            {
                "attempt": attempt,
                "learner": attempt.enrolment.learner,
                "course": attempt.enrolment.microcredential,
                "result": result,
                "problem": problem,
            },
        )
    try:
        services.feedback_release(grader=request.user, attempt_id=attempt.pk)
    except PolicyError as refusal:
        messages.error(request, str(refusal))
        return redirect("assessments:grade", attempt_id=attempt.pk)
    messages.success(
        request,
        _("Feedback on attempt %(number)s by %(learner)s is released.")
        % {"number": attempt.number, "learner": attempt.enrolment.learner.legal_name},
    )
    return redirect("assessments:queue")


@require_POST
@login_required
def extra_attempt_grant(request: HttpRequest, attempt_id: int) -> HttpResponse:
    attempt = _attempt_for_staff(request, attempt_id)
    form = ExtraAttemptForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            services.extra_attempt_grant(
                actor=request.user,
                enrolment_id=attempt.enrolment_id,
                assessment_id=attempt.assessment_id,
                reason=form.cleaned_data["reason"],
            )
        except PolicyError as refusal:
            error = str(refusal)
    else:
        error = " ".join(str(e) for errors in form.errors.values() for e in errors)
    if error:
        messages.error(request, error)
        context = _grading_context(request, attempt, extra_form=form)
        return render(request, "assessments/grade.html", context, status=422)
    messages.success(
        request,
        _("An extra attempt is granted to %(learner)s.")
        % {"learner": attempt.enrolment.learner.legal_name},
    )
    return redirect("assessments:grade", attempt_id=attempt.pk)


# --- files ------------------------------------------------------------------------


@require_GET
@login_required
def answer_file(request: HttpRequest, attempt_id: int, item_id: int) -> HttpResponse:
    """A project file, only to the learner who uploaded it and their graders."""
    attempt = selectors.learner_attempt(request.user, attempt_id)
    if attempt is None:
        attempt = selectors.attempt_for_grading(attempt_id)
        may_grade = (
            attempt is not None
            and (is_instructor(request.user) or is_registrar(request.user))
            and (
                is_registrar(request.user)
                or selectors.teaches(request.user, attempt.assessment.microcredential)
            )
        )
        if not may_grade:
            raise Http404
    answer = Answer.objects.filter(attempt=attempt, item_id=item_id).first()
    if answer is None or not answer.file:
        raise Http404(_("No file was uploaded for this question."))
    try:
        handle = answer.file.open("rb")
    except FileNotFoundError:
        raise Http404(_("The file is no longer available.")) from None
    response = FileResponse(
        handle, as_attachment=True, filename=os.path.basename(answer.file.name)
    )
    response["Cache-Control"] = "private, no-store"
    return response
