"""Learner-facing pages: catalog, course page, registration, dashboard, learning."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from assessments import selectors as assessment_selectors
from microcred.roles import is_instructor, is_registrar
from notices import selectors as notice_reads
from plar import selectors as plar_selectors

from . import caching, notifications, selectors, services
from .models import (
    ContentItem,
    CreditStatus,
    DeliveryMode,
    Enrolment,
    ItemProgress,
    Language,
    Level,
    Microcredential,
    Reflection,
)
from .policies import PolicyError

CATALOG_PAGE_SIZE = 24


def _choice(value: str, choices) -> str:
    return value if value in choices.values else ""


def _catalog_filters(request: HttpRequest) -> selectors.CatalogFilters:
    """Read filters from the query string; unknown values are ignored, never a 500."""
    params = request.GET
    pathway = params.get("pathway", "")[:120]
    return selectors.CatalogFilters(
        q=" ".join(params.get("q", "").split())[:200],
        language=_choice(params.get("language", ""), Language),
        level=_choice(params.get("level", ""), Level),
        credit_status=_choice(params.get("credit_status", ""), CreditStatus),
        delivery_mode=_choice(params.get("delivery_mode", ""), DeliveryMode),
        pathway=pathway
        if selectors.published_pathways().filter(slug=pathway).exists()
        else "",
    )


def _catalog_results(filters: selectors.CatalogFilters, page_number: str) -> str:
    def render() -> str:
        paginator = Paginator(selectors.catalog_list(filters), CATALOG_PAGE_SIZE)
        page = paginator.get_page(page_number)
        query = urlencode({k: v for k, v in vars(filters).items() if v})
        return render_to_string(
            "courses/_catalog_results.html",
            {"page": page, "courses": page.object_list, "query_string": query},
        )

    return caching.cached_fragment("catalog-results", (filters, page_number), render)


@require_GET
def catalog(request: HttpRequest) -> HttpResponse:
    filters = _catalog_filters(request)
    page_number = request.GET.get("page", "1")[:12]
    results_html = _catalog_results(filters, page_number)
    if request.htmx:
        return HttpResponse(results_html)

    def render_filters() -> str:
        return render_to_string(
            "courses/_catalog_filters.html",
            {
                "filters": filters,
                "languages": Language.choices,
                "levels": Level.choices,
                "credit_statuses": CreditStatus.choices,
                "delivery_modes": DeliveryMode.choices,
                "pathways": selectors.published_pathways(),
                "any_filter": any(vars(filters).values()),
            },
        )

    return render(
        request,
        "courses/catalog.html",
        {
            "results_html": results_html,
            "filters_html": caching.cached_fragment(
                "catalog-filters", (filters,), render_filters
            ),
        },
    )


@require_GET
def course_detail(request: HttpRequest, slug: str) -> HttpResponse:
    course = get_object_or_404(Microcredential.objects.published(), slug=slug)
    now = timezone.now()

    def render_part(template: str) -> Callable[[], str]:
        def render() -> str:
            full = selectors.course_detail(slug, now=now)
            modules = list(full.modules.all())
            return render_to_string(
                template,
                {
                    "course": full,
                    "modules": modules,
                    "total_minutes": sum(m.estimated_minutes for m in modules),
                    "pathways": full.pathways.all(),
                },
            )

        return render

    current = plar_request = None
    if request.user.is_authenticated:
        current = (
            Enrolment.objects.filter(learner=request.user, microcredential=course)
            .exclude(status=Enrolment.Status.WITHDRAWN)
            .order_by("status")
            .first()
        )
        if course.plar_offered:
            plar_request = plar_selectors.open_request(request.user, course)
    context = {
        "course": course,
        "enrolment": current,
        "plar_request": plar_request,
        # "Already have these skills?": for a learner not (or no longer) in the
        # course, or with a PLAR request under way.
        "show_plar_box": course.plar_offered
        and (
            plar_request is not None
            or current is None
            or current.status == Enrolment.Status.ENDED
        ),
        "open_offerings": selectors.open_offerings(course, now=now),
        "header_html": caching.cached_fragment(
            "course-header", (course.pk,), render_part("courses/_course_header.html")
        ),
        "body_html": caching.cached_fragment(
            "course-body", (course.pk,), render_part("courses/_course_body.html")
        ),
    }
    return render(request, "courses/detail.html", context)


@require_POST
def register(request: HttpRequest, offering_id: int) -> HttpResponse:
    if not request.user.is_authenticated:
        course = Microcredential.objects.filter(offerings__pk=offering_id).first()
        messages.info(request, _("Sign in or create an account to register."))
        target = course.get_absolute_url() if course else reverse("courses:catalog")
        return redirect(f"{reverse('account_login')}?next={target}")
    try:
        enrolment = services.enrolment_register(
            learner=request.user, offering_id=offering_id
        )
    except PolicyError as refusal:
        messages.error(request, str(refusal))
        course = (
            Microcredential.objects.filter(offerings__pk=offering_id)
            .published()
            .first()
        )
        return redirect(course.get_absolute_url() if course else "courses:catalog")
    return redirect("courses:confirmed", enrolment_id=enrolment.pk)


def _own_enrolment(request: HttpRequest, enrolment_id: int) -> Enrolment:
    """The signed-in learner's enrolment; anyone else's is a 404."""
    return get_object_or_404(
        Enrolment.objects.select_related("microcredential", "offering"),
        pk=enrolment_id,
        learner=request.user,
    )


@require_GET
@login_required
def registration_confirmed(request: HttpRequest, enrolment_id: int) -> HttpResponse:
    enrolment = _own_enrolment(request, enrolment_id)
    return render(
        request,
        "courses/confirmed.html",
        {"enrolment": enrolment, "course": enrolment.microcredential},
    )


@require_GET
@login_required
def enrolment_calendar(request: HttpRequest, enrolment_id: int) -> HttpResponse:
    enrolment = _own_enrolment(request, enrolment_id)
    response = HttpResponse(
        notifications.enrolment_calendar(enrolment),
        content_type="text/calendar; charset=utf-8",
    )
    filename = f"{enrolment.microcredential.code}-dates.ics"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    enrolments = list(selectors.learner_enrolments(request.user))
    progress = selectors.enrolment_progress_map([e.pk for e in enrolments])
    plar_requests = list(plar_selectors.learner_requests(request.user))
    plar_by_enrolment = {r.enrolment_id: r for r in plar_requests if r.enrolment_id}
    now = timezone.now()
    # Courses the learner is in (or has completed) on any route: an ended PLAR
    # route there needs no "register for the full course" any more.
    taken = {
        e.microcredential_id
        for e in enrolments
        if e.status in (Enrolment.Status.ACTIVE, Enrolment.Status.COMPLETED)
    }
    rows = []
    for enrolment in enrolments:
        done, total = progress.get(enrolment.pk, (0, 0))
        row = {
            "enrolment": enrolment,
            "done": done,
            "total": total,
            "percent": round(100 * done / total) if total else 0,
            "plar_request": plar_by_enrolment.get(enrolment.pk),
            "offerings": [],
        }
        if (
            enrolment.status == Enrolment.Status.ENDED
            and row["plar_request"]
            and enrolment.microcredential_id not in taken
        ):
            # The next step after a PLAR route without a pass: one query per
            # ended route, of which a learner has at most one per course.
            row["offerings"] = selectors.open_offerings(
                enrolment.microcredential, now=now
            )
        rows.append(row)
    unread_notices, unread_count = notice_reads.latest_unread(request.user)
    return render(
        request,
        "courses/dashboard.html",
        {
            "active": [r for r in rows if r["enrolment"].is_active],
            "finished": [r for r in rows if not r["enrolment"].is_active],
            "pathways": selectors.learner_pathways(request.user),
            "plar_requests": plar_requests,
            "unread_notices": unread_notices,
            "notices_unread": unread_count,  # the navigation's count, no query
        },
    )


def _outline(enrolment: Enrolment):
    course = selectors.course_for_learning(enrolment.microcredential_id)
    items = selectors.ordered_items(course)
    completed = set(
        ItemProgress.objects.filter(
            enrolment=enrolment, completed_at__isnull=False
        ).values_list("item_id", flat=True)
    )
    return course, items, completed


@require_GET
@login_required
def learn(request: HttpRequest, enrolment_id: int) -> HttpResponse:
    enrolment = _own_enrolment(request, enrolment_id)
    course, items, completed = _outline(enrolment)
    next_item = enrolment.last_item if enrolment.last_item_id else None
    if next_item is None or next_item.pk in completed:
        next_item = next((i for i in items if i.pk not in completed), None)
    checks = _checks(enrolment)
    diagnostic_check = next((c for c in checks["all"] if c.is_diagnostic), None)
    diagnostic = None
    if diagnostic_check is not None and diagnostic_check.last_attempt is not None:
        diagnostic = assessment_selectors.diagnostic_result(
            diagnostic_check.last_attempt
        )
    return render(
        request,
        "courses/learn.html",
        {
            "enrolment": enrolment,
            "course": course,
            "items": items,
            "completed": completed,
            "next_item": next_item,
            "percent": round(100 * len(completed) / len(items)) if items else 0,
            "checks": checks["in_modules"],
            "loose_checks": checks["loose"],
            "diagnostic_check": diagnostic_check,
            "diagnostic": diagnostic,
        },
    )


def _checks(enrolment: Enrolment) -> dict[str, list]:
    """The course's formative checks and diagnostic with the learner's standing:
    ``in_modules`` (formatives shown in the outline under their module),
    ``loose`` (formatives in no module) and ``all``."""
    every = assessment_selectors.learner_checks(enrolment)
    formatives = [check for check in every if not check.is_diagnostic]
    return {
        "all": every,
        "in_modules": [check for check in formatives if check.module_id],
        "loose": [check for check in formatives if not check.module_id],
    }


def _item_context(course, items, item: ContentItem) -> dict:
    index = next(i for i, candidate in enumerate(items) if candidate.pk == item.pk)
    return {
        "course": course,
        "items": items,
        "item": item,
        "module": item.module,
        "previous_item": items[index - 1] if index > 0 else None,
        "next_item": items[index + 1] if index + 1 < len(items) else None,
        "position": index + 1,
        "choices": list(item.choices.all()) if item.kind == "scenario" else [],
    }


@require_GET
@login_required
def item(request: HttpRequest, enrolment_id: int, item_id: int) -> HttpResponse:
    enrolment = _own_enrolment(request, enrolment_id)
    course, items, completed = _outline(enrolment)
    current = next((i for i in items if i.pk == item_id), None)
    if current is None:
        raise Http404(_("This item is not part of the microcredential."))
    progress = services.item_visit(
        learner=request.user, enrolment_id=enrolment.pk, item_id=current.pk
    )
    reflection = (
        Reflection.objects.filter(enrolment=enrolment, item=current).first()
        if current.kind == "reflection"
        else None
    )
    checks = _checks(enrolment)
    context = _item_context(course, items, current) | {
        "enrolment": enrolment,
        "checks": checks["in_modules"],
        "loose_checks": checks["loose"],
        "module_checks": [
            check
            for check in checks["in_modules"]
            if check.module_id == current.module_id
        ],
        "completed": completed,
        "is_complete": current.pk in completed,
        "progress": progress,
        "chosen": progress.scenario_choice,
        "reflection_text": reflection.text if reflection else "",
        "reflection_saved_at": reflection.updated_at if reflection else None,
    }
    return render(request, "courses/item.html", context)


@require_POST
@login_required
def item_complete(
    request: HttpRequest, enrolment_id: int, item_id: int
) -> HttpResponse:
    enrolment = _own_enrolment(request, enrolment_id)
    completed = request.POST.get("completed", "1") != "0"
    try:
        services.item_complete(
            learner=request.user,
            enrolment_id=enrolment.pk,
            item_id=item_id,
            completed=completed,
        )
    except PolicyError as refusal:
        messages.error(request, str(refusal))
        return redirect("courses:item", enrolment_id=enrolment.pk, item_id=item_id)
    if request.htmx:
        return render(
            request,
            "courses/_complete_button.html",
            {"enrolment": enrolment, "item_id": item_id, "is_complete": completed},
        )
    if completed:
        course, items, _done = _outline(enrolment)
        following = _next_after(items, item_id)
        if following is not None:
            return redirect(
                "courses:item", enrolment_id=enrolment.pk, item_id=following.pk
            )
        messages.success(request, _("You have completed every item. Well done!"))
        return redirect("courses:learn", enrolment_id=enrolment.pk)
    return redirect("courses:item", enrolment_id=enrolment.pk, item_id=item_id)


def _next_after(items: list[ContentItem], item_id: int) -> ContentItem | None:
    ids = [i.pk for i in items]
    if item_id not in ids:
        return None
    index = ids.index(item_id)
    return items[index + 1] if index + 1 < len(items) else None


@require_POST
@login_required
def reflection_save(
    request: HttpRequest, enrolment_id: int, item_id: int
) -> HttpResponse:
    enrolment = _own_enrolment(request, enrolment_id)
    text = request.POST.get("text", "")
    try:
        reflection = services.reflection_save(
            learner=request.user, enrolment_id=enrolment.pk, item_id=item_id, text=text
        )
    except PolicyError as refusal:
        if request.htmx:
            return render(
                request,
                "courses/_saved_state.html",
                {"error": str(refusal)},
                status=422,
            )
        messages.error(request, str(refusal))
        return redirect("courses:item", enrolment_id=enrolment.pk, item_id=item_id)
    if request.htmx:
        return render(
            request, "courses/_saved_state.html", {"saved_at": reflection.updated_at}
        )
    messages.success(request, _("Your reflection is saved."))
    return redirect("courses:item", enrolment_id=enrolment.pk, item_id=item_id)


@require_POST
@login_required
def scenario_choose(
    request: HttpRequest, enrolment_id: int, item_id: int
) -> HttpResponse:
    enrolment = _own_enrolment(request, enrolment_id)
    try:
        choice_id = int(request.POST.get("choice", ""))
        choice = services.scenario_choose(
            learner=request.user,
            enrolment_id=enrolment.pk,
            item_id=item_id,
            choice_id=choice_id,
        )
    except ValueError:
        messages.error(request, _("Choose one of the options."))
        return redirect("courses:item", enrolment_id=enrolment.pk, item_id=item_id)
    except PolicyError as refusal:
        messages.error(request, str(refusal))
        return redirect("courses:item", enrolment_id=enrolment.pk, item_id=item_id)
    if request.htmx:
        return render(request, "courses/_consequence.html", {"chosen": choice})
    return redirect(
        reverse(
            "courses:item", kwargs={"enrolment_id": enrolment.pk, "item_id": item_id}
        )
        + "#consequence"
    )


@require_GET
@login_required
def item_preview(request: HttpRequest, item_id: int) -> HttpResponse:
    """Staff see an item as a learner would, without an enrolment."""
    if not (is_instructor(request.user) or is_registrar(request.user)):
        raise PermissionDenied
    current = get_object_or_404(
        ContentItem.objects.select_related("module"), pk=item_id
    )
    editable = Microcredential.objects.editable_by(request.user).filter(
        pk=current.module.microcredential_id
    )
    if not (is_registrar(request.user) or editable.exists()):
        raise Http404
    course = selectors.course_for_learning(current.module.microcredential_id)
    items = selectors.ordered_items(course)
    context = _item_context(course, items, current) | {
        "preview": True,
        "completed": set(),
        "is_complete": False,
        "chosen": None,
        "reflection_text": "",
    }
    return render(request, "courses/item.html", context)
