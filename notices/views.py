"""The person's side of notices: their notifications, marking them read,
their notification settings, and the one-click unsubscribe link from an
e-mail (signed, no sign-in needed).

The staff page of a course's notices is in ``staff_views``.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import F
from django.db.models.lookups import IsNull
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from microcred.roles import is_staff_member

from . import emails, services
from .forms import MarkReadForm, PreferencesForm
from .kinds import KINDS, NoticeKind
from .models import NoticePreference
from .policies import Kind
from .selectors import in_app, unread_count, with_links

PAGE_SIZE = 50

# E-mails sent by other parts of the product that no setting turns off.
OTHER_ALWAYS_SENT = (
    gettext_lazy("Registration confirmation"),
    gettext_lazy("Feedback released on an attempt"),
    gettext_lazy("Decisions on your prior learning (PLAR) requests and appeals"),
)

# What the link of each notice in the list says.
ACTION_LABELS = {
    Kind.SUMMATIVE_DUE: gettext_lazy("Go to the summative assessment"),
    Kind.END_DATE: gettext_lazy("Continue learning"),
    Kind.INACTIVITY: gettext_lazy("Continue learning"),
    Kind.SECOND_ATTEMPT: gettext_lazy("Go to the summative assessment"),
    Kind.GRADING_OVERDUE: gettext_lazy("Grade the attempt"),
    Kind.COURSE_REVIEW: gettext_lazy("Open the course"),
    Kind.CREDENTIAL_ISSUED: gettext_lazy("See your credential"),
    Kind.CREDENTIAL_EXPIRING: gettext_lazy("See how to renew it"),
    Kind.CREDENTIAL_CLAIM: gettext_lazy("See your credentials"),
}


def _label_actions(notices):
    for notice in with_links(notices):
        notice.action_label = ACTION_LABELS.get(Kind(notice.kind), _("Open"))
    return notices


# --- the list ----------------------------------------------------------------------


@require_GET
@login_required
def notice_list(request: HttpRequest) -> HttpResponse:
    """The person's notifications: unread first, newest first, 50 a page."""
    queryset = (
        in_app(request.user)
        .select_related("course")
        .order_by(IsNull(F("read_at"), True).desc(), "-created_at", "-pk")
    )
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    _label_actions(page.object_list)
    return render(request, "notices/list.html", {"page": page})


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "notices:list"


@require_POST
@login_required
def mark_read(request: HttpRequest) -> HttpResponse:
    """Mark one notice (``notice``) or all of the person's notices read.

    Another person's notice is a 404 and nothing changes. From htmx, the
    notice's row comes back, with the new unread count for the navigation.
    """
    form = MarkReadForm(request.POST)
    if not form.is_valid():
        message = _("That notification could not be found; nothing was changed.")
        if request.htmx:
            return render(
                request, "notices/_announce.html", {"message": message}, status=422
            )
        messages.error(request, message)
        return redirect("notices:list")
    notice_id = form.cleaned_data["notice"]
    if notice_id is None:
        count = services.notices_mark_read(user=request.user)
        messages.success(
            request,
            ngettext(
                "%(count)d notification marked as read.",
                "%(count)d notifications marked as read.",
                count,
            )
            % {"count": count},
        )
        return redirect(_next_url(request))
    own = in_app(request.user).select_related("course")
    get_object_or_404(own, pk=notice_id)
    services.notices_mark_read(user=request.user, notice_ids=[notice_id])
    if request.htmx:
        notice = _label_actions([own.get(pk=notice_id)])[0]
        return render(
            request,
            "notices/_marked_read.html",
            {"notice": notice, "unread": unread_count(request.user)},
        )
    messages.success(request, _("Notification marked as read."))
    return redirect(_next_url(request))


# --- settings ----------------------------------------------------------------------


def _visible_kinds(user) -> list[NoticeKind]:
    """Learners see the learner kinds; staff also see the staff kinds."""
    audiences = {"learner", "staff"} if is_staff_member(user) else {"learner"}
    return [d for d in KINDS.values() if d.audience in audiences]


@require_http_methods(["GET", "POST"])
@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    visible = _visible_kinds(request.user)
    optional = [d for d in visible if d.optional]
    stored = NoticePreference.objects.filter(user=request.user).first()
    disabled = set(stored.disabled_kinds) if stored else set()
    form = PreferencesForm(
        request.POST if request.method == "POST" else None,
        optional_kinds=optional,
        disabled=disabled,
        digest=bool(stored and stored.digest),
    )
    if request.method == "POST" and form.is_valid():
        shown = {d.kind.value for d in optional}
        # Kinds not on this person's form keep what they were.
        services.preferences_save(
            user=request.user,
            disabled_kinds=sorted(form.disabled_kinds() | (disabled - shown)),
            digest=form.cleaned_data["digest"],
        )
        messages.success(request, _("Your notification settings are saved."))
        return redirect("notices:preferences")
    always = [d.label for d in visible if not d.optional] + list(OTHER_ALWAYS_SENT)
    return render(
        request, "notices/preferences.html", {"form": form, "always_sent": always}
    )


# --- one-click unsubscribe -----------------------------------------------------------


def _unsubscribe_target(token: str):
    """(person, kind definition) named by a valid token, else None."""
    parsed = emails.read_unsubscribe_token(token)
    if parsed is None:
        return None
    user_id, kind = parsed
    definition = KINDS.get(Kind(kind)) if kind in Kind else None
    if definition is None or not definition.optional:
        return None
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None:
        return None
    return user, definition


@csrf_exempt  # RFC 8058: mail clients POST without a CSRF token; the token signs
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks (a link scanner following it changes nothing); POST, from the
    page or from a mail client's one-click, turns that kind of e-mail off."""
    target = _unsubscribe_target(token)
    if target is None:
        return render(request, "notices/unsubscribe_invalid.html", status=404)
    user, definition = target
    language = (
        translation.get_language()
        if "django_language" in request.COOKIES
        else user.preferred_language
    )
    with translation.override(language):
        if request.method == "POST":
            services.unsubscribe(user_id=user.pk, kind=definition.kind.value)
            return render(
                request, "notices/unsubscribed.html", {"definition": definition}
            )
        return render(
            request,
            "notices/unsubscribe.html",
            {"definition": definition, "token": token},
        )


from .staff_views import course_notices  # noqa: E402, F401
