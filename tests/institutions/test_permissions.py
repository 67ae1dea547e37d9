import ast
from datetime import date
from pathlib import Path

import pytest

from institutions import permissions
from institutions.models import Institution, Unit

from ..factories import UnitFactory, UserFactory

ROOT = Path(__file__).resolve().parents[2]


def test_unit_coordinator_sees_and_coordinates_only_own_unit_when_granted(
    olaine_coordinator, olaine, jelgava
):
    assert set(permissions.units_for(olaine_coordinator, permissions.VIEW)) == {olaine}
    assert set(permissions.units_for(olaine_coordinator, permissions.COORDINATE)) == {olaine}
    assert permissions.has_unit_perm(olaine_coordinator, permissions.COORDINATE, olaine)
    assert not permissions.has_unit_perm(olaine_coordinator, permissions.VIEW, jelgava)


def test_central_coordinator_gets_every_unit_of_the_institution_when_granted(
    ievp_central, ievp, vpd_department
):
    new_prison = UnitFactory(institution=ievp, slug="jauna-cietums", name="Jaunais cietums")
    units = set(permissions.units_for(ievp_central, permissions.COORDINATE))
    assert new_prison in units
    assert units == set(Unit.objects.filter(institution=ievp))
    assert vpd_department not in set(permissions.units_for(ievp_central, permissions.VIEW))


def test_ministry_viewer_reads_everything_but_coordinates_nothing_when_granted(
    ministry, olaine, vpd_department
):
    view = set(permissions.units_for(ministry, permissions.VIEW))
    assert {olaine, vpd_department} <= view
    assert not permissions.units_for(ministry, permissions.COORDINATE).exists()
    assert permissions.roles_for(ministry).is_read_only
    assert permissions.roles_for(ministry).is_staff_role


def test_ministry_viewer_sees_an_institution_added_later_when_granted_again(ministry):
    from institutions.models import InstitutionGroupObjectPermission

    tm, _ = Institution.objects.get_or_create(
        code="TM", defaults={"name": "Tieslietu ministrija", "short_name": "TM"}
    )
    unit = UnitFactory(
        institution=tm, slug="tm-test", name="Tieslietu ministrija", kind=Unit.Kind.CENTRAL_OFFICE
    )
    # As if TM had been added after the grant: the ministry group holds no permission on it.
    InstitutionGroupObjectPermission.objects.filter(content_object=tm).delete()
    permissions.forget_roles(ministry)
    assert not permissions.has_unit_perm(ministry, permissions.VIEW, unit)
    permissions.grant_ministry_viewer(ministry)
    assert permissions.has_unit_perm(ministry, permissions.VIEW, unit)


def test_superuser_sees_all_units_when_signed_in(superuser, olaine, vpd_department):
    assert set(permissions.units_for(superuser, permissions.COORDINATE)) >= {olaine, vpd_department}
    assert permissions.can_manage_coordinators(superuser, olaine.institution_id)


@pytest.mark.django_db
def test_volunteer_and_anonymous_have_no_units_when_asked(volunteer):
    from django.contrib.auth.models import AnonymousUser

    assert not permissions.units_for(volunteer).exists()
    assert not permissions.units_for(AnonymousUser()).exists()
    assert not permissions.is_staff_role(volunteer)


def test_inactive_coordinator_has_no_units_when_deactivated(olaine_coordinator):
    olaine_coordinator.is_active = False
    permissions.forget_roles(olaine_coordinator)
    assert not permissions.units_for(olaine_coordinator).exists()


def test_revocation_removes_the_unit_when_revoked(olaine_coordinator, olaine):
    permissions.revoke_unit_coordinator(olaine_coordinator, olaine)
    assert not permissions.units_for(olaine_coordinator).exists()


def test_coordinators_by_unit_lists_group_and_direct_grants_when_both_exist(olaine, olaine_coordinator):
    direct = UserFactory(email="tiesa@example.lv")
    from guardian.shortcuts import assign_perm

    assign_perm(permissions.UNIT_COORDINATE, direct, olaine)
    permissions.forget_roles(direct)
    holders = permissions.coordinators_by_unit([olaine.pk])[olaine.pk]
    assert {u.email for u in holders} == {olaine_coordinator.email, direct.email}
    assert permissions.has_unit_perm(direct, permissions.COORDINATE, olaine)


@pytest.mark.parametrize("count", [2, 15])
def test_coordinators_by_unit_uses_a_fixed_number_of_queries_when_units_grow(
    ievp, count, django_assert_num_queries
):
    from ..factories import unit_coordinator

    units = [UnitFactory(institution=ievp) for _ in range(count)]
    for unit in units:
        unit_coordinator(unit)
        unit_coordinator(unit)
    # Four, whatever the number of units (the same on SQLite and PostgreSQL).
    with django_assert_num_queries(4):
        holders = permissions.coordinators_by_unit([u.pk for u in units])
    assert all(len(holders[u.pk]) == 2 for u in units)


def test_roles_are_computed_once_per_request_when_asked_repeatedly(
    olaine_coordinator, django_assert_num_queries
):
    permissions.forget_roles(olaine_coordinator)
    permissions.roles_for(olaine_coordinator)
    with django_assert_num_queries(0):
        permissions.units_for(olaine_coordinator)
        permissions.is_staff_role(olaine_coordinator)


def test_roles_read_the_award_roles_when_granted(olaine_coordinator):
    admin = UserFactory()
    permissions.grant_award_administrator(admin)
    juror = UserFactory()
    permissions.grant_award_juror(juror)

    assert permissions.roles_for(admin).award_admin and not permissions.roles_for(admin).juror
    assert permissions.roles_for(juror).juror and not permissions.roles_for(juror).award_admin
    assert permissions.is_award_admin(admin) and not permissions.is_award_admin(juror)
    assert permissions.roles_for(admin).awards and permissions.roles_for(juror).awards
    # Award roles are no staff roles: they open no volunteer data.
    assert not permissions.roles_for(admin).is_staff_role and not permissions.roles_for(juror).view_unit_ids
    assert not permissions.roles_for(olaine_coordinator).award_admin
    assert not permissions.roles_for(olaine_coordinator).juror

    permissions.revoke_award_juror(juror)
    assert not permissions.roles_for(juror).juror


@pytest.mark.parametrize(("who", "expected"), [("olaine_coordinator", 2), ("ievp_central", 3)])
def test_roles_cost_a_fixed_number_of_queries_when_a_coordinator_signs_in(
    request, who, expected, django_assert_num_queries
):
    """Unit permissions (1) and every institution-level permission at once (1); a central
    coordinator's institution units one more."""
    user = request.getfixturevalue(who)
    permissions.forget_roles(user)
    permissions.roles_for(user)  # warm guardian's content-type cache
    permissions.forget_roles(user)
    with django_assert_num_queries(expected):
        permissions.roles_for(user)


@pytest.mark.django_db
def test_unit_validity_when_a_prison_closes(ievp):
    closed = UnitFactory(institution=ievp, slug="brasa", valid_to=date(2019, 12, 31))
    opening = UnitFactory(institution=ievp, slug="liepaja-2", valid_from=date(2026, 9, 1))
    assert closed not in Unit.objects.valid_on(date(2026, 11, 23))
    assert closed in Unit.objects.valid_on(date(2019, 6, 1))
    assert opening not in Unit.objects.valid_on(date(2026, 1, 1))
    assert opening in Unit.objects.valid_on(date(2026, 11, 23))


def test_only_the_permissions_module_asks_guardian_when_the_code_is_scanned():
    """institutions/permissions.py asks guardian; models.py only defines the direct-FK tables."""
    allowed = {"institutions/permissions.py", "institutions/models.py"}
    offenders = []
    for path in ROOT.rglob("*.py"):
        rel = path.relative_to(ROOT).as_posix()
        if rel.startswith((".venv/", "tests/")) or "/migrations/" in rel:
            continue
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            if (
                any(name == "guardian" or name.startswith("guardian.") for name in names)
                and rel not in allowed
            ):
                offenders.append(rel)
    assert not offenders, f"Only institutions/permissions.py may import guardian: {sorted(set(offenders))}"


def test_every_audited_action_has_a_readable_name_when_the_code_is_scanned():
    import re

    from institutions.models import AUDIT_ACTIONS

    used = set()
    for path in ROOT.glob("*/services.py"):
        used |= set(re.findall(r'action="([a-z_]+\.[a-z_.]+)"', path.read_text()))
    used |= set(re.findall(r'action="([a-z_]+\.[a-z_.]+)"', (ROOT / "institutions/admin.py").read_text()))
    used |= {"unit.create"}
    assert used, "no audited actions found"
    assert not used - AUDIT_ACTIONS.keys()
