"""The reminder scan is set-based: its queries grow with chunks of enrolments,
never with enrolments.

The enrolment finder reads active enrolments ``chunk`` at a time, with at most
three queries a chunk (the rows with their attempt facts, the extra attempts,
the sent-log); every other finder and the insert add a fixed handful. The
chunk is lowered to 100 here so a few hundred enrolments span several chunks.
"""

from __future__ import annotations

import datetime as dt
import functools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments.services import extra_attempt_grant
from courses.models import Enrolment
from microcred.models import User
from notices import kinds, services
from notices.models import Notice
from tests import factories
from tests.assessments import factories as af

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2027, 3, 10, 15, 0, tzinfo=dt.UTC)
CHUNK = 100
PER_CHUNK = 3
# The other four finders (one query each, plus the teachers of overdue grading
# and the sent-log of expiring credentials when there are any) and one insert
# (up to ``services.INSERT_BATCH`` notices).
FIXED = 7


def chunks(n: int) -> int:
    """Chunks the finder reads for ``n`` enrolments (the last one is short, or
    empty when ``n`` is a multiple of the chunk)."""
    return n // CHUNK + 1


def scan_with_small_chunks() -> services.ScanResult:
    assert kinds.FINDERS[0] is kinds.find_enrolment_notices
    finders = [
        functools.partial(kinds.find_enrolment_notices, chunk=CHUNK),
        *kinds.FINDERS[1:],
    ]
    return services.notices_scan(now=NOW, finders=finders)


def active_enrolments(n: int, *, label: str) -> list[Enrolment]:
    """``n`` learners in one new course, each with a summative due in three
    days and no activity for five weeks: two notices due each (the seven-day
    due-date reminder and an inactivity nudge). Rows in bulk: the scan, not
    the set-up, is under test. Every chunk's first enrolment gets an extra
    attempt, so each chunk also reads the extra-attempt counts."""
    course = factories.MicrocredentialFactory()
    offering = factories.OfferingFactory(microcredential=course)
    learners = User.objects.bulk_create(
        User(email=f"{label}{i}@example.org", legal_name=f"Learner {label} {i}")
        for i in range(n)
    )
    enrolments = Enrolment.objects.bulk_create(
        Enrolment(
            learner=learner,
            offering=offering,
            microcredential=course,
            registered_at=NOW - dt.timedelta(days=35),
            summative_due_at=NOW + dt.timedelta(days=3),
            ends_at=NOW + dt.timedelta(days=10),
        )
        for learner in learners
    )
    summative = af.mixed_summative(course)
    for enrolment in enrolments[::CHUNK]:
        extra_attempt_grant(
            actor=course.owner,
            enrolment_id=enrolment.pk,
            assessment_id=summative.pk,
            reason="Accommodation on file.",
        )
    return enrolments


def count_queries(call) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as queries:
        result = call()
    return len(queries), result


def test_the_scan_of_30_enrolments_takes_a_fixed_number_of_queries(
    django_assert_max_num_queries,
):
    active_enrolments(30, label="small")

    with django_assert_max_num_queries(FIXED + PER_CHUNK * chunks(30)):
        result = scan_with_small_chunks()

    assert result.created == 60
    assert Notice.objects.count() == 60


def test_ten_times_the_enrolments_cost_three_queries_a_chunk_not_one_a_learner(
    django_assert_max_num_queries,
):
    active_enrolments(30, label="first")
    small, first = count_queries(scan_with_small_chunks)
    active_enrolments(270, label="more")

    with django_assert_max_num_queries(FIXED + PER_CHUNK * chunks(300)):
        large, more = count_queries(scan_with_small_chunks)

    assert (first.created, more.created) == (60, 540)
    assert large - small <= PER_CHUNK * (chunks(300) - chunks(30)), (small, large)
    assert Notice.objects.count() == 600


def test_a_second_scan_of_300_enrolments_finds_nothing_new_in_as_few_queries(
    django_assert_max_num_queries,
):
    active_enrolments(300, label="again")
    scan_with_small_chunks()

    with django_assert_max_num_queries(FIXED + PER_CHUNK * chunks(300)):
        again = scan_with_small_chunks()

    assert (again.found, again.created) == (0, 0)
    assert Notice.objects.count() == 600
