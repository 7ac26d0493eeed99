"""Database constraints that back the assessment rules."""

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from assessments.models import Assessment, Attempt, Item

pytestmark = pytest.mark.django_db


def summative(course) -> Assessment:
    return Assessment.objects.create(
        microcredential=course, kind="summative", title="Final assessment"
    )


def test_a_microcredential_has_at_most_one_summative(course):
    summative(course)
    Assessment.objects.create(microcredential=course, kind="formative", title="Check")
    with pytest.raises(IntegrityError), transaction.atomic():
        summative(course)


def test_an_attempt_number_is_used_once_per_enrolment(enrolment):
    assessment = summative(enrolment.microcredential)
    fields = {
        "enrolment": enrolment,
        "assessment": assessment,
        "number": 1,
        "started_at": timezone.now(),
        "deadline_at": enrolment.summative_due_at,
    }
    Attempt.objects.create(**fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        Attempt.objects.create(**fields)


def test_a_project_item_needs_a_rubric(course):
    assessment = summative(course)
    with pytest.raises(IntegrityError), transaction.atomic():
        Item.objects.create(assessment=assessment, kind="project", prompt="Build it")
