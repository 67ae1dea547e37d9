"""The report counts (``selectors.event_counts``) from a small hand-built year: held events
(held and in review, or reported) per month, unit and field, their participants and the
approved hours — nothing proposed, approved, cancelled, rejected or not held, nothing of
another year or unit — in the same few aggregate queries whatever the data."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from events import selectors
from events.models import Event, EventState, EventVolunteer, HoursRecord, HoursState
from institutions.models import Unit
from tests.factories import UserFactory
from volunteers.models import Role

from . import builders

YEAR = 2025
QUERIES = 2  # the held events grouped by month, unit and field; the approved hours


def _at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)), timezone.get_default_timezone())


@pytest.fixture
def people(olaine, jelgava):
    return {
        "ilze": builders.volunteer_at(olaine, email="ilze@example.lv"),
        "juris": builders.volunteer_at(olaine, email="juris@example.lv"),
        "anna": builders.volunteer_at(jelgava, email="anna@example.lv"),
    }


def _event(unit, start, *, state=EventState.REPORTED, code=Role.Code.EDUCATION, participants=None, hours=()):
    """An event as plain rows (the services refuse the past), with its people and hours:
    ``hours`` is a list of (volunteer, hours, hours state)."""
    event = Event.objects.create(
        unit=unit,
        title="Nodarbība",
        field=builders.field(unit, code),
        activity_type=builders.activity(),
        description="Apraksts",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        place="Bibliotēka",
        expected_participants=10,
        target_group="adults",
        state=state,
        actual_participants=participants,
        proposed_by=UserFactory(),
    )
    for n, (volunteer, value, hours_state) in enumerate(hours):
        EventVolunteer.objects.create(event=event, volunteer=volunteer, is_lead=n == 0)
        HoursRecord.objects.create(
            volunteer=volunteer,
            unit=unit,
            kind=HoursRecord.Kind.EVENT,
            event=event,
            field=event.field,
            activity_type=event.activity_type,
            day=timezone.localtime(start).date(),
            hours=Decimal(value),
            state=hours_state,
        )
    return event


@pytest.fixture
def year(olaine, jelgava, people, vpd_department):
    """Olaine: two reported events in March (education, sports), one held and in review in
    April (family) — and one at 00:30 on New Year's Day, local time (still 31 December in
    UTC). Jelgava: one reported in March (sports). Not counted: proposed, approved,
    cancelled, rejected and not held events, one of the year before, one of VPD."""
    ilze, juris, anna = people["ilze"], people["juris"], people["anna"]
    approved, pending, rejected = HoursState.APPROVED, HoursState.PENDING, HoursState.REJECTED
    _event(
        olaine,
        _at(date(YEAR, 3, 4)),
        participants=12,
        hours=[(ilze, "2", approved), (juris, "1.5", approved)],
    )
    _event(
        olaine,
        _at(date(YEAR, 3, 18)),
        code=Role.Code.SPORTS,
        participants=8,
        hours=[(ilze, "2", approved), (juris, "2", rejected)],
    )
    _event(
        olaine,
        _at(date(YEAR, 4, 8)),
        state=EventState.HELD,
        code=Role.Code.FAMILY,
        participants=20,
        hours=[(juris, "2", pending)],
    )
    _event(olaine, _at(date(YEAR, 1, 1), 0, 30), participants=30, hours=[(ilze, "1", approved)])
    _event(
        jelgava,
        _at(date(YEAR, 3, 11)),
        code=Role.Code.SPORTS,
        participants=6,
        hours=[(anna, "1.5", approved)],
    )
    for state in (
        EventState.PROPOSED,
        EventState.CHANGES_REQUESTED,
        EventState.APPROVED,
        EventState.CANCELLED,
        EventState.REJECTED,
        EventState.NOT_HELD,
    ):
        _event(olaine, _at(date(YEAR, 5, 6)), state=state)
    _event(olaine, _at(date(YEAR - 1, 12, 31), 21), participants=99, hours=[(ilze, "2", approved)])
    mentor = builders.volunteer_at(vpd_department, email="mentors@example.lv")
    _event(
        vpd_department,
        _at(date(YEAR, 3, 5)),
        code=Role.Code.MENTOR,
        participants=5,
        hours=[(mentor, "2", approved)],
    )
    return frozenset(Unit.objects.filter(institution=olaine.institution).values_list("pk", flat=True))


def test_counts_held_events_per_month_unit_and_field_with_participants_and_approved_hours(year):
    counts = selectors.event_counts(unit_ids=year, year=YEAR)

    assert counts.events == 5
    assert counts.by_month == {1: 1, 3: 3, 4: 1}
    assert counts.by_unit == {"Olaines cietums": 4, "Jelgavas cietums": 1}
    assert counts.by_field == {"education": 2, "sports": 2, "family": 1}
    assert counts.participants == 12 + 8 + 20 + 30 + 6
    # Approved only: not the rejected 2 h, not the pending 2 h of the report in review.
    assert counts.hours == Decimal("2") + Decimal("1.5") + Decimal("2") + Decimal("1") + Decimal("1.5")


def test_counts_are_per_unit_and_year_asked(year, olaine, vpd_department):
    only_olaine = selectors.event_counts(unit_ids=[olaine.pk], year=YEAR)
    assert only_olaine.events == 4
    assert only_olaine.hours == Decimal("6.5")

    before = selectors.event_counts(unit_ids=year, year=YEAR - 1)
    assert (before.events, before.participants, before.hours) == (1, 99, Decimal("2"))
    assert before.by_month == {12: 1}

    vpd = selectors.event_counts(unit_ids=[vpd_department.pk], year=YEAR)
    assert (vpd.events, vpd.by_field, vpd.hours) == (1, {"mentor": 1}, Decimal("2"))


def test_nothing_held_counts_zero(olaine):
    counts = selectors.event_counts(unit_ids=[olaine.pk], year=YEAR)
    assert (counts.events, counts.participants, counts.hours) == (0, 0, Decimal("0"))
    assert counts.by_month == counts.by_unit == counts.by_field == {}


def test_counts_take_the_same_queries_whatever_the_data(year, olaine, people, django_assert_num_queries):
    with django_assert_num_queries(QUERIES):
        selectors.event_counts(unit_ids=year, year=YEAR)

    for month in range(1, 13):
        for day in (5, 12, 19):
            _event(
                olaine,
                _at(date(YEAR, month, day)),
                code=Role.Code.LEISURE,
                participants=7,
                hours=[(people["ilze"], "1", HoursState.APPROVED)],
            )
    with django_assert_num_queries(QUERIES):
        counts = selectors.event_counts(unit_ids=year, year=YEAR)
    assert counts.events == 5 + 36
    assert counts.by_field["leisure"] == 36
