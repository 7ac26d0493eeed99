"""Each notice is recorded once and e-mailed once: integration tests on real
PostgreSQL connections and a real Celery worker on Redis.

- Two scans at once (two beat processes), on two database connections, record
  each notice once; two deliveries at once e-mail each once (threads: each has
  its own connection; the locmem outbox is shared by the process).
- A real worker (``celery -A microcred worker``, started here as a subprocess
  on this test's database and its own queue on the test Redis; see
  ``worker_settings.py``) runs two scans at once, then one more: each notice
  is e-mailed once, into files the test counts (``slow_mail.py``).
- The worker is killed (SIGKILL of its process group) in the middle of a
  scan, and in the middle of a delivery; the next scan and the delivery after
  the stale-claim window send what was left, and nothing twice.

The tests are ``transaction=True`` so the worker sees what the test commits.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import uuid
import warnings
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email import policy
from email.parser import BytesParser
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import redis
from celery.exceptions import AlwaysEagerIgnored
from django.conf import settings
from django.core import mail
from django.db import connection, transaction
from django.utils import timezone

from courses.models import Enrolment
from microcred.celery import app as celery_app
from microcred.models import User
from notices import services
from notices.models import Notice
from tests import factories

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

BASE_DIR = Path(__file__).resolve().parents[2]
REGISTERED = dt.datetime(2027, 3, 1, 12, 0, tzinfo=dt.UTC)
WAIT_SECONDS = 40  # for the worker to start and finish (a few seconds when idle)


# --- set-up --------------------------------------------------------------------


def registered_learners(n: int) -> list[Enrolment]:
    """``n`` learners registered through the service on one course."""
    course = factories.MicrocredentialFactory()
    offering = factories.OfferingFactory(microcredential=course)
    return [
        factories.enrol(factories.UserFactory(), offering, now=REGISTERED)
        for _ in range(n)
    ]


def learners_with_a_reminder_due(n: int, *, label: str) -> list[Enrolment]:
    """``n`` learners, in bulk, whose summative assessment is due in five days
    (from the real clock: the worker scans at its own ``now``): exactly one
    notice due each, the seven-day due-date reminder."""
    now = timezone.now()
    course = factories.MicrocredentialFactory()
    offering = factories.OfferingFactory(microcredential=course)
    learners = User.objects.bulk_create(
        User(email=f"{label}{i}@example.org", legal_name=f"Learner {i}")
        for i in range(n)
    )
    return Enrolment.objects.bulk_create(
        Enrolment(
            learner=learner,
            offering=offering,
            microcredential=course,
            registered_at=now - dt.timedelta(days=20),
            summative_due_at=now + dt.timedelta(days=5),
            ends_at=now + dt.timedelta(days=20),
            last_activity_at=now - dt.timedelta(days=1),
        )
        for learner in learners
    )


def race(call: Callable[[], Any], times: int = 2) -> list[Any]:
    """Run ``call`` in ``times`` threads (each its own database connection),
    released at once; each result or exception."""
    barrier = threading.Barrier(times)
    outcomes: list[Any] = []
    lock = threading.Lock()

    def run() -> None:
        try:
            barrier.wait(timeout=10)
            result: Any = call()
        except Exception as error:  # noqa: BLE001 - reported to the test
            result = error
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=run) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(outcomes) == times
    for outcome in outcomes:
        if isinstance(outcome, Exception):
            raise outcome
    return outcomes


def deliver_in_small_batches(now: dt.datetime) -> int:
    """Deliver three at a time until nothing is left; how many were sent."""
    sent = 0
    while batch := services.notices_deliver(now=now, limit=3):
        if not batch.handled:
            return sent
        sent += batch.sent
    return sent


def notices_per_recipient() -> Counter[str]:
    return Counter(Notice.objects.values_list("recipient__email", flat=True))


# --- the worker -----------------------------------------------------------------


def database_url() -> str:
    """The database this test runs in (pytest-django's test database)."""
    db = connection.settings_dict
    credentials = quote(db["USER"] or "")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"])
    host = db["HOST"] or "127.0.0.1"
    port = db["PORT"] or 5432
    return f"postgres://{credentials}@{host}:{port}/{db['NAME']}"


@dataclass
class Worker:
    process: subprocess.Popen
    queue: str
    mail_dir: Path
    log: Path

    def send(self, task: str) -> None:
        """Queue a task on Redis, as beat does (never eager)."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", AlwaysEagerIgnored)
            celery_app.send_task(task, queue=self.queue)

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def succeeded(self, task: str) -> int:
        return len(
            re.findall(rf"Task {re.escape(task)}\[[^]]+\] succeeded", self.log_text())
        )

    def wait_until(self, done: Callable[[], bool], what: str) -> None:
        deadline = time.monotonic() + WAIT_SECONDS
        while not done():
            text = self.log_text()
            if self.process.poll() is not None or " raised unexpected" in text:
                pytest.fail(f"The worker failed while {what}:\n{text[-6000:]}")
            if time.monotonic() > deadline:
                pytest.fail(f"Timed out waiting for {what}:\n{text[-6000:]}")
            time.sleep(0.05)

    def wait_for_tasks(self, **counts: int) -> None:
        """Wait until ``scan=2, deliver=2`` (say) tasks have succeeded."""
        wanted = {f"notices.tasks.{name}": n for name, n in counts.items()}
        self.wait_until(
            lambda: all(self.succeeded(t) >= n for t, n in wanted.items()),
            f"tasks {wanted}",
        )

    def messages(self) -> list:
        parser = BytesParser(policy=policy.default)
        return [parser.parsebytes(p.read_bytes()) for p in self.mail_dir.glob("*.eml")]

    def recipients(self) -> Counter[str]:
        return Counter(str(message["To"]) for message in self.messages())

    def blocked(self) -> bool:
        return any(self.mail_dir.glob("*.blocked"))

    def kill(self) -> None:
        """SIGKILL the worker and its pool processes: no clean-up of any kind."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)


@dataclass
class Workers:
    tmp_path: Path
    started: list[Worker] = field(default_factory=list)

    def start(
        self, *, concurrency: int = 2, mail_delay: float = 0.0, block_at: int = 0
    ) -> Worker:
        queue = f"notices-test-{uuid.uuid4().hex}"
        mail_dir = self.tmp_path / f"mail-{len(self.started)}"
        log = self.tmp_path / f"worker-{len(self.started)}.log"
        env = os.environ | {
            "DJANGO_SETTINGS_MODULE": "tests.notices.worker_settings",
            "NOTICES_WORKER_BASE_SETTINGS": os.environ.get(
                "DJANGO_SETTINGS_MODULE", "microcred.settings.test"
            ),
            "DATABASE_URL": database_url(),
            "REDIS_URL": settings.CELERY_BROKER_URL,
            "NOTICES_WORKER_QUEUE": queue,
            "NOTICES_WORKER_MAIL_DIR": str(mail_dir),
            "NOTICES_WORKER_MAIL_DELAY": str(mail_delay),
            "NOTICES_WORKER_BLOCK_AT": str(block_at),
        }
        command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "microcred",
            "worker",
            "--queues",
            queue,
            "--hostname",
            f"{queue}@%h",
            "--concurrency",
            str(concurrency),
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
        worker = Worker(process=process, queue=queue, mail_dir=mail_dir, log=log)
        self.started.append(worker)
        return worker

    def stop_all(self) -> None:
        for worker in self.started:
            worker.kill()
            forget_queue(worker.queue)
        # A dead worker's connections go with it; end any the server still
        # holds, so the end-of-test flush takes its locks at once.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )


def forget_queue(queue: str) -> None:
    """Remove the test's queue from Redis: its messages, the messages a killed
    worker had taken but not acknowledged, and its binding."""
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    for key in client.scan_iter(match=f"{queue}*"):
        client.delete(key)
    for tag, payload in client.hscan_iter("unacked"):
        if json.loads(payload)[-1] == queue:
            client.hdel("unacked", tag)
            client.zrem("unacked_index", tag)
    for key in client.scan_iter(match="_kombu.binding*"):
        if queue.encode() in key:
            client.delete(key)
        elif client.type(key) == b"set":
            for member in client.smembers(key):
                if queue.encode() in member:
                    client.srem(key, member)


@pytest.fixture
def workers(tmp_path) -> Iterator[Workers]:
    started = Workers(tmp_path)
    try:
        yield started
    finally:
        started.stop_all()


# --- in one process, two connections ---------------------------------------------


def test_a_scan_run_twice_at_the_same_moment_records_each_notice_once():
    enrolments = registered_learners(5)
    now = enrolments[0].summative_due_at - dt.timedelta(days=5)

    first = services.notices_scan(now=now)
    again = services.notices_scan(now=now)

    assert first.created == first.found > 0
    assert (again.found, again.created) == (0, 0)
    assert Notice.objects.count() == first.created


def test_two_scans_at_once_on_two_connections_record_each_notice_once():
    enrolments = registered_learners(30)
    now = enrolments[0].summative_due_at - dt.timedelta(days=5)

    first, second = race(lambda: services.notices_scan(now=now))

    assert first.found == second.found > 30
    assert first.created + second.created == first.found
    assert Notice.objects.count() == first.found
    assert set(Notice.objects.values_list("status", flat=True)) == {"pending"}


def test_two_deliveries_at_once_e_mail_each_notice_once():
    enrolments = registered_learners(30)
    now = enrolments[0].summative_due_at - dt.timedelta(days=5)
    race(lambda: services.notices_scan(now=now))
    mail.outbox = []

    sent = race(lambda: deliver_in_small_batches(now))

    assert sum(sent) == Notice.objects.count() == len(mail.outbox)
    assert Counter(m.to[0] for m in mail.outbox) == notices_per_recipient()
    assert set(Notice.objects.values_list("status", flat=True)) == {"sent"}


# --- a real worker on Redis -----------------------------------------------------------


def test_two_scans_at_once_on_a_worker_then_one_more_e_mail_each_notice_once(
    workers,
):
    learners_with_a_reminder_due(250, label="beat")
    worker = workers.start(concurrency=2, mail_delay=0.005)

    worker.send("notices.tasks.scan")
    worker.send("notices.tasks.scan")
    worker.wait_for_tasks(scan=2, deliver=2)

    assert Notice.objects.filter(status="sent").count() == 250
    assert worker.recipients() == notices_per_recipient()
    assert set(worker.recipients().values()) == {1}

    worker.send("notices.tasks.scan")
    worker.wait_for_tasks(scan=3, deliver=3)

    assert Notice.objects.count() == 250
    assert len(worker.messages()) == 250


def test_a_worker_killed_mid_scan_loses_no_notice_and_the_next_scan_records_each_once(
    workers,
):
    """The scan inserts in batches of ``INSERT_BATCH``, each committed: the
    worker is killed while its second batch waits on a row that another scan
    (this test's open transaction) is inserting. The first batch stays; the
    second is lost; the next scan records exactly the rest."""
    n = services.INSERT_BATCH + 100
    enrolments = learners_with_a_reminder_due(n, label="midscan")
    worker = workers.start(concurrency=1)

    with transaction.atomic():
        # Another scan, still uncommitted, records the last learner's reminder.
        services.notices_scan(enrolment_ids=[enrolments[-1].pk])
        worker.send("notices.tasks.scan")
        worker.wait_until(waiting_insert, "the worker's second insert to wait")
        worker.kill()
        # The server drops the dead worker's connection: its open insert is lost.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        transaction.set_rollback(True)

    assert Notice.objects.count() == services.INSERT_BATCH
    assert worker.messages() == []

    again = services.notices_scan()

    assert again.created == 100
    assert Notice.objects.count() == n
    assert Notice.objects.values("enrolment").distinct().count() == n


def waiting_insert() -> bool:
    """Whether an insert into the sent-log waits on another transaction's row
    (the activity view is read afresh: inside a transaction PostgreSQL keeps
    the first snapshot of it)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND wait_event_type = 'Lock'"
            " AND query LIKE %s",
            ['INSERT INTO "notices_notice"%'],
        )
        return cursor.fetchone()[0] > 0


def test_a_worker_killed_mid_delivery_leaves_the_rest_to_the_next_after_stale_claims(
    workers,
):
    learners_with_a_reminder_due(30, label="middelivery")
    # The worker's 11th e-mail never leaves: it is killed waiting to write it.
    worker = workers.start(concurrency=1, block_at=11)

    worker.send("notices.tasks.scan")
    worker.wait_until(worker.blocked, "the worker to stop at its 11th e-mail")
    worker.kill()

    assert len(worker.messages()) == 10
    assert Notice.objects.filter(status="sent").count() == 10
    assert Notice.objects.filter(status="sending").count() == 20

    mail.outbox = []
    now = timezone.now()
    before_the_window = services.notices_deliver_all(now=now)
    assert before_the_window.sent == 0, "a claim younger than STALE_CLAIM is left"

    after = services.notices_deliver_all(
        now=now + services.STALE_CLAIM + dt.timedelta(minutes=1)
    )

    assert after.sent == 20 == len(mail.outbox)
    by_worker = worker.recipients()
    redelivered = Counter(m.to[0] for m in mail.outbox)
    assert not set(by_worker) & set(redelivered)
    assert by_worker + redelivered == notices_per_recipient()
    assert set(Notice.objects.values_list("status", flat=True)) == {"sent"}
    retaken = Notice.objects.filter(last_error=services.STALE_ERROR)
    assert retaken.count() == 20
    assert set(retaken.values_list("tries", flat=True)) == {2}


# --- claims ---------------------------------------------------------------------


def test_a_delivery_slowed_past_its_claim_hold_gives_the_rest_back_unsent():
    enrolments = registered_learners(3)
    now = enrolments[0].summative_due_at - dt.timedelta(days=5)
    recorded = services.notices_scan(now=now).created
    mail.outbox = []
    # A mail server so slow that the claim is spent before the first send.
    result = services.notices_deliver(now=now, claim_hold=dt.timedelta(0))

    assert result.handled == 0
    assert mail.outbox == []
    assert Notice.objects.filter(status="pending").count() == recorded


def test_a_notice_whose_every_worker_died_fails_after_the_last_try():
    enrolments = registered_learners(1)
    now = enrolments[0].summative_due_at - dt.timedelta(days=5)
    recorded = services.notices_scan(now=now).created
    # As five workers left it: each claimed it and died before sending.
    Notice.objects.update(
        status="sending",
        claimed_at=now - services.STALE_CLAIM,
        tries=services.MAX_TRIES - 1,
    )
    mail.outbox = []

    services.notices_deliver_all(now=now + dt.timedelta(seconds=1))

    assert mail.outbox == []
    failed = Notice.objects.filter(status="failed", last_error=services.STALE_ERROR)
    assert failed.count() == recorded
    assert set(failed.values_list("tries", flat=True)) == {services.MAX_TRIES}
