"""The award "Cilvēks – cilvēkam" from a public nomination to the laureate's diploma, in
chromium: anybody nominates a volunteer through /balva/nominet/ (with a PDF attached) → IeVP's
central coordinator finds the nomination eligible → after the window closes the award
administrator starts the jury's scoring → the three jury members (the chair among them) each
sign in and submit their score sheet → the chair confirms the laureate with a citation → the
administrator makes the diplomas and downloads the PDF, whose text (pdftotext) has the
laureate's name with its diacritics, the citation and the year. axe-core checks every page
visited; the public form is also checked at phone width (375 px)."""

import io
import re
import shutil
import subprocess
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfWriter

from awards import services
from awards.models import AwardCycle, Nomination, ScoreSheet
from institutions import permissions
from tests.awards.builders import ministry_unit
from tests.factories import UserFactory

from .test_phone_journey import PHONE, assert_fits_a_phone

LAUREATE = "Jānis Bērziņš-Ķēniņš"
CITATION = "Par desmit gadiem nesavtīga darba ar ieslodzītajiem Olaines cietumā"
JUSTIFICATION = (
    "Jānis desmit gadus katru nedēļu vada grāmatu klubu Olaines cietumā, palīdz ieslodzītajiem "
    "sagatavoties atbrīvošanai un ir iedvesmojis vēl piecus cilvēkus kļūt par brīvprātīgajiem."
)


def _pdf_text(content: bytes, tmp_path) -> str:
    path = tmp_path / "diploma.pdf"
    path.write_bytes(content)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return re.sub(r"\s+", " ", text)


def _small_pdf(tmp_path):
    """A real one-page PDF (a letter of support), as a browser would attach it."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    path = tmp_path / "atbalsta-vestule.pdf"
    path.write_bytes(buffer.getvalue())
    return path


def _submit(page, selector="main form[method=post] button[type=submit]"):
    page.locator(selector).last.click()
    page.wait_for_load_state()


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs pdftotext (poppler-utils)")
def test_public_nomination_becomes_a_laureate_with_a_diploma_when_the_journey_runs(
    browser, live_server, sign_in, olaine, jelgava, ievp_central, assert_accessible, tmp_path
):
    ministry_unit()
    today = timezone.localdate()
    admin = UserFactory(email="balvas.admin@example.lv", first_name="Agnese", last_name="Balvaine")
    permissions.grant_award_administrator(admin)
    cycle = services.cycle_create(
        actor=admin,
        details=services.CycleDetails(
            year=today.year,
            nominations_open=today - timedelta(days=10),
            nominations_close=today + timedelta(days=20),
            conference_date=today + timedelta(days=60),
            conference_place="Rīga",
            signatory_name="Inese Lībiņa-Egnere",
            signatory_title="Tieslietu ministre",
        ),
    )
    jurors = [
        UserFactory(email="zurija.vaditaja@example.lv", first_name="Žanete", last_name="Priekšsēdētāja"),
        UserFactory(email="zurija.pirmais@example.lv", first_name="Kārlis", last_name="Vērtētājs"),
        UserFactory(email="zurija.otra@example.lv", first_name="Ieva", last_name="Vērtētāja"),
    ]
    for index, person in enumerate(jurors):
        services.jury_member_add(actor=admin, cycle=cycle, email=person.email, is_chair=index == 0)
    services.cycle_open(actor=admin, cycle=cycle)
    chair = jurors[0]

    def new_page(viewport=None):
        context = browser.new_context(locale="lv-LV", viewport=viewport or {"width": 1280, "height": 900})
        return context, context.new_page()

    # 1. Anybody nominates through the public form (on a phone too).
    phone_side, phone = new_page(PHONE)
    phone.goto(f"{live_server.url}/balva/nominet/")
    expect(phone.locator("#id_nominee_name")).to_be_visible()
    assert_accessible(phone)
    assert_fits_a_phone(phone)
    phone_side.close()

    public_side, public = new_page()
    public.goto(f"{live_server.url}/balva/")
    assert_accessible(public)
    public.goto(f"{live_server.url}/balva/nominet/")
    assert_accessible(public)
    public.locator("#id_nominator_name").fill("Marta Ieteicēja")
    public.locator("#id_nominator_email").fill("marta.ieteiceja@example.lv")
    public.locator("#id_nominator_organisation").fill("Biedrība „Otrā iespēja”")
    public.locator("#id_nominee_name").fill(LAUREATE)
    public.locator("input[name=institution][value=IEVP]").check()
    public.locator("#id_unit").select_option(str(olaine.pk))
    public.locator("#id_justification").fill(JUSTIFICATION)
    public.locator("#id_files").set_input_files(str(_small_pdf(tmp_path)))
    public.locator("#id_consent").check()
    _submit(public)
    expect(public).to_have_url(re.compile(r"/balva/nominet/CC-\d{4}-\d{3}/$"))
    nomination = Nomination.objects.get(nominee_name=LAUREATE)
    expect(public.get_by_text(nomination.reference)).to_be_visible()
    assert_accessible(public)
    assert nomination.status == Nomination.Status.SUBMITTED and nomination.institution == olaine.institution
    assert nomination.files.get().kind == "pdf"
    public_side.close()

    # 2. IeVP's central coordinator finds it eligible.
    central_side, central = new_page()
    sign_in(central, ievp_central)
    central.goto(f"{live_server.url}/awards/{cycle.year}/")
    expect(central.get_by_text(LAUREATE).first).to_be_visible()
    assert_accessible(central)
    central.goto(f"{live_server.url}/awards/nominations/{nomination.pk}/")
    assert_accessible(central)
    central.locator("input[name='check-decision'][value=eligible]").check()
    _submit(central, f"form[action$='/awards/nominations/{nomination.pk}/check/'] button[type=submit]")
    nomination.refresh_from_db()
    assert nomination.status == Nomination.Status.ELIGIBLE
    assert_accessible(central)
    central_side.close()

    # 3. The window has closed: the administrator starts the jury's scoring.
    AwardCycle.objects.filter(pk=cycle.pk).update(nominations_close=today - timedelta(days=1))
    admin_side, admin_page = new_page()
    sign_in(admin_page, admin)
    admin_page.goto(f"{live_server.url}/awards/{cycle.year}/")
    assert_accessible(admin_page)
    _submit(admin_page, f"form[action$='/awards/{cycle.year}/scoring/'] button[type=submit]")
    cycle.refresh_from_db()
    assert cycle.status == AwardCycle.Status.SCORING
    assert_accessible(admin_page)

    # 4. Each jury member signs in and submits a score for every criterion.
    criteria = list(cycle.criteria.all())
    for number, person in enumerate(jurors):
        side, page = new_page()
        sign_in(page, person)
        page.goto(f"{live_server.url}/awards/{cycle.year}/")
        assert_accessible(page)
        page.goto(f"{live_server.url}/awards/nominations/{nomination.pk}/score/")
        assert_accessible(page)
        for criterion in criteria:
            page.locator(f"#id_criterion_{criterion.pk}").fill(str(criterion.max_score - number % 2))
        page.locator("#id_comment").fill("Pārliecinošs pamatojums.")
        _submit(page, "form[action$='/score/'] button[name=action][value=submit]")
        assert ScoreSheet.objects.get(nomination=nomination, member__user=person).submitted_at is not None
        assert_accessible(page)
        if person != chair:
            side.close()
        else:
            chair_side, chair_page = side, page

    # 5. The chair confirms the laureate with a citation.
    chair_page.goto(f"{live_server.url}/awards/{cycle.year}/ranking/")
    assert_accessible(chair_page)
    chair_page.locator(f"input[name='laureate-{nomination.pk}']").check()
    chair_page.locator(f"textarea[name='citation-{nomination.pk}']").fill(CITATION)
    _submit(chair_page)
    cycle.refresh_from_db()
    nomination.refresh_from_db()
    assert cycle.status == AwardCycle.Status.DECIDED
    assert nomination.is_laureate and nomination.citation == CITATION
    assert_accessible(chair_page)
    chair_side.close()

    # 6. The administrator makes the diplomas (rendered in-process) and downloads the PDF.
    admin_page.goto(f"{live_server.url}/awards/{cycle.year}/")
    _submit(admin_page, f"form[action$='/awards/{cycle.year}/diplomas/'] button[type=submit]")
    link = admin_page.locator(f"a[href$='/awards/nominations/{nomination.pk}/diploma/']").first
    for _attempt in range(10):
        if link.count():
            break
        admin_page.wait_for_timeout(1000)
        admin_page.reload()
    expect(link).to_be_visible()
    assert_accessible(admin_page)
    response = admin_page.request.get(live_server.url + link.get_attribute("href"))
    assert response.ok and response.headers["content-type"] == "application/pdf"
    text = _pdf_text(response.body(), tmp_path)
    assert LAUREATE in text, text
    assert CITATION in text, text
    assert str(cycle.year) in text, text
    admin_page.goto(f"{live_server.url}/awards/nominations/{nomination.pk}/")
    assert_accessible(admin_page)
    admin_side.close()
