import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.urls import reverse
from rest_framework.test import APIClient

from courses import services
from courses.models import CourseStatus, Enrolment
from tests import factories

from .json_errors import assert_json_error

MINE_URL = reverse("api:my-enrolments")
REGISTER_URL = reverse("api:enrolment-create")
TORONTO = zoneinfo.ZoneInfo("America/Toronto")
PARIS = zoneinfo.ZoneInfo("Europe/Paris")
# 1 March 2027, mid-morning in Toronto.
NOW = dt.datetime(2027, 3, 1, 15, 0, tzinfo=dt.UTC)


def parse(value: str) -> dt.datetime:
    parsed = dt.datetime.fromisoformat(value)
    assert parsed.tzinfo is not None, f"{value} has no offset"
    return parsed


# ------------------------------------------------------------ my enrolments


def test_my_enrolments_shows_only_the_callers_own(
    learner_client, enrolment, other_learner, course
):
    other_offering = factories.OfferingFactory(
        microcredential=factories.MicrocredentialFactory(owner=course.owner)
    )
    theirs = factories.enrol(other_learner, other_offering)
    factories.enrol(other_learner, enrolment.offering)

    response = learner_client.get(MINE_URL)

    assert response.status_code == 200
    ids = [item["id"] for item in response.json()["results"]]
    assert ids == [enrolment.pk]
    assert theirs.pk not in ids


def test_my_enrolments_show_course_offering_dates_days_left_and_progress(
    api_client, course, offering
):
    traveller = factories.UserFactory(time_zone="Europe/Paris")
    with time_machine.travel(NOW, tick=False):
        enrolment = factories.enrol(traveller, offering)
    item = course.modules.first().items.first()
    services.item_complete(
        learner=traveller, enrolment_id=enrolment.pk, item_id=item.pk
    )
    with time_machine.travel(NOW + dt.timedelta(days=10), tick=False):
        api_client.force_login(traveller)
        response = api_client.get(MINE_URL)

    [body] = response.json()["results"]
    assert body["course"]["code"] == course.code
    assert body["course"]["title"] == course.title
    assert body["course"]["url"].endswith(f"/courses/{course.slug}/")
    assert body["offering"] == {
        "id": offering.pk,
        "kind": "rolling",
        "label": offering.label,
        "starts_on": None,
    }
    assert body["status"] == "active"
    assert body["route"] == "course"
    # 42 days from 1 March ends 12 April; attempt 1 is due 14 days before.
    ends_at = parse(body["ends_at"])
    due_at = parse(body["summative_due_at"])
    assert ends_at == dt.datetime(2027, 4, 12, 23, 59, 59, tzinfo=TORONTO)
    assert due_at == dt.datetime(2027, 3, 29, 23, 59, 59, tzinfo=TORONTO)
    assert parse(body["registered_at"]) == NOW
    # Shown in the learner's zone, with its offset.
    assert body["time_zone"] == "Europe/Paris"
    assert body["ends_at"] == "2027-04-13T05:59:59+02:00"
    assert ends_at.utcoffset() == dt.timedelta(hours=2)
    assert body["ends_days_left"] == (dt.date(2027, 4, 13) - dt.date(2027, 3, 11)).days
    assert (
        body["summative_due_days_left"]
        == (dt.date(2027, 3, 30) - dt.date(2027, 3, 11)).days
    )
    assert body["progress"] == {"completed": 1, "total": 4, "percent": 25}


def test_my_enrolments_need_a_signed_in_caller(api_client, enrolment):
    response = api_client.get(MINE_URL)

    assert_json_error(response, 401)
    assert response["WWW-Authenticate"] == "Token"


@pytest.mark.parametrize("size", [2, 20])
def test_my_enrolments_query_count_does_not_grow_with_enrolments(
    learner, learner_client, instructor, size, django_assert_max_num_queries
):
    for _ in range(size):
        course = factories.MicrocredentialFactory(owner=instructor)
        factories.enrol(learner, factories.OfferingFactory(microcredential=course))

    # A fixed number: one more since each enrolment prefetches its credentials.
    with django_assert_max_num_queries(7):
        response = learner_client.get(MINE_URL)

    results = response.json()["results"]
    assert len(results) == size
    assert all(item["progress"]["total"] == 4 for item in results)


# ------------------------------------------------------------ registration


def test_registration_returns_201_with_both_dates_at_once(
    api_client, learner, offering
):
    with time_machine.travel(NOW, tick=False):
        api_client.force_login(learner)
        response = api_client.post(
            REGISTER_URL, {"offering": offering.pk}, format="json"
        )

    assert response.status_code == 201, response.content
    body = response.json()
    enrolment = Enrolment.objects.get(learner=learner)
    assert body["id"] == enrolment.pk
    assert body["course"]["code"] == offering.microcredential.code
    assert parse(body["summative_due_at"]) == enrolment.summative_due_at
    assert parse(body["ends_at"]) == enrolment.ends_at
    assert body["ends_at"] == "2027-04-12T23:59:59-04:00"
    assert body["summative_due_at"] == "2027-03-29T23:59:59-04:00"
    assert body["ends_days_left"] == 42
    assert body["progress"] == {"completed": 0, "total": 4, "percent": 0}


def test_registration_for_a_scheduled_offering_gets_its_fixed_dates(
    api_client, learner, course
):
    cohort = factories.ScheduledOfferingFactory(
        microcredential=course, starts_on=dt.date(2027, 5, 3)
    )

    with time_machine.travel(NOW, tick=False):
        api_client.force_login(learner)
        response = api_client.post(REGISTER_URL, {"offering": cohort.pk}, format="json")

    assert response.status_code == 201, response.content
    assert response.json()["ends_at"] == "2027-06-14T23:59:59-04:00"
    assert response.json()["offering"]["starts_on"] == "2027-05-03"


def test_registering_twice_is_refused_clearly_and_keeps_one_enrolment(
    learner_client, learner, offering
):
    first = learner_client.post(REGISTER_URL, {"offering": offering.pk}, format="json")
    second = learner_client.post(REGISTER_URL, {"offering": offering.pk}, format="json")

    assert first.status_code == 201
    body = assert_json_error(second, 409)
    assert body["error"] == "You are already registered for this microcredential."
    assert Enrolment.objects.filter(learner=learner).count() == 1


@pytest.mark.parametrize(
    ("make_offering", "message"),
    [
        (
            lambda course: factories.OfferingFactory(
                microcredential=course, is_open=False
            ),
            "This offering is closed for registration.",
        ),
        (
            lambda course: factories.OfferingFactory(
                microcredential=factories.MicrocredentialFactory(
                    owner=course.owner, status=CourseStatus.DRAFT
                )
            ),
            "This microcredential is not open for registration.",
        ),
    ],
    ids=["closed offering", "unpublished course"],
)
def test_registration_refusals_are_clear_and_write_nothing(
    learner_client, course, make_offering, message
):
    offering = make_offering(course)

    response = learner_client.post(
        REGISTER_URL, {"offering": offering.pk}, format="json"
    )

    body = assert_json_error(response, 400)
    assert body["error"] == message
    assert not Enrolment.objects.exists()


def test_registration_for_a_full_offering_is_refused_and_writes_nothing(
    learner_client, learner, other_learner, course
):
    full = factories.OfferingFactory(microcredential=course, capacity=1)
    factories.enrol(other_learner, full)

    response = learner_client.post(REGISTER_URL, {"offering": full.pk}, format="json")

    body = assert_json_error(response, 400)
    assert body["error"] == "This offering is full."
    assert not Enrolment.objects.filter(learner=learner).exists()
    assert Enrolment.objects.count() == 1


def test_registration_for_an_offering_that_does_not_exist_says_so(learner_client, db):
    response = learner_client.post(REGISTER_URL, {"offering": 987654}, format="json")

    body = assert_json_error(response, 400)
    assert body["error"] == "This offering does not exist."
    assert not Enrolment.objects.exists()


@pytest.mark.parametrize("payload", [{}, {"offering": "abc"}, {"offering": -1}])
def test_a_malformed_registration_names_the_offering_field(learner_client, db, payload):
    response = learner_client.post(REGISTER_URL, payload, format="json")

    body = assert_json_error(response, 400)
    assert "offering" in body["errors"]


def test_malformed_json_is_a_json_400(learner_client, db):
    response = learner_client.generic(
        "POST", REGISTER_URL, "{not json", content_type="application/json"
    )

    assert_json_error(response, 400)


def test_anonymous_cannot_register(api_client, offering):
    response = api_client.post(REGISTER_URL, {"offering": offering.pk}, format="json")

    assert_json_error(response, 401)
    assert response["WWW-Authenticate"] == "Token"
    assert not Enrolment.objects.exists()


def test_a_session_registration_without_the_csrf_token_is_refused(learner, offering):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(learner)

    response = client.post(REGISTER_URL, {"offering": offering.pk}, format="json")

    body = assert_json_error(response, 403)
    assert "CSRF" in body["error"]
    assert not Enrolment.objects.exists()
