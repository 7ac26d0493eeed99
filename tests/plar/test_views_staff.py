"""The PLAR review pages of instructors and registrars, through the test client
on real PostgreSQL: the queue, a request's review and decision, appeals and the
figures per course. State is set up through the services."""

from __future__ import annotations

import datetime as dt
import html
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessments import selectors as assessment_selectors
from assessments import services as assessment_services
from courses.models import Enrolment
from microcred.models import AuditEntry
from plar import services
from plar.models import Appeal, PlarRequest, RequestEvent
from tests import factories
from tests.assessments import factories as af
from tests.plar import factories as pf

pytestmark = pytest.mark.django_db

REASON = "Your work samples cover both outcomes at the level the course asks."


def page(response: Any) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def plar_course(instructor):
    course = pf.plar_course(owner=instructor, title="Workplace Data Skills")
    course.instructors.add(instructor)
    return course


@pytest.fixture
def other_instructor(db):
    return factories.StaffFactory(email="other.instructor@example.org")


@pytest.fixture
def submitted(learner, plar_course):
    return pf.submitted_request(learner, plar_course)


@pytest.fixture
def under_review(submitted, instructor):
    return services.review_start(reviewer=instructor, request_id=submitted.pk)


def declined(request: PlarRequest, reviewer) -> PlarRequest:
    services.review_start(reviewer=reviewer, request_id=request.pk)
    return services.request_decide(
        reviewer=reviewer,
        request_id=request.pk,
        decision="declined",
        reason="The evidence does not show outcome LO2.",
    )


def decline_appeal(request: PlarRequest, learner) -> Appeal:
    return services.appeal_submit(
        learner=learner,
        request_id=request.pk,
        reason="My employer letter covers LO2; please look again.",
    )


def take_summative(learner, course, *, correct: bool, now=None):
    """Start, answer and submit an attempt (auto-graded, so released at once)."""
    summative = assessment_selectors.summative_for_course(course.pk)
    attempt = assessment_services.attempt_start(
        learner=learner, assessment_id=summative.pk, now=now
    )
    af.answer_all(learner, attempt, correct=correct, now=now)
    assessment_services.attempt_submit(learner=learner, attempt_id=attempt.pk, now=now)
    attempt.refresh_from_db()
    return attempt


def staff_urls(request: PlarRequest, appeal: Appeal) -> list[tuple[str, str]]:
    return [
        ("get", reverse("plar-staff:queue")),
        ("get", reverse("plar-staff:request", args=[request.pk])),
        ("post", reverse("plar-staff:start", args=[request.pk])),
        ("post", reverse("plar-staff:decide", args=[request.pk])),
        ("get", reverse("plar-staff:appeals")),
        ("get", reverse("plar-staff:appeal", args=[appeal.pk])),
        ("post", reverse("plar-staff:appeal", args=[appeal.pk])),
        ("get", reverse("plar-staff:figures")),
    ]


# --- who may see what -------------------------------------------------------------


def test_a_learner_gets_a_403_on_every_staff_page(
    client, learner, plar_course, instructor
):
    request = declined(pf.submitted_request(learner, plar_course), instructor)
    appeal = decline_appeal(request, learner)
    client.force_login(learner)
    for method, url in staff_urls(request, appeal):
        data = {"decision": "approved", "outcome": "grant", "reason": REASON}
        response = getattr(client, method)(url, data if method == "post" else None)
        assert response.status_code == 403, url
    request.refresh_from_db()
    appeal.refresh_from_db()
    assert request.status == PlarRequest.Status.DECLINED
    assert appeal.status == Appeal.Status.SUBMITTED


def test_an_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get(reverse("plar-staff:queue"))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_an_instructor_of_another_course_gets_a_404_for_the_request_and_its_appeal(
    client, learner, plar_course, instructor, other_instructor
):
    pf.plar_course(owner=other_instructor)
    request = declined(pf.submitted_request(learner, plar_course), instructor)
    appeal = decline_appeal(request, learner)
    client.force_login(other_instructor)
    for method, url in staff_urls(request, appeal):
        if url in (
            reverse("plar-staff:queue"),
            reverse("plar-staff:appeals"),
            reverse("plar-staff:figures"),
        ):
            continue
        data = {"decision": "approved", "outcome": "grant", "reason": REASON}
        response = getattr(client, method)(url, data if method == "post" else None)
        assert response.status_code == 404, url
    queue = client.get(reverse("plar-staff:queue"))
    appeals = client.get(reverse("plar-staff:appeals"))
    assert learner.email not in page(queue)
    assert learner.legal_name not in page(appeals)
    appeal.refresh_from_db()
    assert appeal.status == Appeal.Status.SUBMITTED


def test_a_draft_is_not_reviewable_yet(client, learner, plar_course, registrar):
    draft = pf.draft_request(learner, plar_course)
    client.force_login(registrar)
    response = client.get(reverse("plar-staff:request", args=[draft.pk]))
    assert response.status_code == 404


def test_a_registrar_sees_the_requests_of_every_course(
    client, learner, other_learner, plar_course, other_instructor, registrar
):
    other_course = pf.plar_course(owner=other_instructor, title="Safety Basics")
    first = pf.submitted_request(learner, plar_course)
    second = pf.submitted_request(other_learner, other_course)
    client.force_login(registrar)
    response = client.get(reverse("plar-staff:queue"))
    assert response.status_code == 200
    assert [row["request"] for row in response.context["rows"]] == [first, second]
    for request in (first, second):
        detail = client.get(reverse("plar-staff:request", args=[request.pk]))
        assert detail.status_code == 200


# --- the queue --------------------------------------------------------------------


def test_the_queue_lists_waiting_requests_oldest_submission_first(
    client, plar_course, instructor
):
    now = timezone.now()
    learners = [factories.UserFactory() for _ in range(5)]
    newer = pf.submitted_request(learners[0], plar_course, now=now - dt.timedelta(1))
    older = pf.submitted_request(learners[1], plar_course, now=now - dt.timedelta(5))
    reviewing = pf.submitted_request(
        learners[2], plar_course, now=now - dt.timedelta(3)
    )
    services.review_start(reviewer=instructor, request_id=reviewing.pk)
    pf.draft_request(learners[3], plar_course)
    pf.approved_request(learners[4], plar_course)

    client.force_login(instructor)
    response = client.get(reverse("plar-staff:queue"))
    rows = response.context["rows"]
    assert [row["request"] for row in rows] == [older, reviewing, newer]
    assert [row["days_waiting"] for row in rows] == [5, 3, 1]
    text = page(response)
    assert "3 requests waiting" in text
    assert "Under review" in text
    assert instructor.legal_name in text  # the reviewer of the one under review
    assert reverse("plar-staff:request", args=[older.pk]) in text
    assert '<th scope="col">' in text
    assert "<caption" in text


def test_the_queue_filters_by_course_and_status(
    client, learner, other_learner, plar_course, instructor
):
    second_course = pf.plar_course(owner=instructor, title="Second Course")
    second_course.instructors.add(instructor)
    first = pf.submitted_request(learner, plar_course)
    second = pf.submitted_request(other_learner, second_course)
    services.review_start(reviewer=instructor, request_id=second.pk)
    client.force_login(instructor)

    by_course = client.get(reverse("plar-staff:queue"), {"course": plar_course.pk})
    assert [row["request"] for row in by_course.context["rows"]] == [first]
    by_status = client.get(reverse("plar-staff:queue"), {"status": "under_review"})
    assert [row["request"] for row in by_status.context["rows"]] == [second]
    nothing = client.get(
        reverse("plar-staff:queue"),
        {"course": plar_course.pk, "status": "more_info"},
    )
    assert nothing.context["rows"] == []
    assert "No request waiting matches these filters." in page(nothing)


def test_a_filter_on_a_course_not_taught_shows_a_message_not_its_requests(
    client, learner, other_learner, plar_course, instructor, other_instructor
):
    elsewhere = pf.plar_course(owner=other_instructor)
    mine = pf.submitted_request(learner, plar_course)
    pf.submitted_request(other_learner, elsewhere)
    client.force_login(instructor)
    response = client.get(reverse("plar-staff:queue"), {"course": elsewhere.pk})
    assert response.status_code == 200
    assert "A filter was not valid, so the whole list is shown." in page(response)
    assert [row["request"] for row in response.context["rows"]] == [mine]
    garbage = client.get(reverse("plar-staff:queue"), {"course": "abc"})
    assert garbage.status_code == 200


def test_the_queue_query_count_does_not_grow_with_the_number_of_requests(
    client, plar_course, registrar, django_assert_max_num_queries
):
    for _ in range(2):
        pf.submitted_request(factories.UserFactory(), plar_course)
    client.force_login(registrar)
    client.get(reverse("plar-staff:queue"))  # warm the session
    with CaptureQueriesContext(connection) as two:
        response = client.get(reverse("plar-staff:queue"))
    assert len(response.context["rows"]) == 2
    for _ in range(18):
        request = pf.submitted_request(factories.UserFactory(), plar_course)
        services.review_start(reviewer=registrar, request_id=request.pk)
    with django_assert_max_num_queries(len(two)):
        response = client.get(reverse("plar-staff:queue"))
    assert len(response.context["rows"]) == 20


def test_dates_are_shown_in_the_staff_members_time_zone(
    client, learner, plar_course, registrar
):
    submitted_at = dt.datetime(2026, 3, 1, 23, 30, tzinfo=dt.UTC)
    pf.submitted_request(learner, plar_course, now=submitted_at)
    registrar.time_zone = "Asia/Tokyo"
    registrar.save()
    client.force_login(registrar)
    text = page(client.get(reverse("plar-staff:queue")))
    assert "Monday 2 March 2026, 08:30" in text
    assert "Asia/Tokyo" in text


# --- a request: start, decide -----------------------------------------------------


def test_the_review_page_shows_the_learner_statements_evidence_and_history(
    client, learner, plar_course, instructor
):
    request = pf.draft_request(learner, plar_course)
    evidence_file = services.evidence_add_file(
        learner=learner,
        request_id=request.pk,
        upload=pf.pdf_upload("first-aid-certificate.pdf"),
        title="First aid certificate",
    )
    services.request_submit(learner=learner, request_id=request.pk, declaration=True)
    client.force_login(instructor)

    response = client.get(reverse("plar-staff:request", args=[request.pk]))
    assert response.status_code == 200
    text = page(response)
    assert learner.legal_name in text
    assert learner.email in text
    for outcome in plar_course.outcomes.all():
        assert outcome.code in text
        assert f"At work I {outcome.text.lower()} every week." in text
    link = "https://portfolio.example.org/work-sample"
    assert f'<a href="{link}" target="_blank" rel="noopener noreferrer">{link}' in text
    file_url = "http://testserver" + reverse(
        "plar:evidence-file",
        kwargs={"request_id": request.pk, "evidence_id": evidence_file.pk},
    )
    assert (
        f'<a href="{file_url}" target="_blank" rel="noopener noreferrer">{file_url}'
        in text
    )
    assert "first-aid-certificate.pdf" in text
    assert "Draft → Submitted" in text
    assert reverse("plar-staff:start", args=[request.pk]) in text
    assert 'name="decision"' not in text
    assert "Times are shown in your time zone" in text


def test_the_reviewer_can_open_an_evidence_file_from_the_review_page(
    client, learner, plar_course, instructor
):
    request = pf.draft_request(learner, plar_course)
    evidence = services.evidence_add_file(
        learner=learner, request_id=request.pk, upload=pf.pdf_upload()
    )
    services.request_submit(learner=learner, request_id=request.pk, declaration=True)
    client.force_login(instructor)
    response = client.get(
        reverse(
            "plar:evidence-file",
            kwargs={"request_id": request.pk, "evidence_id": evidence.pk},
        )
    )
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_starting_the_review_tells_the_learner_and_is_audited(
    client, submitted, instructor
):
    client.force_login(instructor)
    response = client.post(reverse("plar-staff:start", args=[submitted.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("plar-staff:request", args=[submitted.pk])
    submitted.refresh_from_db()
    assert submitted.status == PlarRequest.Status.UNDER_REVIEW
    assert submitted.reviewer == instructor
    assert RequestEvent.objects.filter(
        request=submitted, to_status="under_review", actor=instructor
    ).exists()
    assert AuditEntry.objects.filter(
        action="plar.review_start", object_id=str(submitted.pk), actor=instructor
    ).exists()
    after = page(client.get(response["Location"]))
    assert "You are reviewing this request" in after
    assert 'name="decision"' in after
    assert 'id="id_reason"' in after


def test_starting_a_review_twice_is_refused_with_a_message(
    client, under_review, instructor
):
    client.force_login(instructor)
    response = client.post(reverse("plar-staff:start", args=[under_review.pk]))
    assert response.status_code == 422
    assert "cannot become" in page(response)
    assert RequestEvent.objects.filter(to_status="under_review").count() == 1


@pytest.mark.parametrize(
    ("decision", "message"),
    [
        ("approved", "The request is approved"),
        ("declined", "The request is declined"),
        ("more_info", "The learner is asked for more information"),
    ],
)
def test_a_decision_with_a_reason_is_recorded_with_an_event_and_an_audit_entry(
    client, under_review, instructor, decision, message
):
    client.force_login(instructor)
    response = client.post(
        reverse("plar-staff:decide", args=[under_review.pk]),
        {"decision": decision, "reason": REASON},
        follow=True,
    )
    assert response.status_code == 200
    assert message in page(response)
    under_review.refresh_from_db()
    assert under_review.status == decision
    event = RequestEvent.objects.get(request=under_review, to_status=decision)
    assert (event.actor, event.reason, event.from_status) == (
        instructor,
        REASON,
        "under_review",
    )
    entry = AuditEntry.objects.get(action=f"plar.{decision}")
    assert (entry.actor, entry.object_id, entry.reason) == (
        instructor,
        str(under_review.pk),
        REASON,
    )
    assert REASON in page(response)  # in the history


@pytest.mark.parametrize("reason", ["", "   \n  "])
def test_a_decision_without_a_reason_is_refused_with_a_422_and_nothing_changes(
    client, under_review, instructor, reason
):
    client.force_login(instructor)
    response = client.post(
        reverse("plar-staff:decide", args=[under_review.pk]),
        {"decision": "declined", "reason": reason},
    )
    assert response.status_code == 422
    text = page(response)
    assert "Give a reason for the decision; the learner will read it." in text
    assert 'role="alert"' in text
    assert 'href="#id_reason"' in text
    assert 'aria-invalid="true"' in text
    assert 'value="declined" id="id_decision_1" required checked' in text
    under_review.refresh_from_db()
    assert under_review.status == PlarRequest.Status.UNDER_REVIEW
    assert not RequestEvent.objects.filter(to_status="declined").exists()
    assert not AuditEntry.objects.filter(action="plar.declined").exists()


def test_a_decision_without_a_choice_is_refused_with_a_422(
    client, under_review, instructor
):
    client.force_login(instructor)
    response = client.post(
        reverse("plar-staff:decide", args=[under_review.pk]),
        {"decision": "approve it please", "reason": REASON},
    )
    assert response.status_code == 422
    text = page(response)
    assert "Choose approve, decline or ask for more information." in text
    assert 'href="#id_decision_0"' in text
    assert REASON in text  # what the reviewer typed is kept
    under_review.refresh_from_db()
    assert under_review.status == PlarRequest.Status.UNDER_REVIEW


def test_deciding_before_the_review_is_started_is_refused_with_the_rule(
    client, submitted, instructor
):
    client.force_login(instructor)
    response = client.post(
        reverse("plar-staff:decide", args=[submitted.pk]),
        {"decision": "approved", "reason": REASON},
    )
    assert response.status_code == 422
    assert "A request that is “Submitted” cannot become “Approved”." in page(response)
    submitted.refresh_from_db()
    assert submitted.status == PlarRequest.Status.SUBMITTED
    assert submitted.enrolment is None


def test_after_approval_the_page_shows_the_route_dates_and_the_attempts(
    client, learner, under_review, instructor, plar_course
):
    client.force_login(instructor)
    client.post(
        reverse("plar-staff:decide", args=[under_review.pk]),
        {"decision": "approved", "reason": REASON},
    )
    under_review.refresh_from_db()
    enrolment = under_review.enrolment
    assert enrolment.route == Enrolment.Route.PLAR
    before = page(client.get(reverse("plar-staff:request", args=[under_review.pk])))
    assert "Prior learning (PLAR)" in before
    assert "has not started the summative assessment yet" in before
    for moment in (enrolment.summative_due_at, enrolment.ends_at):
        assert timezone.localtime(moment).isoformat() in before

    attempt = take_summative(learner, plar_course, correct=False)
    after = page(client.get(reverse("plar-staff:request", args=[under_review.pk])))
    assert reverse("assessments:grade", args=[attempt.pk]) in after
    assert "Attempt 1" in after
    assert "not yet passed" in after


def test_a_request_waiting_for_more_information_says_so(
    client, under_review, instructor
):
    services.request_decide(
        reviewer=instructor,
        request_id=under_review.pk,
        decision="more_info",
        reason="Please add an employer letter for LO2.",
    )
    client.force_login(instructor)
    text = page(client.get(reverse("plar-staff:request", args=[under_review.pk])))
    assert "Waiting for the learner" in text
    assert 'name="decision"' not in text
    assert "Please add an employer letter for LO2." in text


# --- appeals ----------------------------------------------------------------------


def test_the_appeals_queue_lists_waiting_appeals_with_links(
    client, learner, plar_course, instructor, registrar
):
    request = declined(pf.submitted_request(learner, plar_course), instructor)
    appeal = decline_appeal(request, learner)
    client.force_login(registrar)
    response = client.get(reverse("plar-staff:appeals"))
    assert response.status_code == 200
    assert [row["appeal"] for row in response.context["rows"]] == [appeal]
    text = page(response)
    assert reverse("plar-staff:appeal", args=[appeal.pk]) in text
    assert "Against the decision" in text
    assert "1 appeal waiting" in text
    by_kind = client.get(reverse("plar-staff:appeals"), {"kind": "grade"})
    assert by_kind.context["rows"] == []
    queue = page(client.get(reverse("plar-staff:queue")))
    assert "1 waiting for a decision" in queue


def test_the_original_decider_is_told_they_cannot_decide_the_appeal(
    client, learner, plar_course, instructor
):
    request = declined(pf.submitted_request(learner, plar_course), instructor)
    appeal = decline_appeal(request, learner)
    client.force_login(instructor)
    url = reverse("plar-staff:appeal", args=[appeal.pk])

    shown = page(client.get(url))
    refusal = (
        "You made the decision this appeal is about; another instructor or a "
        "registrar must decide it."
    )
    assert refusal in shown
    assert 'name="outcome"' not in shown
    assert "The evidence does not show outcome LO2." in shown  # what is appealed
    assert "My employer letter covers LO2" in shown  # the learner's reason

    response = client.post(url, {"outcome": "grant", "reason": REASON})
    assert response.status_code == 422
    assert refusal in page(response)
    appeal.refresh_from_db()
    request.refresh_from_db()
    assert appeal.status == Appeal.Status.SUBMITTED
    assert request.status == PlarRequest.Status.DECLINED
    assert not AuditEntry.objects.filter(action__startswith="plar.appeal").exists()


def test_another_reviewer_grants_the_appeal_and_the_request_is_approved(
    client, learner, plar_course, instructor, registrar
):
    request = declined(pf.submitted_request(learner, plar_course), instructor)
    appeal = decline_appeal(request, learner)
    client.force_login(registrar)
    response = client.post(
        reverse("plar-staff:appeal", args=[appeal.pk]),
        {"outcome": "grant", "reason": "The employer letter does cover LO2."},
        follow=True,
    )
    assert response.status_code == 200
    text = page(response)
    assert "The appeal is granted" in text
    assert "The employer letter does cover LO2." in text
    appeal.refresh_from_db()
    request.refresh_from_db()
    assert appeal.status == Appeal.Status.GRANTED
    assert appeal.decided_by == registrar
    assert request.status == PlarRequest.Status.APPROVED
    assert request.enrolment.route == Enrolment.Route.PLAR
    entry = AuditEntry.objects.get(action="plar.appeal_granted")
    assert (entry.actor, entry.object_id) == (registrar, str(appeal.pk))
    assert RequestEvent.objects.filter(
        request=request, from_status="declined", to_status="approved"
    ).exists()


def test_an_appeal_refused_by_another_reviewer_leaves_the_decline(
    client, learner, plar_course, instructor, registrar
):
    request = declined(pf.submitted_request(learner, plar_course), instructor)
    appeal = decline_appeal(request, learner)
    client.force_login(registrar)
    response = client.post(
        reverse("plar-staff:appeal", args=[appeal.pk]),
        {"outcome": "refuse", "reason": "The letter does not describe LO2 tasks."},
    )
    assert response.status_code == 302
    appeal.refresh_from_db()
    request.refresh_from_db()
    assert appeal.status == Appeal.Status.REFUSED
    assert request.status == PlarRequest.Status.DECLINED
    assert AuditEntry.objects.filter(action="plar.appeal_refused").exists()
    again = client.post(
        reverse("plar-staff:appeal", args=[appeal.pk]),
        {"outcome": "grant", "reason": REASON},
    )
    assert again.status_code == 422
    assert "This appeal has already been decided." in page(again)


def test_an_appeal_decision_without_a_reason_is_refused_with_a_422(
    client, learner, plar_course, instructor, registrar
):
    request = declined(pf.submitted_request(learner, plar_course), instructor)
    appeal = decline_appeal(request, learner)
    client.force_login(registrar)
    response = client.post(
        reverse("plar-staff:appeal", args=[appeal.pk]), {"outcome": "grant"}
    )
    assert response.status_code == 422
    text = page(response)
    assert "Give a reason for the decision on the appeal" in text
    assert 'href="#id_reason"' in text
    appeal.refresh_from_db()
    assert appeal.status == Appeal.Status.SUBMITTED


def test_a_result_appeal_shows_the_attempts_score_and_its_grading_page(
    client, learner, plar_course, registrar, instructor
):
    request = pf.approved_request(learner, plar_course, reviewer=registrar)
    attempt = take_summative(learner, plar_course, correct=False)
    assert attempt.passed is False
    appeal = services.appeal_submit(
        learner=learner,
        request_id=request.pk,
        attempt_id=attempt.pk,
        reason="Question 4 accepts 3,5 as well as 3.5.",
    )
    client.force_login(instructor)
    text = page(client.get(reverse("plar-staff:appeal", args=[appeal.pk])))
    assert "Against a result" in text
    assert reverse("assessments:grade", args=[attempt.pk]) in text
    assert "Score 0%" in text
    assert "Not yet passed" in text
    assert "Question 4 accepts 3,5" in text
    assert 'name="outcome"' in text  # the instructor took no part in it


# --- figures ----------------------------------------------------------------------


def test_the_figures_page_shows_rates_and_the_median_days_to_a_decision(
    client, plar_course, instructor
):
    start = timezone.now() - dt.timedelta(days=10)
    learners = [factories.UserFactory() for _ in range(4)]
    for learner, days, decision in zip(
        learners, (2, 4, 6), ("approved", "approved", "declined"), strict=False
    ):
        request = pf.submitted_request(learner, plar_course, now=start)
        services.review_start(reviewer=instructor, request_id=request.pk, now=start)
        services.request_decide(
            reviewer=instructor,
            request_id=request.pk,
            decision=decision,
            reason=REASON,
            now=start + dt.timedelta(days=days),
        )
    pf.submitted_request(learners[3], plar_course)  # waiting: counted, not decided
    take_summative(learners[0], plar_course, correct=True)
    take_summative(learners[1], plar_course, correct=False)
    take_summative(learners[1], plar_course, correct=True)

    client.force_login(instructor)
    response = client.get(reverse("plar-staff:figures"))
    assert response.status_code == 200
    (row,) = response.context["rows"]
    figures = row["figures"]
    assert (figures.requests, figures.decided, figures.approved) == (4, 3, 2)
    assert (row["approval_rate"], row["pass_rate_1"], row["pass_rate_2"]) == (
        67,
        50,
        100,
    )
    assert figures.median_days_to_decision == 4.0
    text = page(response)
    assert "67%" in text
    assert "50%" in text
    assert "100%" in text
    assert "<td>4.0</td>" in text
    assert '<th scope="row">' in text


def test_the_figures_show_a_dash_where_nothing_is_counted(
    client, plar_course, instructor
):
    client.force_login(instructor)
    response = client.get(reverse("plar-staff:figures"))
    (row,) = response.context["rows"]
    assert row["figures"].requests == 0
    assert page(response).count("<td>—</td>") == 4


def test_the_figures_query_count_does_not_grow_with_courses_or_requests(
    client, registrar, django_assert_max_num_queries
):
    course = pf.plar_course()
    pf.approved_request(factories.UserFactory(), course, reviewer=registrar)
    client.force_login(registrar)
    client.get(reverse("plar-staff:figures"))
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("plar-staff:figures"))
    for _ in range(4):
        course = pf.plar_course()
        for _ in range(3):
            pf.approved_request(factories.UserFactory(), course, reviewer=registrar)
    with django_assert_max_num_queries(len(one)):
        response = client.get(reverse("plar-staff:figures"))
    assert len(response.context["rows"]) == 5


# --- the navigation ---------------------------------------------------------------


def test_staff_find_plar_reviews_in_the_navigation(client, instructor, learner):
    client.force_login(instructor)
    text = page(client.get(reverse("plar-staff:figures")))
    assert f'<a href="{reverse("plar-staff:queue")}">PLAR reviews</a>' in text
    client.force_login(learner)
    text = page(client.get(reverse("courses:catalog")))
    assert reverse("plar-staff:queue") not in text
