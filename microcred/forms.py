import zoneinfo

from django import forms
from django.conf import settings
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .models import User


class SignupProfileForm(forms.Form):
    """Extra fields asked at sign-up (allauth's ACCOUNT_SIGNUP_FORM_CLASS)."""

    legal_name = forms.CharField(
        label=_("Legal name"),
        max_length=200,
        help_text=_("As it should be printed on your certificates."),
    )
    # Filled in by the browser (static/js/timezone.js); anything unknown is
    # ignored and the learner keeps the institution's zone.
    time_zone = forms.CharField(
        required=False,
        max_length=64,
        widget=forms.HiddenInput(attrs={"data-detect-time-zone": ""}),
    )

    def signup(self, request, user) -> None:
        user.legal_name = self.cleaned_data["legal_name"].strip()
        detected = self.cleaned_data.get("time_zone", "")
        if detected in zoneinfo.available_timezones():
            user.time_zone = detected
        else:
            user.time_zone = settings.TIME_ZONE
        user.preferred_language = (
            get_language() if get_language() in dict(settings.LANGUAGES) else "en"
        )
        user.save(update_fields=["legal_name", "time_zone", "preferred_language"])


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = [
            "legal_name",
            "display_name",
            "time_zone",
            "preferred_language",
            "low_bandwidth",
        ]

    def clean_legal_name(self) -> str:
        name = self.cleaned_data["legal_name"].strip()
        if not name:
            raise forms.ValidationError(_("Enter the name to print on certificates."))
        return name
