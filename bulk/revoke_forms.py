"""The registrar's bulk revocation forms: a file and a reason; the filters of
the credential list; a selection of credentials and a reason. They check
shapes only; the services and the dry run apply the rules."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from credentials.models import Achievement, Credential

from . import services, tables

REASON_MAX_LENGTH = 2_000
MAX_SELECTION = 1_000  # a page shows 50; more is not a person's selection
SEARCH_MAX_LENGTH = 200


def _reason_field() -> forms.CharField:
    return forms.CharField(
        label=_("Reason for revoking"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=REASON_MAX_LENGTH,
        help_text=_(
            "Recorded with each revoked credential and in the audit log; the "
            "public verification page says the credential was revoked."
        ),
        error_messages={
            "required": _("Say why these credentials are revoked."),
            "max_length": _("Keep the reason under %(limit_value)s characters."),
        },
    )


class RevokeUploadForm(forms.Form):
    file = forms.FileField(
        label=_("CSV or XLSX file"),
        error_messages={
            "required": _("Choose a CSV or XLSX file to upload."),
            "empty": _("The file is empty."),
            "invalid": _("No file was received; choose the file again."),
            "missing": _("No file was received; choose the file again."),
        },
    )
    reason = _reason_field()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "A CSV file (UTF-8) or an Excel workbook (.xlsx), up to %(size)s MB "
            "and %(rows)s rows, with a column named credential: one credential "
            "id or verification code a row."
        ) % {
            "size": services.MAX_UPLOAD_MB,
            "rows": number_format(tables.MAX_ROWS, force_grouping=True),
        }


class UUIDListField(forms.Field):
    """Several credential ids (checkboxes of the same name), once each."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {
        "required": _("Select at least one credential."),
        "invalid": _("The selection is not a list of credential ids; select again."),
        "too_many": _("Select at most %(limit)s credentials at a time."),
    }

    def to_python(self, value: Any) -> list[uuid.UUID]:
        if not value:
            return []
        if not isinstance(value, list | tuple):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        ids: dict[uuid.UUID, None] = {}
        for item in value:
            try:
                ids[uuid.UUID(str(item).strip())] = None
            except ValueError:
                raise ValidationError(
                    self.error_messages["invalid"], code="invalid"
                ) from None
        if len(ids) > MAX_SELECTION:
            raise ValidationError(
                self.error_messages["too_many"],
                code="too_many",
                params={"limit": number_format(MAX_SELECTION, force_grouping=True)},
            )
        return list(ids)


class SelectionForm(forms.Form):
    credential = UUIDListField(label=_("Credentials to revoke"))
    reason = _reason_field()


class CredentialFilterForm(forms.Form):
    achievement = forms.TypedChoiceField(
        label=_("Achievement"),
        required=False,
        coerce=int,
        empty_value=None,
        error_messages={"invalid_choice": _("Choose an achievement from the list.")},
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), *Credential.Status.choices],
        error_messages={"invalid_choice": _("Choose a status from the list.")},
    )
    issued_from = forms.DateField(
        label=_("Issued from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Write the date as YYYY-MM-DD.")},
    )
    issued_to = forms.DateField(
        label=_("Issued until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Write the date as YYYY-MM-DD.")},
    )
    job = forms.UUIDField(
        label=_("Issued by the bulk job"),
        required=False,
        widget=forms.HiddenInput,
        error_messages={"invalid": _("This is not a bulk job's id.")},
    )
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=SEARCH_MAX_LENGTH,
        help_text=_(
            "Part of the holder's e-mail or name, or a verification code or "
            "credential id."
        ),
        error_messages={
            "max_length": _("Search for at most %(limit_value)s characters.")
        },
    )

    def __init__(
        self, *args: Any, achievements: Iterable[Achievement] = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["achievement"].choices = [
            ("", _("Any achievement")),
            *((a.pk, achievement_label(a)) for a in achievements),
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        start, end = cleaned.get("issued_from"), cleaned.get("issued_to")
        if start and end and end < start:
            self.add_error("issued_to", _("The end date is before the start date."))
        return cleaned


def achievement_label(achievement: Achievement) -> str:
    holder = achievement.microcredential or achievement.pathway
    code = getattr(holder, "code", "")
    return f"{code} — {achievement.name}" if code else achievement.name
