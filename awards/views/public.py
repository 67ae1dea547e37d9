"""The award's public pages (no sign-in): what the award is, the laureates of the announced
years (those who consented to be named), and the nomination form with its receipt."""

from __future__ import annotations

import logging

from allauth.core import ratelimit
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from core.forms import add_service_errors

from .. import selectors, services
from ..forms.public import JUSTIFICATION_MIN, PublicNominationForm
from ..models import AWARD_TITLE, CONFERENCE_NAME

logger = logging.getLogger(__name__)

# allauth's rate limit (settings.ACCOUNT_RATE_LIMITS): nominations per client IP address.
NOMINATE_RATE_LIMIT = "tilts_award_nominate"
# This browser's last few nominations, so that the receipt shows them — and nobody else's.
RECEIPTS_SESSION_KEY = "tilts_award_receipts"
RECEIPTS_KEPT = 5


def _call(today) -> dict:
    """The open call for nominations, if any: the cycle and whether the form takes them today."""
    cycle = selectors.open_cycle()
    return {
        "call": cycle,
        "call_accepting": cycle is not None and cycle.accepts_nominations_on(today),
        "call_upcoming": cycle is not None and today < cycle.nominations_open,
        "today": today,
    }


class _AwardPage(TemplateView):
    def get_context_data(self, **kwargs):
        return super().get_context_data(
            award_title=AWARD_TITLE, conference_name=CONFERENCE_NAME, **_call(timezone.localdate()), **kwargs
        )


class AwardIndexView(_AwardPage):
    """What the award is, the open call and every announced year with its laureates."""

    template_name = "awards/public/index.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(years=selectors.public_years_with_laureates(), **kwargs)


class AwardYearView(_AwardPage):
    """One announced year (404 for any other)."""

    template_name = "awards/public/year.html"

    def get_context_data(self, **kwargs):
        cycle = selectors.public_cycle(self.kwargs["year"])
        return super().get_context_data(cycle=cycle, laureates=selectors.public_laureates(cycle), **kwargs)


class NominateView(View):
    """GET shows the form while nominations are open (a page saying when they open or closed
    otherwise); POST checks it and hands it to ``nomination_submit_public``."""

    template_name = "awards/public/nominate.html"
    closed_template_name = "awards/public/closed.html"

    def dispatch(self, request, *args, **kwargs):
        self.today = timezone.localdate()
        self.call = _call(self.today)
        if not self.call["call_accepting"]:
            return render(
                request,
                self.closed_template_name,
                {"award_title": AWARD_TITLE, "last_year": selectors.public_years().first(), **self.call},
            )
        return super().dispatch(request, *args, **kwargs)

    def _render(self, form: PublicNominationForm, status: int = 200, **context) -> HttpResponse:
        return render(
            self.request,
            self.template_name,
            {
                "form": form,
                "award_title": AWARD_TITLE,
                "justification_min": JUSTIFICATION_MIN,
                **self.call,
                **context,
            },
            status=status,
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(PublicNominationForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        form = PublicNominationForm(request.POST, request.FILES)
        if not ratelimit.consume(request, action=NOMINATE_RATE_LIMIT, dry_run=True):
            return self._render(form, status=429, rate_limited=True)
        if not form.is_valid():
            # A form with mistakes does not count; a bot's does.
            if form.honeypot_filled:
                ratelimit.consume(request, action=NOMINATE_RATE_LIMIT)
                logger.info("Award nomination form honeypot filled; nothing created")
            return self._render(form, files_lost=bool(request.FILES))
        if not ratelimit.consume(request, action=NOMINATE_RATE_LIMIT):
            return self._render(form, status=429, rate_limited=True)
        try:
            nomination = services.nomination_submit_public(
                cycle=self.call["call"],
                data=form.nomination(),
                files=form.cleaned_data["files"],
                language=request.LANGUAGE_CODE,
                today=self.today,
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self._render(form, files_lost=bool(request.FILES))
        receipts = [nomination.reference, *request.session.get(RECEIPTS_SESSION_KEY, [])][:RECEIPTS_KEPT]
        request.session[RECEIPTS_SESSION_KEY] = receipts
        return redirect("award:nominate_done", reference=nomination.reference)


class NominateDoneView(TemplateView):
    """The receipt: only for the browser that sent the nomination."""

    template_name = "awards/public/done.html"

    def get_context_data(self, **kwargs):
        reference = self.kwargs["reference"]
        if reference not in self.request.session.get(RECEIPTS_SESSION_KEY, []):
            raise Http404
        nomination = selectors.nomination_by_reference(reference)
        if nomination is None:
            raise Http404
        return super().get_context_data(
            nomination=nomination, cycle=nomination.cycle, award_title=AWARD_TITLE, **kwargs
        )
