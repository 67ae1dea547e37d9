"""The coordinators' event pages: the work queue, the list, the unit calendar, creating and
changing events, the approval steps, reports, hours and certificates of volunteer work
(izziņas). Thin: reads in selectors, writes (and every rule) in services.

Reads need ``VIEW`` on the event's unit (the ministry may read); every write needs
``COORDINATE`` — anyone else, the ministry included, gets 404. Another unit's event,
hours record or certificate is a 404, never a 403."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import date, timedelta

import django_filters
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext, pgettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.filters import ALL_FEMININE, StaffListFilter, counted_tabs, list_page, visible_units
from core.forms import add_service_errors
from core.widgets import DateInput
from documents.selectors import documents_of
from institutions import permissions
from institutions.mixins import require_staff_role
from institutions.models import Institution
from volunteers.models import Role

from . import selectors, services
from .forms import CertificateCreateForm, EventForm, HoursDecisionForm, ReasonForm, ReportForm
from .models import (
    DONE_STATES,
    OPEN_STATES,
    ActivityType,
    CertificateState,
    Event,
    EventState,
)
from .printing import CERTIFICATE, GATE_PASS


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


def _coordinated_units(user) -> QuerySet:
    return (
        permissions.units_for(user, permissions.COORDINATE)
        .valid_today()
        .select_related("institution")
        .order_by("institution__code", "name")
    )


def _require_coordinator(request) -> None:
    """A write page: only people who coordinate some unit (the ministry reads only: 404)."""
    if not permissions.unit_ids_for(request.user, permissions.COORDINATE):
        raise Http404


def _safe_next(request, default: str) -> str:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _unit_param(request, units: list) -> object | None:
    """The unit asked with ``?unit=<slug>`` (or a form's ``unit``) among ``units``; an
    unknown one is a 404."""
    slug = request.GET.get("unit", "") or request.POST.get("unit", "")
    if not slug:
        return None
    unit = next((unit for unit in units if unit.slug == slug), None)
    if unit is None:
        raise Http404
    return unit


# --- The work queue


@login_required
@never_cache
@require_GET
def queue(request):
    """Proposals to decide, events to report, reports to review, certificates to issue."""
    require_staff_role(request)
    units = list(_coordinated_units(request.user))
    unit = _unit_param(request, units)
    work = selectors.approval_queue(request.user, unit_ids=frozenset({unit.pk}) if unit is not None else None)
    return render(
        request,
        "events/staff/queue.html",
        {
            "queue": work,
            "units": units,
            "unit": unit,
            "show_unit": len(units) > 1,
            "can_coordinate": bool(units),
            "reject_form": ReasonForm(prefix="reject"),
            "changes_form": ReasonForm(prefix="changes"),
            "now": timezone.now(),
            "queue_page": selectors.QUEUE_PAGE,
        },
    )


# --- The list


class _RoleChoiceField(django_filters.fields.ModelChoiceField):
    def label_from_instance(self, obj: Role) -> str:
        return str(obj)


class _RoleFilter(django_filters.ModelChoiceFilter):
    field_class = _RoleChoiceField


ALL_STATES = ""
DONE = "done"  # a pseudo-state of the list filter: held or reported


class EventFilter(StaffListFilter):
    """The events list filters (see ``core.filters``): the state as counted tabs; unit,
    field, kind of activity, a month or a range of dates; a search in the title and place."""

    # DONE: held or reported (the reports' "events held", their drill-down).
    state = django_filters.ChoiceFilter(
        label=gettext_lazy("State"),
        choices=[*EventState.choices, (DONE, gettext_lazy("Held or reported"))],
        method="filter_state",
    )
    institution = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Institution"),
        field_name="unit__institution",
        queryset=Institution.objects.none(),
        empty_label=ALL_FEMININE,
    )
    field = _RoleFilter(
        label=pgettext_lazy("area of work", "Field"),
        queryset=Role.objects.none(),
        empty_label=gettext_lazy("All fields"),
    )
    activity_type = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Kind of activity"),
        queryset=ActivityType.objects.all(),
        empty_label=pgettext_lazy("all kinds of activity", "All"),
    )
    month = django_filters.CharFilter(
        label=gettext_lazy("Month"),
        method="filter_month",
        widget=forms.TextInput(attrs={"type": "month", "pattern": "[0-9]{4}-[0-9]{2}"}),
    )
    date_from = django_filters.DateFilter(
        label=pgettext_lazy("period", "From"), method="filter_from", widget=DateInput()
    )
    date_to = django_filters.DateFilter(
        label=pgettext_lazy("period", "To"), method="filter_to", widget=DateInput()
    )

    search_fields = ("title", "place")
    search_placeholder = gettext_lazy("Title or place")
    tab = "state"
    ordering = ("-starts_at", "-pk")

    class Meta:
        model = Event
        fields = [
            "state",
            "q",
            "institution",
            "unit",
            "field",
            "activity_type",
            "month",
            "date_from",
            "date_to",
        ]

    def __init__(self, data=None, *args, user, **kwargs):
        super().__init__(data, *args, user=user, **kwargs)
        institution_ids = {unit.institution_id for unit in self.units}
        if self.several_institutions:
            self.filters["institution"].queryset = Institution.objects.filter(pk__in=institution_ids)
        else:
            del self.filters["institution"]
        self.filters["field"].queryset = Role.objects.filter(institution_id__in=institution_ids).order_by(
            "institution__code", "order"
        )

    @staticmethod
    def _month(value: str) -> date | None:
        try:
            year, month = (int(part) for part in value.split("-"))
            return date(year, month, 1)
        except ValueError:
            return None

    def filter_month(self, queryset, name, value):
        first = self._month(value)
        if first is None:
            return queryset
        following = date(first.year + (first.month == 12), first.month % 12 + 1, 1)
        return queryset.filter(
            starts_at__gte=selectors.day_start(first), starts_at__lt=selectors.day_start(following)
        )

    def filter_state(self, queryset, name, value):
        if value == DONE:
            return queryset.filter(state__in=DONE_STATES)
        return queryset.filter(state=value)

    def filter_from(self, queryset, name, value):
        return queryset.filter(starts_at__gte=selectors.day_start(value))

    def filter_to(self, queryset, name, value):
        return queryset.filter(starts_at__lt=selectors.day_start(value + timedelta(days=1)))


@login_required
@require_GET
def event_list(request):
    require_staff_role(request)
    base = selectors.staff_events(request.user)
    filterset = EventFilter(request.GET or None, queryset=base, user=request.user)
    scoped = filterset.filter_without(base, "state")
    counts = selectors.state_counts(scoped)
    counts[DONE] = sum(counts[state] for state in DONE_STATES)
    events = filterset.order(filterset.filter_tab(scoped))
    # The tab's count is the list's: the page is not counted again.
    listed = list_page(events, request.GET, count=counts[filterset.tab_value or "all"])
    listed["page"].object_list = selectors.with_state_labels(listed["page"].object_list)
    return render(
        request,
        "events/staff/list.html",
        {
            **listed,
            "form": filterset.form,
            "tabs": counted_tabs(
                request.GET,
                name="state",
                options=[(ALL_STATES, pgettext("all events", "All")), *EventState.choices],
                counts=counts,
                current=filterset.tab_value,
            ),
            "filtered": filterset.filtered,
            "show_unit": len(filterset.units) > 1,
            "can_create": bool(permissions.unit_ids_for(request.user, permissions.COORDINATE)),
        },
    )


# --- The calendar


MONTH, WEEK = "month", "week"


@dataclass(frozen=True)
class CalendarPeriod:
    view: str
    day: date
    first: date
    last: date
    previous: date
    following: date


def _calendar_period(view: str, day: date) -> CalendarPeriod:
    if view == WEEK:
        monday = day - timedelta(days=day.weekday())
        return CalendarPeriod(
            WEEK,
            day,
            monday,
            monday + timedelta(days=6),
            monday - timedelta(days=7),
            monday + timedelta(days=7),
        )
    first = day.replace(day=1)
    following = date(first.year + (first.month == 12), first.month % 12 + 1, 1)
    previous = (first - timedelta(days=1)).replace(day=1)
    # The grid shows whole weeks: from the Monday before the 1st to the Sunday after the last day.
    grid_first = first - timedelta(days=first.weekday())
    last = following - timedelta(days=1)
    grid_last = last + timedelta(days=6 - last.weekday())
    return CalendarPeriod(MONTH, day, grid_first, grid_last, previous, following)


def _calendar_day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return timezone.localdate()


@login_required
@never_cache
@require_GET
def calendar(request):
    """A unit's events by month (default) or week; ``?unit=<slug>`` among the person's units."""
    require_staff_role(request)
    units = list(visible_units(request.user))
    if not units:
        raise Http404
    unit = _unit_param(request, units)
    if unit is None:
        coordinated = permissions.unit_ids_for(request.user, permissions.COORDINATE)
        unit = next((u for u in units if u.pk in coordinated), units[0])
    view = WEEK if request.GET.get("view") == WEEK else MONTH
    period = _calendar_period(view, _calendar_day(request.GET.get("date", "")))
    events = selectors.unit_calendar(request.user, unit, period.first, period.last)
    events = selectors.with_state_labels(events)
    if view == WEEK:
        weeks = [selectors.week_days(events, period.first)]
    else:
        weeks = selectors.month_weeks(events, period.day.year, period.day.month)
    return render(
        request,
        "events/staff/calendar.html",
        {
            "unit": unit,
            "units": units,
            "show_units": len(units) > 1,
            "several_institutions": len({u.institution_id for u in units}) > 1,
            "period": period,
            "weeks": weeks,
            "days": [day for week in weeks for day in week if day.events and (view == WEEK or day.in_month)],
            "today": timezone.localdate(),
            "can_create": permissions.has_unit_perm(request.user, permissions.COORDINATE, unit),
        },
    )


# --- Creating and changing


def _form_response(request, *, form, unit, event=None, status=200):
    return render(
        request,
        "events/staff/form.html",
        {"form": form, "unit": unit, "event": event},
        status=status,
    )


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def event_create(request):
    """A coordinator's event at ``?unit=<slug>``: approved at once, or a series."""
    _require_coordinator(request)
    units = list(_coordinated_units(request.user))
    unit = _unit_param(request, units) or (units[0] if len(units) == 1 else None)
    if unit is None:
        return render(request, "events/staff/unit_choice.html", {"units": units})
    kwargs = {
        "unit": unit,
        "volunteers": selectors.volunteers_with_agreement(unit),
        "ask_lead": True,
        "new": True,
    }
    if request.method == "POST":
        form = EventForm(request.POST, **kwargs)
        if form.is_valid():
            data = form.cleaned_data
            try:
                if data.get("repeat"):
                    series = services.series_create(
                        actor=request.user,
                        unit=unit,
                        details=form.details(),
                        frequency=data["repeat"],
                        count=data["count"],
                        lead=data["lead"],
                        others=form.others(),
                    )
                    event = series.events.order_by("starts_at", "pk").first()
                else:
                    event = services.event_create(
                        actor=request.user,
                        unit=unit,
                        details=form.details(),
                        lead=data["lead"],
                        others=form.others(),
                    )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                if data.get("repeat"):
                    messages.success(
                        request,
                        _("The series of %(count)d events was created and approved; the volunteers are told.")
                        % {"count": data["count"]},
                    )
                else:
                    messages.success(
                        request, _("The event was created and approved; the volunteers are told.")
                    )
                return redirect("events:detail", pk=event.pk)
        return _form_response(request, form=form, unit=unit, status=400)
    initial = {}
    if day := request.GET.get("date", ""):
        with contextlib.suppress(ValueError):
            initial["day"] = date.fromisoformat(day)
    return _form_response(request, form=EventForm(initial=initial, **kwargs), unit=unit)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def event_edit(request, pk: int):
    event = selectors.event_for(request.user, pk, permissions.COORDINATE)
    if event.state not in OPEN_STATES:
        messages.error(request, _("Only an event that has not taken place can be changed."))
        return redirect("events:detail", pk=event.pk)
    kwargs = {
        "unit": event.unit,
        "volunteers": selectors.volunteers_with_agreement(event.unit, event=event),
        "ask_lead": True,
        "new": False,
    }
    if request.method == "POST":
        form = EventForm(request.POST, **kwargs)
        if form.is_valid():
            try:
                services.event_update(
                    actor=request.user,
                    event=event,
                    details=form.details(),
                    lead=form.cleaned_data["lead"],
                    others=form.others(),
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The event was saved."))
                return redirect("events:detail", pk=event.pk)
        return _form_response(request, form=form, unit=event.unit, event=event, status=400)
    form = EventForm(initial=EventForm.initial_for(event), **kwargs)
    return _form_response(request, form=form, unit=event.unit, event=event)


# --- One event


STEPPER = (EventState.PROPOSED, EventState.APPROVED, EventState.HELD, EventState.REPORTED)


def _stepper(event: Event) -> list[dict]:
    """The step indicator: proposed → approved → held → reported; a stop (rejected,
    cancelled, not held) replaces the step it stopped at."""
    labels = {
        EventState.PROPOSED: _("Proposed"),
        EventState.APPROVED: _("Approved"),
        EventState.HELD: pgettext("event", "Held"),
        EventState.REPORTED: _("Reported"),
    }
    state = event.state
    stop = None
    if state in (EventState.PROPOSED, EventState.CHANGES_REQUESTED):
        current = 0
    elif state == EventState.APPROVED:
        current = 1
    elif state == EventState.HELD:
        current = 2
    elif state == EventState.REPORTED:
        current = 4
    elif state == EventState.REJECTED:
        current, stop = 1, state
    elif state == EventState.NOT_HELD:
        current, stop = 2, state
    else:  # cancelled: before or after the approval
        current, stop = (2 if event.decided_at else 1), state
    steps = []
    for index, key in enumerate(STEPPER):
        label = labels[key]
        if index < current:
            kind = "done"
        elif index == current:
            kind = "stopped" if stop else "current"
            if stop:
                label = EventState(stop).label
            elif state == EventState.CHANGES_REQUESTED:
                label = EventState.CHANGES_REQUESTED.label
        else:
            kind = "todo"
        steps.append({"label": label, "state": kind})
    return steps


def _detail_response(request, event: Event, *, status: int = 200, **bound):
    can_coordinate = permissions.has_unit_perm(request.user, permissions.COORDINATE, event.unit)
    hours = selectors.event_hours(event)
    now = timezone.now()
    people = [{"row": row, "hours": hours.get(row.volunteer_id)} for row in event.people.all()]
    context = {
        "event": event,
        "people": people,
        "steps": selectors.event_steps(event),
        "stepper": _stepper(event),
        "documents": documents_of(event, GATE_PASS),
        "can_coordinate": can_coordinate,
        "total_hours": sum((record.hours for record in hours.values()), start=0),
    }
    series = selectors.series_overview(event, request.user, now=now)
    context["series"] = series
    if can_coordinate and series is not None:
        rest = series.rest
        context.update(
            can_approve_series=series.to_approve > 1,
            can_reject_series=series.to_reject > 1,
            can_cancel_following=len(rest) > 1 and rest[0].pk == event.pk,
            following=rest,
        )
    if can_coordinate:
        context.update(
            series_reject_form=bound.get("series_reject_form") or ReasonForm(prefix="series-reject"),
            following_form=bound.get("following_form") or ReasonForm(prefix="following"),
        )
    if can_coordinate:
        proposal = event.state in (EventState.PROPOSED, EventState.CHANGES_REQUESTED)
        context.update(
            can_approve=proposal and event.starts_at > now,
            can_request_changes=event.state == EventState.PROPOSED,
            can_reject=proposal,
            can_cancel=event.state in OPEN_STATES and event.ends_at > now,
            can_edit=event.state in OPEN_STATES,
            can_report=event.state == EventState.APPROVED and event.starts_at <= now,
            can_review=event.state == EventState.HELD,
            reject_form=bound.get("reject_form") or ReasonForm(prefix="reject"),
            changes_form=bound.get("changes_form") or ReasonForm(prefix="changes"),
            cancel_form=bound.get("cancel_form") or ReasonForm(prefix="cancel"),
        )
    return render(request, "events/staff/detail.html", context, status=status)


@login_required
@never_cache
@require_GET
def event_detail(request, pk: int):
    return _detail_response(request, selectors.event_for(request.user, pk))


@login_required
@require_POST
def event_approve(request, pk: int):
    event = selectors.event_for(request.user, pk, permissions.COORDINATE)
    try:
        services.event_approve(actor=request.user, event=event)
    except ValidationError as error:
        messages.error(request, _error_text(error))
        return redirect("events:detail", pk=event.pk)
    messages.success(
        request,
        _("“%(title)s” was approved; the gate pass is being made and the volunteers are told.")
        % {"title": event.title},
    )
    return redirect(_safe_next(request, reverse("events:detail", args=[event.pk])))


def _reason_step(request, pk: int, *, prefix: str, action, success: str):
    event = selectors.event_for(request.user, pk, permissions.COORDINATE)
    form = ReasonForm(request.POST, prefix=prefix)
    if form.is_valid():
        try:
            action(actor=request.user, event=event, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            add_service_errors(form, error, "reason")
        else:
            messages.success(request, success % {"title": event.title})
            return redirect(_safe_next(request, reverse("events:detail", args=[event.pk])))
    event = selectors.event_for(request.user, pk, permissions.COORDINATE)
    return _detail_response(request, event, status=400, **{f"{prefix}_form": form})


@login_required
@require_POST
def event_reject(request, pk: int):
    return _reason_step(
        request,
        pk,
        prefix="reject",
        action=services.event_reject,
        success=_("“%(title)s” was rejected; the volunteers are told why."),
    )


@login_required
@require_POST
def event_changes(request, pk: int):
    return _reason_step(
        request,
        pk,
        prefix="changes",
        action=services.event_request_changes,
        success=_("Changes to “%(title)s” were requested; the volunteers are told what to change."),
    )


@login_required
@require_POST
def event_cancel(request, pk: int):
    return _reason_step(
        request,
        pk,
        prefix="cancel",
        action=services.event_cancel,
        success=_("“%(title)s” was cancelled; everyone on it is told."),
    )


@login_required
@require_POST
def event_cancel_following(request, pk: int):
    return _reason_step(
        request,
        pk,
        prefix="following",
        action=services.series_cancel_rest,
        success=_(
            "“%(title)s” and the following occurrences of the series were cancelled; "
            "everyone on them is told."
        ),
    )


# --- A series as a whole


def _series_page_event(request, series):
    """The occurrence whose page a series form was sent from (``event``), else the first."""
    occurrences = selectors.staff_events(request.user).filter(series=series).order_by("starts_at", "pk")
    pk = request.POST.get("event", "")
    event = occurrences.filter(pk=pk).first() if pk.isdigit() else None
    event = event or occurrences.first()
    if event is None:
        raise Http404
    return event


@login_required
@require_POST
def series_approve(request, pk: int):
    """Approve every occurrence of a series still proposed (all or none)."""
    series = selectors.series_for(request.user, pk, permissions.COORDINATE)
    event = _series_page_event(request, series)
    try:
        approved = services.series_approve(actor=request.user, series=series)
    except ValidationError as error:
        messages.error(request, _("The series was not approved. %(why)s") % {"why": _error_text(error)})
        return redirect(_safe_next(request, reverse("events:detail", args=[event.pk])))
    messages.success(
        request,
        ngettext(
            "“%(title)s”: %(count)d occurrence was approved; "
            "the gate passes are being made and the volunteers are told.",
            "“%(title)s”: %(count)d occurrences were approved; "
            "the gate passes are being made and the volunteers are told.",
            len(approved),
        )
        % {"title": series.title, "count": len(approved)},
    )
    return redirect(_safe_next(request, reverse("events:detail", args=[event.pk])))


@login_required
@require_POST
def series_reject(request, pk: int):
    """Reject every occurrence of a series still waiting for a decision, saying why."""
    series = selectors.series_for(request.user, pk, permissions.COORDINATE)
    event = _series_page_event(request, series)
    form = ReasonForm(request.POST, prefix="series-reject")
    if form.is_valid():
        try:
            rejected = services.series_reject(
                actor=request.user, series=series, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            add_service_errors(form, error, "reason")
        else:
            messages.success(
                request,
                ngettext(
                    "“%(title)s”: %(count)d occurrence was rejected; the volunteers are told why.",
                    "“%(title)s”: %(count)d occurrences were rejected; the volunteers are told why.",
                    len(rejected),
                )
                % {"title": series.title, "count": len(rejected)},
            )
            return redirect(_safe_next(request, reverse("events:detail", args=[event.pk])))
    return _detail_response(request, event, status=400, series_reject_form=form)


# --- The report


def _report_form(event: Event, data=None) -> ReportForm:
    """The coordinator's report of an approved event; for a volunteer's report ("held"),
    its review: hours prefilled with what the volunteer reported (no "held" question)."""
    review = event.state == EventState.HELD
    initial = {}
    if review:
        hours = selectors.event_hours(event)
        initial = {
            "actual_participants": event.actual_participants,
            "coordinator_note": event.coordinator_note,
            **{f"hours_{vid}": record.hours for vid, record in hours.items()},
        }
        for row in event.people.all():
            initial.setdefault(f"hours_{row.volunteer_id}", None)
    form = ReportForm(data, event=event, coordinator=True, initial=initial)
    if review:
        del form.fields["held"]
        del form.fields["feedback"]
        form.fields["actual_participants"].required = True
    return form


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def event_report(request, pk: int):
    event = selectors.event_for(request.user, pk, permissions.COORDINATE)
    review = event.state == EventState.HELD
    if not review and not (event.state == EventState.APPROVED and event.starts_at <= timezone.now()):
        messages.error(
            request, _("Only an approved event that has started, or a report to review, is reported.")
        )
        return redirect("events:detail", pk=event.pk)
    if request.method == "POST":
        form = _report_form(event, request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                if review:
                    services.report_review(
                        actor=request.user,
                        event=event,
                        hours=form.hours(),
                        coordinator_note=data.get("coordinator_note", ""),
                        actual_participants=data.get("actual_participants"),
                    )
                else:
                    services.event_report(
                        actor=request.user,
                        event=event,
                        held=data["held"],
                        actual_participants=data.get("actual_participants"),
                        hours=form.hours(),
                        feedback=data.get("feedback", ""),
                        coordinator_note=data.get("coordinator_note", ""),
                    )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                if review:
                    messages.success(request, _("The report was reviewed and the hours approved."))
                elif data["held"]:
                    messages.success(request, _("The event was reported; the hours are approved."))
                else:
                    messages.success(request, _("The event was reported as not held."))
                return redirect("events:detail", pk=event.pk)
        status = 400
    else:
        form = _report_form(event)
        status = 200
    return render(
        request,
        "events/staff/report.html",
        {
            "event": event,
            "form": form,
            "review": review,
            "hour_fields": [form[name] for name, _volunteer in form.hour_fields],
            "feedback": [row for row in event.people.all() if row.feedback],
        },
        status=status,
    )


# --- Hours


def _hours_response(request, *, status=200, bound=None, bound_pk=None):
    require_staff_role(request)
    records = selectors.pending_hours(request.user).order_by("day", "pk")
    listing = list_page(records, request.GET)
    return render(
        request,
        "events/staff/hours.html",
        {
            **listing,
            "bound": bound,
            "bound_pk": bound_pk,
            "can_coordinate": bool(permissions.unit_ids_for(request.user, permissions.COORDINATE)),
        },
        status=status,
    )


@login_required
@never_cache
@require_GET
def hours(request):
    return _hours_response(request)


@login_required
@require_POST
def hours_decide(request, pk: int):
    record = selectors.hours_record_for(request.user, pk, permissions.COORDINATE)
    form = HoursDecisionForm(request.POST)
    if form.is_valid():
        approve = form.cleaned_data["decision"] == "approve"
        try:
            services.hours_decide(
                actor=request.user, record=record, approve=approve, hours=form.cleaned_data["hours"]
            )
        except ValidationError as error:
            add_service_errors(form, error, "hours")
        else:
            name = record.volunteer.user.get_full_name()
            if approve:
                messages.success(request, _("The hours of %(name)s were approved.") % {"name": name})
            else:
                messages.success(request, _("The hours of %(name)s were not approved.") % {"name": name})
            return redirect(_safe_next(request, reverse("events:hours")))
    return _hours_response(request, status=400, bound=form, bound_pk=record.pk)


# --- Certificates of volunteer work (izziņas)


@login_required
@never_cache
@require_GET
def certificates(request):
    require_staff_role(request)
    base = selectors.staff_certificates(request.user)
    counts = base.aggregate(
        all=Count("pk"), **{state: Count("pk", filter=Q(state=state)) for state in CertificateState.values}
    )
    state = request.GET.get("state", "")
    if state not in CertificateState.values:
        state = ""
    rows = base.filter(state=state) if state else base
    return render(
        request,
        "events/staff/certificates.html",
        {
            **list_page(rows.order_by("-requested_at", "-pk"), request.GET),
            "tabs": counted_tabs(
                request.GET,
                name="state",
                options=[("", pgettext("all certificates", "All")), *CertificateState.choices],
                counts=counts,
                current=state,
            ),
            "can_create": bool(permissions.unit_ids_for(request.user, permissions.COORDINATE)),
            "show_unit": len(permissions.unit_ids_for(request.user)) > 1,
        },
    )


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def certificate_create(request):
    _require_coordinator(request)
    units = _coordinated_units(request.user)
    kwargs = {
        "units": units,
        "volunteers": selectors.certificate_volunteers(
            permissions.unit_ids_for(request.user, permissions.COORDINATE)
        ),
    }
    if request.method == "POST":
        form = CertificateCreateForm(request.POST, **kwargs)
        if form.is_valid():
            data = form.cleaned_data
            try:
                certificate = services.certificate_create(
                    actor=request.user,
                    unit=data["unit"],
                    volunteer=data["volunteer"],
                    period_start=data["period_start"],
                    period_end=data["period_end"],
                    language=data["language"],
                    purpose=data["purpose"],
                    whole_institution=data["whole_institution"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("Certificate %(number)s was issued; its PDF is being made.")
                    % {"number": certificate.number},
                )
                return redirect("events:certificate_detail", pk=certificate.pk)
        status = 400
    else:
        today = timezone.localdate()
        initial = {"period_start": today.replace(month=1, day=1), "period_end": today}
        unit_list = list(units)
        if len(unit_list) == 1:
            initial["unit"] = unit_list[0].pk
        form = CertificateCreateForm(initial=initial, **kwargs)
        status = 200
    return render(request, "events/staff/certificate_form.html", {"form": form}, status=status)


def _certificate_response(request, certificate, *, status=200, refuse_form=None):
    can_coordinate = permissions.has_unit_perm(request.user, permissions.COORDINATE, certificate.unit)
    labels = dict(Role.Code.choices)
    waiting = certificate.state == CertificateState.REQUESTED
    return render(
        request,
        "events/staff/certificate_detail.html",
        {
            "certificate": certificate,
            "person": certificate.volunteer.user,
            "documents": documents_of(certificate, CERTIFICATE),
            "roles": [str(labels.get(code, code)) for code in certificate.roles],
            "can_coordinate": can_coordinate,
            "refuse_form": refuse_form or ReasonForm(prefix="refuse"),
            # What issuing now would certify (the service's own query), so that a 0 shows first.
            "preview_hours": selectors.certificate_hours_preview(certificate) if waiting else None,
        },
        status=status,
    )


@login_required
@never_cache
@require_GET
def certificate_detail(request, pk: int):
    return _certificate_response(request, selectors.certificate_for(request.user, pk))


@login_required
@require_POST
def certificate_issue(request, pk: int):
    certificate = selectors.certificate_for(request.user, pk, permissions.COORDINATE)
    try:
        certificate = services.certificate_issue(actor=request.user, certificate=certificate)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(
            request,
            _("Certificate %(number)s was issued; its PDF is being made and the volunteer is told.")
            % {"number": certificate.number},
        )
    return redirect("events:certificate_detail", pk=certificate.pk)


@login_required
@require_POST
def certificate_refuse(request, pk: int):
    certificate = selectors.certificate_for(request.user, pk, permissions.COORDINATE)
    form = ReasonForm(request.POST, prefix="refuse")
    if form.is_valid():
        try:
            services.certificate_refuse(
                actor=request.user, certificate=certificate, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            add_service_errors(form, error, "reason")
        else:
            messages.success(request, _("The request was refused; the volunteer is told why."))
            return redirect("events:certificate_detail", pk=certificate.pk)
    return _certificate_response(request, certificate, status=400, refuse_form=form)
