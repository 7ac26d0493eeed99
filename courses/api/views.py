"""API v1: parse, check permission, call one selector or service, serialize."""

from __future__ import annotations

from allauth.account.utils import has_verified_email
from django.conf import settings
from django.contrib.auth import authenticate
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import APIException, NotFound
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from courses import selectors, services
from courses.models import Microcredential
from courses.policies import PolicyError

from .serializers import (
    CatalogQuerySerializer,
    EnrolmentSerializer,
    ErrorSerializer,
    MicrocredentialDetailSerializer,
    MicrocredentialListSerializer,
    RegistrationRequestSerializer,
    TokenRequestSerializer,
    TokenSerializer,
    zone_of,
)

TAG_CATALOG = "catalog"
TAG_ENROLMENTS = "enrolments"
TAG_AUTH = "auth"


def _error(description: str) -> OpenApiResponse:
    return OpenApiResponse(ErrorSerializer, description=description)


NOT_SIGNED_IN = _error("Not signed in (no valid token or session).")

# Token first, so that a caller without credentials (or with a bad token) gets
# 401 with "WWW-Authenticate: Token", not a bare 403. Sessions still work, and
# still need the CSRF token for writes.
AUTHENTICATION = [TokenAuthentication, SessionAuthentication]


class Refused(APIException):
    """A well-formed request the rules refuse: the person is told why."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = "The request was refused."
    default_code = "refused"


class Conflict(Refused):
    status_code = status.HTTP_409_CONFLICT
    default_code = "already_registered"


class CatalogListView(generics.ListAPIView):
    """Published microcredentials, with the web catalog's search and filters."""

    authentication_classes = AUTHENTICATION
    permission_classes = [AllowAny]
    serializer_class = MicrocredentialListSerializer

    def get_queryset(self):
        query = CatalogQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return selectors.catalog_list(query.to_filters())

    @extend_schema(
        tags=[TAG_CATALOG],
        operation_id="microcredentials_list",
        summary="Catalog of published microcredentials",
        parameters=[CatalogQuerySerializer],
        responses={
            200: MicrocredentialListSerializer(many=True),
            400: _error("A filter has a value that is not allowed."),
        },
    )
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)


class CatalogDetailView(APIView):
    authentication_classes = AUTHENTICATION
    permission_classes = [AllowAny]

    @extend_schema(
        tags=[TAG_CATALOG],
        operation_id="microcredentials_retrieve",
        summary="A published microcredential, as its public page shows it",
        responses={
            200: MicrocredentialDetailSerializer,
            404: _error("No published microcredential has this slug."),
        },
    )
    def get(self, request: Request, slug: str) -> Response:
        now = timezone.now()
        try:
            course = selectors.course_detail(slug, now=now)
        except Microcredential.DoesNotExist:
            raise NotFound("No published microcredential has this address.") from None
        course.open_offerings = selectors.open_offerings(course, now=now)
        serializer = MicrocredentialDetailSerializer(
            course, context={"request": request}
        )
        return Response(serializer.data)


def _enrolment_context(request: Request, enrolment_ids: list[int]) -> dict:
    return {
        "request": request,
        "tz": zone_of(request.user),
        "now": timezone.now(),
        "progress": selectors.enrolment_progress_map(enrolment_ids),
    }


class MyEnrolmentsView(generics.ListAPIView):
    """The caller's own enrolments: both dates, days left and progress."""

    authentication_classes = AUTHENTICATION
    permission_classes = [IsAuthenticated]
    serializer_class = EnrolmentSerializer

    def get_queryset(self):
        return selectors.learner_enrolments(self.request.user)

    @extend_schema(
        tags=[TAG_ENROLMENTS],
        operation_id="me_enrolments_list",
        summary="My enrolments",
        responses={
            200: EnrolmentSerializer(many=True),
            401: NOT_SIGNED_IN,
        },
    )
    def get(self, request: Request, *args, **kwargs) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        serializer = EnrolmentSerializer(
            page, many=True, context=_enrolment_context(request, [e.pk for e in page])
        )
        return self.get_paginated_response(serializer.data)


class RegistrationView(APIView):
    authentication_classes = AUTHENTICATION
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=[TAG_ENROLMENTS],
        operation_id="enrolments_create",
        summary="Register for an offering",
        description=(
            "Registers the caller for an open offering. The new enrolment comes "
            "back at once with its two dates: the summative due date and the end "
            "date. A confirmation e-mail with a calendar file follows."
        ),
        request=RegistrationRequestSerializer,
        responses={
            201: EnrolmentSerializer,
            400: _error(
                "Refused, with the reason: offering closed, "
                "full or unknown, microcredential not published, or a bad request."
            ),
            401: NOT_SIGNED_IN,
            403: _error("Signed in by session, but the CSRF token is missing."),
            409: _error("The caller is already registered for this microcredential."),
        },
    )
    def post(self, request: Request) -> Response:
        payload = RegistrationRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            enrolment = services.enrolment_register(
                learner=request.user, offering_id=payload.validated_data["offering"]
            )
        except services.AlreadyRegistered as exc:
            raise Conflict(str(exc)) from None
        except PolicyError as exc:
            raise Refused(str(exc)) from None
        serializer = EnrolmentSerializer(
            enrolment, context=_enrolment_context(request, [enrolment.pk])
        )
        return Response(serializer.data, status=status.HTTP_201_CREATED)


class TokenObtainView(APIView):
    """Trade an e-mail address and password for an API token."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "token"

    @extend_schema(
        tags=[TAG_AUTH],
        operation_id="auth_token_create",
        summary="Obtain an API token",
        request=TokenRequestSerializer,
        responses={
            200: TokenSerializer,
            400: _error("Wrong e-mail or password, or the e-mail is not verified."),
        },
        auth=[],
    )
    def post(self, request: Request) -> Response:
        credentials = TokenRequestSerializer(data=request.data)
        credentials.is_valid(raise_exception=True)
        user = authenticate(
            request._request,
            email=credentials.validated_data["email"].lower(),
            password=credentials.validated_data["password"],
        )
        if user is None:
            raise Refused("Unable to sign in with this e-mail address and password.")
        if (
            settings.ACCOUNT_EMAIL_VERIFICATION == "mandatory"
            and not has_verified_email(user)
        ):
            raise Refused(
                "Verify your e-mail address first: follow the link we sent you."
            )
        token, _created = Token.objects.get_or_create(user=user)
        return Response(TokenSerializer({"token": token.key}).data)


@extend_schema(exclude=True)
class NotFoundView(APIView):
    """Any other address under /api/v1/: a JSON 404, whatever the method."""

    authentication_classes = AUTHENTICATION
    permission_classes = [AllowAny]

    def initial(self, request: Request, *args, **kwargs) -> None:
        super().initial(request, *args, **kwargs)
        raise NotFound("There is no API endpoint at this address.")
