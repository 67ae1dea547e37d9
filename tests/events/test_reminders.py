"""The unreported-event reminder: two days after an approved event ended without a report,
the unit's coordinators and the lead volunteer are reminded — once."""

from datetime import timedelta

from django.core import mail
from django.utils import timezone

from events.models import Event, EventState
from events.reminders import UNREPORTED
from notifications import reminders
from notifications.models import Reminder

from . import builders


def _event_mail():
    return [
        m
        for m in mail.outbox
        if "Report the event" in m.subject or "Ziņojiet" in m.subject or "pasākum" in m.subject
    ]


def test_unreported_event_reminds_the_coordinators_and_the_lead_once_when_two_days_have_passed(
    olaine, olaine_coordinator
):
    lead = builders.volunteer_at(olaine, email="lead@example.lv")
    event = builders.past_approved(olaine, olaine_coordinator, lead, days_ago=2)
    today = timezone.localdate()

    reminders.reminders_send(today=today)

    rows = Reminder.objects.filter(kind=UNREPORTED)
    assert sorted(rows.values_list("recipient", flat=True)) == sorted(
        ["lead@example.lv", olaine_coordinator.email]
    )
    assert {r.target for r in rows} == {f"event:{event.pk}"}
    assert {r.due_date for r in rows} == {timezone.localtime(event.ends_at).date() + timedelta(days=2)}
    sent = len(mail.outbox)
    reminders.reminders_send(today=today)
    reminders.reminders_send(today=today + timedelta(days=1))
    assert len(mail.outbox) == sent  # exactly once
    assert Reminder.objects.filter(kind=UNREPORTED).count() == 2


def test_no_reminder_when_the_event_ended_yesterday_or_was_reported(olaine, olaine_coordinator):
    lead = builders.volunteer_at(olaine)
    builders.past_approved(olaine, olaine_coordinator, lead, days_ago=1)
    reported = builders.past_approved(olaine, olaine_coordinator, lead, days_ago=4)
    Event.objects.filter(pk=reported.pk).update(state=EventState.REPORTED)

    reminders.reminders_send(today=timezone.localdate())

    assert not Reminder.objects.filter(kind=UNREPORTED).exists()
