"""The participants of a session as CSV or XLSX (formula-escaped, and CSV streamed, by
``core.tabular``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import slugify
from django.utils.translation import gettext as _

from core import tabular

from .models import Registration, Session

FORMATS = tabular.FORMATS


@dataclass
class Export:
    table: tabular.Table
    filename: str


def _header(session: Session) -> list[str]:
    days = [date_format(day.date, "j.m.Y") for day in session.days.all()]
    return [
        _("Name"),
        _("Email"),
        _("Phone"),
        _("Application"),
        _("Registration"),
        _("Registered"),
        *days,
        _("Days present"),
        _("Completed"),
    ]


def _rows(session: Session, registrations: Sequence[Registration]):
    days = list(session.days.all())
    # Labels looked up once, not per row.
    states = {state: str(label) for state, label in Registration._meta.get_field("state").flatchoices}
    present, absent, yes = _("present"), _("absent"), _("yes")
    zone = timezone.get_current_timezone()
    for registration in registrations:
        user = registration.volunteer.user
        marks = []
        for day in days:
            if day.pk in registration.present_day_ids:
                marks.append(present)
            elif day.pk in registration.marked_day_ids:
                marks.append(absent)
            else:
                marks.append("")
        yield [
            user.get_full_name(),
            user.email,
            registration.volunteer.phone,
            registration.application.reference if registration.application_id else "",
            states.get(registration.state, registration.state),
            registration.created_at.astimezone(zone).replace(tzinfo=None, microsecond=0),
            *marks,
            len(registration.present_day_ids),
            yes if registration.completion_id else "",
        ]


def participants(session: Session, registrations: Sequence[Registration]) -> Export:
    """The participants' table (written as CSV or XLSX by ``core.tabular.response``)."""
    table = tabular.Table(
        header=_header(session),
        rows=_rows(session, registrations),
        sheet=_("Participants"),
        widths=(28, 32, 16, 14, 18, 17),
    )
    name = slugify(session.course.title)[:40] or "training"
    day = session.first_day.strftime("%Y%m%d") if session.first_day else ""
    return Export(table, f"tilts-{name}-{day}-participants")
