"""Every write of the events app: proposing, creating and changing events and series,
the approval steps, cancelling, reporting, hours and certificates of volunteer work.

Each step is one transaction that records an ``EventStep`` (who, when, from, to, why) and an
audit entry, and writes one ``EventNotice`` per person to tell — emailed after commit in
the person's language (``notice_send``; the sweeper sends what was lost). Documents (the
gate pass, the izziņa) go through the shared documents app."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from dateutil import rrule
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from agreements import terms as agreement_terms
from agreements.models import IN_FORCE, Agreement
from core.outbox import Outbox
from core.tasks import enqueue_on_commit
from documents.services import document_issue, documents_revoke
from institutions import permissions
from institutions.models import Unit
from institutions.services import audit_record
from volunteers.models import Volunteer

from . import selectors
from .models import (
    DONE_STATES,
    MAX_OCCURRENCES,
    OPEN_STATES,
    ActivityType,
    CertificateSequence,
    CertificateState,
    Event,
    EventNotice,
    EventSeries,
    EventState,
    EventStep,
    EventVolunteer,
    HoursRecord,
    HoursState,
    VolunteerCertificate,
)
from .printing import CERTIFICATE, GATE_PASS

if TYPE_CHECKING:
    from accounts.models import User

NOTICE = Outbox(
    model=EventNotice,
    sent="sent_at",
    claimed="claimed_at",
    attempts="attempts",
    error="error",
    created="created_at",
)

# The fields of an event that its form edits (the people are given apart).
EVENT_FIELDS = (
    "title",
    "field",
    "activity_type",
    "description",
    "starts_at",
    "ends_at",
    "place",
    "expected_participants",
    "target_group",
    "items",
)
MAX_EVENT_HOURS = 12


@dataclass(frozen=True)
class Details:
    """What an event is: everything its form asks but the people."""

    title: str
    field: object  # volunteers.Role of the unit's institution
    activity_type: ActivityType
    description: str
    starts_at: datetime
    ends_at: datetime
    place: str
    expected_participants: int
    target_group: str
    items: str = ""

    def as_fields(self) -> dict:
        return {name: getattr(self, name) for name in EVENT_FIELDS}


# --- Rules


def _require_coordinator(actor: User, unit: Unit) -> None:
    if not permissions.has_unit_perm(actor, permissions.COORDINATE, unit):
        raise PermissionDenied


def _is_coordinator(actor: User, unit: Unit) -> bool:
    return permissions.has_unit_perm(actor, permissions.COORDINATE, unit)


def _validate(unit: Unit, details: Details, *, new: bool) -> None:
    errors: dict[str, str] = {}
    if details.ends_at <= details.starts_at:
        errors["ends_at"] = _("The event must end after it starts.")
    elif details.ends_at - details.starts_at > timedelta(hours=MAX_EVENT_HOURS):
        errors["ends_at"] = _("An event lasts at most %(hours)d hours; make a series for more days.") % {
            "hours": MAX_EVENT_HOURS
        }
    if new and details.starts_at <= timezone.now():
        errors["starts_at"] = _("The event cannot start in the past.")
    if details.expected_participants is None or details.expected_participants < 0:
        errors["expected_participants"] = _("The number of participants cannot be negative.")
    if details.field is not None and details.field.institution_id != unit.institution_id:
        errors["field"] = _("Choose a field of %(institution)s.") % {
            "institution": unit.institution.short_name
        }
    if details.activity_type is not None and not details.activity_type.is_active:
        errors["activity_type"] = _("This kind of activity is no longer offered.")
    for name in ("title", "description", "place"):
        if not str(getattr(details, name) or "").strip():
            errors[name] = _("This field is required.")
    if errors:
        raise ValidationError(errors)


def volunteers_without_agreement(unit: Unit, volunteers: Iterable[Volunteer], day: date) -> list[Volunteer]:
    """Those of ``volunteers`` with no agreement in force at ``unit`` on ``day`` (one query)."""
    volunteers = list(volunteers)
    covered = set(
        Agreement.objects.filter(
            unit=unit,
            volunteer__in=volunteers,
            status__in=IN_FORCE,
            start_date__lte=day,
            end_date__gte=day,
        ).values_list("volunteer_id", flat=True)
    )
    return [volunteer for volunteer in volunteers if volunteer.pk not in covered]


def _require_agreements(unit: Unit, volunteers: Sequence[Volunteer], starts_at: datetime) -> None:
    day = timezone.localtime(starts_at).date()
    missing = volunteers_without_agreement(unit, volunteers, day)
    if missing:
        message = agreement_terms.for_institution_id(unit.institution_id).gettext(
            "%(names)s has no volunteer agreement in force at %(unit)s on %(date)s."
        )
        raise ValidationError(
            {
                "volunteers": message
                % {
                    "names": ", ".join(volunteer.user.get_full_name() for volunteer in missing),
                    "unit": unit.name,
                    "date": date_format(day, "j.m.Y"),
                }
            }
        )


def _people(lead: Volunteer | None, others: Iterable[Volunteer]) -> list[Volunteer]:
    people = [lead] if lead is not None else []
    for volunteer in others:
        if all(volunteer.pk != known.pk for known in people):
            people.append(volunteer)
    if not people:
        raise ValidationError({"volunteers": _("Name at least one volunteer who holds the event.")})
    return people


def _set_people(event: Event, lead: Volunteer, people: Sequence[Volunteer]) -> list[User]:
    """Put exactly ``people`` on the event, ``lead`` leading; the users taken off."""
    keep = {volunteer.pk for volunteer in people}
    leaving = event.people.exclude(volunteer_id__in=keep).select_related("volunteer__user")
    removed = [row.volunteer.user for row in leaving]
    leaving.delete()
    # One lead (a partial unique constraint, checked row by row): clear the old one first.
    event.people.exclude(volunteer_id=lead.pk).filter(is_lead=True).update(is_lead=False)
    existing = {row.volunteer_id: row for row in event.people.all()}
    for volunteer in people:
        row = existing.get(volunteer.pk)
        is_lead = volunteer.pk == lead.pk
        if row is None:
            EventVolunteer.objects.create(event=event, volunteer=volunteer, is_lead=is_lead)
        elif row.is_lead != is_lead:
            row.is_lead = is_lead
            row.save(update_fields=["is_lead"])
    return removed


def _locked(event: Event) -> Event:
    return Event.objects.select_for_update(of=("self",)).select_related("unit__institution").get(pk=event.pk)


def _lead_of(event: Event) -> EventVolunteer | None:
    return next((row for row in event.people.select_related("volunteer__user") if row.is_lead), None)


def _volunteer_of(actor: User) -> Volunteer | None:
    return Volunteer.objects.filter(user=actor, anonymised_at__isnull=True).first()


def _on_event(actor: User, event: Event) -> bool:
    return event.people.filter(volunteer__user=actor).exists()


# --- Steps, notices


def _step(
    event: Event,
    *,
    actor: User | None,
    to: str,
    reason: str = "",
    notify: Iterable[User] = (),
    first: bool = False,
) -> EventStep:
    """Record a step (``first``: the event was just made, it comes from no state)."""
    step = EventStep.objects.create(
        event=event, actor=actor, from_state="" if first else event.state, to_state=to, reason=reason.strip()
    )
    event.state = to
    event.state_changed_at = step.created_at
    recipients = {
        person.pk: person
        for person in notify
        if person is not None and person.pk != getattr(actor, "pk", None)
    }
    notices = EventNotice.objects.bulk_create(
        [EventNotice(step=step, recipient=person) for person in recipients.values() if person.email]
    )
    from .tasks import notice_send as notice_send_task

    for notice in notices:
        enqueue_on_commit(notice_send_task, notice.pk)
    return step


def _volunteer_users(event: Event) -> list[User]:
    return [row.volunteer.user for row in event.people.select_related("volunteer__user")]


def _coordinator_users(event: Event) -> list[User]:
    unit_people = permissions.coordinators_by_unit([event.unit_id]).get(event.unit_id)
    if unit_people:
        return unit_people
    return permissions.central_coordinators_by_institution([event.unit.institution_id]).get(
        event.unit.institution_id, []
    )


# --- Creating and changing


@transaction.atomic
def event_propose(
    *,
    actor: User,
    unit: Unit,
    details: Details,
    others: Sequence[Volunteer] = (),
    series: EventSeries | None = None,
    notify: bool = True,
) -> Event:
    """A volunteer proposes an event at a unit where they have an agreement in force; the
    unit's coordinators are told (once for a whole series: ``notify`` on its first
    occurrence) and find it in their approval queue."""
    lead = _volunteer_of(actor)
    if lead is None:
        raise PermissionDenied
    _validate(unit, details, new=True)
    people = _people(lead, others)
    _require_agreements(unit, people, details.starts_at)
    event = Event.objects.create(unit=unit, series=series, proposed_by=actor, **details.as_fields())
    _set_people(event, lead, people)
    _step(
        event,
        actor=actor,
        to=EventState.PROPOSED,
        notify=_coordinator_users(event) if notify else (),
        first=True,
    )
    event.save(update_fields=["state", "state_changed_at"])
    audit_record(actor=actor, action="event.propose", target=event, unit=unit)
    return event


@transaction.atomic
def event_create(
    *,
    actor: User,
    unit: Unit,
    details: Details,
    lead: Volunteer,
    others: Sequence[Volunteer] = (),
    series: EventSeries | None = None,
    notify: bool = True,
) -> Event:
    """A coordinator creates an event directly: it is approved at once (gate pass made); the
    volunteers are told (once for a whole series)."""
    _require_coordinator(actor, unit)
    _validate(unit, details, new=True)
    people = _people(lead, others)
    _require_agreements(unit, people, details.starts_at)
    event = Event.objects.create(unit=unit, series=series, proposed_by=actor, **details.as_fields())
    _set_people(event, lead, people)
    _step(
        event,
        actor=actor,
        to=EventState.APPROVED,
        notify=[volunteer.user for volunteer in people] if notify else (),
        first=True,
    )
    event.decided_by, event.decided_at = actor, timezone.now()
    event.save(update_fields=["state", "state_changed_at", "decided_by", "decided_at"])
    document_issue(subject=event, kind=GATE_PASS)
    audit_record(actor=actor, action="event.create", target=event, unit=unit)
    return event


@transaction.atomic
def event_update(
    *,
    actor: User,
    event: Event,
    details: Details,
    lead: Volunteer | None = None,
    others: Sequence[Volunteer] = (),
) -> Event:
    """Change an open event. Its lead volunteer may change a proposal (one sent back for
    changes goes to the queue again); the coordinator may change it until it is held —
    an approved event keeps its approval and gets a new gate pass."""
    event = _locked(event)
    coordinator = _is_coordinator(actor, event.unit)
    current_lead = _lead_of(event)
    if coordinator:
        if event.state not in OPEN_STATES or event.ends_at <= timezone.now():
            raise ValidationError(_("Only an event that has not taken place can be changed."))
    else:
        if current_lead is None or current_lead.volunteer.user_id != actor.pk:
            raise PermissionDenied
        if event.state not in (EventState.PROPOSED, EventState.CHANGES_REQUESTED):
            raise ValidationError(_("An approved event is changed by the coordinator; ask them."))
        lead = current_lead.volunteer
    lead = lead or (current_lead.volunteer if current_lead else None)
    _validate(event.unit, details, new=details.starts_at != event.starts_at)
    people = _people(lead, others)
    _require_agreements(event.unit, people, details.starts_at)
    for name, value in details.as_fields().items():
        setattr(event, name, value)
    event.save()
    removed = _set_people(event, lead, people)
    if not coordinator and event.state == EventState.CHANGES_REQUESTED:
        _step(
            event,
            actor=actor,
            to=EventState.PROPOSED,
            reason=_("Changed as asked."),
            notify=[*_coordinator_users(event), *removed],
        )
        event.save(update_fields=["state", "state_changed_at"])
    elif coordinator and event.state != EventState.APPROVED:
        # The coordinator changed a proposal: its people see what changed.
        _step(
            event,
            actor=actor,
            to=event.state,
            reason=_("Details changed by the coordinator."),
            notify=[*(volunteer.user for volunteer in people), *removed],
        )
        event.save(update_fields=["state", "state_changed_at"])
    elif event.state == EventState.APPROVED:
        _step(
            event,
            actor=actor,
            to=EventState.APPROVED,
            reason=_("Details changed."),
            notify=[*(volunteer.user for volunteer in people), *removed],
        )
        event.save(update_fields=["state", "state_changed_at"])
        documents_revoke(
            subject=event, actor=actor, reason=_("The event was changed; a new gate pass was made.")
        )
        document_issue(subject=event, kind=GATE_PASS)
    audit_record(actor=actor, action="event.update", target=event, unit=event.unit)
    return event


def occurrence_dates(*, first_start: datetime, frequency: str, count: int) -> list[datetime]:
    """The start of each occurrence of a series (``dateutil.rrule``), in local time."""
    if not 2 <= count <= MAX_OCCURRENCES:
        raise ValidationError(
            {"count": _("A series has from 2 to %(max)d occurrences.") % {"max": MAX_OCCURRENCES}}
        )
    rule_args = {
        EventSeries.Frequency.WEEKLY: (rrule.WEEKLY, 1),
        EventSeries.Frequency.FORTNIGHTLY: (rrule.WEEKLY, 2),
        EventSeries.Frequency.MONTHLY: (rrule.MONTHLY, 1),
    }
    freq, interval = rule_args[EventSeries.Frequency(frequency)]
    local = timezone.localtime(first_start).replace(tzinfo=None)
    zone = timezone.get_default_timezone()
    extra = {}
    if freq == rrule.MONTHLY and local.day > 28:
        # The 31st (or 29th, 30th) every month: the month's last day where it is shorter.
        extra = {"bymonthday": (local.day, -1), "bysetpos": 1}
    return [
        timezone.make_aware(start, zone)
        for start in rrule.rrule(freq, interval=interval, count=count, dtstart=local, **extra)
    ]


@transaction.atomic
def series_create(
    *,
    actor: User,
    unit: Unit,
    details: Details,
    frequency: str,
    count: int,
    lead: Volunteer | None = None,
    others: Sequence[Volunteer] = (),
) -> EventSeries:
    """A recurring activity: one event per occurrence, each approved (a coordinator) or
    proposed (a volunteer) on its own terms — every volunteer needs an agreement in force
    on every date."""
    coordinator = _is_coordinator(actor, unit)
    if not coordinator and _volunteer_of(actor) is None:
        raise PermissionDenied
    starts = occurrence_dates(first_start=details.starts_at, frequency=frequency, count=count)
    length = details.ends_at - details.starts_at
    _validate(unit, details, new=True)
    people = _people(lead if coordinator else _volunteer_of(actor), others)
    for start in starts:
        _require_agreements(unit, people, start)
    series = EventSeries.objects.create(
        unit=unit,
        title=details.title,
        frequency=frequency,
        count=count,
        rule=str(
            rrule.rrule(
                {"weekly": rrule.WEEKLY, "fortnightly": rrule.WEEKLY, "monthly": rrule.MONTHLY}[frequency],
                interval=2 if frequency == "fortnightly" else 1,
                count=count,
                dtstart=timezone.localtime(starts[0]).replace(tzinfo=None),
            )
        ).replace("\n", " "),
        created_by=actor,
    )
    for number, start in enumerate(starts):
        occurrence = Details(**{**details.as_fields(), "starts_at": start, "ends_at": start + length})
        told = number == 0  # one email for the series, about its first occurrence
        if coordinator:
            event_create(
                actor=actor,
                unit=unit,
                details=occurrence,
                lead=people[0],
                others=people[1:],
                series=series,
                notify=told,
            )
        else:
            event_propose(
                actor=actor, unit=unit, details=occurrence, others=people[1:], series=series, notify=told
            )
    audit_record(actor=actor, action="event.series", target=series, unit=unit, data={"count": count})
    return series


# --- The approval steps


def _decide(actor: User, event: Event, *, allowed: Sequence[str]) -> Event:
    event = _locked(event)
    _require_coordinator(actor, event.unit)
    if event.state not in allowed:
        raise ValidationError(
            _("The event is “%(state)s”; this step is not possible now.")
            % {"state": event.get_state_display()}
        )
    return event


@transaction.atomic
def event_approve(*, actor: User, event: Event) -> Event:
    event = _decide(actor, event, allowed=[EventState.PROPOSED, EventState.CHANGES_REQUESTED])
    if event.starts_at <= timezone.now():
        raise ValidationError(_("The event's time has passed; it cannot be approved any more."))
    people = [row.volunteer for row in event.people.select_related("volunteer__user")]
    _require_agreements(event.unit, people, event.starts_at)
    _step(event, actor=actor, to=EventState.APPROVED, notify=[volunteer.user for volunteer in people])
    event.decided_by, event.decided_at = actor, timezone.now()
    event.save(update_fields=["state", "state_changed_at", "decided_by", "decided_at"])
    document_issue(subject=event, kind=GATE_PASS)
    audit_record(actor=actor, action="event.approve", target=event, unit=event.unit)
    return event


@transaction.atomic
def event_reject(*, actor: User, event: Event, reason: str) -> Event:
    if not reason.strip():
        raise ValidationError({"reason": _("Say why, for the volunteer.")})
    event = _decide(actor, event, allowed=[EventState.PROPOSED, EventState.CHANGES_REQUESTED])
    _step(event, actor=actor, to=EventState.REJECTED, reason=reason, notify=_volunteer_users(event))
    event.reason, event.decided_by, event.decided_at = reason.strip(), actor, timezone.now()
    event.save(update_fields=["state", "state_changed_at", "reason", "decided_by", "decided_at"])
    audit_record(actor=actor, action="event.reject", target=event, unit=event.unit)
    return event


@transaction.atomic
def event_request_changes(*, actor: User, event: Event, reason: str) -> Event:
    if not reason.strip():
        raise ValidationError({"reason": _("Say what should change.")})
    event = _decide(actor, event, allowed=[EventState.PROPOSED])
    _step(event, actor=actor, to=EventState.CHANGES_REQUESTED, reason=reason, notify=_volunteer_users(event))
    event.reason = reason.strip()
    event.save(update_fields=["state", "state_changed_at", "reason"])
    audit_record(actor=actor, action="event.changes", target=event, unit=event.unit)
    return event


@transaction.atomic
def event_cancel(*, actor: User, event: Event, reason: str) -> Event:
    """Either side — the coordinator or the lead volunteer — cancels an event that has not
    taken place, saying why; everyone on it and the coordinators are told, and a gate pass
    stops being valid. (Another volunteer on it leaves it instead: ``event_leave``.)"""
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the event is cancelled.")})
    event = _locked(event)
    lead = _lead_of(event)
    if not (_is_coordinator(actor, event.unit) or (lead is not None and lead.volunteer.user_id == actor.pk)):
        raise PermissionDenied
    if event.state not in OPEN_STATES:
        raise ValidationError(_("Only an event that has not taken place can be cancelled."))
    if event.ends_at <= timezone.now():
        raise ValidationError(_("The event's time has passed: report it as not held instead."))
    _step(
        event,
        actor=actor,
        to=EventState.CANCELLED,
        reason=reason,
        notify=[*_volunteer_users(event), *_coordinator_users(event)],
    )
    event.reason = reason.strip()
    event.save(update_fields=["state", "state_changed_at", "reason"])
    documents_revoke(subject=event, actor=actor, reason=_("The event was cancelled."))
    audit_record(actor=actor, action="event.cancel", target=event, unit=event.unit)
    return event


# --- A series decided as a whole


def _series_span(events: Sequence[Event]) -> dict:
    first, last = timezone.localtime(events[0].starts_at), timezone.localtime(events[-1].starts_at)
    return {"count": len(events), "first": date_format(first, "j.m.Y"), "last": date_format(last, "j.m.Y")}


def _series_people(events: Sequence[Event]) -> list[User]:
    """Everyone on any of ``events`` (one query)."""
    rows = EventVolunteer.objects.filter(event__in=events).select_related("volunteer__user")
    return list({row.volunteer.user_id: row.volunteer.user for row in rows}.values())


def _locked_series(series: EventSeries) -> EventSeries:
    return (
        EventSeries.objects.select_for_update(of=("self",))
        .select_related("unit__institution")
        .get(pk=series.pk)
    )


def _series_occurrences(series: EventSeries, *, states: Sequence[str]) -> list[Event]:
    """The occurrences of ``series`` in ``states`` that have not started, locked, first first."""
    return list(
        Event.objects.select_for_update(of=("self",))
        .select_related("unit__institution")
        .filter(series=series, state__in=states, starts_at__gt=timezone.now())
        .order_by("starts_at", "pk")
    )


@transaction.atomic
def series_approve(*, actor: User, series: EventSeries) -> list[Event]:
    """Approve every occurrence of a proposed series that is still proposed and has not
    started — all or none: each volunteer needs an agreement in force on each date. Each
    gets its gate pass; the people are told once, for the whole series."""
    series = _locked_series(series)
    _require_coordinator(actor, series.unit)
    events = _series_occurrences(series, states=[EventState.PROPOSED])
    if not events:
        raise ValidationError(_("No occurrence of the series is waiting for a decision."))
    rows = EventVolunteer.objects.filter(event__in=events).select_related("volunteer__user")
    people: dict[int, list[Volunteer]] = {}
    for row in rows:
        people.setdefault(row.event_id, []).append(row.volunteer)
    problems = []
    for event in events:
        try:
            _require_agreements(series.unit, people.get(event.pk, []), event.starts_at)
        except ValidationError as error:
            problems.extend(error.messages)
    if problems:
        raise ValidationError({"volunteers": problems})
    told = list({v.user_id: v.user for vs in people.values() for v in vs}.values())
    reason = ngettext(
        "Approved with the whole series: %(count)d occurrence, %(first)s–%(last)s.",
        "Approved with the whole series: %(count)d occurrences, %(first)s–%(last)s.",
        len(events),
    ) % _series_span(events)
    now = timezone.now()
    for number, event in enumerate(events):
        _step(event, actor=actor, to=EventState.APPROVED, reason=reason, notify=told if number == 0 else ())
        event.decided_by, event.decided_at = actor, now
        event.save(update_fields=["state", "state_changed_at", "decided_by", "decided_at"])
        document_issue(subject=event, kind=GATE_PASS)
        audit_record(
            actor=actor, action="event.approve", target=event, unit=event.unit, data={"series": series.pk}
        )
    return events


@transaction.atomic
def series_reject(*, actor: User, series: EventSeries, reason: str) -> list[Event]:
    """Reject every occurrence of a series still waiting for a decision (proposed, or sent
    back for changes) that has not started, saying why; the people are told once."""
    if not reason.strip():
        raise ValidationError({"reason": _("Say why, for the volunteer.")})
    series = _locked_series(series)
    _require_coordinator(actor, series.unit)
    events = _series_occurrences(series, states=[EventState.PROPOSED, EventState.CHANGES_REQUESTED])
    if not events:
        raise ValidationError(_("No occurrence of the series is waiting for a decision."))
    told = _series_people(events)
    note = ngettext(
        "The whole series was rejected: %(count)d occurrence, %(first)s–%(last)s.",
        "The whole series was rejected: %(count)d occurrences, %(first)s–%(last)s.",
        len(events),
    ) % _series_span(events)
    now = timezone.now()
    for number, event in enumerate(events):
        _step(
            event,
            actor=actor,
            to=EventState.REJECTED,
            reason=f"{reason.strip()}\n{note}",
            notify=told if number == 0 else (),
        )
        event.reason, event.decided_by, event.decided_at = reason.strip(), actor, now
        event.save(update_fields=["state", "state_changed_at", "reason", "decided_by", "decided_at"])
        audit_record(
            actor=actor, action="event.reject", target=event, unit=event.unit, data={"series": series.pk}
        )
    return events


@transaction.atomic
def series_cancel_rest(*, actor: User, event: Event, reason: str) -> list[Event]:
    """Cancel an occurrence and the following ones of its series, saying why — the
    coordinator, or the lead volunteer (the occurrences they lead). Everyone on them and
    the coordinators are told once; their gate passes stop being valid."""
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the event is cancelled.")})
    event = _locked(event)
    if event.series_id is None:
        raise ValidationError(_("The event is not part of a series."))
    lead = _lead_of(event)
    if not (_is_coordinator(actor, event.unit) or (lead is not None and lead.volunteer.user_id == actor.pk)):
        raise PermissionDenied
    if event.state not in OPEN_STATES or event.ends_at <= timezone.now():
        raise ValidationError(_("Only an event that has not taken place can be cancelled."))
    rest = [found.pk for found in selectors.series_cancellable(event, actor)]
    events = list(
        Event.objects.select_for_update(of=("self",))
        .select_related("unit__institution")
        .filter(pk__in=rest)
        .order_by("starts_at", "pk")
    )
    if not events:
        raise ValidationError(_("Only an event that has not taken place can be cancelled."))
    told = [*_series_people(events), *_coordinator_users(event)]
    note = ngettext(
        "Cancelled with the following occurrences of the series: %(count)d occurrence, %(first)s–%(last)s.",
        "Cancelled with the following occurrences of the series: %(count)d occurrences, %(first)s–%(last)s.",
        len(events),
    ) % _series_span(events)
    step_reason = f"{reason.strip()}\n{note}"
    for number, occurrence in enumerate(events):
        _step(
            occurrence,
            actor=actor,
            to=EventState.CANCELLED,
            reason=step_reason,
            notify=told if number == 0 else (),
        )
        occurrence.reason = reason.strip()
        occurrence.save(update_fields=["state", "state_changed_at", "reason"])
        documents_revoke(subject=occurrence, actor=actor, reason=_("The event was cancelled."))
        audit_record(
            actor=actor,
            action="event.cancel",
            target=occurrence,
            unit=occurrence.unit,
            data={"series": occurrence.series_id, "with_following": True},
        )
    return events


def _take_off(event: Event, row: EventVolunteer, *, actor: User | None, reason: str) -> None:
    """Take one volunteer (not the lead) off an open event: the lead and the coordinators
    are told, an approved event gets a new gate pass."""
    person = row.volunteer.user
    row.delete()
    _step(
        event,
        actor=actor,
        to=event.state,
        reason=reason,
        notify=[
            *(r.volunteer.user for r in event.people.select_related("volunteer__user")),
            *_coordinator_users(event),
            person,
        ],
    )
    event.save(update_fields=["state", "state_changed_at"])
    if event.state == EventState.APPROVED:
        documents_revoke(
            subject=event, actor=actor, reason=_("The people on the event changed; a new gate pass was made.")
        )
        document_issue(subject=event, kind=GATE_PASS)


@transaction.atomic
def event_leave(*, actor: User, event: Event, reason: str) -> Event:
    """A volunteer on an event who does not lead it leaves it, saying why."""
    if not reason.strip():
        raise ValidationError({"reason": _("Say why, for the lead and the coordinator.")})
    event = _locked(event)
    row = event.people.select_related("volunteer__user").filter(volunteer__user=actor).first()
    if row is None:
        raise PermissionDenied
    if row.is_lead:
        raise ValidationError(
            _("The lead volunteer cancels the event instead, or asks the coordinator to change the lead.")
        )
    if event.state not in OPEN_STATES or event.ends_at <= timezone.now():
        raise ValidationError(_("Only an event that has not taken place can be left."))
    _take_off(
        event,
        row,
        actor=actor,
        reason=_("%(name)s left the event: %(reason)s")
        % {"name": row.volunteer.user.get_full_name(), "reason": reason.strip()},
    )
    audit_record(actor=actor, action="event.leave", target=event, unit=event.unit)
    return event


def agreement_ended_handler(sender, *, agreement, actor=None, **kwargs) -> None:
    """Signal receiver (agreements.signals.agreement_ended): the volunteer is taken off the
    open events at that unit after the agreement's last day; an event they lead, or hold
    alone, is cancelled — and its gate pass revoked."""
    after = (
        selectors.day_start(agreement.ended_on + timedelta(days=1)) if agreement.ended_on else timezone.now()
    )
    events = Event.objects.filter(
        unit_id=agreement.unit_id,
        state__in=OPEN_STATES,
        starts_at__gte=max(after, timezone.now()),
        people__volunteer_id=agreement.volunteer_id,
    ).values_list("pk", flat=True)
    reason = agreement_terms.for_institution_id(agreement.institution_id).gettext(
        "The volunteer agreement of %(name)s ended on %(date)s."
    ) % {
        "name": agreement.volunteer.user.get_full_name(),
        "date": date_format(agreement.ended_on, "j.m.Y") if agreement.ended_on else "",
    }
    for pk in list(events):
        event = _locked(Event(pk=pk))
        row = event.people.select_related("volunteer__user").get(volunteer_id=agreement.volunteer_id)
        if row.is_lead or event.people.count() == 1:
            _step(
                event,
                actor=actor,
                to=EventState.CANCELLED,
                reason=reason,
                notify=[*_volunteer_users(event), *_coordinator_users(event)],
            )
            event.reason = reason
            event.save(update_fields=["state", "state_changed_at", "reason"])
            documents_revoke(subject=event, actor=actor, reason=_("The event was cancelled."))
            audit_record(
                actor=actor,
                action="event.cancel",
                target=event,
                unit=event.unit,
                data={"agreement_ended": True},
            )
        else:
            _take_off(event, row, actor=actor, reason=reason)
            audit_record(
                actor=actor,
                action="event.leave",
                target=event,
                unit=event.unit,
                data={"agreement_ended": True},
            )


# --- The report and the hours


def _hours_records(event: Event, hours: Mapping[int, Decimal], *, state: str, actor: User | None) -> None:
    people = {row.volunteer_id: row for row in event.people.all()}
    limit = event.duration_hours
    errors = []
    for volunteer_id, value in hours.items():
        if volunteer_id not in people:
            raise ValidationError(_("Hours can be given only for the event's volunteers."))
        if value is None or value <= 0:
            errors.append(_("Hours must be more than zero."))
        elif value > limit:
            errors.append(
                _("Hours cannot exceed the event's length (%(hours)s h).")
                % {"hours": date_format_hours(limit)}
            )
    if errors:
        raise ValidationError({"hours": errors[0]})
    day = timezone.localtime(event.starts_at).date()
    now = timezone.now()
    for volunteer_id, value in hours.items():
        HoursRecord.objects.update_or_create(
            volunteer_id=volunteer_id,
            event=event,
            defaults={
                "unit": event.unit,
                "kind": HoursRecord.Kind.EVENT,
                "field_id": event.field_id,
                "activity_type_id": event.activity_type_id,
                "day": day,
                "hours": value,
                "state": state,
                "decided_by": actor if state != HoursState.PENDING else None,
                "decided_at": now if state != HoursState.PENDING else None,
            },
        )


def date_format_hours(value: Decimal) -> str:
    from django.utils.formats import number_format

    return number_format(value, decimal_pos=1)


@transaction.atomic
def event_report(
    *,
    actor: User,
    event: Event,
    held: bool,
    actual_participants: int | None,
    hours: Mapping[int, Decimal],
    feedback: str = "",
    coordinator_note: str = "",
) -> Event:
    """After an approved event: whether it was held, how many took part, hours per
    volunteer (at most its length) and the reporter's feedback. The lead volunteer's report
    waits for the coordinator (hours pending); the coordinator's is final (hours approved)."""
    event = _locked(event)
    coordinator = _is_coordinator(actor, event.unit)
    lead = _lead_of(event)
    if not coordinator and (lead is None or lead.volunteer.user_id != actor.pk):
        raise PermissionDenied
    if event.state != EventState.APPROVED:
        raise ValidationError(_("Only an approved event is reported."))
    if event.starts_at > timezone.now():
        raise ValidationError(_("The event is reported after it has started."))
    if not held:
        _step(
            event,
            actor=actor,
            to=EventState.NOT_HELD,
            reason=feedback or coordinator_note,
            notify=[*_volunteer_users(event), *_coordinator_users(event)],
        )
        event.reported_at, event.reported_by = timezone.now(), actor
        event.coordinator_note = coordinator_note.strip() if coordinator else event.coordinator_note
        event.save(
            update_fields=["state", "state_changed_at", "reported_at", "reported_by", "coordinator_note"]
        )
        documents_revoke(subject=event, actor=actor, reason=_("The event did not take place."))
        audit_record(actor=actor, action="event.report", target=event, unit=event.unit, data={"held": False})
        return event
    if actual_participants is None or actual_participants < 0:
        raise ValidationError({"actual_participants": _("Give the number of participants (0 or more).")})
    if not hours:
        raise ValidationError({"hours": _("Give the hours of at least one volunteer.")})
    _hours_records(
        event, hours, state=HoursState.APPROVED if coordinator else HoursState.PENDING, actor=actor
    )
    event.actual_participants = actual_participants
    event.reported_at, event.reported_by = timezone.now(), actor
    if coordinator:
        event.coordinator_note = coordinator_note.strip()
    own = event.people.filter(volunteer__user=actor).first()
    if own is not None and feedback.strip():
        own.feedback = feedback.strip()
        own.save(update_fields=["feedback"])
    to = EventState.REPORTED if coordinator else EventState.HELD
    _step(
        event,
        actor=actor,
        to=to,
        notify=_coordinator_users(event) if not coordinator else _volunteer_users(event),
    )
    event.save()
    audit_record(actor=actor, action="event.report", target=event, unit=event.unit, data={"held": True})
    return event


FEEDBACK_MAX = 2000


@transaction.atomic
def event_feedback(*, actor: User, event: Event, feedback: str) -> EventVolunteer:
    """A volunteer on an event — the lead reports, the others too may say how it went —
    writes their own short feedback once the event has taken place (held, reported, or
    approved and over). The coordinator reads it on the event's page."""
    text = (feedback or "").strip()
    if not text:
        raise ValidationError({"feedback": _("Write a few words about how it went.")})
    if len(text) > FEEDBACK_MAX:
        raise ValidationError(
            {"feedback": _("Feedback is at most %(max)d characters long.") % {"max": FEEDBACK_MAX}}
        )
    event = _locked(event)
    row = event.people.select_for_update(of=("self",)).filter(volunteer__user=actor).first()
    if row is None:
        raise PermissionDenied
    over = event.state == EventState.APPROVED and event.ends_at <= timezone.now()
    if not (event.state in DONE_STATES or over):
        raise ValidationError(_("Feedback is given after the event has taken place."))
    row.feedback = text
    row.save(update_fields=["feedback"])
    audit_record(actor=actor, action="event.feedback", target=event, unit=event.unit)
    return row


@transaction.atomic
def report_review(
    *,
    actor: User,
    event: Event,
    hours: Mapping[int, Decimal],
    coordinator_note: str = "",
    actual_participants: int | None = None,
) -> Event:
    """The coordinator checks a volunteer's report: hours (changed where needed) are
    approved, the note added, the event is reported."""
    event = _decide(actor, event, allowed=[EventState.HELD])
    if actual_participants is not None:
        if actual_participants < 0:
            raise ValidationError({"actual_participants": _("Give the number of participants (0 or more).")})
        event.actual_participants = actual_participants
    _hours_records(event, hours, state=HoursState.APPROVED, actor=actor)
    # A volunteer whose hours the coordinator cleared gets none for this event.
    HoursRecord.objects.filter(event=event, state=HoursState.PENDING).exclude(
        volunteer_id__in=list(hours)
    ).update(state=HoursState.REJECTED, decided_by=actor, decided_at=timezone.now())
    event.coordinator_note = coordinator_note.strip()
    _step(event, actor=actor, to=EventState.REPORTED, notify=_volunteer_users(event))
    event.save()
    audit_record(actor=actor, action="event.report_review", target=event, unit=event.unit)
    return event


@transaction.atomic
def hours_decide(
    *, actor: User, record: HoursRecord, approve: bool, hours: Decimal | None = None
) -> HoursRecord:
    record = (
        HoursRecord.objects.select_for_update(of=("self",)).select_related("event", "unit").get(pk=record.pk)
    )
    _require_coordinator(actor, record.unit)
    if record.state != HoursState.PENDING:
        raise ValidationError(_("These hours have already been decided."))
    if hours is not None:
        if hours <= 0 or (record.event_id and hours > record.event.duration_hours):
            raise ValidationError(
                {"hours": _("Hours must be more than zero and at most the event's length.")}
            )
        record.hours = hours
    record.state = HoursState.APPROVED if approve else HoursState.REJECTED
    record.decided_by, record.decided_at = actor, timezone.now()
    record.save()
    audit_record(
        actor=actor,
        action="hours.decide",
        target=record,
        unit=record.unit,
        data={"approved": approve, "hours": str(record.hours)},
    )
    event = record.event
    if (
        event is not None
        and event.state == EventState.HELD
        and not event.hours.filter(state=HoursState.PENDING).exists()
    ):
        # Every volunteer's hours are decided: the report is complete.
        event = _locked(event)
        _step(event, actor=actor, to=EventState.REPORTED, notify=_volunteer_users(event))
        event.save(update_fields=["state", "state_changed_at"])
    return record


# --- Certificates of volunteer work (izziņa)


def _certificate_hours(certificate: VolunteerCertificate):
    # The same query shows the coordinator, before issuing, what would be certified.
    return selectors.certificate_records(certificate)


def _validate_period(start: date, end: date) -> None:
    if end < start:
        raise ValidationError({"period_end": _("The period cannot end before it starts.")})
    if start > timezone.localdate():
        raise ValidationError({"period_start": _("The period cannot start in the future.")})


@transaction.atomic
def certificate_request(
    *,
    actor: User,
    unit: Unit,
    period_start: date,
    period_end: date,
    language: str = "lv",
    purpose: str = "",
    whole_institution: bool = False,
) -> VolunteerCertificate:
    """A volunteer asks a unit they volunteer with for an izziņa; its coordinators are told."""
    volunteer = _volunteer_of(actor)
    if (
        volunteer is None
        or not Agreement.objects.filter(volunteer=volunteer, unit=unit).exclude(status="draft").exists()
    ):
        raise PermissionDenied
    _validate_period(period_start, min(period_end, timezone.localdate()))
    waiting = _("A request to this unit is already waiting; the coordinator will answer it.")
    if VolunteerCertificate.objects.filter(
        volunteer=volunteer, unit=unit, state=CertificateState.REQUESTED
    ).exists():
        raise ValidationError(waiting)
    try:
        with transaction.atomic():  # a double click: the constraint keeps one request
            certificate = VolunteerCertificate.objects.create(
                volunteer=volunteer,
                institution=unit.institution,
                unit=unit,
                whole_institution=whole_institution,
                period_start=period_start,
                period_end=min(period_end, timezone.localdate()),
                language=language,
                purpose=purpose.strip(),
                requested_by=actor,
            )
    except IntegrityError:
        raise ValidationError(waiting) from None
    audit_record(actor=actor, action="certificate.request", target=certificate, unit=unit)
    told = (
        permissions.central_coordinators_by_institution([unit.institution_id]).get(unit.institution_id, [])
        if whole_institution
        else _unit_coordinators(unit)
    )
    _certificate_notice(certificate, to=told, kind="certificate_requested")
    return certificate


def _unit_coordinators(unit: Unit) -> list[User]:
    return permissions.coordinators_by_unit([unit.pk]).get(
        unit.pk
    ) or permissions.central_coordinators_by_institution([unit.institution_id]).get(unit.institution_id, [])


def _certificate_notice(certificate: VolunteerCertificate, *, to: Iterable[User], kind: str) -> None:
    from .tasks import certificate_notice_send

    recipients = [person.pk for person in to if person.email]
    if recipients:
        enqueue_on_commit(certificate_notice_send, certificate.pk, kind, recipients)


def _may_speak_for_institution(actor: User, institution_id: int) -> bool:
    managed = permissions.manageable_institution_ids(actor)
    return managed is None or institution_id in managed


def _require_whole_institution_issuer(actor: User, certificate: VolunteerCertificate) -> None:
    """The hours of every unit are certified by the central office, which sees them all."""
    if certificate.whole_institution and not _may_speak_for_institution(actor, certificate.institution_id):
        raise ValidationError(
            {
                "whole_institution": _(
                    "A certificate for all units is issued by the institution's central coordinators."
                )
            }
        )


def _next_certificate_number(institution) -> str:
    """``IEVP-IZZ-2026-0007``: unique and gapless per institution and year (the sequence row
    is locked while a number is taken; a rolled-back issue gives its number back)."""
    year = timezone.localdate().year
    CertificateSequence.objects.bulk_create(
        [CertificateSequence(institution=institution, year=year)], ignore_conflicts=True
    )
    sequence = CertificateSequence.objects.select_for_update().get(institution=institution, year=year)
    sequence.last += 1
    sequence.save(update_fields=["last"])
    return f"{institution.code}-IZZ-{year}-{sequence.last:04d}"


@transaction.atomic
def certificate_issue(*, actor: User, certificate: VolunteerCertificate) -> VolunteerCertificate:
    """Fix the figures (approved hours in the period, roles and kinds of activity, first
    and last day), give the number and make the PDF; the volunteer is told."""
    certificate = (
        VolunteerCertificate.objects.select_for_update(of=("self",))
        .select_related("unit__institution", "volunteer__user")
        .get(pk=certificate.pk)
    )
    _require_coordinator(actor, certificate.unit)
    if certificate.state != CertificateState.REQUESTED:
        raise ValidationError(_("This certificate has already been answered."))
    _require_whole_institution_issuer(actor, certificate)
    records = _certificate_hours(certificate)
    totals = records.aggregate(total=Sum("hours"))
    certificate.total_hours = totals["total"] or Decimal("0")
    days = list(records.order_by("day").values_list("day", flat=True))
    certificate.first_day = days[0] if days else None
    certificate.last_day = days[-1] if days else None
    agreements = Agreement.objects.filter(
        volunteer_id=certificate.volunteer_id, institution_id=certificate.institution_id
    )
    if not certificate.whole_institution:
        agreements = agreements.filter(unit_id=certificate.unit_id)
    agreements = agreements.exclude(status="draft").filter(
        start_date__lte=certificate.period_end, end_date__gte=certificate.period_start
    )
    role_codes = sorted(
        set(agreements.values_list("role__code", flat=True))
        | set(records.exclude(field=None).values_list("field__code", flat=True))
    )
    certificate.roles = role_codes
    name = "activity_type__name_en" if certificate.language == "en" else "activity_type__name"
    certificate.activities = sorted(
        {
            own or latvian
            for own, latvian in records.exclude(activity_type=None).values_list(name, "activity_type__name")
        }
    )
    certificate.state = CertificateState.ISSUED
    certificate.issued_by, certificate.issued_at = actor, timezone.now()
    certificate.number = _next_certificate_number(certificate.institution)
    certificate.save()
    document_issue(subject=certificate, kind=CERTIFICATE)
    audit_record(
        actor=actor,
        action="certificate.issue",
        target=certificate,
        unit=certificate.unit,
        data={"hours": str(certificate.total_hours)},
    )
    _certificate_notice(certificate, to=[certificate.volunteer.user], kind="certificate_issued")
    return certificate


@transaction.atomic
def certificate_create(
    *,
    actor: User,
    unit: Unit,
    volunteer: Volunteer,
    period_start: date,
    period_end: date,
    language: str = "lv",
    purpose: str = "",
    whole_institution: bool = False,
) -> VolunteerCertificate:
    """A coordinator issues an izziņa without a request."""
    _require_coordinator(actor, unit)
    if whole_institution and not _may_speak_for_institution(actor, unit.institution_id):
        raise ValidationError(
            {
                "whole_institution": _(
                    "A certificate for all units is issued by the institution's central coordinators."
                )
            }
        )
    if not Agreement.objects.filter(volunteer=volunteer, unit=unit).exclude(status="draft").exists():
        raise ValidationError(
            {
                "volunteer": agreement_terms.for_institution_id(unit.institution_id).gettext(
                    "The volunteer has no agreement with this unit."
                )
            }
        )
    _validate_period(period_start, min(period_end, timezone.localdate()))
    terms = {
        "whole_institution": whole_institution,
        "period_start": period_start,
        "period_end": min(period_end, timezone.localdate()),
        "language": language,
        "purpose": purpose.strip(),
    }
    waiting = (
        VolunteerCertificate.objects.select_for_update()
        .filter(volunteer=volunteer, unit=unit, state=CertificateState.REQUESTED)
        .first()
    )
    if waiting is not None:  # the volunteer has asked already: this answers their request
        for name, value in terms.items():
            setattr(waiting, name, value)
        waiting.save()
        return certificate_issue(actor=actor, certificate=waiting)
    certificate = VolunteerCertificate.objects.create(
        volunteer=volunteer, institution=unit.institution, unit=unit, requested_by=actor, **terms
    )
    return certificate_issue(actor=actor, certificate=certificate)


@transaction.atomic
def certificate_refuse(
    *, actor: User, certificate: VolunteerCertificate, reason: str
) -> VolunteerCertificate:
    if not reason.strip():
        raise ValidationError({"reason": _("Say why, for the volunteer.")})
    certificate = (
        VolunteerCertificate.objects.select_for_update(of=("self",))
        .select_related("unit")
        .get(pk=certificate.pk)
    )
    _require_coordinator(actor, certificate.unit)
    if certificate.state != CertificateState.REQUESTED:
        raise ValidationError(_("This certificate has already been answered."))
    certificate.state = CertificateState.REFUSED
    certificate.refusal_reason = reason.strip()
    certificate.issued_by, certificate.issued_at = actor, timezone.now()
    certificate.save()
    audit_record(actor=actor, action="certificate.refuse", target=certificate, unit=certificate.unit)
    _certificate_notice(certificate, to=[certificate.volunteer.user], kind="certificate_refused")
    return certificate


# --- Emails (outbox)


def notice_send(*, notice_id: int) -> bool:
    """Email one step of an event to one person in their language, once (see core.outbox)."""
    from django.conf import settings
    from django.core.mail import send_mail
    from django.template.loader import render_to_string
    from django.utils import translation

    from notifications.registry import absolute_url

    claimed = NOTICE.claim(notice_id)
    if claimed is None:
        return False
    notice = EventNotice.objects.select_related(
        "recipient", "step__actor", "step__event__unit__institution", "step__event__activity_type"
    ).get(pk=notice_id)
    person, step = notice.recipient, notice.step
    event = step.event
    if not person.is_active or not person.email:
        NOTICE.sent_now(notice_id, error="no recipient")
        return False
    staff = permissions.has_unit_perm(person, permissions.VIEW, event.unit)
    url = (
        absolute_url(("events:detail", [event.pk]))
        if staff
        else absolute_url(("events:my_event", [event.pk]))
    )
    context = {"person": person, "event": event, "step": step, "url": url, "staff": staff}
    try:
        with translation.override(getattr(person, "language", "") or settings.LANGUAGE_CODE):
            context["state"] = EventState(step.to_state).label
            subject = render_to_string("events/email/step_subject.txt", context).strip()
            body = render_to_string("events/email/step_body.txt", context)
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [person.email])
    except Exception as error:
        NOTICE.failed(notice_id, claimed=claimed, error=error)
        raise
    NOTICE.sent_now(notice_id)
    return True


def notices_requeue_unsent(*, now=None) -> list[int]:
    from .tasks import notice_send as notice_send_task

    ids = NOTICE.due(now=now)
    for notice_id in ids:
        enqueue_on_commit(notice_send_task, notice_id)
    return ids


def certificate_notice_send(*, certificate_id: int, kind: str, recipient_ids: Sequence[int]) -> int:
    """Tell about a certificate request or answer (best effort: a lost one is harmless —
    the request waits in the coordinator's list, the answer on the volunteer's page)."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.mail import send_mail
    from django.template.loader import render_to_string
    from django.utils import translation

    from notifications.registry import absolute_url

    certificate = VolunteerCertificate.objects.select_related("unit", "volunteer__user").get(
        pk=certificate_id
    )
    sent = 0
    for person in get_user_model().objects.filter(pk__in=recipient_ids, is_active=True):
        staff = kind == "certificate_requested"
        url = absolute_url(("events:certificates", [])) if staff else absolute_url(("events:my_hours", []))
        context = {"person": person, "certificate": certificate, "url": url, "kind": kind}
        with translation.override(getattr(person, "language", "") or settings.LANGUAGE_CODE):
            subject = render_to_string(f"events/email/{kind}_subject.txt", context).strip()
            body = render_to_string(f"events/email/{kind}_body.txt", context)
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [person.email])
        sent += 1
    return sent


# --- Personal data


def erase_volunteer(volunteer: Volunteer) -> None:
    """Erasure: the person's own words go (feedback, the reasons they gave for a step — and an
    event's last reason when it was theirs); the events, hours and places stay, anonymous."""
    EventVolunteer.objects.filter(volunteer=volunteer).update(feedback="")
    own_steps = EventStep.objects.filter(actor_id=volunteer.user_id).exclude(reason="")
    reasons = set(own_steps.values_list("event_id", "reason"))
    own_steps.update(reason="")
    for event_id, reason in reasons:
        Event.objects.filter(pk=event_id, reason=reason).update(reason="")
        Event.history.model.objects.filter(id=event_id, reason=reason).update(reason="")


# --- Hours from other apps (casework meetings, mediation sessions)


def hours_record_for_source(
    *,
    volunteer: Volunteer,
    unit: Unit,
    kind: str,
    source,
    day: date,
    hours: Decimal,
    activity: str,
    field=None,
) -> HoursRecord:
    """The pending hours record of ``volunteer`` for ``source`` (a model row of another app),
    made or updated — never one already decided. Call inside the caller's transaction."""
    from django.contrib.contenttypes.models import ContentType

    if hours is None or hours <= 0:
        raise ValidationError({"hours": _("Hours must be more than zero.")})
    source_type = ContentType.objects.get_for_model(source)
    record = (
        HoursRecord.objects.select_for_update()
        .filter(volunteer=volunteer, source_type=source_type, source_id=source.pk)
        .first()
    )
    if record is not None and record.state != HoursState.PENDING:
        raise ValidationError(_("These hours have already been decided."))
    if record is None:
        record = HoursRecord(volunteer=volunteer, source_type=source_type, source_id=source.pk)
    record.unit, record.kind, record.day, record.hours = unit, kind, day, hours
    record.activity, record.field = activity[:200], field
    record.save()
    return record


def hours_records_drop(*, source) -> int:
    """Remove the pending hours of a source that is deleted or corrected (decided ones stay)."""
    from django.contrib.contenttypes.models import ContentType

    deleted, _counts = HoursRecord.objects.filter(
        source_type=ContentType.objects.get_for_model(source), source_id=source.pk, state=HoursState.PENDING
    ).delete()
    return deleted
