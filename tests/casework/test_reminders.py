"""Casework reminders through the shared daily run: a pair's and a circle's review every
three months (the supervising officer and the unit's coordinators), a circle past 18 months
(the coordinators), a mediator certificate 60 and 30 days before it expires (the mediator and
the coordinators) — each exactly once."""

from datetime import timedelta

from dateutil.relativedelta import relativedelta
from django.core import mail
from django.utils import timezone

from casework import services
from casework.models import Circle, MentoringPair
from casework.reminders import CERT_30, CERT_60, CIRCLE_LONG, REVIEW_CIRCLE, REVIEW_PAIR
from notifications import reminders
from notifications.models import Reminder

from . import builders

TODAY = timezone.localdate


def _recipients(kind):
    return sorted(Reminder.objects.filter(kind=kind).values_list("recipient", flat=True))


def _supervised_by(subject, officer):
    client = subject.client
    client.officer = officer
    client.save(update_fields=["officer"])


def test_pair_review_reminds_the_officer_and_coordinators_once_every_three_months(
    vpd_department, vpd_coordinator, vpd_central
):
    pair = builders.pair(vpd_department, vpd_coordinator, starts_on=TODAY() - timedelta(days=100))
    _supervised_by(pair, vpd_central)
    today = TODAY()

    reminders.reminders_send(today=today)

    assert _recipients(REVIEW_PAIR) == sorted([vpd_coordinator.email, vpd_central.email])
    row = Reminder.objects.filter(kind=REVIEW_PAIR).first()
    assert (row.target, row.due_date) == (
        f"mentoringpair:{pair.pk}",
        pair.starts_on + relativedelta(months=3),
    )
    sent = len(mail.outbox)
    reminders.reminders_send(today=today)
    reminders.reminders_send(today=today + timedelta(days=1))
    assert len(mail.outbox) == sent  # exactly once

    # Reviewed today: the next one is due in three months, reminded a week before.
    services.review_record(actor=vpd_central, pair=pair, reviewed_on=today, note="Turpināt.")
    next_due = today + relativedelta(months=3)
    reminders.reminders_send(today=next_due - timedelta(days=8))
    assert Reminder.objects.filter(kind=REVIEW_PAIR).count() == 2
    reminders.reminders_send(today=next_due - timedelta(days=7))
    assert set(Reminder.objects.filter(kind=REVIEW_PAIR).values_list("due_date", flat=True)) == {
        pair.starts_on + relativedelta(months=3),
        next_due,
    }
    assert Reminder.objects.filter(kind=REVIEW_PAIR).count() == 4


def test_no_pair_review_reminder_when_young_or_ended(vpd_department, vpd_coordinator):
    builders.pair(vpd_department, vpd_coordinator, starts_on=TODAY() - timedelta(days=30))
    ended = builders.pair(vpd_department, vpd_coordinator, starts_on=TODAY() - timedelta(days=100))
    services.pair_end(actor=vpd_coordinator, pair=ended, ended_on=TODAY(), reason="Mērķi sasniegti.")

    reminders.reminders_send(today=TODAY())

    assert not Reminder.objects.filter(kind=REVIEW_PAIR).exists()
    assert MentoringPair.objects.count() == 2


def test_circle_review_reminds_the_officer_and_coordinators_once(
    vpd_department, vpd_coordinator, vpd_central
):
    circle, _members = builders.circle(vpd_department, vpd_coordinator)
    Circle.objects.filter(pk=circle.pk).update(active_from=TODAY() - timedelta(days=95))
    _supervised_by(circle, vpd_central)

    reminders.reminders_send(today=TODAY())
    reminders.reminders_send(today=TODAY())

    assert _recipients(REVIEW_CIRCLE) == sorted([vpd_coordinator.email, vpd_central.email])
    assert {r.target for r in Reminder.objects.filter(kind=REVIEW_CIRCLE)} == {f"circle:{circle.pk}"}
    assert not Reminder.objects.filter(kind=CIRCLE_LONG).exists()


def test_circle_past_eighteen_months_warns_the_coordinators_once(
    vpd_department, vpd_coordinator, vpd_central
):
    circle, _members = builders.circle(vpd_department, vpd_coordinator)
    _supervised_by(circle, vpd_central)
    started = TODAY() - relativedelta(months=18)
    Circle.objects.filter(pk=circle.pk).update(active_from=started + timedelta(days=7))
    reminders.reminders_send(today=TODAY())
    assert not Reminder.objects.filter(kind=CIRCLE_LONG).exists()  # a week short of 18 months

    Circle.objects.filter(pk=circle.pk).update(active_from=started)
    reminders.reminders_send(today=TODAY())
    reminders.reminders_send(today=TODAY() + timedelta(days=1))

    rows = Reminder.objects.filter(kind=CIRCLE_LONG)
    assert [r.recipient for r in rows] == [vpd_coordinator.email]  # the coordinators, not the officer
    assert rows.get().due_date == TODAY()


def test_mediator_certificate_reminds_the_mediator_and_coordinators_at_60_and_30_days(
    vpd_department, vpd_coordinator
):
    today = TODAY()
    mediator = builders.mediator(
        vpd_department, vpd_coordinator, valid_until=today + timedelta(days=45), email="starpnieks@example.lv"
    )

    reminders.reminders_send(today=today)
    reminders.reminders_send(today=today + timedelta(days=1))
    assert _recipients(CERT_60) == sorted(["starpnieks@example.lv", vpd_coordinator.email])
    assert not Reminder.objects.filter(kind=CERT_30).exists()

    reminders.reminders_send(today=today + timedelta(days=15))
    reminders.reminders_send(today=today + timedelta(days=16))
    assert _recipients(CERT_30) == sorted(["starpnieks@example.lv", vpd_coordinator.email])
    certificate = builders.certificate_of(mediator)
    assert {r.target for r in Reminder.objects.all()} == {f"mediator_certificate:{certificate.pk}"}
    assert Reminder.objects.count() == 4


def test_no_certificate_reminder_when_annulled_or_far_off(vpd_department, vpd_coordinator):
    far = builders.mediator(vpd_department, vpd_coordinator, valid_until=TODAY() + timedelta(days=61))
    annulled = builders.mediator(vpd_department, vpd_coordinator, valid_until=TODAY() + timedelta(days=20))
    services.certificate_annul(
        actor=vpd_coordinator,
        certificate=builders.certificate_of(annulled),
        annulled_on=TODAY(),
        reason="Anulēts.",
    )

    reminders.reminders_send(today=TODAY())

    assert not Reminder.objects.filter(kind__in=[CERT_60, CERT_30]).exists()
    assert far.mediator_certificates.count() == 1
