"""Every read of institutions data for a person, scoped by ``permissions``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import Prefetch, QuerySet

from . import permissions
from .models import AuditEvent, CoordinatorInvitation, Institution, Unit

if TYPE_CHECKING:
    from accounts.models import User


@dataclass
class UnitRow:
    unit: Unit
    coordinators: list[User] = field(default_factory=list)
    can_coordinate: bool = False
    # Figures other apps add for the home page (e.g. open applications).
    counts: dict[str, int] = field(default_factory=dict)


@dataclass
class InstitutionBlock:
    institution: Institution
    rows: list[UnitRow]
    central: list[User] = field(default_factory=list)
    # The rows' figures added up (see ``with_figures``).
    totals: dict[str, int] = field(default_factory=dict)


def unit_overview(
    *, user: User, include_closed: bool = True, volunteer_work_only: bool = False
) -> list[InstitutionBlock]:
    """The units a person may see, grouped by institution, with their coordinators.

    ``volunteer_work_only`` leaves out the Ministry's own office: no volunteers work there."""
    units = permissions.units_for(user, permissions.VIEW).select_related("institution", "parent")
    if not include_closed:
        units = units.valid_today()
    if volunteer_work_only:
        units = units.exclude(institution__code=Institution.Code.TM)
    units = list(units.order_by("institution__code", "kind", "name"))
    coordinators = permissions.coordinators_by_unit(unit.pk for unit in units)
    can_coordinate = permissions.unit_ids_for(user, permissions.COORDINATE)
    central = permissions.central_coordinators_by_institution({unit.institution_id for unit in units})
    blocks: dict[int, InstitutionBlock] = {}
    for unit in units:
        block = blocks.setdefault(
            unit.institution_id,
            InstitutionBlock(
                institution=unit.institution, rows=[], central=central.get(unit.institution_id, [])
            ),
        )
        block.rows.append(
            UnitRow(
                unit=unit,
                coordinators=coordinators.get(unit.pk, []),
                can_coordinate=unit.pk in can_coordinate,
            )
        )
    return list(blocks.values())


def with_figures(
    blocks: list[InstitutionBlock], figures: dict[int, dict[str, int]], *, user: User, keys: Iterable[str]
) -> list[InstitutionBlock]:
    """The overview with each unit's ``figures`` (``keys``, zero when missing) and their totals
    per institution. A unit that takes no volunteers — a central office, a closed unit — is left
    out while all its figures are zero, unless the person coordinates it directly: nothing
    works there, and a row of zeros would only be noise."""
    keys = list(keys)
    own = permissions.roles_for(user).unit_coordinator_of
    result = []
    for block in blocks:
        rows = []
        for row in block.rows:
            row.counts = {key: figures.get(row.unit.pk, {}).get(key, 0) for key in keys}
            idle = not any(row.counts.values())
            if idle and not row.unit.takes_volunteers and row.unit.pk not in own:
                continue
            rows.append(row)
        if rows:
            block.rows = rows
            block.totals = {key: sum(row.counts[key] for row in rows) for key in keys}
            result.append(block)
    return result


def managed_units(*, user: User) -> QuerySet[Unit]:
    """Units whose coordinators this person may invite and revoke (valid today)."""
    managed = permissions.manageable_institution_ids(user)
    units = Unit.objects.valid_today().select_related("institution")
    if managed is not None:
        units = units.filter(institution_id__in=managed)
    return units.order_by("institution__code", "name")


def invitations_for(*, user: User) -> QuerySet[CoordinatorInvitation]:
    managed = permissions.manageable_institution_ids(user)
    invitations = CoordinatorInvitation.objects.select_related("institution", "invited_by").prefetch_related(
        Prefetch("units", queryset=Unit.objects.order_by("name"))
    )
    if managed is not None:
        invitations = invitations.filter(institution_id__in=managed)
    return invitations


def unit_audit_events(*, user: User, unit: Unit, limit: int = 20) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.visible_to(user)
        .filter(unit=unit)
        .select_related("actor")
        .order_by("-created_at")[:limit]
    )
