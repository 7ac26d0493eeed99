"""``manage.py notices_scan``: the scan without beat (the embedded default)."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command

from notices.models import Notice
from tests import factories

pytestmark = pytest.mark.django_db


def scan(*args: str) -> str:
    out = io.StringIO()
    call_command("notices_scan", *args, stdout=out)
    return out.getvalue()


def test_the_command_records_and_sends_what_is_due_once(mailoutbox):
    offering = factories.OfferingFactory()
    enrolment = factories.enrol(factories.UserFactory(), offering)
    moment = (enrolment.summative_due_at - dt.timedelta(days=5)).isoformat()

    first = scan("--at", moment)
    second = scan("--at", moment)

    assert "1 summative_due" in first  # and an inactivity nudge: nothing done yet
    assert "0 new" in second
    assert Notice.objects.filter(kind="summative_due").count() == 1
    assert len([m for m in mailoutbox if "due" in m.subject.lower()]) == 1


def test_a_date_the_command_cannot_read_is_refused_clearly():
    with pytest.raises(CommandError, match="give a date like 2026-12-05"):
        scan("--at", "next tuesday")
    assert not Notice.objects.exists()
