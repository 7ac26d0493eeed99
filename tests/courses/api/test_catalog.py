from decimal import Decimal

import pytest
from django.urls import reverse

from courses.models import CourseStatus, Offering
from tests import factories

from .json_errors import assert_json_error

LIST_URL = reverse("api:microcredential-list")


def detail_url(slug: str) -> str:
    return reverse("api:microcredential-detail", kwargs={"slug": slug})


def codes(response) -> set[str]:
    return {item["code"] for item in response.json()["results"]}


@pytest.fixture
def owner(instructor):
    return instructor


@pytest.fixture
def catalog(owner):
    """Three published microcredentials that differ on every filter, one draft."""
    data = factories.MicrocredentialFactory(
        owner=owner,
        code="data-101",
        title="Data Practice",
        language="en",
        level="introductory",
        delivery_mode="self_paced",
    )
    safety = factories.MicrocredentialFactory(
        owner=owner,
        code="safe-201",
        title="Workplace Safety",
        language="fr",
        level="intermediate",
        delivery_mode="cohort",
        credit_status="for_credit",
        credit_value=Decimal("3.00"),
        credit_institution="Collège Exemple",
    )
    leader = factories.MicrocredentialFactory(
        owner=owner,
        code="lead-301",
        title="Leading Teams",
        level="advanced",
        delivery_mode="blended",
        summary="Run a team through change.",
    )
    draft = factories.MicrocredentialFactory(
        owner=owner, code="draft-1", title="Data Draft", status=CourseStatus.DRAFT
    )
    leader.outcomes.create(
        position=9, code="LO9", text="Negotiate a budget with stakeholders."
    )
    factories.PathwayFactory(slug="data-cert", members=[data, leader])
    return {"data": data, "safety": safety, "leader": leader, "draft": draft}


def test_catalog_lists_published_microcredentials_to_anyone(api_client, catalog):
    response = api_client.get(LIST_URL)

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    assert codes(response) == {"data-101", "safe-201", "lead-301"}


def test_catalog_item_shows_time_window_credential_pathways_and_page(
    api_client, catalog
):
    response = api_client.get(LIST_URL, {"q": "Data Practice"})

    [item] = response.json()["results"]
    assert item["slug"] == catalog["data"].slug
    assert item["time_commitment_hours"] == 30
    assert item["completion_window_days"] == 42
    assert item["window_in_words"] == "6 weeks"
    assert item["credential_name"] == "Data Practice badge"
    assert item["language"] == "en"
    assert item["level"] == "introductory"
    assert item["delivery_mode"] == "self_paced"
    assert [p["slug"] for p in item["pathways"]] == ["data-cert"]
    assert set(item["pathways"][0]) == {"code", "slug", "title"}
    assert item["url"] == f"http://testserver/courses/{catalog['data'].slug}/"


def test_non_credit_items_carry_no_credit_value_or_institution(api_client, catalog):
    response = api_client.get(LIST_URL, {"credit_status": "non_credit"})

    for item in response.json()["results"]:
        assert item["credit_status"] == "non_credit"
        assert item["credit_label"] == "Non-credit microcredential"
        assert "credit_value" not in item
        assert "credit_institution" not in item


def test_for_credit_items_show_credit_value_and_institution(api_client, catalog):
    response = api_client.get(LIST_URL, {"credit_status": "for_credit"})

    [item] = response.json()["results"]
    assert item["code"] == "safe-201"
    assert item["credit_label"] == "For-credit microcredential"
    assert item["credit_value"] == "3.00"
    assert item["credit_institution"] == "Collège Exemple"


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"language": "fr"}, {"safe-201"}),
        ({"level": "advanced"}, {"lead-301"}),
        ({"delivery_mode": "cohort"}, {"safe-201"}),
        ({"credit_status": "non_credit"}, {"data-101", "lead-301"}),
        ({"pathway": "data-cert"}, {"data-101", "lead-301"}),
        ({"pathway": "no-such-pathway"}, set()),
        ({"q": "safety"}, {"safe-201"}),
        ({"q": "change"}, {"lead-301"}),
        ({"q": "negotiate budget"}, {"lead-301"}),
        ({"q": "data", "level": "introductory"}, {"data-101"}),
        ({"language": "", "q": ""}, {"data-101", "safe-201", "lead-301"}),
    ],
)
def test_catalog_filters_like_the_web_catalog(api_client, catalog, params, expected):
    response = api_client.get(LIST_URL, params)

    assert response.status_code == 200
    assert codes(response) == expected


def test_search_never_finds_a_draft(api_client, catalog):
    response = api_client.get(LIST_URL, {"q": "draft"})

    assert codes(response) == set()


def test_an_unknown_filter_value_is_a_json_400_naming_the_field(api_client, catalog):
    response = api_client.get(LIST_URL, {"language": "klingon"})

    body = assert_json_error(response, 400)
    assert "language" in body["errors"]


@pytest.mark.parametrize("size", [2, 20])
def test_catalog_query_count_does_not_grow_with_courses(
    api_client, owner, size, django_assert_max_num_queries
):
    pathway = factories.PathwayFactory()
    for _ in range(size):
        course = factories.MicrocredentialFactory(owner=owner, with_content=False)
        pathway.microcredentials.add(course)

    with django_assert_max_num_queries(3):
        response = api_client.get(LIST_URL)

    assert response.json()["count"] == size
    assert all(item["pathways"] for item in response.json()["results"])


# ------------------------------------------------------------------ detail


def test_detail_shows_outcomes_modules_offerings_pathways_and_assessment(
    api_client, catalog, learner, other_learner
):
    course = catalog["data"]
    rolling = factories.OfferingFactory(microcredential=course)
    cohort = factories.ScheduledOfferingFactory(microcredential=course, capacity=10)
    factories.OfferingFactory(microcredential=course, is_open=False, label="Closed")
    factories.enrol(learner, cohort)
    factories.PathwayFactory(
        title="Certificate in Data Work",
        members=[course, catalog["leader"], catalog["safety"]],
    )

    response = api_client.get(detail_url(course.slug))

    assert response.status_code == 200
    body = response.json()
    assert body["code"] == "data-101"
    assert [o["code"] for o in body["outcomes"]] == ["LO1", "LO2"]
    assert body["modules"] == [
        {"title": "Module 1", "estimated_minutes": 90},
        {"title": "Module 2", "estimated_minutes": 90},
    ]
    offerings = {o["id"]: o for o in body["offerings"]}
    assert set(offerings) == {rolling.pk, cohort.pk}
    assert offerings[rolling.pk]["seats_left"] is None
    assert offerings[rolling.pk]["kind"] == Offering.Kind.ROLLING
    assert offerings[cohort.pk]["seats_left"] == 9
    assert offerings[cohort.pk]["starts_on"] == cohort.starts_on.isoformat()
    assert offerings[cohort.pk]["ends_on"] == cohort.last_day.isoformat()
    positions = sorted(p["position"] for p in body["pathways"])
    assert positions == [
        "1 of 2 toward the " + catalog["data"].pathways.get(slug="data-cert").title,
        "1 of 3 toward the Certificate in Data Work",
    ]
    assessment = body["assessment"]
    assert assessment["summative_attempts"] == 2
    assert assessment["feedback_turnaround_days"] == 7
    assert assessment["resubmission_days"] == 7
    assert "two attempts" in assessment["text"]
    assert body["window_in_words"] == "6 weeks"
    assert "credit_value" not in body


def test_detail_of_an_n_of_m_pathway_counts_what_is_needed(api_client, catalog):
    factories.PathwayFactory(
        title="Certificate in Practice",
        requirement="n_of_m",
        required_count=2,
        members=[catalog["data"], catalog["leader"], catalog["safety"]],
    )

    body = api_client.get(detail_url(catalog["safety"].slug)).json()

    [pathway] = body["pathways"]
    assert pathway["needed"] == 2
    assert pathway["size"] == 3
    assert pathway["position"] == "1 of 2 toward the Certificate in Practice"


def test_detail_of_an_unpublished_course_is_a_json_404(api_client, catalog):
    response = api_client.get(detail_url(catalog["draft"].slug))

    assert_json_error(response, 404)


def test_detail_of_an_unknown_slug_is_a_json_404(api_client, db):
    response = api_client.get(detail_url("no-such-course"))

    assert_json_error(response, 404)


def test_an_unknown_api_address_is_a_json_404(api_client, db):
    response = api_client.get("/api/v1/no/such/thing/")

    body = assert_json_error(response, 404)
    assert "no API endpoint" in body["error"]


def test_a_wrong_method_is_a_json_405(api_client, catalog):
    response = api_client.delete(LIST_URL)

    assert_json_error(response, 405)
