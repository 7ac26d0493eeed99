"""The demo institution's PLAR cases, made through the PLAR services as a
learner and a registrar would (first run only, case by case):

- learner2 has a **pending** request for CYB-101 (submitted, waiting in the
  review queue of CYB-101's instructors and the registrar);
- candidate was **approved** for DATA-101 and may take its summative
  assessment directly, on the PLAR route.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from courses.models import Microcredential

from . import services
from .models import PlarRequest


@dataclass(frozen=True)
class Case:
    learner: str
    course: str
    started_days_ago: int
    statements: tuple[str, ...]  # one per learning outcome, in order
    evidence: tuple[tuple[str, str], ...]  # (title, https URL)
    approved_days_ago: int | None = None
    approval_reason: str = ""


CASES: tuple[Case, ...] = (
    Case(
        learner="learner2",
        course="CYB-101",
        started_days_ago=4,
        statements=(
            "I brief every new hire at our 40-person firm on how attacks begin — "
            "phishing, reused passwords, unpatched devices, lost laptops — and the "
            "habit that stops each.",
            "I set up our password manager and turned on two-factor sign-in for "
            "every work account, and helped colleagues do the same at home.",
            "I have trained colleagues to check senders and hover over links; last "
            "year I spotted an invoice-fraud e-mail and reported it to our IT "
            "contractor before anyone paid.",
            "I run the monthly update check on our laptops and phones and the "
            "weekly backup test, and keep a log of both.",
            "When a laptop was stolen in 2025 I followed our incident checklist: "
            "reported it, had the device wiped and changed the shared passwords "
            "within the hour.",
        ),
        evidence=(
            (
                "Security checklist I maintain for new staff",
                "https://portfolio.example.org/morgan-chen/security-onboarding",
            ),
            (
                "Letter from my manager describing the invoice-fraud incident",
                "https://portfolio.example.org/morgan-chen/employer-letter",
            ),
        ),
    ),
    Case(
        learner="candidate",
        course="DATA-101",
        started_days_ago=12,
        approved_days_ago=5,
        approval_reason=(
            "Your statements and the two reports you linked show each outcome in "
            "real work. Take the summative assessment: it decides the credential."
        ),
        statements=(
            "For six years I have written the monthly operations report of a "
            "regional hospital: each decision there is framed as two or three "
            "indicators with a baseline, a target and a named data source.",
            "I choose between a median and a mean depending on skew, show ranges "
            "as well as averages, and have redrawn charts whose axes misled.",
            "Before an extract goes into the report I check where it came from, "
            "which weeks are missing and whom it leaves out, and I write that down.",
            "I wrote our team's guide on correlation and causation after a chart "
            "of staffing and wait times was read as proof; I explain it to "
            "managers with our own examples.",
            "Each report ends with a one-page brief that states a recommendation, "
            "its evidence and its main uncertainty; two changed staffing decisions "
            "last year.",
        ),
        evidence=(
            (
                "Anonymised monthly operations report (sample)",
                "https://portfolio.example.org/elena-marchetti/operations-report",
            ),
            (
                "Guide I wrote: reading a chart critically",
                "https://portfolio.example.org/elena-marchetti/chart-guide",
            ),
        ),
    ),
)


def seed_plar_cases(
    *,
    users: Mapping[str, object],
    courses: Mapping[str, Microcredential],
    now: dt.datetime,
) -> list[PlarRequest]:
    """Make each case that is not there yet; return the requests made."""
    made = []
    for case in CASES:
        learner, course = users[case.learner], courses[case.course]
        if PlarRequest.objects.filter(learner=learner, microcredential=course).exists():
            continue  # first run only: never replay a learner's history
        started = now - dt.timedelta(days=case.started_days_ago)
        request = services.request_start(
            learner=learner, course_id=course.pk, now=started
        )
        outcomes = list(course.outcomes.order_by("position"))
        for outcome, text in zip(outcomes, case.statements, strict=False):
            services.statement_save(
                learner=learner,
                request_id=request.pk,
                outcome_id=outcome.pk,
                text=text,
                now=started,
            )
        for title, url in case.evidence:
            services.evidence_add_link(
                learner=learner,
                request_id=request.pk,
                url=url,
                title=title,
                now=started,
            )
        submitted = started + dt.timedelta(hours=2)
        request = services.request_submit(
            learner=learner, request_id=request.pk, declaration=True, now=submitted
        )
        if case.approved_days_ago is not None:
            reviewer = users["registrar"]
            approved = now - dt.timedelta(days=case.approved_days_ago)
            services.review_start(
                reviewer=reviewer,
                request_id=request.pk,
                now=approved - dt.timedelta(hours=1),
            )
            request = services.request_decide(
                reviewer=reviewer,
                request_id=request.pk,
                decision="approved",
                reason=case.approval_reason,
                now=approved,
            )
        made.append(request)
    return made
