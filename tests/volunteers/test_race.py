"""Duplicate submissions under concurrency (PostgreSQL): the same person's application
sent several times at once — threads, each with its own connection, started together —
leaves exactly one volunteer and one open application; every other submission gets the
ordinary refusal, never a server error. The services' checks cannot see each other's
uncommitted rows; the partial unique constraints settle the race."""

import threading
from datetime import date

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection

from volunteers import services
from volunteers.models import Application, Volunteer

from ..factories import UserFactory, VolunteerFactory
from .test_personal_code import valid_code

ON_POSTGRES = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        not ON_POSTGRES,
        reason="needs PostgreSQL (DATABASE_URL=postgres://…): SQLite takes one lock for the whole database, "
        "so its transactions never run in parallel and the race past the checks never happens",
    ),
    pytest.mark.django_db(transaction=True),
]

THREADS = 6
BORN = date(1988, 6, 21)
CODE = valid_code(BORN)


def _parallel(work, count: int = THREADS) -> list:
    """``work(i)`` in ``count`` threads that start together, each with its own database
    connection (closed at the end). Returns each result or the exception it raised."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def target(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            results[index] = work(index)
        except BaseException as error:  # judged by the test
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a thread is stuck (a deadlock?)"
    return results


def _person(email: str, personal_code: str = CODE) -> services.PersonDetails:
    return services.PersonDetails(
        first_name="Elīza",
        last_name="Ozola",
        email=email,
        date_of_birth=BORN,
        phone="+371 20000000",
        address="Brīvības iela 1",
        municipality="Rīga",
        personal_code=personal_code,
    )


def _details(unit) -> services.ApplicationDetails:
    return services.ApplicationDetails(
        motivation="Gribu palīdzēt.",
        record_declaration="none",
        consent_record_check=True,
        consent_data_processing=True,
        preferred_units=[unit],
    )


def _one_won(results) -> list[ValidationError]:
    won = [r for r in results if isinstance(r, list)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(won) == 1, results
    assert len(refused) == len(results) - 1, results  # no IntegrityError, no other error
    return refused


def test_one_volunteer_and_one_application_when_a_new_person_submits_several_times_at_once(ievp, olaine):
    results = _parallel(
        lambda i: services.applications_submit(
            person=_person("eliza.ozola@example.lv"),
            details=_details(olaine),
            institutions=[ievp],
            password="garš-un-drošs-9",
        )
    )

    for refusal in _one_won(results):
        assert refusal.code in ("duplicate", "account_exists")
    assert get_user_model().objects.filter(email="eliza.ozola@example.lv").count() == 1
    assert Volunteer.objects.count() == 1
    assert Application.objects.count() == 1


def test_one_volunteer_and_one_application_when_the_same_code_comes_with_different_emails_at_once(
    ievp, olaine
):
    results = _parallel(
        lambda i: services.applications_submit(
            person=_person(f"eliza{i}@example.lv"),
            details=_details(olaine),
            institutions=[ievp],
            password="garš-un-drošs-9",
        )
    )

    for refusal in _one_won(results):
        assert refusal.code == "duplicate"
    assert Volunteer.objects.filter(personal_code=CODE).count() == 1
    assert Application.objects.count() == 1
    assert get_user_model().objects.filter(email__startswith="eliza").count() == 1  # the losers' rolled back


def test_one_open_application_when_a_signed_in_volunteer_submits_several_times_at_once(ievp, olaine):
    volunteer = VolunteerFactory(
        user=UserFactory(email="eliza.ozola@example.lv"), personal_code=CODE, date_of_birth=BORN
    )

    results = _parallel(
        lambda i: services.applications_submit(
            person=_person(volunteer.user.email),
            details=_details(olaine),
            institutions=[ievp],
            user=volunteer.user,
        )
    )

    for refusal in _one_won(results):
        assert refusal.code == "duplicate"
    assert Volunteer.objects.count() == 1
    assert Application.objects.filter(volunteer=volunteer).count() == 1
