"""Staff dashboard for notices: the sent-log and people's notice preferences,
read-only for registrars and administrators.

Notices are written only by the scan and delivery (``notices.services``); a
failed one is retried from the course's notices page, never edited here. The
reminder schedule itself is django-celery-beat's "Periodic tasks", which
registers its own admin on our site.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.utils import flatten
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from microcred.admin import StaffRoleRequiredMixin
from microcred.roles import is_registrar

from .models import Notice, NoticePreference


class ReadOnlyAdmin(StaffRoleRequiredMixin, admin.ModelAdmin):
    """Viewed, never added, changed or deleted from the dashboard."""

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Notice)
class NoticeAdmin(ReadOnlyAdmin):
    list_display = (
        "due_at",
        "recipient_email",
        "kind",
        "course_code",
        "status",
        "tries",
        "next_try_at",
        "sent_at",
    )
    list_filter = ("kind", "status", "course")
    list_select_related = ("recipient", "course")
    search_fields = ("recipient__email",)
    search_help_text = _("Search by the recipient's e-mail address.")
    date_hierarchy = "due_at"
    # The sent-log grows large: no second count over the whole table.
    show_full_result_count = False
    fields = (
        "recipient",
        ("kind", "status"),
        "course",
        "course_notices_link",
        "enrolment",
        ("subject_type", "subject_id"),
        "period_key",
        ("due_at", "target_at"),
        "created_at",
        ("tries", "next_try_at", "claimed_at"),
        "sent_at",
        "last_error",
        "read_at",
    )
    readonly_fields = flatten(fields)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = super().get_fields(request, obj)
        if is_registrar(request.user):
            return fields
        # The course's notices page is for its instructors and registrars.
        return tuple(field for field in fields if field != "course_notices_link")

    @admin.display(description=_("recipient"), ordering="recipient__email")
    def recipient_email(self, notice: Notice) -> str:
        return notice.recipient.email

    @admin.display(description=_("course"), ordering="course__code")
    def course_code(self, notice: Notice) -> str:
        return notice.course.code if notice.course else "—"

    @admin.display(description=_("notices of the course"))
    def course_notices_link(self, notice: Notice) -> str:
        if not notice.course_id:
            return "—"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("notices:course", kwargs={"course_id": notice.course_id}),
            _("Sent, waiting, failed and scheduled notices of this course"),
        )


@admin.register(NoticePreference)
class NoticePreferenceAdmin(ReadOnlyAdmin):
    list_display = (
        "user_email",
        "turned_off",
        "digest",
        "last_digest_on",
        "updated_at",
    )
    list_filter = ("digest",)
    list_select_related = ("user",)
    search_fields = ("user__email",)
    search_help_text = _("Search by e-mail address.")
    fields = ("user", "turned_off", "digest", "last_digest_on", "updated_at")
    readonly_fields = fields

    @admin.display(description=_("person"), ordering="user__email")
    def user_email(self, preference: NoticePreference) -> str:
        return preference.user.email

    @admin.display(description=_("e-mails turned off"))
    def turned_off(self, preference: NoticePreference) -> str:
        labels = dict(Notice.Kind.choices)
        return (
            ", ".join(str(labels.get(kind, kind)) for kind in preference.disabled_kinds)
            or "—"
        )
