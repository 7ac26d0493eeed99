"""Forms of the notices pages: marking read and the notification settings."""

from __future__ import annotations

from collections.abc import Iterable

from django import forms
from django.utils.translation import gettext_lazy as _

from .kinds import NoticeKind

KIND_PREFIX = "kind_"


class MarkReadForm(forms.Form):
    """One notice (``notice``) or, with none given, all of them."""

    notice = forms.IntegerField(required=False, min_value=1)


class PreferencesForm(forms.Form):
    """A checkbox per optional notice kind the person may receive (checked:
    e-mail it) and the daily digest. Mandatory kinds have no field at all, so
    no submission can turn them off."""

    digest = forms.BooleanField(
        required=False,
        label=_("One daily digest"),
        help_text=_(
            "One e-mail a day, from 07:00 in your time zone, with the reminders "
            "above instead of one e-mail each. Notices that are always sent "
            "still arrive at once."
        ),
    )

    def __init__(
        self,
        *args,
        optional_kinds: Iterable[NoticeKind],
        disabled: Iterable[str],
        digest: bool,
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        off = set(disabled)
        self.optional_kinds = list(optional_kinds)
        fields = {}
        for definition in self.optional_kinds:
            fields[KIND_PREFIX + definition.kind.value] = forms.BooleanField(
                required=False,
                label=definition.label,
                help_text=definition.description,
                initial=definition.kind.value not in off,
            )
        self.fields = fields | dict(self.fields)
        self.fields["digest"].initial = digest

    def kind_fields(self) -> list[forms.BoundField]:
        return [self[KIND_PREFIX + d.kind.value] for d in self.optional_kinds]

    def disabled_kinds(self) -> set[str]:
        """The kinds shown on the form that were left unchecked."""
        return {
            definition.kind.value
            for definition in self.optional_kinds
            if not self.cleaned_data.get(KIND_PREFIX + definition.kind.value)
        }
