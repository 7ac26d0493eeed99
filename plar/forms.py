"""Forms of the learner's PLAR pages. They parse and check shapes (a file or a
link, a ticked declaration, a reason); the rules are the services' to apply."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from . import evidence_files, services


class FirstErrorMixin:
    def first_error(self) -> str:
        for errors in self.errors.values():  # type: ignore[attr-defined]
            return str(errors[0])
        return ""


class StatementForm(FirstErrorMixin, forms.Form):
    """One autosaved statement; its length is checked by the service, so the
    learner's text reaches it (and its clear message) unchanged."""

    text = forms.CharField(required=False, strip=False)


class EvidenceForm(FirstErrorMixin, forms.Form):
    """A piece of evidence: a title and either a file or a web address."""

    title = forms.CharField(
        label=_("Title"),
        required=False,
        max_length=200,
        help_text=_(
            "For example “Employer letter, 2023” or “Project report”. If you leave "
            "it empty, the file name or address is used."
        ),
    )
    file = forms.FileField(label=_("File"), required=False)
    url = forms.CharField(
        label=_("Or a link"),
        required=False,
        max_length=1000,
        help_text=_(
            "A web address starting with https://, for example an online portfolio."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "Accepted types: %(types)s. Up to %(size)s MB."
        ) % {
            "types": ", ".join(evidence_files.accepted_extensions()),
            "size": evidence_files.MAX_FILE_MB,
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        upload = cleaned.get("file")
        url = (cleaned.get("url") or "").strip()
        cleaned["url"] = url
        if "file" in self.errors or "url" in self.errors:
            return cleaned
        if upload and url:
            self.add_error(
                "file",
                _(
                    "Give a file or a link, not both: add them as two pieces of "
                    "evidence."
                ),
            )
        elif not upload and not url:
            self.add_error("file", _("Choose a file to upload or enter a link."))
        return cleaned


class SubmitForm(FirstErrorMixin, forms.Form):
    declaration = forms.BooleanField(
        required=True,
        label=_(
            "I declare that these statements and this evidence are my own work, "
            "and that what they describe is true."
        ),
        error_messages={
            "required": _(
                "Tick the declaration to confirm that the statements and evidence "
                "are your own work."
            )
        },
    )


class AppealForm(FirstErrorMixin, forms.Form):
    reason = forms.CharField(
        label=_("Why are you appealing?"),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=services.MAX_REASON_LENGTH,
        help_text=_(
            "Say what you think was wrong with the decision and why. A reviewer "
            "who took no part in it reads your appeal."
        ),
        error_messages={
            "required": _("Say why you are appealing; the reviewer will read it.")
        },
    )
    attempt_id = forms.IntegerField(required=False, widget=forms.HiddenInput)


class OfferingForm(FirstErrorMixin, forms.Form):
    offering_id = forms.IntegerField(
        error_messages={
            "required": _("Choose an offering of the course to register for."),
            "invalid": _("Choose an offering of the course to register for."),
        }
    )
