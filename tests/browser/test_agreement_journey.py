"""The coordinator prepares an agreement from an application, waits for its PDF (htmx polls
the documents panel while a "worker" renders it a moment later), downloads it, and the PDF
says what it must: the number, the volunteer's name with its diacritics, the unit."""

import io
import re
import threading

from django.db import connections
from playwright.sync_api import expect
from pypdf import PdfReader

from agreements import services, tasks
from agreements.models import Agreement, Document
from institutions.models import AuditEvent
from tests.agreements.test_rendering import VOLUNTEER_FIRST, VOLUNTEER_LAST, application_for, ensure_template

RENDER_DELAY = 2.5  # seconds: long enough for the page to show the PDF in progress


def test_coordinator_prepares_generates_and_downloads_the_agreement_pdf_when_the_journey_runs(
    page, live_server, sign_in, olaine, olaine_coordinator, monkeypatch
):
    ensure_template(olaine.institution)
    application = application_for(olaine)
    renders: list[threading.Timer] = []

    def render_a_moment_later(document_id: int) -> None:
        """Like a worker: the render starts after the commit, in another thread."""

        def work():
            try:
                tasks.document_render.apply(args=(document_id,))
            finally:
                connections.close_all()

        def start():
            timer = threading.Timer(RENDER_DELAY, work)
            renders.append(timer)
            timer.start()

        from django.db import transaction

        transaction.on_commit(start)

    monkeypatch.setattr(services, "_enqueue_render", render_a_moment_later)

    # 1. From the application, draft the agreement.
    sign_in(page, olaine_coordinator)
    page.goto(f"{live_server.url}/applications/{application.pk}/")
    page.locator(f"a[href$='/applications/{application.pk}/agreement/new/']").first.click()
    expect(page).to_have_url(re.compile(rf"/applications/{application.pk}/agreement/new/$"))
    form = page.locator("main form[method=post]").filter(has=page.locator("[name=duties]"))
    expect(form.locator("[name=place]")).to_have_value(olaine.name)
    form.locator("[name=place]").fill("Olaines cietums, Īslīces iela 9")
    form.locator("[name=hours_per_week]").fill("4")
    form.locator("[name=duties]").fill("Ģimenes saišu nodarbības ieslodzītajiem; tikšanās ar ģimenēm.")
    form.locator("button[type=submit]").last.click()
    expect(page).to_have_url(re.compile(r"/agreements/\d+/$"))
    agreement = Agreement.objects.get(application=application)
    assert agreement.status == "draft"
    assert agreement.number is None

    # 2. Generate it: the number is given, the PDF is prepared while the page polls.
    page.locator(f"form[action$='/agreements/{agreement.pk}/generate/'] button[type=submit]").click()
    expect(page).to_have_url(re.compile(rf"/agreements/{agreement.pk}/$"))
    agreement.refresh_from_db()
    assert agreement.number and agreement.number.startswith("IEVP-")
    documents = page.locator("#documents")
    expect(documents).to_have_attribute("hx-trigger", re.compile("every"))  # polling while it renders
    expect(documents.locator(".progress")).to_be_visible()
    download_link = documents.locator(f"a[href$='/agreements/{agreement.pk}/documents/1/pdf/']")
    expect(download_link).to_be_visible(timeout=30_000)
    expect(documents).not_to_have_attribute("hx-trigger", re.compile("every"))  # polling stopped

    # 3. Download it: the PDF names the agreement, the volunteer and the unit.
    with page.expect_download() as info:
        download_link.click()
    download = info.value
    assert download.suggested_filename == f"{agreement.number}-v1.pdf"
    with open(download.path(), "rb") as handle:
        data = handle.read()
    assert data.startswith(b"%PDF-")
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    assert agreement.number in text
    assert f"{VOLUNTEER_FIRST} {VOLUNTEER_LAST}" in text
    assert "Olaines cietums" in text

    document = Document.objects.get(agreement=agreement)
    assert document.state == Document.State.DONE
    assert len(data) == document.size
    assert AuditEvent.objects.filter(action="agreement.download", target_id=str(agreement.pk)).exists()
    for timer in renders:
        timer.join(timeout=10)
