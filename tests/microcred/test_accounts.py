"""Accounts: e-mail sign-up with mandatory verification, profile, password reset."""

import re

import pytest
from django.urls import reverse

from microcred.models import User
from tests import factories

pytestmark = pytest.mark.django_db

SIGNUP = {
    "email": "new.learner@example.org",
    "password1": "a-long-unusual-passphrase",
    "password2": "a-long-unusual-passphrase",
    "legal_name": "Ada King Lovelace",
}


def test_signup_stores_the_legal_name_and_asks_to_verify(client, mailoutbox):
    response = client.post(reverse("account_signup"), SIGNUP)
    assert response.status_code == 302
    user = User.objects.get(email="new.learner@example.org")
    assert user.legal_name == "Ada King Lovelace"
    assert "confirm-email" in mailoutbox[0].body
    # Mandatory verification: no access to the dashboard yet.
    dashboard = client.get(reverse("courses:dashboard"))
    assert dashboard.status_code == 302


def test_signup_without_legal_name_is_refused(client):
    response = client.post(reverse("account_signup"), SIGNUP | {"legal_name": ""})
    assert response.status_code == 200
    assert not User.objects.filter(email=SIGNUP["email"]).exists()


def test_verifying_the_email_signs_the_learner_in(client, mailoutbox):
    client.post(reverse("account_signup"), SIGNUP)
    path = re.search(r"/accounts/confirm-email/[^/\s]+/", mailoutbox[0].body).group(0)
    client.post(path)
    assert client.get(reverse("courses:dashboard")).status_code == 200


def test_unverified_learner_cannot_sign_in(client):
    factories.UserFactory(email="unverified@example.org", verified=False)
    response = client.post(
        reverse("account_login"),
        {"login": "unverified@example.org", "password": factories.PASSWORD},
    )
    assert client.get(reverse("courses:dashboard")).status_code == 302
    assert response.status_code in (200, 302)


def test_password_reset_sends_a_link(client, learner, mailoutbox):
    response = client.post(reverse("account_reset_password"), {"email": learner.email})
    assert response.status_code == 302
    assert "password/reset/key" in mailoutbox[-1].body


def test_profile_saves_name_time_zone_and_language(client, learner):
    client.force_login(learner)
    response = client.post(
        reverse("profile"),
        {
            "legal_name": "Ada Lovelace",
            "display_name": "Ada",
            "time_zone": "Europe/Paris",
            "preferred_language": "fr",
            "low_bandwidth": "on",
        },
    )
    assert response.status_code == 302
    learner.refresh_from_db()
    assert learner.time_zone == "Europe/Paris"
    assert learner.preferred_language == "fr"
    assert learner.low_bandwidth is True


def test_profile_refuses_an_unknown_time_zone_and_keeps_the_old_one(client, learner):
    client.force_login(learner)
    response = client.post(
        reverse("profile"),
        {"legal_name": "Ada", "time_zone": "Mars/Olympus", "preferred_language": "en"},
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.text
    learner.refresh_from_db()
    assert learner.time_zone == "America/Toronto"


def test_profile_needs_sign_in(client):
    response = client.get(reverse("profile"))
    assert response.status_code == 302


def test_signup_keeps_the_browsers_time_zone(client):
    client.post(reverse("account_signup"), SIGNUP | {"time_zone": "Asia/Tokyo"})
    assert User.objects.get(email=SIGNUP["email"]).time_zone == "Asia/Tokyo"


def test_signup_ignores_an_unknown_time_zone(client):
    client.post(reverse("account_signup"), SIGNUP | {"time_zone": "Nowhere/Land"})
    assert User.objects.get(email=SIGNUP["email"]).time_zone == "America/Toronto"
