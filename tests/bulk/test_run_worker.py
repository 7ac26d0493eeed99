"""A bulk run on a real Celery worker, killed in the middle of the job.

A real worker (``celery -A microcred worker``, a subprocess on this test's
database and its own queue on the test Redis; see ``worker_settings.py``) runs
a checked job of three chunks. It is killed (SIGKILL of its process group)
in the second chunk: the first chunk's rows marked issued, the second's
recipients given accounts, their credentials being signed. A new worker then
takes the killed worker's chunk back (acks late) and finishes the job: every
row issued once, no credential twice, no row left waiting.

The test is ``transaction=True`` so the worker sees what the test commits.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from bulk import services
from bulk.models import BulkJob, BulkRow
from credentials.models import Credential
from microcred.celery import app as celery_app
from microcred.models import User
from tests.bulk.test_services_dry_run import (
    HEADER,
    course_published_long_ago,
    registrar,  # noqa: F401 - a fixture
    upload,
)
from tests.bulk.test_services_run import rows
from tests.notices.test_exactly_once import (
    BASE_DIR,
    Worker,
    database_url,
    forget_queue,
)

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

CHUNK = settings.BULK_RUN_CHUNK
ROWS = 2 * CHUNK + 50  # three chunks
FINISHED = (
    BulkJob.Status.COMPLETED,
    BulkJob.Status.COMPLETED_WITH_ERRORS,
    BulkJob.Status.FAILED,
    BulkJob.Status.CANCELLED,
)


@dataclass
class BulkWorkers:
    """Workers started one after the other on one queue of their own."""

    tmp_path: Path
    queue: str = field(default_factory=lambda: f"bulk-test-{uuid.uuid4().hex}")
    started: list[Worker] = field(default_factory=list)
    extra_env: dict[str, str] = field(default_factory=dict)

    def start(self) -> Worker:
        log = self.tmp_path / f"worker-{len(self.started)}.log"
        mail_dir = self.tmp_path / "mail"
        env = (
            os.environ
            | {
                "DJANGO_SETTINGS_MODULE": "tests.bulk.worker_settings",
                "NOTICES_WORKER_BASE_SETTINGS": os.environ.get(
                    "DJANGO_SETTINGS_MODULE", "microcred.settings.test"
                ),
                "DATABASE_URL": database_url(),
                "REDIS_URL": settings.CELERY_BROKER_URL,
                "NOTICES_WORKER_QUEUE": self.queue,
                "NOTICES_WORKER_MAIL_DIR": str(mail_dir),
                # The test's own folders and keys (its settings fixtures' values).
                "MEDIA_ROOT": str(settings.MEDIA_ROOT),
                "PRIVATE_MEDIA_ROOT": str(settings.PRIVATE_MEDIA_ROOT),
                "SIGNING_KEYS_DIR": str(settings.SIGNING_KEYS_DIR),
            }
            | self.extra_env
        )
        command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "microcred",
            "worker",
            "--queues",
            self.queue,
            "--hostname",
            f"{self.queue}-{len(self.started)}@%h",
            "--concurrency",
            "1",
            "--pool",
            "prefork",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel",
            "INFO",
        ]
        with log.open("wb") as output:
            process = subprocess.Popen(  # noqa: S603 - our own fixed command
                command,
                cwd=BASE_DIR,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, killed whole
            )
        worker = Worker(process=process, queue=self.queue, mail_dir=mail_dir, log=log)
        self.started.append(worker)
        return worker

    def queue_the_run(self, *, actor, job_id: int) -> None:
        """Start the job as the registrar does: its first chunk goes through
        Redis to this queue (the test process's Celery is otherwise eager)."""
        conf = celery_app.conf
        eager, default_queue = conf.task_always_eager, conf.task_default_queue
        conf.task_always_eager, conf.task_default_queue = False, self.queue
        try:
            services.job_start(actor=actor, job_id=job_id)
        finally:
            conf.task_always_eager, conf.task_default_queue = eager, default_queue

    def end_dead_connections(self) -> None:
        """A killed worker's connections go with it; end any the server
        still holds (its locks with them)."""
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )

    def stop_all(self) -> None:
        for worker in self.started:
            worker.kill()
        forget_queue(self.queue)
        self.end_dead_connections()


@pytest.fixture
def bulk_workers(tmp_path) -> Iterator[BulkWorkers]:
    started = BulkWorkers(tmp_path)
    try:
        yield started
    finally:
        started.stop_all()


def rows_issued(job: BulkJob) -> int:
    return BulkRow.objects.filter(job=job, state="issued").count()


def in_the_second_chunk(job: BulkJob) -> bool:
    """The first chunk is marked issued and the second has made its
    recipients' accounts: it is signing their credentials."""
    return (
        rows_issued(job) >= CHUNK
        and User.objects.filter(email__startswith="grad").count() > CHUNK
    )


def finished(job: BulkJob) -> bool:
    job.refresh_from_db()
    return job.status in FINISHED


def test_a_worker_killed_mid_job_leaves_the_next_worker_to_finish_it_once(
    registrar,  # noqa: F811
    bulk_workers,
):
    course_published_long_ago()
    job = services.job_create_from_file(
        actor=registrar, upload=upload(HEADER + rows(ROWS)), notify_recipients=False
    )
    job.refresh_from_db()
    assert (job.status, job.will_issue) == (BulkJob.Status.VALIDATED, ROWS)
    first = bulk_workers.start()

    bulk_workers.queue_the_run(actor=registrar, job_id=job.pk)
    first.wait_until(lambda: in_the_second_chunk(job), "the second chunk to start")
    first.kill()
    bulk_workers.end_dead_connections()

    assert rows_issued(job) == CHUNK, "killed in the second chunk"
    assert Credential.objects.count() < ROWS
    assert not finished(job)

    second = bulk_workers.start()
    second.wait_until(lambda: finished(job), "the next worker to finish the job")

    assert job.status == BulkJob.Status.COMPLETED
    assert job.issued == ROWS
    issue_rows = BulkRow.objects.filter(job=job, outcome=BulkRow.Outcome.ISSUE)
    assert issue_rows.count() == ROWS
    assert not issue_rows.filter(state="pending").exists(), "no gap"
    assert set(issue_rows.values_list("state", flat=True)) == {"issued"}
    credential_ids = set(issue_rows.values_list("credential_id", flat=True))
    assert None not in credential_ids
    assert len(credential_ids) == ROWS, "one credential per row"
    assert Credential.objects.count() == ROWS, "no credential twice"
    assert (
        Credential.objects.values("learner", "achievement", "period").distinct().count()
        == ROWS
    )
