"""Our own verification of an Open Badges 3.0 credential, check by check.

Anyone may ask us whether a credential is genuine and current: its public
page, the JSON API and the upload form all call :func:`verify_credential_document`
(the page and the API through :func:`verify_stored_credential`). Each check is
named, passes or fails, and says why in plain words:

- ``format``: a JSON object that is an Open Badges 3.0 ``OpenBadgeCredential``
  (a W3C Verifiable Credential 2.0). When it fails nothing else can be checked;
- ``signature``: its ``eddsa-rdfc-2022`` proof verifies with the key it names,
  looked up among OUR keys only (:func:`credentials.identity.verification_method_for`);
- ``issuer``: the issuer is us (one of our ``did:key`` or ``did:web``
  identities) and the key is one of ours, active or retired, controlled by
  that issuer;
- ``status``: not revoked. Only our own status lists are read, from our
  database (the ``StatusList`` row's bits), never from the network; a status
  list that is not ours fails with a clear detail;
- ``expiry``: ``validFrom`` ≤ now < ``validUntil``;
- ``current_version``: we know this credential, and it was not replaced by a
  corrected one (a superseded credential points to its replacement).

The overall state follows the product's rule (``policies.credential_state``:
revoked beats superseded beats expired beats valid), after one more:
a failed format, signature or issuer check, a status we cannot read, a
credential not valid yet or one we have no record of makes it ``invalid``.

Reading an upload (:func:`credential_from_upload`) is pure; so are the checks,
given the keys and rows :func:`verify_credential_document` reads. Nothing is
written, nothing is fetched.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.urls import Resolver404, resolve
from django.utils import dateformat, timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pyld import jsonld

from . import baking, identity, multikey, policies, proofs, selectors, statuslist
from .errors import MultikeyError
from .models import Credential, SigningKey, StatusList

CHECK_FORMAT = "format"
CHECK_SIGNATURE = "signature"
CHECK_ISSUER = "issuer"
CHECK_STATUS = "status"
CHECK_EXPIRY = "expiry"
CHECK_CURRENT_VERSION = "current_version"
CHECK_NAMES = (
    CHECK_FORMAT,
    CHECK_SIGNATURE,
    CHECK_ISSUER,
    CHECK_STATUS,
    CHECK_EXPIRY,
    CHECK_CURRENT_VERSION,
)
CHECK_LABELS: dict[str, Promise] = {
    CHECK_FORMAT: gettext_lazy("Format"),
    CHECK_SIGNATURE: gettext_lazy("Signature"),
    CHECK_ISSUER: gettext_lazy("Issuer"),
    CHECK_STATUS: gettext_lazy("Revocation status"),
    CHECK_EXPIRY: gettext_lazy("Validity dates"),
    CHECK_CURRENT_VERSION: gettext_lazy("Current version"),
}

#: The largest file the upload form reads.
MAX_UPLOAD_BYTES = 2 * 1024 * 1024

VC_V2 = "https://www.w3.org/ns/credentials/v2"
OB_V3_CONTEXT_PREFIX = "https://purl.imsglobal.org/spec/ob/v3p0/context"
CREDENTIAL_TYPES = ("OpenBadgeCredential", "AchievementCredential")


class VerificationState(enum.StrEnum):
    VALID = "valid"
    EXPIRED = "expired"
    REVOKED = "revoked"
    SUPERSEDED = "superseded"
    INVALID = "invalid"


STATE_LABELS: dict[VerificationState, Promise] = {
    VerificationState.VALID: gettext_lazy("Valid"),
    VerificationState.EXPIRED: gettext_lazy("Expired"),
    VerificationState.REVOKED: gettext_lazy("Revoked"),
    VerificationState.SUPERSEDED: gettext_lazy("Replaced by a corrected credential"),
    VerificationState.INVALID: gettext_lazy("Not valid"),
}


@dataclass(frozen=True)
class Check:
    """One named check and what it found, in plain words."""

    name: str
    passed: bool
    detail: str

    @property
    def label(self) -> str:
        return str(CHECK_LABELS.get(self.name, self.name))


@dataclass(frozen=True)
class OutcomeLine:
    """A learning outcome the credential's achievement names, and whether it
    was met (None when the credential does not say)."""

    name: str
    met: bool | None


@dataclass(frozen=True)
class CredentialSummary:
    """What the credential says, read from the document (as it was signed)."""

    id: str
    name: str
    achievement_id: str
    achievement_name: str
    achievement_type: str
    issuer_id: str
    issuer_name: str
    issuer_url: str
    issued: dt.datetime | None
    valid_from: dt.datetime | None
    expires: dt.datetime | None
    criteria_narrative: str = ""
    criteria_url: str = ""
    score_percent: Decimal | None = None
    pass_mark_percent: Decimal | None = None
    outcomes: tuple[OutcomeLine, ...] = ()
    evidence: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class VerificationReport:
    """The outcome of a verification: the state and every check, in order.

    ``credential`` is our record of the credential when we have one (for the
    revocation date and reason, and the replacement of a superseded one).
    """

    state: VerificationState
    checks: tuple[Check, ...]
    summary: CredentialSummary | None = None
    credential: Credential | None = field(default=None, compare=False)

    @property
    def is_valid(self) -> bool:
        return self.state == VerificationState.VALID

    @property
    def state_label(self) -> str:
        return str(STATE_LABELS[self.state])

    @property
    def replacement(self) -> Credential | None:
        """The credential that replaced a superseded one."""
        if self.state != VerificationState.SUPERSEDED or self.credential is None:
            return None
        return self.credential.superseded_by

    @property
    def headline(self) -> str:
        """One sentence for the top of a page."""
        credential = self.credential
        if self.state == VerificationState.VALID:
            return _("This credential is genuine and current.")
        if self.state == VerificationState.EXPIRED:
            when = self.summary.expires if self.summary else None
            if when is None:
                return _("This credential is genuine but has expired.")
            return _("This credential is genuine but expired on %(date)s.") % {
                "date": format_date(when)
            }
        if self.state == VerificationState.REVOKED:
            if credential is not None and credential.revoked_at is not None:
                return _("This credential was revoked on %(date)s.") % {
                    "date": format_date(credential.revoked_at)
                }
            return _("This credential was revoked.")
        if self.state == VerificationState.SUPERSEDED:
            return _(
                "This credential was replaced by a corrected version; "
                "the new one is the one to trust."
            )
        failed = [check.label for check in self.checks if not check.passed]
        return _(
            "This credential cannot be trusted: these checks failed: %(checks)s."
        ) % {"checks": ", ".join(failed)}

    def check(self, name: str) -> Check:
        """The check called ``name``."""
        return next(check for check in self.checks if check.name == name)


class UploadRefused(ValueError):
    """An uploaded file we cannot read as a credential; the message says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --- small readers -------------------------------------------------------------


def format_date(moment: dt.datetime) -> str:
    """``31 January 2026`` in the active time zone and language."""
    return dateformat.format(timezone.localtime(moment), "j F Y")


def parse_date_time(value: Any) -> dt.datetime | None:
    """An XSD dateTime with a zone (``2026-01-31T09:00:00Z``), or None."""
    if not isinstance(value, str):
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.tzinfo is None or moment.utcoffset() is None:
        return None
    return moment


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _types(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    return [item for item in items if isinstance(item, str)]


def _items(value: Any) -> list[Any]:
    """A JSON-LD value as a list: a list as it is, one object as a list of one."""
    if isinstance(value, list):
        return value
    return [value] if isinstance(value, Mapping) else []


def _issuer_of(document: Mapping[str, Any]) -> Mapping[str, Any]:
    issuer = document.get("issuer")
    if isinstance(issuer, str):
        return {"id": issuer}
    return issuer if isinstance(issuer, Mapping) else {}


def _decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _our_view(url: Any, view_name: str) -> Mapping[str, Any] | None:
    """The URL kwargs when ``url`` is one of our own addresses for ``view_name``."""
    if not isinstance(url, str):
        return None
    site = settings.SITE_URL.rstrip("/")
    if not url.startswith(site + "/"):
        return None
    path = url.removeprefix(site).split("#", 1)[0].split("?", 1)[0]
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.kwargs if match.view_name == view_name else None


def summarise(document: Mapping[str, Any]) -> CredentialSummary:
    """What a well-formed credential says (see :func:`format_check`)."""
    issuer = _issuer_of(document)
    subject = document.get("credentialSubject")
    subject = subject if isinstance(subject, Mapping) else {}
    achievement = subject.get("achievement")
    achievement = achievement if isinstance(achievement, Mapping) else {}
    criteria = achievement.get("criteria")
    criteria = criteria if isinstance(criteria, Mapping) else {}
    descriptions = [
        item
        for item in _items(achievement.get("resultDescription"))
        if isinstance(item, Mapping)
    ]
    results = [
        item for item in _items(subject.get("result")) if isinstance(item, Mapping)
    ]
    achieved = {
        _text(item.get("resultDescription")): item
        for item in results
        if isinstance(item.get("resultDescription"), str)
    }
    score = pass_mark = None
    outcomes: list[OutcomeLine] = []
    for description in descriptions:
        result = achieved.get(_text(description.get("id")), {})
        if description.get("resultType") == "Percent":
            pass_mark = _decimal(description.get("requiredValue"))
            score = _decimal(result.get("value"))
        elif description.get("resultType") == "RubricCriterionLevel":
            level = result.get("achievedLevel")
            met = None if level is None else level == description.get("requiredLevel")
            outcomes.append(OutcomeLine(_text(description.get("name")), met))
    evidence = tuple(
        (_text(item.get("name")), _text(item.get("narrative")))
        for item in _items(document.get("evidence"))
        if isinstance(item, Mapping)
    )
    issued = parse_date_time(document.get("awardedDate")) or parse_date_time(
        document.get("validFrom")
    )
    achievement_types = _types(achievement.get("achievementType"))
    return CredentialSummary(
        id=_text(document.get("id")),
        name=_text(document.get("name")) or _text(achievement.get("name")),
        achievement_id=_text(achievement.get("id")),
        achievement_name=_text(achievement.get("name")),
        achievement_type=achievement_types[0] if achievement_types else "",
        issuer_id=_text(issuer.get("id")),
        issuer_name=_text(issuer.get("name")),
        issuer_url=_text(issuer.get("url")),
        issued=issued,
        valid_from=parse_date_time(document.get("validFrom")),
        expires=parse_date_time(document.get("validUntil")),
        criteria_narrative=_text(criteria.get("narrative")),
        criteria_url=_text(criteria.get("id")),
        score_percent=score,
        pass_mark_percent=pass_mark,
        outcomes=tuple(outcomes),
        evidence=evidence,
    )


# --- the checks (pure, given our keys and rows) ----------------------------------


def format_check(document: Any) -> Check:
    """A JSON object that is an Open Badges 3.0 OpenBadgeCredential."""

    def failed(detail: str) -> Check:
        return Check(CHECK_FORMAT, False, detail)

    if not isinstance(document, Mapping):
        return failed(_("The file holds JSON, but not a JSON object."))
    contexts = document.get("@context")
    contexts = contexts if isinstance(contexts, list) else [contexts]
    if not contexts or contexts[0] != VC_V2:
        return failed(
            _(
                "This is not a W3C Verifiable Credential 2.0: its @context does "
                "not start with %(context)s."
            )
            % {"context": VC_V2}
        )
    if not any(
        isinstance(context, str) and context.startswith(OB_V3_CONTEXT_PREFIX)
        for context in contexts
    ):
        return failed(_("This credential does not use the Open Badges 3.0 context."))
    types = _types(document.get("type"))
    if "VerifiableCredential" not in types or not any(
        kind in types for kind in CREDENTIAL_TYPES
    ):
        return failed(
            _(
                "This is not an Open Badges 3.0 credential: its type is %(type)s, "
                "not OpenBadgeCredential."
            )
            % {"type": ", ".join(types) or _("missing")}
        )
    if not _text(_issuer_of(document).get("id")):
        return failed(_("The credential names no issuer."))
    subject = document.get("credentialSubject")
    if not isinstance(subject, Mapping) or not isinstance(
        subject.get("achievement"), Mapping
    ):
        return failed(_("The credential names no achievement."))
    return Check(
        CHECK_FORMAT, True, _("An Open Badges 3.0 credential (OpenBadgeCredential).")
    )


def _our_key(method_id: Any, keys: Sequence[SigningKey]) -> tuple[SigningKey, dict]:
    """Our key and its verification method named ``method_id``; LookupError."""
    if isinstance(method_id, str):
        for key in keys:
            method = identity.verification_method_for(method_id, [key])
            if method is not None:
                return key, method
    raise LookupError(method_id)


def our_identities(keys: Sequence[SigningKey]) -> set[str]:
    """Every issuer id that is us: each key's did:key, and our did:web."""
    found = set()
    for key in keys:
        try:
            public = multikey.public_key_from_multibase(key.public_key_multibase)
        except MultikeyError:
            continue
        found.add(multikey.did_key(public))
    if identity.did_web_domain():
        found.add(identity.did_web())
    return found


def signature_check(document: Mapping[str, Any], keys: Sequence[SigningKey]) -> Check:
    """The proof verifies with the key it names, among our keys only."""
    try:
        result = proofs.verify_proof(
            document,
            public_key_for=lambda method_id: identity.verification_method_for(
                method_id, keys
            ),
        )
    except (
        jsonld.JsonLdError,
        ValueError,
        TypeError,
        KeyError,
        AttributeError,
        RecursionError,
    ):
        return Check(
            CHECK_SIGNATURE,
            False,
            _("The signature could not be checked: the credential is malformed."),
        )
    if result.verified:
        return Check(
            CHECK_SIGNATURE,
            True,
            _(
                "The signature (eddsa-rdfc-2022) matches: nothing in the credential "
                "changed since it was signed."
            ),
        )
    first = next(check for check in result.checks if not check.passed)
    if first.name == proofs.CHECK_VERIFICATION_METHOD:
        return Check(
            CHECK_SIGNATURE,
            False,
            _("The signature could not be checked: %(reason)s")
            % {"reason": first.detail},
        )
    return Check(CHECK_SIGNATURE, False, first.detail)


def issuer_check(document: Mapping[str, Any], keys: Sequence[SigningKey]) -> Check:
    """The issuer is us and the signing key one of ours (active or retired)."""
    issuer = _issuer_of(document)
    issuer_id = _text(issuer.get("id"))
    name = _text(issuer.get("name")) or issuer_id

    def failed(detail: str) -> Check:
        return Check(CHECK_ISSUER, False, detail)

    if issuer_id not in our_identities(keys):
        return failed(
            _(
                "Issued by %(name)s (%(id)s), not by us: we can only vouch for "
                "credentials we issued."
            )
            % {"name": name, "id": issuer_id}
        )
    proof = document.get("proof")
    proof = proof[0] if isinstance(proof, list) and proof else proof
    method_id = proof.get("verificationMethod") if isinstance(proof, Mapping) else None
    if not isinstance(method_id, str):
        return failed(_("It names us as issuer but carries no signature of ours."))
    try:
        key, method = _our_key(method_id, keys)
    except LookupError:
        return failed(
            _("It names us as issuer but was signed with a key that is not ours.")
        )
    if method.get("controller") != issuer_id:
        return failed(
            _(
                "It was signed with our key %(key)s, but that key does not "
                "belong to the issuer it names (%(id)s)."
            )
            % {"key": key.key_id, "id": issuer_id}
        )
    if key.status == SigningKey.Status.ACTIVE:
        detail = _("Issued by us, %(name)s, and signed with our current key %(key)s.")
    else:
        detail = _(
            "Issued by us, %(name)s, and signed with our key %(key)s (retired "
            "since; it still verifies the credentials it signed)."
        )
    return Check(CHECK_ISSUER, True, detail % {"name": name, "key": key.key_id})


@dataclass(frozen=True)
class StatusEntry:
    """A credential's ``credentialStatus``, when it is one of ours we can read."""

    list_id: int
    index: int


def status_entry(document: Mapping[str, Any]) -> StatusEntry | Check:
    """Our status list entry of the credential, or the failed check saying why."""

    def failed(detail: str) -> Check:
        return Check(CHECK_STATUS, False, detail)

    entry = document.get("credentialStatus")
    if isinstance(entry, list):
        entry = entry[0] if len(entry) == 1 else None
    if not isinstance(entry, Mapping):
        return failed(
            _(
                "The credential names no status list, so no one can check "
                "whether it was revoked."
            )
        )
    if "BitstringStatusListEntry" not in _types(entry.get("type")) or (
        entry.get("statusPurpose") != statuslist.STATUS_PURPOSE_REVOCATION
    ):
        return failed(
            _("Its status entry is of a kind we do not check (%(type)s, %(purpose)s).")
            % {
                "type": ", ".join(_types(entry.get("type"))) or "?",
                "purpose": entry.get("statusPurpose") or "?",
            }
        )
    url = entry.get("statusListCredential")
    kwargs = _our_view(url, "credentials:status-list")
    if kwargs is None:
        return failed(
            _(
                "Its status list (%(url)s) is not one of ours: we only read our "
                "own status lists, so we cannot tell whether it was revoked."
            )
            % {"url": url if isinstance(url, str) else "?"}
        )
    index = entry.get("statusListIndex")
    if not isinstance(index, str) or not (index.isascii() and index.isdigit()):
        return failed(_("Its status list index is not a number."))
    return StatusEntry(list_id=int(kwargs["pk"]), index=int(index))


@dataclass(frozen=True)
class StatusFinding:
    check: Check
    revoked: bool = False
    readable: bool = True


def status_check(
    entry: StatusEntry,
    status_list: StatusList | None,
    credential: Credential | None,
) -> StatusFinding:
    """Not revoked: our status list's bit is clear (and our record agrees).

    Reissuing a credential with a corrected name sets the old one's bit too,
    so that verifiers reading only the status list stop trusting it; for us
    that old credential is superseded (the current-version check says by
    which), not revoked.
    """
    if status_list is None:
        return StatusFinding(
            Check(
                CHECK_STATUS,
                False,
                _("We publish no status list %(list)s; we cannot tell its status.")
                % {"list": entry.list_id},
            ),
            readable=False,
        )
    try:
        bits = statuslist.Bitstring.from_bytes(bytes(status_list.bits))
        bit_set = bits.get(entry.index)
    except (statuslist.StatusListError, IndexError):
        return StatusFinding(
            Check(
                CHECK_STATUS,
                False,
                _("Its status list index %(index)s is outside our list.")
                % {"index": entry.index},
            ),
            readable=False,
        )
    status = credential.status if credential is not None else None
    if status == Credential.Status.REVOKED or (
        bit_set and status != Credential.Status.SUPERSEDED
    ):
        if credential is not None and credential.revoked_at is not None:
            detail = _("Revoked on %(date)s.") % {
                "date": format_date(credential.revoked_at)
            }
            if credential.revocation_reason:
                detail += " " + _("Reason: %(reason)s") % {
                    "reason": credential.revocation_reason
                }
        else:
            detail = _("Revoked: its entry is set in our status list.")
        return StatusFinding(Check(CHECK_STATUS, False, detail), revoked=True)
    if bit_set:
        return StatusFinding(
            Check(
                CHECK_STATUS,
                False,
                _(
                    "Withdrawn: its entry in our status list is set because a "
                    "corrected credential replaced it."
                ),
            )
        )
    return StatusFinding(
        Check(
            CHECK_STATUS, True, _("Not revoked: its entry in our status list is clear.")
        )
    )


@dataclass(frozen=True)
class ExpiryFinding:
    check: Check
    valid_until: dt.datetime | None = None
    readable: bool = True


def expiry_check(document: Mapping[str, Any], *, now: dt.datetime) -> ExpiryFinding:
    """``validFrom`` ≤ now < ``validUntil`` (no ``validUntil``: no expiry)."""
    valid_from = parse_date_time(document.get("validFrom"))
    if valid_from is None:
        return ExpiryFinding(
            Check(
                CHECK_EXPIRY,
                False,
                _("It has no valid start date (validFrom with a time zone)."),
            ),
            readable=False,
        )
    until_text = document.get("validUntil")
    valid_until = parse_date_time(until_text)
    if until_text is not None and valid_until is None:
        return ExpiryFinding(
            Check(
                CHECK_EXPIRY, False, _("Its expiry date (validUntil) is unreadable.")
            ),
            readable=False,
        )
    if now < valid_from:
        return ExpiryFinding(
            Check(
                CHECK_EXPIRY,
                False,
                _("Not valid yet: it is valid from %(date)s.")
                % {"date": format_date(valid_from)},
            ),
            valid_until,
            readable=False,
        )
    if valid_until is not None and now >= valid_until:
        return ExpiryFinding(
            Check(
                CHECK_EXPIRY,
                False,
                _("Expired on %(date)s.") % {"date": format_date(valid_until)},
            ),
            valid_until,
        )
    if valid_until is None:
        detail = _("Valid since %(from)s; it does not expire.") % {
            "from": format_date(valid_from)
        }
    else:
        detail = _("Valid from %(from)s until %(until)s.") % {
            "from": format_date(valid_from),
            "until": format_date(valid_until),
        }
    return ExpiryFinding(Check(CHECK_EXPIRY, True, detail), valid_until)


@dataclass(frozen=True)
class VersionFinding:
    check: Check
    superseded: bool = False


def version_check(credential: Credential | None) -> VersionFinding:
    """We know the credential and it was not replaced by a corrected one."""
    if credential is None:
        return VersionFinding(
            Check(
                CHECK_CURRENT_VERSION,
                False,
                _("We have no record of a credential with this id."),
            )
        )
    if credential.status == Credential.Status.SUPERSEDED:
        replacement = credential.superseded_by
        if replacement is not None:
            detail = _(
                "Replaced by a corrected credential issued on %(date)s "
                "(verification code %(code)s)."
            ) % {
                "date": format_date(replacement.awarded_at),
                "code": policies.format_verification_code(
                    replacement.verification_code
                ),
            }
        else:
            detail = _("Replaced by a corrected credential.")
        return VersionFinding(
            Check(CHECK_CURRENT_VERSION, False, detail), superseded=True
        )
    return VersionFinding(
        Check(CHECK_CURRENT_VERSION, True, _("This is the current version we issued."))
    )


def _not_checked(reason: str) -> tuple[Check, ...]:
    return tuple(
        Check(name, False, _("Not checked: %(reason)s") % {"reason": reason})
        for name in CHECK_NAMES
        if name != CHECK_FORMAT
    )


# --- putting it together -----------------------------------------------------------


def _credential_for(
    document: Mapping[str, Any], known: Credential | None
) -> Credential | None:
    """Our record of the credential the document's id names."""
    kwargs = _our_view(document.get("id"), "credentials:credential")
    if kwargs is None:
        return None
    if known is not None and str(known.pk) == str(kwargs["pk"]):
        return known
    return selectors.credential_public(kwargs["pk"])


def _verify(
    document: Any, *, now: dt.datetime, known: Credential | None
) -> VerificationReport:
    shape = format_check(document)
    if not shape.passed:
        reason = _("the file is not an Open Badges 3.0 credential.")
        return VerificationReport(
            VerificationState.INVALID, (shape, *_not_checked(reason))
        )
    keys = list(selectors.published_keys())
    credential = _credential_for(document, known)
    entry = status_entry(document)
    if isinstance(entry, Check):
        status = StatusFinding(entry, readable=False)
    else:
        status = status_check(entry, selectors.status_list(entry.list_id), credential)
    signature = signature_check(document, keys)
    issuer = issuer_check(document, keys)
    expiry = expiry_check(document, now=now)
    version = version_check(credential)
    checks = (shape, signature, issuer, status.check, expiry.check, version.check)
    trusted = (
        signature.passed
        and issuer.passed
        and status.readable
        and expiry.readable
        and credential is not None
    )
    if not trusted:
        state = VerificationState.INVALID
    else:
        state = VerificationState(
            policies.credential_state(
                revoked=status.revoked,
                superseded=version.superseded,
                valid_until=expiry.valid_until,
                now=now,
            ).value
        )
    return VerificationReport(state, checks, summarise(document), credential)


def verify_credential_document(
    document: Any, *, now: dt.datetime
) -> VerificationReport:
    """Verify a credential someone holds (parsed JSON), check by check."""
    return _verify(document, now=now, known=None)


def verify_stored_credential(
    credential: Credential, *, now: dt.datetime
) -> VerificationReport:
    """Verify one of our credentials as it was signed (its public page, the API).

    The stored document is verified like any other; ``credential`` only saves
    reading our record of it again.
    """
    return _verify(credential.document, now=now, known=credential)


# --- uploads -------------------------------------------------------------------------


def _reject_constant(name: str) -> Any:
    raise ValueError(name)


def _json_value(data: bytes) -> Any:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise UploadRefused(
            _("This file is not text in UTF-8, so it cannot be a JSON credential.")
        ) from error
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except RecursionError as error:
        raise UploadRefused(
            _("This JSON is nested too deeply to be a credential.")
        ) from (error)
    except ValueError as error:
        where = ""
        if isinstance(error, json.JSONDecodeError):
            where = " " + _("(line %(line)s, column %(column)s)") % {
                "line": error.lineno,
                "column": error.colno,
            }
        raise UploadRefused(
            _("This file is not valid JSON%(where)s.") % {"where": where}
        ) from error


def _too_large() -> UploadRefused:
    return UploadRefused(
        _("This file is larger than %(size)s MB; a credential is much smaller.")
        % {"size": MAX_UPLOAD_BYTES // (1024 * 1024)}
    )


def credential_from_upload(name: str, data: bytes) -> Any:
    """The credential in an uploaded file (parsed JSON), or UploadRefused.

    A PNG (recognised by its signature, whatever its name) must carry an
    Open Badges 3.0 credential baked in its ``openbadgecredential`` chunk;
    anything else must be JSON. Pure: the file's name and bytes in.
    """
    lower = (name or "").lower()
    if len(data) > MAX_UPLOAD_BYTES:
        raise _too_large()
    if not data:
        raise UploadRefused(_("This file is empty."))
    if data.startswith(baking.PNG_SIGNATURE):
        try:
            found = baking.unbake(data)
        except baking.BakingError as error:
            raise UploadRefused(str(error)) from error
        if found is not None:
            return found
        try:
            older = baking.unbake_ob2(data)
        except baking.BakingError:
            older = None
        if older is not None:
            raise UploadRefused(
                _(
                    "This image holds an Open Badges 2.0 badge, not an Open Badges "
                    "3.0 credential. Open Badges 2.0 badges are checked at their "
                    "hosted address."
                )
            )
        raise UploadRefused(
            _(
                "This image holds no credential: it is not a baked badge. "
                "Download the badge image (PNG) or the JSON file from the "
                "credential holder's page."
            )
        )
    if lower.endswith(".png"):
        raise UploadRefused(_("This file is named .png but is not a PNG image."))
    looks_like_json = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"{", b"[")
    if not lower.endswith((".json", ".jsonld")) and not looks_like_json:
        raise UploadRefused(
            _(
                "Upload a credential as a .json file or a baked badge as a .png "
                "image; this file is neither."
            )
        )
    return _json_value(data)


def verify_upload(uploaded_file, *, now: dt.datetime) -> VerificationReport:
    """Verify an uploaded ``.json`` credential or baked ``.png`` badge.

    Reads at most :data:`MAX_UPLOAD_BYTES` (plus one, to know it is larger);
    stores nothing. Raises :class:`UploadRefused` for a file that holds no
    credential we can read; a readable one gets a full report.
    """
    size = getattr(uploaded_file, "size", None)
    if size is not None and size > MAX_UPLOAD_BYTES:
        raise _too_large()
    data = uploaded_file.read(MAX_UPLOAD_BYTES + 1)
    document = credential_from_upload(getattr(uploaded_file, "name", ""), data)
    return verify_credential_document(document, now=now)
