"""Agreement numbers under concurrency (PostgreSQL): parallel transactions — threads, each
with its own connection — take numbers with no gap and no duplicate, and a transaction
that rolls back gives its number back, also while others are waiting for it."""

import threading
import time

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from agreements import services
from agreements.models import Agreement, NumberSequence

from . import builders

ON_POSTGRES = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        not ON_POSTGRES,
        reason="needs PostgreSQL (DATABASE_URL=postgres://…): SQLite takes one lock for the whole database, "
        "so its transactions never run in parallel and the row lock on the sequence is not exercised",
    ),
    pytest.mark.django_db(transaction=True),
]

THREADS = 8
PER_THREAD = 5
YEAR = 2026


class Parallel:
    """Run ``work(thread_index)`` in THREADS threads that start together; each thread has
    its own database connection, closed at the end."""

    def __init__(self, work, threads: int = THREADS):
        self.work = work
        self.threads = threads
        self.errors: list[BaseException] = []

    def run(self) -> None:
        barrier = threading.Barrier(self.threads)

        def target(index: int) -> None:
            try:
                barrier.wait(timeout=10)
                self.work(index)
            except BaseException as error:  # reported by the test
                self.errors.append(error)
            finally:
                connection.close()

        threads = [threading.Thread(target=target, args=(i,)) for i in range(self.threads)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert not any(thread.is_alive() for thread in threads), "a thread is still waiting"
        assert self.errors == []


def _serial(number: str) -> int:
    return int(number.rsplit("-", 1)[1])


def test_parallel_transactions_take_numbers_without_gap_or_duplicate(ievp):
    taken: list[str] = []

    def work(index: int) -> None:
        for _ in range(PER_THREAD):
            with transaction.atomic():
                number = services.number_next(institution=ievp, year=YEAR)
                time.sleep(0.002)  # hold the lock a moment, so that the others queue behind it
            taken.append(number)

    Parallel(work).run()

    assert len(taken) == THREADS * PER_THREAD
    assert sorted(_serial(n) for n in taken) == list(range(1, THREADS * PER_THREAD + 1))
    assert all(n.startswith(f"IEVP-{YEAR}-") for n in taken)
    assert NumberSequence.objects.get(institution=ievp, year=YEAR).last == THREADS * PER_THREAD


def test_parallel_transactions_that_roll_back_give_their_numbers_back(ievp):
    committed: list[str] = []

    def work(index: int) -> None:
        for attempt in range(PER_THREAD):
            try:
                with transaction.atomic():
                    number = services.number_next(institution=ievp, year=YEAR)
                    time.sleep(0.002)
                    if (index + attempt) % 3 == 0:
                        raise RuntimeError("the agreement could not be stored")
            except RuntimeError:
                continue
            committed.append(number)

    Parallel(work).run()

    assert sorted(_serial(n) for n in committed) == list(range(1, len(committed) + 1))
    assert NumberSequence.objects.get(institution=ievp, year=YEAR).last == len(committed)
    assert 0 < len(committed) < THREADS * PER_THREAD


def test_rolled_back_transaction_gives_its_number_back(ievp):
    with pytest.raises(RuntimeError), transaction.atomic():
        assert services.number_next(institution=ievp, year=YEAR) == f"IEVP-{YEAR}-0001"
        raise RuntimeError("rolled back")

    with transaction.atomic():
        assert services.number_next(institution=ievp, year=YEAR) == f"IEVP-{YEAR}-0001"
    with transaction.atomic():
        assert services.number_next(institution=ievp, year=YEAR) == f"IEVP-{YEAR}-0002"


def test_parallel_generation_numbers_each_agreement_once_without_gap(olaine, olaine_coordinator, monkeypatch):
    # The PDF is not the subject here: do not render on commit.
    from documents import services as document_services

    monkeypatch.setattr(document_services, "_enqueue_render", lambda document_id: None)
    drafts = [builders.draft(olaine, olaine_coordinator) for _ in range(THREADS)]

    Parallel(
        lambda index: services.agreement_generate(actor=olaine_coordinator, agreement=drafts[index])
    ).run()

    year = timezone.localdate().year
    numbers = sorted(Agreement.objects.values_list("number", flat=True))
    assert numbers == [f"IEVP-{year}-{n:04d}" for n in range(1, THREADS + 1)]


def test_institutions_and_years_have_their_own_sequences_when_taken_in_parallel(ievp, vpd):
    taken: dict[tuple[str, int], list[str]] = {}
    lock = threading.Lock()
    plan = [(ievp, 2025), (ievp, 2026), (vpd, 2026), (vpd, 2025)]

    def work(index: int) -> None:
        institution, year = plan[index % len(plan)]
        for _ in range(PER_THREAD):
            with transaction.atomic():
                number = services.number_next(institution=institution, year=year)
            with lock:
                taken.setdefault((institution.code, year), []).append(number)

    Parallel(work).run()

    for (code, year), numbers in taken.items():
        assert all(n.startswith(f"{code}-{year}-") for n in numbers)
        assert sorted(_serial(n) for n in numbers) == list(range(1, len(numbers) + 1))
    assert set(taken) == {("IEVP", 2025), ("IEVP", 2026), ("VPD", 2026), ("VPD", 2025)}
    assert sum(len(n) for n in taken.values()) == THREADS * PER_THREAD
