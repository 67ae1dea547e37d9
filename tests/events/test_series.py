"""A series decided as a whole: approving or rejecting every occurrence still waiting in one
action (from the queue and from an occurrence's page), cancelling an occurrence and the
following ones — each occurrence with its own step, gate pass and audit entry, the people
told once — and the occurrences listed on each occurrence's page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from agreements.models import Agreement
from documents.models import Document
from events import services
from events.models import Event, EventNotice, EventState, EventStep
from events.printing import GATE_PASS
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


def _proposed_series(unit, lead, *, others=(), count=4, title="Grāmatu klubs", days=3):
    return services.series_create(
        actor=lead.user,
        unit=unit,
        details=builders.details(unit, days=days, title=title),
        frequency="weekly",
        count=count,
        others=list(others),
    )


def _approved_series(unit, coordinator, lead, *, others=(), count=4):
    return services.series_create(
        actor=coordinator,
        unit=unit,
        details=builders.details(unit, days=3, title="Šaha pulciņš"),
        frequency="weekly",
        count=count,
        lead=lead,
        others=list(others),
    )


def _occurrences(series) -> list[Event]:
    return list(series.events.order_by("starts_at", "pk"))


def _notices(events, to_state) -> int:
    return EventNotice.objects.filter(step__event__in=events, step__to_state=to_state).count()


# --- Approving a series


def test_series_approve_approves_every_occurrence_with_a_gate_pass_each_when_the_coordinator_approves(
    olaine, olaine_coordinator, lead, helper
):
    series = _proposed_series(olaine, lead, others=[helper])

    approved = services.series_approve(actor=olaine_coordinator, series=series)

    events = _occurrences(series)
    assert [event.pk for event in approved] == [event.pk for event in events]
    assert {event.state for event in events} == {EventState.APPROVED}
    assert {event.decided_by_id for event in events} == {olaine_coordinator.pk}
    for event in events:
        assert Document.objects.filter(event=event, kind=GATE_PASS).count() == 1
    # One notice per person for the whole series, on the first occurrence's step.
    assert _notices(events, EventState.APPROVED) == 2
    assert set(
        EventNotice.objects.filter(step__to_state=EventState.APPROVED).values_list("step__event", flat=True)
    ) == {events[0].pk}
    assert AuditEvent.objects.filter(action="event.approve", data__series=series.pk).count() == 4
    step = EventStep.objects.filter(event=events[-1], to_state=EventState.APPROVED).get()
    assert "4 reizes" in step.reason  # stored in the language of the step (Latvian by default)


def test_series_approve_refuses_every_occurrence_when_a_volunteer_has_no_agreement_on_one_date(
    olaine, olaine_coordinator, lead, helper
):
    series = _proposed_series(olaine, lead, others=[helper])
    last = _occurrences(series)[-1]
    Agreement.objects.filter(volunteer=helper).update(
        end_date=timezone.localtime(last.starts_at).date() - timedelta(days=1)
    )

    with pytest.raises(ValidationError) as refused:
        services.series_approve(actor=olaine_coordinator, series=series)

    assert "Rūta Palīdze" in " ".join(refused.value.messages)
    assert timezone.localtime(last.starts_at).strftime("%-d.%m.%Y") in " ".join(refused.value.messages)
    assert {event.state for event in _occurrences(series)} == {EventState.PROPOSED}
    assert not Document.objects.filter(kind=GATE_PASS).exists()


def test_series_approve_leaves_occurrences_sent_back_or_started_when_the_rest_is_approved(
    olaine, olaine_coordinator, lead
):
    series = _proposed_series(olaine, lead)
    first, second, third, fourth = _occurrences(series)
    services.event_request_changes(actor=olaine_coordinator, event=second, reason="Cits laiks, lūdzu.")
    start = timezone.now() - timedelta(hours=1)
    Event.objects.filter(pk=first.pk).update(starts_at=start, ends_at=start + timedelta(hours=2))

    approved = services.series_approve(actor=olaine_coordinator, series=series)

    assert [event.pk for event in approved] == [third.pk, fourth.pk]
    states = dict(Event.objects.filter(series=series).values_list("pk", "state"))
    assert states == {
        first.pk: EventState.PROPOSED,
        second.pk: EventState.CHANGES_REQUESTED,
        third.pk: EventState.APPROVED,
        fourth.pk: EventState.APPROVED,
    }


def test_series_approve_refuses_when_no_occurrence_is_waiting(olaine, olaine_coordinator, lead):
    series = _approved_series(olaine, olaine_coordinator, lead)

    with pytest.raises(ValidationError):
        services.series_approve(actor=olaine_coordinator, series=series)


def test_series_approve_is_denied_when_another_units_coordinator_tries(olaine, jelgava_coordinator, lead):
    series = _proposed_series(olaine, lead)

    with pytest.raises(PermissionDenied):
        services.series_approve(actor=jelgava_coordinator, series=series)

    assert {event.state for event in _occurrences(series)} == {EventState.PROPOSED}


# --- Rejecting a series


def test_series_reject_rejects_every_waiting_occurrence_and_tells_once_when_the_coordinator_rejects(
    olaine, olaine_coordinator, lead
):
    series = _proposed_series(olaine, lead)
    events = _occurrences(series)
    services.event_request_changes(actor=olaine_coordinator, event=events[1], reason="Cits laiks.")

    rejected = services.series_reject(actor=olaine_coordinator, series=series, reason="Nav telpas pavasarī.")

    assert len(rejected) == 4
    assert set(Event.objects.filter(series=series).values_list("state", flat=True)) == {EventState.REJECTED}
    assert set(Event.objects.filter(series=series).values_list("reason", flat=True)) == {
        "Nav telpas pavasarī."
    }
    assert _notices(events, EventState.REJECTED) == 1
    assert AuditEvent.objects.filter(action="event.reject", data__series=series.pk).count() == 4


def test_series_reject_needs_a_reason_when_none_is_given(olaine, olaine_coordinator, lead):
    series = _proposed_series(olaine, lead)

    with pytest.raises(ValidationError) as refused:
        services.series_reject(actor=olaine_coordinator, series=series, reason="  ")

    assert "reason" in refused.value.error_dict
    assert {event.state for event in _occurrences(series)} == {EventState.PROPOSED}


# --- Cancelling an occurrence and the following ones


def test_series_cancel_rest_cancels_this_and_the_following_when_the_lead_cancels(
    olaine, olaine_coordinator, lead, helper
):
    series = _approved_series(olaine, olaine_coordinator, lead, others=[helper])
    first, second, third, fourth = _occurrences(series)

    cancelled = services.series_cancel_rest(actor=lead.user, event=second, reason="Pārceļos.")

    assert [event.pk for event in cancelled] == [second.pk, third.pk, fourth.pk]
    states = dict(Event.objects.filter(series=series).values_list("pk", "state"))
    assert states[first.pk] == EventState.APPROVED
    assert {states[e.pk] for e in (second, third, fourth)} == {EventState.CANCELLED}
    for event in (second, third, fourth):
        assert Document.objects.get(event=event, kind=GATE_PASS).revoked_at is not None
    assert Document.objects.get(event=first, kind=GATE_PASS).revoked_at is None
    # The helper and the coordinator are told once (the lead cancelled: not told).
    assert set(
        EventNotice.objects.filter(step__to_state=EventState.CANCELLED).values_list("recipient", flat=True)
    ) == {helper.user_id, olaine_coordinator.pk}
    assert _notices([second, third, fourth], EventState.CANCELLED) == 2


def test_series_cancel_rest_skips_occurrences_the_volunteer_does_not_lead_when_the_lead_cancels(
    olaine, olaine_coordinator, lead, helper
):
    series = _approved_series(olaine, olaine_coordinator, lead, others=[helper])
    first, second, third, fourth = _occurrences(series)
    services.event_update(
        actor=olaine_coordinator,
        event=third,
        details=builders.details(olaine, starts_at=third.starts_at, title=third.title),
        lead=helper,
        others=[lead],
    )

    cancelled = services.series_cancel_rest(actor=lead.user, event=first, reason="Slimoju.")

    assert [event.pk for event in cancelled] == [first.pk, second.pk, fourth.pk]
    third.refresh_from_db()
    assert third.state == EventState.APPROVED


def test_series_cancel_rest_cancels_every_following_occurrence_when_the_coordinator_cancels(
    olaine, olaine_coordinator, lead
):
    series = _proposed_series(olaine, lead)
    first, *_rest = _occurrences(series)

    cancelled = services.series_cancel_rest(actor=olaine_coordinator, event=first, reason="Remonts.")

    assert len(cancelled) == 4
    assert set(Event.objects.filter(series=series).values_list("state", flat=True)) == {EventState.CANCELLED}
    assert AuditEvent.objects.filter(action="event.cancel", data__with_following=True).count() == 4


def test_series_cancel_rest_is_denied_when_a_volunteer_who_does_not_lead_tries(
    olaine, olaine_coordinator, lead, helper
):
    series = _approved_series(olaine, olaine_coordinator, lead, others=[helper])

    with pytest.raises(PermissionDenied):
        services.series_cancel_rest(actor=helper.user, event=_occurrences(series)[0], reason="Nevaru.")


def test_series_cancel_rest_is_refused_when_the_event_is_not_in_a_series(olaine, olaine_coordinator, lead):
    event = builders.approved(olaine, olaine_coordinator, lead)

    with pytest.raises(ValidationError):
        services.series_cancel_rest(actor=olaine_coordinator, event=event, reason="Remonts.")


# --- The queue


def test_queue_shows_a_series_once_with_its_count_and_dates_when_it_is_proposed(
    client, olaine, olaine_coordinator, lead
):
    series = _proposed_series(olaine, lead, title="Nedēļas klubs")
    single = builders.proposed(olaine, lead, title="Vienreizējs", days=20)
    first, *_middle, last = _occurrences(series)
    client.force_login(olaine_coordinator)

    response = client.get(reverse("events:queue"))

    assert response.status_code == 200
    text = response.text
    assert text.count('">Nedēļas klubs</a>') == 1
    assert "series: 4 occurrences waiting" in text
    assert timezone.localtime(first.starts_at).strftime("%-d.%m.%Y") in text
    assert timezone.localtime(last.starts_at).strftime("%-d.%m.%Y") in text
    assert reverse("events:series_approve", args=[series.pk]) in text
    assert reverse("events:series_reject", args=[series.pk]) in text
    assert reverse("events:detail", args=[first.pk]) in text
    assert reverse("events:approve", args=[single.pk]) in text
    assert response.context["queue"].counts["proposals"] == 5


# test_staff_views.QUEUE_QUERIES less the people of the empty report and review lists (2):
# the series' figures come with the proposals, in the same query.
QUEUE_QUERIES = 10


@pytest.mark.parametrize("count", [1, 8])
def test_queue_runs_the_same_queries_when_series_multiply(
    client, olaine, olaine_coordinator, lead, count, django_assert_num_queries
):
    for index in range(count):
        _proposed_series(olaine, lead, count=3, title=f"Sērija {index}", days=2 + index)
    url = reverse("events:queue")
    client.force_login(olaine_coordinator)
    assert client.get(url).status_code == 200

    with django_assert_num_queries(QUEUE_QUERIES):
        response = client.get(url)

    assert response.text.count("occurrences waiting") == count


def test_series_approve_from_the_queue_goes_back_to_it_when_the_coordinator_posts(
    client, olaine, olaine_coordinator, lead
):
    series = _proposed_series(olaine, lead)
    client.force_login(olaine_coordinator)

    response = client.post(
        reverse("events:series_approve", args=[series.pk]), {"next": reverse("events:queue")}, follow=True
    )

    assert response.redirect_chain[-1][0] == reverse("events:queue")
    assert "4 occurrences were approved" in response.text
    assert set(Event.objects.filter(series=series).values_list("state", flat=True)) == {EventState.APPROVED}


def test_series_approve_says_why_and_approves_nothing_when_an_agreement_ends_first(
    client, olaine, olaine_coordinator, lead
):
    series = _proposed_series(olaine, lead)
    first, *_rest, last = _occurrences(series)
    Agreement.objects.filter(volunteer=lead).update(
        end_date=timezone.localtime(last.starts_at).date() - timedelta(days=1)
    )
    client.force_login(olaine_coordinator)

    response = client.post(
        reverse("events:series_approve", args=[series.pk]), {"event": first.pk}, follow=True
    )

    assert response.redirect_chain[-1][0] == reverse("events:detail", args=[first.pk])
    assert "The series was not approved" in response.text and "Ilze Kalniņa" in response.text
    assert set(Event.objects.filter(series=series).values_list("state", flat=True)) == {EventState.PROPOSED}


def test_series_reject_answers_400_with_the_form_when_no_reason_is_given(
    client, olaine, olaine_coordinator, lead
):
    series = _proposed_series(olaine, lead)
    second = _occurrences(series)[1]
    client.force_login(olaine_coordinator)

    response = client.post(
        reverse("events:series_reject", args=[series.pk]), {"event": second.pk, "series-reject-reason": " "}
    )

    assert response.status_code == 400
    assert response.context["event"].pk == second.pk
    assert response.context["series_reject_form"].errors
    assert set(Event.objects.filter(series=series).values_list("state", flat=True)) == {EventState.PROPOSED}


def test_series_reject_rejects_the_series_when_the_coordinator_gives_a_reason(
    client, olaine, olaine_coordinator, lead
):
    series = _proposed_series(olaine, lead)
    client.force_login(olaine_coordinator)

    response = client.post(
        reverse("events:series_reject", args=[series.pk]), {"series-reject-reason": "Nav telpas."}
    )

    assert response.status_code == 302
    assert set(Event.objects.filter(series=series).values_list("state", flat=True)) == {EventState.REJECTED}


@pytest.mark.parametrize("who", ["ministry", "jelgava_coordinator"])
def test_series_approve_answers_404_when_someone_who_does_not_coordinate_the_unit_posts(
    client, request, olaine, lead, who
):
    series = _proposed_series(olaine, lead)
    client.force_login(request.getfixturevalue(who))

    response = client.post(reverse("events:series_approve", args=[series.pk]))

    assert response.status_code == 404
    assert set(Event.objects.filter(series=series).values_list("state", flat=True)) == {EventState.PROPOSED}


# --- The occurrences' pages


def test_detail_lists_the_series_occurrences_with_links_and_series_actions_when_a_coordinator_opens_one(
    client, olaine, olaine_coordinator, lead
):
    series = _proposed_series(olaine, lead)
    first, second, third, fourth = _occurrences(series)
    services.event_reject(actor=olaine_coordinator, event=fourth, reason="Svētki.")
    client.force_login(olaine_coordinator)

    response = client.get(reverse("events:detail", args=[second.pk]))

    text = response.text
    assert "The series: 4 occurrences" in text
    for other in (first, third, fourth):
        assert reverse("events:detail", args=[other.pk]) in text
    assert 'aria-current="page"' in text
    assert "Rejected" in text
    assert "Approve all 3 proposed occurrences" in text
    assert reverse("events:series_approve", args=[series.pk]) in text
    assert reverse("events:cancel_following", args=[second.pk]) in text


def test_detail_offers_no_series_action_when_the_ministry_reads_an_occurrence(client, olaine, ministry, lead):
    series = _proposed_series(olaine, lead)
    first = _occurrences(series)[0]
    client.force_login(ministry)

    response = client.get(reverse("events:detail", args=[first.pk]))

    assert response.status_code == 200
    assert "The series: 4 occurrences" in response.text
    assert reverse("events:series_approve", args=[series.pk]) not in response.text


def test_cancel_following_cancels_the_rest_when_the_coordinator_posts_a_reason(
    client, olaine, olaine_coordinator, lead
):
    series = _approved_series(olaine, olaine_coordinator, lead)
    _first, second, *_rest = _occurrences(series)
    client.force_login(olaine_coordinator)

    response = client.post(
        reverse("events:cancel_following", args=[second.pk]), {"following-reason": "Remonts."}
    )

    assert response.status_code == 302
    states = list(Event.objects.filter(series=series).order_by("starts_at").values_list("state", flat=True))
    assert states == [EventState.APPROVED, *[EventState.CANCELLED] * 3]


def test_cancel_following_answers_400_keeping_the_page_when_no_reason_is_given(
    client, olaine, olaine_coordinator, lead
):
    series = _approved_series(olaine, olaine_coordinator, lead)
    first = _occurrences(series)[0]
    client.force_login(olaine_coordinator)

    response = client.post(reverse("events:cancel_following", args=[first.pk]), {"following-reason": ""})

    assert response.status_code == 400
    assert response.context["following_form"].errors
    assert set(Event.objects.filter(series=series).values_list("state", flat=True)) == {EventState.APPROVED}


def test_my_event_lists_the_occurrences_and_offers_cancelling_the_rest_when_the_lead_opens_one(
    client, olaine, olaine_coordinator, lead
):
    series = _approved_series(olaine, olaine_coordinator, lead)
    _first, second, _third, fourth = _occurrences(series)
    client.force_login(lead.user)

    response = client.get(reverse("events:my_event", args=[second.pk]))

    text = response.text
    assert "The series: 4 occurrences" in text
    assert reverse("events:my_event", args=[fourth.pk]) in text
    assert reverse("events:my_event_cancel_following", args=[second.pk]) in text
    assert "Cancel 3 occurrences" in text


def test_my_event_lists_only_the_occurrences_a_volunteer_is_on_when_they_left_some(
    client, olaine, olaine_coordinator, lead, helper
):
    series = _approved_series(olaine, olaine_coordinator, lead, others=[helper])
    first, _second, _third, fourth = _occurrences(series)
    services.event_leave(actor=helper.user, event=fourth, reason="Atvaļinājums.")
    client.force_login(helper.user)

    response = client.get(reverse("events:my_event", args=[first.pk]))

    text = response.text
    assert "The series: 3 occurrences" in text
    assert reverse("events:my_event", args=[fourth.pk]) not in text
    assert reverse("events:my_event_cancel_following", args=[first.pk]) not in text  # not the lead


def test_my_event_cancel_following_cancels_the_rest_when_the_lead_posts_a_reason(
    client, olaine, olaine_coordinator, lead
):
    series = _approved_series(olaine, olaine_coordinator, lead)
    _first, second, *_rest = _occurrences(series)
    client.force_login(lead.user)

    response = client.post(
        reverse("events:my_event_cancel_following", args=[second.pk]), {"following-reason": "Pārceļos."}
    )

    assert response.status_code == 302
    states = list(Event.objects.filter(series=series).order_by("starts_at").values_list("state", flat=True))
    assert states == [EventState.APPROVED, *[EventState.CANCELLED] * 3]


def test_my_event_cancel_following_answers_400_when_no_reason_is_given(
    client, olaine, olaine_coordinator, lead
):
    series = _approved_series(olaine, olaine_coordinator, lead)
    first = _occurrences(series)[0]
    client.force_login(lead.user)

    response = client.post(
        reverse("events:my_event_cancel_following", args=[first.pk]), {"following-reason": ""}
    )

    assert response.status_code == 400
    assert response.context["following_form"].errors


def test_my_event_cancel_following_answers_404_when_a_volunteer_who_does_not_lead_posts(
    client, olaine, olaine_coordinator, lead, helper
):
    series = _approved_series(olaine, olaine_coordinator, lead, others=[helper])
    client.force_login(helper.user)

    response = client.post(
        reverse("events:my_event_cancel_following", args=[_occurrences(series)[0].pk]),
        {"following-reason": "Nevaru."},
    )

    assert response.status_code == 404
    assert set(Event.objects.filter(series=series).values_list("state", flat=True)) == {EventState.APPROVED}
