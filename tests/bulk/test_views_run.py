"""Running a checked job from its page, through the test client on real
PostgreSQL: the Run button, the polled progress, cancelling, the final counts
and the result file. State is set up through the services."""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
from typing import Any

import openpyxl
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from bulk import services
from bulk.models import BulkJob, BulkRow
from credentials.models import Credential
from tests import factories
from tests.bulk.test_services_dry_run import HEADER, course_published_long_ago
from tests.bulk.test_views import checked_job
from tests.credentials.test_services_issue import pass_summative

pytestmark = pytest.mark.django_db


def page(response: Any) -> str:
    return html.unescape(response.content.decode())


def rows(count: int) -> str:
    return "".join(
        f"grad{n}@example.org,Graduate Number {n},DATA-101,2026-01-15,,,\r\n"
        for n in range(count)
    )


HELD = "holder@example.org,Holder Name,DATA-101,2026-01-15,,,\r\n"
BAD = "bad-email,Someone,DATA-101,2026-01-15,,,\r\n"


@pytest.fixture
def job(registrar, django_capture_on_commit_callbacks, settings):
    """Three rows to issue (a chunk each), one already held, one with an
    error."""
    settings.BULK_RUN_CHUNK = 1
    course = course_published_long_ago()
    holder = factories.UserFactory(email="holder@example.org")
    pass_summative(holder, course, capture=django_capture_on_commit_callbacks)
    return checked_job(
        registrar, django_capture_on_commit_callbacks, HEADER + rows(3) + HELD + BAD
    )


def result_csv(client, job: BulkJob) -> list[dict[str, str]]:
    response = client.get(reverse("bulk:result", args=[job.public_id]) + "?format=csv")
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


def test_the_registrar_runs_a_checked_job_and_sees_its_counts_and_result(
    client, registrar, job, django_capture_on_commit_callbacks
):
    client.force_login(registrar)
    before = page(client.get(reverse("bulk:job", args=[job.public_id])))
    assert "Run: issue 3 credentials" in before

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("bulk:start", args=[job.public_id]))

    assert response.status_code == 302
    assert response["Location"] == reverse("bulk:job", args=[job.public_id])
    job.refresh_from_db()
    assert job.status == BulkJob.Status.COMPLETED_WITH_ERRORS
    shown = page(client.get(response["Location"]))
    assert "Completed with errors" in shown
    assert '<td class="number" data-count="issued">3</td>' in shown
    assert '<td class="number" data-count="skipped">1</td>' in shown
    assert '<td class="number" data-count="errors">1</td>' in shown
    assert "hx-trigger" not in shown  # finished: no poll
    assert "Run: issue" not in shown
    assert reverse("bulk:result", args=[job.public_id]) + "?format=csv" in shown
    assert "Started" in shown
    assert "Finished" in shown

    result = result_csv(client, job)
    assert [row["line"] for row in result] == ["2", "3", "4", "5", "6"]
    assert [row["state"] for row in result] == [
        "Issued",
        "Issued",
        "Issued",
        "Skipped",
        "Failed",
    ]
    credentials = {
        str(c.pk): c for c in Credential.objects.filter(learner__email__startswith="g")
    }
    for row in result[:3]:
        assert row["credential_id"] in credentials
        assert row["verification_url"] == settings.SITE_URL.rstrip("/") + reverse(
            "credentials:credential", args=[row["credential_id"]]
        )
    assert result[3]["message"] == "Already held: nothing issued."
    assert result[4]["credential_id"] == result[4]["verification_url"] == ""
    assert result[4]["message"]  # the dry run's error


def test_the_result_downloads_as_xlsx_privately(
    client, registrar, job, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.job_start(actor=registrar, job_id=job.pk)
    client.force_login(registrar)

    response = client.get(reverse("bulk:result", args=[job.public_id]) + "?format=xlsx")

    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Disposition"].endswith('-result.xlsx"')
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.values)
    assert values[0][:7] == (
        "line",
        "email",
        "legal_name",
        "achievement_code",
        "reference",
        "outcome",
        "state",
    )
    assert len(values) == 6


@pytest.mark.parametrize("who", ["learner", "instructor"])
def test_a_learner_or_an_instructor_gets_a_403_on_start_cancel_and_result(
    client, job, who, request, django_capture_on_commit_callbacks
):
    client.force_login(request.getfixturevalue(who))
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            client.post(reverse("bulk:start", args=[job.public_id])).status_code == 403
        )
    assert client.post(reverse("bulk:cancel", args=[job.public_id])).status_code == 403
    url = reverse("bulk:result", args=[job.public_id]) + "?format=csv"
    assert client.get(url).status_code == 403
    job.refresh_from_db()
    assert job.status == BulkJob.Status.VALIDATED
    assert not job.cancel_requested


def test_starting_a_job_twice_says_why_and_changes_nothing(
    client, registrar, job, django_capture_on_commit_callbacks
):
    client.force_login(registrar)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("bulk:start", args=[job.public_id]))
    credentials = Credential.objects.count()
    job.refresh_from_db()
    finished_at = job.finished_at

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("bulk:start", args=[job.public_id]), follow=True)

    assert "Only a checked job can be run, once" in page(response)
    assert 'role="status"' in page(response)
    job.refresh_from_db()
    assert Credential.objects.count() == credentials
    assert (job.status, job.finished_at, job.issued) == (
        BulkJob.Status.COMPLETED_WITH_ERRORS,
        finished_at,
        3,
    )


def test_cancelling_a_finished_job_says_why_and_changes_nothing(
    client, registrar, job, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.job_start(actor=registrar, job_id=job.pk)
    client.force_login(registrar)

    response = client.post(reverse("bulk:cancel", args=[job.public_id]), follow=True)

    assert "Only a waiting or running job can be cancelled." in page(response)
    job.refresh_from_db()
    assert job.status == BulkJob.Status.COMPLETED_WITH_ERRORS
    assert not job.cancel_requested


def test_a_running_job_shows_its_progress_polled_and_can_be_cancelled(
    client, registrar, job
):
    started = timezone.now() - dt.timedelta(seconds=10)
    services.job_start(actor=registrar, job_id=job.pk, now=started)  # not run
    services.job_run_chunk(job_id=job.pk, number=0)
    client.force_login(registrar)

    partial = page(client.get(reverse("bulk:job-status", args=[job.public_id])))

    assert 'role="progressbar"' in partial
    assert 'aria-valuemin="0"' in partial
    assert 'aria-valuemax="3"' in partial
    assert 'aria-valuenow="1"' in partial
    assert "1 of 3 rows done" in partial
    assert '<td class="number" data-count="issued">1</td>' in partial
    assert '<td class="number" data-count="skipped">0</td>' in partial
    assert "credentials a second" in partial
    assert "seconds left" in partial
    assert 'hx-trigger="every 2s"' in partial
    assert reverse("bulk:job-status", args=[job.public_id]) in partial
    assert "Cancel after the current chunk" in partial

    response = client.post(reverse("bulk:cancel", args=[job.public_id]), follow=True)

    assert "stops after the current chunk" in page(response)
    job.refresh_from_db()
    assert job.cancel_requested
    services.job_run_chunk(job_id=job.pk, number=1)
    services.job_run_chunk(job_id=job.pk, number=2)
    shown = page(client.get(reverse("bulk:job-status", args=[job.public_id])))
    assert 'data-status="cancelled"' in shown
    assert "0 of 1 certificate rendered" in shown  # the issued one's PDF follows
    services.job_render_pdfs(job_id=job.pk, number=0)
    services.job_build_archive(job_id=job.pk)
    shown = page(client.get(reverse("bulk:job-status", args=[job.public_id])))
    assert "Cancelled" in shown
    assert "hx-trigger" not in shown
    assert '<td class="number" data-count="issued">1</td>' in shown
    assert BulkRow.objects.filter(job=job, state="pending").count() == 2


def test_a_job_with_nothing_to_issue_has_no_run_button(
    client, registrar, django_capture_on_commit_callbacks
):
    course_published_long_ago()
    job = checked_job(registrar, django_capture_on_commit_callbacks, HEADER + BAD)
    client.force_login(registrar)

    shown = page(client.get(reverse("bulk:job", args=[job.public_id])))

    assert "there is nothing to run" in shown
    assert reverse("bulk:start", args=[job.public_id]) not in shown


def test_an_unfinished_job_has_no_result_file(client, registrar, job):
    client.force_login(registrar)
    url = reverse("bulk:result", args=[job.public_id])
    assert client.get(url + "?format=csv").status_code == 404
    assert client.get(url + "?format=pdf").status_code == 404
