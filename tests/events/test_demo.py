"""The events demo: the fact sheet's 317 events at IeVP in 2024 (counted by the report
selector), spread over the nine prisons, the months and the six fields; every volunteer on
every event had an agreement in force at that unit on that day; the steps and hours agree
with the states; series; the work of today (gate passes, proposals, reports to make and to
review); the demo volunteer's hours, event and izziņa. Seeding takes seconds: it runs once
for the module (rolled back at the end) and each test reads it."""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from agreements.models import IN_FORCE, Agreement
from agreements.models import Status as AgreementStatus
from documents.models import Document
from events import demo, selectors, services
from events.models import (
    CertificateState,
    Event,
    EventSeries,
    EventState,
    EventStep,
    EventVolunteer,
    HoursRecord,
    HoursState,
    TargetGroup,
    VolunteerCertificate,
)
from events.printing import CERTIFICATE, GATE_PASS
from institutions.models import Unit

MODELS = [
    Event,
    EventSeries,
    EventStep,
    EventVolunteer,
    HoursRecord,
    VolunteerCertificate,
    Agreement,
    Document,
]
IEVP_FIELDS = {"education", "leisure", "sports", "addiction", "family", "social"}


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """The demo, seeded once for the module; its output. Rolled back afterwards."""
    with django_db_blocker.unblock(), transaction.atomic():
        out = StringIO()
        call_command("seed_demo", stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


def _ievp_units():
    return frozenset(Unit.objects.filter(institution__code="IEVP").values_list("pk", flat=True))


def _local_day(moment):
    return timezone.localtime(moment).date()


def test_ievp_held_317_events_in_2024_over_the_nine_prisons_the_months_and_the_six_fields(seeded, db):
    assert "Demo events: 317 held at IeVP in 2024" in seeded
    counts = selectors.event_counts(unit_ids=_ievp_units(), year=2024)

    assert counts.events == 317
    assert counts.by_month == dict(enumerate(demo.MONTHS, start=1))
    # A seasonal shape: summer and New Year quieter than spring and autumn.
    assert counts.by_month[7] < counts.by_month[4] / 2 and counts.by_month[1] < counts.by_month[10]
    prisons = Unit.objects.filter(institution__code="IEVP", kind=Unit.Kind.PRISON, parent=None).valid_on(
        timezone.datetime(2024, 7, 1).date()
    )
    assert set(counts.by_unit) == set(prisons.values_list("name", flat=True))
    assert len(counts.by_unit) == 9
    assert min(counts.by_unit.values()) >= 20
    assert set(counts.by_field) == IEVP_FIELDS
    assert min(counts.by_field.values()) >= 10
    assert counts.participants > 317 * 5
    assert counts.hours > 317

    held_2024 = Event.objects.filter(unit_id__in=_ievp_units(), starts_at__year=2024)
    # Beside them, events that were cancelled, not held or rejected: not counted.
    others = Counter(held_2024.exclude(state=EventState.REPORTED).values_list("state", flat=True))
    assert others == Counter(dict(demo.OTHERS_2024))
    assert held_2024.filter(state=EventState.REPORTED).count() == 317
    assert set(held_2024.values_list("activity_type__name", flat=True)) >= {
        "Svētku pasākums",
        "Grāmatu klubs",
    }
    december_holidays = held_2024.filter(activity_type__name="Svētku pasākums", starts_at__month=12)
    assert december_holidays.count() == demo.HOLIDAY_EVENTS
    # The current year has activity too.
    this_year = selectors.event_counts(unit_ids=_ievp_units(), year=timezone.localdate().year)
    assert this_year.events > 100


def test_every_volunteer_on_every_event_had_an_agreement_in_force_at_that_unit_that_day(seeded, db):
    terms = defaultdict(list)
    for agreement in Agreement.objects.filter(status__in=[*IN_FORCE, AgreementStatus.ENDED]):
        end = min(agreement.end_date, agreement.ended_on or agreement.end_date)
        terms[agreement.unit_id, agreement.volunteer_id].append((agreement.start_date, end))
    rows = EventVolunteer.objects.values_list("event__unit_id", "volunteer_id", "event__starts_at")
    assert rows.count() > 1300
    missing = [
        (unit, volunteer, starts)
        for unit, volunteer, starts in rows
        if not any(start <= _local_day(starts) <= end for start, end in terms[unit, volunteer])
    ]
    assert missing == []
    # Events still to come: an agreement in force today as well.
    upcoming = EventVolunteer.objects.filter(event__starts_at__gt=timezone.now()).select_related("event")
    assert upcoming.exists()
    for row in upcoming:
        day = _local_day(row.event.starts_at)
        assert Agreement.objects.filter(
            unit_id=row.event.unit_id,
            volunteer_id=row.volunteer_id,
            status__in=IN_FORCE,
            start_date__lte=day,
            end_date__gte=day,
        ).exists()
    # Every event has one lead, and nobody is on two events on one day.
    assert EventVolunteer.objects.filter(is_lead=True).count() == Event.objects.count()
    per_day = Counter((volunteer, _local_day(starts)) for _unit, volunteer, starts in rows)
    assert max(per_day.values()) == 1


def test_the_earlier_agreements_are_ended_with_numbers_of_their_year(seeded, db):
    earlier = Agreement.objects.filter(
        institution__code="IEVP", status=AgreementStatus.ENDED, start_date__year__gte=2023
    )
    assert earlier.count() >= 30
    assert set(earlier.values_list("end_kind", flat=True)) == {Agreement.EndKind.EXPIRED}
    for agreement in earlier:
        assert agreement.number.startswith(f"IEVP-{timezone.localdate(agreement.generated_at).year}-")
        assert agreement.signed_on < agreement.start_date <= agreement.ended_on == agreement.end_date
        later = Agreement.objects.filter(volunteer=agreement.volunteer, status__in=IN_FORCE)
        assert not later.filter(start_date__lte=agreement.end_date).exists()  # one at a time


def test_steps_and_hours_agree_with_each_events_state(seeded, db):
    events = Event.objects.prefetch_related("steps", "people", "hours")
    for event in events:
        steps = list(event.steps.all())
        assert steps, event
        assert steps[-1].to_state == event.state
        assert all(a.created_at <= b.created_at for a, b in itertools.pairwise(steps))
        assert event.target_group in TargetGroup.values
        hours = list(event.hours.all())
        people = {row.volunteer_id for row in event.people.all()}
        if event.state == EventState.REPORTED:
            assert event.actual_participants is not None
            assert {h.volunteer_id for h in hours} == people
            assert all(h.state == HoursState.APPROVED and 0 < h.hours <= event.duration_hours for h in hours)
            assert all(h.decided_by_id and h.day == _local_day(event.starts_at) for h in hours)
            assert event.reported_at is not None and event.ends_at < event.reported_at
        elif event.state == EventState.HELD:
            assert {h.state for h in hours} == {HoursState.PENDING}
        else:
            assert hours == []
    full_path = [EventState.PROPOSED, EventState.APPROVED, EventState.HELD, EventState.REPORTED]
    reported = Event.objects.filter(state=EventState.REPORTED, starts_at__year=2024)
    walked = sum(
        [s.to_state for s in event.steps.all()] == full_path for event in reported.prefetch_related("steps")
    )
    assert walked > 317 / 2  # most were proposed by a volunteer, approved, held, reviewed


def test_series_a_book_club_in_autumn_2024_and_one_starting_next_week(seeded, db):
    club = EventSeries.objects.get(title=demo.BOOK_CLUB)
    assert club.unit.slug == "olaines-cietums" and club.count == 10 and "FREQ=WEEKLY" in club.rule
    days = [_local_day(e.starts_at) for e in club.events.order_by("starts_at")]
    assert len(days) == 10 and days[0].year == 2024 and days[0].month == 9
    assert sum(day.weekday() == 3 for day in days) == 9  # one moved to a Wednesday
    assert set(club.events.values_list("state", flat=True)) == {EventState.REPORTED}
    assert EventStep.objects.filter(event__series=club, reason=demo.MOVED_REASON).count() == 1

    coming = EventSeries.objects.get(title=demo.UPCOMING_CLUB)
    occurrences = list(coming.events.order_by("starts_at"))
    assert len(occurrences) == 6
    assert all(e.state == EventState.APPROVED and e.starts_at > timezone.now() for e in occurrences)
    days = [_local_day(e.starts_at) for e in occurrences]
    assert [(b - a).days for a, b in itertools.pairwise(days)] == [7] * 5
    assert {timezone.localtime(e.starts_at).hour for e in occurrences} == {15}  # across a DST change too


def test_todays_work_waits_in_the_olaine_coordinators_queue(seeded, db):
    olaine = get_user_model().objects.get(email="olaine@tilts.demo")
    queue = selectors.approval_queue(olaine)

    assert queue.counts["proposals"] >= 3 and queue.counts["changes"] == 1
    assert all(e.unit.slug == "olaines-cietums" for e in queue.proposals)
    assert queue.counts["to_report"] >= 2 and queue.counts["to_review"] == 1
    assert all(e.ends_at < timezone.now() for e in queue.to_report)

    approved = Event.objects.filter(state=EventState.APPROVED, starts_at__gt=timezone.now())
    assert approved.values("unit").distinct().count() >= 9
    assert approved.filter(starts_at__lte=timezone.now() + timedelta(weeks=6)).count() >= 15
    passes = Document.objects.filter(kind=GATE_PASS)
    assert set(passes.values_list("object_id", flat=True)) == set(approved.values_list("pk", flat=True))


def test_the_demo_volunteer_has_hours_an_event_to_come_and_can_ask_for_an_izzina(seeded, db):
    user = get_user_model().objects.get(email="brivpratigais@tilts.demo")
    volunteer = user.volunteer
    totals = selectors.hours_totals(volunteer)
    assert totals and totals[0].approved > 0
    hours = HoursRecord.objects.filter(volunteer=volunteer, state=HoursState.APPROVED)
    units = set(hours.values_list("unit_id", flat=True))
    assert units and all(
        selectors.volunteer_has_agreement_at(volunteer, unit) for unit in Unit.objects.filter(pk__in=units)
    )
    assert (
        selectors.my_events(volunteer)
        .filter(starts_at__gt=timezone.now(), state=EventState.APPROVED)
        .exists()
    )

    certificate = VolunteerCertificate.objects.get(volunteer=volunteer)
    assert certificate.state == CertificateState.ISSUED and certificate.number
    assert 0 < certificate.total_hours < sum(h.hours for h in hours)  # a later event is not in it yet
    document = Document.objects.get(kind=CERTIFICATE, object_id=certificate.pk)
    assert document.state == Document.State.DONE and document.size

    unit = selectors.units_for_certificate(volunteer).get(pk=certificate.unit_id)
    again = services.certificate_request(
        actor=user, unit=unit, period_start=certificate.period_start, period_end=timezone.localdate()
    )
    assert again.state == CertificateState.REQUESTED


def test_seeding_again_changes_nothing(seeded, db):
    before = {model.__name__: model.objects.count() for model in MODELS}

    out = StringIO()
    call_command("seed_demo", stdout=out)

    assert "Demo events are already loaded." in out.getvalue()
    assert {model.__name__: model.objects.count() for model in MODELS} == before
