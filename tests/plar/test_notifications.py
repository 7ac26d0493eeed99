"""E-mails about PLAR requests and appeals: one per status change, sent once
after commit, with a text and an HTML part, in the learner's language and
time zone."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core import mail

from plar import notifications, services, tasks
from plar.models import Appeal, RequestEvent
from tests import factories
from tests.plar import factories as pf

pytestmark = pytest.mark.django_db

TORONTO = ZoneInfo("America/Toronto")
T0 = dt.datetime(2027, 3, 1, 10, 0, tzinfo=TORONTO)


@pytest.fixture
def course():
    return pf.plar_course(plar_window_days=30, title="Workplace Safety")


def html_of(message) -> str:
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return html


def test_every_status_change_emails_the_learner_once(
    learner, course, registrar, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        request = pf.submitted_request(learner, course, now=T0)
    with django_capture_on_commit_callbacks(execute=True):
        services.review_start(reviewer=registrar, request_id=request.pk, now=T0)
    with django_capture_on_commit_callbacks(execute=True):
        services.request_decide(
            reviewer=registrar,
            request_id=request.pk,
            decision="more_info",
            reason="Add a letter from your employer.",
            now=T0,
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.request_submit(
            learner=learner, request_id=request.pk, declaration=True, now=T0
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.review_start(reviewer=registrar, request_id=request.pk, now=T0)
    with django_capture_on_commit_callbacks(execute=True):
        services.request_decide(
            reviewer=registrar,
            request_id=request.pk,
            decision="approved",
            reason=pf.REASON,
            now=T0,
        )

    assert [m.subject for m in mail.outbox] == [
        "PLAR request received: Workplace Safety",
        "Your PLAR request is under review: Workplace Safety",
        "More information needed for your PLAR request: Workplace Safety",
        "PLAR request received: Workplace Safety",
        "Your PLAR request is under review: Workplace Safety",
        "PLAR request approved: Workplace Safety",
    ]
    assert all(m.to == [learner.email] for m in mail.outbox)
    events = RequestEvent.objects.filter(request=request)
    assert events.count() == 6
    assert not events.filter(emailed_at__isnull=True).exists()

    # Running every task again (a retry, a duplicate message) sends nothing.
    for event in events:
        tasks.send_request_event.delay(event_id=event.pk)
        assert notifications.request_event_send(event_id=event.pk) is False
    assert len(mail.outbox) == 6


@pytest.mark.parametrize(
    ("decision", "subject"),
    [
        ("declined", "PLAR request declined: Workplace Safety"),
        (
            "more_info",
            "More information needed for your PLAR request: Workplace Safety",
        ),
    ],
)
def test_a_decision_email_gives_the_reviewers_reason_in_both_parts(
    learner, course, registrar, decision, subject, django_capture_on_commit_callbacks
):
    request = pf.reviewed_request(learner, course, reviewer=registrar, now=T0)
    reason = "Outcome LO2 is not shown: add a work sample.\nSee the rubric."
    with django_capture_on_commit_callbacks(execute=True):
        services.request_decide(
            reviewer=registrar,
            request_id=request.pk,
            decision=decision,
            reason=reason,
            now=T0,
        )
    [message] = mail.outbox
    assert message.subject == subject
    assert reason in message.body
    assert notifications.request_url(request.pk) in message.body
    assert notifications.request_url(request.pk).endswith(
        f"/plar/requests/{request.pk}/"
    )
    html = html_of(message)
    assert "Outcome LO2 is not shown: add a work sample.<br>See the rubric." in html
    assert f'href="{notifications.request_url(request.pk)}"' in html


def test_a_withdrawal_is_emailed(learner, course, django_capture_on_commit_callbacks):
    request = pf.draft_request(learner, course)
    with django_capture_on_commit_callbacks(execute=True):
        services.request_withdraw(learner=learner, request_id=request.pk)
    [message] = mail.outbox
    assert message.subject == "PLAR request withdrawn: Workplace Safety"


def test_nothing_is_sent_before_the_change_is_committed(
    learner, course, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        pf.submitted_request(learner, course)
    assert len(callbacks) == 1
    assert mail.outbox == []


def test_the_approval_email_gives_both_dates_in_the_learners_zone_and_language(
    course, registrar, django_capture_on_commit_callbacks
):
    learner = factories.UserFactory(
        legal_name="Aiko Tanaka", time_zone="Asia/Tokyo", preferred_language="fr"
    )
    request = pf.reviewed_request(learner, course, reviewer=registrar, now=T0)
    with django_capture_on_commit_callbacks(execute=True):
        services.request_decide(
            reviewer=registrar,
            request_id=request.pk,
            decision="approved",
            reason=pf.REASON,
            now=T0,
        )
    [message] = mail.outbox
    html = html_of(message)
    # Due at the end of 17 March and ending at the end of 31 March in Toronto
    # (EDT): 12:59 the next day in Tokyo, with French day and month names.
    for part in (message.body, html):
        assert "jeudi 18 mars 2027, 12:59" in part
        assert "jeudi 1 avril 2027, 12:59" in part
        assert "Asia/Tokyo" in part
        assert "23:59" not in part
        assert "Aiko Tanaka" in part
    assert '<html lang="fr">' in html


def test_a_learner_in_toronto_reads_the_institutions_own_times(
    learner, course, registrar, django_capture_on_commit_callbacks
):
    request = pf.reviewed_request(learner, course, reviewer=registrar, now=T0)
    with django_capture_on_commit_callbacks(execute=True):
        services.request_decide(
            reviewer=registrar,
            request_id=request.pk,
            decision="approved",
            reason=pf.REASON,
            now=T0,
        )
    [message] = mail.outbox
    assert "Wednesday 17 March 2027, 23:59" in message.body
    assert "Wednesday 31 March 2027, 23:59" in message.body
    assert "(America/Toronto)" in message.body


def test_names_and_titles_are_plain_in_the_text_and_escaped_in_the_html(
    registrar, django_capture_on_commit_callbacks
):
    course = pf.plar_course(title="Health & Safety at O'Neil's")
    learner = factories.UserFactory(legal_name="Siobhán O'Neil")
    request = pf.reviewed_request(learner, course, reviewer=registrar, now=T0)
    with django_capture_on_commit_callbacks(execute=True):
        services.request_decide(
            reviewer=registrar,
            request_id=request.pk,
            decision="declined",
            reason='Say "why" & <how>.',
            now=T0,
        )
    [message] = mail.outbox
    assert message.subject == "PLAR request declined: Health & Safety at O'Neil's"
    assert "Hello Siobhán O'Neil," in message.body
    assert "“Health & Safety at O'Neil's”" in message.body
    assert 'Say "why" & <how>.' in message.body
    assert "&amp;" not in message.body
    assert "&#x27;" not in message.body
    html = html_of(message)
    assert "Health &amp; Safety at O&#x27;Neil&#x27;s" in html
    assert "Say &quot;why&quot; &amp; &lt;how&gt;." in html
    assert (
        "<title>PLAR request declined: Health &amp; Safety at O&#x27;Neil&#x27;s"
        "</title>"
    ) in html
    assert "<how>" not in html


# --- appeals ----------------------------------------------------------------------


@pytest.fixture
def declined(learner, course):
    return pf.declined_request(learner, course, now=T0)


def lodge(learner, request) -> Appeal:
    return services.appeal_submit(
        learner=learner,
        request_id=request.pk,
        reason="My employer's letter covers LO2.",
        now=T0,
    )


def test_a_granted_appeal_emails_the_decision_once_with_the_route_end(
    learner, declined, django_capture_on_commit_callbacks
):
    appeal = lodge(learner, declined)
    decider = pf.registrar()
    with django_capture_on_commit_callbacks(execute=True):
        services.appeal_decide(
            decider=decider,
            appeal_id=appeal.pk,
            grant=True,
            reason="The letter does cover LO2.",
            now=T0,
        )
    subjects = sorted(m.subject for m in mail.outbox)
    # The approval itself (with both dates), and the appeal's decision.
    assert subjects == [
        "Appeal granted: Workplace Safety",
        "PLAR request approved: Workplace Safety",
    ]
    message = next(m for m in mail.outbox if m.subject.startswith("Appeal"))
    assert "The letter does cover LO2." in message.body
    assert "Wednesday 31 March 2027, 23:59 (America/Toronto)" in message.body
    assert "The letter does cover LO2." in html_of(message)

    tasks.send_appeal_decided.delay(appeal_id=appeal.pk)
    assert notifications.appeal_decided_send(appeal_id=appeal.pk) is False
    assert len(mail.outbox) == 2
    appeal.refresh_from_db()
    assert appeal.emailed_at is not None


def test_a_refused_appeal_emails_the_reason(
    learner, declined, django_capture_on_commit_callbacks
):
    appeal = lodge(learner, declined)
    with django_capture_on_commit_callbacks(execute=True):
        services.appeal_decide(
            decider=pf.registrar(),
            appeal_id=appeal.pk,
            grant=False,
            reason="The letter does not name the outcome.",
            now=T0,
        )
    [message] = mail.outbox
    assert message.subject == "Appeal refused: Workplace Safety"
    assert "the original decision stands" in message.body
    assert "The letter does not name the outcome." in message.body
    assert "ends on" not in message.body


def test_an_appeal_still_open_is_not_emailed(learner, declined):
    appeal = lodge(learner, declined)
    assert notifications.appeal_decided_send(appeal_id=appeal.pk) is False
    assert mail.outbox == []


def test_the_appeal_email_follows_the_learners_zone_and_language(
    course, django_capture_on_commit_callbacks
):
    learner = factories.UserFactory(time_zone="Asia/Tokyo", preferred_language="fr")
    request = pf.declined_request(learner, course, now=T0)
    appeal = lodge(learner, request)
    with django_capture_on_commit_callbacks(execute=True):
        services.appeal_decide(
            decider=pf.registrar(),
            appeal_id=appeal.pk,
            grant=True,
            reason="Granted.",
            now=T0,
        )
    message = next(m for m in mail.outbox if m.subject.startswith("Appe"))
    assert "jeudi 1 avril 2027, 12:59 (Asia/Tokyo)" in message.body
    assert '<html lang="fr">' in html_of(message)
