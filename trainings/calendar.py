"""iCalendar feeds (the ``icalendar`` package) of training sessions and events — one private
address per person (their own) or per unit (a coordinator's): one calendar event per
session day and one per event, in Europe/Riga time, with a stable UID so that a calendar
updates instead of doubling. An event says how many and which group take part, never who."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from .models import Session

# An event's state → the iCalendar STATUS (RFC 5545 §3.8.1.11).
EVENT_STATUS = {
    "proposed": "TENTATIVE",
    "changes": "TENTATIVE",
    "approved": "CONFIRMED",
    "held": "CONFIRMED",
    "reported": "CONFIRMED",
    "not_held": "CANCELLED",
    "cancelled": "CANCELLED",
}


def _host() -> str:
    return settings.TILTS_BASE_URL.split("//")[-1].split("/")[0] or "tilts"


def _event_url(event, *, staff: bool) -> str:
    name = "events:detail" if staff else "events:my_event"
    try:
        return settings.TILTS_BASE_URL.rstrip("/") + reverse(name, args=[event.pk])
    except NoReverseMatch:
        return ""


def _event_component(event, *, host: str, stamp: datetime, zone, staff: bool) -> Event:
    status = EVENT_STATUS.get(event.state, "CONFIRMED")
    component = Event()
    component.add("uid", f"event-{event.pk}@{host}")
    component.add("dtstamp", stamp)
    component.add("last-modified", event.state_changed_at)
    component.add("dtstart", timezone.localtime(event.starts_at, zone))
    component.add("dtend", timezone.localtime(event.ends_at, zone))
    title = event.title
    if status == "CANCELLED":
        title = f"{_('Cancelled')}: {title}"
    elif status == "TENTATIVE":
        title = f"{_('Proposed')}: {title}"
    component.add("summary", title)
    component.add("location", f"{event.unit.name}, {event.place}")
    lines = [
        event.unit.name,
        f"{_('Kind of activity')}: {event.activity_type}",
        f"{_('Target group')}: {event.get_target_group_display()} ({event.expected_participants})",
        f"{_('State')}: {event.get_state_display()}",
    ]
    if event.items:
        lines.append(f"{_('Items to bring in')}: {event.items}")
    if status == "CANCELLED" and event.reason:
        lines.append(f"{_('Reason')}: {event.reason}")
    url = _event_url(event, staff=staff)
    if url:
        lines.append(url)
        component.add("url", url)
    component.add("description", "\n".join(lines))
    component.add("status", status)
    return component


def feed(sessions: Iterable[Session], *, name: str, events: Iterable = (), staff: bool = False) -> bytes:
    """The calendar of ``sessions`` (each day) and ``events`` (events.Event); ``staff``: the
    events link to the coordinators' page instead of the volunteer's."""
    calendar = Calendar()
    calendar.add("prodid", "-//Tilts//Calendar//LV")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    host = _host()
    zone = timezone.get_default_timezone()
    stamp = timezone.now()
    for session in sessions:
        for day in session.days.all():
            event = Event()
            event.add("uid", f"training-{session.pk}-{day.date:%Y%m%d}@{host}")
            event.add("dtstamp", stamp)
            event.add("dtstart", datetime.combine(day.date, day.starts_at, tzinfo=zone))
            event.add("dtend", datetime.combine(day.date, day.ends_at, tzinfo=zone))
            title = session.course.display_title
            event.add("summary", f"{_('Cancelled')}: {title}" if session.is_cancelled else title)
            event.add("location", session.place)
            lines = [session.unit.name]
            if session.trainers:
                lines.append(f"{_('Trainers')}: {session.trainers}")
            if session.notes:
                lines.append(session.notes)
            if session.is_cancelled and session.cancel_reason:
                lines.append(f"{_('Reason')}: {session.cancel_reason}")
            event.add("description", "\n".join(lines))
            event.add("status", "CANCELLED" if session.is_cancelled else "CONFIRMED")
            calendar.add_component(event)
    for item in events:
        calendar.add_component(_event_component(item, host=host, stamp=stamp, zone=zone, staff=staff))
    return calendar.to_ical()
