"""The award's public pages (/balva/…): the laureates of announced years who consented, the
nomination form while nominations are open (spam protection, files checked by content) and
its receipt for the browser that sent it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from awards.models import FILE_MAX_BYTES, AwardCycle, Nomination, NominationFile
from awards.views.public import RECEIPTS_SESSION_KEY
from institutions.models import Institution, Unit

from ..factories import UnitFactory, UserFactory, VolunteerFactory

INDEX = reverse("award:index")
NOMINATE = reverse("award:nominate")
JUSTIFICATION = (
    "Ērika septiņus gadus katru otrdienu vada šaha pulciņu Olaines cietumā un ir sākusi grāmatu "
    "klubu, kurā ieslodzītie lasa un apspriež latviešu literatūru."
)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def _english(client, settings):
    """Messages are compared in their English source form (the switcher's cookie)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    cache.clear()
    yield
    cache.clear()


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


def make_cycle(year: int, status: str, *, opens: int = -10, closes: int = 20, **fields) -> AwardCycle:
    today = timezone.localdate()
    return AwardCycle.objects.create(
        year=year,
        status=status,
        nominations_open=today + timedelta(days=opens),
        nominations_close=today + timedelta(days=closes),
        **fields,
    )


@pytest.fixture
def cycle(ministry_unit, olaine, vpd_department):
    return make_cycle(
        2026,
        AwardCycle.Status.OPEN,
        introduction="Šogad īpaši gaidām pieteikumus par darbu ar jauniešiem.",
        conference_date=timezone.localdate() + timedelta(days=60),
    )


@pytest.fixture
def data(olaine):
    return {
        "nominator_name": "Jānis Bērziņš",
        "nominator_email": "Janis.Berzins@Example.lv",
        "nominator_organisation": "Biedrība „Atbalsts”",
        "nominee_name": "Ērika Ķirša-Žūriņa",
        "nominee_email": "erika@example.lv",
        "institution": "IEVP",
        "unit": str(olaine.pk),
        "nominee_place": "",
        "justification": JUSTIFICATION,
        "consent": "on",
        "website": "",
    }


def pdf(name="vestule.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def assert_nothing_saved():
    assert not Nomination.objects.exists()
    assert not NominationFile.objects.exists()


def assert_input_kept(response, data):
    body = response.content.decode()
    for name in ("nominator_name", "nominee_name", "justification"):
        assert data[name].replace("„", "&bdquo;") in body or data[name] in body, name
    assert response.context["form"]["nominee_name"].value() == data["nominee_name"]


# --- The form


def test_form_is_shown_to_anyone_while_nominations_are_open(client, cycle):
    response = client.get(NOMINATE)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'name="justification"' in body
    assert 'type="file"' in body and "multiple" in body
    assert 'name="website"' in body
    assert "Šogad īpaši gaidām" in body
    # Only the volunteer work units of the two institutions: no central office, no ministry.
    units = {
        pk for _group, options in response.context["form"].fields["unit"].choices[1:] for pk, _ in options
    }
    assert cycle and Unit.objects.get(slug="olaines-cietums").pk in units
    assert not Unit.objects.filter(pk__in=units, kind=Unit.Kind.CENTRAL_OFFICE).exists()


def test_nomination_is_created_with_files_when_the_form_is_valid(client, cycle, data, olaine):
    png = SimpleUploadedFile("foto.png", PNG, content_type="image/png")
    response = client.post(NOMINATE, {**data, "files": [pdf(), png]})

    nomination = Nomination.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("award:nominate_done", args=[nomination.reference])
    assert nomination.reference == "CC-2026-001"
    assert nomination.source == Nomination.Source.PUBLIC
    assert nomination.status == Nomination.Status.SUBMITTED
    assert nomination.institution == olaine.institution and nomination.unit == olaine
    assert nomination.nominator_email == "janis.berzins@example.lv"
    assert nomination.nominee_name == "Ērika Ķirša-Žūriņa"
    assert nomination.justification == JUSTIFICATION
    assert nomination.language == "en"
    assert sorted(nomination.files.values_list("kind", flat=True)) == ["pdf", "png"]
    assert nomination.nominated_by is None

    receipt = client.get(response.url)
    assert receipt.status_code == 200
    assert "CC-2026-001" in receipt.content.decode()


def test_free_text_place_is_enough_when_no_unit_is_chosen(client, cycle, data, vpd):
    response = client.post(
        NOMINATE, {**data, "institution": "VPD", "unit": "", "nominee_place": "Projekts „Atbalsta aplis”"}
    )
    assert response.status_code == 302
    nomination = Nomination.objects.get()
    assert nomination.institution == vpd and nomination.unit is None
    assert nomination.nominee_place == "Projekts „Atbalsta aplis”"


@pytest.mark.parametrize(
    ("opens", "closes", "message"),
    [(5, 30, "open on"), (-30, -1, "closed on")],
    ids=["before the window", "after the window"],
)
def test_friendly_page_without_form_when_outside_the_window(
    client, ministry_unit, data, opens, closes, message
):
    make_cycle(2026, AwardCycle.Status.OPEN, opens=opens, closes=closes)
    response = client.get(NOMINATE)
    assert response.status_code == 200
    body = response.content.decode()
    assert message in body
    assert 'name="justification"' not in body

    assert client.post(NOMINATE, data).status_code == 200
    assert_nothing_saved()


def test_friendly_page_when_no_cycle_is_open(client, ministry_unit, data):
    make_cycle(2026, AwardCycle.Status.DRAFT)
    response = client.get(NOMINATE)
    assert response.status_code == 200
    assert "Nominations are not open at the moment" in response.content.decode()
    client.post(NOMINATE, data)
    assert_nothing_saved()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"nominator_name": ""}, "nominator_name", "This field is required."),
        ({"nominator_email": "nav-epasts"}, "nominator_email", "Enter a valid email address."),
        ({"nominee_name": ""}, "nominee_name", "This field is required."),
        ({"institution": ""}, "institution", "Choose the Probation Service or the Prison Administration."),
        ({"institution": "TM"}, "institution", "Select a valid choice."),
        ({"unit": "", "nominee_place": ""}, "nominee_place", "say where the person volunteers"),
        ({"institution": "VPD"}, "unit", "not to the institution chosen above"),
        ({"consent": ""}, "consent", "Confirm that you may share this information."),
        ({"justification": "Ļoti labs cilvēks."}, "justification", "at least 100 characters"),
        ({"justification": " " * 50 + "x" * 99 + " " * 50}, "justification", "(now 99)"),
    ],
)
def test_bad_input_shows_a_clear_error_and_saves_nothing(client, cycle, data, changes, field, message):
    sent = {**data, **changes}
    response = client.post(NOMINATE, {**sent, "files": [pdf()]})
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors.get(field, []))
    assert message in errors
    assert "Please correct the errors below" in response.content.decode()
    assert "Choose the supporting files again" in response.content.decode()
    assert response.context["form"]["nominator_organisation"].value() == data["nominator_organisation"]
    assert_nothing_saved()


def test_a_pdf_that_is_really_text_is_refused(client, cycle, data):
    fake = pdf("pieteikums.pdf", b"Tas nav PDF, tikai teksts.")
    response = client.post(NOMINATE, {**data, "files": [fake]})
    assert response.status_code == 200
    assert "“pieteikums.pdf” is not a PDF, JPEG or PNG file." in response.context["form"].errors["files"]
    assert_input_kept(response, data)
    assert_nothing_saved()


def test_more_than_three_files_are_refused(client, cycle, data):
    response = client.post(NOMINATE, {**data, "files": [pdf(f"{n}.pdf") for n in range(4)]})
    assert response.status_code == 200
    assert "Attach at most 3 files." in response.context["form"].errors["files"]
    assert_nothing_saved()


def test_a_file_over_5_mb_is_refused(client, cycle, data):
    big = pdf("liels.pdf", PDF + b"0" * FILE_MAX_BYTES)
    response = client.post(NOMINATE, {**data, "files": [big]})
    assert response.status_code == 200
    assert "“liels.pdf” is larger than 5.0\xa0MB." in response.context["form"].errors["files"]
    assert_nothing_saved()


def test_honeypot_creates_nothing_and_counts_against_the_rate_limit(client, cycle, data, settings):
    settings.ACCOUNT_RATE_LIMITS = {"tilts_award_nominate": "1/1h/ip"}
    response = client.post(NOMINATE, {**data, "website": "http://spam.example"})
    assert response.status_code == 200
    assert "The form could not be sent" in response.content.decode()
    assert_nothing_saved()
    assert client.post(NOMINATE, data).status_code == 429
    assert_nothing_saved()


def test_rate_limit_answers_429_and_keeps_the_input(client, cycle, data, settings):
    settings.ACCOUNT_RATE_LIMITS = {"tilts_award_nominate": "1/1h/ip"}
    assert client.post(NOMINATE, data).status_code == 302
    second = {**data, "nominee_name": "Ģirts Ločmelis"}
    response = client.post(NOMINATE, second)
    assert response.status_code == 429
    assert "Too many nominations" in response.content.decode()
    assert_input_kept(response, second)
    assert Nomination.objects.count() == 1


def test_rate_limit_does_not_count_a_form_with_mistakes(client, cycle, data, settings):
    settings.ACCOUNT_RATE_LIMITS = {"tilts_award_nominate": "1/1h/ip"}
    for _ in range(3):
        assert client.post(NOMINATE, {**data, "justification": "Īsi."}).status_code == 200
    assert client.post(NOMINATE, data).status_code == 302


# --- The receipt


def test_receipt_is_404_for_another_session_and_an_unknown_reference(client, cycle, data):
    response = client.post(NOMINATE, data)
    reference = Nomination.objects.get().reference
    assert client.get(response.url).status_code == 200

    from django.test import Client

    other = Client()
    assert other.get(reverse("award:nominate_done", args=[reference])).status_code == 404
    session = client.session
    session[RECEIPTS_SESSION_KEY] = [reference, "CC-2026-999", "nav-atsauce"]
    session.save()
    assert client.get(reverse("award:nominate_done", args=["CC-2026-999"])).status_code == 404
    assert client.get(reverse("award:nominate_done", args=["nav-atsauce"])).status_code == 404


# --- The laureates


def laureate(cycle, unit, name, *, consent=True, number=None, citation="Par neatlaidību.") -> Nomination:
    number = number or cycle.nominations.count() + 1
    return Nomination.objects.create(
        cycle=cycle,
        number=number,
        source=Nomination.Source.PUBLIC,
        status=Nomination.Status.ELIGIBLE,
        institution=unit.institution,
        unit=unit,
        nominee_name=name,
        nominator_name="Jānis Bērziņš",
        nominator_email="janis@example.lv",
        justification="x" * 120,
        is_laureate=True,
        citation=citation,
        public_consent=consent,
    )


@pytest.fixture
def announced(ministry_unit, olaine, vpd_department):
    cycle = make_cycle(
        2025, AwardCycle.Status.ANNOUNCED, opens=-400, closes=-300, conference_date=timezone.localdate()
    )
    laureate(cycle, olaine, "Ērika Ķirša-Žūriņa", citation="Par septiņiem gadiem šaha pulciņā.")
    laureate(cycle, vpd_department, "Anna Kalniņa-Slēptā", consent=False)
    Nomination.objects.create(
        cycle=cycle,
        number=9,
        source=Nomination.Source.PUBLIC,
        status=Nomination.Status.ELIGIBLE,
        institution=olaine.institution,
        unit=olaine,
        nominee_name="Nav Laureāts",
        nominator_name="X",
        nominator_email="x@example.lv",
        justification="x" * 120,
        public_consent=True,
    )
    return cycle


def test_public_pages_list_only_consented_laureates_of_announced_cycles(client, announced, olaine):
    decided = make_cycle(2026, AwardCycle.Status.DECIDED, opens=-100, closes=-50)
    laureate(decided, olaine, "Vēl Nepaziņotais")

    index = client.get(INDEX)
    assert index.status_code == 200
    body = index.content.decode()
    assert "Ērika Ķirša-Žūriņa" in body
    assert "Par septiņiem gadiem šaha pulciņā." in body
    assert "Olaines cietums" in body
    assert "Anna Kalniņa-Slēptā" not in body  # no consent
    assert "Nav Laureāts" not in body
    assert "Vēl Nepaziņotais" not in body  # decided, not announced
    assert reverse("award:year", args=[2025]) in body
    assert reverse("award:year", args=[2026]) not in body

    year = client.get(reverse("award:year", args=[2025]))
    assert year.status_code == 200
    assert "Ērika Ķirša-Žūriņa" in year.content.decode()
    assert "Anna Kalniņa-Slēptā" not in year.content.decode()
    assert client.get(reverse("award:year", args=[2026])).status_code == 404
    assert client.get(reverse("award:year", args=[2024])).status_code == 404


def test_laureate_with_a_linked_record_is_named_from_the_record(client, announced, olaine):
    volunteer = VolunteerFactory(user=UserFactory(first_name="Ģirts", last_name="Ločmelis"))
    named = laureate(announced, olaine, "G. Ločmelis")
    named.volunteer = volunteer
    named.save()
    assert "Ģirts Ločmelis" in client.get(INDEX).content.decode()


def test_index_reads_the_laureates_in_a_fixed_number_of_queries(client, announced, olaine, vpd_department):
    with CaptureQueriesContext(connection) as one_year:
        client.get(INDEX)
    for year in (2021, 2022, 2023):
        cycle = make_cycle(year, AwardCycle.Status.ANNOUNCED, opens=-2000 + year, closes=-1900 + year)
        laureate(cycle, olaine, f"Laureāts {year}")
        laureate(cycle, vpd_department, f"Laureāte {year}")
    with CaptureQueriesContext(connection) as four_years:
        response = client.get(INDEX)
    assert "Laureāte 2021" in response.content.decode()
    assert len(four_years) == len(one_year)


def test_index_shows_the_open_call_with_the_nominate_button(client, cycle):
    body = client.get(INDEX).content.decode()
    assert "Nominate someone" in body
    assert NOMINATE in body
    assert "Šogad īpaši gaidām" in body


def test_index_without_an_open_call_has_no_nominate_button(client, announced):
    body = client.get(INDEX).content.decode()
    assert "Nominations are not open at the moment" in body
    assert f'href="{NOMINATE}"' not in body


def test_anonymous_menu_links_to_the_award(client, ministry_unit):
    body = client.get(reverse("home")).content.decode()
    assert f'href="{INDEX}"' in body
