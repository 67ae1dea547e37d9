"""iCalendar feeds of training sessions (the ``icalendar`` package): one event per session
day, in Europe/Riga time, with a stable UID so that a calendar updates instead of doubling."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from .models import Session


def feed(sessions: Iterable[Session], *, name: str) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//Tilts//Trainings//LV")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    host = settings.TILTS_BASE_URL.split("//")[-1].split("/")[0] or "tilts"
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
    return calendar.to_ical()
