"""The e-mail of each notice (HTML and text, in the recipient's language and
time zone), the signed one-click unsubscribe link, the signed link that claims
an account made for a recipient of credentials, and the check, just before
sending, that a notice still applies."""

from __future__ import annotations

import datetime as dt
import email.policy
import enum
import zoneinfo
from collections import defaultdict

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db.models import Count
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare, salted_hmac

from . import kinds, policies
from .models import Notice
from .policies import Kind

UNSUBSCRIBE_SALT = "notices.unsubscribe"
CLAIM_SALT = "notices.claim"
CLAIM_DAYS = 60


# --- unsubscribe ------------------------------------------------------------------


def unsubscribe_token(user_id: int, kind: str) -> str:
    """A signed token naming one person and one notice kind (no expiry: an
    unsubscribe link in an old e-mail must still work)."""
    return signing.dumps({"u": user_id, "k": kind}, salt=UNSUBSCRIBE_SALT)


def read_unsubscribe_token(token: str) -> tuple[int, str] | None:
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
        return int(data["u"]), str(data["k"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


def unsubscribe_url(user_id: int, kind: str) -> str:
    return settings.SITE_URL + reverse(
        "notices:unsubscribe", kwargs={"token": unsubscribe_token(user_id, kind)}
    )


# --- claiming an account -----------------------------------------------------------


def claim_days() -> int:
    """How long a claim link works (``NOTICES_CLAIM_DAYS``, 60 by default)."""
    return int(getattr(settings, "NOTICES_CLAIM_DAYS", CLAIM_DAYS))


def claim_fragment(user) -> str:
    """A keyed digest of the user's password field: setting a password changes
    it, so a claim link works once (it reveals nothing of the field)."""
    return salted_hmac(
        f"{CLAIM_SALT}.password", user.password, algorithm="sha256"
    ).hexdigest()[:20]


def claim_fragment_matches(user, fragment: str) -> bool:
    return constant_time_compare(claim_fragment(user), fragment)


def claim_token(user) -> str:
    """A signed, timestamped token naming the account and its password state."""
    return signing.dumps({"u": user.pk, "p": claim_fragment(user)}, salt=CLAIM_SALT)


def claim_url(user) -> str:
    return settings.SITE_URL + reverse(
        "notices:claim", kwargs={"token": claim_token(user)}
    )


class ClaimProblem(enum.StrEnum):
    INVALID = "invalid"  # incomplete, altered, or no such account
    EXPIRED = "expired"  # older than ``claim_days()``
    USED = "used"  # the account has a password now


def read_claim_token(token: str) -> tuple[int, str, bool]:
    """(user id, password fragment, expired) from a claim token; raises
    ``signing.BadSignature`` (or ``ValueError``) if it is not one of ours."""
    try:
        data = signing.loads(
            token, salt=CLAIM_SALT, max_age=dt.timedelta(days=claim_days())
        )
        expired = False
    except signing.SignatureExpired:
        data = signing.loads(token, salt=CLAIM_SALT)
        expired = True
    try:
        return int(data["u"]), str(data["p"]), expired
    except (KeyError, TypeError) as error:
        raise ValueError("not a claim token") from error


# --- is it still due? -------------------------------------------------------------


def still_relevant(notices: list[Notice], *, now: dt.datetime) -> dict[int, bool]:
    """For each notice, whether it still applies at ``now`` (set-based: a few
    queries whatever the number of notices). Enrolments and courses must be
    loaded with the notices (``select_related``)."""
    from assessments.models import Attempt
    from credentials.models import Credential

    by_kind: dict[str, list[Notice]] = defaultdict(list)
    for notice in notices:
        by_kind[notice.kind].append(notice)
    answer: dict[int, bool] = {}

    enrolment_ids = {n.enrolment_id for n in notices if n.enrolment_id}
    submitted_1: set[int] = set()
    passed: set[int] = set()
    if enrolment_ids:
        for enrolment_id, number, status, ok in Attempt.objects.filter(
            enrolment_id__in=enrolment_ids, assessment__kind="summative"
        ).values_list("enrolment_id", "number", "status", "passed"):
            if number == 1 and status != "in_progress":
                submitted_1.add(enrolment_id)
            if status == "released" and ok:
                passed.add(enrolment_id)

    for notice in notices:
        enrolment = notice.enrolment
        if notice.kind in kinds.enrolment_kind_values():
            active = enrolment is not None and enrolment.status == "active"
            if not active:
                answer[notice.pk] = False
            elif notice.kind == Kind.SUMMATIVE_DUE:
                answer[notice.pk] = (
                    notice.target_at == enrolment.summative_due_at
                    and enrolment.pk not in submitted_1
                    and now < enrolment.summative_due_at
                )
            elif notice.kind == Kind.END_DATE:
                answer[notice.pk] = (
                    notice.target_at == enrolment.ends_at
                    and enrolment.pk not in passed
                    and now < enrolment.ends_at
                )
            else:
                answer[notice.pk] = now < enrolment.ends_at and (
                    enrolment.pk not in passed
                )

    attempt_notices = by_kind.get(Kind.GRADING_OVERDUE, [])
    if attempt_notices:
        waiting = set(
            Attempt.objects.filter(
                pk__in=[int(n.subject_id) for n in attempt_notices],
                status__in=("submitted", "graded"),
            ).values_list("pk", flat=True)
        )
        for notice in attempt_notices:
            answer[notice.pk] = int(notice.subject_id) in waiting

    for notice in by_kind.get(Kind.COURSE_REVIEW, []):
        course = notice.course
        answer[notice.pk] = bool(
            course
            and course.next_review_on
            and course.next_review_on.isoformat() == notice.period_key
        )

    credential_notices = by_kind.get(Kind.CREDENTIAL_ISSUED, []) + by_kind.get(
        Kind.CREDENTIAL_EXPIRING, []
    )
    if credential_notices:
        credentials = {
            str(pk): (status, valid_until)
            for pk, status, valid_until in Credential.objects.filter(
                pk__in=[n.subject_id for n in credential_notices]
            ).values_list("pk", "status", "valid_until")
        }
        for notice in credential_notices:
            status, valid_until = credentials.get(notice.subject_id, (None, None))
            answer[notice.pk] = status == "active" and (
                valid_until == notice.target_at
                if notice.kind == Kind.CREDENTIAL_EXPIRING
                # Someone who cannot sign in yet hears of it in the claim e-mail.
                else notice.recipient.has_usable_password()
            )

    claim_notices = by_kind.get(Kind.CREDENTIAL_CLAIM, [])
    if claim_notices:
        waiting = dict(
            Credential.objects.filter(
                learner_id__in={n.recipient_id for n in claim_notices},
                status=Credential.Status.ACTIVE,
            )
            .values("learner_id")
            .annotate(n=Count("pk"))
            .values_list("learner_id", "n")
            .order_by()
        )
        for notice in claim_notices:
            answer[notice.pk] = policies.claim_still_relevant(
                has_password=notice.recipient.has_usable_password(),
                credentials_waiting=waiting.get(notice.recipient_id, 0),
            )
    return answer


# --- rendering and sending --------------------------------------------------------


def _links(notice: Notice, *, site: str | None = None) -> dict[str, str]:
    """The links a notice may offer; ``site=""`` gives paths (in-app)."""
    site = settings.SITE_URL if site is None else site
    links = {
        "dashboard_url": site + reverse("courses:dashboard"),
        "notices_url": site + reverse("notices:list"),
        "preferences_url": site + reverse("notices:preferences"),
    }
    if notice.enrolment_id:
        links["learn_url"] = site + reverse(
            "courses:learn", kwargs={"enrolment_id": notice.enrolment_id}
        )
        links["assessment_url"] = site + reverse(
            "assessments:summative", kwargs={"enrolment_id": notice.enrolment_id}
        )
    if notice.kind == Kind.GRADING_OVERDUE:
        links["grading_url"] = site + reverse(
            "assessments:grade", kwargs={"attempt_id": int(notice.subject_id)}
        )
    if notice.kind in (
        Kind.CREDENTIAL_ISSUED,
        Kind.CREDENTIAL_EXPIRING,
        Kind.CREDENTIAL_CLAIM,
    ):
        links["credentials_url"] = site + reverse("credentials:mine")
        if notice.course_id:
            links["course_url"] = site + notice.course.get_absolute_url()
    if notice.kind == Kind.COURSE_REVIEW and notice.course_id:
        links["course_admin_url"] = site + reverse(
            "admin:courses_microcredential_change", args=[notice.course_id]
        )
    return links


# The one thing each notice asks the recipient to do (the link that acts).
ACTION_LINK = {
    Kind.SUMMATIVE_DUE: "assessment_url",
    Kind.END_DATE: "learn_url",
    Kind.INACTIVITY: "learn_url",
    Kind.SECOND_ATTEMPT: "assessment_url",
    Kind.GRADING_OVERDUE: "grading_url",
    Kind.COURSE_REVIEW: "course_admin_url",
    Kind.CREDENTIAL_ISSUED: "credentials_url",
    Kind.CREDENTIAL_EXPIRING: "credentials_url",
    # In the app the account is claimed already; the e-mail links to the claim.
    Kind.CREDENTIAL_CLAIM: "credentials_url",
}


def _action(notice: Notice, links: dict[str, str]) -> str:
    return links.get(ACTION_LINK[Kind(notice.kind)], links["dashboard_url"])


def action_url(notice: Notice, *, site: str | None = None) -> str:
    """The link that acts on a notice (``site=""``: a path, for the in-app
    list). No query: needs only the notice and its ``course`` loaded."""
    return _action(notice, _links(notice, site=site))


def _period_id(notice: Notice) -> int | None:
    """The id in an ``attempt:<id>`` period key."""
    _prefix, _sep, value = notice.period_key.partition(":")
    return int(value) if value.isdigit() else None


def _kind_context(notice: Notice) -> dict:
    """What one kind's e-mail needs beyond the notice (one query at most)."""
    from assessments.models import Attempt
    from credentials.models import Credential
    from credentials.policies import renewal_opens_at

    if notice.kind == Kind.SECOND_ATTEMPT:
        released = _period_id(notice)
        number = (
            Attempt.objects.filter(pk=released).values_list("number", flat=True).first()
            if released
            else None
        )
        return {
            "released_number": number,
            "next_number": number + 1 if number else None,
        }
    if notice.kind == Kind.GRADING_OVERDUE:
        attempt = (
            Attempt.objects.select_related("enrolment__learner", "assessment")
            .filter(pk=int(notice.subject_id))
            .first()
        )
        return {
            "attempt": attempt,
            "attempt_learner": attempt.enrolment.learner if attempt else None,
        }
    if notice.kind == Kind.COURSE_REVIEW:
        try:
            return {"review_on": dt.date.fromisoformat(notice.period_key)}
        except ValueError:
            return {
                "review_on": notice.course.next_review_on if notice.course else None
            }
    if notice.kind in (Kind.CREDENTIAL_ISSUED, Kind.CREDENTIAL_EXPIRING):
        credential = (
            Credential.objects.select_related("achievement")
            .filter(pk=notice.subject_id)
            .first()
        )
        return {
            "credential": credential,
            "renewal_opens_at": renewal_opens_at(
                valid_until=credential.valid_until,
                renewal_window_days=credential.achievement.renewal_window_days,
            )
            if credential
            else None,
        }
    if notice.kind == Kind.CREDENTIAL_CLAIM:
        recipient = notice.recipient
        return {
            "waiting": list(
                Credential.objects.filter(
                    learner_id=notice.recipient_id, status=Credential.Status.ACTIVE
                )
                .select_related("achievement__microcredential")
                .order_by("awarded_at", "pk")
            ),
            "claim_url": claim_url(recipient),
            # The token's clock (it is signed now, whatever ``now`` says).
            "claim_until": timezone.now() + dt.timedelta(days=claim_days()),
            "reset_url": settings.SITE_URL + reverse("account_reset_password"),
        }
    return {}


def notice_context(notice: Notice, *, now: dt.datetime | None = None) -> dict:
    """What every notice template gets (dates as aware datetimes; the
    templates show them in the active time zone, the recipient's). Days left
    are counted from ``now``, the moment of sending."""
    recipient = notice.recipient
    definition = kinds.KINDS[Kind(notice.kind)]
    links = _links(notice)
    context = {
        "notice": notice,
        "recipient": recipient,
        "course": notice.course,
        "enrolment": notice.enrolment,
        "target_at": notice.target_at,
        "institution": settings.INSTITUTION_NAME,
        "optional": definition.optional,
        "kind_label": definition.label,
        **links,
        "action_url": _action(notice, links),
        **_kind_context(notice),
    }
    tz = zoneinfo.ZoneInfo(recipient.time_zone)
    today = (now or timezone.now()).astimezone(tz).date()
    if notice.target_at is not None:
        days = (notice.target_at.astimezone(tz).date() - today).days
        context["days_left"] = max(days, 0)
    if notice.enrolment is not None:
        days = (notice.enrolment.ends_at.astimezone(tz).date() - today).days
        context["days_to_end"] = max(days, 0)
    if definition.optional:
        context["unsubscribe_url"] = unsubscribe_url(recipient.pk, notice.kind)
    return context


def render_notice(
    notice: Notice, *, now: dt.datetime | None = None
) -> tuple[str, str, str]:
    """(subject, text, html) in the recipient's language and time zone."""
    recipient = notice.recipient
    tz = zoneinfo.ZoneInfo(recipient.time_zone)
    with translation.override(recipient.preferred_language), timezone.override(tz):
        context = notice_context(notice, now=now)
        base = f"notices/email/{notice.kind}"
        subject = " ".join(render_to_string(f"{base}_subject.txt", context).split())
        context["subject"] = subject
        text = render_to_string(f"{base}.txt", context)
        html = render_to_string(f"{base}.html", context)
    return subject, text, html


class NoticeEmail(EmailMultiAlternatives):
    """A notice e-mail. Its ``List-Unsubscribe`` header is one long URL: folded
    at 78 characters it would become RFC 2047 encoded words, which mail
    clients do not read as a link, so lines may run to RFC 5322's 998."""

    def message(self, *, policy=email.policy.default):
        return super().message(policy=policy.clone(max_line_length=998))


def _message(*, to: str, subject: str, text: str, html: str, unsubscribe: str | None):
    headers = {}
    if unsubscribe:
        # RFC 8058 one-click: mail clients POST "List-Unsubscribe=One-Click".
        headers["List-Unsubscribe"] = f"<{unsubscribe}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message = NoticeEmail(subject=subject, body=text, to=[to], headers=headers)
    message.attach_alternative(html, "text/html")
    return message


def send_notice(notice: Notice, *, now: dt.datetime | None = None) -> None:
    subject, text, html = render_notice(notice, now=now)
    definition = kinds.KINDS[Kind(notice.kind)]
    unsubscribe = (
        unsubscribe_url(notice.recipient_id, notice.kind)
        if definition.optional
        else None
    )
    _message(
        to=notice.recipient.email,
        subject=subject,
        text=text,
        html=html,
        unsubscribe=unsubscribe,
    ).send()


def send_digest(user, notices: list[Notice]) -> None:
    """One e-mail listing the day's waiting notices."""
    tz = zoneinfo.ZoneInfo(user.time_zone)
    with translation.override(user.preferred_language), timezone.override(tz):
        entries = []
        for notice in notices:
            notice.recipient = user
            optional = kinds.KINDS[Kind(notice.kind)].optional
            entries.append(
                {
                    "notice": notice,
                    "subject": " ".join(
                        render_to_string(
                            f"notices/email/{notice.kind}_subject.txt",
                            {"notice": notice},
                        ).split()
                    ),
                    "action_url": action_url(notice),
                    "unsubscribe_url": (
                        unsubscribe_url(user.pk, notice.kind) if optional else None
                    ),
                }
            )
        context = {
            "recipient": user,
            "entries": entries,
            "institution": settings.INSTITUTION_NAME,
            "preferences_url": settings.SITE_URL + reverse("notices:preferences"),
            "notices_url": settings.SITE_URL + reverse("notices:list"),
        }
        subject = " ".join(
            render_to_string("notices/email/digest_subject.txt", context).split()
        )
        context["subject"] = subject
        text = render_to_string("notices/email/digest.txt", context)
        html = render_to_string("notices/email/digest.html", context)
    _message(
        to=user.email, subject=subject, text=text, html=html, unsubscribe=None
    ).send()
