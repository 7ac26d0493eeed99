"""Registration, confirmation, extension and withdrawal, on real PostgreSQL."""

import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from icalendar import Calendar

from courses.models import Enrolment, Extension
from courses.policies import PolicyError, end_of_day, scheduled_dates
from courses.services import (
    AlreadyRegistered,
    RegistrationRefused,
    enrolment_extend,
    enrolment_register,
    enrolment_withdraw,
)
from courses.tasks import send_registration_confirmation
from microcred.models import AuditEntry
from tests import factories

pytestmark = pytest.mark.django_db

TORONTO = ZoneInfo("America/Toronto")
TOKYO = ZoneInfo("Asia/Tokyo")
UTC = dt.UTC
NOW = dt.datetime(2027, 3, 1, 12, 0, tzinfo=TORONTO)


def toronto(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=TORONTO)


def register(learner, offering, *, now=NOW) -> Enrolment:
    return enrolment_register(learner=learner, offering_id=offering.pk, now=now)


# --- dates --------------------------------------------------------------------
@pytest.mark.parametrize(
    ("registered_at", "last_day"),
    [
        pytest.param(toronto(2027, 3, 1, 23, 30), dt.date(2027, 4, 12), id="23:30"),
        pytest.param(toronto(2027, 3, 2, 0, 30), dt.date(2027, 4, 13), id="00:30"),
        pytest.param(
            dt.datetime(2027, 3, 2, 3, 30, tzinfo=UTC),
            dt.date(2027, 4, 12),
            id="utc-next-day-still-previous-day-in-toronto",
        ),
    ],
)
def test_rolling_registration_sets_both_dates_from_the_local_registration_day(
    learner, offering, registered_at, last_day
):
    enrolment = register(learner, offering, now=registered_at)
    enrolment.refresh_from_db()
    assert enrolment.registered_at == registered_at
    assert enrolment.ends_at == end_of_day(last_day, TORONTO)
    assert enrolment.summative_due_at == end_of_day(
        last_day - dt.timedelta(days=14), TORONTO
    )
    assert enrolment.ends_at.astimezone(TORONTO).time() == dt.time(23, 59, 59)
    assert enrolment.status == Enrolment.Status.ACTIVE
    assert enrolment.microcredential_id == offering.microcredential_id


def test_registration_without_now_uses_the_current_time(
    learner, offering, time_machine
):
    time_machine.move_to(toronto(2027, 3, 1, 23, 45), tick=False)
    enrolment = enrolment_register(learner=learner, offering_id=offering.pk)
    assert enrolment.registered_at == toronto(2027, 3, 1, 23, 45)
    assert enrolment.ends_at == toronto(2027, 4, 12, 23, 59, 59)


def test_rolling_window_over_spring_forward_is_stored_as_23_59_59_daylight_time(
    learner, offering
):
    enrolment = register(learner, offering, now=toronto(2027, 2, 20, 9))
    enrolment.refresh_from_db()
    assert enrolment.ends_at == dt.datetime(2027, 4, 4, 3, 59, 59, tzinfo=UTC)
    assert enrolment.ends_at.astimezone(TORONTO).time() == dt.time(23, 59, 59)


def test_scheduled_offering_gives_everyone_the_fixed_dates(
    learner, other_learner, course
):
    offering = factories.ScheduledOfferingFactory(
        microcredential=course, starts_on=dt.date(2027, 3, 15)
    )
    early = register(learner, offering, now=toronto(2027, 2, 1, 9))
    late = register(other_learner, offering, now=toronto(2027, 3, 20, 23, 30))
    expected = scheduled_dates(
        starts_on=dt.date(2027, 3, 15), rules=course.window_rules, tz=TORONTO
    )
    for enrolment in (early, late):
        enrolment.refresh_from_db()
        assert enrolment.summative_due_at == expected.summative_due_at
        assert enrolment.ends_at == expected.ends_at
    assert early.ends_at == toronto(2027, 4, 26, 23, 59, 59)


def test_scheduled_offering_past_its_summative_due_date_is_refused(learner, course):
    offering = factories.ScheduledOfferingFactory(
        microcredential=course, starts_on=dt.date(2027, 3, 15)
    )
    # Due at the end of 12 April; ends at the end of 26 April.
    with pytest.raises(RegistrationRefused, match="already past due"):
        register(learner, offering, now=toronto(2027, 4, 13, 0, 0, 1))
    assert not Enrolment.objects.exists()


def test_scheduled_offering_is_open_until_the_last_second_of_its_due_day(
    learner, course
):
    offering = factories.ScheduledOfferingFactory(
        microcredential=course, starts_on=dt.date(2027, 3, 15)
    )
    enrolment = register(learner, offering, now=toronto(2027, 4, 12, 23, 59, 58))
    assert enrolment.summative_due_at == toronto(2027, 4, 12, 23, 59, 59)


def test_scheduled_offering_that_has_ended_is_refused(learner, course):
    offering = factories.ScheduledOfferingFactory(
        microcredential=course, starts_on=dt.date(2027, 3, 15)
    )
    with pytest.raises(RegistrationRefused, match="already ended"):
        register(learner, offering, now=toronto(2027, 4, 27, 0, 0, 1))
    assert not Enrolment.objects.exists()


# --- refusals -----------------------------------------------------------------
def test_registering_twice_is_refused_with_a_clear_message_and_one_row(
    learner, offering, django_capture_on_commit_callbacks
):
    register(learner, offering)
    with (
        django_capture_on_commit_callbacks() as callbacks,
        pytest.raises(RegistrationRefused) as refusal,
    ):
        register(learner, offering, now=NOW + dt.timedelta(minutes=1))
    assert str(refusal.value) == "You are already registered for this microcredential."
    assert isinstance(refusal.value, AlreadyRegistered)  # the API answers 409
    assert Enrolment.objects.filter(learner=learner).count() == 1
    assert callbacks == []


def test_registering_in_another_offering_of_the_same_course_is_refused(
    learner, offering
):
    other_offering = factories.OfferingFactory(
        microcredential=offering.microcredential, label="Second intake"
    )
    register(learner, offering)
    with pytest.raises(RegistrationRefused, match="already registered"):
        register(learner, other_offering)
    assert Enrolment.objects.filter(learner=learner).count() == 1


def _closed(offering, learner):
    offering.is_open = False
    offering.save()


def _full(offering, learner):
    offering.capacity = 1
    offering.save()
    register(factories.UserFactory(), offering)


def _not_open_yet(offering, learner):
    offering.registration_opens_at = NOW + dt.timedelta(days=1)
    offering.save()


def _already_closed(offering, learner):
    offering.registration_closes_at = NOW - dt.timedelta(seconds=1)
    offering.save()


def _unpublished(offering, learner):
    offering.microcredential.status = "draft"
    offering.microcredential.save()


def _retired(offering, learner):
    offering.microcredential.status = "retired"
    offering.microcredential.save()


def _completed(offering, learner):
    enrolment = register(learner, offering, now=NOW - dt.timedelta(days=100))
    # No completion service exists yet (it arrives with assessments).
    Enrolment.objects.filter(pk=enrolment.pk).update(status="completed")


@pytest.mark.parametrize(
    ("arrange", "message"),
    [
        (_closed, "This offering is closed for registration."),
        (_full, "This offering is full."),
        (_not_open_yet, "Registration for this offering has not opened yet."),
        (_already_closed, "Registration for this offering has closed."),
        (_unpublished, "This microcredential is not open for registration."),
        (_retired, "This microcredential is not open for registration."),
        (_completed, "You have already completed this microcredential."),
    ],
    ids=lambda value: value.__name__.strip("_") if callable(value) else None,
)
def test_refused_registration_has_a_clear_message_and_writes_nothing(
    learner, offering, arrange, message, django_capture_on_commit_callbacks, mailoutbox
):
    arrange(offering, learner)
    before = set(Enrolment.objects.values_list("pk", "status"))
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RegistrationRefused) as refusal,
    ):
        register(learner, offering)
    assert str(refusal.value) == message
    assert set(Enrolment.objects.values_list("pk", "status")) == before
    assert callbacks == []
    assert mailoutbox == []


def test_registration_for_an_unknown_offering_is_refused(learner, db):
    with pytest.raises(RegistrationRefused, match="does not exist"):
        enrolment_register(learner=learner, offering_id=999_999, now=NOW)


def test_withdrawn_places_do_not_count_toward_capacity(
    learner, other_learner, offering
):
    offering.capacity = 1
    offering.save()
    first = register(other_learner, offering)
    enrolment_withdraw(actor=None, enrolment_id=first.pk, reason="Moved abroad.")
    assert register(learner, offering).status == Enrolment.Status.ACTIVE


def test_a_withdrawn_learner_may_register_again(learner, offering, registrar):
    first = register(learner, offering)
    enrolment_withdraw(actor=registrar, enrolment_id=first.pk, reason="Asked to.")
    again = register(learner, offering, now=NOW + dt.timedelta(days=3))
    assert again.pk != first.pk
    assert again.ends_at == toronto(2027, 4, 15, 23, 59, 59)
    assert Enrolment.objects.filter(learner=learner).count() == 2


# --- confirmation e-mail ------------------------------------------------------
def _attachment(message, mimetype: str):
    return next(a for a in message.attachments if a[2].startswith(mimetype))


def test_confirmation_email_goes_out_once_on_commit_with_html_and_ics(
    offering, django_capture_on_commit_callbacks, mailoutbox
):
    learner = factories.UserFactory(email="kenji@example.org", time_zone="Asia/Tokyo")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        enrolment = register(learner, offering)
        assert mailoutbox == []  # nothing leaves before the commit
    assert len(callbacks) == 1
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    course = offering.microcredential
    assert message.to == ["kenji@example.org"]
    assert course.title in message.subject

    # The dates in the learner's zone: end of day in Toronto is 12:59 the next
    # day in Tokyo.
    for body in (message.body, message.alternatives[0][0]):
        assert "Tuesday 30 March 2027, 12:59" in body
        assert "Tuesday 13 April 2027, 12:59" in body
        assert "Asia/Tokyo" in body
    assert message.alternatives[0][1] == "text/html"

    filename, content, mimetype = _attachment(message, "text/calendar")
    assert filename == f"{course.code}-dates.ics"
    calendar = Calendar.from_ical(content)
    starts = sorted(event.decoded("dtstart") for event in calendar.walk("VEVENT"))
    assert starts == [enrolment.summative_due_at, enrolment.ends_at]
    summaries = [str(event["summary"]) for event in calendar.walk("VEVENT")]
    assert any("summative assessment due" in summary for summary in summaries)
    assert any("microcredential ends" in summary for summary in summaries)

    enrolment.refresh_from_db()
    assert enrolment.confirmation_sent_at is not None


def test_running_the_confirmation_task_twice_sends_one_email(enrolment, mailoutbox):
    assert len(mailoutbox) == 1
    sent_at = Enrolment.objects.get(pk=enrolment.pk).confirmation_sent_at
    send_registration_confirmation.delay(enrolment_id=enrolment.pk)
    send_registration_confirmation.apply(kwargs={"enrolment_id": enrolment.pk})
    assert len(mailoutbox) == 1
    assert Enrolment.objects.get(pk=enrolment.pk).confirmation_sent_at == sent_at


def test_a_rolled_back_registration_sends_no_email(
    learner, offering, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        register(learner, offering)
    # The test transaction is rolled back: the callback never runs.
    assert len(callbacks) == 1
    assert mailoutbox == []


# --- extensions ---------------------------------------------------------------
@pytest.fixture
def active(learner, offering):
    return register(learner, offering)  # due 29 March, ends 12 April 2027


def test_extension_moves_both_dates_and_is_audited(active, registrar):
    extension = enrolment_extend(
        actor=registrar,
        enrolment_id=active.pk,
        extra_days=10,
        reason="  Medical accommodation.  ",
    )
    active.refresh_from_db()
    assert active.summative_due_at == toronto(2027, 4, 8, 23, 59, 59)
    assert active.ends_at == toronto(2027, 4, 22, 23, 59, 59)

    extension.refresh_from_db()
    assert extension.enrolment == active
    assert extension.granted_by == registrar
    assert extension.extra_days == 10
    assert extension.reason == "Medical accommodation."
    assert extension.previous_summative_due_at == toronto(2027, 3, 29, 23, 59, 59)
    assert extension.previous_ends_at == toronto(2027, 4, 12, 23, 59, 59)
    assert extension.new_summative_due_at == active.summative_due_at
    assert extension.new_ends_at == active.ends_at

    entry = AuditEntry.objects.get(action="enrolment.extend")
    assert entry.actor == registrar
    assert entry.object_type == "courses.enrolment"
    assert entry.object_id == str(active.pk)
    assert entry.reason == "Medical accommodation."
    assert entry.details["extra_days"] == 10
    recorded = {
        key: [dt.datetime.fromisoformat(value) for value in entry.details[key]]
        for key in ("previous", "new")
    }
    assert recorded == {
        "previous": [
            toronto(2027, 3, 29, 23, 59, 59),
            toronto(2027, 4, 12, 23, 59, 59),
        ],
        "new": [active.summative_due_at, active.ends_at],
    }


def test_extension_across_fall_back_keeps_deadlines_at_end_of_day(
    learner, offering, registrar
):
    enrolment = register(learner, offering, now=toronto(2027, 9, 10, 9))
    assert enrolment.ends_at == toronto(2027, 10, 22, 23, 59, 59)
    enrolment_extend(
        actor=registrar, enrolment_id=enrolment.pk, extra_days=21, reason="Illness."
    )
    enrolment.refresh_from_db()
    local_end = enrolment.ends_at.astimezone(TORONTO)
    assert (local_end.date(), local_end.time()) == (
        dt.date(2027, 11, 12),
        dt.time(23, 59, 59),
    )
    assert local_end.utcoffset() == dt.timedelta(hours=-5)
    assert enrolment.summative_due_at.astimezone(TORONTO).time() == dt.time(23, 59, 59)


def test_two_extensions_add_up_and_are_both_recorded(active, registrar, instructor):
    enrolment_extend(actor=registrar, enrolment_id=active.pk, extra_days=3, reason="A")
    enrolment_extend(actor=instructor, enrolment_id=active.pk, extra_days=4, reason="B")
    active.refresh_from_db()
    assert active.ends_at == toronto(2027, 4, 19, 23, 59, 59)
    assert Extension.objects.filter(enrolment=active).count() == 2
    assert AuditEntry.objects.filter(action="enrolment.extend").count() == 2


def _withdrawn(enrolment, registrar):
    enrolment_withdraw(actor=registrar, enrolment_id=enrolment.pk, reason="Left.")


def _completed_enrolment(enrolment, registrar):
    Enrolment.objects.filter(pk=enrolment.pk).update(status="completed")


@pytest.mark.parametrize(
    ("arrange", "extra_days", "reason", "message"),
    [
        (None, 5, "", "needs a reason"),
        (None, 5, "   ", "needs a reason"),
        (None, 5, None, "needs a reason"),
        (None, 0, "Illness.", "at least one day"),
        (None, -2, "Illness.", "at least one day"),
        (None, 366, "Illness.", "cannot exceed 365 days"),
        (_withdrawn, 5, "Illness.", "Only an active enrolment"),
        (_completed_enrolment, 5, "Illness.", "Only an active enrolment"),
    ],
)
def test_refused_extension_changes_nothing(
    active, registrar, arrange, extra_days, reason, message
):
    if arrange:
        arrange(active, registrar)
    before = Enrolment.objects.values("summative_due_at", "ends_at").get(pk=active.pk)
    audits = AuditEntry.objects.filter(action="enrolment.extend").count()
    with pytest.raises(PolicyError, match=message):
        enrolment_extend(
            actor=registrar,
            enrolment_id=active.pk,
            extra_days=extra_days,
            reason=reason,
        )
    after = Enrolment.objects.values("summative_due_at", "ends_at").get(pk=active.pk)
    assert after == before
    assert not Extension.objects.exists()
    assert AuditEntry.objects.filter(action="enrolment.extend").count() == audits


def test_extending_an_unknown_enrolment_is_a_clear_refusal(registrar):
    with pytest.raises(PolicyError, match="does not exist"):
        enrolment_extend(
            actor=registrar, enrolment_id=999_999, extra_days=3, reason="Illness."
        )


# --- withdrawal ---------------------------------------------------------------
def test_withdrawal_sets_status_and_time_and_is_audited(active, registrar):
    when = toronto(2027, 3, 5, 10)
    enrolment_withdraw(
        actor=registrar, enrolment_id=active.pk, reason=" Requested. ", now=when
    )
    active.refresh_from_db()
    assert active.status == Enrolment.Status.WITHDRAWN
    assert active.withdrawn_at == when
    entry = AuditEntry.objects.get(action="enrolment.withdraw")
    assert (entry.actor, entry.object_id, entry.reason) == (
        registrar,
        str(active.pk),
        "Requested.",
    )


@pytest.mark.parametrize("reason", ["", "  ", None])
def test_withdrawal_needs_a_reason(active, registrar, reason):
    with pytest.raises(PolicyError, match="needs a reason"):
        enrolment_withdraw(actor=registrar, enrolment_id=active.pk, reason=reason)
    active.refresh_from_db()
    assert active.status == Enrolment.Status.ACTIVE
    assert not AuditEntry.objects.filter(action="enrolment.withdraw").exists()


def test_withdrawing_twice_is_refused(active, registrar):
    enrolment_withdraw(actor=registrar, enrolment_id=active.pk, reason="Requested.")
    with pytest.raises(PolicyError, match="Only an active enrolment"):
        enrolment_withdraw(actor=registrar, enrolment_id=active.pk, reason="Again.")
    assert AuditEntry.objects.filter(action="enrolment.withdraw").count() == 1


def test_withdrawing_an_unknown_enrolment_is_a_clear_refusal(registrar):
    with pytest.raises(PolicyError, match="does not exist"):
        enrolment_withdraw(actor=registrar, enrolment_id=999_999, reason="Requested.")


# --- concurrency --------------------------------------------------------------
def _race(*calls) -> list[str]:
    """Run the calls at the same moment, each on its own connection."""
    barrier = threading.Barrier(len(calls))
    outcomes: list[str] = []
    lock = threading.Lock()

    def run(call):
        try:
            barrier.wait(timeout=10)
            call()
            outcome = "registered"
        except RegistrationRefused as refusal:
            outcome = str(refusal)
        finally:
            connection.close()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads)
    return sorted(outcomes)


concurrent = pytest.mark.django_db(transaction=True)


@concurrent
def test_the_same_learner_registering_twice_at_once_gets_one_enrolment(
    learner, offering, mailoutbox
):
    def attempt():
        enrolment_register(learner=learner, offering_id=offering.pk)

    outcomes = _race(attempt, attempt)
    assert outcomes == [
        "You are already registered for this microcredential.",
        "registered",
    ]
    assert Enrolment.objects.filter(learner=learner).count() == 1
    assert len(mailoutbox) == 1


@concurrent
def test_the_same_learner_in_two_offerings_at_once_gets_one_enrolment(
    learner, offering
):
    second = factories.OfferingFactory(microcredential=offering.microcredential)

    def attempt(target):
        return lambda: enrolment_register(learner=learner, offering_id=target.pk)

    outcomes = _race(attempt(offering), attempt(second))
    assert outcomes == [
        "You are already registered for this microcredential.",
        "registered",
    ]
    assert Enrolment.objects.filter(learner=learner, status="active").count() == 1


@concurrent
def test_two_learners_racing_for_the_last_place_end_with_one_enrolment(
    learner, other_learner, offering
):
    offering.capacity = 1
    offering.save()

    def attempt(who):
        return lambda: enrolment_register(learner=who, offering_id=offering.pk)

    outcomes = _race(attempt(learner), attempt(other_learner))
    assert outcomes == ["This offering is full.", "registered"]
    assert Enrolment.objects.filter(offering=offering).count() == 1
