"""Machine-readable documents, public and cacheable: the signed credential,
achievements, the status list and the issuer's DID document."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_GET

from .. import badge_image, identity, selectors

VC_MEDIA_TYPE = "application/vc+ld+json"
JSON_TYPES = (VC_MEDIA_TYPE, "application/ld+json", "application/json")


def wants_json(request: HttpRequest) -> bool:
    """Content negotiation: JSON when the client prefers one of JSON_TYPES."""
    accepted = request.get_preferred_type(["text/html", *JSON_TYPES])
    return accepted in JSON_TYPES


def json_document(document: dict, *, content_type: str, max_age: int = 300):
    response = JsonResponse(
        document, content_type=content_type, json_dumps_params={"ensure_ascii": False}
    )
    response["Cache-Control"] = f"public, max-age={max_age}"
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_GET
def credential_json(request: HttpRequest, pk: str) -> HttpResponse:
    found = selectors.credential_public(pk)
    if found is None:
        raise Http404
    return json_document(found.document, content_type=VC_MEDIA_TYPE)


@require_GET
def status_list_document(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.status_list(pk)
    if found is None or not found.document:
        raise Http404
    # Verifiers must see a revocation quickly: a short cache.
    return json_document(found.document, content_type=VC_MEDIA_TYPE, max_age=60)


@require_GET
def did_document(request: HttpRequest) -> HttpResponse:
    if not identity.did_web_domain():
        raise Http404("No did:web domain is configured; the issuer uses did:key.")
    document = identity.did_web_document(selectors.published_keys())
    return json_document(document, content_type="application/did+ld+json")


@require_GET
def achievement_image(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.achievement_public(pk)
    if found is None:
        raise Http404
    if found.image:
        with found.image.open("rb") as handle:
            data = handle.read()
    else:
        course, pathway = found.microcredential, found.pathway
        code = course.code if course else pathway.code
        data = badge_image.render_badge_png(found.name, code.upper(), code)
    response = HttpResponse(data, content_type="image/png")
    response["Cache-Control"] = "public, max-age=86400"
    return response
