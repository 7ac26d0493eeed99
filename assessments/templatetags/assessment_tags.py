"""Template helpers of the assessment pages: the summative status box on the
course home, percentages and the grading history in words."""

from __future__ import annotations

import posixpath
from decimal import Decimal, InvalidOperation
from typing import Any

from django import template
from django.utils.translation import gettext as _

from assessments import selectors
from assessments.models import Attempt, GradingEvent

register = template.Library()


@register.simple_tag
def summative_status(enrolment) -> dict[str, Any] | None:
    """Where the learner stands with the summative assessment, or None if the
    microcredential has none yet."""
    assessment = selectors.summative_for_course(enrolment.microcredential_id)
    if assessment is None:
        return None
    attempts = list(selectors.learner_attempts(enrolment, assessment))
    return {
        "assessment": assessment,
        "decision": selectors.summative_decision(enrolment, assessment),
        "open_attempt": next(
            (a for a in attempts if a.status == Attempt.Status.IN_PROGRESS), None
        ),
        "latest": attempts[-1] if attempts else None,
    }


@register.filter
def percent(value) -> str:
    """70.00 → "70", 65.50 → "65.5"; empty for None."""
    if value is None or value == "":
        return ""
    try:
        number = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return str(value)
    text = f"{number.normalize():f}"
    return text


@register.filter
def basename(path: str) -> str:
    """attempts/3/7/report.pdf → report.pdf"""
    return posixpath.basename(path or "")


def _level(state: dict[str, Any] | None) -> str:
    if not state:
        return _("none")
    return _("%(level)s (%(points)s points)") % {
        "level": state.get("level", ""),
        "points": percent(state.get("points")),
    }


@register.filter
def event_lines(event: GradingEvent) -> list[str]:
    """What a grading event changed, one sentence a line, before and after."""
    details = event.details or {}
    lines: list[str] = []
    if event.action == "submitted":
        lines.append(
            _("Submitted by the learner; automatically graded questions marked.")
        )
    elif event.action == "grade_saved":
        for change in details.get("changes", []):
            if "criterion" in change:
                before, after = change.get("before"), change.get("after")
                lines.append(
                    _("“%(criterion)s”: %(before)s → %(after)s")
                    % {
                        "criterion": change.get("title", ""),
                        "before": _level(before),
                        "after": _level(after),
                    }
                )
                if (before or {}).get("comment", "") != (after or {}).get(
                    "comment", ""
                ):
                    lines.append(
                        _("Comment on “%(criterion)s”: %(comment)s")
                        % {
                            "criterion": change.get("title", ""),
                            "comment": (after or {}).get("comment") or _("(removed)"),
                        }
                    )
            elif "points" in change:
                points = change["points"]
                lines.append(
                    _("Project points: %(before)s → %(after)s")
                    % {
                        "before": percent(points.get("before")) or "–",
                        "after": percent(points.get("after")) or "–",
                    }
                )
            elif "overall_feedback" in change:
                lines.append(_("Overall feedback changed."))
        status = details.get("status") or {}
        if status.get("before") != status.get("after"):
            lines.append(
                _("Status: %(before)s → %(after)s")
                % {
                    "before": _status_label(status.get("before")),
                    "after": _status_label(status.get("after")),
                }
            )
    elif event.action == "feedback_released":
        lines.append(
            _("Feedback released: score %(score)s%%, %(result)s.")
            % {
                "score": percent(details.get("score_percent")),
                "result": _("passed") if details.get("passed") else _("not yet passed"),
            }
        )
    elif event.action == "feedback_emailed":
        lines.append(_("The learner was e-mailed that feedback is released."))
    else:
        lines.append(event.action.replace("_", " "))
    if "score_percent" in details and event.action == "submitted":
        lines.append(
            _("Score %(score)s%%, %(result)s; feedback released at once.")
            % {
                "score": percent(details.get("score_percent")),
                "result": _("passed") if details.get("passed") else _("not yet passed"),
            }
        )
    return lines


def _status_label(value: str | None) -> str:
    if not value:
        return "–"
    try:
        return str(Attempt.Status(value).label)
    except ValueError:
        return value
