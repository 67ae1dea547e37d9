"""The award's services: cycles and their steps, nominations (public and a coordinator's) with
their files and numbers, the central office's eligibility check and link, the chair's
decision, diplomas, the laureates' emails and the jury. Every refusal leaves nothing saved."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone, translation

from awards import selectors, services
from awards.models import AwardCycle, Criterion, JuryMember, Nomination, NominationFile, ScoreSheet
from documents.models import Document
from documents.services import document_render_pdf
from institutions import permissions
from institutions.models import AuditEvent, Institution

from . import builders

Status = AwardCycle.Status
NStatus = Nomination.Status
TODAY = timezone.localdate


@pytest.fixture
def admin(db):
    return builders.award_admin()


@pytest.fixture
def cycle(admin):
    """Open for nominations (today is within the window)."""
    return builders.open_cycle(admin, 2026)


def _messages(refused) -> str:
    return " ".join(refused.value.messages)


# --- Cycles


def test_cycle_starts_as_a_draft_with_the_default_criteria_when_it_is_the_first(admin):
    cycle = builders.draft(admin, 2026)

    assert cycle.status == Status.DRAFT and cycle.created_by == admin
    assert [(c.position, c.name, c.max_score) for c in cycle.criteria.all()] == [
        (index, name, top) for index, (name, _description, top) in enumerate(services.DEFAULT_CRITERIA, 1)
    ]
    assert cycle.conference_name == AwardCycle._meta.get_field("conference_name").default
    assert AuditEvent.objects.filter(action="awards.cycle.create", target_id=str(cycle.pk)).exists()


def test_cycle_copies_the_previous_cycles_criteria_when_created(admin):
    first = builders.draft(admin, 2025)
    services.criterion_delete(actor=admin, criterion=first.criteria.last())
    services.criterion_save(actor=admin, cycle=first, name="Sadarbība ar personālu", max_score=7)

    second = builders.draft(admin, 2026)

    assert [(c.name, c.max_score) for c in second.criteria.all()] == [
        (c.name, c.max_score) for c in first.criteria.all()
    ]
    assert ("Sadarbība ar personālu", 7) in [(c.name, c.max_score) for c in second.criteria.all()]
    assert not set(second.criteria.values_list("pk", flat=True)) & set(
        first.criteria.values_list("pk", flat=True)
    )


def test_cycle_is_refused_when_its_year_already_has_one(admin):
    builders.draft(admin, 2026)

    with pytest.raises(ValidationError) as refused:
        builders.draft(admin, 2026)
    assert "year" in refused.value.message_dict
    assert AwardCycle.objects.count() == 1 and Criterion.objects.count() == len(services.DEFAULT_CRITERIA)


def test_cycle_is_refused_when_nominations_close_before_they_open(admin):
    with pytest.raises(ValidationError) as refused:
        builders.draft(admin, 2026, nominations_open=TODAY(), nominations_close=TODAY() - timedelta(days=1))
    assert "nominations_close" in refused.value.message_dict
    assert not AwardCycle.objects.exists() and not Criterion.objects.exists()


def test_cycle_is_refused_when_the_conference_is_before_nominations_close(admin):
    with pytest.raises(ValidationError) as refused:
        builders.draft(admin, 2026, conference_date=TODAY())
    assert "conference_date" in refused.value.message_dict
    assert not AwardCycle.objects.exists()


def test_cycle_update_is_refused_when_it_would_take_another_cycles_year(admin):
    builders.draft(admin, 2025)
    cycle = builders.draft(admin, 2026)

    with pytest.raises(ValidationError) as refused:
        services.cycle_update(actor=admin, cycle=cycle, details=builders.details(2025))
    assert "year" in refused.value.message_dict
    cycle.refresh_from_db()
    assert cycle.year == 2026


def test_cycle_open_is_refused_when_it_has_no_criteria(admin):
    cycle = builders.draft(admin, 2026)
    for criterion in list(cycle.criteria.all()):
        services.criterion_delete(actor=admin, criterion=criterion)

    with pytest.raises(ValidationError):
        services.cycle_open(actor=admin, cycle=cycle)
    cycle.refresh_from_db()
    assert cycle.status == Status.DRAFT


def test_cycle_open_is_refused_when_another_cycle_is_open(admin):
    builders.open_cycle(admin, 2025)
    second = builders.draft(admin, 2026)

    with pytest.raises(ValidationError):
        services.cycle_open(actor=admin, cycle=second)
    second.refresh_from_db()
    assert second.status == Status.DRAFT
    assert selectors.open_cycle().year == 2025


def test_cycle_steps_are_refused_when_the_person_is_no_award_administrator(
    admin, ievp_central, olaine_coordinator, ministry
):
    cycle = builders.draft(admin, 2026)
    juror = builders.jury(cycle, admin, members=1)[0].user
    for person in (ievp_central, olaine_coordinator, ministry, juror):
        with pytest.raises(PermissionDenied):
            services.cycle_create(actor=person, details=builders.details(2027))
        with pytest.raises(PermissionDenied):
            services.cycle_open(actor=person, cycle=cycle)
        with pytest.raises(PermissionDenied):
            services.criterion_save(actor=person, cycle=cycle, name="Cits kritērijs")
        with pytest.raises(PermissionDenied):
            services.jury_member_add(
                actor=person, cycle=cycle, email="x@example.lv", first_name="X", last_name="Y"
            )
    cycle.refresh_from_db()
    assert cycle.status == Status.DRAFT
    assert list(AwardCycle.objects.values_list("year", flat=True)) == [2026]
    assert cycle.criteria.count() == len(services.DEFAULT_CRITERIA) and cycle.jury.count() == 1


def test_scoring_start_lists_every_problem_together_when_the_cycle_is_not_ready(admin, cycle, ievp, olaine):
    builders.public(cycle, ievp, olaine)
    builders.jury(cycle, admin, members=1)
    JuryMember.objects.filter(cycle=cycle).update(is_chair=False)

    with translation.override("en"), pytest.raises(ValidationError) as refused:
        services.scoring_start(actor=admin, cycle=cycle, today=TODAY())

    messages = refused.value.messages
    assert len(messages) == 5
    text = " ".join(messages)
    assert cycle.nominations_close.strftime("%d.%m.%Y") in text
    assert "1 nomination is still waiting" in text
    assert "No nomination is eligible." in text
    assert "The jury has no chair." in text
    assert "at least two members" in text
    cycle.refresh_from_db()
    assert cycle.status == Status.OPEN


def test_scoring_starts_when_the_window_closed_and_the_jury_is_ready(
    admin, cycle, ievp, olaine, ievp_central
):
    builders.eligible(builders.public(cycle, ievp, olaine), ievp_central)
    builders.jury(cycle, admin)

    services.scoring_start(actor=admin, cycle=cycle, today=builders.after_close(cycle))

    cycle.refresh_from_db()
    assert cycle.status == Status.SCORING


# --- Public nominations


def test_public_nomination_is_taken_when_the_window_is_open(cycle, ievp, olaine):
    nomination = builders.public(cycle, ievp, olaine, files=[builders.pdf()])

    assert nomination.source == Nomination.Source.PUBLIC and nomination.status == NStatus.SUBMITTED
    assert nomination.reference == "CC-2026-001"
    assert nomination.nominator_email == "marta.kalnina@example.lv"
    assert nomination.nominated_by is None and nomination.volunteer is None
    assert AuditEvent.objects.filter(action="awards.nomination.public", target_id=str(nomination.pk)).exists()


@pytest.mark.parametrize("when", ["before", "after"])
def test_public_nomination_is_refused_when_the_window_is_not_open(cycle, ievp, olaine, when):
    day = cycle.nominations_open - timedelta(days=1) if when == "before" else builders.after_close(cycle)

    with pytest.raises(ValidationError) as refused:
        services.nomination_submit_public(
            cycle=cycle, data=builders.public_data(ievp, olaine), files=[builders.pdf()], today=day
        )
    assert refused.value.code == "closed"
    assert not Nomination.objects.exists() and not NominationFile.objects.exists()


def test_public_nomination_is_refused_when_the_cycle_is_a_draft(admin, ievp, olaine):
    cycle = builders.draft(admin, 2026)

    with pytest.raises(ValidationError) as refused:
        builders.public(cycle, ievp, olaine)
    assert refused.value.code == "closed"
    assert not Nomination.objects.exists()


def test_public_nomination_is_refused_when_the_unit_belongs_to_the_other_institution(cycle, vpd, olaine):
    with pytest.raises(ValidationError) as refused:
        builders.public(cycle, vpd, olaine)
    assert "unit" in refused.value.message_dict
    assert not Nomination.objects.exists()


def test_public_nomination_is_refused_when_the_institution_is_the_ministry(cycle):
    ministry = Institution.objects.get(code=Institution.Code.TM)

    with pytest.raises(ValidationError) as refused:
        builders.public(cycle, ministry)
    assert "institution" in refused.value.message_dict
    assert not Nomination.objects.exists()


def test_public_nomination_is_refused_when_the_justification_is_short(cycle, ievp, olaine):
    with pytest.raises(ValidationError) as refused:
        builders.public(cycle, ievp, olaine, justification="Ļoti labs cilvēks.")
    assert "justification" in refused.value.message_dict
    assert not Nomination.objects.exists()


@pytest.mark.parametrize(
    "files",
    [
        pytest.param(lambda: [builders.pdf(f"{n}.pdf") for n in range(4)], id="four-files"),
        pytest.param(lambda: [builders.text_named_pdf()], id="text-named-pdf"),
        pytest.param(lambda: [builders.pdf(), builders.too_large()], id="over-5-MB"),
    ],
)
def test_public_nomination_is_refused_when_a_file_is_not_allowed(cycle, ievp, olaine, files):
    with pytest.raises(ValidationError) as refused:
        builders.public(cycle, ievp, olaine, files=files())
    assert "files" in refused.value.message_dict
    assert not Nomination.objects.exists() and not NominationFile.objects.exists()


def test_public_nomination_stores_its_files_by_their_content_when_they_are_a_pdf_and_a_png(
    cycle, ievp, olaine
):
    nomination = builders.public(
        cycle, ievp, olaine, files=[builders.pdf("Ieteikuma vēstule.pdf"), builders.png("foto.PNG")]
    )

    stored = list(nomination.files.all())
    assert [(f.name, f.kind, f.size) for f in stored] == [
        ("Ieteikuma vēstule.pdf", "pdf", len(builders.PDF)),
        ("foto.PNG", "png", len(builders.PNG)),
    ]
    for row, content in zip(stored, (builders.PDF, builders.PNG), strict=True):
        assert row.file.name.startswith("awards/") and nomination.reference in row.file.name
        assert row.file.storage.exists(row.file.name)
        with row.file.open("rb") as handle:
            assert handle.read() == content


def test_nomination_numbers_are_gapless_per_cycle_when_one_is_refused_between(
    admin, cycle, ievp, olaine, olaine_coordinator
):
    first = builders.public(cycle, ievp, olaine)
    with pytest.raises(ValidationError):
        builders.public(cycle, ievp, olaine, justification="Par īsu.")
    second = builders.by_coordinator(cycle, olaine_coordinator, olaine)
    third = builders.public(cycle, ievp, olaine)

    assert [n.reference for n in (first, second, third)] == ["CC-2026-001", "CC-2026-002", "CC-2026-003"]
    # The next cycle numbers from 1 again (this one has moved on to scoring).
    Nomination.objects.filter(cycle=cycle).update(status=NStatus.ELIGIBLE)
    AwardCycle.objects.filter(pk=cycle.pk).update(status=Status.SCORING)
    other = builders.open_cycle(admin, 2027)
    assert builders.public(other, ievp, olaine).reference == "CC-2027-001"


# --- A coordinator's nominations


def test_coordinator_nominates_a_volunteer_of_their_unit_with_a_summary_of_the_record(
    cycle, olaine, olaine_coordinator
):
    volunteer = builders.volunteer_at(olaine, hours="6.5", first_name="Jānis", last_name="Ozols")

    nomination = builders.by_coordinator(cycle, olaine_coordinator, olaine, volunteer, files=[builders.png()])

    assert (
        nomination.source == Nomination.Source.COORDINATOR and nomination.nominated_by == olaine_coordinator
    )
    assert nomination.volunteer == volunteer and nomination.nominee_name == "Jānis Ozols"
    assert nomination.institution == olaine.institution and nomination.unit == olaine
    summary = nomination.summary
    assert summary["units"] == ["Olaines cietums"]
    assert len(summary["roles"]) == 1 and all(isinstance(r, str) and r for r in summary["roles"])
    assert summary["hours"] == "6.5" and summary["agreements"] == 1
    assert summary["since"] <= TODAY().year and summary["until"] >= summary["since"]
    assert nomination.files.count() == 1


def test_coordinator_nomination_is_refused_when_the_volunteer_works_at_another_unit(
    cycle, olaine, jelgava, olaine_coordinator
):
    elsewhere = builders.volunteer_at(jelgava)

    with pytest.raises(ValidationError) as refused:
        builders.by_coordinator(cycle, olaine_coordinator, olaine, elsewhere)
    assert "volunteer" in refused.value.message_dict
    with pytest.raises(Http404):
        builders.by_coordinator(cycle, olaine_coordinator, jelgava, elsewhere)
    assert not Nomination.objects.exists()


def test_coordinator_nomination_is_refused_when_the_volunteer_is_already_nominated(
    cycle, olaine, olaine_coordinator
):
    volunteer = builders.volunteer_at(olaine)
    builders.by_coordinator(cycle, olaine_coordinator, olaine, volunteer)

    with pytest.raises(ValidationError) as refused:
        builders.by_coordinator(cycle, olaine_coordinator, olaine, volunteer)
    assert "volunteer" in refused.value.message_dict
    assert Nomination.objects.count() == 1


# --- Eligibility (the central office of the nominee's institution)


def test_eligibility_is_checked_only_by_the_central_office_when_another_person_tries(
    cycle, ievp, olaine, ievp_central, vpd_central, olaine_coordinator, admin
):
    nomination = builders.public(cycle, ievp, olaine)

    for person in (vpd_central, olaine_coordinator, admin):
        with pytest.raises(Http404):
            services.nomination_check(actor=person, nomination=nomination, eligible=True)
    nomination.refresh_from_db()
    assert nomination.status == NStatus.SUBMITTED and nomination.checked_by is None

    services.nomination_check(actor=ievp_central, nomination=nomination, eligible=True)
    nomination.refresh_from_db()
    assert nomination.status == NStatus.ELIGIBLE and nomination.checked_by == ievp_central


def test_ineligible_nomination_is_refused_when_no_note_says_why(cycle, ievp, olaine, ievp_central):
    nomination = builders.public(cycle, ievp, olaine)

    with pytest.raises(ValidationError) as refused:
        services.nomination_check(actor=ievp_central, nomination=nomination, eligible=False, note="  ")
    assert "eligibility_note" in refused.value.message_dict
    nomination.refresh_from_db()
    assert nomination.status == NStatus.SUBMITTED

    services.nomination_check(
        actor=ievp_central, nomination=nomination, eligible=False, note="Nav brīvprātīgais mūsu iestādē."
    )
    nomination.refresh_from_db()
    assert nomination.status == NStatus.INELIGIBLE and nomination.eligibility_note


def test_public_nomination_is_linked_to_the_record_when_the_volunteer_is_of_the_institution(
    cycle, ievp, olaine, ievp_central
):
    volunteer = builders.volunteer_at(olaine, hours="3", language="en")
    nomination = builders.public(cycle, ievp, None, nominee_email="")

    services.nomination_link(actor=ievp_central, nomination=nomination, volunteer=volunteer)

    nomination.refresh_from_db()
    assert nomination.volunteer == volunteer
    assert nomination.summary["units"] == ["Olaines cietums"] and nomination.summary["hours"] == "3.0"
    assert nomination.nominee_email == volunteer.user.email and nomination.language == "en"

    services.nomination_link(actor=ievp_central, nomination=nomination, volunteer=None)
    nomination.refresh_from_db()
    assert nomination.volunteer is None and nomination.summary == {}


def test_link_is_refused_when_the_volunteer_is_of_another_institution(
    cycle, ievp, olaine, vpd_department, ievp_central
):
    stranger = builders.volunteer_at(vpd_department)
    nomination = builders.public(cycle, ievp, olaine)

    with pytest.raises(ValidationError) as refused:
        services.nomination_link(actor=ievp_central, nomination=nomination, volunteer=stranger)
    assert "volunteer" in refused.value.message_dict
    nomination.refresh_from_db()
    assert nomination.volunteer is None and nomination.summary == {}


def test_link_is_refused_when_the_volunteer_is_already_nominated(
    cycle, ievp, olaine, ievp_central, olaine_coordinator
):
    volunteer = builders.volunteer_at(olaine)
    first = builders.by_coordinator(cycle, olaine_coordinator, olaine, volunteer)
    nomination = builders.public(cycle, ievp, olaine)

    with pytest.raises(ValidationError) as refused:
        services.nomination_link(actor=ievp_central, nomination=nomination, volunteer=volunteer)
    assert first.reference in refused.value.message_dict["volunteer"][0]
    nomination.refresh_from_db()
    assert nomination.volunteer is None


def test_nomination_is_withdrawn_by_its_nominator_when_a_reason_is_given(
    cycle, olaine, olaine_coordinator, jelgava_coordinator
):
    nomination = builders.by_coordinator(cycle, olaine_coordinator, olaine)

    with pytest.raises(Http404):
        services.nomination_withdraw(actor=jelgava_coordinator, nomination=nomination, reason="Kļūda")
    with pytest.raises(ValidationError):
        services.nomination_withdraw(actor=olaine_coordinator, nomination=nomination, reason=" ")
    nomination.refresh_from_db()
    assert nomination.status == NStatus.SUBMITTED

    services.nomination_withdraw(
        actor=olaine_coordinator, nomination=nomination, reason="Pārnests uz nākamo gadu"
    )
    nomination.refresh_from_db()
    assert nomination.status == NStatus.WITHDRAWN
    # The same volunteer may be nominated again once the first nomination is withdrawn.
    again = builders.by_coordinator(cycle, olaine_coordinator, olaine, nomination.volunteer)
    assert again.number == nomination.number + 1


# --- The decision (the jury's chair)


@pytest.fixture
def scored(admin, ievp, olaine, ievp_central):
    """Scoring with two eligible nominations and a jury of two, every sheet submitted."""
    cycle, nominations, members = builders.scoring(
        admin,
        ievp_central,
        [
            lambda c: builders.public(c, ievp, olaine, nominee_name="Pēteris Zariņš"),
            lambda c: builders.public(c, ievp, olaine, nominee_name="Laura Vītola"),
        ],
    )
    for member in members:
        for nomination in nominations:
            builders.submit(member, nomination, value=3)
    return cycle, nominations, members


def test_laureates_are_confirmed_only_by_the_chair_when_others_try(scored, admin):
    cycle, nominations, members = scored

    for person in (members[1].user, admin):
        with pytest.raises(Http404):
            services.laureates_confirm(
                actor=person, cycle=cycle, citations={nominations[0].pk: builders.CITATION}
            )
    cycle.refresh_from_db()
    assert cycle.status == Status.SCORING and not Nomination.objects.filter(is_laureate=True).exists()


def test_laureates_are_refused_when_sheets_are_missing(admin, ievp, olaine, ievp_central):
    cycle, nominations, members = builders.scoring(
        admin, ievp_central, [lambda c: builders.public(c, ievp, olaine)]
    )
    builders.submit(members[0], nominations[0])

    with translation.override("en"), pytest.raises(ValidationError) as refused:
        services.laureates_confirm(
            actor=members[0].user, cycle=cycle, citations={nominations[0].pk: builders.CITATION}
        )
    assert "1 score sheet is still missing" in _messages(refused)
    cycle.refresh_from_db()
    assert cycle.status == Status.SCORING and not Nomination.objects.filter(is_laureate=True).exists()


@pytest.mark.parametrize("citation", ["", "   ", "x" * (services.CITATION_MAX + 1)])
def test_laureates_are_refused_when_the_citation_is_missing_or_too_long(scored, citation):
    cycle, nominations, members = scored

    with pytest.raises(ValidationError):
        services.laureates_confirm(
            actor=members[0].user, cycle=cycle, citations={nominations[0].pk: citation}
        )
    cycle.refresh_from_db()
    assert cycle.status == Status.SCORING and not Nomination.objects.filter(is_laureate=True).exists()


def test_laureates_are_refused_when_a_nomination_is_not_eligible(scored, ievp, olaine, admin):
    cycle, nominations, members = scored
    ineligible = Nomination.objects.create(
        cycle=cycle,
        number=99,
        source=Nomination.Source.PUBLIC,
        status=NStatus.INELIGIBLE,
        institution=ievp,
        unit=olaine,
        nominee_name="Cits Cilvēks",
        nominator_name="Marta Kalniņa",
        nominator_email="marta@example.lv",
        justification=builders.JUSTIFICATION,
    )
    other_cycle = builders.draft(admin, 2040)
    foreign = Nomination.objects.create(
        cycle=other_cycle,
        number=1,
        source=Nomination.Source.PUBLIC,
        status=NStatus.ELIGIBLE,
        institution=ievp,
        nominee_name="Svešs Cilvēks",
        nominator_name="Marta Kalniņa",
        nominator_email="marta@example.lv",
        justification=builders.JUSTIFICATION,
    )

    for pk in (ineligible.pk, foreign.pk):
        with pytest.raises(ValidationError):
            services.laureates_confirm(
                actor=members[0].user,
                cycle=cycle,
                citations={nominations[0].pk: builders.CITATION, pk: builders.CITATION},
            )
    cycle.refresh_from_db()
    assert cycle.status == Status.SCORING and not Nomination.objects.filter(is_laureate=True).exists()


def test_cycle_is_decided_with_its_laureates_when_the_chair_confirms(scored):
    cycle, nominations, members = scored

    services.laureates_confirm(
        actor=members[0].user, cycle=cycle, citations={str(nominations[1].pk): f"  {builders.CITATION}  "}
    )

    cycle.refresh_from_db()
    laureate, other = (
        Nomination.objects.get(pk=nominations[1].pk),
        Nomination.objects.get(pk=nominations[0].pk),
    )
    assert cycle.status == Status.DECIDED and cycle.decided_by == members[0].user and cycle.decided_at
    assert laureate.is_laureate and laureate.citation == builders.CITATION
    assert laureate.confirmed_by == members[0].user
    assert not other.is_laureate
    assert list(selectors.laureates(cycle)) == [laureate]


# --- Diplomas and the laureates' emails


@pytest.fixture
def decided(admin, ievp, olaine, ievp_central):
    """Decided: the first nomination (in English, with an address) is the laureate."""
    return builders.decided(
        admin,
        ievp_central,
        [
            lambda c: builders.public(
                c, ievp, olaine, language="en", nominee_name="Anna Lapa", nominee_email="anna.lapa@example.lv"
            ),
            lambda c: builders.public(c, ievp, olaine, nominee_name="Laura Vītola"),
        ],
    )


def test_diplomas_are_issued_once_per_laureate_when_issued_twice(admin, decided):
    cycle, nominations, _members = decided

    assert services.diplomas_issue(actor=admin, cycle=cycle) == 1
    assert services.diplomas_issue(actor=admin, cycle=cycle) == 0

    diplomas = Document.objects.filter(kind=services.DIPLOMA)
    assert [(d.object_id, d.version, d.number) for d in diplomas] == [
        (nominations[0].pk, 1, nominations[0].reference)
    ]
    assert diplomas[0].unit == builders.ministry_unit()


def test_diplomas_are_refused_when_the_cycle_is_not_decided(admin, scored):
    cycle, _nominations, _members = scored

    with pytest.raises(ValidationError):
        services.diplomas_issue(actor=admin, cycle=cycle)
    assert not Document.objects.exists()


def test_announcement_emails_the_laureate_in_their_language_with_the_diploma_when_announced(
    admin, decided, django_capture_on_commit_callbacks
):
    cycle, nominations, _members = decided

    with django_capture_on_commit_callbacks(execute=True):
        services.cycle_announce(actor=admin, cycle=cycle)

    cycle.refresh_from_db()
    assert cycle.status == Status.ANNOUNCED and cycle.announced_at
    assert [m.to for m in mail.outbox] == [["anna.lapa@example.lv"]]
    message = mail.outbox[0]
    assert message.subject.startswith("Congratulations") and str(cycle.year) in message.subject
    assert "Anna Lapa" in message.body and builders.CITATION in message.body
    assert "Ministry of Justice of the Republic of Latvia" in message.body
    assert "Your diploma is attached" in message.body
    assert [name for name, _content, kind in message.attachments] == [f"diploms-{cycle.year}.pdf"]
    assert message.attachments[0][1].startswith(b"%PDF")
    laureate = Nomination.objects.get(pk=nominations[0].pk)
    assert laureate.notice_sent_at is not None and laureate.notice_error == ""
    assert services.laureate_notice_send(nomination_id=laureate.pk) is False  # once
    assert len(mail.outbox) == 1


def test_laureate_email_is_in_latvian_when_the_nomination_is(admin, ievp, olaine, ievp_central):
    cycle, nominations, _members = builders.decided(
        admin, ievp_central, [lambda c: builders.public(c, ievp, olaine, nominee_email="peteris@example.lv")]
    )
    services.cycle_announce(actor=admin, cycle=cycle)
    diploma = nominations[0].documents.get(kind=services.DIPLOMA)

    # The diploma is still being rendered: the email waits for it (released for the sweeper).
    assert services.laureate_notice_send(nomination_id=nominations[0].pk) is False
    assert not mail.outbox
    assert Nomination.objects.get(pk=nominations[0].pk).notice_claimed_at is None

    document_render_pdf(document_id=diploma.pk)
    assert services.laureate_notice_send(nomination_id=nominations[0].pk) is True

    assert "Latvijas Republikas Tieslietu ministrija" in mail.outbox[0].body
    assert [name for name, _content, _type in mail.outbox[0].attachments] == [f"diploms-{cycle.year}.pdf"]


def test_laureate_email_goes_without_the_diploma_when_it_is_not_ready_after_two_hours(
    admin, ievp, olaine, ievp_central
):
    cycle, nominations, _members = builders.decided(
        admin, ievp_central, [lambda c: builders.public(c, ievp, olaine, nominee_email="peteris@example.lv")]
    )
    services.cycle_announce(actor=admin, cycle=cycle)
    Nomination.objects.filter(pk=nominations[0].pk).update(
        notice_queued_at=timezone.now() - services.DIPLOMA_WAIT - timedelta(minutes=1)
    )

    assert services.laureate_notice_send(nomination_id=nominations[0].pk) is True
    assert not mail.outbox[0].attachments


def test_laureate_gets_no_email_when_there_is_no_address(admin, ievp, olaine, ievp_central):
    cycle, nominations, _members = builders.decided(
        admin, ievp_central, [lambda c: builders.public(c, ievp, olaine, nominee_email="")]
    )
    services.cycle_announce(actor=admin, cycle=cycle)

    assert services.laureate_notice_send(nomination_id=nominations[0].pk) is False

    laureate = Nomination.objects.get(pk=nominations[0].pk)
    assert not mail.outbox
    assert laureate.notice_error == "no email address" and laureate.notice_sent_at is not None


def test_unsent_laureate_emails_are_queued_again_when_the_sweeper_runs(admin, decided):
    cycle, nominations, _members = decided
    services.cycle_announce(actor=admin, cycle=cycle)  # its emails are queued on commit: never here
    laureate = nominations[0]

    assert services.notices_requeue_unsent() == []  # too fresh
    Nomination.objects.filter(pk=laureate.pk).update(notice_queued_at=timezone.now() - timedelta(minutes=20))
    assert services.notices_requeue_unsent() == [laureate.pk]

    Document.objects.filter(object_id=laureate.pk, kind=services.DIPLOMA).update(state=Document.State.FAILED)
    services.laureate_notice_send(nomination_id=laureate.pk)
    assert services.notices_requeue_unsent() == []


def test_announcement_is_refused_when_the_cycle_is_not_decided(admin, scored):
    cycle, _nominations, _members = scored

    with pytest.raises(ValidationError):
        services.cycle_announce(actor=admin, cycle=cycle)
    cycle.refresh_from_db()
    assert (
        cycle.status == Status.SCORING
        and not Nomination.objects.filter(notice_queued_at__isnull=False).exists()
    )


# --- The jury


def test_jury_member_gets_a_new_account_and_the_juror_role_when_the_address_is_new(admin, cycle):
    member = services.jury_member_add(
        actor=admin,
        cycle=cycle,
        email=" Ieva.Sala@Example.LV ",
        first_name="Ieva",
        last_name="Sala",
        is_chair=True,
    )

    user = member.user
    assert user.email == "ieva.sala@example.lv" and user.get_full_name() == "Ieva Sala"
    assert not user.has_usable_password()
    assert member.is_chair and member.added_by == admin
    permissions.forget_roles(user)
    assert permissions.roles_for(user).juror and not permissions.roles_for(user).is_staff_role
    assert member.new_account and member.invite_sent_at is None  # sent after commit


def test_unsent_jury_invitations_are_queued_again_when_the_sweeper_runs(admin, cycle, mailoutbox):
    member = services.jury_member_add(
        actor=admin, cycle=cycle, email="jauna@example.lv", first_name="Jana", last_name="Kalna"
    )
    assert services.invites_requeue_unsent() == []  # too fresh
    JuryMember.objects.filter(pk=member.pk).update(added_at=timezone.now() - timedelta(minutes=20))
    assert services.invites_requeue_unsent() == [member.pk]

    assert services.jury_invite_send(member_id=member.pk)
    assert services.invites_requeue_unsent() == []
    assert "/accounts/password/reset/" in mailoutbox[-1].body


def test_jury_member_keeps_their_account_when_the_address_exists(admin, cycle, olaine_coordinator):
    member = services.jury_member_add(actor=admin, cycle=cycle, email=olaine_coordinator.email.upper())

    assert member.user == olaine_coordinator and olaine_coordinator.has_usable_password()
    assert get_user_model().objects.filter(email__iexact=olaine_coordinator.email).count() == 1
    permissions.forget_roles(olaine_coordinator)
    assert permissions.roles_for(olaine_coordinator).juror


def test_jury_member_is_refused_when_a_new_address_has_no_name(admin, cycle):
    with pytest.raises(ValidationError):
        services.jury_member_add(actor=admin, cycle=cycle, email="new@example.lv")
    assert not get_user_model().objects.filter(email="new@example.lv").exists()
    assert not JuryMember.objects.exists()


def test_jury_member_is_refused_when_already_on_the_jury(admin, cycle):
    member = builders.jury(cycle, admin, members=1)[0]

    with pytest.raises(ValidationError):
        services.jury_member_add(actor=admin, cycle=cycle, email=member.user.email)
    assert cycle.jury.count() == 1


def test_juror_role_is_revoked_when_the_last_membership_is_removed(admin, cycle):
    member = builders.jury(cycle, admin, members=1)[0]
    other_cycle = builders.draft(admin, 2027)
    second = services.jury_member_add(actor=admin, cycle=other_cycle, email=member.user.email)
    user = member.user

    services.jury_member_remove(actor=admin, member=member)
    user = get_user_model().objects.get(pk=user.pk)
    assert permissions.roles_for(user).juror  # still on the 2027 jury

    services.jury_member_remove(actor=admin, member=second)
    user = get_user_model().objects.get(pk=user.pk)
    assert not permissions.roles_for(user).juror
    assert not JuryMember.objects.exists()


def test_jury_member_stays_when_they_have_submitted_scores(admin, scored):
    _cycle, _nominations, members = scored

    with pytest.raises(ValidationError):
        services.jury_member_remove(actor=admin, member=members[1])
    assert JuryMember.objects.filter(pk=members[1].pk).exists()
    assert ScoreSheet.objects.filter(member=members[1]).count() == 2


def test_jury_has_one_chair_when_a_second_is_added_or_the_chair_moves(admin, cycle):
    _chair, member = builders.jury(cycle, admin)

    with pytest.raises(ValidationError) as refused:
        services.jury_member_add(
            actor=admin,
            cycle=cycle,
            email="otra@example.lv",
            first_name="Otra",
            last_name="Priekšsēdētāja",
            is_chair=True,
        )
    assert "is_chair" in refused.value.message_dict
    assert cycle.jury.count() == 2

    services.jury_chair_set(actor=admin, member=member)
    assert list(cycle.jury.filter(is_chair=True)) == [member]


def test_jury_member_is_invited_by_email_when_added(admin, cycle, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        member = services.jury_member_add(
            actor=admin,
            cycle=cycle,
            email="ieva.sala@example.lv",
            first_name="Ieva",
            last_name="Sala",
            language="en",
        )

    assert [m.to for m in mail.outbox] == [[member.user.email]]
    assert str(cycle.year) in mail.outbox[0].subject and "jury" in mail.outbox[0].subject
    assert reverse("account_reset_password") in mail.outbox[0].body  # a new account sets its password


def test_every_award_action_has_a_readable_name_when_the_services_are_scanned():
    import re
    from pathlib import Path

    from institutions.models import AUDIT_ACTIONS

    used = set(re.findall(r'"(awards\.[a-z_]+\.[a-z_]+)"', (Path(services.__file__)).read_text()))
    assert used and not used - AUDIT_ACTIONS.keys()
