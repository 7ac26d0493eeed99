import datetime as dt

from django.db import models
from django.db.models import Q


class MicrocredentialQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status="published")

    def editable_by(self, user):
        if user.is_superuser:
            return self
        return self.filter(Q(owner=user) | Q(instructors=user)).distinct()


class OfferingQuerySet(models.QuerySet):
    def open_for_registration(self, *, now: dt.datetime):
        return self.filter(is_open=True).filter(
            Q(registration_opens_at__isnull=True) | Q(registration_opens_at__lte=now),
            Q(registration_closes_at__isnull=True) | Q(registration_closes_at__gte=now),
        )


class EnrolmentQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status="active")

    def for_learner(self, user):
        return self.filter(learner=user)
