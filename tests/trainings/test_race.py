"""Registrations under concurrency (PostgreSQL): parallel transactions — threads, each with
its own connection, started together — never fill a session beyond its places, keep the
waiting list in the order the places were decided, and give one row to a person who
registers twice at the same moment."""

import threading

import pytest
from django.conf import settings
from django.db import connection

from trainings import services
from trainings.models import Notice, Registration, RegistrationState

from . import builders

ON_POSTGRES = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        not ON_POSTGRES,
        reason="needs PostgreSQL (DATABASE_URL=postgres://…): SQLite takes one lock for the whole database, "
        "so its transactions never run in parallel and the lock on the session row is not exercised",
    ),
    pytest.mark.django_db(transaction=True),
]

REGISTERED, WAITLISTED, CANCELLED = (
    RegistrationState.REGISTERED,
    RegistrationState.WAITLISTED,
    RegistrationState.CANCELLED,
)


def _parallel(work, count: int) -> list:
    """``work(i)`` in ``count`` threads that start together; each thread has its own
    database connection, closed at the end. Returns the results; fails on any error."""
    barrier = threading.Barrier(count)
    results: list = [None] * count
    errors: list[BaseException] = []

    def target(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            results[index] = work(index)
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a thread is stuck (a deadlock?)"
    assert errors == []
    return results


def test_capacity_is_never_exceeded_when_many_register_at_once(olaine, olaine_coordinator):
    session = builders.session(olaine, olaine_coordinator, capacity=5)
    apps = [builders.applicant(olaine) for _ in range(12)]

    results = _parallel(
        lambda i: services.registration_create(
            actor=apps[i].volunteer.user, session=session, volunteer=apps[i].volunteer
        ),
        len(apps),
    )

    states = [r.state for r in results]
    assert states.count(REGISTERED) == 5
    assert states.count(WAITLISTED) == 7
    rows = Registration.objects.filter(session=session)
    assert rows.filter(state=REGISTERED).count() == 5
    assert rows.filter(state=WAITLISTED).count() == 7
    assert rows.count() == 12
    # The places were decided one at a time: every place was taken before anyone waited.
    registered = rows.filter(state=REGISTERED).values_list("created_at", flat=True)
    waiting = rows.filter(state=WAITLISTED).values_list("created_at", flat=True)
    assert max(registered) <= min(waiting)
    kinds = list(Notice.objects.values_list("kind", flat=True))
    assert sorted(kinds) == ["registered"] * 5 + ["waitlisted"] * 7
    # Each email went out once its transaction committed (tasks run in-process here).
    assert not Notice.objects.filter(sent_at__isnull=True).exists()


def test_one_row_is_made_when_the_same_person_registers_twice_at_once(olaine, olaine_coordinator):
    session = builders.session(olaine, olaine_coordinator, capacity=5)
    app = builders.applicant(olaine)

    results = _parallel(
        lambda i: services.registration_create(
            actor=app.volunteer.user if i % 2 else olaine_coordinator,
            session=session,
            volunteer=app.volunteer,
        ),
        4,
    )

    assert len({r.pk for r in results}) == 1
    registration = Registration.objects.get()
    assert registration.state == REGISTERED
    assert list(registration.notices.values_list("kind", flat=True)) == ["registered"]


def test_places_stay_full_when_cancellations_and_registrations_race(olaine, olaine_coordinator):
    session = builders.session(olaine, olaine_coordinator, capacity=3)
    first = [
        services.registration_create(actor=a.volunteer.user, session=session, volunteer=a.volunteer)
        for a in [builders.applicant(olaine) for _ in range(6)]
    ]
    holders, waiting = first[:3], first[3:]
    newcomers = [builders.applicant(olaine) for _ in range(3)]

    def work(i: int):
        if i < 3:
            return services.registration_cancel(actor=holders[i].volunteer.user, registration=holders[i])
        app = newcomers[i - 3]
        return services.registration_create(
            actor=app.volunteer.user, session=session, volunteer=app.volunteer
        )

    _parallel(work, 6)

    states = dict(Registration.objects.filter(session=session).values_list("volunteer_id", "state"))
    assert list(states.values()).count(REGISTERED) == 3
    assert {states[r.volunteer_id] for r in holders} == {CANCELLED}
    # Those who waited got the places, first come first served; the newcomers wait.
    assert {states[r.volunteer_id] for r in waiting} == {REGISTERED}
    assert {states[a.volunteer_id] for a in newcomers} == {WAITLISTED}
    assert Notice.objects.filter(kind=Notice.Kind.PROMOTED).count() == 3
