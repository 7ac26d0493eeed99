"""API v1: the instructors' grading queue, and the assessment endpoints in the
OpenAPI schema."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from drf_spectacular.drainage import GENERATOR_STATS
from rest_framework.test import APIClient

from assessments import services
from assessments.models import ItemKind
from tests import factories
from tests.assessments import factories as af
from tests.courses.api.json_errors import assert_json_error

pytestmark = pytest.mark.django_db

QUEUE_URL = reverse("api:grading-queue")
BASE = dt.datetime(2027, 3, 1, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def summative(course):
    return af.mixed_summative(course)


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def submit_on(person, offering, summative, when: dt.datetime):
    """Register an hour before ``when``, then answer and submit attempt 1 then."""
    factories.enrol(person, offering, now=when - dt.timedelta(hours=1))
    attempt = services.attempt_start(
        learner=person, assessment_id=summative.pk, now=when
    )
    af.answer_all(person, attempt, correct=True, now=when)
    return services.attempt_submit(learner=person, attempt_id=attempt.pk, now=when)


def queue_of(user, *, at: dt.datetime = BASE + dt.timedelta(days=10)) -> list[dict]:
    with time_machine.travel(at, tick=False):
        response = client_for(user).get(QUEUE_URL)
    assert response.status_code == 200, response.content
    return response.json()["results"]


# ------------------------------------------------------------ the queue


@pytest.mark.parametrize("size", [2, 6])
def test_queue_lists_submissions_oldest_first_with_overdue_marked(
    instructor, course, offering, summative, size, django_assert_max_num_queries
):
    attempts = [
        submit_on(
            factories.UserFactory(
                email=f"queue{n}@example.org", legal_name=f"Queue {n}"
            ),
            offering,
            summative,
            BASE + dt.timedelta(days=n),
        )
        for n in range(size)
    ]
    with time_machine.travel(BASE + dt.timedelta(days=10), tick=False):
        client = client_for(instructor)
        with django_assert_max_num_queries(6):
            response = client.get(QUEUE_URL)

    assert response.status_code == 200, response.content
    results = response.json()["results"]
    assert [entry["attempt"] for entry in results] == [a.pk for a in attempts]
    first = results[0]
    assert first["learner"]["name"] == "Queue 0"
    assert first["learner"]["email"] == "queue0@example.org"
    assert first["course"]["code"] == course.code
    assert first["assessment"] == {
        "id": summative.pk,
        "title": summative.title,
        "kind": "summative",
    }
    assert first["attempt_number"] == 1
    assert first["status"] == "submitted"
    assert first["submitted_at"] == "2027-03-01T07:00:00-05:00"
    # Due at the end of the seventh day after submission, in Toronto.
    assert first["feedback_due_at"] == "2027-03-08T23:59:59-05:00"
    assert first["grading_url"].endswith(
        reverse("assessments:grade", kwargs={"attempt_id": attempts[0].pk})
    )
    # Submitted on days 0, 1, 2 are overdue on day 10; days 3 and on are not.
    assert [entry["overdue"] for entry in results] == [n < 3 for n in range(size)]


def test_a_learner_gets_403_and_an_anonymous_caller_401(learner, offering, summative):
    submit_on(learner, offering, summative, BASE)

    forbidden = client_for(learner).get(QUEUE_URL)
    anonymous = APIClient().get(QUEUE_URL)

    body = assert_json_error(forbidden, 403)
    assert body["error"] == "Only instructors and registrars can see the grading queue."
    assert_json_error(anonymous, 401)
    assert anonymous["WWW-Authenticate"] == "Token"


def test_an_instructor_of_another_course_does_not_see_the_submission(
    learner, offering, summative
):
    submit_on(learner, offering, summative, BASE)
    outsider = factories.StaffFactory(email="outsider@example.org")
    elsewhere = factories.MicrocredentialFactory(owner=outsider)
    af.mixed_summative(elsewhere)

    assert queue_of(outsider) == []


def test_a_co_instructor_and_a_registrar_see_it(
    learner, course, offering, summative, registrar
):
    attempt = submit_on(learner, offering, summative, BASE)
    colleague = factories.StaffFactory(email="colleague@example.org")
    course.instructors.add(colleague)

    assert [e["attempt"] for e in queue_of(colleague)] == [attempt.pk]
    assert [e["attempt"] for e in queue_of(registrar)] == [attempt.pk]


def test_a_graded_draft_stays_and_a_released_attempt_leaves_the_queue(
    instructor, learner, other_learner, offering, summative
):
    draft = submit_on(learner, offering, summative, BASE)
    released = submit_on(other_learner, offering, summative, BASE)
    project = summative.items.get(kind=ItemKind.PROJECT)
    for attempt in (draft, released):
        services.grade_save(
            grader=instructor,
            attempt_id=attempt.pk,
            criterion_levels=af.rubric_levels(project, "Meets expectations"),
        )
    services.feedback_release(grader=instructor, attempt_id=released.pk)

    results = queue_of(instructor)

    assert [(e["attempt"], e["status"]) for e in results] == [(draft.pk, "graded")]


def test_formative_checks_never_wait_in_the_queue(instructor, learner, enrolment):
    check = af.FormativeFactory(microcredential=enrolment.microcredential)
    af.ItemFactory(assessment=check, kind=ItemKind.SINGLE)
    attempt = services.attempt_start(learner=learner, assessment_id=check.pk)
    services.attempt_submit(learner=learner, attempt_id=attempt.pk)

    assert queue_of(instructor) == []


# ------------------------------------------------------------ the schema

ASSESSMENT_PATHS = {
    "/api/v1/me/attempts/": {"get"},
    "/api/v1/enrolments/{enrolment_id}/attempts/": {"post"},
    "/api/v1/attempts/{attempt_id}/": {"get"},
    "/api/v1/attempts/{attempt_id}/answers/{item_id}/": {"put"},
    "/api/v1/attempts/{attempt_id}/submit/": {"post"},
    "/api/v1/attempts/{attempt_id}/result/": {"get"},
    "/api/v1/grading/queue/": {"get"},
}


def test_the_schema_documents_every_assessment_endpoint_with_its_errors(client):
    response = client.get("/api/schema/", {"format": "json"})

    assert response.status_code == 200
    schema = response.json()
    for path, methods in ASSESSMENT_PATHS.items():
        assert set(schema["paths"][path]) == methods, path
    answer = schema["paths"]["/api/v1/attempts/{attempt_id}/answers/{item_id}/"]["put"]
    assert set(answer["requestBody"]["content"]) == {
        "application/json",
        "multipart/form-data",
    }
    assert {"200", "400", "401", "403", "404", "409"} <= set(answer["responses"])
    submit = schema["paths"]["/api/v1/attempts/{attempt_id}/submit/"]["post"]
    assert "409" in submit["responses"]
    queue = schema["paths"]["/api/v1/grading/queue/"]["get"]
    assert {"200", "401", "403"} <= set(queue["responses"])
    components = schema["components"]["schemas"]
    assert "code" in components["Refusal"]["properties"]
    assert components["AttemptStatusEnum"]["enum"] == [
        "in_progress",
        "submitted",
        "graded",
        "released",
    ]
    # Nothing in an open attempt says which option is correct.
    assert set(components["Option"]["properties"]) == {"id", "text"}


def test_the_schema_generates_without_warnings(tmp_path):
    GENERATOR_STATS.reset()
    target = tmp_path / "schema.yaml"

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))

    text = target.read_text()
    assert all(f"{path}:" in text for path in ASSESSMENT_PATHS)
