"""Running a checked job: chunks through the batched issuance, idempotent and
resumable, cancellable between chunks."""

import pytest

from bulk import services
from bulk.models import BulkChunk, BulkJob, BulkRow
from courses.policies import PolicyError
from credentials.models import Credential
from microcred.models import AuditEntry, User
from tests import factories
from tests.bulk.test_services_dry_run import (
    HEADER,
    course_published_long_ago,
    registrar,  # noqa: F401 - a fixture
    run,
)
from tests.credentials.test_services_issue import pass_summative

pytestmark = pytest.mark.django_db


def rows(count: int, start: int = 0) -> str:
    return "".join(
        f"grad{n}@example.org,Graduate Number {n},DATA-101,2026-01-15,,,\r\n"
        for n in range(start, start + count)
    )


def checked(registrar, text, capture) -> BulkJob:  # noqa: F811
    job = run(registrar, text, capture)
    assert job.status == BulkJob.Status.VALIDATED
    return job


def test_a_checked_job_issues_its_rows_skips_the_held_ones_and_completes(
    registrar,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    course = course_published_long_ago()
    holder = factories.UserFactory(email="holder@example.org")
    pass_summative(holder, course, capture=django_capture_on_commit_callbacks)
    text = (
        HEADER + rows(3) + "holder@example.org,Holder Name,DATA-101,2026-01-15,,,\r\n"
    )
    text += "bad,Someone,DATA-101,2026-01-15,,,\r\n"
    job = checked(registrar, text, django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True):
        services.job_start(actor=registrar, job_id=job.pk)
    job.refresh_from_db()

    assert job.status == BulkJob.Status.COMPLETED_WITH_ERRORS
    assert (job.issued, job.skipped, job.errors) == (3, 1, 1)
    issued = Credential.objects.filter(learner__email__startswith="grad")
    assert issued.count() == 3
    assert set(issued.values_list("route", flat=True)) == {"recognised"}
    assert {c.awarded_at.date().isoformat() for c in issued} == {"2026-01-15"}
    # Recipients without an account get one, without a password (they claim it).
    newcomer = User.objects.get(email="grad0@example.org")
    assert not newcomer.has_usable_password()
    assert newcomer.legal_name == "Graduate Number 0"
    states = dict(BulkRow.objects.filter(job=job).values_list("line", "state"))
    assert states == {2: "issued", 3: "issued", 4: "issued", 5: "skipped", 6: "failed"}
    assert AuditEntry.objects.filter(action="bulk.finish").count() == 1


def test_a_job_runs_in_chunks_and_a_redone_chunk_issues_nothing_twice(
    registrar,  # noqa: F811
    django_capture_on_commit_callbacks,
    settings,
):
    settings.BULK_RUN_CHUNK = 2
    course_published_long_ago()
    job = checked(registrar, HEADER + rows(5), django_capture_on_commit_callbacks)
    assert sorted(BulkRow.objects.filter(job=job).values_list("chunk", flat=True)) == [
        0,
        0,
        1,
        1,
        2,
    ]
    services.job_start(actor=registrar, job_id=job.pk)
    assert BulkChunk.objects.filter(job=job).count() == 3

    services.job_run_chunk(job_id=job.pk, number=1)
    assert Credential.objects.count() == 2
    assert set(
        BulkRow.objects.filter(job=job, state="issued").values_list("line", flat=True)
    ) == {4, 5}
    # A worker died after issuing but before marking its rows: redo the chunk.
    BulkRow.objects.filter(job=job, state="issued").update(state="pending")
    BulkJob.objects.filter(pk=job.pk).update(issued=0)
    BulkChunk.objects.filter(job=job).update(done_at=None)
    services.job_run_chunk(job_id=job.pk, number=1)
    assert Credential.objects.count() == 2
    # The redone rows count as this run's issues, not as "already held".
    assert BulkRow.objects.filter(job=job, state="issued").count() == 2
    assert BulkJob.objects.get(pk=job.pk).issued == 2
    # The same chunk delivered once more after it was done changes nothing.
    services.job_run_chunk(job_id=job.pk, number=1)
    assert BulkJob.objects.get(pk=job.pk).issued == 2

    services.job_run_chunk(job_id=job.pk, number=2)
    assert BulkJob.objects.get(pk=job.pk).status == BulkJob.Status.RUNNING
    with django_capture_on_commit_callbacks(execute=True):
        services.job_run_chunk(job_id=job.pk, number=0)
    job.refresh_from_db()
    assert Credential.objects.count() == 5
    assert job.status == BulkJob.Status.COMPLETED
    assert (job.issued, job.skipped) == (5, 0)
    assert not BulkRow.objects.filter(job=job, state="pending").exists()
    assert AuditEntry.objects.filter(action="bulk.finish").count() == 1
    # The finished job stored its result file.
    with job.result_csv.open("rb") as handle:
        assert handle.read().decode("utf-8-sig").count("grad") == 5


def test_cancelling_stops_the_chunks_not_yet_started(
    registrar,  # noqa: F811
    django_capture_on_commit_callbacks,
    settings,
):
    settings.BULK_RUN_CHUNK = 2
    course_published_long_ago()
    job = checked(registrar, HEADER + rows(4), django_capture_on_commit_callbacks)
    services.job_start(actor=registrar, job_id=job.pk)
    services.job_run_chunk(job_id=job.pk, number=0)
    services.job_cancel(actor=registrar, job_id=job.pk)

    services.job_run_chunk(job_id=job.pk, number=1)
    job.refresh_from_db()
    assert job.status == BulkJob.Status.CANCELLED
    assert Credential.objects.count() == 2
    assert BulkRow.objects.filter(job=job, state="pending").count() == 2


def test_a_job_starts_once_and_only_by_the_registrars_office(
    registrar,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    course_published_long_ago()
    job = checked(registrar, HEADER + rows(1), django_capture_on_commit_callbacks)
    with pytest.raises(PolicyError):
        services.job_start(actor=factories.StaffFactory(), job_id=job.pk)
    with django_capture_on_commit_callbacks(execute=True):
        services.job_start(actor=registrar, job_id=job.pk)
    with pytest.raises(PolicyError, match="Only a checked job can be run"):
        services.job_start(actor=registrar, job_id=job.pk)
    assert Credential.objects.count() == 1


def test_a_row_refused_at_run_time_fails_alone_and_the_rest_is_issued(
    registrar,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    course_published_long_ago()
    job = checked(registrar, HEADER + rows(3), django_capture_on_commit_callbacks)
    # Its achievement no longer exists by the time the row runs.
    BulkRow.objects.filter(job=job, line=3).update(achievement_id=999_999)
    with django_capture_on_commit_callbacks(execute=True):
        services.job_start(actor=registrar, job_id=job.pk)
    job.refresh_from_db()

    assert job.status == BulkJob.Status.COMPLETED_WITH_ERRORS
    assert (job.issued, job.failed) == (2, 1)
    refused = BulkRow.objects.get(job=job, line=3)
    assert refused.state == "failed"
    assert refused.run_message == "Not issued: there is no such achievement."
    assert Credential.objects.count() == 2


def test_a_run_that_stops_on_an_unexpected_error_marks_the_job_failed(
    registrar,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    from bulk import tasks

    course_published_long_ago()
    job = checked(registrar, HEADER + rows(2), django_capture_on_commit_callbacks)
    services.job_start(actor=registrar, job_id=job.pk)
    # The registrar who uploaded it has left the office since.
    registrar.groups.clear()
    with pytest.raises(Exception, match="Only a registrar may issue"):
        tasks.run_chunk.run(job_id=job.pk, number=0)
    job.refresh_from_db()
    assert job.status == BulkJob.Status.FAILED
    assert Credential.objects.count() == 0
