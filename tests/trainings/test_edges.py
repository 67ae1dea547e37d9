"""Edges found in review: a started session does not promote, feeds end with the account,
bad filters do not break the list, refused marks are shown, reminders stop for people who
left, a course's kind stays once completions exist."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from notifications import reminders
from trainings import selectors, services
from trainings.models import Course, Registration, RegistrationState
from trainings.reminders import due_for_reminder
from volunteers.models import Status

from . import builders


@pytest.fixture(autouse=True)
def english_pages(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def test_waiting_list_does_not_move_when_the_session_has_started(olaine, olaine_coordinator):
    today = timezone.localdate()
    session = builders.session_row(olaine, olaine_coordinator, first=today, capacity=1)
    first, second = builders.applicant(olaine), builders.applicant(olaine)
    place = Registration.objects.create(session=session, volunteer=first.volunteer, application=first)
    waiting = Registration.objects.create(
        session=session, volunteer=second.volunteer, application=second, state=RegistrationState.WAITLISTED
    )
    services.registration_cancel(actor=olaine_coordinator, registration=place)
    waiting.refresh_from_db()
    assert waiting.state == RegistrationState.WAITLISTED


def test_feed_is_empty_when_the_account_is_deactivated(olaine, olaine_coordinator):
    session = builders.session(olaine, olaine_coordinator)
    applicant = builders.applicant(olaine)
    services.registration_create(actor=olaine_coordinator, session=session, volunteer=applicant.volunteer)
    feed = services.calendar_feed(user=applicant.volunteer.user)
    assert selectors.feed_sessions(feed) == [session]
    applicant.volunteer.user.is_active = False
    applicant.volunteer.user.save()
    feed.refresh_from_db()
    assert selectors.feed_sessions(feed) == []


@pytest.mark.parametrize("query", [{"year": "0"}, {"year": "99999"}, {"course": "9" * 30}, {"state": "x"}])
def test_sessions_list_answers_when_a_filter_is_out_of_range(client, olaine_coordinator, query):
    client.force_login(olaine_coordinator)
    assert client.get(reverse("trainings:sessions"), query).status_code == 200


def test_refused_mark_is_shown_in_the_row_when_the_day_is_in_the_future(client, olaine, olaine_coordinator):
    session = builders.session(olaine, olaine_coordinator)
    applicant = builders.applicant(olaine)
    registration = services.registration_create(
        actor=olaine_coordinator, session=session, volunteer=applicant.volunteer
    )
    day = session.days.first()
    client.force_login(olaine_coordinator)
    response = client.post(
        reverse("trainings:attendance_mark", args=[session.pk, day.pk, registration.pk]),
        {"present": "1"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200  # htmx swaps only successful answers
    assert "Attendance is marked on the day or after it." in response.text


def test_expiry_reminder_is_not_sent_when_the_person_left_the_institution(olaine, olaine_coordinator):
    today = timezone.localdate()
    applicant = builders.applicant(olaine)
    course = builders.course(olaine.institution, kind=Course.Kind.RECURRING)
    completion = builders.completion(
        applicant.volunteer,
        course,
        olaine,
        completed_on=today - timedelta(days=700),
        valid_until=today + timedelta(days=20),
    )
    assert completion in due_for_reminder(today)  # while the application is current
    applicant.status = Status.ENDED
    applicant.save(update_fields=["status"])
    assert completion not in due_for_reminder(today)
    assert reminders.reminders_send(today=today) == 0


def test_course_kind_cannot_change_when_completions_exist(olaine):
    course = builders.course(olaine.institution)
    builders.completion(builders.applicant(olaine).volunteer, course, olaine)
    course.kind, course.validity_months = Course.Kind.RECURRING, 24
    with pytest.raises(ValidationError):
        course.full_clean()
