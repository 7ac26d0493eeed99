"""Open Badges 2.0 documents (hosted verification), built from plain facts.

Many backpacks and platforms still read only Open Badges 2.0, so every
credential is also a hosted ``Assertion`` with its ``BadgeClass`` and issuer
``Profile`` at stable URLs on our origin (IMS Open Badges v2.0, "Hosted
Verification"). The rules followed here:

- every document carries the context ``https://w3id.org/openbadges/v2`` and
  uses only terms it defines (the tests expand each with the vendored copy and
  check nothing is dropped);
- the recipient is the salted SHA-256 ``IdentityHash`` of the e-mail address,
  the same hash and salt as the credential's Open Badges 3.0 identifier;
- a revoked (or superseded) assertion answers ``410 Gone`` with a stripped
  body: only ``id`` and ``revoked`` are required, ``revocationReason`` is the
  published reason;
- the issuer declares ``verification.startsWith`` so that only our assertion
  URLs verify as hosted by us.

No ORM, no settings, no clock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from .documents import AlignmentFacts, timestamp

OB2_CONTEXT = "https://w3id.org/openbadges/v2"
OB2_MEDIA_TYPE = "application/ld+json"


@dataclass(frozen=True)
class EvidenceFacts:
    name: str
    narrative: str


def issuer_document(
    *,
    id: str,
    name: str,
    url: str,
    email: str,
    assertions_url_prefix: str,
    description: str = "",
    image_url: str = "",
) -> dict:
    """The issuer ``Profile`` (type ``Issuer``): id, name, url and e-mail are
    required of an issuer."""
    document: dict = {
        "@context": OB2_CONTEXT,
        "type": "Issuer",
        "id": id,
        "name": name,
        "url": url,
        "email": email,
        "verification": {
            "type": "VerificationObject",
            "startsWith": assertions_url_prefix,
        },
    }
    if description:
        document["description"] = description
    if image_url:
        document["image"] = image_url
    return document


def badge_class_document(
    *,
    id: str,
    name: str,
    description: str,
    image_url: str,
    criteria_url: str,
    criteria_narrative: str,
    issuer_url: str,
    alignments: Sequence[AlignmentFacts] = (),
    tags: Sequence[str] = (),
) -> dict:
    """The ``BadgeClass``: what the achievement is and how it is earned."""
    document: dict = {
        "@context": OB2_CONTEXT,
        "type": "BadgeClass",
        "id": id,
        "name": name,
        "description": description,
        "image": image_url,
        "criteria": {"id": criteria_url, "narrative": criteria_narrative},
        "issuer": issuer_url,
    }
    if alignments:
        document["alignment"] = [_alignment(a) for a in alignments]
    if tags:
        document["tags"] = [str(tag) for tag in tags if str(tag).strip()]
    return document


def _alignment(alignment: AlignmentFacts) -> dict:
    entry: dict = {
        "targetName": alignment.target_name,
        "targetUrl": alignment.target_url,
    }
    if alignment.target_framework:
        entry["targetFramework"] = alignment.target_framework
    if alignment.target_code:
        entry["targetCode"] = alignment.target_code
    return entry


def assertion_document(
    *,
    id: str,
    badge_url: str,
    identity_hash: str,
    salt: str,
    issued_on: dt.datetime,
    expires: dt.datetime | None = None,
    evidence: Sequence[EvidenceFacts] = (),
) -> dict:
    """A hosted ``Assertion``: the badge awarded to one hashed e-mail address."""
    document: dict = {
        "@context": OB2_CONTEXT,
        "type": "Assertion",
        "id": id,
        "recipient": {
            "type": "email",
            "hashed": True,
            "salt": salt,
            "identity": identity_hash,
        },
        "badge": badge_url,
        "verification": {"type": "HostedBadge"},
        "issuedOn": timestamp(issued_on),
    }
    if expires is not None:
        document["expires"] = timestamp(expires)
    if evidence:
        document["evidence"] = [
            {"type": "Evidence", "name": item.name, "narrative": item.narrative}
            for item in evidence
        ]
    return document


def revoked_assertion_document(*, id: str, reason: str = "") -> dict:
    """The body of a ``410 Gone`` answer for a revoked hosted assertion."""
    document: dict = {
        "@context": OB2_CONTEXT,
        "type": "Assertion",
        "id": id,
        "revoked": True,
    }
    if reason:
        document["revocationReason"] = reason
    return document
