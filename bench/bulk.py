"""A registrar's bulk job end to end, on a real Celery worker.

Each run starts a worker as production runs one (``celery worker
--concurrency 2 --pool prefork -Q celery,pdf``, production settings, the
bench database, the bench's Redis database), as a subprocess of this one, with
``bench.worker`` as its app: microcred's app plus counters that change nothing
a task does (SQL statements per task, each task's times and CPU, each
process's peak memory; see that module). Then, as a registrar does:

1. a CSV of ``rows`` rows (10,000 by default; new recipients, varied names,
   dates, expiries, evidence and routes) is uploaded with
   ``bulk.services.job_create_from_file`` (no notice to the recipients); the
   worker's dry run checks it (seconds until the job is ``validated``);
2. ``bulk.services.job_start`` queues one ``run_chunk`` task per chunk of
   ``BULK_RUN_CHUNK`` rows; the worker's two processes issue them side by
   side (accounts made for the recipients, credentials signed and stored);
   the last chunk finishes the job (``finished_at``) and queues one
   ``render_pdfs`` task per chunk on the ``pdf`` queue; the last of those sets
   ``pdfs_finished_at`` and queues ``build_archive``, the ZIP of every
   certificate.

The job row is polled every 0.1 s. Figures per run: issuance seconds
(``finished_at - started_at``) and credentials/s; PDF seconds after issuance
(``pdfs_finished_at - finished_at``) and from the start, PDFs/s; the ZIP's
seconds (its task's run time) and size; the worker's SQL statements per
credential (its ``run_chunk`` tasks) and per PDF (``render_pdfs``); the
worker's peak memory (``VmHWM``: the largest process's and all of them added
up, shared pages counted in each); and a timeline read from the task records
(waits, chunk times, CPU share, idle processes), for finding bottlenecks.

The worker is stopped after each run (SIGTERM, then SIGKILL of its process
group) and its log is scanned for errors. Then the run's data is deleted: its
credentials (with their audit entries and PDF files), the recipients' accounts
(with their notices), the job (rows, chunks, audit entries, stored files). A
run's recipients are ``r<run>-<invocation>-<n>@bulk.bench.microcred.test``;
anything of this part left by an interrupted invocation (that domain, jobs of
``bulk-bench-`` files) is deleted first. Status-list entries stay used, as in
production (a list holds 131,072). The bench course ``bulk-bench-1`` (retired,
so no catalog shows it, published long ago) and the bench registrar are kept.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
LOG_DIR = BASE_DIR / "var" / "bench"
ROWS = 10_000
CONCURRENCY = 2
EMAIL_DOMAIN = "bulk.bench.microcred.test"
COURSE_CODE = "bulk-bench-1"
FILE_PREFIX = "bulk-bench-"
POLL_SECONDS = 0.1
READY_SECONDS = 90
QUEUES = ("celery", "pdf")
# Redis keys of the bench worker's records (bench/worker.py writes them).
TASKS = "bench:bulk:tasks"
CHILDREN = "bench:bulk:children"
READY = "bench:bulk:ready"

FIRST_NAMES = [
    "Amélie",
    "José",
    "Zoë",
    "Nguyễn Thị",
    "Oluwaseun",
    "Søren",
    "Chloé",
    "Łukasz",
    "Siobhán",
    "François-Xavier",
    "Ana María",
    "Björn",
    "Mariam",
    "Kai",
]
LAST_NAMES = [
    "Tremblay-Beauchêne",
    "Ó Briain",
    "García Márquez",
    "Adébáyọ̀",
    "Kierkegaard",
    "Lévesque",
    "Featherstonehaugh-Montgomery",
    "Nakamura",
    "Côté",
    "Østergård",
    "Smith",
    "Wójcik",
    "Nguyen",
]
ROUTES = ["", "recognised", "course", "plar"]
OUTCOMES = [
    "Explain how data is collected, stored and shared in a workplace",
    "Clean and summarise a spreadsheet of operational data",
    "Choose a chart that answers a manager's question honestly",
    "Recognise personal information and handle it under the privacy policy",
]


# --- figures ------------------------------------------------------------------


@dataclass(frozen=True)
class TaskRecord:
    """One task as the bench worker recorded it (``bench.worker``)."""

    task: str
    number: int | None
    pid: int
    start: float
    end: float
    cpu: float
    queries: int
    hwm_kb: int
    state: str | None

    @property
    def seconds(self) -> float:
        return self.end - self.start


@dataclass(frozen=True)
class BulkRun:
    rows: int
    chunks: int
    dry_run_seconds: float
    issued: int
    issue_seconds: float
    pdfs: int
    pdf_seconds: float  # after issuance
    pdf_seconds_from_start: float
    zip_seconds: float
    zip_bytes: int
    queries_per_credential: float
    queries_per_pdf: float
    cpu_ms_per_credential: float
    cpu_ms_per_pdf: float
    peak_process_kb: int
    peak_total_kb: int
    parent_kb: int

    @property
    def credentials_per_second(self) -> float:
        return self.issued / self.issue_seconds if self.issue_seconds else 0.0

    @property
    def pdfs_per_second(self) -> float:
        return self.pdfs / self.pdf_seconds if self.pdf_seconds else 0.0


@dataclass(frozen=True)
class BulkSummary:
    rows: int
    runs: list[BulkRun]

    def _median(self, name: str) -> float:
        return statistics.median(getattr(run, name) for run in self.runs)

    @property
    def dry_run_seconds(self) -> float:
        return self._median("dry_run_seconds")

    @property
    def issue_seconds(self) -> float:
        return self._median("issue_seconds")

    @property
    def credentials_per_second(self) -> float:
        return self._median("credentials_per_second")

    @property
    def pdf_seconds(self) -> float:
        return self._median("pdf_seconds")

    @property
    def pdf_seconds_from_start(self) -> float:
        return self._median("pdf_seconds_from_start")

    @property
    def pdfs_per_second(self) -> float:
        return self._median("pdfs_per_second")

    @property
    def zip_seconds(self) -> float:
        return self._median("zip_seconds")

    @property
    def zip_bytes(self) -> float:
        return self._median("zip_bytes")

    @property
    def queries_per_credential(self) -> float:
        return self._median("queries_per_credential")

    @property
    def queries_per_pdf(self) -> float:
        return self._median("queries_per_pdf")

    @property
    def cpu_ms_per_credential(self) -> float:
        return self._median("cpu_ms_per_credential")

    @property
    def cpu_ms_per_pdf(self) -> float:
        return self._median("cpu_ms_per_pdf")

    @property
    def peak_process_mb(self) -> float:
        return self._median("peak_process_kb") / 1024

    @property
    def peak_total_mb(self) -> float:
        return self._median("peak_total_kb") / 1024

    @property
    def parent_mb(self) -> float:
        return self._median("parent_kb") / 1024

    @property
    def chunks(self) -> int:
        return self.runs[0].chunks

    @property
    def concurrency(self) -> int:
        return CONCURRENCY


# --- the data: a course, a registrar, a file ----------------------------------


def _course():
    """The bench course (made once, kept): retired, so no catalog lists it;
    published long before any issue date of the file."""
    from courses.models import CourseStatus, LearningOutcome, Microcredential

    course, created = Microcredential.objects.get_or_create(
        code=COURSE_CODE,
        defaults={
            "slug": COURSE_CODE,
            "title": "Workplace Data Literacy (bulk bench)",
            "summary": "Recipients of the bulk issuance bench.",
            "time_commitment_hours": 24,
            "completion_window_days": 56,
            "credential_name": "Workplace Data Literacy — digital badge",
            "status": CourseStatus.RETIRED,
            "published_at": dt.datetime.now(dt.UTC) - dt.timedelta(days=800),
        },
    )
    if created:
        LearningOutcome.objects.bulk_create(
            LearningOutcome(
                microcredential=course, position=n, code=f"LO{n}", text=text
            )
            for n, text in enumerate(OUTCOMES, start=1)
        )
    return course


def recipient_prefix(run: int, token: str) -> str:
    return f"r{run}-{token}-"


def bulk_csv(*, rows: int, prefix: str, today: dt.date) -> bytes:
    """``rows`` rows for new recipients of the bench course: names with
    accents, issue dates over the last 90 days, an expiry on one row in
    five, evidence (a narrative or an address) on one row in three, every
    route. Deterministic for a given prefix."""
    lines = ["email,legal_name,achievement,issue_date,expiry,evidence,route"]
    for n in range(rows):
        issued = today - dt.timedelta(days=n % 90)
        expiry = (issued + dt.timedelta(days=730)).isoformat() if n % 5 == 0 else ""
        evidence = ""
        if n % 3 == 1:
            evidence = f"https://portfolio.example.org/{prefix}{n:05d}/data-literacy"
        elif n % 3 == 2:
            evidence = (
                '"Assessed on a workplace project, ""cleaning the quarterly '
                'report"", by the program coordinator."'
            )
        name = f"{FIRST_NAMES[n % len(FIRST_NAMES)]} {LAST_NAMES[n % len(LAST_NAMES)]}"
        lines.append(
            f"{prefix}{n:05d}@{EMAIL_DOMAIN},{name},{COURSE_CODE},"
            f"{issued.isoformat()},{expiry},{evidence},{ROUTES[n % len(ROUTES)]}"
        )
    return ("\n".join(lines) + "\n").encode("utf-8")


# --- the broker and the worker ------------------------------------------------


def peak_memory_kb(pid: int | str = "self") -> int:
    """``VmHWM`` (peak resident set) of a process, in kB; 0 if it is gone."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        return 0
    return 0


def _redis():
    import redis

    return redis.Redis.from_url(os.environ["REDIS_URL"])


def queues_purge() -> int:
    """Drop whatever waits on the bench's queues; how many messages."""
    from microcred.celery import app

    with app.connection_for_write() as conn:
        return sum(conn.default_channel.queue_purge(q) or 0 for q in QUEUES)


@dataclass
class Worker:
    process: subprocess.Popen
    log: Path
    started: float

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None

    def children(self) -> list[int]:
        """The worker's pool processes (children of its main process)."""
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            with contextlib.suppress(OSError, ValueError, IndexError):
                stat = (entry / "stat").read_text()
                # pid (comm) state ppid ...: comm may hold spaces.
                if int(stat.rsplit(")", 1)[1].split()[1]) == self.pid:
                    found.append(int(entry.name))
        return found

    def stop(self) -> None:
        if self.alive():
            self.process.send_signal(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=30)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.pid, signal.SIGKILL)  # its own group: the pool too
        self.process.wait()

    def errors(self) -> list[str]:
        """The log's lines from the first error or traceback on (at most 80)."""
        lines = self.log.read_text(errors="replace").splitlines()
        for n, line in enumerate(lines):
            if any(word in line for word in ("ERROR", "CRITICAL", "Traceback")):
                return lines[n : n + 80]
        return []


def worker_start(run: int) -> Worker:
    """Start the bench worker; return once its main process consumes and both
    pool processes have started (their PDF renderer built)."""
    client = _redis()
    client.delete(TASKS, CHILDREN, READY)
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    log = LOG_DIR / f"bulk-worker-{run}.log"
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "bench.worker",
        "worker",
        "--concurrency",
        str(CONCURRENCY),
        "--pool",
        "prefork",
        "-Q",
        ",".join(QUEUES),
        "--hostname",
        f"bench-bulk-{run}-{os.getpid()}@%h",
        "--without-gossip",
        "--without-mingle",
        "--loglevel",
        "WARNING",
    ]
    started = time.perf_counter()
    with log.open("wb") as output:
        process = subprocess.Popen(  # noqa: S603 - our own fixed command
            command,
            cwd=BASE_DIR,
            env=dict(os.environ),
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, stopped whole
        )
    worker = Worker(process=process, log=log, started=started)
    deadline = time.monotonic() + READY_SECONDS
    while not (client.get(READY) and client.llen(CHILDREN) >= CONCURRENCY):
        if not worker.alive():
            raise SystemExit(
                f"The bench worker exited with {process.returncode}; see {log}"
            )
        if time.monotonic() > deadline:
            worker.stop()
            raise SystemExit(f"The bench worker was not ready in time; see {log}")
        time.sleep(0.1)
    return worker


def task_records() -> list[TaskRecord]:
    raw = _redis().lrange(TASKS, 0, -1)
    return [TaskRecord(**json.loads(item)) for item in raw]


# --- one run ------------------------------------------------------------------


class JobFailed(Exception):
    pass


def cpu_busy() -> tuple[float, float]:
    """The machine's (busy, total) CPU jiffies so far, from /proc/stat."""
    with open("/proc/stat", encoding="ascii") as stat:
        fields = [int(v) for v in stat.readline().split()[1:]]
    idle = fields[3] + fields[4]  # idle, iowait
    return sum(fields) - idle, sum(fields)


def busy_share(before: tuple[float, float], after: tuple[float, float]) -> float:
    total = after[1] - before[1]
    return (after[0] - before[0]) / total if total else 0.0


def wait_for(job_id: int, field: str, worker: Worker, *, seconds: float, progress=None):
    """Poll the job row until ``field`` is set; its value. A failed job, a
    dead worker or the time running out stops the bench. ``progress`` (a
    callable giving a few words) is printed every minute."""
    from bulk.models import BulkJob

    began = time.monotonic()
    deadline = began + seconds
    report = began + 60
    while True:
        value, status = BulkJob.objects.filter(pk=job_id).values_list(field, "status")[
            0
        ]
        if value:
            return value
        if status in (
            BulkJob.Status.FAILED,
            BulkJob.Status.REFUSED,
            BulkJob.Status.CANCELLED,
        ):
            raise JobFailed(f"the job is {status} (waiting for {field})")
        if not worker.alive():
            raise JobFailed(f"the worker exited (waiting for {field})")
        if time.monotonic() > deadline:
            raise JobFailed(f"{field} was not set within {seconds:.0f} s")
        if progress is not None and time.monotonic() > report:
            report += 60
            print(f"    ... {time.monotonic() - began:.0f} s: {progress()}")
        time.sleep(POLL_SECONDS)


def run_once(*, run: int, rows: int, token: str, registrar) -> BulkRun:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from bulk import services
    from bulk.models import BulkJob
    from courses.services import institution_tz

    prefix = recipient_prefix(run, token)
    purged = queues_purge()
    if purged:
        print(f"  ({purged} stale messages purged from the bench queues)")
    worker = worker_start(run)
    ready = time.perf_counter() - worker.started
    job_id = None
    try:
        today = timezone.now().astimezone(institution_tz()).date()
        data = bulk_csv(rows=rows, prefix=prefix, today=today)
        created = time.perf_counter()
        job = services.job_create_from_file(
            actor=registrar,
            upload=SimpleUploadedFile(
                f"{FILE_PREFIX}{prefix}{rows}.csv", data, content_type="text/csv"
            ),
            notify_recipients=False,
        )
        job_id = job.pk
        wait_for(job_id, "validated_at", worker, seconds=max(120, rows / 50))
        job.refresh_from_db()
        dry_run = time.perf_counter() - created
        if job.status != BulkJob.Status.VALIDATED or job.will_issue != rows:
            raise JobFailed(
                f"the dry run says {job.status}: {job.will_issue} to issue, "
                f"{job.will_skip} to skip, {job.errors} errors (of {rows} rows)"
            )
        cpu_start = cpu_busy()
        services.job_start(actor=registrar, job_id=job_id)
        wait_for(
            job_id,
            "finished_at",
            worker,
            seconds=max(300, rows / 10),
            progress=lambda: f"{_issued(job_id):,} credentials issued",
        )
        cpu_issued = cpu_busy()
        wait_for(
            job_id,
            "pdfs_finished_at",
            worker,
            seconds=max(600, rows / 2),
            progress=lambda: f"{services.pdfs_rendered(job):,} PDFs rendered",
        )
        cpu_pdfs = cpu_busy()
        wait_for(job_id, "archive_built_at", worker, seconds=max(300, rows / 20))
        # The archive's task records itself just after its last write.
        deadline = time.monotonic() + 10
        while not any(r.task == "build_archive" for r in task_records()):
            if time.monotonic() > deadline:
                break
            time.sleep(POLL_SECONDS)
        children = {pid: peak_memory_kb(pid) for pid in worker.children()}
        parent_kb = peak_memory_kb(worker.pid)
    except JobFailed as failure:
        worker.stop()
        _report_errors(worker)
        if job_id is not None:
            clean(prefix=prefix, job_ids=[job_id])
        raise SystemExit(
            f"Bulk run {run} stopped: {failure}; see {worker.log}"
        ) from failure
    finally:
        worker.stop()
    _report_errors(worker)
    records = task_records()
    _redis().delete(TASKS, CHILDREN, READY)
    job = BulkJob.objects.get(pk=job_id)
    pdfs = services.pdfs_rendered(job)
    started, finished = job.started_at, job.finished_at
    issue_seconds = (finished - started).total_seconds()
    pdf_seconds = (job.pdfs_finished_at - finished).total_seconds()
    by_task: dict[str, list[TaskRecord]] = {}
    for record in records:
        by_task.setdefault(record.task, []).append(record)
    archive = by_task.get("build_archive", [])
    # Peaks: the pool processes alive at the end, and any that a task
    # recorded (a replaced process's peak is only in its records).
    for record in records:
        children[record.pid] = max(children.get(record.pid, 0), record.hwm_kb)
    result = BulkRun(
        rows=rows,
        chunks=job.chunks_total,
        dry_run_seconds=dry_run,
        issued=job.issued,
        issue_seconds=issue_seconds,
        pdfs=pdfs,
        pdf_seconds=pdf_seconds,
        pdf_seconds_from_start=(job.pdfs_finished_at - started).total_seconds(),
        zip_seconds=sum(r.seconds for r in archive),
        zip_bytes=job.archive_bytes,
        queries_per_credential=_queries(by_task, "run_chunk") / max(1, job.issued),
        queries_per_pdf=_queries(by_task, "render_pdfs") / max(1, pdfs),
        cpu_ms_per_credential=_cpu(by_task, "run_chunk") / max(1, job.issued) * 1000,
        cpu_ms_per_pdf=_cpu(by_task, "render_pdfs") / max(1, pdfs) * 1000,
        peak_process_kb=max(children.values(), default=0),
        peak_total_kb=sum(children.values()) + parent_kb,
        parent_kb=parent_kb,
    )
    print(
        f"  run {run}: worker ready in {ready:.1f} s; dry run of {rows:,} rows "
        f"{dry_run:.1f} s ({_queries(by_task, 'dry_run'):,} SQL statements)\n"
        f"    issued {result.issued:,} in {issue_seconds:.1f} s = "
        f"{result.credentials_per_second:.0f} credentials/s ({job.chunks_total} "
        f"chunks; per credential {result.queries_per_credential:.2f} SQL "
        f"statements, {result.cpu_ms_per_credential:.1f} ms worker CPU)\n"
        f"    {pdfs:,} PDFs {pdf_seconds:.1f} s after issuance "
        f"({result.pdf_seconds_from_start:.1f} s from the start) = "
        f"{result.pdfs_per_second:.1f} PDFs/s (per PDF "
        f"{result.queries_per_pdf:.2f} SQL statements, "
        f"{result.cpu_ms_per_pdf:.0f} ms worker CPU); ZIP "
        f"{result.zip_seconds:.1f} s, {result.zip_bytes / 1e6:.1f} MB\n"
        f"    worker peak memory: {result.peak_process_kb / 1024:.0f} MB the "
        f"largest pool process, {result.peak_total_kb / 1024:.0f} MB its "
        f"{len(children) + 1} processes added up (main process "
        f"{parent_kb / 1024:.0f} MB)"
    )
    _timeline(
        job,
        by_task,
        pdfs=pdfs,
        issuing_busy=busy_share(cpu_start, cpu_issued),
        pdf_busy=busy_share(cpu_issued, cpu_pdfs),
    )
    if job.issued != rows or pdfs != job.issued or job.status != "completed":
        print(
            f"  ! the job ended {job.status}: {job.issued:,} issued, {pdfs:,} PDFs, "
            f"{job.failed} failed, {job.skipped} skipped (of {rows:,} rows)"
        )
    deleted = clean(prefix=prefix, job_ids=[job_id])
    print(f"    cleaned up: {deleted}")
    return result


def _queries(by_task: dict[str, list[TaskRecord]], name: str) -> int:
    return sum(r.queries for r in by_task.get(name, []))


def _cpu(by_task: dict[str, list[TaskRecord]], name: str) -> float:
    return sum(r.cpu for r in by_task.get(name, []))


def _issued(job_id: int) -> int:
    from bulk.models import BulkRow

    return BulkRow.objects.filter(job_id=job_id, state="issued").count()


def _report_errors(worker: Worker) -> None:
    lines = worker.errors()
    if lines:
        print(f"  ! the worker logged an error ({worker.log}):")
        for line in lines:
            print(f"  ! {line}")


def _timeline(
    job, by_task: dict[str, list[TaskRecord]], *, pdfs, issuing_busy, pdf_busy
) -> None:
    """Where the time went, from the task records: one line for issuance, one
    for the PDFs."""
    started = job.started_at.timestamp()
    finished = job.finished_at.timestamp()
    pdfs_done = job.pdfs_finished_at.timestamp()
    chunks = sorted(by_task.get("run_chunk", []), key=lambda r: r.start)
    renders = sorted(by_task.get("render_pdfs", []), key=lambda r: r.start)
    odd = [r for tasks in by_task.values() for r in tasks if r.state != "SUCCESS"]
    for record in odd:
        print(f"  ! task {record.task} {record.number} ended {record.state}")
    if chunks:
        seconds = [r.seconds for r in chunks]
        last_end = {}
        gaps = []
        for record in chunks:
            previous = last_end.get(record.pid)
            if previous is not None:
                gaps.append(record.start - previous)
            last_end[record.pid] = record.end
        ends = sorted(last_end.values())
        print(
            f"    issuance timeline: first chunk began "
            f"{chunks[0].start - started:.2f} s after the start; "
            f"{len(chunks)} chunks on {len(last_end)} processes, "
            f"{statistics.median(seconds):.2f} s median "
            f"({max(seconds):.2f} s max; "
            f"{sum(seconds) / max(1, job.issued) * 1000:.1f} ms per credential "
            f"per process), CPU {_cpu_share(chunks):.0%} of their wall time; "
            f"gaps between a process's chunks {max(gaps, default=0):.2f} s max; "
            f"one process idle for the last {ends[-1] - ends[0]:.2f} s; the last "
            f"chunk ended {ends[-1] - finished:.2f} s after finished_at (result "
            f"file, queueing the PDFs); machine CPU {issuing_busy:.0%} busy"
        )
    if renders:
        seconds = [r.seconds for r in renders]
        last_end: dict[int, float] = {}
        for record in renders:
            last_end[record.pid] = max(last_end.get(record.pid, 0), record.end)
        ends = sorted(last_end.values())
        print(
            f"    PDF timeline: first render task began "
            f"{renders[0].start - finished:.2f} s after finished_at; "
            f"{len(renders)} tasks, "
            f"{statistics.median(seconds):.1f} s median ({max(seconds):.1f} s max; "
            f"{sum(seconds) / max(1, pdfs) * 1000:.0f} ms per PDF per process), CPU "
            f"{_cpu_share(renders):.0%} of their wall time; one process idle for "
            f"the last {ends[-1] - ends[0]:.1f} s; pdfs_finished_at "
            f"{pdfs_done - ends[-1]:+.2f} s from the last render's end; machine "
            f"CPU {pdf_busy:.0%} busy"
        )


def _cpu_share(records: list[TaskRecord]) -> float:
    wall = sum(r.seconds for r in records)
    return sum(r.cpu for r in records) / wall if wall else 0.0


# --- cleaning up --------------------------------------------------------------


def clean(*, prefix: str, job_ids: list[int]) -> str:
    """Delete what runs made: the jobs ``job_ids`` (rows, chunks, audit
    entries, stored files), the recipients whose e-mail starts with
    ``prefix`` in the bench's domain (their notices with them), their
    credentials (audit entries, PDF files). What was deleted, in words."""
    from django.core.files.storage import default_storage
    from django.db import transaction

    from bulk.models import BulkJob
    from credentials.models import Credential
    from microcred.models import AuditEntry, User
    from microcred.storage import private_storage

    users = User.objects.filter(
        email__startswith=prefix, email__endswith=f"@{EMAIL_DOMAIN}"
    )
    credentials = list(
        Credential.objects.filter(learner__in=users).values_list(
            "pk", "pdf", "pdf_letter"
        )
    )
    jobs = list(BulkJob.objects.filter(pk__in=job_ids))
    job_files = [
        getattr(job, field).name
        for job in jobs
        for field in ("file", "report_csv", "report_xlsx", "result_csv", "archive")
        if getattr(job, field)
    ]
    with transaction.atomic():
        credential_ids = [str(pk) for pk, _pdf, _letter in credentials]
        audits = 0
        for start in range(0, len(credential_ids), 5000):
            audits += AuditEntry.objects.filter(
                object_type=Credential._meta.label_lower,
                object_id__in=credential_ids[start : start + 5000],
            ).delete()[0]
        audits += AuditEntry.objects.filter(
            object_type=BulkJob._meta.label_lower,
            object_id__in=[str(job.pk) for job in jobs],
        ).delete()[0]
        BulkJob.objects.filter(pk__in=[job.pk for job in jobs]).delete()
        Credential.objects.filter(pk__in=[pk for pk, _p, _l in credentials]).delete()
        n_users = users.count()
        users.delete()
    files = 0
    for _pk, pdf, letter in credentials:
        for name in (pdf, letter):
            if name:
                default_storage.delete(name)
                files += 1
    for name in job_files:
        private_storage().delete(name)
        files += 1
    for job in jobs:
        with contextlib.suppress(OSError, NotImplementedError):
            Path(private_storage().path(f"bulk/{job.public_id}")).rmdir()
    return (
        f"{len(jobs)} job(s), {len(credentials):,} credentials, {n_users:,} "
        f"recipients, {audits:,} audit entries, {files:,} files"
    )


def clean_leftovers(registrar) -> str | None:
    """What an interrupted invocation of this part left behind."""
    from bulk.models import BulkJob
    from microcred.models import User

    job_ids = list(
        BulkJob.objects.filter(
            created_by=registrar, file_name__startswith=FILE_PREFIX
        ).values_list("pk", flat=True)
    )
    cleaned = None
    if job_ids or User.objects.filter(email__endswith=f"@{EMAIL_DOMAIN}").exists():
        cleaned = clean(prefix="", job_ids=job_ids)
    folders = _orphan_job_folders()
    for folder in folders:
        shutil.rmtree(folder)
    if folders:
        cleaned = f"{cleaned or 'nothing in the database'}; {len(folders)} folders"
    return cleaned


def _orphan_job_folders() -> list[Path]:
    """Folders of jobs no longer in the database, in the bench's own private
    storage (a run stopped between deleting its rows and its files)."""
    from django.conf import settings

    from bulk.models import BulkJob

    root = Path(settings.PRIVATE_MEDIA_ROOT).resolve()
    if LOG_DIR.resolve() not in root.parents:
        return []  # not the bench's folder: not ours to tidy
    folders = [p for p in (root / "bulk").glob("*-*-*-*-*") if p.is_dir()]
    known = {
        str(public_id)
        for public_id in BulkJob.objects.filter(
            public_id__in=[p.name for p in folders]
        ).values_list("public_id", flat=True)
    }
    return [p for p in folders if p.name not in known]


# --- the part -----------------------------------------------------------------


def measure(runs: int, rows: int = ROWS) -> BulkSummary:
    """Run a ``rows``-row job ``runs`` times; print each run and the medians."""
    from django.conf import settings

    from bulk.tables import MAX_ROWS

    from . import issuance

    if not 1 <= rows <= MAX_ROWS:
        raise SystemExit(f"--bulk-rows must be between 1 and {MAX_ROWS:,}.")
    issuance._require_broker()
    issuance._signing_key_ready()
    registrar = issuance._batch_registrar()
    course = _course()
    leftovers = clean_leftovers(registrar)
    if leftovers:
        print(f"Deleted what an interrupted bulk bench left: {leftovers}")
    print(
        f"Bulk job: {rows:,} rows for new recipients on {course.code}, chunks of "
        f"{settings.BULK_RUN_CHUNK}, one Celery worker (prefork, concurrency "
        f"{CONCURRENCY}, queues {', '.join(QUEUES)}), {runs} runs; load average "
        f"{os.getloadavg()[0]:.1f}"
    )
    token = secrets.token_hex(3)
    results = [
        run_once(run=run, rows=rows, token=token, registrar=registrar)
        for run in range(1, runs + 1)
    ]
    summary = BulkSummary(rows=rows, runs=results)
    print(
        f"Median: issuance {summary.issue_seconds:.1f} s = "
        f"{summary.credentials_per_second:.0f} credentials/s "
        f"({summary.queries_per_credential:.2f} SQL statements, "
        f"{summary.cpu_ms_per_credential:.1f} ms worker CPU per credential); PDFs "
        f"{summary.pdf_seconds:.1f} s after issuance "
        f"({summary.pdf_seconds_from_start:.1f} s from start) = "
        f"{summary.pdfs_per_second:.1f} PDFs/s ({summary.queries_per_pdf:.2f} "
        f"SQL statements, {summary.cpu_ms_per_pdf:.0f} ms worker CPU per PDF); "
        f"ZIP {summary.zip_seconds:.1f} s; dry run "
        f"{summary.dry_run_seconds:.1f} s; worker peak memory "
        f"{summary.peak_process_mb:.0f} MB (largest process), "
        f"{summary.peak_total_mb:.0f} MB (added up); load average "
        f"{os.getloadavg()[0]:.1f}"
    )
    return summary
