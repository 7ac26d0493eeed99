"""The learner's PLAR pages through the test client, on real PostgreSQL.

State is set up through the services (tests.plar.factories), as a learner and
a reviewer would cause it; the course's summative has no project item, so a
submitted attempt is graded and released at once.
"""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import dateformat

from assessments import selectors as assessment_selectors
from assessments import services as assessment_services
from courses.models import Enrolment
from plar import evidence_files, services
from plar.models import Appeal, Evidence, OutcomeStatement, PlarRequest
from tests import factories
from tests.assessments import factories as af
from tests.plar import factories as pf

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


@pytest.fixture
def plar_course(instructor):
    course = pf.plar_course(owner=instructor)
    course.instructors.add(instructor)
    return course


@pytest.fixture
def learner_client(client, learner):
    client.force_login(learner)
    return client


def url(name: str, **kwargs) -> str:
    return reverse(f"plar:{name}", kwargs=kwargs)


def when(moment, zone: str) -> str:
    """A date as the pages show it (assessments/_when.html), in ``zone``."""
    return dateformat.format(moment.astimezone(ZoneInfo(zone)), "l j F Y, H:i")


def fail_attempt(learner, course):
    """Start the next summative attempt and submit it all wrong (released at once)."""
    summative = assessment_selectors.summative_for_course(course.pk)
    attempt = assessment_services.attempt_start(
        learner=learner, assessment_id=summative.pk
    )
    af.answer_all(learner, attempt, correct=False)
    return assessment_services.attempt_submit(learner=learner, attempt_id=attempt.pk)


def pass_attempt(learner, course):
    summative = assessment_selectors.summative_for_course(course.pk)
    attempt = assessment_services.attempt_start(
        learner=learner, assessment_id=summative.pk
    )
    af.answer_all(learner, attempt, correct=True)
    return assessment_services.attempt_submit(learner=learner, attempt_id=attempt.pk)


def ended_route(learner, course) -> PlarRequest:
    """An approved request whose two attempts both failed: the route ended."""
    request = pf.approved_request(learner, course)
    fail_attempt(learner, course)
    fail_attempt(learner, course)
    request.refresh_from_db()
    return request


def declined_request(learner, course, reviewer) -> PlarRequest:
    request = pf.submitted_request(learner, course)
    services.review_start(reviewer=reviewer, request_id=request.pk)
    return services.request_decide(
        reviewer=reviewer,
        request_id=request.pk,
        decision="declined",
        reason="The evidence does not show technique 2 at work.",
    )


# --- the course page, the catalog and starting a request -------------------------


def test_course_page_shows_the_plar_box_only_when_the_course_offers_plar(
    learner_client, course, plar_course
):
    offered = learner_client.get(plar_course.get_absolute_url()).text
    assert "Already have these skills?" in offered
    assert url("start", slug=plar_course.slug) in offered
    assert "you have 30 days to pass" in offered
    not_offered = learner_client.get(course.get_absolute_url()).text
    assert "Already have these skills?" not in not_offered
    assert url("start", slug=course.slug) not in not_offered


def test_course_page_says_continue_when_the_learner_has_an_open_request(
    learner_client, learner, plar_course
):
    request = services.request_start(learner=learner, course_id=plar_course.pk)
    page = learner_client.get(plar_course.get_absolute_url()).text
    assert "Continue your PLAR request" in page
    assert url("request", request_id=request.pk) in page


def test_catalog_card_notes_prior_learning_for_courses_offering_it(
    client, course, plar_course
):
    page = client.get(reverse("courses:catalog")).text
    assert page.count("Prior learning assessment available") == 1
    assert url("start", slug=plar_course.slug) in page


def test_start_page_explains_the_challenge_and_offers_to_start(
    learner_client, plar_course
):
    response = learner_client.get(url("start", slug=plar_course.slug))
    assert response.status_code == 200
    text = response.text
    for outcome in plar_course.outcomes.all():
        assert outcome.code in text
        assert outcome.text in text
    assert "PLAR window of 30 days" in text
    # 30 days less 7 for feedback and 7 for the second attempt.
    assert "the first attempt is due 16 days after approval" in text
    assert "two attempts" in text
    assert "Start my request" in text
    assert ".pdf" in text


def test_starting_a_request_opens_a_draft_and_a_second_click_returns_to_it(
    learner_client, learner, plar_course
):
    first = learner_client.post(url("start", slug=plar_course.slug))
    second = learner_client.post(url("start", slug=plar_course.slug))
    request = PlarRequest.objects.get(learner=learner)
    assert first.url == second.url == url("request", request_id=request.pk)
    assert request.status == "draft"
    assert request.statements.count() == plar_course.outcomes.count()


def test_start_page_of_an_unknown_or_unpublished_course_is_a_404(learner_client):
    draft = pf.plar_course(status="draft")
    assert learner_client.get(url("start", slug="no-such-course")).status_code == 404
    assert learner_client.get(url("start", slug=draft.slug)).status_code == 404
    assert learner_client.post(url("start", slug=draft.slug)).status_code == 404
    assert not PlarRequest.objects.exists()


def test_start_page_asks_an_anonymous_visitor_to_sign_in(client, plar_course):
    response = client.get(url("start", slug=plar_course.slug))
    assert response.status_code == 302
    assert reverse("account_login") in response.url


def test_start_is_refused_for_a_course_that_does_not_offer_plar(learner_client, course):
    factories.OfferingFactory(microcredential=course)
    page = learner_client.get(url("start", slug=course.slug)).text
    assert "does not offer prior learning assessment" in page
    assert "Start my request" not in page
    refused = learner_client.post(url("start", slug=course.slug))
    assert refused.status_code == 422
    assert "does not offer prior learning assessment" in refused.text
    assert not PlarRequest.objects.exists()


def test_start_page_sends_a_learner_with_an_open_request_to_it(
    learner_client, learner, plar_course
):
    request = pf.submitted_request(learner, plar_course)
    page = learner_client.get(url("start", slug=plar_course.slug)).text
    assert "already have an open PLAR request" in page
    assert url("request", request_id=request.pk) in page
    assert "Start my request" not in page


def test_start_page_tells_a_credential_holder_so(
    learner_client, learner, plar_course, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        pf.approved_request(learner, plar_course)
        pass_attempt(learner, plar_course)
    page = learner_client.get(url("start", slug=plar_course.slug)).text
    assert "already completed this microcredential and hold its credential" in page
    assert reverse("credentials:mine") in page
    assert "Start my request" not in page
    refused = learner_client.post(url("start", slug=plar_course.slug))
    assert refused.status_code == 422
    assert PlarRequest.objects.filter(learner=learner).count() == 1


# --- statements -------------------------------------------------------------------


def test_request_page_has_a_labelled_autosaving_box_per_outcome(
    learner_client, learner, plar_course
):
    request = services.request_start(learner=learner, course_id=plar_course.pk)
    page = learner_client.get(url("request", request_id=request.pk)).text
    assert "<fieldset" in page
    assert "<legend>" in page
    for outcome in plar_course.outcomes.all():
        save = url("statement-save", request_id=request.pk, outcome_id=outcome.pk)
        assert f'hx-post="{save}"' in page
        assert f'<label for="statement-{outcome.pk}">{outcome.code}: ' in page
    assert 'hx-trigger="input changed delay:800ms, change, submit"' in page
    assert f'data-answer-draft="plar-{request.pk}-' in page
    assert "Add evidence" in page
    assert "Review and submit" in page


def test_statement_autosaves_through_htmx(learner_client, learner, plar_course):
    request = services.request_start(learner=learner, course_id=plar_course.pk)
    outcome = plar_course.outcomes.first()
    response = learner_client.post(
        url("statement-save", request_id=request.pk, outcome_id=outcome.pk),
        {"text": "I run this at work every week."},
        headers=HTMX,
    )
    assert response.status_code == 200
    assert response.text.startswith("Saved at ")
    statement = OutcomeStatement.objects.get(request=request, outcome=outcome)
    assert statement.text == "I run this at work every week."


def test_statement_saves_without_javascript_and_returns_to_the_request(
    learner_client, learner, plar_course
):
    request = services.request_start(learner=learner, course_id=plar_course.pk)
    outcome = plar_course.outcomes.first()
    response = learner_client.post(
        url("statement-save", request_id=request.pk, outcome_id=outcome.pk),
        {"text": "Plain form."},
    )
    assert response.status_code == 302
    assert response.url == url("request", request_id=request.pk) + (
        f"#outcome-{outcome.pk}"
    )
    assert OutcomeStatement.objects.get(outcome=outcome).text == "Plain form."
    page = learner_client.get(response.url).text
    assert "Your statement is saved." in page
    assert "Plain form." in page


def test_a_too_long_statement_is_refused_and_the_text_is_kept(
    learner_client, learner, plar_course
):
    request = services.request_start(learner=learner, course_id=plar_course.pk)
    outcome = plar_course.outcomes.first()
    save = url("statement-save", request_id=request.pk, outcome_id=outcome.pk)
    too_long = "x" * (services.MAX_STATEMENT_LENGTH + 1)
    htmx = learner_client.post(save, {"text": too_long}, headers=HTMX)
    assert htmx.status_code == 422
    assert "at most 10,000 characters" in htmx.text
    assert "nothing was lost" in htmx.text
    plain = learner_client.post(save, {"text": too_long})
    assert plain.status_code == 422
    assert too_long in plain.text
    assert OutcomeStatement.objects.get(outcome=outcome).text == ""


def test_a_submitted_request_refuses_statement_changes(
    learner_client, learner, plar_course
):
    request = pf.submitted_request(learner, plar_course)
    outcome = plar_course.outcomes.first()
    before = OutcomeStatement.objects.get(request=request, outcome=outcome).text
    response = learner_client.post(
        url("statement-save", request_id=request.pk, outcome_id=outcome.pk),
        {"text": "Changed after submitting."},
        headers=HTMX,
    )
    assert response.status_code == 422
    assert "cannot be changed now" in response.text
    assert OutcomeStatement.objects.get(outcome=outcome).text == before


def test_another_learner_gets_a_404_for_the_request_and_its_actions(
    client, learner, other_learner, plar_course
):
    request = pf.draft_request(learner, plar_course)
    outcome = plar_course.outcomes.first()
    evidence = request.evidence.get()
    client.force_login(other_learner)
    assert client.get(url("request", request_id=request.pk)).status_code == 404
    assert client.get(url("status", request_id=request.pk)).status_code == 404
    assert client.get(url("submit", request_id=request.pk)).status_code == 404
    assert client.get(url("appeal", request_id=request.pk)).status_code == 404
    save = url("statement-save", request_id=request.pk, outcome_id=outcome.pk)
    assert client.post(save, {"text": "Mine now"}, headers=HTMX).status_code == 404
    remove = url("evidence-remove", request_id=request.pk, evidence_id=evidence.pk)
    assert client.post(remove).status_code == 404
    assert client.post(url("withdraw", request_id=request.pk)).status_code == 404
    add = url("evidence-add", request_id=request.pk)
    assert client.post(add, {"url": "https://example.org"}).status_code == 404
    request.refresh_from_db()
    assert request.status == "draft"
    assert request.evidence.count() == 1
    assert "Mine now" not in OutcomeStatement.objects.get(outcome=outcome).text


# --- evidence -----------------------------------------------------------------------


def test_a_pdf_is_added_as_evidence_in_private_storage(
    learner_client, learner, plar_course, private_files
):
    request = services.request_start(learner=learner, course_id=plar_course.pk)
    response = learner_client.post(
        url("evidence-add", request_id=request.pk),
        {"title": "Prior certificate", "file": pf.pdf_upload()},
    )
    assert response.status_code == 302
    assert response.url.endswith("#evidence")
    evidence = Evidence.objects.get(request=request)
    assert evidence.title == "Prior certificate"
    assert evidence.original_name == "certificate.pdf"
    assert (private_files / evidence.file.name).exists()
    page = learner_client.get(url("request", request_id=request.pk)).text
    assert "Prior certificate" in page
    assert "is added to your evidence" in page


def test_a_renamed_executable_is_refused_and_nothing_is_stored(
    learner_client, learner, plar_course, private_files
):
    request = services.request_start(learner=learner, course_id=plar_course.pk)
    fake = SimpleUploadedFile(
        "letter.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200, "application/pdf"
    )
    response = learner_client.post(
        url("evidence-add", request_id=request.pk), {"title": "Letter", "file": fake}
    )
    assert response.status_code == 422
    assert "not a renamed file" in response.text
    assert 'id="error-summary"' in response.text
    assert 'href="#id_file"' in response.text
    assert not Evidence.objects.exists()
    assert not private_files.exists() or not any(private_files.rglob("*.*"))


def test_a_file_over_the_size_limit_is_refused(learner_client, learner, plar_course):
    request = services.request_start(learner=learner, course_id=plar_course.pk)
    size = evidence_files.MAX_FILE_MB * evidence_files.MB + 1
    big = SimpleUploadedFile(
        "portfolio.pdf", pf.PDF_BYTES + b"0" * (size - len(pf.PDF_BYTES))
    )
    response = learner_client.post(
        url("evidence-add", request_id=request.pk), {"file": big}
    )
    assert response.status_code == 422
    assert "too large: the limit is 20 MB" in response.text
    assert not Evidence.objects.exists()


def test_a_file_of_a_type_not_accepted_is_refused(learner_client, learner, plar_course):
    request = services.request_start(learner=learner, course_id=plar_course.pk)
    script = SimpleUploadedFile("run.sh", b"#!/bin/sh\necho hi\n")
    response = learner_client.post(
        url("evidence-add", request_id=request.pk), {"file": script}
    )
    assert response.status_code == 422
    assert "are not accepted as evidence" in response.text
    assert not Evidence.objects.exists()


def test_evidence_needs_a_file_or_a_link_but_not_both(
    learner_client, learner, plar_course
):
    request = services.request_start(learner=learner, course_id=plar_course.pk)
    add = url("evidence-add", request_id=request.pk)
    neither = learner_client.post(add, {"title": "Nothing"})
    assert neither.status_code == 422
    assert "Choose a file to upload or enter a link." in neither.text
    assert 'value="Nothing"' in neither.text  # what was typed is kept
    both = learner_client.post(
        add, {"file": pf.pdf_upload(), "url": "https://example.org/work"}
    )
    assert both.status_code == 422
    assert "not both" in both.text
    bad_link = learner_client.post(add, {"url": "not a web address"})
    assert bad_link.status_code == 422
    assert "starting with https://" in bad_link.text
    assert not Evidence.objects.exists()


def test_a_link_is_added_and_evidence_can_be_removed(
    learner_client, learner, plar_course
):
    request = services.request_start(learner=learner, course_id=plar_course.pk)
    learner_client.post(
        url("evidence-add", request_id=request.pk),
        {"title": "Portfolio", "url": "https://portfolio.example.org/me"},
    )
    evidence = Evidence.objects.get(request=request)
    page = learner_client.get(url("request", request_id=request.pk)).text
    assert 'href="https://portfolio.example.org/me"' in page
    response = learner_client.post(
        url("evidence-remove", request_id=request.pk, evidence_id=evidence.pk)
    )
    assert response.status_code == 302
    assert not Evidence.objects.exists()


def _file_evidence(learner, course) -> tuple[PlarRequest, Evidence]:
    request = pf.draft_request(learner, course)
    evidence = services.evidence_add_file(
        learner=learner,
        request_id=request.pk,
        upload=pf.pdf_upload("employer letter.pdf"),
        title="Employer letter",
    )
    return request, evidence


def test_the_candidate_downloads_their_evidence_file(
    learner_client, learner, plar_course
):
    request, evidence = _file_evidence(learner, plar_course)
    response = learner_client.get(
        url("evidence-file", request_id=request.pk, evidence_id=evidence.pk)
    )
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == pf.PDF_BYTES
    assert "attachment" in response["Content-Disposition"]
    assert "employer letter.pdf" in response["Content-Disposition"]
    assert response["Cache-Control"] == "private, no-store"


def test_reviewers_of_the_course_download_evidence_once_submitted(
    client, learner, instructor, registrar, plar_course
):
    request, evidence = _file_evidence(learner, plar_course)
    file_url = url("evidence-file", request_id=request.pk, evidence_id=evidence.pk)
    client.force_login(registrar)
    assert client.get(file_url).status_code == 404  # a draft is the learner's own
    services.request_submit(learner=learner, request_id=request.pk, declaration=True)
    for reviewer in (registrar, instructor):
        client.force_login(reviewer)
        response = client.get(file_url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == pf.PDF_BYTES


def test_evidence_files_are_404_for_another_learner_and_another_courses_instructor(
    client, learner, other_learner, plar_course
):
    request, evidence = _file_evidence(learner, plar_course)
    services.request_submit(learner=learner, request_id=request.pk, declaration=True)
    file_url = url("evidence-file", request_id=request.pk, evidence_id=evidence.pk)
    elsewhere = factories.StaffFactory()
    factories.MicrocredentialFactory(owner=elsewhere).instructors.add(elsewhere)
    for outsider in (other_learner, elsewhere):
        client.force_login(outsider)
        assert client.get(file_url).status_code == 404


def test_a_link_has_no_file_to_download(learner_client, learner, plar_course):
    request = pf.draft_request(learner, plar_course)
    link = request.evidence.get()
    response = learner_client.get(
        url("evidence-file", request_id=request.pk, evidence_id=link.pk)
    )
    assert response.status_code == 404


# --- submitting and withdrawing ----------------------------------------------------


def test_submit_page_lists_what_is_missing_with_links_to_fix_it(
    learner_client, learner, plar_course
):
    request = services.request_start(learner=learner, course_id=plar_course.pk)
    page = learner_client.get(url("submit", request_id=request.pk)).text
    assert "Before you can submit" in page
    assert "missing: LO1, LO2" in page
    first = plar_course.outcomes.get(code="LO1")
    assert url("request", request_id=request.pk) + f"#outcome-{first.pk}" in page
    assert url("request", request_id=request.pk) + "#add-evidence" in page
    assert "Submit my request" not in page


def test_submit_needs_the_declaration(learner_client, learner, plar_course):
    request = pf.draft_request(learner, plar_course)
    page = learner_client.get(url("submit", request_id=request.pk)).text
    assert "I declare that these statements" in page
    assert "Submit my request" in page
    response = learner_client.post(url("submit", request_id=request.pk), {})
    assert response.status_code == 422
    assert "Tick the declaration" in response.text
    assert 'href="#id_declaration"' in response.text
    request.refresh_from_db()
    assert request.status == "draft"
    assert request.submitted_at is None


def test_submit_needs_a_statement_for_every_outcome(
    learner_client, learner, plar_course
):
    request = pf.draft_request(learner, plar_course)
    lo2 = plar_course.outcomes.get(code="LO2")
    services.statement_save(
        learner=learner, request_id=request.pk, outcome_id=lo2.pk, text="  "
    )
    response = learner_client.post(
        url("submit", request_id=request.pk), {"declaration": "on"}
    )
    assert response.status_code == 422
    assert "missing: LO2" in response.text
    request.refresh_from_db()
    assert request.status == "draft"
    assert not request.declaration


def test_submitting_with_the_declaration_submits_and_shows_the_status(
    learner_client, learner, plar_course
):
    request = pf.draft_request(learner, plar_course)
    response = learner_client.post(
        url("submit", request_id=request.pk), {"declaration": "on"}, follow=True
    )
    request.refresh_from_db()
    assert request.status == "submitted"
    assert request.declaration
    text = response.text
    assert "Your request is submitted." in text
    assert '<h2 id="status-heading">Status</h2>' in text
    assert "waiting for a reviewer" in text
    assert f'hx-get="{url("status", request_id=request.pk)}?v=' in text
    assert 'hx-trigger="every 45s"' in text
    # A submitted request is read-only: no autosaving boxes any more.
    assert "hx-post" not in text


def test_submit_page_of_a_submitted_request_sends_back_to_its_status(
    learner_client, learner, plar_course
):
    request = pf.submitted_request(learner, plar_course)
    response = learner_client.get(url("submit", request_id=request.pk))
    assert response.status_code == 302
    assert response.url == url("request", request_id=request.pk)


def test_withdrawing_closes_the_request(learner_client, learner, plar_course):
    request = pf.submitted_request(learner, plar_course)
    page = learner_client.get(url("request", request_id=request.pk)).text
    assert "Yes, withdraw my request" in page
    response = learner_client.post(url("withdraw", request_id=request.pk))
    assert response.url == url("mine")
    request.refresh_from_db()
    assert request.status == "withdrawn"


# --- the status page ----------------------------------------------------------------


def test_status_page_shows_the_reason_and_every_date_in_the_learners_zone(
    learner_client, learner, plar_course
):
    learner.time_zone = "Asia/Tokyo"
    learner.save(update_fields=["time_zone"])
    request = pf.approved_request(learner, plar_course)
    enrolment = request.enrolment
    response = learner_client.get(url("request", request_id=request.pk))
    text = response.text
    assert "Approved" in text
    assert "Your evidence covers both outcomes." in text
    for moment in (
        request.submitted_at,
        request.decided_at,
        enrolment.summative_due_at,
        enrolment.ends_at,
    ):
        assert when(moment, "Asia/Tokyo") in text
    assert "Times are shown in your time zone, Asia/Tokyo." in text
    summative = reverse("assessments:summative", kwargs={"enrolment_id": enrolment.pk})
    assert summative in text
    assert "Go to the summative assessment" in text
    assert "it is not required" in text
    history = [
        "Submitted",
        "Under review",
        "Approved",
    ]
    positions = [text.index(f"<strong>{label}</strong>") for label in history]
    assert positions == sorted(positions)


def test_status_partial_is_the_status_block_alone(
    client, learner, other_learner, plar_course
):
    request = pf.submitted_request(learner, plar_course)
    client.force_login(learner)
    response = client.get(url("status", request_id=request.pk), headers=HTMX)
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<section id="plar-status"')
    assert "<html" not in response.text
    client.force_login(other_learner)
    assert client.get(url("status", request_id=request.pk)).status_code == 404


def test_status_poll_gets_nothing_new_until_the_request_changes(
    client, learner, plar_course, registrar
):
    request = pf.submitted_request(learner, plar_course)
    client.force_login(learner)
    page = client.get(url("request", request_id=request.pk)).text
    poll = re.search(r'hx-get="([^"]+)"', page).group(1).replace("&amp;", "&")
    assert client.get(poll, headers=HTMX).status_code == 204
    services.review_start(reviewer=registrar, request_id=request.pk)
    changed = client.get(poll, headers=HTMX)
    assert changed.status_code == 200
    assert "Under review" in changed.text
    assert 'id="plar-status-announce"' in changed.text  # told to screen readers
    client.logout()
    assert client.get(poll, headers=HTMX).status_code == 204


def test_status_partial_shows_a_decision_made_since_the_page_was_opened(
    learner_client, learner, plar_course, registrar
):
    request = pf.submitted_request(learner, plar_course)
    services.review_start(reviewer=registrar, request_id=request.pk)
    services.request_decide(
        reviewer=registrar,
        request_id=request.pk,
        decision="more_info",
        reason="Add your employer's letter for LO2.",
    )
    text = learner_client.get(url("status", request_id=request.pk)).text
    assert "More information requested" in text
    assert "Add your employer&#x27;s letter for LO2." in text
    assert "Go to your request" in text
    page = learner_client.get(url("request", request_id=request.pk)).text
    assert "The reviewer asked for more information" in page
    assert "hx-post" in page  # editable again


def test_my_requests_lists_each_request_with_its_status(
    learner_client, learner, plar_course, registrar
):
    other = pf.plar_course()
    pf.submitted_request(learner, plar_course)
    declined_request(learner, other, registrar)
    text = learner_client.get(url("mine")).text
    assert plar_course.title in text
    assert other.title in text
    assert "Waiting for a reviewer." in text
    assert "Declined" in text


def test_my_requests_query_count_does_not_grow_with_requests(
    client, learner, django_assert_max_num_queries
):
    reviewer = pf.registrar()
    for n in range(6):
        course = pf.plar_course()
        if n % 3 == 0:
            pf.approved_request(learner, course, reviewer=reviewer)
        elif n % 3 == 1:
            declined_request(learner, course, reviewer)
        else:
            pf.draft_request(learner, course)
    client.force_login(learner)
    with django_assert_max_num_queries(6):
        response = client.get(url("mine"))
    assert response.status_code == 200
    assert response.text.count('class="card plar-card"') == 6


# --- appeals --------------------------------------------------------------------------


def test_a_declined_request_can_be_appealed_with_a_reason(
    learner_client, learner, plar_course, registrar
):
    request = declined_request(learner, plar_course, registrar)
    status = learner_client.get(url("request", request_id=request.pk)).text
    assert "The evidence does not show technique 2 at work." in status
    assert url("appeal", request_id=request.pk) in status
    assert "Register for the full course" in status

    form = learner_client.get(url("appeal", request_id=request.pk))
    assert form.status_code == 200
    assert "Why are you appealing?" in form.text
    empty = learner_client.post(url("appeal", request_id=request.pk), {"reason": " "})
    assert empty.status_code == 422
    assert "Say why you are appealing" in empty.text
    assert not Appeal.objects.exists()

    response = learner_client.post(
        url("appeal", request_id=request.pk),
        {"reason": "My letter covers technique 2 on page 2."},
        follow=True,
    )
    appeal = Appeal.objects.get()
    assert appeal.kind == "decision"
    assert "Your appeal is submitted." in response.text
    assert "Waiting for a decision" in response.text
    assert "My letter covers technique 2 on page 2." in response.text


def test_a_second_appeal_of_the_same_decision_is_refused(
    learner_client, learner, plar_course, registrar
):
    request = declined_request(learner, plar_course, registrar)
    services.appeal_submit(learner=learner, request_id=request.pk, reason="Once.")
    page = learner_client.get(url("appeal", request_id=request.pk)).text
    assert "already have an appeal waiting" in page
    assert "Submit my appeal" not in page
    again = learner_client.post(url("appeal", request_id=request.pk), {"reason": "Two"})
    assert again.status_code == 422
    assert Appeal.objects.count() == 1


def test_an_approved_request_cannot_be_appealed(learner_client, learner, plar_course):
    request = pf.approved_request(learner, plar_course)
    response = learner_client.post(
        url("appeal", request_id=request.pk), {"reason": "Why not."}
    )
    assert response.status_code == 422
    assert "Only a declined PLAR request can be appealed." in response.text
    assert not Appeal.objects.exists()


# --- after the PLAR route -------------------------------------------------------------


def test_after_two_failed_attempts_the_learner_registers_for_the_full_course(
    learner_client, learner, plar_course
):
    request = ended_route(learner, plar_course)
    assert request.enrolment.status == Enrolment.Status.ENDED
    page = learner_client.get(url("request", request_id=request.pk)).text
    assert "ended without a pass" in page
    offering = plar_course.offerings.get()
    assert f'name="offering_id" value="{offering.pk}"' in page
    assert "Appeal the result of attempt 2" in page

    response = learner_client.post(
        url("register-full", request_id=request.pk), {"offering_id": offering.pk}
    )
    enrolment = Enrolment.objects.get(learner=learner, status="active")
    assert enrolment.route == Enrolment.Route.COURSE
    assert enrolment.offering == offering
    assert response.url == reverse(
        "courses:confirmed", kwargs={"enrolment_id": enrolment.pk}
    )
    after = learner_client.get(url("request", request_id=request.pk)).text
    assert "You are registered for the full course." in after


def test_register_full_refuses_an_offering_of_another_course(
    learner_client, learner, plar_course
):
    request = ended_route(learner, plar_course)
    elsewhere = factories.OfferingFactory()
    response = learner_client.post(
        url("register-full", request_id=request.pk),
        {"offering_id": elsewhere.pk},
        follow=True,
    )
    assert "not open for registration" in response.text
    assert not Enrolment.objects.filter(status="active").exists()


def test_register_full_is_refused_while_the_plar_route_is_open(
    learner_client, learner, plar_course
):
    request = pf.approved_request(learner, plar_course)
    offering = plar_course.offerings.get()
    response = learner_client.post(
        url("register-full", request_id=request.pk),
        {"offering_id": offering.pk},
        follow=True,
    )
    assert "Your PLAR route is still open" in response.text
    enrolment = Enrolment.objects.get(learner=learner)
    assert enrolment.route == Enrolment.Route.PLAR
    assert enrolment.status == Enrolment.Status.ACTIVE


def test_a_failed_released_plar_attempt_can_be_appealed(
    learner_client, learner, plar_course
):
    request = ended_route(learner, plar_course)
    attempt = request.enrolment.attempts.get(number=2)
    page = learner_client.get(
        url("appeal", request_id=request.pk) + f"?attempt_id={attempt.pk}"
    )
    assert "Appeal the result of attempt 2" in page.text
    learner_client.post(
        url("appeal", request_id=request.pk),
        {"reason": "Question 4 accepts 3,5 too.", "attempt_id": attempt.pk},
    )
    appeal = Appeal.objects.get()
    assert appeal.kind == "grade"
    assert appeal.attempt == attempt
    after = learner_client.get(url("request", request_id=request.pk)).text
    assert "Against the result of attempt 2" in after


def test_an_appeal_of_someone_elses_attempt_is_a_404(
    learner_client, learner, other_learner, plar_course
):
    request = pf.approved_request(learner, plar_course)
    theirs = ended_route(other_learner, pf.plar_course())
    attempt = theirs.enrolment.attempts.first()
    response = learner_client.get(
        url("appeal", request_id=request.pk) + f"?attempt_id={attempt.pk}"
    )
    assert response.status_code == 404


# --- My learning, the course home and My credentials ----------------------------------


def test_dashboard_lists_plar_requests_and_the_plar_route(
    learner_client, learner, plar_course
):
    other = pf.plar_course()
    pf.submitted_request(learner, other)
    request = pf.approved_request(learner, plar_course)
    text = learner_client.get(reverse("courses:dashboard")).text
    assert "Your PLAR requests" in text
    assert other.title in text
    assert "Waiting for a reviewer." in text
    assert "Prior learning route" in text
    summative = reverse(
        "assessments:summative", kwargs={"enrolment_id": request.enrolment_id}
    )
    assert summative in text


def test_dashboard_offers_the_full_course_after_an_ended_plar_route(
    learner_client, learner, plar_course
):
    request = ended_route(learner, plar_course)
    text = learner_client.get(reverse("courses:dashboard")).text
    finished = text[text.index(">Finished<") :]
    assert "Ended without completing" in finished
    assert url("register-full", request_id=request.pk) in finished
    assert "Register for the full course" in finished


def test_learn_page_of_a_plar_route_points_straight_to_the_assessment(
    learner_client, learner, plar_course
):
    request = pf.approved_request(learner, plar_course)
    page = learner_client.get(
        reverse("courses:learn", kwargs={"enrolment_id": request.enrolment_id})
    ).text
    assert "You are on the prior learning route" in page
    assert "it is not required" in page
    summative = reverse(
        "assessments:summative", kwargs={"enrolment_id": request.enrolment_id}
    )
    assert re.search(rf'href="{re.escape(summative)}"', page)


def test_my_credentials_shows_the_route_the_credential_was_earned_through(
    learner_client, learner, plar_course, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        pf.approved_request(learner, plar_course)
        pass_attempt(learner, plar_course)
    page = learner_client.get(reverse("credentials:mine")).text
    assert "Earned through" in page
    assert "Prior learning (PLAR)" in page
    request = PlarRequest.objects.get(learner=learner)
    status = learner_client.get(url("request", request_id=request.pk)).text
    assert "You passed the summative assessment on the prior learning route" in status
