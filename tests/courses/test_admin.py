"""The staff dashboard for courses, through the test client on real PostgreSQL."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

import pytest
from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from courses.models import (
    ContentItem,
    CourseStatus,
    Enrolment,
    Extension,
    ItemKind,
    ItemProgress,
    Microcredential,
    Offering,
    Reflection,
)
from microcred.models import AuditEntry
from tests import factories
from tests.assessments.factories import AssessmentFactory

pytestmark = pytest.mark.django_db


def changelist(model: str) -> str:
    return reverse(f"admin:courses_{model}_changelist")


def change(model: str, pk: int) -> str:
    return reverse(f"admin:courses_{model}_change", args=[pk])


def messages_of(response: Any) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def form_data(response: Any) -> dict[str, Any]:
    """The POST data a browser would send back for an admin change form."""
    data: dict[str, Any] = {}

    def add_form(form: Any) -> None:
        for field in form:
            if field.field.disabled:
                continue
            value = field.value()
            if isinstance(field.field.widget, forms.CheckboxInput):
                if value:
                    data[field.html_name] = "on"
                continue
            if value is None:
                continue
            if isinstance(value, (list, tuple)):
                data[field.html_name] = [str(v) for v in value]
            else:
                data[field.html_name] = value

    add_form(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        add_form(formset.management_form)
        for form in formset.forms:
            add_form(form)
    return data


def run_action(
    client: Client, model: str, action: str, pks: list[int], **extra: Any
) -> Any:
    return client.post(
        changelist(model),
        {"action": action, "_selected_action": pks, "index": 0, **extra},
    )


def other_instructors_course(**kwargs: Any) -> Microcredential:
    other = factories.StaffFactory(email="other.instructor@example.org")
    return factories.MicrocredentialFactory(
        owner=other, title="Someone Else's Course", **kwargs
    )


# --- Who reaches the dashboard ----------------------------------------------


def test_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get("/staff/")
    assert response.status_code == 302
    assert "login" in response.url


def test_learner_is_refused_the_staff_dashboard(client, learner, course):
    client.force_login(learner)
    for url in (
        "/staff/",
        changelist("microcredential"),
        change("microcredential", course.pk),
    ):
        response = client.get(url)
        assert response.status_code in (302, 403)
        assert course.title not in response.text


def test_staff_flag_without_a_role_reaches_no_course_data(client, course):
    roleless = factories.UserFactory(email="roleless@example.org", is_staff=True)
    client.force_login(roleless)
    for url in (changelist("microcredential"), changelist("enrolment")):
        response = client.get(url)
        assert response.status_code in (302, 403)
        assert course.title not in response.text


def test_reflections_are_not_in_the_staff_dashboard():
    assert not admin.site.is_registered(Reflection)
    assert not admin.site.is_registered(ItemProgress)


# --- Instructors and their courses -----------------------------------------


def test_instructor_sees_own_course_and_not_another_instructors(
    client, instructor, course
):
    theirs = other_instructors_course()
    client.force_login(instructor)
    response = client.get(changelist("microcredential"))
    assert response.status_code == 200
    assert course.title in response.text
    assert theirs.title not in response.text


def test_instructor_cannot_open_another_instructors_course_by_url(
    client, instructor, course
):
    theirs = other_instructors_course()
    client.force_login(instructor)
    response = client.get(change("microcredential", theirs.pk))
    assert response.status_code in (302, 403, 404)
    assert theirs.title not in response.text
    posted = client.post(change("microcredential", theirs.pk), {"title": "Hijacked"})
    assert posted.status_code in (302, 403, 404)
    theirs.refresh_from_db()
    assert theirs.title == "Someone Else's Course"


def test_course_form_shows_governance_with_status_read_only(client, instructor, course):
    client.force_login(instructor)
    response = client.get(change("microcredential", course.pk))
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert "status" not in form.fields
    assert "published_at" not in form.fields
    for field in ("owner", "review_cycle_months", "next_review_on"):
        assert field in form.fields
    assert 'name="status"' not in response.text
    assert "Status: Published" in response.text
    # Inlines: outcomes, modules with their position, testimonials.
    assert 'name="outcomes-TOTAL_FORMS"' in response.text
    assert 'name="modules-0-position"' in response.text
    assert 'name="testimonials-TOTAL_FORMS"' in response.text


def test_instructor_reorders_modules_and_edits_own_course(client, instructor, course):
    client.force_login(instructor)
    page = client.get(change("microcredential", course.pk))
    data = form_data(page)
    first, second = course.modules.order_by("position")
    data["title"] = "Applied Skills, revised"
    data["status"] = CourseStatus.DRAFT  # read-only: ignored
    for index in range(2):
        if str(data[f"modules-{index}-id"]) == str(first.pk):
            data[f"modules-{index}-position"] = 5
    response = client.post(change("microcredential", course.pk), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    course.refresh_from_db()
    assert course.title == "Applied Skills, revised"
    assert course.status == CourseStatus.PUBLISHED
    assert list(course.modules.order_by("position")) == [second, first]


def test_published_course_window_cannot_be_edited_too_short(client, instructor, course):
    client.force_login(instructor)
    data = form_data(client.get(change("microcredential", course.pk)))
    data["completion_window_days"] = 10
    response = client.post(change("microcredential", course.pk), data)
    assert response.status_code == 200
    assert "cannot hold" in response.text
    course.refresh_from_db()
    assert course.completion_window_days == 42


def test_instructor_creates_a_course_and_keeps_access(client, instructor):
    client.force_login(instructor)
    add = client.get(reverse("admin:courses_microcredential_add"))
    assert add.status_code == 200
    data = form_data(add)
    data.update(
        code="new-101",
        slug="new-course",
        title="New Course",
        summary="A new course.",
        time_commitment_hours=20,
        credential_name="New badge",
    )
    response = client.post(reverse("admin:courses_microcredential_add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    created = Microcredential.objects.get(code="new-101")
    assert created.owner == instructor
    assert created.status == CourseStatus.DRAFT
    assert (
        Microcredential.objects.editable_by(instructor).filter(pk=created.pk).exists()
    )


# --- Status changes go through the service ---------------------------------


def test_publishing_a_course_whose_window_is_too_short_is_refused_with_the_reason(
    client, instructor
):
    course = factories.MicrocredentialFactory(
        owner=instructor, status=CourseStatus.IN_REVIEW, completion_window_days=10
    )
    client.force_login(instructor)
    response = run_action(client, "microcredential", "to_published", [course.pk])
    assert response.status_code == 302
    errors = messages_of(response)
    assert any("completion window of 10 days cannot hold" in m for m in errors)
    course.refresh_from_db()
    assert course.status == CourseStatus.IN_REVIEW
    assert course.published_at is None
    assert not AuditEntry.objects.filter(action="course.published").exists()


def test_a_video_without_captions_or_transcript_blocks_publishing(client, instructor):
    course = factories.MicrocredentialFactory(
        owner=instructor, status=CourseStatus.IN_REVIEW
    )
    factories.ContentItemFactory(
        module=course.modules.first(),
        kind=ItemKind.VIDEO,
        title="Welcome video",
        video_url="https://media.example.org/welcome.mp4",
    )
    client.force_login(instructor)
    response = client.post(
        change("microcredential", course.pk),
        {"CHANGE_FORM-action": "to_published", "_selected_action": course.pk},
    )
    assert response.status_code == 302
    assert any(
        "Welcome video" in m and "neither a captions file nor a transcript" in m
        for m in messages_of(response)
    )
    course.refresh_from_db()
    assert course.status == CourseStatus.IN_REVIEW


def test_publishing_a_valid_draft_works_and_is_audited(client, instructor):
    course = factories.MicrocredentialFactory(
        owner=instructor, status=CourseStatus.DRAFT
    )
    AssessmentFactory(microcredential=course)  # publishing needs a summative
    client.force_login(instructor)

    to_review = run_action(client, "microcredential", "to_in_review", [course.pk])
    assert any("now in review" in m for m in messages_of(to_review))
    response = client.post(
        change("microcredential", course.pk),
        {"CHANGE_FORM-action": "to_published", "_selected_action": course.pk},
    )

    assert response.status_code == 302
    assert response.url == change("microcredential", course.pk)
    shown = messages_of(response)
    assert any("now published" in m for m in shown)
    assert not any("summative" in m for m in shown)  # it has one: no warning
    course.refresh_from_db()
    assert course.status == CourseStatus.PUBLISHED
    assert course.published_at is not None
    entry = AuditEntry.objects.get(action="course.published")
    assert entry.actor == instructor
    assert entry.object_id == str(course.pk)
    assert entry.details == {"from": "in_review", "to": "published"}


def test_change_form_offers_only_the_next_allowed_statuses(client, instructor):
    course = factories.MicrocredentialFactory(
        owner=instructor, status=CourseStatus.DRAFT
    )
    client.force_login(instructor)
    response = client.get(change("microcredential", course.pk))
    actions = [name for name, _label in response.context["status_actions"]]
    assert actions == ["to_in_review"]


def test_a_forbidden_transition_is_refused_and_changes_nothing(client, instructor):
    course = factories.MicrocredentialFactory(
        owner=instructor, status=CourseStatus.DRAFT
    )
    client.force_login(instructor)
    response = run_action(client, "microcredential", "to_published", [course.pk])
    assert any("cannot go from draft to published" in m for m in messages_of(response))
    course.refresh_from_db()
    assert course.status == CourseStatus.DRAFT


def test_instructor_cannot_change_status_of_another_instructors_course(
    client, instructor
):
    theirs = other_instructors_course(status=CourseStatus.DRAFT)
    client.force_login(instructor)
    run_action(client, "microcredential", "to_in_review", [theirs.pk])
    theirs.refresh_from_db()
    assert theirs.status == CourseStatus.DRAFT
    assert not AuditEntry.objects.exists()


def test_registrar_sees_courses_read_only_and_cannot_change_status(
    client, registrar, course
):
    client.force_login(registrar)
    page = client.get(change("microcredential", course.pk))
    assert page.status_code == 200
    assert course.title in page.text
    assert 'name="title"' not in page.text
    assert not page.context.get("status_actions")
    posted = client.post(change("microcredential", course.pk), {"title": "Changed"})
    assert posted.status_code == 403
    run_action(client, "microcredential", "to_retired", [course.pk])
    course.refresh_from_db()
    assert course.status == CourseStatus.PUBLISHED


# --- Content items ------------------------------------------------------------


def test_instructor_lists_only_own_items_with_a_preview_link(
    client, instructor, course
):
    theirs = other_instructors_course()
    mine = ContentItem.objects.filter(module__microcredential=course).first()
    hidden = ContentItem.objects.filter(module__microcredential=theirs).first()
    client.force_login(instructor)
    response = client.get(changelist("contentitem"))
    assert response.status_code == 200
    assert reverse("courses:item-preview", kwargs={"item_id": mine.pk}) in response.text
    assert (
        reverse("courses:item-preview", kwargs={"item_id": hidden.pk})
        not in response.text
    )
    assert theirs.code not in response.text  # not even in the course filter


def test_module_choices_are_limited_to_own_courses(client, instructor, course):
    theirs = other_instructors_course()
    client.force_login(instructor)
    response = client.get(reverse("admin:courses_contentitem_add"))
    modules = response.context["adminform"].form.fields["module"].queryset
    assert {m.microcredential_id for m in modules} == {course.pk}
    assert theirs.code not in response.text


def test_instructor_cannot_put_an_item_in_another_instructors_module(
    client, instructor, course
):
    theirs = other_instructors_course()
    client.force_login(instructor)
    response = client.post(
        reverse("admin:courses_contentitem_add"),
        {
            "module": theirs.modules.first().pk,
            "position": 3,
            "kind": ItemKind.READING,
            "title": "Smuggled",
            "estimated_minutes": 5,
            "body": "Text",
            "choices-TOTAL_FORMS": 0,
            "choices-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 200
    assert "module" in response.context["adminform"].form.errors
    assert not ContentItem.objects.filter(title="Smuggled").exists()


def test_instructor_adds_a_scenario_with_choices(client, instructor, course):
    client.force_login(instructor)
    module = course.modules.first()
    response = client.post(
        reverse("admin:courses_contentitem_add"),
        {
            "module": module.pk,
            "position": 3,
            "kind": ItemKind.SCENARIO,
            "title": "Angry customer",
            "estimated_minutes": 10,
            "body": "A customer shouts at the counter.",
            "choices-TOTAL_FORMS": 1,
            "choices-INITIAL_FORMS": 0,
            "choices-0-position": 1,
            "choices-0-text": "Listen first",
            "choices-0-consequence": "The customer calms down.",
            "choices-0-is_recommended": "on",
        },
    )
    assert response.status_code == 302
    item = ContentItem.objects.get(title="Angry customer")
    assert item.module == module
    assert item.choices.get().is_recommended


def test_instructor_cannot_open_another_instructors_item(client, instructor, course):
    theirs = other_instructors_course()
    hidden = ContentItem.objects.filter(module__microcredential=theirs).first()
    client.force_login(instructor)
    response = client.get(change("contentitem", hidden.pk))
    assert response.status_code in (302, 403, 404)
    assert hidden.body not in response.text


def test_item_change_page_links_to_the_learner_preview(client, instructor, course):
    item = ContentItem.objects.filter(module__microcredential=course).first()
    client.force_login(instructor)
    response = client.get(change("contentitem", item.pk))
    assert response.status_code == 200
    assert reverse("courses:item-preview", kwargs={"item_id": item.pk}) in response.text
    assert "Preview as learner" in response.text


# --- Registrars: offerings, pathways --------------------------------------------


def test_registrar_manages_offerings_of_every_course(client, registrar, offering):
    other = other_instructors_course()
    client.force_login(registrar)
    listing = client.get(changelist("offering"))
    assert listing.status_code == 200
    assert offering.label in listing.text
    response = client.post(
        reverse("admin:courses_offering_add"),
        {"microcredential": other.pk, "kind": "scheduled", "label": "Autumn cohort"},
    )
    assert response.status_code == 200
    assert "A scheduled offering needs a start date." in response.text
    response = client.post(
        reverse("admin:courses_offering_add"),
        {
            "microcredential": other.pk,
            "kind": "scheduled",
            "label": "Autumn cohort",
            "starts_on": "2030-09-02",
            "is_open": "on",
        },
    )
    assert response.status_code == 302
    assert Offering.objects.filter(
        microcredential=other, label="Autumn cohort"
    ).exists()


def test_registrar_builds_a_pathway_from_microcredentials(client, registrar, course):
    client.force_login(registrar)
    response = client.post(
        reverse("admin:courses_pathway_add"),
        {
            "title": "Certificate in Practice",
            "code": "cert-practice",
            "slug": "certificate-in-practice",
            "requirement": "all",
            "is_published": "on",
            "pathwaymembership_set-TOTAL_FORMS": 1,
            "pathwaymembership_set-INITIAL_FORMS": 0,
            "pathwaymembership_set-0-position": 1,
            "pathwaymembership_set-0-microcredential": course.pk,
        },
    )
    assert response.status_code == 302
    assert list(course.pathways.values_list("code", flat=True)) == ["cert-practice"]


def test_registrar_cannot_edit_course_content(client, registrar, course):
    item = ContentItem.objects.filter(module__microcredential=course).first()
    client.force_login(registrar)
    assert client.get(change("contentitem", item.pk)).status_code == 403
    assert client.get(reverse("admin:courses_microcredential_add")).status_code == 403


# --- Enrolments: extensions and withdrawals -------------------------------------


def _local_day(value: dt.datetime) -> dt.date:
    return value.astimezone(zoneinfo.ZoneInfo(settings.TIME_ZONE)).date()


def test_registrar_grants_an_extension_through_the_action(client, registrar, enrolment):
    client.force_login(registrar)
    before_due, before_end = enrolment.summative_due_at, enrolment.ends_at

    ask = run_action(client, "enrolment", "grant_extension", [enrolment.pk])
    assert ask.status_code == 200
    assert "Extra days" in ask.text
    assert enrolment.learner.email in ask.text

    response = client.post(
        changelist("enrolment"),
        {
            "action": "grant_extension",
            "_selected_action": [enrolment.pk],
            "_confirm": "yes",
            "extra_days": 14,
            "reason": "Medical accommodation",
        },
    )

    assert response.status_code == 302
    assert any("14 days more" in m for m in messages_of(response))
    enrolment.refresh_from_db()
    assert _local_day(enrolment.summative_due_at) == _local_day(
        before_due
    ) + dt.timedelta(days=14)
    assert _local_day(enrolment.ends_at) == _local_day(before_end) + dt.timedelta(
        days=14
    )
    extension = Extension.objects.get(enrolment=enrolment)
    assert (extension.extra_days, extension.reason) == (14, "Medical accommodation")
    assert extension.granted_by == registrar
    entry = AuditEntry.objects.get(action="enrolment.extend")
    assert entry.reason == "Medical accommodation"
    assert entry.actor == registrar


def test_an_extension_without_a_reason_is_refused_and_changes_nothing(
    client, registrar, enrolment
):
    client.force_login(registrar)
    before = (enrolment.summative_due_at, enrolment.ends_at)
    response = client.post(
        changelist("enrolment"),
        {
            "action": "grant_extension",
            "_selected_action": [enrolment.pk],
            "_confirm": "yes",
            "extra_days": 14,
            "reason": "   ",
        },
    )
    assert response.status_code == 200
    assert "This field is required." in response.text
    enrolment.refresh_from_db()
    assert (enrolment.summative_due_at, enrolment.ends_at) == before
    assert not Extension.objects.exists()
    assert not AuditEntry.objects.exists()


def test_extension_from_the_enrolment_page_returns_there_with_history(
    client, registrar, enrolment
):
    client.force_login(registrar)
    url = change("enrolment", enrolment.pk)
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="summative_due_at"' not in page.text  # dates are read-only
    response = client.post(
        url,
        {
            "CHANGE_FORM-action": "grant_extension",
            "_selected_action": enrolment.pk,
            "_confirm": "yes",
            "extra_days": 3,
            "reason": "Family emergency",
        },
    )
    assert response.status_code == 302
    assert response.url == url
    history = client.get(url)
    assert "Family emergency" in history.text


def test_registrar_withdraws_a_learner_with_a_reason(client, registrar, enrolment):
    client.force_login(registrar)
    missing = client.post(
        changelist("enrolment"),
        {
            "action": "withdraw",
            "_selected_action": [enrolment.pk],
            "_confirm": "yes",
            "reason": "",
        },
    )
    assert missing.status_code == 200
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.ACTIVE

    response = client.post(
        changelist("enrolment"),
        {
            "action": "withdraw",
            "_selected_action": [enrolment.pk],
            "_confirm": "yes",
            "reason": "Asked to leave the course",
        },
    )
    assert response.status_code == 302
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.WITHDRAWN
    entry = AuditEntry.objects.get(action="enrolment.withdraw")
    assert entry.reason == "Asked to leave the course"


def test_extending_a_withdrawn_enrolment_shows_the_refusal(
    client, registrar, enrolment
):
    Enrolment.objects.filter(pk=enrolment.pk).update(status=Enrolment.Status.WITHDRAWN)
    client.force_login(registrar)
    response = client.post(
        changelist("enrolment"),
        {
            "action": "grant_extension",
            "_selected_action": [enrolment.pk],
            "_confirm": "yes",
            "extra_days": 5,
            "reason": "Late request",
        },
    )
    assert any("Only an active enrolment" in m for m in messages_of(response))
    assert not Extension.objects.exists()


def test_instructor_extends_only_in_own_courses_and_cannot_withdraw(
    client, instructor, enrolment, other_learner
):
    theirs = other_instructors_course()
    other_enrolment = factories.enrol(
        other_learner, factories.OfferingFactory(microcredential=theirs)
    )
    client.force_login(instructor)

    listing = client.get(changelist("enrolment"))
    assert enrolment.learner.email in listing.text
    assert other_learner.email not in listing.text
    assert 'value="withdraw"' not in listing.text
    assert 'value="grant_extension"' in listing.text

    for target in (enrolment, other_enrolment):
        client.post(
            changelist("enrolment"),
            {
                "action": "grant_extension",
                "_selected_action": [target.pk],
                "_confirm": "yes",
                "extra_days": 7,
                "reason": "Accommodation plan",
            },
        )
    assert list(Extension.objects.values_list("enrolment_id", flat=True)) == [
        enrolment.pk
    ]

    run_action(
        client, "enrolment", "withdraw", [enrolment.pk], _confirm="yes", reason="x"
    )
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.ACTIVE
    assert client.get(change("enrolment", other_enrolment.pk)).status_code == 302


def test_enrolment_list_filters_and_searches(
    client, registrar, enrolment, other_learner
):
    second = factories.enrol(other_learner, enrolment.offering)
    client.force_login(registrar)
    found = client.get(changelist("enrolment"), {"q": other_learner.email})
    assert list(found.context["cl"].result_list) == [second]
    by_course = client.get(
        changelist("enrolment"),
        {"course": enrolment.microcredential_id, "status": "active", "route": "course"},
    )
    assert set(by_course.context["cl"].result_list) == {enrolment, second}


def test_enrolment_list_query_count_does_not_grow_with_enrolments(
    client, registrar, offering, django_assert_max_num_queries
):
    for n in range(30):
        factories.enrol(factories.UserFactory(email=f"bulk{n}@example.org"), offering)
    client.force_login(registrar)
    with django_assert_max_num_queries(14):
        response = client.get(changelist("enrolment"))
    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == 30
