"""The registrar's bulk issuance pages, through the test client on real
PostgreSQL: the jobs, the upload form with its documented columns and
templates, a job's dry run with its counts and annotated report. State is set
up through the services."""

from __future__ import annotations

import csv
import html
import io
import uuid
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bulk import policies, services, tables
from bulk.models import BulkJob
from credentials.models import Credential
from microcred.roles import Role
from tests import factories
from tests.bulk.test_services_dry_run import HEADER, course_published_long_ago
from tests.credentials.test_services_issue import pass_summative

pytestmark = pytest.mark.django_db

GOOD_ROW = "ada@example.org,Ada Lovelace,DATA-101,2026-01-15,,,recognised\r\n"


def page(response: Any) -> str:
    return html.unescape(response.content.decode())


def csv_file(text: str, name: str = "graduates.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def stored_job(registrar, text: str = HEADER + GOOD_ROW, **kwargs) -> BulkJob:
    """A job as uploaded, its dry run still queued (no commit in a test)."""
    return services.job_create_from_file(
        actor=registrar, upload=csv_file(text), **kwargs
    )


def checked_job(registrar, capture, text: str = HEADER + GOOD_ROW) -> BulkJob:
    with capture(execute=True):
        job = stored_job(registrar, text)
    job.refresh_from_db()
    return job


def upload(client, capture, data: dict[str, Any]):
    with capture(execute=True):
        return client.post(reverse("bulk:new"), data)


def stored_files(private_files) -> list:
    return [path for path in private_files.rglob("*") if path.is_file()]


@pytest.fixture
def job(registrar, django_capture_on_commit_callbacks):
    course_published_long_ago()
    return checked_job(registrar, django_capture_on_commit_callbacks)


def every_page(job: BulkJob) -> list[str]:
    return [
        reverse("bulk:jobs"),
        reverse("bulk:new"),
        reverse("bulk:template-csv"),
        reverse("bulk:template-xlsx"),
        reverse("bulk:job", args=[job.public_id]),
        reverse("bulk:job-status", args=[job.public_id]),
        reverse("bulk:report", args=[job.public_id]) + "?format=csv",
        reverse("bulk:report", args=[job.public_id]) + "?format=xlsx",
    ]


# --- who may see the pages --------------------------------------------------------


def test_a_visitor_who_is_not_signed_in_is_sent_to_sign_in_from_every_page(client, job):
    for url in every_page(job):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("account_login")), url


@pytest.mark.parametrize("who", ["learner", "instructor"])
def test_a_learner_or_an_instructor_gets_a_403_on_every_page(client, job, who, request):
    client.force_login(request.getfixturevalue(who))
    for url in every_page(job):
        assert client.get(url).status_code == 403, url
    response = client.post(reverse("bulk:new"), {"file": csv_file(HEADER + GOOD_ROW)})
    assert response.status_code == 403
    assert BulkJob.objects.count() == 1  # only the registrar's


def test_the_registrar_may_open_every_page(client, registrar, job):
    client.force_login(registrar)
    for url in every_page(job):
        assert client.get(url).status_code == 200, url


def test_the_navigation_shows_bulk_issuance_to_registrars_only(
    client, registrar, instructor
):
    link = f'href="{reverse("bulk:jobs")}"'
    client.force_login(registrar)
    assert link in client.get(reverse("courses:catalog")).content.decode()
    client.force_login(instructor)
    assert link not in client.get(reverse("courses:catalog")).content.decode()


def test_an_unknown_job_is_a_404(client, registrar, job):
    client.force_login(registrar)
    unknown = uuid.uuid4()
    for name in ("bulk:job", "bulk:job-status", "bulk:report"):
        assert client.get(reverse(name, args=[unknown])).status_code == 404
    assert client.get(f"/registrar/bulk/{job.pk}/").status_code == 404
    report = reverse("bulk:report", args=[job.public_id])
    assert client.get(report + "?format=pdf").status_code == 404


# --- the upload form --------------------------------------------------------------


def test_the_upload_form_documents_every_column_and_links_both_templates(
    client, registrar
):
    client.force_login(registrar)
    response = client.get(reverse("bulk:new"))
    text = page(response)
    for column in policies.COLUMNS:
        assert f"<code>{column.name}</code>" in text
        assert str(column.description) in text
    assert reverse("bulk:template-csv") in text
    assert reverse("bulk:template-xlsx") in text
    assert 'scope="col"' in text
    assert "50 MB" in text
    assert '<label for="id_file">' in text
    assert '<label for="id_notify_recipients">' in text
    assert "invitation" in text
    assert 'name="notify_recipients" id="id_notify_recipients" value="on" checked' in (
        text
    )


@pytest.mark.parametrize(
    ("name", "content_type", "filename"),
    [
        ("bulk:template-csv", "text/csv; charset=utf-8", "bulk-issuance-template.csv"),
        (
            "bulk:template-xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "bulk-issuance-template.xlsx",
        ),
    ],
)
def test_a_template_downloads_as_a_file_that_reads_back_without_error(
    client, registrar, name, content_type, filename
):
    client.force_login(registrar)
    response = client.get(reverse(name))
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    table = tables.read_table(response.content, filename)
    assert table.ok, table.error
    assert table.columns == policies.COLUMN_NAMES
    assert len(table.rows) == 1


def test_a_good_file_becomes_a_job_whose_page_shows_the_dry_run_counts(
    client, registrar, django_capture_on_commit_callbacks
):
    course = course_published_long_ago()
    holder = factories.UserFactory(email="holder@example.org")
    pass_summative(holder, course, capture=django_capture_on_commit_callbacks)
    credentials_before = Credential.objects.count()
    text = HEADER + (
        GOOD_ROW + "bad-email,Someone,DATA-101,2026-01-15,,,\r\n"
        "holder@example.org,Holder Name,data-101,2026-01-15,,,\r\n"
        "ada@example.org,Ada Lovelace,DATA-101,2026-01-16,,,\r\n"
        "grace@example.org,Grace Hopper,NOPE-1,2026-01-15,,,\r\n"
    )
    client.force_login(registrar)

    response = upload(
        client,
        django_capture_on_commit_callbacks,
        {"file": csv_file(text), "notify_recipients": "on"},
    )

    job = BulkJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("bulk:job", args=[job.public_id])
    assert job.status == BulkJob.Status.VALIDATED
    assert job.notify_recipients is True
    shown = page(client.get(response["Location"]))
    assert '<td class="number" data-outcome="issue">1</td>' in shown
    assert '<td class="number" data-outcome="skip">1</td>' in shown
    assert '<td class="number" data-outcome="error">3</td>' in shown
    assert '<td class="number" data-outcome="total">5</td>' in shown
    assert "Run: issue 1 credential" in shown
    assert f'action="{reverse("bulk:start", args=[job.public_id])}"' in shown
    assert "an account is made for recipients without one" in shown
    assert "NOPE-1" in shown  # an error row's message
    assert "holder@example.org" in shown  # the skip
    assert job.file_sha256 in shown
    assert "hx-trigger" not in shown  # ready at once: no poll
    assert Credential.objects.count() == credentials_before


def test_the_annotated_report_downloads_as_csv_and_xlsx(
    client, registrar, django_capture_on_commit_callbacks
):
    course_published_long_ago()
    text = HEADER + GOOD_ROW + "bad-email,Someone,DATA-101,2026-01-15,,,\r\n"
    job = checked_job(registrar, django_capture_on_commit_callbacks, text)
    client.force_login(registrar)
    url = reverse("bulk:report", args=[job.public_id])

    as_csv = client.get(url + "?format=csv")
    as_xlsx = client.get(url + "?format=xlsx")

    assert as_csv["Content-Type"] == "text/csv; charset=utf-8"
    assert as_csv["Cache-Control"] == "private, no-store"
    assert 'filename="graduates-dry-run.csv"' in as_csv["Content-Disposition"]
    body = b"".join(as_csv.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body)))
    assert list(rows[0])[-3:] == ["line", "outcome", "message"]
    assert [row["outcome"] for row in rows] == ["will issue", "error"]
    assert as_xlsx["Cache-Control"] == "private, no-store"
    assert as_xlsx["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(as_xlsx.streaming_content)))
    assert [cell.value for cell in workbook.active[1]][-3:] == [
        "line",
        "outcome",
        "message",
    ]
    assert workbook.active.max_row == 3


def test_the_registrar_may_choose_not_to_e_mail_the_recipients(
    client, registrar, django_capture_on_commit_callbacks
):
    course_published_long_ago()
    client.force_login(registrar)
    upload(
        client,
        django_capture_on_commit_callbacks,
        {"file": csv_file(HEADER + GOOD_ROW)},
    )
    assert BulkJob.objects.get().notify_recipients is False


def test_a_pdf_is_refused_with_its_reason_and_a_link_to_upload_another_file(
    client, registrar, django_capture_on_commit_callbacks
):
    client.force_login(registrar)
    pdf = SimpleUploadedFile("scan.pdf", b"%PDF-1.7\n%binary\n")
    response = upload(client, django_capture_on_commit_callbacks, {"file": pdf})
    job = BulkJob.objects.get()
    assert job.status == BulkJob.Status.REFUSED
    shown = page(client.get(response["Location"]))
    assert "The file was refused" in shown
    assert job.refusal in shown
    assert "PDF" in job.refusal
    assert f'href="{reverse("bulk:new")}"' in shown
    assert "Download the annotated file" not in shown
    report = reverse("bulk:report", args=[job.public_id])
    assert client.get(report + "?format=csv").status_code == 404


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Choose a CSV or XLSX file to upload."),
        ({"file": SimpleUploadedFile("empty.csv", b"")}, "The file is empty."),
    ],
)
def test_no_file_or_an_empty_file_is_a_422_with_an_error_summary_and_nothing_stored(
    client, registrar, private_files, data, message
):
    client.force_login(registrar)
    response = client.post(reverse("bulk:new"), data)
    assert response.status_code == 422
    shown = page(response)
    assert 'id="error-summary"' in shown
    assert f'<a href="#id_file">{message}</a>' in shown
    assert 'aria-invalid="true"' in shown
    assert not BulkJob.objects.exists()
    assert stored_files(private_files) == []


def test_a_file_over_the_size_limit_is_a_422_and_nothing_is_stored(
    client, registrar, private_files
):
    client.force_login(registrar)
    size = services.MAX_UPLOAD_MB * 1024 * 1024 + 1
    big = SimpleUploadedFile("huge.csv", HEADER.encode() + b"x" * (size - len(HEADER)))
    response = client.post(reverse("bulk:new"), {"file": big})
    assert response.status_code == 422
    assert f"the limit is {services.MAX_UPLOAD_MB} MB" in page(response)
    assert not BulkJob.objects.exists()
    assert stored_files(private_files) == []


# --- while the rows are checked ---------------------------------------------------


def test_the_job_page_polls_while_the_rows_are_checked_and_stops_when_ready(
    client, registrar
):
    course_published_long_ago()
    job = stored_job(registrar)  # its dry run is queued, not run yet
    client.force_login(registrar)
    status_url = reverse("bulk:job-status", args=[job.public_id])

    waiting = page(client.get(reverse("bulk:job", args=[job.public_id])))
    polled = page(client.get(status_url, headers={"HX-Request": "true"}))
    services.job_dry_run(job_id=job.pk)
    ready = client.get(status_url, headers={"HX-Request": "true"})

    assert f'hx-get="{status_url}" hx-trigger="every 2s"' in waiting
    assert 'id="job-status" class="bulk-status-line" role="status"' in waiting
    assert "Checking the rows" in waiting
    assert 'hx-trigger="every 2s"' in polled
    assert "hx-swap-oob" not in polled
    assert "no-cache" in ready["Cache-Control"]
    ready_text = page(ready)
    assert "hx-trigger" not in ready_text
    assert '<p id="job-status" hx-swap-oob="innerHTML">' in ready_text
    assert "Dry run ready" in ready_text
    assert '<td class="number" data-outcome="issue">1</td>' in ready_text


# --- the jobs ---------------------------------------------------------------------


def jobs_page_queries(client, registrar, count: int) -> int:
    for _ in range(count - BulkJob.objects.count()):
        stored_job(registrar)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("bulk:jobs"))
    assert response.status_code == 200
    assert page(response).count("<tr>") == count + 1  # the header row
    return len(queries)


def test_the_jobs_list_costs_the_same_queries_for_3_jobs_as_for_30(client, registrar):
    client.force_login(registrar)
    other = factories.StaffFactory(
        email="second.registrar@example.org", role=Role.REGISTRAR
    )
    stored_job(other)
    with_3 = jobs_page_queries(client, registrar, 3)
    with_30 = jobs_page_queries(client, registrar, 30)
    assert with_3 == with_30
    assert with_30 <= 10


def test_the_jobs_list_shows_each_job_newest_first_with_its_file_and_counts(
    client, registrar, django_capture_on_commit_callbacks
):
    course_published_long_ago()
    first = checked_job(registrar, django_capture_on_commit_callbacks)
    second = stored_job(registrar, HEADER + GOOD_ROW + GOOD_ROW)
    client.force_login(registrar)
    shown = page(client.get(reverse("bulk:jobs")))
    assert shown.index(str(second.public_id)) < shown.index(str(first.public_id))
    assert f'<code title="{first.file_sha256}">{first.file_sha256[:12]}…</code>' in (
        shown
    )
    assert "Dry run ready" in shown
    assert "Checking the rows" in shown
    assert f'href="{reverse("bulk:new")}"' in shown
