"""The staff dashboard's people, roles and audit log, on real PostgreSQL."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser, Group
from django.test import RequestFactory
from django.urls import reverse

from microcred.audit import audit_record
from microcred.models import AuditEntry, User
from microcred.roles import Role, is_staff_member
from microcred.sites import StaffAdminSite
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def administrator(db):
    return factories.StaffFactory(email="admin@example.org", role=Role.ADMIN)


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser("root@example.org", "not-a-real-password-1")


def user_change(user: User) -> str:
    return reverse("admin:microcred_user_change", args=[user.pk])


def profile_post(user: User, **changes: object) -> dict[str, object]:
    """The change form as a browser would send it back, with ``changes``."""
    data: dict[str, object] = {
        "email": user.email,
        "display_name": user.display_name,
        "legal_name": user.legal_name,
        "time_zone": user.time_zone,
        "preferred_language": user.preferred_language,
        "is_active": "on",
        "groups": [],
    }
    if user.is_staff:
        data["is_staff"] = "on"
    data.update(changes)
    return data


def test_staff_site_admits_only_people_with_a_staff_role(
    learner, instructor, registrar, administrator, superuser
):
    roleless = factories.UserFactory(email="roleless@example.org", is_staff=True)
    role_without_staff_flag = factories.UserFactory(email="flagless@example.org")
    role_without_staff_flag.groups.add(Group.objects.get(name=Role.INSTRUCTOR.value))
    site = StaffAdminSite()
    request = RequestFactory().get("/staff/")

    def admitted(user: object) -> bool:
        request.user = user
        return site.has_permission(request)

    assert not admitted(AnonymousUser())
    assert not admitted(learner)
    assert not admitted(roleless)
    assert not admitted(role_without_staff_flag)
    assert all(
        admitted(user) for user in (instructor, registrar, administrator, superuser)
    )
    assert is_staff_member(superuser)


def test_staff_site_sends_sign_in_to_the_account_login():
    request = RequestFactory().get("/staff/login/")
    request.user = AnonymousUser()
    response = StaffAdminSite().login(request)
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_administrator_creates_a_user_with_email_and_password(client, administrator):
    client.force_login(administrator)
    add_url = reverse("admin:microcred_user_add")
    page = client.get(add_url)
    assert page.status_code == 200
    assert 'name="email"' in page.text
    assert 'name="username"' not in page.text

    response = client.post(
        add_url,
        {
            "email": "New.Person@Example.org",
            "usable_password": "true",
            "password1": "a-long-unusual-passphrase-42",
            "password2": "a-long-unusual-passphrase-42",
        },
    )

    assert response.status_code == 302
    created = User.objects.get(email="new.person@example.org")
    assert created.check_password("a-long-unusual-passphrase-42")
    assert not created.is_staff


def test_a_second_account_with_the_same_email_in_other_case_is_refused(
    client, administrator, learner
):
    client.force_login(administrator)
    response = client.post(
        reverse("admin:microcred_user_add"),
        {"email": learner.email.upper(), "usable_password": "false"},
    )
    assert response.status_code == 200
    assert "A user with this e-mail address exists." in response.text
    assert User.objects.filter(email__iexact=learner.email).count() == 1


def test_administrator_gives_a_person_a_staff_role(client, administrator, learner):
    registrar_role = Group.objects.get(name=Role.REGISTRAR.value)
    client.force_login(administrator)
    response = client.post(
        user_change(learner),
        profile_post(learner, is_staff="on", groups=[registrar_role.pk]),
    )
    assert response.status_code == 302
    learner.refresh_from_db()
    assert learner.is_staff
    assert list(learner.groups.values_list("name", flat=True)) == ["Registrar"]


def test_a_role_without_staff_status_gets_a_warning(client, administrator, learner):
    instructor_role = Group.objects.get(name=Role.INSTRUCTOR.value)
    client.force_login(administrator)
    response = client.post(
        user_change(learner),
        profile_post(learner, groups=[instructor_role.pk]),
        follow=True,
    )
    assert "has a staff role but no staff status" in response.text


def test_administrator_cannot_make_superusers_or_edit_them(
    client, administrator, learner, superuser
):
    client.force_login(administrator)
    client.post(user_change(learner), profile_post(learner, is_superuser="on"))
    learner.refresh_from_db()
    assert not learner.is_superuser

    page = client.get(user_change(superuser))
    assert page.status_code == 200
    assert 'name="email"' not in page.text  # view only
    posted = client.post(
        user_change(superuser), profile_post(superuser, email="taken@example.org")
    )
    assert posted.status_code == 403
    password = client.get(
        reverse("admin:auth_user_password_change", args=[superuser.pk])
    )
    assert password.status_code == 403


def test_user_list_shows_roles(client, administrator, instructor):
    client.force_login(administrator)
    response = client.get(reverse("admin:microcred_user_changelist"))
    assert response.status_code == 200
    assert instructor.email in response.text
    assert "Instructor" in response.text


def test_roles_are_view_only_for_administrators(client, administrator, instructor):
    role = Group.objects.get(name=Role.INSTRUCTOR.value)
    client.force_login(administrator)
    page = client.get(reverse("admin:auth_group_change", args=[role.pk]))
    assert page.status_code == 200
    assert instructor.email in page.text  # members listed
    assert 'name="permissions"' not in page.text
    posted = client.post(
        reverse("admin:auth_group_change", args=[role.pk]), {"name": "Hacked"}
    )
    assert posted.status_code == 403


def test_audit_log_is_read_only_for_everyone(client, superuser, registrar, learner):
    entry = audit_record(
        actor=registrar, action="enrolment.extend", target=learner, reason="Illness"
    )
    client.force_login(superuser)
    listing = client.get(reverse("admin:microcred_auditentry_changelist"))
    assert listing.status_code == 200
    assert "Illness" in listing.text
    change_url = reverse("admin:microcred_auditentry_change", args=[entry.pk])
    page = client.get(change_url)
    assert page.status_code == 200
    assert 'name="reason"' not in page.text
    assert client.get(reverse("admin:microcred_auditentry_add")).status_code == 403
    delete_url = reverse("admin:microcred_auditentry_delete", args=[entry.pk])
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    assert client.post(change_url, {"reason": "Edited"}).status_code == 403
    entry.refresh_from_db()
    assert entry.reason == "Illness"
    assert AuditEntry.objects.count() == 1


def test_registrars_and_administrators_read_the_audit_log_instructors_do_not(
    client, registrar, administrator, instructor
):
    url = reverse("admin:microcred_auditentry_changelist")
    for person in (registrar, administrator):
        client.force_login(person)
        assert client.get(url).status_code == 200
    client.force_login(instructor)
    assert client.get(url).status_code == 403


def test_learner_cannot_reach_people_or_roles(client, learner):
    client.force_login(learner)
    for url in (
        reverse("admin:microcred_user_changelist"),
        reverse("admin:auth_group_changelist"),
        reverse("admin:microcred_auditentry_changelist"),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert "login" in response.url


def test_the_dashboard_at_staff_is_the_role_checking_site(client):
    from django.contrib import admin as django_admin

    assert isinstance(django_admin.site, StaffAdminSite)
    roleless = factories.UserFactory(email="roleless@example.org", is_staff=True)
    client.force_login(roleless)
    response = client.get("/staff/")
    assert response.status_code == 302
    assert "/staff/" not in response.text
