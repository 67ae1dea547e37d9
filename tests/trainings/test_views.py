"""The training pages, as coordinators, readers and volunteers meet them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from tests.factories import ApplicationFactory, VolunteerFactory
from trainings import services
from trainings.models import Attendance, Completion, Registration, RegistrationState, SessionState
from volunteers.models import Role, Status

from . import builders


@pytest.fixture(autouse=True)
def english_pages(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def sports(ievp):
    return Role.objects.get_or_create(institution=ievp, code=Role.Code.SPORTS)[0]


@pytest.fixture
def induction(ievp, sports):
    return builders.course(ievp, roles=[sports], title="Ievadapmācība", hours=16)


@pytest.fixture
def session(olaine, olaine_coordinator, induction):
    return builders.session(olaine, olaine_coordinator, course_=induction, capacity=2)


def _applicant(unit, role, status=Status.TRAINING, **user):
    volunteer = VolunteerFactory(**{f"user__{k}": v for k, v in user.items()})
    application = ApplicationFactory(volunteer=volunteer, unit=unit, status=status)
    application.roles.set([role])
    return application


def test_sessions_list_shows_upcoming_sessions_when_coordinator_opens_it(client, session, olaine_coordinator):
    client.force_login(olaine_coordinator)
    response = client.get(reverse("trainings:sessions"))
    assert response.status_code == 200
    assert "Ievadapmācība" in response.text


def test_session_is_created_when_the_form_is_valid(client, olaine, olaine_coordinator, induction):
    client.force_login(olaine_coordinator)
    day = timezone.localdate() + timedelta(days=20)
    response = client.post(
        reverse("trainings:session_create"),
        {
            "course": induction.pk,
            "unit": olaine.pk,
            "place": "Olaines cietums, mācību klase",
            "capacity": "30",
            "open_now": "on",
            "days-TOTAL_FORMS": "2",
            "days-INITIAL_FORMS": "0",
            "days-0-date": day.isoformat(),
            "days-0-starts_at": "10:00",
            "days-0-ends_at": "16:00",
            "days-1-date": "",
        },
    )
    assert response.status_code == 302, response.text[:2000]
    created = olaine.training_sessions.get()
    assert created.state == SessionState.OPEN
    assert created.first_day == day


def test_session_form_keeps_everything_typed_when_a_day_ends_before_it_starts(
    client, olaine, olaine_coordinator, induction
):
    client.force_login(olaine_coordinator)
    day = timezone.localdate() + timedelta(days=20)
    response = client.post(
        reverse("trainings:session_create"),
        {
            "course": induction.pk,
            "unit": olaine.pk,
            "place": "Klase 12",
            "capacity": "0",
            "days-TOTAL_FORMS": "1",
            "days-INITIAL_FORMS": "0",
            "days-0-date": day.isoformat(),
            "days-0-starts_at": "16:00",
            "days-0-ends_at": "10:00",
        },
    )
    assert response.status_code == 400
    assert "Klase 12" in response.text
    assert day.isoformat() in response.text
    assert not olaine.training_sessions.exists()


def test_session_detail_and_attendance_render_when_people_are_registered(
    client, session, olaine, olaine_coordinator, sports
):
    for n in range(3):
        application = _applicant(olaine, sports, first_name=f"Dalībnieks{n}")
        services.registration_create(
            actor=olaine_coordinator, session=session, volunteer=application.volunteer
        )
    client.force_login(olaine_coordinator)
    response = client.get(reverse("trainings:session_detail", args=[session.pk]))
    assert response.status_code == 200
    assert "Dalībnieks0" in response.text
    assert "waiting, no. 1" in response.text
    day = session.days.first()
    response = client.get(reverse("trainings:attendance", args=[session.pk, day.pk]))
    assert response.status_code == 200
    assert "Dalībnieks1" in response.text


def test_attendance_row_is_saved_when_marked_with_htmx(client, olaine, olaine_coordinator, induction, sports):
    today = timezone.localdate()
    past = builders.session_row(
        olaine, olaine_coordinator, course_=induction, first=today - timedelta(days=1)
    )
    application = _applicant(olaine, sports, first_name="Anna")
    registration = Registration.objects.create(
        session=past, volunteer=application.volunteer, application=application
    )
    day = past.days.first()
    client.force_login(olaine_coordinator)
    response = client.post(
        reverse("trainings:attendance_mark", args=[past.pk, day.pk, registration.pk]),
        {"present": "1"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert 'aria-pressed="true"' in response.text
    assert Attendance.objects.get(registration=registration, day=day).present is True


def test_completion_moves_the_application_when_the_session_is_completed(
    client, olaine, olaine_coordinator, induction, sports
):
    today = timezone.localdate()
    past = builders.session_row(
        olaine, olaine_coordinator, course_=induction, first=today - timedelta(days=2)
    )
    application = _applicant(olaine, sports, first_name="Anna")
    registration = Registration.objects.create(
        session=past, volunteer=application.volunteer, application=application
    )
    for day in past.days.all():
        Attendance.objects.create(registration=registration, day=day, present=True)
    client.force_login(olaine_coordinator)
    response = client.post(reverse("trainings:session_complete", args=[past.pk]))
    assert response.status_code == 302
    completion = Completion.objects.get(volunteer=application.volunteer)
    application.refresh_from_db()
    assert application.status == Status.AGREEMENT
    assert client.get(reverse("trainings:completion_detail", args=[completion.pk])).status_code == 200
    assert client.get(reverse("volunteers:application_detail", args=[application.pk])).status_code == 200


def test_volunteer_registers_when_a_session_is_open(client, session, olaine, sports):
    application = _applicant(olaine, sports, first_name="Jānis")
    client.force_login(application.volunteer.user)
    page = client.get(reverse("trainings:my_trainings"))
    assert page.status_code == 200
    assert "Ievadapmācība" in page.text
    response = client.post(reverse("trainings:my_register", args=[session.pk]))
    assert response.status_code == 302
    registration = Registration.objects.get(volunteer=application.volunteer)
    assert registration.state == RegistrationState.REGISTERED
    assert client.get(reverse("trainings:my_trainings")).status_code == 200


def test_participants_export_neutralises_formulas_when_downloaded(
    client, session, olaine, olaine_coordinator, sports
):
    application = _applicant(olaine, sports, first_name="=HYPERLINK(1)")
    services.registration_create(actor=olaine_coordinator, session=session, volunteer=application.volunteer)
    client.force_login(olaine_coordinator)
    for fmt in ("csv", "xlsx"):
        response = client.get(reverse("trainings:participants_export", args=[session.pk, fmt]))
        assert response.status_code == 200
    csv = client.get(reverse("trainings:participants_export", args=[session.pk, "csv"])).getvalue().decode()
    assert "'=HYPERLINK(1)" in csv


def test_feed_lists_the_volunteers_sessions_when_the_token_is_known(client, session, olaine, sports):
    application = _applicant(olaine, sports, first_name="Jānis")
    services.registration_create(
        actor=application.volunteer.user, session=session, volunteer=application.volunteer
    )
    feed = services.calendar_feed(user=application.volunteer.user)
    response = client.get(reverse("trainings:feed", args=[feed.token]))
    assert response.status_code == 200
    assert b"BEGIN:VEVENT" in response.content
    services.calendar_feed_reset(user=application.volunteer.user)
    assert client.get(reverse("trainings:feed", args=[feed.token])).status_code == 404


def test_inbox_offers_enrolment_when_the_training_tab_is_open(
    client, session, olaine, olaine_coordinator, sports
):
    application = _applicant(olaine, sports, first_name="Jānis")
    client.force_login(olaine_coordinator)
    response = client.get(reverse("volunteers:inbox"), {"status": "training"})
    assert response.status_code == 200
    assert 'id="enrol-form"' in response.text
    response = client.post(
        reverse("trainings:inbox_enrol"), {"session": session.pk, "applications": [application.pk]}
    )
    assert response.status_code == 302
    assert Registration.objects.filter(session=session, volunteer=application.volunteer).exists()


def test_calendar_page_gives_a_unit_address_when_asked(client, olaine, olaine_coordinator):
    client.force_login(olaine_coordinator)
    assert client.get(reverse("trainings:calendar")).status_code == 200
    client.post(reverse("trainings:calendar_create"), {"unit": olaine.slug})
    assert "/calendar/" in client.get(reverse("trainings:calendar")).text


def test_completion_form_records_an_outside_training_when_a_note_is_given(
    client, olaine, olaine_coordinator, induction, sports
):
    application = _applicant(olaine, sports)
    client.force_login(olaine_coordinator)
    url = reverse("trainings:completion_create", args=[application.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"course": induction.pk, "completed_on": timezone.localdate().isoformat(), "note": ""}
    )
    assert response.status_code == 400
    response = client.post(
        url,
        {
            "course": induction.pk,
            "completed_on": timezone.localdate().isoformat(),
            "note": "Biedrība X, 2025",
        },
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Status.AGREEMENT


def test_inbox_flags_the_volunteer_when_a_recurring_training_has_expired(
    client, olaine, olaine_coordinator, sports
):
    application = _applicant(olaine, sports, status=Status.ACTIVE, first_name="Ilze")
    child_rights = builders.course(olaine.institution, roles=[sports], kind="recurring", validity_months=24)
    today = timezone.localdate()
    builders.completion(
        application.volunteer,
        child_rights,
        olaine,
        completed_on=today - timedelta(days=800),
        valid_until=today - timedelta(days=70),
    )
    client.force_login(olaine_coordinator)
    assert "training expired" in client.get(reverse("volunteers:inbox")).text
    builders.completion(application.volunteer, child_rights, olaine, completed_on=today - timedelta(days=1))
    assert "training expired" not in client.get(reverse("volunteers:inbox")).text
