"""Public pages, for anyone and no account: a credential's verification page,
lookup by verification code, verification of an uploaded credential, and an
achievement's criteria page. Each view parses, calls one verification or
selector, and renders; nothing here writes.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from courses.rendering import rich_text

from .. import documents, policies, selectors, services, verification
from ..models import Achievement, Credential
from .documents import credential_json, json_document, wants_json

UPLOAD_FIELD = "credential"


def _credit_label(achievement: Achievement, *, issuer_name: str) -> dict[str, object]:
    """Non-credit vs for-credit (value and institution): never blurred."""
    course = achievement.microcredential
    if course is None:
        return {
            "for_credit": False,
            "badge": _("Non-credit certificate"),
            "text": _("A pathway certificate: carries no academic credit of its own."),
        }
    if course.is_for_credit:
        return {
            "for_credit": True,
            "badge": _("For-credit microcredential"),
            "value": course.credit_value,
            "institution": course.credit_institution or issuer_name,
        }
    return {
        "for_credit": False,
        "badge": _("Non-credit microcredential"),
        "text": _("Carries no academic credit."),
    }


def _share_facts(credential: Credential, summary) -> dict[str, str]:
    """Open Graph and Twitter card text; the name only if the holder allows it."""
    achievement = credential.achievement
    issuer = summary.issuer_name if summary else ""
    if credential.show_name:
        description = _("%(name)s earned %(achievement)s from %(issuer)s.") % {
            "name": credential.recipient_name,
            "achievement": achievement.name,
            "issuer": issuer,
        }
    else:
        description = _("A %(achievement)s credential issued by %(issuer)s.") % {
            "achievement": achievement.name,
            "issuer": issuer,
        }
    return {
        # Neutral: previews are cached by the sites showing them, and the
        # credential may be revoked or expire after it was shared.
        "title": _("%(achievement)s — credential from %(issuer)s")
        % {"achievement": achievement.name, "issuer": issuer},
        "description": description + " " + _("Check that it is genuine and current."),
        "image": services.absolute_url("achievement-image", pk=achievement.pk),
        "url": services.absolute_url("credential", pk=credential.pk),
    }


@require_GET
def credential(request: HttpRequest, pk: str) -> HttpResponse:
    """The verification page; the signed credential for a JSON client."""
    if wants_json(request):
        return credential_json(request, pk)
    found = selectors.credential_public(pk)
    if found is None:
        raise Http404(_("No credential has this address."))
    report = verification.verify_stored_credential(found, now=timezone.now())
    summary = report.summary
    achievement = found.achievement
    issuer = services.issuer_profile()
    context = {
        "credential": found,
        "achievement": achievement,
        "report": report,
        "summary": summary,
        "issuer": issuer,
        "credit": _credit_label(achievement, issuer_name=issuer.name),
        "criteria_html": rich_text(
            summary.criteria_narrative if summary else achievement.criteria_narrative
        ),
        "code": policies.format_verification_code(found.verification_code),
        "share": _share_facts(found, summary),
        "api_url": reverse(
            "api:credential-verification", kwargs={"credential_id": found.pk}
        ),
    }
    return render(request, "credentials/verify.html", context)


def _lookup_page(request: HttpRequest, status: int = 200, **context) -> HttpResponse:
    context.setdefault("code", "")
    context.setdefault("max_upload_mb", verification.MAX_UPLOAD_BYTES // 2**20)
    return render(request, "credentials/lookup.html", context, status=status)


@require_GET
def lookup(request: HttpRequest) -> HttpResponse:
    """Enter a verification code: its credential's page, or the form again."""
    if "code" not in request.GET:
        return _lookup_page(request)
    typed = request.GET["code"].strip()[:64]
    if not typed:
        error = _("Enter the verification code printed on the certificate.")
    elif policies.normalise_verification_code(typed) is None:
        error = _(
            "A verification code has 10 letters and digits, like 7K4P-9QXR-2H. "
            "Check what you typed."
        )
    else:
        found = selectors.credential_by_code(typed)
        if found is not None:
            return redirect("credentials:credential", pk=found.pk)
        error = _("No credential has this code. Check what you typed.")
    return _lookup_page(request, code=typed, code_error=error)


@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest) -> HttpResponse:
    """Verify an uploaded .json credential or baked .png badge; nothing is kept."""
    if request.method == "GET":
        return _lookup_page(request)
    uploaded = request.FILES.get(UPLOAD_FIELD)
    if uploaded is None:
        return _lookup_page(
            request,
            status=400,
            upload_error=_(
                "Choose a file to check: a credential (.json) or a baked badge "
                "image (.png)."
            ),
        )
    try:
        report = verification.verify_upload(uploaded, now=timezone.now())
    except verification.UploadRefused as refused:
        return _lookup_page(
            request, status=400, upload_error=refused.message, file_name=uploaded.name
        )
    return _lookup_page(request, upload_report=report, file_name=uploaded.name)


@require_GET
def achievement(request: HttpRequest, pk: int) -> HttpResponse:
    """The criteria page; the OB 3.0 Achievement for a JSON client."""
    found = selectors.achievement_public(pk)
    if found is None:
        raise Http404(_("No achievement has this address."))
    if wants_json(request):
        document = {
            "@context": list(documents.CONTEXTS),
            **documents.achievement_document(services.achievement_facts(found)),
        }
        return json_document(document, content_type="application/ld+json")
    pathway = found.pathway
    issuer = services.issuer_profile()
    context = {
        "achievement": found,
        "issuer": issuer,
        "course": found.microcredential,
        "pathway": pathway,
        "members": list(pathway.microcredentials.all()) if pathway else [],
        "criteria_html": rich_text(found.criteria_narrative),
        "credit": _credit_label(found, issuer_name=issuer.name),
        "image_url": reverse("credentials:achievement-image", kwargs={"pk": found.pk}),
        "share_image": services.absolute_url("achievement-image", pk=found.pk),
        "page_url": services.absolute_url("achievement", pk=found.pk),
    }
    return render(request, "credentials/achievement.html", context)
