"""PLAR in the staff dashboard (Django admin), through the test client on real
PostgreSQL: read-only requests and appeals scoped to the courses a person may
see, the course's PLAR settings, the route on enrolments and on the summative."""

from __future__ import annotations

import html
from typing import Any

import pytest
from django import forms
from django.contrib.auth.models import Group
from django.urls import reverse

from courses.models import Enrolment, Microcredential
from microcred.roles import Role
from plar import services
from plar.models import Appeal, PlarRequest
from tests import factories
from tests.plar import factories as pf

pytestmark = pytest.mark.django_db

PLAR_VIEW_PERMISSIONS = {
    "view_plarrequest",
    "view_outcomestatement",
    "view_evidence",
    "view_requestevent",
    "view_appeal",
}


def admin_url(model: str, action: str = "changelist", *args: Any) -> str:
    app = "plar" if model in ("plarrequest", "appeal") else "courses"
    if model == "assessment":
        app = "assessments"
    return reverse(f"admin:{app}_{model}_{action}", args=args)


def page(response: Any) -> str:
    return html.unescape(response.content.decode())


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
        add_form(inline.formset.management_form)
        for form in inline.formset.forms:
            add_form(form)
    return data


@pytest.fixture
def plar_course(instructor):
    course = pf.plar_course(owner=instructor, title="Workplace Data Skills")
    course.instructors.add(instructor)
    return course


@pytest.fixture
def other_course(db):
    other = factories.StaffFactory(email="other.instructor@example.org")
    return pf.plar_course(owner=other, title="Someone Else's Course")


def declined_with_appeal(learner, course, reviewer) -> tuple[PlarRequest, Appeal]:
    request = pf.submitted_request(learner, course)
    services.review_start(reviewer=reviewer, request_id=request.pk)
    services.request_decide(
        reviewer=reviewer,
        request_id=request.pk,
        decision="declined",
        reason="LO2 is not shown.",
    )
    appeal = services.appeal_submit(
        learner=learner, request_id=request.pk, reason="Please look again at LO2."
    )
    return request, appeal


# --- roles ------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.INSTRUCTOR, Role.REGISTRAR])
def test_the_staff_roles_may_only_view_plar_records(instructor, role):
    group = Group.objects.get(name=role.value)
    codenames = set(
        group.permissions.filter(content_type__app_label="plar").values_list(
            "codename", flat=True
        )
    )
    assert codenames == PLAR_VIEW_PERMISSIONS


# --- requests -----------------------------------------------------------------------


def test_an_instructor_lists_the_plar_requests_of_their_own_courses_only(
    client, instructor, learner, other_learner, plar_course, other_course
):
    mine = pf.submitted_request(learner, plar_course)
    pf.submitted_request(other_learner, other_course)
    client.force_login(instructor)
    response = client.get(admin_url("plarrequest"))
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [mine]
    assert reverse("plar-staff:request", args=[mine.pk]) in page(response)


def test_an_instructor_cannot_open_another_courses_request_in_the_dashboard(
    client, instructor, other_learner, other_course
):
    theirs = pf.submitted_request(other_learner, other_course)
    client.force_login(instructor)
    response = client.get(admin_url("plarrequest", "change", theirs.pk))
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")


def test_a_registrar_lists_every_request_and_filters_and_searches_them(
    client, registrar, learner, other_learner, plar_course, other_course
):
    first = pf.submitted_request(learner, plar_course)
    second = pf.approved_request(other_learner, other_course, reviewer=registrar)
    client.force_login(registrar)
    listed = client.get(admin_url("plarrequest"))
    assert set(listed.context["cl"].result_list) == {first, second}
    assert "Prior learning (PLAR)" in page(listed)  # the approved one's route
    by_course = client.get(admin_url("plarrequest"), {"course": plar_course.pk})
    assert list(by_course.context["cl"].result_list) == [first]
    by_status = client.get(admin_url("plarrequest"), {"status__exact": "approved"})
    assert list(by_status.context["cl"].result_list) == [second]
    by_learner = client.get(admin_url("plarrequest"), {"learner": learner.pk})
    assert list(by_learner.context["cl"].result_list) == [first]
    by_email = client.get(admin_url("plarrequest"), {"q": other_learner.email})
    assert list(by_email.context["cl"].result_list) == [second]
    decided = client.get(admin_url("plarrequest"), {"decided_at__isnull": "False"})
    assert decided.status_code == 200


def test_the_request_page_is_read_only_with_its_inlines_and_a_review_link(
    client, registrar, learner, plar_course, instructor
):
    request, appeal = declined_with_appeal(learner, plar_course, instructor)
    client.force_login(registrar)
    response = client.get(admin_url("plarrequest", "change", request.pk))
    assert response.status_code == 200
    text = page(response)
    assert 'name="_save"' not in text
    assert reverse("plar-staff:request", args=[request.pk]) in text
    assert reverse("plar-staff:appeal", args=[appeal.pk]) in text
    assert "At work I apply technique 1 to a workplace problem. every week." in text
    assert 'href="https://portfolio.example.org/work-sample"' in text
    assert 'rel="noopener noreferrer"' in text
    assert "LO2 is not shown." in text  # the decision, in the history
    assert "Please look again at LO2." in text  # the appeal


def test_nobody_adds_changes_or_deletes_plar_requests_in_the_dashboard(
    client, registrar, learner, plar_course
):
    request = pf.submitted_request(learner, plar_course)
    client.force_login(registrar)
    assert client.get(admin_url("plarrequest", "add")).status_code == 403
    assert (
        client.post(admin_url("plarrequest", "delete", request.pk), {"post": "yes"})
    ).status_code == 403
    client.post(admin_url("plarrequest", "change", request.pk), {"status": "approved"})
    request.refresh_from_db()
    assert request.status == PlarRequest.Status.SUBMITTED
    assert PlarRequest.objects.count() == 1


def test_the_request_list_query_count_does_not_grow_with_requests(
    client, registrar, plar_course, django_assert_max_num_queries
):
    for _ in range(20):
        pf.approved_request(factories.UserFactory(), plar_course, reviewer=registrar)
    client.force_login(registrar)
    with django_assert_max_num_queries(14):
        response = client.get(admin_url("plarrequest"))
    assert len(response.context["cl"].result_list) == 20


# --- appeals ------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["instructor", "registrar"])
def test_the_appeal_list_loads_read_only_with_a_link_to_decide(
    client, request, learner, plar_course, instructor, who
):
    _request, appeal = declined_with_appeal(learner, plar_course, instructor)
    client.force_login(request.getfixturevalue(who))
    listed = client.get(admin_url("appeal"))
    assert listed.status_code == 200
    assert list(listed.context["cl"].result_list) == [appeal]
    assert reverse("plar-staff:appeal", args=[appeal.pk]) in page(listed)
    detail = client.get(admin_url("appeal", "change", appeal.pk))
    assert detail.status_code == 200
    assert 'name="_save"' not in page(detail)
    assert client.get(admin_url("appeal", "add")).status_code == 403


def test_a_learner_is_refused_the_plar_dashboard_pages(client, learner):
    client.force_login(learner)
    response = client.get(admin_url("plarrequest"))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


# --- the course's PLAR settings -----------------------------------------------------


def test_the_course_admin_saves_the_plar_settings(client, instructor, plar_course):
    client.force_login(instructor)
    url = admin_url("microcredential", "change", plar_course.pk)
    shown = client.get(url)
    assert "Prior learning (PLAR)" in page(shown)
    data = form_data(shown)
    data.pop("plar_offered", None)
    data["plar_window_days"] = 10  # too short, but PLAR is not offered
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    plar_course.refresh_from_db()
    assert (plar_course.plar_offered, plar_course.plar_window_days) == (False, 10)

    data["plar_offered"] = "on"
    data["plar_window_days"] = 21
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    plar_course.refresh_from_db()
    assert (plar_course.plar_offered, plar_course.plar_window_days) == (True, 21)


def test_the_course_admin_refuses_a_plar_window_too_short_with_a_clear_error(
    client, instructor, plar_course
):
    client.force_login(instructor)
    url = admin_url("microcredential", "change", plar_course.pk)
    data = form_data(client.get(url))
    data["plar_offered"] = "on"
    data["plar_window_days"] = 14
    response = client.post(url, data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert list(errors) == ["plar_window_days"]
    message = (
        "The PLAR window of 14 days cannot hold a day for attempt 1 plus 7 days for "
        "feedback and 7 days for a second attempt (needs at least 15 days)."
    )
    assert errors["plar_window_days"] == [message]
    assert message in page(response)
    plar_course.refresh_from_db()
    assert plar_course.plar_window_days == 30


def test_the_plar_window_is_checked_against_the_turnaround_being_saved(
    client, instructor, plar_course
):
    client.force_login(instructor)
    url = admin_url("microcredential", "change", plar_course.pk)
    data = form_data(client.get(url))
    data["plar_window_days"] = 30
    data["feedback_turnaround_days"] = 20
    data["resubmission_days"] = 14
    data["completion_window_days"] = 60
    response = client.post(url, data)
    assert response.status_code == 200
    assert "needs at least 35 days" in page(response)
    assert Microcredential.objects.get(pk=plar_course.pk).feedback_turnaround_days == 7


# --- the route, on enrolments and on the summative ----------------------------------


def test_the_enrolment_list_shows_the_route_and_filters_by_it(
    client, registrar, learner, other_learner, plar_course
):
    approved = pf.approved_request(learner, plar_course, reviewer=registrar)
    course_route = factories.enrol(other_learner, plar_course.offerings.first())
    client.force_login(registrar)
    listed = client.get(admin_url("enrolment"))
    assert set(listed.context["cl"].result_list) == {approved.enrolment, course_route}
    assert "Prior learning (PLAR)" in page(listed)
    by_route = client.get(admin_url("enrolment"), {"route__exact": "plar"})
    assert list(by_route.context["cl"].result_list) == [approved.enrolment]
    assert approved.enrolment.route == Enrolment.Route.PLAR
    detail = client.get(admin_url("enrolment", "change", approved.enrolment.pk))
    assert detail.status_code == 200
    assert "Prior learning (PLAR)" in page(detail)


def test_the_summative_assessment_page_states_the_courses_plar_setting(
    client, instructor, plar_course
):
    summative = plar_course.assessments.get(kind="summative")
    client.force_login(instructor)
    url = admin_url("assessment", "change", summative.pk)
    text = page(client.get(url))
    assert "offered, window 30 days" in text
    assert admin_url("microcredential", "change", plar_course.pk) in text

    Microcredential.objects.filter(pk=plar_course.pk).update(plar_offered=False)
    assert "not offered" in page(client.get(url))
