"""Emails about an event's steps: one per person told, in that person's language, sent
once after the commit; a lost one is queued again by the sweeper."""

from datetime import timedelta

from django.core import mail
from django.utils import timezone

from events import services
from events.models import EventNotice

from . import builders


def test_step_email_goes_to_each_person_in_their_language_when_the_event_is_approved(
    olaine, olaine_coordinator, django_capture_on_commit_callbacks
):
    lead = builders.volunteer_at(olaine, email="lead@example.lv", language="en")
    helper = builders.volunteer_at(olaine, email="helper@example.lv")
    with django_capture_on_commit_callbacks(execute=True):
        event = services.event_propose(
            actor=lead.user, unit=olaine, details=builders.details(olaine), others=[helper]
        )
    assert [m.to for m in mail.outbox] == [[olaine_coordinator.email]]
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.event_approve(actor=olaine_coordinator, event=event)

    by_address = {m.to[0]: m for m in mail.outbox}
    assert set(by_address) == {"lead@example.lv", "helper@example.lv"}
    assert "Approved" in by_address["lead@example.lv"].subject
    assert "Apstiprināts" in by_address["helper@example.lv"].subject
    assert f"/me/events/{event.pk}/" in by_address["lead@example.lv"].body
    assert all(n.sent_at for n in EventNotice.objects.all())


def test_sweeper_queues_an_unsent_notice_again_when_it_was_lost(olaine, olaine_coordinator):
    lead = builders.volunteer_at(olaine)
    builders.proposed(olaine, lead)  # on_commit never runs in the test transaction: not sent
    notice = EventNotice.objects.get()
    EventNotice.objects.filter(pk=notice.pk).update(created_at=timezone.now() - timedelta(minutes=30))

    assert services.notices_requeue_unsent() == [notice.pk]
    assert services.notice_send(notice_id=notice.pk) is True
    assert services.notice_send(notice_id=notice.pk) is False  # once
    assert len(mail.outbox) == 1
