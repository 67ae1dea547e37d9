"""The annual fact sheet ("Faktu lapa – brīvprātīgo darbs"): who may ask for which one, the
sheets a person may see, and the sheet's figures — all computed from the data through the
report primitives (``reports.selectors``), ``events.selectors.event_counts`` and the
award's selectors; nothing is typed in.

Definitions (what each figure of the PDF means):

* **VPD — agreements in force** on the "as of" day, in total and per role (mediators,
  mentors, circles): ``agreements_in_force``; **signed in the year**: ``agreements_signed``.
* **IeVP — trainings**: sessions held in the year at IeVP's units and the distinct
  volunteers trained — who completed them (``trainings_held``: *sessions*, *completed*;
  those registered, *participants*, are shown too); **contracts in force** on the "as of"
  day; **expected growth**:
  the applications at IeVP's units now at the signing step (screened, vetted and trained:
  nothing left but the contract) — a forecast, so it is read from the pipeline as it is
  when the sheet is made, whatever the "as of" day; **events**: the events held in the
  year (``event_counts``: per month for the chart, per field for the six fields).
* **Award** — the year's "Cilvēks – cilvēkam" cycle once it is announced: the conference,
  the nominations received (withdrawn ones left out) and the laureates who consented to
  be named publicly; for a one-institution sheet only that institution's nominations.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.utils import timezone

from awards import selectors as award_selectors
from awards.models import AwardCycle, Nomination
from events.selectors import EventCounts, event_counts
from institutions import permissions
from institutions.models import Institution, Unit
from volunteers.models import Role
from volunteers.models import Status as ApplicationStatus

from . import selectors
from .models import FactSheet

if TYPE_CHECKING:
    from accounts.models import User

Scope = FactSheet.Scope
VPD_ROLES = (Role.Code.MEDIATOR, Role.Code.MENTOR, Role.Code.CIRCLES)
IEVP_FIELDS = (
    Role.Code.EDUCATION,
    Role.Code.LEISURE,
    Role.Code.SPORTS,
    Role.Code.ADDICTION,
    Role.Code.FAMILY,
    Role.Code.SOCIAL,
)


# --- Who may ask for which sheet, and see it


def institution_codes_for(user: User) -> frozenset[str]:
    """The volunteer institutions whose fact sheet the person may make and read: central
    coordinators their own, the ministry's viewers both, superusers both. Nobody else."""
    roles = permissions.roles_for(user)
    volunteer_institutions = (Institution.Code.VPD.value, Institution.Code.IEVP.value)
    if roles.superuser:
        return frozenset(volunteer_institutions)
    ids = roles.central_of | roles.viewer_of
    if not ids:
        return frozenset()
    codes = Institution.objects.filter(pk__in=ids, code__in=volunteer_institutions).values_list(
        "code", flat=True
    )
    return frozenset(codes)


def scopes_for(codes: frozenset[str]) -> list[str]:
    """The scopes open to someone with these institutions, in the order the form offers them."""
    scopes = [code for code in (Scope.VPD.value, Scope.IEVP.value) if code in codes]
    if len(scopes) == 2:
        scopes.insert(0, Scope.BOTH.value)
    return scopes


def can_see(user: User, sheet: FactSheet) -> bool:
    """Whether the person may see the sheet (its progress, its PDF): they may read every
    institution it covers."""
    if not user.is_authenticated:
        return False
    return set(sheet.institution_codes) <= institution_codes_for(user)


def owner_unit(scope: str) -> Unit:
    """The unit a sheet belongs to: the institution's central office (its first unit if it
    has none), or for both institutions the Ministry of Justice's unit (as the award's
    diplomas). Raises ``Unit.DoesNotExist`` when there is none."""
    code = Institution.Code.TM if scope == Scope.BOTH else scope
    central_first = Case(
        When(kind=Unit.Kind.CENTRAL_OFFICE, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    unit = (
        Unit.objects.select_related("institution")
        .filter(institution__code=code)
        .order_by(central_first, "pk")
        .first()
    )
    if unit is None:
        raise Unit.DoesNotExist(f"No unit of {code}")
    return unit


def default_year(today: date | None = None) -> int:
    """The last full year."""
    return (today or timezone.localdate()).year - 1


# --- The figures


@dataclass(frozen=True)
class VPDFigures:
    in_force: int
    in_force_by_role: list[tuple[str, str, int]]  # (role code, label, agreements in force)
    signed: int


@dataclass(frozen=True)
class IeVPFigures:
    training_sessions: int
    trained: int  # distinct volunteers who completed the year's trainings ("trained")
    participants: int  # distinct volunteers registered on them
    in_force: int
    expected_growth: int  # applications waiting at the signing step
    events: EventCounts
    events_by_month: list[int]  # twelve counts, January first
    events_by_field: list[tuple[str, str, int]]  # (field code, label, events)


@dataclass(frozen=True)
class AwardFigures:
    cycle: AwardCycle
    nominations: int
    laureates: list[Nomination]  # who consented to be named


@dataclass(frozen=True)
class FactSheetData:
    year: int
    as_of: date
    scope: str
    vpd: VPDFigures | None
    ievp: IeVPFigures | None
    award: AwardFigures | None


def _unit_ids(code: str) -> frozenset[int]:
    """Every unit of the institution (closed ones too: their past work counts)."""
    return frozenset(Unit.objects.filter(institution__code=code).values_list("pk", flat=True))


def _vpd(*, year: int, as_of: date) -> VPDFigures:
    unit_ids = _unit_ids(Institution.Code.VPD)
    by_role = [
        (
            code.value,
            str(code.label),
            selectors.agreements_in_force(unit_ids=unit_ids, on=as_of, field=code.value),
        )
        for code in VPD_ROLES
    ]
    return VPDFigures(
        in_force=selectors.agreements_in_force(unit_ids=unit_ids, on=as_of),
        in_force_by_role=by_role,
        signed=selectors.agreements_signed(unit_ids=unit_ids, year=year),
    )


def _ievp(*, year: int, as_of: date) -> IeVPFigures:
    unit_ids = _unit_ids(Institution.Code.IEVP)
    trainings = selectors.trainings_held(unit_ids=unit_ids, year=year)
    events = event_counts(unit_ids=unit_ids, year=year)
    return IeVPFigures(
        training_sessions=trainings.sessions,
        trained=trainings.completed,
        participants=trainings.participants,
        in_force=selectors.agreements_in_force(unit_ids=unit_ids, on=as_of),
        expected_growth=selectors.applications_at_step(unit_ids=unit_ids, status=ApplicationStatus.AGREEMENT),
        events=events,
        events_by_month=[events.by_month.get(month, 0) for month in range(1, 13)],
        events_by_field=[
            (code.value, str(code.label), events.by_field.get(code.value, 0)) for code in IEVP_FIELDS
        ],
    )


def _award(*, year: int, codes: tuple[str, ...]) -> AwardFigures | None:
    cycle = award_selectors.public_years().filter(year=year).first()
    if cycle is None:
        return None
    nominations: QuerySet[Nomination] = cycle.nominations.filter(institution__code__in=codes).exclude(
        status=Nomination.Status.WITHDRAWN
    )
    counts = award_selectors.status_counts(cycle, nominations)
    laureates = [
        laureate
        for laureate in award_selectors.public_laureates(cycle)
        if laureate.institution is not None and laureate.institution.code in codes
    ]
    return AwardFigures(cycle=cycle, nominations=counts["all"], laureates=laureates)


def fact_sheet_data(*, year: int, scope: str, as_of: date) -> FactSheetData:
    """Every figure of one fact sheet (labels in the active language)."""
    codes = (Scope.VPD.value, Scope.IEVP.value) if scope == Scope.BOTH else (scope,)
    return FactSheetData(
        year=year,
        as_of=as_of,
        scope=scope,
        vpd=_vpd(year=year, as_of=as_of) if Scope.VPD in codes else None,
        ievp=_ievp(year=year, as_of=as_of) if Scope.IEVP in codes else None,
        award=_award(year=year, codes=codes),
    )
