"""The reminder run in two steps: the claim pass inserts the day's reminders in bulk and
hands them to send tasks, in a number of queries that does not grow with the reminders; the
send task claims each row (``core.outbox``) so that every reminder goes out once however
often the pass or the task run."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from core import outbox
from notifications import reminders, tasks
from notifications.models import Reminder
from tests.factories import UserFactory

from .conftest import FAKE_KIND


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def handed(monkeypatch):
    """The send tasks the claim pass queues, kept instead of run."""
    queued = []
    monkeypatch.setattr(reminders, "_hand_over", lambda *args: queued.append(args))
    return queued


def _people(count: int) -> list:
    return [UserFactory(email=f"zane{n}@example.lv") for n in range(count)]


# Every other registered source (agreements, vetting, trainings, events, casework …) reads
# the keys of its due objects once and finds none.
def _other_sources() -> int:
    return len(reminders.registry.sources()) - 1


# The unit's coordinators (institutions.permissions.coordinators_by_unit): four reads.
COORDINATORS = 4
# The fake source's chunk: the due objects (one query read in chunks; it was two, the keys
# and then the chunk by its keys), the coordinators, its reminders, the bulk INSERT and the
# read-back of the rows this run created.
CLAIM_QUERIES = 4 + COORDINATORS
# A second run the same day: the due objects, the coordinators and its reminders (was 3 +).
RECLAIM_QUERIES = 2 + COORDINATORS
# A send task: the claim UPDATE, the claimed rows, the source's objects and their
# coordinators; then one UPDATE per email, marking it sent as soon as it is out (a worker
# killed mid-batch resends nothing that went out).
SEND_QUERIES = 3 + COORDINATORS


@pytest.mark.parametrize("count", [10, 50])
def test_claim_pass_takes_the_same_queries_when_10_or_50_reminders_are_due(
    fake_source, olaine, olaine_coordinator, today, handed, count, django_assert_num_queries
):
    fake_source.due = [olaine.pk]
    fake_source.also = _people(count)

    with django_assert_num_queries(_other_sources() + CLAIM_QUERIES):
        assert reminders.reminders_send(today=today) == count + 1
    with django_assert_num_queries(_other_sources() + RECLAIM_QUERIES):
        assert reminders.reminders_send(today=today) == 0

    assert mail.outbox == []  # the pass sends nothing itself
    [(source, day, objects, ids)] = handed
    assert (source, day, objects) == ("tests.units", today.isoformat(), [olaine.pk])
    assert sorted(ids) == sorted(Reminder.objects.values_list("pk", flat=True))
    assert Reminder.objects.filter(kind=FAKE_KIND, sent_at=None, claimed_at=None).count() == count + 1


def test_claim_pass_creates_each_reminder_once_when_run_twice(
    fake_source, olaine, olaine_coordinator, today, handed
):
    fake_source.due = [olaine.pk]
    fake_source.also = [*_people(3), olaine_coordinator]  # the coordinator twice: one reminder

    assert reminders.reminders_send(today=today) == 4
    assert reminders.reminders_send(today=today) == 0

    assert len(handed) == 1
    rows = Reminder.objects.values_list("kind", "target", "due_date", "recipient")
    assert len(rows) == len(set(rows)) == 4


def test_claim_pass_hands_over_in_batches_when_there_are_more_reminders_than_a_task_takes(
    fake_source, olaine, olaine_coordinator, today, handed, monkeypatch
):
    monkeypatch.setattr(reminders, "SEND_BATCH", 3)
    monkeypatch.setattr(reminders, "CHUNK_SIZE", 1)
    jelgava_like = type(olaine).objects.create(institution=olaine.institution, slug="otra", name="Otra")
    fake_source.due = [olaine.pk, jelgava_like.pk]
    fake_source.also = _people(4)

    assert reminders.reminders_send(today=today) == 5 + 4  # olaine: coordinator + 4; the other: 4

    ids = [pk for *_, batch in handed for pk in batch]
    assert sorted(ids) == sorted(Reminder.objects.values_list("pk", flat=True))
    # An object's reminders stay in one task, even past the batch size.
    assert [objects for _, _, objects, _ in handed] == [[olaine.pk], [jelgava_like.pk]]


@pytest.mark.parametrize("count", [10, 50])
def test_send_task_sends_each_reminder_once_when_run_twice(
    fake_source, olaine, olaine_coordinator, today, handed, count, django_assert_num_queries
):
    fake_source.due = [olaine.pk]
    fake_source.also = _people(count)
    reminders.reminders_send(today=today)
    [args] = handed

    with django_assert_num_queries(SEND_QUERIES + count + 1):
        assert reminders.reminders_deliver(*args) == count + 1
    with django_assert_num_queries(2):  # the claim finds every row sent
        assert reminders.reminders_deliver(*args) == 0

    assert len(mail.outbox) == count + 1
    assert len({m.to[0] for m in mail.outbox}) == count + 1
    assert not Reminder.objects.filter(sent_at=None).exists()
    assert set(Reminder.objects.values_list("attempts", flat=True)) == {1}
    assert reminders.reminders_send(today=today) == 0


def test_send_task_runs_the_claimed_batch_when_queued_by_the_daily_task(
    fake_source, olaine, olaine_coordinator
):
    fake_source.due = [olaine.pk]
    fake_source.also = _people(2)

    assert tasks.reminders_daily.delay().get() == 3  # in-process tasks: the send task ran too

    assert len(mail.outbox) == 3
    assert not Reminder.objects.filter(sent_at=None).exists()


def test_send_task_releases_a_reminder_unsent_when_its_object_is_no_longer_due(
    fake_source, olaine, olaine_coordinator, today, handed
):
    fake_source.due = [olaine.pk]
    reminders.reminders_send(today=today)
    fake_source.due = []  # e.g. the agreement was signed before the task ran

    assert reminders.reminders_deliver(*handed[0]) == 0

    reminder = Reminder.objects.get()
    assert (reminder.sent_at, reminder.claimed_at, reminder.error) == (None, None, reminders.NO_LONGER_DUE)
    assert mail.outbox == []


def test_reminders_wait_for_the_next_run_when_the_broker_is_down(
    fake_source, olaine, olaine_coordinator, today, monkeypatch
):
    fake_source.due = [olaine.pk]

    def down(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(tasks.reminders_deliver, "apply_async", down)
    assert reminders.reminders_send(today=today) == 1  # claimed; its task could not be queued
    assert mail.outbox == []
    monkeypatch.undo()

    assert reminders.reminders_send(today=today) == 0  # a fresh row: its task may still come
    Reminder.objects.update(created_at=timezone.now() - outbox.RETRY_AFTER - timedelta(minutes=1))
    assert reminders.reminders_send(today=today) == 1
    assert [m.to[0] for m in mail.outbox] == [olaine_coordinator.email]
    assert reminders.reminders_send(today=today) == 0


def test_reminder_held_by_a_sender_is_not_handed_over_again_when_the_next_run_comes(
    fake_source, olaine, olaine_coordinator, today, handed
):
    fake_source.due = [olaine.pk]
    reminders.reminders_send(today=today)
    old = timezone.now() - outbox.RETRY_AFTER * 2
    Reminder.objects.update(created_at=old, claimed_at=timezone.now())  # a sender at work

    assert reminders.reminders_send(today=today) == 0

    Reminder.objects.update(claimed_at=timezone.now() - outbox.CLAIM_STALE_AFTER * 2)  # it died
    assert reminders.reminders_send(today=today) == 1
