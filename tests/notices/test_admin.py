"""Reminders in the staff dashboard (Django admin), through the test client on
real PostgreSQL: the reminder schedule (django-celery-beat's periodic tasks)
for administrators only, the read-only sent-log and preferences, and each
course's reminder settings."""

from __future__ import annotations

import html
from typing import Any

import pytest
from django import forms
from django.contrib.auth.models import Group
from django.urls import reverse
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from courses.models import Microcredential
from microcred.roles import Role
from notices import services
from notices.models import Notice, NoticePreference
from tests import factories

pytestmark = pytest.mark.django_db


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
        formset = inline.formset
        add_form(formset.management_form)
        for form in formset.forms:
            add_form(form)
    return data


@pytest.fixture
def administrator(db):
    return factories.StaffFactory(email="admin@example.org", role=Role.ADMIN)


@pytest.fixture
def reminder_scan(db) -> PeriodicTask:
    return PeriodicTask.objects.get(name="Reminder scan")


def beat_url(model: str, action: str = "changelist", *args: Any) -> str:
    return reverse(f"admin:django_celery_beat_{model}_{action}", args=args)


# --- the reminder schedule --------------------------------------------------------


def test_the_migrations_give_each_role_its_notice_and_schedule_permissions():
    def codenames(role: Role) -> set[str]:
        return set(
            Group.objects.get(name=role.value).permissions.values_list(
                "codename", flat=True
            )
        )

    administrator = codenames(Role.ADMIN)
    assert {
        "view_periodictask",
        "change_periodictask",
        "view_intervalschedule",
        "change_intervalschedule",
        "view_crontabschedule",
        "change_crontabschedule",
        "view_notice",
        "view_noticepreference",
    } <= administrator
    assert "add_periodictask" not in administrator
    assert "delete_periodictask" not in administrator
    registrar = codenames(Role.REGISTRAR)
    assert {"view_notice", "view_noticepreference"} <= registrar
    assert not {c for c in registrar if c.endswith("periodictask")}
    instructor = codenames(Role.INSTRUCTOR)
    assert not {c for c in instructor if "notice" in c or "periodictask" in c}


def test_an_administrator_sees_the_reminder_scan_in_the_staff_dashboard(
    client, administrator, reminder_scan
):
    client.force_login(administrator)
    index = client.get(reverse("admin:index"))
    assert beat_url("periodictask") in page(index)
    listed = client.get("/staff/django_celery_beat/periodictask/")
    assert listed.status_code == 200
    text = page(listed)
    assert "Reminder scan" in text
    assert "Daily digests" in text
    change = client.get(beat_url("periodictask", "change", reminder_scan.pk))
    assert change.status_code == 200
    assert change.context["has_change_permission"] is True
    assert "notices.tasks.scan" in page(change)


def test_an_administrator_can_change_how_often_the_scan_runs(
    client, administrator, reminder_scan
):
    every_five, _created = IntervalSchedule.objects.get_or_create(
        every=5, period=IntervalSchedule.MINUTES
    )
    client.force_login(administrator)
    url = beat_url("periodictask", "change", reminder_scan.pk)
    data = form_data(client.get(url))
    data["interval"] = str(every_five.pk)
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    reminder_scan.refresh_from_db()
    assert reminder_scan.interval == every_five
    assert reminder_scan.task == "notices.tasks.scan"


def test_an_administrator_cannot_add_or_delete_a_periodic_task(
    client, administrator, reminder_scan
):
    client.force_login(administrator)
    assert client.get(beat_url("periodictask", "add")).status_code == 403
    delete = beat_url("periodictask", "delete", reminder_scan.pk)
    assert client.get(delete).status_code == 403
    assert PeriodicTask.objects.filter(pk=reminder_scan.pk).exists()


@pytest.mark.parametrize("role", [Role.INSTRUCTOR, Role.REGISTRAR])
def test_instructors_and_registrars_cannot_see_or_change_the_schedule(
    client, reminder_scan, role
):
    person = factories.StaffFactory(
        email=f"{role.value.lower()}@example.org", role=role
    )
    client.force_login(person)
    assert client.get(beat_url("periodictask")).status_code == 403
    url = beat_url("periodictask", "change", reminder_scan.pk)
    assert client.get(url).status_code == 403
    response = client.post(url, {"name": "Reminder scan", "enabled": ""})
    assert response.status_code == 403
    reminder_scan.refresh_from_db()
    assert reminder_scan.enabled is True
    assert beat_url("periodictask") not in page(client.get(reverse("admin:index")))


# --- the sent-log and preferences, read-only --------------------------------------


@pytest.fixture
def recorded_notice(learner, course, enrolment) -> Notice:
    import datetime as dt

    course.inactivity_nudge_days = 0  # the summative reminder only
    course.save(update_fields=["inactivity_nudge_days"])
    services.notices_scan(now=enrolment.summative_due_at - dt.timedelta(days=5))
    return Notice.objects.get(recipient=learner, kind="summative_due")


@pytest.mark.parametrize("role", [Role.REGISTRAR, Role.ADMIN])
def test_registrars_and_administrators_read_the_sent_log(client, recorded_notice, role):
    person = factories.StaffFactory(
        email=f"{role.value.lower()}@example.org", role=role
    )
    client.force_login(person)
    listed = client.get(reverse("admin:notices_notice_changelist"))
    assert listed.status_code == 200
    assert recorded_notice in listed.context["cl"].result_list

    found = client.get(
        reverse("admin:notices_notice_changelist"),
        {
            "q": "ada@example.org",
            "status__exact": "pending",
            "kind__exact": "summative_due",
        },
    )
    assert list(found.context["cl"].result_list) == [recorded_notice]
    none = client.get(
        reverse("admin:notices_notice_changelist"), {"q": "nobody@example.org"}
    )
    assert list(none.context["cl"].result_list) == []

    change_url = reverse("admin:notices_notice_change", args=[recorded_notice.pk])
    shown = client.get(change_url)
    assert shown.status_code == 200
    assert shown.context["has_change_permission"] is False
    course_page = reverse(
        "notices:course", kwargs={"course_id": recorded_notice.course_id}
    )
    # The course's notices page is for registrars (and its instructors).
    assert (course_page in page(shown)) is (role == Role.REGISTRAR)
    assert client.post(change_url, {"status": "sent"}).status_code == 403
    recorded_notice.refresh_from_db()
    assert recorded_notice.status == "pending"
    assert client.get(reverse("admin:notices_notice_add")).status_code == 403


def test_the_sent_log_filters_by_course(client, registrar, recorded_notice, course):
    client.force_login(registrar)
    other = factories.MicrocredentialFactory()
    response = client.get(
        reverse("admin:notices_notice_changelist"), {"course__id__exact": other.pk}
    )
    assert list(response.context["cl"].result_list) == []
    response = client.get(
        reverse("admin:notices_notice_changelist"), {"course__id__exact": course.pk}
    )
    assert list(response.context["cl"].result_list) == [recorded_notice]


def test_instructors_cannot_open_the_sent_log(client, instructor, recorded_notice):
    client.force_login(instructor)
    assert client.get(reverse("admin:notices_notice_changelist")).status_code == 403


def test_registrars_read_notice_preferences_without_changing_them(
    client, registrar, learner
):
    services.preferences_save(user=learner, disabled_kinds=["inactivity"], digest=True)
    preference = NoticePreference.objects.get(user=learner)
    client.force_login(registrar)
    listed = client.get(reverse("admin:notices_noticepreference_changelist"))
    assert listed.status_code == 200
    assert "Inactivity nudge" in page(listed)
    url = reverse("admin:notices_noticepreference_change", args=[preference.pk])
    assert client.get(url).context["has_change_permission"] is False
    assert client.post(url, {"digest": ""}).status_code == 403
    preference.refresh_from_db()
    assert preference.digest is True


# --- a course's reminder settings -------------------------------------------------


def course_url(course: Microcredential) -> str:
    return reverse("admin:courses_microcredential_change", args=[course.pk])


def test_the_course_form_shows_the_reminder_settings_and_the_notices_page(
    client, instructor, course
):
    client.force_login(instructor)
    response = client.get(course_url(course))
    text = page(response)
    assert "Reminders" in text
    assert 'value="7, 2"' in text
    assert reverse("notices:course", kwargs={"course_id": course.pk}) in text


@pytest.mark.parametrize(
    ("due", "end", "stored_due", "stored_end"),
    [
        ("14, 3, 1", "2 7", [14, 3, 1], [7, 2]),
        ("", " ", [], []),
        ("90", "1", [90], [1]),
    ],
)
def test_an_instructor_saves_the_reminder_days_largest_first(
    client, instructor, course, due, end, stored_due, stored_end
):
    client.force_login(instructor)
    url = course_url(course)
    data = form_data(client.get(url))
    data |= {"due_reminder_days": due, "end_reminder_days": end}
    data["inactivity_nudge_days"] = 0
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    course.refresh_from_db()
    assert course.due_reminder_days == stored_due
    assert course.end_reminder_days == stored_end
    assert course.inactivity_nudge_days == 0


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("seven", "“seven” is not a whole number of days."),
        ("0", "0 is outside 1 to 90 days before the date."),
        ("7, 7", "Each number of days may appear once."),
        ("120", "120 is outside 1 to 90 days before the date."),
        ("7, 2.5", "“2.5” is not a whole number of days."),
        ("-3", "-3 is outside 1 to 90 days before the date."),
    ],
)
def test_bad_reminder_days_are_refused_with_a_clear_error_and_nothing_saved(
    client, instructor, course, typed, message
):
    client.force_login(instructor)
    url = course_url(course)
    data = form_data(client.get(url))
    data["due_reminder_days"] = typed
    data["end_reminder_days"] = "5"
    data["title"] = "A title that must not be saved"
    response = client.post(url, data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert list(errors) == ["due_reminder_days"]
    assert errors["due_reminder_days"] == [message]
    text = page(response)
    assert message in text
    assert f'value="{typed}"' in text  # what was typed stays, to correct it
    course.refresh_from_db()
    assert course.due_reminder_days == [7, 2]
    assert course.end_reminder_days == [7, 2]
    assert course.title != "A title that must not be saved"


def test_a_negative_inactivity_nudge_is_refused(client, instructor, course):
    client.force_login(instructor)
    url = course_url(course)
    data = form_data(client.get(url))
    data["inactivity_nudge_days"] = -1
    response = client.post(url, data)
    assert response.status_code == 200
    assert list(response.context["adminform"].form.errors) == ["inactivity_nudge_days"]
    course.refresh_from_db()
    assert course.inactivity_nudge_days == 7


def test_a_registrar_sees_the_reminder_settings_read_only_with_the_link(
    client, registrar, course
):
    client.force_login(registrar)
    text = page(client.get(course_url(course)))
    assert "7, 2" in text
    assert reverse("notices:course", kwargs={"course_id": course.pk}) in text
