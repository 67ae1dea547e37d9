"""The trainings' part of erasing a person: places given up, waiting list moves up,
calendar address gone, notes gone, certificates revoked; completions stay anonymous."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from documents.models import Document
from privacy import services as privacy_services
from tests.factories import ApplicationFactory, VolunteerFactory
from trainings import services
from trainings.models import CalendarFeed, Completion, Registration, RegistrationState
from volunteers.models import Role, Status

from . import builders


@pytest.fixture
def sports(ievp):
    return Role.objects.get_or_create(institution=ievp, code=Role.Code.SPORTS)[0]


def _applicant(unit, role):
    volunteer = VolunteerFactory()
    application = ApplicationFactory(volunteer=volunteer, unit=unit, status=Status.TRAINING)
    application.roles.set([role])
    return application


def test_erasure_gives_up_the_place_and_promotes_the_next_when_the_person_is_anonymised(
    olaine, olaine_coordinator, sports
):
    course = builders.course(olaine.institution, roles=[sports])
    session = builders.session(olaine, olaine_coordinator, course_=course, capacity=1)
    first, second = _applicant(olaine, sports), _applicant(olaine, sports)
    place = services.registration_create(actor=olaine_coordinator, session=session, volunteer=first.volunteer)
    waiting = services.registration_create(
        actor=olaine_coordinator, session=session, volunteer=second.volunteer
    )
    services.calendar_feed(user=first.volunteer.user)
    old = builders.completion(first.volunteer, course, olaine, note="Biedrība „Jānis Bērziņš”")
    Document.objects.create(
        kind="training_certificate",
        unit=olaine,
        content_type=ContentType.objects.get_for_model(Completion),
        object_id=old.pk,
        version=1,
    )

    privacy_services.volunteer_anonymise(volunteer=first.volunteer, actor=olaine_coordinator)

    place.refresh_from_db()
    waiting.refresh_from_db()
    old.refresh_from_db()
    assert place.state == RegistrationState.CANCELLED
    assert waiting.state == RegistrationState.REGISTERED
    assert not CalendarFeed.objects.filter(user=first.volunteer.user).exists()
    assert old.note == ""
    assert Completion.objects.filter(pk=old.pk).exists()
    assert all(
        d.revoked_at is not None
        for d in Document.objects.filter(object_id=old.pk, kind="training_certificate")
    )


def test_erasure_keeps_past_sessions_as_they_were_when_the_session_is_over(
    olaine, olaine_coordinator, sports
):
    course = builders.course(olaine.institution, roles=[sports])
    past = builders.session_row(
        olaine, olaine_coordinator, course_=course, first=timezone.localdate() - timedelta(days=30)
    )
    applicant = _applicant(olaine, sports)
    registration = Registration.objects.create(session=past, volunteer=applicant.volunteer)
    privacy_services.volunteer_anonymise(volunteer=applicant.volunteer, actor=olaine_coordinator)
    registration.refresh_from_db()
    assert registration.state == RegistrationState.REGISTERED
