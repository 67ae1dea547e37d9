"""Recurring trainings: a completion of a recurring course (child rights: every 24 months)
expires in 60 days, and again in 30 — the volunteer and the coordinators of the unit that
recorded it are reminded (``expiring_60``, ``expiring_30``), unless it has been renewed.

The target is ``completion:<pk>``; kinds and targets are the reminders' identity in the
database: never change them.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date, timedelta
from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from notifications.registry import Message, ReminderSource, absolute_url, register

from .models import Completion, Course

if TYPE_CHECKING:
    from accounts.models import User

EXPIRING_DAYS = 60
EXPIRING_SOON_DAYS = 30
EXPIRING_60 = "training_expiring_60"
EXPIRING_30 = "training_expiring_30"
TEMPLATE_COORDINATOR = "trainings/email/reminder_expiring_coordinator"
TEMPLATE_VOLUNTEER = "trainings/email/reminder_expiring_volunteer"


def _still_with_the_institution() -> Q:
    """A current application or an agreement in force with the course's institution: people
    who left are not reminded."""
    from agreements.models import IN_FORCE, Agreement
    from volunteers.models import CURRENT_STATUSES, Application

    volunteer, institution = OuterRef("volunteer"), OuterRef("course__institution")
    return Q(
        Exists(
            Application.objects.filter(
                volunteer=volunteer, institution=institution, status__in=CURRENT_STATUSES
            )
        )
    ) | Q(Exists(Agreement.objects.filter(volunteer=volunteer, institution=institution, status__in=IN_FORCE)))


def due_for_reminder(today: date):
    """Completions whose expiry reminder is due on ``today`` (the coordinators' to-dos count
    the same)."""
    later = Completion.objects.filter(
        volunteer=OuterRef("volunteer"), course=OuterRef("course"), revoked_at__isnull=True
    ).filter(Q(valid_until__isnull=True) | Q(valid_until__gt=OuterRef("valid_until")))
    return (
        Completion.objects.filter(
            course__kind=Course.Kind.RECURRING,
            course__is_active=True,
            revoked_at__isnull=True,
            valid_until__gte=today,
            valid_until__lte=today + timedelta(days=EXPIRING_DAYS),
            volunteer__anonymised_at__isnull=True,
        )
        .filter(~Exists(later))
        .filter(_still_with_the_institution())
        .select_related("course", "unit__institution", "volunteer__user")
    )


def _messages(completion: Completion, coordinators: Sequence[User], today: date) -> Iterator[Message]:
    days = (completion.valid_until - today).days
    kind = EXPIRING_30 if days <= EXPIRING_SOON_DAYS else EXPIRING_60
    target = f"completion:{completion.pk}"
    staff_url = absolute_url(("trainings:completion_detail", [completion.pk]))
    for person in coordinators:
        yield Message(
            kind,
            target,
            completion.valid_until,
            person,
            TEMPLATE_COORDINATOR,
            {"completion": completion, "url": staff_url},
        )
    yield Message(
        kind,
        target,
        completion.valid_until,
        completion.volunteer.user,
        TEMPLATE_VOLUNTEER,
        {"completion": completion, "url": absolute_url(("trainings:my_trainings", []))},
    )


register(
    ReminderSource(
        name="trainings.expiring",
        kinds={
            EXPIRING_60: _("Training expires in 60 days"),
            EXPIRING_30: _("Training expires in 30 days"),
        },
        templates=(TEMPLATE_COORDINATOR, TEMPLATE_VOLUNTEER),
        due=due_for_reminder,
        unit=lambda completion: completion.unit,
        messages=_messages,
    )
)
