"""The casework pages of coordinators and supervising officers: the overview, client
references (every view logged), mentoring pairs, circles (AAA), mediation cases and
mediators' certificates — as the unit's coordinator, another unit and the ministry (counts
only, never a record) meet them.

Query counts: every signed-in request costs 7 queries before the view runs (the session,
the user, the user-session tracking) and the person's roles 3 more (see
tests/trainings/test_queries.py); the rest is noted with each count. What matters is that
the count is the same for 3 rows and for 30."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from casework import services
from casework.models import (
    Circle,
    CircleMember,
    CirclePhase,
    ClientReference,
    MediationCase,
    MediatorCertificate,
    MentoringPair,
    Outcome,
    OuterMember,
    PairState,
    Review,
)
from casework.reminders import review_due_on
from institutions.models import AuditEvent
from volunteers.models import Role

from . import builders

TODAY = timezone.localdate


@pytest.fixture(autouse=True)
def english_pages(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def _day(days_ago: int = 0) -> str:
    return (TODAY() - timedelta(days=days_ago)).strftime("%d.%m.%Y")


def _warm(client, url) -> None:
    """The first request after signing in starts the user-session row (not counted)."""
    assert client.get(url).status_code == 200


@pytest.fixture
def pair(vpd_department, vpd_coordinator):
    return builders.pair(vpd_department, vpd_coordinator)


@pytest.fixture
def circle(vpd_department, vpd_coordinator):
    made, _members = builders.circle(vpd_department, vpd_coordinator)
    return made


@pytest.fixture
def mediator(vpd_department, vpd_coordinator):
    return builders.mediator(vpd_department, vpd_coordinator, first_name="Marta", last_name="Starpniece")


@pytest.fixture
def case(vpd_department, vpd_coordinator, mediator):
    return services.mediation_create(
        actor=vpd_coordinator,
        unit=vpd_department,
        reference="IZL-2026-17",
        victim_ref="C-17",
        offender_ref="L-17",
        mediators=[mediator],
        opened_on=TODAY() - timedelta(days=20),
    )


# --- The overview and the menu


def test_overview_shows_pairs_circles_cases_and_expiring_certificates_when_the_coordinator_opens_it(
    client, vpd_department, vpd_coordinator, pair, case, mediator
):
    small, _members = builders.circle(vpd_department, vpd_coordinator, members=2, active=False)
    services.certificate_annul(
        actor=vpd_coordinator,
        certificate=builders.certificate_of(mediator),
        annulled_on=TODAY(),
        reason="Pārkāpums.",
    )
    soon = builders.mediator(vpd_department, vpd_coordinator, valid_until=TODAY() + timedelta(days=20))
    client.force_login(vpd_coordinator)

    response = client.get(reverse("casework:home"))

    assert response.status_code == 200
    text = response.text
    assert pair.client.code in text and reverse("casework:pair", args=[pair.pk]) in text
    assert small.client.code in text and "below 3 volunteers" in text
    assert case.reference in text and "mediator without a valid certificate" in text
    assert builders.certificate_of(soon).number in text
    assert response.context["cases_flagged"] == 1


def test_overview_flags_a_circle_past_18_months_and_a_review_due_when_it_has_met_long(
    client, vpd_department, vpd_coordinator, circle
):
    Circle.objects.filter(pk=circle.pk).update(
        formed_on=TODAY() - timedelta(days=600), active_from=TODAY() - timedelta(days=570)
    )
    client.force_login(vpd_coordinator)

    response = client.get(reverse("casework:home"))

    assert "past 18 months" in response.text and "review due" in response.text


@pytest.mark.parametrize("name", ["casework:home", "casework:clients", "casework:pairs", "casework:cases"])
def test_record_pages_answer_404_when_the_ministry_or_a_volunteer_asks(client, ministry, pair, name):
    client.force_login(ministry)
    assert client.get(reverse(name)).status_code == 404
    client.force_login(pair.mentor.user)
    assert client.get(reverse(name)).status_code == 404


def test_menu_offers_casework_when_a_coordinator_is_signed_in(client, vpd_coordinator):
    client.force_login(vpd_coordinator)
    response = client.get(reverse("casework:home"))
    assert f'href="{reverse("casework:home")}">Casework</a>' in response.text


def test_menu_leads_the_ministry_to_the_counts_when_it_is_signed_in(client, ministry):
    client.force_login(ministry)
    response = client.get(reverse("casework:counts"))
    assert f'href="{reverse("casework:counts")}">Casework</a>' in response.text
    assert f'href="{reverse("casework:home")}"' not in response.text


# --- Counts


def test_counts_show_numbers_and_no_record_when_the_ministry_reads_them(
    client, vpd_department, vpd_coordinator, ministry, pair, case, mediator
):
    services.pair_meeting_log(
        actor=pair.mentor.user, pair=pair, day=TODAY() - timedelta(days=1), hours=Decimal("2")
    )
    services.mediation_close(actor=vpd_coordinator, case=case, outcome=Outcome.REACHED, closed_on=TODAY())
    client.force_login(ministry)

    response = client.get(reverse("casework:counts"), {"year": TODAY().year})

    assert response.status_code == 200
    assert response.context["units"] == [{"name": vpd_department.name, "pairs": 1, "circles": 0, "cases": 0}]
    assert response.context["meetings_total"] == 1 and response.context["hours_total"] == Decimal("2")
    assert (str(Outcome.REACHED.label), 1) in response.context["outcomes"]
    text = response.text
    for secret in (pair.client.code, case.reference, pair.mentor.user.last_name, mediator.user.last_name):
        assert secret not in text
    assert reverse("casework:pair", args=[pair.pk]) not in text


def test_counts_fall_back_to_this_year_when_the_year_is_bad(client, vpd_coordinator):
    client.force_login(vpd_coordinator)
    response = client.get(reverse("casework:counts"), {"year": "x"})
    assert response.status_code == 200 and response.context["year"] == TODAY().year


def test_counts_answer_404_when_a_volunteer_asks(client, pair):
    client.force_login(pair.mentor.user)
    assert client.get(reverse("casework:counts")).status_code == 404


# --- Clients


def test_coordinator_creates_a_client_reference_when_the_form_is_valid(
    client, vpd_department, vpd_coordinator
):
    client.force_login(vpd_coordinator)
    url = reverse("casework:client_new")
    assert client.get(url).status_code == 200

    response = client.post(
        url,
        {"officer": vpd_coordinator.pk, "case_number": "P-77", "active_from": _day(3), "note": ""},
    )

    made = ClientReference.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("casework:client", args=[made.pk])
    assert (made.unit, made.officer, made.case_number) == (vpd_department, vpd_coordinator, "P-77")


def test_client_form_comes_back_with_400_keeping_the_input_when_the_officer_is_missing(
    client, vpd_coordinator
):
    client.force_login(vpd_coordinator)

    response = client.post(
        reverse("casework:client_new"), {"officer": "", "case_number": "P-78", "active_from": _day()}
    )

    assert response.status_code == 400
    assert "officer" in response.context["form"].errors
    assert 'value="P-78"' in response.text
    assert not ClientReference.objects.exists()


def test_client_page_logs_every_view_when_it_is_opened(client, vpd_department, vpd_coordinator):
    reference = builders.client(vpd_department, vpd_coordinator)
    client.force_login(vpd_coordinator)
    url = reverse("casework:client", args=[reference.pk])

    first = client.get(url)
    client.get(url)

    assert first.status_code == 200 and reference.code in first.text
    views = AuditEvent.objects.filter(action="casework.client.view", target_id=str(reference.pk))
    assert views.count() == 2
    assert views.first().actor == vpd_coordinator


def test_client_edit_saves_the_end_when_the_form_is_valid(client, vpd_department, vpd_coordinator):
    reference = builders.client(vpd_department, vpd_coordinator)
    client.force_login(vpd_coordinator)
    url = reverse("casework:client_edit", args=[reference.pk])
    assert client.get(url).status_code == 200

    response = client.post(
        url, {"officer": vpd_coordinator.pk, "case_number": "P-9", "active_to": _day(), "note": "Piezīme."}
    )

    assert response.status_code == 302
    reference.refresh_from_db()
    assert (reference.case_number, reference.active_to, reference.note) == ("P-9", TODAY(), "Piezīme.")


def test_client_edit_comes_back_with_400_when_the_end_is_before_the_start(
    client, vpd_department, vpd_coordinator
):
    reference = builders.client(vpd_department, vpd_coordinator)
    client.force_login(vpd_coordinator)

    response = client.post(
        reverse("casework:client_edit", args=[reference.pk]),
        {"officer": vpd_coordinator.pk, "case_number": "P-9", "active_to": _day(400)},
    )

    assert response.status_code == 400
    assert "active_to" in response.context["form"].errors
    reference.refresh_from_db()
    assert reference.active_to is None and reference.case_number == "P-1234"


def test_client_list_shows_the_units_references_when_the_coordinator_opens_it(
    client, vpd_department, vpd_coordinator
):
    reference = builders.client(vpd_department, vpd_coordinator)
    client.force_login(vpd_coordinator)
    response = client.get(reverse("casework:clients"))
    assert response.status_code == 200 and reference.code in response.text


# --- Another unit and the ministry


@pytest.mark.parametrize("who", ["olaine_coordinator", "ministry"])
def test_records_answer_404_when_another_unit_or_the_ministry_asks(
    request, client, vpd_department, vpd_coordinator, pair, circle, case, who
):
    client.force_login(request.getfixturevalue(who))
    urls = [
        reverse("casework:client", args=[pair.client_id]),
        reverse("casework:client_edit", args=[pair.client_id]),
        reverse("casework:pair", args=[pair.pk]),
        reverse("casework:circle", args=[circle.pk]),
        reverse("casework:case", args=[case.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("casework:pair_end", args=[pair.pk]), {}).status_code == 404
    assert client.post(reverse("casework:case_close", args=[case.pk]), {}).status_code == 404
    assert not AuditEvent.objects.filter(action="casework.client.view").exists()


def test_lists_leave_out_another_units_records_when_another_coordinator_reads_them(
    client, olaine_coordinator, pair, circle, case
):
    client.force_login(olaine_coordinator)
    assert pair.client.code not in client.get(reverse("casework:pairs")).text
    assert circle.client.code not in client.get(reverse("casework:circles")).text
    assert case.reference not in client.get(reverse("casework:cases")).text


# --- Mentoring pairs


def _pair_form(client_ref, mentor, **overrides) -> dict:
    data = {
        "client": client_ref.pk,
        "mentor": mentor.pk,
        "starts_on": _day(10),
        "planned_end": (TODAY() + timedelta(days=300)).strftime("%d.%m.%Y"),
        "goals": "Darba meklēšana.",
    }
    data.update(overrides)
    return data


def test_coordinator_forms_a_pair_when_the_form_is_valid(client, vpd_department, vpd_coordinator):
    reference = builders.client(vpd_department, vpd_coordinator)
    mentor = builders.volunteer_in_role(vpd_department, first_name="Pēteris", last_name="Līdzgaitnieks")
    client.force_login(vpd_coordinator)
    url = reverse("casework:pair_new")
    page = client.get(url, {"client": reference.pk})
    assert page.status_code == 200 and "Pēteris Līdzgaitnieks" in page.text

    response = client.post(url, _pair_form(reference, mentor))

    made = MentoringPair.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("casework:pair", args=[made.pk])
    assert (made.client, made.mentor, made.state) == (reference, mentor, PairState.ACTIVE)


def test_pair_form_comes_back_with_400_and_saves_nothing_when_the_start_is_before_the_client(
    client, vpd_department, vpd_coordinator
):
    reference = builders.client(vpd_department, vpd_coordinator)
    mentor = builders.volunteer_in_role(vpd_department)
    client.force_login(vpd_coordinator)

    response = client.post(reverse("casework:pair_new"), _pair_form(reference, mentor, starts_on=_day(180)))

    assert response.status_code == 400
    assert "starts_on" in response.context["form"].errors
    assert "Darba meklēšana." in response.text
    assert not MentoringPair.objects.exists()


def test_pair_form_refuses_a_volunteer_without_a_mentor_agreement_when_chosen(
    client, vpd_department, vpd_coordinator
):
    reference = builders.client(vpd_department, vpd_coordinator)
    mediator_only = builders.volunteer_in_role(vpd_department, Role.Code.MEDIATOR)
    client.force_login(vpd_coordinator)

    response = client.post(reverse("casework:pair_new"), _pair_form(reference, mediator_only))

    assert response.status_code == 400
    assert "mentor" in response.context["form"].errors
    assert not MentoringPair.objects.exists()


def test_pair_page_shows_meetings_hours_and_the_next_review_when_opened(client, vpd_coordinator, pair):
    services.pair_meeting_log(
        actor=pair.mentor.user,
        pair=pair,
        day=TODAY() - timedelta(days=2),
        hours=Decimal("1.5"),
        note="Kafija un sarunas.",
    )
    client.force_login(vpd_coordinator)

    response = client.get(reverse("casework:pair", args=[pair.pk]))

    assert response.status_code == 200
    assert "Kafija un sarunas." in response.text and "1.5 h" in response.text
    assert response.context["detail"].review_due == review_due_on(pair.starts_on, None)
    assert reverse("casework:pair_review", args=[pair.pk]) in response.text
    assert reverse("casework:pair_end", args=[pair.pk]) in response.text


def test_review_is_recorded_when_the_coordinator_sends_it(client, vpd_coordinator, pair):
    client.force_login(vpd_coordinator)

    response = client.post(
        reverse("casework:pair_review", args=[pair.pk]),
        {"review-reviewed_on": _day(), "review-note": "Sadarbība laba."},
    )

    assert response.status_code == 302
    review = Review.objects.get(pair=pair)
    assert (review.officer, review.note) == (vpd_coordinator, "Sadarbība laba.")


def test_review_comes_back_with_400_and_saves_nothing_when_it_is_dated_in_the_future(
    client, vpd_coordinator, pair
):
    client.force_login(vpd_coordinator)

    response = client.post(
        reverse("casework:pair_review", args=[pair.pk]),
        {"review-reviewed_on": (TODAY() + timedelta(days=3)).strftime("%d.%m.%Y"), "review-note": "Vēlāk."},
    )

    assert response.status_code == 400
    assert "reviewed_on" in response.context["review_form"].errors
    assert not Review.objects.exists()


def test_pair_ends_with_a_reason_when_the_coordinator_ends_it(client, vpd_coordinator, pair):
    client.force_login(vpd_coordinator)

    missing = client.post(
        reverse("casework:pair_end", args=[pair.pk]), {"end-ended_on": _day(), "end-reason": ""}
    )
    ended = client.post(
        reverse("casework:pair_end", args=[pair.pk]),
        {"end-ended_on": _day(), "end-reason": "Mērķi sasniegti."},
    )

    assert missing.status_code == 400
    assert ended.status_code == 302
    pair.refresh_from_db()
    assert (pair.state, pair.ended_on, pair.end_reason) == (PairState.ENDED, TODAY(), "Mērķi sasniegti.")


# --- Circles


def _circle_form(reference, volunteers, **overrides) -> dict:
    data = {
        "client": reference.pk,
        "volunteers": [v.pk for v in volunteers],
        "formed_on": _day(5),
        "schedule": "Katru otrdienu",
    }
    data.update(overrides)
    return data


def test_coordinator_forms_a_circle_of_three_when_the_form_is_valid(client, vpd_department, vpd_coordinator):
    reference = builders.client(vpd_department, vpd_coordinator)
    volunteers = [builders.volunteer_in_role(vpd_department, Role.Code.CIRCLES) for _ in range(3)]
    client.force_login(vpd_coordinator)
    assert client.get(reverse("casework:circle_new")).status_code == 200

    response = client.post(reverse("casework:circle_new"), _circle_form(reference, volunteers))

    made = Circle.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("casework:circle", args=[made.pk])
    assert made.phase == CirclePhase.FORMING and made.members.count() == 3


def test_circle_form_comes_back_with_400_and_saves_nothing_when_six_volunteers_are_chosen(
    client, vpd_department, vpd_coordinator
):
    reference = builders.client(vpd_department, vpd_coordinator)
    volunteers = [builders.volunteer_in_role(vpd_department, Role.Code.CIRCLES) for _ in range(6)]
    client.force_login(vpd_coordinator)

    response = client.post(reverse("casework:circle_new"), _circle_form(reference, volunteers))

    assert response.status_code == 400
    assert "volunteers" in response.context["form"].errors
    assert not Circle.objects.exists() and not CircleMember.objects.exists()


def test_circle_page_shows_members_outer_circle_and_a_flagged_meeting_when_opened(
    client, vpd_department, vpd_coordinator
):
    circle, members = builders.circle(vpd_department, vpd_coordinator)
    services.outer_member_add(
        actor=vpd_coordinator, circle=circle, role="Psihologs", organisation="Sociālais dienests"
    )
    services.circle_meeting_log(
        actor=members[0].user,
        circle=circle,
        day=TODAY() - timedelta(days=1),
        hours=Decimal("2"),
        attendees=members[:2],
        note="Runājām par darbu.",
        concern=True,
        concern_note="Satraucoša piezīme.",
    )
    client.force_login(vpd_coordinator)

    response = client.get(reverse("casework:circle", args=[circle.pk]))

    assert response.status_code == 200
    text = response.text
    assert members[2].user.get_full_name() in text
    assert "Psihologs · Sociālais dienests" in text
    assert "Satraucoša piezīme." in text and "Concern" in text


def test_circle_refuses_a_sixth_member_with_400_when_it_has_five(client, vpd_department, vpd_coordinator):
    circle, _members = builders.circle(vpd_department, vpd_coordinator, members=5)
    sixth = builders.volunteer_in_role(vpd_department, Role.Code.CIRCLES)
    client.force_login(vpd_coordinator)

    response = client.post(
        reverse("casework:circle_member_add", args=[circle.pk]),
        {"add-volunteer": sixth.pk, "add-joined_on": _day()},
    )

    assert response.status_code == 400
    assert "volunteer" in response.context["add_form"].errors
    assert circle.members.filter(left_on__isnull=True).count() == 5


def test_circle_members_join_and_leave_when_the_coordinator_changes_them(
    client, vpd_department, vpd_coordinator, circle
):
    newcomer = builders.volunteer_in_role(vpd_department, Role.Code.CIRCLES)
    leaving = circle.members.first().volunteer
    client.force_login(vpd_coordinator)

    added = client.post(
        reverse("casework:circle_member_add", args=[circle.pk]),
        {"add-volunteer": newcomer.pk, "add-joined_on": _day()},
    )
    removed = client.post(
        reverse("casework:circle_member_remove", args=[circle.pk]),
        {"remove-volunteer": leaving.pk, "remove-left_on": _day()},
    )

    assert (added.status_code, removed.status_code) == (302, 302)
    active = set(circle.members.filter(left_on__isnull=True).values_list("volunteer_id", flat=True))
    assert newcomer.pk in active and leaving.pk not in active


def test_outer_circle_gains_and_loses_a_professional_when_the_coordinator_changes_it(
    client, vpd_coordinator, circle
):
    client.force_login(vpd_coordinator)

    missing = client.post(reverse("casework:circle_outer_add", args=[circle.pk]), {"outer-role": "Psihologs"})
    added = client.post(
        reverse("casework:circle_outer_add", args=[circle.pk]),
        {"outer-role": "Probācijas darbinieks", "outer-organisation": "VPD"},
    )
    professional = OuterMember.objects.get(circle=circle)
    removed = client.post(
        reverse("casework:circle_outer_remove", args=[circle.pk]), {"outer_remove-member": professional.pk}
    )

    assert (missing.status_code, added.status_code, removed.status_code) == (400, 302, 302)
    assert not OuterMember.objects.exists()


def test_circle_below_three_cannot_start_meeting_when_activated(client, vpd_department, vpd_coordinator):
    small, _members = builders.circle(vpd_department, vpd_coordinator, members=2, active=False)
    full, _others = builders.circle(vpd_department, vpd_coordinator, members=3, active=False)
    client.force_login(vpd_coordinator)

    refused = client.post(
        reverse("casework:circle_activate", args=[small.pk]), {"activate-active_from": _day()}
    )
    started = client.post(
        reverse("casework:circle_activate", args=[full.pk]), {"activate-active_from": _day()}
    )

    assert refused.status_code == 400 and refused.context["activate_form"].errors
    assert started.status_code == 302
    small.refresh_from_db()
    full.refresh_from_db()
    assert (small.phase, full.phase) == (CirclePhase.FORMING, CirclePhase.ACTIVE)


def test_circle_ends_and_is_reviewed_when_the_coordinator_acts(client, vpd_coordinator, circle):
    client.force_login(vpd_coordinator)

    reviewed = client.post(
        reverse("casework:circle_review", args=[circle.pk]),
        {"review-reviewed_on": _day(), "review-note": "Aplis strādā labi."},
    )
    no_reason = client.post(reverse("casework:circle_end", args=[circle.pk]), {"end-ended_on": _day()})
    ended = client.post(
        reverse("casework:circle_end", args=[circle.pk]),
        {"end-ended_on": _day(), "end-reason": "Termiņš beidzās."},
    )

    assert (reviewed.status_code, no_reason.status_code, ended.status_code) == (302, 400, 302)
    assert Review.objects.filter(circle=circle).count() == 1
    circle.refresh_from_db()
    assert circle.phase == CirclePhase.ENDED


def test_circle_actions_answer_404_when_another_unit_sends_them(client, olaine_coordinator, circle):
    client.force_login(olaine_coordinator)
    for name in (
        "circle_member_add",
        "circle_member_remove",
        "circle_outer_add",
        "circle_activate",
        "circle_end",
    ):
        assert client.post(reverse(f"casework:{name}", args=[circle.pk]), {}).status_code == 404, name


# --- Mediation


def _case_form(mediators, **overrides) -> dict:
    data = {
        "reference": "IZL-2026-99",
        "victim_ref": "C-99",
        "offender_ref": "L-99",
        "mediators": [m.pk for m in mediators],
        "opened_on": _day(2),
    }
    data.update(overrides)
    return data


def test_coordinator_opens_a_case_with_a_certified_mediator_when_the_form_is_valid(
    client, vpd_coordinator, mediator
):
    client.force_login(vpd_coordinator)
    page = client.get(reverse("casework:case_new"))
    assert page.status_code == 200 and "Marta Starpniece" in page.text

    response = client.post(reverse("casework:case_new"), _case_form([mediator]))

    made = MediationCase.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("casework:case", args=[made.pk])
    assert list(made.mediators.all()) == [mediator]


def test_case_form_comes_back_with_400_and_saves_nothing_when_a_mediator_is_uncertified(
    client, vpd_department, vpd_coordinator, mediator
):
    expired = builders.mediator(vpd_department, vpd_coordinator, valid_until=TODAY() - timedelta(days=1))
    client.force_login(vpd_coordinator)
    assert expired.user.last_name not in client.get(reverse("casework:case_new")).text

    response = client.post(reverse("casework:case_new"), _case_form([mediator, expired]))

    assert response.status_code == 400
    assert "mediators" in response.context["form"].errors
    assert 'value="IZL-2026-99"' in response.text
    assert not MediationCase.objects.exists()


def test_case_page_flags_an_uncertified_mediator_when_the_certificate_is_annulled(
    client, vpd_coordinator, mediator, case
):
    services.certificate_annul(
        actor=vpd_coordinator,
        certificate=builders.certificate_of(mediator),
        annulled_on=TODAY(),
        reason="Pārkāpums.",
    )
    client.force_login(vpd_coordinator)

    response = client.get(reverse("casework:case", args=[case.pk]))

    assert response.status_code == 200
    assert "has no valid certificate today" in response.text
    assert "Marta Starpniece" in response.text


def test_case_page_shows_sessions_and_hours_when_they_are_logged(client, vpd_coordinator, mediator, case):
    services.mediation_session_log(
        actor=mediator.user,
        case=case,
        day=TODAY() - timedelta(days=1),
        hours=Decimal("2.5"),
        note="Pirmā tikšanās.",
    )
    client.force_login(vpd_coordinator)

    response = client.get(reverse("casework:case", args=[case.pk]))

    assert "Pirmā tikšanās." in response.text and "2.5 h" in response.text


def test_case_closes_with_an_outcome_when_the_coordinator_closes_it(client, vpd_coordinator, case):
    client.force_login(vpd_coordinator)

    missing = client.post(reverse("casework:case_close", args=[case.pk]), {"close-closed_on": _day()})
    closed = client.post(
        reverse("casework:case_close", args=[case.pk]),
        {"close-outcome": Outcome.REACHED, "close-closed_on": _day()},
    )

    assert missing.status_code == 400 and "outcome" in missing.context["close_form"].errors
    assert closed.status_code == 302
    case.refresh_from_db()
    assert (case.outcome, case.closed_on) == (Outcome.REACHED, TODAY())


# --- Certificates


def test_coordinator_records_a_certificate_when_the_form_is_valid(client, vpd_department, vpd_coordinator):
    volunteer = builders.volunteer_in_role(vpd_department, Role.Code.MEDIATOR)
    client.force_login(vpd_coordinator)
    assert client.get(reverse("casework:certificate_new")).status_code == 200
    data = {
        "volunteer": volunteer.pk,
        "number": "S-2026-1",
        "issued_on": _day(10),
        "valid_until": (TODAY() + timedelta(days=700)).strftime("%d.%m.%Y"),
    }

    response = client.post(reverse("casework:certificate_new"), data)
    again = client.post(reverse("casework:certificate_new"), data)

    assert response.status_code == 302 and response["Location"] == reverse("casework:certificates")
    assert again.status_code == 400 and "number" in again.context["form"].errors
    assert MediatorCertificate.objects.filter(volunteer=volunteer).count() == 1


def test_certificate_form_comes_back_with_400_when_it_expires_before_it_was_issued(
    client, vpd_department, vpd_coordinator
):
    volunteer = builders.volunteer_in_role(vpd_department, Role.Code.MEDIATOR)
    client.force_login(vpd_coordinator)

    response = client.post(
        reverse("casework:certificate_new"),
        {"volunteer": volunteer.pk, "number": "S-2026-2", "issued_on": _day(), "valid_until": _day(5)},
    )

    assert response.status_code == 400 and "valid_until" in response.context["form"].errors
    assert not MediatorCertificate.objects.exists()


def test_certificates_list_marks_expiry_and_annuls_when_the_coordinator_annuls(
    client, vpd_department, vpd_coordinator, mediator
):
    soon = builders.mediator(vpd_department, vpd_coordinator, valid_until=TODAY() + timedelta(days=10))
    certificate = builders.certificate_of(mediator)
    client.force_login(vpd_coordinator)

    page = client.get(reverse("casework:certificates"))
    missing = client.post(
        reverse("casework:certificate_annul", args=[certificate.pk]), {"annul-annulled_on": _day()}
    )
    annulled = client.post(
        reverse("casework:certificate_annul", args=[certificate.pk]),
        {"annul-annulled_on": _day(), "annul-reason": "Pārkāpums."},
    )

    assert page.status_code == 200
    assert builders.certificate_of(soon).number in page.text and "expires soon" in page.text
    assert missing.status_code == 400 and "Pārkāpums." not in missing.text
    assert annulled.status_code == 302
    certificate.refresh_from_db()
    assert (certificate.annulled_on, certificate.annul_reason) == (TODAY(), "Pārkāpums.")


def test_certificate_annul_answers_404_when_another_unit_sends_it(client, olaine_coordinator, mediator):
    client.force_login(olaine_coordinator)
    response = client.post(
        reverse("casework:certificate_annul", args=[builders.certificate_of(mediator).pk]),
        {"annul-annulled_on": _day(), "annul-reason": "x"},
    )
    assert response.status_code == 404


# --- Query counts of the lists


# The pairs' state counts (1), the page's count (1) and rows with their last review and
# meetings counted (1); "show unit" reads the roles (0) (+ 1: the user).
PAIRS_QUERIES = 4
# The phases' counts (1), the page's count (1) and rows (1) (+ 1: the user).
CIRCLES_QUERIES = 4
# The open/closed counts (1), the page's count (1), rows (1) and their mediators (1) (+ 1).
CASES_QUERIES = 5


@pytest.mark.parametrize("count", [3, 30])
def test_pairs_list_runs_the_same_queries_when_pairs_multiply(
    client, vpd_department, vpd_coordinator, count, django_assert_num_queries
):
    mentor = builders.volunteer_in_role(vpd_department)
    for _ in range(count):
        made = builders.pair(vpd_department, vpd_coordinator, mentor=mentor)
        services.review_record(actor=vpd_coordinator, pair=made, reviewed_on=TODAY(), note="Labi.")
    url = reverse("casework:pairs")
    client.force_login(vpd_coordinator)
    _warm(client, url)

    with django_assert_num_queries(PAIRS_QUERIES):
        response = client.get(url)

    assert response.status_code == 200
    assert response.context["page"].paginator.count == count
    assert [tab["count"] for tab in response.context["tabs"]] == [count, 0, count]  # active, ended, all


@pytest.mark.parametrize("count", [3, 30])
def test_circles_list_runs_the_same_queries_when_circles_multiply(
    client, vpd_department, vpd_coordinator, count, django_assert_num_queries
):
    volunteers = [builders.volunteer_in_role(vpd_department, Role.Code.CIRCLES) for _ in range(3)]
    for index in range(count):
        services.circle_create(
            actor=vpd_coordinator,
            client=builders.client(vpd_department, vpd_coordinator),
            volunteers=volunteers[: 2 + index % 2],
            formed_on=TODAY() - timedelta(days=10),
        )
    url = reverse("casework:circles")
    client.force_login(vpd_coordinator)
    _warm(client, url)

    with django_assert_num_queries(CIRCLES_QUERIES):
        response = client.get(url)

    assert response.status_code == 200
    assert response.context["page"].paginator.count == count
    assert [tab["count"] for tab in response.context["tabs"]] == [count, count, 0, 0]  # all, forming…


@pytest.mark.parametrize("count", [3, 30])
def test_cases_list_runs_the_same_queries_when_cases_multiply(
    client, vpd_department, vpd_coordinator, count, django_assert_num_queries
):
    mediators = [builders.mediator(vpd_department, vpd_coordinator) for _ in range(2)]
    for index in range(count):
        services.mediation_create(
            actor=vpd_coordinator,
            unit=vpd_department,
            reference=f"IZL-{index}",
            victim_ref=f"C-{index}",
            offender_ref=f"L-{index}",
            mediators=mediators[: 1 + index % 2],
            opened_on=TODAY() - timedelta(days=5),
        )
    url = reverse("casework:cases")
    client.force_login(vpd_coordinator)
    _warm(client, url)

    with django_assert_num_queries(CASES_QUERIES):
        response = client.get(url)

    assert response.status_code == 200
    assert response.context["page"].paginator.count == count
    assert [tab["count"] for tab in response.context["tabs"]] == [count, 0, count]  # open, closed, all


def test_create_pages_ask_for_the_unit_when_the_person_coordinates_several(
    client, olaine, vpd_department, superuser
):
    client.force_login(superuser)

    response = client.get(reverse("casework:pair_new"))

    assert response.status_code == 200
    assert f'href="?unit={vpd_department.slug}"' in response.text
    assert f'href="?unit={olaine.slug}"' in response.text
