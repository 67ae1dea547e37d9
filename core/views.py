from django.conf import settings
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from institutions import permissions, selectors
from reports import cache as report_cache
from reports.selectors import todos as todo_selectors
from volunteers import selectors as volunteer_selectors

from .health import broker_status, database_status


@require_GET
def home(request):
    """Anonymous visitors see the public landing page; staff the units where volunteers work
    (the ministry an overview of both institutions) and what waits for them there; anyone
    else (a volunteer) their own page."""
    if not request.user.is_authenticated:
        return render(request, "core/landing.html")
    if permissions.is_staff_role(request.user):
        blocks = selectors.unit_overview(user=request.user, volunteer_work_only=True)
        unit_ids = tuple(sorted({row.unit.pk for block in blocks for row in block.rows}))
        # Kept under the reports' generation (renewed by any committed change of an application):
        # at national scale the count is the home page's slowest query.
        counts = report_cache.remember(
            ("home:application-counts", unit_ids),
            lambda: volunteer_selectors.application_counts_by_unit(unit_ids),
        )
        blocks = selectors.with_figures(blocks, counts, user=request.user, keys=("open", "active"))
        todos = todo_selectors.todos_for(
            user=request.user, institution_codes={block.institution.code for block in blocks}
        )
        return render(
            request,
            "core/home_staff.html",
            {
                "blocks": blocks,
                "todos": todos,
                "waiting_days": todo_selectors.WAITING_DAYS,
            },
        )
    if hasattr(request.user, "volunteer"):
        return redirect("volunteers:my_applications")
    roles = permissions.roles_for(request.user)
    if roles.award_admin or roles.juror:
        return redirect("awards:cycles")
    return render(request, "core/home_person.html")


@require_POST
def set_language(request):
    """The language switcher: remembers the choice in a cookie and on the account."""
    language = request.POST.get("language", "")
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    if language in dict(settings.LANGUAGES):
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE or 365 * 24 * 3600,
            samesite="Lax",
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=False,
        )
        if request.user.is_authenticated and request.user.language != language:
            request.user.language = language
            request.user.save(update_fields=["language"])
    return response


@never_cache
@require_GET
def healthz(request):
    status = {"database": database_status(), "broker": broker_status()}
    healthy = all(value in ("ok", "eager") for value in status.values())
    return JsonResponse({"status": "ok" if healthy else "error", **status}, status=200 if healthy else 503)
