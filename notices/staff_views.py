"""The notices page of a course, for its instructors and registrars: what was
sent, what waits to be sent, what failed (with its error, retried with
backoff, or retried now by hand) and the reminders still to come.

A learner is a 403; a course someone does not teach is a 404 (registrars see
every course). Lists are read in a bounded number of queries whatever the
number of notices or enrolments; long lists come a page at a time.
"""

from __future__ import annotations

import datetime as dt
import heapq
from dataclasses import dataclass
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from courses.models import Enrolment, Microcredential
from microcred.roles import is_instructor, is_registrar

from . import kinds, policies, services, staff_services
from .models import Notice, NoticePreference

Status = Notice.Status

# The page's words for each status ("Scheduled", the model's label for a
# pending notice, would be confused with the reminders still to come).
STATUS_LABELS: dict[str, Promise] = {
    Status.SENT: gettext_lazy("Sent"),
    Status.PENDING: gettext_lazy("Waiting to be sent"),
    Status.SENDING: gettext_lazy("Sending"),
    Status.DIGEST: gettext_lazy("Waiting for the daily digest"),
    Status.FAILED: gettext_lazy("Failed"),
    Status.CANCELLED: gettext_lazy("Cancelled"),
    Status.SKIPPED: gettext_lazy("Not e-mailed (turned off)"),
    Status.SILENT: gettext_lazy("Not sent (issued without notice)"),
    Status.IN_CLAIM: gettext_lazy("Listed in the account claim e-mail"),
}
KIND_LABELS: dict[str, str] = dict(Notice.Kind.choices)


# --- who may see the page ---------------------------------------------------------


def _course_for_staff(request: HttpRequest, course_id: int) -> Microcredential:
    """Instructors and registrars only (a learner is a 403); an instructor sees
    only the courses they own or teach (any other is a 404)."""
    user = request.user
    if not (is_instructor(user) or is_registrar(user)):
        raise PermissionDenied
    course = Microcredential.objects.filter(pk=course_id).first()
    if course is None or not staff_services.may_manage_course_notices(user, course):
        raise Http404(_("This microcredential does not exist or is not yours."))
    return course


# --- the filters ------------------------------------------------------------------


class NoticeFilterForm(forms.Form):
    """``?kind=<kind>&status=<status>`` narrow every list of the page."""

    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"),
        required=False,
        choices=[("", gettext_lazy("Every kind")), *Notice.Kind.choices],
    )
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[("", gettext_lazy("Every status")), *STATUS_LABELS.items()],
    )

    def chosen(self) -> dict[str, str]:
        if not self.is_bound or not self.is_valid():
            return {}
        return {name: value for name, value in self.cleaned_data.items() if value}


# --- the summary ------------------------------------------------------------------


def _summary(course_id: int) -> dict[str, Any]:
    """How many notices of each kind are in each status (one query)."""
    counts: dict[tuple[str, str], int] = {}
    retrying = 0
    for row in (
        Notice.objects.filter(course_id=course_id)
        .values("kind", "status")
        .annotate(
            n=Count("pk"),
            retrying=Count("pk", filter=Q(status=Status.PENDING, tries__gt=0)),
        )
        .order_by()
    ):
        counts[row["kind"], row["status"]] = row["n"]
        retrying += row["retrying"]
    statuses = list(STATUS_LABELS)
    rows = [
        {
            "kind": kind,
            "label": label,
            "cells": [(status, counts.get((kind, status), 0)) for status in statuses],
            "total": sum(counts.get((kind, status), 0) for status in statuses),
        }
        for kind, label in Notice.Kind.choices
        if any(counts.get((kind, status)) for status in statuses)
    ]
    totals = [
        (status, sum(count for (_k, s), count in counts.items() if s == status))
        for status in statuses
    ]
    return {
        "columns": [(status, STATUS_LABELS[status]) for status in statuses],
        "rows": rows,
        "totals": totals,
        "total": sum(counts.values()),
        "retrying": retrying,
    }


# --- the lists of notices ---------------------------------------------------------


@dataclass(frozen=True)
class Section:
    name: str
    title: Promise
    intro: Promise
    statuses: frozenset[str]
    condition: Q
    ordering: tuple[str, ...]
    always: bool = True  # shown without a status filter


SECTIONS = (
    Section(
        "failed",
        gettext_lazy("Failed and retrying"),
        gettext_lazy(
            "A refused send is tried again after 2, 4, 8, 16 and 32 minutes; "
            "after six tries the notice has failed. Once the cause is fixed, "
            "“Retry now” sends a failed notice once more."
        ),
        frozenset({Status.FAILED, Status.PENDING}),
        Q(status=Status.FAILED) | Q(status=Status.PENDING, tries__gt=0),
        ("status", "next_try_at", "pk"),
    ),
    Section(
        "waiting",
        gettext_lazy("Waiting to be sent"),
        gettext_lazy(
            "Due and recorded, not sent yet: the next delivery run sends them, "
            "or the recipient's daily digest."
        ),
        frozenset({Status.PENDING, Status.SENDING, Status.DIGEST}),
        Q(status__in=(Status.SENDING, Status.DIGEST))
        | Q(status=Status.PENDING, tries=0),
        ("due_at", "pk"),
    ),
    Section(
        "sent",
        gettext_lazy("Sent"),
        gettext_lazy("The most recent first."),
        frozenset({Status.SENT}),
        Q(status=Status.SENT),
        ("-sent_at", "-pk"),
    ),
    Section(
        "stopped",
        gettext_lazy("Cancelled or not e-mailed"),
        gettext_lazy(
            "Cancelled: the notice no longer applied when it was to be sent (an "
            "extension, a withdrawal, a submitted attempt). Not e-mailed: the "
            "recipient turned these e-mails off or has no active address; it "
            "still shows on their notices page."
        ),
        frozenset({Status.CANCELLED, Status.SKIPPED}),
        Q(status__in=(Status.CANCELLED, Status.SKIPPED)),
        ("-due_at", "-pk"),
        always=False,
    ),
    Section(
        "bulk",
        gettext_lazy("Issued in bulk, not e-mailed on their own"),
        gettext_lazy(
            "Not sent: the registrar issued these credentials without notice. "
            "Listed in the account claim e-mail: the recipient had no account "
            "yet and was sent one e-mail to claim it, listing every credential "
            "waiting."
        ),
        frozenset({Status.SILENT, Status.IN_CLAIM}),
        Q(status__in=(Status.SILENT, Status.IN_CLAIM)),
        ("-due_at", "-pk"),
        always=False,
    ),
)


def _status_label(notice: Notice) -> Promise | str:
    if notice.status == Status.PENDING and notice.tries:
        return _("Retrying")
    return STATUS_LABELS[notice.status]


def _page_url(request: HttpRequest, param: str, number: int) -> str:
    query = request.GET.copy()
    query[param] = str(number)
    return f"?{query.urlencode()}"


def _notice_sections(
    request: HttpRequest, course_id: int, chosen: dict[str, str]
) -> list[dict[str, Any]]:
    """Each list the filters leave, a page at a time (two queries each)."""
    notices: QuerySet[Notice] = Notice.objects.filter(
        course_id=course_id
    ).select_related("recipient")
    if "kind" in chosen:
        notices = notices.filter(kind=chosen["kind"])
    status = chosen.get("status")
    sections = []
    for section in SECTIONS:
        if status is None and not section.always:
            continue
        if status is not None and status not in section.statuses:
            continue
        queryset = notices.filter(section.condition).order_by(*section.ordering)
        if status is not None:
            queryset = queryset.filter(status=status)
        param = f"{section.name}_page"
        page: Page = Paginator(queryset, settings.NOTICES_STAFF_PAGE_SIZE).get_page(
            request.GET.get(param)
        )
        sections.append(
            {
                "name": section.name,
                "title": section.title,
                "intro": section.intro,
                "page": page,
                "notices": [
                    {"notice": notice, "status_label": _status_label(notice)}
                    for notice in page.object_list
                ],
                "previous_url": _page_url(request, param, page.previous_page_number())
                if page.has_previous()
                else "",
                "next_url": _page_url(request, param, page.next_page_number())
                if page.has_next()
                else "",
            }
        )
    return sections


# --- the reminders still to come --------------------------------------------------


@dataclass(frozen=True)
class Upcoming:
    at: dt.datetime
    kind: str
    kind_label: str
    target_at: dt.datetime
    enrolment_id: int
    learner_id: int


def _scheduled(
    course_id: int, *, now: dt.datetime, kind: str | None, limit: int
) -> tuple[list[dict[str, Any]], int]:
    """The next ``limit`` date reminders of the course's active enrolments, by
    date, and how many are to come in all.

    Set-based: the scan's own read (``kinds.enrolment_rows``, one query per
    chunk of enrolments), then one query for the learners shown and one for
    their preferences.
    """
    tz = services.institution_tz()
    enrolment_ids = Enrolment.objects.filter(
        microcredential_id=course_id, status="active"
    ).values("pk")
    upcoming: list[Upcoming] = []
    total = 0
    after = 0
    while True:
        rows = kinds.enrolment_rows(
            after, kinds.ENROLMENT_CHUNK, enrolment_ids=enrolment_ids
        )
        for row in rows:
            # Extra attempts only matter for "next attempt open", which is not
            # a dated reminder: no need to count them here.
            facts = kinds.enrolment_facts(row, 0, tz)
            for reminder_kind, moment in policies.next_reminder_at(
                facts, kinds.reminder_settings(row), now=now, tz=tz
            ):
                if kind is not None and reminder_kind != kind:
                    continue
                total += 1
                target = (
                    row["summative_due_at"]
                    if reminder_kind == policies.Kind.SUMMATIVE_DUE
                    else row["ends_at"]
                )
                upcoming.append(
                    Upcoming(
                        at=moment,
                        kind=reminder_kind.value,
                        kind_label=KIND_LABELS[reminder_kind.value],
                        target_at=target,
                        enrolment_id=row["pk"],
                        learner_id=row["learner_id"],
                    )
                )
            if len(upcoming) > 4 * limit:
                upcoming = heapq.nsmallest(
                    limit, upcoming, key=lambda u: (u.at, u.enrolment_id)
                )
        if len(rows) < kinds.ENROLMENT_CHUNK:
            break
        after = rows[-1]["pk"]
    shown = heapq.nsmallest(limit, upcoming, key=lambda u: (u.at, u.enrolment_id))
    learner_ids = {entry.learner_id for entry in shown}
    learners = (
        get_user_model().objects.only("pk", "email", "legal_name").in_bulk(learner_ids)
    )
    preferences = {
        user_id: (disabled, digest)
        for user_id, disabled, digest in NoticePreference.objects.filter(
            user_id__in=learner_ids
        ).values_list("user_id", "disabled_kinds", "digest")
    }
    entries = []
    for entry in shown:
        disabled, digest = preferences.get(entry.learner_id, ((), False))
        if entry.kind in disabled:
            delivery = _("Turned off: on the notices page only")
        elif digest:
            delivery = _("In the daily digest")
        else:
            delivery = _("E-mail")
        entries.append(
            {
                "reminder": entry,
                "learner": learners.get(entry.learner_id),
                "delivery": delivery,
            }
        )
    return entries, total


# --- the page ---------------------------------------------------------------------


def _page_context(
    request: HttpRequest, course: Microcredential, *, error: str = ""
) -> dict[str, Any]:
    form = NoticeFilterForm(request.GET or None)
    chosen = form.chosen()
    show_scheduled = "status" not in chosen
    scheduled, scheduled_total = (
        _scheduled(
            course.pk,
            now=timezone.now(),
            kind=chosen.get("kind"),
            limit=settings.NOTICES_STAFF_SCHEDULED_LIMIT,
        )
        if show_scheduled
        else ([], 0)
    )
    return {
        "course": course,
        "form": form,
        "filtered": bool(chosen),
        "summary": _summary(course.pk),
        "sections": _notice_sections(request, course.pk, chosen),
        "show_scheduled": show_scheduled,
        "scheduled": scheduled,
        "scheduled_total": scheduled_total,
        "scheduled_limit": settings.NOTICES_STAFF_SCHEDULED_LIMIT,
        "error": error,
    }


def _refused(request: HttpRequest, course: Microcredential, error: str) -> HttpResponse:
    return render(
        request,
        "notices/staff/course.html",
        _page_context(request, course, error=error),
        status=422,
    )


@require_http_methods(["GET", "POST"])
@login_required
def course_notices(request: HttpRequest, course_id: int) -> HttpResponse:
    """The course's notices (GET); "Retry now" on a failed one (POST)."""
    course = _course_for_staff(request, course_id)
    if request.method == "POST":
        notice_id = request.POST.get("notice", "")
        if not notice_id.isdigit():
            return _refused(request, course, _("Choose a failed notice to retry."))
        if not Notice.objects.filter(pk=int(notice_id), course_id=course.pk).exists():
            raise Http404(_("This notice does not exist or is not in this course."))
        try:
            notice = staff_services.notice_retry(
                actor=request.user, notice_id=int(notice_id)
            )
        except staff_services.RetryRefused as refusal:
            return _refused(request, course, str(refusal))
        messages.success(
            request,
            _(
                "The notice to %(recipient)s will be sent again within a few "
                "minutes; it stays under “Failed and retrying” until it is sent."
            )
            % {"recipient": notice.recipient.email},
        )
        return redirect(request.get_full_path())
    return render(request, "notices/staff/course.html", _page_context(request, course))
