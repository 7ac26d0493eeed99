"""The assessment pages through the test client, on real PostgreSQL.

The learner registers now (a 42-day window: attempt 1 due in four weeks, the
end two weeks later); state is set up through the services, as people cause it.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assessments import services
from assessments.models import Answer, Attempt, ExtraAttempt, GradingEvent, ItemKind
from courses.models import Enrolment
from microcred.models import AuditEntry
from tests import factories
from tests.assessments import factories as af

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def summative(course):
    return af.mixed_summative(course)


@pytest.fixture
def attempt(learner, enrolment, summative):
    return services.attempt_start(learner=learner, assessment_id=summative.pk)


@pytest.fixture
def learner_client(client, learner):
    client.force_login(learner)
    return client


def item_of(assessment, kind: str):
    return assessment.items.get(kind=kind)


def url(name: str, **kwargs) -> str:
    return reverse(f"assessments:{name}", kwargs=kwargs)


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


# --- the summative overview -----------------------------------------------------


def test_overview_states_attempt_number_deadline_in_learner_zone_and_next_step(
    learner_client, enrolment, summative
):
    response = learner_client.get(url("summative", enrolment_id=enrolment.pk))
    assert response.status_code == 200
    text = response.text
    assert "Attempt 1 of 2" in text
    due = enrolment.summative_due_at.astimezone(ZoneInfo("America/Toronto"))
    assert due.strftime("%H:%M") in text  # 23:59 in the learner's zone
    assert f'datetime="{due.isoformat()}"' in text
    assert "Times are shown in your time zone, America/Toronto." in text
    assert "Start attempt 1" in text
    assert "submit it by the summative due date" in text


def test_overview_of_another_learners_enrolment_is_not_found(
    client, other_learner, enrolment, summative
):
    client.force_login(other_learner)
    response = client.get(url("summative", enrolment_id=enrolment.pk))
    assert response.status_code == 404
    start = client.post(url("attempt-start", enrolment_id=enrolment.pk))
    assert start.status_code == 404
    assert not Attempt.objects.exists()


def test_overview_without_a_summative_says_so(learner_client, enrolment):
    response = learner_client.get(url("summative", enrolment_id=enrolment.pk))
    assert response.status_code == 200
    assert "no summative assessment yet" in response.text


def test_start_opens_attempt_one_and_a_second_click_continues_it(
    learner_client, enrolment, summative
):
    first = learner_client.post(url("attempt-start", enrolment_id=enrolment.pk))
    second = learner_client.post(url("attempt-start", enrolment_id=enrolment.pk))
    attempt = Attempt.objects.get()
    assert first.url == second.url == url("attempt", attempt_id=attempt.pk)
    overview = learner_client.get(url("summative", enrolment_id=enrolment.pk))
    assert "Continue attempt 1" in overview.text


def test_overview_lists_released_attempts_with_score_outcomes_and_feedback_link(
    learner_client, learner, instructor, enrolment, summative
):
    attempt = released_fail(learner, instructor, summative)
    response = learner_client.get(url("summative", enrolment_id=enrolment.pk))
    text = response.text
    assert "Attempt 2 of 2" in text
    assert "Start attempt 2" in text
    assert f"Score {attempt.score_percent.normalize():f}%" in text
    assert "Not yet passed" in text
    assert "Not yet met" in text
    assert url("feedback", attempt_id=attempt.pk) in text


def test_learning_page_shows_the_summative_box(learner_client, enrolment, summative):
    response = learner_client.get(
        reverse("courses:learn", kwargs={"enrolment_id": enrolment.pk})
    )
    assert "Attempt 1 of 2 is open until" in response.text
    assert url("summative", enrolment_id=enrolment.pk) in response.text


# --- the attempt page ------------------------------------------------------------


def test_attempt_page_shows_every_item_in_order_by_kind(
    learner_client, attempt, summative
):
    response = learner_client.get(url("attempt", attempt_id=attempt.pk))
    assert response.status_code == 200
    text = response.text
    assert "Attempt 1 of 2" in text
    assert "Submit attempt 1 by" in text
    assert "What happens next:" in text
    positions = [text.index(f'id="item-{item_id}"') for item_id in attempt.item_ids]
    assert positions == sorted(positions)
    single = item_of(summative, ItemKind.SINGLE)
    multiple = item_of(summative, ItemKind.MULTIPLE)
    scenario = item_of(summative, ItemKind.SCENARIO)
    short = item_of(summative, ItemKind.SHORT_ANSWER)
    project = item_of(summative, ItemKind.PROJECT)
    for option in single.options.all():
        assert f'type="radio" name="option" value="{option.pk}"' in text
    for option in multiple.options.all():
        assert f'type="checkbox" name="option" value="{option.pk}"' in text
    assert text.index(scenario.case) < text.index(scenario.prompt)
    assert f'<input type="text" id="text-{short.pk}" name="text"' in text
    assert f'<textarea id="text-{project.pk}" name="text"' in text
    assert f'<input type="file" id="file-{project.pk}"' in text
    assert "Accepted types: .pdf, .docx, .odt, .txt. Up to 10 MB." in text
    assert (
        f'hx-post="{url("answer-save", attempt_id=attempt.pk, item_id=short.pk)}"'
        in text
    )


def test_another_learners_attempt_is_not_found_on_every_learner_page(
    client, other_learner, attempt, summative
):
    client.force_login(other_learner)
    short = item_of(summative, ItemKind.SHORT_ANSWER)
    for response in (
        client.get(url("attempt", attempt_id=attempt.pk)),
        client.get(url("submit", attempt_id=attempt.pk)),
        client.post(url("submit", attempt_id=attempt.pk)),
        client.get(url("feedback", attempt_id=attempt.pk)),
        client.post(
            url("answer-save", attempt_id=attempt.pk, item_id=short.pk),
            {"part": "text", "text": "forged"},
        ),
    ):
        assert response.status_code == 404
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.IN_PROGRESS
    assert not Answer.objects.exists()


def test_autosave_round_trip_survives_a_reload(learner_client, attempt, summative):
    single = item_of(summative, ItemKind.SINGLE)
    multiple = item_of(summative, ItemKind.MULTIPLE)
    short = item_of(summative, ItemKind.SHORT_ANSWER)
    project = item_of(summative, ItemKind.PROJECT)
    chosen = single.options.first()
    ticks = [o.pk for o in multiple.options.all()[:2]]
    htmx = {"HX-Request": "true"}
    for item, data in (
        (single, {"part": "options", "option": [chosen.pk]}),
        (multiple, {"part": "options", "option": ticks}),
        (short, {"part": "text", "text": "3,5"}),
        (project, {"part": "text", "text": "Plan <b>one</b>\nstep two"}),
    ):
        response = learner_client.post(
            url("answer-save", attempt_id=attempt.pk, item_id=item.pk),
            data,
            headers=htmx,
        )
        assert response.status_code == 200
        assert re.search(r"Saved at \d\d:\d\d:\d\d", response.text)
        assert "<html" not in response.text

    page = learner_client.get(url("attempt", attempt_id=attempt.pk)).text
    assert f'value="{chosen.pk}" id="option-{chosen.pk}" checked' in page
    for pk in ticks:
        assert f'value="{pk}" id="option-{pk}" checked' in page
    assert 'value="3,5"' in page
    assert "Plan &lt;b&gt;one&lt;/b&gt;\nstep two</textarea>" in page

    # Unticking every box clears a multiple-select answer.
    learner_client.post(
        url("answer-save", attempt_id=attempt.pk, item_id=multiple.pk),
        {"part": "options"},
        headers=htmx,
    )
    assert Answer.objects.get(item=multiple).selected_option_ids == []


def test_autosave_without_javascript_saves_and_returns_to_the_question(
    learner_client, attempt, summative
):
    short = item_of(summative, ItemKind.SHORT_ANSWER)
    response = learner_client.post(
        url("answer-save", attempt_id=attempt.pk, item_id=short.pk),
        {"part": "text", "text": "3.5"},
    )
    assert response.status_code == 302
    assert response.url.endswith(f"#item-{short.pk}")
    assert Answer.objects.get(item=short).text == "3.5"


def test_a_refused_autosave_says_why_and_keeps_the_typed_text(
    learner_client, attempt, summative
):
    short = item_of(summative, ItemKind.SHORT_ANSWER)
    too_long = "x" * 1001
    response = learner_client.post(
        url("answer-save", attempt_id=attempt.pk, item_id=short.pk),
        {"part": "text", "text": too_long},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 422
    assert "at most 1,000 characters" in response.text
    assert "Your text is still here" in response.text
    assert not Answer.objects.filter(item=short).exists()

    plain = learner_client.post(
        url("answer-save", attempt_id=attempt.pk, item_id=short.pk),
        {"part": "text", "text": too_long},
    )
    assert plain.status_code == 422
    assert f'value="{too_long}"' in plain.text
    assert "at most 1,000 characters" in plain.text


def test_an_answer_to_a_question_of_another_assessment_is_refused(
    learner_client, attempt, course
):
    formative = af.FormativeFactory(microcredential=course)
    foreign = af.ItemFactory(assessment=formative, kind=ItemKind.SINGLE)
    response = learner_client.post(
        url("answer-save", attempt_id=attempt.pk, item_id=foreign.pk),
        {"part": "options", "option": [foreign.options.first().pk]},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 422
    assert "not part of your attempt" in response.text
    assert not Answer.objects.exists()


def test_an_option_of_another_question_is_refused(learner_client, attempt, summative):
    single = item_of(summative, ItemKind.SINGLE)
    other = item_of(summative, ItemKind.TRUE_FALSE).options.first()
    response = learner_client.post(
        url("answer-save", attempt_id=attempt.pk, item_id=single.pk),
        {"part": "options", "option": [other.pk]},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 422
    assert "not part of this question" in response.text
    garbage = learner_client.post(
        url("answer-save", attempt_id=attempt.pk, item_id=single.pk),
        {"part": "options", "option": ["<script>"]},
        headers={"HX-Request": "true"},
    )
    assert garbage.status_code == 422
    assert not Answer.objects.exists()


def test_project_file_type_and_size_are_checked_on_the_server(
    learner_client, attempt, summative
):
    project = item_of(summative, ItemKind.PROJECT)
    save = url("answer-save", attempt_id=attempt.pk, item_id=project.pk)
    htmx = {"HX-Request": "true"}
    wrong = learner_client.post(
        save,
        {"part": "file", "file": SimpleUploadedFile("run.exe", b"MZ...")},
        headers=htmx,
    )
    assert wrong.status_code == 422
    assert "are not accepted here" in wrong.text
    project.max_file_mb = 1
    project.save()
    big = learner_client.post(
        save,
        {
            "part": "file",
            "file": SimpleUploadedFile("plan.pdf", b"%" * (1024 * 1024 + 1)),
        },
        headers=htmx,
    )
    assert big.status_code == 422
    assert "the limit is 1 MB" in big.text
    missing = learner_client.post(save, {"part": "file"}, headers=htmx)
    assert missing.status_code == 422
    assert "Choose a file to upload." in missing.text
    assert not Answer.objects.filter(item=project).exclude(file="").exists()

    good = learner_client.post(
        save,
        {"part": "file", "file": SimpleUploadedFile("plan.pdf", b"%PDF-1.4 plan")},
        headers=htmx,
    )
    assert good.status_code == 200
    assert "File saved at" in good.text
    assert "plan.pdf" in good.text
    assert url("answer-file", attempt_id=attempt.pk, item_id=project.pk) in good.text


# --- submitting ------------------------------------------------------------------


def test_submitting_needs_an_explicit_confirm(learner_client, learner, attempt):
    af.answer_all(learner, attempt, correct=True)
    confirm = learner_client.get(url("submit", attempt_id=attempt.pk))
    assert confirm.status_code == 200
    assert "Yes, submit attempt 1" in confirm.text
    assert "You have answered 6 of 6 questions." in confirm.text
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.IN_PROGRESS

    response = learner_client.post(url("submit", attempt_id=attempt.pk), follow=True)
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.SUBMITTED
    assert response.redirect_chain[-1][0] == url("feedback", attempt_id=attempt.pk)
    assert "Attempt 1 is submitted." in response.text
    assert "Your attempt is waiting for grading." in response.text
    assert "Feedback is due by" in response.text
    # The attempt page now leads to the feedback page.
    again = learner_client.get(url("attempt", attempt_id=attempt.pk))
    assert again.url == url("feedback", attempt_id=attempt.pk)


def test_confirm_page_lists_unanswered_questions(learner_client, attempt, summative):
    response = learner_client.get(url("submit", attempt_id=attempt.pk))
    assert "You have answered 0 of 6 questions." in response.text
    assert "These questions have no answer yet:" in response.text


def test_a_second_submit_is_refused_with_a_message(learner_client, learner, attempt):
    learner_client.post(url("submit", attempt_id=attempt.pk))
    response = learner_client.post(url("submit", attempt_id=attempt.pk), follow=True)
    assert response.status_code == 200
    assert "has already been submitted" in response.text
    assert GradingEvent.objects.filter(action="submitted").count() == 1


def test_a_late_submit_is_refused_with_a_message_and_changes_nothing(
    client, learner, attempt, enrolment
):
    af.answer_all(learner, attempt, correct=True)
    late = enrolment.summative_due_at + dt.timedelta(seconds=1)
    with time_machine.travel(late, tick=False):
        client.force_login(learner)
        page = client.get(url("attempt", attempt_id=attempt.pk))
        assert "The deadline for attempt 1 has passed" in page.text
        assert "Review and submit attempt 1" not in page.text
        response = client.post(url("submit", attempt_id=attempt.pk), follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == url("attempt", attempt_id=attempt.pk)
    assert "cannot be submitted" in response.text
    assert "ask your instructor for an extension" in response.text
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.IN_PROGRESS
    assert attempt.submitted_at is None
    assert not GradingEvent.objects.exists()


# --- the feedback page -----------------------------------------------------------


def test_feedback_page_after_release_shows_everything_and_what_next(
    learner_client, learner, instructor, enrolment, summative
):
    attempt = released_fail(learner, instructor, summative)
    response = learner_client.get(url("feedback", attempt_id=attempt.pk))
    assert response.status_code == 200
    text = response.text
    assert "Not yet passed" in text
    assert f"Score {attempt.score_percent.normalize():f}% (pass mark 70%)" in text
    assert "LO1" in text
    assert "LO2" in text
    assert "Not yet met" in text
    # Per question: the chosen option's feedback, correct or not.
    assert "Not quite: review module 1." in text
    assert "Delta does not belong." in text
    assert "This escalates the complaint." in text
    assert "complains again." in text  # the scenario's consequence
    assert "Not correct" in text
    # Rubric levels with descriptors, per-criterion comment, overall feedback.
    assert "Developing" in text
    assert "Parts are there; important gaps remain." in text
    assert "Say which technique comes first." in text
    assert "A start; revisit module 2." in text
    # What next: attempt 2 open until the end date.
    assert "Attempt 2 is open until" in text
    assert "Start attempt 2" in text


def test_feedback_page_before_release_says_when_it_is_due(
    learner_client, learner, instructor, enrolment, summative
):
    attempt = submitted_attempt(learner, summative, correct=True)
    project = item_of(summative, ItemKind.PROJECT)
    services.grade_save(
        grader=instructor,
        attempt_id=attempt.pk,
        criterion_levels=af.rubric_levels(project, "Exceeds expectations"),
        comments={},
        overall_feedback="Secret until released.",
    )
    response = learner_client.get(url("feedback", attempt_id=attempt.pk))
    text = response.text
    assert "Your attempt is waiting for grading." in text
    assert "Feedback is due by" in text
    assert "Secret until released." not in text
    assert "Passed" not in text


def test_passing_attempt_two_shows_completion(
    learner_client, learner, instructor, enrolment, summative
):
    released_fail(learner, instructor, summative)
    second = submitted_attempt(learner, summative, correct=True)
    project = item_of(summative, ItemKind.PROJECT)
    services.grade_save(
        grader=instructor,
        attempt_id=second.pk,
        criterion_levels=af.rubric_levels(project, "Exceeds expectations"),
        comments={},
        overall_feedback="Well done.",
    )
    services.feedback_release(grader=instructor, attempt_id=second.pk)
    response = learner_client.get(url("feedback", attempt_id=second.pk))
    assert "Passed" in response.text
    assert "You have completed this microcredential." in response.text
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.COMPLETED


# --- grading ---------------------------------------------------------------------


def test_a_learner_may_not_open_the_grading_pages(
    learner_client, learner, summative, enrolment
):
    attempt = submitted_attempt(learner, summative, correct=True)
    assert learner_client.get(url("queue")).status_code == 403
    assert learner_client.get(url("grade", attempt_id=attempt.pk)).status_code == 403
    assert learner_client.post(url("release", attempt_id=attempt.pk)).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client, attempt):
    for target in (url("queue"), url("attempt", attempt_id=attempt.pk)):
        response = client.get(target)
        assert response.status_code == 302
        assert "/accounts/login/" in response.url


def test_an_instructor_of_another_course_gets_not_found(
    client, learner, summative, enrolment
):
    attempt = submitted_attempt(learner, summative, correct=True)
    outsider = factories.StaffFactory(email="outsider@example.org")
    factories.MicrocredentialFactory(owner=outsider)
    client.force_login(outsider)
    queue = client.get(url("queue"))
    assert queue.status_code == 200
    assert learner.legal_name not in queue.text
    assert client.get(url("grade", attempt_id=attempt.pk)).status_code == 404
    project = item_of(summative, ItemKind.PROJECT)
    response = client.post(
        url("grade", attempt_id=attempt.pk),
        {f"level-{project.pk}-1": "1", "action": "save"},
    )
    assert response.status_code == 404


def test_queue_lists_submissions_oldest_first_with_overdue_marked(
    client, instructor, course, offering, summative, django_assert_max_num_queries
):
    learners = [
        factories.UserFactory(email=f"queue{n}@example.org", legal_name=f"Queue {n}")
        for n in range(6)
    ]
    base = dt.datetime(2027, 3, 1, 12, 0, tzinfo=dt.UTC)
    for n, person in enumerate(learners):
        submitted_on = base + dt.timedelta(days=n)
        factories.enrol(person, offering, now=submitted_on - dt.timedelta(hours=1))
        attempt = services.attempt_start(
            learner=person, assessment_id=summative.pk, now=submitted_on
        )
        af.answer_all(person, attempt, correct=True, now=submitted_on)
        services.attempt_submit(learner=person, attempt_id=attempt.pk, now=submitted_on)
    client.force_login(instructor)
    with time_machine.travel(base + dt.timedelta(days=10), tick=False):
        client.force_login(instructor)
        with django_assert_max_num_queries(5):
            response = client.get(url("queue"))
    assert response.status_code == 200
    text = response.text
    order = [text.index(f"Queue {n}") for n in range(6)]
    assert order == sorted(order)
    # Due 7 days after submission: the first three are overdue on day 10.
    assert text.count('class="badge overdue"') == 3
    assert "6 attempts waiting" in text


def test_grading_page_shows_answers_rubric_and_history(
    client, learner, instructor, summative, enrolment
):
    attempt = submitted_attempt(learner, summative, correct=True)
    client.force_login(instructor)
    response = client.get(url("grade", attempt_id=attempt.pk))
    assert response.status_code == 200
    text = response.text
    project = item_of(summative, ItemKind.PROJECT)
    assert "My plan: first apply technique 1" in text
    assert "1 of 1 points (automatic)" in text
    assert "3 of 3 points (automatic)" in text
    for criterion in project.rubric.criteria.all():
        for level in criterion.levels.all():
            assert (
                f'name="level-{project.pk}-{criterion.pk}" value="{level.pk}"' in text
            )
            assert level.descriptor in text
        assert f'name="comment-{project.pk}-{criterion.pk}"' in text
    assert "Save draft" in text
    assert "Save and release feedback" in text
    assert "Submitted by the learner" in text  # history
    assert "Grant an extra attempt" in text


def test_save_draft_then_release_with_confirm(
    client, learner, instructor, summative, enrolment, mailoutbox
):
    attempt = submitted_attempt(learner, summative, correct=True)
    project = item_of(summative, ItemKind.PROJECT)
    levels = af.rubric_levels(project, "Meets expectations")
    data = {f"level-{project.pk}-{c}": lv for c, lv in levels.items()}
    first = project.rubric.criteria.first()
    data[f"comment-{project.pk}-{first.pk}"] = "Clear plan."
    data["overall_feedback"] = "Good work overall."
    client.force_login(instructor)

    draft = client.post(
        url("grade", attempt_id=attempt.pk), data | {"action": "save"}, follow=True
    )
    assert "The draft grade is saved" in draft.text
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.GRADED
    assert attempt.feedback_released_at is None
    for criterion_id, level_id in levels.items():
        radio = rf'id="level-{project.pk}-{criterion_id}-{level_id}"[^>]*checked'
        assert re.search(radio, draft.text)
    assert "Clear plan." in draft.text
    assert "“LO1: Apply technique 1 to a workplace problem.”: none" in draft.text

    to_confirm = client.post(
        url("grade", attempt_id=attempt.pk), data | {"action": "release"}
    )
    assert to_confirm.url == url("release", attempt_id=attempt.pk)
    confirm = client.get(to_confirm.url)
    assert "Yes, release feedback" in confirm.text
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.GRADED

    released = client.post(url("release", attempt_id=attempt.pk), follow=True)
    assert "is released" in released.text
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.RELEASED
    assert attempt.passed is True
    assert len(mailoutbox) == 1
    again = client.post(url("release", attempt_id=attempt.pk), follow=True)
    assert "already released" in again.text
    final = client.get(url("grade", attempt_id=attempt.pk))
    assert "its grade is final" in final.text
    assert "Save draft" not in final.text


def test_a_refused_grade_keeps_what_the_grader_typed(
    client, learner, instructor, summative, enrolment
):
    attempt = submitted_attempt(learner, summative, correct=True)
    project = item_of(summative, ItemKind.PROJECT)
    first = project.rubric.criteria.first()
    client.force_login(instructor)
    response = client.post(
        url("grade", attempt_id=attempt.pk),
        {
            f"comment-{project.pk}-{first.pk}": "A comment without a level.",
            "overall_feedback": "Overall words kept.",
            "action": "save",
        },
    )
    assert response.status_code == 422
    assert "Choose a level for" in response.text
    assert "A comment without a level." in response.text
    assert "Overall words kept." in response.text
    attempt.refresh_from_db()
    assert attempt.overall_feedback == ""

    early = client.get(url("release", attempt_id=attempt.pk), follow=True)
    assert "Choose a level for every rubric criterion" in early.text


def test_extra_attempt_needs_a_reason_and_is_audited(
    client, learner, instructor, summative, enrolment
):
    attempt = submitted_attempt(learner, summative, correct=True)
    client.force_login(instructor)
    refused = client.post(
        url("extra-attempt", attempt_id=attempt.pk), {"reason": "   "}
    )
    assert refused.status_code == 422
    assert "Give a reason for the extra attempt." in refused.text
    assert not ExtraAttempt.objects.exists()

    granted = client.post(
        url("extra-attempt", attempt_id=attempt.pk),
        {"reason": "Documented accommodation."},
        follow=True,
    )
    assert "An extra attempt is granted" in granted.text
    assert "Documented accommodation." in granted.text
    assert ExtraAttempt.objects.get().reason == "Documented accommodation."
    assert AuditEntry.objects.filter(action="assessment.extra_attempt").count() == 1


def test_a_registrar_sees_every_course_in_the_queue(
    client, registrar, learner, summative, enrolment
):
    submitted_attempt(learner, summative, correct=True)
    client.force_login(registrar)
    response = client.get(url("queue"))
    assert learner.legal_name in response.text


# --- files -----------------------------------------------------------------------


def test_a_project_file_is_served_only_to_its_learner_and_graders(
    client, learner, other_learner, instructor, registrar, attempt, summative
):
    project = item_of(summative, ItemKind.PROJECT)
    services.answer_save(
        learner=learner,
        attempt_id=attempt.pk,
        item_id=project.pk,
        upload=SimpleUploadedFile("plan.txt", b"The plan."),
    )
    target = url("answer-file", attempt_id=attempt.pk, item_id=project.pk)
    outsider = factories.StaffFactory(email="outsider@example.org")
    for person, status in (
        (learner, 200),
        (instructor, 200),
        (registrar, 200),
        (other_learner, 404),
        (outsider, 404),
    ):
        client.force_login(person)
        response = client.get(target)
        assert response.status_code == status, person
        if status == 200:
            assert b"".join(response.streaming_content) == b"The plan."
            assert 'attachment; filename="plan.txt"' in response["Content-Disposition"]
            assert "no-store" in response["Cache-Control"]
    client.logout()
    assert client.get(target).status_code == 302
    stored = Answer.objects.get(attempt=attempt, item=project).file
    assert Path(stored.path).is_relative_to(settings.PRIVATE_MEDIA_ROOT)
    assert not Path(stored.path).is_relative_to(settings.MEDIA_ROOT)
    assert client.get(f"{settings.MEDIA_URL}{stored.name}").status_code == 404
    missing = url("answer-file", attempt_id=attempt.pk, item_id=project.pk + 999)
    client.force_login(learner)
    assert client.get(missing).status_code == 404


# --- preview ---------------------------------------------------------------------


def test_staff_preview_an_assessment_as_a_learner_without_recording(
    client, instructor, learner, summative
):
    client.force_login(instructor)
    response = client.get(url("preview", assessment_id=summative.pk))
    assert response.status_code == 200
    text = response.text
    assert "Nothing you choose or type here is sent or recorded." in text
    for item in summative.items.all():
        assert item.prompt in text
    assert "hx-post" not in text
    assert "Save answer" not in text

    client.force_login(learner)
    assert client.get(url("preview", assessment_id=summative.pk)).status_code == 403
    outsider = factories.StaffFactory(email="outsider@example.org")
    client.force_login(outsider)
    assert client.get(url("preview", assessment_id=summative.pk)).status_code == 404
