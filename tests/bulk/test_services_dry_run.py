"""The dry run: a registrar's file is stored with its SHA-256, every row is
decided and reported, and nothing is issued."""

import csv
import datetime as dt
import hashlib
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from bulk import services
from bulk.models import BulkJob, BulkRow
from courses.policies import PolicyError
from credentials.models import Credential
from microcred.models import AuditEntry
from microcred.roles import Role
from tests import factories
from tests.credentials.test_services_issue import pass_summative

pytestmark = pytest.mark.django_db

HEADER = "email,legal_name,achievement,issue_date,expiry,evidence,route\r\n"


@pytest.fixture
def registrar():
    return factories.StaffFactory(role=Role.REGISTRAR)


def course_published_long_ago():
    return factories.MicrocredentialFactory(
        code="DATA-101", published_at=dt.datetime(2025, 1, 6, 12, 0, tzinfo=dt.UTC)
    )


def upload(text: str, name: str = "graduates.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def run(registrar, text, capture, **kwargs) -> BulkJob:
    with capture(execute=True):
        job = services.job_create_from_file(
            actor=registrar, upload=upload(text), **kwargs
        )
    job.refresh_from_db()
    return job


def report_rows(job: BulkJob) -> list[dict[str, str]]:
    with job.report_csv.open("rb") as handle:
        text = handle.read().decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_good_bad_and_held_rows_are_reported_row_by_row_and_nothing_is_issued(
    registrar, django_capture_on_commit_callbacks
):
    course = course_published_long_ago()
    holder = factories.UserFactory(email="holder@example.org")
    pass_summative(holder, course, capture=django_capture_on_commit_callbacks)
    credentials_before = Credential.objects.count()
    text = HEADER + (
        "ada@example.org,Ada Lovelace,DATA-101,2026-01-15,,,recognised\r\n"
        "bad-email,Someone,DATA-101,2026-01-15,,,\r\n"
        "holder@example.org,Holder Name,data-101,2026-01-15,,,\r\n"
        "ada@example.org,Ada Lovelace,DATA-101,2026-01-16,,,\r\n"
        "grace@example.org,Grace Hopper,NOPE-1,2026-01-15,,,\r\n"
    )

    job = run(registrar, text, django_capture_on_commit_callbacks)

    assert job.status == BulkJob.Status.VALIDATED
    assert job.file_sha256 == hashlib.sha256(text.encode()).hexdigest()
    assert (job.total_rows, job.will_issue, job.will_skip, job.errors) == (5, 1, 1, 3)
    outcomes = dict(BulkRow.objects.filter(job=job).values_list("line", "outcome"))
    assert outcomes == {2: "issue", 3: "error", 4: "skip", 5: "error", 6: "error"}
    rows = report_rows(job)
    assert [row["outcome"] for row in rows] == [
        "will issue",
        "error",
        "will skip",
        "error",
        "error",
    ]
    assert "duplicate of line 2" in rows[3]["message"].lower()
    assert "NOPE-1" in rows[4]["message"]
    workbook = openpyxl.load_workbook(io.BytesIO(job.report_xlsx.read()))
    assert workbook.active.max_row == 6
    assert Credential.objects.count() == credentials_before
    assert AuditEntry.objects.filter(action="bulk.upload").count() == 1


def test_a_file_that_is_not_a_table_is_refused_with_its_reason(
    registrar, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = services.job_create_from_file(
            actor=registrar,
            upload=SimpleUploadedFile("scan.pdf", b"%PDF-1.7\n%binary\n"),
        )
    job.refresh_from_db()
    assert job.status == BulkJob.Status.REFUSED
    assert "PDF" in job.refusal
    assert not BulkRow.objects.filter(job=job).exists()


def test_a_formula_in_a_cell_is_neutralised_in_the_report(
    registrar, django_capture_on_commit_callbacks
):
    course_published_long_ago()
    text = HEADER + '=HYPERLINK("http://evil"),Eve,DATA-101,2026-01-15,,,\r\n'
    job = run(registrar, text, django_capture_on_commit_callbacks)
    (row,) = report_rows(job)
    assert row["email"].startswith("'=")


def test_only_the_registrars_office_may_upload(django_capture_on_commit_callbacks):
    instructor = factories.StaffFactory(role=Role.INSTRUCTOR)
    with pytest.raises(PolicyError):
        services.job_create_from_file(actor=instructor, upload=upload(HEADER))
    assert not BulkJob.objects.exists()


def test_running_the_dry_run_twice_replaces_the_rows(
    registrar, django_capture_on_commit_callbacks
):
    course_published_long_ago()
    text = HEADER + "ada@example.org,Ada Lovelace,DATA-101,2026-01-15,,,\r\n"
    job = run(registrar, text, django_capture_on_commit_callbacks)
    services.job_dry_run(job_id=job.pk)
    assert BulkRow.objects.filter(job=job).count() == 1


def test_a_dry_run_that_stops_on_an_unexpected_error_marks_the_job_failed(
    registrar, django_capture_on_commit_callbacks
):
    from bulk import tasks

    course_published_long_ago()
    job = run(registrar, HEADER, django_capture_on_commit_callbacks)
    job.file.delete(save=True)  # the stored file is gone: reading it fails
    BulkJob.objects.filter(pk=job.pk).update(status=BulkJob.Status.VALIDATING)
    with pytest.raises(ValueError, match="no file associated"):
        tasks.dry_run.run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == BulkJob.Status.FAILED
    assert "nothing was issued" in job.refusal
