"""The vetting reminder: the newest cleared criminal-record check of a current application
stops being valid within 30 days — the unit's coordinators (or the institution's central
coordinators when the unit has none), once per check and validity date."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from notifications import registry
from notifications.models import Reminder
from notifications.reminders import reminders_send
from tests.factories import ApplicationFactory, UnitFactory, UserFactory, VolunteerFactory
from volunteers.models import Status, VettingRecord

VETTING_30 = "vetting_30"


@pytest.fixture
def today():
    return timezone.localdate()


def _application(unit, status=Status.ACTIVE):
    volunteer = VolunteerFactory(date_of_birth=date(1985, 5, 17))
    return ApplicationFactory(volunteer=volunteer, unit=unit, status=status)


def _vetting(application, valid_until, result=VettingRecord.Result.CLEARED):
    return VettingRecord.objects.create(
        application=application,
        requested_on=valid_until - timedelta(days=400),
        result_on=valid_until - timedelta(days=390),
        result=result,
        checked_by=UserFactory(),
        valid_until=valid_until if result == VettingRecord.Result.CLEARED else None,
    )


def test_vetting_ending_within_30_days_reminds_the_coordinators_of_the_unit(
    olaine, olaine_coordinator, today
):
    application = _application(olaine)
    record = _vetting(application, today + timedelta(days=30))

    assert reminders_send(today=today) == 1

    assert [m.to[0] for m in mail.outbox] == ["liga.ozolina@example.lv"]
    reminder = Reminder.objects.get()
    assert (reminder.kind, reminder.target, reminder.due_date) == (
        VETTING_30,
        f"vetting:{record.pk}",
        record.valid_until,
    )
    assert application.reference in mail.outbox[0].subject
    assert reverse("volunteers:application_detail", args=[application.pk]) in mail.outbox[0].body
    assert reminders_send(today=today) == 0


def test_vetting_sends_nothing_when_a_newer_check_is_valid_longer(olaine, olaine_coordinator, today):
    application = _application(olaine)
    _vetting(application, today + timedelta(days=10))
    _vetting(application, today + timedelta(days=700))

    assert reminders_send(today=today) == 0


@pytest.mark.parametrize(
    ("status", "days", "result"),
    [
        (Status.ENDED, 10, VettingRecord.Result.CLEARED),
        (Status.REJECTED, 10, VettingRecord.Result.CLEARED),
        (Status.ACTIVE, 31, VettingRecord.Result.CLEARED),
        (Status.ACTIVE, -1, VettingRecord.Result.CLEARED),
        (Status.ACTIVE, 10, VettingRecord.Result.NOT_CLEARED),
    ],
)
def test_vetting_sends_nothing_when_not_current_or_not_ending_soon(
    olaine, olaine_coordinator, today, status, days, result
):
    _vetting(_application(olaine, status=status), today + timedelta(days=days), result=result)

    assert reminders_send(today=today) == 0


def test_vetting_reminds_the_central_coordinators_when_the_unit_has_no_coordinator(
    olaine, olaine_coordinator, ievp_central, today
):
    lonely = UnitFactory(institution=olaine.institution, slug="testa-cietums", name="Testa cietums")
    application = _application(lonely, status=Status.TRAINING)
    _vetting(application, today + timedelta(days=12))

    assert reminders_send(today=today) == 1
    assert [m.to[0] for m in mail.outbox] == ["ilze.kalnina@example.lv"]


def test_vetting_kind_keeps_its_value_when_registered():
    # The value is the identity of rows already in databases: it must never change.
    assert VETTING_30 in registry.kinds()
