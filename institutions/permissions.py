"""The one module that asks django-guardian.

Roles are object permissions held by per-unit (and per-institution) groups:

* unit coordinator      — ``coordinate_unit`` on a Unit (group ``unit:<pk>:coordinators``);
* central coordinator   — ``coordinate_institution`` on an Institution, implying all its units;
* ministry viewer       — ``oversee_institution`` on every Institution, read-only;
* award administrator   — ``administer_awards`` on the Ministry (group ``ministry:award-admins``):
                          runs the yearly "Cilvēks – cilvēkam" award cycles;
* award jury member     — ``judge_awards`` on the Ministry (group ``ministry:award-jury``), held
                          while the person sits on a cycle's jury (``awards.JuryMember`` says which);
* superuser             — everything.

Everything else in the project asks the questions below: which units may this person
see (``VIEW``) or change (``COORDINATE``), and may they manage coordinators.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING
from uuid import uuid4

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import transaction
from django.db.models import QuerySet
from django.db.models.signals import m2m_changed, post_delete, post_save
from guardian.admin import GuardedModelAdmin
from guardian.shortcuts import assign_perm, get_objects_for_user, remove_perm

from .models import (
    Institution,
    InstitutionGroupObjectPermission,
    InstitutionUserObjectPermission,
    Unit,
    UnitGroupObjectPermission,
    UnitUserObjectPermission,
)

if TYPE_CHECKING:
    from accounts.models import User

VIEW = "view"
COORDINATE = "coordinate"

UNIT_COORDINATE = "institutions.coordinate_unit"
INSTITUTION_COORDINATE = "institutions.coordinate_institution"
INSTITUTION_VIEW = "institutions.oversee_institution"
AWARDS_ADMINISTER = "institutions.administer_awards"
AWARDS_JUDGE = "institutions.judge_awards"

MINISTRY_GROUP = "ministry:viewers"
AWARD_ADMIN_GROUP = "ministry:award-admins"
AWARD_JURY_GROUP = "ministry:award-jury"
_INSTITUTION_CODENAMES = (
    "coordinate_institution",
    "oversee_institution",
    "administer_awards",
    "judge_awards",
)

# The guardian admin base, re-exported so that admin modules need not import guardian.
ObjectPermissionsAdmin = GuardedModelAdmin

_CACHE_ATTR = "_tilts_roles"


@dataclass(frozen=True)
class Roles:
    """What one person may do, computed once per request."""

    superuser: bool = False
    unit_coordinator_of: frozenset[int] = frozenset()  # units granted directly
    central_of: frozenset[int] = frozenset()  # institutions coordinated centrally
    viewer_of: frozenset[int] = frozenset()  # institutions viewed read-only
    coordinate_unit_ids: frozenset[int] = frozenset()
    view_unit_ids: frozenset[int] = frozenset()
    award_admin: bool = False  # runs the award cycles (not a staff role: no volunteer data)
    juror: bool = False  # sits on an award jury (which cycles: awards.JuryMember)
    # The word for agreements of the institutions whose units the person views (the Ministry's
    # own units have none): read with the units, so that the menu's word needs no query of its own.
    agreement_terms: frozenset[str] = frozenset()

    @property
    def is_staff_role(self) -> bool:
        return self.superuser or bool(self.unit_coordinator_of or self.central_of or self.viewer_of)

    @property
    def is_central(self) -> bool:
        return self.superuser or bool(self.central_of)

    @property
    def awards(self) -> bool:
        """Has a part in the award beyond its public page (the menu's "Award")."""
        return self.superuser or self.award_admin or self.juror or bool(self.central_of)

    @property
    def is_read_only(self) -> bool:
        return not self.superuser and not self.coordinate_unit_ids and bool(self.view_unit_ids)

    def unit_ids(self, perm: str) -> frozenset[int]:
        if perm == COORDINATE:
            return self.coordinate_unit_ids
        if perm == VIEW:
            return self.view_unit_ids
        raise ValueError(f"Unknown permission {perm!r}")


# A unit as roles need it: (id, its institution's id, the institution's word for agreements, or
# None for the Ministry's units).
_UNIT_FIELDS = ("pk", "institution_id", "institution__agreement_term", "institution__code")


def _unit_rows(queryset: QuerySet) -> dict[int, tuple[int, str | None]]:
    return {
        pk: (institution_id, None if code == Institution.Code.TM else term)
        for pk, institution_id, term, code in queryset.values_list(*_UNIT_FIELDS)
    }


def _institution_perms(user: User) -> dict[str, frozenset[int]]:
    """Every institution-level permission the person holds, directly or through a group, in
    one query: ``{codename: institution ids}``."""
    wanted = {"permission__codename__in": _INSTITUTION_CODENAMES}
    fields = ("content_object_id", "permission__codename")
    direct = InstitutionUserObjectPermission.objects.filter(user=user, **wanted).values_list(*fields)
    grouped = InstitutionGroupObjectPermission.objects.filter(group__user=user, **wanted).values_list(*fields)
    held: dict[str, set[int]] = defaultdict(set)
    for institution_id, codename in direct.union(grouped):
        held[codename].add(int(institution_id))
    return {codename: frozenset(held[codename]) for codename in _INSTITUTION_CODENAMES}


def roles_for(user) -> Roles:
    """The person's roles: computed once per request (kept on the user object) and, with a
    shared cache (settings.TILTS_SHARED_CACHE), kept across requests until any role, group
    membership or unit changes (:func:`roles_changed`)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Roles()
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    roles = _roles_through_cache(user) if settings.TILTS_SHARED_CACHE else _roles_computed(user)
    setattr(user, _CACHE_ATTR, roles)
    return roles


# --- Across requests: every cached entry carries the generation it was computed in; any change
# to roles starts a new generation, so that nobody's entry is used again. Grants are rare: one
# recomputation per person after each is cheap, and nothing can be missed.

_ROLES_KEY = "roles:2:{}"  # 2: with the agreement words
_GENERATION_KEY = "roles:generation"
ROLES_CACHE_SECONDS = 10 * 60


def _roles_through_cache(user) -> Roles:
    key = _ROLES_KEY.format(user.pk)
    found = cache.get_many([key, _GENERATION_KEY])
    generation = found.get(_GENERATION_KEY)
    if generation is None:  # a fresh or evicted cache
        cache.add(_GENERATION_KEY, uuid4().hex, None)
        generation = cache.get(_GENERATION_KEY)
        if generation is None:
            return _roles_computed(user)
    entry = found.get(key)
    if entry is not None and entry[:2] == (generation, user.is_superuser):
        return entry[2]
    # Tagged with the generation read before computing: a change meanwhile makes it stale.
    roles = _roles_computed(user)
    cache.set(key, (generation, user.is_superuser, roles), ROLES_CACHE_SECONDS)
    return roles


def _new_generation() -> None:
    cache.set(_GENERATION_KEY, uuid4().hex, None)


def roles_changed(**kwargs) -> None:
    """Every person's cached roles are stale: at once, and again when the change commits (a
    request in between may have cached what it read before the commit). Called on grants and
    revocations; also the receiver of the signals connected by :func:`connect_signals`."""
    if not settings.TILTS_SHARED_CACHE:
        return
    _new_generation()
    transaction.on_commit(_new_generation)


def _groups_changed(sender, action, **kwargs) -> None:
    if action in ("post_add", "post_remove", "post_clear"):
        roles_changed()


def connect_signals() -> None:
    """Whatever roles are computed from: object permissions (the units' and institutions', and
    guardian's generic ones), group memberships, units (a central coordinator's or the
    ministry's units, a superuser's) and institutions (their word for agreements). Called by
    InstitutionsConfig.ready()."""
    from guardian.models import GroupObjectPermission, UserObjectPermission

    User = get_user_model()
    memberships = User.groups.through
    m2m_changed.connect(_groups_changed, sender=memberships, dispatch_uid="roles:groups")
    for model in (
        UnitUserObjectPermission,
        UnitGroupObjectPermission,
        InstitutionUserObjectPermission,
        InstitutionGroupObjectPermission,
        UserObjectPermission,
        GroupObjectPermission,
        Unit,
        Institution,
        memberships,
    ):
        label = model._meta.label_lower
        post_save.connect(roles_changed, sender=model, dispatch_uid=f"roles:save:{label}")
        post_delete.connect(roles_changed, sender=model, dispatch_uid=f"roles:delete:{label}")


def _roles_computed(user) -> Roles:
    if user.is_superuser:
        units = _unit_rows(Unit.objects.all())
        all_units = frozenset(units)
        return Roles(
            superuser=True,
            coordinate_unit_ids=all_units,
            view_unit_ids=all_units,
            agreement_terms=_terms_of(units, all_units),
        )
    units = _unit_rows(
        get_objects_for_user(
            user, UNIT_COORDINATE, klass=Unit, with_superuser=False, accept_global_perms=False
        )
    )
    direct = frozenset(units)
    held = _institution_perms(user)
    central = held["coordinate_institution"]
    viewer = held["oversee_institution"]
    if central or viewer:
        units.update(_unit_rows(Unit.objects.filter(institution__in=central | viewer)))
    coordinate = set(direct)
    view = set(direct)
    for pk, (institution_id, _term) in units.items():
        if institution_id in central:
            coordinate.add(pk)
        if institution_id in central or institution_id in viewer:
            view.add(pk)
    return Roles(
        unit_coordinator_of=direct,
        central_of=central,
        viewer_of=viewer - central,
        coordinate_unit_ids=frozenset(coordinate),
        view_unit_ids=frozenset(view),
        award_admin=bool(held["administer_awards"]),
        juror=bool(held["judge_awards"]),
        agreement_terms=_terms_of(units, view),
    )


def _terms_of(units: dict[int, tuple[int, str | None]], unit_ids: Iterable[int]) -> frozenset[str]:
    return frozenset(term for pk in unit_ids if (term := units[pk][1]) is not None)


def forget_roles(user) -> None:
    """After a grant or revocation: drop the roles kept on this user object and everyone's
    cached roles."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)
    roles_changed()


def unit_ids_for(user, perm: str = VIEW) -> frozenset[int]:
    return roles_for(user).unit_ids(perm)


def units_for(user, perm: str = VIEW) -> QuerySet[Unit]:
    """The units a person may see (``VIEW``) or change (``COORDINATE``)."""
    ids = unit_ids_for(user, perm)
    if not ids:
        return Unit.objects.none()
    return Unit.objects.filter(pk__in=ids)


def has_unit_perm(user, perm: str, unit: Unit) -> bool:
    return unit.pk in unit_ids_for(user, perm)


def institutions_for(user, perm: str = VIEW) -> QuerySet[Institution]:
    roles = roles_for(user)
    if roles.superuser:
        return Institution.objects.all()
    ids = roles.central_of if perm == COORDINATE else roles.central_of | roles.viewer_of
    return Institution.objects.filter(pk__in=ids)


def manageable_institution_ids(user) -> frozenset[int] | None:
    """Institutions whose coordinators this person manages; ``None`` means all (superuser)."""
    roles = roles_for(user)
    return None if roles.superuser else roles.central_of


def can_manage_coordinators(user, institution_id: int) -> bool:
    managed = manageable_institution_ids(user)
    return managed is None or institution_id in managed


def is_staff_role(user) -> bool:
    return roles_for(user).is_staff_role


def needs_second_factor(user) -> bool:
    """Roles that read other people's personal data: staff, and the award's administrators and
    jury (nominees' and nominators' details, supporting files)."""
    roles = roles_for(user)
    return roles.is_staff_role or roles.award_admin or roles.juror


# --- Grants. Called by institutions.services, which audits them.


def _unit_group(unit: Unit) -> Group:
    group, _ = Group.objects.get_or_create(name=f"unit:{unit.pk}:coordinators")
    if not UnitGroupObjectPermission.objects.filter(
        group=group, content_object=unit, permission__codename="coordinate_unit"
    ).exists():
        assign_perm(UNIT_COORDINATE, group, unit)
    return group


def _central_group(institution: Institution) -> Group:
    group, _ = Group.objects.get_or_create(name=f"institution:{institution.pk}:central")
    if not InstitutionGroupObjectPermission.objects.filter(
        group=group, content_object=institution, permission__codename="coordinate_institution"
    ).exists():
        assign_perm(INSTITUTION_COORDINATE, group, institution)
    return group


def _ministry_group() -> Group:
    group, _ = Group.objects.get_or_create(name=MINISTRY_GROUP)
    held = set(
        InstitutionGroupObjectPermission.objects.filter(
            group=group, permission__codename="oversee_institution"
        ).values_list("content_object_id", flat=True)
    )
    for institution in Institution.objects.exclude(pk__in=held):
        assign_perm(INSTITUTION_VIEW, group, institution)
    return group


def grant_unit_coordinator(user: User, unit: Unit) -> None:
    user.groups.add(_unit_group(unit))
    forget_roles(user)


def revoke_unit_coordinator(user: User, unit: Unit) -> None:
    user.groups.remove(*Group.objects.filter(name=f"unit:{unit.pk}:coordinators"))
    remove_perm(UNIT_COORDINATE, user, unit)
    forget_roles(user)


def grant_central_coordinator(user: User, institution: Institution) -> None:
    user.groups.add(_central_group(institution))
    forget_roles(user)


def grant_ministry_viewer(user: User) -> None:
    user.groups.add(_ministry_group())
    forget_roles(user)


def _ministry_role_group(name: str, perm: str) -> Group:
    group, _ = Group.objects.get_or_create(name=name)
    ministry = Institution.objects.get(code=Institution.Code.TM)
    codename = perm.split(".", 1)[1]
    if not InstitutionGroupObjectPermission.objects.filter(
        group=group, content_object=ministry, permission__codename=codename
    ).exists():
        assign_perm(perm, group, ministry)
    return group


def grant_award_administrator(user: User) -> None:
    user.groups.add(_ministry_role_group(AWARD_ADMIN_GROUP, AWARDS_ADMINISTER))
    forget_roles(user)


def revoke_award_administrator(user: User) -> None:
    user.groups.remove(*Group.objects.filter(name=AWARD_ADMIN_GROUP))
    forget_roles(user)


def grant_award_juror(user: User) -> None:
    """Called by ``awards.services`` when the person joins a cycle's jury."""
    user.groups.add(_ministry_role_group(AWARD_JURY_GROUP, AWARDS_JUDGE))
    forget_roles(user)


def revoke_award_juror(user: User) -> None:
    """Called by ``awards.services`` when the person sits on no jury any more."""
    user.groups.remove(*Group.objects.filter(name=AWARD_JURY_GROUP))
    forget_roles(user)


def is_award_admin(user) -> bool:
    roles = roles_for(user)
    return roles.superuser or roles.award_admin


def award_admins():
    """Active award administrators (for notices), without superusers."""
    User = get_user_model()
    return User.objects.filter(is_active=True, groups__name=AWARD_ADMIN_GROUP).distinct()


# --- Who holds a role (for listings). A fixed number of queries for any number of units.


def _holders(group_table, user_table, object_ids: Iterable[int], codename: str) -> dict[int, list[User]]:
    """Active users holding ``codename`` on each object, through a group or directly."""
    User = get_user_model()
    ids = list(object_ids)
    holders: dict[int, set[int]] = defaultdict(set)
    objects_of_group: dict[int, set[int]] = defaultdict(set)
    for object_id, group_id in group_table.objects.filter(
        content_object_id__in=ids, permission__codename=codename
    ).values_list("content_object_id", "group_id"):
        objects_of_group[group_id].add(object_id)
    for user_id, group_id in User.groups.through.objects.filter(group_id__in=objects_of_group).values_list(
        "user_id", "group_id"
    ):
        for object_id in objects_of_group[group_id]:
            holders[object_id].add(user_id)
    for object_id, user_id in user_table.objects.filter(
        content_object_id__in=ids, permission__codename=codename
    ).values_list("content_object_id", "user_id"):
        holders[object_id].add(user_id)
    users = User.objects.in_bulk({pk for user_ids in holders.values() for pk in user_ids})
    return {
        object_id: sorted(
            (users[pk] for pk in user_ids if users[pk].is_active),
            key=lambda u: (u.last_name, u.first_name, u.email),
        )
        for object_id, user_ids in holders.items()
    }


def coordinators_by_unit(unit_ids: Iterable[int]) -> dict[int, list[User]]:
    """Unit coordinators of each unit, whether granted through the unit's group or directly."""
    return _holders(UnitGroupObjectPermission, UnitUserObjectPermission, unit_ids, "coordinate_unit")


def central_coordinators_by_institution(institution_ids: Iterable[int]) -> dict[int, list[User]]:
    return _holders(
        InstitutionGroupObjectPermission,
        InstitutionUserObjectPermission,
        institution_ids,
        "coordinate_institution",
    )
