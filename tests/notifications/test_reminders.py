"""The reminder run, whatever the source: each reminder once per (kind, target, due date,
recipient), in the recipient's language, even when the run goes twice, an email fails or two
workers race (PostgreSQL); sources registered by apps, their templates rendering in both
languages. The agreement and vetting sources are tested in their apps' tests."""

import threading
from datetime import timedelta
from unittest import mock

import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.utils import timezone, translation

from core import outbox
from notifications import registry, reminders, tasks
from notifications.models import Reminder
from notifications.registry import Message, ReminderSource
from tests.agreements import builders
from tests.factories import UnitFactory, UserFactory, unit_coordinator
from volunteers.models import Status as ApplicationStatus
from volunteers.models import VettingRecord

from .conftest import FAKE_KIND, FAKE_TEMPLATE

ON_POSTGRES = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


def _recipients() -> list[str]:
    return sorted(message.to[0] for message in mail.outbox)


@pytest.fixture
def today():
    return timezone.localdate()


# --- A source registered by an app (here: by the test)


def test_registered_source_sends_its_emails_once_when_run_twice(
    fake_source, olaine, olaine_coordinator, today
):
    fake_source.due = [olaine.pk]
    fake_source.also = [UserFactory(email="zane@example.lv")]

    assert reminders.reminders_send(today=today) == 2

    assert _recipients() == ["liga.ozolina@example.lv", "zane@example.lv"]
    assert {m.subject for m in mail.outbox} == {"Unit check: Olaines cietums"}
    rows = Reminder.objects.order_by("recipient")
    assert [(r.kind, r.target, r.due_date) for r in rows] == [
        (FAKE_KIND, f"unit:{olaine.pk}", today + timedelta(days=3))
    ] * 2
    assert all(r.sent_at for r in rows)
    assert [r.get_kind_display() for r in rows] == ["Unit check due"] * 2

    mail.outbox.clear()
    assert reminders.reminders_send(today=today) == 0
    assert tasks.reminders_daily.delay().get() == 0
    assert mail.outbox == []


def test_source_sends_nothing_when_unregistered(fake_source, olaine, olaine_coordinator, today):
    fake_source.due = [olaine.pk]
    registry.unregister(fake_source.source.name)

    assert reminders.reminders_send(today=today) == 0
    assert FAKE_KIND not in registry.kinds()


def test_daily_task_sends_the_reminders_when_run(fake_source, olaine, olaine_coordinator):
    fake_source.due = [olaine.pk]

    assert tasks.reminders_daily.delay().get() == 1
    assert tasks.reminders_daily.delay().get() == 0


def test_central_coordinators_are_reminded_when_the_unit_has_no_coordinator(
    fake_source, olaine, olaine_coordinator, ievp_central, today
):
    lonely = UnitFactory(institution=olaine.institution, slug="testa-cietums", name="Testa cietums")
    fake_source.due = [lonely.pk, olaine.pk]

    assert reminders.reminders_send(today=today) == 2

    sent = sorted((m.subject, m.to[0]) for m in mail.outbox)
    # A unit with its own coordinator does not bother the central office.
    assert sent == [
        ("Unit check: Olaines cietums", "liga.ozolina@example.lv"),
        ("Unit check: Testa cietums", "ilze.kalnina@example.lv"),
    ]


def test_inactive_or_addressless_person_gets_nothing_when_a_source_names_them(
    fake_source, olaine, olaine_coordinator, today
):
    gone = UserFactory(email="gone@example.lv", is_active=False)
    nameless = UserFactory(email="")
    fake_source.due = [olaine.pk]
    fake_source.also = [gone, nameless, olaine_coordinator]  # and the coordinator again

    assert reminders.reminders_send(today=today) == 1
    assert _recipients() == ["liga.ozolina@example.lv"]
    assert Reminder.objects.count() == 1


def test_each_recipient_gets_the_reminder_in_their_own_language_when_theirs_differ(
    fake_source, olaine, olaine_coordinator, today
):
    english = unit_coordinator(olaine, email="john@example.lv", first_name="John", language="en")
    fake_source.due = [olaine.pk]

    assert reminders.reminders_send(today=today) == 2

    bodies = {m.to[0]: m.body for m in mail.outbox}
    assert bodies["liga.ozolina@example.lv"].startswith("Atveriet to sistēmā „Tilts”: 3 ")
    assert bodies[english.email].startswith("Open it in Tilts: 3 ")
    assert translation.get_language() == settings.LANGUAGE_CODE


# --- Failures and claims


def test_failed_email_is_sent_by_a_later_run_once_its_row_is_old_enough(
    fake_source, olaine, olaine_coordinator, today
):
    fake_source.due = [olaine.pk]
    fake_source.also = [UserFactory(email="zane@example.lv")]
    real_send = reminders.EmailMessage.send

    def flaky(message, *args, **kwargs):
        if message.to == ["zane@example.lv"]:
            raise OSError("mail server down")
        return real_send(message, *args, **kwargs)

    with mock.patch.object(reminders.EmailMessage, "send", flaky):
        assert reminders.reminders_send(today=today) == 2  # both handed over; one email failed
    failed = Reminder.objects.get(recipient="zane@example.lv")
    assert (failed.sent_at, failed.claimed_at, failed.attempts) == (None, None, 1)
    assert failed.error == "OSError: mail server down"

    # A fresh row is the send task's to retry: a run now leaves it alone.
    assert reminders.reminders_send(today=today) == 0
    Reminder.objects.filter(pk=failed.pk).update(created_at=timezone.now() - outbox.RETRY_AFTER * 2)
    # The same due date (today + 3 from the first run's day), so the same reminder.
    assert reminders.reminders_send(today=today) == 1

    assert _recipients() == ["liga.ozolina@example.lv", "zane@example.lv"]
    assert Reminder.objects.get(pk=failed.pk).sent_at is not None
    assert reminders.reminders_send(today=today) == 0


def test_reminder_taken_by_another_run_is_not_sent_again(fake_source, olaine, olaine_coordinator, today):
    fake_source.due = [olaine.pk]
    fake_source.also = [UserFactory(email="zane@example.lv")]
    Reminder.objects.create(
        kind=FAKE_KIND,
        target=f"unit:{olaine.pk}",
        due_date=today + timedelta(days=3),
        recipient="zane@example.lv",
    )

    assert reminders.reminders_send(today=today) == 1
    assert _recipients() == ["liga.ozolina@example.lv"]


def test_other_sources_still_send_when_one_source_fails(fake_source, olaine, olaine_coordinator, today):
    fake_source.due = [olaine.pk]

    def wrong_kind(unit, coordinators, today):
        return [Message("not_registered", f"unit:{unit.pk}", today, coordinators[0], FAKE_TEMPLATE)]

    registry.register(
        ReminderSource(
            name="tests.broken",
            kinds={"test_broken": "Broken"},
            templates=(FAKE_TEMPLATE,),
            due=fake_source.source.due,
            unit=fake_source.source.unit,
            messages=wrong_kind,
        )
    )
    registry.unregister(fake_source.source.name)  # after the broken one now
    registry.register(fake_source.source)
    try:
        with pytest.raises(ImproperlyConfigured, match="not_registered"):
            reminders.reminders_send(today=today)
    finally:
        registry.unregister("tests.broken")

    assert _recipients() == ["liga.ozolina@example.lv"]  # the fake source's email went out


# --- The registry


def _source(name: str, kind: str) -> ReminderSource:
    return ReminderSource(
        name=name,
        kinds={kind: kind},
        templates=(FAKE_TEMPLATE,),
        due=lambda today: Reminder.objects.none(),
        unit=lambda obj: obj,
        messages=lambda obj, coordinators, today: [],
    )


@pytest.mark.parametrize("kind", ["ending_30", "x" * 41, ""])
def test_register_refuses_a_kind_when_taken_by_another_source_or_not_1_to_40_characters(kind):
    with pytest.raises(ImproperlyConfigured):
        registry.register(_source("tests.refused", kind))
    assert "tests.refused" not in {source.name for source in registry.sources()}


def test_kind_label_is_the_value_when_no_app_registers_the_kind():
    assert registry.kind_label("gone_kind") == "gone_kind"
    assert Reminder(kind="gone_kind").get_kind_display() == "gone_kind"


def test_every_registered_kinds_templates_render_when_in_latvian_and_english(today):
    """Every source's email templates exist and render in both languages (empty context:
    the apps' own tests render them with their objects)."""
    assert {"ending_30", "ending_7", "unsigned_14", "vetting_30"} <= set(registry.kinds())
    for source in registry.sources():
        assert source.templates, source.name
        for template in source.templates:
            rendered = {}
            for language in ("lv", "en"):
                person = UserFactory.build(
                    email=f"{language}@example.lv", first_name="Zane", language=language
                )
                for kind in source.kinds:
                    message = Message(kind, "x:1", today + timedelta(days=5), person, template)
                    subject, body = reminders.render(message, today=today)
                    assert subject and "\n" not in subject, (template, language)
                    assert body.strip() and "{%" not in body and "{{" not in body, (template, language)
                    rendered[language, kind] = body
            assert all(rendered["lv", kind] != rendered["en", kind] for kind in source.kinds), template


# --- Two workers racing (PostgreSQL)


def _vetting(application, valid_until):
    return VettingRecord.objects.create(
        application=application,
        requested_on=valid_until - timedelta(days=400),
        result_on=valid_until - timedelta(days=390),
        result=VettingRecord.Result.CLEARED,
        checked_by=UserFactory(),
        valid_until=valid_until,
    )


@pytest.mark.postgres
@pytest.mark.skipif(
    not ON_POSTGRES,
    reason="needs PostgreSQL (DATABASE_URL=postgres://…): SQLite locks the whole database for a writer, "
    "so two workers cannot race on the reminder rows",
)
@pytest.mark.django_db(transaction=True)
def test_two_workers_racing_send_exactly_one_email_per_reminder(
    olaine, olaine_coordinator, today, monkeypatch
):
    monkeypatch.setattr(reminders, "CHUNK_SIZE", 5)  # several chunks per source
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
