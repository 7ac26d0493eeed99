"""The shapes of the PLAR endpoints of API v1. No logic of their own.

Times are ISO 8601 with the offset of the caller's time zone (the context's
``tz``), as everywhere in API v1. The views prefetch what these read (events,
appeals, statements, evidence), so a page costs the same few queries whatever
its length.

Enumerations get explicit component names (``PlarRequestStatusEnum``...):
other endpoints already have fields named ``status`` and ``kind`` with other
values, and drf-spectacular would otherwise warn about the clash.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from assessments.api.serializers import (
    CourseRefSerializer,
    LearnerRefSerializer,
    StrictTextField,
)
from courses.api.serializers import ErrorSerializer, ZonedDateTimeField
from courses.models import Enrolment

from ..models import Appeal, Evidence, PlarRequest, RequestEvent
from ..selectors import QUEUE_STATUSES
from ..services import DECISIONS, MAX_REASON_LENGTH

# ---------------------------------------------------------------- enums


def _enum(choices: list[tuple[str, Any]], description: str) -> dict[str, Any]:
    lines = "\n".join(f"* `{value}` - {label}" for value, label in choices)
    return {
        "type": "string",
        "enum": [value for value, _label in choices],
        "description": f"{description}\n\n{lines}",
    }


REQUEST_STATUSES = list(PlarRequest.Status.choices)
QUEUE_STATUS_CHOICES = [
    (value, label) for value, label in REQUEST_STATUSES if value in QUEUE_STATUSES
]
DECISION_CHOICES = [
    (value, label) for value, label in REQUEST_STATUSES if value in DECISIONS
]


@extend_schema_field(
    _enum(REQUEST_STATUSES, "Where the PLAR request stands."),
    component_name="PlarRequestStatusEnum",
)
class RequestStatusField(serializers.ChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=REQUEST_STATUSES, **kwargs)


@extend_schema_field(
    _enum(QUEUE_STATUS_CHOICES, "A status of a request waiting in the queue."),
    component_name="PlarQueueStatusEnum",
)
class QueueStatusField(serializers.ChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=QUEUE_STATUS_CHOICES, **kwargs)


@extend_schema_field(
    _enum(DECISION_CHOICES, "A reviewer's decision on a request under review."),
    component_name="PlarDecisionEnum",
)
class DecisionField(serializers.ChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=DECISION_CHOICES, **kwargs)


@extend_schema_field(
    _enum(Appeal.Kind.choices, "What is appealed."),
    component_name="PlarAppealKindEnum",
)
class AppealKindField(serializers.ChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=Appeal.Kind.choices, **kwargs)


@extend_schema_field(
    _enum(Appeal.Status.choices, "Where the appeal stands."),
    component_name="PlarAppealStatusEnum",
)
class AppealStatusField(serializers.ChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=Appeal.Status.choices, **kwargs)


@extend_schema_field(
    {
        "type": "string",
        "enum": ["file", "link"],
        "description": "A file uploaded by the learner, or a link.",
    },
    component_name="PlarEvidenceKindEnum",
)
class EvidenceKindField(serializers.Field):
    """``file`` or ``link``, read from the evidence itself."""

    def to_representation(self, evidence: Evidence) -> str:
        return "link" if evidence.url else "file"


def _absolute(context: dict[str, Any], path: str) -> str:
    request = context.get("request")
    return request.build_absolute_uri(path) if request else path


# ---------------------------------------------------------------- requests in


class PlarQueueQuerySerializer(serializers.Serializer):
    """Optional filters of the review queue."""

    course = serializers.CharField(
        required=False,
        max_length=200,
        help_text="A microcredential's code: only its requests.",
    )
    status = QueueStatusField(required=False, help_text="Only requests in this status.")


class PlarDecisionRequestSerializer(serializers.Serializer):
    decision = DecisionField(
        help_text=(
            "`approved` opens the PLAR route at once; `declined` closes the "
            "request; `more_info` returns it to the learner to add to it."
        )
    )
    reason = StrictTextField(
        allow_blank=True,
        max_length=MAX_REASON_LENGTH,
        help_text="Why, in words the learner will read. Required, not blank.",
    )


class PlarAppealDecisionRequestSerializer(serializers.Serializer):
    grant = serializers.BooleanField(
        help_text=(
            "true grants the appeal (a declined request is approved and the PLAR "
            "route starts; a result gets one more attempt); false refuses it."
        )
    )
    reason = StrictTextField(
        allow_blank=True,
        max_length=MAX_REASON_LENGTH,
        help_text="Why, in words the learner will read. Required, not blank.",
    )


# ---------------------------------------------------------------- errors


class PlarRefusalSerializer(ErrorSerializer):
    """An error the PLAR rules gave: the usual shape plus the rule's code."""

    code = serializers.CharField(
        required=False,
        help_text=(
            "Present when a rule refused (not for an invalid field): the rule's "
            "name, for programs, e.g. `forbidden_transition`, `reason_required`, "
            "`too_long`, `enrolled`, `already_decided`, `own_decision`."
        ),
    )


# ---------------------------------------------------------------- parts


class PlarPersonRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="get_full_name")


class PlarRequestEventSerializer(serializers.ModelSerializer):
    """One status change: from, to, when and why."""

    from_status = RequestStatusField(read_only=True)
    to_status = RequestStatusField(read_only=True)
    at = ZonedDateTimeField()
    reason = serializers.CharField(
        read_only=True, help_text="The reviewer's reason; empty for the learner's."
    )

    class Meta:
        model = RequestEvent
        fields = ["from_status", "to_status", "at", "reason"]
        read_only_fields = fields


class PlarEnrolmentSerializer(serializers.ModelSerializer):
    """The enrolment an approval opened, with its two dates."""

    summative_due_at = ZonedDateTimeField(
        help_text="Attempt 1 of the summative assessment is due by then."
    )
    ends_at = ZonedDateTimeField(help_text="The end of the PLAR route.")
    assessment_url = serializers.SerializerMethodField(
        help_text="The summative assessment's page (web)."
    )

    class Meta:
        model = Enrolment
        fields = [
            "id",
            "route",
            "status",
            "summative_due_at",
            "ends_at",
            "assessment_url",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.URI)
    def get_assessment_url(self, enrolment: Enrolment) -> str:
        path = reverse("assessments:summative", kwargs={"enrolment_id": enrolment.pk})
        return _absolute(self.context, path)


class PlarAppealSerializer(serializers.ModelSerializer):
    kind = AppealKindField(read_only=True)
    status = AppealStatusField(read_only=True)
    attempt = serializers.IntegerField(
        source="attempt_id",
        read_only=True,
        allow_null=True,
        help_text="The appealed attempt (grade appeals); null for a decision.",
    )
    submitted_at = ZonedDateTimeField()
    decided_at = ZonedDateTimeField(allow_null=True)

    class Meta:
        model = Appeal
        fields = [
            "id",
            "kind",
            "attempt",
            "status",
            "reason",
            "decision_reason",
            "submitted_at",
            "decided_at",
        ]
        read_only_fields = fields


class PlarStatementSerializer(serializers.Serializer):
    """The learner's statement on one learning outcome."""

    code = serializers.CharField(source="outcome.code")
    text = serializers.CharField(source="outcome.text", help_text="The outcome.")
    statement = serializers.CharField(source="text", help_text="The learner's words.")


class PlarEvidenceSerializer(serializers.ModelSerializer):
    kind = EvidenceKindField(source="*", read_only=True)
    url = serializers.SerializerMethodField(
        help_text="The link, or the address to download the file from."
    )
    file_name = serializers.SerializerMethodField(
        help_text="The uploaded file's name; null for a link."
    )
    added_at = ZonedDateTimeField()

    class Meta:
        model = Evidence
        fields = ["id", "title", "kind", "url", "file_name", "added_at"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, evidence: Evidence) -> str:
        if evidence.url:
            return evidence.url
        path = reverse(
            "plar:evidence-file",
            kwargs={"request_id": evidence.request_id, "evidence_id": evidence.pk},
        )
        return _absolute(self.context, path)

    @extend_schema_field({"type": "string", "nullable": True})
    def get_file_name(self, evidence: Evidence) -> str | None:
        if evidence.url:
            return None
        return evidence.original_name or evidence.title


# ---------------------------------------------------------------- requests out


class PlarRequestSerializer(serializers.ModelSerializer):
    """A PLAR request as its learner follows it: status, dates, the reviewers'
    reasons, every status change, the PLAR enrolment and any appeals."""

    url = serializers.SerializerMethodField()
    page_url = serializers.SerializerMethodField(
        help_text="The request's page for the learner (web)."
    )
    course = CourseRefSerializer(source="microcredential", read_only=True)
    status = RequestStatusField(read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    created_at = ZonedDateTimeField()
    submitted_at = ZonedDateTimeField(
        allow_null=True, help_text="The first submission; null while a draft."
    )
    decided_at = ZonedDateTimeField(
        allow_null=True, help_text="When it was approved or declined."
    )
    decision_reason = serializers.CharField(
        read_only=True, help_text="The reviewer's reason for approving or declining."
    )
    more_info_reason = serializers.SerializerMethodField(
        help_text=(
            "What the reviewer last asked for when requesting more information; "
            "null if they never did."
        )
    )
    events = PlarRequestEventSerializer(
        many=True, read_only=True, help_text="Every status change, oldest first."
    )
    enrolment = PlarEnrolmentSerializer(
        read_only=True,
        allow_null=True,
        help_text="The PLAR route, once approved; null before.",
    )
    appeals = PlarAppealSerializer(many=True, read_only=True, help_text="Newest first.")

    class Meta:
        model = PlarRequest
        fields = [
            "id",
            "url",
            "page_url",
            "course",
            "status",
            "status_label",
            "created_at",
            "submitted_at",
            "decided_at",
            "decision_reason",
            "more_info_reason",
            "events",
            "enrolment",
            "appeals",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, request: PlarRequest) -> str:
        path = reverse("api:plar-request-detail", kwargs={"request_id": request.pk})
        return _absolute(self.context, path)

    @extend_schema_field(OpenApiTypes.URI)
    def get_page_url(self, request: PlarRequest) -> str:
        path = reverse("plar:request", kwargs={"request_id": request.pk})
        return _absolute(self.context, path)

    @extend_schema_field({"type": "string", "nullable": True})
    def get_more_info_reason(self, request: PlarRequest) -> str | None:
        asked = [
            event
            for event in request.events.all()
            if event.to_status == PlarRequest.Status.MORE_INFO
        ]
        return asked[-1].reason if asked else None


class PlarRequestDetailSerializer(PlarRequestSerializer):
    """One request with what a reviewer decides on: the learner, their
    statement per learning outcome and their evidence."""

    learner = LearnerRefSerializer(read_only=True)
    declaration = serializers.BooleanField(
        read_only=True,
        help_text="The learner declared the statements and evidence their own.",
    )
    statements = PlarStatementSerializer(
        many=True, read_only=True, help_text="One per learning outcome, in order."
    )
    evidence = PlarEvidenceSerializer(many=True, read_only=True)
    review_url = serializers.SerializerMethodField(
        help_text="The request's review page (staff web pages)."
    )

    class Meta(PlarRequestSerializer.Meta):
        fields = [
            *PlarRequestSerializer.Meta.fields,
            "learner",
            "declaration",
            "statements",
            "evidence",
            "review_url",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.URI)
    def get_review_url(self, request: PlarRequest) -> str:
        path = reverse("plar-staff:request", kwargs={"request_id": request.pk})
        return _absolute(self.context, path)


class PlarQueueEntrySerializer(serializers.ModelSerializer):
    """A request waiting on a reviewer, or on the learner's answer."""

    url = serializers.SerializerMethodField(help_text="The request, in this API.")
    review_url = serializers.SerializerMethodField(
        help_text="The request's review page (staff web pages)."
    )
    course = CourseRefSerializer(source="microcredential", read_only=True)
    learner = LearnerRefSerializer(read_only=True)
    status = RequestStatusField(
        read_only=True,
        help_text=(
            "`submitted`: waiting for a reviewer; `under_review`: taken by "
            "`reviewer`; `more_info`: waiting for the learner."
        ),
    )
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    reviewer = PlarPersonRefSerializer(
        read_only=True, allow_null=True, help_text="Who took it into review."
    )
    submitted_at = ZonedDateTimeField(allow_null=True)
    updated_at = ZonedDateTimeField()

    class Meta:
        model = PlarRequest
        fields = [
            "id",
            "url",
            "review_url",
            "course",
            "learner",
            "status",
            "status_label",
            "reviewer",
            "submitted_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, request: PlarRequest) -> str:
        path = reverse("api:plar-request-detail", kwargs={"request_id": request.pk})
        return _absolute(self.context, path)

    @extend_schema_field(OpenApiTypes.URI)
    def get_review_url(self, request: PlarRequest) -> str:
        path = reverse("plar-staff:request", kwargs={"request_id": request.pk})
        return _absolute(self.context, path)


class PlarStaffAppealSerializer(PlarAppealSerializer):
    """An appeal as a decider sees it: the request it is about and its learner."""

    request = serializers.IntegerField(source="request_id", read_only=True)
    request_url = serializers.SerializerMethodField(
        help_text="The appealed request, in this API."
    )
    request_status = RequestStatusField(source="request.status", read_only=True)
    course = CourseRefSerializer(source="request.microcredential", read_only=True)
    learner = LearnerRefSerializer(source="request.learner", read_only=True)
    review_url = serializers.SerializerMethodField(
        help_text="The appeal's page (staff web pages)."
    )

    class Meta(PlarAppealSerializer.Meta):
        fields = [
            "id",
            "request",
            "request_url",
            "request_status",
            "course",
            "learner",
            *PlarAppealSerializer.Meta.fields[1:],
            "review_url",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.URI)
    def get_request_url(self, appeal: Appeal) -> str:
        path = reverse(
            "api:plar-request-detail", kwargs={"request_id": appeal.request_id}
        )
        return _absolute(self.context, path)

    @extend_schema_field(OpenApiTypes.URI)
    def get_review_url(self, appeal: Appeal) -> str:
        path = reverse("plar-staff:appeal", kwargs={"appeal_id": appeal.pk})
        return _absolute(self.context, path)
