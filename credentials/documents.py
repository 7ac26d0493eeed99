"""The unsigned Open Badges 3.0 documents, built from plain facts (no ORM).

Every term used here is defined by the VC v2 or OB 3.0.3 contexts (the signer
refuses undefined terms). Two things the issue asks for have no OB 3.0.3 term
and are said in words instead: the time commitment (in the criteria narrative)
and the assessment route (the evidence's name and narrative).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from .statuslist import format_datetime, status_list_entry

VC_V2 = "https://www.w3.org/ns/credentials/v2"
OB_V3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
CONTEXTS = [VC_V2, OB_V3]


@dataclass(frozen=True)
class IssuerFacts:
    id: str  # did:web:… or did:key:…
    name: str
    url: str
    email: str
    description: str = ""
    image_url: str = ""


@dataclass(frozen=True)
class AlignmentFacts:
    target_name: str
    target_url: str
    target_code: str = ""
    target_framework: str = ""


@dataclass(frozen=True)
class OutcomeFacts:
    code: str
    text: str


@dataclass(frozen=True)
class AchievementFacts:
    id: str  # the public achievement URL
    achievement_type: str  # MicroCredential | Certificate
    name: str
    description: str
    criteria_url: str
    criteria_narrative: str
    image_url: str
    language: str
    version: int
    human_code: str = ""
    pass_mark_percent: Decimal | None = None  # None: no scored summative (pathway)
    outcomes: Sequence[OutcomeFacts] = ()
    alignments: Sequence[AlignmentFacts] = ()
    tags: Sequence[str] = ()
    credits_available: Decimal | None = None


@dataclass(frozen=True)
class ResultFacts:
    score_percent: Decimal | None
    outcomes_met: Sequence[str] = ()  # codes of the outcomes met


@dataclass(frozen=True)
class CredentialFacts:
    id: str  # the public credential URL
    issuer: IssuerFacts
    achievement: AchievementFacts
    identity_hash: str
    salt: str
    awarded_at: dt.datetime
    valid_from: dt.datetime
    valid_until: dt.datetime | None
    status_list_url: str
    status_index: int
    evidence_name: str
    evidence_narrative: str
    result: ResultFacts = field(default_factory=lambda: ResultFacts(None))


def timestamp(moment: dt.datetime) -> str:
    """XML Schema dateTime with its zone, to the second, in UTC (``Z``)."""
    return format_datetime(moment)


def _number(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _image(url: str) -> dict:
    return {"id": url, "type": "Image"}


def score_description_id(achievement: AchievementFacts) -> str:
    return f"{achievement.id}#score"


def outcome_description_id(achievement: AchievementFacts, code: str) -> str:
    return f"{achievement.id}#outcome-{code}"


def _result_descriptions(achievement: AchievementFacts) -> list[dict]:
    descriptions = []
    if achievement.pass_mark_percent is not None:
        descriptions.append(
            {
                "id": score_description_id(achievement),
                "type": ["ResultDescription"],
                "name": "Summative assessment score",
                "resultType": "Percent",
                "requiredValue": _number(achievement.pass_mark_percent),
                "valueMin": "0",
                "valueMax": "100",
            }
        )
    for outcome in achievement.outcomes:
        base = outcome_description_id(achievement, outcome.code)
        descriptions.append(
            {
                "id": base,
                "type": ["ResultDescription"],
                "name": f"{outcome.code}: {outcome.text}",
                "resultType": "RubricCriterionLevel",
                "requiredLevel": f"{base}-met",
                "rubricCriterionLevel": [
                    {
                        "id": f"{base}-met",
                        "type": ["RubricCriterionLevel"],
                        "name": "Met",
                    },
                    {
                        "id": f"{base}-not-yet",
                        "type": ["RubricCriterionLevel"],
                        "name": "Not yet met",
                    },
                ],
            }
        )
    return descriptions


def achievement_document(achievement: AchievementFacts) -> dict:
    """The OB 3.0 ``Achievement`` (also served at its public URL)."""
    document: dict = {
        "id": achievement.id,
        "type": ["Achievement"],
        "achievementType": achievement.achievement_type,
        "name": achievement.name,
        "description": achievement.description,
        "criteria": {
            "id": achievement.criteria_url,
            "narrative": achievement.criteria_narrative,
        },
        "image": _image(achievement.image_url),
        "inLanguage": achievement.language,
        "version": str(achievement.version),
    }
    if achievement.human_code:
        document["humanCode"] = achievement.human_code
    if achievement.tags:
        document["tag"] = list(achievement.tags)
    if achievement.credits_available is not None:
        document["creditsAvailable"] = float(achievement.credits_available)
    if achievement.alignments:
        document["alignment"] = [
            {
                "type": ["Alignment"],
                "targetName": alignment.target_name,
                "targetUrl": alignment.target_url,
                **(
                    {"targetCode": alignment.target_code}
                    if alignment.target_code
                    else {}
                ),
                **(
                    {"targetFramework": alignment.target_framework}
                    if alignment.target_framework
                    else {}
                ),
            }
            for alignment in achievement.alignments
        ]
    descriptions = _result_descriptions(achievement)
    if descriptions:
        document["resultDescription"] = descriptions
    return document


def issuer_document(issuer: IssuerFacts) -> dict:
    """The issuer ``Profile``."""
    document: dict = {
        "id": issuer.id,
        "type": ["Profile"],
        "name": issuer.name,
        "url": issuer.url,
        "email": issuer.email,
    }
    if issuer.description:
        document["description"] = issuer.description
    if issuer.image_url:
        document["image"] = _image(issuer.image_url)
    return document


def _results(facts: CredentialFacts) -> list[dict]:
    achievement, result = facts.achievement, facts.result
    results = []
    if result.score_percent is not None and achievement.pass_mark_percent is not None:
        results.append(
            {
                "type": ["Result"],
                "resultDescription": score_description_id(achievement),
                "value": _number(result.score_percent),
            }
        )
    met = set(result.outcomes_met)
    for outcome in achievement.outcomes:
        base = outcome_description_id(achievement, outcome.code)
        level = "met" if outcome.code in met else "not-yet"
        results.append(
            {
                "type": ["Result"],
                "resultDescription": base,
                "achievedLevel": f"{base}-{level}",
            }
        )
    return results


def credential_document(facts: CredentialFacts) -> dict:
    """The unsigned ``OpenBadgeCredential``."""
    subject: dict = {
        "type": ["AchievementSubject"],
        "identifier": [
            {
                "type": "IdentityObject",
                "identityHash": facts.identity_hash,
                "identityType": "emailAddress",
                "hashed": True,
                "salt": facts.salt,
            }
        ],
        "achievement": achievement_document(facts.achievement),
    }
    results = _results(facts)
    if results:
        subject["result"] = results
    document: dict = {
        "@context": list(CONTEXTS),
        "id": facts.id,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": issuer_document(facts.issuer),
        "validFrom": timestamp(facts.valid_from),
        "name": facts.achievement.name,
        "credentialSubject": subject,
        "awardedDate": timestamp(facts.awarded_at),
        "evidence": [
            {
                "type": ["Evidence"],
                "name": facts.evidence_name,
                "narrative": facts.evidence_narrative,
            }
        ],
        "credentialStatus": status_list_entry(
            list_url=facts.status_list_url, index=facts.status_index
        ),
    }
    if facts.valid_until is not None:
        document["validUntil"] = timestamp(facts.valid_until)
    return document
