"""API v1 for assessments: parse, check who may, call one service or selector,
serialize.

Learners reach only their own enrolments and attempts: anyone else's is a 404,
exactly as on the web pages (``selectors.learner_attempt``). Writes go through
``services.attempt_start``, ``answer_save`` and ``attempt_submit``, so a
refusal rolls everything back: a refused request changes nothing. A refusal
by the attempt rules is an error with the usual shape plus the rule's
``code``:

- 404 ``not_found`` / ``forged``: not your attempt, or a question that is not
  part of it;
- 409 ``already_submitted`` / ``already_started`` / ``not_released`` /
  ``not_submitted``: the attempt is not in a state for this;
- 400 for everything else the rules refuse (late, no attempts left, waiting
  for feedback, a file of the wrong type or too large...).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, prefetch_related_objects
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import NotFound
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from courses import selectors as course_selectors
from courses.api.serializers import ErrorSerializer, zone_of
from courses.api.views import AUTHENTICATION, Refused
from courses.policies import PolicyError
from microcred.api import exception_handler as api_exception_handler

from .. import selectors, services
from ..models import Assessment, Attempt, GradingEvent
from ..policies import AttemptDecision, AttemptRefused
from .permissions import MayGrade
from .serializers import (
    AnswerRequestSerializer,
    AttemptDetailSerializer,
    AttemptListQuerySerializer,
    AttemptResultSerializer,
    AttemptStartRequestSerializer,
    AttemptSummarySerializer,
    QueueEntrySerializer,
    RefusalSerializer,
    SavedAnswerSerializer,
    SubmitRequestSerializer,
)

TAG_ATTEMPTS = "attempts"
TAG_GRADING = "grading"

# Refusal codes and their status; any other code is a 400.
NOT_FOUND_CODES = frozenset({"not_found", "forged"})
CONFLICT_CODES = frozenset(
    {"already_submitted", "already_started", "not_released", "not_submitted"}
)


class AttemptRefusal(Refused):
    """A refusal by the attempt rules; the error body carries its ``code``."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message, code=code)
        self.code = code
        if code in NOT_FOUND_CODES:
            self.status_code = status.HTTP_404_NOT_FOUND
        elif code in CONFLICT_CODES:
            self.status_code = status.HTTP_409_CONFLICT

    @classmethod
    def from_policy(cls, error: PolicyError, *, default_code: str) -> AttemptRefusal:
        code = error.code if isinstance(error, AttemptRefused) else default_code
        return cls(str(error), code=code)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """API v1's JSON errors, with ``code`` added to the rules' refusals."""
    response = api_exception_handler(exc, context)
    if response is not None and isinstance(exc, AttemptRefusal):
        response.data["code"] = exc.code
    return response


def _error(description: str) -> OpenApiResponse:
    return OpenApiResponse(ErrorSerializer, description=description)


def _refusal(description: str) -> OpenApiResponse:
    return OpenApiResponse(RefusalSerializer, description=description)


NOT_SIGNED_IN = _error("Not signed in (no valid token or session).")
NO_CSRF = _error("Signed in by session, but the CSRF token is missing.")
NOT_YOURS = _error("No attempt of yours has this id (another learner's is a 404 too).")


class AssessmentAPIView(APIView):
    authentication_classes = AUTHENTICATION
    permission_classes = [IsAuthenticated]

    def get_exception_handler(self):
        return exception_handler


# ---------------------------------------------------------------- helpers


def _own_attempt(request: Request, attempt_id: int) -> Attempt:
    """The caller's attempt; anyone else's is a 404, as on the web pages."""
    attempt = selectors.learner_attempt(request.user, attempt_id)
    if attempt is None:
        raise NotFound(_("This attempt does not exist or is not yours."))
    return attempt


def _with_recorded_results(attempts) -> None:
    """Prefetch what ``recorded_outcomes`` reads: the release event and the
    course's outcomes (two queries for any number of attempts)."""
    prefetch_related_objects(
        list(attempts),
        Prefetch(
            "grading_events",
            queryset=GradingEvent.objects.filter(details__has_key="outcomes").order_by(
                "-at", "-id"
            ),
            to_attr="result_events",
        ),
        "enrolment__microcredential__outcomes",
    )


def _next_step(attempt: Attempt, decision: AttemptDecision | None) -> dict[str, Any]:
    """The summative decision, or for a formative or diagnostic check the
    simple rule that they are unlimited and never count."""
    if decision is not None:
        return {
            "state": decision.state.value,
            "may_start": decision.may_start,
            "may_submit": decision.may_submit,
            "attempt_number": decision.attempt_number,
            "deadline": decision.deadline,
            "reason": decision.reason,
            "text": decision.next_step,
        }
    is_open = attempt.status == Attempt.Status.IN_PROGRESS
    active = attempt.enrolment.is_active
    if is_open:
        text = _(
            "Your answers are saved as you go. Submit when you are ready: this "
            "check is marked at once and never counts toward the credential."
        )
    else:
        text = _(
            "Read the feedback; you may try this check again whenever you like. "
            "It never counts toward the credential."
        )
    return {
        "state": None,
        "may_start": active and not is_open,
        "may_submit": active and is_open,
        "attempt_number": attempt.number if is_open else None,
        "deadline": None,
        "reason": "" if active else _("Your enrolment is no longer active."),
        "text": text,
    }


def _decision(attempt: Attempt) -> AttemptDecision | None:
    if not attempt.assessment.is_summative:
        return None
    return selectors.summative_decision(attempt.enrolment, attempt.assessment)


def _question_context(request: Request, attempt: Attempt) -> dict[str, Any]:
    """Set ``attempt.questions`` and give the serializer the answers."""
    attempt.questions = selectors.attempt_items(attempt)
    return {
        "request": request,
        "tz": zone_of(request.user),
        "answers": selectors.attempt_answers(attempt),
        "numbers": {item.pk: n for n, item in enumerate(attempt.questions, start=1)},
    }


def _attempt_response(
    request: Request, attempt: Attempt, *, status_code: int = status.HTTP_200_OK
) -> Response:
    decision = _decision(attempt)
    attempt.next_step = _next_step(attempt, decision)
    attempt.deadline = (decision.deadline if decision else None) or attempt.deadline_at
    _with_recorded_results([attempt])
    serializer = AttemptDetailSerializer(
        attempt, context=_question_context(request, attempt)
    )
    return Response(serializer.data, status=status_code)


# ---------------------------------------------------------------- learners


class MyAttemptsView(generics.ListAPIView):
    """The caller's attempts, newest first, with results once released."""

    authentication_classes = AUTHENTICATION
    permission_classes = [IsAuthenticated]
    serializer_class = AttemptSummarySerializer

    def get_exception_handler(self):
        return exception_handler

    def get_queryset(self):
        query = AttemptListQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return selectors.learner_attempt_list(
            self.request.user,
            enrolment_id=query.validated_data.get("enrolment"),
            kind=query.validated_data.get("kind"),
        )

    @extend_schema(
        tags=[TAG_ATTEMPTS],
        operation_id="me_attempts_list",
        summary="My attempts",
        description=(
            "Every attempt of the caller, newest first: formative, diagnostic and "
            "summative. The result (score, pass, each learning outcome met or not "
            "yet met) is there only once the feedback is released."
        ),
        parameters=[AttemptListQuerySerializer],
        responses={
            200: AttemptSummarySerializer(many=True),
            400: _error("A filter has a value that is not allowed."),
            401: NOT_SIGNED_IN,
        },
    )
    def get(self, request: Request, *args, **kwargs) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        _with_recorded_results(page)
        serializer = AttemptSummarySerializer(
            page, many=True, context={"request": request, "tz": zone_of(request.user)}
        )
        return self.get_paginated_response(serializer.data)


class AttemptStartView(AssessmentAPIView):
    @extend_schema(
        tags=[TAG_ATTEMPTS],
        operation_id="enrolments_attempts_create",
        summary="Start an attempt, or continue the open one",
        description=(
            "Starts an attempt at an assessment of the enrolment's "
            "microcredential (by default its summative assessment). If an "
            "attempt is already open it comes back instead, with 200: a double "
            "click or a retried request never opens two. A summative attempt "
            "is refused, with the reason and what to do next, when the attempt "
            "rules say no (dates, attempts used, feedback not yet released)."
        ),
        request=AttemptStartRequestSerializer,
        responses={
            200: OpenApiResponse(
                AttemptDetailSerializer, description="The attempt already open."
            ),
            201: OpenApiResponse(
                AttemptDetailSerializer, description="A new attempt was started."
            ),
            400: _refusal(
                "Refused by the attempt rules, or an invalid request; `code` says "
                "which rule."
            ),
            401: NOT_SIGNED_IN,
            403: NO_CSRF,
            404: _error(
                "No enrolment of yours has this id, or the assessment is not part "
                "of its microcredential."
            ),
        },
    )
    def post(self, request: Request, enrolment_id: int) -> Response:
        enrolment = (
            course_selectors.learner_enrolments(request.user)
            .filter(pk=enrolment_id)
            .first()
        )
        if enrolment is None:
            raise NotFound(_("This enrolment does not exist or is not yours."))
        payload = AttemptStartRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        assessment = self._assessment(enrolment, payload.validated_data)
        if not enrolment.is_active:
            raise AttemptRefusal(
                _(
                    "This enrolment is no longer active, so its assessments cannot "
                    "be started."
                ),
                code="inactive",
            )
        already_open = set(
            selectors.learner_attempts(enrolment, assessment)
            .filter(status=Attempt.Status.IN_PROGRESS)
            .values_list("pk", flat=True)
        )
        try:
            started = services.attempt_start(
                learner=request.user, assessment_id=assessment.pk
            )
        except PolicyError as refusal:
            raise AttemptRefusal.from_policy(refusal, default_code="refused") from None
        attempt = selectors.learner_attempt(request.user, started.pk)
        created = started.pk not in already_open
        return _attempt_response(
            request,
            attempt,
            status_code=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @staticmethod
    def _assessment(enrolment, data: dict[str, Any]) -> Assessment:
        course_id = enrolment.microcredential_id
        if "assessment" not in data:
            assessment = selectors.summative_for_course(course_id)
            if assessment is None:
                raise NotFound(
                    _("This microcredential has no summative assessment yet.")
                )
            return assessment
        assessment = selectors.course_assessment(course_id, data["assessment"])
        if assessment is None:
            raise NotFound(_("This microcredential has no assessment with this id."))
        return assessment


class AttemptDetailView(AssessmentAPIView):
    @extend_schema(
        tags=[TAG_ATTEMPTS],
        operation_id="attempts_retrieve",
        summary="One of my attempts, with its questions and my saved answers",
        description=(
            "The questions of the attempt in order (options without which is "
            "correct; for projects the file types and size accepted), the "
            "answers saved so far, the deadline and what happens next."
        ),
        responses={200: AttemptDetailSerializer, 401: NOT_SIGNED_IN, 404: NOT_YOURS},
    )
    def get(self, request: Request, attempt_id: int) -> Response:
        return _attempt_response(request, _own_attempt(request, attempt_id))


class AnswerSaveView(AssessmentAPIView):
    parser_classes = [JSONParser, MultiPartParser]

    @extend_schema(
        tags=[TAG_ATTEMPTS],
        operation_id="attempts_answers_update",
        summary="Save my answer to one question",
        description=(
            "Autosave: call it as often as you like while the attempt is open. "
            'JSON `{"option_ids": [...]}` for choice questions (single, true or '
            "false, scenario: one id; multiple select: any number, `[]` clears), "
            '`{"text": "..."}` for short answers and projects; '
            "multipart/form-data with `file` to upload a project file (its type "
            "and size are checked). A part left out stays as saved. Saving "
            "after the deadline is allowed (nothing typed is lost); submitting "
            "is not."
        ),
        request={
            "application/json": AnswerRequestSerializer,
            "multipart/form-data": AnswerRequestSerializer,
        },
        responses={
            200: SavedAnswerSerializer,
            400: _refusal(
                "The answer is not valid for this question (wrong kind, an option "
                "of another question, a file of the wrong type or too large...)."
            ),
            401: NOT_SIGNED_IN,
            403: NO_CSRF,
            404: _refusal(
                "Not your attempt, or the question is not part of it (`forged`)."
            ),
            409: _refusal("The attempt is already submitted (`already_submitted`)."),
        },
    )
    def put(self, request: Request, attempt_id: int, item_id: int) -> Response:
        attempt = _own_attempt(request, attempt_id)
        payload = AnswerRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            answer = services.answer_save(
                learner=request.user,
                attempt_id=attempt.pk,
                item_id=item_id,
                **payload.service_kwargs(),
            )
        except PolicyError as refusal:
            raise AttemptRefusal.from_policy(
                refusal, default_code="invalid_answer"
            ) from None
        serializer = SavedAnswerSerializer(
            answer, context={"request": request, "tz": zone_of(request.user)}
        )
        return Response(serializer.data)


class AttemptSubmitView(AssessmentAPIView):
    @extend_schema(
        tags=[TAG_ATTEMPTS],
        operation_id="attempts_submit",
        summary="Submit my attempt",
        description=(
            'Submits the attempt once, with `{"confirm": true}`. Auto-graded '
            "questions are marked at once; a formative or diagnostic check (and "
            "a summative one without a project) has its result at once, "
            "otherwise the attempt waits for an instructor and `feedback_due_at` "
            "says by when. A late, repeated or third submission is refused and "
            "changes nothing."
        ),
        request=SubmitRequestSerializer,
        responses={
            200: AttemptDetailSerializer,
            400: _refusal(
                "Refused by the attempt rules (e.g. `late`), or `confirm` is "
                "missing or not true."
            ),
            401: NOT_SIGNED_IN,
            403: NO_CSRF,
            404: NOT_YOURS,
            409: _refusal("Already submitted (`already_submitted`)."),
        },
    )
    def post(self, request: Request, attempt_id: int) -> Response:
        attempt = _own_attempt(request, attempt_id)
        payload = SubmitRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            services.attempt_submit(learner=request.user, attempt_id=attempt.pk)
        except PolicyError as refusal:
            raise AttemptRefusal.from_policy(refusal, default_code="refused") from None
        return _attempt_response(request, _own_attempt(request, attempt_id))


class AttemptResultView(AssessmentAPIView):
    @extend_schema(
        tags=[TAG_ATTEMPTS],
        operation_id="attempts_result_retrieve",
        summary="The result and feedback of my attempt",
        description=(
            "Once the feedback is released: the score, pass or not yet and why, "
            "each learning outcome met or not yet met, the instructor's "
            "feedback, each question with its points (for choice questions the "
            "options chosen, whether each was correct and its feedback; for "
            "projects the rubric level and comment per criterion), and what to "
            "do next. Before release this is a 409 (`not_submitted` or "
            "`not_released`): the attempt is yours, its result is not out yet."
        ),
        responses={
            200: AttemptResultSerializer,
            401: NOT_SIGNED_IN,
            404: NOT_YOURS,
            409: _refusal("Not submitted yet, or the feedback is not released yet."),
        },
    )
    def get(self, request: Request, attempt_id: int) -> Response:
        attempt = _own_attempt(request, attempt_id)
        if attempt.status == Attempt.Status.IN_PROGRESS:
            raise AttemptRefusal(
                _("Attempt %(number)s has not been submitted yet.")
                % {"number": attempt.number},
                code="not_submitted",
            )
        if attempt.status != Attempt.Status.RELEASED:
            raise AttemptRefusal(
                _(
                    "The feedback on attempt %(number)s has not been released yet; "
                    "you will be told by e-mail when it is."
                )
                % {"number": attempt.number},
                code="not_released",
            )
        try:
            result = selectors.attempt_result(attempt)
        except PolicyError:
            result = None
        attempt.reasons = list(result.reasons) if result else []
        attempt.outcome_lines = list(result.outcomes) if result else []
        attempt.next_step = _next_step(attempt, _decision(attempt))
        serializer = AttemptResultSerializer(
            attempt, context=_question_context(request, attempt)
        )
        return Response(serializer.data)


# ---------------------------------------------------------------- graders


class GradingQueueView(generics.ListAPIView):
    """Summative submissions waiting in the caller's courses, oldest first."""

    authentication_classes = AUTHENTICATION
    permission_classes = [IsAuthenticated, MayGrade]
    serializer_class = QueueEntrySerializer

    def get_exception_handler(self):
        return exception_handler

    def get_queryset(self):
        return selectors.grading_queue(self.request.user)

    @extend_schema(
        tags=[TAG_GRADING],
        operation_id="grading_queue_list",
        summary="The grading queue",
        description=(
            "Submitted summative attempts waiting for grading, or graded and "
            "waiting for their feedback to be released, oldest first. An "
            "instructor sees the microcredentials they own or teach; a registrar "
            "sees all. `overdue` marks feedback past its due time."
        ),
        responses={
            200: QueueEntrySerializer(many=True),
            401: NOT_SIGNED_IN,
            403: _error("Only instructors and registrars can see the grading queue."),
        },
    )
    def get(self, request: Request, *args, **kwargs) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        serializer = QueueEntrySerializer(
            page, many=True, context={"request": request, "tz": zone_of(request.user)}
        )
        return self.get_paginated_response(serializer.data)
