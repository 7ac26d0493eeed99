"""The learner's side of a PLAR request, through the services: start, write a
statement per outcome, attach evidence, submit, withdraw."""

from __future__ import annotations

import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile
from django.db import connection

from courses.models import CourseStatus
from microcred.roles import ensure_role_groups
from plar import evidence_files, services
from plar.models import Evidence, OutcomeStatement, PlarRequest, RequestEvent
from plar.policies import PlarRefused
from tests import factories
from tests.assessments import factories as af
from tests.plar import factories as pf

pytestmark = pytest.mark.django_db

TORONTO = ZoneInfo("America/Toronto")
NOW = dt.datetime(2027, 3, 1, 10, 0, tzinfo=TORONTO)
LATER = NOW + dt.timedelta(hours=2)


@pytest.fixture
def course():
    return pf.plar_course()


@pytest.fixture
def draft(learner, course):
    return services.request_start(learner=learner, course_id=course.pk, now=NOW)


def refused(call, **kwargs) -> PlarRefused:
    with pytest.raises(PlarRefused) as raised:
        call(**kwargs)
    return raised.value


def stored_files(root) -> list:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


# --- starting -----------------------------------------------------------------


def test_a_new_request_is_a_draft_with_an_empty_statement_per_outcome(
    learner, course, draft
):
    assert draft.status == PlarRequest.Status.DRAFT
    assert draft.learner == learner
    assert draft.microcredential == course
    assert (draft.created_at, draft.updated_at, draft.submitted_at) == (NOW, NOW, None)
    statements = list(draft.statements.select_related("outcome"))
    assert [s.outcome.code for s in statements] == ["LO1", "LO2"]
    assert all(s.text == "" for s in statements)


def test_starting_twice_returns_the_same_open_request(learner, course, draft):
    again = services.request_start(learner=learner, course_id=course.pk, now=LATER)
    assert again.pk == draft.pk
    assert PlarRequest.objects.count() == 1
    assert OutcomeStatement.objects.count() == 2


def test_two_learners_get_two_requests(learner, other_learner, course, draft):
    theirs = services.request_start(learner=other_learner, course_id=course.pk)
    assert theirs.pk != draft.pk


@pytest.mark.parametrize(
    ("course_kwargs", "code"),
    [
        pytest.param({"status": CourseStatus.DRAFT}, "not_published", id="draft"),
        pytest.param({"status": CourseStatus.RETIRED}, "not_published", id="retired"),
        pytest.param({"plar_offered": False}, "not_offered", id="plar-not-offered"),
    ],
)
def test_a_course_that_does_not_take_requests_refuses(learner, course_kwargs, code):
    course = pf.plar_course(**course_kwargs)
    refusal = refused(services.request_start, learner=learner, course_id=course.pk)
    assert refusal.code == code
    assert not PlarRequest.objects.exists()


def test_a_course_without_a_summative_cannot_be_challenged(learner):
    course = factories.MicrocredentialFactory(plar_offered=True)
    refusal = refused(services.request_start, learner=learner, course_id=course.pk)
    assert refusal.code == "not_offered"


@pytest.mark.parametrize("course_id", [0, 999_999, "abc", None])
def test_a_course_that_does_not_exist_is_not_found(learner, course_id):
    refusal = refused(services.request_start, learner=learner, course_id=course_id)
    assert refusal.code == "not_found"


def test_a_learner_registered_for_the_course_has_nothing_to_challenge(learner, course):
    factories.enrol(learner, course.offerings.get())
    refusal = refused(services.request_start, learner=learner, course_id=course.pk)
    assert refusal.code == "enrolled"
    assert "My learning" in str(refusal)


def test_a_learner_who_completed_the_course_is_refused(learner, course):
    factories.enrol(learner, course.offerings.get(), now=NOW)
    pf.take_summative(learner, course, correct=True, now=LATER)
    refusal = refused(services.request_start, learner=learner, course_id=course.pk)
    assert refusal.code == "completed"


def test_a_withdrawn_request_lets_the_learner_start_again(learner, course, draft):
    services.request_withdraw(learner=learner, request_id=draft.pk, now=LATER)
    fresh = services.request_start(learner=learner, course_id=course.pk, now=LATER)
    assert fresh.pk != draft.pk
    assert fresh.status == PlarRequest.Status.DRAFT


# --- statements -----------------------------------------------------------------


def outcome_id(course, code="LO1") -> int:
    return af.outcome(course, code).pk


def test_a_statement_is_saved_and_the_request_touched(learner, course, draft):
    statement = services.statement_save(
        learner=learner,
        request_id=draft.pk,
        outcome_id=outcome_id(course),
        text="I run these audits every month.",
        now=LATER,
    )
    statement.refresh_from_db()
    draft.refresh_from_db()
    assert statement.text == "I run these audits every month."
    assert statement.saved_at == LATER
    assert draft.updated_at == LATER


def test_saving_the_same_text_again_changes_nothing(learner, course, draft):
    kwargs = {
        "learner": learner,
        "request_id": draft.pk,
        "outcome_id": outcome_id(course),
    }
    services.statement_save(**kwargs, text="Same words.", now=NOW)
    services.statement_save(**kwargs, text="Same words.", now=LATER)
    assert (
        OutcomeStatement.objects.get(
            request=draft, outcome_id=kwargs["outcome_id"]
        ).saved_at
        == NOW
    )


def test_a_statement_of_10000_characters_is_accepted(learner, course, draft):
    services.statement_save(
        learner=learner,
        request_id=draft.pk,
        outcome_id=outcome_id(course),
        text="a" * services.MAX_STATEMENT_LENGTH,
    )


def test_a_statement_too_long_is_refused_and_nothing_saved(learner, course, draft):
    kwargs = {
        "learner": learner,
        "request_id": draft.pk,
        "outcome_id": outcome_id(course),
    }
    services.statement_save(**kwargs, text="Kept.")
    refusal = refused(
        services.statement_save,
        **kwargs,
        text="a" * (services.MAX_STATEMENT_LENGTH + 1),
    )
    assert refusal.code == "too_long"
    assert "10,000" in str(refusal)
    assert draft.statements.get(outcome_id=kwargs["outcome_id"]).text == "Kept."


def test_a_statement_cannot_be_changed_after_submitting(learner, course):
    request = pf.submitted_request(learner, course)
    before = request.statements.get(outcome__code="LO1").text
    refusal = refused(
        services.statement_save,
        learner=learner,
        request_id=request.pk,
        outcome_id=outcome_id(course),
        text="A late change.",
    )
    assert refusal.code == "not_editable"
    assert "Submitted" in str(refusal)
    assert request.statements.get(outcome__code="LO1").text == before


def test_another_learners_request_is_not_found(learner, other_learner, course, draft):
    refusal = refused(
        services.statement_save,
        learner=other_learner,
        request_id=draft.pk,
        outcome_id=outcome_id(course),
        text="Not mine.",
    )
    assert refusal.code == "not_found"
    assert draft.statements.get(outcome__code="LO1").text == ""


@pytest.mark.parametrize("request_id", [999_999, "x", None])
def test_a_request_that_does_not_exist_is_not_found(learner, course, request_id):
    refusal = refused(
        services.statement_save,
        learner=learner,
        request_id=request_id,
        outcome_id=outcome_id(course),
        text="Hello.",
    )
    assert refusal.code == "not_found"


def test_an_outcome_of_another_course_is_refused(learner, draft):
    elsewhere = factories.MicrocredentialFactory()
    refusal = refused(
        services.statement_save,
        learner=learner,
        request_id=draft.pk,
        outcome_id=outcome_id(elsewhere),
        text="Wrong outcome.",
    )
    assert refusal.code == "bad_outcome"


# --- evidence -------------------------------------------------------------------


def test_a_pdf_is_stored_in_private_storage_under_the_requests_folder(
    learner, draft, private_files, settings
):
    evidence = services.evidence_add_file(
        learner=learner,
        request_id=draft.pk,
        upload=pf.pdf_upload("Employer letter.pdf"),
        title="  Letter from my manager  ",
        now=LATER,
    )
    evidence.refresh_from_db()
    assert evidence.title == "Letter from my manager"
    assert evidence.original_name == "Employer letter.pdf"
    assert evidence.url == ""
    assert evidence.file.name.startswith(f"plar/{draft.pk}/Employer_letter-")
    assert evidence.file.name.endswith(".pdf")
    stored = private_files / evidence.file.name
    assert stored.read_bytes() == pf.PDF_BYTES
    assert stored_files(private_files) == [stored]
    assert stored_files(settings.MEDIA_ROOT) == []
    with pytest.raises(ValueError, match="no URL"):
        evidence.file.url  # noqa: B018 - a private file has no public address


def test_a_file_without_a_title_is_titled_by_its_name(learner, draft):
    evidence = services.evidence_add_file(
        learner=learner, request_id=draft.pk, upload=pf.pdf_upload("cv.pdf")
    )
    assert evidence.title == "cv.pdf"


def test_two_files_of_the_same_name_are_both_kept(learner, draft, private_files):
    for _ in range(2):
        services.evidence_add_file(
            learner=learner, request_id=draft.pk, upload=pf.pdf_upload("cv.pdf")
        )
    assert len(stored_files(private_files)) == 2


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        pytest.param(
            "certificate.pdf", pf.EXE_BYTES, "not a .pdf file", id="exe-as-pdf"
        ),
        pytest.param("photo.png", pf.EXE_BYTES, "not a .png file", id="exe-as-png"),
        pytest.param("setup.exe", pf.EXE_BYTES, "not accepted", id="exe"),
        pytest.param("notes.txt", pf.EXE_BYTES, "not plain text", id="exe-as-txt"),
        pytest.param("letter.pdf", pf.PNG_BYTES, "not a .pdf file", id="png-as-pdf"),
        pytest.param("empty.pdf", b"", "empty", id="empty"),
        pytest.param("noextension", pf.PDF_BYTES, "not accepted", id="no-extension"),
    ],
)
def test_a_bad_file_is_refused_and_nothing_is_stored(
    learner, draft, private_files, name, content, message
):
    upload = SimpleUploadedFile(name, content, content_type="application/pdf")
    refusal = refused(
        services.evidence_add_file, learner=learner, request_id=draft.pk, upload=upload
    )
    assert refusal.code == "bad_file"
    assert message in str(refusal)
    assert not Evidence.objects.exists()
    assert stored_files(private_files) == []


def big_upload(size: int) -> TemporaryUploadedFile:
    """A PDF of ``size`` bytes on disk without writing them (a sparse file)."""
    upload = TemporaryUploadedFile("portfolio.pdf", "application/pdf", size, None)
    upload.write(pf.PDF_BYTES)
    upload.seek(size - 1)
    upload.write(b"\n")
    upload.seek(0)
    return upload


def test_a_file_over_20_mb_is_refused_and_nothing_is_stored(
    learner, draft, private_files
):
    upload = big_upload(evidence_files.MAX_FILE_MB * evidence_files.MB + 1)
    try:
        refusal = refused(
            services.evidence_add_file,
            learner=learner,
            request_id=draft.pk,
            upload=upload,
        )
    finally:
        upload.close()
    assert refusal.code == "bad_file"
    assert "20 MB" in str(refusal)
    assert not Evidence.objects.exists()
    assert stored_files(private_files) == []


@pytest.mark.parametrize(
    "url",
    [
        "https://portfolio.example.org/work",
        "http://portfolio.example.org/work?page=2#top",
        "  https://example.org/with-spaces-around  ",
    ],
)
def test_a_web_link_is_evidence(learner, draft, url):
    evidence = services.evidence_add_link(learner=learner, request_id=draft.pk, url=url)
    assert evidence.url == url.strip()
    assert evidence.title == url.strip()
    assert not evidence.file


@pytest.mark.parametrize(
    "url",
    [
        "",
        "portfolio.example.org",
        "ftp://files.example.org/cv.pdf",
        "javascript:alert(1)",
        "file:///etc/passwd",
        "https://",
        "https://example.org/" + "a" * 1000,
    ],
)
def test_a_link_must_be_a_full_web_address(learner, draft, url):
    refusal = refused(
        services.evidence_add_link, learner=learner, request_id=draft.pk, url=url
    )
    assert refusal.code == "bad_url"
    assert not Evidence.objects.exists()


def test_a_request_holds_at_most_20_pieces_of_evidence(learner, draft, private_files):
    for n in range(services.MAX_EVIDENCE_ITEMS):
        services.evidence_add_link(
            learner=learner, request_id=draft.pk, url=f"https://example.org/{n}"
        )
    link = refused(
        services.evidence_add_link,
        learner=learner,
        request_id=draft.pk,
        url="https://example.org/21",
    )
    file = refused(
        services.evidence_add_file,
        learner=learner,
        request_id=draft.pk,
        upload=pf.pdf_upload(),
    )
    assert link.code == file.code == "too_much_evidence"
    assert "20" in str(link)
    assert draft.evidence.count() == 20
    assert stored_files(private_files) == []


def test_removing_a_file_deletes_it_from_storage_once_committed(
    learner, draft, private_files, django_capture_on_commit_callbacks
):
    evidence = services.evidence_add_file(
        learner=learner, request_id=draft.pk, upload=pf.pdf_upload()
    )
    stored = private_files / evidence.file.name
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.evidence_remove(
            learner=learner, request_id=draft.pk, evidence_id=evidence.pk
        )
    assert not Evidence.objects.filter(pk=evidence.pk).exists()
    assert stored.exists()  # not before the removal is committed
    for callback in callbacks:
        callback()
    assert not stored.exists()


def test_removing_a_link_needs_no_storage(
    learner, draft, django_capture_on_commit_callbacks
):
    evidence = services.evidence_add_link(
        learner=learner, request_id=draft.pk, url="https://example.org/a"
    )
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.evidence_remove(
            learner=learner, request_id=draft.pk, evidence_id=evidence.pk
        )
    assert callbacks == []
    assert not draft.evidence.exists()


def test_another_learner_cannot_touch_my_evidence(
    learner, other_learner, course, draft, private_files
):
    evidence = services.evidence_add_file(
        learner=learner, request_id=draft.pk, upload=pf.pdf_upload()
    )
    theirs = services.request_start(learner=other_learner, course_id=course.pk)
    for kwargs in (
        {"learner": other_learner, "request_id": draft.pk},
        {"learner": other_learner, "request_id": theirs.pk},
    ):
        refusal = refused(services.evidence_remove, evidence_id=evidence.pk, **kwargs)
        assert refusal.code == "not_found"
    assert (
        refused(
            services.evidence_add_link,
            learner=other_learner,
            request_id=draft.pk,
            url="https://example.org/x",
        ).code
        == "not_found"
    )
    assert Evidence.objects.filter(pk=evidence.pk).exists()
    assert (private_files / evidence.file.name).exists()


def test_evidence_cannot_change_after_submitting(learner, course, private_files):
    request = pf.submitted_request(learner, course)
    evidence = request.evidence.get()
    assert (
        refused(
            services.evidence_add_file,
            learner=learner,
            request_id=request.pk,
            upload=pf.pdf_upload(),
        ).code
        == "not_editable"
    )
    assert (
        refused(
            services.evidence_add_link,
            learner=learner,
            request_id=request.pk,
            url="https://example.org/late",
        ).code
        == "not_editable"
    )
    assert (
        refused(
            services.evidence_remove,
            learner=learner,
            request_id=request.pk,
            evidence_id=evidence.pk,
        ).code
        == "not_editable"
    )
    assert list(request.evidence.all()) == [evidence]
    assert stored_files(private_files) == []


# --- submitting -----------------------------------------------------------------


def test_submitting_needs_the_declaration(learner, course):
    request = pf.draft_request(learner, course)
    refusal = refused(
        services.request_submit,
        learner=learner,
        request_id=request.pk,
        declaration=False,
    )
    assert refusal.code == "declaration_required"
    request.refresh_from_db()
    assert (request.status, request.declaration) == ("draft", False)
    assert not RequestEvent.objects.exists()


def test_submitting_needs_every_statement(learner, course):
    request = pf.draft_request(learner, course)
    services.statement_save(
        learner=learner,
        request_id=request.pk,
        outcome_id=outcome_id(course, "LO2"),
        text="  \n ",
    )
    refusal = refused(
        services.request_submit,
        learner=learner,
        request_id=request.pk,
        declaration=True,
    )
    assert refusal.code == "incomplete"
    assert "missing: LO2" in str(refusal)
    request.refresh_from_db()
    assert request.status == "draft"


def test_submitting_needs_at_least_one_piece_of_evidence(learner, course, draft):
    for code in ("LO1", "LO2"):
        services.statement_save(
            learner=learner,
            request_id=draft.pk,
            outcome_id=outcome_id(course, code),
            text="Done it.",
        )
    refusal = refused(
        services.request_submit, learner=learner, request_id=draft.pk, declaration=True
    )
    assert refusal.code == "incomplete"
    assert "at least one piece of evidence" in str(refusal)


def test_an_empty_draft_is_told_everything_that_is_missing(learner, draft):
    refusal = refused(
        services.request_submit, learner=learner, request_id=draft.pk, declaration=True
    )
    assert "missing: LO1, LO2" in str(refusal)
    assert "at least one piece of evidence" in str(refusal)


def test_submitting_records_the_time_the_declaration_and_an_event(learner, course):
    request = pf.draft_request(learner, course, now=NOW)
    submitted = services.request_submit(
        learner=learner, request_id=request.pk, declaration=True, now=LATER
    )
    submitted.refresh_from_db()
    assert submitted.status == PlarRequest.Status.SUBMITTED
    assert submitted.declaration is True
    assert submitted.submitted_at == LATER
    event = submitted.events.get()
    assert (event.from_status, event.to_status, event.actor) == (
        "draft",
        "submitted",
        learner,
    )
    assert event.at == LATER


def test_submitting_twice_is_refused(learner, course):
    request = pf.submitted_request(learner, course)
    refusal = refused(
        services.request_submit,
        learner=learner,
        request_id=request.pk,
        declaration=True,
    )
    assert refusal.code == "forbidden_transition"
    assert request.events.count() == 1


def test_a_resubmission_after_more_information_keeps_the_first_submission_time(
    learner, course
):
    reviewer = pf.registrar()
    request = pf.submitted_request(learner, course, now=NOW)
    services.review_start(reviewer=reviewer, request_id=request.pk, now=NOW)
    services.request_decide(
        reviewer=reviewer,
        request_id=request.pk,
        decision="more_info",
        reason="Add your employer's letter.",
        now=NOW,
    )
    services.evidence_add_file(
        learner=learner, request_id=request.pk, upload=pf.pdf_upload("letter.pdf")
    )
    again = services.request_submit(
        learner=learner, request_id=request.pk, declaration=True, now=LATER
    )
    again.refresh_from_db()
    assert again.status == PlarRequest.Status.SUBMITTED
    assert again.submitted_at == NOW
    assert list(again.events.values_list("from_status", "to_status")) == [
        ("draft", "submitted"),
        ("submitted", "under_review"),
        ("under_review", "more_info"),
        ("more_info", "submitted"),
    ]


def test_another_learner_cannot_submit_my_request(learner, other_learner, course):
    request = pf.draft_request(learner, course)
    refusal = refused(
        services.request_submit,
        learner=other_learner,
        request_id=request.pk,
        declaration=True,
    )
    assert refusal.code == "not_found"


# --- withdrawing ----------------------------------------------------------------


@pytest.mark.parametrize("make", [pf.draft_request, pf.submitted_request])
def test_a_learner_may_withdraw_before_the_review_starts(learner, course, make):
    request = make(learner, course)
    services.request_withdraw(learner=learner, request_id=request.pk)
    request.refresh_from_db()
    assert request.status == PlarRequest.Status.WITHDRAWN
    assert request.events.last().to_status == "withdrawn"


def test_a_request_under_review_cannot_be_withdrawn(learner, course):
    request = pf.reviewed_request(learner, course)
    refusal = refused(services.request_withdraw, learner=learner, request_id=request.pk)
    assert refusal.code == "forbidden_transition"
    request.refresh_from_db()
    assert request.status == PlarRequest.Status.UNDER_REVIEW


# --- a race -----------------------------------------------------------------------


def race(call, times: int = 2) -> list:
    """Run ``call`` in ``times`` threads at once, each on its own database
    connection; each result or exception."""
    barrier = threading.Barrier(times)
    outcomes: list = []
    lock = threading.Lock()

    def run() -> None:
        try:
            barrier.wait(timeout=10)
            result = call()
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


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_starts_make_one_request():
    ensure_role_groups()  # a transactional test starts without the migration's rows
    learner = factories.UserFactory(email="racer@example.org")
    course = pf.plar_course()

    outcomes = race(
        lambda: services.request_start(learner=learner, course_id=course.pk, now=NOW),
        times=3,
    )

    assert all(isinstance(o, PlarRequest) for o in outcomes), outcomes
    assert len({o.pk for o in outcomes}) == 1
    assert PlarRequest.objects.count() == 1
    assert OutcomeStatement.objects.count() == 2


def test_a_course_whose_plar_window_cannot_hold_two_attempts_takes_no_request(
    learner,
):
    course = pf.plar_course(plar_window_days=14)  # 7 + 7 days kept: needs 15
    error = refused(services.request_start, learner=learner, course_id=course.pk)
    assert error.code == "not_offered"
    assert not PlarRequest.objects.exists()


def test_a_plar_route_whose_window_ran_out_unused_counts_as_challenged(learner):
    course = pf.plar_course()
    pf.approved_request(learner, course, now=NOW)
    later = NOW + dt.timedelta(days=40)
    error = refused(
        services.request_start, learner=learner, course_id=course.pk, now=later
    )
    assert error.code == "challenged"
