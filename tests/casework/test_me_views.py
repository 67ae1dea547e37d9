"""The volunteer's casework pages: their pairs, circles, cases and certificates with the client
only as a reference code; logging a meeting (with a concern for the officer) or a session,
whose hours wait for approval; bad input (400, nothing saved); someone else's pair, circle or
case (404); a person without a volunteer profile or without casework."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from agreements.models import Agreement
from casework import services
from casework.models import MediationSession, Meeting, Outcome
from events.models import HoursRecord, HoursState
from tests.agreements import builders as agreement_builders
from tests.factories import VolunteerFactory
from volunteers.models import Application, Role

from . import builders

TODAY = timezone.localdate


@pytest.fixture(autouse=True)
def english_pages(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def in_role(volunteer, unit, code):
    """Give an existing volunteer an agreement in force at ``unit`` for another role."""
    row = agreement_builders.agreement_row(
        unit, start=TODAY() - timedelta(days=200), end=TODAY() + timedelta(days=300)
    )
    Application.objects.filter(pk=row.application_id).update(volunteer=volunteer)
    Agreement.objects.filter(pk=row.pk).update(
        volunteer=volunteer, role=agreement_builders.role(unit.institution, code)
    )
    return volunteer


@pytest.fixture
def mentor(vpd_department):
    return builders.volunteer_in_role(
        vpd_department, first_name="Elīna", last_name="Vītola", email="elina.vitola@example.lv"
    )


@pytest.fixture
def pair(vpd_department, vpd_coordinator, mentor):
    return builders.pair(vpd_department, vpd_coordinator, mentor)


@pytest.fixture
def signed_in(client, mentor):
    client.force_login(mentor.user)
    return client


def _day(days_ago: int) -> str:
    return (TODAY() - timedelta(days=days_ago)).strftime("%d.%m.%Y")


def _meeting(**overrides) -> dict:
    data = {
        "day": _day(2),
        "hours": "1.5",
        "kind": Meeting.Kind.IN_PERSON,
        "note": "Pastaiga un saruna par darba intervijām.",
        "concern_note": "",
    }
    data.update(overrides)
    return data


def circle_with(unit, coordinator, volunteer, *, others=2, active=True):
    """A circle of ``volunteer`` (given the circles role) and ``others`` more volunteers."""
    in_role(volunteer, unit, Role.Code.CIRCLES)
    people = [volunteer] + [builders.volunteer_in_role(unit, Role.Code.CIRCLES) for _ in range(others)]
    circle = services.circle_create(
        actor=coordinator,
        client=builders.client(unit, coordinator),
        volunteers=people,
        formed_on=TODAY() - timedelta(days=60),
        schedule="Otrdienās 18:00",
    )
    services.outer_member_add(
        actor=coordinator, circle=circle, role="Psiholoģe", organisation="Jelgavas sociālais dienests"
    )
    if active:
        services.circle_activate(actor=coordinator, circle=circle, active_from=TODAY() - timedelta(days=50))
    return circle, people


def case_with(unit, coordinator, volunteer, reference="IZL-2026-17"):
    in_role(volunteer, unit, Role.Code.MEDIATOR)
    services.certificate_record(
        actor=coordinator,
        unit=unit,
        volunteer=volunteer,
        number=f"S-{volunteer.pk:05d}",
        issued_on=TODAY() - timedelta(days=400),
        valid_until=TODAY() + timedelta(days=30),
    )
    return services.mediation_create(
        actor=coordinator,
        unit=unit,
        reference=reference,
        victim_ref="C-17",
        offender_ref="L-17",
        mediators=[volunteer],
        opened_on=TODAY() - timedelta(days=20),
    )


# --- The overview


def test_my_casework_lists_pairs_circles_cases_and_certificates_with_references_only_when_assigned(
    signed_in, vpd_department, vpd_coordinator, mentor, pair
):
    circle, _people = circle_with(vpd_department, vpd_coordinator, mentor)
    case = case_with(vpd_department, vpd_coordinator, mentor)
    other = builders.pair(vpd_department, vpd_coordinator)  # someone else's client
    services.pair_meeting_log(actor=mentor.user, pair=pair, day=TODAY(), hours=Decimal("2"))

    response = signed_in.get(reverse("casework:my_casework"))

    assert response.status_code == 200
    text = response.text
    assert pair.client.code in text and circle.client.code in text and case.reference in text
    assert reverse("casework:my_pair", args=[pair.pk]) in text
    assert reverse("casework:my_circle", args=[circle.pk]) in text
    assert reverse("casework:my_case", args=[case.pk]) in text
    assert f"S-{mentor.pk:05d}" in text and "Expires soon" in text  # valid 30 more days
    assert "2 h awaiting approval" in text
    assert reverse("events:my_hours") in text
    assert other.client.code not in text
    assert "P-1234" not in text  # VPD's case number
    assert vpd_coordinator.email not in text  # the officer's contact
    assert response["Cache-Control"].startswith("max-age=0")


def test_my_casework_shows_an_annulled_certificate_with_its_reason_when_annulled(
    signed_in, vpd_department, vpd_coordinator, mentor
):
    case_with(vpd_department, vpd_coordinator, mentor)
    services.certificate_annul(
        actor=vpd_coordinator,
        certificate=builders.certificate_of(mentor),
        annulled_on=TODAY(),
        reason="Sertifikāts anulēts pēc pašas lūguma.",
    )

    text = signed_in.get(reverse("casework:my_casework")).text

    assert "Annulled" in text and "pēc pašas lūguma" in text


def test_my_casework_explains_casework_when_the_volunteer_has_none(client, db):
    volunteer = VolunteerFactory()
    client.force_login(volunteer.user)

    response = client.get(reverse("casework:my_casework"))

    assert response.status_code == 200
    assert "No casework yet" in response.text
    assert "the coordinator of your unit assigns you" in response.text


def test_my_casework_shows_the_no_profile_page_when_the_person_is_not_a_volunteer(client, vpd_coordinator):
    client.force_login(vpd_coordinator)

    response = client.get(reverse("casework:my_casework"))

    assert response.status_code == 200
    assert "You have not applied to volunteer yet" in response.text


def test_my_casework_is_a_tab_and_in_the_account_menu_but_not_in_the_main_menu_when_signed_in(
    signed_in, pair
):
    text = signed_in.get(reverse("events:my_events")).text

    main_menu = text[text.index('id="main-nav"') : text.index('action="/i18n/setlang/"')]
    assert 'href="/me/casework/"' not in main_menu
    assert text.count('href="/me/casework/"') == 2  # the account menu and the tab


def test_my_casework_needs_sign_in_when_anonymous(client, db):
    response = client.get(reverse("casework:my_casework"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_my_casework_keeps_its_queries_when_the_volunteer_has_more_work(
    signed_in, vpd_department, vpd_coordinator, mentor, pair
):
    circle_with(vpd_department, vpd_coordinator, mentor)
    services.pair_meeting_log(actor=mentor.user, pair=pair, day=TODAY(), hours=Decimal("1"))
    with CaptureQueriesContext(connection) as few:
        signed_in.get(reverse("casework:my_casework"))
    for _ in range(3):
        more = builders.pair(vpd_department, vpd_coordinator, mentor)
        services.pair_meeting_log(actor=mentor.user, pair=more, day=TODAY(), hours=Decimal("1"))
    case_with(vpd_department, vpd_coordinator, mentor)

    with CaptureQueriesContext(connection) as many:
        response = signed_in.get(reverse("casework:my_casework"))

    assert response.status_code == 200
    assert len(many) <= len(few) + 1  # the cases' list had nothing to read before


# --- A pair


def test_my_pair_shows_goals_meetings_and_the_meeting_form_when_it_is_theirs(signed_in, mentor, pair):
    services.pair_meeting_log(
        actor=mentor.user, pair=pair, day=TODAY() - timedelta(days=3), hours=Decimal("2"), note="Kafejnīcā."
    )

    response = signed_in.get(reverse("casework:my_pair", args=[pair.pk]))

    assert response.status_code == 200
    text = response.text
    assert pair.client.code in text and "Darba meklēšana" in text
    assert "Kafejnīcā." in text and "2 h awaiting approval" in text
    assert reverse("casework:my_pair_meeting", args=[pair.pk]) in text
    assert "Never write names, personal codes" in text
    assert "is emailed at once to the client" in text and "supervising probation officer" in text
    assert 'placeholder="dd.mm.yyyy"' in text
    assert "P-1234" not in text


def test_pair_meeting_is_logged_and_its_hours_wait_for_approval_when_the_form_is_valid(
    signed_in, mentor, pair
):
    response = signed_in.post(reverse("casework:my_pair_meeting", args=[pair.pk]), _meeting())

    assert response.status_code == 302
    assert response["Location"] == reverse("casework:my_pair", args=[pair.pk])
    meeting = Meeting.objects.get()
    assert (meeting.pair, meeting.hours, meeting.day, meeting.concern) == (
        pair,
        Decimal("1.5"),
        TODAY() - timedelta(days=2),
        False,
    )
    record = HoursRecord.objects.get()
    assert (record.volunteer, record.state, record.hours) == (mentor, HoursState.PENDING, Decimal("1.5"))
    page = signed_in.get(response["Location"])
    assert "The hours wait for the coordinator" in page.text
    assert not mail.outbox


def test_pair_meeting_with_a_concern_emails_the_officer_at_once_when_flagged(
    signed_in, pair, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in.post(
            reverse("casework:my_pair_meeting", args=[pair.pk]),
            _meeting(concern="on", concern_note="Klients runāja par atgriešanos vecajā vidē."),
        )

    assert response.status_code == 302
    assert Meeting.objects.get().concern
    assert [m.to for m in mail.outbox] == [[pair.client.officer.email]]
    assert "vecajā vidē" in mail.outbox[0].body


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"day": _day(200)}, "day"),  # before the pair started (100 days ago)
        ({"day": _day(-1)}, "day"),  # in the future
        ({"hours": "0"}, "hours"),
        ({"hours": "13"}, "hours"),
        ({"concern": "on", "concern_note": "  "}, "concern_note"),
        ({"day": "31.02.2026"}, "day"),
    ],
)
def test_bad_pair_meeting_keeps_the_input_and_saves_nothing_when_refused(signed_in, pair, overrides, field):
    response = signed_in.post(reverse("casework:my_pair_meeting", args=[pair.pk]), _meeting(**overrides))

    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert "Pastaiga un saruna par darba intervijām." in response.text
    assert not Meeting.objects.exists() and not HoursRecord.objects.exists()
    assert not mail.outbox


def test_someone_elses_pair_is_a_404_when_opened_or_logged(signed_in, vpd_department, vpd_coordinator):
    other = builders.pair(vpd_department, vpd_coordinator)

    assert signed_in.get(reverse("casework:my_pair", args=[other.pk])).status_code == 404
    assert signed_in.post(reverse("casework:my_pair_meeting", args=[other.pk]), _meeting()).status_code == 404
    assert not Meeting.objects.exists()


def test_pair_pages_are_a_404_when_the_person_is_not_a_volunteer(client, vpd_coordinator, pair):
    client.force_login(vpd_coordinator)

    assert client.get(reverse("casework:my_pair", args=[pair.pk])).status_code == 404
    assert client.post(reverse("casework:my_pair_meeting", args=[pair.pk]), _meeting()).status_code == 404


# --- A circle


def test_my_circle_shows_members_outer_circle_schedule_and_the_form_when_a_member(
    signed_in, vpd_department, vpd_coordinator, mentor
):
    circle, people = circle_with(vpd_department, vpd_coordinator, mentor)

    response = signed_in.get(reverse("casework:my_circle", args=[circle.pk]))

    assert response.status_code == 200
    text = response.text
    for person in people:
        assert person.user.get_full_name() in text
        assert f'value="{person.pk}"' in text  # a checkbox of who attended
    assert "Psiholoģe, Jelgavas sociālais dienests" in text
    assert "Otrdienās 18:00" in text
    assert reverse("casework:my_circle_meeting", args=[circle.pk]) in text


def test_circle_meeting_gives_each_attendee_pending_hours_and_emails_a_concern_when_logged(
    signed_in, vpd_department, vpd_coordinator, mentor, django_capture_on_commit_callbacks
):
    circle, people = circle_with(vpd_department, vpd_coordinator, mentor)

    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in.post(
            reverse("casework:my_circle_meeting", args=[circle.pk]),
            _meeting(attendees=[people[0].pk, people[2].pk], concern="on", concern_note="Uztraucošs stāsts."),
        )

    assert response.status_code == 302
    assert response["Location"] == reverse("casework:my_circle", args=[circle.pk])
    meeting = Meeting.objects.get()
    assert set(meeting.attendees.all()) == {people[0], people[2]}
    assert set(HoursRecord.objects.values_list("volunteer_id", "state")) == {
        (people[0].pk, HoursState.PENDING),
        (people[2].pk, HoursState.PENDING),
    }
    assert [m.to for m in mail.outbox] == [[circle.client.officer.email]]
    page = signed_in.get(response["Location"]).text
    assert "Concern reported to the officer" in page and "Uztraucošs stāsts." in page


def test_circle_meeting_without_attendees_or_with_a_stranger_is_refused_when_logged(
    signed_in, vpd_department, vpd_coordinator, mentor
):
    circle, _people = circle_with(vpd_department, vpd_coordinator, mentor)
    stranger = builders.volunteer_in_role(vpd_department, Role.Code.CIRCLES)
    url = reverse("casework:my_circle_meeting", args=[circle.pk])

    nobody = signed_in.post(url, _meeting())
    outsider = signed_in.post(url, _meeting(attendees=[mentor.pk, stranger.pk]))

    assert nobody.status_code == outsider.status_code == 400
    assert "attendees" in nobody.context["form"].errors and "attendees" in outsider.context["form"].errors
    assert not Meeting.objects.exists() and not HoursRecord.objects.exists()


def test_circle_below_three_explains_and_refuses_a_meeting_when_a_member_left(
    signed_in, vpd_department, vpd_coordinator, mentor
):
    circle, people = circle_with(vpd_department, vpd_coordinator, mentor)
    services.circle_member_remove(actor=vpd_coordinator, circle=circle, volunteer=people[1], left_on=TODAY())

    page = signed_in.get(reverse("casework:my_circle", args=[circle.pk]))
    response = signed_in.post(
        reverse("casework:my_circle_meeting", args=[circle.pk]), _meeting(attendees=[mentor.pk])
    )

    assert "fewer than 3 volunteers and cannot meet" in page.text
    assert reverse("casework:my_circle_meeting", args=[circle.pk]) not in page.text
    assert response.status_code == 400
    assert "cannot meet" in response.text
    assert not Meeting.objects.exists() and not HoursRecord.objects.exists()


def test_forming_circle_explains_that_it_does_not_meet_yet_when_opened(
    signed_in, vpd_department, vpd_coordinator, mentor
):
    circle, _people = circle_with(vpd_department, vpd_coordinator, mentor, active=False)

    response = signed_in.get(reverse("casework:my_circle", args=[circle.pk]))

    assert response.status_code == 200
    assert "The circle is being formed" in response.text
    assert 'name="hours"' not in response.text


def test_circle_is_a_404_when_the_volunteer_is_not_or_no_longer_a_member(
    signed_in, vpd_department, vpd_coordinator, mentor
):
    others, _people = builders.circle(vpd_department, vpd_coordinator)
    left, _members = circle_with(vpd_department, vpd_coordinator, mentor, others=3)
    services.circle_member_remove(actor=vpd_coordinator, circle=left, volunteer=mentor, left_on=TODAY())

    for circle in (others, left):
        assert signed_in.get(reverse("casework:my_circle", args=[circle.pk])).status_code == 404
        response = signed_in.post(
            reverse("casework:my_circle_meeting", args=[circle.pk]), _meeting(attendees=[mentor.pk])
        )
        assert response.status_code == 404
    assert not Meeting.objects.exists()
    listing = signed_in.get(reverse("casework:my_casework")).text
    assert left.client.code in listing and "you are no longer a member" in listing
    assert reverse("casework:my_circle", args=[left.pk]) not in listing


# --- A mediation case


def test_my_case_shows_references_sessions_and_the_session_form_when_they_mediate_it(
    signed_in, vpd_department, vpd_coordinator, mentor
):
    case = case_with(vpd_department, vpd_coordinator, mentor)
    services.mediation_session_log(
        actor=mentor.user,
        case=case,
        day=TODAY() - timedelta(days=5),
        hours=Decimal("2.5"),
        note="Pirmā tikšanās.",
    )

    response = signed_in.get(reverse("casework:my_case", args=[case.pk]))

    assert response.status_code == 200
    text = response.text
    assert case.reference in text and "C-17" in text and "L-17" in text
    assert "Pirmā tikšanās." in text and "2.5 h awaiting approval" in text
    assert reverse("casework:my_case_session", args=[case.pk]) in text


def test_case_session_is_logged_for_each_mediator_when_the_form_is_valid(
    signed_in, vpd_department, vpd_coordinator, mentor
):
    case = case_with(vpd_department, vpd_coordinator, mentor)
    second = builders.mediator(vpd_department, vpd_coordinator)
    case.mediators.add(second)

    response = signed_in.post(
        reverse("casework:my_case_session", args=[case.pk]), {"day": _day(1), "hours": "2", "note": ""}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("casework:my_case", args=[case.pk])
    assert MediationSession.objects.get().hours == Decimal("2")
    assert set(HoursRecord.objects.values_list("volunteer_id", flat=True)) == {mentor.pk, second.pk}


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"day": _day(30), "hours": "2"}, "day"),  # before the case was opened (20 days ago)
        ({"day": _day(-2), "hours": "2"}, "day"),
        ({"day": _day(1), "hours": "0"}, "hours"),
        ({"day": _day(1), "hours": "13"}, "hours"),
    ],
)
def test_bad_case_session_saves_nothing_when_refused(
    signed_in, vpd_department, vpd_coordinator, mentor, data, field
):
    case = case_with(vpd_department, vpd_coordinator, mentor)

    response = signed_in.post(
        reverse("casework:my_case_session", args=[case.pk]), {**data, "note": "Tikšanās ar abām pusēm."}
    )

    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert "Tikšanās ar abām pusēm." in response.text
    assert not MediationSession.objects.exists() and not HoursRecord.objects.exists()


def test_closed_case_refuses_a_session_when_logged(signed_in, vpd_department, vpd_coordinator, mentor):
    case = case_with(vpd_department, vpd_coordinator, mentor)
    services.mediation_close(actor=vpd_coordinator, case=case, outcome=Outcome.REACHED, closed_on=TODAY())

    page = signed_in.get(reverse("casework:my_case", args=[case.pk]))
    response = signed_in.post(
        reverse("casework:my_case_session", args=[case.pk]), {"day": _day(1), "hours": "1"}
    )

    assert "Settlement reached" in page.text and 'name="hours"' not in page.text
    assert response.status_code == 400 and "This case is closed." in response.text
    assert not MediationSession.objects.exists()


def test_someone_elses_case_is_a_404_when_opened_or_logged(signed_in, vpd_department, vpd_coordinator):
    other = builders.mediator(vpd_department, vpd_coordinator)
    case = services.mediation_create(
        actor=vpd_coordinator,
        unit=vpd_department,
        reference="IZL-SVEŠA",
        victim_ref="C-9",
        offender_ref="L-9",
        mediators=[other],
        opened_on=TODAY(),
    )

    assert signed_in.get(reverse("casework:my_case", args=[case.pk])).status_code == 404
    response = signed_in.post(
        reverse("casework:my_case_session", args=[case.pk]), {"day": _day(0), "hours": "1"}
    )
    assert response.status_code == 404
    assert not MediationSession.objects.exists()


def test_pages_answer_only_their_methods_when_called_otherwise(signed_in, pair):
    assert signed_in.post(reverse("casework:my_casework")).status_code == 405
    assert signed_in.post(reverse("casework:my_pair", args=[pair.pk])).status_code == 405
    assert signed_in.get(reverse("casework:my_pair_meeting", args=[pair.pk])).status_code == 405
