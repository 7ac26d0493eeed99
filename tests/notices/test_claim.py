"""Credentials issued in bulk: their notices, and the account a recipient
without one claims from the e-mail.

Credentials are issued through the real batched issuance
(``credentials.batch.credentials_issue_batch``, as a registrar); the notices
are recorded by ``credentials_issued_record``, as a bulk job's chunk records
them, and delivered by the real delivery, queued on commit (Celery runs
in-process in tests). Invited people are accounts without a usable password,
as the job makes them.
"""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import dateformat, translation

from credentials import services as credential_services
from credentials.batch import IssueRequest, credentials_issue_batch
from credentials.models import Credential
from microcred.models import AuditEntry
from notices import emails, policies, services
from notices.models import Notice
from notices.policies import BulkNotice
from notices.selectors import in_app
from tests import factories
from tests.assessments import factories as af

pytestmark = pytest.mark.django_db

TORONTO = ZoneInfo("America/Toronto")
NOW = dt.datetime(2027, 6, 2, 10, 0, tzinfo=TORONTO)
AWARDED = NOW - dt.timedelta(hours=1)
NEW_PASSWORD = "a-long-and-unusual-passphrase-42"  # noqa: S105
CLAIM_LINK = re.compile(r"https?://[^\s\"<>]+/claim/[^/\s\"<>]+/")


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def an_achievement(title: str):
    course = factories.MicrocredentialFactory(title=title)
    af.mixed_summative(course, with_project=False)
    return credential_services.achievement_for_course(course)


@pytest.fixture
def first(db):
    return an_achievement("Safe Lifting")


@pytest.fixture
def second(db):
    return an_achievement("Forklift Basics")


def invited(email: str, **fields):
    """An account made for a recipient, with no usable password (as a bulk
    job makes it)."""
    return get_user_model().objects.create_user(
        email=email, legal_name=fields.pop("legal_name", "Invited Person"), **fields
    )


def issue(registrar, pairs, *, awarded_at=AWARDED) -> list[str]:
    """Issue each (person, achievement) as a registrar; the credential ids."""
    outcomes = credentials_issue_batch(
        [
            IssueRequest(
                learner_id=person.pk,
                achievement_id=achievement.pk,
                awarded_at=awarded_at,
                route="recognised",
                recipient_name=person.legal_name or "A Person",
            )
            for person, achievement in pairs
        ],
        actor=registrar,
    )
    return [str(outcome.credential_id) for outcome in outcomes]


def record(capture, ids, *, notify: bool) -> int:
    """Record as a chunk does, inside its transaction; delivery runs on commit."""
    with capture(execute=True), transaction.atomic():
        return services.credentials_issued_record(credential_ids=ids, notify=notify)


def rows() -> list[tuple]:
    return sorted(
        Notice.objects.values_list(
            "recipient_id", "kind", "subject_type", "subject_id", "period_key", "status"
        )
    )


def to(mailoutbox, person) -> list:
    return [message for message in mailoutbox if message.to == [person.email]]


def claim_path(message) -> str:
    (link,) = set(CLAIM_LINK.findall(message.body))
    assert link.startswith(settings.SITE_URL)
    return urlparse(link).path


# --- the rules --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("notify", "has_password", "expected"),
    [
        (True, True, BulkNotice.SEND),
        (True, False, BulkNotice.IN_CLAIM),
        (False, True, BulkNotice.SILENT),
        (False, False, BulkNotice.SILENT),
    ],
)
def test_a_registrars_silence_wins_and_an_invited_person_hears_by_the_claim(
    notify, has_password, expected
):
    assert (
        policies.bulk_issued_notice(notify=notify, has_password=has_password)
        == expected
    )


def test_the_bulk_notice_has_the_key_the_scan_uses():
    scan = policies.credential_issued_due(
        credential_id="abc", awarded_at=AWARDED, active=True, now=NOW
    )
    assert scan.period_key == policies.credential_issued_key("abc")


# --- recording --------------------------------------------------------------------


def test_recording_twice_records_each_notice_once(
    registrar, learner, first, second, django_capture_on_commit_callbacks
):
    person = invited("new.person@example.org")
    ids = issue(registrar, [(learner, first), (person, first), (person, second)])

    assert record(django_capture_on_commit_callbacks, ids, notify=True) == 4
    recorded = rows()
    # Redone chunk: inside a transaction, and outside one.
    assert record(django_capture_on_commit_callbacks, ids, notify=True) == 0
    assert services.credentials_issued_record(credential_ids=ids, notify=True) == 0

    assert rows() == recorded
    assert Notice.objects.filter(recipient=person, kind="credential_claim").count() == 1
    assert set(
        Notice.objects.filter(recipient=person, kind="credential_issued").values_list(
            "status", flat=True
        )
    ) == {"in_claim"}


def test_recording_reads_in_one_query_and_inserts_in_one(
    registrar, first, second, django_assert_max_num_queries
):
    people = [factories.UserFactory() for _n in range(10)]
    people += [invited(f"invited{n}@example.org") for n in range(10)]
    ids = issue(registrar, [(p, a) for p in people for a in (first, second)])

    # The read, the insert (and, in the test's transaction, a savepoint
    # around the insert: SAVEPOINT and RELEASE).
    with django_assert_max_num_queries(4):
        assert services.credentials_issued_record(credential_ids=ids, notify=True) == 50
    with django_assert_max_num_queries(0):
        assert services.credentials_issued_record(credential_ids=[], notify=True) == 0


def test_nothing_is_recorded_for_a_credential_no_longer_in_force(
    registrar, learner, first
):
    (credential_id,) = issue(registrar, [(learner, first)])
    credential_services.credential_revoke(
        credential_id=credential_id, actor=registrar, reason="Issued in error."
    )

    assert (
        services.credentials_issued_record(credential_ids=[credential_id], notify=True)
        == 0
    )


# --- who hears what ---------------------------------------------------------------


def test_silence_means_no_email_ever_not_even_from_the_scan(
    registrar, learner, first, second, mailoutbox, django_capture_on_commit_callbacks
):
    person = invited("quiet@example.org")
    ids = issue(registrar, [(learner, first), (person, first), (person, second)])

    assert record(django_capture_on_commit_callbacks, ids, notify=False) == 3

    for later in (NOW, NOW + dt.timedelta(days=1), NOW + dt.timedelta(days=13)):
        services.notices_scan(now=later)
        services.notices_deliver_all(now=later)
    assert mailoutbox == []
    assert set(Notice.objects.values_list("kind", "status")) == {
        ("credential_issued", "silent")
    }
    assert not in_app(learner).exists()


def test_a_scan_that_ran_before_the_recording_is_quietened(
    registrar, learner, first, mailoutbox, django_capture_on_commit_callbacks
):
    """A worker died after issuing and before recording; the scan found the
    credential meanwhile. The redone chunk's silence still holds."""
    ids = issue(registrar, [(learner, first)])
    services.notices_scan(now=NOW)
    assert Notice.objects.get().status == "pending"

    record(django_capture_on_commit_callbacks, ids, notify=False)
    services.notices_deliver_all(now=NOW)

    assert Notice.objects.get().status == "silent"
    assert mailoutbox == []


def test_people_with_an_account_hear_their_credential_was_issued_at_once(
    registrar, learner, first, second, mailoutbox, django_capture_on_commit_callbacks
):
    # One of them back-dated a year: outside the scan's window, still told.
    ids = issue(registrar, [(learner, first)])
    ids += issue(
        registrar, [(learner, second)], awarded_at=NOW - dt.timedelta(days=365)
    )

    record(django_capture_on_commit_callbacks, ids, notify=True)

    subjects = sorted(message.subject for message in to(mailoutbox, learner))
    assert subjects == sorted(
        f"You have earned a credential: {achievement.microcredential.credential_name}"
        for achievement in (first, second)
    )
    assert not any("claim" in message.subject for message in mailoutbox)
    # The scan does not send them again.
    services.notices_scan(now=NOW + dt.timedelta(hours=1))
    services.notices_deliver_all(now=NOW + dt.timedelta(hours=1))
    assert len(mailoutbox) == 2


def test_an_invited_person_gets_one_claim_email_for_all_their_credentials(
    registrar, first, second, mailoutbox, django_capture_on_commit_callbacks
):
    person = invited("new.person@example.org", legal_name="Nia Okafor")
    ids = issue(registrar, [(person, first), (person, second)])

    record(django_capture_on_commit_callbacks, ids, notify=True)
    # A second job, later, for the same person: no second claim e-mail.
    third = an_achievement("Warehouse Safety")
    record(
        django_capture_on_commit_callbacks,
        issue(registrar, [(person, third)]),
        notify=True,
    )
    services.notices_scan(now=NOW + dt.timedelta(hours=1))
    services.notices_deliver_all(now=NOW + dt.timedelta(hours=1))

    (message,) = to(mailoutbox, person)
    assert message.subject == (
        f"{settings.INSTITUTION_NAME} has issued you 2 credentials — claim them"
    )
    (html, _mimetype) = message.alternatives[0]
    for achievement in (first, second):
        assert achievement.name in message.body
        assert achievement.name in html
    assert "Hello Nia Okafor," in message.body
    assert "Non-credit microcredential · issued 2 June 2027" in message.body
    until = dateformat.format(NOW + dt.timedelta(days=60), "j F Y")
    assert f"The link works once, until {until}." in message.body
    reset = settings.SITE_URL + reverse("account_reset_password")
    assert reset in message.body
    assert f'href="{reset}"' in html
    assert f'href="{settings.SITE_URL}{claim_path(message)}"' in html
    assert "List-Unsubscribe" not in message.message()


def test_a_single_credential_says_a_credential(
    registrar, first, mailoutbox, django_capture_on_commit_callbacks
):
    person = invited("solo@example.org")
    record(
        django_capture_on_commit_callbacks,
        issue(registrar, [(person, first)]),
        notify=True,
    )

    (message,) = mailoutbox
    assert message.subject == (
        f"{settings.INSTITUTION_NAME} has issued you a credential — claim it"
    )


def test_no_claim_email_once_the_person_has_set_a_password(
    registrar, first, mailoutbox, django_capture_on_commit_callbacks
):
    person = invited("quick@example.org")
    ids = issue(registrar, [(person, first)])
    with django_capture_on_commit_callbacks(execute=False):
        services.credentials_issued_record(credential_ids=ids, notify=True)
    person.set_password(NEW_PASSWORD)  # through the password reset, meanwhile
    person.save()

    services.notices_deliver_all(now=NOW)

    assert mailoutbox == []
    assert Notice.objects.get(kind="credential_claim").status == "cancelled"


def test_the_claim_email_is_in_the_persons_language_and_zone(
    registrar, first, mailoutbox, django_capture_on_commit_callbacks
):
    person = invited(
        "marie@example.org",
        legal_name="Marie Curie",
        preferred_language="fr",
        time_zone="Asia/Tokyo",
    )
    # 23:00 in Toronto on 1 June is already 2 June in Tokyo.
    late = dt.datetime(2027, 6, 1, 23, 0, tzinfo=TORONTO)
    ids = issue(registrar, [(person, first)], awarded_at=late)

    record(django_capture_on_commit_callbacks, ids, notify=True)

    (message,) = mailoutbox
    html = message.alternatives[0][0]
    assert '<html lang="fr">' in html
    assert "Bonjour Marie Curie," in message.body
    assert "Microcertification non créditée" in message.body
    with translation.override("fr"):
        issued_on = dateformat.format(late.astimezone(ZoneInfo("Asia/Tokyo")), "j F Y")
    assert issued_on == "2 juin 2027"
    assert issued_on in message.body
    assert "Cet avis est toujours envoyé" in message.body
    assert CLAIM_LINK.search(message.body)


# --- claiming ---------------------------------------------------------------------


@pytest.fixture
def claim_email(
    registrar, first, second, mailoutbox, django_capture_on_commit_callbacks
):
    person = invited("nia@example.org", legal_name="Nia Okafor")
    ids = issue(registrar, [(person, first), (person, second)])
    record(django_capture_on_commit_callbacks, ids, notify=True)
    (message,) = mailoutbox
    return person, message


def test_claiming_sets_the_password_confirms_the_address_and_signs_in(
    client, claim_email, first, second
):
    person, message = claim_email
    path = claim_path(message)

    page = client.get(path)
    assert page.status_code == 200
    assert "nia@example.org" in page.text
    assert "Nia Okafor" in page.text
    assert first.name in page.text
    assert second.name in page.text
    assert 'autocomplete="new-password"' in page.text
    assert page.headers["Cache-Control"].startswith("max-age=0")

    mismatch = client.post(
        path, {"new_password1": NEW_PASSWORD, "new_password2": "something-else-99"}
    )
    assert mismatch.status_code == 422
    assert 'id="error-summary"' in mismatch.text
    assert 'aria-invalid="true"' in mismatch.text
    weak = client.post(path, {"new_password1": "12345678", "new_password2": "12345678"})
    assert weak.status_code == 422
    assert "This password is too common." in weak.text
    person.refresh_from_db()
    assert not person.has_usable_password()

    claimed = client.post(
        path,
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        follow=True,
    )

    assert claimed.redirect_chain == [(reverse("credentials:mine"), 302)]
    assert claimed.context["user"] == person
    assert "Your account is ready and you are signed in." in claimed.text
    assert first.name in claimed.text
    person.refresh_from_db()
    assert person.check_password(NEW_PASSWORD)
    address = EmailAddress.objects.get(user=person)
    assert (address.email, address.verified, address.primary) == (
        "nia@example.org",
        True,
        True,
    )
    assert Notice.objects.get(kind="credential_claim").read_at is not None
    assert AuditEntry.objects.filter(action="account.claim", object_id=str(person.pk))

    # The link works once.
    client.logout()
    again = client.get(path)
    assert again.status_code == 404
    assert "This account has already been claimed" in again.text
    replay = client.post(
        path,
        {
            "new_password1": "another-passphrase-77",
            "new_password2": "another-passphrase-77",
        },
    )
    assert replay.status_code == 404
    person.refresh_from_db()
    assert person.check_password(NEW_PASSWORD)
    assert client.login(email="nia@example.org", password=NEW_PASSWORD)


def test_an_existing_unverified_address_is_confirmed_and_made_primary(
    client, claim_email
):
    person, message = claim_email
    other = EmailAddress.objects.create(
        user=person, email="nia.old@example.org", verified=True, primary=True
    )
    EmailAddress.objects.create(
        user=person, email="nia@example.org", verified=False, primary=False
    )

    client.post(
        claim_path(message),
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert EmailAddress.objects.get(user=person, email="nia@example.org").primary
    other.refresh_from_db()
    assert not other.primary


NOT_OURS = {
    "nonsense": lambda person: "nonsense",
    "unsigned": lambda person: "eyJ1IjoxfQ:1abc:def",
    "other salt": lambda person: signing.dumps({"u": person.pk, "p": "x"}),
    "unsubscribe": lambda person: emails.unsubscribe_token(person.pk, "inactivity"),
    "no such account": lambda person: signing.dumps(
        {"u": person.pk + 1000, "p": "x"}, salt=emails.CLAIM_SALT
    ),
    "not a dict": lambda person: signing.dumps([1, 2], salt=emails.CLAIM_SALT),
}


@pytest.mark.parametrize("kind", NOT_OURS)
def test_a_link_that_is_not_ours_is_refused_clearly(client, claim_email, kind):
    person, _message = claim_email
    token = NOT_OURS[kind](person)

    page = client.get(reverse("notices:claim", args=[token]))

    assert page.status_code == 404
    assert "This claim link does not work" in page.text
    assert reverse("account_reset_password") in page.text
    assert (
        client.post(
            reverse("notices:claim", args=[token]),
            {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        ).status_code
        == 404
    )
    person.refresh_from_db()
    assert not person.has_usable_password()


def test_an_altered_link_is_refused(client, claim_email):
    person, message = claim_email
    path = claim_path(message)
    altered = path[:-3] + ("A" if path[-3] != "A" else "B") + path[-2:]

    page = client.get(altered)

    assert page.status_code == 404
    assert "This claim link does not work" in page.text


def test_an_expired_link_points_to_the_password_reset(client, claim_email, clock):
    person, message = claim_email
    clock.move_to(NOW + dt.timedelta(days=60, minutes=1))

    page = client.get(claim_path(message))
    refused = client.post(
        claim_path(message),
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert page.status_code == refused.status_code == 404
    assert "This claim link has expired" in page.text
    assert "A claim link works for 60 days" in page.text
    assert reverse("account_reset_password") in page.text
    person.refresh_from_db()
    assert not person.has_usable_password()


def test_the_claim_days_are_a_setting(client, claim_email, clock, settings):
    _person, message = claim_email
    settings.NOTICES_CLAIM_DAYS = 90
    clock.move_to(NOW + dt.timedelta(days=75))

    assert client.get(claim_path(message)).status_code == 200


def test_someone_else_signed_in_is_told_and_nothing_changes(
    client, claim_email, learner
):
    person, message = claim_email
    client.force_login(learner)

    page = client.get(claim_path(message))
    posted = client.post(
        claim_path(message),
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert page.status_code == posted.status_code == 403
    assert "This link is for another account" in page.text
    assert "nia@example.org" not in page.text
    assert learner.email in page.text
    person.refresh_from_db()
    assert not person.has_usable_password()
    assert not EmailAddress.objects.filter(user=person).exists()


def test_an_address_confirmed_on_another_account_refuses_the_claim_cleanly(
    client, claim_email, learner
):
    person, message = claim_email
    EmailAddress.objects.create(
        user=learner, email="NIA@example.org", verified=True, primary=False
    )

    page = client.post(
        claim_path(message),
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert page.status_code == 404
    assert "already confirmed on another account" in page.text
    person.refresh_from_db()
    assert not person.has_usable_password()


def test_the_claim_page_speaks_the_persons_language(
    registrar, first, mailoutbox, client, django_capture_on_commit_callbacks
):
    person = invited("jean@example.org", preferred_language="fr")
    record(
        django_capture_on_commit_callbacks,
        issue(registrar, [(person, first)]),
        notify=True,
    )

    page = client.get(claim_path(mailoutbox[0]))

    assert page.status_code == 200
    assert '<html lang="fr"' in page.text


# --- the staff page ---------------------------------------------------------------


def test_the_staff_page_lists_bulk_notices_by_their_status(
    client, registrar, learner, first, django_capture_on_commit_callbacks
):
    person = invited("staffview@example.org")
    ids = issue(registrar, [(learner, first), (person, first)])
    record(django_capture_on_commit_callbacks, ids, notify=False)
    client.force_login(registrar)
    url = reverse("notices:course", args=[first.microcredential_id])

    for status in ("", "silent", "in_claim"):
        page = client.get(url, {"status": status} if status else {})
        assert page.status_code == 200
    page = client.get(url, {"status": "silent"})
    assert "Not sent (issued without notice)" in page.text
    assert person.email in page.text
    assert Credential.objects.filter(learner=person).count() == 1
