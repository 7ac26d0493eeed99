"""The learner's formative checks and diagnostic, through the test client on
real PostgreSQL; state is set up through the services, as a learner causes it.

The course (``tests.factories.MicrocredentialFactory``) has LO1 and LO2 and
two modules of two items. Module 1's check assesses LO1, module 2's LO2; the
diagnostic has one question per outcome.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from assessments import services
from assessments.models import Attempt, ItemKind
from courses.models import ItemProgress
from tests import factories
from tests.assessments import factories as af

pytestmark = pytest.mark.django_db


def url(name: str, **kwargs) -> str:
    return reverse(f"assessments:{name}", kwargs=kwargs)


def learn_url(enrolment) -> str:
    return reverse("courses:learn", kwargs={"enrolment_id": enrolment.pk})


def check_url(enrolment, assessment) -> str:
    return url("check", enrolment_id=enrolment.pk, assessment_id=assessment.pk)


@pytest.fixture
def learner_client(client, learner):
    client.force_login(learner)
    return client


@pytest.fixture
def modules(course):
    return list(course.modules.order_by("position"))


@pytest.fixture
def check_1(course, modules):
    """Module 1's check: a single choice and a true/false, both LO1."""
    check = af.FormativeFactory(
        microcredential=course, module=modules[0], title="Check your understanding: M1"
    )
    lo1 = af.outcome(course, "LO1")
    af.ItemFactory(
        assessment=check,
        position=1,
        prompt="Which is the principle?",
        outcomes=[lo1],
        options=[
            ("The right answer", True, "Correct: that is the principle."),
            ("A plausible mistake", False, "Not quite: a mistake many make."),
        ],
    )
    af.ItemFactory(
        assessment=check,
        position=2,
        kind=ItemKind.TRUE_FALSE,
        prompt="The principle applies at work.",
        outcomes=[lo1],
    )
    return check


@pytest.fixture
def check_2(course, modules):
    check = af.FormativeFactory(
        microcredential=course, module=modules[1], title="Check your understanding: M2"
    )
    af.ItemFactory(assessment=check, outcomes=[af.outcome(course, "LO2")])
    return check


@pytest.fixture
def diagnostic(course):
    diagnostic = af.DiagnosticFactory(microcredential=course, title="Where to start")
    for position, code in enumerate(("LO1", "LO2"), start=1):
        af.ItemFactory(
            assessment=diagnostic,
            position=position,
            kind=ItemKind.TRUE_FALSE,
            prompt=f"A statement about {code}.",
            outcomes=[af.outcome(course, code)],
        )
    return diagnostic


def answer(client, attempt, item, *, correct: bool):
    """Answer through the autosave endpoint, as the page's htmx does."""
    kwargs = af.answers_for(item, correct=correct)
    response = client.post(
        url("answer-save", attempt_id=attempt.pk, item_id=item.pk),
        {"part": "options", "option": kwargs["option_ids"]},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200, response.text
    assert "Saved at" in response.text


def start_through_page(client, enrolment, assessment) -> Attempt:
    response = client.post(
        url("check-start", enrolment_id=enrolment.pk, assessment_id=assessment.pk)
    )
    assert response.status_code == 302
    assert response["Location"] == check_url(enrolment, assessment)
    return Attempt.objects.filter(assessment=assessment).latest("number")


def take(client, enrolment, assessment, *, right: set[int]) -> Attempt:
    """Start, answer (right for the item positions in ``right``) and check."""
    attempt = start_through_page(client, enrolment, assessment)
    for item in assessment.items.order_by("position"):
        answer(client, attempt, item, correct=item.position in right)
    response = client.post(url("check-submit", attempt_id=attempt.pk))
    assert response.status_code == 302
    assert response["Location"] == check_url(enrolment, assessment) + (
        "?checked=1#results"
    )
    attempt.refresh_from_db()
    return attempt


# --- formative checks ------------------------------------------------------------


def test_course_home_and_the_modules_item_pages_list_each_check_of_the_module(
    learner_client, enrolment, modules, check_1, check_2
):
    home = learner_client.get(learn_url(enrolment)).text
    assert home.index(check_url(enrolment, check_1)) < home.index(
        check_url(enrolment, check_2)
    )
    assert "Check your understanding: M1" in home
    assert "(optional check)" in home

    item_in_1 = modules[0].items.first()
    page = learner_client.get(
        reverse("courses:item", args=[enrolment.pk, item_in_1.pk])
    ).text
    panel = page[page.index('id="check-panel-heading"') :]
    assert check_url(enrolment, check_1) in panel
    assert check_url(enrolment, check_2) not in panel
    item_in_2 = modules[1].items.first()
    page = learner_client.get(
        reverse("courses:item", args=[enrolment.pk, item_in_2.pk])
    ).text
    panel = page[page.index('id="check-panel-heading"') :]
    assert check_url(enrolment, check_2) in panel


def test_the_check_page_shows_the_questions_with_autosave_and_a_check_button(
    learner_client, enrolment, check_1
):
    page = learner_client.get(check_url(enrolment, check_1)).text
    assert "Start the check" in page
    assert "never counts toward your grade or blocks your progress" in page
    attempt = start_through_page(learner_client, enrolment, check_1)
    page = learner_client.get(check_url(enrolment, check_1)).text
    for item in check_1.items.all():
        assert (
            f'hx-post="{url("answer-save", attempt_id=attempt.pk, item_id=item.pk)}"'
            in page
        )
        assert item.prompt in page
    # The answers and the check share one queue, so a last autosave lands first.
    assert page.count('hx-sync="#check-body:queue all"') == 3
    assert f'action="{url("check-submit", attempt_id=attempt.pk)}"' in page
    assert "Check my answers" in page
    assert "{#" not in page
    assert (
        'id="check-status" class="check-status visually-hidden" role="status"></p>'
        in page
    )


def test_checking_shows_per_question_feedback_at_once(
    learner_client, enrolment, check_1
):
    attempt = take(learner_client, enrolment, check_1, right={1})
    assert attempt.status == Attempt.Status.RELEASED
    response = learner_client.get(check_url(enrolment, check_1) + "?checked=1")
    text = response.text
    status = re.search(r'<p id="check-status"[^>]*>(.*?)</p>', text, re.S).group(1)
    assert "Checked: 1 of 2 questions correct, score 50%." in status
    assert 'id="results-heading" tabindex="-1" autofocus' in text
    assert "1 of 2 questions correct · score 50%" in text
    results = text[text.index('id="results"') :]
    # Question 1: right, with the chosen option's feedback.
    first = results[results.index('id="checked-') : results.index("Question 2 of 2")]
    assert "Correct" in first
    assert "Your choice" in first
    assert "Correct: that is the principle." in first
    assert "Not quite: a mistake many make." not in first
    # Question 2: wrong; the learner's choice and the correct answer, each with
    # its feedback.
    second = results[results.index("Question 2 of 2") :]
    assert "Not correct" in second
    assert "It is true." in second  # feedback of the chosen (wrong) option
    assert "Yes, that is true." in second  # feedback of the correct option
    assert "Correct answer" in second
    assert "Try again" in text
    # A plain visit later does not move the focus or re-announce the result.
    later = learner_client.get(check_url(enrolment, check_1)).text
    assert "autofocus" not in later
    assert 'role="status"></p>' in later


def test_checks_are_unlimited_and_the_outline_shows_the_best_score(
    learner_client, enrolment, check_1
):
    take(learner_client, enrolment, check_1, right=set())
    take(learner_client, enrolment, check_1, right={1, 2})
    third = take(learner_client, enrolment, check_1, right={2})
    assert third.number == 3
    assert Attempt.objects.filter(assessment=check_1).count() == 3
    page = learner_client.get(check_url(enrolment, check_1)).text
    assert "Best score 100% · last score 50% · 3 tries so far" in page
    home = learner_client.get(learn_url(enrolment)).text
    assert "(best 100%, 3 tries)" in home
    # "Try again" opens attempt 4 with no answers.
    attempt = start_through_page(learner_client, enrolment, check_1)
    assert attempt.number == 4
    assert not attempt.answers.exists()
    page = learner_client.get(check_url(enrolment, check_1)).text
    assert "Check my answers" in page


def test_a_second_check_of_the_same_try_is_refused_and_changes_nothing(
    learner_client, enrolment, check_1
):
    attempt = take(learner_client, enrolment, check_1, right={1, 2})
    response = learner_client.post(
        url("check-submit", attempt_id=attempt.pk), follow=True
    )
    assert "has already been submitted" in response.text
    attempt.refresh_from_db()
    assert attempt.score_percent == 100
    assert Attempt.objects.filter(assessment=check_1).count() == 1


def test_the_generic_attempt_pages_send_a_check_to_its_own_page(
    learner_client, enrolment, check_1
):
    attempt = start_through_page(learner_client, enrolment, check_1)
    for response in (
        learner_client.get(url("attempt", attempt_id=attempt.pk)),
        learner_client.get(url("submit", attempt_id=attempt.pk)),
    ):
        assert response.status_code == 302
        assert response["Location"] == check_url(enrolment, check_1)
    # Submitting through the summative route checks it the same way, no confirm.
    response = learner_client.post(url("submit", attempt_id=attempt.pk))
    assert response["Location"].endswith("?checked=1#results")
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.RELEASED


def test_checks_never_gate_content_completion_or_the_summative(
    learner_client, learner, enrolment, modules, check_1
):
    take(learner_client, enrolment, check_1, right=set())  # a failed check
    summative = af.mixed_summative(enrolment.microcredential, with_project=False)
    for item in [i for m in modules for i in m.items.all()]:
        response = learner_client.post(
            reverse("courses:item-complete", args=[enrolment.pk, item.pk])
        )
        assert response.status_code == 302
    assert ItemProgress.objects.filter(completed_at__isnull=False).count() == 4
    home = learner_client.get(learn_url(enrolment)).text
    assert "4 of 4 items complete." in home
    assert "You have completed every item." in home
    start = learner_client.post(url("attempt-start", enrolment_id=enrolment.pk))
    summative_attempt = Attempt.objects.get(assessment=summative)
    assert start["Location"] == url("attempt", attempt_id=summative_attempt.pk)


def test_a_summative_is_never_a_check(learner_client, learner, enrolment):
    summative = af.mixed_summative(enrolment.microcredential)
    assert learner_client.get(check_url(enrolment, summative)).status_code == 404
    start = learner_client.post(
        url("check-start", enrolment_id=enrolment.pk, assessment_id=summative.pk)
    )
    assert start.status_code == 404
    attempt = services.attempt_start(learner=learner, assessment_id=summative.pk)
    response = learner_client.post(url("check-submit", attempt_id=attempt.pk))
    assert response["Location"] == url("submit", attempt_id=attempt.pk)
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.IN_PROGRESS


def test_another_learners_checks_and_tries_are_not_found(
    client, learner, other_learner, enrolment, check_1, offering
):
    attempt = services.attempt_start(learner=learner, assessment_id=check_1.pk)
    factories.enrol(other_learner, offering)  # enrolled in the same course
    client.force_login(other_learner)
    for response in (
        client.get(check_url(enrolment, check_1)),
        client.post(
            url("check-start", enrolment_id=enrolment.pk, assessment_id=check_1.pk)
        ),
        client.post(url("check-submit", attempt_id=attempt.pk)),
        client.get(url("attempt", attempt_id=attempt.pk)),
    ):
        assert response.status_code == 404
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.IN_PROGRESS
    assert Attempt.objects.count() == 1


def test_a_check_of_another_course_is_not_found(learner_client, enrolment):
    other = factories.MicrocredentialFactory()
    foreign = af.FormativeFactory(microcredential=other)
    af.ItemFactory(assessment=foreign)
    assert learner_client.get(check_url(enrolment, foreign)).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client, learner, enrolment, check_1):
    attempt = services.attempt_start(learner=learner, assessment_id=check_1.pk)
    for response in (
        client.get(check_url(enrolment, check_1)),
        client.post(
            url("check-start", enrolment_id=enrolment.pk, assessment_id=check_1.pk)
        ),
        client.post(url("check-submit", attempt_id=attempt.pk)),
    ):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.IN_PROGRESS


def test_staff_preview_works_for_checks_and_the_diagnostic(
    client, instructor, check_1, diagnostic
):
    client.force_login(instructor)
    for assessment in (check_1, diagnostic):
        response = client.get(url("preview", assessment_id=assessment.pk))
        assert response.status_code == 200
        for item in assessment.items.all():
            assert item.prompt in response.text
        assert "hx-post" not in response.text


# --- the diagnostic on the course home -----------------------------------------


def test_course_home_invites_to_the_optional_diagnostic(
    learner_client, enrolment, diagnostic
):
    home = learner_client.get(learn_url(enrolment)).text
    assert "Before you start: diagnostic" in home
    assert "“Where to start” is optional: 2 questions that do not count" in home
    start = url("check-start", enrolment_id=enrolment.pk, assessment_id=diagnostic.pk)
    assert f'action="{start}"' in home
    assert "Take the diagnostic" in home


def test_course_home_without_a_diagnostic_shows_no_box(learner_client, enrolment):
    home = learner_client.get(learn_url(enrolment)).text
    assert "Before you start: diagnostic" not in home


def test_diagnostic_results_on_course_home_say_which_outcomes_and_modules_to_focus_on(
    learner_client, enrolment, modules, diagnostic, check_1, check_2
):
    take(learner_client, enrolment, diagnostic, right={1})  # LO1 right, LO2 wrong
    home = learner_client.get(learn_url(enrolment)).text
    box = home[home.index('id="diagnostic"') : home.index("</section>")]
    assert "Your results by learning outcome" in box
    results = box[: box.index("Focus on")]
    assert re.search(r"Met</span>\s*<span>LO1:", results)
    assert re.search(r"Not yet met</span>\s*<span>LO2:", results)
    focus = box[box.index("Focus on") :]
    assert "LO2: Apply technique 2 to a workplace problem." in focus
    assert "LO1:" not in focus
    module_2_start = modules[1].items.order_by("position").first()
    assert reverse("courses:item", args=[enrolment.pk, module_2_start.pk]) in focus
    assert "Module 2" in focus
    assert "Module 1" not in focus
    assert "Retake the diagnostic" in box
    assert check_url(enrolment, diagnostic) in box


def test_the_diagnostic_can_be_retaken_and_the_latest_result_counts(
    learner_client, enrolment, diagnostic, check_1, check_2
):
    take(learner_client, enrolment, diagnostic, right=set())
    home = learner_client.get(learn_url(enrolment)).text
    focus = home[home.index("Focus on") : home.index("</section>")]
    assert "Module 1" in focus
    assert "Module 2" in focus
    take(learner_client, enrolment, diagnostic, right={1, 2})
    home = learner_client.get(learn_url(enrolment)).text
    box = home[home.index('id="diagnostic"') : home.index("</section>")]
    assert "You met every learning outcome the diagnostic checked." in box
    assert "Not yet met" not in box


def test_the_diagnostic_check_page_shows_focus_and_per_question_feedback(
    learner_client, enrolment, diagnostic, check_2
):
    take(learner_client, enrolment, diagnostic, right={1})
    page = learner_client.get(check_url(enrolment, diagnostic) + "?checked=1").text
    assert "See where to focus below." in page
    assert "Focus on" in page
    assert "Module 2" in page
    assert "Question 2 of 2" in page
    assert "Retake the diagnostic" in page


def test_an_unfinished_diagnostic_is_continued_from_the_course_home(
    learner_client, enrolment, diagnostic
):
    start_through_page(learner_client, enrolment, diagnostic)
    home = learner_client.get(learn_url(enrolment)).text
    assert "Continue the diagnostic" in home
    assert check_url(enrolment, diagnostic) in home


def test_course_home_query_count_does_not_grow_with_checks_or_tries(
    client, learner, course, enrolment, modules, django_assert_max_num_queries
):
    client.force_login(learner)
    af.mixed_summative(course, with_project=False)
    diagnostic = af.DiagnosticFactory(microcredential=course)
    af.ItemFactory(assessment=diagnostic, outcomes=[af.outcome(course, "LO1")])
    af.ItemFactory(
        assessment=diagnostic,
        kind=ItemKind.TRUE_FALSE,
        outcomes=[af.outcome(course, "LO2")],
    )

    def add_checks_and_tries(count: int) -> None:
        for n in range(count):
            check = af.FormativeFactory(microcredential=course, module=modules[n % 2])
            af.ItemFactory(assessment=check)
            af.ItemFactory(assessment=check, kind=ItemKind.TRUE_FALSE)
            for _ in range(2):
                attempt = services.attempt_start(
                    learner=learner, assessment_id=check.pk
                )
                af.answer_all(learner, attempt)
                services.attempt_submit(learner=learner, attempt_id=attempt.pk)
        for _ in range(count):
            attempt = services.attempt_start(
                learner=learner, assessment_id=diagnostic.pk
            )
            af.answer_all(learner, attempt, correct=False)
            services.attempt_submit(learner=learner, attempt_id=attempt.pk)

    add_checks_and_tries(1)
    with django_assert_max_num_queries(24) as few:
        response = client.get(learn_url(enrolment))
    assert response.status_code == 200
    assert "Focus on" in response.text
    add_checks_and_tries(4)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(learn_url(enrolment))
    assert response.text.count("(best 100%, 2 tries)") == 5
