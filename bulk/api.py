"""API v1 for bulk jobs, for student-information systems and scripts.

A job is made from rows given as JSON or from an uploaded CSV or XLSX file,
with an ``Idempotency-Key`` header (``idempotency.job_create_once``): the
dry run checks every row at once, in the background; the caller polls the
job, reads the dry-run report, starts the job, polls its progress and
downloads the result file and the certificates' ZIP.

Only the registrar's office (and superusers): by API token
(``manage.py registrar_service_account``) or by session. Anyone else signed
in gets a 403, no credentials a 401, an unknown job a 404; every error is
API v1's JSON error, and a refused request changes nothing.
"""

from __future__ import annotations

import functools
import json
import os
import uuid
from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
)
from rest_framework import generics, status
from rest_framework.exceptions import NotFound, ParseError, UnsupportedMediaType
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from courses.api.serializers import ErrorSerializer, zone_of
from courses.api.views import AUTHENTICATION, Conflict, Refused
from courses.policies import PolicyError
from microcred.downloads import private_file
from microcred.roles import is_registrar

from . import idempotency, selectors, services, tables
from .api_serializers import (
    BulkJobDetailSerializer,
    BulkJobQuerySerializer,
    BulkJobRowsRequestSerializer,
    BulkJobSerializer,
    BulkJobUploadRequestSerializer,
)
from .models import BulkJob

TAG_BULK = "bulk"
MULTIPART = "multipart/form-data"
#: A JSON body may be as large as an uploaded file.
MAX_BODY_BYTES = services.MAX_UPLOAD_MB * 1024 * 1024
REPLAYED_HEADER = "Idempotent-Replayed"


class KeyReused(Refused):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_code = "idempotency_key_reused"


class TooLarge(Refused):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"


class IsRegistrar(BasePermission):
    message = gettext_lazy("Only the registrar's office can run bulk jobs.")

    def has_permission(self, request: Request, view: APIView) -> bool:
        return is_registrar(request.user)


class BulkAPIView(APIView):
    authentication_classes = AUTHENTICATION
    permission_classes = [IsAuthenticated, IsRegistrar]


def _context(request: Request) -> dict[str, Any]:
    return {"request": request, "tz": zone_of(request.user)}


def _job(public_id: str) -> BulkJob:
    """The job with this id; anything else (a malformed id too) is a 404."""
    try:
        wanted = uuid.UUID(str(public_id))
    except ValueError:
        job = None
    else:
        job = selectors.bulk_job(wanted)
    if job is None:
        raise NotFound(_("This bulk job does not exist."))
    return job


def _job_response(
    request: Request, job: BulkJob, *, status_code: int = status.HTTP_200_OK
) -> Response:
    serializer = BulkJobDetailSerializer(job, context=_context(request))
    return Response(serializer.data, status=status_code)


# ---------------------------------------------------------------- schema parts


def _error(description: str) -> OpenApiResponse:
    return OpenApiResponse(ErrorSerializer, description=description)


NOT_SIGNED_IN = _error("No valid token or session.")
NOT_A_REGISTRAR = _error(
    "Not the registrar's office (or signed in by session without the CSRF token)."
)
NO_SUCH_JOB = _error("No bulk job has this id.")
JOB_ID = OpenApiParameter(
    "public_id",
    OpenApiTypes.UUID,
    OpenApiParameter.PATH,
    description="The job's id (`id` in its JSON).",
)
IDEMPOTENCY_KEY = OpenApiParameter(
    idempotency.HEADER,
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=True,
    description=(
        "1 to 255 visible ASCII characters, new for each job (a UUID, say). "
        "Sending the same request again with the same key returns the job the "
        "first made (200, `Idempotent-Replayed: true`) instead of making "
        "another, even when both arrive at once; the same key with a different "
        "request is refused (422). Keys are the caller's own."
    ),
)
REPLAYED = OpenApiParameter(
    REPLAYED_HEADER,
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    response=[200],
    enum=["true"],
    description="The job was made by an earlier request with this key.",
)
LOCATION = OpenApiParameter(
    "Location",
    OpenApiTypes.URI,
    OpenApiParameter.HEADER,
    response=[200, 201],
    description="The job's address in this API.",
)
ROWS_EXAMPLE = OpenApiExample(
    "Issue two credentials",
    value={
        "kind": "issue",
        "rows": [
            {
                "email": "jane.doe@example.org",
                "legal_name": "Jane Doe",
                "achievement": "DATA-101",
                "issue_date": "2025-06-30",
            },
            {
                "email": "sam.lee@example.org",
                "legal_name": "Sam Lee",
                "achievement": "DATA-101",
                "issue_date": "2025-06-30",
                "expiry": "2028-06-30",
                "evidence": "https://portfolio.example.org/sam-lee",
                "route": "course",
            },
        ],
        "notify_recipients": True,
    },
    request_only=True,
    media_type="application/json",
)
REVOKE_EXAMPLE = OpenApiExample(
    "Revoke two credentials",
    value={
        "kind": "revoke",
        "rows": [
            {"credential": "3f1c2a9e-8d7b-4c6a-9e5f-1a2b3c4d5e6f"},
            {"credential": "ABCD-EFGH-JKLM"},
        ],
        "reason": "Issued in error: the assessments were not passed.",
    },
    request_only=True,
    media_type="application/json",
)


def _file_response(description: str, media_type: str) -> dict:
    return {
        (200, media_type): OpenApiResponse(OpenApiTypes.BINARY, description=description)
    }


# ---------------------------------------------------------------- the jobs


class JobsView(generics.ListAPIView):
    """Every bulk job, newest first; a new job."""

    authentication_classes = AUTHENTICATION
    permission_classes = [IsAuthenticated, IsRegistrar]
    parser_classes = [JSONParser, MultiPartParser]
    serializer_class = BulkJobSerializer

    def get_queryset(self):
        query = BulkJobQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        jobs = selectors.registrar_jobs()
        if status_wanted := query.validated_data.get("status"):
            jobs = jobs.filter(status=status_wanted)
        if kind := query.validated_data.get("kind"):
            jobs = jobs.filter(kind=kind)
        return jobs

    @extend_schema(
        tags=[TAG_BULK],
        operation_id="bulk_jobs_list",
        summary="Bulk jobs",
        description=(
            "Every bulk job (issue and revoke, from any source), newest first, "
            "50 a page. A job's certificates (`pdfs`) are in its own detail."
        ),
        parameters=[BulkJobQuerySerializer],
        responses={
            200: BulkJobSerializer(many=True),
            400: _error("A filter has a value that is not allowed."),
            401: NOT_SIGNED_IN,
            403: NOT_A_REGISTRAR,
        },
    )
    def get(self, request: Request, *args, **kwargs) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        serializer = BulkJobSerializer(page, many=True, context=_context(request))
        return self.get_paginated_response(serializer.data)

    @extend_schema(
        tags=[TAG_BULK],
        operation_id="bulk_jobs_create",
        summary="Make a bulk job (its dry run starts at once)",
        description=(
            "From rows as JSON, or from a CSV or XLSX file as multipart/form-data "
            "(`file`, with the same options as fields). Nothing is issued or "
            "revoked yet: the job's dry run checks every row in the background "
            "(status `validating`, then `validated`, or `refused` when the file "
            "cannot be read); then read its report and start it. Issue rows "
            "take the columns of the bulk issuance file; revoke rows one "
            "column, `credential` (an id or a verification code), and the job "
            "a `reason`. The request is checked for shape only (unknown keys, "
            "values that are not text or null, no rows, more than 100,000): "
            "every rule of a row is the dry run's, reported row by row."
        ),
        parameters=[IDEMPOTENCY_KEY, REPLAYED, LOCATION],
        request={
            "application/json": BulkJobRowsRequestSerializer,
            MULTIPART: BulkJobUploadRequestSerializer,
        },
        examples=[ROWS_EXAMPLE, REVOKE_EXAMPLE],
        responses={
            201: OpenApiResponse(
                BulkJobDetailSerializer, description="The new job, its dry run queued."
            ),
            200: OpenApiResponse(
                BulkJobDetailSerializer,
                description=(
                    "The same request was sent before with this key: the job it "
                    "made, as it is now (header `Idempotent-Replayed: true`)."
                ),
            ),
            400: _error(
                "No or a malformed Idempotency-Key; a body that is not JSON or "
                "not of this shape (unknown keys, values not text, no rows, too "
                "many rows); an empty file or one over 50 MB; no reason for a "
                "revoke job."
            ),
            401: NOT_SIGNED_IN,
            403: NOT_A_REGISTRAR,
            413: _error("The JSON body is larger than 50 MB."),
            415: _error("Neither JSON nor multipart/form-data."),
            422: _error("This Idempotency-Key was used for a different request."),
        },
    )
    def post(self, request: Request, *args, **kwargs) -> Response:
        try:
            key = idempotency.key_from_header(request.headers.get(idempotency.HEADER))
        except PolicyError as refusal:
            raise Refused(str(refusal)) from None
        if _media_type(request) == MULTIPART:
            fingerprint, create = self._from_file(request)
        else:
            fingerprint, create = self._from_rows(request)
        try:
            outcome = idempotency.job_create_once(
                owner=request.user, key=key, request_sha256=fingerprint, create=create
            )
        except idempotency.KeyReused as refusal:
            raise KeyReused(str(refusal)) from None
        except PolicyError as refusal:
            raise Refused(str(refusal)) from None
        # The dry run may be done already (it is queued on commit).
        job = _job(str(outcome.job.public_id))
        response = _job_response(
            request,
            job,
            status_code=status.HTTP_200_OK
            if outcome.replayed
            else status.HTTP_201_CREATED,
        )
        response["Location"] = response.data["url"]
        if outcome.replayed:
            response[REPLAYED_HEADER] = "true"
        return response

    @staticmethod
    def _from_rows(request: Request) -> tuple[str, Any]:
        body = _json_body(request)
        try:
            data = json.loads(body)
        except (ValueError, RecursionError):
            raise ParseError(
                _("The body is not valid JSON (UTF-8): send an object with “rows”.")
            ) from None
        payload = BulkJobRowsRequestSerializer(data=data)
        payload.is_valid(raise_exception=True)
        values = payload.validated_data
        fingerprint = idempotency.request_sha256(
            method=request.method,
            path=request.path,
            options={"format": "json"},
            body=[body],
        )
        create = functools.partial(
            services.job_create_from_rows,
            actor=request.user,
            rows=values["rows"],
            columns=values["columns"],
            name="api-rows.csv",
            source=BulkJob.Source.API,
            kind=values["kind"],
            notify_recipients=values["notify_recipients"],
            reason=values["reason"],
        )
        return fingerprint, create

    @staticmethod
    def _from_file(request: Request) -> tuple[str, Any]:
        payload = BulkJobUploadRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        values = payload.validated_data
        upload = values["file"]
        fingerprint = idempotency.request_sha256(
            method=request.method,
            path=request.path,
            options={
                "format": "multipart",
                "file_name": os.path.basename(upload.name or ""),
                "kind": values["kind"],
                "notify_recipients": values["notify_recipients"],
                "reason": values["reason"],
            },
            body=upload.chunks(),
        )
        create = functools.partial(
            services.job_create_from_file,
            actor=request.user,
            upload=upload,
            notify_recipients=values["notify_recipients"],
            kind=values["kind"],
            reason=values["reason"],
            source=BulkJob.Source.API,
        )
        return fingerprint, create


def _media_type(request: Request) -> str:
    return (request.content_type or "").split(";")[0].strip().lower()


def _json_body(request: Request) -> bytes:
    """The body exactly as sent (its bytes are the request's fingerprint), at
    most 50 MB. Read here rather than by a parser, so that the bytes hashed
    are the bytes parsed."""
    media_type = _media_type(request)
    if media_type not in ("application/json", ""):
        raise UnsupportedMediaType(media_type)
    stream = request.stream
    body = stream.read(MAX_BODY_BYTES + 1) if stream is not None else b""
    if len(body) > MAX_BODY_BYTES:
        raise TooLarge(
            _("The request is too large: the limit is %(limit)s MB.")
            % {"limit": services.MAX_UPLOAD_MB}
        )
    if not body:
        raise ParseError(
            _(
                "The body is empty: send the job as JSON (an object with “rows”) "
                "or a file as multipart/form-data."
            )
        )
    return body


# ---------------------------------------------------------------- one job


class JobDetailView(BulkAPIView):
    @extend_schema(
        tags=[TAG_BULK],
        operation_id="bulk_jobs_retrieve",
        summary="One bulk job",
        description=(
            "Where the job stands: its dry run's counts, the run's progress and "
            "counts, its certificates and their ZIP, and the addresses of its "
            "report, result file and archive (null until each is ready). Poll "
            "it every few seconds while it is `validating`, `pending` or "
            "`running`, and while its certificates are made."
        ),
        parameters=[JOB_ID],
        responses={
            200: BulkJobDetailSerializer,
            401: NOT_SIGNED_IN,
            403: NOT_A_REGISTRAR,
            404: NO_SUCH_JOB,
        },
    )
    def get(self, request: Request, public_id: str) -> Response:
        return _job_response(request, _job(public_id))


class JobStartView(BulkAPIView):
    @extend_schema(
        tags=[TAG_BULK],
        operation_id="bulk_jobs_start",
        summary="Run a checked job",
        description=(
            "A job whose dry run is done (`validated`) with rows to act on runs "
            "once, in chunks, in the background; the rows the dry run refused "
            "or found done are not touched. Anything else is a 409 and changes "
            "nothing."
        ),
        parameters=[JOB_ID],
        request=None,
        responses={
            200: BulkJobDetailSerializer,
            401: NOT_SIGNED_IN,
            403: NOT_A_REGISTRAR,
            404: NO_SUCH_JOB,
            409: _error(
                "Not checked yet, refused, already started, or no row to act on."
            ),
        },
    )
    def post(self, request: Request, public_id: str) -> Response:
        job = _job(public_id)
        try:
            services.job_start(actor=request.user, job_id=job.pk)
        except PolicyError as refusal:
            raise Conflict(str(refusal), code="refused") from None
        return _job_response(request, _job(public_id))


class JobCancelView(BulkAPIView):
    @extend_schema(
        tags=[TAG_BULK],
        operation_id="bulk_jobs_cancel",
        summary="Stop a running job",
        description=(
            "A waiting or running job stops after the chunks already running: "
            "what they issued (or revoked) stays done, the others are not "
            "touched, and the job ends `cancelled` with its result file. "
            "Anything else is a 409 and changes nothing."
        ),
        parameters=[JOB_ID],
        request=None,
        responses={
            200: BulkJobDetailSerializer,
            401: NOT_SIGNED_IN,
            403: NOT_A_REGISTRAR,
            404: NO_SUCH_JOB,
            409: _error("The job is not waiting or running."),
        },
    )
    def post(self, request: Request, public_id: str) -> Response:
        job = _job(public_id)
        try:
            services.job_cancel(actor=request.user, job_id=job.pk)
        except PolicyError as refusal:
            raise Conflict(str(refusal), code="refused") from None
        return _job_response(request, _job(public_id))


# ---------------------------------------------------------------- its files


class JobFileView(BulkAPIView):
    """A job's stored file, streamed (byte ranges allowed), never cached by
    anyone else. Errors are JSON whatever the client accepts."""

    renderer_classes = [JSONRenderer]

    def perform_content_negotiation(self, request: Request, force: bool = False):
        return super().perform_content_negotiation(request, force=True)


def _file_schema(
    name: str, summary: str, description: str, what: str, media_type: str, missing: str
):
    """The OpenAPI description of one of a job's files."""
    return extend_schema(
        tags=[TAG_BULK],
        operation_id=f"bulk_jobs_{name}",
        summary=summary,
        description=description,
        parameters=[JOB_ID],
        responses={
            **_file_response(what, media_type),
            401: NOT_SIGNED_IN,
            403: NOT_A_REGISTRAR,
            404: _error(missing),
        },
    )


class JobReportView(JobFileView):
    @_file_schema(
        "report",
        "The dry-run report (CSV)",
        "Each row as it was given, with its line, outcome (will issue, will "
        "revoke, will skip, error) and message.",
        "The report.",
        "text/csv",
        "No such job, or its dry run is not done.",
    )
    def get(self, request: Request, public_id: str) -> HttpResponse:
        job = _job(public_id)
        if not job.report_csv:
            raise NotFound(_("This job has no dry-run report yet."))
        return private_file(
            request._request,
            job.report_csv,
            filename=f"{job.file_stem}-dry-run.csv",
            content_type=tables.CSV_TYPE,
        )


class JobResultView(JobFileView):
    @_file_schema(
        "result",
        "The result file (CSV)",
        "Once the job is finished (completed, with errors, or cancelled): "
        "each row with what the run did, its credential and the address "
        "to verify it.",
        "The result file.",
        "text/csv",
        "No such job, or it is not finished yet.",
    )
    def get(self, request: Request, public_id: str) -> HttpResponse:
        job = _job(public_id)
        if job.status not in services.FINISHED or not job.result_csv:
            raise NotFound(
                _("This job has no result yet: it comes when the job is finished.")
            )
        return private_file(
            request._request,
            job.result_csv,
            filename=f"{job.file_stem}-result.csv",
            content_type=tables.CSV_TYPE,
        )


class JobArchiveView(JobFileView):
    @_file_schema(
        "archive",
        "The certificates (ZIP)",
        "Issue jobs, once their certificates are made: every certificate "
        "(PDF) the job issued and `manifest.csv`. A download that broke off "
        "resumes with a `Range` header.",
        "The ZIP archive.",
        "application/zip",
        "No such job, or its archive is not ready yet.",
    )
    def get(self, request: Request, public_id: str) -> HttpResponse:
        job = _job(public_id)
        if not job.archive:
            raise NotFound(_("The certificates' archive is not ready yet."))
        return private_file(
            request._request,
            job.archive,
            filename=os.path.basename(job.archive.name),
            content_type="application/zip",
        )
