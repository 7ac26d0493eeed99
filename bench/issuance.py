"""Credentials signed and stored per second, through the real issuance service.

Each run issues ``count`` credentials (1,000 by default) with
``credentials.services.credential_issue`` -- the call completion makes: build
the Open Badges 3.0 document, sign it with ``eddsa-rdfc-2022`` (RDFC-1.0
canonicalisation, Ed25519), take the next status-list entry under a row lock,
insert the credential and its audit entry, commit -- for ``count`` bench
learners on one achievement (the bench course ``seed.ISSUANCE_COURSE_CODE``),
one after the other in this one process, on the bench PostgreSQL. Each call is
its own transaction, as each completion is.

The PDF is not in the figure. ``credential_issue`` queues the certificate task
on commit (``transaction.on_commit``); the bench runs with ``REDIS_URL`` set,
as production does, so Celery is not eager and that task is *published* to the
broker (the bench's own Redis database) and left there: no worker consumes the
bench's Redis database, so no PDF is rendered during the measurement, and the
queued messages are purged after each run (the count purged is checked against
the count issued, so a stray worker would be noticed). Publishing the task is
part of issuing in production too, so it stays in the figure; rendering is
measured on its own (``bench.pdf``). We neither patch the task nor drop the
on-commit callbacks: the code measured is exactly the code that runs.

Between runs the measurement's credentials (and their audit entries) are
deleted, so each run issues to the same learners from scratch. Their status
entries stay used (indexes are never reused, as in production); a status list
holds 131,072 entries, so a new list (one more signature) is only needed after
about forty bench invocations.
"""

from __future__ import annotations

import os
import statistics
import time
from dataclasses import dataclass
from decimal import Decimal

WARM_UP = 5  # credentials issued before the runs (first use: contexts, key)


@dataclass(frozen=True)
class IssuanceRun:
    count: int
    seconds: float
    cpu_seconds: float

    @property
    def rate(self) -> float:
        return self.count / self.seconds

    @property
    def ms_each(self) -> float:
        return self.seconds / self.count * 1000

    @property
    def cpu_ms_each(self) -> float:
        return self.cpu_seconds / self.count * 1000


@dataclass(frozen=True)
class IssuanceSummary:
    count: int
    runs: list[IssuanceRun]
    queries_each: float
    batch: int = 0

    @property
    def rate(self) -> float:
        return statistics.median(r.rate for r in self.runs)

    @property
    def ms_each(self) -> float:
        return statistics.median(r.ms_each for r in self.runs)

    @property
    def cpu_ms_each(self) -> float:
        return statistics.median(r.cpu_ms_each for r in self.runs)


def pdf_queue_purge() -> int:
    """Drop the certificate tasks waiting on the broker's PDF queue; how many."""
    from django.conf import settings

    from microcred.celery import app

    queue = settings.CELERY_TASK_ROUTES["credentials.tasks.certificate_render"]["queue"]
    with app.connection_for_write() as conn:
        return conn.default_channel.queue_purge(queue) or 0


def _require_broker() -> None:
    from django.conf import settings

    if settings.CELERY_TASK_ALWAYS_EAGER:
        raise SystemExit(
            "The issuance figure needs a Redis broker (BENCH_REDIS_URL): with "
            "eager Celery every credential's PDF would render inside the "
            "measurement."
        )


def _signing_key_ready() -> None:
    """An active signing key whose private half is in this bench's key store.

    The key files live in var/bench/keys, re-created with the bench database;
    if they were removed since, rotate (the old key stays published, so the
    seeded credentials still verify).
    """
    from credentials import services
    from credentials.keystore import KeyStore

    key = services.signing_key_ensure()
    if not KeyStore().exists(key.key_id):
        key = services.signing_key_rotate()
        print(f"  signing key {key.key_id} made (the active key's file was missing)")


def _clear(achievement) -> int:
    """Delete the measurement's credentials and their audit entries."""
    from credentials.models import Credential
    from microcred.models import AuditEntry

    ids = [
        str(pk)
        for pk in Credential.objects.filter(achievement=achievement).values_list(
            "pk", flat=True
        )
    ]
    if not ids:
        return 0
    AuditEntry.objects.filter(
        object_type=Credential._meta.label_lower, object_id__in=ids
    ).delete()
    Credential.objects.filter(achievement=achievement).delete()
    return len(ids)


def _issue(achievement, learners, result, *, batch: int = 0, actor=None) -> None:
    from credentials.services import credential_issue

    if batch:
        _issue_batched(achievement, learners, batch=batch, actor=actor)
        return
    for learner in learners:
        credential_issue(learner=learner, achievement=achievement, result=result)


BATCH_REGISTRAR_EMAIL = "bench-registrar@bench.invalid"


def _batch_registrar():
    """The registrar the batched runs issue as (``--batch``), made on first use."""
    from microcred.models import User
    from microcred.roles import Role, ensure_role_groups

    ensure_role_groups()
    user, _created = User.objects.get_or_create(
        email=BATCH_REGISTRAR_EMAIL,
        defaults={"legal_name": "Bench Registrar", "is_staff": True},
    )
    user.groups.add(user.groups.model.objects.get(name=Role.REGISTRAR.value))
    return user


def _issue_batched(achievement, learners, *, batch: int, actor) -> None:
    """``credentials.batch.credentials_issue_batch`` in chunks of ``batch``,
    as a bulk job calls it (one call per chunk, outside a transaction; no PDF
    task is queued by it)."""
    from django.utils import timezone

    from credentials.batch import IssueRequest, credentials_issue_batch

    awarded = timezone.now()
    for start in range(0, len(learners), batch):
        credentials_issue_batch(
            [
                IssueRequest(
                    learner_id=learner.pk,
                    achievement_id=achievement.pk,
                    awarded_at=awarded,
                    route="recognised",
                    recipient_name=learner.legal_name or learner.email,
                )
                for learner in learners[start : start + batch]
            ],
            actor=actor,
        )


def measure(runs: int = 3, count: int = 1000, batch: int = 0) -> IssuanceSummary:
    """Issue ``count`` credentials ``runs`` times; print each run and the
    medians; return them. With ``batch``, through the batched service
    (``credentials.batch``) in chunks of that many, as bulk jobs issue."""
    from django.db import connection

    from courses.models import Microcredential
    from credentials import services
    from credentials.services import AssessedResult

    from . import seed

    _require_broker()
    course = Microcredential.objects.get(code=seed.ISSUANCE_COURSE_CODE)
    achievement = services.achievement_for_course(course)
    learners = list(seed.learner_queryset().order_by("email")[: count + WARM_UP])
    if len(learners) < count + WARM_UP:
        raise SystemExit(f"The bench seed has fewer than {count + WARM_UP} learners.")
    warm_up_learners, learners = learners[:WARM_UP], learners[WARM_UP:]
    outcome_codes = tuple(course.outcomes.values_list("code", flat=True))
    result = AssessedResult(Decimal("87.50"), outcome_codes)
    _signing_key_ready()
    services.issuer_profile()
    _clear(achievement)
    pdf_queue_purge()
    actor = _batch_registrar() if batch else None
    how = (
        f"credentials_issue_batch in batches of {batch} (eddsa-rdfc-2022 "
        "signatures, status entries, bulk inserts, audit entries, commit; no PDF "
        "task queued)"
        if batch
        else "credential_issue (eddsa-rdfc-2022 signature, status-list entry, "
        "insert, audit entry, commit; PDF task queued, not rendered)"
    )

    queries = 0

    def count_queries(execute, sql, params, many, context):
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    started = time.perf_counter()
    with connection.execute_wrapper(count_queries):
        _issue(achievement, warm_up_learners, result, batch=batch, actor=actor)
    warm_up = time.perf_counter() - started
    queries_each = queries / WARM_UP
    print(
        f"Issuance: {how} for {count:,} "
        f"learners on achievement {achievement.pk} ({course.code}), one process, "
        f"{runs} runs; warm-up {WARM_UP} credentials in {warm_up:.1f} s, "
        f"{queries_each:.0f} SQL queries per credential; load average "
        f"{os.getloadavg()[0]:.1f} before the runs"
    )
    _clear(achievement)
    pdf_queue_purge()

    results = []
    queries_per_run: list[float] = []
    for run in range(1, runs + 1):
        queries = 0
        wall, cpu = time.perf_counter(), time.process_time()
        with connection.execute_wrapper(count_queries):
            _issue(achievement, learners, result, batch=batch, actor=actor)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        results.append(IssuanceRun(count=count, seconds=wall, cpu_seconds=cpu))
        queries_per_run.append(queries / count)
        queued = pdf_queue_purge()
        deleted = _clear(achievement)
        print(
            f"  run {run}: {results[-1].rate:6.1f} credentials/s  "
            f"{results[-1].ms_each:5.2f} ms wall  {results[-1].cpu_ms_each:5.2f} ms "
            f"CPU (this process) per credential; {queries / count:.2f} queries per "
            f"credential; {queued} PDF tasks purged unrendered, "
            f"{deleted} credentials deleted"
        )
        if queued != (0 if batch else count):
            print(
                f"  ! {count - queued} PDF tasks were taken off the bench queue by "
                "something else (a worker on the bench Redis database?)"
            )
    summary = IssuanceSummary(
        count=count,
        runs=results,
        queries_each=statistics.median(queries_per_run) if batch else queries_each,
        batch=batch,
    )
    print(
        f"Median: {summary.rate:.1f} credentials signed and stored per second "
        f"({summary.ms_each:.2f} ms wall, {summary.cpu_ms_each:.2f} ms CPU in this "
        f"process per credential; PostgreSQL's CPU is not in the CPU figure); load "
        f"average {os.getloadavg()[0]:.1f} after the runs"
    )
    return summary
