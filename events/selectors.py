"""Every read of the events app. Staff reads go through ``TenantQuerySet.visible_to`` (another
unit's event is not in the queryset: 404); a volunteer reads only their own rows. Lists
and calendars cost a constant number of queries whatever their size."""

from __future__ import annotations

import calendar as month_calendar
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import ExtractMonth, ExtractYear
from django.utils import timezone

from agreements.models import IN_FORCE, Agreement
from institutions import permissions
from institutions.models import Unit
from institutions.tenancy import get_visible_or_404
from volunteers.models import Volunteer

from .models import (
    DONE_STATES,
    CertificateState,
    Event,
    EventState,
    EventStep,
    EventVolunteer,
    HoursRecord,
    HoursState,
    VolunteerCertificate,
)

if TYPE_CHECKING:
    from accounts.models import User


def _zone():
    return timezone.get_default_timezone()


def day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), _zone())


def _people_prefetch() -> Prefetch:
    return Prefetch(
        "people", queryset=EventVolunteer.objects.select_related("volunteer__user").order_by("-is_lead", "pk")
    )


def events_base() -> QuerySet[Event]:
    return Event.objects.select_related("unit__institution", "activity_type", "field").prefetch_related(
        _people_prefetch()
    )


# --- Staff


def event_for(user: User, pk: int, perm: str = permissions.VIEW) -> Event:
    """One event of the person's units (404 otherwise), with its people."""
    return get_visible_or_404(events_base(), user, perm, pk=pk)


def event_steps(event: Event) -> list[EventStep]:
    return list(event.steps.select_related("actor").order_by("created_at", "pk"))


def staff_events(user: User, *, unit_ids: frozenset[int] | None = None) -> QuerySet[Event]:
    events = events_base().visible_to(user)
    if unit_ids is not None:
        events = events.filter(unit_id__in=unit_ids)
    return events


@dataclass
class Queue:
    """A coordinator's work: proposals to decide, events to report, reports to review,
    certificates to issue."""

    proposals: list[Event]
    to_report: list[Event]
    to_review: list[Event]
    certificates: list[VolunteerCertificate]
    counts: dict[str, int] = field(default_factory=dict)


QUEUE_PAGE = 50


def approval_queue(
    user: User, *, unit_ids: frozenset[int] | None = None, now: datetime | None = None
) -> Queue:
    """Five queries whatever the number of proposals (counts in one aggregate; the first
    ``QUEUE_PAGE`` of each list, oldest first)."""
    now = now or timezone.now()
    events = Event.objects.visible_to(user, permissions.COORDINATE)
    if unit_ids is not None:
        events = events.filter(unit_id__in=unit_ids)
    proposal_q = Q(state__in=[EventState.PROPOSED, EventState.CHANGES_REQUESTED])
    report_q = Q(state=EventState.APPROVED, ends_at__lte=now)
    review_q = Q(state=EventState.HELD)
    counts = events.aggregate(
        proposals=Count("pk", filter=Q(state=EventState.PROPOSED)),
        changes=Count("pk", filter=Q(state=EventState.CHANGES_REQUESTED)),
        to_report=Count("pk", filter=report_q),
        to_review=Count("pk", filter=review_q),
    )
    base = events.select_related("unit", "activity_type", "field").prefetch_related(_people_prefetch())
    certificates = VolunteerCertificate.objects.visible_to(user, permissions.COORDINATE).filter(
        state=CertificateState.REQUESTED
    )
    if unit_ids is not None:
        certificates = certificates.filter(unit_id__in=unit_ids)
    counts["certificates"] = certificates.count()
    proposals = list(base.filter(proposal_q).order_by("starts_at", "pk")[:QUEUE_PAGE])
    to_report = list(base.filter(report_q).order_by("ends_at", "pk")[:QUEUE_PAGE])
    to_review = list(base.filter(review_q).order_by("reported_at", "pk")[:QUEUE_PAGE])
    return Queue(
        proposals=proposals,
        to_report=to_report,
        to_review=to_review,
        certificates=list(
            certificates.select_related("unit", "volunteer__user").order_by("requested_at", "pk")[:QUEUE_PAGE]
        ),
        counts=counts,
    )


# --- Calendars


@dataclass
class Day:
    day: date
    in_month: bool
    events: list[Event]


def month_weeks(events: list[Event], year: int, month: int) -> list[list[Day]]:
    """The weeks (Monday first) of a month, each day with its events in order."""
    by_day: dict[date, list[Event]] = defaultdict(list)
    for event in events:
        by_day[timezone.localtime(event.starts_at, _zone()).date()].append(event)
    weeks = month_calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
    return [[Day(day=d, in_month=d.month == month, events=by_day.get(d, [])) for d in week] for week in weeks]


def week_days(events: list[Event], monday: date) -> list[Day]:
    """The seven days (Monday first) from ``monday``, each with its events in order."""
    by_day: dict[date, list[Event]] = defaultdict(list)
    for event in events:
        by_day[timezone.localtime(event.starts_at, _zone()).date()].append(event)
    days = [monday + timedelta(days=offset) for offset in range(7)]
    return [Day(day=d, in_month=True, events=by_day.get(d, [])) for d in days]


def calendar_events(queryset: QuerySet[Event], first: date, last: date) -> list[Event]:
    """Events starting from ``first`` to ``last`` (inclusive), in one query plus their people."""
    return list(
        queryset.filter(starts_at__gte=day_start(first), starts_at__lt=day_start(last + timedelta(days=1)))
        .exclude(state__in=[EventState.REJECTED])
        .order_by("starts_at", "pk")
    )


# A calendar shows each event's time, title and state: no people, no long texts.
_CALENDAR_DEFERRED = ("description", "items", "coordinator_note", "reason")


def unit_calendar(user: User, unit: Unit, first: date, last: date) -> list[Event]:
    events = (
        Event.objects.visible_to(user).filter(unit=unit).select_related("unit").defer(*_CALENDAR_DEFERRED)
    )
    return calendar_events(events, first, last)


def volunteer_calendar(volunteer: Volunteer, first: date, last: date) -> list[Event]:
    events = (
        Event.objects.filter(people__volunteer=volunteer).select_related("unit").defer(*_CALENDAR_DEFERRED)
    )
    return calendar_events(events, first, last)


# --- The volunteer's own


def my_events(volunteer: Volunteer) -> QuerySet[Event]:
    return events_base().filter(people__volunteer=volunteer).order_by("-starts_at", "-pk")


def my_event(volunteer: Volunteer, pk: int) -> Event:
    from django.shortcuts import get_object_or_404

    return get_object_or_404(events_base().filter(people__volunteer=volunteer), pk=pk)


def units_for_proposal(volunteer: Volunteer, *, today: date | None = None) -> QuerySet[Unit]:
    """Units where the volunteer has an agreement in force today or later (where they may
    propose an event)."""
    today = today or timezone.localdate()
    return (
        Unit.objects.filter(
            agreements__volunteer=volunteer, agreements__status__in=IN_FORCE, agreements__end_date__gte=today
        )
        .distinct()
        .select_related("institution")
        .order_by("name")
    )


def volunteers_with_agreement(
    unit: Unit, *, today: date | None = None, event: Event | None = None
) -> QuerySet[Volunteer]:
    """Volunteers who may be on an event of ``unit``: an agreement in force there that has
    not ended (the date itself is checked by the service) — and, when an event is being
    changed, the people already on it (so that the service, not the form, says why one of
    them can no longer be)."""
    today = today or timezone.localdate()
    allowed = Q(
        pk__in=Agreement.objects.filter(unit=unit, status__in=IN_FORCE, end_date__gte=today).values(
            "volunteer_id"
        )
    )
    if event is not None:
        allowed |= Q(pk__in=EventVolunteer.objects.filter(event=event).values("volunteer_id"))
    return (
        Volunteer.objects.filter(allowed, anonymised_at__isnull=True)
        .select_related("user")
        .order_by("user__last_name", "user__first_name")
    )


@dataclass(frozen=True)
class HoursTotal:
    year: int
    unit: str
    approved: Decimal
    pending: Decimal
    activities: int


def hours_totals(volunteer: Volunteer) -> list[HoursTotal]:
    """The volunteer's hours by year and unit (one aggregate query), newest year first."""
    rows = (
        HoursRecord.objects.filter(volunteer=volunteer)
        .exclude(state=HoursState.REJECTED)
        .annotate(year=ExtractYear("day"))
        .values("year", "unit_id", "unit__name")
        .annotate(
            approved=Sum("hours", filter=Q(state=HoursState.APPROVED)),
            pending=Sum("hours", filter=Q(state=HoursState.PENDING)),
            activities=Count("pk"),
        )
        .order_by("-year", "unit__name")
    )
    return [
        HoursTotal(
            year=row["year"],
            unit=row["unit__name"],
            approved=row["approved"] or Decimal("0"),
            pending=row["pending"] or Decimal("0"),
            activities=row["activities"],
        )
        for row in rows
    ]


def my_hours(volunteer: Volunteer) -> QuerySet[HoursRecord]:
    return HoursRecord.objects.filter(volunteer=volunteer).select_related("unit", "event", "activity_type")


def my_certificates(volunteer: Volunteer) -> QuerySet[VolunteerCertificate]:
    return VolunteerCertificate.objects.filter(volunteer=volunteer).select_related("unit", "institution")


def units_for_certificate(volunteer: Volunteer) -> QuerySet[Unit]:
    """Units the volunteer has (had) an agreement with: where an izziņa can be asked."""
    return (
        Unit.objects.filter(agreements__volunteer=volunteer)
        .exclude(agreements__status="draft")
        .distinct()
        .select_related("institution")
        .order_by("name")
    )


# --- Certificates (staff)


def certificate_for(user: User, pk: int, perm: str = permissions.VIEW) -> VolunteerCertificate:
    return get_visible_or_404(
        VolunteerCertificate.objects.select_related("unit__institution", "volunteer__user", "issued_by"),
        user,
        perm,
        pk=pk,
    )


def event_hours(event: Event) -> dict[int, HoursRecord]:
    """The hours records of an event by volunteer id (one query)."""
    return {record.volunteer_id: record for record in HoursRecord.objects.filter(event=event)}


def hours_record_for(user: User, pk: int, perm: str = permissions.VIEW) -> HoursRecord:
    return get_visible_or_404(
        HoursRecord.objects.select_related("volunteer__user", "unit", "event"), user, perm, pk=pk
    )


def certificate_volunteers(unit_ids) -> QuerySet[Volunteer]:
    """Volunteers who have (had) an agreement, not a mere draft, at one of ``unit_ids``:
    those a coordinator may issue an izziņa for."""
    return (
        Volunteer.objects.filter(
            anonymised_at__isnull=True,
            pk__in=Agreement.objects.filter(unit_id__in=unit_ids)
            .exclude(status="draft")
            .values("volunteer_id"),
        )
        .select_related("user")
        .order_by("user__last_name", "user__first_name")
    )


def staff_certificates(user: User) -> QuerySet[VolunteerCertificate]:
    return VolunteerCertificate.objects.visible_to(user).select_related(
        "unit", "volunteer__user", "issued_by"
    )


def pending_hours(user: User) -> QuerySet[HoursRecord]:
    return (
        HoursRecord.objects.visible_to(user, permissions.COORDINATE)
        .filter(state=HoursState.PENDING)
        .select_related("volunteer__user", "unit", "event")
    )


def volunteer_has_agreement_at(volunteer: Volunteer, unit: Unit) -> bool:
    return Agreement.objects.filter(volunteer=volunteer, unit=unit).exclude(status="draft").exists()


# --- Counts for the reports (aggregation in the database)


@dataclass(frozen=True)
class EventCounts:
    by_month: dict[int, int]
    by_unit: dict[str, int]
    by_field: dict[str, int]
    participants: int
    hours: Decimal
    events: int


def event_counts(*, unit_ids, year: int) -> EventCounts:
    """Held events of a year at the given units: per month, unit and field, the
    participants and the approved hours — four aggregate queries."""
    held = Event.objects.filter(
        unit_id__in=unit_ids,
        state__in=DONE_STATES,
        starts_at__gte=day_start(date(year, 1, 1)),
        starts_at__lt=day_start(date(year + 1, 1, 1)),
    )
    by_month = dict(
        held.annotate(month=ExtractMonth("starts_at", tzinfo=_zone()))
        .values("month")
        .annotate(n=Count("pk"))
        .values_list("month", "n")
    )
    by_unit = dict(held.values("unit__name").annotate(n=Count("pk")).values_list("unit__name", "n"))
    by_field = dict(held.values("field__code").annotate(n=Count("pk")).values_list("field__code", "n"))
    totals = held.aggregate(participants=Sum("actual_participants"), events=Count("pk"))
    hours = HoursRecord.objects.filter(
        unit_id__in=unit_ids, state=HoursState.APPROVED, day__year=year
    ).aggregate(total=Sum("hours"))["total"]
    return EventCounts(
        by_month=by_month,
        by_unit=by_unit,
        by_field=by_field,
        participants=totals["participants"] or 0,
        hours=hours or Decimal("0"),
        events=totals["events"] or 0,
    )
