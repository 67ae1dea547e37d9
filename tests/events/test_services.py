"""The events' services: the lifecycle and who may take each step, the rules (agreements
in force, dates, participants, hours within the event's length), series, notices, gate
passes and certificates of volunteer work."""

import itertools
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from documents.models import Document
from events import services
from events.models import (
    CertificateState,
    Event,
    EventNotice,
    EventState,
    EventStep,
    HoursRecord,
    HoursState,
)
from events.printing import CERTIFICATE, GATE_PASS
from institutions.models import AuditEvent

from . import builders


@pytest.fixture
def lead(olaine):
    return builders.volunteer_at(olaine, first_name="Ilze", last_name="Kalniņa", email="ilze@example.lv")


def test_proposal_waits_for_the_coordinator_when_a_volunteer_proposes(olaine, olaine_coordinator, lead):
    event = builders.proposed(olaine, lead)

    assert event.state == EventState.PROPOSED
    assert event.proposed_by == lead.user
    assert [row.volunteer for row in event.people.all()] == [lead]
    assert event.people.get().is_lead
    step = EventStep.objects.get(event=event)
    assert (step.from_state, step.to_state, step.actor) == (
        "",
        EventState.PROPOSED,
        lead.user,
    )
    assert set(EventNotice.objects.filter(step=step).values_list("recipient", flat=True)) == {
        olaine_coordinator.pk
    }
    assert AuditEvent.objects.filter(action="event.propose", target_id=str(event.pk)).exists()


def test_proposal_is_refused_when_the_volunteer_has_no_agreement_at_that_unit(olaine, jelgava):
    at_jelgava = builders.volunteer_at(jelgava, first_name="Jānis", last_name="Bērziņš")

    with pytest.raises(ValidationError) as refused:
        builders.proposed(olaine, at_jelgava)

    text = " ".join(refused.value.messages)
    assert "Jānis Bērziņš" in text and "Olaines cietums" in text
    assert not Event.objects.exists()


def test_proposal_is_refused_when_the_agreement_ends_before_the_event(olaine):
    short = builders.volunteer_at(olaine, end=timezone.localdate() + timedelta(days=3))

    with pytest.raises(ValidationError):
        builders.proposed(olaine, short, days=10)
    assert not Event.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"days": -1}, "starts_at"),
        ({"hours": -1}, "ends_at"),
        ({"hours": 13}, "ends_at"),
        ({"expected_participants": -3}, "expected_participants"),
        ({"place": "  "}, "place"),
    ],
)
def test_bad_details_are_refused_with_the_field_named_when_proposed(olaine, lead, overrides, field):
    with pytest.raises(ValidationError) as refused:
        builders.proposed(olaine, lead, **overrides)

    assert field in refused.value.message_dict
    assert not Event.objects.exists()


def test_coordinator_approves_and_a_gate_pass_is_issued_when_the_proposal_is_approved(
    olaine, olaine_coordinator, lead
):
    event = builders.proposed(olaine, lead)

    services.event_approve(actor=olaine_coordinator, event=event)

    event.refresh_from_db()
    assert event.state == EventState.APPROVED
    assert event.decided_by == olaine_coordinator
    assert Document.objects.filter(event=event, kind=GATE_PASS).count() == 1
    last = event.steps.last()
    assert last.to_state == EventState.APPROVED
    assert list(last.notices.values_list("recipient", flat=True)) == [lead.user_id]


def test_another_units_coordinator_cannot_decide_when_the_event_is_at_olaine(
    olaine, jelgava_coordinator, lead
):
    event = builders.proposed(olaine, lead)

    with pytest.raises(PermissionDenied):
        services.event_approve(actor=jelgava_coordinator, event=event)


def test_reject_and_request_changes_need_a_reason_when_the_coordinator_decides(
    olaine, olaine_coordinator, lead
):
    event = builders.proposed(olaine, lead)

    with pytest.raises(ValidationError):
        services.event_reject(actor=olaine_coordinator, event=event, reason=" ")
    services.event_request_changes(actor=olaine_coordinator, event=event, reason="Lūdzu, vēlāku laiku.")
    event.refresh_from_db()
    assert event.state == EventState.CHANGES_REQUESTED

    services.event_update(actor=lead.user, event=event, details=builders.details(olaine, days=9), others=[])
    event.refresh_from_db()
    assert event.state == EventState.PROPOSED  # back in the queue
    services.event_reject(actor=olaine_coordinator, event=event, reason="Telpa aizņemta visu mēnesi.")
    event.refresh_from_db()
    assert event.state == EventState.REJECTED
    assert event.reason == "Telpa aizņemta visu mēnesi."


def test_volunteer_cannot_change_an_approved_event_when_it_is_approved(olaine, olaine_coordinator, lead):
    event = builders.approved(olaine, olaine_coordinator, lead)

    with pytest.raises(ValidationError):
        services.event_update(actor=lead.user, event=event, details=builders.details(olaine, days=8))


def test_coordinator_change_of_an_approved_event_makes_a_new_gate_pass_when_saved(
    olaine, olaine_coordinator, lead
):
    event = builders.approved(olaine, olaine_coordinator, lead)

    services.event_update(
        actor=olaine_coordinator, event=event, details=builders.details(olaine, days=8), lead=lead
    )

    passes = Document.objects.filter(event=event, kind=GATE_PASS).order_by("version")
    assert passes.count() == 2
    assert passes[0].revoked_at is not None and passes[1].revoked_at is None


def test_either_side_cancels_with_a_reason_and_the_gate_pass_is_revoked_when_cancelled(
    olaine, olaine_coordinator, lead
):
    event = builders.approved(olaine, olaine_coordinator, lead)

    services.event_cancel(actor=lead.user, event=event, reason="Saslimu.")

    event.refresh_from_db()
    assert event.state == EventState.CANCELLED
    assert Document.objects.get(event=event, kind=GATE_PASS).revoked_at is not None
    recipients = set(event.steps.last().notices.values_list("recipient", flat=True))
    assert recipients == {olaine_coordinator.pk}  # not the person who cancelled


def test_stranger_cannot_cancel_when_not_on_the_event(olaine, olaine_coordinator, lead):
    event = builders.approved(olaine, olaine_coordinator, lead)
    stranger = builders.volunteer_at(olaine)

    with pytest.raises(PermissionDenied):
        services.event_cancel(actor=stranger.user, event=event, reason="Nē.")


def test_volunteers_report_waits_and_the_coordinator_approves_the_hours_when_reviewed(
    olaine, olaine_coordinator, lead
):
    helper = builders.volunteer_at(olaine)
    event = builders.past_approved(olaine, olaine_coordinator, lead)
    event.people.create(volunteer=helper)

    services.event_report(
        actor=lead.user,
        event=event,
        held=True,
        actual_participants=7,
        hours={lead.pk: Decimal("2.0"), helper.pk: Decimal("1.5")},
        feedback="Laba saruna par grāmatu.",
    )
    event.refresh_from_db()
    assert event.state == EventState.HELD
    assert set(HoursRecord.objects.values_list("state", flat=True)) == {HoursState.PENDING}
    assert event.people.get(volunteer=lead).feedback == "Laba saruna par grāmatu."

    services.report_review(
        actor=olaine_coordinator,
        event=event,
        hours={lead.pk: Decimal("2.0"), helper.pk: Decimal("1.0")},
        coordinator_note="Paldies!",
    )
    event.refresh_from_db()
    assert event.state == EventState.REPORTED
    records = {r.volunteer_id: r for r in HoursRecord.objects.all()}
    assert records[helper.pk].hours == Decimal("1.0")
    assert {r.state for r in records.values()} == {HoursState.APPROVED}
    assert records[lead.pk].decided_by == olaine_coordinator


def test_hours_beyond_the_events_length_are_refused_when_reported(olaine, olaine_coordinator, lead):
    event = builders.past_approved(olaine, olaine_coordinator, lead, hours=2)

    with pytest.raises(ValidationError) as refused:
        services.event_report(
            actor=lead.user, event=event, held=True, actual_participants=5, hours={lead.pk: Decimal("2.5")}
        )

    assert "hours" in refused.value.message_dict
    assert not HoursRecord.objects.exists()
    event.refresh_from_db()
    assert event.state == EventState.APPROVED


def test_negative_participants_are_refused_when_reported(olaine, olaine_coordinator, lead):
    event = builders.past_approved(olaine, olaine_coordinator, lead)

    with pytest.raises(ValidationError):
        services.event_report(
            actor=olaine_coordinator,
            event=event,
            held=True,
            actual_participants=-1,
            hours={lead.pk: Decimal("1")},
        )


def test_report_before_the_event_is_refused_when_it_has_not_started(olaine, olaine_coordinator, lead):
    event = builders.approved(olaine, olaine_coordinator, lead)

    with pytest.raises(ValidationError):
        services.event_report(
            actor=lead.user, event=event, held=True, actual_participants=1, hours={lead.pk: Decimal("1")}
        )


def test_not_held_report_closes_the_event_without_hours_when_it_did_not_take_place(
    olaine, olaine_coordinator, lead
):
    event = builders.past_approved(olaine, olaine_coordinator, lead)

    services.event_report(
        actor=olaine_coordinator,
        event=event,
        held=False,
        actual_participants=None,
        hours={},
        coordinator_note="Karantīna.",
    )

    event.refresh_from_db()
    assert event.state == EventState.NOT_HELD
    assert not HoursRecord.objects.exists()


def test_series_makes_one_event_per_occurrence_when_weekly_for_ten_weeks(olaine, olaine_coordinator, lead):
    series = services.series_create(
        actor=olaine_coordinator,
        unit=olaine,
        details=builders.details(olaine, days=3, hours=2),
        frequency="weekly",
        count=10,
        lead=lead,
    )

    events = list(series.events.order_by("starts_at"))
    assert len(events) == 10
    assert {e.state for e in events} == {EventState.APPROVED}
    gaps = {(b.starts_at - a.starts_at) for a, b in itertools.pairwise(events)}
    assert gaps <= {timedelta(days=7), timedelta(days=7, hours=1), timedelta(days=7, hours=-1)}  # DST
    assert {timezone.localtime(e.starts_at).hour for e in events} == {10}  # the same local hour
    assert "FREQ=WEEKLY" in series.rule and "COUNT=10" in series.rule

    services.event_cancel(actor=olaine_coordinator, event=events[3], reason="Svētku diena.")
    assert series.events.filter(state=EventState.CANCELLED).count() == 1


def test_series_is_refused_whole_when_an_occurrence_falls_after_the_agreement(olaine, olaine_coordinator):
    short = builders.volunteer_at(olaine, end=timezone.localdate() + timedelta(days=20))

    with pytest.raises(ValidationError):
        services.series_create(
            actor=olaine_coordinator,
            unit=olaine,
            details=builders.details(olaine, days=3),
            frequency="weekly",
            count=10,
            lead=short,
        )
    assert not Event.objects.exists()


def test_certificate_counts_only_approved_hours_in_the_period_when_issued(olaine, olaine_coordinator, lead):
    event = builders.past_approved(olaine, olaine_coordinator, lead, hours=3)
    services.event_report(
        actor=olaine_coordinator, event=event, held=True, actual_participants=6, hours={lead.pk: Decimal("3")}
    )
    other = builders.past_approved(olaine, olaine_coordinator, lead, days_ago=5)
    services.event_report(
        actor=lead.user, event=other, held=True, actual_participants=2, hours={lead.pk: Decimal("1")}
    )

    certificate = services.certificate_request(
        actor=lead.user,
        unit=olaine,
        period_start=timezone.localdate() - timedelta(days=30),
        period_end=timezone.localdate(),
    )
    with pytest.raises(ValidationError):  # one waiting request per unit
        services.certificate_request(
            actor=lead.user, unit=olaine, period_start=timezone.localdate(), period_end=timezone.localdate()
        )
    services.certificate_issue(actor=olaine_coordinator, certificate=certificate)

    certificate.refresh_from_db()
    assert certificate.state == CertificateState.ISSUED
    assert certificate.total_hours == Decimal("3.0")  # the pending hour is not counted
    assert certificate.number.startswith("IEVP-IZZ-")
    assert certificate.activities == ["Grāmatu klubs"]
    assert Document.objects.filter(work_certificate=certificate, kind=CERTIFICATE).count() == 1


def test_certificate_request_is_refused_when_the_volunteer_never_worked_at_the_unit(olaine, jelgava):
    stranger = builders.volunteer_at(jelgava)

    with pytest.raises(PermissionDenied):
        services.certificate_request(
            actor=stranger.user,
            unit=olaine,
            period_start=timezone.localdate(),
            period_end=timezone.localdate(),
        )


# --- Review fixes


def test_lead_changes_without_a_crash_when_the_old_lead_stays_on_the_event(olaine, olaine_coordinator, lead):
    other = builders.volunteer_at(olaine)
    event = builders.approved(olaine, olaine_coordinator, lead)

    services.event_update(
        actor=olaine_coordinator, event=event, details=builders.details(olaine), lead=other, others=[lead]
    )

    rows = {row.volunteer_id: row.is_lead for row in event.people.all()}
    assert rows == {other.pk: True, lead.pk: False}


def test_ending_an_agreement_takes_the_volunteer_off_later_events_when_terminated(
    olaine, olaine_coordinator, lead
):
    from agreements import services as agreement_services
    from agreements.models import Agreement

    helper = builders.volunteer_at(olaine)
    led = builders.approved(olaine, olaine_coordinator, lead, days=20)
    shared = builders.approved(olaine, olaine_coordinator, helper, days=25)
    shared.people.create(volunteer=lead)
    before = builders.approved(olaine, olaine_coordinator, lead, days=2)
    agreement = Agreement.objects.get(volunteer=lead, unit=olaine)
    today = timezone.localdate()

    agreement_services.agreement_terminate(
        actor=olaine_coordinator,
        agreement=agreement,
        terminated_by="organisation",
        notice_date=today,
        ended_on=today + timedelta(days=5),
        reason="Pārtrauc darbu.",
    )

    led.refresh_from_db()
    shared.refresh_from_db()
    before.refresh_from_db()
    assert led.state == EventState.CANCELLED
    assert Document.objects.get(event=led, kind=GATE_PASS).revoked_at is not None
    assert shared.state == EventState.APPROVED
    assert list(shared.people.values_list("volunteer_id", flat=True)) == [helper.pk]
    assert Document.objects.filter(event=shared, kind=GATE_PASS, revoked_at__isnull=True).count() == 1
    assert before.state == EventState.APPROVED  # before the last day: unchanged


def test_only_the_lead_cancels_and_another_volunteer_leaves_when_on_the_event(
    olaine, olaine_coordinator, lead
):
    helper = builders.volunteer_at(olaine)
    event = builders.approved(olaine, olaine_coordinator, lead)
    event.people.create(volunteer=helper)

    with pytest.raises(PermissionDenied):
        services.event_cancel(actor=helper.user, event=event, reason="Nevaru.")
    services.event_leave(actor=helper.user, event=event, reason="Nevaru ierasties.")

    event.refresh_from_db()
    assert event.state == EventState.APPROVED
    assert list(event.people.values_list("volunteer_id", flat=True)) == [lead.pk]
    with pytest.raises(ValidationError):
        services.event_leave(actor=lead.user, event=event, reason="Es vadu.")


def test_monthly_series_keeps_every_month_when_it_starts_on_the_31st():
    from datetime import datetime

    start = timezone.make_aware(datetime(2027, 1, 31, 10, 0), timezone.get_default_timezone())

    days = [
        timezone.localtime(d).date()
        for d in services.occurrence_dates(first_start=start, frequency="monthly", count=4)
    ]

    assert [(d.month, d.day) for d in days] == [(1, 31), (2, 28), (3, 31), (4, 30)]


def test_deciding_the_last_pending_hours_completes_the_report_when_it_was_in_review(
    olaine, olaine_coordinator, lead
):
    event = builders.past_approved(olaine, olaine_coordinator, lead)
    services.event_report(
        actor=lead.user, event=event, held=True, actual_participants=4, hours={lead.pk: Decimal("2")}
    )
    record = HoursRecord.objects.get(event=event)

    services.hours_decide(actor=olaine_coordinator, record=record, approve=True)

    event.refresh_from_db()
    assert event.state == EventState.REPORTED
    with pytest.raises(ValidationError):  # decided once
        services.hours_decide(actor=olaine_coordinator, record=record, approve=False)


def test_whole_institution_certificate_is_for_the_central_office_when_a_unit_coordinator_tries(
    olaine, olaine_coordinator, ievp_central, lead
):
    certificate = services.certificate_request(
        actor=lead.user,
        unit=olaine,
        period_start=timezone.localdate() - timedelta(days=30),
        period_end=timezone.localdate(),
        whole_institution=True,
    )

    with pytest.raises(ValidationError) as refused:
        services.certificate_issue(actor=olaine_coordinator, certificate=certificate)
    assert "whole_institution" in refused.value.message_dict
    services.certificate_issue(actor=ievp_central, certificate=certificate)
    certificate.refresh_from_db()
    assert certificate.state == CertificateState.ISSUED


def test_erasure_removes_the_reasons_a_volunteer_gave_when_they_are_erased(olaine, olaine_coordinator, lead):
    event = builders.approved(olaine, olaine_coordinator, lead)
    services.event_cancel(actor=lead.user, event=event, reason="Man ir slimības lapa.")

    services.erase_volunteer(lead)

    event.refresh_from_db()
    assert event.reason == ""
    assert not EventStep.objects.filter(reason__contains="slimības").exists()
    assert not Event.history.filter(reason__contains="slimības").exists()
