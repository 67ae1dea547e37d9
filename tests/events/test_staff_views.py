"""The coordinators' event pages: the work queue, the list, the calendar, creating and
changing events, the approval steps, reports and their review, hours and certificates of
volunteer work — as the unit's coordinator, IeVP's centre, another unit and the ministry
(which reads and never writes) meet them.

Query counts: every signed-in request costs 7 queries before the view runs (the session,
the user, the user-session tracking) and the person's roles 3 more (see
tests/trainings/test_queries.py); the rest is noted with each count. What matters is that
the count is the same for 3 events and for 30."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from documents.models import Document
from events import services
from events.models import (
    CertificateState,
    Event,
    EventState,
    EventStep,
    HoursRecord,
    HoursState,
    VolunteerCertificate,
)
from events.printing import GATE_PASS
from events.selectors import QUEUE_PAGE

from . import builders


@pytest.fixture(autouse=True)
def english_pages(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def lead(olaine):
    return builders.volunteer_at(olaine, first_name="Ilze", last_name="Kalniņa", email="ilze.k@example.lv")


@pytest.fixture
def proposal(olaine, lead):
    return builders.proposed(olaine, lead, title="Šaha pulciņš")


@pytest.fixture
def past(olaine, olaine_coordinator, lead):
    return builders.past_approved(olaine, olaine_coordinator, lead)


@pytest.fixture
def held(olaine, olaine_coordinator, lead):
    """An event its lead reported (in review; their 1.5 hours pending)."""
    event = builders.past_approved(olaine, olaine_coordinator, lead)
    services.event_report(
        actor=lead.user,
        event=event,
        held=True,
        actual_participants=9,
        hours={lead.pk: Decimal("1.5")},
        feedback="Dalībnieki gribēja vēl.",
    )
    event.refresh_from_db()
    return event


def _form(unit, lead, **overrides) -> dict:
    details = builders.details(unit, days=10)
    data = {
        "title": "Rakstīšanas meistarklase",
        "field": details.field.pk,
        "activity_type": details.activity_type.pk,
        "description": "Radošā rakstīšana.",
        "day": timezone.localtime(details.starts_at).date().isoformat(),
        "start_time": "10:00",
        "end_time": "12:30",
        "place": "Olaines cietums, klase 2",
        "expected_participants": "10",
        "target_group": "juveniles",
        "items": "Papīrs, zīmuļi",
        "lead": lead.pk,
    }
    data.update(overrides)
    return data


def _warm(client, url) -> None:
    """The first request after signing in starts the user-session row (not counted)."""
    assert client.get(url).status_code == 200


# --- The work queue


def test_queue_lists_proposals_reports_and_requests_when_the_coordinator_opens_it(
    client, olaine, olaine_coordinator, lead, proposal, past, held
):
    services.certificate_request(
        actor=lead.user,
        unit=olaine,
        period_start=timezone.localdate() - timedelta(days=30),
        period_end=timezone.localdate(),
    )
    client.force_login(olaine_coordinator)

    response = client.get(reverse("events:queue"))

    assert response.status_code == 200
    text = response.text
    assert "Šaha pulciņš" in text
    assert reverse("events:approve", args=[proposal.pk]) in text
    assert reverse("events:report", args=[past.pk]) in text
    assert reverse("events:report", args=[held.pk]) in text
    assert "Ilze Kalniņa" in text
    work = response.context["queue"]
    assert work.counts == {
        "proposals": 1,
        "changes": 0,
        "to_report": 1,
        "to_review": 1,
        "certificates": 1,
        "hours": 1,  # the held event's lead's hours
    }
    assert reverse("events:hours") in text


def test_queue_narrows_to_one_unit_when_a_central_coordinator_picks_it(
    client, olaine, jelgava, ievp_central, proposal
):
    at_jelgava = builders.volunteer_at(jelgava)
    builders.proposed(jelgava, at_jelgava, title="Jelgavas lekcija")
    client.force_login(ievp_central)

    both = client.get(reverse("events:queue"))
    only_jelgava = client.get(reverse("events:queue"), {"unit": jelgava.slug})

    assert "Šaha pulciņš" in both.text and "Jelgavas lekcija" in both.text
    assert "Jelgavas lekcija" in only_jelgava.text
    assert "Šaha pulciņš" not in only_jelgava.text


def test_queue_is_empty_and_says_so_when_the_ministry_reads_it(client, ministry, proposal):
    client.force_login(ministry)

    response = client.get(reverse("events:queue"))

    assert response.status_code == 200
    assert "Šaha pulciņš" not in response.text
    assert "do not decide on them" in response.text


def test_queue_answers_404_when_a_volunteer_opens_it(client, lead):
    client.force_login(lead.user)
    assert client.get(reverse("events:queue")).status_code == 404


# Count in one aggregate, the certificates' and the pending hours' counts, then the
# proposals (a series once), reports and reviews with their people (2 each) and the
# certificates (1): 10; the units for the filter (1) (+ 1: the user).
QUEUE_QUERIES = 12


def test_queue_shows_the_oldest_page_of_a_section_and_says_so_when_more_wait(
    client, olaine, olaine_coordinator, lead
):
    for index in range(QUEUE_PAGE + 1):
        builders.past_approved(olaine, olaine_coordinator, lead, days_ago=1 + index % 5)
    builders.proposed(olaine, lead, days=3)
    client.force_login(olaine_coordinator)
    response = client.get(reverse("events:queue"))

    queue = response.context["queue"]
    assert len(queue.to_report) == QUEUE_PAGE and queue.counts["to_report"] == QUEUE_PAGE + 1
    assert response.content.decode().count("the next appear as these are handled") == 1  # not under proposals
    assert f"The oldest {QUEUE_PAGE} are shown" in response.content.decode()


@pytest.mark.parametrize("count", [3, 30])
def test_queue_runs_the_same_queries_when_proposals_multiply(
    client, olaine, olaine_coordinator, lead, count, django_assert_num_queries
):
    others = [builders.volunteer_at(olaine) for _ in range(2)]
    for index in range(count):
        builders.proposed(olaine, lead, days=3 + index % 20, title=f"Priekšlikums {index}")
        volunteer = others[index % 2]
        event = builders.past_approved(olaine, olaine_coordinator, volunteer, days_ago=1 + index % 5)
        if index % 3 == 0:  # its lead reported it: a report to review
            services.event_report(
                actor=volunteer.user,
                event=event,
                held=True,
                actual_participants=4,
                hours={volunteer.pk: Decimal("1")},
            )
    url = reverse("events:queue")
    client.force_login(olaine_coordinator)
    _warm(client, url)

    with django_assert_num_queries(QUEUE_QUERIES):
        response = client.get(url)

    assert response.status_code == 200
    counts = response.context["queue"].counts
    assert counts["proposals"] == count
    assert counts["to_review"] == len(range(0, count, 3))
    assert response.text.count('">Priekšlikums ') == min(count, QUEUE_PAGE)  # the oldest page of them


# --- The list


def test_list_filters_by_state_and_search_when_asked(
    client, olaine, olaine_coordinator, lead, proposal, past
):
    client.force_login(olaine_coordinator)

    everything = client.get(reverse("events:list"))
    proposed = client.get(reverse("events:list"), {"state": EventState.PROPOSED})
    searched = client.get(reverse("events:list"), {"q": "pulciņš"})

    assert everything.status_code == 200
    assert everything.context["page"].paginator.count == 2
    assert [event.pk for event in proposed.context["page"].object_list] == [proposal.pk]
    assert [event.pk for event in searched.context["page"].object_list] == [proposal.pk]
    tabs = {tab["value"]: tab["count"] for tab in proposed.context["tabs"]}
    assert tabs[""] == 2 and tabs["proposed"] == 1 and tabs["approved"] == 1


def test_list_filters_by_month_and_ignores_a_bad_one_when_asked(client, olaine_coordinator, proposal, past):
    client.force_login(olaine_coordinator)
    month = timezone.localtime(past.starts_at).strftime("%Y-%m")
    later = timezone.localtime(past.starts_at) + timedelta(days=400)

    in_month = client.get(reverse("events:list"), {"month": month})
    empty = client.get(reverse("events:list"), {"month": later.strftime("%Y-%m")})
    bad = client.get(reverse("events:list"), {"month": "soon"})

    assert past.pk in [event.pk for event in in_month.context["page"].object_list]
    assert empty.context["page"].paginator.count == 0
    assert bad.status_code == 200
    assert bad.context["page"].paginator.count == 2


def test_list_shows_only_the_own_units_events_when_another_unit_reads_it(
    client, jelgava_coordinator, proposal
):
    client.force_login(jelgava_coordinator)

    response = client.get(reverse("events:list"))

    assert response.status_code == 200
    assert "Šaha pulciņš" not in response.text


# --- The calendar


def _next_month() -> date:
    today = timezone.localdate()
    return date(today.year + (today.month == 12), today.month % 12 + 1, 1)


def test_calendar_shows_the_months_events_with_time_and_state_when_opened(
    client, olaine, olaine_coordinator, lead
):
    first = _next_month()
    start = builders.at((first - timezone.localdate()).days + 4, hour=14, minute=30)
    event = builders.proposed(olaine, lead, starts_at=start, title="Volejbols")
    client.force_login(olaine_coordinator)

    response = client.get(reverse("events:calendar"), {"date": first.isoformat()})

    assert response.status_code == 200
    assert response.context["unit"] == olaine
    text = response.text
    assert reverse("events:detail", args=[event.pk]) in text
    assert "14:30" in text and "Volejbols" in text and "Proposed" in text
    assert reverse("trainings:calendar") in text
    assert f"date={(first - timedelta(days=1)).replace(day=1).isoformat()}" in text  # previous month


def test_calendar_week_view_shows_seven_days_when_asked(client, olaine, olaine_coordinator, lead):
    event = builders.proposed(olaine, lead, days=8, title="Nedēļas pasākums")
    day = timezone.localtime(event.starts_at).date()
    client.force_login(olaine_coordinator)

    response = client.get(reverse("events:calendar"), {"view": "week", "date": day.isoformat()})

    assert response.status_code == 200
    [week] = response.context["weeks"]
    assert len(week) == 7 and week[0].day.weekday() == 0
    assert "Nedēļas pasākums" in response.text
    assert response.context["period"].following == week[0].day + timedelta(days=7)


def test_calendar_answers_404_when_another_units_calendar_is_asked(client, olaine, jelgava_coordinator):
    client.force_login(jelgava_coordinator)
    assert client.get(reverse("events:calendar"), {"unit": olaine.slug}).status_code == 404


def test_calendar_lets_the_ministry_pick_a_unit_when_it_reads(client, olaine, jelgava, ministry, lead):
    event = builders.proposed(olaine, lead, days=2, title="Ministrijai redzams")
    client.force_login(ministry)
    day = timezone.localtime(event.starts_at).date()

    response = client.get(reverse("events:calendar"), {"unit": olaine.slug, "date": day.isoformat()})

    assert response.status_code == 200
    assert "Ministrijai redzams" in response.text
    assert reverse("events:new") not in response.text


# The unit choices and the events with their people (2) (+ 1: the user).
CALENDAR_QUERIES = 3


@pytest.mark.parametrize("count", [3, 30])
def test_calendar_month_runs_the_same_queries_when_events_multiply(
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
            builders.approved(olaine, olaine_coordinator, other, starts_at=start, title=f"Kalendārs {index}")
    url = reverse("events:calendar") + f"?date={first.isoformat()}"
    client.force_login(olaine_coordinator)
    _warm(client, url)

    with django_assert_num_queries(CALENDAR_QUERIES):
        response = client.get(url)

    assert response.status_code == 200
    assert sum(len(day.events) for week in response.context["weeks"] for day in week) == count


# --- Creating an event


def test_coordinator_creates_an_approved_event_when_the_form_is_valid(
    client, olaine, olaine_coordinator, lead
):
    client.force_login(olaine_coordinator)

    response = client.post(reverse("events:new") + f"?unit={olaine.slug}", _form(olaine, lead))

    assert response.status_code == 302, response.text[:3000]
    event = Event.objects.get(title="Rakstīšanas meistarklase")
    assert response["Location"] == reverse("events:detail", args=[event.pk])
    assert event.state == EventState.APPROVED
    assert event.decided_by == olaine_coordinator
    assert Document.objects.filter(event=event, kind=GATE_PASS).exists()


def test_coordinator_creates_a_series_when_repeat_and_count_are_given(
    client, olaine, olaine_coordinator, lead
):
    client.force_login(olaine_coordinator)

    response = client.post(
        reverse("events:new") + f"?unit={olaine.slug}", _form(olaine, lead, repeat="weekly", count="4")
    )

    assert response.status_code == 302, response.text[:3000]
    events = list(Event.objects.order_by("starts_at"))
    assert len(events) == 4
    assert len({event.series_id for event in events}) == 1
    assert events[1].starts_at - events[0].starts_at == timedelta(days=7)
    assert all(event.state == EventState.APPROVED for event in events)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"end_time": "09:00"}, "ends_at"),
        ({"day": (timezone.localdate() - timedelta(days=2)).isoformat()}, "starts_at"),
        ({"expected_participants": "-4"}, "expected_participants"),
        ({"repeat": "weekly", "count": ""}, "count"),
    ],
)
def test_create_form_comes_back_with_400_keeping_the_input_when_it_is_bad(
    client, olaine, olaine_coordinator, lead, overrides, field
):
    client.force_login(olaine_coordinator)
    data = _form(olaine, lead, **overrides)

    response = client.post(reverse("events:new") + f"?unit={olaine.slug}", data)

    assert response.status_code == 400
    assert not Event.objects.exists()
    form = response.context["form"]
    assert form.errors
    assert 'value="Rakstīšanas meistarklase"' in response.text
    assert "Papīrs, zīmuļi" in response.text
    if field in form.fields:
        assert field in form.errors
    else:  # the service's field, mapped to the form as a whole or its own field
        assert form.errors


def test_create_refuses_a_volunteer_without_an_agreement_when_chosen(
    client, olaine, jelgava, olaine_coordinator, lead
):
    at_jelgava = builders.volunteer_at(jelgava)
    client.force_login(olaine_coordinator)

    response = client.post(
        reverse("events:new") + f"?unit={olaine.slug}", _form(olaine, lead, volunteers=[at_jelgava.pk])
    )

    assert response.status_code == 400
    assert "volunteers" in response.context["form"].errors
    assert not Event.objects.exists()


def test_create_asks_for_the_unit_when_a_central_coordinator_has_several(client, ievp_central, olaine):
    client.force_login(ievp_central)

    response = client.get(reverse("events:new"))

    assert response.status_code == 200
    assert f'value="{olaine.slug}"' in response.text


@pytest.mark.parametrize("who", ["ministry", "jelgava_coordinator"])
def test_create_answers_404_when_the_person_does_not_coordinate_the_unit(request, client, olaine, lead, who):
    client.force_login(request.getfixturevalue(who))

    assert client.get(reverse("events:new") + f"?unit={olaine.slug}").status_code == 404
    response = client.post(reverse("events:new") + f"?unit={olaine.slug}", _form(olaine, lead))
    assert response.status_code == 404
    assert not Event.objects.exists()


# --- Changing an event


def test_edit_saves_the_changes_when_the_form_is_valid(client, olaine, olaine_coordinator, lead, proposal):
    client.force_login(olaine_coordinator)
    page = client.get(reverse("events:edit", args=[proposal.pk]))
    assert page.status_code == 200
    assert 'value="Šaha pulciņš"' in page.text

    response = client.post(
        reverse("events:edit", args=[proposal.pk]), _form(olaine, lead, title="Šaha turnīrs")
    )

    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.title == "Šaha turnīrs"
    assert proposal.state == EventState.PROPOSED


def test_edit_comes_back_with_400_and_saves_nothing_when_the_end_is_before_the_start(
    client, olaine, olaine_coordinator, lead, proposal
):
    client.force_login(olaine_coordinator)

    response = client.post(
        reverse("events:edit", args=[proposal.pk]),
        _form(olaine, lead, title="Jauns nosaukums", start_time="12:00", end_time="11:00"),
    )

    assert response.status_code == 400
    assert 'value="Jauns nosaukums"' in response.text
    proposal.refresh_from_db()
    assert proposal.title == "Šaha pulciņš"


def test_edit_sends_back_to_the_event_when_it_has_taken_place(client, olaine_coordinator, held):
    client.force_login(olaine_coordinator)

    response = client.get(reverse("events:edit", args=[held.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("events:detail", args=[held.pk])


# --- One event and its steps


def test_detail_shows_people_steps_and_actions_when_the_coordinator_opens_it(
    client, olaine_coordinator, proposal
):
    client.force_login(olaine_coordinator)

    response = client.get(reverse("events:detail", args=[proposal.pk]))

    assert response.status_code == 200
    text = response.text
    assert "Ilze Kalniņa" in text and "leads the event" in text
    assert reverse("events:approve", args=[proposal.pk]) in text
    assert reverse("events:reject", args=[proposal.pk]) in text
    assert reverse("events:changes", args=[proposal.pk]) in text
    assert reverse("events:cancel", args=[proposal.pk]) in text
    assert 'aria-current="step"' in text
    assert response["Cache-Control"].startswith("max-age=0")


def test_detail_is_read_only_when_the_ministry_reads_it(client, ministry, proposal):
    client.force_login(ministry)

    response = client.get(reverse("events:detail", args=[proposal.pk]))

    assert response.status_code == 200
    assert "You can read this event but not change it." in response.text
    assert reverse("events:approve", args=[proposal.pk]) not in response.text
    assert client.post(reverse("events:approve", args=[proposal.pk])).status_code == 404
    proposal.refresh_from_db()
    assert proposal.state == EventState.PROPOSED


def test_detail_answers_404_when_another_unit_asks(client, jelgava_coordinator, vpd_central, proposal):
    for person in (jelgava_coordinator, vpd_central):
        client.force_login(person)
        assert client.get(reverse("events:detail", args=[proposal.pk])).status_code == 404


def test_approve_approves_and_returns_to_the_queue_when_sent_from_it(client, olaine_coordinator, proposal):
    client.force_login(olaine_coordinator)

    response = client.post(reverse("events:approve", args=[proposal.pk]), {"next": reverse("events:queue")})

    assert response.status_code == 302
    assert response["Location"] == reverse("events:queue")
    proposal.refresh_from_db()
    assert proposal.state == EventState.APPROVED
    assert Document.objects.filter(event=proposal, kind=GATE_PASS).exists()


def test_approve_ignores_a_next_address_of_another_site_when_given(client, olaine_coordinator, proposal):
    client.force_login(olaine_coordinator)

    response = client.post(reverse("events:approve", args=[proposal.pk]), {"next": "https://evil.example/"})

    assert response["Location"] == reverse("events:detail", args=[proposal.pk])


def test_approve_says_why_when_the_event_is_no_longer_a_proposal(client, olaine_coordinator, past):
    client.force_login(olaine_coordinator)

    response = client.post(reverse("events:approve", args=[past.pk]), follow=True)

    assert "this step is not possible now" in response.text
    assert past.steps.count() == 1


def test_approve_answers_404_when_another_unit_sends_it(client, jelgava_coordinator, proposal):
    client.force_login(jelgava_coordinator)
    assert client.post(reverse("events:approve", args=[proposal.pk])).status_code == 404
    proposal.refresh_from_db()
    assert proposal.state == EventState.PROPOSED


@pytest.mark.parametrize(
    ("url_name", "prefix", "state"),
    [
        ("events:reject", "reject", EventState.REJECTED),
        ("events:changes", "changes", EventState.CHANGES_REQUESTED),
        ("events:cancel", "cancel", EventState.CANCELLED),
    ],
)
def test_reason_step_is_taken_and_recorded_when_a_reason_is_given(
    client, olaine_coordinator, proposal, url_name, prefix, state
):
    client.force_login(olaine_coordinator)

    response = client.post(reverse(url_name, args=[proposal.pk]), {f"{prefix}-reason": "Nav brīvas telpas"})

    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.state == state
    assert proposal.reason == "Nav brīvas telpas"
    step = EventStep.objects.filter(event=proposal).last()
    assert (step.to_state, step.reason, step.actor) == (state, "Nav brīvas telpas", olaine_coordinator)
    page = client.get(reverse("events:detail", args=[proposal.pk]))
    assert "Nav brīvas telpas" in page.text


@pytest.mark.parametrize(
    ("url_name", "prefix"),
    [("events:reject", "reject"), ("events:changes", "changes"), ("events:cancel", "cancel")],
)
def test_reason_step_comes_back_with_400_when_the_reason_is_missing(
    client, olaine_coordinator, proposal, url_name, prefix
):
    client.force_login(olaine_coordinator)

    response = client.post(reverse(url_name, args=[proposal.pk]), {f"{prefix}-reason": "  "})

    assert response.status_code == 400
    assert response.context[f"{prefix}_form"].errors
    proposal.refresh_from_db()
    assert proposal.state == EventState.PROPOSED


# --- The report and its review


def test_coordinator_reports_an_event_and_the_hours_are_approved_when_the_form_is_valid(
    client, olaine_coordinator, lead, past
):
    client.force_login(olaine_coordinator)
    page = client.get(reverse("events:report", args=[past.pk]))
    assert page.status_code == 200
    assert page.context["form"][f"hours_{lead.pk}"].value() == past.duration_hours

    response = client.post(
        reverse("events:report", args=[past.pk]),
        {"held": "yes", "actual_participants": "11", f"hours_{lead.pk}": "1.5", "coordinator_note": "Labi."},
    )

    assert response.status_code == 302
    past.refresh_from_db()
    assert past.state == EventState.REPORTED
    assert past.actual_participants == 11
    assert past.coordinator_note == "Labi."
    record = HoursRecord.objects.get(event=past, volunteer=lead)
    assert (record.hours, record.state) == (Decimal("1.5"), HoursState.APPROVED)


def test_report_comes_back_with_400_and_saves_nothing_when_hours_exceed_the_length(
    client, olaine_coordinator, lead, past
):
    client.force_login(olaine_coordinator)

    response = client.post(
        reverse("events:report", args=[past.pk]),
        {"held": "yes", "actual_participants": "11", f"hours_{lead.pk}": "9", "coordinator_note": "Garš"},
    )

    assert response.status_code == 400
    assert f"hours_{lead.pk}" in response.context["form"].errors
    assert "Garš" in response.text
    past.refresh_from_db()
    assert past.state == EventState.APPROVED
    assert not HoursRecord.objects.exists()


def test_report_records_an_event_that_did_not_take_place_when_held_is_no(client, olaine_coordinator, past):
    client.force_login(olaine_coordinator)

    response = client.post(
        reverse("events:report", args=[past.pk]), {"held": "no", "coordinator_note": "Lektors saslima"}
    )

    assert response.status_code == 302
    past.refresh_from_db()
    assert past.state == EventState.NOT_HELD
    assert not HoursRecord.objects.exists()


def test_review_prefills_the_volunteers_hours_and_approves_them_when_sent(
    client, olaine_coordinator, lead, held
):
    client.force_login(olaine_coordinator)
    page = client.get(reverse("events:report", args=[held.pk]))
    assert page.status_code == 200
    assert page.context["review"] is True
    assert page.context["form"][f"hours_{lead.pk}"].value() == Decimal("1.5")
    assert "held" not in page.context["form"].fields
    assert "Dalībnieki gribēja vēl." in page.text

    response = client.post(
        reverse("events:report", args=[held.pk]),
        {"actual_participants": "9", f"hours_{lead.pk}": "2", "coordinator_note": "Pārbaudīts"},
    )

    assert response.status_code == 302
    held.refresh_from_db()
    assert held.state == EventState.REPORTED
    record = HoursRecord.objects.get(event=held)
    assert (record.hours, record.state) == (Decimal("2.0"), HoursState.APPROVED)


def test_report_sends_back_to_the_event_when_it_has_not_started(client, olaine_coordinator, proposal):
    client.force_login(olaine_coordinator)

    response = client.get(reverse("events:report", args=[proposal.pk]))

    assert response.status_code == 302


def test_report_answers_404_when_the_ministry_asks(client, ministry, past):
    client.force_login(ministry)
    assert client.get(reverse("events:report", args=[past.pk])).status_code == 404


# --- Hours


def test_hours_page_lists_pending_records_and_approves_one_when_decided(
    client, olaine_coordinator, lead, held
):
    client.force_login(olaine_coordinator)
    record = HoursRecord.objects.get(event=held)

    page = client.get(reverse("events:hours"))
    response = client.post(
        reverse("events:hours_decide", args=[record.pk]), {"decision": "approve", "hours": "1"}
    )

    assert page.status_code == 200 and "Ilze Kalniņa" in page.text
    assert response.status_code == 302
    record.refresh_from_db()
    assert (record.state, record.hours, record.decided_by) == (
        HoursState.APPROVED,
        Decimal("1.0"),
        olaine_coordinator,
    )


def test_hours_decision_comes_back_with_400_when_the_hours_exceed_the_event(client, olaine_coordinator, held):
    client.force_login(olaine_coordinator)
    record = HoursRecord.objects.get(event=held)

    response = client.post(
        reverse("events:hours_decide", args=[record.pk]), {"decision": "approve", "hours": "7"}
    )

    assert response.status_code == 400
    assert response.context["bound_pk"] == record.pk
    record.refresh_from_db()
    assert record.state == HoursState.PENDING


def test_hours_decision_rejects_when_not_approved(client, olaine_coordinator, held):
    client.force_login(olaine_coordinator)
    record = HoursRecord.objects.get(event=held)

    client.post(reverse("events:hours_decide", args=[record.pk]), {"decision": "reject"})

    record.refresh_from_db()
    assert record.state == HoursState.REJECTED


@pytest.mark.parametrize("who", ["ministry", "jelgava_coordinator"])
def test_hours_decision_answers_404_when_the_person_does_not_coordinate_the_unit(request, client, held, who):
    record = HoursRecord.objects.get(event=held)
    client.force_login(request.getfixturevalue(who))

    assert (
        client.post(reverse("events:hours_decide", args=[record.pk]), {"decision": "approve"}).status_code
        == 404
    )
    record.refresh_from_db()
    assert record.state == HoursState.PENDING


# --- Certificates of volunteer work


@pytest.fixture
def approved_hours(olaine, olaine_coordinator, lead, past):
    services.event_report(
        actor=olaine_coordinator, event=past, held=True, actual_participants=5, hours={lead.pk: Decimal("2")}
    )
    return past


@pytest.fixture
def request_(olaine, lead):
    return services.certificate_request(
        actor=lead.user,
        unit=olaine,
        period_start=timezone.localdate() - timedelta(days=30),
        period_end=timezone.localdate(),
        purpose="Darba devējam",
    )


def test_coordinator_issues_a_certificate_when_the_form_is_valid(
    client, olaine, olaine_coordinator, lead, approved_hours
):
    client.force_login(olaine_coordinator)
    page = client.get(reverse("events:certificate_new"))
    assert page.status_code == 200 and "Ilze Kalniņa" in page.text

    response = client.post(
        reverse("events:certificate_new"),
        {
            "volunteer": lead.pk,
            "unit": olaine.pk,
            "period_start": (timezone.localdate() - timedelta(days=30)).isoformat(),
            "period_end": timezone.localdate().isoformat(),
            "language": "lv",
            "purpose": "",
        },
    )

    certificate = VolunteerCertificate.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("events:certificate_detail", args=[certificate.pk])
    assert certificate.state == CertificateState.ISSUED
    assert certificate.total_hours == Decimal("2.0")
    detail = client.get(response["Location"])
    assert certificate.number in detail.text and "2.0 h" in detail.text


def test_certificate_form_comes_back_with_400_when_the_period_ends_before_it_starts(
    client, olaine, olaine_coordinator, lead
):
    client.force_login(olaine_coordinator)

    response = client.post(
        reverse("events:certificate_new"),
        {
            "volunteer": lead.pk,
            "unit": olaine.pk,
            "period_start": timezone.localdate().isoformat(),
            "period_end": (timezone.localdate() - timedelta(days=10)).isoformat(),
            "language": "lv",
            "purpose": "Universitātei",
        },
    )

    assert response.status_code == 400
    assert "period_end" in response.context["form"].errors
    assert 'value="Universitātei"' in response.text
    assert not VolunteerCertificate.objects.exists()


def test_certificate_form_offers_only_the_units_volunteers_when_another_unit_opens_it(
    client, olaine, jelgava_coordinator, lead
):
    client.force_login(jelgava_coordinator)

    page = client.get(reverse("events:certificate_new"))
    response = client.post(
        reverse("events:certificate_new"),
        {
            "volunteer": lead.pk,
            "unit": olaine.pk,
            "period_start": (timezone.localdate() - timedelta(days=30)).isoformat(),
            "period_end": timezone.localdate().isoformat(),
            "language": "lv",
        },
    )

    assert "Ilze Kalniņa" not in page.text
    assert response.status_code == 400
    assert not VolunteerCertificate.objects.exists()


def test_certificates_list_and_request_are_answered_when_the_coordinator_issues(
    client, olaine_coordinator, request_, approved_hours
):
    client.force_login(olaine_coordinator)

    listing = client.get(reverse("events:certificates"), {"state": "requested"})
    detail = client.get(reverse("events:certificate_detail", args=[request_.pk]))
    response = client.post(reverse("events:certificate_issue", args=[request_.pk]))

    assert "Ilze Kalniņa" in listing.text
    assert "Darba devējam" in detail.text
    assert reverse("events:certificate_issue", args=[request_.pk]) in detail.text
    assert response.status_code == 302
    request_.refresh_from_db()
    assert request_.state == CertificateState.ISSUED and request_.number


def test_certificate_refusal_needs_a_reason_when_refused(client, olaine_coordinator, request_):
    client.force_login(olaine_coordinator)

    missing = client.post(reverse("events:certificate_refuse", args=[request_.pk]), {"refuse-reason": ""})
    request_.refresh_from_db()
    assert missing.status_code == 400 and request_.state == CertificateState.REQUESTED

    given = client.post(
        reverse("events:certificate_refuse", args=[request_.pk]), {"refuse-reason": "Nav stundu"}
    )
    request_.refresh_from_db()
    assert given.status_code == 302
    assert (request_.state, request_.refusal_reason) == (CertificateState.REFUSED, "Nav stundu")


def test_certificate_is_read_only_when_the_ministry_reads_it(client, ministry, request_):
    client.force_login(ministry)

    detail = client.get(reverse("events:certificate_detail", args=[request_.pk]))

    assert detail.status_code == 200
    assert reverse("events:certificate_issue", args=[request_.pk]) not in detail.text
    assert client.post(reverse("events:certificate_issue", args=[request_.pk])).status_code == 404
    assert client.get(reverse("events:certificate_new")).status_code == 404


def test_certificate_answers_404_when_another_unit_asks(client, jelgava_coordinator, request_):
    client.force_login(jelgava_coordinator)
    assert client.get(reverse("events:certificate_detail", args=[request_.pk])).status_code == 404


# --- The menu


def test_menu_offers_events_when_a_staff_member_is_signed_in(client, ministry):
    client.force_login(ministry)
    response = client.get(reverse("events:list"))
    assert f'href="{reverse("events:queue")}">Events</a>' in response.text
