import datetime as dt

import pytest

from notices import services
from notices.models import Notice
from tests import factories

pytestmark = pytest.mark.django_db


def test_a_learner_five_days_before_the_due_date_gets_the_seven_day_reminder_once():
    course = factories.MicrocredentialFactory()
    offering = factories.OfferingFactory(microcredential=course)
    learner = factories.UserFactory()
    enrolment = factories.enrol(learner, offering)
    now = enrolment.summative_due_at - dt.timedelta(days=5)
    services.notices_scan(now=now)
    services.notices_scan(now=now)
    notices = list(Notice.objects.filter(recipient=learner))
    kinds = sorted(n.kind for n in notices)
    assert "summative_due" in kinds
    assert len([n for n in notices if n.kind == "summative_due"]) == 1
