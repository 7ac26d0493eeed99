"""Unsigned Open Badges 3.0 credentials as our issuance builds them, for tests."""

from __future__ import annotations

import hashlib
from typing import Any

from credentials.jsonld import OPEN_BADGE_CREDENTIAL_CONTEXT

LEARNER_EMAIL = "ada@example.org"
SALT = "b5a7f1c0d3e24f9a"


def hashed_email_identity(email: str = LEARNER_EMAIL, salt: str = SALT) -> dict:
    """An OB 3.0 IdentityObject: the learner's e-mail, salted and hashed."""
    digest = hashlib.sha256((email + salt).encode("utf-8")).hexdigest()
    return {
        "type": "IdentityObject",
        "identityHash": f"sha256${digest}",
        "identityType": "emailAddress",
        "hashed": True,
        "salt": salt,
    }


def open_badge_credential(
    issuer_id: str,
    *,
    credential_id: str = "urn:uuid:4d1f8b0e-2c6a-4f0b-9d7e-1a2b3c4d5e6f",
    valid_from: str = "2025-03-14T09:30:00Z",
    name: str = "Data Analysis with Python",
) -> dict[str, Any]:
    """A realistic OpenBadgeCredential (VC 2.0 + OB 3.0.3) from ``issuer_id``."""
    return {
        "@context": list(OPEN_BADGE_CREDENTIAL_CONTEXT),
        "id": credential_id,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": name,
        "issuer": {
            "id": issuer_id,
            "type": ["Profile"],
            "name": "Northern Lights College",
            "url": "https://college.example.org",
            "email": "registrar@college.example.org",
        },
        "validFrom": valid_from,
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [hashed_email_identity()],
            "achievement": {
                "id": "https://college.example.org/achievements/data-analysis-python",
                "type": ["Achievement"],
                "achievementType": "MicroCredential",
                "name": name,
                "description": (
                    "Cleans, explores and summarises tabular data with pandas, "
                    "and reports findings with charts a manager can read."
                ),
                "criteria": {
                    "id": "https://college.example.org/courses/data-analysis-python/criteria",
                    "narrative": (
                        "Passed the summative assessment, a data analysis project "
                        "marked against four learning outcomes."
                    ),
                },
            },
        },
    }
