"""Training pages: the coordinators' sessions (list, form, detail, attendance per day,
participants export, enrolment from the inbox), completions, calendar feeds, and the
volunteer's own trainings. Thin: reads in selectors, writes (and every rule) in services.

Reads need ``VIEW`` on the session's unit (the ministry may read); every write needs
``COORDINATE`` — anyone else gets 404, and another unit's session is a 404, never a 403."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core import tabular
from core.filters import counted_tabs, list_page
from documents.selectors import documents_of, latest_done
from documents.views import document_file_response
from institutions import permissions
from institutions.mixins import require_staff_role
from volunteers import selectors as volunteer_selectors
from volunteers.selectors import volunteer_for

from . import calendar, exports, selectors, services
from .forms import (
    CompletionForm,
    EnrolForm,
    InboxEnrolForm,
    ReasonForm,
    SessionForm,
    StateForm,
    add_service_errors,
    day_formset,
)
from .models import RegistrationState, SessionState
from .printing import CERTIFICATE


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


def _coordinated_units(user):
    return permissions.units_for(user, permissions.COORDINATE).valid_today().select_related("institution")


# --- Sessions


@login_required
@require_GET
def session_list(request):
    require_staff_role(request)
    result = selectors.session_list(user=request.user, params=request.GET)
    filterset = result.filterset
    roles = permissions.roles_for(request.user)
    return render(
        request,
        "trainings/sessions.html",
        {
            **list_page(result.sessions, request.GET),
            "form": filterset.form,
            "tabs": counted_tabs(
                request.GET,
                name="when",
                options=[(selectors.UPCOMING, _("Upcoming")), (selectors.PAST, _("Past"))],
                counts=result.counts,
                current=result.when,
            ),
            "filtered": filterset.filtered,
            "show_unit": len(filterset.units) > 1,
            "can_create": bool(roles.coordinate_unit_ids),
            "today": timezone.localdate(),
            "yearly": selectors.counts_by_institution_year_for(request.user),
        },
    )


def _session_form_response(request, *, form, days, session=None, status=200):
    return render(
        request,
        "trainings/session_form.html",
        {"form": form, "days": days, "session": session},
        status=status,
    )


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def session_create(request):
    units = _coordinated_units(request.user)
    if not units.exists():
        raise Http404
    courses = selectors.courses_for(request.user, permissions.COORDINATE).filter(is_active=True)
    if request.method == "POST":
        form = SessionForm(request.POST, courses=courses, units=units)
        days = day_formset(request.POST)
        if form.is_valid() and days.is_valid():
            try:
                session = services.session_create(
                    actor=request.user,
                    course=form.cleaned_data["course"],
                    unit=form.cleaned_data["unit"],
                    days=days.specs(),
                    open_now=form.cleaned_data["open_now"],
                    **form.terms(),
                )
            except ValidationError as error:
                add_service_errors(form, error)
                _days_errors(days, error)
            else:
                messages.success(request, _("The session was created."))
                return redirect("trainings:session_detail", pk=session.pk)
        return _session_form_response(request, form=form, days=days, status=400)
    initial = {}
    if course := request.GET.get("course", ""):
        initial["course"] = course
    form = SessionForm(courses=courses, units=units, initial=initial)
    return _session_form_response(request, form=form, days=day_formset())


def _days_errors(days, error: ValidationError) -> None:
    """The service's errors about the days go above the day rows."""
    if hasattr(error, "error_dict") and "days" in error.error_dict:
        days.service_errors = [m for e in error.error_dict["days"] for m in e.messages]


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def session_edit(request, pk: int):
    session = selectors.session_for(request.user, pk, permissions.COORDINATE)
    if session.state in (SessionState.HELD, SessionState.CANCELLED):
        messages.error(request, _("A held or cancelled session cannot be changed."))
        return redirect("trainings:session_detail", pk=session.pk)
    kwargs = {"courses": selectors.courses_for(request.user), "units": _coordinated_units(request.user)}
    if request.method == "POST":
        form = SessionForm(request.POST, session=session, **kwargs)
        days = day_formset(request.POST, session=session)
        if form.is_valid() and days.is_valid():
            try:
                services.session_update(
                    actor=request.user, session=session, days=days.specs(), **form.terms()
                )
            except ValidationError as error:
                add_service_errors(form, error)
                _days_errors(days, error)
            else:
                messages.success(request, _("The session was saved."))
                return redirect("trainings:session_detail", pk=session.pk)
        return _session_form_response(request, form=form, days=days, session=session, status=400)
    form = SessionForm(initial=SessionForm.initial_for(session), session=session, **kwargs)
    return _session_form_response(request, form=form, days=day_formset(session=session), session=session)


def _detail_response(request, session, *, status=200, enrol_form=None, cancel_form=None):
    can_coordinate = permissions.has_unit_perm(request.user, permissions.COORDINATE, session.unit)
    registrations = selectors.participants(session)
    days = list(session.days.all())
    today = timezone.localdate()
    context = {
        "session": session,
        "days": days,
        "registrations": registrations,
        "active": [r for r in registrations if r.state == RegistrationState.REGISTERED],
        "waiting": [r for r in registrations if r.state == RegistrationState.WAITLISTED],
        "cancelled": [r for r in registrations if r.state == RegistrationState.CANCELLED],
        "can_coordinate": can_coordinate,
        "today": today,
        "over": session.last_day < today,
        "next_states": sorted(services.STATE_CHANGES[session.state]),
        "state_labels": dict(SessionState.choices),
        "cancellable": session.state in services.CANCELLABLE,
    }
    if can_coordinate:
        enrollable = selectors.enrollable_applications(user=request.user, session=session)
        context["enrol_form"] = enrol_form or EnrolForm(applications=enrollable, prefix="enrol")
        context["cancel_form"] = cancel_form or ReasonForm(prefix="cancel")
    return render(request, "trainings/session_detail.html", context, status=status)


@login_required
@require_GET
def session_detail(request, pk: int):
    session = selectors.session_for(request.user, pk)
    return _detail_response(request, session)


@login_required
@require_POST
def session_state(request, pk: int):
    session = selectors.session_for(request.user, pk, permissions.COORDINATE)
    form = StateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a valid state."))
        return redirect("trainings:session_detail", pk=session.pk)
    try:
        services.session_set_state(actor=request.user, session=session, to=form.cleaned_data["to"])
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(
            request,
            _("The session is now: %(state)s.") % {"state": SessionState(form.cleaned_data["to"]).label},
        )
    return redirect("trainings:session_detail", pk=session.pk)


@login_required
@require_POST
def session_cancel(request, pk: int):
    session = selectors.session_for(request.user, pk, permissions.COORDINATE)
    form = ReasonForm(request.POST, prefix="cancel")
    if form.is_valid():
        try:
            services.session_cancel(actor=request.user, session=session, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            add_service_errors(form, error, "reason")
        else:
            messages.success(
                request, _("The session was cancelled; the participants are being told by email.")
            )
            return redirect("trainings:session_detail", pk=session.pk)
    session = selectors.session_for(request.user, pk, permissions.COORDINATE)
    return _detail_response(request, session, status=400, cancel_form=form)


@login_required
@require_POST
def session_complete(request, pk: int):
    session = selectors.session_for(request.user, pk, permissions.COORDINATE)
    try:
        created = services.session_complete(actor=request.user, session=session)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(
            request,
            ngettext(
                "Session held: %(count)d completion recorded; its certificate is being made.",
                "Session held: %(count)d completions recorded; their certificates are being made.",
                len(created),
            )
            % {"count": len(created)},
        )
    return redirect("trainings:session_detail", pk=session.pk)


def _enrolment_message(request, result: services.Enrolment) -> None:
    if result.registered:
        messages.success(
            request,
            ngettext(
                "%(count)d person was enrolled.", "%(count)d people were enrolled.", len(result.registered)
            )
            % {"count": len(result.registered)},
        )
    if result.waitlisted:
        messages.warning(
            request,
            ngettext(
                "%(count)d person is on the waiting list: the session is full.",
                "%(count)d people are on the waiting list: the session is full.",
                len(result.waitlisted),
            )
            % {"count": len(result.waitlisted)},
        )
    for application, reason in result.refused:
        messages.error(request, f"{application.volunteer.user.get_full_name()}: {reason}")


@login_required
@require_POST
def session_enrol(request, pk: int):
    session = selectors.session_for(request.user, pk, permissions.COORDINATE)
    enrollable = selectors.enrollable_applications(user=request.user, session=session)
    form = EnrolForm(request.POST, applications=enrollable, prefix="enrol")
    if not form.is_valid():
        return _detail_response(request, session, status=400, enrol_form=form)
    result = services.registrations_enrol(
        actor=request.user, session=session, applications=form.cleaned_data["applications"]
    )
    _enrolment_message(request, result)
    return redirect("trainings:session_detail", pk=session.pk)


@login_required
@require_POST
def inbox_enrol(request):
    """Enrol the applications selected in the inbox (training step) into a session."""
    if not permissions.unit_ids_for(request.user, permissions.COORDINATE):
        raise Http404  # a write: the ministry (read-only) and volunteers get 404
    applications = selectors.coordinated_applications(user=request.user, status="training")
    institution_ids = set(applications.values_list("institution_id", flat=True))
    sessions = selectors.open_sessions_for_applications(user=request.user, institution_ids=institution_ids)
    form = InboxEnrolForm(request.POST, sessions=sessions, applications=applications)
    back = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=False):
        back = ""
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(back or "volunteers:inbox")
    session = form.cleaned_data["session"]
    result = services.registrations_enrol(
        actor=request.user, session=session, applications=form.cleaned_data["applications"]
    )
    _enrolment_message(request, result)
    if back:
        return redirect(back)
    if permissions.has_unit_perm(request.user, permissions.VIEW, session.unit):
        return redirect("trainings:session_detail", pk=session.pk)
    return redirect("volunteers:inbox")


@login_required
@require_POST
def registration_cancel(request, pk: int, registration_pk: int):
    session = selectors.session_for(request.user, pk, permissions.COORDINATE)
    registration = selectors.registration_for_marking(session, registration_pk)
    try:
        services.registration_cancel(actor=request.user, registration=registration)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(
            request,
            _("The registration of %(name)s was cancelled.")
            % {"name": registration.volunteer.user.get_full_name()},
        )
    return redirect("trainings:session_detail", pk=session.pk)


# --- Attendance


@login_required
@require_GET
def attendance(request, pk: int, day_pk: int):
    session = selectors.session_for(request.user, pk)
    day = selectors.session_day_for(session, day_pk)
    sheet = selectors.attendance_sheet(session, day)
    return render(
        request,
        "trainings/attendance.html",
        {
            "session": session,
            "day": day,
            "days": list(session.days.all()),
            "sheet": sheet,
            "present": sum(1 for r in sheet if r.mark is True),
            "absent": sum(1 for r in sheet if r.mark is False),
            "can_mark": permissions.has_unit_perm(request.user, permissions.COORDINATE, session.unit)
            and day.date <= timezone.localdate()
            and not session.is_cancelled,
        },
    )


@login_required
@require_POST
def attendance_mark(request, pk: int, day_pk: int, registration_pk: int):
    """One row's mark (htmx swaps the row; without JavaScript the page reloads)."""
    session = selectors.session_for(request.user, pk, permissions.COORDINATE)
    day = selectors.session_day_for(session, day_pk)
    registration = selectors.registration_for_marking(session, registration_pk)
    present = request.POST.get("present")
    error = ""
    if present not in ("1", "0"):
        error = _("Choose present or absent.")
    else:
        try:
            services.attendance_mark(
                actor=request.user, registration=registration, day=day, present=present == "1"
            )
        except ValidationError as exc:
            error = _error_text(exc)
    if not request.htmx:
        if error:
            messages.error(request, error)
        return redirect("trainings:attendance", pk=session.pk, day_pk=day.pk)
    registration.mark = (present == "1") if not error else selectors.mark_of(registration, day)
    return render(
        request,
        "trainings/_attendance_row.html",
        {"session": session, "day": day, "registration": registration, "can_mark": True, "error": error},
        # htmx swaps only successful answers: a refusal comes back as the row with its message.
        status=200,
    )


# --- Export


@login_required
@require_GET
def participants_export(request, pk: int, fmt: str):
    session = selectors.session_for(request.user, pk)
    if fmt not in exports.FORMATS:
        raise Http404
    registrations = selectors.participants(session)
    export = exports.participants(session, registrations)
    services.export_logged(actor=request.user, session=session, fmt=fmt, count=len(registrations))
    return tabular.response(export.table, fmt, filename=f"{export.filename}.{fmt}")


# --- Completions


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def completion_create(request, application_pk: int):
    application = volunteer_selectors.application_for(request.user, application_pk, permissions.COORDINATE)
    courses = selectors.courses_for(request.user, permissions.COORDINATE).filter(
        institution_id=application.institution_id, is_active=True
    )
    sessions = selectors.sessions_attended(user=request.user, application=application)
    if request.method == "POST":
        form = CompletionForm(request.POST, courses=courses, sessions=sessions)
        if form.is_valid():
            try:
                services.completion_record(
                    actor=request.user,
                    application=application,
                    course=form.cleaned_data["course"],
                    completed_on=form.cleaned_data["completed_on"],
                    session=form.cleaned_data["session"],
                    note=form.cleaned_data["note"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The completion was recorded; the certificate is being made."))
                return redirect("volunteers:application_detail", pk=application.pk)
        status = 400
    else:
        form = CompletionForm(
            courses=courses, sessions=sessions, initial={"completed_on": timezone.localdate()}
        )
        status = 200
    return render(
        request,
        "trainings/completion_form.html",
        {
            "application": application,
            "person": application.volunteer.user,
            "form": form,
            "completions": selectors.volunteer_completions_for_staff(
                user=request.user, application=application
            ),
        },
        status=status,
    )


def _completion_response(request, completion, *, form=None, status=200):
    can_coordinate = permissions.has_unit_perm(request.user, permissions.COORDINATE, completion.unit)
    return render(
        request,
        "trainings/completion_detail.html",
        {
            "completion": completion,
            "documents": documents_of(completion, CERTIFICATE),
            "can_coordinate": can_coordinate,
            "revoke_form": form or (ReasonForm(prefix="revoke") if can_coordinate else None),
            "today": timezone.localdate(),
        },
        status=status,
    )


@login_required
@require_GET
def completion_detail(request, pk: int):
    return _completion_response(request, selectors.completion_for(request.user, pk))


@login_required
@require_POST
def completion_revoke(request, pk: int):
    completion = selectors.completion_for(request.user, pk, permissions.COORDINATE)
    form = ReasonForm(request.POST, prefix="revoke")
    if form.is_valid():
        try:
            services.completion_revoke(
                actor=request.user, completion=completion, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            add_service_errors(form, error, "reason")
        else:
            messages.success(request, _("The completion was withdrawn and its certificate revoked."))
            return redirect("trainings:completion_detail", pk=completion.pk)
    return _completion_response(request, completion, form=form, status=400)


# --- Calendar feeds


def _feed_url(request, feed) -> str:
    from django.urls import reverse

    return request.build_absolute_uri(reverse("trainings:feed", args=[feed.token]))


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def calendar_page(request):
    """A coordinator's private calendar addresses, one per unit they see; reset on POST."""
    require_staff_role(request)
    units = list(permissions.units_for(request.user).order_by("name"))
    if request.method == "POST":
        slug = request.POST.get("unit", "")
        unit = next((u for u in units if u.slug == slug), None)
        if unit is None:
            raise Http404
        services.calendar_feed_reset(user=request.user, unit=unit)
        messages.success(request, _("A new address was made; the old one no longer works."))
        return redirect("trainings:calendar")
    feeds = selectors.feeds_of(request.user)
    rows = [
        {"unit": unit, "url": _feed_url(request, feeds[unit.pk]) if unit.pk in feeds else ""}
        for unit in units
    ]
    return render(request, "trainings/calendar.html", {"rows": rows})


@login_required
@require_POST
def calendar_create(request):
    require_staff_role(request)
    slug = request.POST.get("unit", "")
    unit = permissions.units_for(request.user).filter(slug=slug).first()
    if unit is None:
        raise Http404
    services.calendar_feed(user=request.user, unit=unit)
    return redirect("trainings:calendar")


@require_GET
def feed(request, token: str):
    """The public, tokenised feed (calendar apps cannot sign in) of trainings and events:
    a volunteer's own, or a unit's for its coordinator. Unknown token: 404."""
    found = selectors.feed_by_token(token)
    if found is None:
        raise Http404
    if found.unit_id is None:
        name = _("My calendar") + " · Tilts"
    else:
        name = f"{found.unit.name} · " + _("Trainings and events") + " · Tilts"
    content = calendar.feed(
        selectors.feed_sessions(found),
        name=name,
        events=selectors.feed_events(found),
        staff=bool(found.unit_id),
    )
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="tilts-calendar.ics"'
    response["Cache-Control"] = "private, max-age=300"
    return response


# --- The volunteer's own trainings


@login_required
@never_cache
@require_GET
def my_trainings(request):
    volunteer = volunteer_for(request.user)
    context = {"volunteer": volunteer}
    if volunteer is not None:
        completions = selectors.my_completions(volunteer)
        for completion in completions:
            done = [d for d in completion.documents.all() if d.state == "done" and d.revoked_at is None]
            completion.pdf = max(done, key=lambda d: d.version) if done else None
        feed_row = selectors.feeds_of(request.user).get(None)
        context.update(
            registrations=selectors.my_registrations(volunteer),
            open_sessions=selectors.sessions_open_to(volunteer),
            completions=completions,
            feed_url=_feed_url(request, feed_row) if feed_row else "",
            today=timezone.localdate(),
        )
    return render(request, "trainings/me/trainings.html", context)


def _own_volunteer(request):
    volunteer = volunteer_for(request.user)
    if volunteer is None:
        raise Http404
    return volunteer


@login_required
@require_POST
def my_register(request, session_pk: int):
    volunteer = _own_volunteer(request)
    session = selectors.session_for_volunteer(volunteer, session_pk)
    try:
        registration = services.registration_create(actor=request.user, session=session, volunteer=volunteer)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        if registration.state == RegistrationState.REGISTERED:
            messages.success(request, _("You are registered. A confirmation is on its way to your email."))
        else:
            messages.warning(
                request,
                _("The session is full: you are on its waiting list and get an email if a place frees up."),
            )
    return redirect("trainings:my_trainings")


@login_required
@require_POST
def my_cancel(request, pk: int):
    volunteer = _own_volunteer(request)
    registration = selectors.my_registration(volunteer, pk)
    try:
        services.registration_cancel(actor=request.user, registration=registration)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("Your registration was cancelled."))
    return redirect("trainings:my_trainings")


@login_required
@require_GET
def my_certificate(request, pk: int):
    volunteer = _own_volunteer(request)
    completion = selectors.my_completion(volunteer, pk)
    return document_file_response(request, latest_done(completion, CERTIFICATE), completion)


@login_required
@require_POST
def my_calendar(request):
    """Make (or, with ``reset``, replace) the volunteer's private calendar address."""
    _own_volunteer(request)
    if request.POST.get("reset"):
        services.calendar_feed_reset(user=request.user)
        messages.success(request, _("A new address was made; the old one no longer works."))
    else:
        services.calendar_feed(user=request.user)
    # The same address carries trainings and events: the events calendar sends its page back.
    back = request.POST.get("next") or ""
    if back and url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=False
    ):
        return redirect(back)
    return redirect("trainings:my_trainings")
