"""The demo learner's credentials; ``manage.py seed_demo`` loads them.

The demo learner (``learner@``) finished two more microcredentials than the two
in progress on the dashboard, through the same services as real use: register
in the rolling offering, work through every item, answer the summative right,
submit; the course's owner grades the project at the top level and releases
the feedback, which completes the enrolment, and completion issues the
credential (``credentials_for_completion``).

- PSY-110: a credential in force.
- PRJ-120: a registrar revoked its credential, "issued in error", through
  ``credentials_revoke``.

The two courses share no pathway, so no pathway credential is issued: the
learner holds exactly one valid and one revoked credential. (Finishing
DATA-101, in progress, then earns the People Leadership certificate.)

First run only, as the rest of the learner's history: an enrolment of the
learner in the course means it was done, and nothing is replayed.
"""

from __future__ import annotations

import datetime as dt
import textwrap
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.management.base import CommandError
from django.utils import timezone

from assessments import selectors as assessment_selectors
from assessments import services as assessment_services
from assessments.models import Item, ItemKind
from courses import selectors as course_selectors
from courses import services as course_services
from courses.models import Enrolment, Microcredential, Offering

from . import policies, services
from .models import Credential, SigningKey


@dataclass(frozen=True)
class CompletedCourse:
    """A course the demo learner finished, days counted back from the seed."""

    course: str
    registered_days_ago: int
    submitted_days_ago: int
    released_days_ago: int
    project_text: str
    overall_feedback: str
    revoked_days_ago: int | None = None
    revocation_reason: str = ""


COMPLETED: tuple[CompletedCourse, ...] = (
    CompletedCourse(
        course="PRJ-120",
        registered_days_ago=75,
        submitted_days_ago=50,
        released_days_ago=47,
        project_text=(
            "Project: moving the team's shared drive to the new document system.\n\n"
            "WBS: 1 Inventory (1.1 list folders, 1.2 tag owners); 2 Migration "
            "(2.1 pilot team, 2.2 everyone else); 3 Training (3.1 guide, 3.2 two "
            "drop-in sessions); 4 Switch-off.\n\n"
            "Three-point estimates (optimistic / likely / pessimistic, days): "
            "1.1 1/2/4, 1.2 2/3/6, 2.1 3/5/9, 2.2 5/8/15, 3.1 2/3/5, 3.2 1/1/2, "
            "4 1/1/3. Assumption: the owners answer within two days.\n\n"
            "Critical path: 1.1 → 1.2 → 2.1 → 2.2 → 4 (19 expected days); "
            "training runs alongside 2.2 with 4 days of float."
        ),
        overall_feedback=(
            "A clear breakdown with honest estimates, and the critical path is "
            "right. Well done."
        ),
        revoked_days_ago=45,
        revocation_reason=(
            "Issued in error: the project grade was entered against another "
            "learner's submission."
        ),
    ),
    CompletedCourse(
        course="PSY-110",
        registered_days_ago=40,
        submitted_days_ago=12,
        released_days_ago=10,
        project_text=(
            "Routine: a ten-minute pre-mortem at the start of every project "
            "kick-off. Everyone writes, silently, one reason the project failed "
            "six months from now; I read them out without names and we pick the "
            "two to act on.\n\n"
            "First session: I go first with a risk of my own making, thank each "
            "contribution and write the two actions into the plan with owners.\n\n"
            "How I will know it works: more risks raised by people other than the "
            "two most senior (tallied over four meetings), and fewer surprises at "
            "the monthly review."
        ),
        overall_feedback=(
            "A routine the team can run tomorrow, and a sensible way to tell "
            "whether it works. Going first with your own risk is exactly right."
        ),
    ),
)


@dataclass
class Seeded:
    """What one run did: the credentials it issued and revoked, rows created."""

    issued: list[Credential] = field(default_factory=list)
    revoked: list[Credential] = field(default_factory=list)
    created: Counter[str] = field(default_factory=Counter)


def seed_learner_credentials(
    *,
    learner,
    registrar,
    courses: Mapping[str, Microcredential],
    offerings: Mapping[str, Offering],
    now: dt.datetime,
) -> Seeded:
    """Give the demo learner their completed courses and credentials (first
    run only, course by course); make sure the issuer has a signing key."""
    seeded = Seeded()
    profile = services.issuer_profile()
    if not profile.signatory_name:  # what a registrar would fill in once
        profile.signatory_name = "Dr. Amina Okafor"
        profile.signatory_title = "University Registrar"
        profile.description = (
            "A public polytechnic issuing outcome-based microcredentials and "
            "stackable certificates."
        )
        profile.save()
    if not SigningKey.objects.filter(status=SigningKey.Status.ACTIVE).exists():
        seeded.created["signing keys"] += 1
    services.signing_key_ensure(now=now)
    for spec in COMPLETED:
        course = courses[spec.course]
        if Enrolment.objects.filter(learner=learner, microcredential=course).exists():
            continue  # first run only: never replay a learner's history
        enrolment = _complete(
            learner, course, offering=offerings[spec.course], spec=spec, now=now
        )
        credential = Credential.objects.filter(
            enrolment=enrolment, status=Credential.Status.ACTIVE
        ).first()
        if credential is None:
            raise CommandError(
                f"{spec.course}: the demo learner passed but was issued no credential."
            )
        seeded.issued.append(credential)
        seeded.created["credentials"] += 1
        if spec.revoked_days_ago is not None:
            seeded.revoked += services.credentials_revoke(
                credential_ids=[credential.pk],
                actor=registrar,
                reason=spec.revocation_reason,
                now=now - dt.timedelta(days=spec.revoked_days_ago),
            )
    return seeded


def _answer(item: Item, project_text: str) -> dict[str, Any]:
    """``answer_save`` keyword arguments answering ``item`` right."""
    if item.kind == ItemKind.PROJECT:
        return {"text": project_text}
    if item.kind == ItemKind.SHORT_ANSWER:
        return {"text": item.accepted_answers[0]}
    return {"option_ids": [o.pk for o in item.options.all() if o.is_correct]}


def _complete(
    learner,
    course: Microcredential,
    *,
    offering: Offering,
    spec: CompletedCourse,
    now: dt.datetime,
) -> Enrolment:
    """Register, work through every item, pass the summative; the course's
    owner grades the project at the top level and releases the feedback."""
    registered_at = now - dt.timedelta(days=spec.registered_days_ago)
    submitted_at = now - dt.timedelta(days=spec.submitted_days_ago)
    released_at = now - dt.timedelta(days=spec.released_days_ago)
    enrolment = course_services.enrolment_register(
        learner=learner, offering_id=offering.pk, now=registered_at
    )
    items = course_selectors.ordered_items(
        course_selectors.course_for_learning(course.pk)
    )
    started_at = submitted_at - dt.timedelta(hours=2)
    step = (started_at - registered_at) / (len(items) + 1)
    for position, item in enumerate(items, start=1):
        ids = {"learner": learner, "enrolment_id": enrolment.pk, "item_id": item.pk}
        course_services.item_visit(**ids, now=registered_at + step * position)
        course_services.item_complete(
            **ids,
            now=registered_at
            + step * position
            + dt.timedelta(minutes=item.estimated_minutes),
        )

    summative = assessment_selectors.summative_for_course(course.pk)
    attempt = assessment_services.attempt_start(
        learner=learner, assessment_id=summative.pk, now=started_at
    )
    questions = Item.objects.filter(pk__in=attempt.item_ids).order_by("position")
    for minute, item in enumerate(questions, start=1):
        assessment_services.answer_save(
            learner=learner,
            attempt_id=attempt.pk,
            item_id=item.pk,
            now=started_at + dt.timedelta(minutes=8 * minute),
            **_answer(item, spec.project_text),
        )
    assessment_services.attempt_submit(
        learner=learner, attempt_id=attempt.pk, now=submitted_at
    )

    grader = course.owner
    for item in questions.filter(kind=ItemKind.PROJECT):
        top_levels = {
            criterion.pk: criterion.levels.order_by("-points").first().pk
            for criterion in item.rubric.criteria.all()
        }
        assessment_services.grade_save(
            grader=grader,
            attempt_id=attempt.pk,
            criterion_levels=top_levels,
            overall_feedback=spec.overall_feedback,
            item_id=item.pk,
            now=released_at - dt.timedelta(minutes=20),
        )
    attempt = assessment_services.feedback_release(
        grader=grader, attempt_id=attempt.pk, now=released_at
    )
    enrolment.refresh_from_db()
    if not attempt.passed or enrolment.status != Enrolment.Status.COMPLETED:
        raise CommandError(
            f"{course.code}: the demo learner's summative did not pass "
            f"(score {attempt.score_percent} %)."
        )
    return enrolment


def held_credentials(learner) -> list[Credential]:
    """The learner's credentials, oldest first, superseded versions left out."""
    return list(
        Credential.objects.filter(learner=learner)
        .exclude(status=Credential.Status.SUPERSEDED)
        .select_related("achievement")
        .order_by("awarded_at")
    )


def summary_lines(learner) -> list[str]:
    """The seed's summary: each credential the learner holds, its state and
    its public verification page (and why it was revoked)."""
    lines = []
    for credential in held_credentials(learner):
        state = policies.credential_state(
            revoked=credential.status == Credential.Status.REVOKED,
            superseded=False,
            valid_until=credential.valid_until,
            now=timezone.now(),
        )
        url = services.absolute_url("credential", pk=credential.pk)
        lines.append(f"{state.value.capitalize():<8} {credential.achievement.name}")
        lines.append(f"         {url}")
        if credential.status == Credential.Status.REVOKED:
            revoked_on = timezone.localdate(credential.revoked_at)
            lines += textwrap.wrap(
                f"revoked {revoked_on:%Y-%m-%d}: {credential.revocation_reason}",
                width=78,
                initial_indent=" " * 9,
                subsequent_indent=" " * 11,
            )
    return lines
