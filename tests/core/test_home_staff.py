"""The staff home page: the units where volunteers work with their figures (the ministry an
overview of VPD and IeVP, never its own office, no rows of zeros for offices where nobody
volunteers) and, for coordinators, what waits for them — at a fixed number of queries."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from institutions import permissions
from institutions.models import Unit
from tests.factories import ApplicationFactory, UnitFactory, unit_coordinator
from tests.reports.test_todos import waiting_work
from volunteers.models import Status as ApplicationStatus

# A page read again (the roles and the session cached): the layout's user (1); the overview's
# units and their unit and central coordinators through groups and direct grants (6 to 8: no
# query for people where there are no groups); the figures per unit kept since the first page
# (0: reports.cache, until an application changes — 1 the first time); the to-dos
# (reports.selectors.todos: 7, one more with VPD's casework). The same for 1 unit and 3, whatever the rows.
HOME_QUERIES = {"unit_coordinator": 15, "central": 17, "ministry": 8}


@pytest.fixture
def offices(ievp, vpd):
    """As the initial data has them: the Ministry's own office, the institutions' central
    offices (applications without a preferred place go there) and a prison closed in 2019."""
    return {
        slug: Unit.objects.get(slug=slug)
        for slug in (
            "tieslietu-ministrija",
            "ievp-centralais-aparats",
            "vpd-centralais-aparats",
            "brasas-cietums",
        )
    }


def _rows(response) -> list[str]:
    return [row.unit.name for block in response.context["blocks"] for row in block.rows]


def _get(client, user):
    client.force_login(user)
    return client.get(reverse("home"))


# --- The overview


def _counts(response) -> dict[str, dict[str, int]]:
    return {row.unit.name: row.counts for block in response.context["blocks"] for row in block.rows}


def test_unit_figures_follow_the_applications_when_one_arrives_or_moves(
    db, client, django_capture_on_commit_callbacks
):
    unit = UnitFactory()
    coordinator = unit_coordinator(unit)
    first = ApplicationFactory(unit=unit, status=ApplicationStatus.SUBMITTED)
    assert _counts(_get(client, coordinator))[unit.name] == {"open": 1, "active": 0}
    assert _counts(_get(client, coordinator))[unit.name] == {"open": 1, "active": 0}  # kept
    with django_capture_on_commit_callbacks(execute=True):
        ApplicationFactory(unit=unit, status=ApplicationStatus.SCREENING)
    assert _counts(_get(client, coordinator))[unit.name] == {"open": 2, "active": 0}
    with django_capture_on_commit_callbacks(execute=True):
        first.status = ApplicationStatus.ACTIVE
        first.save()
    assert _counts(_get(client, coordinator))[unit.name] == {"open": 1, "active": 1}


def test_ministry_home_lists_only_volunteer_units_when_offices_and_closed_units_exist(
    client, ministry, offices, olaine, vpd_department
):
    ApplicationFactory(unit=olaine, status=ApplicationStatus.SUBMITTED)
    response = _get(client, ministry)
    body = response.content.decode()
    rows = [row.unit for block in response.context["blocks"] for row in block.rows]
    assert olaine in rows and vpd_department in rows
    assert [block.institution.code for block in response.context["blocks"]] == ["IEVP", "VPD"]
    expected = (
        Unit.objects.valid_today().filter(institution__code__in=["IEVP", "VPD"]).exclude(kind="central")
    )
    assert set(rows) == set(expected)
    for unit in offices.values():
        assert unit not in rows
        assert reverse("institutions:unit_detail", kwargs={"unit_slug": unit.slug}) not in body
    assert "Tieslietu ministrija" not in body.split("<main")[1].split("<footer")[0]
    assert 'id="todos-heading"' not in body  # read-only: nothing waits for the ministry
    assert f'href="{reverse("reports:dashboard")}"' in body.split("<main")[1]


def test_overview_keeps_an_office_or_a_closed_unit_when_it_holds_applications(client, ministry, offices):
    ApplicationFactory(unit=offices["ievp-centralais-aparats"], status=ApplicationStatus.SUBMITTED)
    ApplicationFactory(unit=offices["brasas-cietums"], status=ApplicationStatus.ACTIVE)
    rows = _rows(_get(client, ministry))
    assert "IeVP Centrālais aparāts" in rows and "Brasas cietums" in rows
    assert "VPD Centrālais aparāts" not in rows and "Tieslietu ministrija" not in rows


def test_overview_figures_and_totals_are_right_when_units_have_applications(
    client, ministry, olaine, jelgava, vpd_department
):
    for status in ("submitted", "vetting", "agreement", "active", "active", "ended", "rejected"):
        ApplicationFactory(unit=olaine, status=status)
    ApplicationFactory(unit=jelgava, status="active")
    ApplicationFactory(unit=vpd_department, status="training")
    blocks = _get(client, ministry).context["blocks"]
    figures = {
        row.unit.name: row.counts for block in blocks for row in block.rows if any(row.counts.values())
    }
    assert figures == {
        "Olaines cietums": {"open": 3, "active": 2},
        "Jelgavas cietums": {"open": 0, "active": 1},
        "Jelgavas 1. nodaļa": {"open": 1, "active": 0},
    }
    assert [block.totals for block in blocks] == [{"open": 3, "active": 3}, {"open": 1, "active": 0}]


def test_coordinator_of_an_office_still_sees_it_when_nothing_is_there(client, offices):
    coordinator = unit_coordinator(offices["ievp-centralais-aparats"])
    assert _rows(_get(client, coordinator)) == ["IeVP Centrālais aparāts"]


def test_central_home_leaves_out_its_idle_office_when_prisons_are_listed(client, ievp_central, offices):
    rows = _rows(_get(client, ievp_central))
    assert "Olaines cietums" in rows and "Jelgavas cietums" in rows
    assert "IeVP Centrālais aparāts" not in rows and "Brasas cietums" not in rows


# --- The to-dos


def test_coordinator_home_shows_the_todos_as_links_when_work_waits(client, olaine_coordinator, olaine):
    waiting_work(olaine, olaine_coordinator)
    body = _get(client, olaine_coordinator).content.decode()
    section = body.split('id="todos-heading"')[1].split("</section>")[0]
    links = dict(re.findall(r'href="([^"]+)"\s+data-todo="([a-z_]+)"', section))
    assert set(links.values()) == {
        "applications_submitted",
        "applications_screening",
        "agreements_generated",
        "agreements_sent",
        "agreements_ending",
        "events_proposals",
        "events_to_report",
        "events_to_review",
        "trainings_to_complete",
    }
    # No list shows exactly the expiring trainings: listed, not a link.
    assert 'data-todo="trainings_expiring"' in section
    assert f"{reverse('volunteers:inbox')}?status=submitted" in links
    assert f"{reverse('agreements:list')}?ending=on" in links
    assert 'data-todo="applications_vetting"' not in section  # nothing in vetting: not shown
    assert 'data-todo="none"' not in section
    assert f'href="{reverse("reports:dashboard")}"' in body.split("<main")[1]


def test_coordinator_home_says_nothing_waits_when_nothing_does(client, olaine_coordinator, olaine):
    ApplicationFactory(unit=olaine, status=ApplicationStatus.ACTIVE)
    response = _get(client, olaine_coordinator)
    body = response.content.decode()
    assert response.context["todos"] == []
    assert 'data-todo="none"' in body
    assert "data-todo-group" not in body


def test_central_home_counts_the_institution_but_not_another_when_both_have_work(
    client, ievp_central, olaine_coordinator, olaine, jelgava, vpd_department
):
    waiting_work(olaine, olaine_coordinator)
    waiting_work(vpd_department, unit_coordinator(vpd_department))
    todos = _get(client, ievp_central).context["todos"]
    counts = {todo.key: todo.count for group in todos for todo in group.items}
    assert counts["applications_submitted"] == 2
    assert counts["agreements_generated"] == 1


# --- Queries


def _measure(client, user, django_assert_num_queries, expected: int):
    client.force_login(user)
    assert client.get(reverse("home")).status_code == 200  # the session's first page fills the caches
    with django_assert_num_queries(expected):
        response = client.get(reverse("home"))
    assert response.status_code == 200
    return response


@pytest.mark.parametrize("units", [1, 3])
def test_unit_coordinator_home_costs_the_same_when_units_and_rows_grow(
    client, ievp, units, django_assert_num_queries
):
    made = [UnitFactory(institution=ievp) for _ in range(units)]
    coordinator = unit_coordinator(made[0])
    for unit in made:
        if unit != made[0]:
            permissions.grant_unit_coordinator(coordinator, unit)
        waiting_work(unit, coordinator)
    response = _measure(client, coordinator, django_assert_num_queries, HOME_QUERIES["unit_coordinator"])
    assert _rows(response) == sorted(unit.name for unit in made)


@pytest.mark.parametrize("units", [1, 3])
def test_central_home_costs_the_same_when_units_and_rows_grow(
    client, ievp_central, ievp, units, django_assert_num_queries
):
    for _ in range(units):
        unit = UnitFactory(institution=ievp)
        waiting_work(unit, unit_coordinator(unit))
    response = _measure(client, ievp_central, django_assert_num_queries, HOME_QUERIES["central"])
    assert response.context["todos"]


@pytest.mark.parametrize("units", [1, 3])
def test_ministry_home_costs_the_same_when_units_and_rows_grow(
    client, ministry, offices, ievp, vpd, units, django_assert_num_queries
):
    made = []
    for institution in (ievp, vpd):
        for _ in range(units):
            made.append(UnitFactory(institution=institution))
            waiting_work(made[-1], unit_coordinator(made[-1]))
    response = _measure(client, ministry, django_assert_num_queries, HOME_QUERIES["ministry"])
    assert {unit.name for unit in made} <= set(_rows(response))
