"""The credential rules, as pure functions: no ORM, no settings, no clock.

- validity: a credential is valid from the moment it is awarded until the same
  instant N months later (clamped to the month's last day), or forever;
- state: revoked beats superseded beats expired beats valid;
- renewal: allowed inside the renewal window before expiry, and after it;
- pathways: all of, or N of M, counted on the microcredentials held;
- verification codes: ten Crockford base-32 characters, read forgivingly;
- the learner's identity in a credential: a salted SHA-256 of the e-mail.
"""

from __future__ import annotations

import calendar
import datetime as dt
import enum
import hashlib
import secrets
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass

CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O, U
CODE_LENGTH = 10
_CODE_READING = str.maketrans({"O": "0", "I": "1", "L": "1"})


class CredentialState(enum.StrEnum):
    VALID = "valid"
    EXPIRED = "expired"
    REVOKED = "revoked"
    SUPERSEDED = "superseded"


class CredentialRefused(Exception):
    """A credential rule says no; the message says why, in plain words."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def add_months(moment: dt.datetime, months: int) -> dt.datetime:
    """The same wall-clock instant ``months`` later; 31 Jan + 1 → 28/29 Feb."""
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


@dataclass(frozen=True)
class Validity:
    valid_from: dt.datetime
    valid_until: dt.datetime | None


def validity(*, awarded_at: dt.datetime, valid_for_months: int | None) -> Validity:
    """From the award, for ``valid_for_months`` (None: no expiry)."""
    if awarded_at.tzinfo is None:
        raise ValueError("awarded_at must be an aware datetime")
    if valid_for_months is None:
        return Validity(awarded_at, None)
    if valid_for_months < 1:
        raise ValueError("valid_for_months must be at least 1")
    return Validity(awarded_at, add_months(awarded_at, valid_for_months))


def credential_state(
    *,
    revoked: bool,
    superseded: bool,
    valid_until: dt.datetime | None,
    now: dt.datetime,
) -> CredentialState:
    """What a verifier is told. Expiry is exclusive: at ``valid_until`` it ends."""
    if revoked:
        return CredentialState.REVOKED
    if superseded:
        return CredentialState.SUPERSEDED
    if valid_until is not None and now >= valid_until:
        return CredentialState.EXPIRED
    return CredentialState.VALID


def renewal_opens_at(
    *, valid_until: dt.datetime | None, renewal_window_days: int
) -> dt.datetime | None:
    """When the learner may start renewing (None: the credential never expires)."""
    if valid_until is None:
        return None
    return valid_until - dt.timedelta(days=renewal_window_days)


def may_renew(
    *,
    revoked: bool,
    valid_until: dt.datetime | None,
    renewal_window_days: int,
    now: dt.datetime,
) -> bool:
    """Renewal (passing the summative again) opens inside the window before
    expiry and stays open after it; never for a revoked or non-expiring one."""
    opens = renewal_opens_at(
        valid_until=valid_until, renewal_window_days=renewal_window_days
    )
    return not revoked and opens is not None and now >= opens


def pathway_earned(
    *,
    requirement: str,
    required_count: int | None,
    member_ids: Collection[int],
    held_ids: Collection[int],
) -> bool:
    """``all``: every member held; ``n_of_m``: at least N members held."""
    members = set(member_ids)
    if not members:
        return False
    held = members & set(held_ids)
    if requirement == "all":
        return held == members
    if requirement == "n_of_m":
        return required_count is not None and len(held) >= required_count
    raise ValueError(f"unknown pathway requirement {requirement!r}")


def new_verification_code(chooser: secrets.SystemRandom | None = None) -> str:
    """Ten Crockford base-32 characters (50 bits): short to type, hard to guess."""
    chooser = chooser or secrets.SystemRandom()
    return "".join(chooser.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def format_verification_code(code: str) -> str:
    """``7K4P9QXR2H`` → ``7K4P-9QXR-2H`` for people to read and type."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def normalise_verification_code(typed: str) -> str | None:
    """What someone typed → the stored code, or None when it cannot be one.

    Spaces, hyphens and case are ignored; O reads as 0, I and L as 1.
    """
    cleaned = "".join(ch for ch in typed.upper() if ch not in " -\t")
    cleaned = cleaned.translate(_CODE_READING)
    if len(cleaned) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in cleaned):
        return None
    return cleaned


def identity_hash(email: str, salt: str) -> str:
    """Open Badges ``IdentityObject.identityHash``: ``sha256$`` + hex of
    e-mail (trimmed, lower-cased, NFC) followed by the salt."""
    normalised = unicodedata.normalize("NFC", email.strip().lower())
    digest = hashlib.sha256((normalised + salt).encode("utf-8")).hexdigest()
    return f"sha256${digest}"
