"""Staff dashboard: the site itself, people and roles, and the audit log.

Only people with a staff role reach the dashboard: ``is_staff`` plus one of
the role groups (Instructor, Registrar, Administrator), or a superuser.
Every ModelAdmin of the project mixes in :class:`StaffRoleRequiredMixin`, so
the rule holds in ``has_*_permission`` even on the stock admin site.
"""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.contrib.auth.models import Group
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import AuditEntry, User
from .roles import STAFF_ROLE_NAMES, is_staff_member


class StaffRoleRequiredMixin:
    """Refuse every permission to people without a staff role."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_staff_member(request.user) and super().has_module_permission(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_staff_member(request.user) and super().has_view_permission(
            request, obj
        )

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return is_staff_member(request.user) and super().has_add_permission(
            request, *args
        )

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_staff_member(request.user) and super().has_change_permission(
            request, obj
        )

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_staff_member(request.user) and super().has_delete_permission(
            request, obj
        )


def _normalised_email(form: forms.ModelForm) -> str:
    email = form.cleaned_data["email"].strip().lower()
    others = User.objects.filter(email__iexact=email)
    if form.instance.pk:
        others = others.exclude(pk=form.instance.pk)
    if others.exists():
        raise forms.ValidationError(_("A user with this e-mail address exists."))
    return email


class StaffUserCreationForm(AdminUserCreationForm):
    """Create a person from an e-mail address and (optionally) a password."""

    class Meta:
        model = User
        fields = ("email",)

    def clean_email(self) -> str:
        return _normalised_email(self)


class StaffUserChangeForm(UserChangeForm):
    class Meta:
        model = User
        fields = (
            "email",
            "password",
            "display_name",
            "legal_name",
            "time_zone",
            "preferred_language",
            "low_bandwidth",
            "is_active",
            "is_staff",
            "groups",
            "is_superuser",
            "user_permissions",
        )

    def clean_email(self) -> str:
        return _normalised_email(self)


@admin.register(User)
class UserAdmin(StaffRoleRequiredMixin, DjangoUserAdmin):
    form = StaffUserChangeForm
    add_form = StaffUserCreationForm
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (
            _("Profile"),
            {
                "fields": (
                    "display_name",
                    "legal_name",
                    "time_zone",
                    "preferred_language",
                    "low_bandwidth",
                )
            },
        ),
        (
            _("Access and roles"),
            {
                "fields": (
                    "is_active",
                    "is_staff",
                    "groups",
                    "is_superuser",
                    "user_permissions",
                ),
                "description": _(
                    "Roles are groups. Staff need both “Staff status” and a role "
                    "(Instructor, Registrar or Administrator) to use this dashboard."
                ),
            },
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "usable_password", "password1", "password2"),
            },
        ),
    )
    list_display = ("email", "legal_name", "role_list", "is_staff", "is_active")
    list_filter = ("is_staff", "is_superuser", "is_active", "groups")
    search_fields = ("email", "legal_name", "display_name")
    ordering = ("email",)
    # Plain widgets: the JavaScript dual list is not accessible (WCAG 4.1.2).
    filter_horizontal = ()

    def formfield_for_manytomany(
        self, db_field: Any, request: HttpRequest, **kwargs: Any
    ) -> Any:
        if db_field.name == "groups":
            kwargs["widget"] = forms.CheckboxSelectMultiple
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        return super().get_queryset(request).prefetch_related("groups")

    def get_readonly_fields(
        self, request: HttpRequest, obj: User | None = None
    ) -> tuple[str, ...]:
        fields: tuple[str, ...] = ("last_login", "date_joined")
        if not request.user.is_superuser:
            # Administrators manage roles; only a superuser makes superusers or
            # hands out permissions outside the roles.
            fields += ("is_superuser", "user_permissions")
        return fields

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_delete_permission(request, obj)

    @admin.display(description=_("roles"))
    def role_list(self, obj: User) -> str:
        return ", ".join(sorted(group.name for group in obj.groups.all()))

    def save_related(
        self, request: HttpRequest, form: forms.ModelForm, formsets: Any, change: bool
    ) -> None:
        super().save_related(request, form, formsets, change)
        user = form.instance
        has_role = user.groups.filter(name__in=STAFF_ROLE_NAMES).exists()
        if has_role and not user.is_staff:
            self.message_user(
                request,
                _(
                    "%(user)s has a staff role but no staff status, so cannot open "
                    "the staff dashboard yet."
                )
                % {"user": user},
                messages.WARNING,
            )


admin.site.unregister(Group)


@admin.register(Group)
class RoleAdmin(StaffRoleRequiredMixin, DjangoGroupAdmin):
    """Roles are fixed groups; people are given roles on their user page."""

    list_display = ("name", "member_count")
    readonly_fields = ("members",)
    filter_horizontal = ()  # a plain multiple select: the dual list is not accessible

    def get_queryset(self, request: HttpRequest) -> QuerySet[Group]:
        return super().get_queryset(request).annotate(_member_count=Count("user"))

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Changing a role's permissions changes what every member may do.
        return request.user.is_superuser and super().has_change_permission(request, obj)

    @admin.display(description=_("members"), ordering="_member_count")
    def member_count(self, obj: Group) -> int:
        return obj._member_count

    @admin.display(description=_("members"))
    def members(self, obj: Group) -> str:
        emails = obj.user_set.order_by("email").values_list("email", flat=True)
        return ", ".join(emails) or "—"


@admin.register(AuditEntry)
class AuditEntryAdmin(StaffRoleRequiredMixin, admin.ModelAdmin):
    """The audit log: visible to those allowed, changed by no one."""

    list_display = ("at", "actor", "action", "object_type", "object_repr", "reason")
    list_filter = ("action", "object_type")
    list_select_related = ("actor",)
    search_fields = ("object_repr", "reason", "actor__email", "object_id")
    date_hierarchy = "at"
    fields = (
        "at",
        "actor",
        "action",
        "object_type",
        "object_id",
        "object_repr",
        "reason",
        "details_pretty",
    )
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("details"))
    def details_pretty(self, obj: AuditEntry) -> str:
        return format_html(
            "<pre>{}</pre>", json.dumps(obj.details, indent=2, ensure_ascii=False)
        )
