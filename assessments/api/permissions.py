"""Who may call the assessment endpoints of API v1.

A learner reaches only their own enrolments and attempts (anyone else's is a
404, found through ``selectors.learner_attempt`` and
``courses.selectors.learner_enrolments``); the grading queue is for the grading
roles, as on the web pages.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission

from microcred.roles import is_instructor, is_registrar


class MayGrade(BasePermission):
    """Instructors, registrars and superusers; a learner gets a 403.

    The same rule as the web grading pages (``assessments.views``); which
    courses a grader sees is ``selectors.grading_queue``'s to decide.
    """

    message = _("Only instructors and registrars can see the grading queue.")

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and (is_instructor(user) or is_registrar(user)))
