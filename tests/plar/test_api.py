"""API v1 for PLAR: a learner's requests and where they stand; reviewers'
queue, review and decisions; appeals. On real PostgreSQL.

The course offers PLAR (``pf.plar_course``) and is taught by ``instructor``;
state is set up through the services, as learners and reviewers cause it.
Every refusal is checked to change nothing.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.urls import reverse
from drf_spectacular.drainage import GENERATOR_STATS
from rest_framework.test import APIClient

from courses import services as course_services
from courses.models import Enrolment
from microcred.models import AuditEntry
from plar import services
from plar.models import Appeal, PlarRequest, RequestEvent
from tests import factories
from tests.courses.api.json_errors import assert_json_error
from tests.plar import factories as pf

pytestmark = pytest.mark.django_db

TORONTO = ZoneInfo("America/Toronto")


def api(name: str, **kwargs) -> str:
    return reverse(f"api:{name}", kwargs=kwargs)


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


@pytest.fixture
def plar_course(instructor):
    course = pf.plar_course(owner=instructor)
    course.instructors.add(instructor)
    return course


@pytest.fixture
def other_instructor(db):
    """An instructor who teaches another course, not ``plar_course``."""
    teacher = factories.StaffFactory(email="other-instructor@example.org")
    pf.plar_course(owner=teacher).instructors.add(teacher)
    return teacher


@pytest.fixture
def submitted(learner, plar_course) -> PlarRequest:
    return pf.submitted_request(learner, plar_course)


@pytest.fixture
def under_review(submitted, instructor) -> PlarRequest:
    return services.review_start(reviewer=instructor, request_id=submitted.pk)


def declined_request(learner, course, reviewer, *, reason="Not yet.") -> PlarRequest:
    request = pf.submitted_request(learner, course)
    services.review_start(reviewer=reviewer, request_id=request.pk)
    return services.request_decide(
        reviewer=reviewer, request_id=request.pk, decision="declined", reason=reason
    )


def db_state() -> tuple:
    """Everything a refused request must leave as it was."""
    return (
        list(
            PlarRequest.objects.order_by("pk").values_list(
                "pk",
                "status",
                "reviewer_id",
                "decided_at",
                "decided_by_id",
                "decision_reason",
                "enrolment_id",
                "updated_at",
            )
        ),
        list(
            Appeal.objects.order_by("pk").values_list(
                "pk", "status", "decided_at", "decided_by_id", "decision_reason"
            )
        ),
        RequestEvent.objects.count(),
        Enrolment.objects.count(),
        AuditEntry.objects.count(),
    )


def assert_refused(response, status: int, code: str | None = None) -> dict:
    """API v1's error shape, plus the ``code`` of the rule that refused."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error", "errors", "status", "code"}, body
    assert body["status"] == status
    assert body["error"]
    assert body["errors"] == {}
    if code is not None:
        assert body["code"] == code, body
    return body


def at(value: str) -> dt.datetime:
    """An API time, checked to carry the learner's offset."""
    moment = dt.datetime.fromisoformat(value)
    assert moment.utcoffset() == moment.astimezone(TORONTO).utcoffset()
    return moment


# ------------------------------------------------------------ my requests


def test_my_requests_list_only_the_callers_own_with_statuses_and_dates(
    learner, other_learner, plar_course, instructor
):
    approved = pf.approved_request(learner, plar_course, reviewer=instructor)
    elsewhere = pf.plar_course()
    draft = pf.draft_request(learner, elsewhere)
    pf.submitted_request(other_learner, elsewhere)

    response = client_for(learner).get(api("my-plar-requests"))

    assert response.status_code == 200, response.content
    results = response.json()["results"]
    assert [r["id"] for r in results] == [draft.pk, approved.pk]
    body = results[1]
    approved.refresh_from_db()
    assert body["course"] == {
        "code": plar_course.code,
        "slug": plar_course.slug,
        "title": plar_course.title,
    }
    assert body["status"] == "approved"
    assert body["status_label"] == "Approved"
    assert at(body["created_at"]) == approved.created_at
    assert at(body["submitted_at"]) == approved.submitted_at
    assert at(body["decided_at"]) == approved.decided_at
    assert body["decision_reason"] == "Your evidence covers both outcomes."
    assert body["more_info_reason"] is None
    assert [(e["from_status"], e["to_status"]) for e in body["events"]] == [
        ("draft", "submitted"),
        ("submitted", "under_review"),
        ("under_review", "approved"),
    ]
    assert body["events"][-1]["reason"] == "Your evidence covers both outcomes."
    enrolment = body["enrolment"]
    assert enrolment["id"] == approved.enrolment_id
    assert enrolment["route"] == "plar"
    assert enrolment["status"] == "active"
    assert at(enrolment["ends_at"]) == approved.enrolment.ends_at
    assert enrolment["assessment_url"].endswith(
        reverse("assessments:summative", kwargs={"enrolment_id": approved.enrolment_id})
    )
    assert body["appeals"] == []
    assert body["url"].endswith(api("plar-request-detail", request_id=approved.pk))
    # The list leaves statements and evidence to the detail.
    assert "statements" not in body
    waiting = results[0]
    assert waiting["status"] == "draft"
    assert waiting["submitted_at"] is None
    assert waiting["decided_at"] is None
    assert waiting["enrolment"] is None
    assert waiting["events"] == []


def test_a_request_for_more_information_shows_the_reviewers_reason(
    learner, under_review, instructor
):
    services.request_decide(
        reviewer=instructor,
        request_id=under_review.pk,
        decision="more_info",
        reason="Add a letter from your employer.",
    )

    [body] = client_for(learner).get(api("my-plar-requests")).json()["results"]

    assert body["status"] == "more_info"
    assert body["status_label"] == "More information requested"
    assert body["more_info_reason"] == "Add a letter from your employer."
    assert body["decided_at"] is None
    assert body["decision_reason"] == ""


def test_a_declined_request_shows_its_appeal(learner, plar_course, instructor):
    declined = declined_request(learner, plar_course, instructor, reason="Too thin.")
    services.appeal_submit(
        learner=learner, request_id=declined.pk, reason="I sent the wrong file."
    )

    [body] = client_for(learner).get(api("my-plar-requests")).json()["results"]

    assert body["status"] == "declined"
    assert body["decision_reason"] == "Too thin."
    [appeal] = body["appeals"]
    assert appeal["kind"] == "decision"
    assert appeal["status"] == "submitted"
    assert appeal["reason"] == "I sent the wrong file."
    assert appeal["attempt"] is None
    assert appeal["decided_at"] is None
    assert at(appeal["submitted_at"])


def test_my_requests_need_a_signed_in_caller(submitted):
    response = APIClient().get(api("my-plar-requests"))

    assert_json_error(response, 401)
    assert response["WWW-Authenticate"] == "Token"


def test_my_requests_work_with_a_token(learner, submitted):
    token = APIClient().post(
        api("token"),
        {"email": learner.email, "password": factories.PASSWORD},
        format="json",
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.json()['token']}")

    response = client.get(api("my-plar-requests"))

    assert response.status_code == 200
    assert [r["id"] for r in response.json()["results"]] == [submitted.pk]


@pytest.mark.parametrize("size", [2, 12])
def test_my_requests_query_count_does_not_grow_with_requests(
    learner, plar_course, instructor, size, django_assert_max_num_queries
):
    for number in range(size - 1):
        declined = declined_request(learner, plar_course, instructor)
        if number % 2 == 0:
            services.appeal_submit(
                learner=learner, request_id=declined.pk, reason="Look again."
            )
    pf.approved_request(learner, plar_course, reviewer=instructor)
    client = client_for(learner)

    with django_assert_max_num_queries(6):
        response = client.get(api("my-plar-requests"))

    results = response.json()["results"]
    assert len(results) == size
    assert sum(len(r["appeals"]) for r in results) == (size // 2)
    assert all(len(r["events"]) == 3 for r in results)


# ------------------------------------------------------------ one request


def test_the_learner_sees_their_request_with_statements_and_evidence(
    learner, plar_course
):
    draft = pf.draft_request(learner, plar_course)
    services.evidence_add_file(
        learner=learner,
        request_id=draft.pk,
        upload=pf.pdf_upload("first-aid.pdf"),
        title="First-aid certificate",
    )

    response = client_for(learner).get(api("plar-request-detail", request_id=draft.pk))

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "draft"
    assert [s["code"] for s in body["statements"]] == ["LO1", "LO2"]
    assert [e["title"] for e in body["evidence"]] == [
        "Work sample",
        "First-aid certificate",
    ]


def test_a_reviewer_sees_the_statement_per_outcome_and_the_evidence(
    learner, plar_course, instructor
):
    draft = pf.draft_request(learner, plar_course)
    upload = services.evidence_add_file(
        learner=learner,
        request_id=draft.pk,
        upload=pf.pdf_upload("first-aid.pdf"),
        title="First-aid certificate",
    )
    services.request_submit(learner=learner, request_id=draft.pk, declaration=True)

    response = client_for(instructor).get(
        api("plar-request-detail", request_id=draft.pk)
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "submitted"
    assert body["learner"] == {
        "id": learner.pk,
        "name": "Ada Lovelace",
        "email": "ada@example.org",
    }
    assert body["declaration"] is True
    outcomes = list(plar_course.outcomes.order_by("position"))
    assert [(s["code"], s["text"]) for s in body["statements"]] == [
        (o.code, o.text) for o in outcomes
    ]
    assert body["statements"][0]["statement"] == (
        f"At work I {outcomes[0].text.lower()} every week."
    )
    link, file = body["evidence"]
    assert link["kind"] == "link"
    assert link["url"] == "https://portfolio.example.org/work-sample"
    assert link["file_name"] is None
    assert file["kind"] == "file"
    assert file["title"] == "First-aid certificate"
    assert file["file_name"] == "first-aid.pdf"
    assert file["url"].endswith(
        reverse(
            "plar:evidence-file",
            kwargs={"request_id": draft.pk, "evidence_id": upload.pk},
        )
    )
    assert body["review_url"].endswith(
        reverse("plar-staff:request", kwargs={"request_id": draft.pk})
    )
    download = client_for(instructor).get(file["url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == pf.PDF_BYTES


def test_a_registrar_sees_a_request_in_any_course(learner, submitted, registrar):
    response = client_for(registrar).get(
        api("plar-request-detail", request_id=submitted.pk)
    )

    assert response.status_code == 200
    assert response.json()["id"] == submitted.pk


def test_another_learner_gets_a_404_for_the_request(other_learner, submitted):
    client = client_for(other_learner)

    theirs = client.get(api("plar-request-detail", request_id=submitted.pk))
    missing = client.get(api("plar-request-detail", request_id=submitted.pk + 1000))

    assert assert_json_error(theirs, 404) == assert_json_error(missing, 404)


def test_an_instructor_of_another_course_gets_a_404_for_the_request(
    other_instructor, submitted
):
    client = client_for(other_instructor)

    theirs = client.get(api("plar-request-detail", request_id=submitted.pk))
    missing = client.get(api("plar-request-detail", request_id=submitted.pk + 1000))

    assert assert_json_error(theirs, 404) == assert_json_error(missing, 404)


def test_a_draft_is_the_learners_own_until_submitted(learner, plar_course, registrar):
    draft = pf.draft_request(learner, plar_course)

    response = client_for(registrar).get(
        api("plar-request-detail", request_id=draft.pk)
    )

    assert_json_error(response, 404)


def test_one_request_needs_a_signed_in_caller(submitted):
    response = APIClient().get(api("plar-request-detail", request_id=submitted.pk))

    assert_json_error(response, 401)


# ------------------------------------------------------------ the queue


def queue_of(user, **params) -> list[dict]:
    response = client_for(user).get(api("plar-review-queue"), params)
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_the_queue_lists_waiting_requests_of_the_callers_courses_oldest_first(
    learner, other_learner, plar_course, instructor, other_instructor, registrar
):
    first = pf.submitted_request(learner, plar_course)
    services.review_start(reviewer=instructor, request_id=first.pk)
    second = pf.submitted_request(other_learner, plar_course)
    pf.draft_request(factories.UserFactory(), plar_course)
    declined_request(factories.UserFactory(), plar_course, instructor)
    elsewhere = pf.submitted_request(factories.UserFactory(), pf.plar_course())

    mine = queue_of(instructor)

    assert [e["id"] for e in mine] == [first.pk, second.pk]
    entry = mine[0]
    assert entry["status"] == "under_review"
    assert entry["status_label"] == "Under review"
    assert entry["reviewer"] == {"id": instructor.pk, "name": instructor.legal_name}
    assert entry["learner"]["email"] == "ada@example.org"
    assert entry["course"]["code"] == plar_course.code
    assert at(entry["submitted_at"]) == first.submitted_at
    assert entry["url"].endswith(api("plar-request-detail", request_id=first.pk))
    assert mine[1]["reviewer"] is None
    assert queue_of(other_instructor) == []
    assert {e["id"] for e in queue_of(registrar)} == {
        first.pk,
        second.pk,
        elsewhere.pk,
    }


def test_the_queue_filters_by_course_code_and_status(
    learner, other_learner, plar_course, instructor, registrar
):
    first = pf.submitted_request(learner, plar_course)
    services.review_start(reviewer=instructor, request_id=first.pk)
    second = pf.submitted_request(other_learner, plar_course)
    elsewhere = pf.plar_course()
    third = pf.submitted_request(factories.UserFactory(), elsewhere)

    def ids(**params) -> list[int]:
        return [e["id"] for e in queue_of(registrar, **params)]

    assert ids(course=plar_course.code) == [first.pk, second.pk]
    assert ids(course=elsewhere.code) == [third.pk]
    assert ids(status="under_review") == [first.pk]
    assert ids(course=plar_course.code, status="submitted") == [second.pk]
    assert ids(course="no-such-course") == []
    bad = client_for(registrar).get(api("plar-review-queue"), {"status": "approved"})
    assert "status" in assert_json_error(bad, 400)["errors"]


def test_a_learner_gets_a_403_on_the_queue(learner, submitted):
    response = client_for(learner).get(api("plar-review-queue"))

    body = assert_json_error(response, 403)
    assert body["error"] == "Only instructors and registrars can review PLAR requests."


def test_the_queue_needs_a_signed_in_caller(submitted):
    assert_json_error(APIClient().get(api("plar-review-queue")), 401)


@pytest.mark.parametrize("size", [2, 12])
def test_the_queue_query_count_does_not_grow_with_requests(
    plar_course, instructor, size, django_assert_max_num_queries
):
    for number in range(size):
        request = pf.submitted_request(factories.UserFactory(), plar_course)
        if number % 2:
            services.review_start(reviewer=instructor, request_id=request.pk)
    client = client_for(instructor)

    with django_assert_max_num_queries(5):
        response = client.get(api("plar-review-queue"))

    assert len(response.json()["results"]) == size


# ------------------------------------------------------------ review and decide


def test_starting_review_takes_a_submitted_request_into_review(
    learner, submitted, instructor
):
    response = client_for(instructor).post(
        api("plar-request-review", request_id=submitted.pk)
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "under_review"
    assert body["events"][-1]["from_status"] == "submitted"
    assert body["events"][-1]["to_status"] == "under_review"
    submitted.refresh_from_db()
    assert submitted.status == PlarRequest.Status.UNDER_REVIEW
    assert submitted.reviewer == instructor


def test_starting_review_twice_is_a_conflict_and_changes_nothing(
    under_review, registrar
):
    before = db_state()

    response = client_for(registrar).post(
        api("plar-request-review", request_id=under_review.pk)
    )

    body = assert_refused(response, 409, "forbidden_transition")
    assert "“Under review” cannot become “Under review”" in body["error"]
    assert db_state() == before


def test_approving_returns_the_enrolment_dates_and_opens_the_plar_route(
    learner, under_review, instructor, plar_course
):
    response = client_for(instructor).post(
        api("plar-request-decision", request_id=under_review.pk),
        {"decision": "approved", "reason": "Both outcomes are covered."},
        format="json",
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "approved"
    assert body["decision_reason"] == "Both outcomes are covered."
    enrolment = Enrolment.objects.get(learner=learner, microcredential=plar_course)
    assert enrolment.route == Enrolment.Route.PLAR
    assert enrolment.status == Enrolment.Status.ACTIVE
    assert enrolment.offering is None
    assert body["enrolment"]["id"] == enrolment.pk
    assert body["enrolment"]["route"] == "plar"
    due = dt.datetime.fromisoformat(body["enrolment"]["summative_due_at"])
    ends = dt.datetime.fromisoformat(body["enrolment"]["ends_at"])
    assert (due, ends) == (enrolment.summative_due_at, enrolment.ends_at)
    tz = course_services.institution_tz()
    decided = dt.datetime.fromisoformat(body["decided_at"])
    window_days = (ends.astimezone(tz).date() - decided.astimezone(tz).date()).days
    assert window_days == plar_course.plar_window_days
    assert due < ends
    under_review.refresh_from_db()
    assert under_review.enrolment == enrolment
    assert under_review.decided_by == instructor


def test_declining_records_the_reason_and_opens_nothing(
    learner, under_review, instructor
):
    response = client_for(instructor).post(
        api("plar-request-decision", request_id=under_review.pk),
        {"decision": "declined", "reason": "The evidence is not yours."},
        format="json",
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "declined"
    assert body["decision_reason"] == "The evidence is not yours."
    assert body["enrolment"] is None
    assert at(body["decided_at"])
    assert not Enrolment.objects.filter(learner=learner).exists()


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_decision_without_a_reason_is_refused_and_changes_nothing(
    under_review, instructor, reason
):
    before = db_state()

    response = client_for(instructor).post(
        api("plar-request-decision", request_id=under_review.pk),
        {"decision": "declined", "reason": reason},
        format="json",
    )

    body = assert_refused(response, 400, "reason_required")
    assert body["error"] == "This decision needs a reason; the learner will read it."
    assert db_state() == before


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"decision": "approved"}, "reason"),
        ({"reason": "Fine."}, "decision"),
        ({"decision": "withdrawn", "reason": "Fine."}, "decision"),
        ({"decision": "approved", "reason": "x" * 5001}, "reason"),
        ({"decision": "approved", "reason": 42}, "reason"),
    ],
    ids=[
        "no-reason",
        "no-decision",
        "not-a-decision",
        "reason-too-long",
        "reason-a-number",
    ],
)
def test_a_malformed_decision_is_a_field_error_and_changes_nothing(
    under_review, instructor, payload, field
):
    before = db_state()

    response = client_for(instructor).post(
        api("plar-request-decision", request_id=under_review.pk),
        payload,
        format="json",
    )

    assert field in assert_json_error(response, 400)["errors"]
    assert db_state() == before


def test_deciding_a_request_not_yet_under_review_is_refused(submitted, instructor):
    before = db_state()

    response = client_for(instructor).post(
        api("plar-request-decision", request_id=submitted.pk),
        {"decision": "approved", "reason": "Looks good."},
        format="json",
    )

    body = assert_refused(response, 409, "forbidden_transition")
    assert body["error"] == "A request that is “Submitted” cannot become “Approved”."
    assert db_state() == before


def test_a_learner_gets_a_403_on_review_and_decision_even_for_their_own(
    learner, submitted, under_review
):
    client = client_for(learner)
    before = db_state()

    review = client.post(api("plar-request-review", request_id=submitted.pk))
    decision = client.post(
        api("plar-request-decision", request_id=submitted.pk),
        {"decision": "approved", "reason": "I am great."},
        format="json",
    )

    assert_json_error(review, 403)
    assert_json_error(decision, 403)
    assert db_state() == before


def test_an_instructor_of_another_course_cannot_review_or_decide(
    other_instructor, submitted, under_review
):
    client = client_for(other_instructor)
    before = db_state()

    review = client.post(api("plar-request-review", request_id=submitted.pk))
    decision = client.post(
        api("plar-request-decision", request_id=submitted.pk),
        {"decision": "approved", "reason": "Fine by me."},
        format="json",
    )
    missing = client.post(
        api("plar-request-decision", request_id=submitted.pk + 1000),
        {"decision": "approved", "reason": "Fine by me."},
        format="json",
    )

    assert assert_json_error(review, 404) == assert_json_error(decision, 404)
    assert assert_json_error(decision, 404) == assert_json_error(missing, 404)
    assert db_state() == before


def test_a_session_decision_without_the_csrf_token_is_refused(under_review, instructor):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(instructor)
    before = db_state()

    response = client.post(
        api("plar-request-decision", request_id=under_review.pk),
        {"decision": "approved", "reason": "Fine."},
        format="json",
    )

    assert "CSRF" in assert_json_error(response, 403)["error"]
    assert db_state() == before


def test_deciding_needs_a_signed_in_caller(under_review):
    before = db_state()

    response = APIClient().post(
        api("plar-request-decision", request_id=under_review.pk),
        {"decision": "approved", "reason": "Fine."},
        format="json",
    )

    assert_json_error(response, 401)
    assert db_state() == before


# ------------------------------------------------------------ appeals


@pytest.fixture
def appeal(learner, plar_course, instructor) -> Appeal:
    declined = declined_request(learner, plar_course, instructor, reason="Too thin.")
    return services.appeal_submit(
        learner=learner, request_id=declined.pk, reason="I sent the wrong file."
    )


def test_the_appeal_queue_lists_waiting_appeals_of_the_callers_courses(
    appeal, instructor, other_instructor, registrar
):
    [entry] = client_for(registrar).get(api("plar-appeals")).json()["results"]

    assert entry["id"] == appeal.pk
    assert entry["request"] == appeal.request_id
    assert entry["request_status"] == "declined"
    assert entry["kind"] == "decision"
    assert entry["status"] == "submitted"
    assert entry["reason"] == "I sent the wrong file."
    assert entry["learner"]["email"] == "ada@example.org"
    assert entry["request_url"].endswith(
        api("plar-request-detail", request_id=appeal.request_id)
    )
    other = client_for(other_instructor).get(api("plar-appeals"))
    assert other.json()["results"] == []


def test_granting_an_appeal_against_a_decline_approves_the_request(
    learner, appeal, registrar
):
    response = client_for(registrar).post(
        api("plar-appeal-decision", appeal_id=appeal.pk),
        {"grant": True, "reason": "The right file shows both outcomes."},
        format="json",
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "granted"
    assert body["decision_reason"] == "The right file shows both outcomes."
    assert body["request_status"] == "approved"
    request = PlarRequest.objects.get(pk=appeal.request_id)
    assert request.enrolment.route == Enrolment.Route.PLAR
    mine = client_for(learner).get(api("my-plar-requests")).json()["results"]
    assert mine[0]["enrolment"]["id"] == request.enrolment_id
    assert mine[0]["appeals"][0]["status"] == "granted"


def test_the_reviewer_who_declined_cannot_decide_the_appeal(appeal, instructor):
    before = db_state()

    response = client_for(instructor).post(
        api("plar-appeal-decision", appeal_id=appeal.pk),
        {"grant": False, "reason": "I stand by it."},
        format="json",
    )

    body = assert_refused(response, 403, "own_decision")
    assert "another instructor or a registrar must decide it" in body["error"]
    assert db_state() == before


def test_an_appeal_decision_without_a_reason_or_twice_is_refused(appeal, registrar):
    client = client_for(registrar)
    target = api("plar-appeal-decision", appeal_id=appeal.pk)
    before = db_state()

    blank = client.post(target, {"grant": False, "reason": " "}, format="json")
    no_grant = client.post(target, {"reason": "Refused."}, format="json")

    assert_refused(blank, 400, "reason_required")
    assert "grant" in assert_json_error(no_grant, 400)["errors"]
    assert db_state() == before
    first = client.post(target, {"grant": False, "reason": "Refused."}, format="json")
    assert first.status_code == 200, first.content
    after = db_state()
    again = client.post(target, {"grant": True, "reason": "Changed."}, format="json")
    assert_refused(again, 409, "already_decided")
    assert db_state() == after


def test_appeals_are_for_reviewers_only(learner, other_instructor, appeal):
    before = db_state()

    queue = client_for(learner).get(api("plar-appeals"))
    decision = client_for(learner).post(
        api("plar-appeal-decision", appeal_id=appeal.pk),
        {"grant": True, "reason": "Please."},
        format="json",
    )
    elsewhere = client_for(other_instructor).post(
        api("plar-appeal-decision", appeal_id=appeal.pk),
        {"grant": True, "reason": "Fine."},
        format="json",
    )

    assert_json_error(queue, 403)
    assert_json_error(decision, 403)
    assert_json_error(elsewhere, 404)
    assert db_state() == before


# ------------------------------------------------------------ the schema

PLAR_PATHS = {
    "/api/v1/me/plar-requests/": {"get"},
    "/api/v1/plar-requests/{request_id}/": {"get"},
    "/api/v1/plar-requests/{request_id}/review/": {"post"},
    "/api/v1/plar-requests/{request_id}/decision/": {"post"},
    "/api/v1/plar/review-queue/": {"get"},
    "/api/v1/plar/appeals/": {"get"},
    "/api/v1/plar/appeals/{appeal_id}/decision/": {"post"},
}


def test_the_schema_documents_every_plar_endpoint_with_its_errors(client):
    response = client.get("/api/schema/", {"format": "json"})

    assert response.status_code == 200
    schema = response.json()
    for path, methods in PLAR_PATHS.items():
        assert set(schema["paths"][path]) == methods, path
    decision = schema["paths"]["/api/v1/plar-requests/{request_id}/decision/"]["post"]
    assert {"200", "400", "401", "403", "404", "409"} <= set(decision["responses"])
    queue = schema["paths"]["/api/v1/plar/review-queue/"]["get"]
    assert {"course", "status"} <= {p["name"] for p in queue["parameters"]}
    assert {"200", "401", "403"} <= set(queue["responses"])
    components = schema["components"]["schemas"]
    assert components["PlarDecisionEnum"]["enum"] == [
        "more_info",
        "approved",
        "declined",
    ]
    assert "code" in components["PlarRefusal"]["properties"]


def test_the_schema_with_plar_generates_without_warnings(tmp_path):
    GENERATOR_STATS.reset()
    target = tmp_path / "schema.yaml"

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))

    text = target.read_text()
    assert all(f"{path}:" in text for path in PLAR_PATHS)
