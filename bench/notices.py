"""Reminders: the scan and the delivery, for 100,000 active enrolments.

The bench database gets ``ENROLMENTS`` active enrolments in all: the seed's
own (about 40,000, spread over its 200 courses, dates relative to when it was
seeded) and, on ``COURSES`` courses of this part's own (code
``notices-bench-…``, retired so no catalog page shows them), enough more to
reach the total. This part's enrolments are made afresh with ``COPY`` at each
invocation, dated relative to its ``now`` so that 30% of them have something
due: a tenth the seven-day due-date reminder, a tenth the two-day one, a
tenth the seven-day end-date reminder and an inactivity nudge; the rest
nothing yet. Their learners (``@notices.bench.microcred.test``) are kept.

Each run (all at the same ``now``) deletes every notice, then measures:

- the first scan, ``notices.services.notices_scan``: every finder over every
  active enrolment, credential, attempt and course, and every notice due
  recorded (tens of thousands: the worst case, as on the first scan after an
  upgrade); wall time, SQL queries, notices found and recorded;
- the delivery, ``notices.services.notices_deliver`` batch after batch: the
  claim, the relevance re-check, the rendering of each e-mail (text and HTML,
  in the learner's language and time zone, signed unsubscribe link), its
  sending through Django's ``locmem`` backend (in memory: no SMTP server in
  the figure) and its row marked sent; e-mails per second over the first
  ``BENCH_NOTICE_EMAILS`` e-mails (10,000 by default; 0 sends them all, about
  three minutes for 50,000);
- the same scan again once everything is recorded: what beat's scan every
  ten minutes costs in the steady state (only what fell due since is new).

The figures are the medians of ``runs`` runs. The bench data set has no
assessment attempts: the scan's attempt look-ups are index probes that find
nothing.
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import time
from dataclasses import dataclass

ENROLMENTS = 100_000
COURSES = 4
CODE_PREFIX = "notices-bench-"
EMAIL_DOMAIN = "notices.bench.microcred.test"
EMAILS = 10_000  # delivered per run (BENCH_NOTICE_EMAILS; 0: all)
LOCMEM = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}

# (registered, summative due, ends, last activity) in days from now, by
# enrolment number modulo 10; the comment says what is due now.
PLACEMENTS = {
    0: (-20, 5, 30, -1),  # the 7-day due-date reminder
    1: (-30, 1, 20, -2),  # the 2-day due-date reminder (the nearest only)
    2: (-40, -3, 5, -10),  # the 7-day end-date reminder and an inactivity nudge
}
NOTHING_DUE = (-5, 30, 50, -1)


@dataclass(frozen=True)
class NoticesRun:
    scan_seconds: float
    scan_queries: int
    found: int
    created: int
    by_kind: dict[str, int]
    deliver_seconds: float
    sent: int
    rescan_seconds: float
    rescan_queries: int

    @property
    def emails_per_second(self) -> float:
        return self.sent / self.deliver_seconds if self.deliver_seconds else 0.0


@dataclass(frozen=True)
class NoticesSummary:
    enrolments: int
    runs: list[NoticesRun]

    @property
    def scan_seconds(self) -> float:
        return statistics.median(r.scan_seconds for r in self.runs)

    @property
    def emails_per_second(self) -> float:
        return statistics.median(r.emails_per_second for r in self.runs)

    @property
    def rescan_seconds(self) -> float:
        return statistics.median(r.rescan_seconds for r in self.runs)


def _courses():
    from courses.models import CourseStatus, Microcredential, Offering

    courses = []
    for n in range(1, COURSES + 1):
        course, _created = Microcredential.objects.get_or_create(
            code=f"{CODE_PREFIX}{n}",
            defaults={
                "slug": f"{CODE_PREFIX}{n}",
                "title": f"Reminder Bench Course {n}",
                "summary": "Learners for the reminder bench.",
                "time_commitment_hours": 20,
                "completion_window_days": 56,
                "credential_name": f"Reminder Bench Course {n} badge",
                "status": CourseStatus.RETIRED,
            },
        )
        Offering.objects.get_or_create(
            microcredential=course,
            kind=Offering.Kind.ROLLING,
            defaults={"label": "Self-paced"},
        )
        courses.append(course)
    return courses


def _learners(n: int) -> list[int]:
    """``n`` learners of this part (made once, kept); their ids."""
    from microcred.models import User

    from .seed import copy_rows

    queryset = User.objects.filter(email__endswith=f"@{EMAIL_DOMAIN}")
    have = queryset.count()
    if have < n:
        joined = dt.datetime.now(dt.UTC) - dt.timedelta(days=100)
        zones = ["America/Toronto", "America/Vancouver", "Europe/Paris"]
        copy_rows(
            User,
            [
                "email",
                "password",
                "legal_name",
                "time_zone",
                "preferred_language",
                "date_joined",
            ],
            (
                (
                    f"reminders{i:06d}@{EMAIL_DOMAIN}",
                    "!",  # unusable: nobody signs in as these learners
                    f"Reminder Learner {i:06d}",
                    zones[i % len(zones)],
                    "fr" if i % 9 == 0 else "en",
                    joined,
                )
                for i in range(have, n)
            ),
        )
    return list(queryset.order_by("email").values_list("pk", flat=True)[:n])


def prepare(now: dt.datetime) -> tuple[int, int]:
    """Make this part's enrolments afresh, dated from ``now``; (the seed's
    active enrolments, this part's)."""
    from django.db import connection, transaction

    from courses.models import Enrolment, Offering
    from notices.models import Notice

    from .seed import copy_rows

    courses = _courses()
    offerings = {
        o.microcredential_id: o.pk
        for o in Offering.objects.filter(microcredential__in=courses)
    }
    with transaction.atomic():
        Notice.objects.all().delete()
        with connection.cursor() as cursor:
            cursor.execute(
                "DELETE FROM courses_enrolment WHERE microcredential_id = ANY(%s)",
                [[c.pk for c in courses]],
            )
    others = Enrolment.objects.filter(status="active").count()
    wanted = max(0, ENROLMENTS - others)
    learners = _learners(-(-wanted // COURSES))

    def rows():
        for i in range(wanted):
            course = courses[i % COURSES]
            registered, due, ends, active = (
                now + dt.timedelta(days=days)
                for days in PLACEMENTS.get(i % 10, NOTHING_DUE)
            )
            yield (
                learners[i // COURSES],
                offerings[course.pk],
                course.pk,
                "active",
                registered,
                due,
                ends,
                active,
                registered,
            )

    with transaction.atomic():
        copy_rows(
            Enrolment,
            [
                "learner_id",
                "offering_id",
                "microcredential_id",
                "status",
                "registered_at",
                "summative_due_at",
                "ends_at",
                "last_activity_at",
                "confirmation_sent_at",
            ],
            rows(),
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE courses_enrolment")
    return others, wanted


def _reset() -> None:
    from django.db import connection

    from notices.models import Notice

    Notice.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE notices_notice")


class QueryCounter:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def _scan(now: dt.datetime):
    """One scan: its result, seconds and queries."""
    from django.db import connection

    from notices import services

    queries = QueryCounter()
    started = time.perf_counter()
    with connection.execute_wrapper(queries):
        result = services.notices_scan(now=now)
    return result, time.perf_counter() - started, queries.count


def _deliver(now: dt.datetime, emails: int) -> tuple[int, float]:
    """Deliver batch after batch until ``emails`` are sent (0: all); how many
    were sent, in how many seconds."""
    from django.core import mail
    from django.test.utils import override_settings

    from notices import services

    mail.outbox = []
    sent = 0
    with override_settings(MAILERS=LOCMEM):
        started = time.perf_counter()
        while not emails or sent < emails:
            batch = services.notices_deliver(now=now)
            if not batch.handled:
                break
            sent += batch.sent
        seconds = time.perf_counter() - started
    if len(mail.outbox) != sent:
        raise SystemExit(
            f"Delivery reported {sent} sent but {len(mail.outbox)} e-mails "
            "reached the outbox."
        )
    mail.outbox = []
    return sent, seconds


def run_once(now: dt.datetime, emails: int) -> NoticesRun:
    _reset()
    scan, scan_seconds, scan_queries = _scan(now)
    sent, deliver_seconds = _deliver(now, emails)
    _rescan, rescan_seconds, rescan_queries = _scan(now)
    return NoticesRun(
        scan_seconds=scan_seconds,
        scan_queries=scan_queries,
        found=scan.found,
        created=scan.created,
        by_kind=dict(sorted(scan.by_kind.items())),
        deliver_seconds=deliver_seconds,
        sent=sent,
        rescan_seconds=rescan_seconds,
        rescan_queries=rescan_queries,
    )


def measure(runs: int = 3) -> NoticesSummary:
    """Prepare, run ``runs`` times, print each run and the medians."""
    from courses.models import Enrolment

    emails = int(os.environ.get("BENCH_NOTICE_EMAILS", EMAILS))
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    started = time.perf_counter()
    others, own = prepare(now)
    active = Enrolment.objects.filter(status="active").count()
    print(
        f"Reminders: {active:,} active enrolments ({others:,} from the seed, "
        f"{own:,} on {COURSES} reminder-bench courses, made in "
        f"{time.perf_counter() - started:.1f} s); scans and delivery at one "
        f"instant, {runs} runs, delivery of "
        f"{f'the first {emails:,}' if emails else 'all the'} e-mails; load "
        f"average {os.getloadavg()[0]:.1f}"
    )
    results = []
    for number in range(1, runs + 1):
        run = run_once(now, emails)
        results.append(run)
        kinds = ", ".join(f"{n:,} {kind}" for kind, n in run.by_kind.items())
        print(
            f"Run {number}: first scan {run.scan_seconds:.2f} s, "
            f"{run.scan_queries} queries, {run.found:,} found, {run.created:,} "
            f"recorded ({kinds}); delivery {run.sent:,} e-mails in "
            f"{run.deliver_seconds:.1f} s = {run.emails_per_second:.0f} e-mails/s; "
            f"scan again {run.rescan_seconds:.2f} s, {run.rescan_queries} queries"
        )
    _reset()
    summary = NoticesSummary(enrolments=active, runs=results)
    print(
        f"Median: first scan of {active:,} active enrolments "
        f"{summary.scan_seconds:.2f} s ({active / summary.scan_seconds:,.0f} "
        f"enrolments/s, {results[0].created:,} notices recorded, "
        f"{results[0].scan_queries} queries); delivery "
        f"{summary.emails_per_second:.0f} e-mails/s "
        f"({1000 / summary.emails_per_second:.2f} ms per e-mail, locmem backend); "
        f"steady-state scan {summary.rescan_seconds:.2f} s"
    )
    return summary
