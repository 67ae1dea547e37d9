"""The award's nomination and scoring pages for staff: a coordinator nominates a volunteer of
their unit; the central office checks eligibility and links the volunteer's record; a jury
member scores (draft, final submission, conflict of interest) and sees the others' scores only
after submitting their own; supporting files are served by their content type to whoever may
read the nomination — and 404 to anyone else."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from agreements.models import Status as AgreementStatus
from awards import services
from awards.models import AwardCycle, Nomination, ScoreSheet
from documents.models import Document
from institutions import permissions
from institutions.models import AuditEvent, Institution, Unit
from tests.agreements.builders import agreement_row
from tests.factories import InstitutionFactory, UnitFactory, UserFactory, document_row

TODAY = timezone.localdate
PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JUSTIFICATION = (
    "Brīvprātīgā trīs gadus katru nedēļu vada lasīšanas pulciņu Olaines cietumā; "
    "vairāki dalībnieki pēc atbrīvošanas turpina mācības un strādā."
)
SECRET = "Ļoti pārliecinošs ieguldījums"


@pytest.fixture(autouse=True)
def english_pages(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture(autouse=True)
def ministry_unit(db):
    """The unit that owns the award's audit entries (the migration's; again after a flush)."""
    tm = InstitutionFactory(code=Institution.Code.TM, name="Tieslietu ministrija", short_name="TM")
    return UnitFactory(
        institution=tm,
        slug="tieslietu-ministrija",
        name="Tieslietu ministrija",
        kind=Unit.Kind.CENTRAL_OFFICE,
    )


@pytest.fixture
def award_admin(db):
    user = UserFactory(email="balva@tm.gov.lv", first_name="Anna", last_name="Balvas")
    permissions.grant_award_administrator(user)
    return user


def _cycle(admin, *, opens, closes) -> AwardCycle:
    cycle = services.cycle_create(
        actor=admin,
        details=services.CycleDetails(year=TODAY().year, nominations_open=opens, nominations_close=closes),
    )
    return services.cycle_open(actor=admin, cycle=cycle)


@pytest.fixture
def cycle(award_admin):
    return _cycle(award_admin, opens=TODAY() - timedelta(days=10), closes=TODAY() + timedelta(days=10))


@pytest.fixture
def worker(olaine):
    """A volunteer who works at Olaine under an agreement in force."""
    return agreement_row(
        olaine, status=AgreementStatus.ACTIVE, first_name="Rūta", last_name="Kalēja", email="ruta@example.lv"
    ).volunteer


def _pdf(name="vestule.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def _nominate(coordinator, cycle, volunteer, unit, *, files=()) -> Nomination:
    return services.nomination_create(
        actor=coordinator,
        cycle=cycle,
        volunteer=volunteer,
        unit=unit,
        justification=JUSTIFICATION,
        files=files,
    )


def _public(cycle, ievp) -> Nomination:
    return services.nomination_submit_public(
        cycle=cycle,
        data=services.PublicNomination(
            nominator_name="Pēteris Kalns",
            nominator_email="peteris@example.lv",
            nominator_organisation="Biedrība",
            nominee_name="Rūta Kalēja",
            nominee_email="",
            institution=ievp,
            unit=None,
            nominee_place="Olaines cietums",
            justification=JUSTIFICATION,
        ),
    )


@pytest.fixture
def nomination(cycle, olaine_coordinator, worker, olaine):
    return _nominate(olaine_coordinator, cycle, worker, olaine, files=[_pdf(), _pdf("foto.png", PNG)])


@pytest.fixture
def scoring(cycle, nomination, ievp_central, award_admin):
    """The nomination is eligible, the jury (a chair and a member) is in, scoring has started."""
    services.nomination_check(actor=ievp_central, nomination=nomination, eligible=True)
    chair = services.jury_member_add(
        actor=award_admin,
        cycle=cycle,
        email="chair@example.lv",
        first_name="Ieva",
        last_name="Priedīte",
        is_chair=True,
    )
    member = services.jury_member_add(
        actor=award_admin, cycle=cycle, email="member@example.lv", first_name="Oskars", last_name="Egle"
    )
    services.scoring_start(actor=award_admin, cycle=cycle, today=cycle.nominations_close + timedelta(days=1))
    nomination.refresh_from_db()
    return nomination, chair.user, member.user


def _scores(nomination, values, **extra) -> dict:
    criteria = list(nomination.cycle.criteria.all())
    data = {f"criterion_{c.pk}": value for c, value in zip(criteria, values, strict=False)}
    return {**data, **extra}


# --- Nominating


def test_coordinator_nominates_a_volunteer(client, cycle, olaine_coordinator, worker, olaine):
    client.force_login(olaine_coordinator)
    url = reverse("awards:nominate", args=[cycle.year])
    page = client.get(url)
    assert page.status_code == 200
    assert "Rūta Kalēja · Olaines cietums" in page.text  # one unit: straight to the volunteers

    page = client.get(url, {"volunteer": worker.pk})
    assert page.status_code == 200
    assert "From the volunteer's record" in page.text
    assert 'name="justification"' in page.text

    response = client.post(
        url,
        {"unit": olaine.slug, "volunteer": worker.pk, "justification": JUSTIFICATION, "files": [_pdf()]},
    )
    nomination = Nomination.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("awards:nomination", args=[nomination.pk])
    assert nomination.volunteer == worker
    assert nomination.nominated_by == olaine_coordinator
    assert nomination.summary["units"] == ["Olaines cietums"]
    assert [(f.name, f.kind) for f in nomination.files.all()] == [("vestule.pdf", "pdf")]
    page = client.get(response.url)
    assert page.status_code == 200
    assert nomination.reference in page.text
    assert "liga.ozolina@example.lv" in page.text  # the nominator sees the contacts


def test_a_coordinator_of_several_units_chooses_the_unit_first(client, cycle, ievp_central, worker, olaine):
    client.force_login(ievp_central)
    url = reverse("awards:nominate", args=[cycle.year])
    page = client.get(url)
    assert 'name="unit"' in page.text and "Jelgavas cietums" in page.text
    assert 'name="volunteer"' not in page.text
    page = client.get(url, {"unit": olaine.slug})
    assert "Rūta Kalēja · Olaines cietums" in page.text
    assert client.get(url, {"unit": "tieslietu-ministrija"}).status_code == 404


def test_bad_input_keeps_the_text_and_says_files_must_be_chosen_again(
    client, cycle, olaine_coordinator, worker, olaine
):
    client.force_login(olaine_coordinator)
    url = reverse("awards:nominate", args=[cycle.year])
    short = "Ļoti labs brīvprātīgais."
    response = client.post(
        url, {"unit": olaine.slug, "volunteer": worker.pk, "justification": short, "files": [_pdf()]}
    )
    assert response.status_code == 400
    assert short in response.text
    assert "at least 100 characters" in response.text
    assert "choose them again" in response.text
    assert not Nomination.objects.exists()

    fake = SimpleUploadedFile("cv.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = client.post(
        url, {"unit": olaine.slug, "volunteer": worker.pk, "justification": JUSTIFICATION, "files": [fake]}
    )
    assert response.status_code == 400
    assert "is not a PDF, JPEG or PNG file" in response.text
    assert JUSTIFICATION in response.text
    assert not Nomination.objects.exists()


def test_outside_the_window_nothing_is_saved(client, award_admin, olaine_coordinator, worker, olaine):
    cycle = _cycle(award_admin, opens=TODAY() - timedelta(days=20), closes=TODAY() - timedelta(days=1))
    client.force_login(olaine_coordinator)
    url = reverse("awards:nominate", args=[cycle.year])
    page = client.get(url, {"volunteer": worker.pk})
    assert "Nominations are not taken today" in page.text
    response = client.post(url, {"unit": olaine.slug, "volunteer": worker.pk, "justification": JUSTIFICATION})
    assert response.status_code == 400
    assert "Nominations closed on" in response.text
    assert JUSTIFICATION in response.text
    assert not Nomination.objects.exists()


def test_nominate_is_404_for_others(
    client, cycle, olaine_coordinator, ministry, vpd_department, worker, award_admin
):
    url = reverse("awards:nominate", args=[cycle.year])
    client.force_login(olaine_coordinator)
    assert client.get(url, {"unit": vpd_department.slug}).status_code == 404  # not their unit
    data = {"unit": vpd_department.slug, "volunteer": worker.pk, "justification": JUSTIFICATION}
    assert client.post(url, data).status_code == 404
    for person in (ministry, UserFactory(email="other@example.lv"), award_admin):
        client.force_login(person)
        assert client.get(url).status_code == 404
        assert client.post(url, {**data, "unit": "olaines-cietums"}).status_code == 404
    assert not Nomination.objects.exists()


def test_a_volunteer_of_another_unit_cannot_be_nominated(
    client, cycle, olaine_coordinator, olaine, vpd_department, worker
):
    stranger = agreement_row(vpd_department, status=AgreementStatus.ACTIVE, email="x@example.lv").volunteer
    client.force_login(olaine_coordinator)
    url = reverse("awards:nominate", args=[cycle.year])
    page = client.get(url, {"volunteer": stranger.pk})
    assert 'name="justification"' not in page.text
    assert "Select a valid choice" in page.text
    response = client.post(
        url, {"unit": olaine.slug, "volunteer": stranger.pk, "justification": JUSTIFICATION}
    )
    assert response.status_code == 302
    assert not Nomination.objects.exists()


def test_nominate_is_404_while_the_cycle_is_not_open(
    client, cycle, olaine_coordinator, ievp_central, award_admin
):
    cycle.status = AwardCycle.Status.SCORING
    cycle.save()
    client.force_login(olaine_coordinator)
    assert client.get(reverse("awards:nominate", args=[cycle.year])).status_code == 404


# --- Eligibility and linking (the central office)


def test_central_office_checks_eligibility(client, nomination, ievp_central, vpd_central):
    url = reverse("awards:nomination", args=[nomination.pk])
    check = reverse("awards:nomination_check", args=[nomination.pk])
    client.force_login(ievp_central)
    page = client.get(url)
    assert page.status_code == 200
    assert check in page.text
    assert reverse("awards:nomination_link", args=[nomination.pk]) in page.text

    response = client.post(check, {"check-decision": "ineligible", "check-eligibility_note": ""}, follow=True)
    assert "Say why the nomination is not eligible." in response.text
    nomination.refresh_from_db()
    assert nomination.status == Nomination.Status.SUBMITTED

    response = client.post(check, {"check-decision": "eligible"})
    assert response.status_code == 302
    nomination.refresh_from_db()
    assert nomination.status == Nomination.Status.ELIGIBLE
    assert nomination.checked_by == ievp_central

    client.force_login(vpd_central)
    assert client.get(url).status_code == 404
    assert (
        client.post(check, {"check-decision": "ineligible", "check-eligibility_note": "x"}).status_code == 404
    )


def test_central_office_links_and_unlinks_the_record(client, cycle, ievp, ievp_central, vpd_central, worker):
    nomination = _public(cycle, ievp)
    url = reverse("awards:nomination_link", args=[nomination.pk])
    client.force_login(ievp_central)
    page = client.get(url, {"q": "kalēj"})
    assert page.status_code == 200
    assert "ruta@example.lv" in page.text
    response = client.post(url, {"volunteer": worker.pk})
    assert response.status_code == 302
    nomination.refresh_from_db()
    assert nomination.volunteer == worker
    assert nomination.summary["units"] == ["Olaines cietums"]
    assert nomination.nominee_email == "ruta@example.lv"

    response = client.post(url, {"unlink": "1"})
    nomination.refresh_from_db()
    assert nomination.volunteer is None and nomination.summary == {}

    client.force_login(vpd_central)
    assert client.get(url, {"q": "kalēj"}).status_code == 404
    assert client.post(url, {"volunteer": worker.pk}).status_code == 404


def test_nominator_withdraws(client, nomination, olaine_coordinator):
    client.force_login(olaine_coordinator)
    url = reverse("awards:nomination_withdraw", args=[nomination.pk])
    assert client.get(url).status_code == 405
    response = client.post(url, {"withdraw-reason": "Pārprašana."}, follow=True)
    assert "was withdrawn" in response.text
    nomination.refresh_from_db()
    assert nomination.status == Nomination.Status.WITHDRAWN


# --- Scoring (the jury)


def test_jury_member_saves_a_draft_then_submits(client, scoring):
    nomination, chair, _member = scoring
    url = reverse("awards:score", args=[nomination.pk])
    client.force_login(chair)
    page = client.get(url)
    assert page.status_code == 200
    assert "Submit scores (final)" in page.text
    assert "liga.ozolina@example.lv" not in page.text  # no contacts for the jury

    response = client.post(url, _scores(nomination, [7], action="draft", comment="Vēl jāpadomā."))
    assert response.status_code == 302
    sheet = ScoreSheet.objects.get(nomination=nomination, member__user=chair)
    assert sheet.submitted_at is None and [s.value for s in sheet.scores.all()] == [7]

    response = client.post(url, _scores(nomination, [8, 9, 4, 5], action="submit"))
    assert response.status_code == 302
    sheet.refresh_from_db()
    assert sheet.submitted_at is not None
    assert sorted(s.value for s in sheet.scores.all()) == [4, 5, 8, 9]
    page = client.get(url)
    assert "the scores are final" in page.text
    assert "Submit scores (final)" not in page.text

    response = client.post(url, _scores(nomination, [1, 1, 1, 1], action="submit"))
    assert response.status_code == 400
    assert "You have already submitted your scores for this nomination." in response.text
    assert sorted(s.value for s in sheet.scores.all()) == [4, 5, 8, 9]


def test_out_of_range_score_is_refused_and_typed_values_kept(client, scoring):
    nomination, chair, _member = scoring
    client.force_login(chair)
    url = reverse("awards:score", args=[nomination.pk])
    response = client.post(url, _scores(nomination, [11, 9, 4, 5], action="submit", comment="Mans komentārs"))
    assert response.status_code == 400
    assert "The score must be from 1 to 10." in response.text
    assert 'value="11"' in response.text
    assert "Mans komentārs" in response.text
    assert not ScoreSheet.objects.filter(scores__isnull=False).exists()
    assert not ScoreSheet.objects.filter(submitted_at__isnull=False).exists()


def test_scoring_after_declaring_a_conflict_is_refused(client, scoring):
    nomination, chair, _member = scoring
    client.force_login(chair)
    response = client.post(
        reverse("awards:conflict", args=[nomination.pk]), {"conflict-conflict_note": "Radiniece."}
    )
    assert response.status_code == 302
    sheet = ScoreSheet.objects.get(nomination=nomination, member__user=chair)
    assert sheet.conflict

    url = reverse("awards:score", args=[nomination.pk])
    response = client.post(url, _scores(nomination, [8, 9, 4, 5], action="submit"))
    assert response.status_code == 400
    assert "You declared a conflict of interest for this nomination" in response.text
    assert not sheet.scores.exists()


def test_others_scores_are_hidden_until_own_submitted(client, scoring):
    nomination, chair, member = scoring
    client.force_login(member)
    client.post(
        reverse("awards:score", args=[nomination.pk]),
        _scores(nomination, [9, 9, 5, 5], action="submit", comment=SECRET),
    )
    detail = reverse("awards:nomination", args=[nomination.pk])
    score = reverse("awards:score", args=[nomination.pk])
    client.force_login(chair)
    assert SECRET not in client.get(detail).text
    assert SECRET not in client.get(score).text
    client.post(score, _scores(nomination, [7], action="draft"))
    assert SECRET not in client.get(detail).text  # a draft shows nothing either

    client.post(score, _scores(nomination, [7, 8, 3, 4], action="submit"))
    assert SECRET in client.get(detail).text
    assert SECRET in client.get(score).text


def test_conflicted_member_sees_no_scores(client, scoring):
    nomination, chair, member = scoring
    client.force_login(member)
    client.post(
        reverse("awards:score", args=[nomination.pk]),
        _scores(nomination, [9, 9, 5, 5], action="submit", comment=SECRET),
    )
    client.force_login(chair)
    client.post(reverse("awards:conflict", args=[nomination.pk]), {"conflict-conflict_note": "Kolēģe."})
    page = client.get(reverse("awards:nomination", args=[nomination.pk]))
    assert "You declared a conflict of interest" in page.text
    assert SECRET not in page.text


def test_score_page_is_404_for_others(client, scoring, ievp_central, award_admin, nomination):
    url = reverse("awards:score", args=[nomination.pk])
    for person in (ievp_central, award_admin, UserFactory(email="nobody@example.lv")):
        client.force_login(person)
        assert client.get(url).status_code == 404


def test_score_page_is_404_before_scoring(client, cycle, nomination, ievp_central, award_admin):
    services.nomination_check(actor=ievp_central, nomination=nomination, eligible=True)
    member = services.jury_member_add(
        actor=award_admin, cycle=cycle, email="early@example.lv", first_name="Agra", last_name="Žūrija"
    )
    client.force_login(member.user)
    assert client.get(reverse("awards:score", args=[nomination.pk])).status_code == 404
    assert client.get(reverse("awards:nomination", args=[nomination.pk])).status_code == 404


# --- Files


def test_files_are_served_by_their_content_type(client, nomination, ievp_central):
    client.force_login(ievp_central)
    pdf, png = nomination.files.order_by("pk")
    response = client.get(reverse("awards:file", args=[pdf.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == PDF
    response = client.get(reverse("awards:file", args=[png.pk]))
    assert response["Content-Type"] == "image/png"
    assert AuditEvent.objects.filter(action="awards.file.download", actor=ievp_central).count() == 2


def test_files_are_404_for_outsiders(client, nomination, vpd_central, jelgava_coordinator, ministry):
    url = reverse("awards:file", args=[nomination.files.first().pk])
    for person in (vpd_central, jelgava_coordinator, ministry):
        client.force_login(person)
        assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302  # to sign in
    assert not AuditEvent.objects.filter(action="awards.file.download").exists()


def test_diploma_is_404_when_none_is_ready_or_for_outsiders(client, nomination, award_admin, ievp_central):
    url = reverse("awards:diploma", args=[nomination.pk])
    for person in (award_admin, ievp_central):
        client.force_login(person)
        assert client.get(url).status_code == 404  # not a laureate, no diploma


def test_diploma_is_served_to_the_admin_the_jury_and_the_announced_laureate(
    client, scoring, award_admin, ievp_central, worker
):
    nomination, chair, _member = scoring
    Nomination.objects.filter(pk=nomination.pk).update(is_laureate=True, citation="Par drosmi.")
    cycle = nomination.cycle
    cycle.status = AwardCycle.Status.DECIDED
    cycle.save()
    url = reverse("awards:diploma", args=[nomination.pk])
    client.force_login(award_admin)
    assert client.get(url).status_code == 404  # none rendered yet
    document = document_row(nomination, kind=services.DIPLOMA, state=Document.State.DONE, save=False)
    document.file.save("diploms.pdf", ContentFile(PDF), save=False)
    document.save()

    page = client.get(reverse("awards:nomination", args=[nomination.pk]))
    assert url in page.text
    for person in (award_admin, chair):
        client.force_login(person)
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
    assert AuditEvent.objects.filter(action=f"{services.DIPLOMA}.download").count() == 2

    for person in (worker.user, ievp_central):  # the laureate before the announcement; the office
        client.force_login(person)
        assert client.get(url).status_code == 404
    cycle.status = AwardCycle.Status.ANNOUNCED
    cycle.save()
    client.force_login(worker.user)
    assert client.get(url).status_code == 200


def test_admin_records_the_laureates_consent(client, scoring, award_admin, ievp_central):
    nomination, _chair, _member = scoring
    url = reverse("awards:consent", args=[nomination.pk])
    client.force_login(award_admin)
    response = client.post(url, {"consent-consent": "yes"}, follow=True)
    assert "Only a laureate is named on the public page." in response.text
    Nomination.objects.filter(pk=nomination.pk).update(is_laureate=True, citation="Par drosmi.")
    nomination.cycle.status = AwardCycle.Status.DECIDED
    nomination.cycle.save()
    assert 'name="consent-consent"' in client.get(reverse("awards:nomination", args=[nomination.pk])).text
    response = client.post(url, {"consent-consent": "yes"})
    assert response.status_code == 302
    nomination.refresh_from_db()
    assert nomination.public_consent and nomination.consent_recorded_by == award_admin
    client.force_login(ievp_central)
    assert client.post(url, {"consent-consent": "no"}).status_code == 404
    nomination.refresh_from_db()
    assert nomination.public_consent


# --- Queries


# Every signed-in request costs 1 query before the view runs (the user; the session and the
# person's roles come from the cache); the page reads the nomination (with its
# cycle, institution, unit, record, nominator and checker) and its files: 12, for any number
# of files.
DETAIL_QUERIES = 3


@pytest.mark.parametrize("files", [0, 3])
def test_detail_page_query_count(
    client, cycle, olaine_coordinator, worker, olaine, ievp_central, files, django_assert_num_queries
):
    nomination = _nominate(
        olaine_coordinator, cycle, worker, olaine, files=[_pdf(f"{n}.pdf") for n in range(files)]
    )
    client.force_login(ievp_central)
    url = reverse("awards:nomination", args=[nomination.pk])
    assert client.get(url).status_code == 200  # warms the user-session row
    with django_assert_num_queries(DETAIL_QUERIES):
        assert client.get(url).status_code == 200
