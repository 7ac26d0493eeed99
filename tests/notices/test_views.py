"""The person's notices pages: the list, marking read, the unread count in the
navigation and on the dashboard, and the notification settings.

Notices are made by the real scan (an inactivity nudge per enrolment, eight
days after registering).
"""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.urls import reverse

from courses.services import enrolment_register
from credentials import services as credential_services
from notices import services
from notices.models import Notice, NoticePreference
from tests import factories

pytestmark = pytest.mark.django_db

TORONTO = ZoneInfo("America/Toronto")
NOW = dt.datetime(2027, 3, 1, 12, 0, tzinfo=TORONTO)
SCAN_AT = NOW + dt.timedelta(days=8)  # one inactivity nudge per enrolment
LEARNER_OPTIONAL = ["end_date", "inactivity", "summative_due"]


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(SCAN_AT, tick=False) as traveller:
        yield traveller


def nudged(learner, *, courses: int = 1, title: str = "Course") -> list[Notice]:
    """``courses`` new courses, the learner registered in each on ``NOW``,
    and the scan run: one unread inactivity nudge each, newest last."""
    for n in range(courses):
        course = factories.MicrocredentialFactory(
            title=f"{title} {n}", with_content=False
        )
        offering = factories.OfferingFactory(microcredential=course)
        enrolment_register(learner=learner, offering_id=offering.pk, now=NOW)
    services.notices_scan(now=SCAN_AT)
    return list(
        Notice.objects.filter(recipient=learner, kind="inactivity").order_by("pk")
    )


def listing(client) -> str:
    response = client.get(reverse("notices:list"))
    assert response.status_code == 200
    return response.text


def row_ids(page: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'id="notice-(\d+)"', page)]


# --- the list ----------------------------------------------------------------------


def test_the_list_shows_only_my_notices_unread_first_each_with_a_link_to_act(
    client, learner, other_learner
):
    older, newer = nudged(learner, courses=2, title="Mine")
    (theirs,) = nudged(other_learner, title="Theirs")
    services.notices_mark_read(user=learner, notice_ids=[newer.pk])
    client.force_login(learner)

    page = listing(client)

    assert row_ids(page) == [older.pk, newer.pk]  # unread first
    assert theirs.pk not in row_ids(page)
    assert "Theirs" not in page
    assert page.count(">Unread<") == 1
    assert "Pick up where you left off: Mine 0" in page
    assert reverse("courses:learn", args=[older.enrolment_id]) in page
    assert "You have 1 unread notification." in page


def test_the_list_needs_a_sign_in(client):
    response = client.get(reverse("notices:list"))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_the_list_takes_the_same_queries_for_many_notices_fifty_a_page(
    client, learner, django_assert_max_num_queries
):
    nudged(learner, courses=2)
    client.force_login(learner)
    with django_assert_max_num_queries(20) as few:
        listing(client)

    nudged(learner, courses=53)
    with django_assert_max_num_queries(len(few.captured_queries)):
        first = listing(client)
    assert len(row_ids(first)) == 50
    second = client.get(reverse("notices:list"), {"page": 2}).text
    assert len(row_ids(second)) == 5
    assert "Page 2 of 2" in second
    assert client.get(reverse("notices:list"), {"page": "x"}).status_code == 200


# --- the unread count --------------------------------------------------------------


def test_the_navigation_says_how_many_are_unread_for_screen_readers_too(
    client, learner
):
    nudged(learner, courses=3)
    client.force_login(learner)

    page = client.get(reverse("courses:catalog")).text

    assert '<span class="badge">3</span>' in page
    assert '<span class="visually-hidden">, 3 unread</span>' in page
    assert f'href="{reverse("notices:list")}"' in page


def test_no_count_when_nothing_is_unread_and_no_link_when_signed_out(client, learner):
    client.force_login(learner)
    assert "unread</span>" not in client.get(reverse("courses:catalog")).text
    client.logout()
    assert reverse("notices:list") not in client.get(reverse("courses:catalog")).text


def test_the_dashboard_shows_the_five_newest_unread(client, learner):
    notices = nudged(learner, courses=6)
    client.force_login(learner)

    page = client.get(reverse("courses:dashboard")).text

    panel = page[page.index('id="notices-heading"') :]
    panel = panel[: panel.index("</section>")]
    assert panel.count("<li>") == 5
    assert "All notifications" in panel
    newest = notices[-1]
    assert reverse("courses:learn", args=[newest.enrolment_id]) in panel
    assert '<span class="visually-hidden">, 6 unread</span>' in page


def test_the_profile_links_to_the_notification_settings(client, learner):
    client.force_login(learner)
    page = client.get(reverse("profile")).text
    assert reverse("notices:preferences") in page


# --- marking read ------------------------------------------------------------------


def test_marking_another_persons_notice_read_is_a_404_and_changes_nothing(
    client, learner, other_learner
):
    nudged(learner)
    (theirs,) = nudged(other_learner)
    client.force_login(learner)

    response = client.post(reverse("notices:mark-read"), {"notice": theirs.pk})

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert not Notice.objects.filter(read_at__isnull=False).exists()


def test_marking_one_read_from_htmx_returns_its_row_and_the_new_count(client, learner):
    first, second = nudged(learner, courses=2)
    client.force_login(learner)

    response = client.post(
        reverse("notices:mark-read"), {"notice": first.pk}, HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 200
    page = response.text
    assert row_ids(page) == [first.pk]
    assert "Mark as read" not in page
    assert 'id="nav-unread" hx-swap-oob="true"' in page
    assert ", 1 unread" in page
    assert "Notification marked as read." in page
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.read_at is not None
    assert second.read_at is None


def test_marking_one_read_without_htmx_goes_back_to_the_list(client, learner):
    (notice,) = nudged(learner)
    client.force_login(learner)

    response = client.post(
        reverse("notices:mark-read"),
        {"notice": notice.pk, "next": "https://evil.example/"},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("notices:list")
    notice.refresh_from_db()
    assert notice.read_at is not None


def test_mark_all_read_marks_mine_and_nobody_elses(client, learner, other_learner):
    nudged(learner, courses=3)
    (theirs,) = nudged(other_learner)
    client.force_login(learner)

    response = client.post(reverse("notices:mark-read"), follow=True)

    assert "3 notifications marked as read." in response.text
    assert not Notice.objects.filter(recipient=learner, read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None


@pytest.mark.parametrize("bad", ["abc", "-4", "0"])
def test_a_bad_notice_id_gives_a_clear_message_and_changes_nothing(
    client, learner, bad
):
    nudged(learner)
    client.force_login(learner)

    response = client.post(reverse("notices:mark-read"), {"notice": bad})

    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "That notification could not be found; nothing was changed."
    ]
    assert not Notice.objects.filter(read_at__isnull=False).exists()


def test_marking_read_is_post_only(client, learner):
    client.force_login(learner)
    assert client.get(reverse("notices:mark-read")).status_code == 405


# --- settings ----------------------------------------------------------------------


def checkbox_names(page: str) -> set[str]:
    return set(re.findall(r'type="checkbox" name="(kind_\w+)"', page))


def test_a_learner_gets_a_checkbox_per_reminder_and_sees_what_is_always_sent(
    client, learner
):
    client.force_login(learner)

    page = client.get(reverse("notices:preferences")).text

    assert checkbox_names(page) == {f"kind_{kind}" for kind in LEARNER_OPTIONAL}
    always = page[page.index("Always sent") :]
    for label in (
        "Next attempt open",
        "Credential issued",
        "Credential expiring",
        "Registration confirmation",
        "Feedback released on an attempt",
        "prior learning (PLAR)",
    ):
        assert label in always
    assert "Grading overdue" not in page
    assert 'name="digest"' in page
    assert 'aria-describedby="id_kind_inactivity_helptext"' in page


def test_staff_also_get_the_staff_reminders(client, instructor):
    client.force_login(instructor)
    page = client.get(reverse("notices:preferences")).text
    assert checkbox_names(page) == {
        f"kind_{kind}"
        for kind in [*LEARNER_OPTIONAL, "grading_overdue", "course_review"]
    }


def test_unchecked_reminders_are_turned_off_and_the_digest_on(client, learner):
    client.force_login(learner)

    response = client.post(
        reverse("notices:preferences"),
        {"kind_summative_due": "on", "digest": "on"},
        follow=True,
    )

    assert "Your notification settings are saved." in response.text
    preference = NoticePreference.objects.get(user=learner)
    assert preference.disabled_kinds == ["end_date", "inactivity"]
    assert preference.digest is True
    page = response.text
    assert re.search(r'name="kind_summative_due"[^>]*checked', page)
    assert not re.search(r'name="kind_inactivity"[^>]*checked', page)


def test_no_post_can_turn_off_the_notices_that_are_always_sent(
    client, learner, mailoutbox
):
    client.force_login(learner)

    client.post(
        reverse("notices:preferences"),
        {
            "kind_credential_issued": "",
            "kind_second_attempt": "off",
            "disabled_kinds": ["credential_issued", "credential_expiring"],
        },
    )

    preference = NoticePreference.objects.get(user=learner)
    assert preference.disabled_kinds == LEARNER_OPTIONAL
    course = factories.MicrocredentialFactory()
    credential_services.credential_issue(
        learner=learner,
        achievement=credential_services.achievement_for_course(course),
        now=SCAN_AT,
    )
    services.notices_scan(now=SCAN_AT + dt.timedelta(minutes=1))
    services.notices_deliver_all(now=SCAN_AT + dt.timedelta(minutes=1))
    notice = Notice.objects.get(recipient=learner, kind="credential_issued")
    assert notice.status == Notice.Status.SENT
    assert [m.to for m in mailoutbox] == [[learner.email]]


def test_saving_with_every_box_unchecked_turns_every_reminder_off(client, learner):
    client.force_login(learner)

    response = client.post(reverse("notices:preferences"), {})

    assert response.status_code == 302
    preference = NoticePreference.objects.get(user=learner)
    assert preference.disabled_kinds == LEARNER_OPTIONAL
    assert preference.digest is False


def test_a_staff_members_hidden_choices_survive_a_save_as_a_learner(client, instructor):
    services.preferences_save(
        user=instructor, disabled_kinds=["grading_overdue"], digest=False
    )
    instructor.groups.clear()  # no longer staff: the staff kinds are not shown
    instructor.is_staff = False
    instructor.save()
    client.force_login(instructor)

    client.post(reverse("notices:preferences"), {"kind_inactivity": "on"})

    preference = NoticePreference.objects.get(user=instructor)
    assert preference.disabled_kinds == ["end_date", "grading_overdue", "summative_due"]


def test_the_settings_need_a_sign_in(client):
    response = client.get(reverse("notices:preferences"))
    assert response.status_code == 302
    assert client.post(reverse("notices:preferences")).status_code == 302
    assert not NoticePreference.objects.exists()
