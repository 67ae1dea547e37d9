"""Every volunteer's feedback: the lead reports, and the other volunteers on an event that
has taken place leave their own short feedback on their event page — which the coordinator
reads on the event's page."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from events import services
from events.models import EventVolunteer
from institutions.models import AuditEvent

from . import builders


@pytest.fixture(autouse=True)
def english_pages(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def lead(olaine):
    return builders.volunteer_at(olaine, first_name="Ilze", last_name="Kalniņa", email="ilze.k@example.lv")


@pytest.fixture
def helper(olaine):
    return builders.volunteer_at(olaine, first_name="Rūta", last_name="Palīdze", email="ruta.p@example.lv")


@pytest.fixture
def held(olaine, olaine_coordinator, lead, helper):
    """An event of three days ago with a helper, that its lead reported (in review)."""
    event = builders.past_approved(olaine, olaine_coordinator, lead)
    event.people.create(volunteer=helper)
    services.event_report(
        actor=lead.user,
        event=event,
        held=True,
        actual_participants=6,
        hours={lead.pk: Decimal("2"), helper.pk: Decimal("2")},
        feedback="Vadītājas atsauksme.",
    )
    event.refresh_from_db()
    return event


def _feedback_of(event, volunteer) -> str:
    return EventVolunteer.objects.get(event=event, volunteer=volunteer).feedback


# --- The service


def test_event_feedback_saves_the_own_row_when_a_co_volunteer_writes_after_the_event(held, lead, helper):
    services.event_feedback(actor=helper.user, event=held, feedback="  Dalībnieki gribēja vēl.  ")

    assert _feedback_of(held, helper) == "Dalībnieki gribēja vēl."
    assert _feedback_of(held, lead) == "Vadītājas atsauksme."
    assert AuditEvent.objects.filter(action="event.feedback").count() == 1


def test_event_feedback_is_accepted_when_the_approved_event_is_over_but_not_reported(
    olaine, olaine_coordinator, lead, helper
):
    event = builders.past_approved(olaine, olaine_coordinator, lead)
    event.people.create(volunteer=helper)

    services.event_feedback(actor=helper.user, event=event, feedback="Labi.")

    assert _feedback_of(event, helper) == "Labi."


def test_event_feedback_is_refused_when_the_event_has_not_taken_place(
    olaine, olaine_coordinator, lead, helper
):
    event = builders.approved(olaine, olaine_coordinator, lead)
    event.people.create(volunteer=helper)

    with pytest.raises(ValidationError):
        services.event_feedback(actor=helper.user, event=event, feedback="Par agru.")

    assert _feedback_of(event, helper) == ""


def test_event_feedback_is_denied_when_the_person_is_not_on_the_event(olaine, held):
    outsider = builders.volunteer_at(olaine)

    with pytest.raises(PermissionDenied):
        services.event_feedback(actor=outsider.user, event=held, feedback="Es tur nebiju.")


@pytest.mark.parametrize("text", ["", "   ", "x" * (services.FEEDBACK_MAX + 1)])
def test_event_feedback_is_refused_when_the_text_is_empty_or_too_long(held, helper, text):
    with pytest.raises(ValidationError) as refused:
        services.event_feedback(actor=helper.user, event=held, feedback=text)

    assert "feedback" in refused.value.error_dict
    assert _feedback_of(held, helper) == ""


# --- The pages


def test_my_event_offers_the_feedback_form_when_a_co_volunteer_opens_a_held_event(client, held, helper):
    client.force_login(helper.user)

    response = client.get(reverse("events:my_event", args=[held.pk]))

    assert response.status_code == 200
    assert reverse("events:my_event_feedback", args=[held.pk]) in response.text


def test_my_event_offers_no_feedback_form_when_the_event_is_still_to_come(
    client, olaine, olaine_coordinator, lead, helper
):
    event = builders.approved(olaine, olaine_coordinator, lead)
    event.people.create(volunteer=helper)
    client.force_login(helper.user)

    response = client.get(reverse("events:my_event", args=[event.pk]))

    assert reverse("events:my_event_feedback", args=[event.pk]) not in response.text


def test_my_event_feedback_saves_and_the_coordinator_reads_it_when_a_co_volunteer_posts(
    client, held, helper, olaine_coordinator
):
    client.force_login(helper.user)

    response = client.post(
        reverse("events:my_event_feedback", args=[held.pk]), {"feedback-feedback": "Ļoti aktīva grupa."}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("events:my_event", args=[held.pk])
    assert _feedback_of(held, helper) == "Ļoti aktīva grupa."
    client.force_login(olaine_coordinator)
    detail = client.get(reverse("events:detail", args=[held.pk]))
    assert "Ļoti aktīva grupa." in detail.text and "Vadītājas atsauksme." in detail.text


def test_my_event_feedback_answers_400_keeping_the_text_when_it_is_too_long(client, held, helper):
    client.force_login(helper.user)
    text = "garš " * 500

    response = client.post(reverse("events:my_event_feedback", args=[held.pk]), {"feedback-feedback": text})

    assert response.status_code == 400
    assert response.context["feedback_form"].errors
    assert "garš garš" in response.text
    assert _feedback_of(held, helper) == ""


def test_my_event_feedback_answers_400_when_the_event_has_not_taken_place(
    client, olaine, olaine_coordinator, lead, helper
):
    event = builders.approved(olaine, olaine_coordinator, lead)
    event.people.create(volunteer=helper)
    client.force_login(helper.user)

    response = client.post(
        reverse("events:my_event_feedback", args=[event.pk]), {"feedback-feedback": "Agri."}
    )

    assert response.status_code == 400
    assert "after the event has taken place" in response.text


def test_my_event_feedback_answers_404_when_a_volunteer_not_on_the_event_posts(client, olaine, held):
    outsider = builders.volunteer_at(olaine)
    client.force_login(outsider.user)

    response = client.post(
        reverse("events:my_event_feedback", args=[held.pk]), {"feedback-feedback": "Sveiki."}
    )

    assert response.status_code == 404
