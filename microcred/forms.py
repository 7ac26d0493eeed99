from django import forms
from django.utils.translation import gettext_lazy as _

from .models import User


class SignupProfileForm(forms.Form):
    """Extra fields asked at sign-up (allauth's ACCOUNT_SIGNUP_FORM_CLASS)."""

    legal_name = forms.CharField(
        label=_("Legal name"),
        max_length=200,
        help_text=_("As it should be printed on your certificates."),
    )

    def signup(self, request, user) -> None:
        user.legal_name = self.cleaned_data["legal_name"].strip()
        user.save(update_fields=["legal_name"])


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
