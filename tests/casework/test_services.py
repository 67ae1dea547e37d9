"""Casework services: client references (codes, never names), pairs and their meetings,
circles of 3–5, mediation with certified mediators, certificates, hours for approval, the
concern email to the supervising officer."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from casework import services
from casework.models import CirclePhase, ClientReference, MediationCase, Meeting, Outcome
from events.models import HoursRecord, HoursState
from events.services import hours_decide
from institutions.models import AuditEvent
from volunteers.models import Role

from . import builders

TODAY = timezone.localdate


def test_client_gets_a_pseudonymous_code_per_unit_and_year_when_created(vpd_department, vpd_coordinator):
    first = builders.client(vpd_department, vpd_coordinator)
    second = builders.client(vpd_department, vpd_coordinator)

    year = first.active_from.year
    assert first.code.endswith(f"-{year}-0001") and second.code.endswith(f"-{year}-0002")
    assert first.code.split("-")[0].isupper()
    assert AuditEvent.objects.filter(action="casework.client.create", target_id=str(first.pk)).exists()


def test_client_officer_must_be_staff_of_the_unit_when_created(
    vpd_department, vpd_coordinator, olaine_coordinator
):
    with pytest.raises(ValidationError) as refused:
        builders.client(vpd_department, vpd_coordinator, officer=olaine_coordinator)
    assert "officer" in refused.value.message_dict
    assert not ClientReference.objects.exists()


def test_pair_needs_a_mentor_agreement_in_force_when_formed(vpd_department, vpd_coordinator):
    mediator_only = builders.volunteer_in_role(vpd_department, Role.Code.MEDIATOR)

    with pytest.raises(ValidationError) as refused:
        builders.pair(vpd_department, vpd_coordinator, mentor=mediator_only)
    assert "mentor" in refused.value.message_dict


def test_mentor_logs_a_meeting_and_its_length_waits_for_approval_when_logged(vpd_department, vpd_coordinator):
    pair = builders.pair(vpd_department, vpd_coordinator)

    meeting = services.pair_meeting_log(
        actor=pair.mentor.user,
        pair=pair,
        day=TODAY() - timedelta(days=1),
        hours=Decimal("2"),
        note="Kafija un sarunas.",
    )

    record = HoursRecord.objects.get(volunteer=pair.mentor)
    assert (record.kind, record.state, record.hours, record.source) == (
        "mentoring",
        HoursState.PENDING,
        Decimal("2"),
        meeting,
    )
    assert pair.client.code in record.activity
    hours_decide(actor=vpd_coordinator, record=record, approve=True)
    record.refresh_from_db()
    assert record.state == HoursState.APPROVED


@pytest.mark.parametrize(
    ("days_ago", "hours", "field"),
    [
        (200, Decimal("1"), "day"),
        (-1, Decimal("1"), "day"),
        (1, Decimal("0"), "hours"),
        (1, Decimal("13"), "hours"),
    ],
)
def test_bad_meeting_is_refused_and_nothing_saved_when_logged(
    vpd_department, vpd_coordinator, days_ago, hours, field
):
    pair = builders.pair(vpd_department, vpd_coordinator)

    with pytest.raises(ValidationError) as refused:
        services.pair_meeting_log(
            actor=pair.mentor.user, pair=pair, day=TODAY() - timedelta(days=days_ago), hours=hours
        )

    assert field in refused.value.message_dict
    assert not Meeting.objects.exists() and not HoursRecord.objects.exists()


def test_another_volunteer_cannot_log_a_pairs_meeting_when_not_its_mentor(vpd_department, vpd_coordinator):
    pair = builders.pair(vpd_department, vpd_coordinator)
    stranger = builders.volunteer_in_role(vpd_department)

    with pytest.raises(PermissionDenied):
        services.pair_meeting_log(actor=stranger.user, pair=pair, day=TODAY(), hours=Decimal("1"))


def test_circle_refuses_a_sixth_member_when_it_has_five(vpd_department, vpd_coordinator):
    circle, _volunteers = builders.circle(vpd_department, vpd_coordinator, members=5)
    sixth = builders.volunteer_in_role(vpd_department, Role.Code.CIRCLES)

    with pytest.raises(ValidationError) as refused:
        services.circle_member_add(actor=vpd_coordinator, circle=circle, volunteer=sixth, joined_on=TODAY())
    assert "volunteer" in refused.value.message_dict
    assert circle.members.count() == 5


def test_circle_below_three_cannot_start_or_meet_when_members_are_missing(vpd_department, vpd_coordinator):
    circle, _volunteers = builders.circle(vpd_department, vpd_coordinator, members=2, active=False)

    with pytest.raises(ValidationError):
        services.circle_activate(actor=vpd_coordinator, circle=circle, active_from=TODAY())
    full, members = builders.circle(vpd_department, vpd_coordinator, members=3)
    services.circle_member_remove(actor=vpd_coordinator, circle=full, volunteer=members[0], left_on=TODAY())
    with pytest.raises(ValidationError):
        services.circle_meeting_log(
            actor=members[1].user, circle=full, day=TODAY(), hours=Decimal("1.5"), attendees=members[1:]
        )


def test_circle_meeting_with_a_concern_emails_the_officer_at_once_when_logged(
    vpd_department, vpd_coordinator, django_capture_on_commit_callbacks
):
    circle, members = builders.circle(vpd_department, vpd_coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        meeting = services.circle_meeting_log(
            actor=members[0].user,
            circle=circle,
            day=TODAY(),
            hours=Decimal("1.5"),
            attendees=members[:2],
            note="Runājām par darba grafiku.",
            concern=True,
            concern_note="Klients pieminēja, ka vēlas satikt bijušo cietušo.",
        )

    assert [m.to for m in mail.outbox] == [[circle.client.officer.email]]
    assert circle.client.code in mail.outbox[0].subject
    meeting.refresh_from_db()
    assert meeting.concern_sent_at is not None
    assert sorted(HoursRecord.objects.values_list("volunteer_id", flat=True)) == sorted(
        m.pk for m in members[:2]
    )
    assert services.concern_send(meeting_id=meeting.pk) is False  # once


def test_mediation_needs_certified_mediators_when_a_case_is_opened(vpd_department, vpd_coordinator):
    certified = builders.mediator(vpd_department, vpd_coordinator)
    expired = builders.mediator(vpd_department, vpd_coordinator, valid_until=TODAY() - timedelta(days=1))

    with pytest.raises(ValidationError) as refused:
        services.mediation_create(
            actor=vpd_coordinator,
            unit=vpd_department,
            reference="IZL-1",
            victim_ref="C-1",
            offender_ref="L-1",
            mediators=[certified, expired],
            opened_on=TODAY(),
        )
    assert "mediators" in refused.value.message_dict
    assert not MediationCase.objects.exists()
    case = services.mediation_create(
        actor=vpd_coordinator,
        unit=vpd_department,
        reference="IZL-1",
        victim_ref="C-1",
        offender_ref="L-1",
        mediators=[certified],
        opened_on=TODAY() - timedelta(days=10),
    )
    services.mediation_session_log(
        actor=certified.user, case=case, day=TODAY() - timedelta(days=2), hours=Decimal("2.5")
    )
    services.mediation_close(actor=vpd_coordinator, case=case, outcome=Outcome.REACHED, closed_on=TODAY())
    case.refresh_from_db()
    assert case.outcome == Outcome.REACHED and not case.is_open
    assert HoursRecord.objects.get(volunteer=certified).kind == "mediation"


def test_annulled_certificate_flags_open_cases_when_annulled(vpd_department, vpd_coordinator):
    from casework import selectors

    certified = builders.mediator(vpd_department, vpd_coordinator)
    case = services.mediation_create(
        actor=vpd_coordinator,
        unit=vpd_department,
        reference="IZL-2",
        victim_ref="C-2",
        offender_ref="L-2",
        mediators=[certified],
        opened_on=TODAY(),
    )
    assert not selectors.case_for(vpd_coordinator, case.pk).uncertified

    services.certificate_annul(
        actor=vpd_coordinator,
        certificate=builders.certificate_of(certified),
        annulled_on=TODAY(),
        reason="Pārkāpums.",
    )

    assert selectors.case_for(vpd_coordinator, case.pk).uncertified
    assert certified not in selectors.certified_mediators(vpd_department)


def test_circle_phases_forming_active_ended_when_worked_through(vpd_department, vpd_coordinator):
    circle, _members = builders.circle(vpd_department, vpd_coordinator)
    circle.refresh_from_db()
    assert circle.phase == CirclePhase.ACTIVE

    services.circle_end(actor=vpd_coordinator, circle=circle, ended_on=TODAY(), reason="Mērķi sasniegti.")

    circle.refresh_from_db()
    assert circle.phase == CirclePhase.ENDED
    assert not circle.members.filter(left_on__isnull=True).exists()
