"""The reminders' part of a person's data (see ``core.personal_data``): which reminders
were emailed to the person. A reminder names its recipient by email address only, so
erasure replaces the address."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from core.personal_data import Erasure, Section, register

from .models import Reminder


def _export(volunteer) -> list[dict[str, Any]]:
    return [
        {
            "kind": r.kind,
            "kind_label": str(r.get_kind_display()),
            "due_date": r.due_date,
            "sent_at": r.sent_at,
        }
        for r in Reminder.objects.filter(
            recipient__iexact=volunteer.user.email, sent_at__isnull=False
        ).order_by("sent_at", "pk")
    ]


def _erase(erasure: Erasure) -> None:
    Reminder.objects.filter(recipient__iexact=erasure.old_email).update(recipient=erasure.new_email)


register(
    Section(
        key="reminders",
        title=_("Reminders sent to you"),
        template="notifications/personal_data.html",
        export=_export,
        erase=_erase,
        order=85,
    )
)
