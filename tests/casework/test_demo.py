"""The casework demo: client references (codes, never names), mentoring pairs with meetings
and hours, three circles at different phases, mediation cases with every outcome, mediator
certificates (one expiring, one annulled); every volunteer had an agreement in force for the
role at the unit when they started; idempotent. Seeded once for the module (rolled back)."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from agreements.models import IN_FORCE, Agreement
from agreements.models import Status as AgreementStatus
from casework import selectors
from casework.models import (
    Circle,
    CircleMember,
    CirclePhase,
    ClientReference,
    MediationCase,
    MediationSession,
    MediatorCertificate,
    Meeting,
    MentoringPair,
    Outcome,
    OuterMember,
    PairState,
    Review,
)
from events.models import HoursRecord, HoursState
from institutions import demo as institutions_demo
from volunteers import demo as volunteers_demo

MODELS = [
    ClientReference,
    MentoringPair,
    Circle,
    CircleMember,
    OuterMember,
    Meeting,
    Review,
    MediationCase,
    MediationSession,
    MediatorCertificate,
    HoursRecord,
    Agreement,
]


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        out = StringIO()
        call_command("seed_demo", stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


def _terms():
    """(unit, volunteer, role code) → the periods of their agreements in force or ended."""
    terms = defaultdict(list)
    for agreement in Agreement.objects.filter(status__in=[*IN_FORCE, AgreementStatus.ENDED]).select_related(
        "role"
    ):
        end = min(agreement.end_date, agreement.ended_on or agreement.end_date)
        terms[agreement.unit_id, agreement.volunteer_id, agreement.role.code].append(
            (agreement.start_date, end)
        )
    return terms


def _covered(terms, unit_id, volunteer_id, role, day) -> bool:
    return any(start <= day <= end for start, end in terms[unit_id, volunteer_id, role])


def test_pairs_with_meetings_hours_reviews_and_one_ended_across_vpd_units(seeded, db):
    assert "Demo casework:" in seeded
    pairs = MentoringPair.objects.all()
    assert pairs.count() >= 10
    assert pairs.values("unit").distinct().count() >= 5
    assert set(pairs.values_list("unit__institution__code", flat=True)) == {"VPD"}
    ended = pairs.get(state=PairState.ENDED)
    assert ended.end_reason and ended.ended_on >= ended.meetings.order_by("-day").first().day
    assert all(pair.meetings.count() >= 3 for pair in pairs)
    assert Review.objects.filter(pair__isnull=False).exists()
    assert ClientReference.objects.values("unit").distinct().count() >= 5

    meeting_type = ContentType.objects.get_for_model(Meeting)
    hours = HoursRecord.objects.filter(source_type=meeting_type)
    states = Counter(hours.values_list("state", flat=True))
    assert states[HoursState.APPROVED] > 50 and states[HoursState.PENDING] > 5
    # One hours record per attendee of every meeting, as the services leave them.
    attendees = Meeting.attendees.through.objects.count()
    assert hours.count() == attendees
    assert not hours.filter(state=HoursState.APPROVED, decided_by=None).exists()
    assert not Meeting.objects.filter(day__gt=timezone.localdate()).exists()


def test_every_volunteer_had_an_agreement_in_force_for_the_role_at_the_unit_when_they_started(seeded, db):
    terms = _terms()
    for pair in MentoringPair.objects.all():
        assert _covered(terms, pair.unit_id, pair.mentor_id, "mentor", pair.starts_on), pair
    for member in CircleMember.objects.select_related("circle"):
        assert _covered(terms, member.circle.unit_id, member.volunteer_id, "circles", member.joined_on)
    for case in MediationCase.objects.prefetch_related("mediators"):
        for mediator in case.mediators.all():
            assert _covered(terms, case.unit_id, mediator.pk, "mediator", case.opened_on)
            certificate = MediatorCertificate.objects.filter(volunteer=mediator).get()
            assert certificate.issued_on <= case.opened_on <= certificate.valid_until
            assert certificate.annulled_on is None or certificate.annulled_on >= case.opened_on
    # And on every meeting day (the long circle's earlier agreements run into the current ones).
    for meeting in Meeting.objects.prefetch_related("attendees"):
        role = "mentor" if meeting.pair_id else "circles"
        for volunteer in meeting.attendees.all():
            assert _covered(terms, meeting.unit_id, volunteer.pk, role, meeting.day), meeting


def test_three_circles_forming_meeting_for_four_months_and_past_eighteen_months(seeded, db):
    today = timezone.localdate()
    circles = {circle.phase: circle for circle in Circle.objects.filter(phase=CirclePhase.FORMING)}
    forming = circles[CirclePhase.FORMING]
    assert forming.members.count() == 2 and not forming.meetings.exists()
    assert not selectors.circle_detail(forming).can_meet and selectors.circle_detail(forming).below_minimum

    active = list(Circle.objects.filter(phase=CirclePhase.ACTIVE).order_by("-active_from"))
    assert len(active) == 2
    recent, long_running = active
    assert 110 <= (today - recent.active_from).days <= 130
    detail = selectors.circle_detail(recent)
    assert detail.can_meet and not detail.past_warning and 3 <= len(detail.members) <= 5
    assert recent.outer.count() == 3 and recent.meetings.count() >= 15
    concern = recent.meetings.get(concern=True)
    assert concern.concern_note and concern.concern_sent_at is not None
    assert not Meeting.objects.filter(concern=True, concern_sent_at=None).exists()  # no email from the demo
    assert all(m.attendees.count() >= 3 for m in recent.meetings.all())

    assert selectors.circle_detail(long_running).past_warning
    assert long_running.meetings.count() >= 40 and long_running.reviews.count() >= 5
    earlier = Agreement.objects.filter(
        institution__code="VPD", status=AgreementStatus.ENDED, unit=long_running.unit
    )
    assert earlier.count() == long_running.members.count()


def test_mediation_cases_with_every_outcome_certificates_expiring_and_annulled(seeded, db):
    outcomes = Counter(MediationCase.objects.values_list("outcome", flat=True))
    assert {Outcome.REACHED, Outcome.NOT_REACHED, Outcome.REFUSED, Outcome.WITHDRAWN} <= set(outcomes)
    assert outcomes[""] >= 2  # open
    assert MediationSession.objects.count() >= 10
    session_type = ContentType.objects.get_for_model(MediationSession)
    assert HoursRecord.objects.filter(source_type=session_type, kind="mediation").count() >= 10

    today = timezone.localdate()
    certificates = MediatorCertificate.objects.all()
    in_force = Agreement.objects.filter(
        institution__code="VPD", status__in=IN_FORCE, role__code="mediator", start_date__lte=today
    )
    assert set(certificates.values_list("volunteer", flat=True)) == set(
        in_force.values_list("volunteer", flat=True)
    )
    valid = [c for c in certificates if c.is_valid_on(today)]
    assert len(valid) == certificates.count() - 1
    expiring = [c for c in valid if c.valid_until <= today + timedelta(days=30)]
    assert len(expiring) == 1
    assert len([c for c in valid if c.valid_until <= today + timedelta(days=60)]) == 2
    annulled = certificates.get(annulled_on__isnull=False)
    assert annulled.annul_reason
    centre = get_user_model().objects.get(email="vpd.centrs@tilts.demo")
    flagged = [case for case in selectors.cases_for(centre) if case.uncertified]
    assert len(flagged) == 1 and flagged[0].is_open
    assert annulled.volunteer in flagged[0].mediators.all()


def test_no_client_is_named_anywhere(seeded, db):
    names = {*volunteers_demo.MALE, *volunteers_demo.FEMALE}
    names |= {name for pair in volunteers_demo.SURNAMES for name in pair}
    names |= {word for account in institutions_demo.ACCOUNTS for word in account[1:3]}
    texts = [
        *ClientReference.objects.values_list("note", flat=True),
        *ClientReference.objects.values_list("case_number", flat=True),
        *MentoringPair.objects.values_list("goals", flat=True),
        *MentoringPair.objects.values_list("end_reason", flat=True),
        *Meeting.objects.values_list("note", flat=True),
        *Meeting.objects.values_list("concern_note", flat=True),
        *Review.objects.values_list("note", flat=True),
        *MediationSession.objects.values_list("note", flat=True),
        *MediationCase.objects.values_list("victim_ref", flat=True),
        *MediationCase.objects.values_list("offender_ref", flat=True),
        *OuterMember.objects.values_list("role", flat=True),
    ]
    words = {word for text in texts for word in re.findall(r"\w+", text) if word[:1].isupper()}
    assert words and not words & names
    assert all(
        re.fullmatch(r"[A-Z]{3}-\d{4}-\d{4}", code)
        for code in ClientReference.objects.values_list("code", flat=True)
    )


def test_the_demo_volunteer_mentors_a_pair_with_meetings(seeded, db):
    volunteer = get_user_model().objects.get(email=volunteers_demo.VOLUNTEER_EMAIL).volunteer
    pairs = list(selectors.my_pairs(volunteer))
    assert len(pairs) == 1 and pairs[0].unit.slug == "vpd-vidzemes-regions"
    assert pairs[0].meetings.count() >= 3
    mine = HoursRecord.objects.filter(volunteer=volunteer, kind="mentoring")
    assert mine.filter(state=HoursState.PENDING).exists()


def test_seeding_again_changes_nothing(seeded, db):
    before = {model.__name__: model.objects.count() for model in MODELS}

    out = StringIO()
    call_command("seed_demo", stdout=out)

    assert "Demo casework is already loaded." in out.getvalue()
    assert {model.__name__: model.objects.count() for model in MODELS} == before
