"""The laureate's diploma through the shared document machinery: one A4 landscape page, in
the nomination's language, with the name (Latvian letters intact), the citation and the year;
who may download it."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.utils import timezone
from pypdf import PdfReader

from awards import printing  # noqa: F401  (registers the kind)
from awards.models import AwardCycle, JuryMember, Nomination
from awards.services import DIPLOMA
from documents import registry
from documents import services as documents
from documents.models import Document
from institutions import permissions
from institutions.models import Institution, Unit

from ..factories import UnitFactory, UserFactory, VolunteerFactory

NAME = "Ērika Ķirša-Žūriņa"
CITATION = (
    "Par septiņiem gadiem nesavtīga darba Olaines cietumā: šaha pulciņš, grāmatu klubs un "
    "ģimeņu dienas, kas ieslodzītajiem ļāva atgūt saikni ar bērniem. Čakls, ņiprs, ģēnijs."
)


@pytest.fixture
def ministry_unit(db):
    institution = Institution.objects.get_or_create(
        code=Institution.Code.TM, defaults={"name": "Tieslietu ministrija", "short_name": "TM"}
    )[0]
    return UnitFactory(
        institution=institution,
        slug="tieslietu-ministrija",
        name="Tieslietu ministrija",
        kind=Unit.Kind.CENTRAL_OFFICE,
    )


@pytest.fixture
def cycle(ministry_unit):
    return AwardCycle.objects.create(
        year=2026,
        nominations_open=date(2026, 3, 1),
        nominations_close=date(2026, 4, 30),
        conference_date=date(2026, 11, 19),
        conference_place="Rīga, Latvijas Nacionālā bibliotēka",
        signatory_name="Inese Lībiņa-Egnere",
        signatory_title="Tieslietu ministre",
        status=AwardCycle.Status.DECIDED,
        decided_at=timezone.now(),
    )


def laureate(cycle, olaine, *, language="lv", volunteer=None, number=7) -> Nomination:
    return Nomination.objects.create(
        cycle=cycle,
        number=number,
        source=Nomination.Source.PUBLIC,
        status=Nomination.Status.ELIGIBLE,
        institution=olaine.institution,
        unit=olaine,
        nominee_name=NAME,
        nominee_place="Olaines cietums",
        volunteer=volunteer,
        nominator_name="Jānis Bērziņš",
        nominator_email="janis@example.lv",
        justification="x" * 120,
        is_laureate=True,
        citation=CITATION,
        language=language,
    )


def render(nomination, capture) -> Document:
    with capture(execute=True):
        document = documents.document_issue(subject=nomination, kind=DIPLOMA)
    document.refresh_from_db()
    assert document.state == Document.State.DONE, document.error
    return document


def read(document) -> PdfReader:
    with document.file.open("rb") as handle:
        return PdfReader(io.BytesIO(handle.read()))


def test_diploma_is_one_landscape_page_with_name_citation_and_year_when_rendered(
    cycle, olaine, django_capture_on_commit_callbacks
):
    nomination = laureate(cycle, olaine)
    document = render(nomination, django_capture_on_commit_callbacks)

    reader = read(document)
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert float(box.width) > float(box.height)  # landscape
    text = reader.pages[0].extract_text()
    assert NAME in text
    assert "Par septiņiem gadiem nesavtīga darba Olaines cietumā" in " ".join(text.split())
    for letter in "āčēģīķļņšūž":
        assert letter in text.lower()
    assert "2026" in text
    compact = "".join(text.split()).upper()  # letter-spaced headings come out spaced
    assert "TIESLIETUMINISTRIJA" in compact and "DIPLOMS" in compact
    assert "Cilvēks – cilvēkam" in text
    assert "Inese Lībiņa-Egnere" in text and "Tieslietu ministre" in text
    assert "19.11.2026" in text
    assert "CC-2026-007" in text
    assert document.number == "CC-2026-007"
    assert document.unit.institution.code == Institution.Code.TM
    assert document.holder_initials == "Ē. Ķ. Ž."


def test_diploma_prints_in_english_when_the_nomination_is_in_english(
    cycle, olaine, django_capture_on_commit_callbacks
):
    nomination = laureate(cycle, olaine, language="en")
    text = read(render(nomination, django_capture_on_commit_callbacks)).pages[0].extract_text()
    compact = "".join(text.split()).upper()
    assert "MINISTRYOFJUSTICEOFTHEREPUBLICOFLATVIA" in compact and "DIPLOMA" in compact
    assert "TIESLIETUMINISTRIJA" not in compact
    assert NAME in text


def test_diploma_uses_the_linked_volunteers_name_and_date_of_decision_without_conference(
    cycle, olaine, django_capture_on_commit_callbacks
):
    cycle.conference_date = None
    cycle.save()
    volunteer = VolunteerFactory(user=UserFactory(first_name="Ģirts", last_name="Ločmelis"))
    nomination = laureate(cycle, olaine, volunteer=volunteer)
    text = read(render(nomination, django_capture_on_commit_callbacks)).pages[0].extract_text()
    assert "Ģirts Ločmelis" in text
    assert timezone.localdate(cycle.decided_at).strftime("%-d.%m.%Y") in text


def test_diploma_is_visible_to_award_admin_jury_and_the_laureate_once_announced(cycle, olaine, ministry_unit):
    volunteer = VolunteerFactory(user=UserFactory(first_name="Ģirts", last_name="Ločmelis"))
    nomination = laureate(cycle, olaine, volunteer=volunteer)
    kind = registry.get(DIPLOMA)
    admin = UserFactory(email="balva@example.lv")
    permissions.grant_award_administrator(admin)
    juror = UserFactory(email="zurija@example.lv")
    JuryMember.objects.create(cycle=cycle, user=juror)
    stranger = UserFactory(email="cits@example.lv")
    coordinator = UserFactory(email="koord@example.lv")

    assert kind.can_view(admin, nomination) and kind.can_manage(admin, nomination)
    assert kind.can_view(juror, nomination) and not kind.can_manage(juror, nomination)
    assert not kind.can_view(volunteer.user, nomination)  # decided, not yet announced
    cycle.status = AwardCycle.Status.ANNOUNCED
    cycle.save()
    nomination.refresh_from_db()
    assert kind.can_view(volunteer.user, nomination) and not kind.can_manage(volunteer.user, nomination)
    assert not kind.can_view(stranger, nomination)
    assert not kind.can_view(coordinator, nomination)
    assert kind.filename(nomination, None) == "diploms-2026-7.pdf"


def test_bench_has_a_builder_for_the_diploma():
    from bench.documents import _builders

    assert DIPLOMA in _builders()


# --- The emails (the services render these templates)


def test_laureate_email_congratulates_in_latvian_with_the_diploma_attached(
    cycle, olaine, django_capture_on_commit_callbacks, mailoutbox
):
    from awards import services

    nomination = laureate(cycle, olaine)
    nomination.nominee_email = "erika@example.lv"
    nomination.notice_queued_at = timezone.now()
    nomination.save()
    render(nomination, django_capture_on_commit_callbacks)

    assert services.laureate_notice_send(nomination_id=nomination.pk)
    message = mailoutbox[-1]
    assert message.to == ["erika@example.lv"]
    assert "Cilvēks – cilvēkam" in message.subject and "2026" in message.subject
    assert NAME in message.body
    assert CITATION in message.body
    assert "19.11.2026" in message.body and "Latvijas Nacionālā bibliotēka" in message.body
    assert "attached" in message.body or "pielikumā" in message.body
    assert [name for name, _content, _type in message.attachments] == ["diploms-2026.pdf"]


def test_laureate_email_is_in_english_and_without_attachment_when_no_diploma(cycle, olaine, mailoutbox):
    from awards import services

    nomination = laureate(cycle, olaine, language="en")
    nomination.nominee_email = "erika@example.lv"
    nomination.notice_queued_at = timezone.now()
    nomination.save()

    assert services.laureate_notice_send(nomination_id=nomination.pk)
    message = mailoutbox[-1]
    assert message.subject.startswith("Congratulations")
    assert "You will receive your diploma at the conference." in message.body
    assert not message.attachments


@pytest.mark.parametrize("new_account", [True, False])
def test_jury_invitation_names_the_year_and_the_right_link(cycle, mailoutbox, new_account):
    from awards import services

    person = UserFactory(email="ieva@example.lv", first_name="Ieva", last_name="Priedīte", language="en")
    if new_account:
        person.set_unusable_password()
        person.save()
    member = JuryMember.objects.create(cycle=cycle, user=person, is_chair=True, new_account=new_account)

    assert services.jury_invite_send(member_id=member.pk)
    assert not services.jury_invite_send(member_id=member.pk)  # once
    message = mailoutbox[-1]
    assert "2026" in message.subject and "jury" in message.subject
    assert "Hello Ieva," in message.body
    assert "You chair the jury." in message.body
    if new_account:
        assert "Set your password via this link" in message.body
        assert "/accounts/password/reset/" in message.body
    else:
        assert "Sign in to Tilts via this link" in message.body
        assert "/awards/2026/" in message.body


def test_diploma_stays_one_page_with_the_longest_citation_and_a_long_name(
    cycle, olaine, django_capture_on_commit_callbacks
):
    nomination = laureate(cycle, olaine, language="en")  # English: the last line's words are known
    nomination.nominee_name = "Anna-Marija Ērika Ķirša-Žūriņa-Vanaga-Bērziņa-Ozoliņa"
    nomination.citation = (
        "Par neatlaidīgu, sirsnīgu un radošu darbu ar ieslodzītajiem un probācijas klientiem. " * 8
    )[:600]
    nomination.save()
    reader = read(render(nomination, django_capture_on_commit_callbacks))
    assert len(reader.pages) == 1
    text = "".join(reader.pages[0].extract_text().split())
    assert "Anna-MarijaĒrikaĶirša-Žūriņa-Vanaga-Bērziņa-Ozoliņa" in text
    assert "foranoutstandingpersonalcontribution" in text  # nothing pushed off the page
