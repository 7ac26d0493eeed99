"""API v1 for bulk jobs, as a student-information system uses it, on real
PostgreSQL: a job from JSON rows or an uploaded file, its dry run, starting
it, its result file and certificates; who may call it; bodies refused with a
clear message and nothing stored; the Idempotency-Key, also under concurrent
requests on real connections; the service account's token; the schema.

The Celery tasks run eagerly: a job's dry run runs when its transaction
commits (``django_capture_on_commit_callbacks(execute=True)`` here, a real
commit in the transactional tests).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import threading
import time
import zipfile
from io import StringIO
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from drf_spectacular.drainage import GENERATOR_STATS
from rest_framework.test import APIClient

from bulk import policies, tables
from bulk.models import BulkJob, IdempotencyKey
from credentials.models import Credential
from microcred.models import AuditEntry, User
from microcred.roles import Role, is_registrar
from tests import factories
from tests.bulk.test_services_dry_run import HEADER, course_published_long_ago
from tests.courses.api.json_errors import assert_json_error
from tests.credentials.test_services_issue import pass_summative

pytestmark = pytest.mark.django_db

JOBS = "/api/v1/bulk/jobs/"


def row(n: int, **changes: Any) -> dict[str, Any]:
    values = {
        "email": f"grad{n}@example.org",
        "legal_name": f"Graduate Number {n}",
        "achievement": "DATA-101",
        "issue_date": "2026-01-15",
        "expiry": None,
        "evidence": "",
        "route": "course",
    }
    return values | changes


def rows_body(rows: list[dict[str, Any]], **options: Any) -> bytes:
    return json.dumps({"kind": "issue", "rows": rows, **options}).encode()


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def post_json(client: APIClient, body: bytes | str, *, key: str | None = "key-1"):
    headers = {} if key is None else {"Idempotency-Key": key}
    return client.post(JOBS, body, content_type="application/json", headers=headers)


def post_file(client: APIClient, text: str, *, key: str = "file-1", **fields: Any):
    upload = SimpleUploadedFile(
        "graduates.csv", text.encode("utf-8"), content_type="text/csv"
    )
    return client.post(
        JOBS,
        {"file": upload, **fields},
        format="multipart",
        headers={"Idempotency-Key": key},
    )


def job_url(job_id: str, suffix: str = "") -> str:
    return f"{JOBS}{job_id}/{suffix}"


def csv_rows(response) -> list[dict[str, str]]:
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(content)))


def stored(private_files) -> list:
    return sorted(path for path in private_files.rglob("*") if path.is_file())


def db_state(private_files) -> tuple:
    """Everything a refused request must leave as it was."""
    return (
        list(
            BulkJob.objects.order_by("pk").values_list(
                "pk", "status", "started_at", "cancel_requested", "issued"
            )
        ),
        IdempotencyKey.objects.count(),
        AuditEntry.objects.count(),
        Credential.objects.count(),
        stored(private_files),
    )


@pytest.fixture
def course(db):
    return course_published_long_ago()


@pytest.fixture
def sis(registrar) -> APIClient:
    return client_for(registrar)


@pytest.fixture
def checked(sis, course, django_capture_on_commit_callbacks) -> dict[str, Any]:
    """A job from two good rows and one refused, its dry run done."""
    body = rows_body([row(1), row(2), row(3, email="not-an-email")])
    with django_capture_on_commit_callbacks(execute=True):
        response = post_json(sis, body, key="checked")
    assert response.status_code == 201, response.content
    return sis.get(response["Location"]).json()


# ---------------------------------------------------------------- the journey


def test_rows_as_json_become_a_job_that_is_checked_run_and_downloaded(
    sis, course, django_capture_on_commit_callbacks
):
    body = rows_body([row(1), row(2), row(3, email="not-an-email")])

    with django_capture_on_commit_callbacks(execute=True):
        response = post_json(sis, body)

    assert response.status_code == 201, response.content
    made = response.json()
    job = BulkJob.objects.get()
    assert made["id"] == str(job.public_id)
    assert response["Location"] == f"http://testserver{job_url(made['id'])}"
    assert made["url"] == response["Location"]
    assert made["page_url"] == f"http://testserver/registrar/bulk/{job.public_id}/"
    assert (made["kind"], made["source"], made["file_name"]) == (
        "issue",
        "api",
        "api-rows.csv",
    )
    assert "Idempotent-Replayed" not in response
    with job.file.open("rb") as handle:
        assert made["file_sha256"] == hashlib.sha256(handle.read()).hexdigest()

    detail = sis.get(job_url(made["id"])).json()
    assert detail["status"] == "validated"
    assert detail["counts"] == {
        "total_rows": 3,
        "will_issue": 2,
        "will_revoke": 0,
        "will_skip": 0,
        "errors": 1,
        "issued": 0,
        "revoked": 0,
        "skipped": 0,
        "failed": 0,
    }
    assert detail["progress"] == {"done": 0, "total": 2, "percent": 0}
    assert detail["pdfs"] is None
    assert detail["archive"] == {"ready": False, "bytes": 0, "sha256": "", "url": None}
    assert detail["result_url"] is None
    assert (
        detail["report_url"] == f"http://testserver{job_url(made['id'], 'report.csv')}"
    )
    assert detail["validated_at"]
    assert detail["created_by"] == "registrar@example.org"

    report = sis.get(detail["report_url"])
    assert report.status_code == 200
    assert report["Cache-Control"] == "private, no-store"
    assert report["Content-Type"] == "text/csv; charset=utf-8"
    assert (
        report["Content-Disposition"] == 'attachment; filename="api-rows-dry-run.csv"'
    )
    lines = csv_rows(report)
    assert [line["line"] for line in lines] == ["2", "3", "4"]
    assert lines[2]["email"] == "not-an-email"
    assert lines[2]["message"]
    body404 = assert_json_error(sis.get(job_url(made["id"], "result.csv")), 404)
    assert "finished" in body404["error"]
    assert_json_error(sis.get(job_url(made["id"], "certificates.zip")), 404)

    with django_capture_on_commit_callbacks(execute=True):
        started = sis.post(job_url(made["id"], "start/"))

    assert started.status_code == 200, started.content
    done = sis.get(job_url(made["id"])).json()
    assert done["status"] == "completed_errors"
    assert (done["counts"]["issued"], done["counts"]["errors"]) == (2, 1)
    assert done["progress"] == {"done": 2, "total": 2, "percent": 100}
    assert done["pdfs"] == {"rendered": 2, "total": 2}
    assert all(done[f"{when}_at"] for when in ("started", "finished", "archive_built"))
    job.refresh_from_db()
    assert done["archive"] == {
        "ready": True,
        "bytes": job.archive_bytes,
        "sha256": job.archive_sha256,
        "url": f"http://testserver{job_url(made['id'], 'certificates.zip')}",
    }
    assert done["result_url"] == f"http://testserver{job_url(made['id'], 'result.csv')}"

    result = sis.get(done["result_url"])
    assert result.status_code == 200
    assert result["Cache-Control"] == "private, no-store"
    outcome = csv_rows(result)
    assert [line["state"] for line in outcome] == ["Issued", "Issued", "Failed"]
    issued = {
        str(c.pk) for c in Credential.objects.filter(learner__email__startswith="grad")
    }
    assert {line["credential_id"] for line in outcome[:2]} == issued

    archive = sis.get(done["archive"]["url"])
    assert archive.status_code == 200
    assert archive["Content-Type"] == "application/zip"
    assert archive["Cache-Control"] == "private, no-store"
    data = b"".join(archive.streaming_content)
    assert hashlib.sha256(data).hexdigest() == job.archive_sha256
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert "manifest.csv" in names
    assert len([name for name in names if name.endswith(".pdf")]) == 2


def test_an_uploaded_file_becomes_a_job_with_its_name_hash_and_options(
    sis, course, django_capture_on_commit_callbacks
):
    text = HEADER + "ada@example.org,Ada Lovelace,DATA-101,2026-01-15,,,\r\n"

    with django_capture_on_commit_callbacks(execute=True):
        response = post_file(sis, text, notify_recipients="false")

    assert response.status_code == 201, response.content
    job = BulkJob.objects.get()
    assert (job.source, job.file_name, job.notify_recipients) == (
        BulkJob.Source.API,
        "graduates.csv",
        False,
    )
    assert job.file_sha256 == hashlib.sha256(text.encode()).hexdigest()
    detail = sis.get(response["Location"]).json()
    assert (detail["status"], detail["counts"]["will_issue"]) == ("validated", 1)
    assert detail["file_format"] == "csv"
    assert detail["notify_recipients"] is False
    assert (
        sis.get(detail["report_url"])["Content-Disposition"]
        == 'attachment; filename="graduates-dry-run.csv"'
    )


def test_a_file_that_cannot_be_read_makes_a_refused_job_that_says_why(
    sis, course, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post_file(sis, "just some words, not a table\r\n")

    assert response.status_code == 201
    detail = sis.get(response["Location"]).json()
    assert detail["status"] == "refused"
    assert detail["refusal"]
    assert_json_error(sis.post(job_url(detail["id"], "start/")), 409)


# ---------------------------------------------------------------- who may call


def every_call(job_id: str) -> list[tuple[str, str]]:
    return [
        ("get", JOBS),
        ("post", JOBS),
        ("get", job_url(job_id)),
        ("post", job_url(job_id, "start/")),
        ("post", job_url(job_id, "cancel/")),
        ("get", job_url(job_id, "report.csv")),
        ("get", job_url(job_id, "result.csv")),
        ("get", job_url(job_id, "certificates.zip")),
    ]


def call(client: APIClient, method: str, url: str):
    if method == "post" and url == JOBS:
        return post_json(client, rows_body([row(9)]), key="someone-else")
    return getattr(client, method)(url)


def test_without_credentials_every_endpoint_is_a_401_and_nothing_changes(
    checked, private_files
):
    before = db_state(private_files)
    for method, url in every_call(checked["id"]):
        response = call(APIClient(), method, url)
        assert_json_error(response, 401)
        assert response["WWW-Authenticate"] == "Token", url
    bad_token = APIClient()
    bad_token.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert_json_error(bad_token.get(JOBS), 401)
    assert db_state(private_files) == before


@pytest.mark.parametrize("who", ["learner", "instructor"])
def test_a_learner_or_an_instructor_gets_a_403_everywhere_and_nothing_changes(
    checked, who, request, private_files
):
    client = client_for(request.getfixturevalue(who))
    before = db_state(private_files)
    for method, url in every_call(checked["id"]):
        body = assert_json_error(call(client, method, url), 403)
        assert body["error"] == "Only the registrar's office can run bulk jobs.", url
    assert db_state(private_files) == before


@pytest.mark.parametrize(
    "job_id", ["9b1f3c2e-0d4a-4e8b-a6f1-2c3d4e5f6a7b", "not-a-uuid", "1"]
)
def test_an_unknown_or_malformed_job_id_is_a_json_404(sis, checked, job_id):
    for method, url in every_call(job_id)[2:]:
        body = assert_json_error(getattr(sis, method)(url), 404)
        assert body["error"] == "This bulk job does not exist.", url


def test_a_staff_session_needs_the_csrf_token_to_write(registrar, course):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(registrar)

    response = post_json(client, rows_body([row(1)]))

    assert_json_error(response, 403)
    assert not BulkJob.objects.exists()


# ---------------------------------------------------------------- bad bodies


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("{not json", "not valid JSON"),
        (b"\xff\xfe\x00garbage", "not valid JSON"),
        ("[" * 100_000, "not valid JSON"),
        ("", "The body is empty"),
        ('{"rows": {"email": "a@example.org"}}', "must be a list of objects"),
        ('{"rows": "a@example.org"}', "must be a list of objects"),
        ('{"rows": []}', "There are no rows to check."),
        ('{"rows": ["a@example.org"]}', "Row 1 is not an object"),
        (
            '{"rows": [{"email": "a@example.org", "legal_name": 7}]}',
            "Row 1, “legal_name”",
        ),
        ('{"rows": [{"email": ["a@example.org"]}]}', "must be text or null"),
        ('{"kind": "reissue", "rows": [{"email": "a"}]}', "not a valid choice"),
        ('{"rows": [{"email": "a"}], "notify": false}', "Unknown fields: notify."),
        ('["not", "an", "object"]', "Expected a dictionary"),
        ('{"rows": [{"email": "a"}], "reason": 5}', "Not a valid string"),
    ],
)
def test_a_body_that_is_not_a_job_is_a_400_and_stores_nothing(
    sis, course, body, expected, private_files
):
    before = db_state(private_files)

    response = post_json(sis, body)

    error = assert_json_error(response, 400)
    assert expected in json.dumps(error, ensure_ascii=False), error
    assert db_state(private_files) == before


def test_unknown_keys_in_the_rows_are_named_with_the_first_row_they_are_in(
    sis, course, private_files
):
    body = rows_body([row(1), row(2, mail="x", e_mail="y"), row(3, mail="z")])

    error = assert_json_error(post_json(sis, body), 400)

    message = error["errors"]["rows"][0]
    assert "“mail” (first in row 2)" in message
    assert "“e_mail” (first in row 2)" in message
    assert "email, legal_name, achievement, issue_date, expiry, evidence, route" in (
        message
    )
    assert not BulkJob.objects.exists()


def test_a_revoke_job_takes_only_the_credential_column(sis, course):
    body = json.dumps(
        {"kind": "revoke", "rows": [{"email": "a@example.org"}], "reason": "Error."}
    )

    error = assert_json_error(post_json(sis, body), 400)

    assert "“email” (first in row 1)" in error["errors"]["rows"][0]
    assert error["errors"]["rows"][0].endswith("take: credential.")
    assert not BulkJob.objects.exists()


def test_more_than_100_000_rows_are_refused_clearly(sis, course, private_files):
    many = {"rows": [{"email": "a@example.org"}] * (tables.MAX_ROWS + 1)}

    error = assert_json_error(post_json(sis, json.dumps(many)), 400)

    assert error["errors"]["rows"] == [
        "There are 100001 rows; the limit is 100000 a job."
    ]
    assert not BulkJob.objects.exists()
    assert not stored(private_files)


def test_the_largest_job_is_accepted_though_larger_than_a_form_may_be(
    sis, course, settings
):
    """100,000 full rows: more JSON than Django lets a form post, well within
    the limit of a job's file."""
    body = rows_body([row(n) for n in range(tables.MAX_ROWS)])
    assert len(body) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE

    response = post_json(sis, body)

    assert response.status_code == 201, response.content[:500]
    job = BulkJob.objects.get()
    with job.file.open("rb") as handle:
        assert sum(1 for _line in handle) == tables.MAX_ROWS + 1


def test_a_body_over_50_mb_is_a_413_and_stores_nothing(sis, course, private_files):
    before = db_state(private_files)
    body = b"{" + b" " * (50 * 1024 * 1024) + b"}"

    error = assert_json_error(post_json(sis, body), 413)

    assert error["error"] == "The request is too large: the limit is 50 MB."
    assert db_state(private_files) == before


def test_a_body_that_is_neither_json_nor_a_file_is_a_415(sis, course):
    response = sis.post(
        JOBS,
        "email\r\na@example.org\r\n",
        content_type="text/csv",
        headers={"Idempotency-Key": "k"},
    )

    assert_json_error(response, 415)
    assert not BulkJob.objects.exists()


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"file": SimpleUploadedFile("empty.csv", b"")}, "The submitted file is empty"),
        ({"rows": "[]"}, "No file was submitted"),
        (
            {"file": SimpleUploadedFile("a.csv", b"x"), "notify": "false"},
            "Unknown fields: notify.",
        ),
    ],
)
def test_a_bad_upload_is_a_400_and_stores_nothing(
    sis, course, fields, expected, private_files
):
    before = db_state(private_files)

    response = sis.post(
        JOBS, fields, format="multipart", headers={"Idempotency-Key": "k"}
    )

    assert expected in json.dumps(assert_json_error(response, 400))
    assert db_state(private_files) == before


def test_a_revoke_job_without_a_reason_is_refused_and_its_key_stays_free(
    sis, course, private_files
):
    body = json.dumps({"kind": "revoke", "rows": [{"credential": "ABCD-EFGH"}]})
    before = db_state(private_files)

    error = assert_json_error(post_json(sis, body, key="revoke-1"), 400)

    assert error["error"] == "Revoking credentials needs a reason."
    assert db_state(private_files) == before
    with_reason = json.dumps(
        {
            "kind": "revoke",
            "rows": [{"credential": "ABCD-EFGH"}],
            "reason": "Issued in error.",
        }
    )
    response = post_json(sis, with_reason, key="revoke-1")
    assert response.status_code == 201, response.content
    job = BulkJob.objects.get()
    assert (job.kind, job.reason) == (BulkJob.Kind.REVOKE, "Issued in error.")


# ---------------------------------------------------------------- the key


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        (None, "Send an Idempotency-Key header"),
        ("", "must be 1 to 255 visible ASCII characters"),
        ("two words", "must be 1 to 255 visible ASCII characters"),
        ("x" * 256, "must be 1 to 255 visible ASCII characters"),
        ("clé", "must be 1 to 255 visible ASCII characters"),
    ],
)
def test_a_missing_or_malformed_idempotency_key_is_a_400(
    sis, course, key, expected, private_files
):
    before = db_state(private_files)

    error = assert_json_error(post_json(sis, rows_body([row(1)]), key=key), 400)

    assert expected in error["error"]
    assert db_state(private_files) == before


def test_the_longest_key_is_accepted(sis, course):
    key = "".join(chr(c) for c in range(0x21, 0x7F)) * 3  # 282 characters
    assert post_json(sis, rows_body([row(1)]), key=key[:255]).status_code == 201


def test_the_same_request_with_the_same_key_returns_the_first_job(
    sis, course, django_capture_on_commit_callbacks
):
    body = rows_body([row(1)])
    with django_capture_on_commit_callbacks(execute=True):
        first = post_json(sis, body, key="same")
    audits = AuditEntry.objects.count()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        again = post_json(sis, body, key="same")

    assert again.status_code == 200
    assert again["Idempotent-Replayed"] == "true"
    assert again["Location"] == first["Location"]
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["status"] == "validated"  # as it is now
    assert BulkJob.objects.count() == 1
    assert AuditEntry.objects.count() == audits
    assert callbacks == []  # no second dry run


def test_the_same_key_with_a_different_request_is_refused_and_makes_nothing(
    sis, course, private_files
):
    post_json(sis, rows_body([row(1)]), key="same")
    before = db_state(private_files)

    for body in (
        rows_body([row(2)]),
        rows_body([row(1)], notify_recipients=False),
        json.dumps(json.loads(rows_body([row(1)])), indent=2),  # other bytes
    ):
        error = assert_json_error(post_json(sis, body, key="same"), 422)
        assert error["error"].startswith(
            "This Idempotency-Key was used for a different request"
        )
    multipart = post_file(sis, HEADER, key="same")
    assert_json_error(multipart, 422)
    assert db_state(private_files) == before


def test_a_new_key_makes_a_new_job_and_keys_are_each_callers_own(
    sis, course, registrar
):
    body = rows_body([row(1)])
    first = post_json(sis, body, key="k")
    other = factories.StaffFactory(email="sis@example.org", role=Role.REGISTRAR)

    second = post_json(sis, body, key="k2")
    theirs = post_json(client_for(other), body, key="k")

    assert (first.status_code, second.status_code, theirs.status_code) == (
        201,
        201,
        201,
    )
    assert len({first.json()["id"], second.json()["id"], theirs.json()["id"]}) == 3


def test_the_same_upload_with_the_same_key_returns_the_first_job(sis, course):
    text = HEADER + "ada@example.org,Ada Lovelace,DATA-101,2026-01-15,,,\r\n"
    first = post_file(sis, text, key="upload", notify_recipients="false")

    again = post_file(sis, text, key="upload", notify_recipients="false")
    other_option = post_file(sis, text, key="upload", notify_recipients="true")
    other_bytes = post_file(sis, text + text[-40:], key="upload")

    assert (first.status_code, again.status_code) == (201, 200)
    assert again["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert_json_error(other_option, 422)
    assert_json_error(other_bytes, 422)
    assert BulkJob.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_simultaneous_requests_with_one_key_make_one_job_and_all_name_it(
    private_files,
):
    """Four requests with the same key on four connections. The test holds a
    lock that keeps the first from storing its job, so the others reach the
    key's unique index while the first's transaction is still open and wait
    on it; then it lets go. Exactly one job; every answer names it."""
    course_published_long_ago()
    token = call_token("race-sis@example.org")  # a transactional test: no groups yet
    body = rows_body([row(1), row(2)])
    count = 4
    barrier = threading.Barrier(count)
    responses: list[Any] = [None] * count

    def send(position: int) -> None:
        try:
            client = APIClient()
            client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
            barrier.wait(timeout=30)
            responses[position] = post_json(client, body, key="race")
        except BaseException as error:  # noqa: BLE001 - reported below
            responses[position] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(n,)) for n in range(count)]
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {BulkJob._meta.db_table} IN SHARE MODE")
        for thread in threads:
            thread.start()
        waiting = wait_for_lock_waits(count, timeout=30)
    for thread in threads:
        thread.join(timeout=60)

    assert waiting == count  # one on the lock, the others on the first's key
    assert not [r for r in responses if not hasattr(r, "status_code")], responses
    job = BulkJob.objects.get()
    assert IdempotencyKey.objects.get().job == job
    assert sorted(r.status_code for r in responses) == [200, 200, 200, 201]
    assert {r.json()["id"] for r in responses} == {str(job.public_id)}
    assert all(
        r["Idempotent-Replayed"] == "true" for r in responses if r.status_code == 200
    )
    job.refresh_from_db()
    assert (job.status, job.will_issue) == (BulkJob.Status.VALIDATED, 2)
    assert AuditEntry.objects.filter(action="bulk.upload").count() == 1


def wait_for_lock_waits(count: int, *, timeout: float) -> int:
    """How many other connections to this database wait on a lock, once
    ``count`` do (or when ``timeout`` seconds have passed)."""
    deadline = time.monotonic() + timeout
    waiting = 0
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = "
                "current_database() AND pid <> pg_backend_pid() "
                "AND wait_event_type = 'Lock'"
            )
            waiting = cursor.fetchone()[0]
            if waiting >= count:
                break
            time.sleep(0.05)
    return waiting


# ---------------------------------------------------------------- start, cancel


def test_starting_twice_or_cancelling_a_finished_job_is_a_409_that_changes_nothing(
    sis, checked, private_files, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert sis.post(job_url(checked["id"], "start/")).status_code == 200
    before = db_state(private_files)

    again = assert_json_error(sis.post(job_url(checked["id"], "start/")), 409)
    cancel = assert_json_error(sis.post(job_url(checked["id"], "cancel/")), 409)

    assert again["error"].startswith("Only a checked job can be run, once")
    assert cancel["error"] == "Only a waiting or running job can be cancelled."
    assert db_state(private_files) == before


def test_a_job_still_being_checked_cannot_start_and_has_no_report(sis, course):
    made = post_json(sis, rows_body([row(1)])).json()  # no commit: not checked

    assert made["status"] == "validating"
    assert made["report_url"] is None
    assert_json_error(sis.get(job_url(made["id"], "report.csv")), 404)
    assert_json_error(sis.post(job_url(made["id"], "start/")), 409)
    assert BulkJob.objects.get().started_at is None


def test_a_started_job_can_be_cancelled_and_says_so(sis, checked, registrar):
    from bulk import services

    job = BulkJob.objects.get(public_id=checked["id"])
    services.job_start(actor=registrar, job_id=job.pk)  # queued, not run yet

    response = sis.post(job_url(checked["id"], "cancel/"))

    assert response.status_code == 200
    assert response.json()["status"] == "pending"
    assert response.json()["cancel_requested"] is True


# ---------------------------------------------------------------- the list


def make_jobs(registrar, count: int, *, kind: str = "issue") -> None:
    from bulk import services

    for n in range(count):
        services.job_create_from_rows(
            actor=registrar,
            rows=[{"credential": f"code-{n}"}] if kind == "revoke" else [row(n)],
            columns=("credential",) if kind == "revoke" else policies.COLUMN_NAMES,
            kind=kind,
            reason="Error." if kind == "revoke" else "",
        )


def test_the_list_is_newest_first_paginated_and_filtered(sis, registrar, course):
    make_jobs(registrar, 2)
    make_jobs(registrar, 1, kind="revoke")
    newest = BulkJob.objects.order_by("-created_at", "-id").first()

    listed = sis.get(JOBS).json()

    assert listed["count"] == 3
    assert listed["results"][0]["id"] == str(newest.public_id)
    assert "pdfs" not in listed["results"][0]
    assert {
        job["kind"] for job in sis.get(JOBS, {"kind": "revoke"}).json()["results"]
    } == {"revoke"}
    assert sis.get(JOBS, {"status": "validating"}).json()["count"] == 3
    assert sis.get(JOBS, {"status": "completed"}).json()["count"] == 0
    error = assert_json_error(sis.get(JOBS, {"status": "done"}), 400)
    assert "status" in error["errors"]


def test_the_list_costs_the_same_queries_whatever_its_length(
    sis, registrar, course, django_assert_max_num_queries
):
    make_jobs(registrar, 2)
    with django_assert_max_num_queries(6) as few:
        assert sis.get(JOBS).json()["count"] == 2
    make_jobs(registrar, 20)
    make_jobs(registrar, 3, kind="revoke")

    with django_assert_max_num_queries(len(few.captured_queries)):
        assert sis.get(JOBS).json()["count"] == 25


# ---------------------------------------------------------------- service account


def call_token(email: str, *args: str) -> str:
    out, err = StringIO(), StringIO()
    call_command("registrar_service_account", email, *args, stdout=out, stderr=err)
    return out.getvalue().strip()


def test_the_service_account_command_makes_a_registrar_whose_token_calls_the_api(
    course, django_capture_on_commit_callbacks
):
    token = call_token("sis@example.org", "--name", "Banner SIS")

    account = User.objects.get(email="sis@example.org")
    assert is_registrar(account)
    assert (account.is_staff, account.is_active) == (True, True)
    assert not account.has_usable_password()
    assert account.display_name == "Banner SIS"
    assert AuditEntry.objects.filter(action="bulk.service_account").count() == 1
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    with django_capture_on_commit_callbacks(execute=True):
        made = post_json(client, rows_body([row(1)]), key="sis-1")
    assert made.status_code == 201
    assert made.json()["created_by"] == "sis@example.org"
    assert client.get(made["Location"]).json()["status"] == "validated"

    assert call_token("sis@example.org") == token  # a second run changes nothing
    assert AuditEntry.objects.filter(action="bulk.service_account").count() == 1

    rotated = call_token("sis@example.org", "--rotate")
    assert rotated != token
    assert_json_error(client.get(JOBS), 401)
    client.credentials(HTTP_AUTHORIZATION=f"Token {rotated}")
    assert client.get(JOBS).status_code == 200


def test_the_service_account_command_refuses_a_persons_account(learner):
    with pytest.raises(CommandError, match="is a person's account"):
        call_token(learner.email)
    learner.refresh_from_db()
    assert not learner.is_staff
    assert not is_registrar(learner)


def test_the_service_account_command_refuses_a_bad_address(db):
    with pytest.raises(CommandError, match="is not an e-mail address"):
        call_token("not-an-address")
    assert not User.objects.exists()


# ---------------------------------------------------------------- revoking


def test_a_revoke_job_by_api_revokes_the_credentials_it_names(
    sis, course, django_capture_on_commit_callbacks
):
    holder = factories.UserFactory(email="holder@example.org")
    pass_summative(holder, course, capture=django_capture_on_commit_callbacks)
    credential = Credential.objects.get(learner=holder)
    body = json.dumps(
        {
            "kind": "revoke",
            "rows": [{"credential": str(credential.pk)}, {"credential": "NOPE"}],
            "reason": "Issued in error.",
        }
    )

    with django_capture_on_commit_callbacks(execute=True):
        made = post_json(sis, body, key="revoke")
    assert made.status_code == 201, made.content
    checked = sis.get(made["Location"]).json()
    assert checked["status"] == "validated", checked
    assert (checked["counts"]["will_revoke"], checked["counts"]["errors"]) == (1, 1)
    assert checked["progress"]["total"] == 1

    with django_capture_on_commit_callbacks(execute=True):
        assert sis.post(job_url(checked["id"], "start/")).status_code == 200

    done = sis.get(made["Location"]).json()
    assert done["status"] == "completed_errors"
    assert done["counts"]["revoked"] == 1
    assert done["pdfs"] is None
    assert done["archive"]["ready"] is False
    credential.refresh_from_db()
    assert credential.status == Credential.Status.REVOKED
    assert sis.get(done["result_url"]).status_code == 200


# ---------------------------------------------------------------- the schema

BULK_PATHS = {
    "/api/v1/bulk/jobs/": {"get", "post"},
    "/api/v1/bulk/jobs/{public_id}/": {"get"},
    "/api/v1/bulk/jobs/{public_id}/start/": {"post"},
    "/api/v1/bulk/jobs/{public_id}/cancel/": {"post"},
    "/api/v1/bulk/jobs/{public_id}/report.csv": {"get"},
    "/api/v1/bulk/jobs/{public_id}/result.csv": {"get"},
    "/api/v1/bulk/jobs/{public_id}/certificates.zip": {"get"},
}


def test_the_schema_documents_every_bulk_endpoint(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()

    for path, methods in BULK_PATHS.items():
        assert set(schema["paths"][path]) == methods, path
    create = schema["paths"]["/api/v1/bulk/jobs/"]["post"]
    key = next(p for p in create["parameters"] if p["name"] == "Idempotency-Key")
    assert (key["in"], key["required"]) == ("header", True)
    assert set(create["requestBody"]["content"]) == {
        "application/json",
        "multipart/form-data",
    }
    assert {"200", "201", "400", "401", "403", "413", "415", "422"} <= set(
        create["responses"]
    )
    assert "Idempotent-Replayed" in create["responses"]["200"]["headers"]
    result = schema["paths"]["/api/v1/bulk/jobs/{public_id}/result.csv"]["get"]
    assert "text/csv" in result["responses"]["200"]["content"]
    assert "application/json" in result["responses"]["404"]["content"]
    components = schema["components"]["schemas"]
    assert components["BulkJobKindEnum"]["enum"] == ["issue", "revoke"]
    assert "pdfs" in components["BulkJobDetail"]["properties"]


def test_the_schema_with_the_bulk_api_generates_without_warnings(tmp_path):
    GENERATOR_STATS.reset()
    target = tmp_path / "schema.yaml"

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))

    text = target.read_text()
    assert all(f"{path}:" in text for path in BULK_PATHS)
