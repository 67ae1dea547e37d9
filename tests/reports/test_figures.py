"""The figures of the reports (``reports.selectors``) on the hand-built year of
``conftest.known`` — every figure, the field filter, tenancy, the funnel, the query counts
— and on the demo seed: the fact sheet's 122, 80, 54 and 317."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from events.selectors import event_counts
from institutions.models import Unit
from reports import selectors
from tests.factories import UnitFactory, VolunteerFactory
from volunteers.models import Role

from .conftest import TODAY, YEAR, agreement, application, event

# Units, agreements by unit, active volunteers, open applications, the held events grouped
# and the hours by unit; per institution: the funnel 1, trainings 3 (+ casework_counts 6 at VPD).
QUERIES_IEVP = 6 + 4
QUERIES_BOTH = 6 + 4 + 4 + 6


def _column(board, code):
    return next(column for column in board.columns if column.institution.code == code)


def test_agreements_in_force_when_signed_not_ended_and_not_past_their_end(known):
    assert selectors.agreements_in_force(unit_ids=known.ievp_ids, on=TODAY) == 4
    assert selectors.agreements_in_force(unit_ids=[known.olaine.pk], on=TODAY) == 3
    # Before a6 ended early (01.06) and a2 was signed (10.06).
    assert selectors.agreements_in_force(unit_ids=[known.olaine.pk], on=date(2025, 5, 1)) == 3
    assert selectors.agreements_in_force(unit_ids=[known.olaine.pk], on=date(2025, 6, 1)) == 3
    assert selectors.agreements_in_force(unit_ids=[known.olaine.pk], on=date(2025, 6, 2)) == 2
    assert selectors.agreements_in_force(unit_ids=known.vpd_ids, on=TODAY) == 1


def test_agreements_in_force_when_a_field_is_chosen(known):
    assert selectors.agreements_in_force(unit_ids=known.ievp_ids, on=TODAY, field=Role.Code.SPORTS) == 2
    assert selectors.agreements_in_force(unit_ids=known.ievp_ids, on=TODAY, field=Role.Code.FAMILY) == 0


def test_agreements_signed_when_signed_on_falls_in_the_year(known):
    assert selectors.agreements_signed(unit_ids=known.ievp_ids, year=YEAR) == 3
    assert selectors.agreements_signed(unit_ids=known.ievp_ids, year=YEAR - 1) == 3
    assert selectors.agreements_signed(unit_ids=known.ievp_ids, year=YEAR, field=Role.Code.SPORTS) == 2
    assert selectors.agreements_signed(unit_ids=known.vpd_ids, year=YEAR) == 1


def test_trainings_held_when_sessions_were_held_in_the_year(known):
    assert selectors.trainings_held(unit_ids=known.ievp_ids, year=YEAR) == selectors.TrainingFigures(
        sessions=2, participants=3, completed=2
    )
    assert selectors.trainings_held(unit_ids=[known.olaine.pk], year=YEAR) == selectors.TrainingFigures(
        sessions=1, participants=2, completed=1
    )
    assert selectors.trainings_held(
        unit_ids=known.ievp_ids, year=YEAR, field=Role.Code.SPORTS
    ) == selectors.TrainingFigures(sessions=1, participants=1, completed=1)
    assert selectors.trainings_held(unit_ids=known.vpd_ids, year=YEAR) == selectors.TrainingFigures(0, 0, 0)


def test_dashboard_figures_when_computed_on_known_data(known):
    board = selectors.dashboard(unit_ids=known.ievp_ids | known.vpd_ids, year=YEAR, field=None, today=TODAY)

    assert [column.institution.code for column in board.columns] == ["IEVP", "VPD"]
    ievp = _column(board, "IEVP").figures
    assert (ievp.volunteers_active, ievp.agreements_in_force, ievp.agreements_signed) == (3, 4, 3)
    assert ievp.agreements_ending == 1
    assert ievp.applications_by_step == {
        "submitted": 1,
        "screening": 1,
        "vetting": 1,
        "training": 0,
        "agreement": 0,
    }
    assert ievp.trainings == selectors.TrainingFigures(sessions=2, participants=3, completed=2)
    assert (ievp.events.events, ievp.events.participants, ievp.events.hours) == (3, 26, Decimal("4.5"))
    assert ievp.events.by_month == {3: 2, 4: 1}
    assert ievp.casework is None
    assert ievp.field_ignored == ()
    rows = {row.unit.slug: row for row in ievp.units}
    assert rows["olaines-cietums"] == selectors.UnitRow(
        unit=selectors.UnitRef(pk=known.olaine.pk, name=known.olaine.name, slug="olaines-cietums"),
        in_force=3,
        signed=2,
        open_applications=3,
        events=2,
        participants=20,
        hours=Decimal("3.5"),
    )
    assert (rows["jelgavas-cietums"].in_force, rows["jelgavas-cietums"].events) == (1, 1)
    assert rows["jelgavas-cietums"].hours == Decimal("1")

    vpd = _column(board, "VPD").figures
    assert (vpd.volunteers_active, vpd.agreements_in_force, vpd.agreements_signed) == (1, 1, 1)
    assert vpd.casework is not None and vpd.casework.units == []
    assert vpd.events.events == 0


def test_funnel_reached_conversion_and_median_days_when_applications_moved_on(known):
    board = selectors.dashboard(unit_ids=known.ievp_ids, year=YEAR, field=None, today=TODAY)
    funnel = _column(board, "IEVP").figures.funnel

    assert [step.status for step in funnel] == [
        "submitted",
        "screening",
        "vetting",
        "training",
        "agreement",
        "active",
    ]
    assert [step.reached for step in funnel] == [4, 3, 2, 1, 1, 1]
    assert [step.conversion for step in funnel] == [None, 0.75, pytest.approx(2 / 3), 0.5, 1.0, 1.0]
    assert [step.median_days for step in funnel] == [None, 4.0, 7.0, 10.0, 10.0, 10.0]
    assert all(str(step.label) for step in funnel)


def test_funnel_conversion_is_none_when_nobody_reached_the_step_before(known):
    board = selectors.dashboard(unit_ids=known.ievp_ids, year=YEAR - 1, field=None, today=TODAY)
    funnel = _column(board, "IEVP").figures.funnel
    # The year's applications (p5, submitted in 2024), whenever they took their steps.
    assert [step.reached for step in funnel] == [1, 1, 1, 0, 0, 0]
    assert [step.conversion for step in funnel] == [None, 1.0, 1.0, 0.0, None, None]
    assert [step.median_days for step in funnel] == [None, 16.0, 15.0, None, None, None]


def test_dashboard_when_a_field_is_chosen(known):
    board = selectors.dashboard(
        unit_ids=known.ievp_ids | known.vpd_ids, year=YEAR, field=Role.Code.SPORTS, today=TODAY
    )
    ievp = _column(board, "IEVP").figures
    assert (ievp.agreements_in_force, ievp.agreements_signed, ievp.volunteers_active) == (2, 2, 2)
    assert [step.reached for step in ievp.funnel] == [2, 2, 1, 0, 0, 0]
    assert ievp.applications_by_step["screening"] == 1 and ievp.applications_by_step["submitted"] == 0
    assert ievp.trainings == selectors.TrainingFigures(sessions=1, participants=1, completed=1)
    assert (ievp.events.events, ievp.events.participants, ievp.events.hours) == (2, 14, Decimal("2.5"))
    assert ievp.field_ignored == ()
    vpd = _column(board, "VPD").figures
    assert vpd.agreements_in_force == 0
    assert vpd.field_ignored == ("casework",)  # casework has no field: the UI says so


def test_dashboard_counts_only_the_given_units_when_restricted_to_one_unit(known):
    board = selectors.dashboard(unit_ids={known.jelgava.pk}, year=YEAR, field=None, today=TODAY)

    assert [column.institution.code for column in board.columns] == ["IEVP"]
    figures = board.columns[0].figures
    assert board.columns[0].unit_ids == frozenset({known.jelgava.pk})
    assert (figures.agreements_in_force, figures.agreements_signed, figures.volunteers_active) == (1, 1, 1)
    assert [step.reached for step in figures.funnel] == [0, 0, 0, 0, 0, 0]
    assert figures.trainings == selectors.TrainingFigures(sessions=1, participants=1, completed=1)
    assert (figures.events.events, figures.events.hours) == (1, Decimal("1"))
    assert [row.unit.pk for row in figures.units] == [known.jelgava.pk]


def test_dashboard_leaves_out_the_ministry_when_its_own_unit_is_given(known, ministry):
    ministry_units = set(Unit.objects.filter(institution__code="TM").values_list("pk", flat=True))
    board = selectors.dashboard(unit_ids=ministry_units | known.ievp_ids, year=YEAR, field=None, today=TODAY)
    assert [column.institution.code for column in board.columns] == ["IEVP"]


def test_unit_rows_leave_out_idle_offices_and_closed_units_when_all_their_figures_are_zero(known, ievp):
    office = UnitFactory(institution=ievp, kind=Unit.Kind.CENTRAL_OFFICE, name="IeVP Centrālais aparāts")
    closed = UnitFactory(institution=ievp, kind=Unit.Kind.PRISON, valid_to=TODAY - timedelta(days=400))
    closed_with_work = UnitFactory(
        institution=ievp, kind=Unit.Kind.PRISON, valid_to=TODAY - timedelta(days=30)
    )
    event(closed_with_work, date(YEAR, 3, 1), participants=4)
    quiet_prison = UnitFactory(institution=ievp, kind=Unit.Kind.PRISON)
    units = known.ievp_ids | {office.pk, closed.pk, closed_with_work.pk, quiet_prison.pk}

    rows = {
        row.unit.pk: row
        for row in _column(
            selectors.dashboard(unit_ids=units, year=YEAR, field=None, today=TODAY), "IEVP"
        ).figures.units
    }

    assert office.pk not in rows and closed.pk not in rows
    assert rows[closed_with_work.pk].events == 1  # it worked in the year: its row stays
    assert quiet_prison.pk in rows  # a prison that takes volunteers shows its zeros


def test_dashboard_queries_are_constant_when_the_data_grows(known, ievp, django_assert_num_queries):
    units = known.ievp_ids | known.vpd_ids
    with django_assert_num_queries(QUERIES_BOTH):
        selectors.dashboard(unit_ids=units, year=YEAR, field=None, today=TODAY)
    with django_assert_num_queries(QUERIES_IEVP):
        selectors.dashboard(unit_ids={known.olaine.pk}, year=YEAR, field=Role.Code.EDUCATION, today=TODAY)

    more = [UnitFactory(institution=ievp, kind=Unit.Kind.PRISON) for _ in range(6)]
    for n, unit in enumerate(more):
        volunteer = VolunteerFactory()
        agreement(
            unit,
            signed_on=date(2025, 2, 1),
            start=date(2025, 2, 1),
            end=date(2026, 1, 31),
            volunteer=volunteer,
        )
        application(unit, submitted=date(2025, 4, 1), steps=[("screening", date(2025, 4, 3 + n))])
        event(unit, date(2025, 5, 1 + n), participants=n)
    units |= {unit.pk for unit in more}
    with django_assert_num_queries(QUERIES_BOTH):
        board = selectors.dashboard(unit_ids=units, year=YEAR, field=None, today=TODAY + timedelta(days=1))
    assert _column(board, "IEVP").figures.agreements_signed == 3 + 6
    with django_assert_num_queries(0):  # cached
        selectors.dashboard(unit_ids=units, year=YEAR, field=None, today=TODAY + timedelta(days=1))


def test_event_counts_when_a_field_is_chosen(known):
    sports = event_counts(unit_ids=known.ievp_ids, year=YEAR, field=Role.Code.SPORTS)
    assert (sports.events, sports.participants, sports.hours, sports.by_field) == (
        2,
        14,
        Decimal("2.5"),
        {"sports": 2},
    )


# --- The demo seed: the fact sheet's figures come out of the data.


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """The demo, seeded once for the module; rolled back afterwards."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", stdout=StringIO())
        yield
        transaction.set_rollback(True)


def _units(code: str) -> frozenset[int]:
    return frozenset(Unit.objects.filter(institution__code=code).values_list("pk", flat=True))


def test_fact_sheet_figures_when_computed_from_the_demo_seed(seeded, db):
    today = timezone.localdate()
    vpd, ievp = _units("VPD"), _units("IEVP")

    assert selectors.agreements_in_force(unit_ids=vpd, on=today) == 122
    assert selectors.agreements_in_force(unit_ids=ievp, on=today) == 54
    trained = selectors.trainings_held(unit_ids=ievp, year=2024)
    assert (trained.sessions, trained.completed) == (2, 80)  # the two induction cohorts
    assert event_counts(unit_ids=ievp, year=2024).events == 317

    board = selectors.dashboard(unit_ids=vpd | ievp | _units("TM"), year=2024, field=None, today=today)
    assert [column.institution.code for column in board.columns] == ["IEVP", "VPD"]
    assert _column(board, "VPD").figures.agreements_in_force == 122
    assert _column(board, "IEVP").figures.agreements_in_force == 54
    assert _column(board, "IEVP").figures.trainings.completed == 80
    assert _column(board, "IEVP").figures.events.events == 317
