"""Open Badges 2.0 hosted documents: the assertion, its badge class, the issuer.

Public, same origin as the issuer profile, served as JSON-LD
(``application/ld+json``; ``application/json`` when that is all the client
accepts, as the specification asks). A revoked or superseded assertion answers
``410 Gone`` with ``revoked: true`` and the published reason.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from .. import ob2_documents, selectors, services
from ..documents import AlignmentFacts
from ..models import Achievement, Credential

JSON_TYPES = (ob2_documents.OB2_MEDIA_TYPE, "application/json")


def _content_type(request: HttpRequest) -> str:
    preferred = request.get_preferred_type(list(JSON_TYPES))
    return preferred or ob2_documents.OB2_MEDIA_TYPE


def _respond(
    request: HttpRequest, document: dict, *, status: int = 200, max_age: int = 300
) -> HttpResponse:
    response = JsonResponse(
        document,
        status=status,
        content_type=_content_type(request),
        json_dumps_params={"ensure_ascii": False},
    )
    # A revocation must be seen soon; the badge class and issuer change rarely.
    response["Cache-Control"] = f"public, max-age={max_age}"
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _not_found(request: HttpRequest, message: str) -> HttpResponse:
    return _respond(request, {"error": message}, status=404, max_age=60)


# --- documents from our records ------------------------------------------------------


def issuer_url() -> str:
    return services.absolute_url("ob2-issuer")


def badge_url(achievement_id: int) -> str:
    return services.absolute_url("ob2-badge", pk=achievement_id)


def assertion_url(credential_id) -> str:
    return services.absolute_url("ob2-assertion", pk=credential_id)


def _absolute(url: str) -> str:
    if url.startswith(("http://", "https://")):
        return url
    return settings.SITE_URL.rstrip("/") + url


def issuer_document() -> dict:
    profile = services.issuer_profile()
    # Every assertion URL starts with this: the scope of hosted verification.
    prefix = assertion_url(uuid.UUID(int=0)).rsplit("/", 1)[0] + "/"
    return ob2_documents.issuer_document(
        id=issuer_url(),
        name=profile.name,
        url=profile.url,
        email=profile.email,
        description=profile.description,
        image_url=_absolute(profile.logo.url) if profile.logo else "",
        assertions_url_prefix=prefix,
    )


def badge_class_document(achievement: Achievement) -> dict:
    return ob2_documents.badge_class_document(
        id=badge_url(achievement.pk),
        name=achievement.name,
        description=achievement.description,
        image_url=services.absolute_url("achievement-image", pk=achievement.pk),
        criteria_url=services.absolute_url("achievement", pk=achievement.pk),
        criteria_narrative=achievement.criteria_narrative,
        issuer_url=issuer_url(),
        alignments=[
            AlignmentFacts(
                target_name=a.target_name,
                target_url=a.target_url,
                target_code=a.target_code,
                target_framework=a.target_framework,
            )
            for a in achievement.alignments.all()
        ],
        tags=achievement.tags or (),
    )


def _identifier(credential: Credential) -> dict:
    """The hashed e-mail identifier signed into the Open Badges 3.0 document."""
    return credential.document["credentialSubject"]["identifier"][0]


def assertion_document(credential: Credential) -> dict:
    """The hosted assertion of a credential in force (valid or expired)."""
    identifier = _identifier(credential)
    evidence = [
        ob2_documents.EvidenceFacts(
            name=item.get("name", ""), narrative=item.get("narrative", "")
        )
        for item in credential.document.get("evidence", [])
    ]
    return ob2_documents.assertion_document(
        id=assertion_url(credential.pk),
        badge_url=badge_url(credential.achievement_id),
        identity_hash=identifier["identityHash"],
        salt=identifier["salt"],
        issued_on=credential.awarded_at,
        expires=credential.valid_until,
        evidence=evidence,
    )


def revocation_reason(credential: Credential) -> str:
    if credential.status == Credential.Status.SUPERSEDED:
        reason = "Superseded by a corrected credential"
        if credential.superseded_by_id:
            reason += f": {assertion_url(credential.superseded_by_id)}"
        return reason
    return credential.revocation_reason


# --- views ----------------------------------------------------------------------------


@require_safe
def assertion(request: HttpRequest, pk) -> HttpResponse:
    credential = selectors.credential_public(pk)
    if credential is None:
        return _not_found(request, _("No such assertion."))
    if credential.status != Credential.Status.ACTIVE:
        document = ob2_documents.revoked_assertion_document(
            id=assertion_url(credential.pk), reason=revocation_reason(credential)
        )
        return _respond(request, document, status=410, max_age=60)
    return _respond(request, assertion_document(credential), max_age=60)


@require_safe
def badge_class(request: HttpRequest, pk: int) -> HttpResponse:
    achievement = selectors.achievement_public(pk)
    if achievement is None:
        return _not_found(request, _("No such badge."))
    return _respond(request, badge_class_document(achievement))


@require_safe
def issuer(request: HttpRequest) -> HttpResponse:
    return _respond(request, issuer_document())
