"""API v1 for PLAR: a learner's requests and where they stand; reviewers'
queue, review and decisions; appeals. Parse, check who may, call one service
or selector, serialize.

A learner reaches only their own requests, a reviewer only the requests of
the courses they review (``selectors.may_review``): anything else is a 404
with the same body whether the request exists or not. A learner calling a
reviewer's endpoint gets a 403. Writes go through ``services.review_start``,
``request_decide`` and ``appeal_decide``, so a refusal rolls everything back
and changes nothing. A refusal by the PLAR rules is an error with the usual
shape plus the rule's ``code``:

- 404 ``not_found`` / ``not_reviewer``: no request (or appeal) you may see;
- 409 ``forbidden_transition``, ``already_decided``, ``enrolled``...: the
  request or appeal is not in a state for this;
- 403 ``own_decision``: an appeal is decided by someone else;
- 400 for everything else (no reason, a reason too long...).
"""

from __future__ import annotations

from typing import Any

from django.db.models import prefetch_related_objects
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from courses.api.serializers import ErrorSerializer, zone_of
from courses.api.views import AUTHENTICATION, Refused
from courses.policies import PolicyError
from microcred.api import exception_handler as api_exception_handler

from .. import selectors, services
from ..models import Appeal, PlarRequest
from ..policies import PlarRefused
from .permissions import MayReview
from .serializers import (
    PlarAppealDecisionRequestSerializer,
    PlarDecisionRequestSerializer,
    PlarQueueEntrySerializer,
    PlarQueueQuerySerializer,
    PlarRefusalSerializer,
    PlarRequestDetailSerializer,
    PlarRequestSerializer,
    PlarStaffAppealSerializer,
)

TAG_PLAR = "plar"
TAG_PLAR_REVIEW = "plar-review"

# Refusal codes and their status; any other code is a 400.
NOT_FOUND_CODES = frozenset({"not_found", "not_reviewer"})
FORBIDDEN_CODES = frozenset({"own_decision"})
CONFLICT_CODES = frozenset(
    {
        "forbidden_transition",
        "already_decided",
        "enrolled",
        "cannot_reopen",
        "inactive",
    }
)


def _not_found_message() -> str:
    return _("No PLAR request you can see has this id.")


class PlarRefusal(Refused):
    """A refusal by the PLAR rules; the error body carries its ``code``."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message, code=code)
        self.code = code
        if code in NOT_FOUND_CODES:
            self.status_code = status.HTTP_404_NOT_FOUND
        elif code in FORBIDDEN_CODES:
            self.status_code = status.HTTP_403_FORBIDDEN
        elif code in CONFLICT_CODES:
            self.status_code = status.HTTP_409_CONFLICT

    @classmethod
    def from_policy(cls, error: PolicyError) -> PlarRefusal:
        code = error.code if isinstance(error, PlarRefused) else "refused"
        return cls(str(error), code=code)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """API v1's JSON errors, with ``code`` added to the rules' refusals."""
    response = api_exception_handler(exc, context)
    if response is not None and isinstance(exc, PlarRefusal):
        response.data["code"] = exc.code
    return response


def _error(description: str) -> OpenApiResponse:
    return OpenApiResponse(ErrorSerializer, description=description)


def _refusal(description: str) -> OpenApiResponse:
    return OpenApiResponse(PlarRefusalSerializer, description=description)


NOT_SIGNED_IN = _error("Not signed in (no valid token or session).")
NOT_A_REVIEWER = _error(
    "Signed in by session without the CSRF token, or not an instructor or registrar."
)
NOT_VISIBLE = _error(
    "No request you may see has this id: not yours, not in a course you review, "
    "or a draft not yet submitted. The same answer whether it exists or not."
)


class PlarAPIView(APIView):
    authentication_classes = AUTHENTICATION
    permission_classes = [IsAuthenticated]

    def get_exception_handler(self):
        return exception_handler


class ReviewerAPIView(PlarAPIView):
    permission_classes = [IsAuthenticated, MayReview]


def _context(request: Request) -> dict[str, Any]:
    return {"request": request, "tz": zone_of(request.user)}


def _request_response(request: Request, plar_request: PlarRequest) -> Response:
    serializer = PlarRequestDetailSerializer(plar_request, context=_context(request))
    return Response(serializer.data)


def _reviewable(request: Request, request_id: int) -> PlarRequest:
    """A request in a course the caller reviews; anything else is a 404."""
    plar_request = selectors.request_for_review(request.user, request_id)
    if plar_request is None:
        raise NotFound(_not_found_message())
    return plar_request


# ---------------------------------------------------------------- learners


class MyPlarRequestsView(generics.ListAPIView):
    """The caller's PLAR requests, the most recently changed first."""

    authentication_classes = AUTHENTICATION
    permission_classes = [IsAuthenticated]
    serializer_class = PlarRequestSerializer

    def get_exception_handler(self):
        return exception_handler

    def get_queryset(self):
        return selectors.learner_requests(self.request.user)

    @extend_schema(
        tags=[TAG_PLAR],
        operation_id="me_plar_requests_list",
        summary="My PLAR requests",
        description=(
            "Every PLAR request of the caller except withdrawn ones, the most "
            "recently changed first: its status, dates, the reviewer's reasons, "
            "every status change, the PLAR enrolment with its two dates once "
            "approved, and any appeals."
        ),
        responses={
            200: PlarRequestSerializer(many=True),
            401: NOT_SIGNED_IN,
        },
    )
    def get(self, request: Request, *args, **kwargs) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        prefetch_related_objects(page, "events", "appeals")
        serializer = PlarRequestSerializer(page, many=True, context=_context(request))
        return self.get_paginated_response(serializer.data)


class PlarRequestDetailView(PlarAPIView):
    @extend_schema(
        tags=[TAG_PLAR],
        operation_id="plar_requests_retrieve",
        summary="One PLAR request",
        description=(
            "To its learner, or to an instructor of its microcredential or a "
            "registrar once it is submitted: the request with the learner's "
            "statement on each learning outcome and their evidence (a link, or "
            "the address to download the file)."
        ),
        responses={
            200: PlarRequestDetailSerializer,
            401: NOT_SIGNED_IN,
            404: NOT_VISIBLE,
        },
    )
    def get(self, request: Request, request_id: int) -> Response:
        plar_request = selectors.learner_request(request.user, request_id)
        if plar_request is None and selectors.is_reviewer(request.user):
            plar_request = selectors.request_for_review(request.user, request_id)
        if plar_request is None:
            raise NotFound(_not_found_message())
        return _request_response(request, plar_request)


# ---------------------------------------------------------------- reviewers


class ReviewQueueView(generics.ListAPIView):
    """Requests waiting in the caller's courses, oldest submission first."""

    authentication_classes = AUTHENTICATION
    permission_classes = [IsAuthenticated, MayReview]
    serializer_class = PlarQueueEntrySerializer

    def get_exception_handler(self):
        return exception_handler

    def get_queryset(self):
        query = PlarQueueQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return selectors.review_queue(
            self.request.user,
            course_code=query.validated_data.get("course"),
            status=query.validated_data.get("status"),
        )

    @extend_schema(
        tags=[TAG_PLAR_REVIEW],
        operation_id="plar_review_queue_list",
        summary="The PLAR review queue",
        description=(
            "Submitted requests waiting for a reviewer, under review, or waiting "
            "for the learner's answer to a request for more information, oldest "
            "submission first. An instructor sees the microcredentials they own "
            "or teach; a registrar sees all."
        ),
        parameters=[PlarQueueQuerySerializer],
        responses={
            200: PlarQueueEntrySerializer(many=True),
            400: _error("A filter has a value that is not allowed."),
            401: NOT_SIGNED_IN,
            403: _error("Only instructors and registrars can review PLAR requests."),
        },
    )
    def get(self, request: Request, *args, **kwargs) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        serializer = PlarQueueEntrySerializer(
            page, many=True, context=_context(request)
        )
        return self.get_paginated_response(serializer.data)


class ReviewStartView(ReviewerAPIView):
    @extend_schema(
        tags=[TAG_PLAR_REVIEW],
        operation_id="plar_requests_review_create",
        summary="Take a request into review",
        description=(
            "A submitted request becomes “under review”, with the caller as its "
            "reviewer; the learner is told by e-mail. Any other status is a 409 "
            "(`forbidden_transition`) and changes nothing."
        ),
        request=None,
        responses={
            200: PlarRequestDetailSerializer,
            401: NOT_SIGNED_IN,
            403: NOT_A_REVIEWER,
            404: NOT_VISIBLE,
            409: _refusal("The request is not submitted (`forbidden_transition`)."),
        },
    )
    def post(self, request: Request, request_id: int) -> Response:
        plar_request = _reviewable(request, request_id)
        try:
            services.review_start(reviewer=request.user, request_id=plar_request.pk)
        except PolicyError as refusal:
            raise PlarRefusal.from_policy(refusal) from None
        return _request_response(request, _reviewable(request, request_id))


class DecisionView(ReviewerAPIView):
    @extend_schema(
        tags=[TAG_PLAR_REVIEW],
        operation_id="plar_requests_decision_create",
        summary="Decide a request under review",
        description=(
            "Approve, decline or ask for more information, always with a reason "
            "the learner reads. Approving opens the PLAR-route enrolment at "
            "once, its window counted from now: the response has its summative "
            "due date and end date. Only a request under review can be decided; "
            "a refused decision changes nothing."
        ),
        request=PlarDecisionRequestSerializer,
        responses={
            200: PlarRequestDetailSerializer,
            400: _refusal(
                "An invalid field, or refused by the rules: no reason "
                "(`reason_required`), a reason too long (`too_long`)."
            ),
            401: NOT_SIGNED_IN,
            403: NOT_A_REVIEWER,
            404: NOT_VISIBLE,
            409: _refusal(
                "The request is not under review (`forbidden_transition`), or the "
                "learner is already enrolled in the microcredential (`enrolled`)."
            ),
        },
    )
    def post(self, request: Request, request_id: int) -> Response:
        plar_request = _reviewable(request, request_id)
        payload = PlarDecisionRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            services.request_decide(
                reviewer=request.user,
                request_id=plar_request.pk,
                decision=payload.validated_data["decision"],
                reason=payload.validated_data["reason"],
            )
        except PolicyError as refusal:
            raise PlarRefusal.from_policy(refusal) from None
        return _request_response(request, _reviewable(request, request_id))


# ---------------------------------------------------------------- appeals


class AppealQueueView(generics.ListAPIView):
    """Appeals waiting for a decision in the caller's courses, oldest first."""

    authentication_classes = AUTHENTICATION
    permission_classes = [IsAuthenticated, MayReview]
    serializer_class = PlarStaffAppealSerializer

    def get_exception_handler(self):
        return exception_handler

    def get_queryset(self):
        return selectors.appeal_queue(self.request.user)

    @extend_schema(
        tags=[TAG_PLAR_REVIEW],
        operation_id="plar_appeals_list",
        summary="PLAR appeals waiting for a decision",
        description=(
            "Appeals against a declined request or against a result on the PLAR "
            "route, oldest first, in the microcredentials the caller reviews."
        ),
        responses={
            200: PlarStaffAppealSerializer(many=True),
            401: NOT_SIGNED_IN,
            403: _error("Only instructors and registrars can review PLAR requests."),
        },
    )
    def get(self, request: Request, *args, **kwargs) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        serializer = PlarStaffAppealSerializer(
            page, many=True, context=_context(request)
        )
        return self.get_paginated_response(serializer.data)


class AppealDecisionView(ReviewerAPIView):
    @extend_schema(
        tags=[TAG_PLAR_REVIEW],
        operation_id="plar_appeals_decision_create",
        summary="Decide an appeal",
        description=(
            "Grant or refuse, always with a reason the learner reads, by someone "
            "who took no part in what is appealed. Granting an appeal against a "
            "decline approves the request and starts the PLAR route now; "
            "granting one against a result gives one more attempt. A refused "
            "decision changes nothing."
        ),
        request=PlarAppealDecisionRequestSerializer,
        responses={
            200: PlarStaffAppealSerializer,
            400: _refusal(
                "An invalid field, or no reason (`reason_required`), or a reason "
                "too long (`too_long`)."
            ),
            401: NOT_SIGNED_IN,
            403: _refusal(
                "Not an instructor or registrar, or the caller made the decision "
                "appealed (`own_decision`)."
            ),
            404: _error(
                "No appeal you may decide has this id (the same answer whether it "
                "exists or not)."
            ),
            409: _refusal("Already decided (`already_decided`), or cannot apply."),
        },
    )
    def post(self, request: Request, appeal_id: int) -> Response:
        appeal = self._decidable(request, appeal_id)
        payload = PlarAppealDecisionRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            services.appeal_decide(
                decider=request.user,
                appeal_id=appeal.pk,
                grant=payload.validated_data["grant"],
                reason=payload.validated_data["reason"],
            )
        except PolicyError as refusal:
            raise PlarRefusal.from_policy(refusal) from None
        appeal = self._decidable(request, appeal_id)
        serializer = PlarStaffAppealSerializer(appeal, context=_context(request))
        return Response(serializer.data)

    @staticmethod
    def _decidable(request: Request, appeal_id: int) -> Appeal:
        appeal = selectors.appeal_for_review(request.user, appeal_id)
        if appeal is None:
            raise NotFound(_("No PLAR appeal you can decide has this id."))
        return appeal
