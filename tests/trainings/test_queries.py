"""The training pages run a fixed number of queries, whatever the number of rows: the
same exact count for a small and a large cohort (or list).

Every signed-in request costs 7 queries before the view runs: the session and the user
(2), and the user-session tracking (a savepoint, a look-up, the user, an update, a
release: 5). The person's roles take 3 more (once per request). The rest is noted with
each count."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from trainings import services
from trainings.models import Attendance, RegistrationState
from volunteers.models import Role
from volunteers.models import Status as ApplicationStatus

from . import builders

# The session with its course, unit and counts; its days; the day; the sheet: 4 (+ 1: the
# user; the session and the roles come from the cache).
ATTENDANCE_QUERIES = 5
# The list: counts per tab, the page count, the units, the courses, the page of sessions and
# their days: 6 (+ 1). A central coordinator also sees the yearly figures: 3 more.
SESSIONS_QUERIES = {"olaine_coordinator": 7, "ievp_central": 10}
# The session and its days (2); the registrations with people and applications, their
# attendance, the completions (3) (+ 1); upcoming only: the enrolment form, whether
# anyone can be enrolled and who (2).
DETAIL_QUERIES = {"upcoming": 8, "past": 6}
# The volunteer; completions and their documents (2); the calendar address; registrations,
# their days and the waiting-list places (3); the institutions (2), the open sessions and
# their days (2): 11 (+ 1: the user); the menu: the volunteer (1).
MY_TRAININGS_QUERIES = 13


@pytest.fixture(autouse=True)
def english_pages(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def sports(ievp):
    return builders.role(ievp, Role.Code.SPORTS)


def _warm(client, url) -> None:
    """The first request after signing in starts the user-session row (not counted)."""
    assert client.get(url).status_code == 200


def _session_with(unit, coordinator, people: int, *, past: bool, roles=()):
    """A session with ``people`` registered (and a few waiting and cancelled); a past one
    has everyone's attendance marked on its days and completions for some."""
    today = timezone.localdate()
    if past:
        session = builders.session_row(unit, coordinator, first=today - timedelta(days=3), days=3)
    else:
        session = builders.session(unit, coordinator, capacity=people, days=3)
    registered = builders.cohort(session, people, roles=roles)
    builders.cohort(session, 2, roles=roles, state=RegistrationState.WAITLISTED)
    builders.cohort(session, 2, roles=roles, state=RegistrationState.CANCELLED)
    if past:
        days = list(session.days.all())
        Attendance.objects.bulk_create(
            Attendance(registration=registration, day=day, present=(index + n) % 3 != 0)
            for index, registration in enumerate(registered)
            for n, day in enumerate(days)
        )
        for registration in registered[::4]:
            builders.completion(
                registration.volunteer,
                session.course,
                unit,
                session=session,
                source="attendance",
                completed_on=session.last_day,
            )
    return session


@pytest.mark.parametrize("people", [5, 50])
def test_attendance_page_runs_the_same_queries_when_the_cohort_grows(
    client, olaine, olaine_coordinator, sports, people, django_assert_num_queries
):
    session = _session_with(olaine, olaine_coordinator, people, past=True, roles=[sports])
    day = session.days.all()[1]
    url = reverse("trainings:attendance", args=[session.pk, day.pk])
    client.force_login(olaine_coordinator)
    _warm(client, url)
    with django_assert_num_queries(ATTENDANCE_QUERIES):
        response = client.get(url)
    assert response.status_code == 200
    # Everyone is marked on the day: one pressed button per row; two in three are present.
    assert response.text.count('aria-pressed="true"') == people
    assert response.text.count("badge text-bg-success") == sum(1 for i in range(people) if (i + 1) % 3)


@pytest.mark.parametrize("count", [3, 30])
@pytest.mark.parametrize("reader", ["olaine_coordinator", "ievp_central"])
def test_sessions_list_runs_the_same_queries_when_sessions_multiply(
    client, request, olaine, jelgava, olaine_coordinator, sports, count, reader, django_assert_num_queries
):
    today = timezone.localdate()
    for index in range(count):
        session = builders.session(
            olaine if index % 3 else jelgava,
            olaine_coordinator if index % 3 else request.getfixturevalue("ievp_central"),
            first=today + timedelta(days=7 + index),
            days=1 + index % 3,
            capacity=2,
        )
        builders.cohort(session, 2, roles=[sports])
        builders.cohort(session, index % 2, roles=[sports], state=RegistrationState.WAITLISTED)
    client.force_login(request.getfixturevalue(reader))
    url = reverse("trainings:sessions")
    _warm(client, url)
    with django_assert_num_queries(SESSIONS_QUERIES[reader]):
        response = client.get(url)
    assert response.status_code == 200
    assert "waiting" in response.text


@pytest.mark.parametrize("people", [5, 50])
@pytest.mark.parametrize("when", ["upcoming", "past"])
def test_session_page_runs_the_same_queries_when_the_cohort_grows(
    client, olaine, olaine_coordinator, sports, people, when, django_assert_num_queries
):
    session = _session_with(olaine, olaine_coordinator, people, past=when == "past", roles=[sports])
    waiting_applicant = builders.applicant(olaine, roles=[sports])
    url = reverse("trainings:session_detail", args=[session.pk])
    client.force_login(olaine_coordinator)
    _warm(client, url)
    with django_assert_num_queries(DETAIL_QUERIES[when]):
        response = client.get(url)
    assert response.status_code == 200
    assert "waiting, no. 2" in response.text
    assert (waiting_applicant.reference in response.text) is (when == "upcoming")


@pytest.mark.parametrize("sessions", [1, 6])
def test_my_trainings_runs_the_same_queries_when_registrations_multiply(
    client,
    ievp,
    olaine,
    jelgava,
    olaine_coordinator,
    jelgava_coordinator,
    sports,
    sessions,
    django_assert_num_queries,
    django_capture_on_commit_callbacks,
):
    application = builders.applicant(olaine, roles=[sports], status=ApplicationStatus.TRAINING)
    volunteer = application.volunteer
    today = timezone.localdate()
    for index in range(sessions):
        # A full session the volunteer waits for, behind someone else.
        full = builders.session(
            olaine, olaine_coordinator, first=today + timedelta(days=10 + index), capacity=1
        )
        builders.cohort(full, 1, roles=[sports])
        builders.cohort(full, 1, roles=[sports], state=RegistrationState.WAITLISTED)
        builders.registration_row(
            full, volunteer, state=RegistrationState.WAITLISTED, application=application
        )
        # One the volunteer holds a place in, and one still open to them (at another unit).
        mine = builders.session(olaine, olaine_coordinator, first=today + timedelta(days=20 + index))
        services.registration_create(actor=volunteer.user, session=mine, volunteer=volunteer)
        builders.session(jelgava, jelgava_coordinator, first=today + timedelta(days=30 + index))
        # A completion with its certificate made (tasks run eagerly in tests).
        with django_capture_on_commit_callbacks(execute=True):
            completion = services.completion_record(
                actor=olaine_coordinator,
                application=application,
                course=builders.course(ievp, title=f"Kurss {index}"),
                completed_on=today - timedelta(days=index),
                note="Ārējā apmācība",
            )
        assert completion.documents.filter(state="done").exists()
    services.calendar_feed(user=volunteer.user)
    client.force_login(volunteer.user)
    url = reverse("trainings:my_trainings")
    _warm(client, url)
    with django_assert_num_queries(MY_TRAININGS_QUERIES):
        response = client.get(url)
    assert response.status_code == 200
    assert response.text.count("Waiting list, no. 2") == sessions
    assert response.text.count("Certificate (PDF)") == sessions
    # The Jelgava sessions are open to the volunteer (an IeVP applicant).
    assert response.text.count("Jelgavas cietums") == sessions
