"""The vetting reminder, sent by the daily run of ``notifications.reminders``: the newest
cleared criminal-record check of a current application stops being valid within 30 days —
the unit's coordinators (``vetting_30``, target ``vetting:<pk>``). The kind value and the
target are the reminders' identity in the database: never change them."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date, timedelta
from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from notifications.registry import Message, ReminderSource, absolute_url, register

from .models import CURRENT_STATUSES, VettingRecord

if TYPE_CHECKING:
    from accounts.models import User

VETTING_DAYS = 30
VETTING_30 = "vetting_30"
TEMPLATE_VETTING = "volunteers/email/reminder_vetting"


def _vetting_due(today: date):
    later = VettingRecord.objects.filter(
        application=OuterRef("application"), result=VettingRecord.Result.CLEARED
    ).filter(Q(valid_until__isnull=True) | Q(valid_until__gt=OuterRef("valid_until")))
    return (
        VettingRecord.objects.filter(
            result=VettingRecord.Result.CLEARED,
            valid_until__gte=today,
            valid_until__lte=today + timedelta(days=VETTING_DAYS),
            application__status__in=CURRENT_STATUSES,
        )
        .exclude(Exists(later))
        .select_related("application__unit", "application__institution")
    )


def _vetting_messages(record: VettingRecord, coordinators: Sequence[User], today: date) -> Iterator[Message]:
    application = record.application
    url = absolute_url(("volunteers:application_detail", [application.pk]))
    context = {"record": record, "application": application, "url": url}
    for person in coordinators:
        yield Message(
            VETTING_30, f"vetting:{record.pk}", record.valid_until, person, TEMPLATE_VETTING, context
        )


register(
    ReminderSource(
        name="volunteers.vetting",
        kinds={VETTING_30: _("Vetting validity ends in 30 days")},
        templates=(TEMPLATE_VETTING,),
        due=_vetting_due,
        unit=lambda record: record.application.unit,
        messages=_vetting_messages,
    )
)
