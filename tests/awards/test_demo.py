"""The award demo: the award administrator and a jury of three; five announced cycles
2020–2024 with laureates (one of 2024 a real demo volunteer who worked there then), every
eligible nomination scored by every jury member, numbers without gaps; this year's cycle open
with nominations from coordinators and the public form at every stage of the check;
idempotent. Seeded once for the module (rolled back at the end)."""

from __future__ import annotations

from collections import Counter
from datetime import date
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from agreements.models import IN_FORCE, Agreement
from agreements.models import Status as AgreementStatus
from awards import demo, selectors, services
from awards.models import AwardCycle, Criterion, JuryMember, Nomination, Score, ScoreSheet
from documents import registry as document_registry
from documents.models import Document
from institutions import permissions
from institutions.models import AuditEvent

MODELS = [AwardCycle, Criterion, JuryMember, Nomination, ScoreSheet, Score, Document, AuditEvent]
PAST_YEARS = [2020, 2021, 2022, 2023, 2024]


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        out = StringIO()
        call_command("seed_demo", stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


def _user(email):
    return get_user_model().objects.get(email=email)


def test_the_award_administrator_and_the_jury_sign_in_with_the_demo_password_and_hold_their_roles(seeded, db):
    admin = _user("balva@tilts.demo")
    assert admin.check_password("Tilts-demo-2026")
    assert admin.emailaddress_set.get(email=admin.email).verified
    assert permissions.roles_for(admin).award_admin
    assert not permissions.roles_for(admin).juror
    for email in ("zurija1@tilts.demo", "zurija2@tilts.demo", "zurija3@tilts.demo"):
        juror = _user(email)
        assert juror.check_password("Tilts-demo-2026")
        assert juror.emailaddress_set.get(email=email).verified
        roles = permissions.roles_for(juror)
        assert roles.juror and not roles.award_admin and not roles.is_staff_role
    # The same jury every year, zurija1 in the chair.
    for cycle in AwardCycle.objects.all():
        jury = {m.user.email: m.is_chair for m in cycle.jury.select_related("user")}
        assert jury == {"zurija1@tilts.demo": True, "zurija2@tilts.demo": False, "zurija3@tilts.demo": False}
    assert "Demo award:" in seeded


def test_five_past_cycles_were_announced_at_the_november_conference_each_with_laureates(seeded, db):
    past = AwardCycle.objects.filter(year__in=PAST_YEARS).order_by("year")
    assert [c.year for c in past] == PAST_YEARS
    assert list(selectors.public_years().values_list("year", flat=True)) == PAST_YEARS[::-1]
    for cycle in past:
        assert cycle.status == AwardCycle.Status.ANNOUNCED
        assert cycle.conference_name == "Brīvprātīgi par drošāku sabiedrību – dari un atbalsti"
        assert cycle.conference_date.month == 11 and cycle.conference_date.day >= 20
        assert cycle.nominations_open <= cycle.nominations_close <= cycle.conference_date
        assert cycle.decided_by.email == "zurija1@tilts.demo"
        assert cycle.nominations_close < timezone.localdate(cycle.decided_at) < cycle.conference_date
        assert timezone.localdate(cycle.announced_at) == cycle.conference_date
        assert [(c.name, c.description, c.max_score) for c in cycle.criteria.all()] == [
            tuple(c) for c in services.DEFAULT_CRITERIA
        ]
        nominations = list(cycle.nominations.all())
        assert 4 <= len(nominations) <= 8
        assert {n.source for n in nominations} == {"coordinator", "public"}
        laureates = [n for n in nominations if n.is_laureate]
        assert 1 <= len(laureates) <= 3
        for laureate in laureates:
            assert laureate.status == Nomination.Status.ELIGIBLE
            assert laureate.citation and len(laureate.citation) <= services.CITATION_MAX
            assert (
                laureate.confirmed_by_id == cycle.decided_by_id and laureate.confirmed_at == cycle.decided_at
            )
            assert laureate.consent_recorded_by.email == "balva@tilts.demo"
            assert laureate.notice_sent_at is not None and laureate.contact_email
    # Both institutions' units are nominated, and every status occurs.
    everything = Nomination.objects.filter(cycle__in=past)
    assert set(everything.values_list("institution__code", flat=True)) == {"IEVP", "VPD"}
    assert set(everything.values_list("status", flat=True)) == {"eligible", "ineligible", "withdrawn"}
    # One laureate did not agree to be named: the public page shows fewer.
    withheld = Nomination.objects.filter(cycle__in=past, is_laureate=True, public_consent=False)
    assert withheld.count() == 1
    cycle = withheld.get().cycle
    assert len(selectors.public_laureates(cycle)) == cycle.nominations.filter(is_laureate=True).count() - 1


def test_numbers_are_gapless_and_each_nomination_was_checked_by_its_institutions_central_office(seeded, db):
    for cycle in AwardCycle.objects.all():
        numbers = list(cycle.nominations.order_by("number").values_list("number", flat=True))
        assert numbers == list(range(1, len(numbers) + 1))
        submitted = [n.submitted_at for n in cycle.nominations.order_by("number")]
        assert submitted == sorted(submitted)
        for nomination in cycle.nominations.select_related("checked_by", "unit"):
            assert nomination.unit.institution_id == nomination.institution_id
            assert (
                cycle.nominations_open
                <= timezone.localdate(nomination.submitted_at)
                <= cycle.nominations_close
            )
            assert len(nomination.justification) >= 100
            if nomination.status in ("eligible", "ineligible"):
                assert nomination.institution_id in permissions.roles_for(nomination.checked_by).central_of
                assert nomination.checked_at > nomination.submitted_at
            else:
                assert nomination.checked_by is None and nomination.checked_at is None
            if nomination.status in ("ineligible", "withdrawn"):
                assert nomination.eligibility_note
            if nomination.source == "coordinator":
                assert nomination.nominated_by.email == nomination.nominator_email
                assert nomination.nominator_organisation == nomination.unit.name
            else:
                assert nomination.nominated_by is None
    justifications = list(Nomination.objects.values_list("justification", flat=True))
    assert len(set(justifications)) == len(justifications)


def test_every_jury_member_submitted_a_sheet_on_every_eligible_past_nomination(seeded, db):
    for cycle in AwardCycle.objects.filter(year__in=PAST_YEARS):
        progress = selectors.scoring_progress(cycle)
        assert progress.complete and progress.missing == 0
        members = list(cycle.jury.all())
        criteria = list(cycle.criteria.all())
        for nomination in cycle.nominations.filter(status=Nomination.Status.ELIGIBLE):
            sheets = {s.member_id: s for s in nomination.sheets.prefetch_related("scores")}
            assert set(sheets) == {m.pk for m in members}
            for sheet in sheets.values():
                assert sheet.submitted_at is not None
                assert cycle.nominations_close < timezone.localdate(sheet.submitted_at)
                assert sheet.submitted_at < cycle.decided_at
                if sheet.conflict:
                    assert sheet.conflict_note and not sheet.scores.exists()
                else:
                    values = {s.criterion_id: s.value for s in sheet.scores.all()}
                    assert set(values) == {c.pk for c in criteria}
                    assert all(1 <= values[c.pk] <= c.max_score for c in criteria)
        # Nothing but the eligible is scored; the laureates lead the ranking.
        assert not ScoreSheet.objects.filter(nomination__cycle=cycle).exclude(nomination__status="eligible")
        ranking = selectors.ranking(cycle)
        laureates = cycle.nominations.filter(is_laureate=True).count()
        assert all(row.nomination.is_laureate for row in ranking[:laureates])
    conflicts = ScoreSheet.objects.filter(conflict=True)
    assert conflicts.count() == 1 and conflicts.get().nomination.cycle.year == 2022


def test_a_2024_laureate_is_a_demo_volunteer_who_worked_there_in_2024_with_a_diploma(seeded, db):
    linked = Nomination.objects.filter(cycle__year=2024, is_laureate=True, volunteer__isnull=False)
    assert linked.exists()
    for nomination in linked.select_related("volunteer__user", "unit"):
        assert nomination.nominee_name == nomination.volunteer.user.get_full_name()
        assert nomination.source == "coordinator"
        assert Agreement.objects.filter(
            volunteer=nomination.volunteer,
            unit=nomination.unit,
            status__in=[*IN_FORCE, AgreementStatus.ENDED],
            start_date__lte=date(2024, 9, 1),
            end_date__gte=date(2024, 9, 1),
        ).exists()
        assert nomination.summary["units"] == [nomination.unit.name]
    # The earlier cycles predate the records in Tilts.
    assert not Nomination.objects.filter(cycle__year__lt=2024, volunteer__isnull=False).exists()
    try:
        document_registry.get(services.DIPLOMA)
    except LookupError:
        pytest.skip("the diploma's document kind is not registered")
    diplomas = Document.objects.filter(kind=services.DIPLOMA)
    laureates = set(
        Nomination.objects.filter(cycle__year=2024, is_laureate=True).values_list("pk", flat=True)
    )
    assert set(diplomas.values_list("object_id", flat=True)) == laureates
    assert diplomas.count() == len(laureates)


def test_this_years_cycle_is_open_today_with_nominations_at_every_stage_of_the_check(seeded, db):
    today = timezone.localdate()
    cycle = AwardCycle.objects.get(year=today.year)
    assert selectors.open_cycle() == cycle
    assert cycle.accepts_nominations_on(today)
    assert cycle.conference_date > cycle.nominations_close
    assert cycle.criteria.count() == len(services.DEFAULT_CRITERIA)
    nominations = list(cycle.nominations.select_related("nominated_by", "volunteer__user", "checked_by"))
    assert len(nominations) == 5
    assert Counter(n.source for n in nominations) == {"coordinator": 2, "public": 3}
    assert Counter(n.status for n in nominations) == {"submitted": 3, "eligible": 1, "ineligible": 1}
    assert not any(n.is_laureate for n in nominations)
    assert {n.nominated_by.email for n in nominations if n.source == "coordinator"} == {
        "olaine@tilts.demo",
        "vpd.jelgava@tilts.demo",
    }
    for nomination in nominations:
        assert timezone.localdate(nomination.submitted_at) <= today
        if nomination.source == "coordinator":
            # A volunteer of the coordinator's unit, whom the form would offer.
            assert nomination.volunteer in selectors.nominable_volunteers(
                nomination.nominated_by, nomination.unit
            )
            assert nomination.summary["units"]
    eligible = next(n for n in nominations if n.status == "eligible")
    assert eligible.source == "public" and eligible.volunteer is not None
    assert eligible.checked_by.email == "ievp.centrs@tilts.demo"
    ineligible = next(n for n in nominations if n.status == "ineligible")
    assert ineligible.eligibility_note and ineligible.checked_by.email == "ievp.centrs@tilts.demo"
    # Nobody scores before the window closes.
    assert not ScoreSheet.objects.filter(nomination__cycle=cycle).exists()
    # The coordinators see their own nominations; the central offices their institution's.
    olaine = _user("olaine@tilts.demo")
    assert [n.nominated_by_id for n in selectors.nominations_for(olaine, cycle)] == [olaine.pk]


def test_seeding_again_changes_nothing(seeded, db):
    counts = {model: model.objects.count() for model in MODELS}
    users = get_user_model().objects.count()
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert "Demo award is already loaded." in out.getvalue()
    assert {model: model.objects.count() for model in MODELS} == counts
    assert get_user_model().objects.count() == users
    assert demo.PAST.keys() == set(PAST_YEARS)
