"""Issued, revoked and superseded credentials for the verification tests,
made through our own services, as a learner and a registrar would cause them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from assessments.selectors import summative_for_course
from credentials import services
from credentials.models import Credential
from microcred.roles import Role
from tests import factories
from tests.assessments import factories as af


def issue(
    learner,
    course,
    *,
    score: Decimal | None = Decimal("92.50"),
    outcomes_met: tuple[str, ...] = ("LO1", "LO2"),
    now: dt.datetime | None = None,
    period: int = 1,
) -> Credential:
    """Issue the course's credential to ``learner`` through the issuance service
    (the course gets a summative with a 70 % pass mark if it has none)."""
    if summative_for_course(course.pk) is None:
        af.mixed_summative(course, with_project=False)
    achievement = services.achievement_for_course(course)
    return services.credential_issue(
        learner=learner,
        achievement=achievement,
        result=services.AssessedResult(score, outcomes_met),
        now=now,
        period=period,
    )


def a_registrar():
    return factories.StaffFactory(
        email="verification-registrar@example.org", role=Role.REGISTRAR
    )


def revoke(
    credential: Credential, *, reason: str, at: dt.datetime, by=None
) -> Credential:
    """A registrar revokes the credential (``services.credential_revoke``)."""
    revoked = services.credential_revoke(
        credential_id=credential.pk, actor=by or a_registrar(), reason=reason, now=at
    )
    assert revoked
    credential.refresh_from_db()
    return credential


def supersede(
    credential: Credential, *, new_name: str, now: dt.datetime | None = None
) -> Credential:
    """The holder asks for a name correction and a registrar approves it: the
    credential is reissued and the old one superseded. Returns the new one."""
    correction = services.credential_name_correction_request(
        credential_id=credential.pk,
        learner=credential.learner,
        requested_name=new_name,
        reason="My name is misspelt.",
        now=now,
    )
    services.credential_name_correction_decide(
        correction_id=correction.pk, actor=a_registrar(), approve=True, now=now
    )
    credential.refresh_from_db()
    return credential.superseded_by
