"""The learner's own credentials: "My credentials", downloads, sharing, choices.

Every view here is for the signed-in holder only: another person's credential
id answers 404, as an unknown one does. Downloads of a credential no longer in
force (revoked, or superseded by a corrected one) are refused with a message
that says why; the page points to the corrected credential.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from .. import badge_image, baking, policies, selectors, services, sharing
from ..forms import NameCorrectionForm
from ..models import Achievement, Credential, IssuerProfile, NameCorrection
from ..policies import CredentialRefused, CredentialState
from . import ob2
from .documents import VC_MEDIA_TYPE

PAPER_FIELDS = {"a4": ("pdf", "A4"), "letter": ("pdf_letter", "US-Letter")}


@dataclass(frozen=True)
class CredentialCard:
    """One credential as its holder sees it, with what they can do with it."""

    credential: Credential
    state: CredentialState
    public_url: str
    formatted_code: str
    issued_on: dt.date
    expires_on: dt.date | None
    pending_correction: NameCorrection | None
    last_decision: NameCorrection | None
    correction_form: NameCorrectionForm | None = None
    linkedin_url: str = ""
    x_url: str = ""
    facebook_url: str = ""
    renewable: bool = False

    @property
    def in_force(self) -> bool:
        """Valid or expired: the award stands, so its files are downloadable."""
        return self.state in (CredentialState.VALID, CredentialState.EXPIRED)

    @property
    def shareable(self) -> bool:
        return self.state == CredentialState.VALID

    @property
    def dom_id(self) -> str:
        return f"credential-{self.credential.pk}"


def _state(credential: Credential, now: dt.datetime) -> CredentialState:
    return policies.credential_state(
        revoked=credential.status == Credential.Status.REVOKED,
        superseded=credential.status == Credential.Status.SUPERSEDED,
        valid_until=credential.valid_until,
        now=now,
    )


def _local_date(moment: dt.datetime | None) -> dt.date | None:
    if moment is None:
        return None
    return moment.astimezone(timezone.get_default_timezone()).date()


def correction_form(credential_id, data=None) -> NameCorrectionForm:
    """The name correction form of one credential (ids unique on the page)."""
    return NameCorrectionForm(data, auto_id=f"correction-{credential_id}-%s")


def _card(
    credential: Credential,
    *,
    profile: IssuerProfile,
    now: dt.datetime,
    form: NameCorrectionForm | None = None,
) -> CredentialCard:
    corrections = list(credential.name_corrections.all())  # prefetched, newest first
    pending = next(
        (c for c in corrections if c.status == NameCorrection.Status.PENDING), None
    )
    decided = next(
        (c for c in corrections if c.status != NameCorrection.Status.PENDING), None
    )
    public_url = services.absolute_url("credential", pk=credential.pk)
    code = policies.format_verification_code(credential.verification_code)
    issued_on = _local_date(credential.awarded_at)
    expires_on = _local_date(credential.valid_until)
    card = CredentialCard(
        credential=credential,
        state=_state(credential, now),
        public_url=public_url,
        formatted_code=code,
        issued_on=issued_on,
        expires_on=expires_on,
        pending_correction=pending,
        last_decision=decided,
        renewable=credential.status != Credential.Status.SUPERSEDED
        and policies.may_renew(
            revoked=credential.status == Credential.Status.REVOKED,
            valid_until=credential.valid_until,
            renewal_window_days=credential.achievement.renewal_window_days,
            now=now,
        ),
    )
    if form is not None:  # a refused request: shown again with its reason
        card = dataclasses.replace(card, correction_form=form)
    elif card.in_force and pending is None:
        card = dataclasses.replace(card, correction_form=correction_form(credential.pk))
    if not card.shareable:
        return card
    name = credential.achievement.name
    return dataclasses.replace(
        card,
        linkedin_url=sharing.linkedin_add_url(
            name=name,
            organization_name=profile.name,
            issued_on=issued_on,
            expires_on=expires_on,
            cert_url=public_url,
            cert_id=code,
        ),
        x_url=sharing.x_share_url(
            text=_("I earned “%(name)s” from %(issuer)s.")
            % {"name": name, "issuer": profile.name},
            url=public_url,
        ),
        facebook_url=sharing.facebook_share_url(url=public_url),
    )


def _cards(
    learner, *, bound: tuple[object, NameCorrectionForm] | None = None
) -> list[CredentialCard]:
    """The learner's credentials, newest first, in a fixed number of queries."""
    credentials = selectors.learner_credentials(learner).prefetch_related(
        Prefetch(
            "name_corrections",
            queryset=NameCorrection.objects.order_by("-requested_at", "-pk"),
        )
    )
    profile = services.issuer_profile()
    now = timezone.now()
    return [
        _card(
            c,
            profile=profile,
            now=now,
            form=bound[1] if bound and bound[0] == c.pk else None,
        )
        for c in credentials
    ]


def _mine_page(
    request: HttpRequest,
    *,
    bound: tuple[object, NameCorrectionForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "credentials/mine.html",
        {"cards": _cards(request.user, bound=bound)},
        status=status,
    )


def _own_credential(request: HttpRequest, pk) -> Credential:
    """The signed-in learner's credential; anyone else's is a 404."""
    return get_object_or_404(
        Credential.objects.select_related(
            "achievement__microcredential", "achievement__pathway"
        ),
        pk=pk,
        learner=request.user,
    )


def _mine_url(credential: Credential | None = None) -> str:
    url = reverse("credentials:mine")
    return f"{url}#credential-{credential.pk}" if credential is not None else url


def _downloadable(request: HttpRequest, credential: Credential) -> HttpResponse | None:
    """A redirect with a message when the credential is not in force, else None."""
    if credential.status == Credential.Status.ACTIVE:
        return None
    if credential.status == Credential.Status.SUPERSEDED:
        messages.error(
            request,
            _(
                "This credential was replaced by a corrected one; download the "
                "corrected credential instead."
            ),
        )
    else:
        messages.error(
            request,
            _("This credential was revoked, so it can no longer be downloaded."),
        )
    return redirect(_mine_url(credential))


def _attachment(data: bytes, *, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- the page ---------------------------------------------------------------------


@require_GET
@login_required
def mine(request: HttpRequest) -> HttpResponse:
    return _mine_page(request)


# --- downloads --------------------------------------------------------------------


@require_GET
@login_required
def certificate_pdf(request: HttpRequest, pk) -> HttpResponse:
    """The PDF certificate, A4 or (``?paper=letter``) US Letter."""
    credential = _own_credential(request, pk)
    refused = _downloadable(request, credential)
    if refused is not None:
        return refused
    paper = request.GET.get("paper", "a4").lower()
    field, label = PAPER_FIELDS.get(paper, PAPER_FIELDS["a4"])
    stored = getattr(credential, field)
    if not stored and credential.pdf_rendered_at is not None:
        # Issued in bulk: one paper size was rendered, this one is made now.
        services.certificate_render(
            credential_id=credential.pk, papers=(services.paper_of(field),)
        )
        credential.refresh_from_db(fields=[field])
        stored = getattr(credential, field)
    if not stored:
        messages.info(
            request,
            _(
                "Your certificate is still being prepared. Try again in a minute; "
                "the other downloads are ready."
            ),
        )
        return redirect(_mine_url(credential))
    response = FileResponse(
        stored.open("rb"),
        as_attachment=True,
        filename=f"certificate-{credential.verification_code}-{label}.pdf",
        content_type="application/pdf",
    )
    response["Cache-Control"] = "private, no-store"
    return response


def achievement_png(achievement: Achievement) -> bytes:
    """The achievement's image as PNG: the uploaded one, or the generated badge."""
    if achievement.image:
        with achievement.image.open("rb") as handle:
            data = handle.read()
        if data.startswith(b"\x89PNG\r\n\x1a\n"):
            return data
        from PIL import Image

        with Image.open(io.BytesIO(data)) as image:
            converted = io.BytesIO()
            image.save(converted, format="PNG")
            return converted.getvalue()
    course, pathway = achievement.microcredential, achievement.pathway
    code = course.code if course else pathway.code
    return badge_image.render_badge_png(achievement.name, code.upper(), code)


@require_GET
@login_required
def badge_png(request: HttpRequest, pk) -> HttpResponse:
    """The badge image baked with the signed Open Badges 3.0 credential."""
    credential = _own_credential(request, pk)
    refused = _downloadable(request, credential)
    if refused is not None:
        return refused
    baked = baking.bake(achievement_png(credential.achievement), credential.document)
    return _attachment(
        baked,
        filename=f"badge-{credential.verification_code}.png",
        content_type="image/png",
    )


@require_GET
@login_required
def badge_ob2_png(request: HttpRequest, pk) -> HttpResponse:
    """The badge image baked with the Open Badges 2.0 hosted assertion."""
    credential = _own_credential(request, pk)
    refused = _downloadable(request, credential)
    if refused is not None:
        return refused
    baked = baking.bake_ob2(
        achievement_png(credential.achievement), ob2.assertion_document(credential)
    )
    return _attachment(
        baked,
        filename=f"badge-{credential.verification_code}-ob2.png",
        content_type="image/png",
    )


@require_GET
@login_required
def credential_json(request: HttpRequest, pk) -> HttpResponse:
    """The signed credential, for a wallet: ``application/vc+ld+json``."""
    credential = _own_credential(request, pk)
    refused = _downloadable(request, credential)
    if refused is not None:
        return refused
    text = json.dumps(credential.document, ensure_ascii=False, indent=2)
    return _attachment(
        text.encode("utf-8"),
        filename=f"credential-{credential.verification_code}.json",
        content_type=VC_MEDIA_TYPE,
    )


# --- the holder's choices -----------------------------------------------------------


@require_POST
@login_required
def public_name(request: HttpRequest, pk) -> HttpResponse:
    """Show or hide the holder's name on the public verification page."""
    credential = _own_credential(request, pk)
    show = request.POST.get("show", "") in ("1", "true", "on", "yes")
    credential = services.credential_set_public_name(
        credential_id=credential.pk, learner=request.user, show=show
    )
    if request.htmx:
        return render(
            request, "credentials/_mine_public_name.html", {"credential": credential}
        )
    if credential.show_name:
        messages.success(request, _("Your name now shows on the public page."))
    else:
        messages.success(request, _("Your name is now hidden on the public page."))
    return redirect(_mine_url(credential))


@require_http_methods(["GET", "POST"])
@login_required
def name_correction(request: HttpRequest, pk) -> HttpResponse:
    """Ask a registrar to correct the name printed on a credential."""
    credential = _own_credential(request, pk)
    if request.method == "GET":
        return redirect(_mine_url(credential))
    form = correction_form(credential.pk, request.POST)
    if form.is_valid():
        try:
            services.credential_name_correction_request(
                credential_id=credential.pk,
                learner=request.user,
                requested_name=form.cleaned_data["requested_name"],
                reason=form.cleaned_data["reason"],
            )
        except CredentialRefused as refusal:
            form.add_error(None, refusal.message)
        else:
            messages.success(
                request,
                _(
                    "Your request is sent. A registrar will review it; you will "
                    "see the decision here."
                ),
            )
            return redirect(_mine_url(credential))
    return _mine_page(request, bound=(credential.pk, form), status=422)
