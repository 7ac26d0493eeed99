"""After the credentials: each issued credential's PDF certificate (one paper
size, its own queue), the job page's progress of both, the ZIP of the
certificates with its manifest, kept and downloadable (resumable); and the
cohort source."""

from __future__ import annotations

import csv
import hashlib
import io
import zipfile

import pytest
from django.urls import reverse
from django.utils import timezone

from bulk import services
from bulk.models import BulkChunk, BulkJob, BulkRow
from courses.models import Enrolment
from courses.policies import PolicyError
from credentials.models import Credential
from microcred.models import AuditEntry
from tests import factories
from tests.bulk.test_services_dry_run import (
    HEADER,
    course_published_long_ago,
    registrar,  # noqa: F401 - a fixture
    run,
)
from tests.bulk.test_services_run import rows

pytestmark = pytest.mark.django_db


def finished_job(registrar, capture, count: int = 3) -> BulkJob:  # noqa: F811
    course_published_long_ago()
    job = run(registrar, HEADER + rows(count), capture, notify_recipients=False)
    with capture(execute=True):
        services.job_start(actor=registrar, job_id=job.pk)
    job.refresh_from_db()
    return job


def test_a_finished_job_renders_each_certificate_once_then_builds_its_zip(
    registrar,  # noqa: F811
    django_capture_on_commit_callbacks,
    settings,
):
    settings.BULK_RUN_CHUNK = 2
    job = finished_job(registrar, django_capture_on_commit_callbacks)

    assert job.status == BulkJob.Status.COMPLETED
    assert job.pdfs_started_at is not None
    assert job.pdfs_finished_at is not None
    credentials = Credential.objects.filter(learner__email__startswith="grad")
    assert credentials.count() == 3
    for credential in credentials:
        # The institution's paper size now; the other on its first download.
        assert credential.pdf
        assert not credential.pdf_letter
        with credential.pdf.open("rb") as handle:
            assert handle.read(5) == b"%PDF-"
    assert set(
        BulkChunk.objects.filter(job=job).values_list("pdfs_done_at", flat=True)
    ) != {None}
    assert services.pdfs_rendered(job) == 3

    assert job.archive
    assert job.archive_built_at
    with job.archive.open("rb") as handle:
        data = handle.read()
    assert job.archive_bytes == len(data)
    assert job.archive_sha256 == hashlib.sha256(data).hexdigest()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        manifest = list(
            csv.DictReader(
                io.StringIO(archive.read("manifest.csv").decode("utf-8-sig"))
            )
        )
        assert all(archive.read(n).startswith(b"%PDF-") for n in names[:-1])
    assert names[-1] == "manifest.csv"
    assert len(names) == 4
    assert [row["line"] for row in manifest] == ["2", "3", "4"]
    by_id = {str(c.pk): c for c in credentials}
    for row in manifest:
        credential = by_id[row["credential_id"]]
        assert row["file"] == f"certificates/{int(row['line']):06d}-" + (
            f"{credential.verification_code}.pdf"
        )
        assert row["file"] in names
        assert row["email"] == credential.learner.email
        assert row["verification_url"].endswith(f"/credentials/{credential.pk}")
    assert AuditEntry.objects.filter(action="bulk.archive").count() == 1


def test_a_pdf_task_redone_renders_only_what_is_missing(
    registrar,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    job = finished_job(registrar, django_capture_on_commit_callbacks)
    rendered = dict(Credential.objects.values_list("pk", "pdf_rendered_at"))
    built = job.archive_built_at

    services.job_render_pdfs(job_id=job.pk, number=0)

    assert dict(Credential.objects.values_list("pk", "pdf_rendered_at")) == rendered
    job.refresh_from_db()
    assert job.archive_built_at == built, "a redone chunk queues no second archive"


def test_the_holder_gets_the_other_paper_size_on_first_download(
    client,
    registrar,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    finished_job(registrar, django_capture_on_commit_callbacks, count=1)
    credential = Credential.objects.get()
    holder = credential.learner
    holder.set_password("claimed-pass-2026")
    holder.save()
    client.force_login(holder)

    response = client.get(
        reverse("credentials:mine-pdf", args=[credential.pk]) + "?paper=letter"
    )

    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    credential.refresh_from_db()
    assert credential.pdf_letter


def test_the_job_page_shows_the_certificates_progress_then_the_zip(
    client,
    registrar,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    course_published_long_ago()
    job = run(
        registrar,
        HEADER + rows(2),
        django_capture_on_commit_callbacks,
        notify_recipients=False,
    )
    services.job_start(actor=registrar, job_id=job.pk)  # queued, not run
    with django_capture_on_commit_callbacks(execute=False) as queued:
        services.job_run_chunk(job_id=job.pk, number=0)
    assert len(queued) >= 1  # the PDF tasks wait on commit, not run
    client.force_login(registrar)

    body = client.get(reverse("bulk:job-status", args=[job.public_id])).content
    body = body.decode()
    assert "0 of 2 certificates rendered" in body
    assert 'hx-trigger="every 2s"' in body, "the page keeps polling for the files"
    assert "already issued and verifiable" in body

    services.job_render_pdfs(job_id=job.pk, number=0)
    with django_capture_on_commit_callbacks(execute=True):
        services.job_build_archive(job_id=job.pk)
    body = client.get(reverse("bulk:job-status", args=[job.public_id])).content
    body = body.decode()
    assert "All 2 PDF certificates are ready" in body
    assert reverse("bulk:archive", args=[job.public_id]) in body
    assert "hx-trigger" not in body


def test_the_zip_downloads_whole_or_from_where_it_stopped(
    client,
    registrar,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    job = finished_job(registrar, django_capture_on_commit_callbacks)
    with job.archive.open("rb") as handle:
        data = handle.read()
    url = reverse("bulk:archive", args=[job.public_id])
    client.force_login(registrar)

    whole = client.get(url)
    assert whole.status_code == 200
    assert b"".join(whole.streaming_content) == data
    assert whole["Accept-Ranges"] == "bytes"
    assert whole["Cache-Control"] == "private, no-store"
    assert "attachment" in whole["Content-Disposition"]

    rest = client.get(url, HTTP_RANGE="bytes=100-", HTTP_IF_RANGE=whole["ETag"])
    assert rest.status_code == 206
    assert rest["Content-Range"] == f"bytes 100-{len(data) - 1}/{len(data)}"
    assert b"".join(rest.streaming_content) == data[100:]

    tail = client.get(url, HTTP_RANGE="bytes=-10")
    assert b"".join(tail.streaming_content) == data[-10:]

    changed = client.get(url, HTTP_RANGE="bytes=100-", HTTP_IF_RANGE='"other"')
    assert changed.status_code == 200, "another file: the whole of it"

    outside = client.get(url, HTTP_RANGE=f"bytes={len(data) + 5}-")
    assert outside.status_code == 416
    assert outside["Content-Range"] == f"bytes */{len(data)}"


def test_only_the_registrars_office_downloads_the_zip(
    client,
    registrar,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    job = finished_job(registrar, django_capture_on_commit_callbacks, count=1)
    url = reverse("bulk:archive", args=[job.public_id])
    client.force_login(Credential.objects.get().learner)
    assert client.get(url).status_code == 403
    client.force_login(factories.StaffFactory())
    assert client.get(url).status_code == 403


def test_an_unbuilt_zip_is_a_404_with_a_reason(
    client,
    registrar,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    course_published_long_ago()
    job = run(registrar, HEADER + rows(1), django_capture_on_commit_callbacks)
    client.force_login(registrar)
    response = client.get(reverse("bulk:archive", args=[job.public_id]))
    assert response.status_code == 404


def test_a_zip_the_storage_lost_is_a_404_on_the_page_and_in_the_api(
    client,
    registrar,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    """Not a 500: the storage may lose a file (a volume restored, a bucket
    emptied); the job and its record stay as they were."""
    job = finished_job(registrar, django_capture_on_commit_callbacks, count=1)
    job.archive.storage.delete(job.archive.name)
    client.force_login(registrar)

    page = client.get(reverse("bulk:archive", args=[job.public_id]))
    api = client.get(
        reverse("api:bulk-job-archive", args=[job.public_id]), HTTP_RANGE="bytes=5-"
    )

    assert page.status_code == 404
    assert api.status_code == 404
    assert api.json()["error"] == "This file is no longer available."
    job.refresh_from_db()
    assert job.archive
    assert job.archive_sha256


# --- the cohort source ------------------------------------------------------------


def completed_without_credential(
    offering, count: int, prefix: str = "cohort"
) -> list[Enrolment]:
    """Learners who completed before credentials were issued on completion
    (records carried over from the previous system)."""
    enrolments = []
    for n in range(count):
        learner = factories.UserFactory(
            email=f"{prefix}{n}@example.org", legal_name=f"Cohort Learner {n}"
        )
        enrolment = factories.enrol(learner, offering)
        Enrolment.objects.filter(pk=enrolment.pk).update(
            status=Enrolment.Status.COMPLETED, completed_at=timezone.now()
        )
        enrolments.append(enrolment)
    return enrolments


def test_a_cohort_job_checks_the_completed_learners_without_a_credential(
    client,
    registrar,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    course = course_published_long_ago()
    offering = factories.OfferingFactory(microcredential=course)
    completed_without_credential(offering, 3)
    factories.enrol(factories.UserFactory(), offering)  # active: not in the cohort
    client.force_login(registrar)

    page = client.get(reverse("bulk:cohort")).content.decode()
    assert "DATA-101" in page
    assert ">3<" in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("bulk:cohort"), {"offering": offering.pk, "notify_recipients": "on"}
        )
    job = BulkJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("bulk:job", args=[job.public_id])
    assert (job.source, job.offering_id) == (BulkJob.Source.COHORT, offering.pk)
    assert (job.status, job.will_issue, job.errors) == (BulkJob.Status.VALIDATED, 3, 0)
    assert set(BulkRow.objects.values_list("route", flat=True)) == {"course"}

    with django_capture_on_commit_callbacks(execute=True):
        services.job_start(actor=registrar, job_id=job.pk)
    assert Credential.objects.filter(learner__email__startswith="cohort").count() == 3
    # Nobody is left waiting: the offering leaves the list and a new job is refused.
    assert "DATA-101" not in client.get(reverse("bulk:cohort")).content.decode()
    with pytest.raises(PolicyError, match="already holds its credential"):
        services.job_create_from_offering(actor=registrar, offering_id=offering.pk)


def test_the_cohort_page_is_the_registrars_and_refuses_an_unknown_offering(
    client,
    registrar,  # noqa: F811
):
    client.force_login(factories.StaffFactory())
    assert client.get(reverse("bulk:cohort")).status_code == 403
    client.force_login(registrar)
    response = client.post(reverse("bulk:cohort"), {"offering": "999999"})
    assert response.status_code == 422
    assert "There is no such offering" in response.content.decode()
    response = client.post(reverse("bulk:cohort"), {"offering": "x"})
    assert response.status_code == 422
    assert not BulkJob.objects.exists()


@pytest.mark.parametrize("offerings", [1, 6])
def test_the_cohort_page_counts_with_a_fixed_number_of_queries(
    client,
    registrar,  # noqa: F811
    django_assert_max_num_queries,
    offerings,
):
    course = course_published_long_ago()
    for n in range(offerings):
        offering = factories.OfferingFactory(microcredential=course)
        completed_without_credential(offering, 2, prefix=f"o{n}-")
    client.force_login(registrar)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("bulk:cohort"))
    assert response.content.decode().count("Check these learners") == offerings


def test_the_sample_file_dry_runs_to_three_issues_and_three_errors(
    client,
    registrar,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    course_published_long_ago()
    client.force_login(registrar)
    response = client.get(reverse("bulk:sample-csv"))
    assert response.status_code == 200
    job = run(
        registrar,
        response.content.decode("utf-8-sig"),
        django_capture_on_commit_callbacks,
    )
    assert (job.will_issue, job.will_skip, job.errors) == (3, 0, 3)


def test_no_sample_without_an_achievement_old_enough(
    client,
    registrar,  # noqa: F811
):
    factories.MicrocredentialFactory(code="NEW-1", published_at=timezone.now())
    client.force_login(registrar)
    response = client.get(reverse("bulk:sample-csv"))
    assert response.status_code == 302
    client.force_login(factories.UserFactory())
    assert client.get(reverse("bulk:sample-csv")).status_code == 403


@pytest.mark.parametrize("courses", [2, 12])
def test_the_achievements_a_file_may_name_are_read_in_a_fixed_number_of_queries(
    courses, django_assert_num_queries
):
    from zoneinfo import ZoneInfo

    from bulk import selectors
    from credentials import services as credential_services

    for n in range(courses):
        course = factories.MicrocredentialFactory(code=f"QC-{n}")
        credential_services.achievement_for_course(course)  # as after issuing
    with django_assert_num_queries(3):
        facts = selectors.achievement_facts(tz=ZoneInfo("America/Toronto"))
    assert len(facts) == courses
