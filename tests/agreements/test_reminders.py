"""The agreement reminders: agreements ending in 30 and 7 days (coordinators and
volunteer), unsigned after 14 days (coordinators) — once per (kind, target, due date,
recipient), in the recipient's language. The run itself (claims, races, failures) is tested
in tests/notifications; vetting in tests/volunteers."""

from datetime import timedelta
from unittest import mock

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone, translation

from agreements import reminders as agreement_reminders
from agreements.models import Status
from notifications import registry, reminders
from notifications.models import Reminder
from tests.factories import unit_coordinator

from . import builders

ENDING_30, ENDING_7, UNSIGNED_14 = "ending_30", "ending_7", "unsigned_14"


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
        (ENDING_30, f"agreement:{agreement.pk}", agreement.end_date)
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

    assert set(Reminder.objects.values_list("kind", flat=True)) == {ENDING_7}
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
    assert reminder.kind == UNSIGNED_14
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


# --- Language, query counts, registration


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


# A run with nothing left to send, over one chunk of agreements: 13 queries (one read per
# registered source among them — the due objects are one query read in chunks, no longer
# their keys and then each chunk; the events' and casework's sources find nothing here).
# Each further chunk of 10 adds one read of their reminders — nothing per agreement.
RERUN_QUERIES = 13


@pytest.mark.parametrize(("agreements", "chunks"), [(3, 1), (28, 3)])
def test_queries_stay_flat_when_there_are_more_agreements(
    olaine, olaine_coordinator, today, monkeypatch, agreements, chunks, django_assert_num_queries
):
    monkeypatch.setattr(reminders, "CHUNK_SIZE", 10)
    for n in range(agreements):
        builders.agreement_row(olaine, end=today + timedelta(days=8 + n % 20))
    reminders.reminders_send(today=today)

    with django_assert_num_queries(RERUN_QUERIES + (chunks - 1)):
        assert reminders.reminders_send(today=today) == 0


def test_agreement_kinds_keep_their_values_and_labels_when_registered():
    # The values are the identity of rows already in databases: they must never change.
    kinds = registry.kinds()
    assert {ENDING_30, ENDING_7, UNSIGNED_14} <= set(kinds)
    with translation.override("lv"):
        assert registry.kind_label(UNSIGNED_14) == "Vienošanās 14 dienas nav parakstīta"
    assert agreement_reminders.ENDING_DAYS == 30
