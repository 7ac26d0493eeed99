"""Claiming an account made for a recipient of credentials issued in bulk.

The claim e-mail carries a signed link (``emails.claim_token``): it names the
account and a fragment of its password field, so it works once, and for
``NOTICES_CLAIM_DAYS`` days. GET shows whose account it is, the credentials
waiting and a set-password form; POST sets the password, confirms the e-mail
address and signs the person in. A link that does not work says why, changes
nothing, and points to the password reset page.
"""

from __future__ import annotations

import zoneinfo

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.forms import SetPasswordForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from . import services
from .emails import ClaimProblem, claim_days
from .selectors import ClaimLink, claim_link, credentials_waiting

LOGIN_BACKEND = "allauth.account.auth_backends.AuthenticationBackend"


def _language(request: HttpRequest, user) -> str:
    """The page speaks the person's language, unless they chose one here."""
    if "django_language" in request.COOKIES or user is None:
        return translation.get_language()
    return user.preferred_language


def _refused(request: HttpRequest, link: ClaimLink, message: str = "") -> HttpResponse:
    return render(
        request,
        "notices/claim_invalid.html",
        {"problem": link.problem, "message": message, "claim_days": claim_days()},
        status=404,
    )


@sensitive_post_parameters("new_password1", "new_password2")
@never_cache
@require_http_methods(["GET", "POST"])
def claim(request: HttpRequest, token: str) -> HttpResponse:
    link = claim_link(token)
    user = link.user
    zone = zoneinfo.ZoneInfo(user.time_zone) if user is not None else None
    with translation.override(_language(request, user)), timezone.override(zone):
        if link.problem is not None:
            return _refused(request, link)
        if request.user.is_authenticated and request.user.pk != user.pk:
            # Someone else's link: change nothing, name nobody.
            return render(request, "notices/claim_other_user.html", status=403)
        form = SetPasswordForm(user, request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                claimed = services.account_claim(
                    user_id=user.pk,
                    fragment=link.fragment,
                    password=form.cleaned_data["new_password1"],
                )
            except services.ClaimRefused as refusal:
                return _refused(
                    request,
                    ClaimLink(user=user, problem=ClaimProblem.USED),
                    str(refusal),
                )
            login(request, claimed, backend=LOGIN_BACKEND)
            messages.success(
                request,
                _(
                    "Your account is ready and you are signed in. Here are your "
                    "credentials."
                ),
            )
            return redirect("credentials:mine")
        return render(
            request,
            "notices/claim.html",
            {
                "account": user,
                "form": form,
                "credentials": list(credentials_waiting(user)),
                "token": token,
            },
            status=422 if form.is_bound else 200,
        )
