from django.urls import reverse
from rest_framework.authtoken.models import Token

from courses.models import Enrolment
from tests import factories
from tests.factories import PASSWORD

from .json_errors import assert_json_error

TOKEN_URL = reverse("api:token")
MINE_URL = reverse("api:my-enrolments")
REGISTER_URL = reverse("api:enrolment-create")


def test_a_token_is_given_for_the_right_email_and_password(api_client, learner):
    response = api_client.post(
        TOKEN_URL, {"email": "Ada@Example.org", "password": PASSWORD}, format="json"
    )

    assert response.status_code == 200, response.content
    assert response.json() == {"token": Token.objects.get(user=learner).key}


def test_asking_twice_gives_the_same_token(api_client, learner):
    payload = {"email": learner.email, "password": PASSWORD}

    first = api_client.post(TOKEN_URL, payload, format="json").json()
    second = api_client.post(TOKEN_URL, payload, format="json").json()

    assert first == second
    assert Token.objects.filter(user=learner).count() == 1


def test_the_token_authenticates_reads_and_registration(api_client, learner, offering):
    token = api_client.post(
        TOKEN_URL, {"email": learner.email, "password": PASSWORD}, format="json"
    ).json()["token"]
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")

    registered = api_client.post(REGISTER_URL, {"offering": offering.pk}, format="json")
    mine = api_client.get(MINE_URL)

    assert registered.status_code == 201, registered.content
    assert [item["id"] for item in mine.json()["results"]] == [registered.json()["id"]]
    assert Enrolment.objects.get().learner == learner


def test_a_wrong_password_gets_a_clear_json_400_and_no_token(api_client, learner):
    response = api_client.post(
        TOKEN_URL, {"email": learner.email, "password": "wrong"}, format="json"
    )

    body = assert_json_error(response, 400)
    assert "e-mail address and password" in body["error"]
    assert not Token.objects.exists()


def test_a_missing_field_is_named(api_client, db):
    response = api_client.post(TOKEN_URL, {"email": "not-an-email"}, format="json")

    body = assert_json_error(response, 400)
    assert set(body["errors"]) == {"email", "password"}


def test_an_unverified_email_gets_no_token(api_client, db):
    user = factories.UserFactory(email="new@example.org", verified=False)
    user.save()  # the factory saves the password only with a verified address

    response = api_client.post(
        TOKEN_URL, {"email": user.email, "password": PASSWORD}, format="json"
    )

    body = assert_json_error(response, 400)
    assert "Verify your e-mail" in body["error"]
    assert not Token.objects.exists()


def test_an_inactive_account_gets_no_token(api_client, learner):
    learner.is_active = False
    learner.save()

    response = api_client.post(
        TOKEN_URL, {"email": learner.email, "password": PASSWORD}, format="json"
    )

    assert_json_error(response, 400)


def test_an_invalid_token_is_a_json_401(api_client, db):
    api_client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")

    response = api_client.get(MINE_URL)

    assert_json_error(response, 401)
