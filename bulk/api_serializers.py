"""The shapes of the bulk jobs' endpoints of API v1. No logic of their own.

A new job's rows are checked for shape only — a list of objects whose keys
are the kind's columns and whose values are text or null. Every rule of a row
(a valid e-mail, a known achievement, a date...) is the dry run's, which
reports each row, as it does for an uploaded file.

Enumerations get explicit component names (``BulkJobStatusEnum``...): other
endpoints have fields named ``status`` and ``kind`` with other values.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from assessments.api.serializers import StrictTextField
from courses.api.serializers import ZonedDateTimeField

from . import policies, services, tables
from .models import BulkJob

#: The columns a job's rows take, by kind.
REVOKE_COLUMNS: tuple[str, ...] = ("credential",)
COLUMNS = {
    BulkJob.Kind.ISSUE: policies.COLUMN_NAMES,
    BulkJob.Kind.REVOKE: REVOKE_COLUMNS,
}
MAX_REASON_LENGTH = 2_000
SHOWN_UNKNOWN_KEYS = 10
RUNNING = (BulkJob.Status.PENDING, BulkJob.Status.RUNNING)

# ---------------------------------------------------------------- enums


def _enum(choices: list[tuple[str, Any]], description: str) -> dict[str, Any]:
    lines = "\n".join(f"* `{value}` - {label}" for value, label in choices)
    return {
        "type": "string",
        "enum": [value for value, _label in choices],
        "description": f"{description}\n\n{lines}",
    }


@extend_schema_field(
    _enum(BulkJob.Kind.choices, "What the job does to each row."),
    component_name="BulkJobKindEnum",
)
class KindField(serializers.ChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=BulkJob.Kind.choices, **kwargs)


@extend_schema_field(
    _enum(BulkJob.Status.choices, "Where the job stands."),
    component_name="BulkJobStatusEnum",
)
class StatusField(serializers.ChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=BulkJob.Status.choices, **kwargs)


@extend_schema_field(
    _enum(BulkJob.Source.choices, "Where the job's rows came from."),
    component_name="BulkJobSourceEnum",
)
class SourceField(serializers.ChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=BulkJob.Source.choices, **kwargs)


# ---------------------------------------------------------------- requests in


def _row_schema(title: str, columns: tuple[str, ...], description: str) -> dict:
    return {
        "type": "object",
        "title": title,
        "description": description,
        "properties": {name: {"type": "string", "nullable": True} for name in columns},
        "additionalProperties": False,
    }


@extend_schema_field(
    {
        "type": "array",
        "minItems": 1,
        "maxItems": tables.MAX_ROWS,
        "description": (
            "The rows, as the columns of a file would give them: text or null "
            "(null and a missing key are an empty cell). The dry run checks "
            "each one; the report numbers them as lines of a file, so "
            "`rows[0]` is line 2 (line 1 is the header)."
        ),
        "items": {
            "anyOf": [
                _row_schema(
                    "BulkIssueRow",
                    policies.COLUMN_NAMES,
                    "An issue job's row: the columns of the bulk issuance "
                    "file (email, legal_name, achievement and issue_date "
                    "required; expiry, evidence and route optional).",
                ),
                _row_schema(
                    "BulkRevokeRow",
                    REVOKE_COLUMNS,
                    "A revoke job's row: `credential`, the credential's id or "
                    "its verification code.",
                ),
            ]
        },
    }
)
class RowsField(serializers.Field):
    """A list of objects with text (or null) values; their keys are checked
    against the job's kind by the serializer."""

    def to_internal_value(self, data: Any) -> list[dict[str, str | None]]:
        if not isinstance(data, list):
            raise serializers.ValidationError(_("“rows” must be a list of objects."))
        if not data:
            raise serializers.ValidationError(_("There are no rows to check."))
        if len(data) > tables.MAX_ROWS:
            raise serializers.ValidationError(
                _("There are %(count)s rows; the limit is %(limit)s a job.")
                % {"count": len(data), "limit": tables.MAX_ROWS}
            )
        for number, row in enumerate(data, start=1):
            if not isinstance(row, dict):
                raise serializers.ValidationError(
                    _(
                        "Row %(row)s is not an object: each row is an object of "
                        "column names and values."
                    )
                    % {"row": number}
                )
            for key, value in row.items():
                if value is not None and not isinstance(value, str):
                    raise serializers.ValidationError(
                        _("Row %(row)s, “%(key)s”: a value must be text or null.")
                        % {"row": number, "key": key[:100]}
                    )
        return data

    def to_representation(self, value: Any) -> Any:  # pragma: no cover - input only
        return value


class StrictSerializer(serializers.Serializer):
    """Refuses fields it does not know: a misspelt option must not silently
    fall back to its default (``notify_recipients`` defaults to sending
    e-mail)."""

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        unknown = sorted(set(self.initial_data) - set(self.fields))
        if unknown:
            raise serializers.ValidationError(
                _("Unknown fields: %(fields)s. The fields are: %(known)s.")
                % {
                    "fields": ", ".join(str(name)[:100] for name in unknown[:10]),
                    "known": ", ".join(self.fields),
                }
            )
        return attrs


class _JobOptions(StrictSerializer):
    kind = KindField(
        default=BulkJob.Kind.ISSUE,
        help_text="`issue` (the default) or `revoke`.",
    )
    notify_recipients = serializers.BooleanField(
        default=True,
        help_text=(
            "Issue jobs: e-mail each recipient (and invite those without an "
            "account) when their credential is issued. Default true."
        ),
    )
    reason = StrictTextField(
        default="",
        allow_blank=True,
        max_length=MAX_REASON_LENGTH,
        help_text="Revoke jobs: why, recorded with each revocation. Required there.",
    )


class BulkJobRowsRequestSerializer(_JobOptions):
    """A new job from rows given as JSON."""

    rows = RowsField()

    field_order = ("kind", "rows", "notify_recipients", "reason")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs = super().validate(attrs)
        columns = COLUMNS[attrs["kind"]]
        first_seen: dict[str, int] = {}
        for number, row in enumerate(attrs["rows"], start=1):
            for key in row:
                if key not in columns and key not in first_seen:
                    first_seen[key] = number
        if first_seen:
            shown = list(first_seen.items())[:SHOWN_UNKNOWN_KEYS]
            raise serializers.ValidationError(
                {
                    "rows": [
                        _(
                            "Unknown keys in the rows: %(keys)s. The rows of "
                            "this kind of job take: %(columns)s."
                        )
                        % {
                            "keys": ", ".join(
                                _("“%(key)s” (first in row %(row)s)")
                                % {"key": key[:100], "row": row}
                                for key, row in shown
                            ),
                            "columns": ", ".join(columns),
                        }
                    ]
                }
            )
        attrs["columns"] = columns
        return attrs


class BulkJobUploadRequestSerializer(_JobOptions):
    """A new job from a CSV or XLSX file (multipart/form-data)."""

    file = serializers.FileField(
        use_url=False,
        help_text=(
            "A CSV (UTF-8; commas or semicolons) or XLSX file whose first line "
            f"names the columns, up to {services.MAX_UPLOAD_MB} MB and "
            f"{tables.MAX_ROWS} rows."
        ),
    )


class BulkJobQuerySerializer(serializers.Serializer):
    """Optional filters of the jobs' list."""

    status = StatusField(required=False, help_text="Only jobs in this status.")
    kind = KindField(required=False, help_text="Only jobs of this kind.")


# ---------------------------------------------------------------- jobs out


def _absolute(context: dict[str, Any], path: str) -> str:
    request = context.get("request")
    return request.build_absolute_uri(path) if request else path


def _api_url(context: dict[str, Any], name: str, job: BulkJob) -> str:
    return _absolute(
        context, reverse(f"api:bulk-job-{name}", kwargs={"public_id": job.public_id})
    )


class BulkJobCountsSerializer(serializers.Serializer):
    """The dry run's counts, then the run's."""

    total_rows = serializers.IntegerField(help_text="Rows read.")
    will_issue = serializers.IntegerField(help_text="Dry run: rows that will issue.")
    will_revoke = serializers.IntegerField(help_text="Dry run: rows that will revoke.")
    will_skip = serializers.IntegerField(
        help_text="Dry run: rows with nothing to do (already held, already revoked)."
    )
    errors = serializers.IntegerField(
        help_text="Dry run: rows refused (see the report for why)."
    )
    issued = serializers.IntegerField(help_text="Run: credentials issued.")
    revoked = serializers.IntegerField(help_text="Run: credentials revoked.")
    skipped = serializers.IntegerField(help_text="Run: rows with nothing done.")
    failed = serializers.IntegerField(help_text="Run: rows that failed.")


class BulkJobProgressSerializer(serializers.Serializer):
    done = serializers.IntegerField(help_text="Rows acted on (or found done) so far.")
    total = serializers.IntegerField(help_text="Rows the run acts on.")
    percent = serializers.IntegerField(help_text="Whole percent done, 0 to 100.")


class BulkJobPdfsSerializer(serializers.Serializer):
    rendered = serializers.IntegerField(help_text="Certificates rendered so far.")
    total = serializers.IntegerField(help_text="Certificates to render.")


class BulkJobArchiveSerializer(serializers.Serializer):
    ready = serializers.BooleanField(help_text="The ZIP can be downloaded.")
    bytes = serializers.IntegerField(help_text="Its size; 0 until it is ready.")
    sha256 = serializers.CharField(help_text="Its SHA-256; empty until it is ready.")
    url = serializers.URLField(
        allow_null=True, help_text="Where to download it; null until it is ready."
    )


class BulkJobSerializer(serializers.ModelSerializer):
    """A bulk job: where it stands, its counts, its files."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    url = serializers.SerializerMethodField(help_text="This job, in this API.")
    page_url = serializers.SerializerMethodField(
        help_text="The job's page in the registrar's dashboard (web)."
    )
    kind = KindField(read_only=True)
    source = SourceField(read_only=True)
    status = StatusField(read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    created_by = serializers.EmailField(
        source="created_by.email", read_only=True, help_text="Who made the job."
    )
    file_name = serializers.CharField(
        read_only=True, help_text="The uploaded file's name (api-rows.csv for rows)."
    )
    file_sha256 = serializers.CharField(
        read_only=True, help_text="SHA-256 of the job's source file, as audited."
    )
    file_format = serializers.CharField(
        read_only=True, help_text="csv or xlsx, once the dry run has read it."
    )
    refusal = serializers.CharField(
        read_only=True,
        help_text="Why the file could not be read, or why the job failed; or empty.",
    )
    notes = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        help_text="What the dry run noticed about the file as a whole.",
    )
    counts = BulkJobCountsSerializer(source="*", read_only=True)
    progress = serializers.SerializerMethodField()
    archive = serializers.SerializerMethodField(
        help_text="Issue jobs: the ZIP of the certificates and its manifest."
    )
    created_at = ZonedDateTimeField()
    validated_at = ZonedDateTimeField(
        allow_null=True, help_text="When the dry run finished (or refused the file)."
    )
    started_at = ZonedDateTimeField(allow_null=True)
    finished_at = ZonedDateTimeField(allow_null=True)
    pdfs_started_at = ZonedDateTimeField(allow_null=True)
    pdfs_finished_at = ZonedDateTimeField(allow_null=True)
    archive_built_at = ZonedDateTimeField(allow_null=True)
    report_url = serializers.SerializerMethodField(
        help_text="The dry-run report (CSV); null until the dry run is done."
    )
    result_url = serializers.SerializerMethodField(
        help_text="The result file (CSV); null until the job is finished."
    )

    class Meta:
        model = BulkJob
        fields = [
            "id",
            "url",
            "page_url",
            "kind",
            "source",
            "status",
            "status_label",
            "created_by",
            "file_name",
            "file_sha256",
            "file_format",
            "notify_recipients",
            "reason",
            "refusal",
            "notes",
            "cancel_requested",
            "counts",
            "progress",
            "archive",
            "created_at",
            "validated_at",
            "started_at",
            "finished_at",
            "pdfs_started_at",
            "pdfs_finished_at",
            "archive_built_at",
            "report_url",
            "result_url",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, job: BulkJob) -> str:
        return _api_url(self.context, "detail", job)

    @extend_schema_field(OpenApiTypes.URI)
    def get_page_url(self, job: BulkJob) -> str:
        return _absolute(
            self.context, reverse("bulk:job", kwargs={"public_id": job.public_id})
        )

    @extend_schema_field(BulkJobProgressSerializer)
    def get_progress(self, job: BulkJob) -> dict[str, int]:
        """How far the run is: rows issued (or revoked), found done already
        or failed, out of the rows it acts on; 0 before it starts."""
        total = job.will_revoke if job.kind == BulkJob.Kind.REVOKE else job.will_issue
        if job.started_at is None:
            return {"done": 0, "total": total, "percent": 0}
        found_done = max(0, job.skipped - job.will_skip)
        done = min(job.issued + job.revoked + found_done + job.failed, total)
        percent, _rate, _left = policies.progress(
            total, done, job.started_at, timezone.now()
        )
        return {"done": done, "total": total, "percent": percent}

    @extend_schema_field(BulkJobArchiveSerializer)
    def get_archive(self, job: BulkJob) -> dict[str, Any]:
        ready = bool(job.archive)
        return {
            "ready": ready,
            "bytes": job.archive_bytes,
            "sha256": job.archive_sha256,
            "url": _api_url(self.context, "archive", job) if ready else None,
        }

    @extend_schema_field({"type": "string", "format": "uri", "nullable": True})
    def get_report_url(self, job: BulkJob) -> str | None:
        return _api_url(self.context, "report", job) if job.report_csv else None

    @extend_schema_field({"type": "string", "format": "uri", "nullable": True})
    def get_result_url(self, job: BulkJob) -> str | None:
        if job.status in services.FINISHED and job.result_csv:
            return _api_url(self.context, "result", job)
        return None


class BulkJobDetailSerializer(BulkJobSerializer):
    """One job, with how far its certificates are."""

    pdfs = serializers.SerializerMethodField(
        help_text=(
            "Issue jobs, once the run is over: the certificates rendered so far "
            "out of those to render; null before then, and for revoke jobs."
        )
    )

    class Meta(BulkJobSerializer.Meta):
        fields = [*BulkJobSerializer.Meta.fields, "pdfs"]
        read_only_fields = fields

    @extend_schema_field(BulkJobPdfsSerializer(allow_null=True))
    def get_pdfs(self, job: BulkJob) -> dict[str, int] | None:
        if job.pdfs_started_at is None:
            return None
        total = job.issued
        rendered = total if job.pdfs_finished_at else services.pdfs_rendered(job)
        return {"rendered": min(rendered, total), "total": total}
