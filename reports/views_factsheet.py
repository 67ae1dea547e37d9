"""The annual fact sheet page: the form (year, institutions, "as of" day) and the sheets made
before, each with its PDF's progress and download (the documents app's fragment); POST
asks for a new one and comes back here (post/redirect/get).

Central coordinators (their institution), the ministry's viewers (both; making a report
changes no volunteer data) and superusers. Anybody else signed in gets 404, as for every
staff page a role lacks."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from core.forms import add_service_errors

from . import factsheet, services
from .forms_factsheet import FactSheetForm
from .selectors import factsheets


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def fact_sheet(request: HttpRequest) -> HttpResponse:
    codes = factsheet.institution_codes_for(request.user)
    scopes = factsheet.scopes_for(codes)
    if not scopes:
        raise Http404
    today = timezone.localdate()
    form = FactSheetForm(request.POST or None, scopes=scopes, today=today)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                sheet = services.fact_sheet_request(
                    actor=request.user,
                    year=form.cleaned_data["year"],
                    scope=form.cleaned_data["scope"],
                    as_of=form.cleaned_data["as_of"],
                )
            except PermissionDenied as denied:
                raise Http404 from denied
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("The fact sheet for %(year)s is being made; its PDF appears in the list below.")
                    % {"year": sheet.year},
                )
                return redirect("reports:fact_sheet")
        status = 400
    sheets = factsheets.fact_sheets_for(request.user, codes=codes)
    return render(
        request,
        "reports/fact_sheet.html",
        {"form": form, "sheets": sheets, "scope_labels": dict(factsheet.Scope.choices)},
        status=status,
    )
