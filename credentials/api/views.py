"""API v1 for credentials: public verification, no account needed.

``GET /api/v1/credentials/<id>/verification`` verifies the credential as we
signed it -- signature, issuer, status, expiry, current version, each check
named -- exactly as its public page does. A malformed or unknown id is a JSON
404. No authentication is read and times are in the institution's zone, so the
answer is the same for everyone.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from courses.api.serializers import ErrorSerializer, zone_of

from .. import selectors, services, verification
from .serializers import VerificationSerializer

TAG_CREDENTIALS = "credentials"


def _page_url(credential) -> str:
    return services.absolute_url("credential", pk=credential.pk)


class CredentialVerificationView(APIView):
    """Whether a credential is genuine and current, check by check."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        tags=[TAG_CREDENTIALS],
        operation_id="credentials_verification_retrieve",
        summary="Verify a credential",
        description=(
            "Public, no authentication. Verifies the credential as it was signed: "
            "format, signature (eddsa-rdfc-2022), issuer, revocation status (our "
            "Bitstring Status List), expiry and current version. `state` is the "
            "verdict; each check says what it found."
        ),
        responses={
            200: VerificationSerializer,
            404: OpenApiResponse(
                ErrorSerializer, description="No credential has this id."
            ),
        },
    )
    def get(self, request: Request, credential_id: str) -> Response:
        found = selectors.credential_public(credential_id)
        if found is None:
            raise NotFound(_("No credential has this id."))
        report = verification.verify_stored_credential(found, now=timezone.now())
        serializer = VerificationSerializer(
            report, context={"tz": zone_of(None), "url_of": _page_url}
        )
        return Response(serializer.data)


@extend_schema(exclude=True)
class CredentialVerificationSlashView(CredentialVerificationView):
    """The same address with a trailing slash."""
