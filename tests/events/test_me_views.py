"""The volunteer's event pages: their events, proposing (once or as a series), changing a
proposal, cancelling, reporting, the calendar, hours and certificate requests — and what
someone else, or someone without a volunteer profile or an agreement, gets."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from documents.models import Document
from events import services
from events.models import CertificateState, Event, EventState, HoursRecord, HoursState, VolunteerCertificate
from tests.factories import VolunteerFactory

from . import builders


@pytest.fixture(autouse=True)
def english_pages(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def lead(olaine):
    return builders.volunteer_at(olaine, first_name="Ilze", last_name="Kalniņa", email="ilze@example.lv")


@pytest.fixture
def signed_in(client, lead):
    client.force_login(lead.user)
    return client


def _form(unit, *, days=7, **overrides) -> dict:
    day = timezone.localdate() + timedelta(days=days)
    data = {
        "unit": unit.pk,
        "title": "Galda spēļu vakars",
        "field": builders.field(unit).pk,
        "activity_type": builders.activity().pk,
        "description": "Galda spēles un saruna par komandas darbu.",
        "day": day.strftime("%d.%m.%Y"),
        "start_time": "10:00",
        "end_time": "12:00",
        "place": "2. korpuss, bibliotēka",
        "expected_participants": "8",
        "target_group": "adults",
        "items": "3 galda spēles",
        "repeat": "",
        "count": "",
    }
    data.update(overrides)
    return data


# --- The list


def test_my_events_lists_upcoming_and_past_with_what_is_due_when_the_volunteer_has_events(
    signed_in, olaine, olaine_coordinator, lead
):
    upcoming = builders.proposed(olaine, lead, title="Nākamais klubs")
    past = builders.past_approved(olaine, olaine_coordinator, lead)

    response = signed_in.get(reverse("events:my_events"))

    assert response.status_code == 200
    text = response.text
    assert "Nākamais klubs" in text and past.title in text
    past_link = reverse("events:my_event", args=[past.pk])
    assert text.index("upcoming-heading") < text.index("Nākamais klubs") < text.index("past-heading")
    assert text.index("past-heading") < text.rindex(past_link)
    assert text.index("needs-heading") < text.index(past_link)  # waiting for the report
    assert reverse("events:my_event_report", args=[past.pk]) in text
    assert reverse("events:propose") in text
    assert reverse("events:my_event", args=[upcoming.pk]) in text
    assert 'href="/me/events/"' in text  # the "My events" tab


def test_my_events_shows_the_no_profile_page_when_the_person_is_not_a_volunteer(client, olaine_coordinator):
    client.force_login(olaine_coordinator)

    response = client.get(reverse("events:my_events"))

    assert response.status_code == 200
    assert "You have not applied to volunteer yet" in response.text


def test_my_events_explains_agreements_when_the_volunteer_has_none_in_force(client, db):
    volunteer = VolunteerFactory()
    client.force_login(volunteer.user)

    listing = client.get(reverse("events:my_events"))
    form = client.get(reverse("events:propose"))

    assert listing.status_code == 200 and form.status_code == 200
    for response in (listing, form):
        assert "Events can be proposed once your volunteer work at a unit has been agreed" in response.text
    assert reverse("events:propose") not in listing.text.replace('action="/me/events/new/"', "")
    assert 'name="title"' not in form.text
    assert client.post(reverse("events:propose"), {"title": "x"}).status_code == 404


# --- Proposing


def test_propose_creates_the_event_and_tells_the_coordinator_when_the_form_is_valid(
    signed_in, olaine, olaine_coordinator, lead
):
    response = signed_in.post(reverse("events:propose"), _form(olaine))

    event = Event.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("events:my_event", args=[event.pk])
    assert event.state == EventState.PROPOSED
    assert event.unit == olaine
    assert event.people.get().volunteer == lead
    assert timezone.localtime(event.starts_at).hour == 10
    assert event.steps.get().notices.get().recipient == olaine_coordinator


def test_propose_offers_the_unit_form_directly_when_the_volunteer_has_one_unit(signed_in, olaine):
    response = signed_in.get(reverse("events:propose"))

    assert response.status_code == 200
    assert 'name="title"' in response.text
    assert f'name="unit" value="{olaine.pk}"' in response.text


def test_propose_asks_for_the_unit_first_when_the_volunteer_has_several(signed_in, olaine, jelgava, lead):
    from agreements.models import Agreement

    second = Agreement.objects.get(volunteer=lead)
    second.pk, second.unit, second.number = None, jelgava, "IEVP-2026-9901"
    second.save()

    chooser = signed_in.get(reverse("events:propose"))
    chosen = signed_in.get(reverse("events:propose"), {"unit": jelgava.pk})

    assert 'name="title"' not in chooser.text and "Jelgavas cietums" in chooser.text
    assert f'name="unit" value="{jelgava.pk}"' in chosen.text


def test_propose_keeps_the_input_and_saves_nothing_when_the_end_is_before_the_start(signed_in, olaine):
    response = signed_in.post(reverse("events:propose"), _form(olaine, start_time="12:00", end_time="10:00"))

    assert response.status_code == 400
    assert "The event must end after it starts." in response.text
    assert 'value="Galda spēļu vakars"' in response.text
    assert not Event.objects.exists()


def test_propose_refuses_with_the_field_named_when_the_day_is_in_the_past(signed_in, olaine):
    response = signed_in.post(reverse("events:propose"), _form(olaine, days=-2))

    assert response.status_code == 400
    assert "The event cannot start in the past." in response.text
    assert not Event.objects.exists()


def test_propose_refuses_negative_participants_when_given(signed_in, olaine):
    response = signed_in.post(reverse("events:propose"), _form(olaine, expected_participants="-3"))

    assert response.status_code == 400
    assert not Event.objects.exists()


def test_propose_refuses_a_colleague_without_an_agreement_on_that_day_when_added(
    signed_in, olaine, olaine_coordinator, lead
):
    short = builders.volunteer_at(
        olaine, first_name="Pēteris", last_name="Īsais", end=timezone.localdate() + timedelta(days=3)
    )
    together = builders.past_approved(olaine, olaine_coordinator, lead)  # a colleague the lead knows
    together.people.create(volunteer=short)
    Event.objects.filter(pk=together.pk).update(title="Agrāk kopā")

    response = signed_in.post(reverse("events:propose"), _form(olaine, days=10, volunteers=[short.pk]))

    assert response.status_code == 400
    assert "Pēteris Īsais" in response.text
    assert not Event.objects.exclude(title="Agrāk kopā").exists()


def test_propose_answers_404_when_the_unit_is_not_the_volunteers(signed_in, jelgava):
    response = signed_in.post(reverse("events:propose"), _form(jelgava))

    assert response.status_code == 404
    assert not Event.objects.exists()


def test_propose_makes_a_series_when_repeat_and_count_are_given(signed_in, olaine):
    response = signed_in.post(reverse("events:propose"), _form(olaine, repeat="weekly", count="4"))

    assert response.status_code == 302
    assert response["Location"] == reverse("events:my_events")
    events = list(Event.objects.order_by("starts_at"))
    assert len(events) == 4
    assert {e.state for e in events} == {EventState.PROPOSED}
    assert len({e.series_id for e in events}) == 1


def test_propose_asks_for_the_count_when_a_series_has_none(signed_in, olaine):
    response = signed_in.post(reverse("events:propose"), _form(olaine, repeat="weekly", count=""))

    assert response.status_code == 400
    assert not Event.objects.exists()


# --- One event


def test_my_event_shows_details_history_and_the_reason_when_changes_are_requested(
    signed_in, olaine, olaine_coordinator, lead
):
    event = builders.proposed(olaine, lead)
    services.event_request_changes(actor=olaine_coordinator, event=event, reason="Lūdzu, citu telpu.")

    response = signed_in.get(reverse("events:my_event", args=[event.pk]))

    assert response.status_code == 200
    assert "Lūdzu, citu telpu." in response.text
    assert event.place in response.text
    assert reverse("events:my_event_edit", args=[event.pk]) in response.text
    assert reverse("events:my_event_cancel", args=[event.pk]) in response.text


def test_my_event_answers_404_when_the_event_is_someone_elses(client, olaine, lead):
    event = builders.proposed(olaine, lead)
    other = builders.volunteer_at(olaine, first_name="Cits", last_name="Brīvprātīgais")
    client.force_login(other.user)

    for name in ("events:my_event", "events:my_event_edit", "events:my_event_report"):
        assert client.get(reverse(name, args=[event.pk])).status_code == 404
    assert (
        client.post(reverse("events:my_event_cancel", args=[event.pk]), {"cancel-reason": "x"}).status_code
        == 404
    )
    event.refresh_from_db()
    assert event.state == EventState.PROPOSED


def test_my_event_offers_the_gate_pass_when_the_event_is_approved(
    signed_in, olaine, olaine_coordinator, lead
):
    event = builders.approved(olaine, olaine_coordinator, lead)
    document = Document.objects.get(event=event)

    response = signed_in.get(reverse("events:my_event", args=[event.pk]))

    assert response.status_code == 200
    assert f'id="document-{document.pk}"' in response.text
    assert (
        reverse("events:my_event_edit", args=[event.pk]) not in response.text
    )  # approved: the coordinator changes it
    fragment = signed_in.get(reverse("documents:fragment", args=[document.pk]))
    assert fragment.status_code == 200


# --- Changing, cancelling


def test_edit_sends_the_changed_proposal_back_to_the_queue_when_changes_were_requested(
    signed_in, olaine, olaine_coordinator, lead
):
    event = builders.proposed(olaine, lead)
    services.event_request_changes(actor=olaine_coordinator, event=event, reason="Vēlāk, lūdzu.")

    form = signed_in.get(reverse("events:my_event_edit", args=[event.pk]))
    response = signed_in.post(
        reverse("events:my_event_edit", args=[event.pk]), _form(olaine, days=9, title="Vēlāks klubs")
    )

    assert form.status_code == 200 and event.title in form.text
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.title == "Vēlāks klubs"
    assert event.state == EventState.PROPOSED


def test_edit_keeps_the_input_and_changes_nothing_when_the_title_is_empty(signed_in, olaine, lead):
    event = builders.proposed(olaine, lead)

    response = signed_in.post(reverse("events:my_event_edit", args=[event.pk]), _form(olaine, title=""))

    assert response.status_code == 400
    assert "2. korpuss, bibliotēka" in response.text
    event.refresh_from_db()
    assert event.place == "Olaines cietums, bibliotēka"


def test_edit_is_refused_when_the_volunteer_is_not_the_lead(client, olaine, lead):
    helper = builders.volunteer_at(olaine)
    event = services.event_propose(
        actor=lead.user, unit=olaine, details=builders.details(olaine), others=[helper]
    )
    client.force_login(helper.user)

    response = client.post(reverse("events:my_event_edit", args=[event.pk]), _form(olaine, title="Mans"))

    assert response.status_code == 302
    event.refresh_from_db()
    assert event.title != "Mans"


def test_cancel_records_the_reason_when_the_lead_cancels(client, olaine, olaine_coordinator, lead):
    event = builders.approved(olaine, olaine_coordinator, lead)
    client.force_login(lead.user)

    response = client.post(reverse("events:my_event_cancel", args=[event.pk]), {"cancel-reason": "Saslimu."})

    assert response.status_code == 302
    event.refresh_from_db()
    assert event.state == EventState.CANCELLED
    assert event.reason == "Saslimu."


def test_another_volunteer_leaves_and_the_event_goes_on_when_they_post_the_form(
    client, olaine, olaine_coordinator, lead
):
    helper = builders.volunteer_at(olaine)
    event = builders.approved(olaine, olaine_coordinator, lead)
    event.people.create(volunteer=helper)
    client.force_login(helper.user)
    page = client.get(reverse("events:my_event", args=[event.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert "Leave the event" in page.content.decode() or "Pamest" in page.content.decode()

    response = client.post(reverse("events:my_event_cancel", args=[event.pk]), {"cancel-reason": "Saslimu."})

    assert response.status_code == 302
    event.refresh_from_db()
    assert event.state == EventState.APPROVED
    assert not event.people.filter(volunteer=helper).exists()


def test_cancel_without_a_reason_answers_400_and_changes_nothing_when_posted(signed_in, olaine, lead):
    event = builders.proposed(olaine, lead)

    response = signed_in.post(reverse("events:my_event_cancel", args=[event.pk]), {"cancel-reason": " "})

    assert response.status_code == 400
    event.refresh_from_db()
    assert event.state == EventState.PROPOSED


# --- Reporting


def test_report_form_prefills_the_hours_with_the_events_length_when_opened(
    signed_in, olaine, olaine_coordinator, lead
):
    event = builders.past_approved(olaine, olaine_coordinator, lead, hours=2)

    response = signed_in.get(reverse("events:my_event_report", args=[event.pk]))

    assert response.status_code == 200
    assert f'name="hours_{lead.pk}"' in response.text
    assert 'value="2.0"' in response.text


def test_report_records_pending_hours_when_the_lead_reports_a_held_event(
    signed_in, olaine, olaine_coordinator, lead
):
    event = builders.past_approved(olaine, olaine_coordinator, lead, hours=2)

    response = signed_in.post(
        reverse("events:my_event_report", args=[event.pk]),
        {"held": "yes", "actual_participants": "7", f"hours_{lead.pk}": "1.5", "feedback": "Izdevās."},
    )

    assert response.status_code == 302
    event.refresh_from_db()
    assert event.state == EventState.HELD
    assert event.actual_participants == 7
    record = HoursRecord.objects.get()
    assert (record.hours, record.state) == (Decimal("1.5"), HoursState.PENDING)


def test_report_keeps_the_input_and_saves_nothing_when_hours_exceed_the_length(
    signed_in, olaine, olaine_coordinator, lead
):
    event = builders.past_approved(olaine, olaine_coordinator, lead, hours=2)

    response = signed_in.post(
        reverse("events:my_event_report", args=[event.pk]),
        {"held": "yes", "actual_participants": "7", f"hours_{lead.pk}": "5", "feedback": "Ilgi."},
    )

    assert response.status_code == 400
    assert "Ilgi." in response.text
    assert not HoursRecord.objects.exists()
    event.refresh_from_db()
    assert event.state == EventState.APPROVED


def test_report_needs_the_participants_when_the_event_was_held(signed_in, olaine, olaine_coordinator, lead):
    event = builders.past_approved(olaine, olaine_coordinator, lead, hours=2)

    response = signed_in.post(
        reverse("events:my_event_report", args=[event.pk]), {"held": "yes", f"hours_{lead.pk}": "2"}
    )

    assert response.status_code == 400
    assert "Give the number of participants" in response.text
    assert not HoursRecord.objects.exists()


def test_report_is_not_offered_when_the_event_has_not_started(signed_in, olaine, olaine_coordinator, lead):
    event = builders.approved(olaine, olaine_coordinator, lead)

    response = signed_in.get(reverse("events:my_event_report", args=[event.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("events:my_event", args=[event.pk])


# --- Calendar


def test_calendar_shows_the_volunteers_events_of_the_month_when_opened(
    signed_in, olaine, olaine_coordinator, lead
):
    event = builders.approved(olaine, olaine_coordinator, lead, days=3, title="Šaha pulciņš")
    month = timezone.localtime(event.starts_at).strftime("%Y-%m")

    response = signed_in.get(reverse("events:my_calendar"), {"month": month})
    empty = signed_in.get(reverse("events:my_calendar"), {"month": "1999-13"})

    assert response.status_code == 200
    assert response.text.count("Šaha pulciņš") == 2  # the phone list and the grid
    assert reverse("trainings:my_calendar") in response.text
    assert empty.status_code == 200  # a bad month falls back to this month


def test_calendar_subscription_returns_to_the_calendar_when_the_address_is_made(signed_in):
    back = reverse("events:my_calendar")

    response = signed_in.post(reverse("trainings:my_calendar"), {"next": back})
    page = signed_in.get(back)

    assert response["Location"] == back
    assert "/calendar/" in page.text and ".ics" in page.text


def test_calendar_subscription_ignores_another_site_when_next_points_away(signed_in):
    response = signed_in.post(reverse("trainings:my_calendar"), {"next": "https://evil.example/"})

    assert response["Location"] == reverse("trainings:my_trainings")


# --- Hours and certificates


def _reported(olaine, coordinator, lead, hours="3"):
    event = builders.past_approved(olaine, coordinator, lead, hours=3)
    services.event_report(
        actor=coordinator, event=event, held=True, actual_participants=6, hours={lead.pk: Decimal(hours)}
    )
    return event


def test_my_hours_shows_totals_records_and_an_issued_certificate_when_there_are_hours(
    signed_in, olaine, olaine_coordinator, lead, django_capture_on_commit_callbacks
):
    event = _reported(olaine, olaine_coordinator, lead)
    certificate = services.certificate_request(
        actor=lead.user,
        unit=olaine,
        period_start=timezone.localdate() - timedelta(days=30),
        period_end=timezone.localdate(),
    )
    services.certificate_issue(actor=olaine_coordinator, certificate=certificate)
    certificate.refresh_from_db()
    document = Document.objects.get(work_certificate=certificate)
    Document.objects.filter(pk=document.pk).update(state=Document.State.DONE)

    response = signed_in.get(reverse("events:my_hours"))

    assert response.status_code == 200
    assert event.title in response.text
    assert "Olaines cietums" in response.text
    assert certificate.number in response.text
    assert reverse("documents:download", args=[document.pk]) in response.text
    assert reverse("events:certificate_request") in response.text


def test_certificate_request_is_sent_when_the_form_is_valid(signed_in, olaine, olaine_coordinator, lead):
    _reported(olaine, olaine_coordinator, lead)

    form = signed_in.get(reverse("events:certificate_request"))
    response = signed_in.post(
        reverse("events:certificate_request"),
        {
            "unit": olaine.pk,
            "period_start": (timezone.localdate() - timedelta(days=30)).strftime("%d.%m.%Y"),
            "period_end": timezone.localdate().strftime("%d.%m.%Y"),
            "language": "en",
            "purpose": "Universitātei",
        },
    )

    assert form.status_code == 200
    assert response.status_code == 302
    certificate = VolunteerCertificate.objects.get()
    assert (certificate.state, certificate.language, certificate.purpose) == (
        CertificateState.REQUESTED,
        "en",
        "Universitātei",
    )


def test_certificate_request_keeps_the_input_and_saves_nothing_when_the_period_is_backwards(
    signed_in, olaine, lead
):
    response = signed_in.post(
        reverse("events:certificate_request"),
        {
            "unit": olaine.pk,
            "period_start": timezone.localdate().strftime("%d.%m.%Y"),
            "period_end": (timezone.localdate() - timedelta(days=30)).strftime("%d.%m.%Y"),
            "language": "lv",
            "purpose": "Darba devējam",
        },
    )

    assert response.status_code == 400
    assert "The period cannot end before it starts." in response.text
    assert 'value="Darba devējam"' in response.text
    assert not VolunteerCertificate.objects.exists()


def test_certificate_request_refuses_a_unit_the_volunteer_never_worked_at_when_posted(signed_in, jelgava):
    response = signed_in.post(
        reverse("events:certificate_request"),
        {
            "unit": jelgava.pk,
            "period_start": timezone.localdate().strftime("%d.%m.%Y"),
            "period_end": timezone.localdate().strftime("%d.%m.%Y"),
            "language": "lv",
        },
    )

    assert response.status_code == 400
    assert not VolunteerCertificate.objects.exists()


def test_certificate_request_explains_when_the_volunteer_has_no_unit(client, db):
    volunteer = VolunteerFactory()
    client.force_login(volunteer.user)

    response = client.get(reverse("events:certificate_request"))

    assert response.status_code == 200
    assert 'name="period_start"' not in response.text


def test_printable_data_page_lists_events_hours_and_certificates_when_the_volunteer_has_some(
    signed_in, olaine, olaine_coordinator, lead
):
    event = _reported(olaine, olaine_coordinator, lead, hours="2.5")
    services.certificate_request(
        actor=lead.user,
        unit=olaine,
        period_start=timezone.localdate() - timedelta(days=30),
        period_end=timezone.localdate(),
        purpose="Darba devējam",
    )

    response = signed_in.get(reverse("volunteers:my_data_html"))

    assert response.status_code == 200
    assert event.title in response.text
    assert "2.5" in response.text
    assert "Darba devējam" in response.text
