"""Every write about courses and enrolments goes through here."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from microcred.audit import audit_record

from . import policies, selectors
from .models import (
    ContentItem,
    CourseStatus,
    Enrolment,
    Extension,
    ItemProgress,
    Microcredential,
    Offering,
    Reflection,
    ScenarioChoice,
)
from .policies import PolicyError
from .tasks import send_registration_confirmation


class RegistrationRefused(PolicyError):
    pass


class AlreadyRegistered(RegistrationRefused):
    pass


def institution_tz() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def enrolment_dates_for(
    offering: Offering, *, registered_at: dt.datetime
) -> policies.EnrolmentDates:
    rules = offering.microcredential.window_rules
    if offering.is_scheduled:
        return policies.scheduled_dates(
            starts_on=offering.starts_on, rules=rules, tz=institution_tz()
        )
    return policies.rolling_dates(
        registered_at=registered_at, rules=rules, tz=institution_tz()
    )


@transaction.atomic
def enrolment_register(
    *, learner, offering_id: int, now: dt.datetime | None = None
) -> Enrolment:
    """Register a learner for an offering; refuses with a clear reason.

    The offering row is locked so capacity holds under concurrent
    registrations; the partial unique constraint makes a double click end in
    one enrolment.
    """
    now = now or timezone.now()
    try:
        offering = (
            Offering.objects.select_for_update()
            .select_related("microcredential")
            .get(pk=offering_id)
        )
    except Offering.DoesNotExist:
        raise RegistrationRefused(_("This offering does not exist.")) from None
    course = offering.microcredential
    from credentials.selectors import renewal_open

    learner_enrolments = Enrolment.objects.filter(
        learner=learner, microcredential=course
    )
    refusal = policies.registration_refusal(
        policies.RegistrationFacts(
            course_published=course.is_published,
            offering_open=offering.is_open,
            registration_opens_at=offering.registration_opens_at,
            registration_closes_at=offering.registration_closes_at,
            capacity=offering.capacity,
            active_enrolments=offering.enrolments.exclude(status="withdrawn").count(),
            learner_has_active_enrolment=learner_enrolments.filter(
                status="active"
            ).exists(),
            # Completed, unless the credential it earned may now be renewed
            # by passing the summative again (credentials.policies.may_renew).
            learner_has_completed=learner_enrolments.filter(status="completed").exists()
            and not renewal_open(learner=learner, course=course, now=now),
        ),
        now=now,
    )
    if refusal:
        if refusal == str(policies.ALREADY_REGISTERED):
            raise AlreadyRegistered(refusal)
        raise RegistrationRefused(refusal)
    if (
        offering.is_scheduled
        and offering.last_day
        and now > policies.end_of_day(offering.last_day, institution_tz())
    ):
        raise RegistrationRefused(_("This offering has already ended."))
    dates = enrolment_dates_for(offering, registered_at=now)
    if offering.is_scheduled and now > dates.summative_due_at:
        raise RegistrationRefused(
            _(
                "The first attempt at the summative assessment in this offering is "
                "already past due; choose a later offering."
            )
        )
    try:
        with transaction.atomic():
            enrolment = Enrolment.objects.create(
                learner=learner,
                offering=offering,
                microcredential=course,
                registered_at=now,
                summative_due_at=dates.summative_due_at,
                ends_at=dates.ends_at,
            )
    except IntegrityError:
        raise AlreadyRegistered(str(policies.ALREADY_REGISTERED)) from None
    # robust: a mail outage must not turn a saved registration into an error
    # page; confirmation_sent_at stays empty and the send can be retried.
    transaction.on_commit(
        lambda: send_registration_confirmation.delay(enrolment_id=enrolment.pk),
        robust=True,
    )
    return enrolment


@transaction.atomic
def enrolment_start_plar(
    *,
    learner,
    course_id: int,
    dates: policies.EnrolmentDates,
    now: dt.datetime | None = None,
) -> Enrolment:
    """Open an enrolment on the PLAR route (called by ``plar.services`` when a
    request is approved): no offering, the PLAR window's own dates, and the
    same summative assessment as the course route."""
    now = now or timezone.now()
    course = Microcredential.objects.get(pk=course_id)
    try:
        with transaction.atomic():
            return Enrolment.objects.create(
                learner=learner,
                offering=None,
                microcredential=course,
                route=Enrolment.Route.PLAR,
                registered_at=now,
                summative_due_at=dates.summative_due_at,
                ends_at=dates.ends_at,
            )
    except IntegrityError:
        raise AlreadyRegistered(str(policies.ALREADY_REGISTERED)) from None


@transaction.atomic
def enrolment_end(
    *, enrolment_id: int, reason: str, now: dt.datetime | None = None
) -> Enrolment:
    """Close an active enrolment that can no longer be completed (its attempts
    are used or its window is over). Safe to call twice."""
    enrolment = _locked_enrolment(enrolment_id)
    if enrolment.status == Enrolment.Status.ENDED:
        return enrolment
    if enrolment.status != Enrolment.Status.ACTIVE:
        raise PolicyError(_("Only an active enrolment can be ended."))
    enrolment.status = Enrolment.Status.ENDED
    enrolment.ended_at = now or timezone.now()
    enrolment.save(update_fields=["status", "ended_at"])
    audit_record(
        actor=None,
        action="enrolment.end",
        target=enrolment,
        reason=reason,
        details={"route": enrolment.route},
    )
    return enrolment


@transaction.atomic
def enrolment_reopen(*, actor, enrolment_id: int, reason: str) -> Enrolment:
    """Make an ended enrolment active again (an appeal granted); audit-logged.

    Refused when the learner has since started another enrolment in the
    course (the partial unique constraint backs this under a race).
    """
    reason = (reason or "").strip()
    if not reason:
        raise PolicyError(_("Reopening an enrolment needs a reason."))
    enrolment = _locked_enrolment(enrolment_id)
    if enrolment.status == Enrolment.Status.ACTIVE:
        return enrolment
    if enrolment.status != Enrolment.Status.ENDED:
        raise PolicyError(_("Only an ended enrolment can be reopened."))
    enrolment.status = Enrolment.Status.ACTIVE
    enrolment.ended_at = None
    try:
        with transaction.atomic():
            enrolment.save(update_fields=["status", "ended_at"])
    except IntegrityError:
        raise PolicyError(
            _(
                "The learner has since registered for this microcredential again, "
                "so this enrolment cannot be reopened."
            )
        ) from None
    audit_record(
        actor=actor, action="enrolment.reopen", target=enrolment, reason=reason
    )
    return enrolment


def _learner_enrolment(*, learner, enrolment_id: int, lock: bool = False) -> Enrolment:
    queryset = Enrolment.objects.filter(learner=learner)
    if lock:
        queryset = queryset.select_for_update()
    try:
        return queryset.get(pk=enrolment_id)
    except Enrolment.DoesNotExist:
        raise PolicyError(_("This enrolment does not exist.")) from None


def _require_active(enrolment: Enrolment) -> None:
    if not enrolment.is_active:
        raise PolicyError(
            _("This enrolment is no longer active; progress is read-only.")
        )


def _item_in_course(enrolment: Enrolment, item_id: int) -> ContentItem:
    try:
        return ContentItem.objects.select_related("module").get(
            pk=item_id, module__microcredential_id=enrolment.microcredential_id
        )
    except ContentItem.DoesNotExist:
        raise PolicyError(_("This item is not part of the microcredential.")) from None


@transaction.atomic
def item_visit(
    *, learner, enrolment_id: int, item_id: int, now: dt.datetime | None = None
) -> ItemProgress:
    """Record that the learner opened an item ("continue where you left off")."""
    now = now or timezone.now()
    enrolment = _learner_enrolment(learner=learner, enrolment_id=enrolment_id)
    item = _item_in_course(enrolment, item_id)
    if not enrolment.is_active:
        # Read-only: show what was recorded, record nothing new.
        existing = ItemProgress.objects.filter(enrolment=enrolment, item=item).first()
        return existing or ItemProgress(
            enrolment=enrolment, item=item, first_viewed_at=now
        )
    progress, _created = ItemProgress.objects.get_or_create(
        enrolment=enrolment, item=item, defaults={"first_viewed_at": now}
    )
    Enrolment.objects.filter(pk=enrolment.pk).update(
        last_item=item, last_activity_at=now
    )
    return progress


@transaction.atomic
def item_complete(
    *,
    learner,
    enrolment_id: int,
    item_id: int,
    completed: bool = True,
    now: dt.datetime | None = None,
) -> ItemProgress:
    now = now or timezone.now()
    enrolment = _learner_enrolment(learner=learner, enrolment_id=enrolment_id)
    _require_active(enrolment)
    item = _item_in_course(enrolment, item_id)
    progress, _created = ItemProgress.objects.get_or_create(
        enrolment=enrolment, item=item, defaults={"first_viewed_at": now}
    )
    progress.completed_at = (progress.completed_at or now) if completed else None
    progress.save(update_fields=["completed_at"])
    Enrolment.objects.filter(pk=enrolment.pk).update(
        last_item=item, last_activity_at=now
    )
    return progress


@transaction.atomic
def scenario_choose(
    *,
    learner,
    enrolment_id: int,
    item_id: int,
    choice_id: int,
    now: dt.datetime | None = None,
) -> ScenarioChoice:
    now = now or timezone.now()
    enrolment = _learner_enrolment(learner=learner, enrolment_id=enrolment_id)
    _require_active(enrolment)
    item = _item_in_course(enrolment, item_id)
    try:
        choice = item.choices.get(pk=choice_id)
    except ScenarioChoice.DoesNotExist:
        raise PolicyError(_("That choice is not part of this scenario.")) from None
    progress, _created = ItemProgress.objects.get_or_create(
        enrolment=enrolment, item=item, defaults={"first_viewed_at": now}
    )
    progress.scenario_choice = choice
    progress.save(update_fields=["scenario_choice"])
    return choice


MAX_REFLECTION_LENGTH = 20_000


@transaction.atomic
def reflection_save(
    *, learner, enrolment_id: int, item_id: int, text: str
) -> Reflection:
    """Autosave a private reflection. Saving the same text twice is harmless."""
    if len(text) > MAX_REFLECTION_LENGTH:
        raise PolicyError(
            _("A reflection can be at most %(limit)s characters.")
            % {"limit": f"{MAX_REFLECTION_LENGTH:,}"}
        )
    enrolment = _learner_enrolment(learner=learner, enrolment_id=enrolment_id)
    _require_active(enrolment)
    item = _item_in_course(enrolment, item_id)
    if item.kind != "reflection":
        raise PolicyError(_("This item does not take a written answer."))
    reflection, _created = Reflection.objects.update_or_create(
        enrolment=enrolment, item=item, defaults={"text": text}
    )
    return reflection


def _locked_enrolment(enrolment_id: int) -> Enrolment:
    try:
        return Enrolment.objects.select_for_update().get(pk=enrolment_id)
    except Enrolment.DoesNotExist:
        raise PolicyError(_("This enrolment does not exist.")) from None


@transaction.atomic
def enrolment_extend(
    *, actor, enrolment_id: int, extra_days: int, reason: str
) -> Extension:
    """Grant an accommodation: both dates move by ``extra_days``; audit-logged."""
    reason = (reason or "").strip()
    if not reason:
        raise PolicyError(_("An extension needs a reason."))
    enrolment = _locked_enrolment(enrolment_id)
    if enrolment.status != Enrolment.Status.ACTIVE:
        raise PolicyError(_("Only an active enrolment can be extended."))
    new = policies.extended_dates(
        enrolment.dates, extra_days=extra_days, tz=institution_tz()
    )
    extension = Extension.objects.create(
        enrolment=enrolment,
        granted_by=actor,
        extra_days=extra_days,
        reason=reason,
        previous_summative_due_at=enrolment.summative_due_at,
        previous_ends_at=enrolment.ends_at,
        new_summative_due_at=new.summative_due_at,
        new_ends_at=new.ends_at,
    )
    enrolment.summative_due_at = new.summative_due_at
    enrolment.ends_at = new.ends_at
    enrolment.save(update_fields=["summative_due_at", "ends_at"])
    # Reminders follow the dates: those about the old dates are cancelled.
    from notices.services import enrolment_dates_changed

    enrolment_dates_changed(enrolment_id=enrolment.pk)
    audit_record(
        actor=actor,
        action="enrolment.extend",
        target=enrolment,
        reason=reason,
        details={
            "extra_days": extra_days,
            "previous": [
                extension.previous_summative_due_at.isoformat(),
                extension.previous_ends_at.isoformat(),
            ],
            "new": [new.summative_due_at.isoformat(), new.ends_at.isoformat()],
        },
    )
    return extension


@transaction.atomic
def enrolment_withdraw(
    *, actor, enrolment_id: int, reason: str, now: dt.datetime | None = None
) -> Enrolment:
    reason = (reason or "").strip()
    if not reason:
        raise PolicyError(_("Withdrawing a learner needs a reason."))
    enrolment = _locked_enrolment(enrolment_id)
    if enrolment.status != Enrolment.Status.ACTIVE:
        raise PolicyError(_("Only an active enrolment can be withdrawn."))
    enrolment.status = Enrolment.Status.WITHDRAWN
    enrolment.withdrawn_at = now or timezone.now()
    enrolment.save(update_fields=["status", "withdrawn_at"])
    from notices.services import enrolment_notices_cancel

    enrolment_notices_cancel(enrolment_id=enrolment.pk)
    audit_record(
        actor=actor, action="enrolment.withdraw", target=enrolment, reason=reason
    )
    return enrolment


@transaction.atomic
def course_change_status(
    *, actor, course_id: int, new_status: str, now: dt.datetime | None = None
) -> policies.PublishDecision | None:
    """Move a course through draft → in review → published → retired.

    Publishing is refused, with every reason listed, when the rules fail.
    """
    now = now or timezone.now()
    course = Microcredential.objects.select_for_update().get(pk=course_id)
    policies.check_status_change(course.status, new_status)
    decision = None
    if new_status == CourseStatus.PUBLISHED:
        decision = policies.publish_decision(selectors.publish_facts(course))
        if not decision.allowed:
            raise PolicyError(" ".join(decision.problems))
        course.published_at = now
    previous = course.status
    course.status = new_status
    course.save(update_fields=["status", "published_at", "updated_at"])
    audit_record(
        actor=actor,
        action=f"course.{new_status}",
        target=course,
        details={"from": previous, "to": new_status},
    )
    return decision


@transaction.atomic
def enrolment_complete(
    *, enrolment_id: int, now: dt.datetime | None = None
) -> Enrolment:
    """Mark an enrolment completed (the learner passed the summative assessment).

    Issues the credentials it earns (``credentials.services.
    credentials_for_completion``) in the same transaction. Safe to call twice:
    an enrolment already completed is returned unchanged; a withdrawn one is
    refused.
    """
    enrolment = _locked_enrolment(enrolment_id)
    if enrolment.status == Enrolment.Status.COMPLETED:
        return enrolment
    if enrolment.status != Enrolment.Status.ACTIVE:
        raise PolicyError(_("Only an active enrolment can be completed."))
    enrolment.status = Enrolment.Status.COMPLETED
    enrolment.completed_at = now or timezone.now()
    enrolment.save(update_fields=["status", "completed_at"])
    audit_record(
        actor=None,
        action="enrolment.complete",
        target=enrolment,
        details={
            "route": enrolment.route,
            "completed_at": enrolment.completed_at.isoformat(),
        },
    )
    # Issuance is part of completing: called here, in the same transaction.
    from credentials.services import credentials_for_completion

    credentials_for_completion(enrolment=enrolment, now=enrolment.completed_at)
    return enrolment
