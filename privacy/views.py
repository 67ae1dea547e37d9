"""The retention report: what the next daily run would anonymise and destroy (a dry run),
the periods in force, and the runs so far. For central coordinators (their institution),
the ministry (read-only, both institutions) and superusers."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from institutions import permissions

from . import selectors

SHOWN = 200  # rows per list; the counts give the rest


@login_required
@require_GET
def retention(request: HttpRequest) -> HttpResponse:
    institutions = list(selectors.report_institutions(request.user))
    if not institutions:
        raise Http404
    ids = {i.pk for i in institutions}
    periods = selectors.periods_by_institution()
    plan = selectors.retention_plan(periods=periods).for_institutions(ids)
    names = {i.pk: i.name for i in institutions}
    context = {
        "plan": plan,
        "people": plan.people[:SHOWN],
        "agreements": plan.agreements[:SHOWN],
        "shown": SHOWN,
        "policies": [(i, periods[i.pk]) for i in institutions],
        "institution_names": names,
        "runs": selectors.recent_runs(institution_ids=ids),
        "may_edit": permissions.roles_for(request.user).is_central,
    }
    return render(request, "privacy/retention.html", context)
