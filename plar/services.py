"""Every write about PLAR requests and appeals goes through here.

Each public service checks who acts (the learner owns the request; a reviewer
teaches the course or is a registrar), applies one rule from policies.py,
records a RequestEvent and, for staff decisions, an audit entry; e-mail leaves
on commit through Celery.
"""

from __future__ import annotations

import datetime as dt
import os

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments import selectors as assessment_selectors
from assessments import services as assessment_services
from courses import policies as course_policies
from courses import services as course_services
from courses.models import Enrolment, Microcredential
from microcred.audit import audit_record

from . import evidence_files, policies, selectors
from .models import Appeal, Evidence, OutcomeStatement, PlarRequest, RequestEvent
from .policies import Actor, PlarRefused, Status
from .tasks import send_appeal_decided, send_request_event

MAX_STATEMENT_LENGTH = 10_000
MAX_REASON_LENGTH = 5_000
MAX_EVIDENCE_ITEMS = 20


def _not_found() -> PlarRefused:
    # The same answer for "does not exist" and "is someone else's".
    return PlarRefused(
        _("This PLAR request does not exist or is not yours."), code="not_found"
    )


def _locked_own_request(*, learner, request_id) -> PlarRequest:
    try:
        return (
            PlarRequest.objects.select_for_update(of=("self",))
            .select_related("microcredential")
            .get(pk=request_id, learner=learner)
        )
    except (PlarRequest.DoesNotExist, ValueError, TypeError):
        raise _not_found() from None


def _locked_request_for_review(*, reviewer, request_id) -> PlarRequest:
    try:
        request = (
            PlarRequest.objects.select_for_update(of=("self",))
            .select_related("microcredential", "learner")
            .get(pk=request_id)
        )
    except (PlarRequest.DoesNotExist, ValueError, TypeError):
        raise PlarRefused(
            _("This PLAR request does not exist."), code="not_found"
        ) from None
    if request.learner_id == reviewer.pk:
        raise PlarRefused(
            _("You cannot review your own PLAR request; another reviewer must."),
            code="own_request",
        )
    if not selectors.may_review(reviewer, request.microcredential):
        raise PlarRefused(
            _(
                "Only an instructor of this microcredential or a registrar can "
                "review its PLAR requests."
            ),
            code="not_reviewer",
        )
    return request


def _require_editable(request: PlarRequest) -> None:
    if not request.is_editable:
        raise PlarRefused(
            _(
                "This request is “%(status)s”, so it cannot be changed now; nothing "
                "was saved."
            )
            % {"status": request.get_status_display()},
            code="not_editable",
        )


def _clean_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if len(reason) > MAX_REASON_LENGTH:
        raise PlarRefused(
            _("A reason can be at most %(limit)s characters.")
            % {"limit": f"{MAX_REASON_LENGTH:,}"},
            code="too_long",
        )
    return reason


def _move(
    request: PlarRequest,
    target: Status,
    *,
    actor,
    by: Actor,
    reason: str = "",
    now: dt.datetime,
) -> RequestEvent:
    """Apply one allowed status change, record it and e-mail the learner."""
    policies.check_transition(request.status, target, by=by, reason=reason)
    event = RequestEvent.objects.create(
        request=request,
        actor=actor,
        from_status=request.status,
        to_status=target,
        reason=reason,
        at=now,
    )
    request.status = target
    request.updated_at = now
    request.save()
    event_id = event.pk
    # robust: a mail outage must not undo a change the learner can already see.
    transaction.on_commit(
        lambda: send_request_event.delay(event_id=event_id), robust=True
    )
    return event


# --- the learner's side -----------------------------------------------------------


@transaction.atomic
def request_start(*, learner, course_id, now: dt.datetime | None = None) -> PlarRequest:
    """Open a draft request with one empty statement per learning outcome.

    A double click (or a second tab) returns the open request already there;
    anyone who may not ask (see ``policies.request_refusal``) is refused.
    """
    now = now or timezone.now()
    try:
        course = Microcredential.objects.select_for_update().get(pk=course_id)
    except (Microcredential.DoesNotExist, ValueError, TypeError):
        raise PlarRefused(
            _("This microcredential does not exist."), code="not_found"
        ) from None
    existing = selectors.open_request(learner, course)
    if existing is not None:
        return existing
    refusal = policies.request_refusal(
        selectors.request_facts(learner, course, now=now)
    )
    if refusal is not None:
        raise refusal
    try:
        with transaction.atomic():
            request = PlarRequest.objects.create(
                learner=learner, microcredential=course, created_at=now, updated_at=now
            )
    except IntegrityError:
        return selectors.open_request(learner, course)
    OutcomeStatement.objects.bulk_create(
        OutcomeStatement(request=request, outcome=outcome, saved_at=now)
        for outcome in course.outcomes.all()
    )
    return request


@transaction.atomic
def statement_save(
    *, learner, request_id, outcome_id, text: str, now: dt.datetime | None = None
) -> OutcomeStatement:
    """Autosave the statement for one outcome; saving the same text is harmless."""
    now = now or timezone.now()
    if len(text) > MAX_STATEMENT_LENGTH:
        raise PlarRefused(
            _("A statement can be at most %(limit)s characters; nothing was saved.")
            % {"limit": f"{MAX_STATEMENT_LENGTH:,}"},
            code="too_long",
        )
    request = _locked_own_request(learner=learner, request_id=request_id)
    _require_editable(request)
    try:
        statement = OutcomeStatement.objects.get(request=request, outcome_id=outcome_id)
    except (OutcomeStatement.DoesNotExist, ValueError, TypeError):
        raise PlarRefused(
            _("This outcome is not part of the microcredential."), code="bad_outcome"
        ) from None
    if statement.text != text:
        statement.text = text
        statement.saved_at = now
        statement.save(update_fields=["text", "saved_at"])
        PlarRequest.objects.filter(pk=request.pk).update(updated_at=now)
    return statement


def _require_room_for_evidence(request: PlarRequest) -> None:
    if request.evidence.count() >= MAX_EVIDENCE_ITEMS:
        raise PlarRefused(
            _("A request can hold at most %(count)s pieces of evidence.")
            % {"count": MAX_EVIDENCE_ITEMS},
            code="too_much_evidence",
        )


def _clean_title(title: str, fallback: str) -> str:
    title = (title or "").strip() or fallback
    return title[:200]


@transaction.atomic
def evidence_add_file(
    *,
    learner,
    request_id,
    upload: UploadedFile,
    title: str = "",
    now: dt.datetime | None = None,
) -> Evidence:
    """Attach a file; its type (by content, not only its name) and size are
    checked first, and it is stored in private storage."""
    now = now or timezone.now()
    request = _locked_own_request(learner=learner, request_id=request_id)
    _require_editable(request)
    _require_room_for_evidence(request)
    problem = evidence_files.problem(upload)
    if problem:
        raise PlarRefused(problem, code="bad_file")
    name = os.path.basename(upload.name or "evidence")
    evidence = Evidence(
        request=request,
        title=_clean_title(title, name),
        original_name=name[:255],
        added_at=now,
    )
    evidence.file.save(evidence_files.stored_name(name), upload, save=False)
    evidence.save()
    PlarRequest.objects.filter(pk=request.pk).update(updated_at=now)
    return evidence


@transaction.atomic
def evidence_add_link(
    *, learner, request_id, url: str, title: str = "", now: dt.datetime | None = None
) -> Evidence:
    now = now or timezone.now()
    url = (url or "").strip()
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        raise PlarRefused(
            _("Enter a full web address starting with https:// or http://."),
            code="bad_url",
        ) from None
    if len(url) > 1000:
        raise PlarRefused(
            _("This web address is too long (at most 1,000 characters)."),
            code="bad_url",
        )
    request = _locked_own_request(learner=learner, request_id=request_id)
    _require_editable(request)
    _require_room_for_evidence(request)
    evidence = Evidence.objects.create(
        request=request, title=_clean_title(title, url), url=url, added_at=now
    )
    PlarRequest.objects.filter(pk=request.pk).update(updated_at=now)
    return evidence


@transaction.atomic
def evidence_remove(*, learner, request_id, evidence_id) -> None:
    request = _locked_own_request(learner=learner, request_id=request_id)
    _require_editable(request)
    try:
        evidence = Evidence.objects.get(pk=evidence_id, request=request)
    except (Evidence.DoesNotExist, ValueError, TypeError):
        raise PlarRefused(
            _("This piece of evidence is not part of your request."), code="not_found"
        ) from None
    stored = evidence.file.name if evidence.file else None
    storage = evidence.file.storage if evidence.file else None
    evidence.delete()
    if stored:
        transaction.on_commit(lambda: storage.delete(stored))


def submission_problems(request: PlarRequest) -> list[str]:
    """What still stops the request from being submitted (empty: nothing)."""
    problems = []
    missing = [
        s.outcome.code
        for s in request.statements.select_related("outcome")
        if not s.text.strip()
    ]
    if missing:
        problems.append(
            _("Write a statement for every learning outcome (missing: %(codes)s).")
            % {"codes": ", ".join(missing)}
        )
    if not request.evidence.exists():
        problems.append(_("Add at least one piece of evidence: a file or a link."))
    return problems


@transaction.atomic
def request_submit(
    *, learner, request_id, declaration: bool, now: dt.datetime | None = None
) -> PlarRequest:
    """Submit (or, after "more information requested", resubmit) a request."""
    now = now or timezone.now()
    request = _locked_own_request(learner=learner, request_id=request_id)
    policies.check_transition(request.status, Status.SUBMITTED, by=Actor.LEARNER)
    if not declaration:
        raise PlarRefused(
            _(
                "Confirm that the statements and evidence are your own work before "
                "submitting."
            ),
            code="declaration_required",
        )
    problems = submission_problems(request)
    if problems:
        raise PlarRefused(" ".join(problems), code="incomplete")
    request.declaration = True
    request.submitted_at = request.submitted_at or now
    _move(request, Status.SUBMITTED, actor=learner, by=Actor.LEARNER, now=now)
    return request


@transaction.atomic
def request_withdraw(
    *, learner, request_id, now: dt.datetime | None = None
) -> PlarRequest:
    now = now or timezone.now()
    request = _locked_own_request(learner=learner, request_id=request_id)
    _move(request, Status.WITHDRAWN, actor=learner, by=Actor.LEARNER, now=now)
    return request


def _plar_enrolment_start(request: PlarRequest, *, now: dt.datetime) -> Enrolment:
    """Open the PLAR route: its window counts from now."""
    course = request.microcredential
    dates = policies.window_dates(
        approved_at=now,
        plar_window_days=course.plar_window_days,
        rules=course.window_rules,
        tz=course_services.institution_tz(),
    )
    try:
        enrolment = course_services.enrolment_start_plar(
            learner=request.learner, course_id=course.pk, dates=dates, now=now
        )
    except course_services.AlreadyRegistered:
        raise PlarRefused(
            _(
                "The learner already has an active enrolment in this "
                "microcredential, so the PLAR route cannot start."
            ),
            code="enrolled",
        ) from None
    request.enrolment = enrolment
    return enrolment


# --- the reviewers' side ----------------------------------------------------------


@transaction.atomic
def review_start(
    *, reviewer, request_id, now: dt.datetime | None = None
) -> PlarRequest:
    """Take a submitted request into review; the learner sees "under review"."""
    now = now or timezone.now()
    request = _locked_request_for_review(reviewer=reviewer, request_id=request_id)
    request.reviewer = reviewer
    _move(request, Status.UNDER_REVIEW, actor=reviewer, by=Actor.REVIEWER, now=now)
    audit_record(actor=reviewer, action="plar.review_start", target=request)
    return request


DECISIONS = (Status.APPROVED, Status.DECLINED, Status.MORE_INFO)


@transaction.atomic
def request_decide(
    *,
    reviewer,
    request_id,
    decision: str,
    reason: str,
    now: dt.datetime | None = None,
) -> PlarRequest:
    """Approve, decline or ask for more information, always with a reason.

    Approving opens the PLAR-route enrolment at once, its window counted from
    now; the learner is e-mailed the decision and, when approved, both dates.
    """
    now = now or timezone.now()
    reason = _clean_reason(reason)
    if decision not in DECISIONS:
        raise PlarRefused(
            _("Choose approve, decline or ask for more information."),
            code="bad_decision",
        )
    request = _locked_request_for_review(reviewer=reviewer, request_id=request_id)
    target = Status(decision)
    policies.check_transition(request.status, target, by=Actor.REVIEWER, reason=reason)
    if target == Status.APPROVED:
        _plar_enrolment_start(request, now=now)
    if target in (Status.APPROVED, Status.DECLINED):
        request.decided_at = now
        request.decided_by = reviewer
        request.decision_reason = reason
    _move(request, target, actor=reviewer, by=Actor.REVIEWER, reason=reason, now=now)
    audit_record(
        actor=reviewer,
        action=f"plar.{target.value}",
        target=request,
        reason=reason,
        details={"enrolment": request.enrolment_id},
    )
    return request


# --- appeals ----------------------------------------------------------------------


@transaction.atomic
def appeal_submit(
    *,
    learner,
    request_id,
    reason: str,
    attempt_id=None,
    now: dt.datetime | None = None,
) -> Appeal:
    """Appeal the decline of the request, or (with ``attempt_id``) the result
    of a failed attempt on the PLAR route."""
    now = now or timezone.now()
    reason = _clean_reason(reason)
    if not reason:
        raise PlarRefused(
            _("Say why you are appealing; the reviewer will read it."),
            code="reason_required",
        )
    request = _locked_own_request(learner=learner, request_id=request_id)
    attempt = None
    if attempt_id not in (None, ""):
        attempt = selectors.plar_attempt(request, attempt_id)
        if attempt is None:
            raise PlarRefused(
                _("This attempt is not part of your PLAR route."), code="not_found"
            )
    kind = policies.AppealKind.GRADE if attempt else policies.AppealKind.DECISION
    refusal = policies.appeal_refusal(selectors.appeal_facts(request, attempt))
    if refusal is not None:
        raise refusal
    try:
        with transaction.atomic():
            return Appeal.objects.create(
                request=request,
                kind=kind,
                attempt=attempt,
                reason=reason,
                submitted_at=now,
            )
    except IntegrityError:
        raise PlarRefused(
            _("This decision has already been appealed."), code="already_appealed"
        ) from None


def _grant_grade_appeal(appeal: Appeal, *, decider, reason: str, now) -> None:
    """One more attempt at the same summative, with time to take it."""
    enrolment = appeal.request.enrolment
    course = enrolment.microcredential
    note = _("Appeal granted: %(reason)s") % {"reason": reason}
    if enrolment.status == Enrolment.Status.ENDED:
        try:
            course_services.enrolment_reopen(
                actor=decider, enrolment_id=enrolment.pk, reason=note
            )
        except course_policies.PolicyError as refusal:
            raise PlarRefused(str(refusal), code="cannot_reopen") from None
        enrolment.refresh_from_db()
    if enrolment.status != Enrolment.Status.ACTIVE:
        raise PlarRefused(
            _("The learner's PLAR enrolment is no longer active."), code="inactive"
        )
    tz = course_services.institution_tz()
    needed_end = course_policies.end_of_day(
        now.astimezone(tz).date() + dt.timedelta(days=course.resubmission_days), tz
    )
    if enrolment.ends_at < needed_end:
        extra_days = (needed_end.date() - enrolment.ends_at.astimezone(tz).date()).days
        course_services.enrolment_extend(
            actor=decider, enrolment_id=enrolment.pk, extra_days=extra_days, reason=note
        )
    assessment_services.extra_attempt_grant(
        actor=decider,
        enrolment_id=enrolment.pk,
        assessment_id=appeal.attempt.assessment_id,
        reason=note,
    )


@transaction.atomic
def appeal_decide(
    *, decider, appeal_id, grant: bool, reason: str, now: dt.datetime | None = None
) -> Appeal:
    """Grant or refuse an appeal, with a reason, by someone who took no part in
    what is appealed. Granting a decline approves the request (the PLAR route
    starts now); granting a result gives one more attempt."""
    now = now or timezone.now()
    reason = _clean_reason(reason)
    if not reason:
        raise PlarRefused(
            _("A decision on an appeal needs a reason; the learner will read it."),
            code="reason_required",
        )
    try:
        appeal = (
            Appeal.objects.select_for_update(of=("self",))
            .select_related("request__microcredential", "attempt")
            .get(pk=appeal_id)
        )
    except (Appeal.DoesNotExist, ValueError, TypeError):
        raise PlarRefused(_("This appeal does not exist."), code="not_found") from None
    request = _locked_request_for_review(reviewer=decider, request_id=appeal.request_id)
    if not appeal.is_open:
        raise PlarRefused(
            _("This appeal has already been decided."), code="already_decided"
        )
    refusal = policies.appeal_decider_refusal(
        decider_id=decider.pk, decided_by_ids=selectors.appealed_deciders(appeal)
    )
    if refusal is not None and not decider.is_superuser:
        raise refusal
    if grant:
        if appeal.kind == Appeal.Kind.DECISION:
            if selectors.newer_request_exists(request):
                # Granting would open a second route beside the newer request's.
                raise policies.superseded_refusal()
            _plar_enrolment_start(request, now=now)
            request.decided_at = now
            request.decided_by = decider
            request.decision_reason = reason
            _move(
                request,
                Status.APPROVED,
                actor=decider,
                by=Actor.APPEAL,
                reason=reason,
                now=now,
            )
        else:
            _grant_grade_appeal(appeal, decider=decider, reason=reason, now=now)
    appeal.status = Appeal.Status.GRANTED if grant else Appeal.Status.REFUSED
    appeal.decided_at = now
    appeal.decided_by = decider
    appeal.decision_reason = reason
    appeal.save()
    audit_record(
        actor=decider,
        action=f"plar.appeal_{appeal.status}",
        target=appeal,
        reason=reason,
        details={"kind": appeal.kind, "request": request.pk},
    )
    appeal_pk = appeal.pk
    transaction.on_commit(
        lambda: send_appeal_decided.delay(appeal_id=appeal_pk), robust=True
    )
    return appeal


# --- after the PLAR route ---------------------------------------------------------


@transaction.atomic
def full_course_register(
    *, learner, request_id, offering_id, now: dt.datetime | None = None
) -> Enrolment:
    """One click after a PLAR route that cannot pass any more: close it and
    register for the full course (the normal window starts now)."""
    now = now or timezone.now()
    request = _locked_own_request(learner=learner, request_id=request_id)
    if not selectors.is_course_offering(request.microcredential, offering_id):
        # Never end this route to register for another course.
        raise PlarRefused(
            _("This offering is not one of this microcredential's offerings."),
            code="bad_offering",
        )
    enrolment = request.enrolment
    if enrolment is not None and enrolment.status == Enrolment.Status.ACTIVE:
        assessment = assessment_selectors.summative_for_course(
            request.microcredential_id
        )
        decision = assessment_selectors.summative_decision(
            enrolment, assessment, now=now
        )
        if not selectors.route_over(decision):
            raise PlarRefused(
                _(
                    "Your PLAR route is still open: finish the summative assessment "
                    "first."
                ),
                code="route_open",
            )
        course_services.enrolment_end(
            enrolment_id=enrolment.pk,
            reason="The learner registered for the full course.",
            now=now,
        )
    return course_services.enrolment_register(
        learner=learner, offering_id=offering_id, now=now
    )
