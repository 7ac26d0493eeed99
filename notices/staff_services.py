"""What staff change about notices: sending a failed notice again.

A notice fails for good after ``services.MAX_TRIES`` refused sends; once the
mail server is fixed, an instructor of the course or a registrar retries it.
The retry puts it back in the queue for one more send, audit-logged, and asks
for a delivery run when the change is committed.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from microcred.audit import audit_record
from microcred.roles import is_registrar

from . import tasks
from .models import Notice


class RetryRefused(Exception):
    """The notice cannot be retried; the message is shown to the person."""


def may_manage_course_notices(user, course) -> bool:
    """Registrars, and the instructors of the course (owner or instructor)."""
    from assessments.selectors import teaches

    if is_registrar(user):
        return True
    return course is not None and teaches(user, course)


@transaction.atomic
def notice_retry(*, actor, notice_id: int, now: dt.datetime | None = None) -> Notice:
    """Send a failed notice once more, at the next delivery run (now).

    Its tries and last error stay, so the page shows how often it failed; if
    this send fails too, it is failed again with the new error.
    """
    now = now or timezone.now()
    notice = (
        Notice.objects.select_for_update(of=("self",))
        .select_related("course")
        .filter(pk=notice_id)
        .first()
    )
    if notice is None or not may_manage_course_notices(actor, notice.course):
        raise RetryRefused(_("This notice does not exist or is not in your courses."))
    if notice.status != Notice.Status.FAILED:
        raise RetryRefused(
            _("Only a failed notice can be retried; this one is “%(status)s”.")
            % {"status": notice.get_status_display()}
        )
    notice.status = Notice.Status.PENDING
    notice.next_try_at = now
    notice.claimed_at = None
    notice.save(update_fields=["status", "next_try_at", "claimed_at"])
    audit_record(
        actor=actor,
        action="notices.retry",
        target=notice,
        details={
            "kind": notice.kind,
            "recipient": notice.recipient_id,
            "course": notice.course_id,
            "tries": notice.tries,
            "last_error": notice.last_error[:500],
        },
    )
    transaction.on_commit(tasks.deliver.delay, robust=True)
    return notice
