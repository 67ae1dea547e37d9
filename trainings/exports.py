"""The participants of a session as CSV or XLSX (formula-escaped by ``core.tabular``)."""

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
    content: bytes
    content_type: str
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
    for registration in registrations:
        user = registration.volunteer.user
        marks = []
        for day in days:
            if day.pk in registration.present_day_ids:
                marks.append(_("present"))
            elif day.pk in registration.marked_day_ids:
                marks.append(_("absent"))
            else:
                marks.append("")
        yield [
            user.get_full_name(),
            user.email,
            registration.volunteer.phone,
            registration.application.reference if registration.application_id else "",
            registration.get_state_display(),
            timezone.localtime(registration.created_at).replace(tzinfo=None, microsecond=0),
            *marks,
            len(registration.present_day_ids),
            _("yes") if registration.completion_id else "",
        ]


def participants(session: Session, registrations: Sequence[Registration], fmt: str) -> Export:
    header = _header(session)
    rows = _rows(session, registrations)
    if fmt == "csv":
        content = tabular.to_csv(header, rows)
    else:
        content = tabular.to_xlsx(header, rows, sheet=_("Participants"), widths=[28, 32, 16, 14, 18, 17])
    name = slugify(session.course.title)[:40] or "training"
    day = session.first_day.strftime("%Y%m%d") if session.first_day else ""
    return Export(content, tabular.CONTENT_TYPES[fmt], f"tilts-{name}-{day}-participants.{fmt}")
