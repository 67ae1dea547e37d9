"""The volunteer's own casework pages (/me/casework/…): their mentoring pairs, circles (AAA)
and mediation cases, with the client only as a reference code, and the forms to log a
meeting or a session (whose hours wait for the coordinator's approval; a concern is emailed
to the supervising officer at once).

Thin: reads in ``selectors``, writes (and every rule) in ``services``. A person without a
volunteer profile sees the same "no profile" page as on the other /me/ pages; their object
URLs and actions answer 404. Someone else's pair, circle or case — or a circle the
volunteer has left — is a 404."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from core.forms import add_service_errors
from volunteers.models import Volunteer
from volunteers.selectors import volunteer_for

from . import selectors, services
from .forms_me import MeetingForm, SessionForm
from .models import CIRCLE_MIN, CirclePhase, PairState

CERTIFICATE_WARN_DAYS = 60
HOURS_BADGES = {
    "pending": "text-bg-warning",
    "approved": "text-bg-success",
    "rejected": "text-bg-secondary",
}
PHASE_BADGES = {
    CirclePhase.FORMING: "text-bg-info",
    CirclePhase.ACTIVE: "text-bg-success",
    CirclePhase.ENDED: "text-bg-secondary",
}
PAIR_BADGES = {PairState.ACTIVE: "text-bg-success", PairState.ENDED: "text-bg-secondary"}


def _own_volunteer(request) -> Volunteer:
    volunteer = volunteer_for(request.user)
    if volunteer is None:
        raise Http404
    return volunteer


def _certificate_state(certificate, today) -> tuple[str, str, str]:
    """(state, label, badge) of one of the volunteer's mediator certificates."""
    if certificate.annulled_on is not None:
        return "annulled", _("Annulled"), "text-bg-danger"
    if certificate.valid_until < today:
        return "expired", _("Expired"), "text-bg-secondary"
    if certificate.issued_on > today:
        return "future", _("Not yet valid"), "text-bg-info"
    if certificate.valid_until <= today + timedelta(days=CERTIFICATE_WARN_DAYS):
        return "expiring", _("Expires soon"), "text-bg-warning"
    return "valid", _("Valid"), "text-bg-success"


def _my_hours_on(rows, hours: dict) -> None:
    """Each meeting or session: the volunteer's own hours record of it (hours, state, badge)."""
    for row in rows:
        found = hours.get(row.pk)
        row.my_hours, row.my_state = found if found else (None, "")
        row.my_badge = HOURS_BADGES.get(row.my_state, "text-bg-secondary")


# --- The overview


@login_required
@never_cache
@require_GET
def my_casework(request):
    volunteer = volunteer_for(request.user)
    context = {"volunteer": volunteer}
    if volunteer is not None:
        today = timezone.localdate()
        hours = selectors.my_casework_hours(volunteer)
        pairs = list(selectors.my_pairs(volunteer))
        for pair in pairs:
            pair.badge = PAIR_BADGES.get(pair.state, "text-bg-secondary")
            pair.my_totals = hours.of("pair", pair.pk)
        circles = list(selectors.my_circles(volunteer))
        for circle in circles:
            circle.is_member = any(m.volunteer_id == volunteer.pk for m in circle.active_members)
            circle.badge = PHASE_BADGES.get(circle.phase, "text-bg-secondary")
            circle.my_totals = hours.of("circle", circle.pk)
        cases = list(selectors.my_cases(volunteer))
        for case in cases:
            case.my_totals = hours.of("case", case.pk)
        certificates = list(selectors.my_certificates(volunteer))
        for certificate in certificates:
            certificate.status, certificate.label, certificate.badge = _certificate_state(certificate, today)
        context.update(
            pairs=pairs,
            circles=circles,
            cases=cases,
            certificates=certificates,
            has_casework=bool(pairs or circles or cases or certificates),
        )
    return render(request, "casework/me/casework.html", context)


# --- A mentoring pair


def _pair_page(request, volunteer, pair, *, form=None, status=200):
    detail = selectors.pair_detail(pair)
    _my_hours_on(detail.meetings, selectors.my_casework_hours(volunteer).meetings)
    return render(
        request,
        "casework/me/pair.html",
        {
            "volunteer": volunteer,
            "pair": pair,
            "meetings": detail.meetings,
            "hours_total": detail.hours,
            "badge": PAIR_BADGES.get(pair.state, "text-bg-secondary"),
            "form": form or MeetingForm(),
        },
        status=status,
    )


@login_required
@never_cache
@require_GET
def my_pair(request, pk: int):
    volunteer = _own_volunteer(request)
    pair = selectors.my_pair(volunteer, pk)
    services.client_view_logged(actor=request.user, client=pair.client)  # every view of a client's record
    return _pair_page(request, volunteer, pair)


def _logged(request, details: dict) -> None:
    if details.get("concern"):
        messages.success(
            request,
            _(
                "The meeting was logged and your concern goes to the supervising officer at once. "
                "The hours wait for the coordinator's approval."
            ),
        )
    else:
        messages.success(request, _("The meeting was logged. The hours wait for the coordinator's approval."))


@login_required
@never_cache
@require_POST
def my_pair_meeting(request, pk: int):
    volunteer = _own_volunteer(request)
    pair = selectors.my_pair(volunteer, pk)
    form = MeetingForm(request.POST)
    if form.is_valid():
        details = form.details()
        try:
            services.pair_meeting_log(actor=request.user, pair=pair, **details)
        except ValidationError as error:
            add_service_errors(form, error)
        except PermissionDenied as denied:
            raise Http404 from denied
        else:
            _logged(request, details)
            return redirect("casework:my_pair", pk=pair.pk)
    return _pair_page(request, volunteer, selectors.my_pair(volunteer, pk), form=form, status=400)


# --- A circle (AAA)


def _member_choices(circle):
    """The circle's current members, to tick who attended (``my_circle`` prefetched them)."""
    return (
        Volunteer.objects.filter(pk__in=[m.volunteer_id for m in circle.active_members])
        .select_related("user")
        .order_by("user__last_name", "user__first_name")
    )


def _circle_page(request, volunteer, circle, *, form=None, status=200):
    detail = selectors.circle_detail(circle)
    _my_hours_on(detail.meetings, selectors.my_casework_hours(volunteer).meetings)
    if form is None:
        form = MeetingForm(members=_member_choices(circle), initial={"attendees": [volunteer.pk]})
    return render(
        request,
        "casework/me/circle.html",
        {
            "volunteer": volunteer,
            "circle": circle,
            "detail": detail,
            "members": detail.members,
            "outer": list(circle.outer.all()),
            "meetings": detail.meetings,
            "badge": PHASE_BADGES.get(circle.phase, "text-bg-secondary"),
            "form": form,
            "minimum": CIRCLE_MIN,
        },
        status=status,
    )


@login_required
@never_cache
@require_GET
def my_circle(request, pk: int):
    volunteer = _own_volunteer(request)
    circle = selectors.my_circle(volunteer, pk)
    services.client_view_logged(actor=request.user, client=circle.client)  # every view of a client's record
    return _circle_page(request, volunteer, circle)


@login_required
@never_cache
@require_POST
def my_circle_meeting(request, pk: int):
    volunteer = _own_volunteer(request)
    circle = selectors.my_circle(volunteer, pk)
    form = MeetingForm(request.POST, members=_member_choices(circle))
    if form.is_valid():
        details = form.details()
        try:
            services.circle_meeting_log(actor=request.user, circle=circle, **details)
        except ValidationError as error:
            add_service_errors(form, error)
        except PermissionDenied as denied:
            raise Http404 from denied
        else:
            _logged(request, details)
            return redirect("casework:my_circle", pk=circle.pk)
    return _circle_page(request, volunteer, selectors.my_circle(volunteer, pk), form=form, status=400)


# --- A mediation case


def _case_page(request, volunteer, case, *, form=None, status=200):
    today = timezone.localdate()
    sessions = list(case.sessions.order_by("-day", "-pk"))
    _my_hours_on(sessions, selectors.my_casework_hours(volunteer).sessions)
    return render(
        request,
        "casework/me/case.html",
        {
            "volunteer": volunteer,
            "case": case,
            "mediators": list(case.mediators.select_related("user").order_by("user__last_name")),
            "sessions": sessions,
            "hours_total": sum((s.hours for s in sessions), start=Decimal("0")),
            "certified": any(c.is_valid_on(today) for c in selectors.my_certificates(volunteer)),
            "form": form or SessionForm(),
        },
        status=status,
    )


@login_required
@never_cache
@require_GET
def my_case(request, pk: int):
    volunteer = _own_volunteer(request)
    return _case_page(request, volunteer, selectors.my_case(volunteer, pk))


@login_required
@never_cache
@require_POST
def my_case_session(request, pk: int):
    volunteer = _own_volunteer(request)
    case = selectors.my_case(volunteer, pk)
    form = SessionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.mediation_session_log(
                actor=request.user, case=case, day=data["day"], hours=data["hours"], note=data.get("note", "")
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except PermissionDenied as denied:
            raise Http404 from denied
        else:
            messages.success(
                request, _("The session was logged. The hours wait for the coordinator's approval.")
            )
            return redirect("casework:my_case", pk=case.pk)
    return _case_page(request, volunteer, selectors.my_case(volunteer, pk), form=form, status=400)
