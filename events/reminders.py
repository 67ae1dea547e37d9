"""Reminder: an approved event ended two days ago and nobody has reported it. Sent once
(the notifications app keeps it to one per event, due date and person) to the unit's
coordinators and the event's lead volunteer."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date, timedelta
from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from notifications.registry import Message, ReminderSource, absolute_url, register

from .models import REPORT_REMINDER_DAYS, Event, EventState
from .selectors import day_start

if TYPE_CHECKING:
    from accounts.models import User

UNREPORTED = "event_unreported_2"
TEMPLATE = "events/email/reminder_unreported"
LOOK_BACK_DAYS = 30  # an event unreported for longer is in the coordinator's list anyway


def _due(today: date):
    """Approved events that ended on a day at least two days before ``today``."""
    return (
        Event.objects.filter(
            state=EventState.APPROVED,
            ends_at__lt=day_start(today - timedelta(days=REPORT_REMINDER_DAYS - 1)),
            ends_at__gte=day_start(today - timedelta(days=LOOK_BACK_DAYS)),
        )
        .select_related("unit__institution", "activity_type")
        .prefetch_related("people__volunteer__user")
    )


def _messages(event: Event, coordinators: Sequence[User], today: date) -> Iterator[Message]:
    due = timezone.localtime(event.ends_at).date() + timedelta(days=REPORT_REMINDER_DAYS)
    target = f"event:{event.pk}"
    for person in coordinators:
        yield Message(
            UNREPORTED,
            target,
            due,
            person,
            TEMPLATE,
            {"event": event, "url": absolute_url(("events:detail", [event.pk]))},
        )
    lead = next((row.volunteer for row in event.people.all() if row.is_lead), None)
    if lead is not None and lead.anonymised_at is None and lead.user.is_active:
        yield Message(
            UNREPORTED,
            target,
            due,
            lead.user,
            TEMPLATE,
            {"event": event, "url": absolute_url(("events:my_event", [event.pk]))},
        )


register(
    ReminderSource(
        name="events.unreported",
        kinds={UNREPORTED: _("Event not reported 2 days after it ended")},
        templates=(TEMPLATE,),
        due=_due,
        unit=lambda event: event.unit,
        messages=_messages,
    )
)
