"""The reminders' part of a person's data (see ``core.personal_data``): which reminders
were emailed to the person, at any address of their account. A reminder names its
recipient by email address only, so erasure replaces the address."""

from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.personal_data import Erasure, Section, register

from .models import Reminder


def _addressed_to(emails) -> Q:
    matches = Q(pk__in=[])
    for email in emails:
        matches |= Q(recipient__iexact=email)
    return matches


def _export(volunteer) -> list[dict[str, Any]]:
    emails = [
        volunteer.user.email,
        *EmailAddress.objects.filter(user=volunteer.user).values_list("email", flat=True),
    ]
    sent = Reminder.objects.filter(_addressed_to(emails), sent_at__isnull=False)
    return [
        {
            "kind": r.kind,
            "kind_label": str(r.get_kind_display()),
            "due_date": r.due_date,
            "sent_at": r.sent_at,
        }
        for r in sent.order_by("sent_at", "pk")
    ]


def _erase(erasure: Erasure) -> None:
    Reminder.objects.filter(_addressed_to(erasure.emails)).update(recipient=erasure.new_email)


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
