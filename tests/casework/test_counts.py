"""The counts for the reports (and the ministry): active pairs, circles and open cases per
unit, meetings and hours per month, the year's mediation outcomes — exact on a small
hand-built set, in a constant number of queries however much there is."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from casework import selectors, services
from casework.models import Meeting, Outcome
from tests.factories import UnitFactory, unit_coordinator

from . import builders

TODAY = timezone.localdate


def _meeting(pair, day, hours):
    return services.pair_meeting_log(actor=pair.mentor.user, pair=pair, day=day, hours=Decimal(hours))


def _case(unit, coordinator, mediator, reference, *, outcome=None, closed_on=None):
    case = services.mediation_create(
        actor=coordinator,
        unit=unit,
        reference=reference,
        victim_ref=f"C-{reference}",
        offender_ref=f"L-{reference}",
        mediators=[mediator],
        opened_on=TODAY() - timedelta(days=30),
    )
    if outcome:
        services.mediation_close(actor=coordinator, case=case, outcome=outcome, closed_on=closed_on)
    return case


def _build(department, coordinator, region, region_coordinator):
    """Jelgavas 1. nodaļa: two active pairs and one ended, a meeting circle, a forming one and
    an ended one, one open case and two closed; Rīgas reģions: one pair, one open case."""
    today = TODAY()
    first = builders.pair(department, coordinator)
    second = builders.pair(department, coordinator)
    ended = builders.pair(department, coordinator)
    days = [today, today - timedelta(days=1), today - timedelta(days=40)]
    _meeting(first, days[0], "1.5")
    _meeting(first, days[2], "2")
    _meeting(second, days[1], "1")
    services.pair_end(actor=coordinator, pair=ended, ended_on=today, reason="Mērķi sasniegti.")
    builders.circle(department, coordinator)
    builders.circle(department, coordinator, members=2, active=False)
    done, _members = builders.circle(department, coordinator)
    services.circle_end(actor=coordinator, circle=done, ended_on=today, reason="Aplis noslēdzās.")
    mediator = builders.mediator(department, coordinator)
    _case(department, coordinator, mediator, "IZL-1")
    _case(department, coordinator, mediator, "IZL-2", outcome=Outcome.REACHED, closed_on=today)
    _case(department, coordinator, mediator, "IZL-3", outcome=Outcome.REFUSED, closed_on=today)
    builders.pair(region, region_coordinator)
    _case(region, region_coordinator, builders.mediator(region, region_coordinator), "IZL-4")
    return days


def _region(vpd):
    region = UnitFactory(institution=vpd, slug="vpd-rigas-regions", name="Rīgas reģions")
    return region, unit_coordinator(region, email="riga@example.lv")


def test_counts_are_exact_per_unit_month_and_outcome(vpd, vpd_department, vpd_coordinator):
    region, region_coordinator = _region(vpd)
    days = _build(vpd_department, vpd_coordinator, region, region_coordinator)
    year = TODAY().year

    counts = selectors.casework_counts(unit_ids=[vpd_department.pk, region.pk], year=year)

    assert counts.units == [
        {"name": "Jelgavas 1. nodaļa", "pairs": 2, "circles": 2, "cases": 1},
        {"name": "Rīgas reģions", "pairs": 1, "circles": 0, "cases": 1},
    ]
    expected_n, expected_hours = {}, {}
    for day, hours in zip(days, ["1.5", "1", "2"], strict=True):
        if day.year == year:
            expected_n[day.month] = expected_n.get(day.month, 0) + 1
            expected_hours[day.month] = expected_hours.get(day.month, Decimal("0")) + Decimal(hours)
    assert counts.meetings_by_month == expected_n
    assert counts.hours_by_month == expected_hours
    assert counts.outcomes == {Outcome.REACHED: 1, Outcome.REFUSED: 1}

    # Another unit's records are not in a unit's counts; another year has no meetings.
    region_only = selectors.casework_counts(unit_ids=[region.pk], year=year)
    assert region_only.units == [{"name": "Rīgas reģions", "pairs": 1, "circles": 0, "cases": 1}]
    assert region_only.meetings_by_month == {} and region_only.outcomes == {}
    assert selectors.casework_counts(unit_ids=[vpd_department.pk], year=year - 2).meetings_by_month == {}


def test_counts_take_the_same_few_queries_however_much_there_is(
    vpd, vpd_department, vpd_coordinator, django_assert_num_queries
):
    region, region_coordinator = _region(vpd)
    unit_ids = [vpd_department.pk, region.pk]
    year = TODAY().year
    with django_assert_num_queries(6):
        empty = selectors.casework_counts(unit_ids=unit_ids, year=year)
    assert empty.units == [] and empty.meetings_by_month == {}

    _build(vpd_department, vpd_coordinator, region, region_coordinator)
    pair = builders.pair(vpd_department, vpd_coordinator)
    for n in range(12):
        _meeting(pair, TODAY() - timedelta(days=n), "1")
    with django_assert_num_queries(6):
        full = selectors.casework_counts(unit_ids=unit_ids, year=year)
    assert sum(full.meetings_by_month.values()) == Meeting.objects.filter(day__year=year).count()
