"""Builders for the events tests: volunteers with an agreement in force at a unit, the
details of an event, and events in each state."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from agreements.models import Status as AgreementStatus
from events import services
from events.models import ActivityType, Event
from tests.agreements import builders as agreement_builders
from volunteers.models import Role


def volunteer_at(unit, *, start=None, end=None, status=AgreementStatus.ACTIVE, **user):
    """A volunteer with an agreement in force at ``unit`` (a year around today by default)."""
    today = timezone.localdate()
    agreement = agreement_builders.agreement_row(
        unit,
        status=status,
        start=start or today - timedelta(days=100),
        end=end or today + timedelta(days=300),
        **user,
    )
    return agreement.volunteer


def at(days: int, hour: int = 10, minute: int = 0) -> datetime:
    """A local time ``days`` from today."""
    day = timezone.localdate() + timedelta(days=days)
    return timezone.make_aware(datetime.combine(day, time(hour, minute)), timezone.get_default_timezone())


def activity(name="Grāmatu klubs") -> ActivityType:
    return ActivityType.objects.get_or_create(name=name, defaults={"name_en": "Book club"})[0]


def field(unit, code=Role.Code.EDUCATION) -> Role:
    return Role.objects.get_or_create(institution=unit.institution, code=code)[0]


def details(unit, *, days=7, hours=2, **overrides) -> services.Details:
    start = overrides.pop("starts_at", None) or at(days)
    values = {
        "title": "Grāmatu klubs „Lasām kopā”",
        "field": field(unit),
        "activity_type": activity(),
        "description": "Sarunas par izlasītu grāmatu; grāmatas atnes brīvprātīgā.",
        "starts_at": start,
        "ends_at": start + timedelta(hours=hours),
        "place": "Olaines cietums, bibliotēka",
        "expected_participants": 8,
        "target_group": "adults",
        "items": "10 grāmatas, pildspalvas",
    }
    values.update(overrides)
    return services.Details(**values)


def proposed(unit, volunteer, **overrides) -> Event:
    return services.event_propose(actor=volunteer.user, unit=unit, details=details(unit, **overrides))


def approved(unit, coordinator, volunteer, **overrides) -> Event:
    return services.event_create(
        actor=coordinator, unit=unit, details=details(unit, **overrides), lead=volunteer
    )


def past_approved(unit, coordinator, volunteer, *, days_ago=3, hours=2) -> Event:
    """An approved event that has ended (written past the "not in the past" rule)."""
    event = approved(unit, coordinator, volunteer, hours=hours)
    start = at(-days_ago)
    Event.objects.filter(pk=event.pk).update(starts_at=start, ends_at=start + timedelta(hours=hours))
    event.refresh_from_db()
    return event


HOURS = Decimal("2.0")
