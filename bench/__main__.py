"""``python -m bench`` (``make bench``): seed, then measure, then one summary.

Five parts, in this order, each figure the median of ``--runs`` runs:

- ``credentials`` — credentials signed and stored per second: 1,000
  credentials per run through ``credentials.services.credential_issue``
  (eddsa-rdfc-2022 signature, status-list entry, insert, commit) for 1,000
  bench learners on one achievement, in this one process. The PDF task is
  queued on the broker as in production but never rendered (see
  ``bench/issuance.py`` for how, and why that is the honest way).
- ``pdf`` — PDF certificates rendered per second in one worker process
  (``bench/pdf.py``; no database).
- ``pages`` — gunicorn (sync workers, production settings) load-tested over
  HTTP: the catalog, course pages, the learner dashboard, a credential's public
  verification page ``/credentials/<id>``, the verification API
  ``/api/v1/credentials/<id>/verification`` (both over the 200 seeded
  credentials, each request verifying the signature and status) and a
  one-query baseline.
- ``notices`` — the reminder scan over 100,000 active enrolments (seconds,
  queries, notices found) and the delivery of what it found (e-mails per
  second through the in-memory backend; ``bench/notices.py``).
- ``bulk`` — a registrar's bulk job of 10,000 rows end to end on a real
  Celery worker (prefork, concurrency 2, queues ``celery`` and ``pdf``;
  ``bench/bulk.py``): the dry run, seconds until every credential is issued
  and credentials/s, seconds until every PDF is rendered and PDFs/s, the ZIP,
  SQL statements per credential and per PDF, the worker's peak memory.

The bench database is seeded once (200 courses, 20,000 learners, 50,000
enrolments, 200 issued credentials; about a minute) and reused while its seed
version matches. Signing keys live in ``var/bench/keys``, made afresh whenever
the bench database is created; your ``var/keys`` is never used.

Options: ``--only PART`` (repeatable: ``credentials``, ``pdf``, ``pages``,
``notices``, ``bulk``),
``--runs``, ``--credentials`` (per run), ``--pdf-count`` (per run),
``--bulk-rows`` (per run),
``--requests``, ``--concurrency``, ``--seconds``, ``--workers``, ``--reseed``,
``--seed-only``; see ``--help``.

Environment (all optional):

- ``BENCH_DATABASE_URL`` — a PostgreSQL database used only by the bench
  (default ``postgres://postgres@127.0.0.1:5432/microcred_bench``). It is
  created if missing and dropped and re-created when its data is not the bench
  data set, so its name must contain ``bench``. ``DATABASE_URL`` is ignored on
  purpose: the bench never seeds your development database.
- ``BENCH_REDIS_URL`` — the Redis database for the cache and Celery's broker
  (default ``redis://127.0.0.1:6379/14``); the bench purges the PDF tasks it
  queues there (and the bulk part's worker consumes only that database).
- ``BENCH_REQUESTS``, ``BENCH_CONCURRENCY``, ``BENCH_SECONDS``, ``BENCH_RUNS`` —
  the same as the command-line options below.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from importlib import import_module
from pathlib import Path
from urllib.parse import unquote, urlsplit

from . import load

BASE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/microcred_bench"
SECRET_KEY = "bench-only-secret-key-never-used-for-anything-real-0123456789"  # noqa: S105
BENCH_DIR = BASE_DIR / "var" / "bench"
LOG_FILE = BENCH_DIR / "gunicorn.log"
# The bench's own signing keys: made with the bench database, dropped with it.
KEYS_DIR = BENCH_DIR / "keys"
# The address credentials are signed under (their ids, the status lists);
# fixed, so a seeded credential verifies whatever SITE_URL your shell has.
SITE_URL = "https://learn.bench.microcred.test"
PARTS = ("credentials", "pdf", "pages", "notices", "bulk")
# Files the bench's code writes (bulk jobs, certificates): never your var/media.
MEDIA_ROOT = BENCH_DIR / "media"
PRIVATE_MEDIA_ROOT = BENCH_DIR / "private"

Page = tuple[str, list[str], list[dict[str, str]]]  # name, paths, per-thread headers


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    env = os.environ.get
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--requests",
        type=int,
        default=int(env("BENCH_REQUESTS", 2000)),
        help="requests per page per run (default 2000)",
    )
    parser.add_argument(
        "--concurrency",
        type=int,
        default=int(env("BENCH_CONCURRENCY", 8)),
        help="client threads (default 8)",
    )
    parser.add_argument(
        "--seconds",
        type=float,
        default=float(env("BENCH_SECONDS", 15)),
        help="time cap per page per run (default 15)",
    )
    parser.add_argument(
        "--runs",
        type=int,
        default=int(env("BENCH_RUNS", 3)),
        help="runs of each part; figures are their medians (default 3)",
    )
    parser.add_argument(
        "--only",
        action="append",
        choices=PARTS,
        metavar="PART",
        help="measure only this part (credentials, pdf, pages, notices or "
        "bulk); repeatable (default: all five)",
    )
    parser.add_argument(
        "--credentials",
        type=int,
        default=1000,
        help="credentials issued per run (default 1000)",
    )
    parser.add_argument(
        "--batch",
        type=int,
        default=0,
        help="issue through credentials.batch in batches of this many "
        "(default 0: one by one with credential_issue)",
    )
    parser.add_argument(
        "--pdf-count",
        type=int,
        default=50,
        help="PDF certificates rendered per run (default 50)",
    )
    parser.add_argument(
        "--bulk-rows",
        type=int,
        default=10_000,
        help="rows of the bulk job per run (default 10000; at most 100000)",
    )
    parser.add_argument(
        "--workers", type=int, default=2, help="gunicorn sync workers (default 2)"
    )
    parser.add_argument(
        "--reseed",
        action="store_true",
        help="drop the bench database and seed it again",
    )
    parser.add_argument(
        "--seed-only", action="store_true", help="seed (if needed) and stop"
    )
    return parser.parse_args(argv)


def configure_environment(database_url: str) -> dict[str, str]:
    """The environment of both this process and gunicorn: identical settings,
    so a session created here is valid there."""
    values = {
        "DJANGO_SETTINGS_MODULE": "microcred.settings.production",
        "DJANGO_SECRET_KEY": SECRET_KEY,
        "DJANGO_ALLOWED_HOSTS": load.HOST,
        "DJANGO_DEBUG": "false",
        "DATABASE_URL": database_url,
        "DB_CONN_MAX_AGE": "60",
        # The production path: the cache (and Celery's broker) on Redis.
        "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14"),
        "LOG_LEVEL": "WARNING",
        "SIGNING_KEYS_DIR": str(KEYS_DIR),
        "SITE_URL": SITE_URL,
        "CREDENTIALS_DID_WEB_DOMAIN": "",  # did:key: nothing to host
        "MEDIA_ROOT": str(MEDIA_ROOT),
        "PRIVATE_MEDIA_ROOT": str(PRIVATE_MEDIA_ROOT),
        "S3_BUCKET": "",  # local folders, whatever your shell says
    }
    os.environ.update(values)
    return dict(os.environ)


def database_name(url: str) -> str:
    return unquote(urlsplit(url).path.lstrip("/"))


def _maintenance_connection(url: str):
    import psycopg

    parts = urlsplit(url)
    return psycopg.connect(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
        user=unquote(parts.username or "postgres"),
        password=unquote(parts.password) if parts.password else None,
        dbname="postgres",
        autocommit=True,
        connect_timeout=10,
    )


def ensure_database(url: str, *, recreate: bool = False) -> None:
    from psycopg import sql

    name = database_name(url)
    with _maintenance_connection(url) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if exists and recreate:
            print(f"Dropping database {name} to seed it again")
            conn.execute(
                sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name))
            )
            exists = None
        if not exists:
            print(f"Creating database {name}")
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            # Keys belong to the database that published them: start afresh.
            shutil.rmtree(KEYS_DIR, ignore_errors=True)


def prepare_schema() -> None:
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    print(f"Migrated ({time.perf_counter() - started:.1f} s)")
    if static_files_current():
        return
    started = time.perf_counter()
    call_command("collectstatic", interactive=False, verbosity=0)
    print(f"Collected static files ({time.perf_counter() - started:.1f} s)")


def static_files_current() -> bool:
    """Production's manifest storage needs collectstatic (~30 s with
    compression); skip it when nothing it reads changed since the last one."""
    from django.conf import settings

    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    if not manifest.exists():
        return False
    sources = [BASE_DIR / "uv.lock"] + [
        path
        for directory in settings.STATICFILES_DIRS
        for path in Path(directory).rglob("*")
        if path.is_file()
    ]
    built = manifest.stat().st_mtime
    return all(path.stat().st_mtime < built for path in sources)


def ensure_seeded(url: str, *, reseed: bool) -> None:
    from django.db import connections

    from . import seed
    from .issuance import pdf_queue_purge

    counts = seed.counts()
    if counts.complete and not reseed:
        print(
            f"Already seeded (version {counts.version}): {counts.courses} courses, "
            f"{counts.learners:,} learners, {counts.enrolments:,} enrolments, "
            f"{counts.credentials} credentials"
        )
        return
    if reseed or not counts.empty:
        if counts.version != seed.SEED_VERSION:
            print(
                f"The bench data set is version {counts.version}, the seed is "
                f"version {seed.SEED_VERSION}: seeding again"
            )
        connections.close_all()
        ensure_database(url, recreate=True)
        prepare_schema()
    print(
        f"Seeding {seed.COURSES} courses, {seed.LEARNERS:,} learners, "
        f"{seed.ENROLMENTS:,} enrolments, {seed.CREDENTIALS} credentials"
    )
    started = time.perf_counter()
    seed.seed()
    # The seed's credentials queued their PDF tasks on commit: not rendered.
    pdf_queue_purge()
    print(f"Seeded in {time.perf_counter() - started:.1f} s")


def session_cookies(n: int) -> list[dict[str, str]]:
    """Signed-in sessions for learners with several enrolments."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    from . import seed

    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    headers = []
    for learner in seed.dashboard_learners(n):
        session = store_class()
        session[SESSION_KEY] = str(learner.pk)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        session[HASH_SESSION_KEY] = learner.get_session_auth_hash()
        session.create()
        headers.append(
            {"Cookie": f"{settings.SESSION_COOKIE_NAME}={session.session_key}"}
        )
    if not headers:
        raise SystemExit(
            "No seeded learner with several enrolments; run with --reseed."
        )
    return headers


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((load.HOST, 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def gunicorn(*, port: int, workers: int, env: dict[str, str]) -> Iterator[None]:
    LOG_FILE.parent.mkdir(parents=True, exist_ok=True)
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "microcred.wsgi:application",
        "--bind",
        f"{load.HOST}:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "sync",
        "--timeout",
        "60",
        "--log-level",
        "warning",
        "--error-logfile",
        str(LOG_FILE),
    ]
    print(f"Starting gunicorn ({workers} sync workers) on {load.HOST}:{port}")
    process = subprocess.Popen(command, cwd=BASE_DIR, env=env)
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise SystemExit(
                    f"gunicorn exited with {process.returncode}; see {LOG_FILE}"
                )
            with contextlib.suppress(OSError):
                if load.fetch(port, "/healthz", {})[0] == 200:
                    break
            if time.monotonic() > deadline:
                raise SystemExit(f"gunicorn did not answer /healthz; see {LOG_FILE}")
            time.sleep(0.2)
        yield
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        print("Stopped gunicorn")


def check_pages(port: int, pages: list[Page]) -> bool:
    """Every page answers 200 before we measure; warm each worker up."""
    ok = True
    for name, paths, headers in pages:
        for path in paths[:4]:
            for _ in range(4):
                status, body = load.fetch(port, path, headers[0])
            if status != 200:
                ok = False
                snippet = body[:300].decode("utf-8", "replace")
                print(f"  ! {name} {path} answered HTTP {status}: {snippet}")
            elif len(body) < 200 and path != "/healthz":
                print(f"  ! {name} {path} answered 200 with only {len(body)} bytes")
            elif path.endswith("/verification"):
                state = json.loads(body).get("state")
                if state != "valid":
                    ok = False
                    print(f"  ! {name} {path} verified as {state!r}, not 'valid'")
    return ok


Row = tuple[str, float, float, float, int, int]  # name, req/s, p50, p99, errors, bytes


def print_table(title: str, rows: list[Row]) -> None:
    width = max(34, *(len(row[0]) + 2 for row in rows))
    print(title)
    print(
        f"  {'page':<{width}}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}"
        f"{'errors':>8}{'bytes':>9}"
    )
    for name, rps, p50, p99, errors, size in rows:
        print(f"  {name:<{width}}{rps:>9.1f}{p50:>9.1f}{p99:>9.1f}{errors:>8}{size:>9}")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    parts = [part for part in PARTS if part in (args.only or PARTS)]
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
    if urlsplit(url).scheme not in {"postgres", "postgresql", "pgsql"}:
        raise SystemExit("BENCH_DATABASE_URL must be a PostgreSQL URL.")
    if "bench" not in database_name(url):
        raise SystemExit(
            f"Refusing to seed {database_name(url)!r}: the bench database is dropped "
            "and re-created at will, so its name must contain 'bench'."
        )
    env = configure_environment(url)
    sys.path.insert(0, str(BASE_DIR))

    print("== Microcred bench ==")
    started = time.perf_counter()
    ensure_database(url, recreate=args.reseed)
    import django

    django.setup()
    import gunicorn as gunicorn_package
    from django.db import connection

    prepare_schema()
    ensure_seeded(url, reseed=False)
    if args.seed_only:
        return 0

    pg_version = connection.cursor().connection.info.server_version
    print(
        f"Machine: {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"Django {django.get_version()}, gunicorn {gunicorn_package.__version__}, "
        f"PostgreSQL {pg_version // 10000}.{pg_version % 10000}; "
        f"load average {load_average()} (the machine is shared: other people's "
        "work may run at the same time)"
    )
    summary = Summary(runs=args.runs)
    failed = False
    if "credentials" in parts:
        from . import issuance

        print(f"\n-- Credentials signed and stored ({args.credentials:,} per run) --")
        summary.issuance = issuance.measure(
            runs=args.runs, count=args.credentials, batch=args.batch
        )
        connection.close()
    if "pdf" in parts:
        from . import pdf

        print(f"\n-- PDF certificates ({args.pdf_count} per run) --")
        summary.pdf_rate = pdf.measure(runs=args.runs, count=args.pdf_count)
        summary.pdf_count = args.pdf_count
    if "pages" in parts:
        print("\n-- Pages over HTTP --")
        pages = bench_pages(args)
        connection.close()
        print(
            f"Load: {args.requests} requests per page per run (cap {args.seconds:g} "
            f"s), {args.concurrency} client threads on the same machine, "
            f"{args.runs} runs"
        )
        summary.pages, failed = measure(args, env, pages)
    if "notices" in parts:
        from . import notices

        print(
            f"\n-- Reminders: scan and delivery ({notices.ENROLMENTS:,} enrolments) --"
        )
        summary.notices = notices.measure(runs=args.runs)
        connection.close()
    if "bulk" in parts:
        from . import bulk

        print(f"\n-- Bulk job end to end ({args.bulk_rows:,} rows, Celery worker) --")
        summary.bulk = bulk.measure(runs=args.runs, rows=args.bulk_rows)
        connection.close()
    summary.print(seconds=time.perf_counter() - started)
    if failed:
        print("Some requests failed: the page figures above are not valid.")
        return 1
    return 0


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} / {five:.2f} / {fifteen:.2f} (1 / 5 / 15 min)"


def bench_pages(args: argparse.Namespace) -> list[Page]:
    from . import seed

    slugs = seed.course_slugs()
    cookies = session_cookies(max(1, args.concurrency))
    credential_ids = seed.credential_ids()
    if not credential_ids:
        raise SystemExit("No seeded credential; run with --reseed.")
    anonymous = [{}]
    return [
        ("catalog /", ["/"], anonymous),
        ("course page /courses/<slug>/", [f"/courses/{s}/" for s in slugs], anonymous),
        ("learner dashboard /dashboard/", ["/dashboard/"], cookies),
        # A credential's public page: verifies it (signature, status, expiry,
        # version) and renders the result.
        (
            "credential page /credentials/<id>",
            [f"/credentials/{pk}" for pk in credential_ids],
            anonymous,
        ),
        # The same verification as JSON, as a verifier's software asks for it.
        (
            "verification API /api/v1/credentials/<id>/verification",
            [f"/api/v1/credentials/{pk}/verification" for pk in credential_ids],
            [{"Accept": "application/json"}],
        ),
        # Baseline: one query, no template. Shows what the stack and this load
        # generator reach, so the pages above can be read against it.
        ("baseline /healthz (1 query)", ["/healthz"], anonymous),
    ]


class Summary:
    """The figures of the parts that ran, printed together at the end."""

    def __init__(self, *, runs: int) -> None:
        self.runs = runs
        self.issuance = None
        self.pdf_rate: float | None = None
        self.pdf_count = 0
        self.pages: list[Row] = []
        self.notices = None
        self.bulk = None

    def print(self, *, seconds: float) -> None:
        print(f"\n== Summary: medians of {self.runs} runs ==")
        if self.issuance is not None:
            i = self.issuance
            print(
                f"  Credentials signed and stored: {i.rate:8.1f} credentials/s  "
                f"({i.ms_each:.2f} ms per credential, {i.cpu_ms_each:.2f} ms CPU in "
                f"the issuing process; "
                + (
                    f"credentials_issue_batch in batches of {i.batch} x {i.count:,}, "
                    f"one process, no PDF, {i.queries_each:.2f} queries each)"
                    if i.batch
                    else f"credential_issue x {i.count:,}, one process, PDF queued "
                    f"not rendered, {i.queries_each:.0f} queries each)"
                )
            )
        if self.pdf_rate is not None:
            print(
                f"  PDFs rendered per worker:      {self.pdf_rate:8.1f} PDFs/s  "
                f"({1000 / self.pdf_rate:.1f} ms per PDF; one process, "
                f"{self.pdf_count} varied certificates per run)"
            )
        if self.pages:
            verify = [row for row in self.pages if "/verification" in row[0]]
            for name, rps, p50, p99, _errors, _size in verify:
                print(
                    f"  Verification API requests:     {rps:8.1f} req/s  "
                    f"(p50 {p50:.1f} ms, p99 {p99:.1f} ms; {name.split()[-1]} over "
                    "HTTP, gunicorn)"
                )
            print_table("  Pages (errors: total over all runs)", self.pages)
        if self.notices is not None:
            n = self.notices
            print(
                f"  Reminder scan:                 {n.scan_seconds:8.2f} s  "
                f"({n.enrolments:,} active enrolments, every notice new; "
                f"{n.rescan_seconds:.2f} s when nothing is new)"
            )
            print(
                f"  Reminder e-mails delivered:    {n.emails_per_second:8.1f} "
                f"e-mails/s  (rendered HTML + text, locmem backend, one process)"
            )
        if self.bulk is not None:
            b = self.bulk
            issued = f"Bulk job, {b.rows:,} issued:"
            rendered = f"Bulk job, {b.rows:,} PDFs:"
            print(
                f"  {issued:<31}{b.issue_seconds:8.1f} s  "
                f"({b.credentials_per_second:.0f} credentials/s, signed and stored; "
                f"{b.chunks} chunks on one worker of {b.concurrency} "
                f"processes; per credential {b.queries_per_credential:.2f} SQL "
                f"statements, {b.cpu_ms_per_credential:.1f} ms worker CPU; dry run "
                f"{b.dry_run_seconds:.1f} s)"
            )
            print(
                f"  {rendered:<31}{b.pdf_seconds:8.1f} s  "
                f"after issuance ({b.pdfs_per_second:.1f} PDFs/s; "
                f"{b.pdf_seconds_from_start:.1f} s from the start; "
                f"per PDF {b.queries_per_pdf:.2f} SQL statements, "
                f"{b.cpu_ms_per_pdf:.0f} ms worker CPU; ZIP "
                f"{b.zip_seconds:.1f} s, {b.zip_bytes / 1e6:.0f} MB)"
            )
            print(
                f"  {'Bulk worker peak memory:':<31}{b.peak_process_mb:8.0f} MB "
                f"(largest process; {b.peak_total_mb:.0f} MB all its processes "
                f"added up, shared pages counted in each)"
            )
        print(
            f"  Load average at the end: {load_average()}; the machine is shared, "
            f"so other people's work may be in these figures. Whole bench "
            f"{seconds / 60:.1f} min."
        )


def measure(
    args: argparse.Namespace, env: dict[str, str], pages: list[Page]
) -> tuple[list[Row], bool]:
    """Serve with gunicorn and load-test every page; the medians and whether
    any request failed."""
    results: dict[str, list[load.RunResult]] = {name: [] for name, _, _ in pages}
    port = free_port()
    failed = False
    with gunicorn(port=port, workers=args.workers, env=env):
        if not check_pages(port, pages):
            failed = True
        for run_number in range(1, args.runs + 1):
            rows = []
            for name, paths, headers in pages:
                result = load.run(
                    name=name,
                    port=port,
                    paths=paths,
                    headers=headers,
                    total=args.requests,
                    concurrency=args.concurrency,
                    max_seconds=args.seconds,
                )
                results[name].append(result)
                rows.append(
                    (
                        name,
                        result.rps,
                        result.percentile_ms(50),
                        result.percentile_ms(99),
                        result.failures,
                        result.mean_bytes,
                    )
                )
                for error in result.errors[:5]:
                    print(f"  ! {error}")
            print_table(f"Run {run_number}", rows)
    summary: list[Row] = []
    for name, runs in results.items():
        summary.append(
            (
                name,
                load.median([r.rps for r in runs]),
                load.median([r.percentile_ms(50) for r in runs]),
                load.median([r.percentile_ms(99) for r in runs]),
                sum(r.failures for r in runs),
                runs[-1].mean_bytes,
            )
        )
        failed = failed or any(r.failures for r in runs)
    return summary, failed


if __name__ == "__main__":
    sys.exit(main())
