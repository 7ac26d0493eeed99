"""The staff dashboard site, apart from admin.py to avoid an import cycle."""

from __future__ import annotations

from typing import Any

from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from .roles import is_staff_member


class StaffAdminSite(admin.AdminSite):
    """The staff dashboard, for people with a staff role only.

    Signing in goes through allauth (verified e-mail, MFA), never through the
    admin's own login form.
    """

    site_header = _("Microcred staff dashboard")
    site_title = _("Microcred staff")
    index_title = _("Staff dashboard")

    def has_permission(self, request: HttpRequest) -> bool:
        return is_staff_member(request.user)

    def login(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        return secure_admin_login(super().login)(request, extra_context)
