"""Every read of the events app. Staff reads go through ``TenantQuerySet.visible_to`` (another
unit's event is not in the queryset: 404); a volunteer reads only their own rows. Lists
and calendars cost a constant number of queries whatever their size."""

from __future__ import annotations

import calendar as month_calendar
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import cached_property
from typing import TYPE_CHECKING

from django.db.models import Count, Exists, Max, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.db.models.functions import ExtractMonth, ExtractYear
from django.utils import timezone

from agreements.models import IN_FORCE, Agreement
from institutions import permissions
from institutions.models import Unit
from institutions.tenancy import get_visible_or_404
from volunteers.models import Volunteer

from .models import (
    DONE_STATES,
    OPEN_STATES,
    CertificateState,
    Event,
    EventSeries,
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


# Each section of the work queue shows its oldest QUEUE_PAGE, as a list shows a page.
QUEUE_PAGE = 25


def approval_queue(
    user: User, *, unit_ids: frozenset[int] | None = None, now: datetime | None = None
) -> Queue:
    """Six queries whatever the number of proposals (counts in one aggregate, the
    certificates' and the pending hours' counts; the first ``QUEUE_PAGE`` of each list,
    oldest first). A series stands once among the proposals — its first occurrence waiting,
    annotated with ``series_pending`` (how many wait), ``series_to_approve`` (how many are
    proposed) and ``series_last`` (the last one's start)."""
    now = now or timezone.now()
    events, certificates, _hours = _queue_scope(user, unit_ids)
    proposal_q, report_q, review_q = _queue_filters(now)
    counts = queue_counts(user, unit_ids=unit_ids, now=now)
    base = events.select_related("unit", "activity_type", "field").prefetch_related(_people_prefetch())
    proposals = _series_once(base.filter(proposal_q), events.filter(proposal_q))
    proposals = with_state_labels(proposals.order_by("starts_at", "pk")[:QUEUE_PAGE])
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


def _queue_scope(
    user: User, unit_ids: frozenset[int] | None
) -> tuple[QuerySet[Event], QuerySet[VolunteerCertificate], QuerySet[HoursRecord]]:
    """The events, requested certificates and pending hours of the units the person
    coordinates (of ``unit_ids`` among them, if given)."""
    events = Event.objects.visible_to(user, permissions.COORDINATE)
    certificates = VolunteerCertificate.objects.visible_to(user, permissions.COORDINATE).filter(
        state=CertificateState.REQUESTED
    )
    hours = pending_hours(user)
    if unit_ids is not None:
        events = events.filter(unit_id__in=unit_ids)
        certificates = certificates.filter(unit_id__in=unit_ids)
        hours = hours.filter(unit_id__in=unit_ids)
    return events, certificates, hours


QUEUE_STATES = (EventState.PROPOSED, EventState.CHANGES_REQUESTED, EventState.APPROVED, EventState.HELD)


def _queue_filters(now: datetime) -> tuple[Q, Q, Q]:
    """Proposals to decide, events to report, reports to review. A proposal whose time has
    passed can no longer be approved: it leaves the queue."""
    return (
        Q(state__in=[EventState.PROPOSED, EventState.CHANGES_REQUESTED], starts_at__gt=now),
        Q(state=EventState.APPROVED, ends_at__lte=now),
        Q(state=EventState.HELD),
    )


def queue_counts(
    user: User, *, unit_ids: frozenset[int] | None = None, now: datetime | None = None
) -> dict[str, int]:
    """The queue's counts in three queries (also the home page's to-dos): ``proposals``,
    ``changes`` (waiting for the volunteer), ``to_report``, ``to_review``,
    ``certificates`` (requested) and ``hours`` (awaiting approval)."""
    now = now or timezone.now()
    events, certificates, hours = _queue_scope(user, unit_ids)
    _proposal_q, report_q, review_q = _queue_filters(now)
    # Only the queue's states are read (not the years of reported events), and only columns
    # of the index event_unit_state are named — COUNT(state), never COUNT(id) —, so that
    # PostgreSQL counts from the index alone.
    counts = events.filter(state__in=QUEUE_STATES).aggregate(
        proposals=Count("state", filter=Q(state=EventState.PROPOSED, starts_at__gt=now)),
        changes=Count("state", filter=Q(state=EventState.CHANGES_REQUESTED, starts_at__gt=now)),
        to_report=Count("state", filter=report_q),
        to_review=Count("state", filter=review_q),
    )
    counts["certificates"] = certificates.count()
    counts["hours"] = hours.count()
    return counts


def _series_once(proposals: QuerySet[Event], pending: QuerySet[Event]) -> QuerySet[Event]:
    """``proposals`` with a series' occurrences in ``pending`` standing once: its first
    waiting occurrence, annotated with the series' figures (correlated subqueries, no
    query more)."""
    earlier = pending.filter(series_id=OuterRef("series_id")).filter(
        Q(starts_at__lt=OuterRef("starts_at")) | Q(starts_at=OuterRef("starts_at"), pk__lt=OuterRef("pk"))
    )
    same = pending.filter(series_id=OuterRef("series_id")).order_by().values("series_id")
    return proposals.filter(Q(series__isnull=True) | ~Exists(earlier)).annotate(
        series_pending=Subquery(same.annotate(n=Count("pk")).values("n")[:1]),
        series_to_approve=Subquery(
            same.filter(state=EventState.PROPOSED).annotate(n=Count("pk")).values("n")[:1]
        ),
        series_last=Subquery(same.annotate(last=Max("starts_at")).values("last")[:1]),
    )


def state_counts(events: QuerySet[Event]) -> dict[str, int]:
    """How many of ``events`` are in each state, and ``all``: one aggregate query that names
    no column but the state — COUNT(state), never COUNT(id) —, so that PostgreSQL counts a
    central coordinator's hundred thousand events from the index event_unit_state alone."""
    counts = events.order_by().aggregate(
        all=Count("state"), **{state: Count("state", filter=Q(state=state)) for state in EventState.values}
    )
    return {key: value or 0 for key, value in counts.items()}


def with_state_labels(events: Iterable[Event]) -> list[Event]:
    """``events`` with ``state_label`` set: the state's name, looked up once per state —
    ``get_state_display`` rebuilds the choices on every call, a tenth of a second over a
    busy month's calendar."""
    labels = {value: str(label) for value, label in EventState.choices}
    events = list(events)
    for event in events:
        event.state_label = labels.get(event.state, event.state)
    return events


# --- A series


def series_for(user: User, pk: int, perm: str = permissions.VIEW) -> EventSeries:
    """A series of the person's units (404 otherwise)."""
    return get_visible_or_404(EventSeries.objects.select_related("unit__institution"), user, perm, pk=pk)


@dataclass
class SeriesOverview:
    """An event's series as its page shows it: the occurrences (a volunteer's: those they
    are on) with date and state; how many wait to be approved or rejected as a whole; and
    the occurrences from this one on that ``user`` may cancel together (a coordinator:
    every one still open and not over; a volunteer: those they lead)."""

    occurrences: list[Event]
    to_approve: int
    to_reject: int
    rest: list[Event]


def series_overview(event: Event, user: User, *, mine_only: bool = False, now=None) -> SeriesOverview | None:
    """One query (and the permission check), whatever the length of the series."""
    if event.series_id is None:
        return None
    now = now or timezone.now()
    occurrences = (
        Event.objects.filter(series_id=event.series_id)
        .annotate(
            led_by_me=Exists(
                EventVolunteer.objects.filter(event=OuterRef("pk"), volunteer__user_id=user.pk, is_lead=True)
            )
        )
        .only("pk", "title", "starts_at", "ends_at", "state", "series_id", "unit_id")
        .order_by("starts_at", "pk")
    )
    if mine_only:
        occurrences = occurrences.filter(people__volunteer__user_id=user.pk)
    occurrences = list(occurrences)
    coordinator = not mine_only and permissions.has_unit_perm(user, permissions.COORDINATE, event.unit)
    waiting = [o for o in occurrences if o.starts_at > now]
    rest = [
        o
        for o in occurrences
        if (o.starts_at, o.pk) >= (event.starts_at, event.pk)
        and o.state in OPEN_STATES
        and o.ends_at > now
        and (coordinator or o.led_by_me)
    ]
    return SeriesOverview(
        occurrences=occurrences,
        to_approve=sum(o.state == EventState.PROPOSED for o in waiting),
        to_reject=sum(o.state in (EventState.PROPOSED, EventState.CHANGES_REQUESTED) for o in waiting),
        rest=rest,
    )


def series_cancellable(event: Event, user: User) -> list[Event]:
    """The occurrences from ``event`` on that ``user`` may cancel together (see
    ``SeriesOverview``)."""
    overview = series_overview(event, user)
    return overview.rest if overview else []


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
        Event.objects.filter(people__volunteer=volunteer)
        .select_related("unit")
        .prefetch_related(_people_prefetch())  # the volunteer's own calendar marks what they lead
        .defer(*_CALENDAR_DEFERRED)
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


def co_volunteer_choices(
    volunteer: Volunteer, unit: Unit, *, today: date | None = None, event: Event | None = None
) -> QuerySet[Volunteer]:
    """The other volunteers a volunteer may name on an event of ``unit`` — only people whose
    names they already know: those with an agreement in force there who have been on an
    event at ``unit`` with them, and the people already on ``event``. (A coordinator chooses
    from everyone: ``volunteers_with_agreement``.) One query."""
    today = today or timezone.localdate()
    in_force = Agreement.objects.filter(unit=unit, status__in=IN_FORCE, end_date__gte=today).values(
        "volunteer_id"
    )
    together = EventVolunteer.objects.filter(event__unit=unit, event__people__volunteer=volunteer).values(
        "volunteer_id"
    )
    allowed = Q(pk__in=in_force) & Q(pk__in=together)
    if event is not None:
        allowed |= Q(pk__in=EventVolunteer.objects.filter(event=event).values("volunteer_id"))
    return (
        Volunteer.objects.filter(allowed, anonymised_at__isnull=True)
        .exclude(pk=volunteer.pk)
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


def certificate_records(certificate: VolunteerCertificate) -> QuerySet[HoursRecord]:
    """The approved hours records an izziņa certifies: the volunteer's, in its period, at its
    unit (or every unit of the institution). ``services.certificate_issue`` counts these."""
    records = HoursRecord.objects.filter(
        volunteer_id=certificate.volunteer_id,
        state=HoursState.APPROVED,
        day__gte=certificate.period_start,
        day__lte=certificate.period_end,
    )
    if certificate.whole_institution:
        return records.filter(unit__institution_id=certificate.institution_id)
    return records.filter(unit_id=certificate.unit_id)


def certificate_hours_preview(certificate: VolunteerCertificate) -> Decimal:
    """The approved hours that issuing ``certificate`` now would certify (one query)."""
    return certificate_records(certificate).aggregate(total=Sum("hours"))["total"] or Decimal("0")


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


def held_in_year(*, unit_ids, year: int, field: str | None = None) -> QuerySet[Event]:
    """Events held (held or reported) in ``year`` at the given units, of one field if given."""
    held = Event.objects.filter(
        unit_id__in=unit_ids,
        state__in=DONE_STATES,
        starts_at__gte=day_start(date(year, 1, 1)),
        starts_at__lt=day_start(date(year + 1, 1, 1)),
    )
    return held.filter(field__code=field) if field else held


def approved_hours_in_year(*, unit_ids, year: int, field: str | None = None) -> QuerySet[HoursRecord]:
    """Approved hours of ``year`` at the given units; of one field if given (the record's
    own field, or its event's)."""
    hours = HoursRecord.objects.filter(unit_id__in=unit_ids, state=HoursState.APPROVED, day__year=year)
    if field:
        hours = hours.filter(Q(field__code=field) | Q(field__isnull=True, event__field__code=field))
    return hours


@dataclass(frozen=True)
class HeldEvents:
    """A year's held events at some units, grouped by month, unit and field (a few thousand
    rows at most whatever the number of events), with the approved hours per unit: every
    count of the reports derives from it, for all the units or for a part of them."""

    # (month, unit pk, unit name, field code, events, participants)
    groups: list[tuple[int, int, str, str | None, int, int]]
    hours: dict[int, Decimal]  # approved hours per unit pk

    def counts(self, unit_ids=None) -> EventCounts:
        """The counts of the given units (of all when None)."""
        wanted = None if unit_ids is None else set(unit_ids)
        by_month: dict[int, int] = defaultdict(int)
        by_unit: dict[str, int] = defaultdict(int)
        by_field: dict[str, int] = defaultdict(int)
        participants = events = 0
        for month, unit_id, unit_name, field_code, n, people in self.groups:
            if wanted is not None and unit_id not in wanted:
                continue
            by_month[month] += n
            by_unit[unit_name] += n
            by_field[field_code] += n
            participants += people
            events += n
        hours = sum(
            (total for unit_id, total in self.hours.items() if wanted is None or unit_id in wanted),
            Decimal("0"),
        )
        return EventCounts(
            by_month=dict(by_month),
            by_unit=dict(by_unit),
            by_field=dict(by_field),
            participants=participants,
            hours=hours,
            events=events,
        )

    @cached_property
    def _per_unit(self) -> dict[int, tuple[int, int]]:
        totals: dict[int, tuple[int, int]] = {}
        for _month, unit_id, _name, _field, n, people in self.groups:
            events, participants = totals.get(unit_id, (0, 0))
            totals[unit_id] = (events + n, participants + people)
        return totals

    def of_unit(self, unit_id: int) -> tuple[int, int, Decimal]:
        """(events, participants, approved hours) of one unit."""
        events, participants = self._per_unit.get(unit_id, (0, 0))
        return events, participants, self.hours.get(unit_id, Decimal("0"))


def held_events(*, unit_ids, year: int, field: str | None = None) -> HeldEvents:
    """Held events of a year at the given units (of one field if given), grouped — two
    aggregate queries: the events in one pass, the approved hours in another."""
    groups = [
        (month, unit_id, unit_name, field_code, n, people or 0)
        for month, unit_id, unit_name, field_code, n, people in (
            held_in_year(unit_ids=unit_ids, year=year, field=field)
            .annotate(month=ExtractMonth("starts_at", tzinfo=_zone()))
            .order_by()
            .values("month", "unit_id", "unit__name", "field__code")
            .annotate(n=Count("pk"), people=Sum("actual_participants"))
            .values_list("month", "unit_id", "unit__name", "field__code", "n", "people")
        )
    ]
    hours = dict(
        approved_hours_in_year(unit_ids=unit_ids, year=year, field=field)
        .order_by()
        .values("unit_id")
        .annotate(total=Sum("hours"))
        .values_list("unit_id", "total")
    )
    return HeldEvents(groups=groups, hours={pk: total or Decimal("0") for pk, total in hours.items()})


def event_counts(*, unit_ids, year: int, field: str | None = None) -> EventCounts:
    """Held events of a year at the given units (of one field if given): per month, unit
    and field, the participants and the approved hours — two aggregate queries."""
    return held_events(unit_ids=unit_ids, year=year, field=field).counts()
