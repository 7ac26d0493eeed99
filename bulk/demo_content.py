"""The demo institution's bulk-issuance material (first run only):

a closed cohort of DATA-101, "Spring 2026 (records imported)", whose twelve
learners completed it in the previous system, before credentials were issued
on completion: the registrar's "Issue to a cohort" lists it. (To try "Issue
from a file", the upload page offers a sample file dated from today.)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.contrib.auth import get_user_model

from courses.models import Enrolment, Microcredential, Offering

COHORT_COURSE = "DATA-101"
COHORT_LABEL = "Spring 2026 (records imported)"
COHORT_DOMAIN = "alumni.demo.microcred.test"
COHORT = (
    "Aiyana Redcloud",
    "Bao Tran",
    "Camille Lefèvre",
    "Dmitri Volkov",
    "Efua Mensah",
    "Fatima Al-Sayed",
    "Gabriel O'Connor",
    "Hana Kobayashi",
    "Ines Castillo",
    "Jonas Weber",
    "Kalani Akana",
    "Léa Tremblay",
)


def seed_cohort(
    *, courses: Mapping[str, Microcredential], now: dt.datetime
) -> Offering | None:
    """The imported cohort; None when it exists already (made once). Its
    learners' accounts came with the records: no password yet, so issuing
    their credentials sends each a claim e-mail (on the console here)."""
    course = courses.get(COHORT_COURSE)
    if course is None:
        return None
    offering, created = Offering.objects.get_or_create(
        microcredential=course,
        label=COHORT_LABEL,
        defaults={"kind": Offering.Kind.ROLLING, "is_open": False},
    )
    if not created:
        return None
    user_model = get_user_model()
    completed = now - dt.timedelta(days=30)
    for number, name in enumerate(COHORT, start=1):
        email = f"graduate{number:02d}@{COHORT_DOMAIN}"
        learner = user_model.objects.filter(email=email).first()
        if learner is None:
            learner = user_model.objects.create_user(
                email=email, password=None, legal_name=name, display_name=name
            )
        Enrolment.objects.create(
            learner=learner,
            offering=offering,
            microcredential=course,
            status=Enrolment.Status.COMPLETED,
            registered_at=completed - dt.timedelta(days=40),
            summative_due_at=completed - dt.timedelta(days=5),
            ends_at=completed + dt.timedelta(days=10),
            completed_at=completed - dt.timedelta(days=number),
        )
    return offering
