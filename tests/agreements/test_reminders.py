"""The daily reminders: agreements ending in 30 and 7 days (coordinators and volunteer),
unsigned after 14 days (coordinators), vetting validity ending in 30 days (coordinators) —
each once per (kind, target, due date, recipient), in the recipient's language, even when
the job runs twice or two workers race (PostgreSQL)."""

import threading
from datetime import timedelta
from unittest import mock

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from agreements import reminders, tasks
from agreements.models import Reminder, Status
from tests.factories import UnitFactory, unit_coordinator
from volunteers.models import Status as ApplicationStatus
from volunteers.models import VettingRecord

from . import builders

ON_POSTGRES = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


def _sent() -> list[tuple[str, str]]:
    return sorted((message.to[0], message.subject) for message in mail.outbox)


def _recipients() -> list[str]:
    return sorted(message.to[0] for message in mail.outbox)


@pytest.fixture
def today():
    return timezone.localdate()


# --- Agreements ending


def test_ending_within_30_days_reminds_the_coordinators_and_the_volunteer_once(
    olaine, olaine_coordinator, today
):
    agreement = builders.agreement_row(olaine, end=today + timedelta(days=20), email="zane@example.lv")

    assert reminders.reminders_send(today=today) == 2

    assert _recipients() == ["liga.ozolina@example.lv", "zane@example.lv"]
    assert all(agreement.number in m.subject for m in mail.outbox)
    rows = Reminder.objects.order_by("recipient")
    assert [(r.kind, r.target, r.due_date) for r in rows] == [
        (Reminder.Kind.ENDING_30, f"agreement:{agreement.pk}", agreement.end_date)
    ] * 2
    assert all(r.sent_at for r in rows)

    mail.outbox.clear()
    assert reminders.reminders_send(today=today) == 0
    assert reminders.reminders_send(today=today + timedelta(days=1)) == 0
    assert mail.outbox == []


def test_ending_within_7_days_sends_only_the_7_day_reminder_when_first_seen(
    olaine, olaine_coordinator, today
):
    builders.agreement_row(olaine, end=today + timedelta(days=5), number="IEVP-2026-0007")

    assert reminders.reminders_send(today=today) == 2

    assert set(Reminder.objects.values_list("kind", flat=True)) == {Reminder.Kind.ENDING_7}
    assert all("IEVP-2026-0007" in m.subject for m in mail.outbox)


def test_ending_reminds_again_at_7_days_when_the_30_day_reminder_went_out_before(
    olaine, olaine_coordinator, today
):
    agreement = builders.agreement_row(olaine, end=today + timedelta(days=25))

    assert reminders.reminders_send(today=today) == 2
    assert reminders.reminders_send(today=agreement.end_date - timedelta(days=8)) == 0
    assert reminders.reminders_send(today=agreement.end_date - timedelta(days=7)) == 2
    assert reminders.reminders_send(today=agreement.end_date - timedelta(days=3)) == 0

    kinds = sorted(Reminder.objects.values_list("kind", "recipient"))
    assert [k for k, _ in kinds] == ["ending_30", "ending_30", "ending_7", "ending_7"]


@pytest.mark.parametrize(
    ("status", "days"),
    [
        (Status.ACTIVE, 31),
        (Status.ACTIVE, -1),
        (Status.ENDED, 10),
        (Status.DRAFT, 10),
    ],
)
def test_ending_sends_nothing_when_not_in_force_or_outside_the_30_days(
    olaine, olaine_coordinator, today, status, days
):
    start = today - timedelta(days=100)
    builders.agreement_row(
        olaine, status=status, start=start, end=today + timedelta(days=days), generated_at=timezone.now()
    )

    assert reminders.reminders_send(today=today) == 0
    assert mail.outbox == []
    assert not Reminder.objects.exists()


def test_signed_agreement_in_force_is_reminded_too_when_it_ends_soon(olaine, olaine_coordinator, today):
    builders.agreement_row(olaine, status=Status.SIGNED, end=today + timedelta(days=15))

    assert reminders.reminders_send(today=today) == 2


def test_anonymised_volunteer_gets_no_reminder_when_the_agreement_ends(olaine, olaine_coordinator, today):
    agreement = builders.agreement_row(olaine, end=today + timedelta(days=15), email="anon@example.lv")
    agreement.volunteer.anonymised_at = timezone.now()
    agreement.volunteer.save()

    assert reminders.reminders_send(today=today) == 1
    assert _recipients() == ["liga.ozolina@example.lv"]


# --- Unsigned


def test_unsigned_after_14_days_reminds_the_coordinators_only(olaine, olaine_coordinator, today):
    generated = timezone.now() - timedelta(days=14)
    agreement = builders.agreement_row(
        olaine,
        status=Status.SENT,
        start=today + timedelta(days=5),
        generated_at=generated,
        number="IEVP-2026-0003",
        email="zane@example.lv",
    )

    assert reminders.reminders_send(today=today) == 1

    assert _recipients() == ["liga.ozolina@example.lv"]
    reminder = Reminder.objects.get()
    assert reminder.kind == Reminder.Kind.UNSIGNED_14
    assert reminder.target == f"agreement:{agreement.pk}"
    assert reminder.due_date == timezone.localdate(generated) + timedelta(days=14)
    assert "IEVP-2026-0003" in mail.outbox[0].subject
    assert reminders.reminders_send(today=today + timedelta(days=3)) == 0


@pytest.mark.parametrize(
    ("status", "days"), [(Status.GENERATED, 13), (Status.SIGNED, 30), (Status.DRAFT, 30)]
)
def test_unsigned_sends_nothing_when_younger_than_14_days_or_signed(
    olaine, olaine_coordinator, today, status, days
):
    builders.agreement_row(
        olaine,
        status=status,
        start=today + timedelta(days=60),
        generated_at=timezone.now() - timedelta(days=days),
    )

    assert reminders.reminders_send(today=today) == 0
    assert not Reminder.objects.exists()


# --- Vetting


def _vetting(application, valid_until, result=VettingRecord.Result.CLEARED):
    return VettingRecord.objects.create(
        application=application,
        requested_on=valid_until - timedelta(days=400),
        result_on=valid_until - timedelta(days=390),
        result=result,
        checked_by=builders.UserFactory(),
        valid_until=valid_until if result == VettingRecord.Result.CLEARED else None,
    )


def test_vetting_ending_within_30_days_reminds_the_coordinators_of_the_unit(
    olaine, olaine_coordinator, today
):
    application = builders.application(olaine, status=ApplicationStatus.ACTIVE, email="zane@example.lv")
    record = _vetting(application, today + timedelta(days=30))

    assert reminders.reminders_send(today=today) == 1

    assert _recipients() == ["liga.ozolina@example.lv"]
    reminder = Reminder.objects.get()
    assert (reminder.kind, reminder.target, reminder.due_date) == (
        Reminder.Kind.VETTING_30,
        f"vetting:{record.pk}",
        record.valid_until,
    )
    assert application.reference in mail.outbox[0].subject
    assert reminders.reminders_send(today=today) == 0


def test_vetting_sends_nothing_when_a_newer_check_is_valid_longer(olaine, olaine_coordinator, today):
    application = builders.application(olaine, status=ApplicationStatus.ACTIVE)
    _vetting(application, today + timedelta(days=10))
    _vetting(application, today + timedelta(days=700))

    assert reminders.reminders_send(today=today) == 0


@pytest.mark.parametrize(
    ("status", "days", "result"),
    [
        (ApplicationStatus.ENDED, 10, VettingRecord.Result.CLEARED),
        (ApplicationStatus.REJECTED, 10, VettingRecord.Result.CLEARED),
        (ApplicationStatus.ACTIVE, 31, VettingRecord.Result.CLEARED),
        (ApplicationStatus.ACTIVE, -1, VettingRecord.Result.CLEARED),
        (ApplicationStatus.ACTIVE, 10, VettingRecord.Result.NOT_CLEARED),
    ],
)
def test_vetting_sends_nothing_when_not_current_or_not_ending_soon(
    olaine, olaine_coordinator, today, status, days, result
):
    application = builders.application(olaine, status=status)
    _vetting(application, today + timedelta(days=days), result=result)

    assert reminders.reminders_send(today=today) == 0


def test_central_coordinators_are_reminded_when_the_unit_has_no_coordinator(
    olaine, olaine_coordinator, ievp_central, today
):
    lonely = UnitFactory(institution=olaine.institution, slug="testa-cietums", name="Testa cietums")
    application = builders.application(lonely, status=ApplicationStatus.TRAINING)
    _vetting(application, today + timedelta(days=12))
    builders.agreement_row(olaine, end=today + timedelta(days=12), email="zane@example.lv")

    reminders.reminders_send(today=today)

    vetting = [m.to[0] for m in mail.outbox if application.reference in m.subject]
    assert vetting == ["ilze.kalnina@example.lv"]
    # A unit with its own coordinator does not bother the central office.
    assert "ilze.kalnina@example.lv" not in [
        m.to[0] for m in mail.outbox if application.reference not in m.subject
    ]


# --- Language, failures, claims


def test_each_recipient_gets_the_reminder_in_their_own_language(olaine, olaine_coordinator, today):
    english = unit_coordinator(
        olaine, email="john@example.lv", first_name="John", last_name="Smith", language="en"
    )
    builders.agreement_row(olaine, end=today + timedelta(days=20), email="zane@example.lv", language="en")
    languages = {}
    real = reminders.render_to_string

    def spy(name, context):
        languages.setdefault(context["person"].email, set()).add(translation.get_language())
        return real(name, context)

    with mock.patch.object(reminders, "render_to_string", spy):
        assert reminders.reminders_send(today=today) == 3

    assert languages == {"liga.ozolina@example.lv": {"lv"}, english.email: {"en"}, "zane@example.lv": {"en"}}
    bodies = {m.to[0]: m.body for m in mail.outbox}
    # The role's name and the link's label come from the catalogue in each language.
    assert "Līdzgaitnieks" in bodies["liga.ozolina@example.lv"]
    assert "Atveriet to sistēmā" in bodies["liga.ozolina@example.lv"]
    assert "Mentor" in bodies[english.email]
    assert "Open it in Tilts" in bodies[english.email]
    assert translation.get_language() == settings.LANGUAGE_CODE


def test_failed_email_is_sent_by_a_later_run_once_its_claim_is_stale(olaine, olaine_coordinator, today):
    builders.agreement_row(olaine, end=today + timedelta(days=20), email="zane@example.lv")
    real_send = reminders.EmailMessage.send

    def flaky(message, *args, **kwargs):
        if message.to == ["zane@example.lv"]:
            raise OSError("mail server down")
        return real_send(message, *args, **kwargs)

    with mock.patch.object(reminders.EmailMessage, "send", flaky):
        assert reminders.reminders_send(today=today) == 1
    failed = Reminder.objects.get(recipient="zane@example.lv")
    assert failed.sent_at is None

    # A fresh claim is someone else's send in progress: left alone.
    assert reminders.reminders_send(today=today) == 0
    Reminder.objects.filter(pk=failed.pk).update(created_at=timezone.now() - reminders.CLAIM_STALE_AFTER * 2)
    assert reminders.reminders_send(today=today + timedelta(days=1)) == 1

    assert _recipients() == ["liga.ozolina@example.lv", "zane@example.lv"]
    assert Reminder.objects.get(pk=failed.pk).sent_at is not None
    assert reminders.reminders_send(today=today + timedelta(days=2)) == 0


def test_reminder_taken_by_another_run_is_not_sent_again(olaine, olaine_coordinator, today):
    agreement = builders.agreement_row(olaine, end=today + timedelta(days=20), email="zane@example.lv")
    Reminder.objects.create(
        kind=Reminder.Kind.ENDING_30,
        target=f"agreement:{agreement.pk}",
        due_date=agreement.end_date,
        recipient="zane@example.lv",
    )

    assert reminders.reminders_send(today=today) == 1
    assert _recipients() == ["liga.ozolina@example.lv"]


def test_daily_task_sends_the_reminders_when_run(olaine, olaine_coordinator, today):
    builders.agreement_row(olaine, end=timezone.localdate() + timedelta(days=3))

    assert tasks.reminders_daily.delay().get() == 2  # the coordinator and the volunteer
    assert tasks.reminders_daily.delay().get() == 0


def test_queries_stay_flat_when_there_are_more_agreements(olaine, olaine_coordinator, today, monkeypatch):
    monkeypatch.setattr(reminders, "CHUNK_SIZE", 10)

    def second_run_queries(count: int) -> int:
        for n in range(count):
            builders.agreement_row(olaine, end=today + timedelta(days=8 + n % 20))
        reminders.reminders_send(today=today)
        with CaptureQueriesContext(connection) as queries:
            assert reminders.reminders_send(today=today) == 0
        return len(queries)

    few = second_run_queries(3)
    many = second_run_queries(25)
    # 28 agreements are two more chunks of 10: one read of the agreements and one of their
    # reminders each — nothing per agreement.
    assert many - few == 2 * 2
    assert few <= 12


# --- Two workers racing (PostgreSQL)


@pytest.mark.postgres
@pytest.mark.skipif(
    not ON_POSTGRES,
    reason="needs PostgreSQL (DATABASE_URL=postgres://…): SQLite locks the whole database for a writer, "
    "so two workers cannot race on the reminder rows",
)
@pytest.mark.django_db(transaction=True)
def test_two_workers_racing_send_exactly_one_email_per_reminder(olaine, olaine_coordinator, today):
    jelgava_like = UnitFactory(
        institution=olaine.institution, slug="jelgavas-cietums-2", name="Jelgavas cietums"
    )
    unit_coordinator(jelgava_like, email="andris@example.lv")
    for n in range(12):
        builders.agreement_row(olaine if n % 2 else jelgava_like, end=today + timedelta(days=3 + n))
    for n in range(4):
        app = builders.application(olaine, status=ApplicationStatus.ACTIVE)
        _vetting(app, today + timedelta(days=5 + n))
    start = threading.Barrier(2)
    results, errors = [], []

    def worker():
        try:
            start.wait(timeout=10)
            results.append(reminders.reminders_send(today=today))
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    expected = 12 * 2 + 4  # each agreement: its unit's coordinator and the volunteer; vetting: coordinator
    assert sum(results) == expected
    assert len(mail.outbox) == expected
    keys = [(m.to[0], m.subject) for m in mail.outbox]
    assert len(set(keys)) == expected
    assert Reminder.objects.count() == expected
    assert not Reminder.objects.filter(sent_at__isnull=True).exists()
