"""Who may call the PLAR endpoints of API v1.

A learner reaches only their own requests (anyone else's is a 404, through
``selectors.learner_request``); the review queue, decisions and appeals are
for the reviewing roles, as on the staff web pages. Which courses a reviewer
sees is ``selectors.review_queue``'s and ``selectors.may_review``'s to decide.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission

from .. import selectors


class MayReview(BasePermission):
    """Instructors, registrars and superusers; a learner gets a 403."""

    message = _("Only instructors and registrars can review PLAR requests.")

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and selectors.is_reviewer(user))
