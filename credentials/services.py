"""Every write of the credentials app: keys, achievements, issuance, revocation.

Issuance is called by the completion service (``courses.services.
enrolment_complete``), never by a signal, inside the same transaction: a
completed enrolment and its credential commit together. It is idempotent: one
credential per learner, achievement and validity period (a unique constraint
backs the check), a second call returns the one already issued.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from courses.models import Enrolment, Microcredential, Pathway
from microcred.audit import audit_entry, audit_record
from microcred.models import AuditEntry

from . import documents, multikey, policies, proofs, selectors, statuslist
from .identity import signer_identity
from .keystore import KeyStore
from .models import (
    STATUS_LIST_SIZE,
    Achievement,
    AchievementType,
    Credential,
    IssuerProfile,
    Route,
    SigningKey,
    StatusList,
)
from .policies import CredentialRefused


def absolute_url(name: str, **kwargs) -> str:
    return settings.SITE_URL.rstrip("/") + reverse(f"credentials:{name}", kwargs=kwargs)


# --- keys ----------------------------------------------------------------------


def _free_key_id(now: dt.datetime) -> str:
    base = f"key-{now:%Y-%m-%d}"
    taken = set(
        SigningKey.objects.filter(key_id__startswith=base).values_list(
            "key_id", flat=True
        )
    )
    if base not in taken:
        return base
    return next(f"{base}-{n}" for n in range(2, 1000) if f"{base}-{n}" not in taken)


def _signing_key_add(*, now: dt.datetime) -> SigningKey:
    """A new active key row; its private half is generated, or adopted when a
    key file with that id is already in the key store (a re-created database)."""
    store = KeyStore()
    key_id = _free_key_id(now)
    if store.exists(key_id):
        public = store.public_key(key_id)
    else:
        public = store.generate(key_id)
    return SigningKey.objects.create(
        key_id=key_id,
        public_key_multibase=multikey.public_key_to_multibase(public),
        status=SigningKey.Status.ACTIVE,
        created_at=now,
    )


@transaction.atomic
def signing_key_ensure(*, now: dt.datetime | None = None) -> SigningKey:
    """The active signing key, created on first use (``make run`` calls this
    through ``manage.py credentials_keys ensure``)."""
    key = SigningKey.objects.filter(status=SigningKey.Status.ACTIVE).first()
    if key is not None:
        return key
    try:
        with transaction.atomic():
            return _signing_key_add(now=now or timezone.now())
    except IntegrityError:  # another process created it first
        return SigningKey.objects.get(status=SigningKey.Status.ACTIVE)


@transaction.atomic
def signing_key_rotate(*, actor=None, now: dt.datetime | None = None) -> SigningKey:
    """Retire the active key (it stays published) and make a new one active."""
    now = now or timezone.now()
    retired = list(
        SigningKey.objects.select_for_update().filter(status=SigningKey.Status.ACTIVE)
    )
    for key in retired:
        key.status = SigningKey.Status.RETIRED
        key.retired_at = now
        key.save(update_fields=["status", "retired_at"])
    key = _signing_key_add(now=now)
    audit_record(
        actor=actor,
        action="signing_key.rotate",
        target=key,
        details={"retired": [k.key_id for k in retired], "active": key.key_id},
    )
    return key


def _signer(key: SigningKey, *, now: dt.datetime) -> proofs.Signer:
    """What signs credentials with ``key`` at ``now`` (one or a batch)."""
    return proofs.Signer(
        private_key=KeyStore().load_private(key.key_id),
        verification_method=signer_identity(key).verification_method,
        created=now,
    )


def _sign(document: dict, *, key: SigningKey, now: dt.datetime) -> dict:
    return _signer(key, now=now).sign(document)


# --- issuer and achievements ---------------------------------------------------


def issuer_profile() -> IssuerProfile:
    """The issuer profile, created from the institution's settings on first use."""
    profile, _created = IssuerProfile.objects.get_or_create(
        pk=1,
        defaults={
            "name": settings.INSTITUTION_NAME,
            "url": settings.SITE_URL,
            "email": settings.DEFAULT_FROM_EMAIL.rpartition("<")[2].rstrip(">")
            or "credentials@example.org",
        },
    )
    return profile


def criteria_narrative(course: Microcredential) -> str:
    """What a holder showed, in words: the outcomes, the assessment, the time."""
    outcomes = "\n".join(
        f"- {outcome.code}: {outcome.text}" for outcome in course.outcomes.all()
    )
    return _(
        "Holders of this microcredential passed its summative assessment, "
        "meeting the pass mark and every learning outcome:\n\n%(outcomes)s\n\n"
        "Time commitment: about %(hours)s hours of learning."
    ) % {"outcomes": outcomes, "hours": course.time_commitment_hours}


@transaction.atomic
def achievement_for_course(course: Microcredential) -> Achievement:
    """The microcredential's achievement, created from the course on first use."""
    existing = Achievement.objects.filter(microcredential=course).first()
    if existing is not None:
        return existing
    return Achievement.objects.create(
        microcredential=course,
        achievement_type=AchievementType.MICROCREDENTIAL,
        name=course.credential_name or course.title,
        description=course.summary,
        criteria_narrative=criteria_narrative(course),
        language=course.language,
        tags=[course.code, course.get_level_display()],
    )


@transaction.atomic
def achievement_for_pathway(pathway: Pathway) -> Achievement:
    existing = Achievement.objects.filter(pathway=pathway).first()
    if existing is not None:
        return existing
    members = ", ".join(course.title for course in pathway.microcredentials.all())
    if pathway.requirement == Pathway.Requirement.ALL:
        rule = _("all of these microcredentials: %(members)s.")
    else:
        rule = _("%(count)s of these microcredentials: %(members)s.")
    narrative = _("Holders earned ") + rule % {
        "members": members,
        "count": pathway.required_count,
    }
    return Achievement.objects.create(
        pathway=pathway,
        achievement_type=AchievementType.CERTIFICATE,
        name=pathway.title,
        description=pathway.summary or pathway.title,
        criteria_narrative=narrative,
        tags=[pathway.code],
    )


# --- status lists ---------------------------------------------------------------


def _status_list_key(status_list: StatusList, *, now) -> SigningKey:
    """The key that signs a list as the identity it was created under.

    Verifiers require a status list and the credentials it lists to have the
    same issuer. A did:web identity survives rotation (the active key signs);
    a did:key identity is one key, so that key keeps signing its lists (its
    private half must be kept while its credentials may need revoking).
    """
    active = signing_key_ensure(now=now)
    if not status_list.issuer_id:
        return active
    if signer_identity(active).issuer_id == status_list.issuer_id:
        return active
    for key in SigningKey.objects.order_by("-created_at"):
        if signer_identity(key).issuer_id == status_list.issuer_id:
            return key
    if status_list.issuer_id.startswith("did:key:"):
        for key in SigningKey.objects.order_by("-created_at"):
            public = multikey.public_key_from_multibase(key.public_key_multibase)
            if multikey.did_key(public) == status_list.issuer_id:
                return key
    raise CredentialRefused(
        _(
            "No signing key of ours can sign status list %(pk)s as %(issuer)s; "
            "restore that key or the did:web domain it was issued under."
        )
        % {"pk": status_list.pk, "issuer": status_list.issuer_id},
        code="no_status_list_key",
    )


def _status_list_identity_document(status_list: StatusList, *, key, now) -> dict:
    """Sign as the list's identity: for a did:key list, that key's did:key."""
    unsigned = statuslist.status_list_credential(
        list_url=absolute_url("status-list", pk=status_list.pk),
        issuer=status_list.issuer_id or signer_identity(key).issuer_id,
        valid_from=now,
        bits=statuslist.Bitstring.from_bytes(bytes(status_list.bits)),
    )
    if status_list.issuer_id.startswith("did:key:"):
        public = multikey.public_key_from_multibase(key.public_key_multibase)
        return proofs.sign_credential(
            unsigned,
            private_key=KeyStore().load_private(key.key_id),
            verification_method=multikey.did_key_verification_method(public),
            created=now,
        )
    return _sign(unsigned, key=key, now=now)


def _status_list_sign(status_list: StatusList, *, key: SigningKey, now) -> None:
    """(Re-)sign a list as the identity it was created under."""
    key = _status_list_key(status_list, now=now)
    status_list.document = _status_list_identity_document(status_list, key=key, now=now)
    status_list.version = F("version") + 1
    status_list.signed_at = now
    status_list.save(update_fields=["document", "version", "signed_at"])
    status_list.refresh_from_db(fields=["version"])


def _status_entry_allocate(*, key: SigningKey, now) -> tuple[StatusList, int]:
    """The next free entry, under a row lock on the list (sequential indexes)."""
    issuer_id = signer_identity(key).issuer_id
    status_list = (
        StatusList.objects.select_for_update()
        .filter(next_index__lt=F("size"), issuer_id=issuer_id)
        .order_by("pk")
        .first()
    )
    if status_list is None:
        status_list = StatusList.objects.create(
            size=STATUS_LIST_SIZE,
            bits=bytes(STATUS_LIST_SIZE // 8),
            issuer_id=issuer_id,
        )
        _status_list_sign(status_list, key=key, now=now)
        status_list = StatusList.objects.select_for_update().get(pk=status_list.pk)
    index = statuslist.next_status_index(
        used=status_list.next_index, list_size=status_list.size
    )
    status_list.next_index = index + 1
    status_list.save(update_fields=["next_index"])
    return status_list, index


# --- issuance ------------------------------------------------------------------


@dataclass(frozen=True)
class AssessedResult:
    """What the summative found: the score and the outcomes met."""

    score_percent: Decimal | None
    outcomes_met: tuple[str, ...] = ()


def achievement_facts(achievement: Achievement) -> documents.AchievementFacts:
    """The facts of an OB 3.0 Achievement, as issuance signs them and the
    criteria page serves them."""
    course = achievement.microcredential
    summative = None
    outcomes: list[documents.OutcomeFacts] = []
    credits = None
    if course is not None:
        from assessments.selectors import summative_for_course

        summative = summative_for_course(course.pk)
        outcomes = [
            documents.OutcomeFacts(code=o.code, text=o.text)
            for o in course.outcomes.all()
        ]
        if course.credit_status == "for_credit":
            credits = course.credit_value
    return documents.AchievementFacts(
        id=absolute_url("achievement", pk=achievement.pk),
        achievement_type=achievement.achievement_type,
        name=achievement.name,
        description=achievement.description,
        criteria_url=absolute_url("achievement", pk=achievement.pk),
        criteria_narrative=achievement.criteria_narrative,
        image_url=absolute_url("achievement-image", pk=achievement.pk),
        language=achievement.language,
        version=achievement.version,
        human_code=course.code if course else achievement.pathway.code,
        pass_mark_percent=summative.pass_mark_percent if summative else None,
        outcomes=outcomes,
        alignments=[
            documents.AlignmentFacts(
                target_name=a.target_name,
                target_url=a.target_url,
                target_code=a.target_code,
                target_framework=a.target_framework,
            )
            for a in achievement.alignments.all()
        ],
        tags=achievement.tags,
        credits_available=credits,
    )


def _facts(
    credential: Credential, *, key: SigningKey, salt: str, email: str
) -> documents.CredentialFacts:
    profile = issuer_profile()
    identity = signer_identity(key)
    result = credential.result or {}
    score = result.get("score_percent")
    return documents.CredentialFacts(
        id=absolute_url("credential", pk=credential.pk),
        issuer=documents.IssuerFacts(
            id=identity.issuer_id,
            name=profile.name,
            url=profile.url,
            email=profile.email,
            description=profile.description,
        ),
        achievement=achievement_facts(credential.achievement),
        identity_hash=policies.identity_hash(email, salt),
        salt=salt,
        awarded_at=credential.awarded_at,
        valid_from=credential.valid_from,
        valid_until=credential.valid_until,
        status_list_url=absolute_url("status-list", pk=credential.status_list_id),
        status_index=credential.status_index,
        evidence_name=_evidence_name(credential.route),
        evidence_narrative=_evidence_narrative(
            credential, credential.achievement.microcredential
        ),
        result=documents.ResultFacts(
            score_percent=Decimal(score) if score is not None else None,
            outcomes_met=tuple(result.get("outcomes_met", ())),
        ),
    )


def _evidence_name(route: str) -> str:
    return {
        Route.COURSE: "Summative assessment (course route)",
        Route.PLAR: "Summative assessment (prior learning assessment route)",
        Route.RECOGNISED: "Recognised from a record held elsewhere",
    }[route]


def _evidence_narrative(credential: Credential, course) -> str:
    if credential.route == Route.RECOGNISED:
        return "Issued by the registrar from an institutional record."
    if course is None:
        return "Earned by holding the pathway's required microcredentials."
    route = (
        "after the full course"
        if credential.route == Route.COURSE
        else ("through prior learning assessment and recognition, without the course")
    )
    return (
        f"The learner passed the summative assessment of {course.code} {route}, "
        "scoring at or above the pass mark and meeting every learning outcome."
    )


def _new_code() -> str:
    while True:
        code = policies.new_verification_code()
        if not Credential.objects.filter(verification_code=code).exists():
            return code


@transaction.atomic
def credential_issue(
    *,
    learner,
    achievement: Achievement,
    route: str = Route.COURSE,
    enrolment: Enrolment | None = None,
    result: AssessedResult | None = None,
    awarded_at: dt.datetime | None = None,
    period: int = 1,
    now: dt.datetime | None = None,
) -> Credential:
    """Issue (sign and store) one credential, or return the one already issued
    for this learner, achievement and period. Its PDF is rendered after commit.
    """
    now = now or timezone.now()
    awarded_at = awarded_at or now
    existing = (
        Credential.objects.exclude(status=Credential.Status.SUPERSEDED)
        .filter(learner=learner, achievement=achievement, period=period)
        .first()
    )
    if existing is not None:
        return existing
    if not learner.legal_name.strip():
        raise CredentialRefused(
            _("The learner has no legal name to print on the credential."),
            code="no_name",
        )
    key = signing_key_ensure(now=now)
    status_list, index = _status_entry_allocate(key=key, now=now)
    period_dates = policies.validity(
        awarded_at=awarded_at, valid_for_months=achievement.valid_for_months
    )
    result = result or AssessedResult(None)
    credential = Credential(
        learner=learner,
        achievement=achievement,
        enrolment=enrolment,
        route=route,
        period=period,
        recipient_name=learner.legal_name.strip(),
        verification_code=_new_code(),
        awarded_at=awarded_at,
        valid_from=period_dates.valid_from,
        valid_until=period_dates.valid_until,
        result={
            "score_percent": (
                str(result.score_percent) if result.score_percent is not None else None
            ),
            "outcomes_met": list(result.outcomes_met),
        },
        status_list=status_list,
        status_index=index,
        signing_key=key,
        document={},
    )
    salt = secrets.token_hex(16)
    unsigned = documents.credential_document(
        _facts(credential, key=key, salt=salt, email=learner.email)
    )
    credential.document = _sign(unsigned, key=key, now=now)
    try:
        with transaction.atomic():
            credential.save(force_insert=True)
    except IntegrityError:
        # A concurrent call issued it first: return that one. (The status
        # entry allocated here stays unused: an always-clear bit, harmless.)
        return Credential.objects.exclude(status=Credential.Status.SUPERSEDED).get(
            learner=learner, achievement=achievement, period=period
        )
    audit_record(
        actor=None,
        action="credential.issue",
        target=credential,
        details={
            "achievement": achievement.name,
            "route": route,
            "period": period,
            "verification_code": credential.verification_code,
        },
    )
    from . import tasks

    transaction.on_commit(lambda: tasks.certificate_render.delay(str(credential.pk)))
    return credential


# --- certificates ----------------------------------------------------------------


def certificate_data(
    credential: Credential,
    *,
    paper_size: str = "A4",
    profile: IssuerProfile | None = None,
):
    """What the PDF certificate prints, from the credential as issued."""
    from .certificates import CertificateData, CreditKind

    achievement = credential.achievement
    course = achievement.microcredential
    profile = profile or issuer_profile()
    outcomes: tuple[str, ...] = ()
    hours = None
    credit_kind, credit_text = CreditKind.NON_DEGREE, ""
    if course is not None:
        outcomes = tuple(f"{o.code}: {o.text}" for o in course.outcomes.all())
        hours = course.time_commitment_hours
        if course.credit_status == "for_credit":
            credit_kind = CreditKind.FOR_CREDIT
            credit_text = _("%(value)s credits, %(institution)s") % {
                "value": course.credit_value,
                "institution": course.credit_institution or profile.name,
            }
        else:
            credit_text = _("Non-credit microcredential: carries no academic credit.")
    zone = timezone.get_default_timezone()
    language = (
        getattr(credential.learner, "preferred_language", "") or achievement.language
    )
    return CertificateData(
        learner_name=credential.recipient_name,
        achievement_name=achievement.name,
        outcomes=outcomes,
        hours=hours,
        credit_kind=credit_kind,
        credit_text=credit_text,
        issued_on=credential.awarded_at.astimezone(zone).date(),
        expires_on=(
            credential.valid_until.astimezone(zone).date()
            if credential.valid_until
            else None
        ),
        issuer_name=profile.name,
        issuer_url=profile.url,
        issuer_logo=profile.logo.path if profile.logo else None,
        signatory_name=profile.signatory_name,
        signatory_title=profile.signatory_title,
        verification_code=policies.format_verification_code(
            credential.verification_code
        ),
        verification_url=absolute_url("credential", pk=credential.pk),
        language=language if language in ("en", "fr") else "en",
        paper_size=paper_size,
    )


PAPERS = {"A4": "pdf", "Letter": "pdf_letter"}


def paper_of(field: str) -> str:
    return next(paper for paper, name in PAPERS.items() if name == field)


def certificates_render(
    *,
    credential_ids,
    papers: tuple[str, ...] = ("A4", "Letter"),
    now: dt.datetime | None = None,
) -> int:
    """Render the credentials' PDFs (A4 and US Letter, or the ``papers``
    asked for) and store them: the credentials, their courses' outcomes and
    the issuer profile are read once, then one update per credential.

    Safe to run twice (the files are replaced); runs again after a name
    correction or reissue. Rendering happens outside any transaction. Bulk
    jobs render one paper size; the other is rendered on its first download.
    """
    from django.core.files.base import ContentFile

    from .certificates import render_certificate_pdf

    profile = issuer_profile()
    credentials = (
        Credential.objects.select_related("achievement__microcredential", "learner")
        .prefetch_related("achievement__microcredential__outcomes")
        .filter(pk__in=list(credential_ids))
        .order_by("pk")
    )
    for credential in credentials:
        files = {}
        for paper in papers:
            data = certificate_data(credential, paper_size=paper, profile=profile)
            files[PAPERS[paper]] = render_certificate_pdf(data)
        for field, content in files.items():
            stored = getattr(credential, field)
            if stored:
                stored.delete(save=False)
            name = f"{credential.verification_code}-{field.replace('_', '-')}.pdf"
            stored.save(name, ContentFile(content), save=False)
        credential.pdf_rendered_at = now or timezone.now()
        Credential.objects.filter(pk=credential.pk).update(
            pdf_rendered_at=credential.pdf_rendered_at,
            **{field: getattr(credential, field).name for field in files},
        )
    return len(credentials)


def certificate_render(
    *,
    credential_id,
    papers: tuple[str, ...] = ("A4", "Letter"),
    now: dt.datetime | None = None,
) -> None:
    """Render one credential's PDFs (see ``certificates_render``)."""
    if not certificates_render(credential_ids=[credential_id], papers=papers, now=now):
        raise Credential.DoesNotExist(credential_id)


# --- completion: the hook the completion service calls ----------------------------


def _assessed_result(enrolment: Enrolment) -> AssessedResult:
    from assessments.selectors import passing_summative_result

    found = passing_summative_result(enrolment)
    if found is None:
        return AssessedResult(None)
    score, outcomes_met = found
    return AssessedResult(score, tuple(outcomes_met))


def _next_period(*, learner, achievement: Achievement, now: dt.datetime) -> int:
    latest = (
        Credential.objects.exclude(status=Credential.Status.SUPERSEDED)
        .filter(learner=learner, achievement=achievement)
        .order_by("-period")
        .first()
    )
    if latest is None:
        return 1
    renewable = policies.may_renew(
        revoked=latest.status == Credential.Status.REVOKED,
        valid_until=latest.valid_until,
        renewal_window_days=achievement.renewal_window_days,
        now=now,
    )
    return latest.period + 1 if renewable else latest.period


@transaction.atomic
def credentials_for_completion(
    *, enrolment: Enrolment, now: dt.datetime | None = None
) -> list[Credential]:
    """Issue what a completed enrolment earns: the microcredential's credential
    and any pathway credential it completes. Idempotent."""
    now = now or timezone.now()
    learner, course = enrolment.learner, enrolment.microcredential
    achievement = achievement_for_course(course)
    issued = [
        credential_issue(
            learner=learner,
            achievement=achievement,
            route=Route.PLAR if enrolment.route == "plar" else Route.COURSE,
            enrolment=enrolment,
            result=_assessed_result(enrolment),
            period=_next_period(learner=learner, achievement=achievement, now=now),
            now=now,
        )
    ]
    held = selectors.held_course_ids(learner)
    for pathway in course.pathways.filter(is_published=True).prefetch_related(
        "microcredentials"
    ):
        members = [member.pk for member in pathway.microcredentials.all()]
        if policies.pathway_earned(
            requirement=pathway.requirement,
            required_count=pathway.required_count,
            member_ids=members,
            held_ids=held,
        ):
            issued.append(
                credential_issue(
                    learner=learner,
                    achievement=achievement_for_pathway(pathway),
                    route=Route.COURSE,
                    now=now,
                )
            )
    return issued


# --- revocation (registrars) -------------------------------------------------------


def _require_registrar(actor, message: str) -> None:
    from django.core.exceptions import PermissionDenied

    from microcred.roles import is_registrar

    if actor is None or not is_registrar(actor):
        raise PermissionDenied(message)


def _reason_required(reason: str | None, message: str) -> str:
    cleaned = (reason or "").strip()
    if not cleaned:
        raise CredentialRefused(message, code="reason_required")
    return cleaned


def _status_bits_set(entries: dict[int, list[int]], *, now: dt.datetime) -> None:
    """Set the bits ``entries`` names (status list pk → indexes) and re-sign each
    list once: one new version per list per call, however many bits changed.

    The lists are locked in primary-key order; the caller holds the locks of
    the credentials whose bits these are.
    """
    if not entries:
        return
    key = signing_key_ensure(now=now)
    for status_list in (
        StatusList.objects.select_for_update().filter(pk__in=entries).order_by("pk")
    ):
        bits = statuslist.Bitstring.from_bytes(bytes(status_list.bits))
        for index in entries[status_list.pk]:
            bits.set(index)
        status_list.bits = bits.to_bytes()
        status_list.save(update_fields=["bits"])
        _status_list_sign(status_list, key=key, now=now)


def _credential_ids(values) -> set[str]:
    """Credential ids as canonical UUID strings; a malformed one is refused."""
    import uuid

    ids = set()
    for value in values:
        try:
            ids.add(str(uuid.UUID(str(value))))
        except ValueError as error:
            raise CredentialRefused(
                _("“%(id)s” is not a credential id; nothing was revoked.")
                % {"id": value},
                code="unknown_credential",
            ) from error
    return ids


@transaction.atomic
def credentials_revoke(
    *,
    credential_ids,
    actor,
    reason: str,
    now: dt.datetime | None = None,
) -> list[Credential]:
    """Revoke credentials (registrars only, a reason required), as one batch.

    The credentials and then their status lists are locked in primary-key
    order; each affected status list gets its bits set and is re-signed once
    for the whole call. The verification page, the API, the status list and
    the Open Badges 2.0 assertion all read the same rows, so they change
    together when this commits.

    Returns the credentials this call revoked. A credential already revoked
    keeps its first revocation and one already superseded by a corrected
    credential is no longer valid anyway: both are left untouched and are not
    in the result (compare with the ids asked for to report them).
    """
    _require_registrar(actor, _("Only a registrar may revoke credentials."))
    reason = _reason_required(reason, _("Revoking a credential needs a reason."))
    now = now or timezone.now()
    wanted = _credential_ids(credential_ids)
    if not wanted:
        return []
    credentials = list(
        Credential.objects.select_for_update(of=("self",))
        .select_related("achievement")
        .filter(pk__in=wanted)
        .order_by("pk")
    )
    missing = wanted - {str(credential.pk) for credential in credentials}
    if missing:
        raise CredentialRefused(
            _("No credential has the id %(ids)s; nothing was revoked.")
            % {"ids": ", ".join(sorted(missing))},
            code="unknown_credential",
        )
    to_revoke = [c for c in credentials if c.status == Credential.Status.ACTIVE]
    entries: dict[int, list[int]] = {}
    for credential in to_revoke:
        entries.setdefault(credential.status_list_id, []).append(
            credential.status_index
        )
    _status_bits_set(entries, now=now)
    # One update and one audit insert for the whole batch.
    Credential.objects.filter(pk__in=[c.pk for c in to_revoke]).update(
        status=Credential.Status.REVOKED,
        revoked_at=now,
        revocation_reason=reason,
        revoked_by=actor,
    )
    for credential in to_revoke:
        credential.status = Credential.Status.REVOKED
        credential.revoked_at = now
        credential.revocation_reason = reason
        credential.revoked_by = actor
    AuditEntry.objects.bulk_create(
        audit_entry(
            actor=actor,
            action="credential.revoke",
            target=credential,
            reason=reason,
            details={
                "verification_code": credential.verification_code,
                "status_list": credential.status_list_id,
                "status_index": credential.status_index,
            },
        )
        for credential in to_revoke
    )
    return to_revoke


def credential_revoke(
    *, credential_id, actor, reason: str, now: dt.datetime | None = None
) -> bool:
    """Revoke one credential; False when it was already revoked or superseded
    (nothing changed), True when this call revoked it."""
    return bool(
        credentials_revoke(
            credential_ids=[credential_id], actor=actor, reason=reason, now=now
        )
    )


# --- the holder's choices: public name, name corrections ----------------------


def _holders_credential(*, credential_id, learner, lock: bool = False) -> Credential:
    queryset = Credential.objects.filter(learner=learner)
    if lock:
        queryset = queryset.select_for_update()
    try:
        return queryset.get(pk=credential_id)
    except (Credential.DoesNotExist, ValueError, TypeError) as error:
        raise CredentialRefused(
            _("You hold no credential with this id."), code="not_holder"
        ) from error


@transaction.atomic
def credential_set_public_name(*, credential_id, learner, show: bool) -> Credential:
    """The holder decides whether the public verification page shows their name."""
    credential = _holders_credential(
        credential_id=credential_id, learner=learner, lock=True
    )
    if credential.show_name != bool(show):
        credential.show_name = bool(show)
        credential.save(update_fields=["show_name"])
        audit_record(
            actor=learner,
            action="credential.public_name",
            target=credential,
            details={"show_name": credential.show_name},
        )
    return credential


NAME_MAX_LENGTH = 200


def _clean_name(name: str | None) -> str:
    """A name as it will be printed: spaces collapsed, no control characters."""
    cleaned = " ".join((name or "").split())
    if not cleaned:
        raise CredentialRefused(
            _("Write the name as it should appear on the credential."),
            code="name_required",
        )
    if len(cleaned) > NAME_MAX_LENGTH:
        raise CredentialRefused(
            _("A name has at most %(max)d characters.") % {"max": NAME_MAX_LENGTH},
            code="name_too_long",
        )
    if any(ord(ch) < 32 or 127 <= ord(ch) < 160 for ch in cleaned):
        raise CredentialRefused(
            _("The name holds a control character; type it again."),
            code="name_control_character",
        )
    return cleaned


@transaction.atomic
def credential_name_correction_request(
    *,
    credential_id,
    learner,
    requested_name: str,
    reason: str,
    now: dt.datetime | None = None,
):
    """The holder asks for the name on a credential to be corrected.

    Only the holder may ask, only for a credential still in force (not revoked,
    not superseded), for a name that differs from the one printed, and with one
    request waiting at a time (a partial unique constraint backs the check).
    """
    from .models import NameCorrection

    credential = _holders_credential(
        credential_id=credential_id, learner=learner, lock=True
    )
    if credential.status != Credential.Status.ACTIVE:
        raise CredentialRefused(
            _("Only a credential in force can have its name corrected."),
            code="not_active",
        )
    name = _clean_name(requested_name)
    reason = _reason_required(
        reason, _("Say why the name should change (a typo, a legal name change…).")
    )
    if name == credential.recipient_name:
        raise CredentialRefused(
            _("The credential already shows this name."), code="same_name"
        )
    pending_message = _(
        "A name correction for this credential is already waiting for a registrar."
    )
    if credential.name_corrections.filter(
        status=NameCorrection.Status.PENDING
    ).exists():
        raise CredentialRefused(pending_message, code="already_pending")
    try:
        with transaction.atomic():
            correction = NameCorrection.objects.create(
                credential=credential,
                requested_name=name,
                reason=reason,
                requested_at=now or timezone.now(),
            )
    except IntegrityError as error:  # a concurrent request won
        raise CredentialRefused(pending_message, code="already_pending") from error
    audit_record(
        actor=learner,
        action="credential.name_correction.request",
        target=correction,
        reason=reason,
        details={"from": credential.recipient_name, "to": name},
    )
    return correction


def _reissue_with_name(old: Credential, *, name: str, now: dt.datetime) -> Credential:
    """A new credential replacing ``old``: the same award with another name.

    Same learner, achievement, enrolment, route, period, result, award date and
    validity; a new id, status entry and verification code, signed now with
    the active key. ``old`` is marked superseded before the insert (the
    one-credential-per-period constraint leaves superseded rows out) and its
    status bit is set, so verifiers holding the old document see it is no
    longer in force.
    """
    old.status = Credential.Status.SUPERSEDED
    old.save(update_fields=["status"])
    # The old entry's list first: lists fill in primary-key order, so the old
    # list's pk is never above the one a new entry comes from, and locks are
    # taken in primary-key order as revocation takes them.
    _status_bits_set({old.status_list_id: [old.status_index]}, now=now)
    key = signing_key_ensure(now=now)
    status_list, index = _status_entry_allocate(key=key, now=now)
    new = Credential(
        learner=old.learner,
        achievement=old.achievement,
        enrolment=old.enrolment,
        route=old.route,
        period=old.period,
        recipient_name=name,
        verification_code=_new_code(),
        awarded_at=old.awarded_at,
        valid_from=old.valid_from,
        valid_until=old.valid_until,
        result=old.result,
        show_name=old.show_name,
        status_list=status_list,
        status_index=index,
        signing_key=key,
        document={},
    )
    salt = secrets.token_hex(16)
    unsigned = documents.credential_document(
        _facts(new, key=key, salt=salt, email=old.learner.email)
    )
    new.document = _sign(unsigned, key=key, now=now)
    new.save(force_insert=True)
    old.superseded_by = new
    old.save(update_fields=["superseded_by"])
    return new


@transaction.atomic
def credential_name_correction_decide(
    *,
    correction_id: int,
    actor,
    approve: bool,
    reason: str = "",
    now: dt.datetime | None = None,
):
    """A registrar approves or declines a name correction.

    Declining needs a reason (the learner is told it). Approving reissues the
    credential with replace semantics (see ``_reissue_with_name``): the old
    version is kept, superseded by the new one, whose PDF is rendered after
    commit. The learner's profile name is corrected too when it still reads as
    the old name on the credential, so the next credential (a renewal, a
    pathway) does not carry the same mistake; a profile name the learner has
    changed since is left as they wrote it.
    """
    from .models import NameCorrection

    _require_registrar(actor, _("Only a registrar may decide on name corrections."))
    now = now or timezone.now()
    reason = (reason or "").strip()
    try:
        correction = NameCorrection.objects.select_for_update().get(pk=correction_id)
    except (NameCorrection.DoesNotExist, ValueError, TypeError) as error:
        raise CredentialRefused(
            _("There is no such name correction request."), code="unknown_correction"
        ) from error
    if correction.status != NameCorrection.Status.PENDING:
        raise CredentialRefused(
            _("This request was already decided (%(status)s).")
            % {"status": correction.get_status_display()},
            code="already_decided",
        )
    credential = (
        Credential.objects.select_for_update()
        .select_related("learner", "achievement")
        .get(pk=correction.credential_id)
    )
    details: dict = {
        "credential": str(credential.pk),
        "from": credential.recipient_name,
        "to": correction.requested_name,
    }
    if approve:
        if credential.status != Credential.Status.ACTIVE:
            raise CredentialRefused(
                _(
                    "The credential is %(status)s: only a credential in force can "
                    "be reissued with a corrected name. Decline the request instead."
                )
                % {"status": credential.get_status_display().lower()},
                code="not_active",
            )
        new = _reissue_with_name(credential, name=correction.requested_name, now=now)
        learner = credential.learner
        if learner.legal_name.strip() == details["from"]:
            learner.legal_name = correction.requested_name
            learner.save(update_fields=["legal_name"])
            details["profile_name_updated"] = True
        details["new_credential"] = str(new.pk)
        correction.status = NameCorrection.Status.APPROVED
        audit_record(
            actor=actor,
            action="credential.reissue",
            target=new,
            reason=reason or _("Name correction approved."),
            details={"supersedes": str(credential.pk), **details},
        )
        from . import tasks

        transaction.on_commit(lambda: tasks.certificate_render.delay(str(new.pk)))
    else:
        reason = _reason_required(
            reason, _("Declining a name correction needs a reason for the learner.")
        )
        correction.status = NameCorrection.Status.DECLINED
    correction.decided_at = now
    correction.decided_by = actor
    correction.decision_reason = reason
    correction.save(
        update_fields=["status", "decided_at", "decided_by", "decision_reason"]
    )
    audit_record(
        actor=actor,
        action=f"credential.name_correction.{correction.status}",
        target=correction,
        reason=reason,
        details=details,
    )
    return correction
