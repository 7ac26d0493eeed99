"""The shape of a credential's verification in API v1. No logic of its own:
everything comes from ``credentials.verification.VerificationReport``."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from courses.api.serializers import ZonedDateTimeField

from ..verification import CHECK_NAMES, VerificationState


class CheckSerializer(serializers.Serializer):
    name = serializers.ChoiceField(
        choices=list(CHECK_NAMES), help_text="The check, always in this order."
    )
    label = serializers.CharField(help_text="The check's name, for a person.")
    passed = serializers.BooleanField()
    detail = serializers.CharField(help_text="What the check found, in plain words.")


class AchievementSerializer(serializers.Serializer):
    id = serializers.CharField(
        source="achievement_id", help_text="The achievement's criteria page."
    )
    name = serializers.CharField(source="achievement_name")
    type = serializers.CharField(
        source="achievement_type",
        help_text="MicroCredential (a course) or Certificate (a pathway).",
    )


class IssuerSerializer(serializers.Serializer):
    id = serializers.CharField(
        source="issuer_id", help_text="The issuer's DID (did:web or did:key)."
    )
    name = serializers.CharField(source="issuer_name")
    url = serializers.CharField(source="issuer_url")


class CredentialSummarySerializer(serializers.Serializer):
    """What the credential says, as it was signed."""

    id = serializers.CharField(help_text="The credential's id: its public page.")
    achievement = AchievementSerializer(source="*")
    issued = ZonedDateTimeField(allow_null=True, help_text="When it was awarded.")
    expires = ZonedDateTimeField(
        allow_null=True, help_text="When it stops being valid; null: never."
    )
    issuer = IssuerSerializer(source="*")


class RevocationSerializer(serializers.Serializer):
    revoked_at = ZonedDateTimeField(allow_null=True)
    reason = serializers.CharField(source="revocation_reason")


class VerificationSerializer(serializers.Serializer):
    """Our verification of one credential: its state and every check, named."""

    state = serializers.ChoiceField(
        choices=[state.value for state in VerificationState],
        help_text=(
            "valid; expired; revoked; superseded (replaced by a corrected "
            "credential, see replaced_by); invalid (it cannot be trusted: see "
            "the checks)."
        ),
    )
    headline = serializers.CharField(help_text="The verdict in one sentence.")
    checks = CheckSerializer(many=True)
    credential = CredentialSummarySerializer(source="summary", allow_null=True)
    revocation = serializers.SerializerMethodField(
        help_text="When and why it was revoked; null unless revoked."
    )
    replaced_by = serializers.SerializerMethodField(
        help_text=(
            "The page of the credential that replaced it; null unless superseded."
        )
    )
    page = serializers.SerializerMethodField(
        help_text="The credential's public verification page, for a person."
    )

    @extend_schema_field(RevocationSerializer(allow_null=True))
    def get_revocation(self, report) -> dict | None:
        if report.state != VerificationState.REVOKED or report.credential is None:
            return None
        return RevocationSerializer(report.credential, context=self.context).data

    @extend_schema_field(OpenApiTypes.URI)
    def get_replaced_by(self, report) -> str | None:
        replacement = report.replacement
        return self.context["url_of"](replacement) if replacement else None

    @extend_schema_field(OpenApiTypes.URI)
    def get_page(self, report) -> str | None:
        credential = report.credential
        return self.context["url_of"](credential) if credential else None
