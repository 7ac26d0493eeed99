"""``python -m bench``: seed, serve with gunicorn, measure three pages.

Environment (all optional):

- ``BENCH_DATABASE_URL`` — a PostgreSQL database used only by the bench
  (default ``postgres://postgres@127.0.0.1:5432/microcred_bench``). It is
  created if missing and dropped and re-created when its data is not the bench
  data set, so its name must contain ``bench``. ``DATABASE_URL`` is ignored on
  purpose: the bench never seeds your development database.
- ``BENCH_REQUESTS``, ``BENCH_CONCURRENCY``, ``BENCH_SECONDS``, ``BENCH_RUNS`` —
  the same as the command-line options below.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
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
LOG_FILE = BASE_DIR / "var" / "bench" / "gunicorn.log"

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
        default=float(env("BENCH_SECONDS", 30)),
        help="time cap per page per run (default 30)",
    )
    parser.add_argument(
        "--runs",
        type=int,
        default=int(env("BENCH_RUNS", 3)),
        help="runs; figures are their medians (default 3)",
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

    counts = seed.counts()
    if counts.complete and not reseed:
        print(
            f"Already seeded: {counts.courses} courses, {counts.learners:,} learners, "
            f"{counts.enrolments:,} enrolments"
        )
        return
    if reseed or not counts.empty:
        connections.close_all()
        ensure_database(url, recreate=True)
        prepare_schema()
    print(
        f"Seeding {seed.COURSES} courses, {seed.LEARNERS:,} learners, "
        f"{seed.ENROLMENTS:,} enrolments"
    )
    started = time.perf_counter()
    seed.seed()
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
    return ok


def print_table(
    title: str, rows: list[tuple[str, float, float, float, int, int]]
) -> None:
    print(title)
    print(
        f"  {'page':<34}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}{'bytes':>9}"
    )
    for name, rps, p50, p99, errors, size in rows:
        print(f"  {name:<34}{rps:>9.0f}{p50:>9.1f}{p99:>9.1f}{errors:>8}{size:>9}")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
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
    ensure_database(url, recreate=args.reseed)
    import django

    django.setup()
    import gunicorn as gunicorn_package
    from django.db import connection

    prepare_schema()
    ensure_seeded(url, reseed=False)
    if args.seed_only:
        return 0

    from . import seed

    slugs = seed.course_slugs()
    cookies = session_cookies(max(1, args.concurrency))
    pg_version = connection.cursor().connection.info.server_version
    connection.close()
    anonymous = [{}]
    pages = [
        ("catalog /", ["/"], anonymous),
        ("course page /courses/<slug>/", [f"/courses/{s}/" for s in slugs], anonymous),
        ("learner dashboard /dashboard/", ["/dashboard/"], cookies),
        # Baseline: one query, no template. Shows what the stack and this load
        # generator reach, so the pages above can be read against it.
        ("baseline /healthz (1 query)", ["/healthz"], anonymous),
    ]
    print(
        f"Machine: {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"Django {django.get_version()}, gunicorn {gunicorn_package.__version__}, "
        f"PostgreSQL {pg_version // 10000}.{pg_version % 10000}; "
        f"load average {os.getloadavg()[0]:.1f} before the runs"
    )
    print(
        f"Load: {args.requests} requests per page per run (cap {args.seconds:g} s), "
        f"{args.concurrency} client threads on the same machine, {args.runs} runs"
    )

    return measure(args, env, pages)


def measure(args: argparse.Namespace, env: dict[str, str], pages: list[Page]) -> int:
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
    summary = []
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
    print_table(f"Median of {args.runs} runs (errors: total over all runs)", summary)
    if failed:
        print("Some requests failed: the figures above are not valid.")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
