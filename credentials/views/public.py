"""Public pages: a credential's verification page and an achievement's criteria."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .. import selectors
from .documents import credential_json, wants_json


@require_GET
def credential(request: HttpRequest, pk: str) -> HttpResponse:
    if wants_json(request):
        return credential_json(request, pk)
    found = selectors.credential_public(pk)
    if found is None:
        raise Http404
    return render(request, "credentials/verify.html", {"credential": found})


@require_GET
def achievement(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.achievement_public(pk)
    if found is None:
        raise Http404
    return render(request, "credentials/achievement.html", {"achievement": found})
