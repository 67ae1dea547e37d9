"""Smaller page reviews: whom a volunteer may name on their event (only people they know;
a coordinator chooses from everyone), the izziņa that would certify 0 hours, the pending
hours on the work queue, the unit calendar's subscription link, and the volunteer's
calendar's query count."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from events import selectors, services
from events.models import Event, HoursRecord, HoursState

from . import builders


@pytest.fixture(autouse=True)
def english_pages(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def lead(olaine):
    return builders.volunteer_at(olaine, first_name="Ilze", last_name="Kalniņa", email="ilze.k@example.lv")


@pytest.fixture
def colleague(olaine, olaine_coordinator, lead):
    """A volunteer at Olaine who held an event with the lead before."""
    colleague = builders.volunteer_at(olaine, first_name="Kārlis", last_name="Kolēģis")
    together = builders.past_approved(olaine, olaine_coordinator, lead, days_ago=30)
    together.people.create(volunteer=colleague)
    return colleague


@pytest.fixture
def unknown(olaine):
    """A volunteer with an agreement at Olaine whom the lead has never been on an event with."""
    return builders.volunteer_at(olaine, first_name="Svens", last_name="Svešinieks")


def _form(unit, **overrides) -> dict:
    day = timezone.localdate() + timedelta(days=10)
    data = {
        "unit": unit.pk,
        "title": "Galda spēļu vakars",
        "field": builders.field(unit).pk,
        "activity_type": builders.activity().pk,
        "description": "Galda spēles.",
        "day": day.strftime("%d.%m.%Y"),
        "start_time": "10:00",
        "end_time": "12:00",
        "place": "Bibliotēka",
        "expected_participants": "8",
        "target_group": "adults",
        "items": "",
        "repeat": "",
        "count": "",
    }
    data.update(overrides)
    return data


# --- Whom a volunteer may name


def test_co_volunteer_choices_list_only_known_colleagues_with_an_agreement_when_a_volunteer_proposes(
    olaine,
    jelgava,
    olaine_coordinator,
    jelgava_coordinator,
    lead,
    colleague,
    unknown,
    django_assert_num_queries,
):
    ended = builders.volunteer_at(olaine, end=timezone.localdate() - timedelta(days=1))
    old = builders.past_approved(olaine, olaine_coordinator, lead, days_ago=200)
    old.people.create(volunteer=ended)
    # Met at Jelgava, not at Olaine (an agreement at Olaine too): not a choice at Olaine.
    met_elsewhere = builders.volunteer_at(olaine, first_name="Jānis", last_name="Jelgavnieks")
    at_jelgava = builders.past_approved(jelgava, jelgava_coordinator, builders.volunteer_at(jelgava))
    at_jelgava.people.create(volunteer=met_elsewhere)
    at_jelgava.people.create(volunteer=lead)

    with django_assert_num_queries(1):
        choices = list(selectors.co_volunteer_choices(lead, olaine))

    # Not the unknown one, the lead, one whose agreement ended, nor one met at another unit.
    assert choices == [colleague]


def test_co_volunteer_choices_keep_the_people_already_on_the_event_when_it_is_changed(
    olaine, lead, colleague, unknown
):
    event = builders.proposed(olaine, lead)
    event.people.create(volunteer=unknown)  # put there by the coordinator

    choices = set(selectors.co_volunteer_choices(lead, olaine, event=event))

    assert choices == {colleague, unknown}


def test_propose_form_lists_only_known_colleagues_when_a_volunteer_opens_it(
    client, olaine, lead, colleague, unknown
):
    client.force_login(lead.user)

    response = client.get(reverse("events:propose"))

    assert response.status_code == 200
    assert "Kārlis Kolēģis" in response.text
    assert "Svens Svešinieks" not in response.text
    assert "the coordinator can add others" in response.text


def test_propose_answers_400_keeping_the_input_when_an_unknown_volunteer_is_posted(
    client, olaine, lead, unknown
):
    client.force_login(lead.user)

    response = client.post(
        reverse("events:propose"), _form(olaine, volunteers=[unknown.pk], title="Mans vakars")
    )

    assert response.status_code == 400
    assert response.context["form"].errors["volunteers"]
    assert "Mans vakars" in response.text
    assert "Svens Svešinieks" not in response.text
    assert not Event.objects.filter(title="Mans vakars").exists()


def test_propose_names_a_known_colleague_when_posted(client, olaine, lead, colleague):
    client.force_login(lead.user)

    response = client.post(reverse("events:propose"), _form(olaine, volunteers=[colleague.pk], title="Kopā"))

    assert response.status_code == 302
    event = Event.objects.get(title="Kopā")
    assert set(event.people.values_list("volunteer", flat=True)) == {lead.pk, colleague.pk}


def test_coordinator_form_lists_every_volunteer_with_an_agreement_when_a_coordinator_opens_it(
    client, olaine, olaine_coordinator, lead, colleague, unknown
):
    client.force_login(olaine_coordinator)

    response = client.get(reverse("events:new"), {"unit": olaine.slug})

    assert response.status_code == 200
    assert "Kārlis Kolēģis" in response.text and "Svens Svešinieks" in response.text


# --- An izziņa of 0 hours


@pytest.fixture
def certificate_request(olaine, lead):
    today = timezone.localdate()
    return services.certificate_request(
        actor=lead.user, unit=olaine, period_start=today - timedelta(days=60), period_end=today
    )


def test_certificate_detail_warns_before_issuing_when_it_would_certify_zero_hours(
    client, olaine_coordinator, certificate_request
):
    client.force_login(olaine_coordinator)

    response = client.get(reverse("events:certificate_detail", args=[certificate_request.pk]))

    assert response.status_code == 200
    assert response.context["preview_hours"] == Decimal("0")
    assert "No approved hours in this period" in response.text
    assert 'aria-describedby="no-hours-warning"' in response.text
    assert reverse("events:hours") in response.text


def test_certificate_detail_shows_the_hours_the_issue_then_fixes_when_hours_are_approved(
    client, olaine, olaine_coordinator, lead, certificate_request
):
    event = builders.past_approved(olaine, olaine_coordinator, lead, days_ago=5)
    services.event_report(
        actor=olaine_coordinator,
        event=event,
        held=True,
        actual_participants=5,
        hours={lead.pk: Decimal("1.5")},
    )
    pending = builders.past_approved(olaine, olaine_coordinator, lead, days_ago=4)
    services.event_report(
        actor=lead.user, event=pending, held=True, actual_participants=5, hours={lead.pk: Decimal("2")}
    )
    assert HoursRecord.objects.filter(state=HoursState.PENDING).count() == 1
    client.force_login(olaine_coordinator)

    response = client.get(reverse("events:certificate_detail", args=[certificate_request.pk]))

    assert response.context["preview_hours"] == Decimal("1.5")  # the pending 2 hours are not counted
    assert "No approved hours in this period" not in response.text
    issued = services.certificate_issue(actor=olaine_coordinator, certificate=certificate_request)
    assert issued.total_hours == response.context["preview_hours"]


def test_certificate_detail_shows_no_preview_when_the_certificate_is_issued(
    client, olaine_coordinator, certificate_request
):
    services.certificate_issue(actor=olaine_coordinator, certificate=certificate_request)
    client.force_login(olaine_coordinator)

    response = client.get(reverse("events:certificate_detail", args=[certificate_request.pk]))

    assert response.context["preview_hours"] is None
    assert "No approved hours in this period" not in response.text


# --- The work queue and the calendar


def test_queue_shows_the_pending_hours_with_a_link_when_hours_wait(client, olaine, olaine_coordinator, lead):
    for days_ago in (2, 3):
        event = builders.past_approved(olaine, olaine_coordinator, lead, days_ago=days_ago)
        services.event_report(
            actor=lead.user, event=event, held=True, actual_participants=3, hours={lead.pk: Decimal("1")}
        )
    client.force_login(olaine_coordinator)

    response = client.get(reverse("events:queue"))

    assert response.context["queue"].counts["hours"] == 2
    assert f'href="{reverse("events:hours")}"' in response.text
    assert "hours records to approve" in response.text


def test_queue_counts_no_pending_hours_of_another_unit_when_its_coordinator_opens_it(
    client, olaine, olaine_coordinator, jelgava_coordinator, lead
):
    event = builders.past_approved(olaine, olaine_coordinator, lead)
    services.event_report(
        actor=lead.user, event=event, held=True, actual_participants=3, hours={lead.pk: Decimal("1")}
    )
    client.force_login(jelgava_coordinator)

    response = client.get(reverse("events:queue"))

    assert response.context["queue"].counts["hours"] == 0


def test_calendar_links_the_calendar_subscription_page_when_a_coordinator_opens_it(
    client, olaine_coordinator
):
    client.force_login(olaine_coordinator)

    response = client.get(reverse("events:calendar"))

    assert response.status_code == 200
    assert f'href="{reverse("trainings:calendar")}"' in response.text


# --- The volunteer's calendar


def _next_month() -> date:
    today = timezone.localdate()
    return date(today.year + (today.month == 12), today.month % 12 + 1, 1)


# The user (1; the session and the navigation's roles come from the cache), the volunteer
# profile (1), the events with their people (2), the calendar address (1), and the
# navigation's word for the agreements (1) (institutions.context_processors).
MY_CALENDAR_QUERIES = 6


@pytest.mark.parametrize("count", [3, 30])
def test_my_calendar_runs_the_same_queries_when_events_multiply(
    client, olaine, olaine_coordinator, lead, count, django_assert_num_queries
):
    first = _next_month()
    offset = (first - timezone.localdate()).days
    other = builders.volunteer_at(olaine)
    for index in range(count):
        start = builders.at(offset + index % 27, hour=9 + index % 8)
        if index % 2:
            builders.proposed(olaine, lead, starts_at=start, title=f"Kalendārs {index}")
        else:
            event = builders.approved(
                olaine, olaine_coordinator, other, starts_at=start, title=f"Kalendārs {index}"
            )
            event.people.create(volunteer=lead)
    url = reverse("events:my_calendar") + f"?month={first:%Y-%m}"
    client.force_login(lead.user)
    assert client.get(url).status_code == 200  # the first request starts the user-session row

    with django_assert_num_queries(MY_CALENDAR_QUERIES):
        response = client.get(url)

    assert response.status_code == 200
    assert sum(len(day.events) for week in response.context["weeks"] for day in week) == count
