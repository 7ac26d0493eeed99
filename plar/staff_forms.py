"""Forms of the PLAR review pages: the queue filters, a decision on a request
and a decision on an appeal. They parse and check shapes; the rules are the
services' to apply."""

from __future__ import annotations

from collections.abc import Iterable

from django import forms
from django.utils.translation import gettext_lazy as _

from courses.models import Microcredential

from . import policies
from .models import Appeal
from .selectors import QUEUE_STATUSES
from .services import MAX_REASON_LENGTH


def _course_choices(courses: Iterable[Microcredential]) -> list[tuple[str, str]]:
    return [("", _("All courses"))] + [
        (str(course.pk), f"{course.code} · {course.title}") for course in courses
    ]


class QueueFilterForm(forms.Form):
    """``?course=<id>&status=<status>`` on the request queue."""

    course = forms.ChoiceField(label=_("Microcredential"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)

    def __init__(self, data=None, *, courses: Iterable[Microcredential]) -> None:
        super().__init__(data)
        self.fields["course"].choices = _course_choices(courses)
        self.fields["status"].choices = [("", _("Every waiting status"))] + [
            (status.value, policies.STATUS_LABELS[status]) for status in QUEUE_STATUSES
        ]


class AppealFilterForm(forms.Form):
    """``?course=<id>&kind=<kind>`` on the appeals queue."""

    course = forms.ChoiceField(label=_("Microcredential"), required=False)
    kind = forms.ChoiceField(
        label=_("Appeal against"),
        required=False,
        choices=[("", _("Decisions and results")), *Appeal.Kind.choices],
    )

    def __init__(self, data=None, *, courses: Iterable[Microcredential]) -> None:
        super().__init__(data)
        self.fields["course"].choices = _course_choices(courses)


class DecisionForm(forms.Form):
    """Approve, decline or ask for more information, always with a reason."""

    decision = forms.ChoiceField(
        label=_("Decision"),
        widget=forms.RadioSelect,
        choices=[
            (policies.Status.APPROVED.value, _("Approve: the learner may challenge")),
            (policies.Status.DECLINED.value, _("Decline")),
            (policies.Status.MORE_INFO.value, _("Ask for more information")),
        ],
        error_messages={
            "required": _("Choose approve, decline or ask for more information."),
            "invalid_choice": _("Choose approve, decline or ask for more information."),
        },
    )
    reason = forms.CharField(
        label=_("Reason (the learner reads it)"),
        max_length=MAX_REASON_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={
            "required": _("Give a reason for the decision; the learner will read it.")
        },
    )


class AppealDecisionForm(forms.Form):
    """Grant or refuse an appeal, always with a reason."""

    GRANT = "grant"
    REFUSE = "refuse"

    outcome = forms.ChoiceField(
        label=_("Decision on the appeal"),
        widget=forms.RadioSelect,
        choices=[(GRANT, _("Grant the appeal")), (REFUSE, _("Refuse the appeal"))],
        error_messages={
            "required": _("Choose whether to grant or refuse the appeal."),
            "invalid_choice": _("Choose whether to grant or refuse the appeal."),
        },
    )
    reason = forms.CharField(
        label=_("Reason (the learner reads it)"),
        max_length=MAX_REASON_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={
            "required": _(
                "Give a reason for the decision on the appeal; the learner will "
                "read it."
            )
        },
    )

    @property
    def grant(self) -> bool:
        return self.cleaned_data["outcome"] == self.GRANT
