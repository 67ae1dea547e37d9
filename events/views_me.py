"""The volunteer's own event pages (/me/events/…, /me/hours/…): their events, proposing one
(or a series), changing a proposal, cancelling, reporting, their month calendar, their
hours and their certificates of volunteer work (izziņas).

Thin: reads in ``selectors``, writes (and every rule) in ``services``. A person without a
volunteer profile sees the same "no profile" page as on the other /me/ pages; their
actions and object URLs answer 404. Another volunteer's event is a 404."""

from __future__ import annotations

import calendar as month_calendar
from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from documents.models import Document
from documents.selectors import documents_of
from trainings import selectors as training_selectors
from volunteers.selectors import volunteer_for

from . import selectors, services
from .forms import (
    CertificateRequestForm,
    EventForm,
    FeedbackForm,
    ReasonForm,
    ReportForm,
    add_service_errors,
)
from .models import DONE_STATES, CertificateState, EventState, HoursState
from .printing import CERTIFICATE, GATE_PASS

PAGE_SIZE = 25

STATE_BADGES = {
    EventState.PROPOSED: "text-bg-primary",
    EventState.CHANGES_REQUESTED: "text-bg-warning",
    EventState.APPROVED: "text-bg-success",
    EventState.HELD: "text-bg-info",
    EventState.REPORTED: "text-bg-secondary",
    EventState.NOT_HELD: "text-bg-light border",
    EventState.REJECTED: "text-bg-danger",
    EventState.CANCELLED: "text-bg-dark",
}
HOURS_BADGES = {
    HoursState.PENDING: "text-bg-warning",
    HoursState.APPROVED: "text-bg-success",
    HoursState.REJECTED: "text-bg-secondary",
}
CERTIFICATE_BADGES = {
    CertificateState.REQUESTED: "text-bg-warning",
    CertificateState.ISSUED: "text-bg-success",
    CertificateState.REFUSED: "text-bg-secondary",
}
EDITABLE = (EventState.PROPOSED, EventState.CHANGES_REQUESTED)
CANCELLABLE = (EventState.PROPOSED, EventState.CHANGES_REQUESTED, EventState.APPROVED)
# The service names the moments; the form asks a date and two times.
SERVICE_FIELDS = {"starts_at": "start_time", "ends_at": "end_time"}


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


def _own_volunteer(request):
    volunteer = volunteer_for(request.user)
    if volunteer is None:
        raise Http404
    return volunteer


def _event_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        error = ValidationError(
            {SERVICE_FIELDS.get(name, name): errors for name, errors in error.error_dict.items()}
        )
    add_service_errors(form, error)


def _annotate(event, volunteer, now=None) -> None:
    """What the volunteer's lists and pages need to know of an event: their own row, the
    badge, and what it waits for from them."""
    now = now or timezone.now()
    event.mine = next((row for row in event.people.all() if row.volunteer_id == volunteer.pk), None)
    event.i_lead = bool(event.mine and event.mine.is_lead)
    event.badge = STATE_BADGES.get(event.state, "text-bg-secondary")
    event.can_edit = event.i_lead and event.state in EDITABLE
    event.can_cancel = event.state in CANCELLABLE and event.ends_at > now
    event.can_report = event.i_lead and event.state == EventState.APPROVED and event.starts_at <= now
    event.report_due = event.can_report and event.ends_at <= now
    # Everyone on an event that has taken place may say how it went (the lead also in the report).
    over = event.state in DONE_STATES or (event.state == EventState.APPROVED and event.ends_at <= now)
    event.can_feedback = bool(event.mine) and over and not event.report_due


# --- The volunteer's events


@login_required
@never_cache
@require_GET
def my_events(request):
    volunteer = volunteer_for(request.user)
    context = {"volunteer": volunteer}
    if volunteer is not None:
        now = timezone.now()
        events = selectors.my_events(volunteer)
        upcoming = list(events.filter(ends_at__gt=now).order_by("starts_at", "pk"))
        past = Paginator(events.filter(ends_at__lte=now), PAGE_SIZE).get_page(request.GET.get("page"))
        for event in [*upcoming, *past.object_list]:
            _annotate(event, volunteer, now)
        context.update(
            upcoming=upcoming,
            page=past,
            can_propose=selectors.units_for_proposal(volunteer).exists(),
            needs_me=[
                e
                for e in [*upcoming, *past.object_list]
                if e.report_due or (e.i_lead and e.state == EventState.CHANGES_REQUESTED)
            ],
        )
    return render(request, "events/me/events.html", context)


def _event_page(
    request, volunteer, event, *, cancel_form=None, feedback_form=None, following_form=None, status=200
):
    now = timezone.now()
    _annotate(event, volunteer, now)
    series = selectors.series_overview(event, request.user, mine_only=True, now=now)
    rest = series.rest if series else []
    gate_pass = None
    if event.state in (EventState.APPROVED, EventState.HELD, EventState.REPORTED):
        current = [d for d in documents_of(event, GATE_PASS) if d.revoked_at is None]
        gate_pass = current[0] if current else None
    return render(
        request,
        "events/me/event.html",
        {
            "volunteer": volunteer,
            "event": event,
            "steps": selectors.event_steps(event),
            "gate_pass": gate_pass,
            "my_hours": selectors.my_hours(volunteer).filter(event=event).first(),
            "cancel_form": cancel_form or ReasonForm(prefix="cancel"),
            "series": series,
            "following": rest,
            "can_cancel_following": len(rest) > 1 and rest[0].pk == event.pk,
            "following_form": following_form or ReasonForm(prefix="following"),
            "feedback_form": feedback_form
            or FeedbackForm(
                prefix="feedback", initial={"feedback": event.mine.feedback if event.mine else ""}
            ),
        },
        status=status,
    )


@login_required
@never_cache
@require_GET
def my_event(request, pk: int):
    volunteer = _own_volunteer(request)
    return _event_page(request, volunteer, selectors.my_event(volunteer, pk))


def _form_page(request, context, *, status=200):
    return render(request, "events/me/event_form.html", context, status=status)


def _others(unit, volunteer, event=None):
    """Whom the volunteer may name beside themselves: only people they already know."""
    return selectors.co_volunteer_choices(volunteer, unit, event=event)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def propose(request):
    """Propose an event (or a series) at a unit where the volunteer has an agreement in
    force; the unit is chosen first when there are several."""
    volunteer = volunteer_for(request.user)
    if volunteer is None:
        if request.method == "POST":
            raise Http404
        return _form_page(request, {"volunteer": None, "new": True})
    units = list(selectors.units_for_proposal(volunteer))
    context = {"volunteer": volunteer, "new": True, "units": units}
    if not units:
        if request.method == "POST":
            raise Http404
        return _form_page(request, context)
    chosen = request.POST.get("unit") if request.method == "POST" else request.GET.get("unit")
    if len(units) == 1 and not chosen:
        chosen = str(units[0].pk)
    unit = next((u for u in units if str(u.pk) == str(chosen or "")), None)
    if unit is None:
        if request.method == "POST" or chosen:
            raise Http404
        return _form_page(request, context)  # choose the unit first
    context["unit"] = unit
    if request.method == "POST":
        form = EventForm(
            request.POST,
            unit=unit,
            volunteers=_others(unit, volunteer),
            ask_lead=False,
            new=True,
            known_only=True,
        )
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
                        others=form.others(),
                    )
                else:
                    event = services.event_propose(
                        actor=request.user, unit=unit, details=form.details(), others=form.others()
                    )
            except ValidationError as error:
                _event_errors(form, error)
            except PermissionDenied as denied:
                raise Http404 from denied
            else:
                if data.get("repeat"):
                    messages.success(
                        request,
                        _("%(count)d events were proposed; the coordinator decides each of them.")
                        % {"count": series.count},
                    )
                    return redirect("events:my_events")
                messages.success(
                    request, _("The event was proposed. You get an email when the coordinator decides.")
                )
                return redirect("events:my_event", pk=event.pk)
        context["form"] = form
        return _form_page(request, context, status=400)
    context["form"] = EventForm(
        unit=unit,
        volunteers=_others(unit, volunteer),
        ask_lead=False,
        new=True,
        known_only=True,
        initial={"expected_participants": 10, "day": timezone.localdate() + timedelta(days=7)},
    )
    return _form_page(request, context)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def my_event_edit(request, pk: int):
    """The lead volunteer changes a proposal (one sent back for changes returns to the queue)."""
    volunteer = _own_volunteer(request)
    event = selectors.my_event(volunteer, pk)
    _annotate(event, volunteer)
    if not event.can_edit:
        messages.error(
            request,
            _("Only the lead volunteer changes a proposal; an approved event is changed by the coordinator."),
        )
        return redirect("events:my_event", pk=event.pk)
    kwargs = {
        "unit": event.unit,
        "volunteers": _others(event.unit, volunteer, event),
        "ask_lead": False,
        "new": False,
        "known_only": True,
    }
    context = {"volunteer": volunteer, "event": event, "unit": event.unit, "new": False}
    if request.method == "POST":
        form = EventForm(request.POST, **kwargs)
        if form.is_valid():
            try:
                services.event_update(
                    actor=request.user, event=event, details=form.details(), others=form.others()
                )
            except ValidationError as error:
                _event_errors(form, error)
            except PermissionDenied as denied:
                raise Http404 from denied
            else:
                messages.success(request, _("The event was saved."))
                return redirect("events:my_event", pk=event.pk)
        context["form"] = form
        return _form_page(request, context, status=400)
    context["form"] = EventForm(initial=EventForm.initial_for(event), **kwargs)
    return _form_page(request, context)


@login_required
@require_POST
def my_event_cancel(request, pk: int):
    volunteer = _own_volunteer(request)
    event = selectors.my_event(volunteer, pk)
    form = ReasonForm(request.POST, prefix="cancel")
    leads = any(row.is_lead and row.volunteer_id == volunteer.pk for row in event.people.all())
    if form.is_valid():
        try:
            if leads:  # the lead cancels the event; anyone else on it leaves it
                services.event_cancel(actor=request.user, event=event, reason=form.cleaned_data["reason"])
            else:
                services.event_leave(actor=request.user, event=event, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            add_service_errors(form, error, "reason")
        except PermissionDenied as denied:
            raise Http404 from denied
        else:
            if leads:
                messages.success(
                    request, _("The event was cancelled; everyone on it and the coordinator are told.")
                )
                return redirect("events:my_event", pk=event.pk)
            messages.success(
                request, _("You have left the event; the lead volunteer and the coordinator are told.")
            )
            return redirect("events:my_events")
    return _event_page(request, volunteer, selectors.my_event(volunteer, pk), cancel_form=form, status=400)


@login_required
@require_POST
def my_event_cancel_following(request, pk: int):
    """The lead cancels an occurrence of a series and the following ones they lead."""
    volunteer = _own_volunteer(request)
    event = selectors.my_event(volunteer, pk)
    form = ReasonForm(request.POST, prefix="following")
    if form.is_valid():
        try:
            cancelled = services.series_cancel_rest(
                actor=request.user, event=event, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            add_service_errors(form, error, "reason")
        except PermissionDenied as denied:
            raise Http404 from denied
        else:
            messages.success(
                request,
                ngettext(
                    "%(count)d occurrence was cancelled; everyone on it and the coordinator are told.",
                    "%(count)d occurrences were cancelled; everyone on them and the coordinator are told.",
                    len(cancelled),
                )
                % {"count": len(cancelled)},
            )
            return redirect("events:my_event", pk=event.pk)
    return _event_page(request, volunteer, selectors.my_event(volunteer, pk), following_form=form, status=400)


@login_required
@require_POST
def my_event_feedback(request, pk: int):
    """A volunteer on an event that has taken place says how it went."""
    volunteer = _own_volunteer(request)
    event = selectors.my_event(volunteer, pk)
    form = FeedbackForm(request.POST, prefix="feedback")
    if form.is_valid():
        try:
            services.event_feedback(actor=request.user, event=event, feedback=form.cleaned_data["feedback"])
        except ValidationError as error:
            add_service_errors(form, error, "feedback")
        except PermissionDenied as denied:
            raise Http404 from denied
        else:
            messages.success(request, _("Thank you! Your feedback was saved; the coordinator reads it."))
            return redirect("events:my_event", pk=event.pk)
    return _event_page(request, volunteer, selectors.my_event(volunteer, pk), feedback_form=form, status=400)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def my_event_report(request, pk: int):
    """The lead volunteer reports an approved event once it has started: held or not,
    participants, hours per volunteer (prefilled with its length) and feedback."""
    volunteer = _own_volunteer(request)
    event = selectors.my_event(volunteer, pk)
    _annotate(event, volunteer)
    if not event.can_report:
        messages.error(request, _("Only the lead volunteer reports an approved event, once it has started."))
        return redirect("events:my_event", pk=event.pk)
    if request.method == "POST":
        form = ReportForm(request.POST, event=event, coordinator=False)
        if form.is_valid():
            held = form.cleaned_data["held"]
            try:
                services.event_report(
                    actor=request.user,
                    event=event,
                    held=held,
                    actual_participants=form.cleaned_data.get("actual_participants"),
                    hours=form.hours() if held else {},
                    feedback=form.cleaned_data.get("feedback", ""),
                )
            except ValidationError as error:
                first_hours = form.hour_fields[0][0] if form.hour_fields else None
                if hasattr(error, "error_dict") and "hours" in error.error_dict:
                    error = ValidationError(
                        {
                            (first_hours or "hours") if k == "hours" else k: v
                            for k, v in error.error_dict.items()
                        }
                    )
                add_service_errors(form, error)
            except PermissionDenied as denied:
                raise Http404 from denied
            else:
                if held:
                    messages.success(
                        request, _("Thank you! The report was sent; the coordinator approves the hours.")
                    )
                else:
                    messages.success(request, _("The event is recorded as not held."))
                return redirect("events:my_event", pk=event.pk)
        status = 400
    else:
        form = ReportForm(event=event, coordinator=False, initial={"held": "yes"})
        status = 200
    return render(
        request,
        "events/me/report.html",
        {
            "volunteer": volunteer,
            "event": event,
            "form": form,
            "hour_fields": [form[name] for name, _volunteer in form.hour_fields],
        },
        status=status,
    )


# --- Calendar


def _month(request) -> tuple[int, int]:
    today = timezone.localdate()
    value = request.GET.get("month", "")
    try:
        year, month = (int(part) for part in value.split("-"))
        date(year, month, 1)
    except ValueError:
        return today.year, today.month
    if not 2000 <= year <= 2100:
        return today.year, today.month
    return year, month


@login_required
@never_cache
@require_GET
def my_calendar(request):
    volunteer = volunteer_for(request.user)
    year, month = _month(request)
    context = {"volunteer": volunteer}
    if volunteer is not None:
        first = date(year, month, 1)
        last = date(year, month, month_calendar.monthrange(year, month)[1])
        grid_first = first - timedelta(days=first.weekday())
        grid_last = last + timedelta(days=6 - last.weekday())
        events = selectors.volunteer_calendar(volunteer, grid_first, grid_last)
        for event in events:
            _annotate(event, volunteer)
        weeks = selectors.month_weeks(events, year, month)
        previous = first - timedelta(days=1)
        following = last + timedelta(days=1)
        feed = training_selectors.feeds_of(request.user).get(None)
        context.update(
            weeks=weeks,
            busy_days=[day for week in weeks for day in week if day.in_month and day.events],
            month_start=first,
            previous=f"{previous.year}-{previous.month:02d}",
            following=f"{following.year}-{following.month:02d}",
            today=timezone.localdate(),
            feed_url=request.build_absolute_uri(_feed_path(feed)) if feed else "",
        )
    return render(request, "events/me/calendar.html", context)


def _feed_path(feed) -> str:
    from django.urls import reverse

    return reverse("trainings:feed", args=[feed.token])


# --- Hours and certificates


@login_required
@never_cache
@require_GET
def my_hours(request):
    volunteer = volunteer_for(request.user)
    context = {"volunteer": volunteer}
    if volunteer is not None:
        certificates = list(selectors.my_certificates(volunteer).prefetch_related("documents"))
        for certificate in certificates:
            done = [
                d
                for d in certificate.documents.all()
                if d.kind == CERTIFICATE and d.state == Document.State.DONE and d.revoked_at is None
            ]
            certificate.pdf = max(done, key=lambda d: d.version) if done else None
            certificate.badge = CERTIFICATE_BADGES.get(certificate.state, "text-bg-secondary")
        records = Paginator(selectors.my_hours(volunteer).order_by("-day", "-pk"), PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        for record in records.object_list:
            record.badge = HOURS_BADGES.get(record.state, "text-bg-secondary")
        context.update(
            totals=selectors.hours_totals(volunteer),
            page=records,
            certificates=certificates,
            can_request=selectors.units_for_certificate(volunteer).exists(),
        )
    return render(request, "events/me/hours.html", context)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def certificate_request(request):
    volunteer = volunteer_for(request.user)
    if volunteer is None:
        if request.method == "POST":
            raise Http404
        return render(request, "events/me/certificate_request.html", {"volunteer": None})
    units = selectors.units_for_certificate(volunteer)
    context = {"volunteer": volunteer, "has_units": units.exists()}
    if not context["has_units"]:
        if request.method == "POST":
            raise Http404
        return render(request, "events/me/certificate_request.html", context)
    if request.method == "POST":
        form = CertificateRequestForm(request.POST, units=units)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.certificate_request(
                    actor=request.user,
                    unit=data["unit"],
                    period_start=data["period_start"],
                    period_end=data["period_end"],
                    language=data["language"],
                    purpose=data["purpose"],
                    whole_institution=data["whole_institution"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            except PermissionDenied as denied:
                raise Http404 from denied
            else:
                messages.success(
                    request,
                    _("Your request was sent. You get an email when the certificate is ready to download."),
                )
                return redirect("events:my_hours")
        context["form"] = form
        return render(request, "events/me/certificate_request.html", context, status=400)
    today = timezone.localdate()
    units_list = list(units)
    language = "en" if getattr(request, "LANGUAGE_CODE", "lv") == "en" else "lv"
    context["form"] = CertificateRequestForm(
        units=units,
        initial={
            "unit": units_list[0].pk if len(units_list) == 1 else None,
            "period_start": date(today.year, 1, 1),
            "period_end": today,
            "language": language,
        },
    )
    return render(request, "events/me/certificate_request.html", context)
