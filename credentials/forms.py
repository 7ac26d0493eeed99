"""Forms of the credentials app: the holder's requests and the registrar's reasons.

Forms parse and check what was typed; the rules (who may, what is allowed)
stay in ``services`` and come back as ``CredentialRefused`` messages.
"""

from __future__ import annotations

import io

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from .models import Achievement, IssuerProfile

REASON_WIDGET = forms.Textarea(attrs={"rows": 3, "cols": 60})


class NameCorrectionForm(forms.Form):
    """The holder asks for the name printed on a credential to be corrected."""

    requested_name = forms.CharField(
        label=_("Name as it should appear"),
        max_length=200,
        help_text=_("Exactly as it should be printed on the credential."),
    )
    reason = forms.CharField(
        label=_("Why should it change?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: a typo, or a legal name change."),
    )


class ReasonForm(forms.Form):
    """A mandatory reason, kept in the audit log (and shown where it is public)."""

    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=REASON_WIDGET,
    )

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Give a reason."))
        return reason


class RevocationForm(ReasonForm):
    reason = forms.CharField(
        label=_("Reason for revocation"),
        max_length=2000,
        widget=REASON_WIDGET,
        help_text=_(
            "Published on the credential's verification page and in its "
            "Open Badges 2.0 assertion, and kept in the audit log."
        ),
    )


class DeclineForm(ReasonForm):
    reason = forms.CharField(
        label=_("Reason for declining"),
        max_length=2000,
        widget=REASON_WIDGET,
        help_text=_("The learner sees this reason."),
    )


class ApproveForm(forms.Form):
    reason = forms.CharField(
        label=_("Note (optional)"),
        max_length=2000,
        required=False,
        widget=REASON_WIDGET,
        help_text=_("Kept in the audit log."),
    )


def _png_only(upload) -> None:
    """Badge images are baked as PNG: refuse anything else, clearly."""
    from PIL import Image, UnidentifiedImageError

    position = upload.tell() if hasattr(upload, "tell") else 0
    try:
        data = upload.read()
        with Image.open(io.BytesIO(data)) as image:
            kind = image.format
    except (UnidentifiedImageError, OSError) as error:
        raise forms.ValidationError(_("Upload a PNG image.")) from error
    finally:
        upload.seek(position)
    if kind != "PNG":
        raise forms.ValidationError(
            _("The badge image must be a PNG (this one is %(kind)s).") % {"kind": kind}
        )


class TagsField(forms.CharField):
    """A JSON list of tags edited as comma-separated words."""

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return ", ".join(str(tag) for tag in value)
        return value

    def to_python(self, value) -> list[str]:
        text = super().to_python(value) or ""
        tags: list[str] = []
        for tag in text.split(","):
            tag = " ".join(tag.split())
            if tag and tag not in tags:
                tags.append(tag)
        return tags


class AchievementForm(forms.ModelForm):
    tags = TagsField(
        label=_("Tags"),
        required=False,
        help_text=_("Comma-separated, e.g. “data, spreadsheets, level 1”."),
    )

    class Meta:
        model = Achievement
        fields = (
            "name",
            "description",
            "criteria_narrative",
            "image",
            "language",
            "tags",
            "valid_for_months",
            "renewal_window_days",
        )

    def clean_image(self):
        image = self.cleaned_data.get("image")
        if isinstance(image, UploadedFile):  # a new upload, not the stored file
            _png_only(image)
        return image


class IssuerProfileForm(forms.ModelForm):
    class Meta:
        model = IssuerProfile
        fields = (
            "name",
            "url",
            "email",
            "description",
            "logo",
            "signatory_name",
            "signatory_title",
        )
