"""The figures of the reports: dashboards and the annual fact sheet read them from here.

Definitions (the same everywhere, so a dashboard and the fact sheet agree):

- **In force on a day** — an agreement signed on or before the day, whose end date is not
  before it and that had not ended (expiry or termination: ``ended_on`` is its last day)
  before it. On today's date this is exactly ``Agreement.objects.in_force()`` (status
  signed or active), signed-but-not-yet-started agreements included: the fact sheet's
  "signed contracts".
- **Signed in a year** — agreements whose ``signed_on`` falls in the year.
- **Trainings held in a year** — sessions in the state *held* whose first day falls in the
  year; *participants* are the distinct volunteers registered on them (waiting list and
  cancelled places left out), *completed* — "trained" in the fact sheet — the distinct
  volunteers with a completion (not withdrawn) from them.
- **Field** — a ``volunteers.Role.Code``: applications by their roles, agreements by their
  role, events by their field, hours by their field (or their event's), trainings by the
  roles their course is required for. Casework has no field: ``Figures.field_ignored``.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from dataclasses import field as dataclass_field
from datetime import date, timedelta
from decimal import Decimal
from itertools import groupby, pairwise

from django.db import connections
from django.db.models import Aggregate, Count, Exists, F, FloatField, Func, Min, OuterRef, Q, QuerySet

from agreements.models import Agreement
from agreements.models import Status as AgreementStatus
from agreements.selectors import ENDING_SOON_DAYS
from casework.selectors import CaseworkCounts, casework_counts
from events.selectors import EventCounts, day_start, held_events
from institutions.models import Institution, Unit
from trainings.models import Completion, Course, Registration, RegistrationState, Session, SessionState
from volunteers.models import OPEN_STATUSES, Application, ApplicationEvent
from volunteers.models import Status as ApplicationStatus

from .. import cache

# Agreements that have been signed (whatever happened to them since).
SIGNED_STATUSES = (AgreementStatus.SIGNED, AgreementStatus.ACTIVE, AgreementStatus.ENDED)


# --- Primitives ---------------------------------------------------------------------------


def _in_force_on(on: date) -> Q:
    """Agreements in force on ``on`` (see the module's docstring)."""
    return Q(status__in=SIGNED_STATUSES, signed_on__lte=on, end_date__gte=on) & (
        Q(ended_on__isnull=True) | Q(ended_on__gte=on)
    )


def _agreements(*, unit_ids: Iterable[int], field: str | None) -> QuerySet[Agreement]:
    agreements = Agreement.objects.filter(unit_id__in=list(unit_ids))
    if field:
        agreements = agreements.filter(role__code=field)
    return agreements


def agreements_in_force(*, unit_ids: Iterable[int], on: date, field: str | None = None) -> int:
    """How many agreements of these units were in force on ``on`` (one query)."""
    return _agreements(unit_ids=unit_ids, field=field).filter(_in_force_on(on)).count()


def agreements_signed(*, unit_ids: Iterable[int], year: int, field: str | None = None) -> int:
    """How many agreements of these units were signed in ``year`` (one query)."""
    return _agreements(unit_ids=unit_ids, field=field).filter(signed_on__year=year).count()


def applications_at_step(*, unit_ids: Iterable[int], status: str) -> int:
    """Applications of these units now at one step of the pipeline (one query)."""
    return Application.objects.filter(unit_id__in=unit_ids, status=status).count()


@dataclass(frozen=True)
class TrainingFigures:
    sessions: int  # sessions held in the year
    participants: int  # distinct volunteers registered on them
    completed: int  # distinct volunteers who completed them ("trained")


def _sessions_held(*, unit_ids: Iterable[int], year: int, field: str | None) -> QuerySet[Session]:
    sessions = Session.objects.filter(
        unit_id__in=list(unit_ids), state=SessionState.HELD, first_day__year=year
    )
    if field:
        sessions = sessions.filter(
            Exists(Course.roles.through.objects.filter(course_id=OuterRef("course_id"), role__code=field))
        )
    return sessions


def trainings_held(*, unit_ids: Iterable[int], year: int, field: str | None = None) -> TrainingFigures:
    """Sessions held in ``year`` at these units, their participants and those who completed
    them (three queries)."""
    sessions = _sessions_held(unit_ids=unit_ids, year=year, field=field)
    held = sessions.count()
    participants = Registration.objects.filter(
        session__in=sessions, state=RegistrationState.REGISTERED
    ).aggregate(n=Count("volunteer_id", distinct=True))["n"]
    completed = Completion.objects.filter(session__in=sessions, revoked_at__isnull=True).aggregate(
        n=Count("volunteer_id", distinct=True)
    )["n"]
    return TrainingFigures(sessions=held, participants=participants or 0, completed=completed or 0)


@dataclass(frozen=True)
class FunnelStep:
    status: str  # a volunteers.models.Status value
    label: str  # its label (filled in when read, never kept in the cache)
    reached: int  # applications of the year that reached the step
    conversion: float | None  # reached / reached at the previous step (None: the first step, or 0 before)
    median_days: float | None  # median days from the previous step (None: the first step, or none reached)


# --- The dashboard ------------------------------------------------------------------------

FUNNEL = (
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.SCREENING,
    ApplicationStatus.VETTING,
    ApplicationStatus.TRAINING,
    ApplicationStatus.AGREEMENT,
    ApplicationStatus.ACTIVE,
)
FUNNEL_ROWS_MAX = 200_000  # SQLite (development, tests) computes the medians in Python


@dataclass(frozen=True)
class InstitutionRef:
    pk: int
    code: str
    name: str
    short_name: str
    agreement_term: str  # agreements.terms: what the institution calls its agreements


@dataclass(frozen=True)
class UnitRef:
    pk: int
    name: str
    slug: str


@dataclass(frozen=True)
class UnitRow:
    unit: UnitRef
    in_force: int  # agreements in force today
    signed: int  # agreements signed in the year
    open_applications: int  # applications at an open step now
    events: int  # events held in the year
    participants: int  # their participants
    hours: Decimal  # approved hours of the year


@dataclass(frozen=True)
class Figures:
    volunteers_active: int  # distinct volunteers with an agreement in force today
    agreements_in_force: int  # in force today
    agreements_signed: int  # signed in the year
    agreements_ending: int  # in force today, ending within ENDING_SOON_DAYS days (as the list's filter)
    applications_by_step: dict[str, int]  # open applications now: {status: n}, every open step
    funnel: list[FunnelStep]  # the year's applications (submitted in the year), step by step
    trainings: TrainingFigures
    events: EventCounts  # events.selectors.event_counts (held events, participants, approved hours)
    casework: CaseworkCounts | None  # VPD only (None elsewhere)
    units: list[UnitRow]
    # The figures the field filter does not apply to (when a field is chosen): the UI says so.
    field_ignored: tuple[str, ...] = ()


@dataclass(frozen=True)
class Column:
    institution: InstitutionRef
    unit_ids: frozenset[int]
    figures: Figures


@dataclass(frozen=True)
class Dashboard:
    year: int
    field: str | None
    today: date
    columns: list[Column] = dataclass_field(default_factory=list)


def _with_field(applications: QuerySet[Application], field: str | None) -> QuerySet[Application]:
    if not field:
        return applications
    return applications.filter(
        Exists(Application.roles.through.objects.filter(application_id=OuterRef("pk"), role__code=field))
    )


class _DaysBetween(Func):
    """PostgreSQL: the days (fractional) from the second timestamp to the first."""

    template = "EXTRACT(EPOCH FROM (%(expressions)s)) / 86400.0"
    arg_joiner = " - "
    output_field = FloatField()


class Median(Aggregate):
    """PostgreSQL's ``percentile_cont(0.5)``: the median of the (non-null) values."""

    function = "PERCENTILE_CONT"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


def _funnel(*, unit_ids: frozenset[int], year: int, field: str | None) -> list[FunnelStep]:
    """The applications submitted in ``year`` at these units, how many reached each step
    (a transition into it in their history; the first step is the submission itself), the
    conversion from the previous step and the median days from it — one query."""
    applications = _with_field(
        Application.objects.filter(
            unit_id__in=unit_ids,
            submitted_at__gte=day_start(date(year, 1, 1)),
            submitted_at__lt=day_start(date(year + 1, 1, 1)),
        ),
        field,
    )
    moments = {ApplicationStatus.SUBMITTED.value: Min("submitted_at")}
    for status in FUNNEL[1:]:
        moments[status.value] = Min(
            "events__created_at",
            filter=Q(events__kind=ApplicationEvent.Kind.TRANSITION, events__to_status=status),
        )
    per_application = (
        applications.order_by().values("pk").annotate(**{f"t_{s}": m for s, m in moments.items()})
    )
    steps = [status.value for status in FUNNEL]
    if connections[applications.db].vendor == "postgresql":
        aggregates = {f"n_{s}": Count(f"t_{s}") for s in steps}
        for previous, status in pairwise(steps):
            aggregates[f"m_{status}"] = Median(_DaysBetween(F(f"t_{status}"), F(f"t_{previous}")))
        totals = per_application.aggregate(**aggregates)
        reached = {s: totals[f"n_{s}"] or 0 for s in steps}
        medians = {s: totals.get(f"m_{s}") for s in steps[1:]}
    else:
        rows = list(per_application.values_list(*(f"t_{s}" for s in steps))[:FUNNEL_ROWS_MAX])
        reached = {s: sum(1 for row in rows if row[i] is not None) for i, s in enumerate(steps)}
        medians = {}
        for i, status in enumerate(steps[1:], start=1):
            days = [
                (row[i] - row[i - 1]).total_seconds() / 86400
                for row in rows
                if row[i] is not None and row[i - 1] is not None
            ]
            medians[status] = statistics.median(days) if days else None
    funnel = []
    for i, status in enumerate(steps):
        previous = reached[steps[i - 1]] if i else None
        median = medians.get(status)
        funnel.append(
            FunnelStep(
                status=status,
                label="",
                reached=reached[status],
                conversion=reached[status] / previous if previous else None,
                median_days=round(median, 1) if median is not None else None,
            )
        )
    return funnel


def _compute(*, unit_ids: frozenset[int], year: int, field: str | None, today: date) -> Dashboard:
    units = list(
        Unit.objects.filter(pk__in=unit_ids)
        .exclude(institution__code=Institution.Code.TM)
        .select_related("institution")
        .order_by("institution__code", "name", "pk")
    )
    ids = [unit.pk for unit in units]
    in_force = _in_force_on(today)
    agreements = (
        _agreements(unit_ids=ids, field=field)
        .order_by()
        .values("unit_id")
        .annotate(
            in_force=Count("pk", filter=in_force),
            signed=Count("pk", filter=Q(signed_on__year=year)),
            ending=Count("pk", filter=in_force & Q(end_date__lte=today + timedelta(days=ENDING_SOON_DAYS))),
        )
    )
    agreements_by_unit = {row["unit_id"]: row for row in agreements}
    active = dict(
        _agreements(unit_ids=ids, field=field)
        .filter(in_force)
        .order_by()
        .values("institution_id")
        .annotate(n=Count("volunteer_id", distinct=True))
        .values_list("institution_id", "n")
    )
    open_by_unit_step: dict[int, dict[str, int]] = defaultdict(dict)
    for unit_id, status, n in (
        _with_field(Application.objects.filter(unit_id__in=ids, status__in=OPEN_STATUSES), field)
        .order_by()
        .values("unit_id", "status")
        .annotate(n=Count("pk"))
        .values_list("unit_id", "status", "n")
    ):
        open_by_unit_step[unit_id][status] = n
    held = held_events(unit_ids=ids, year=year, field=field)

    columns = []
    for institution, members in groupby(units, key=lambda unit: unit.institution):
        members = list(members)
        member_ids = frozenset(unit.pk for unit in members)
        rows = []
        for unit in members:
            agreed = agreements_by_unit.get(unit.pk, {})
            events, participants, hours = held.of_unit(unit.pk)
            row = UnitRow(
                unit=UnitRef(pk=unit.pk, name=unit.name, slug=unit.slug),
                in_force=agreed.get("in_force", 0),
                signed=agreed.get("signed", 0),
                open_applications=sum(open_by_unit_step[unit.pk].values()),
                events=events,
                participants=participants,
                hours=hours,
            )
            idle = not (row.in_force or row.signed or row.open_applications or row.events or row.hours)
            if idle and not unit.takes_volunteers_on(today):
                continue  # a central office or a closed unit: a row of zeros is only noise
            rows.append(row)
        by_step = {status.value: 0 for status in OPEN_STATUSES}
        for unit in members:
            for status, n in open_by_unit_step[unit.pk].items():
                by_step[status] += n
        has_casework = institution.code == Institution.Code.VPD
        figures = Figures(
            volunteers_active=active.get(institution.pk, 0),
            agreements_in_force=sum(row.in_force for row in rows),
            agreements_signed=sum(row.signed for row in rows),
            agreements_ending=sum(agreements_by_unit.get(unit.pk, {}).get("ending", 0) for unit in members),
            applications_by_step=by_step,
            funnel=_funnel(unit_ids=member_ids, year=year, field=field),
            trainings=trainings_held(unit_ids=member_ids, year=year, field=field),
            events=held.counts(member_ids),
            casework=casework_counts(unit_ids=member_ids, year=year) if has_casework else None,
            units=rows,
            field_ignored=("casework",) if field and has_casework else (),
        )
        columns.append(
            Column(
                institution=InstitutionRef(
                    pk=institution.pk,
                    code=institution.code,
                    name=institution.name,
                    short_name=institution.short_name,
                    agreement_term=institution.agreement_term,
                ),
                unit_ids=member_ids,
                figures=figures,
            )
        )
    return Dashboard(year=year, field=field, today=today, columns=columns)


def with_labels(dashboard: Dashboard) -> Dashboard:
    """The funnel steps' labels (translatable, in the reader's language) — the cache keeps
    numbers only."""
    labels = dict(ApplicationStatus.choices)
    return replace(
        dashboard,
        columns=[
            replace(
                column,
                figures=replace(
                    column.figures,
                    funnel=[replace(step, label=labels[step.status]) for step in column.figures.funnel],
                ),
            )
            for column in dashboard.columns
        ],
    )


def dashboard(*, unit_ids: Iterable[int], year: int, field: str | None, today: date) -> Dashboard:
    """Every figure of the dashboards for these units (the caller's tenancy: pass
    ``permissions.unit_ids_for(user)`` or a part of it), one column per institution. A
    constant number of queries whatever the data (see ``_compute``), none when cached."""
    unit_ids = frozenset(unit_ids)
    field = field or None
    computed = cache.remember(
        ("dashboard", sorted(unit_ids), year, field, today.isoformat()),
        lambda: _compute(unit_ids=unit_ids, year=year, field=field, today=today),
    )
    return with_labels(computed)
