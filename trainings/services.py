"""Every write of the trainings app: keyword-only, atomic, audited in the same
transaction; emails through the ``Notice`` outbox (``core.outbox``: claimed after commit,
then sent outside any transaction or lock).

Capacity is guarded by locking the session row: registrations of one session are
decided one at a time, so the places are never over-filled, whatever the concurrency."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, time
from typing import TYPE_CHECKING

from dateutil.relativedelta import relativedelta
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from agreements import terms as agreement_terms
from core.outbox import Outbox
from core.tasks import enqueue_on_commit
from documents.services import document_issue, documents_revoke
from institutions import permissions
from institutions.models import Unit
from institutions.services import audit_record
from volunteers.models import CURRENT_STATUSES, Application, Status, Volunteer

from . import selectors
from .models import (
    Attendance,
    CalendarFeed,
    Completion,
    Course,
    Notice,
    Registration,
    RegistrationState,
    Session,
    SessionDay,
    SessionState,
)
from .printing import CERTIFICATE

if TYPE_CHECKING:
    from accounts.models import User

SESSION_FIELDS = ["place", "capacity", "trainers", "registration_deadline", "notes"]
# planned → open → closed → held; open ⇄ closed; cancelled from any state before held.
STATE_CHANGES: dict[str, set[str]] = {
    SessionState.PLANNED: {SessionState.OPEN},
    SessionState.OPEN: {SessionState.CLOSED},
    SessionState.CLOSED: {SessionState.OPEN},
    SessionState.HELD: set(),
    SessionState.CANCELLED: set(),
}
CANCELLABLE = {SessionState.PLANNED, SessionState.OPEN, SessionState.CLOSED}
# Registration emails: claimed, sent outside any lock, swept when lost (see core.outbox).
NOTICE = Outbox(
    model=Notice,
    sent="sent_at",
    claimed="claimed_at",
    attempts="attempts",
    error="error",
    created="created_at",
)


@dataclass(frozen=True)
class DaySpec:
    date: date
    starts_at: time
    ends_at: time


def _require(actor: User, unit: Unit, perm: str = permissions.COORDINATE) -> None:
    if not permissions.has_unit_perm(actor, perm, unit):
        raise PermissionDenied


def _lock(session: Session) -> Session:
    """The session row only (not its course, unit or institution: other sessions of the
    institution go on), and NO KEY, so registrations and audit rows pointing at it insert."""
    return (
        Session.objects.select_for_update(of=("self",), no_key=True)
        .select_related("course", "unit__institution")
        .get(pk=session.pk)
    )


def _notice(registration: Registration, kind: str) -> None:
    from .tasks import notice_send

    notice = Notice.objects.create(registration=registration, kind=kind)
    enqueue_on_commit(notice_send, notice.pk)


# --- Sessions


def _validate_session(session: Session, days: Sequence[DaySpec]) -> None:
    errors: dict[str, list[str]] = {}
    if session.course.institution_id != session.unit.institution_id:
        errors.setdefault("course", []).append(_("The course belongs to another institution."))
    if session._state.adding and not session.course.is_active:
        errors.setdefault("course", []).append(_("The course is no longer offered."))
    if session.capacity is None or session.capacity < 1:
        errors.setdefault("capacity", []).append(_("A session has at least one place."))
    if not days:
        errors.setdefault("days", []).append(_("Add at least one day."))
    dates = [day.date for day in days]
    if len(set(dates)) != len(dates):
        errors.setdefault("days", []).append(_("Each day can be listed once."))
    if any(day.ends_at <= day.starts_at for day in days):
        errors.setdefault("days", []).append(_("A day cannot end before it starts."))
    if days and session.registration_deadline and session.registration_deadline > min(dates):
        errors.setdefault("registration_deadline", []).append(
            _("The registration deadline is on or before the first day.")
        )
    if errors:
        raise ValidationError(errors)


def _save_days(session: Session, days: Sequence[DaySpec]) -> bool:
    """Replace the session's days; attendance of a day kept (same date) stays. True if changed."""
    existing = {day.date: day for day in session.days.all()}
    wanted = {day.date: day for day in days}
    changed = False
    for when, day in existing.items():
        if when not in wanted:
            if day.attendance.exists():
                raise ValidationError({"days": _("A day with attendance marked cannot be removed.")})
            day.delete()
            changed = True
    for when, spec in wanted.items():
        day = existing.get(when)
        if day is None:
            SessionDay.objects.create(
                session=session, date=when, starts_at=spec.starts_at, ends_at=spec.ends_at
            )
            changed = True
        elif (day.starts_at, day.ends_at) != (spec.starts_at, spec.ends_at):
            day.starts_at, day.ends_at = spec.starts_at, spec.ends_at
            day.save(update_fields=["starts_at", "ends_at"])
            changed = True
    session.first_day, session.last_day = min(wanted), max(wanted)
    return changed


@transaction.atomic
def session_create(
    *, actor: User, course: Course, unit: Unit, days: Sequence[DaySpec], open_now: bool = False, **fields
) -> Session:
    _require(actor, unit)
    session = Session(
        course=course, unit=unit, created_by=actor, **{k: v for k, v in fields.items() if k in SESSION_FIELDS}
    )
    _validate_session(session, days)
    if min(day.date for day in days) < timezone.localdate():
        raise ValidationError({"days": _("A new session cannot start in the past.")})
    if open_now:
        if min(day.date for day in days) <= timezone.localdate():
            raise ValidationError({"days": _("A session that starts today cannot open for registration.")})
        session.state = SessionState.OPEN
    session.first_day = min(day.date for day in days)
    session.last_day = max(day.date for day in days)
    session.save()
    _save_days(session, days)
    session.save(update_fields=["first_day", "last_day"])
    audit_record(actor=actor, action="training.session.create", target=session, unit=unit)
    return session


@transaction.atomic
def session_update(*, actor: User, session: Session, days: Sequence[DaySpec], **fields) -> Session:
    session = _lock(session)
    _require(actor, session.unit)
    if session.state in (SessionState.HELD, SessionState.CANCELLED):
        raise ValidationError(_("A held or cancelled session cannot be changed."))
    changed = [name for name in SESSION_FIELDS if name in fields and getattr(session, name) != fields[name]]
    for name in changed:
        setattr(session, name, fields[name])
    _validate_session(session, days)
    registered = session.registrations.filter(state=RegistrationState.REGISTERED).count()
    if session.capacity < registered:
        raise ValidationError(
            {
                "capacity": _(
                    "%(count)d people are registered; cancel registrations before reducing the places."
                )
                % {"count": registered}
            }
        )
    before = list(session.registrations.filter(state__in=selectors.ACTIVE_REGISTRATION))
    days_changed = _save_days(session, days)
    session.save()
    if days_changed:
        changed.append("days")
    if "capacity" in changed:
        _promote(session)
    if days_changed or "place" in changed:
        # Those moved up just now get the promotion email, which shows the new session.
        for registration in before:
            _notice(registration, Notice.Kind.CHANGED)
    audit_record(
        actor=actor,
        action="training.session.update",
        target=session,
        unit=session.unit,
        data={"fields": changed},
    )
    return session


@transaction.atomic
def session_set_state(*, actor: User, session: Session, to: str) -> Session:
    session = _lock(session)
    _require(actor, session.unit)
    if to not in STATE_CHANGES[session.state]:
        raise ValidationError(
            _("A session cannot go from “%(a)s” to “%(b)s”.")
            % {"a": session.get_state_display(), "b": dict(SessionState.choices).get(to, to)}
        )
    if to == SessionState.OPEN and session.first_day <= timezone.localdate():
        raise ValidationError(_("The session has started; registration cannot open."))
    previous = session.state
    session.state = to
    session.save(update_fields=["state"])
    audit_record(
        actor=actor,
        action="training.session.state",
        target=session,
        unit=session.unit,
        data={"from": previous, "to": to},
    )
    return session


@transaction.atomic
def session_cancel(*, actor: User, session: Session, reason: str) -> Session:
    """Cancel the session; everyone registered or waiting is told, in their language."""
    session = _lock(session)
    _require(actor, session.unit)
    if session.state not in CANCELLABLE:
        raise ValidationError(_("Only a session not yet held can be cancelled."))
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason; participants will read it.")})
    session.state = SessionState.CANCELLED
    session.cancel_reason = reason
    session.cancelled_at = timezone.now()
    session.save(update_fields=["state", "cancel_reason", "cancelled_at"])
    for registration in session.registrations.filter(state__in=selectors.ACTIVE_REGISTRATION):
        _notice(registration, Notice.Kind.CANCELLED)
    audit_record(
        actor=actor,
        action="training.session.cancel",
        target=session,
        unit=session.unit,
        data={"reason": reason},
    )
    return session


# --- Registrations and the waiting list


def _eligible_application(volunteer: Volunteer, session: Session) -> Application | None:
    """The volunteer's current application to the session's institution, if any."""
    return (
        Application.objects.filter(
            volunteer=volunteer, institution_id=session.course.institution_id, status__in=CURRENT_STATUSES
        )
        .order_by("-submitted_at")
        .first()
    )


@transaction.atomic
def registration_create(
    *, actor: User, session: Session, volunteer: Volunteer, application: Application | None = None
) -> Registration:
    """Register a volunteer: themself, or enrolled by a coordinator of their application's
    unit (into any session of the institution not over). A place if one is free, else the
    end of the waiting list. Registering again is harmless: the existing one is returned."""
    session = _lock(session)
    today = timezone.localdate()
    is_self = volunteer.user_id == actor.pk
    if is_self:
        if not session.registration_open_on(today):
            if session.state == SessionState.CANCELLED:
                raise ValidationError(_("This session has been cancelled."))
            if session.first_day and session.first_day <= today:
                raise ValidationError(_("This session has already started."))
            if session.state == SessionState.OPEN:
                raise ValidationError(_("The registration deadline for this session has passed."))
            raise ValidationError(_("Registration for this session is closed."))
        if session.course.institution_id not in selectors.volunteer_institution_ids(volunteer):
            raise ValidationError(
                agreement_terms.for_user(actor).gettext(
                    "You can register for trainings of an institution you have applied to or volunteer with."
                )
            )
    else:
        # A coordinator enrols their own applicants — into a session at their unit, another
        # unit's or the central office's (checked below, once the application is known).
        if session.state in (SessionState.CANCELLED, SessionState.HELD) or session.last_day < today:
            raise ValidationError(
                _("People can only be enrolled in a session that is not over or cancelled.")
            )
    if volunteer.anonymised_at is not None:
        raise ValidationError(_("This person's data has been erased."))
    if application is None:
        application = _eligible_application(volunteer, session)
    elif application.volunteer_id != volunteer.pk:
        raise ValidationError(_("The application is another person's."))
    elif application.institution_id != session.course.institution_id:
        raise ValidationError(_("The application is to another institution."))
    if not is_self and application is None:
        raise ValidationError(_("The person has no current application to this institution."))
    if not is_self and not permissions.has_unit_perm(actor, permissions.COORDINATE, application.unit):
        raise PermissionDenied
    registration = Registration.objects.filter(session=session, volunteer=volunteer).first()
    if registration is not None and registration.state != RegistrationState.CANCELLED:
        return registration
    free = session.capacity - session.registrations.filter(state=RegistrationState.REGISTERED).count()
    state = RegistrationState.REGISTERED if free > 0 else RegistrationState.WAITLISTED
    now = timezone.now()
    if registration is None:
        try:
            with transaction.atomic():
                registration = Registration.objects.create(
                    session=session,
                    volunteer=volunteer,
                    application=application,
                    state=state,
                    registered_by=actor,
                    created_at=now,
                )
        except IntegrityError:  # the same person, a moment ago (the session lock makes this rare)
            return Registration.objects.get(session=session, volunteer=volunteer)
    else:
        registration.state, registration.created_at, registration.cancelled_at = state, now, None
        registration.application, registration.registered_by, registration.promoted_at = (
            application,
            actor,
            None,
        )
        registration.save()
    kind = Notice.Kind.REGISTERED if state == RegistrationState.REGISTERED else Notice.Kind.WAITLISTED
    _notice(registration, kind)
    audit_record(
        actor=actor,
        action="training.register",
        target=registration,
        unit=session.unit,
        data={"session": session.pk, "state": state, "by_coordinator": not is_self},
    )
    return registration


@dataclass
class Enrolment:
    registered: list[Registration]
    waitlisted: list[Registration]
    refused: list[tuple[Application, str]]


def registrations_enrol(*, actor: User, session: Session, applications: Iterable[Application]) -> Enrolment:
    """A coordinator enrols several applicants at once (from the inbox or the session page).
    Each is its own transaction: one refusal does not undo the others."""
    result = Enrolment([], [], [])
    for application in applications:
        try:
            registration = registration_create(
                actor=actor, session=session, volunteer=application.volunteer, application=application
            )
        except (ValidationError, PermissionDenied) as error:
            message = " ".join(error.messages) if isinstance(error, ValidationError) else _("Not allowed.")
            result.refused.append((application, message))
            continue
        (
            result.registered if registration.state == RegistrationState.REGISTERED else result.waitlisted
        ).append(registration)
    return result


def _promote(session: Session) -> list[Registration]:
    """Fill free places from the waiting list, first come first served (session locked)."""
    # Once the session has started, a place freed is not offered to someone waiting.
    if (
        session.state in (SessionState.CANCELLED, SessionState.HELD)
        or session.first_day <= timezone.localdate()
    ):
        return []
    free = session.capacity - session.registrations.filter(state=RegistrationState.REGISTERED).count()
    if free <= 0:
        return []
    promoted = list(
        session.registrations.filter(state=RegistrationState.WAITLISTED).order_by("created_at", "pk")[:free]
    )
    now = timezone.now()
    for registration in promoted:
        registration.state = RegistrationState.REGISTERED
        registration.promoted_at = now
        registration.save(update_fields=["state", "promoted_at"])
        _notice(registration, Notice.Kind.PROMOTED)
    return promoted


@transaction.atomic
def registration_cancel(*, actor: User, registration: Registration) -> Registration:
    """The volunteer (before the session starts) or a coordinator cancels a place; the
    first on the waiting list moves up."""
    session = _lock(registration.session)
    registration = (
        Registration.objects.select_for_update(of=("self",))
        .select_related("application__unit")
        .get(pk=registration.pk)
    )
    is_self = registration.volunteer.user_id == actor.pk
    if not is_self:
        # The session's coordinators, or the coordinators of the person's application.
        units = [session.unit] + ([registration.application.unit] if registration.application_id else [])
        if not any(permissions.has_unit_perm(actor, permissions.COORDINATE, unit) for unit in units):
            raise PermissionDenied
    elif session.first_day and session.first_day <= timezone.localdate():
        raise ValidationError(_("The session has started; ask the coordinator to change your registration."))
    if registration.state == RegistrationState.CANCELLED:
        return registration
    if session.state == SessionState.HELD:
        raise ValidationError(_("The session has been held; its registrations stay as they are."))
    was_registered = registration.state == RegistrationState.REGISTERED
    registration.state = RegistrationState.CANCELLED
    registration.cancelled_at = timezone.now()
    registration.save(update_fields=["state", "cancelled_at"])
    audit_record(
        actor=actor,
        action="training.registration.cancel",
        target=registration,
        unit=session.unit,
        data={"session": session.pk, "by_coordinator": not is_self},
    )
    if was_registered:
        _promote(session)
    return registration


# --- Attendance and completions


@transaction.atomic
def attendance_mark(*, actor: User, registration: Registration, day: SessionDay, present: bool) -> Attendance:
    _require(actor, registration.session.unit)
    if day.session_id != registration.session_id:
        raise ValidationError(_("This person is not registered for this session."))
    if registration.state != RegistrationState.REGISTERED:
        raise ValidationError(_("Only registered participants are marked (not those waiting or cancelled)."))
    if registration.session.state == SessionState.CANCELLED:
        raise ValidationError(_("The session has been cancelled."))
    if day.date > timezone.localdate():
        raise ValidationError(_("Attendance is marked on the day or after it."))
    attendance, _created = Attendance.objects.update_or_create(
        registration=registration,
        day=day,
        defaults={"present": present, "marked_by": actor, "marked_at": timezone.now()},
    )
    audit_record(
        actor=actor,
        action="training.attendance",
        target=registration,
        unit=registration.session.unit,
        data={"day": day.date.isoformat(), "present": present},
    )
    return attendance


def meets_rule(course: Course, present_days: int, total_days: int) -> bool:
    if total_days == 0 or present_days == 0:
        return False
    if course.completion_rule == Course.Rule.ALL_DAYS:
        return present_days >= total_days
    return present_days * 100 >= course.min_share * total_days


def _valid_until(course: Course, completed_on: date) -> date | None:
    if not course.is_recurring or not course.validity_months:
        return None
    return completed_on + relativedelta(months=course.validity_months)


def _create_completion(
    *,
    actor: User,
    volunteer: Volunteer,
    course: Course,
    unit: Unit,
    completed_on: date,
    source: str,
    session: Session | None = None,
    note: str = "",
) -> Completion:
    completion = Completion.objects.create(
        volunteer=volunteer,
        course=course,
        unit=unit,
        session=session,
        source=source,
        completed_on=completed_on,
        valid_until=_valid_until(course, completed_on),
        hours=course.hours,
        note=note,
        recorded_by=actor,
    )
    completion.number = f"{unit.institution.code}-M-{completed_on.year}-{completion.pk:05d}"
    completion.save(update_fields=["number"])
    audit_record(
        actor=actor,
        action="training.completion",
        target=completion,
        unit=unit,
        data={"course": course.pk, "source": source, "session": session.pk if session else None},
    )
    document_issue(subject=completion, kind=CERTIFICATE)
    _advance_applications(actor=actor, completion=completion)
    return completion


def _advance_applications(*, actor: User, completion: Completion) -> None:
    """Applications of the volunteer in the training step whose roles need this course move
    to the agreement step once nothing else is missing (recorded and notified as a transition)."""
    from volunteers.services import application_training_completed

    ids = (
        Application.objects.filter(
            volunteer=completion.volunteer,
            institution_id=completion.course.institution_id,
            status=Status.TRAINING,
            roles__required_courses=completion.course,
        )
        .values_list("pk", flat=True)
        .distinct()
    )
    reason = _("Training completed: %(course)s (%(date)s).") % {
        "course": completion.course.display_title,
        "date": date_format(completion.completed_on, "j.m.Y"),
    }
    for pk in list(ids):
        application_training_completed(application_id=pk, actor=actor, reason=reason)


@transaction.atomic
def session_complete(*, actor: User, session: Session) -> list[Completion]:
    """Mark the session held and record a completion for every registered participant who
    meets the course's rule. Running it again records only the ones still missing (after a
    late attendance correction)."""
    session = _lock(session)
    _require(actor, session.unit)
    if session.state == SessionState.CANCELLED:
        raise ValidationError(_("The session has been cancelled."))
    if session.last_day > timezone.localdate():
        raise ValidationError(_("Completions are recorded after the last day of the session."))
    days = list(session.days.all())
    if session.state != SessionState.HELD:
        previous = session.state
        session.state = SessionState.HELD
        session.save(update_fields=["state"])
        audit_record(
            actor=actor,
            action="training.session.state",
            target=session,
            unit=session.unit,
            data={"from": previous, "to": SessionState.HELD},
        )
    # A completion withdrawn by a coordinator is not made again.
    done = set(Completion.objects.filter(session=session).values_list("volunteer_id", flat=True))
    present = {}
    for registration_id, count in (
        Attendance.objects.filter(registration__session=session, present=True)
        .values_list("registration_id")
        .annotate(n=Count("pk"))
    ):
        present[registration_id] = count
    created = []
    for registration in session.registrations.filter(state=RegistrationState.REGISTERED).select_related(
        "volunteer", "volunteer__user"
    ):
        if registration.volunteer_id in done or registration.volunteer.anonymised_at is not None:
            continue
        if meets_rule(session.course, present.get(registration.pk, 0), len(days)):
            created.append(
                _create_completion(
                    actor=actor,
                    volunteer=registration.volunteer,
                    course=session.course,
                    unit=session.unit,
                    completed_on=session.last_day,
                    source=Completion.Source.ATTENDANCE,
                    session=session,
                )
            )
    return created


@transaction.atomic
def completion_record(
    *,
    actor: User,
    application: Application,
    course: Course,
    completed_on: date,
    note: str,
    session: Session | None = None,
) -> Completion:
    """A coordinator records a completion: from outside the system (an earlier course,
    another provider — ``note`` says which), or for a participant of a session whom the
    rule left out (by the session's coordinators: the session's unit owns that one; an
    outside training is owned by the application's unit, whose coordinators record it)."""
    application = Application.objects.select_related("unit__institution", "volunteer").get(pk=application.pk)
    if session is not None:
        session = _lock(session)  # against "mark as held" recording the same completion
        _require(actor, session.unit)
    else:
        _require(actor, application.unit)
    errors: dict[str, str] = {}
    if course.institution_id != application.institution_id:
        errors["course"] = _("The course belongs to another institution.")
    if completed_on > timezone.localdate():
        errors["completed_on"] = _("A completion cannot be in the future.")
    note = note.strip()
    if session is None and not note:
        errors["note"] = _(
            "Say where and when the training was done (e.g. the provider and the certificate)."
        )
    if session is not None:
        if session.course_id != course.pk:
            errors["course"] = _("The session is of another course.")
        elif session.first_day and completed_on < session.first_day:
            errors["completed_on"] = _("The completion cannot be before the session.")
        if not session.registrations.filter(
            volunteer=application.volunteer, state=RegistrationState.REGISTERED
        ).exists():
            errors["session"] = _("This person is not registered for this session.")
        elif Completion.objects.filter(
            session=session, volunteer=application.volunteer, revoked_at__isnull=True
        ).exists():
            errors["session"] = _("A completion of this session is already recorded.")
    if application.volunteer.anonymised_at is not None:
        errors["note"] = _("This person's data has been erased.")
    if errors:
        raise ValidationError(errors)
    return _create_completion(
        actor=actor,
        volunteer=application.volunteer,
        course=course,
        unit=session.unit if session is not None else application.unit,
        completed_on=completed_on,
        source=Completion.Source.ATTENDANCE if session is not None else Completion.Source.EXTERNAL,
        session=session,
        note=note,
    )


@transaction.atomic
def completion_revoke(*, actor: User, completion: Completion, reason: str) -> Completion:
    completion = Completion.objects.select_for_update().select_related("unit").get(pk=completion.pk)
    _require(actor, completion.unit)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for withdrawing the completion.")})
    if completion.revoked_at is not None:
        return completion
    completion.revoked_at = timezone.now()
    completion.revoke_reason = reason
    completion.save(update_fields=["revoked_at", "revoke_reason"])
    documents_revoke(subject=completion, reason=reason, actor=actor)
    audit_record(
        actor=actor,
        action="training.completion.revoke",
        target=completion,
        unit=completion.unit,
        data={"reason": reason},
    )
    return completion


def export_logged(*, actor: User, session: Session, fmt: str, count: int) -> None:
    audit_record(
        actor=actor,
        action="training.export",
        target=session,
        unit=session.unit,
        data={"format": fmt, "count": count},
    )


# --- Calendar feeds


@transaction.atomic
def calendar_feed(*, user: User, unit: Unit | None = None) -> CalendarFeed:
    """The person's private feed address (created on first use)."""
    if unit is not None:
        _require(user, unit, permissions.VIEW)
    feed, _created = CalendarFeed.objects.get_or_create(user=user, unit=unit)
    return feed


@transaction.atomic
def calendar_feed_reset(*, user: User, unit: Unit | None = None) -> CalendarFeed:
    """A new address; the old one stops working at once."""
    from .models import _new_token

    feed = calendar_feed(user=user, unit=unit)
    feed.token = _new_token()
    feed.created_at = timezone.now()
    feed.save(update_fields=["token", "created_at"])
    return feed


# --- Erasure


def volunteer_trainings_erase(*, volunteer: Volunteer) -> None:
    """The trainings' part of anonymising a person (called by ``trainings.personal_data``
    inside its transaction): places not yet used are given up (the waiting list moves up),
    private calendar addresses and unsent emails go, typed notes and withdrawal reasons go;
    completions stay as anonymous statistics. (Certificates are destroyed by the documents'
    eraser, audit labels re-rendered by ``privacy.services``.)"""
    today = timezone.localdate()
    for registration in Registration.objects.filter(
        volunteer=volunteer, state__in=selectors.ACTIVE_REGISTRATION, session__last_day__gte=today
    ).select_related("session"):
        session = _lock(registration.session)
        was_registered = registration.state == RegistrationState.REGISTERED
        registration.state = RegistrationState.CANCELLED
        registration.cancelled_at = timezone.now()
        registration.save(update_fields=["state", "cancelled_at"])
        if was_registered:
            _promote(session)
    Notice.objects.filter(registration__volunteer=volunteer, sent_at__isnull=True).update(
        sent_at=timezone.now(), claimed_at=None, error="erased"
    )
    CalendarFeed.objects.filter(user_id=volunteer.user_id).delete()
    Completion.objects.filter(volunteer=volunteer).update(note="", revoke_reason="")
    Completion.history.model.objects.filter(volunteer_id=volunteer.pk).update(note="", revoke_reason="")


# --- Emails (outbox)


def notice_send(*, notice_id: int) -> bool:
    """Send one notice in the volunteer's language, once: the notice is claimed (one sender
    gets it), the email goes out outside any transaction or lock, and the notice is marked
    sent; a failure is recorded and raised (the task retries; the sweeper tries later too).
    A person erased or without an address closes the notice without an email."""
    from django.conf import settings
    from django.core.mail import send_mail
    from django.template.loader import render_to_string
    from django.utils import translation

    from notifications.registry import absolute_url

    claimed = NOTICE.claim(notice_id)
    if claimed is None:
        return False
    notice = Notice.objects.select_related(
        "registration__session__course",
        "registration__session__unit",
        "registration__volunteer__user",
        "registration__application",
    ).get(pk=notice_id)
    registration = notice.registration
    person = registration.volunteer.user
    if registration.volunteer.anonymised_at is not None or not person.email:
        NOTICE.sent_now(notice_id, error="no recipient")
        return False
    language = getattr(person, "language", "") or (
        registration.application.language if registration.application_id else settings.LANGUAGE_CODE
    )
    session = registration.session
    context = {
        "person": person,
        "session": session,
        "days": list(session.days.all()),
        "registration": registration,
        "kind": notice.kind,
        "url": absolute_url(("trainings:my_trainings", [])),
    }
    try:
        with translation.override(language):
            subject = render_to_string(f"trainings/email/{notice.kind}_subject.txt", context).strip()
            body = render_to_string(f"trainings/email/{notice.kind}_body.txt", context)
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [person.email])
    except Exception as error:
        NOTICE.failed(notice_id, claimed=claimed, error=error)
        raise
    NOTICE.sent_now(notice_id)
    return True


def notices_requeue_unsent(*, now=None) -> list[int]:
    """The sweeper: queue again notices not sent a while after they were written (the
    broker lost the task, or the mail server was down); the ids queued."""
    from .tasks import notice_send as notice_send_task

    ids = NOTICE.due(now=now)
    for notice_id in ids:
        enqueue_on_commit(notice_send_task, notice_id)
    return ids
