"""The agreement reminders, sent by the daily run of ``notifications.reminders``:

* an agreement in force ends within 30 days, and again within 7 days — the unit's
  coordinators and the volunteer (``ending_30``, ``ending_7``);
* an agreement generated (or sent) is still unsigned 14 days later — the coordinators
  (``unsigned_14``).

The target of each is ``agreement:<pk>``. Kind values and targets are the reminders'
identity in the database (once per kind, target, due date and recipient): never change them.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from notifications.registry import Message, ReminderSource, absolute_url, register

from .models import IN_FORCE, Agreement, Status

if TYPE_CHECKING:
    from accounts.models import User

ENDING_DAYS = 30
ENDING_SOON_DAYS = 7
UNSIGNED_DAYS = 14

ENDING_30 = "ending_30"
ENDING_7 = "ending_7"
UNSIGNED_14 = "unsigned_14"

TEMPLATE_ENDING_COORDINATOR = "agreements/email/reminder_ending_coordinator"
TEMPLATE_ENDING_VOLUNTEER = "agreements/email/reminder_ending_volunteer"
TEMPLATE_UNSIGNED = "agreements/email/reminder_unsigned"


def _target(agreement: Agreement) -> str:
    return f"agreement:{agreement.pk}"


def _coordinator_url_now(agreement: Agreement) -> str:
    return absolute_url(
        ("agreements:detail", [agreement.pk]),
        ("volunteers:application_detail", [agreement.application_id]),
    )


# Worked out only when an email is written: a run that finds its reminders already claimed
# (the second run of a day) reverses no URL for the thousands of agreements it looks at.
_coordinator_url = lazy(_coordinator_url_now, str)


_my_agreements_url = lazy(
    lambda: absolute_url(("agreements:my_agreements", []), ("volunteers:my_applications", [])), str
)


# --- Ending in 30 days, and again in 7


def _ending_due(today: date):
    return Agreement.objects.filter(
        status__in=IN_FORCE,
        end_date__gte=today,
        end_date__lte=today + timedelta(days=ENDING_DAYS),
    ).select_related("unit", "institution", "role", "volunteer__user")


def _ending_messages(agreement: Agreement, coordinators: Sequence[User], today: date) -> Iterator[Message]:
    """One reminder each: the 30-day one only while more than 7 days are left."""
    days = (agreement.end_date - today).days
    kind = ENDING_7 if days <= ENDING_SOON_DAYS else ENDING_30
    context = {"agreement": agreement, "url": _coordinator_url(agreement)}
    for person in coordinators:
        yield Message(
            kind, _target(agreement), agreement.end_date, person, TEMPLATE_ENDING_COORDINATOR, context
        )
    volunteer = agreement.volunteer
    if volunteer.anonymised_at is None:
        url = _my_agreements_url()
        yield Message(
            kind,
            _target(agreement),
            agreement.end_date,
            volunteer.user,
            TEMPLATE_ENDING_VOLUNTEER,
            {"agreement": agreement, "url": url},
        )


# --- Unsigned after 14 days


def _unsigned_due(today: date):
    # Generated on a day D (local time) is due on D + 14: before the start of today - 13.
    cutoff = timezone.make_aware(datetime.combine(today - timedelta(days=UNSIGNED_DAYS - 1), time.min))
    return Agreement.objects.filter(
        status__in=[Status.GENERATED, Status.SENT], generated_at__lt=cutoff
    ).select_related("unit", "institution", "role")


def _unsigned_messages(agreement: Agreement, coordinators: Sequence[User], today: date) -> Iterator[Message]:
    generated_on = timezone.localdate(agreement.generated_at)
    due = generated_on + timedelta(days=UNSIGNED_DAYS)
    context = {"agreement": agreement, "generated_on": generated_on, "url": _coordinator_url(agreement)}
    for person in coordinators:
        yield Message(UNSIGNED_14, _target(agreement), due, person, TEMPLATE_UNSIGNED, context)


register(
    ReminderSource(
        name="agreements.ending",
        kinds={ENDING_30: _("Agreement ends in 30 days"), ENDING_7: _("Agreement ends in 7 days")},
        templates=(TEMPLATE_ENDING_COORDINATOR, TEMPLATE_ENDING_VOLUNTEER),
        due=_ending_due,
        unit=lambda agreement: agreement.unit,
        messages=_ending_messages,
        # What the keys need: the claim pass reads only these columns of the thousands due.
        key_fields=(
            "end_date",
            "unit__institution",
            "volunteer__anonymised_at",
            "volunteer__user__email",
            "volunteer__user__is_active",
        ),
    )
)
register(
    ReminderSource(
        name="agreements.unsigned",
        kinds={UNSIGNED_14: _("Agreement unsigned for 14 days")},
        templates=(TEMPLATE_UNSIGNED,),
        due=_unsigned_due,
        unit=lambda agreement: agreement.unit,
        messages=_unsigned_messages,
        key_fields=("generated_at", "unit__institution"),
    )
)
