"""Races on real PostgreSQL connections: two threads, two transactions.

Each thread has its own database connection (Django's are per thread), and a
barrier releases both at once, so the row locks and unique constraints are
what decide the outcome.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from assessments.models import Attempt, GradingEvent
from assessments.policies import AttemptRefused
from assessments.services import attempt_start, attempt_submit
from microcred.roles import ensure_role_groups
from tests import factories
from tests.assessments import factories as af

pytestmark = pytest.mark.django_db(transaction=True)

TORONTO = ZoneInfo("America/Toronto")
NOW = dt.datetime(2027, 3, 1, 12, 0, tzinfo=TORONTO)
LATER = dt.datetime(2027, 3, 10, 10, 0, tzinfo=TORONTO)


@pytest.fixture
def setting():
    ensure_role_groups()
    learner = factories.UserFactory(email="racer@example.org")
    course = factories.MicrocredentialFactory()
    offering = factories.OfferingFactory(microcredential=course)
    factories.enrol(learner, offering, now=NOW)
    return learner, af.mixed_summative(course)


def race(call: Callable[[], Any], times: int = 2) -> list[Any]:
    """Run ``call`` in ``times`` threads at once; each result or exception."""
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
        thread.join(timeout=30)
    assert len(outcomes) == times
    return outcomes


def test_two_simultaneous_submits_make_one_submission(setting):
    learner, summative = setting
    attempt = attempt_start(learner=learner, assessment_id=summative.pk, now=LATER)
    af.answer_all(learner, attempt, now=LATER)

    outcomes = race(
        lambda: attempt_submit(learner=learner, attempt_id=attempt.pk, now=LATER)
    )

    submitted = [o for o in outcomes if isinstance(o, Attempt)]
    refused = [o for o in outcomes if isinstance(o, AttemptRefused)]
    assert len(submitted) == 1, outcomes
    assert len(refused) == 1, outcomes
    assert refused[0].code == "already_submitted"
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.SUBMITTED
    assert GradingEvent.objects.filter(attempt=attempt, action="submitted").count() == 1


def test_two_simultaneous_starts_make_one_attempt(setting):
    learner, summative = setting

    outcomes = race(
        lambda: attempt_start(learner=learner, assessment_id=summative.pk, now=LATER)
    )

    assert all(isinstance(o, Attempt) for o in outcomes), outcomes
    assert outcomes[0].pk == outcomes[1].pk
    assert Attempt.objects.count() == 1
