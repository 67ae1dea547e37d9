"""Events in the private calendar address (the one trainings made: /calendar/<token>.ics):
a volunteer's own events in their personal feed, a unit's events in a coordinator's unit
feed while they still see the unit — stable UIDs, Riga times, cancelled ones marked."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from events import services
from trainings import selectors as training_selectors
from trainings import services as training_services

from . import builders

HOST = settings.TILTS_BASE_URL.split("//")[-1].split("/")[0]


@pytest.fixture(autouse=True)
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def lead(olaine):
    return builders.volunteer_at(olaine, first_name="Ilze", last_name="Kalniņa", email="ilze@example.lv")


def _calendar(client, feed) -> Calendar:
    response = client.get(reverse("trainings:feed", args=[feed.token]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    return Calendar.from_ical(response.content)


def _events(calendar: Calendar) -> dict[str, object]:
    return {str(component["uid"]): component for component in calendar.walk("VEVENT")}


def test_personal_feed_carries_the_volunteers_events_when_subscribed(
    client, olaine, olaine_coordinator, lead
):
    approved = builders.approved(olaine, olaine_coordinator, lead, days=4, title="Šaha pulciņš")
    proposed = builders.proposed(olaine, lead, days=6)
    rejected = builders.proposed(olaine, lead, days=8)
    services.event_reject(actor=olaine_coordinator, event=rejected, reason="Telpa aizņemta.")
    feed = training_services.calendar_feed(user=lead.user)

    calendar = _calendar(client, feed)
    events = _events(calendar)

    assert str(calendar["x-wr-calname"]) == "My calendar · Tilts"
    assert set(events) == {f"event-{approved.pk}@{HOST}", f"event-{proposed.pk}@{HOST}"}
    component = events[f"event-{approved.pk}@{HOST}"]
    assert str(component["summary"]) == "Šaha pulciņš"
    assert str(component["status"]) == "CONFIRMED"
    assert "Olaines cietums" in str(component["location"])
    start = component.decoded("dtstart")
    assert str(start.tzinfo) == "Europe/Riga"
    assert start == timezone.localtime(approved.starts_at)
    assert (start.hour, start.minute) == (10, 0)
    assert str(events[f"event-{proposed.pk}@{HOST}"]["status"]) == "TENTATIVE"
    assert reverse("events:my_event", args=[approved.pk]) in str(component["description"])


def test_personal_feed_marks_the_event_cancelled_with_the_same_uid_when_cancelled(
    client, olaine, olaine_coordinator, lead
):
    event = builders.approved(olaine, olaine_coordinator, lead)
    feed = training_services.calendar_feed(user=lead.user)
    uid = f"event-{event.pk}@{HOST}"
    assert uid in _events(_calendar(client, feed))

    services.event_cancel(actor=olaine_coordinator, event=event, reason="Karantīna cietumā.")

    component = _events(_calendar(client, feed))[uid]
    assert str(component["status"]) == "CANCELLED"
    assert "Karantīna cietumā." in str(component["description"])


def test_personal_feed_leaves_out_other_volunteers_events_when_read(client, olaine, olaine_coordinator, lead):
    other = builders.volunteer_at(olaine, first_name="Cits", last_name="Cilvēks")
    builders.approved(olaine, olaine_coordinator, other, title="Cita pasākums")
    feed = training_services.calendar_feed(user=lead.user)

    assert _events(_calendar(client, feed)) == {}


def test_personal_feed_keeps_the_trainings_when_events_are_added(client, olaine, olaine_coordinator, lead):
    from tests.trainings import builders as training_builders

    course = training_builders.course(olaine.institution, title="Ievadapmācība")
    session = training_builders.session(olaine, olaine_coordinator, course_=course)
    training_services.registration_create(actor=lead.user, session=session, volunteer=lead)
    event = builders.approved(olaine, olaine_coordinator, lead)
    feed = training_services.calendar_feed(user=lead.user)

    uids = set(_events(_calendar(client, feed)))

    assert f"event-{event.pk}@{HOST}" in uids
    assert any(uid.startswith(f"training-{session.pk}-") for uid in uids)


def test_unit_feed_carries_the_units_events_without_volunteers_names_when_subscribed(
    client, olaine, jelgava, olaine_coordinator, jelgava_coordinator, lead
):
    event = builders.approved(olaine, olaine_coordinator, lead)
    at_jelgava = builders.volunteer_at(jelgava)
    elsewhere = builders.approved(jelgava, jelgava_coordinator, at_jelgava)
    feed = training_services.calendar_feed(user=olaine_coordinator, unit=olaine)

    response = client.get(reverse("trainings:feed", args=[feed.token]))
    calendar = Calendar.from_ical(response.content)
    events = _events(calendar)

    assert str(calendar["x-wr-calname"]) == "Olaines cietums · Trainings and events · Tilts"
    assert f"event-{event.pk}@{HOST}" in events
    assert f"event-{elsewhere.pk}@{HOST}" not in events
    assert "Kalni" not in response.content.decode()  # no volunteer's name
    assert "Adults serving a sentence (8)" in str(events[f"event-{event.pk}@{HOST}"]["description"])


def test_unit_feed_is_empty_when_the_coordinator_no_longer_sees_the_unit(
    client, olaine, olaine_coordinator, lead
):
    from institutions import permissions

    builders.approved(olaine, olaine_coordinator, lead)
    feed = training_services.calendar_feed(user=olaine_coordinator, unit=olaine)
    permissions.revoke_unit_coordinator(olaine_coordinator, olaine)
    permissions.forget_roles(olaine_coordinator)

    assert training_selectors.feed_events(training_selectors.feed_by_token(feed.token)) == []
    assert _events(_calendar(client, feed)) == {}


def test_feed_is_empty_when_the_volunteers_account_is_deactivated(client, olaine, olaine_coordinator, lead):
    builders.approved(olaine, olaine_coordinator, lead)
    feed = training_services.calendar_feed(user=lead.user)
    lead.user.is_active = False
    lead.user.save(update_fields=["is_active"])

    assert training_selectors.feed_events(training_selectors.feed_by_token(feed.token)) == []
