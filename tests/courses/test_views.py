"""The learner's pages, through the test client on real PostgreSQL."""

import datetime as dt
import zoneinfo

import pytest
from django.urls import reverse

from courses.models import Enrolment, ItemKind, ItemProgress, Reflection
from tests import factories

pytestmark = pytest.mark.django_db


def test_catalog_lists_published_courses_only(client, course):
    draft = factories.MicrocredentialFactory(status="draft", title="Hidden Draft")
    response = client.get(reverse("courses:catalog"))
    assert response.status_code == 200
    assert course.title in response.text
    assert draft.title not in response.text


def test_catalog_card_shows_time_window_and_credential(client, course):
    response = client.get(reverse("courses:catalog"))
    assert "30 hours" in response.text
    assert "6 weeks to complete" in response.text
    assert course.credential_name in response.text
    assert "Non-credit microcredential" in response.text


def test_catalog_searches_outcomes_and_filters(client, course):
    other = factories.MicrocredentialFactory(title="Gardening", language="fr")
    other.outcomes.update(text="Prune roses in winter.")
    found = client.get(reverse("courses:catalog"), {"q": "roses"})
    assert "Gardening" in found.text
    assert course.title not in found.text
    french = client.get(reverse("courses:catalog"), {"language": "fr"})
    assert "Gardening" in french.text
    assert course.title not in french.text


def test_catalog_ignores_unknown_filter_values(client, course):
    response = client.get(
        reverse("courses:catalog"),
        {"level": "<script>", "pathway": "nope", "page": "999999", "language": "xx"},
    )
    assert response.status_code == 200
    assert course.title in response.text


def test_catalog_htmx_returns_only_results(client, course):
    response = client.get(reverse("courses:catalog"), headers={"HX-Request": "true"})
    assert "<html" not in response.text
    assert course.title in response.text


def test_catalog_query_count_does_not_grow_with_courses(
    client, django_assert_max_num_queries
):
    pathway = factories.PathwayFactory()
    for _ in range(20):
        course = factories.MicrocredentialFactory(with_content=False)
        pathway.microcredentials.add(course)
    with django_assert_max_num_queries(6):
        response = client.get(reverse("courses:catalog"))
    assert response.status_code == 200


def test_course_page_shows_window_in_plain_words_and_credit_label(client, course):
    factories.TestimonialFactory(microcredential=course, quote="Superb course.")
    factories.TestimonialFactory(
        microcredential=course, quote="Not curated yet.", is_approved=False
    )
    response = client.get(course.get_absolute_url())
    text = response.text
    assert "You have 6 weeks from the day you register" in text
    assert "Non-credit microcredential" in text
    assert "two attempts" in text
    assert "Superb course." in text
    assert "Not curated yet." not in text


def test_for_credit_course_shows_credit_value_and_institution(client):
    course = factories.MicrocredentialFactory(
        credit_status="for_credit", credit_value="0.5", credit_institution="Uni X"
    )
    response = client.get(course.get_absolute_url())
    assert "For-credit microcredential" in response.text
    assert "Worth 0.5 credits at Uni X" in response.text
    assert "Non-credit" not in response.text


def test_course_page_shows_pathway_position(client, course):
    other = factories.MicrocredentialFactory()
    third = factories.MicrocredentialFactory()
    factories.PathwayFactory(
        title="Certificate in Data Practice", members=[course, other, third]
    )
    response = client.get(course.get_absolute_url())
    assert "1 of 3 microcredentials toward the Certificate in Data Practice" in (
        response.text
    )


def test_unpublished_course_page_is_not_found(client):
    draft = factories.MicrocredentialFactory(status="draft")
    assert client.get(draft.get_absolute_url()).status_code == 404


def test_anonymous_visitor_cannot_register(client, offering):
    response = client.post(reverse("courses:register", args=[offering.pk]))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]
    assert not Enrolment.objects.exists()


def test_registration_shows_both_dates_in_learners_time_zone(
    client, learner, offering, django_capture_on_commit_callbacks, mailoutbox
):
    learner.time_zone = "Asia/Tokyo"
    learner.save()
    client.force_login(learner)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("courses:register", args=[offering.pk]))
    enrolment = Enrolment.objects.get(learner=learner)
    assert response["Location"] == reverse("courses:confirmed", args=[enrolment.pk])
    page = client.get(response["Location"]).text
    tokyo = zoneinfo.ZoneInfo("Asia/Tokyo")
    due = enrolment.summative_due_at.astimezone(tokyo)
    assert due.strftime("%H:%M") in page  # 23:59 Toronto is 13:59 next day Tokyo
    assert f"{due.day} {due:%B %Y}" in page
    assert "Asia/Tokyo" in page
    assert "two attempts" in page
    assert len(mailoutbox) == 1


def test_registering_twice_shows_a_clear_message_and_changes_nothing(
    client, enrolment, offering
):
    client.force_login(enrolment.learner)
    response = client.post(reverse("courses:register", args=[offering.pk]), follow=True)
    assert "already registered" in response.text
    assert Enrolment.objects.count() == 1


def test_registering_for_a_closed_offering_is_refused(client, learner, offering):
    offering.is_open = False
    offering.save()
    client.force_login(learner)
    response = client.post(reverse("courses:register", args=[offering.pk]), follow=True)
    assert "closed for registration" in response.text
    assert not Enrolment.objects.exists()


def test_registering_for_a_missing_offering_is_refused(client, learner):
    client.force_login(learner)
    response = client.post(reverse("courses:register", args=[99999]), follow=True)
    assert response.status_code == 200
    assert "does not exist" in response.text


def test_calendar_file_has_both_dates(client, enrolment):
    client.force_login(enrolment.learner)
    response = client.get(reverse("courses:calendar", args=[enrolment.pk]))
    assert response["Content-Type"].startswith("text/calendar")
    assert response.content.count(b"BEGIN:VEVENT") == 2


def test_dashboard_shows_progress_dates_and_continue(client, enrolment):
    first = enrolment.microcredential.modules.first().items.first()
    client.force_login(enrolment.learner)
    client.post(reverse("courses:item-complete", args=[enrolment.pk, first.pk]))
    page = client.get(reverse("courses:dashboard")).text
    assert "1 of 4 items complete (25%)" in page
    assert "Continue where you left off" in page
    assert "days left" in page


def test_dashboard_query_count_does_not_grow_with_enrolments(
    client, learner, django_assert_max_num_queries
):
    for _ in range(8):
        course = factories.MicrocredentialFactory()
        factories.PathwayFactory(members=[course])
        factories.enrol(learner, factories.OfferingFactory(microcredential=course))
    client.force_login(learner)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("courses:dashboard"))
    assert response.status_code == 200


def test_every_item_kind_renders(client, enrolment):
    module = enrolment.microcredential.modules.first()
    kinds = [
        factories.ContentItemFactory(
            module=module, kind=kind, transcript="Spoken words.", position=10 + n
        )
        for n, kind in enumerate(ItemKind.values)
    ]
    factories.ScenarioChoiceFactory(item=kinds[ItemKind.values.index("scenario")])
    client.force_login(enrolment.learner)
    for item in kinds:
        response = client.get(reverse("courses:item", args=[enrolment.pk, item.pk]))
        assert response.status_code == 200, item.kind
        assert item.title in response.text


def test_reading_is_sanitised(client, enrolment):
    item = factories.ContentItemFactory(
        module=enrolment.microcredential.modules.first(),
        body="Hello <script>alert(1)</script> <a href='javascript:x()'>x</a> **bold**",
    )
    client.force_login(enrolment.learner)
    page = client.get(reverse("courses:item", args=[enrolment.pk, item.pk])).text
    assert "<script>alert" not in page
    assert "javascript:" not in page
    assert "<strong>bold</strong>" in page


def test_completing_an_item_moves_to_the_next(client, enrolment):
    items = [i for m in enrolment.microcredential.modules.all() for i in m.items.all()]
    client.force_login(enrolment.learner)
    response = client.post(
        reverse("courses:item-complete", args=[enrolment.pk, items[0].pk])
    )
    assert response["Location"] == reverse(
        "courses:item", args=[enrolment.pk, items[1].pk]
    )
    assert ItemProgress.objects.get(item=items[0]).completed_at is not None


def test_reflection_autosaves_and_survives_reload(client, enrolment):
    item = enrolment.microcredential.modules.first().items.get(kind="reflection")
    client.force_login(enrolment.learner)
    url = reverse("courses:reflection-save", args=[enrolment.pk, item.pk])
    response = client.post(
        url, {"text": "I would listen first."}, headers={"HX-Request": "true"}
    )
    assert "Saved at" in response.text
    page = client.get(reverse("courses:item", args=[enrolment.pk, item.pk])).text
    assert "I would listen first." in page


def test_too_long_reflection_is_refused_and_keeps_the_saved_text(client, enrolment):
    item = enrolment.microcredential.modules.first().items.get(kind="reflection")
    client.force_login(enrolment.learner)
    url = reverse("courses:reflection-save", args=[enrolment.pk, item.pk])
    client.post(url, {"text": "first"}, headers={"HX-Request": "true"})
    response = client.post(url, {"text": "x" * 20_001}, headers={"HX-Request": "true"})
    assert response.status_code == 422
    assert "at most" in response.text
    assert Reflection.objects.get().text == "first"


def test_a_learner_cannot_see_another_learners_enrolment_or_reflection(
    client, enrolment, other_learner
):
    item = enrolment.microcredential.modules.first().items.get(kind="reflection")
    client.force_login(enrolment.learner)
    client.post(
        reverse("courses:reflection-save", args=[enrolment.pk, item.pk]),
        {"text": "my private thoughts"},
    )
    client.force_login(other_learner)
    for name, args in [
        ("courses:learn", [enrolment.pk]),
        ("courses:item", [enrolment.pk, item.pk]),
        ("courses:confirmed", [enrolment.pk]),
        ("courses:calendar", [enrolment.pk]),
    ]:
        response = client.get(reverse(name, args=args))
        assert response.status_code == 404
        assert b"my private thoughts" not in response.content
    response = client.post(
        reverse("courses:reflection-save", args=[enrolment.pk, item.pk]),
        {"text": "overwritten"},
    )
    assert response.status_code == 404
    assert Reflection.objects.get().text == "my private thoughts"
    assert (
        client.post(
            reverse("courses:item-complete", args=[enrolment.pk, item.pk])
        ).status_code
        == 404
    )


def test_scenario_choice_shows_its_consequence(client, enrolment):
    choice = factories.ScenarioChoiceFactory(
        item__module=enrolment.microcredential.modules.first(),
        consequence="The client calms down.",
    )
    client.force_login(enrolment.learner)
    url = reverse("courses:scenario-choose", args=[enrolment.pk, choice.item.pk])
    response = client.post(url, {"choice": choice.pk}, headers={"HX-Request": "true"})
    assert "The client calms down." in response.text
    bad = client.post(url, {"choice": "not-a-number"}, follow=True)
    assert "Choose one of the options" in bad.text


def test_item_preview_needs_a_staff_role_on_the_course(client, course, learner):
    item = course.modules.first().items.first()
    url = reverse("courses:item-preview", args=[item.pk])
    client.force_login(learner)
    assert client.get(url).status_code == 403
    client.force_login(course.owner)
    assert client.get(url).status_code == 200
    stranger = factories.StaffFactory(email="other-instructor@example.org")
    client.force_login(stranger)
    assert client.get(url).status_code == 404


def test_scheduled_offering_dates_are_fixed(client, learner, course):
    offering = factories.ScheduledOfferingFactory(
        microcredential=course, starts_on=dt.date(2031, 3, 2)
    )
    client.force_login(learner)
    client.post(reverse("courses:register", args=[offering.pk]))
    enrolment = Enrolment.objects.get()
    toronto = zoneinfo.ZoneInfo("America/Toronto")
    assert enrolment.ends_at.astimezone(toronto).date() == dt.date(2031, 4, 13)


def test_catalog_shows_a_change_at_once_despite_the_cache(client, course):
    assert course.title in client.get(reverse("courses:catalog")).text
    course.title = "Renamed Microcredential"
    course.save()
    newcomer = factories.MicrocredentialFactory(title="Just Published")
    page = client.get(reverse("courses:catalog")).text
    assert "Renamed Microcredential" in page
    assert "Just Published" in page
    newcomer.status = "retired"
    newcomer.save()
    assert "Just Published" not in client.get(reverse("courses:catalog")).text


def test_course_page_shows_a_new_module_at_once_despite_the_cache(client, course):
    client.get(course.get_absolute_url())
    factories.ModuleFactory(microcredential=course, title="Brand-new module")
    assert "Brand-new module" in client.get(course.get_absolute_url()).text


def test_cached_pages_are_kept_per_language(client, course):
    client.get(reverse("courses:catalog"))
    client.post(reverse("set_language"), {"language": "fr", "next": "/"})
    page = client.get(reverse("courses:catalog")).text
    assert 'lang="fr"' in page
    assert "Non-credit microcredential" not in page


def test_seats_left_are_never_cached(client, course, learner):
    offering = factories.OfferingFactory(microcredential=course, capacity=5)
    assert "0 taken" in client.get(course.get_absolute_url()).text
    factories.enrol(learner, offering)
    assert "1 taken" in client.get(course.get_absolute_url()).text


def test_warm_catalog_needs_few_queries(client, course, django_assert_max_num_queries):
    client.get(reverse("courses:catalog"))
    with django_assert_max_num_queries(2):
        client.get(reverse("courses:catalog"))
