"""Staff dashboard for credentials: the issuer, achievements, credentials, name
corrections.

Who may do what follows the staff roles (``microcred.roles``) directly:

* administrators edit the issuer profile;
* registrars see every achievement and credential, edit achievements and
  their alignments, revoke credentials and decide name corrections;
* instructors see and edit the achievements (and alignments) of the courses
  they own or teach, and nothing else here.

Credentials and name corrections are read-only: they change only through
``credentials.services`` (revocation, decisions), each with its audit entry.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import ActionLocation
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from courses.models import Microcredential
from microcred.audit import audit_record
from microcred.roles import is_admin, is_instructor, is_registrar, is_staff_member

from . import policies, services
from .forms import (
    AchievementForm,
    ApproveForm,
    DeclineForm,
    IssuerProfileForm,
    RevocationForm,
)
from .models import Achievement, Alignment, Credential, IssuerProfile, NameCorrection

BOTH_LOCATIONS = [ActionLocation.CHANGE_LIST, ActionLocation.CHANGE_FORM]
ACTION_TEMPLATE = "admin/action_with_reason.html"

RoleCheck = Callable[[Any], bool]


class RolePermissions:
    """Permissions from staff roles, not from per-model permissions.

    ``view_roles`` may look, ``change_roles`` may edit; nobody adds or deletes
    (achievements are created by the issuance service, credentials are never
    deleted). Everyone must first be a staff member at all.
    """

    view_roles: tuple[RoleCheck, ...] = ()
    change_roles: tuple[RoleCheck, ...] = ()

    def _allowed(self, request: HttpRequest, checks: tuple[RoleCheck, ...]) -> bool:
        user = request.user
        return is_staff_member(user) and any(check(user) for check in checks)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request, self.view_roles + self.change_roles)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request, self.view_roles + self.change_roles)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request, self.change_roles)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def _with_reason(
    model_admin: admin.ModelAdmin,
    request: HttpRequest,
    queryset: QuerySet,
    *,
    action_name: str,
    form_class: type[forms.Form],
    title: str,
    intro: str,
    apply: Callable[[HttpRequest, list, dict[str, Any]], None],
) -> HttpResponse | None:
    """Ask for a reason on an intermediate page, then apply the action."""
    action_field = (
        "CHANGE_FORM-action" if "CHANGE_FORM-action" in request.POST else "action"
    )
    selected = list(queryset)
    if request.POST.get("_confirm") == "yes":
        form = form_class(request.POST)
        if form.is_valid():
            apply(request, selected, form.cleaned_data)
            return None
    else:
        form = form_class()
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "title": title,
        "intro": intro,
        "form": form,
        "objects": selected,
        "action_field": action_field,
        "action_name": action_name,
        "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        "media": model_admin.media + form.media,
    }
    return TemplateResponse(request, ACTION_TEMPLATE, context)


# --- The issuer ------------------------------------------------------------------


@admin.register(IssuerProfile)
class IssuerProfileAdmin(RolePermissions, admin.ModelAdmin):
    """The institution as an Open Badges issuer: one profile, edited by admins."""

    form = IssuerProfileForm
    view_roles = (is_registrar,)
    change_roles = (is_admin,)
    list_display = ("name", "url", "email", "updated_at")

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return (
            self._allowed(request, self.change_roles)
            and not IssuerProfile.objects.exists()
        )

    def save_model(
        self, request: HttpRequest, obj: IssuerProfile, form: Any, change: bool
    ) -> None:
        obj.pk = 1  # one profile (a check constraint keeps it so)
        super().save_model(request, obj, form, change)
        audit_record(
            actor=request.user,
            action="issuer_profile.change",
            target=obj,
            details={"fields": list(form.changed_data)},
        )


# --- Achievements and alignments -----------------------------------------------------


def _editable_course_ids(request: HttpRequest) -> frozenset[int] | None:
    """Courses whose achievement this person may edit; ``None`` means all."""
    user = request.user
    if user.is_superuser or is_registrar(user):
        return None
    cached = getattr(request, "_credentials_course_ids", None)
    if cached is None:
        cached = (
            frozenset(
                Microcredential.objects.editable_by(user).values_list("pk", flat=True)
            )
            if is_instructor(user)
            else frozenset()
        )
        request._credentials_course_ids = cached  # type: ignore[attr-defined]
    return cached


def _may_edit_achievement(
    request: HttpRequest, achievement: Achievement | None
) -> bool:
    if not is_staff_member(request.user):
        return False
    ids = _editable_course_ids(request)
    if ids is None:
        return True
    if not is_instructor(request.user):
        return False
    if achievement is None:
        return True  # the list: the queryset narrows it
    return achievement.microcredential_id in ids


class AlignmentInline(admin.TabularInline):
    """Alignments to occupational frameworks; ``obj`` is the achievement."""

    model = Alignment
    extra = 0
    fields = ("target_name", "target_url", "target_code", "target_framework")

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _may_edit_achievement(request, obj) or (
            is_staff_member(request.user) and is_admin(request.user)
        )

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _may_edit_achievement(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _may_edit_achievement(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _may_edit_achievement(request, obj)


@admin.register(Achievement)
class AchievementAdmin(RolePermissions, admin.ModelAdmin):
    """What each credential says was achieved. Edits apply to credentials issued
    from now on; credentials already issued keep what was signed."""

    form = AchievementForm
    view_roles = (is_admin,)
    change_roles = (is_registrar, is_instructor)
    inlines = (AlignmentInline,)
    list_display = ("name", "achievement_type", "source", "validity", "version")
    list_filter = ("achievement_type",)
    list_select_related = ("microcredential", "pathway")
    search_fields = ("name", "microcredential__code", "pathway__code")
    readonly_fields = ("achievement_type", "microcredential", "pathway", "version")
    fieldsets = (
        (None, {"fields": ("achievement_type", ("microcredential", "pathway"))}),
        (
            _("What the credential says"),
            {
                "fields": (
                    "name",
                    "description",
                    "criteria_narrative",
                    "image",
                    "language",
                    "tags",
                    "version",
                )
            },
        ),
        (
            _("Validity and renewal"),
            {"fields": ("valid_for_months", "renewal_window_days")},
        ),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Achievement]:
        queryset = (
            super().get_queryset(request).select_related("microcredential", "pathway")
        )
        user = request.user
        if user.is_superuser or is_registrar(user) or is_admin(user):
            return queryset
        return queryset.filter(microcredential_id__in=_editable_course_ids(request))

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_change_permission(request, obj) and _may_edit_achievement(
            request, obj
        )

    @admin.display(description=_("microcredential or pathway"))
    def source(self, achievement: Achievement) -> str:
        course, pathway = achievement.microcredential, achievement.pathway
        return str(course.code if course else pathway.code)

    @admin.display(description=_("valid for"))
    def validity(self, achievement: Achievement) -> str:
        if achievement.valid_for_months is None:
            return str(_("No expiry"))
        return ngettext(
            "%(months)d month", "%(months)d months", achievement.valid_for_months
        ) % {"months": achievement.valid_for_months}

    def save_model(
        self, request: HttpRequest, obj: Achievement, form: Any, change: bool
    ) -> None:
        super().save_model(request, obj, form, change)
        if form.changed_data:
            audit_record(
                actor=request.user,
                action="achievement.change",
                target=obj,
                details={"fields": list(form.changed_data)},
            )


# --- Credentials ---------------------------------------------------------------------


class StateFilter(admin.SimpleListFilter):
    """Valid, expired, revoked or superseded (as a verifier is told)."""

    title = _("state")
    parameter_name = "state"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [
            (policies.CredentialState.VALID, _("Valid")),
            (policies.CredentialState.EXPIRED, _("Expired")),
            (policies.CredentialState.REVOKED, _("Revoked")),
            (policies.CredentialState.SUPERSEDED, _("Superseded")),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        now = timezone.now()
        active = queryset.filter(status=Credential.Status.ACTIVE)
        match self.value():
            case policies.CredentialState.VALID:
                return active.filter(
                    Q(valid_until__isnull=True) | Q(valid_until__gt=now)
                )
            case policies.CredentialState.EXPIRED:
                return active.filter(valid_until__lte=now)
            case policies.CredentialState.REVOKED:
                return queryset.filter(status=Credential.Status.REVOKED)
            case policies.CredentialState.SUPERSEDED:
                return queryset.filter(status=Credential.Status.SUPERSEDED)
        return queryset


def _state_label(credential: Credential) -> str:
    state = policies.credential_state(
        revoked=credential.status == Credential.Status.REVOKED,
        superseded=credential.status == Credential.Status.SUPERSEDED,
        valid_until=credential.valid_until,
        now=timezone.now(),
    )
    return {
        policies.CredentialState.VALID: _("Valid"),
        policies.CredentialState.EXPIRED: _("Expired"),
        policies.CredentialState.REVOKED: _("Revoked"),
        policies.CredentialState.SUPERSEDED: _("Superseded"),
    }[state]


@admin.register(Credential)
class CredentialAdmin(RolePermissions, admin.ModelAdmin):
    """Issued credentials: read-only; registrars revoke them with a reason."""

    view_roles = (is_registrar,)
    list_display = (
        "code",
        "recipient_name",
        "learner_email",
        "achievement",
        "state",
        "awarded_at",
        "valid_until",
    )
    list_filter = (StateFilter, ("achievement", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("learner", "achievement")
    search_fields = (
        "learner__email",
        "learner__legal_name",
        "recipient_name",
        "verification_code",
    )
    search_help_text = _(
        "Search by the learner's e-mail or name, or by the verification code."
    )
    date_hierarchy = "awarded_at"
    ordering = ("-awarded_at",)
    fields = (
        "public_page",
        ("recipient_name", "learner"),
        "achievement",
        ("route", "period", "enrolment"),
        ("code", "state"),
        ("awarded_at", "valid_from", "valid_until"),
        ("revoked_at", "revoked_by"),
        "revocation_reason",
        "superseded_by",
        "show_name",
        ("status_list", "status_index", "signing_key"),
        "pdf_rendered_at",
    )
    readonly_fields = (
        "public_page",
        "recipient_name",
        "learner",
        "achievement",
        "route",
        "period",
        "enrolment",
        "code",
        "state",
        "awarded_at",
        "valid_from",
        "valid_until",
        "revoked_at",
        "revoked_by",
        "revocation_reason",
        "superseded_by",
        "show_name",
        "status_list",
        "status_index",
        "signing_key",
        "pdf_rendered_at",
    )
    actions = ("revoke",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Credential]:
        return (
            super()
            .get_queryset(request)
            .select_related("learner", "achievement")
            .defer("document", "result")
        )

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet, search_term: str
    ) -> tuple[QuerySet, bool]:
        """A verification code is found however it was typed (``7k4p-9qxr-2h``)."""
        results, may_have_duplicates = super().get_search_results(
            request, queryset, search_term
        )
        code = policies.normalise_verification_code(search_term)
        if code is not None:
            results = results | queryset.filter(verification_code=code)
        return results, may_have_duplicates

    def has_revoke_permission(self, request: HttpRequest) -> bool:
        return is_staff_member(request.user) and is_registrar(request.user)

    @admin.display(description=_("code"), ordering="verification_code")
    def code(self, credential: Credential) -> str:
        return policies.format_verification_code(credential.verification_code)

    @admin.display(description=_("learner"), ordering="learner__email")
    def learner_email(self, credential: Credential) -> str:
        return credential.learner.email

    @admin.display(description=_("state"))
    def state(self, credential: Credential) -> str:
        return _state_label(credential)

    @admin.display(description=_("public page"))
    def public_page(self, credential: Credential) -> str:
        url = services.absolute_url("credential", pk=credential.pk)
        return format_html('<a href="{}">{}</a>', url, url)

    @admin.action(
        description=_("Revoke…"), permissions=["revoke"], location=BOTH_LOCATIONS
    )
    def revoke(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        return _with_reason(
            self,
            request,
            queryset,
            action_name="revoke",
            form_class=RevocationForm,
            title=str(_("Revoke credentials")),
            intro=str(
                _(
                    "Each selected credential is revoked at once: its verification "
                    "page, the API, the status list and its Open Badges 2.0 "
                    "assertion all say so. Revocation cannot be undone."
                )
            ),
            apply=self._revoke,
        )

    def _revoke(
        self, request: HttpRequest, selected: list, data: dict[str, Any]
    ) -> None:
        try:
            revoked = services.credentials_revoke(
                credential_ids=[c.pk for c in selected],
                actor=request.user,
                reason=data["reason"],
            )
        except (policies.CredentialRefused, PermissionDenied) as refusal:
            self.message_user(
                request,
                _("Nothing was revoked: %(error)s") % {"error": refusal},
                messages.ERROR,
            )
            return
        if revoked:
            self.message_user(
                request,
                ngettext(
                    "%(count)d credential revoked.",
                    "%(count)d credentials revoked.",
                    len(revoked),
                )
                % {"count": len(revoked)},
                messages.SUCCESS,
            )
        skipped = len(selected) - len(revoked)
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%(count)d credential was already revoked or superseded and "
                    "was left as it was.",
                    "%(count)d credentials were already revoked or superseded and "
                    "were left as they were.",
                    skipped,
                )
                % {"count": skipped},
                messages.WARNING,
            )


# --- Name corrections ---------------------------------------------------------------


@admin.register(NameCorrection)
class NameCorrectionAdmin(RolePermissions, admin.ModelAdmin):
    """Learners' requests to correct the name on a credential; registrars decide."""

    view_roles = (is_registrar,)
    list_display = (
        "learner_email",
        "current_name",
        "requested_name",
        "achievement",
        "status",
        "requested_at",
        "decided_at",
    )
    list_filter = ("status",)
    list_select_related = ("credential__learner", "credential__achievement")
    search_fields = (
        "credential__learner__email",
        "requested_name",
        "credential__recipient_name",
    )
    ordering = ("status", "-requested_at")
    fields = (
        "credential",
        ("current_name", "requested_name"),
        "reason",
        ("status", "requested_at"),
        ("decided_at", "decided_by"),
        "decision_reason",
    )
    readonly_fields = fields[:1] + (
        "current_name",
        "requested_name",
        "reason",
        "status",
        "requested_at",
        "decided_at",
        "decided_by",
        "decision_reason",
    )
    actions = ("approve", "decline")

    def get_queryset(self, request: HttpRequest) -> QuerySet[NameCorrection]:
        return (
            super()
            .get_queryset(request)
            .select_related("credential__learner", "credential__achievement")
            .defer("credential__document", "credential__result")
        )

    def has_decide_permission(self, request: HttpRequest) -> bool:
        return is_staff_member(request.user) and is_registrar(request.user)

    @admin.display(description=_("learner"), ordering="credential__learner__email")
    def learner_email(self, correction: NameCorrection) -> str:
        return correction.credential.learner.email

    @admin.display(description=_("name on the credential"))
    def current_name(self, correction: NameCorrection) -> str:
        return correction.credential.recipient_name

    @admin.display(description=_("achievement"))
    def achievement(self, correction: NameCorrection) -> str:
        return correction.credential.achievement.name

    @admin.action(
        description=_("Approve and reissue…"),
        permissions=["decide"],
        location=BOTH_LOCATIONS,
    )
    def approve(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        return _with_reason(
            self,
            request,
            queryset,
            action_name="approve",
            form_class=ApproveForm,
            title=str(_("Approve name corrections")),
            intro=str(
                _(
                    "Each credential is reissued with the requested name: a new "
                    "credential, signed now, replaces it, and the old version is "
                    "kept, marked superseded."
                )
            ),
            apply=lambda request, selected, data: self._decide(
                request, selected, approve=True, reason=data["reason"]
            ),
        )

    @admin.action(
        description=_("Decline…"), permissions=["decide"], location=BOTH_LOCATIONS
    )
    def decline(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        return _with_reason(
            self,
            request,
            queryset,
            action_name="decline",
            form_class=DeclineForm,
            title=str(_("Decline name corrections")),
            intro=str(
                _("The credential stays as it is. The learner sees your reason.")
            ),
            apply=lambda request, selected, data: self._decide(
                request, selected, approve=False, reason=data["reason"]
            ),
        )

    def _decide(
        self, request: HttpRequest, selected: list, *, approve: bool, reason: str
    ) -> None:
        for correction in selected:
            try:
                services.credential_name_correction_decide(
                    correction_id=correction.pk,
                    actor=request.user,
                    approve=approve,
                    reason=reason,
                )
            except (policies.CredentialRefused, PermissionDenied) as refusal:
                self.message_user(
                    request,
                    _("Nothing changed for %(request)s: %(error)s")
                    % {"request": correction, "error": refusal},
                    messages.ERROR,
                )
                continue
            if approve:
                message = _("Approved: %(name)s; the credential was reissued.")
            else:
                message = _("Declined: %(name)s.")
            self.message_user(
                request, message % {"name": correction.requested_name}, messages.SUCCESS
            )
