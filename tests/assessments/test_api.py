"""API v1 for learners' attempts, on real PostgreSQL.

The learner (America/Toronto) registers now for a 42-day window; the course's
summative is ``mixed_summative`` (six questions, one of each kind). State is
set up through the services, as people cause it; every refusal is checked to
change nothing.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from assessments import services
from assessments.models import Answer, Attempt, GradingEvent, ItemKind
from courses import services as course_services
from tests import factories
from tests.assessments import factories as af
from tests.courses.api.json_errors import assert_json_error

pytestmark = pytest.mark.django_db

TORONTO = ZoneInfo("America/Toronto")


def api(name: str, **kwargs) -> str:
    return reverse(f"api:{name}", kwargs=kwargs)


@pytest.fixture
def summative(course):
    return af.mixed_summative(course)


@pytest.fixture
def attempt(learner, enrolment, summative):
    return services.attempt_start(learner=learner, assessment_id=summative.pk)


@pytest.fixture
def learner_api(learner) -> APIClient:
    client = APIClient()
    client.force_login(learner)
    return client


@pytest.fixture
def other_api(other_learner, offering) -> APIClient:
    """Another learner, enrolled in the same offering."""
    factories.enrol(other_learner, offering)
    client = APIClient()
    client.force_login(other_learner)
    return client


def item_of(assessment, kind: str):
    return assessment.items.get(kind=kind)


def db_state() -> tuple:
    """Everything a refused request must leave as it was."""
    return (
        list(
            Attempt.objects.order_by("pk").values_list(
                "pk", "status", "submitted_at", "number"
            )
        ),
        list(
            Answer.objects.order_by("pk").values_list(
                "pk", "item_id", "selected_option_ids", "text", "file", "saved_at"
            )
        ),
        GradingEvent.objects.count(),
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


def submitted_attempt(learner, summative, *, correct: bool) -> Attempt:
    attempt = services.attempt_start(learner=learner, assessment_id=summative.pk)
    af.answer_all(learner, attempt, correct=correct)
    return services.attempt_submit(learner=learner, attempt_id=attempt.pk)


def released_fail(learner, instructor, summative) -> Attempt:
    """Attempt 1, every answer wrong, project graded "Developing", released."""
    attempt = submitted_attempt(learner, summative, correct=False)
    project = item_of(summative, ItemKind.PROJECT)
    criterion = project.rubric.criteria.first()
    services.grade_save(
        grader=instructor,
        attempt_id=attempt.pk,
        criterion_levels=af.rubric_levels(project, "Developing"),
        comments={criterion.pk: "Say which technique comes first."},
        overall_feedback="A start; revisit module 2.",
    )
    return services.feedback_release(grader=instructor, attempt_id=attempt.pk)


def formative_released(learner, course) -> Attempt:
    """A one-question formative check, answered right: released at once."""
    check = af.FormativeFactory(microcredential=course)
    af.ItemFactory(assessment=check, kind=ItemKind.SINGLE)
    return submitted_attempt(learner, check, correct=True)


# ------------------------------------------------------------ my attempts


def test_my_attempts_lists_only_the_callers_own_newest_first(
    learner_api, learner, other_api, other_learner, enrolment, summative, course
):
    first = formative_released(learner, course)
    mine = services.attempt_start(learner=learner, assessment_id=summative.pk)
    services.attempt_start(learner=other_learner, assessment_id=summative.pk)

    response = learner_api.get(api("my-attempts"))

    assert response.status_code == 200
    results = response.json()["results"]
    assert [a["id"] for a in results] == [mine.pk, first.pk]
    body = results[0]
    assert body["assessment"] == {
        "id": summative.pk,
        "title": summative.title,
        "kind": "summative",
    }
    assert body["enrolment"] == enrolment.pk
    assert body["course"]["code"] == course.code
    assert body["number"] == 1
    assert body["status"] == "in_progress"
    assert body["submitted_at"] is None
    assert body["feedback_released"] is False
    assert body["result"] is None
    assert body["result_url"] is None
    assert body["url"].endswith(api("attempt-detail", attempt_id=mine.pk))
    # Times in the learner's zone, with the offset.
    deadline = dt.datetime.fromisoformat(body["deadline_at"])
    assert deadline == enrolment.summative_due_at
    assert (
        deadline.utcoffset()
        == enrolment.summative_due_at.astimezone(TORONTO).utcoffset()
    )


def test_the_result_shows_in_the_list_only_once_feedback_is_released(
    learner_api, learner, instructor, enrolment, summative
):
    released = released_fail(learner, instructor, summative)
    waiting = submitted_attempt(learner, summative, correct=True)

    results = {
        a["id"]: a for a in learner_api.get(api("my-attempts")).json()["results"]
    }

    assert results[waiting.pk]["status"] == "submitted"
    assert results[waiting.pk]["feedback_released"] is False
    assert results[waiting.pk]["result"] is None
    assert results[waiting.pk]["feedback_due_at"] is not None
    done = results[released.pk]
    assert done["feedback_released"] is True
    assert done["result_url"].endswith(api("attempt-result", attempt_id=released.pk))
    assert done["result"]["passed"] is False
    assert Decimal(done["result"]["score_percent"]) == released.score_percent
    assert [(o["code"], o["met"]) for o in done["result"]["outcomes"]] == [
        ("LO1", False),
        ("LO2", False),
    ]
    assert done["result"]["outcomes"][0]["text"].startswith("Apply technique 1")


def test_my_attempts_filter_by_enrolment_and_kind(
    learner_api, learner, enrolment, summative, course
):
    formative = formative_released(learner, course)
    summative_attempt = services.attempt_start(
        learner=learner, assessment_id=summative.pk
    )

    def ids(**params) -> list[int]:
        response = learner_api.get(api("my-attempts"), params)
        assert response.status_code == 200, response.content
        return [a["id"] for a in response.json()["results"]]

    assert ids(kind="summative") == [summative_attempt.pk]
    assert ids(kind="formative") == [formative.pk]
    assert ids(enrolment=enrolment.pk, kind="summative") == [summative_attempt.pk]
    assert ids(enrolment=enrolment.pk + 1000) == []
    body = assert_json_error(learner_api.get(api("my-attempts"), {"kind": "x"}), 400)
    assert "kind" in body["errors"]


def test_my_attempts_need_a_signed_in_caller(attempt):
    response = APIClient().get(api("my-attempts"))

    assert_json_error(response, 401)
    assert response["WWW-Authenticate"] == "Token"


def test_my_attempts_work_with_a_token(learner, attempt):
    token = APIClient().post(
        api("token"),
        {"email": learner.email, "password": factories.PASSWORD},
        format="json",
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.json()['token']}")

    response = client.get(api("my-attempts"))

    assert response.status_code == 200
    assert [a["id"] for a in response.json()["results"]] == [attempt.pk]


@pytest.mark.parametrize("size", [1, 8])
def test_my_attempts_query_count_does_not_grow_with_attempts(
    learner_api,
    learner,
    instructor,
    enrolment,
    course,
    size,
    django_assert_max_num_queries,
):
    for _ in range(size):
        formative_released(learner, course)
        other = factories.MicrocredentialFactory(owner=instructor)
        factories.enrol(learner, factories.OfferingFactory(microcredential=other))
        formative_released(learner, other)

    with django_assert_max_num_queries(6):
        response = learner_api.get(api("my-attempts"))

    results = response.json()["results"]
    assert len(results) == 2 * size
    assert all(len(a["result"]["outcomes"]) == 1 for a in results)


# ------------------------------------------------------------ starting


def test_starting_returns_201_then_200_with_the_same_open_attempt(
    learner_api, learner, enrolment, summative
):
    start = api("attempt-start", enrolment_id=enrolment.pk)

    first = learner_api.post(start, {}, format="json")
    second = learner_api.post(start, {"assessment": summative.pk}, format="json")

    assert first.status_code == 201, first.content
    assert second.status_code == 200, second.content
    attempt = Attempt.objects.get()
    assert first.json()["id"] == second.json()["id"] == attempt.pk
    body = first.json()
    assert body["number"] == 1
    assert body["status"] == "in_progress"
    assert body["time_zone"] == "America/Toronto"
    assert (
        body["deadline"] == enrolment.summative_due_at.astimezone(TORONTO).isoformat()
    )
    assert body["next_step"]["state"] == "in_progress"
    assert body["next_step"]["may_submit"] is True
    assert body["next_step"]["attempt_number"] == 1
    assert "Submit attempt 1 by its deadline" in body["next_step"]["text"]
    assert len(body["questions"]) == 6


def test_starting_a_formative_check_by_id(learner_api, enrolment, course):
    check = af.FormativeFactory(microcredential=course)
    af.ItemFactory(assessment=check, kind=ItemKind.TRUE_FALSE)

    response = learner_api.post(
        api("attempt-start", enrolment_id=enrolment.pk),
        {"assessment": check.pk},
        format="json",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["assessment"]["kind"] == "formative"
    assert body["next_step"]["state"] is None
    assert body["next_step"]["may_submit"] is True


def test_starting_in_another_learners_enrolment_is_not_found(
    other_api, enrolment, summative
):
    response = other_api.post(
        api("attempt-start", enrolment_id=enrolment.pk), {}, format="json"
    )

    assert_json_error(response, 404)
    assert not Attempt.objects.exists()


def test_starting_an_assessment_of_another_course_is_not_found(
    learner_api, learner, enrolment, summative, instructor
):
    elsewhere = af.mixed_summative(factories.MicrocredentialFactory(owner=instructor))

    response = learner_api.post(
        api("attempt-start", enrolment_id=enrolment.pk),
        {"assessment": elsewhere.pk},
        format="json",
    )

    assert_json_error(response, 404)
    assert not Attempt.objects.exists()


def test_starting_with_a_malformed_assessment_id_is_a_field_error(
    learner_api, enrolment, summative
):
    response = learner_api.post(
        api("attempt-start", enrolment_id=enrolment.pk),
        {"assessment": "the final one"},
        format="json",
    )

    body = assert_json_error(response, 400)
    assert "assessment" in body["errors"]
    assert not Attempt.objects.exists()


def test_a_second_attempt_before_feedback_is_refused_with_reason_and_code(
    learner_api, learner, enrolment, summative
):
    submitted_attempt(learner, summative, correct=True)
    before = db_state()

    response = learner_api.post(
        api("attempt-start", enrolment_id=enrolment.pk), {}, format="json"
    )

    body = assert_refused(response, 400, "awaiting_grading")
    assert "waiting to be graded" in body["error"]
    assert db_state() == before


def test_starting_after_the_due_date_is_refused(learner, enrolment, summative):
    client = APIClient()
    with time_machine.travel(enrolment.summative_due_at + dt.timedelta(seconds=1)):
        client.force_login(learner)
        response = client.post(
            api("attempt-start", enrolment_id=enrolment.pk), {}, format="json"
        )

    body = assert_refused(response, 400, "deadline_passed")
    assert "ask your instructor for an extension" in body["error"]
    assert not Attempt.objects.exists()


def test_starting_in_a_withdrawn_enrolment_is_refused(
    learner_api, registrar, enrolment, summative
):
    course_services.enrolment_withdraw(
        actor=registrar, enrolment_id=enrolment.pk, reason="Asked to leave."
    )

    response = learner_api.post(
        api("attempt-start", enrolment_id=enrolment.pk), {}, format="json"
    )

    body = assert_refused(response, 400, "inactive")
    assert "no longer active" in body["error"]
    assert not Attempt.objects.exists()


def test_starting_needs_a_signed_in_caller(enrolment, summative):
    response = APIClient().post(
        api("attempt-start", enrolment_id=enrolment.pk), {}, format="json"
    )

    assert_json_error(response, 401)
    assert not Attempt.objects.exists()


# ------------------------------------------------------------ one attempt


def test_an_attempt_shows_questions_in_order_without_giving_answers_away(
    learner_api, learner, attempt, summative
):
    single = item_of(summative, ItemKind.SINGLE)
    services.answer_save(
        learner=learner,
        attempt_id=attempt.pk,
        item_id=single.pk,
        **af.answers_for(single, correct=False),
    )

    response = learner_api.get(api("attempt-detail", attempt_id=attempt.pk))

    assert response.status_code == 200
    body = response.json()
    questions = body["questions"]
    assert [q["number"] for q in questions] == [1, 2, 3, 4, 5, 6]
    assert [q["kind"] for q in questions] == [
        "single",
        "multiple",
        "true_false",
        "short_answer",
        "scenario",
        "project",
    ]
    assert body["instructions"] == summative.instructions
    assert body["answered_count"] == 1
    first = questions[0]
    assert first["id"] == single.pk
    assert first["answered"] is True
    assert (
        first["answer"]["selected_option_ids"]
        == (af.answers_for(single, correct=False)["option_ids"])
    )
    assert first["points"] == "1.00"
    for question in questions:
        for option in question["options"]:
            assert set(option) == {"id", "text"}
    assert questions[4]["case"].startswith("A customer reports")
    assert questions[3]["answer"] is None
    assert questions[3]["answered"] is False
    assert questions[3]["file"] is None
    assert "accepted_answers" not in questions[3]
    assert questions[5]["file"] == {
        "allowed_types": [".pdf", ".docx", ".odt", ".txt"],
        "max_mb": 10,
    }
    # The accepted short answer ("3.5") appears nowhere as a value (a bare
    # substring check would also match a timestamp's microseconds).
    assert '"3.5"' not in response.content.decode()


def test_an_open_attempt_follows_an_extension_of_the_dates(
    learner_api, instructor, attempt, enrolment
):
    course_services.enrolment_extend(
        actor=instructor, enrolment_id=enrolment.pk, extra_days=5, reason="Illness."
    )
    enrolment.refresh_from_db()

    body = learner_api.get(api("attempt-detail", attempt_id=attempt.pk)).json()

    assert body["deadline"] == (
        enrolment.summative_due_at.astimezone(TORONTO).isoformat()
    )
    assert body["deadline"] != body["deadline_at"]


def test_another_learners_attempt_is_not_found_on_every_endpoint(
    other_api, learner, attempt, summative
):
    single = item_of(summative, ItemKind.SINGLE)
    before = db_state()

    for response in (
        other_api.get(api("attempt-detail", attempt_id=attempt.pk)),
        other_api.get(api("attempt-result", attempt_id=attempt.pk)),
        other_api.put(
            api("answer-save", attempt_id=attempt.pk, item_id=single.pk),
            af.answers_for(single),
            format="json",
        ),
        other_api.post(
            api("attempt-submit", attempt_id=attempt.pk),
            {"confirm": True},
            format="json",
        ),
    ):
        body = assert_json_error(response, 404)
        assert body["error"] == "This attempt does not exist or is not yours."
    assert db_state() == before


def test_an_unknown_attempt_is_not_found(learner_api, attempt):
    assert_json_error(learner_api.get(api("attempt-detail", attempt_id=999_999)), 404)


def test_an_attempt_needs_a_signed_in_caller(attempt):
    assert_json_error(
        APIClient().get(api("attempt-detail", attempt_id=attempt.pk)), 401
    )


# ------------------------------------------------------------ answers


def test_answers_save_by_kind_and_come_back_on_the_attempt(
    learner_api, attempt, summative
):
    multiple = item_of(summative, ItemKind.MULTIPLE)
    short = item_of(summative, ItemKind.SHORT_ANSWER)
    true_false = item_of(summative, ItemKind.TRUE_FALSE)
    chosen = [o.pk for o in multiple.options.all()[:2]]
    true_option = true_false.options.get(text="True")

    saves = [
        learner_api.put(
            api("answer-save", attempt_id=attempt.pk, item_id=multiple.pk),
            {"option_ids": chosen},
            format="json",
        ),
        learner_api.put(
            api("answer-save", attempt_id=attempt.pk, item_id=short.pk),
            {"text": " 3.5 "},
            format="json",
        ),
        learner_api.put(
            api("answer-save", attempt_id=attempt.pk, item_id=true_false.pk),
            {"option_ids": [true_option.pk]},
            format="json",
        ),
    ]

    assert [r.status_code for r in saves] == [200, 200, 200], saves[0].content
    assert saves[0].json()["item"] == multiple.pk
    assert saves[0].json()["selected_option_ids"] == sorted(chosen)
    assert saves[1].json()["text"] == " 3.5 "
    assert dt.datetime.fromisoformat(saves[1].json()["saved_at"]).tzinfo is not None
    detail = learner_api.get(api("attempt-detail", attempt_id=attempt.pk)).json()
    answers = {q["id"]: q["answer"] for q in detail["questions"]}
    assert answers[multiple.pk]["selected_option_ids"] == sorted(chosen)
    assert answers[short.pk]["text"] == " 3.5 "
    assert answers[true_false.pk]["selected_option_ids"] == [true_option.pk]
    assert detail["answered_count"] == 3

    cleared = learner_api.put(
        api("answer-save", attempt_id=attempt.pk, item_id=multiple.pk),
        {"option_ids": []},
        format="json",
    )
    assert cleared.json()["selected_option_ids"] == []
    assert Answer.objects.get(item=multiple).selected_option_ids == []


def test_a_project_file_uploads_as_multipart_and_text_keeps_it(
    learner_api, attempt, summative
):
    project = item_of(summative, ItemKind.PROJECT)
    target = api("answer-save", attempt_id=attempt.pk, item_id=project.pk)

    upload = learner_api.put(
        target,
        {"file": SimpleUploadedFile("plan.pdf", b"%PDF-1.4 plan")},
        format="multipart",
    )
    text = learner_api.put(target, {"text": "My plan, in words."}, format="json")

    assert upload.status_code == 200, upload.content
    assert upload.json()["file_name"] == "plan.pdf"
    assert text.status_code == 200
    assert text.json()["file_name"] == "plan.pdf"
    assert text.json()["text"] == "My plan, in words."
    answer = Answer.objects.get(item=project)
    assert answer.file.read() == b"%PDF-1.4 plan"


def test_a_file_of_the_wrong_type_or_too_large_is_refused_and_nothing_changes(
    learner_api, attempt, summative
):
    project = item_of(summative, ItemKind.PROJECT)
    project.max_file_mb = 1
    project.save()
    target = api("answer-save", attempt_id=attempt.pk, item_id=project.pk)
    before = db_state()

    wrong = learner_api.put(
        target, {"file": SimpleUploadedFile("run.exe", b"MZ...")}, format="multipart"
    )
    big = learner_api.put(
        target,
        {"file": SimpleUploadedFile("plan.pdf", b"%" * (1024 * 1024 + 1))},
        format="multipart",
    )
    empty = learner_api.put(
        target, {"file": SimpleUploadedFile("plan.pdf", b"")}, format="multipart"
    )

    assert (
        "are not accepted here" in assert_refused(wrong, 400, "invalid_answer")["error"]
    )
    assert "the limit is 1 MB" in assert_refused(big, 400, "invalid_answer")["error"]
    assert "file" in assert_json_error(empty, 400)["errors"]
    assert db_state() == before


def test_a_file_for_a_choice_question_is_refused(learner_api, attempt, summative):
    single = item_of(summative, ItemKind.SINGLE)

    response = learner_api.put(
        api("answer-save", attempt_id=attempt.pk, item_id=single.pk),
        {"file": SimpleUploadedFile("plan.pdf", b"%PDF")},
        format="multipart",
    )

    assert "does not take a file" in assert_refused(response, 400)["error"]
    assert not Answer.objects.exists()


def test_a_question_outside_the_attempt_is_not_found_and_nothing_changes(
    learner_api, attempt, course
):
    check = af.FormativeFactory(microcredential=course)
    stranger = af.ItemFactory(assessment=check, kind=ItemKind.SINGLE)
    before = db_state()

    for item_id in (stranger.pk, 999_999):
        response = learner_api.put(
            api("answer-save", attempt_id=attempt.pk, item_id=item_id),
            af.answers_for(stranger),
            format="json",
        )
        body = assert_refused(response, 404, "forged")
        assert body["error"] == "This question is not part of your attempt."
    assert db_state() == before


@pytest.mark.parametrize(
    ("kind", "payload", "field"),
    [
        (ItemKind.SINGLE, {"option_ids": "1"}, "option_ids"),
        (ItemKind.SINGLE, {"option_ids": [1.5]}, "option_ids"),
        (ItemKind.SINGLE, {"option_ids": [True]}, "option_ids"),
        (ItemKind.SHORT_ANSWER, {"text": 3.5}, "text"),
        (ItemKind.SHORT_ANSWER, {"text": ["3.5"]}, "text"),
        (ItemKind.SHORT_ANSWER, {}, "non_field_errors"),
    ],
    ids=[
        "options-not-a-list",
        "option-not-an-integer",
        "option-a-boolean",
        "text-a-number",
        "text-a-list",
        "nothing-sent",
    ],
)
def test_malformed_answers_are_field_errors_and_change_nothing(
    learner_api, attempt, summative, kind, payload, field
):
    item = item_of(summative, kind)
    before = db_state()

    response = learner_api.put(
        api("answer-save", attempt_id=attempt.pk, item_id=item.pk),
        payload,
        format="json",
    )

    body = assert_json_error(response, 400)
    assert field in body["errors"]
    assert db_state() == before


def test_broken_json_is_a_clear_error(learner_api, attempt, summative):
    single = item_of(summative, ItemKind.SINGLE)

    response = learner_api.generic(
        "PUT",
        api("answer-save", attempt_id=attempt.pk, item_id=single.pk),
        '{"option_ids": [1,',
        content_type="application/json",
    )

    assert "JSON parse error" in assert_json_error(response, 400)["error"]
    assert not Answer.objects.exists()


@pytest.mark.parametrize(
    ("kind", "payload", "message"),
    [
        (ItemKind.SINGLE, {"text": "the right one"}, "answered by choosing options"),
        (ItemKind.SHORT_ANSWER, {"option_ids": [1]}, "not answered by choosing"),
        (ItemKind.SHORT_ANSWER, {"text": "x" * 1001}, "at most 1,000 characters"),
    ],
)
def test_an_answer_of_the_wrong_kind_is_refused(
    learner_api, attempt, summative, kind, payload, message
):
    item = item_of(summative, kind)

    response = learner_api.put(
        api("answer-save", attempt_id=attempt.pk, item_id=item.pk),
        payload,
        format="json",
    )

    assert message in assert_refused(response, 400, "invalid_answer")["error"]
    assert not Answer.objects.exists()


def test_an_option_of_another_question_or_two_for_single_choice_is_refused(
    learner_api, attempt, summative
):
    single = item_of(summative, ItemKind.SINGLE)
    multiple = item_of(summative, ItemKind.MULTIPLE)
    target = api("answer-save", attempt_id=attempt.pk, item_id=single.pk)

    foreign = learner_api.put(
        target, {"option_ids": [multiple.options.first().pk]}, format="json"
    )
    two = learner_api.put(
        target,
        {"option_ids": [o.pk for o in single.options.all()[:2]]},
        format="json",
    )

    assert "not part of this question" in assert_refused(foreign, 400)["error"]
    assert "Choose one option" in assert_refused(two, 400)["error"]
    assert not Answer.objects.exists()


def test_a_session_write_without_the_csrf_token_is_refused(learner, attempt, summative):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(learner)
    short = item_of(summative, ItemKind.SHORT_ANSWER)

    response = client.put(
        api("answer-save", attempt_id=attempt.pk, item_id=short.pk),
        {"text": "3.5"},
        format="json",
    )

    assert "CSRF" in assert_json_error(response, 403)["error"]
    assert not Answer.objects.exists()


def test_answers_to_a_submitted_attempt_are_refused_and_kept(
    learner_api, learner, summative, enrolment
):
    attempt = submitted_attempt(learner, summative, correct=True)
    short = item_of(summative, ItemKind.SHORT_ANSWER)
    before = db_state()

    response = learner_api.put(
        api("answer-save", attempt_id=attempt.pk, item_id=short.pk),
        {"text": "changed my mind"},
        format="json",
    )

    assert (
        "already submitted"
        in assert_refused(response, 409, "already_submitted")["error"]
    )
    assert db_state() == before


# ------------------------------------------------------------ submitting


@pytest.mark.parametrize("payload", [{}, {"confirm": False}, {"confirm": "maybe"}])
def test_submitting_needs_confirm_true(learner_api, attempt, payload):
    before = db_state()

    response = learner_api.post(
        api("attempt-submit", attempt_id=attempt.pk), payload, format="json"
    )

    body = assert_json_error(response, 400)
    assert "confirm" in body["errors"]
    assert db_state() == before


def test_submitting_records_it_once_and_a_second_submit_is_a_conflict(
    learner_api, learner, attempt
):
    af.answer_all(learner, attempt, correct=True)
    target = api("attempt-submit", attempt_id=attempt.pk)

    first = learner_api.post(target, {"confirm": True}, format="json")
    second = learner_api.post(target, {"confirm": True}, format="json")

    assert first.status_code == 200, first.content
    body = first.json()
    assert body["status"] == "submitted"
    assert body["submitted_at"] is not None
    assert body["feedback_due_at"] is not None
    assert body["answered_count"] == 6
    assert body["next_step"]["state"] == "awaiting_grading"
    assert body["next_step"]["may_start"] is False
    error = assert_refused(second, 409, "already_submitted")["error"]
    assert error == (
        "Attempt 1 has already been submitted; this submission was not recorded "
        "and nothing changed."
    )
    assert GradingEvent.objects.filter(action="submitted").count() == 1


def test_a_formative_check_is_released_at_submission(
    learner_api, learner, enrolment, course
):
    check = af.FormativeFactory(microcredential=course)
    af.ItemFactory(assessment=check, kind=ItemKind.SINGLE)
    attempt = services.attempt_start(learner=learner, assessment_id=check.pk)
    af.answer_all(learner, attempt, correct=True)

    response = learner_api.post(
        api("attempt-submit", attempt_id=attempt.pk), {"confirm": True}, format="json"
    )

    body = response.json()
    assert body["status"] == "released"
    assert body["result"]["passed"] is True
    assert body["result"]["score_percent"] == "100.00"
    assert body["next_step"]["may_start"] is True


def test_a_late_submit_is_refused_and_changes_nothing(learner, attempt, enrolment):
    af.answer_all(learner, attempt, correct=True)
    before = db_state()
    client = APIClient()

    with time_machine.travel(enrolment.summative_due_at + dt.timedelta(seconds=1)):
        client.force_login(learner)
        response = client.post(
            api("attempt-submit", attempt_id=attempt.pk),
            {"confirm": True},
            format="json",
        )

    body = assert_refused(response, 400, "late")
    assert "cannot be submitted" in body["error"]
    assert "ask your instructor for an extension" in body["error"]
    assert db_state() == before


def test_submitting_needs_a_signed_in_caller(attempt):
    response = APIClient().post(
        api("attempt-submit", attempt_id=attempt.pk), {"confirm": True}, format="json"
    )

    assert_json_error(response, 401)
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.IN_PROGRESS


# ------------------------------------------------------------ results


def test_the_result_is_a_conflict_until_the_feedback_is_released(
    learner_api, learner, attempt, summative
):
    target = api("attempt-result", attempt_id=attempt.pk)
    open_response = learner_api.get(target)
    af.answer_all(learner, attempt, correct=True)
    services.attempt_submit(learner=learner, attempt_id=attempt.pk)
    waiting = learner_api.get(target)

    assert (
        "has not been submitted yet"
        in assert_refused(open_response, 409, "not_submitted")["error"]
    )
    assert (
        "has not been released yet"
        in assert_refused(waiting, 409, "not_released")["error"]
    )


def test_the_released_result_has_score_reasons_outcomes_feedback_and_next_step(
    learner_api, learner, instructor, enrolment, summative
):
    attempt = released_fail(learner, instructor, summative)

    response = learner_api.get(api("attempt-result", attempt_id=attempt.pk))

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["number"] == 1
    assert body["passed"] is False
    assert Decimal(body["score_percent"]) == attempt.score_percent
    assert body["pass_mark_percent"] == "70.00"
    assert any("below the pass mark of 70%" in reason for reason in body["reasons"])
    assert [(o["code"], o["met"]) for o in body["outcomes"]] == [
        ("LO1", False),
        ("LO2", False),
    ]
    assert body["overall_feedback"] == "A start; revisit module 2."
    questions = {q["kind"]: q for q in body["questions"]}
    single = questions["single"]
    assert single["correct"] is False
    assert single["points_awarded"] == "0.00"
    [chosen] = single["chosen_options"]
    assert chosen["is_correct"] is False
    assert chosen["feedback"].startswith("Not quite")
    assert single["feedback"] == [chosen["feedback"]]
    # Options the learner did not choose stay unmarked.
    assert len(single["chosen_options"]) == 1
    assert questions["short_answer"]["text"] == "a guess"
    assert questions["short_answer"]["correct"] is False
    assert questions["scenario"]["chosen_options"][0]["consequence"]
    project = questions["project"]
    assert project["correct"] is None
    assert [line["level"] for line in project["rubric"]] == ["Developing"] * 2
    assert [line["outcome"] for line in project["rubric"]] == ["LO1", "LO2"]
    assert project["rubric"][0]["comment"] == "Say which technique comes first."
    assert project["rubric"][0]["descriptor"]
    assert project["points_awarded"] is not None
    step = body["next_step"]
    assert step["state"] == "may_start"
    assert step["may_start"] is True
    assert step["attempt_number"] == 2
    assert step["deadline"] == enrolment.ends_at.astimezone(TORONTO).isoformat()
    assert "start attempt 2" in step["text"]


def test_attempt_two_starts_after_release_and_the_first_keeps_its_result(
    learner_api, learner, instructor, enrolment, summative
):
    first = released_fail(learner, instructor, summative)

    response = learner_api.post(
        api("attempt-start", enrolment_id=enrolment.pk), {}, format="json"
    )

    assert response.status_code == 201, response.content
    assert response.json()["number"] == 2
    assert response.json()["deadline"] == (
        enrolment.ends_at.astimezone(TORONTO).isoformat()
    )
    results = learner_api.get(api("my-attempts")).json()["results"]
    assert [(a["number"], a["feedback_released"]) for a in results] == [
        (2, False),
        (1, True),
    ]
    assert results[1]["id"] == first.pk
