"""A jury member's own interest, the chair's conflict at the decision, the record linked only
while nominations are open, and the award's audit entries kept off the units' pages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from awards import services
from awards.models import JuryMember, Nomination, ScoreSheet
from institutions.models import AuditEvent

from . import builders


@pytest.fixture
def admin(db):
    return builders.award_admin()


def test_scoring_is_refused_when_the_member_made_the_nomination(admin, ievp, olaine, ievp_central):
    _cycle, nominations, members = builders.scoring(
        admin, ievp_central, [lambda c: builders.public(c, ievp, olaine)]
    )
    nominator = members[1].user
    Nomination.objects.filter(pk=nominations[0].pk).update(nominated_by=nominator)

    with pytest.raises(ValidationError, match="piesakiet interešu konfliktu"):
        builders.submit(members[1], Nomination.objects.get(pk=nominations[0].pk))
    assert not ScoreSheet.objects.filter(member=members[1], submitted_at__isnull=False).exists()

    # The conflict itself is accepted: the member is then left out of the nomination's score.
    sheet = services.conflict_declare(actor=nominator, nomination=nominations[0], note="Izvirzīju pats.")
    assert sheet.conflict and sheet.submitted_at is not None


def test_scoring_is_refused_when_the_member_is_the_nominee(admin, ievp, olaine, ievp_central):
    _cycle, nominations, members = builders.scoring(
        admin, ievp_central, [lambda c: builders.public(c, ievp, olaine)]
    )
    Nomination.objects.filter(pk=nominations[0].pk).update(nominee_email=members[1].user.email.upper())

    with pytest.raises(ValidationError, match="piesakiet interešu konfliktu"):
        builders.submit(members[1], Nomination.objects.get(pk=nominations[0].pk))
    assert not ScoreSheet.objects.filter(member=members[1], submitted_at__isnull=False).exists()


def test_chair_cannot_make_a_laureate_when_the_chair_declared_a_conflict(admin, ievp, olaine, ievp_central):
    cycle, nominations, members = builders.scoring(
        admin, ievp_central, [lambda c: builders.public(c, ievp, olaine)]
    )
    chair = JuryMember.objects.get(cycle=cycle, is_chair=True)
    services.conflict_declare(actor=chair.user, nomination=nominations[0], note="Radinieks.")
    for member in members:
        if member.pk != chair.pk:
            builders.submit(member, nominations[0])

    with pytest.raises(ValidationError, match="interešu konflikts"):
        services.laureates_confirm(
            actor=chair.user, cycle=cycle, citations={nominations[0].pk: builders.CITATION}
        )
    assert not Nomination.objects.filter(is_laureate=True).exists()

    # Another member made chair for the decision confirms it.
    other = next(m for m in members if m.pk != chair.pk)
    services.jury_chair_set(actor=admin, member=other)
    services.laureates_confirm(
        actor=other.user, cycle=cycle, citations={nominations[0].pk: builders.CITATION}
    )
    assert Nomination.objects.get(pk=nominations[0].pk).is_laureate


def test_record_link_is_refused_when_scoring_has_started(admin, ievp, olaine, ievp_central):
    volunteer = builders.volunteer_at(olaine)
    _cycle, nominations, _members = builders.scoring(
        admin, ievp_central, [lambda c: builders.public(c, ievp, olaine)]
    )

    with pytest.raises(ValidationError):
        services.nomination_link(actor=ievp_central, nomination=nominations[0], volunteer=volunteer)
    assert Nomination.objects.get(pk=nominations[0].pk).volunteer_id is None


def test_award_audit_entries_belong_to_the_ministry_when_a_nomination_names_a_unit(
    admin, ievp, olaine, ievp_central
):
    cycle = builders.open_cycle(admin)
    nomination = builders.public(cycle, ievp, olaine)
    services.nomination_check(actor=ievp_central, nomination=nomination, eligible=True)

    entries = AuditEvent.objects.filter(action__startswith="awards.nomination")
    assert entries.count() == 2
    assert not entries.filter(unit=olaine).exists()
    assert set(entries.values_list("unit__institution__code", flat=True)) == {"TM"}


def test_erasure_blanks_what_the_jury_wrote_when_the_nominee_is_anonymised(
    admin, olaine, olaine_coordinator, ievp_central, django_capture_on_commit_callbacks
):
    from agreements.models import Status as AgreementStatus
    from privacy import services as privacy

    today = timezone.localdate()
    person = builders.volunteer_at(  # an ended agreement: nothing holds the erasure back
        olaine,
        status=AgreementStatus.ENDED,
        start=today - timedelta(days=400),
        end=today - timedelta(days=35),
    )
    cycle, nominations, members = builders.scoring(
        admin, ievp_central, [lambda c: builders.by_coordinator(c, olaine_coordinator, olaine, person)]
    )
    services.sheet_save(
        actor=members[0].user,
        nomination=nominations[0],
        scores=builders.scores(cycle),
        comment="Pazīstu šo cilvēku no Olaines.",
        submit=True,
    )
    services.conflict_declare(actor=members[1].user, nomination=nominations[0], note="Mans kaimiņš.")

    with django_capture_on_commit_callbacks(execute=True):
        privacy.volunteer_anonymise(volunteer=person, actor=ievp_central)

    sheets = ScoreSheet.objects.filter(nomination=nominations[0])
    assert set(sheets.values_list("comment", flat=True)) == {""}
    assert set(sheets.values_list("conflict_note", flat=True)) == {""}
    history = ScoreSheet.history.model.objects.filter(nomination_id=nominations[0].pk)
    assert not history.exclude(comment="").exists() and not history.exclude(conflict_note="").exists()
