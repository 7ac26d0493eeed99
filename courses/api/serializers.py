"""The shapes of API v1: what goes in and what comes out. No logic of their own.

Times go out as ISO 8601 with the offset of the caller's time zone (the
serializer context's ``tz``); days left are counted in that zone too.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from courses import policies
from courses.models import (
    CreditStatus,
    DeliveryMode,
    Enrolment,
    Language,
    Level,
    Microcredential,
    Offering,
    Pathway,
)
from courses.selectors import CatalogFilters

SUMMATIVE_ATTEMPTS = 2


def zone_of(user) -> zoneinfo.ZoneInfo:
    """The person's time zone, falling back to the institution's."""
    for name in (getattr(user, "time_zone", ""), settings.TIME_ZONE):
        try:
            return zoneinfo.ZoneInfo(name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError):
            continue
    return zoneinfo.ZoneInfo("UTC")


@extend_schema_field(OpenApiTypes.DATETIME)
class ZonedDateTimeField(serializers.Field):
    """An aware datetime shown in the context's ``tz``, with its offset."""

    def __init__(self, **kwargs):
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value: dt.datetime) -> str:
        tz = self.context.get("tz") or zone_of(None)
        return value.astimezone(tz).isoformat()


# ---------------------------------------------------------------- requests


class CatalogQuerySerializer(serializers.Serializer):
    """The catalog's search and filters; every one is optional."""

    q = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        help_text="Words searched in the title, summary and learning outcomes.",
    )
    language = serializers.ChoiceField(
        choices=Language.choices, required=False, allow_blank=True
    )
    level = serializers.ChoiceField(
        choices=Level.choices, required=False, allow_blank=True
    )
    credit_status = serializers.ChoiceField(
        choices=CreditStatus.choices, required=False, allow_blank=True
    )
    delivery_mode = serializers.ChoiceField(
        choices=DeliveryMode.choices, required=False, allow_blank=True
    )
    pathway = serializers.SlugField(
        required=False,
        allow_blank=True,
        max_length=120,
        help_text="A pathway's slug: only microcredentials that stack into it.",
    )

    def to_filters(self) -> CatalogFilters:
        data = self.validated_data
        return CatalogFilters(
            q=data.get("q", "").strip(),
            language=data.get("language", ""),
            level=data.get("level", ""),
            credit_status=data.get("credit_status", ""),
            delivery_mode=data.get("delivery_mode", ""),
            pathway=data.get("pathway", ""),
        )


class RegistrationRequestSerializer(serializers.Serializer):
    offering = serializers.IntegerField(
        min_value=1, help_text="The id of an open offering (see a course's detail)."
    )


class TokenRequestSerializer(serializers.Serializer):
    email = serializers.EmailField()
    password = serializers.CharField(
        trim_whitespace=False, style={"input_type": "password"}, write_only=True
    )


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(
        read_only=True,
        help_text='Send it as the header "Authorization: Token <token>".',
    )


class ErrorSerializer(serializers.Serializer):
    """Every error of the API has this shape."""

    error = serializers.CharField(help_text="One clear message for a person.")
    errors = serializers.DictField(
        child=serializers.JSONField(),
        help_text=(
            "Messages per field (a list, or nested fields), when the request had "
            "invalid fields; empty otherwise."
        ),
    )
    status = serializers.IntegerField(help_text="The HTTP status code.")


# ---------------------------------------------------------------- courses


class PathwaySummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Pathway
        fields = ["code", "slug", "title"]


class MicrocredentialListSerializer(serializers.ModelSerializer):
    credit_label = serializers.SerializerMethodField()
    # Not read-only, only so that the schema marks them optional: they are
    # present for for-credit microcredentials only (never blur the two).
    credit_value = serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        required=False,
        help_text="Credits awarded. For-credit microcredentials only.",
    )
    credit_institution = serializers.CharField(
        required=False,
        help_text="The institution granting the credit. For-credit only.",
    )
    window_in_words = serializers.CharField(
        read_only=True, help_text='The completion window in words, e.g. "6 weeks".'
    )
    pathways = PathwaySummarySerializer(many=True, read_only=True)
    url = serializers.SerializerMethodField(help_text="The public course page.")

    class Meta:
        model = Microcredential
        fields = [
            "code",
            "slug",
            "title",
            "summary",
            "language",
            "level",
            "delivery_mode",
            "credit_status",
            "credit_label",
            "credit_value",
            "credit_institution",
            "time_commitment_hours",
            "completion_window_days",
            "window_in_words",
            "credential_name",
            "pathways",
            "url",
        ]
        read_only_fields = [
            name
            for name in fields
            if name not in ("credit_value", "credit_institution")
        ]

    def to_representation(self, course: Microcredential) -> dict:
        data = super().to_representation(course)
        if not course.is_for_credit:
            del data["credit_value"], data["credit_institution"]
        return data

    def get_credit_label(self, course: Microcredential) -> str:
        return str(CreditStatus(course.credit_status).label)

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, course: Microcredential) -> str:
        path = course.get_absolute_url()
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class OutcomeSerializer(serializers.Serializer):
    code = serializers.CharField()
    text = serializers.CharField()


class ModuleSerializer(serializers.Serializer):
    title = serializers.CharField()
    estimated_minutes = serializers.IntegerField()


class OpenOfferingSerializer(serializers.ModelSerializer):
    ends_on = serializers.DateField(
        source="last_day",
        allow_null=True,
        read_only=True,
        help_text="Scheduled offerings: the last day. Rolling ones: null.",
    )
    seats_left = serializers.SerializerMethodField(
        help_text="Places still free; null when the offering has no limit."
    )

    class Meta:
        model = Offering
        fields = [
            "id",
            "kind",
            "label",
            "starts_on",
            "ends_on",
            "registration_closes_at",
            "seats_left",
        ]
        read_only_fields = fields

    def get_seats_left(self, offering: Offering) -> int | None:
        if offering.capacity is None:
            return None
        return max(offering.capacity - getattr(offering, "taken", 0), 0)


class PathwayPositionSerializer(serializers.ModelSerializer):
    needed = serializers.SerializerMethodField(
        help_text="How many microcredentials earn the pathway."
    )
    size = serializers.IntegerField(
        read_only=True, help_text="How many microcredentials the pathway holds."
    )
    position = serializers.SerializerMethodField(
        help_text='In words, e.g. "1 of 3 toward the Certificate in Data Practice".'
    )

    class Meta:
        model = Pathway
        fields = [
            "code",
            "slug",
            "title",
            "requirement",
            "needed",
            "size",
            "position",
        ]
        read_only_fields = fields

    def get_needed(self, pathway: Pathway) -> int:
        size = getattr(pathway, "size", 0)
        if pathway.requirement == Pathway.Requirement.N_OF_M and pathway.required_count:
            return min(pathway.required_count, size) if size else pathway.required_count
        return size

    def get_position(self, pathway: Pathway) -> str:
        return f"1 of {self.get_needed(pathway)} toward the {pathway.title}"


class AssessmentPolicySerializer(serializers.Serializer):
    summative_attempts = serializers.IntegerField()
    feedback_turnaround_days = serializers.IntegerField()
    resubmission_days = serializers.IntegerField()
    text = serializers.CharField()

    def to_representation(self, course: Microcredential) -> dict:
        return {
            "summative_attempts": SUMMATIVE_ATTEMPTS,
            "feedback_turnaround_days": course.feedback_turnaround_days,
            "resubmission_days": course.resubmission_days,
            "text": (
                "One summative assessment decides the credential, with at most "
                "two attempts. Submit attempt 1 by your summative due date; "
                f"feedback comes within {course.feedback_turnaround_days} days, "
                "and if you need a second attempt you then have "
                f"{course.resubmission_days} days, until the end date."
            ),
        }


class MicrocredentialDetailSerializer(MicrocredentialListSerializer):
    outcomes = OutcomeSerializer(many=True, read_only=True)
    modules = ModuleSerializer(many=True, read_only=True)
    offerings = OpenOfferingSerializer(
        source="open_offerings",
        many=True,
        read_only=True,
        help_text="Offerings open for registration now.",
    )
    pathways = PathwayPositionSerializer(many=True, read_only=True)
    assessment = AssessmentPolicySerializer(source="*", read_only=True)

    class Meta(MicrocredentialListSerializer.Meta):
        fields = [
            *MicrocredentialListSerializer.Meta.fields,
            "description",
            "credential_value",
            "outcomes",
            "modules",
            "offerings",
            "assessment",
        ]
        read_only_fields = [
            *MicrocredentialListSerializer.Meta.read_only_fields,
            "description",
            "credential_value",
        ]


# ---------------------------------------------------------------- enrolments


class EnrolmentCourseSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = Microcredential
        fields = ["code", "slug", "title", "url"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, course: Microcredential) -> str:
        path = course.get_absolute_url()
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class EnrolmentOfferingSerializer(serializers.ModelSerializer):
    class Meta:
        model = Offering
        fields = ["id", "kind", "label", "starts_on"]
        read_only_fields = fields


class ProgressSerializer(serializers.Serializer):
    completed = serializers.IntegerField(help_text="Items completed.")
    total = serializers.IntegerField(help_text="Items in the microcredential.")
    percent = serializers.IntegerField()


class EnrolmentSerializer(serializers.ModelSerializer):
    """One enrolment with its two dates, days left and progress."""

    # The view puts ``tz``, ``now`` and ``progress`` ({enrolment id: (done,
    # total)}, from selectors.enrolment_progress_map) in the context.

    course = EnrolmentCourseSerializer(source="microcredential", read_only=True)
    offering = EnrolmentOfferingSerializer(read_only=True)
    registered_at = ZonedDateTimeField()
    summative_due_at = ZonedDateTimeField(
        help_text="Attempt 1 of the summative assessment is due by then."
    )
    ends_at = ZonedDateTimeField(help_text="The end of the microcredential.")
    summative_due_days_left = serializers.SerializerMethodField(
        help_text="Calendar days until the summative due date (0 = today, <0 past)."
    )
    ends_days_left = serializers.SerializerMethodField(
        help_text="Calendar days until the end date (0 = today, <0 past)."
    )
    time_zone = serializers.SerializerMethodField(
        help_text="The zone the dates and days left are given in."
    )
    progress = serializers.SerializerMethodField()

    class Meta:
        model = Enrolment
        fields = [
            "id",
            "course",
            "offering",
            "status",
            "route",
            "registered_at",
            "summative_due_at",
            "ends_at",
            "summative_due_days_left",
            "ends_days_left",
            "time_zone",
            "progress",
        ]
        read_only_fields = fields

    def _days_left(self, deadline: dt.datetime) -> int:
        return policies.days_left(
            deadline, now=self.context["now"], tz=self.context["tz"]
        )

    def get_summative_due_days_left(self, enrolment: Enrolment) -> int:
        return self._days_left(enrolment.summative_due_at)

    def get_ends_days_left(self, enrolment: Enrolment) -> int:
        return self._days_left(enrolment.ends_at)

    def get_time_zone(self, enrolment: Enrolment) -> str:
        return str(self.context["tz"])

    @extend_schema_field(ProgressSerializer)
    def get_progress(self, enrolment: Enrolment) -> dict:
        done, total = self.context["progress"].get(enrolment.pk, (0, 0))
        percent = round(100 * done / total) if total else 0
        return {"completed": done, "total": total, "percent": percent}
