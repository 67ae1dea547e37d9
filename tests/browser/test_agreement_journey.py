"""The coordinator prepares an agreement from an application, waits for its PDF (htmx polls
the document's fragment while a "worker" renders it a moment later), downloads it, and the
PDF says what it must: the number, the volunteer's name with its diacritics, the unit, its
verification code. Then a prison gate officer (anonymous, on a phone) checks the code on the
public verification page — valid, then revoked once the agreement is terminated. axe-core
checks every page visited."""

import io
import re
import threading

from django.db import connections
from playwright.sync_api import expect
from pypdf import PdfReader

from agreements import services
from agreements.models import Agreement
from documents import services as document_services
from documents import tasks
from documents.models import Document
from institutions.models import AuditEvent
from tests.agreements.test_rendering import VOLUNTEER_FIRST, VOLUNTEER_LAST, application_for, ensure_template

RENDER_DELAY = 2.5  # seconds: long enough for the page to show the PDF in progress


def test_coordinator_prepares_generates_and_downloads_the_agreement_pdf_when_the_journey_runs(
    page, browser, live_server, sign_in, olaine, olaine_coordinator, monkeypatch, assert_accessible
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

    monkeypatch.setattr(document_services, "_enqueue_render", render_a_moment_later)

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
    document = Document.objects.get(agreement=agreement)
    card = page.locator(f"#document-{document.pk}")
    expect(card).to_have_attribute("hx-trigger", re.compile("every"))  # polling while it renders
    expect(card.locator(".progress")).to_be_visible()
    assert_accessible(page)
    download_link = page.locator(f"#document-{document.pk} a[href$='/documents/{document.pk}/pdf/']")
    expect(download_link).to_be_visible(timeout=30_000)
    card = page.locator(f"#document-{document.pk}")
    expect(card).not_to_have_attribute("hx-trigger", re.compile("every"))  # polling stopped
    document.refresh_from_db()
    expect(card).to_contain_text(document.code_display)
    assert_accessible(page)

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

    assert f"Pārbaudes kods {document.code_display}" in text
    document.refresh_from_db()
    assert document.state == Document.State.DONE
    assert len(data) == document.size
    assert AuditEvent.objects.filter(action="agreement.download", target_id=str(agreement.pk)).exists()
    for timer in renders:
        timer.join(timeout=10)

    # 4. At the prison gate, on a phone, nobody signed in: the code typed as printed.
    phone = browser.new_context(locale="lv-LV", viewport={"width": 375, "height": 740})
    gate = phone.new_page()
    gate.goto(f"{live_server.url}/verify/")
    assert_accessible(gate)
    gate.locator("#verify-code").fill(document.code_display.lower())
    gate.locator("form[action$='/verify/'] button[type=submit]").click()
    result = gate.locator("#verify-result")
    expect(result).to_contain_text("Īsts un derīgs")
    expect(gate.locator("main")).to_contain_text(agreement.number)
    expect(gate.locator("main")).to_contain_text("Ē. Ķ.")
    expect(gate.locator("main")).not_to_contain_text(VOLUNTEER_LAST)
    assert gate.evaluate("document.documentElement.scrollWidth") <= 375
    assert_accessible(gate)

    # 5. The agreement is terminated: the same code now says so at once.
    agreement.status = "active"
    agreement.save(update_fields=["status"])
    services.agreement_terminate(
        actor=olaine_coordinator,
        agreement=agreement,
        terminated_by=Agreement.TerminatedBy.VOLUNTEER,
        notice_date=agreement.start_date,
        ended_on=agreement.start_date,
        reason="Pārceļas uz citu pilsētu",
        short_notice_agreed=True,
    )
    gate.reload()
    expect(gate.locator("#verify-result")).to_contain_text("Atsaukts")
    assert_accessible(gate)
    phone.close()
