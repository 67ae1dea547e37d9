"""The casework pages of coordinators and supervising officers: an overview, client
references, mentoring pairs, circles (AAA), mediation cases and mediators' certificates —
and the ministry's counts. Thin: reads in selectors, writes (and every rule) in services.

Records are read by the coordinators of their unit (and VPD's centre) and by the client's
supervising officer; another unit's record answers 404, never 403. The ministry's viewers
never see a record (404 on every record page): they read the counts page only. Every write
but a review needs ``COORDINATE`` on the record's unit (anyone else: 404); the officer or a
coordinator records a review. Every view of a client's page is logged."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.filters import counted_tabs, list_page
from core.forms import add_service_errors
from institutions import permissions
from institutions.mixins import require_staff_role
from volunteers.models import Role, Volunteer

from . import selectors, services
from .forms_staff import (
    ActivateForm,
    AnnulForm,
    CaseForm,
    CertificateForm,
    CircleForm,
    ClientEditForm,
    ClientForm,
    CloseForm,
    EndForm,
    MemberAddForm,
    MemberRemoveForm,
    OuterAddForm,
    OuterRemoveForm,
    PairForm,
    ReviewForm,
)
from .models import (
    CIRCLE_MIN,
    CIRCLE_WARN_MONTHS,
    Circle,
    CirclePhase,
    ClientReference,
    MediationCase,
    MediatorCertificate,
    MentoringPair,
    Outcome,
    PairState,
)
from .reminders import REVIEW_AHEAD_DAYS, review_due_on

EXPIRY_DAYS = selectors.CERTIFICATE_WARNING_DAYS
ALL = "all"  # the tab of every row (the pairs' and cases' lists open on the active ones)


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


# --- Who may


def _require_reader(request) -> None:
    """Record pages: coordinators and supervising officers. The ministry's viewers never
    read a record (404 before any query); nor does anyone else."""
    if permissions.roles_for(request.user).is_read_only or not selectors.may_read_casework(request.user):
        raise Http404


def _can_coordinate(request, unit_id: int) -> bool:
    return unit_id in permissions.unit_ids_for(request.user, permissions.COORDINATE)


def _require_coordinator_of(request, unit_id: int) -> None:
    if not _can_coordinate(request, unit_id):
        raise Http404


def _coordinated_units(user) -> QuerySet:
    return (
        permissions.units_for(user, permissions.COORDINATE)
        .valid_today()
        .select_related("institution")
        .order_by("institution__code", "name")
    )


def _create_unit(request):
    """The unit a new record is for: ``?unit=<slug>`` (or the form's ``unit``) among the
    units the person coordinates, or their only one; ``None`` asks them to choose. Someone
    who coordinates nothing gets 404, as does a unit they do not coordinate."""
    units = list(_coordinated_units(request.user))
    if not units:
        raise Http404
    slug = request.GET.get("unit", "") or request.POST.get("unit", "")
    if slug:
        unit = next((unit for unit in units if unit.slug == slug), None)
        if unit is None:
            raise Http404
        return unit, units
    return (units[0] if len(units) == 1 else None), units


def _unit_choice(request, units, *, title: str):
    return render(request, "casework/staff/unit_choice.html", {"units": units, "title": title})


def _active_clients(user, unit) -> QuerySet[ClientReference]:
    """The client references of ``unit`` active today (choices of a new pair or circle)."""
    today = timezone.localdate()
    return (
        selectors.clients_for(user)
        .filter(unit=unit, active_from__lte=today)
        .filter(Q(active_to__isnull=True) | Q(active_to__gte=today))
        .order_by("code")
    )


def _show_unit(request) -> bool:
    return len(permissions.unit_ids_for(request.user, permissions.COORDINATE)) > 1


# --- Flags


def _pair_flags(pair: MentoringPair, today: date) -> MentoringPair:
    pair.review_due = (
        review_due_on(pair.starts_on, pair.last_review) if pair.state == PairState.ACTIVE else None
    )
    pair.review_soon = bool(pair.review_due and pair.review_due - today <= timedelta(days=REVIEW_AHEAD_DAYS))
    return pair


def _circle_flags(circle: Circle, today: date) -> Circle:
    active = circle.phase == CirclePhase.ACTIVE
    circle.below_minimum = circle.phase != CirclePhase.ENDED and circle.members_count < CIRCLE_MIN
    circle.past_warning = bool(
        active
        and circle.active_from
        and today >= circle.active_from + relativedelta(months=CIRCLE_WARN_MONTHS)
    )
    circle.review_due = (
        review_due_on(circle.active_from, circle.last_review) if active and circle.active_from else None
    )
    circle.review_soon = bool(
        circle.review_due and circle.review_due - today <= timedelta(days=REVIEW_AHEAD_DAYS)
    )
    return circle


def _certificate_status(certificate: MediatorCertificate, today: date) -> MediatorCertificate:
    if certificate.annulled_on is not None:
        certificate.status = "annulled"
    elif certificate.valid_until < today:
        certificate.status = "expired"
    elif certificate.issued_on > today:
        certificate.status = "future"
    elif certificate.valid_until <= today + timedelta(days=EXPIRY_DAYS):
        certificate.status = "expiring"
    else:
        certificate.status = "valid"
    return certificate


# --- The overview


@login_required
@never_cache
@require_GET
def home(request):
    _require_reader(request)
    today = timezone.localdate()
    pairs = [
        _pair_flags(pair, today) for pair in selectors.pairs_for(request.user).filter(state=PairState.ACTIVE)
    ]
    pairs.sort(key=lambda pair: (pair.review_due, pair.pk))
    circles = [
        _circle_flags(circle, today)
        for circle in selectors.circles_for(request.user).exclude(phase=CirclePhase.ENDED)
    ]
    cases = list(selectors.cases_for(request.user, today=today).filter(closed_on__isnull=True))
    cases.sort(key=lambda case: (not case.uncertified, case.opened_on, case.pk))
    expiring = [
        _certificate_status(certificate, today)
        for certificate in selectors.certificates_for(request.user).filter(
            annulled_on__isnull=True,
            valid_until__gte=today,
            valid_until__lte=today + timedelta(days=EXPIRY_DAYS),
        )
    ]
    return render(
        request,
        "casework/staff/home.html",
        {
            "pairs": pairs,
            "pairs_due": sum(1 for pair in pairs if pair.review_soon),
            "circles": circles,
            "cases": cases,
            "cases_flagged": sum(1 for case in cases if case.uncertified),
            "expiring": expiring,
            "show_unit": _show_unit(request),
            "can_create": bool(permissions.unit_ids_for(request.user, permissions.COORDINATE)),
            "today": today,
            "expiry_days": EXPIRY_DAYS,
        },
    )


# --- Counts (the ministry's view)


def _year(value: str, today: date) -> int:
    try:
        year = int(value)
    except ValueError:
        return today.year
    return year if 2000 <= year <= today.year + 1 else today.year


@login_required
@never_cache
@require_GET
def counts(request):
    """Counts only — no record, no reference, no name — over the units the person may view."""
    require_staff_role(request)
    today = timezone.localdate()
    year = _year(request.GET.get("year", ""), today)
    found = selectors.casework_counts(unit_ids=permissions.unit_ids_for(request.user), year=year)
    months = [
        {
            "number": number,
            "name": MONTHS[number],
            "meetings": found.meetings_by_month.get(number, 0),
            "hours": found.hours_by_month.get(number, Decimal("0")),
        }
        for number in range(1, 13)
    ]
    return render(
        request,
        "casework/staff/counts.html",
        {
            "year": year,
            "previous_year": year - 1 if year > 2000 else None,
            "next_year": year + 1 if year < today.year + 1 else None,
            "units": found.units,
            "totals": {key: sum(row[key] for row in found.units) for key in ("pairs", "circles", "cases")},
            "months": months,
            "meetings_total": sum(row["meetings"] for row in months),
            "hours_total": sum((row["hours"] for row in months), Decimal("0")),
            "outcomes": [(label, found.outcomes.get(value, 0)) for value, label in Outcome.choices],
            "outcomes_total": sum(found.outcomes.values()),
            "is_read_only": permissions.roles_for(request.user).is_read_only,
        },
    )


# --- Clients


@login_required
@never_cache
@require_GET
def clients(request):
    _require_reader(request)
    return render(
        request,
        "casework/staff/clients.html",
        {
            **list_page(selectors.clients_for(request.user), request.GET),
            "show_unit": _show_unit(request),
            "can_create": bool(permissions.unit_ids_for(request.user, permissions.COORDINATE)),
        },
    )


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def client_create(request):
    _require_reader(request)
    unit, units = _create_unit(request)
    if unit is None:
        return _unit_choice(request, units, title=_("New client reference"))
    officers = selectors.officers_for(unit)
    if request.method == "POST":
        form = ClientForm(request.POST, officers=officers)
        if form.is_valid():
            data = form.cleaned_data
            try:
                client = services.client_create(
                    actor=request.user,
                    unit=unit,
                    officer=data["officer"],
                    active_from=data["active_from"],
                    case_number=data["case_number"],
                    note=data["note"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Client reference %(code)s was created.") % {"code": client.code})
                return redirect("casework:client", pk=client.pk)
        status = 400
    else:
        initial = {"active_from": timezone.localdate()}
        if any(person.pk == request.user.pk for person in officers):
            initial["officer"] = request.user.pk
        form = ClientForm(initial=initial, officers=officers)
        status = 200
    return render(
        request,
        "casework/staff/client_form.html",
        {"form": form, "unit": unit, "client": None},
        status=status,
    )


@login_required
@never_cache
@require_GET
def client_detail(request, pk: int):
    _require_reader(request)
    client = selectors.client_for(request.user, pk)
    services.client_view_logged(actor=request.user, client=client)
    today = timezone.localdate()
    records = selectors.client_records(client)
    return render(
        request,
        "casework/staff/client.html",
        {
            "client": client,
            "pairs": records["pairs"],
            "circles": records["circles"],
            "can_coordinate": _can_coordinate(request, client.unit_id),
            "is_active": client.is_active_on(today),
        },
    )


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def client_edit(request, pk: int):
    _require_reader(request)
    client = selectors.client_for(request.user, pk)
    _require_coordinator_of(request, client.unit_id)
    officers = selectors.officers_for(client.unit)
    if not any(person.pk == client.officer_id for person in officers):
        officers = [*officers, client.officer]
    if request.method == "POST":
        form = ClientEditForm(request.POST, officers=officers)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.client_update(
                    actor=request.user,
                    client=client,
                    officer=data["officer"],
                    case_number=data["case_number"],
                    note=data["note"],
                    active_to=data["active_to"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Client reference %(code)s was saved.") % {"code": client.code})
                return redirect("casework:client", pk=client.pk)
        status = 400
    else:
        form = ClientEditForm(initial=ClientEditForm.initial_for(client), officers=officers)
        status = 200
    return render(
        request,
        "casework/staff/client_form.html",
        {"form": form, "unit": client.unit, "client": client},
        status=status,
    )


# --- Mentoring pairs


@login_required
@never_cache
@require_GET
def pairs(request):
    _require_reader(request)
    today = timezone.localdate()
    base = selectors.pairs_for(request.user)
    totals = base.aggregate(
        all=Count("pk", distinct=True),
        **{state: Count("pk", distinct=True, filter=Q(state=state)) for state in PairState.values},
    )
    state = request.GET.get("state", PairState.ACTIVE)
    if state not in PairState.values:
        state = ALL
    listing = list_page(base.filter(state=state) if state != ALL else base, request.GET)
    listing["page"].object_list = [_pair_flags(pair, today) for pair in listing["page"].object_list]
    return render(
        request,
        "casework/staff/pairs.html",
        {
            **listing,
            "tabs": counted_tabs(
                request.GET,
                name="state",
                options=[*PairState.choices, (ALL, pgettext("all mentoring pairs", "All"))],
                counts=totals,
                current=state,
            ),
            "show_unit": _show_unit(request),
            "can_create": bool(permissions.unit_ids_for(request.user, permissions.COORDINATE)),
        },
    )


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def pair_create(request):
    _require_reader(request)
    unit, units = _create_unit(request)
    if unit is None:
        return _unit_choice(request, units, title=_("New mentoring pair"))
    kwargs = {
        "clients": _active_clients(request.user, unit),
        "mentors": selectors.volunteers_in_role(unit, Role.Code.MENTOR),
    }
    if request.method == "POST":
        form = PairForm(request.POST, **kwargs)
        if form.is_valid():
            data = form.cleaned_data
            try:
                pair = services.pair_create(
                    actor=request.user,
                    client=data["client"],
                    mentor=data["mentor"],
                    starts_on=data["starts_on"],
                    planned_end=data["planned_end"],
                    goals=data["goals"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("The mentoring pair of %(client)s was formed.") % {"client": pair.client.code},
                )
                return redirect("casework:pair", pk=pair.pk)
        status = 400
    else:
        today = timezone.localdate()
        initial = {"starts_on": today, "planned_end": today + relativedelta(months=12)}
        if request.GET.get("client", "").isdigit():
            initial["client"] = int(request.GET["client"])
        form = PairForm(initial=initial, **kwargs)
        status = 200
    return render(
        request,
        "casework/staff/create_form.html",
        {
            "form": form,
            "unit": unit,
            "title": _("New mentoring pair"),
            "list_url": "casework:pairs",
            "list_label": _("Mentoring pairs"),
            "current": "pairs",
            "submit": _("Form the pair"),
            "intro": _(
                "A mentor with an agreement in force for the mentor role and a client reference of "
                "the unit. The supervising officer reviews the pair every three months."
            ),
        },
        status=status,
    )


def _pair_response(request, pair: MentoringPair, *, status=200, review_form=None, end_form=None):
    detail = selectors.pair_detail(pair)
    return render(
        request,
        "casework/staff/pair.html",
        {
            "pair": pair,
            "detail": detail,
            "can_coordinate": _can_coordinate(request, pair.unit_id),
            "review_form": review_form or ReviewForm(prefix="review"),
            "end_form": end_form or EndForm(prefix="end"),
            "is_active": pair.state == PairState.ACTIVE,
            "today": timezone.localdate(),
        },
        status=status,
    )


@login_required
@never_cache
@require_GET
def pair_detail(request, pk: int):
    _require_reader(request)
    pair = selectors.pair_for(request.user, pk)
    services.client_view_logged(actor=request.user, client=pair.client)  # part of the client's record
    return _pair_response(request, pair)


@login_required
@require_POST
def pair_review(request, pk: int):
    """The supervising officer (or a coordinator) records a review."""
    _require_reader(request)
    pair = selectors.pair_for(request.user, pk)
    form = ReviewForm(request.POST, prefix="review")
    if form.is_valid():
        try:
            services.review_record(
                actor=request.user,
                pair=pair,
                reviewed_on=form.cleaned_data["reviewed_on"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            add_service_errors(form, error, "note")
        else:
            messages.success(request, _("The review was recorded."))
            return redirect("casework:pair", pk=pair.pk)
    return _pair_response(request, pair, status=400, review_form=form)


@login_required
@require_POST
def pair_end(request, pk: int):
    _require_reader(request)
    pair = selectors.pair_for(request.user, pk)
    _require_coordinator_of(request, pair.unit_id)
    form = EndForm(request.POST, prefix="end")
    if form.is_valid():
        try:
            services.pair_end(
                actor=request.user,
                pair=pair,
                ended_on=form.cleaned_data["ended_on"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            add_service_errors(form, error, "reason")
        else:
            messages.success(request, _("The mentoring pair was ended."))
            return redirect("casework:pair", pk=pair.pk)
    return _pair_response(request, pair, status=400, end_form=form)


# --- Circles


@login_required
@never_cache
@require_GET
def circles(request):
    _require_reader(request)
    today = timezone.localdate()
    base = selectors.circles_for(request.user)
    totals = base.aggregate(
        all=Count("pk", distinct=True),
        **{phase: Count("pk", distinct=True, filter=Q(phase=phase)) for phase in CirclePhase.values},
    )
    phase = request.GET.get("phase", "")
    if phase not in CirclePhase.values:
        phase = ""
    listing = list_page(base.filter(phase=phase) if phase else base, request.GET)
    listing["page"].object_list = [_circle_flags(circle, today) for circle in listing["page"].object_list]
    return render(
        request,
        "casework/staff/circles.html",
        {
            **listing,
            "tabs": counted_tabs(
                request.GET,
                name="phase",
                options=[("", pgettext("all circles", "All")), *CirclePhase.choices],
                counts=totals,
                current=phase,
            ),
            "show_unit": _show_unit(request),
            "can_create": bool(permissions.unit_ids_for(request.user, permissions.COORDINATE)),
            "circle_min": CIRCLE_MIN,
        },
    )


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def circle_create(request):
    _require_reader(request)
    unit, units = _create_unit(request)
    if unit is None:
        return _unit_choice(request, units, title=_("New circle (AAA)"))
    kwargs = {
        "clients": _active_clients(request.user, unit),
        "volunteers": selectors.volunteers_in_role(unit, Role.Code.CIRCLES),
    }
    if request.method == "POST":
        form = CircleForm(request.POST, **kwargs)
        if form.is_valid():
            data = form.cleaned_data
            try:
                circle = services.circle_create(
                    actor=request.user,
                    client=data["client"],
                    volunteers=list(data["volunteers"]),
                    formed_on=data["formed_on"],
                    schedule=data["schedule"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _(
                        "The circle of %(client)s was formed; it starts meeting once it has at least "
                        "three volunteers."
                    )
                    % {"client": circle.client.code},
                )
                return redirect("casework:circle", pk=circle.pk)
        status = 400
    else:
        initial = {"formed_on": timezone.localdate()}
        if request.GET.get("client", "").isdigit():
            initial["client"] = int(request.GET["client"])
        form = CircleForm(initial=initial, **kwargs)
        status = 200
    return render(
        request,
        "casework/staff/create_form.html",
        {
            "form": form,
            "unit": unit,
            "title": _("New circle (AAA)"),
            "list_url": "casework:circles",
            "list_label": _("Circles"),
            "current": "circles",
            "submit": _("Form the circle"),
            "intro": _(
                "Three to five volunteers around one client reference, with professionals in the outer "
                "circle. The circle is formed first and starts meeting when it has at least three volunteers."
            ),
        },
        status=status,
    )


def _circle_forms(circle: Circle, detail, bound: dict) -> dict:
    member_ids = [member.volunteer_id for member in detail.members]
    candidates = selectors.volunteers_in_role(circle.unit, Role.Code.CIRCLES).exclude(pk__in=member_ids)
    members = (
        Volunteer.objects.filter(pk__in=member_ids)
        .select_related("user")
        .order_by("user__last_name", "user__first_name")
    )
    return {
        "add_form": bound.get("add_form") or MemberAddForm(prefix="add", volunteers=candidates),
        "remove_form": bound.get("remove_form") or MemberRemoveForm(prefix="remove", members=members),
        "outer_form": bound.get("outer_form") or OuterAddForm(prefix="outer"),
        "outer_remove_form": bound.get("outer_remove_form"),
        "activate_form": bound.get("activate_form") or ActivateForm(prefix="activate"),
        "end_form": bound.get("end_form") or EndForm(prefix="end"),
        "review_form": bound.get("review_form") or ReviewForm(prefix="review"),
    }


def _circle_response(request, circle: Circle, *, status=200, **bound):
    detail = selectors.circle_detail(circle)
    can_coordinate = _can_coordinate(request, circle.unit_id)
    return render(
        request,
        "casework/staff/circle.html",
        {
            "circle": circle,
            "detail": detail,
            "outer": list(circle.outer.all()),
            "meetings_hours": sum((meeting.hours for meeting in detail.meetings), Decimal("0")),
            "can_coordinate": can_coordinate,
            "is_forming": circle.phase == CirclePhase.FORMING,
            "is_active": circle.phase == CirclePhase.ACTIVE,
            "is_ended": circle.phase == CirclePhase.ENDED,
            "circle_min": CIRCLE_MIN,
            "circle_warn_months": CIRCLE_WARN_MONTHS,
            **_circle_forms(circle, detail, bound),
        },
        status=status,
    )


@login_required
@never_cache
@require_GET
def circle_detail(request, pk: int):
    _require_reader(request)
    circle = selectors.circle_for(request.user, pk)
    services.client_view_logged(actor=request.user, client=circle.client)  # part of the client's record
    return _circle_response(request, circle)


def _circle_to_change(request, pk: int) -> Circle:
    _require_reader(request)
    circle = selectors.circle_for(request.user, pk)
    _require_coordinator_of(request, circle.unit_id)
    return circle


def _circle_step(request, circle: Circle, form, *, name: str, act, success: str, default_field=None):
    """Run a circle's step from a valid form; a refusal re-renders the circle with 400."""
    if form.is_valid():
        try:
            act(form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error, default_field)
        else:
            messages.success(request, success)
            return redirect("casework:circle", pk=circle.pk)
    return _circle_response(request, circle, status=400, **{name: form})


@login_required
@require_POST
def circle_member_add(request, pk: int):
    circle = _circle_to_change(request, pk)
    candidates = selectors.volunteers_in_role(circle.unit, Role.Code.CIRCLES)
    form = MemberAddForm(request.POST, prefix="add", volunteers=candidates)
    return _circle_step(
        request,
        circle,
        form,
        name="add_form",
        act=lambda data: services.circle_member_add(
            actor=request.user, circle=circle, volunteer=data["volunteer"], joined_on=data["joined_on"]
        ),
        success=_("The volunteer joined the circle."),
        default_field="volunteer",
    )


@login_required
@require_POST
def circle_member_remove(request, pk: int):
    circle = _circle_to_change(request, pk)
    members = Volunteer.objects.filter(circle_places__circle=circle, circle_places__left_on__isnull=True)
    form = MemberRemoveForm(request.POST, prefix="remove", members=members)
    return _circle_step(
        request,
        circle,
        form,
        name="remove_form",
        act=lambda data: services.circle_member_remove(
            actor=request.user, circle=circle, volunteer=data["volunteer"], left_on=data["left_on"]
        ),
        success=_("The volunteer left the circle."),
        default_field="volunteer",
    )


@login_required
@require_POST
def circle_outer_add(request, pk: int):
    circle = _circle_to_change(request, pk)
    return _circle_step(
        request,
        circle,
        OuterAddForm(request.POST, prefix="outer"),
        name="outer_form",
        act=lambda data: services.outer_member_add(
            actor=request.user, circle=circle, role=data["role"], organisation=data["organisation"]
        ),
        success=_("The professional was added to the outer circle."),
    )


@login_required
@require_POST
def circle_outer_remove(request, pk: int):
    circle = _circle_to_change(request, pk)
    return _circle_step(
        request,
        circle,
        OuterRemoveForm(request.POST, prefix="outer_remove", circle=circle),
        name="outer_remove_form",
        act=lambda data: services.outer_member_remove(actor=request.user, member=data["member"]),
        success=_("The professional was removed from the outer circle."),
        default_field="member",
    )


@login_required
@require_POST
def circle_activate(request, pk: int):
    circle = _circle_to_change(request, pk)
    return _circle_step(
        request,
        circle,
        ActivateForm(request.POST, prefix="activate"),
        name="activate_form",
        act=lambda data: services.circle_activate(
            actor=request.user, circle=circle, active_from=data["active_from"]
        ),
        success=_("The circle is meeting."),
        default_field="active_from",
    )


@login_required
@require_POST
def circle_end(request, pk: int):
    circle = _circle_to_change(request, pk)
    return _circle_step(
        request,
        circle,
        EndForm(request.POST, prefix="end"),
        name="end_form",
        act=lambda data: services.circle_end(
            actor=request.user, circle=circle, ended_on=data["ended_on"], reason=data["reason"]
        ),
        success=_("The circle was ended."),
        default_field="reason",
    )


@login_required
@require_POST
def circle_review(request, pk: int):
    """The supervising officer (or a coordinator) records a review."""
    _require_reader(request)
    circle = selectors.circle_for(request.user, pk)
    return _circle_step(
        request,
        circle,
        ReviewForm(request.POST, prefix="review"),
        name="review_form",
        act=lambda data: services.review_record(
            actor=request.user, circle=circle, reviewed_on=data["reviewed_on"], note=data["note"]
        ),
        success=_("The review was recorded."),
        default_field="note",
    )


# --- Mediation cases


@login_required
@never_cache
@require_GET
def cases(request):
    _require_reader(request)
    base = selectors.cases_for(request.user)
    totals = base.aggregate(
        all=Count("pk"),
        open=Count("pk", filter=Q(closed_on__isnull=True)),
        closed=Count("pk", filter=Q(closed_on__isnull=False)),
    )
    state = request.GET.get("state", "open")
    if state not in ("open", "closed"):
        state = ALL
    rows = base if state == ALL else base.filter(closed_on__isnull=state == "open")
    return render(
        request,
        "casework/staff/cases.html",
        {
            **list_page(rows, request.GET),
            "tabs": counted_tabs(
                request.GET,
                name="state",
                options=[
                    ("open", pgettext("mediation cases", "Open")),
                    ("closed", pgettext("mediation cases", "Closed")),
                    (ALL, pgettext("all mediation cases", "All")),
                ],
                counts=totals,
                current=state,
            ),
            "show_unit": _show_unit(request),
            "can_create": bool(permissions.unit_ids_for(request.user, permissions.COORDINATE)),
        },
    )


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def case_create(request):
    _require_reader(request)
    unit, units = _create_unit(request)
    if unit is None:
        return _unit_choice(request, units, title=_("New mediation case"))
    mediators = selectors.certified_mediators(unit)
    if request.method == "POST":
        form = CaseForm(request.POST, mediators=mediators)
        if form.is_valid():
            data = form.cleaned_data
            try:
                case = services.mediation_create(
                    actor=request.user,
                    unit=unit,
                    reference=data["reference"],
                    victim_ref=data["victim_ref"],
                    offender_ref=data["offender_ref"],
                    mediators=list(data["mediators"]),
                    opened_on=data["opened_on"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request, _("Mediation case %(reference)s was opened.") % {"reference": case.reference}
                )
                return redirect("casework:case", pk=case.pk)
        status = 400
    else:
        form = CaseForm(initial={"opened_on": timezone.localdate()}, mediators=mediators)
        status = 200
    return render(
        request,
        "casework/staff/create_form.html",
        {
            "form": form,
            "unit": unit,
            "title": _("New mediation case"),
            "list_url": "casework:cases",
            "list_label": _("Mediation cases"),
            "current": "cases",
            "submit": _("Open the case"),
            "intro": _(
                "The parties appear only by their references. One or two mediators, each with a valid "
                "certificate on the day the case is opened."
            ),
        },
        status=status,
    )


def _latest_certificate(mediator: Volunteer) -> MediatorCertificate | None:
    """The mediator's latest certificate (expired or annulled), when none is valid today."""
    return mediator.mediator_certificates.order_by("-valid_until", "-pk").first()


def _case_response(request, case: MediationCase, *, status=200, close_form=None):
    today = timezone.localdate()
    mediators = list(case.mediators.all())
    certificates = {
        mediator.pk: services.valid_certificate(mediator, today) or _latest_certificate(mediator)
        for mediator in mediators
    }
    for certificate in certificates.values():
        if certificate is not None:
            _certificate_status(certificate, today)
    return render(
        request,
        "casework/staff/case.html",
        {
            "case": case,
            "mediators": [(mediator, certificates.get(mediator.pk)) for mediator in mediators],
            "sessions": list(case.sessions.select_related("logged_by").order_by("-day", "-pk")),
            "can_coordinate": _can_coordinate(request, case.unit_id),
            "close_form": close_form or CloseForm(prefix="close"),
        },
        status=status,
    )


@login_required
@never_cache
@require_GET
def case_detail(request, pk: int):
    _require_reader(request)
    return _case_response(request, selectors.case_for(request.user, pk))


@login_required
@require_POST
def case_close(request, pk: int):
    _require_reader(request)
    case = selectors.case_for(request.user, pk)
    _require_coordinator_of(request, case.unit_id)
    form = CloseForm(request.POST, prefix="close")
    if form.is_valid():
        try:
            services.mediation_close(
                actor=request.user,
                case=case,
                outcome=form.cleaned_data["outcome"],
                closed_on=form.cleaned_data["closed_on"],
            )
        except ValidationError as error:
            add_service_errors(form, error, "outcome")
        else:
            messages.success(
                request, _("Mediation case %(reference)s was closed.") % {"reference": case.reference}
            )
            return redirect("casework:case", pk=case.pk)
    return _case_response(request, case, status=400, close_form=form)


# --- Mediators' certificates


def _certificates_response(request, *, status=200, bound=None, bound_pk=None):
    _require_reader(request)
    today = timezone.localdate()
    listing = list_page(selectors.certificates_for(request.user), request.GET)
    listing["page"].object_list = [
        _certificate_status(certificate, today) for certificate in listing["page"].object_list
    ]
    coordinated = permissions.unit_ids_for(request.user, permissions.COORDINATE)
    return render(
        request,
        "casework/staff/certificates.html",
        {
            **listing,
            "bound": bound,
            "bound_pk": bound_pk,
            "bound_day": bound.data.get("annul-annulled_on", "") if bound is not None else "",
            "bound_reason": bound.data.get("annul-reason", "") if bound is not None else "",
            "coordinated": coordinated,
            "show_unit": len(coordinated) > 1,
            "can_create": bool(coordinated),
            "expiry_days": EXPIRY_DAYS,
        },
        status=status,
    )


@login_required
@never_cache
@require_GET
def certificates(request):
    return _certificates_response(request)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def certificate_create(request):
    _require_reader(request)
    unit, units = _create_unit(request)
    if unit is None:
        return _unit_choice(request, units, title=_("Record a mediator certificate"))
    volunteers = selectors.volunteers_in_role(unit, Role.Code.MEDIATOR)
    if request.method == "POST":
        form = CertificateForm(request.POST, volunteers=volunteers)
        if form.is_valid():
            data = form.cleaned_data
            try:
                certificate = services.certificate_record(
                    actor=request.user,
                    unit=unit,
                    volunteer=data["volunteer"],
                    number=data["number"],
                    issued_on=data["issued_on"],
                    valid_until=data["valid_until"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("Certificate %(number)s was recorded.") % {"number": certificate.number},
                )
                return redirect("casework:certificates")
        status = 400
    else:
        form = CertificateForm(volunteers=volunteers)
        status = 200
    return render(
        request,
        "casework/staff/create_form.html",
        {
            "form": form,
            "unit": unit,
            "title": _("Record a mediator certificate"),
            "list_url": "casework:certificates",
            "list_label": _("Certificates"),
            "current": "certificates",
            "submit": _("Record the certificate"),
            "intro": _(
                "A mediator's certificate (Cabinet Regulation No. 346). Only mediators with a valid "
                "certificate can be assigned to a case; reminders go 60 and 30 days before it expires."
            ),
        },
        status=status,
    )


@login_required
@require_POST
def certificate_annul(request, pk: int):
    _require_reader(request)
    certificate = selectors.certificate_for(request.user, pk)
    _require_coordinator_of(request, certificate.unit_id)
    form = AnnulForm(request.POST, prefix="annul")
    if form.is_valid():
        try:
            services.certificate_annul(
                actor=request.user,
                certificate=certificate,
                annulled_on=form.cleaned_data["annulled_on"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            add_service_errors(form, error, "reason")
        else:
            messages.success(
                request,
                _("Certificate %(number)s was annulled; open cases of this mediator are flagged.")
                % {"number": certificate.number},
            )
            return redirect("casework:certificates")
    return _certificates_response(request, status=400, bound=form, bound_pk=certificate.pk)
