"""Agreement PDFs — the first client of the shared documents app: the print layout (text,
PDF/A, page numbers, signatures, verification code and QR code), the local-only URL
fetcher, and the render task's idempotence, retries, sweeper and permanent failure."""

import importlib
import io
import logging
import socket
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from pypdf import PdfReader

from agreements import rendering as agreement_rendering
from agreements import services
from agreements.models import AgreementTemplate
from documents import registry, rendering, tasks
from documents import services as document_services
from documents.models import Document, format_code
from tests.factories import ApplicationFactory, VolunteerFactory
from tests.trainings import builders as training
from trainings.models import Course
from volunteers.models import Role, Status

VOLUNTEER_FIRST = "Ērika"
VOLUNTEER_LAST = "Ķirša-Žūriņa"
PERSONAL_CODE = "150488-10449"
FAMILY_COURSE = "Ģimenes saišu programmas vadītāju apmācība"
DEFAULT_BODY = importlib.import_module("agreements.migrations.0002_default_templates").BODY


def ensure_template(institution, *, body=None, title="Līgums par brīvprātīgā darba veikšanu"):
    """The institution's current template (the migration's text unless a body is given)."""
    if body is not None:
        last = (
            AgreementTemplate.objects.filter(institution=institution, role=None).order_by("-version").first()
        )
        return AgreementTemplate.objects.create(
            institution=institution,
            role=None,
            version=(last.version + 1 if last else 1),
            title=title,
            body=body,
        )
    template = (
        AgreementTemplate.objects.filter(institution=institution, role=None).order_by("-version").first()
    )
    return template or AgreementTemplate.objects.create(
        institution=institution, role=None, version=1, title=title, body=DEFAULT_BODY
    )


def application_for(unit, *, minor=False):
    """A fresh application of ``unit`` in the "agreement" step, its training recorded."""
    role, _ = Role.objects.get_or_create(institution=unit.institution, code=Role.Code.FAMILY)
    born = date.today() - timedelta(days=365 * 16) if minor else date(1988, 4, 15)
    volunteer = VolunteerFactory(
        user__first_name=VOLUNTEER_FIRST,
        user__last_name=VOLUNTEER_LAST,
        personal_code=PERSONAL_CODE,
        date_of_birth=born,
        address="Zemgales iela 7, Olaine",
    )
    application = ApplicationFactory(volunteer=volunteer, unit=unit, status=Status.AGREEMENT, roles=[role])
    course = Course.objects.filter(institution=unit.institution, title=FAMILY_COURSE).first()
    course = course or training.course(unit.institution, roles=[role], title=FAMILY_COURSE)
    training.completion(volunteer, course, unit, completed_on=date.today() - timedelta(days=3))
    return application


def agreement_for(unit, coordinator, *, minor=False, body=None, **terms):
    """A draft agreement for a fresh application of ``unit`` in the "agreement" step."""
    ensure_template(unit.institution, body=body)
    application = application_for(unit, minor=minor)
    role = application.roles.get()
    values = {
        "role": role,
        "place": f"{unit.name}, Īslīces iela 9",
        "start_date": date.today() + timedelta(days=7),
        "end_date": date.today() + timedelta(days=372),
        "hours_per_week": Decimal("4"),
        "duties": "Ģimenes saišu nodarbības ieslodzītajiem; tikšanās ar ģimenēm.",
        **terms,
    }
    if minor:
        values |= {"guardian_name": "Inga Žūriņa", "guardian_consent": True}
    return services.agreement_create(actor=coordinator, application=application, **values)


def html_of(agreement) -> str:
    """The print HTML of an agreement, as its document's render would make it."""
    document = Document(number=agreement.number or "", verification_code="K7QM2XPA9FTD", version=1)
    return rendering.render_html(registry.get("agreement"), document, agreement)


def pdf_reader(document: Document) -> PdfReader:
    with document.file.open("rb") as handle:
        return PdfReader(io.BytesIO(handle.read()))


def pdf_text(reader: PdfReader) -> str:
    return "\n".join(page.extract_text() for page in reader.pages)


@pytest.fixture
def generate(django_capture_on_commit_callbacks, olaine_coordinator):
    """Generate an agreement and run its render task as the commit would (eagerly)."""

    def _generate(agreement) -> Document:
        with django_capture_on_commit_callbacks(execute=True):
            document = services.agreement_generate(actor=olaine_coordinator, agreement=agreement)
        document.refresh_from_db()
        return document

    return _generate


@pytest.fixture
def draft(olaine, olaine_coordinator):
    return agreement_for(olaine, olaine_coordinator)


# --- The print layout


def test_pdf_text_has_number_volunteer_name_personal_code_and_unit_when_rendered(draft, generate):
    document = generate(draft)

    draft.refresh_from_db()
    assert document.state == Document.State.DONE
    reader = pdf_reader(document)
    text = pdf_text(reader)
    assert draft.number and draft.number.startswith("IEVP-")
    assert draft.number in text
    assert f"{VOLUNTEER_FIRST} {VOLUNTEER_LAST}" in text
    assert "Olaines cietums" in text
    assert "Ieslodzījuma vietu pārvalde" in text
    assert f"Personas kods: {PERSONAL_CODE}" in text
    assert "Pušu rekvizīti un paraksti" in text


def test_document_stores_file_sha256_and_size_when_rendered(draft, generate):
    import hashlib

    document = generate(draft)

    with document.file.open("rb") as handle:
        data = handle.read()
    assert data.startswith(b"%PDF-")
    assert document.size == len(data)
    assert document.sha256 == hashlib.sha256(data).hexdigest()
    assert document.attempts == 1
    assert document.finished_at is not None
    assert document.error == ""
    draft.refresh_from_db()
    assert document.file.name.endswith(".pdf")
    assert f"{draft.number}-v1" in document.file.name


def test_pdf_carries_its_verification_code_on_every_page_when_rendered(draft, generate):
    document = generate(draft)

    reader = pdf_reader(document)
    code = format_code(document.verification_code)
    for page in reader.pages:
        assert f"Pārbaudes kods {code}" in page.extract_text()
    assert f"/verify/{document.verification_code}/" in pdf_text(reader)


def test_print_html_has_a_qr_code_of_the_verification_page_when_rendered(draft):
    html = html_of(draft)

    assert '<svg viewBox="0 0 ' in html
    assert 'class="verify-qr" title="http://127.0.0.1:8000/verify/K7QM2XPA9FTD/"' in html


def test_pdf_is_a4_with_page_numbers_and_running_header_when_rendered(draft, generate):
    reader = pdf_reader(generate(draft))

    pages = len(reader.pages)
    for index, page in enumerate(reader.pages, start=1):
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert (round(width), round(height)) == (595, 842)  # A4 in points
        assert f"Lapa {index} no {pages}" in page.extract_text()
    draft.refresh_from_db()
    for page in reader.pages[1:]:
        assert f"Nr. {draft.number}" in page.extract_text()


def test_pdf_declares_pdf_a_and_embeds_every_font_when_rendered(draft, generate):
    reader = pdf_reader(generate(draft))

    root = reader.trailer["/Root"]
    xmp = root["/Metadata"].get_object().get_data()
    assert b"pdfaid" in xmp
    assert b'pdfaid:part="3"' in xmp
    assert b'pdfaid:conformance="B"' in xmp
    assert "/OutputIntents" in root
    fonts = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = (font.get("/DescendantFonts") or [font])[0].get_object()["/FontDescriptor"]
            fonts[font["/BaseFont"]] = any(
                key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")
            )
    assert fonts
    assert all(fonts.values()), fonts
    assert all("DejaVu" in name for name in fonts), fonts


def test_last_clause_stays_with_the_signatures_when_the_text_runs_over_a_page(
    olaine, olaine_coordinator, generate
):
    agreement = agreement_for(olaine, olaine_coordinator, duties="Nodarbības ar ieslodzītajiem. " * 60)

    reader = pdf_reader(generate(agreement))

    assert len(reader.pages) >= 2
    last = reader.pages[-1].extract_text()
    assert "Pušu rekvizīti un paraksti" in last
    assert "Līgums sagatavots divos eksemplāros" in last  # IeVP's text (agreements 0007)
    for page in reader.pages[:-1]:
        assert "Pušu rekvizīti" not in page.extract_text()


def test_guardian_signs_too_when_the_volunteer_is_a_minor(olaine, olaine_coordinator, generate):
    agreement = agreement_for(olaine, olaine_coordinator, minor=True)
    assert agreement.is_minor

    text = pdf_text(pdf_reader(generate(agreement)))

    assert "Likumiskais pārstāvis (piekrišana)" in text
    assert "Inga Žūriņa" in text


def test_birth_date_identifies_the_volunteer_when_there_is_no_personal_code(draft):
    draft.volunteer.personal_code = ""
    draft.volunteer.save()

    html = html_of(draft)

    assert "Dzimšanas datums: 15.04.1988" in html
    assert "Personas kods:" not in html


def test_volunteer_values_are_escaped_when_rendered(draft):
    draft.volunteer.address = '<img src="http://example.com/track.png">Rīga'
    draft.volunteer.save()

    html = html_of(draft)

    assert "&lt;img" in html
    assert '<img src="http://example.com/track.png">' not in html


# --- The local-only URL fetcher


def test_fetcher_serves_our_own_stylesheet_when_asked_on_the_base_url():
    response = rendering.local_url_fetcher().fetch(f"{rendering.BASE_URL}static/css/pdf.css")

    assert b"@page" in response.read()
    assert response.content_type == "text/css"


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/x.png",
        "http://example.com/static/css/pdf.css",  # our path, another host
        "https://tilts.local/static/css/pdf.css",  # another scheme
        "http://tilts.local/media/secret.pdf",  # not static
        "http://tilts.local/static/../../config/settings/base.py",
        "http://tilts.local/static/%2e%2e/%2e%2e/manage.py",
        "file:///etc/passwd",
        "data:text/plain,hello",
    ],
)
def test_fetcher_refuses_when_the_url_is_not_one_of_our_static_files(url):
    with pytest.raises(rendering.RefusedURL):
        rendering.local_url_fetcher().fetch(url)


def test_image_in_template_text_is_not_fetched_when_it_points_elsewhere(
    olaine, olaine_coordinator, generate, monkeypatch, caplog
):
    connections = []

    def no_network(*args, **kwargs):
        connections.append(args)
        raise OSError("network used during rendering")

    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    body = DEFAULT_BODY + '\n\n<img src="http://example.com/x.png"> <img src="file:///etc/hostname">'
    agreement = agreement_for(olaine, olaine_coordinator, body=body)

    with caplog.at_level(logging.WARNING, logger="documents.rendering"):
        document = generate(agreement)

    assert document.state == Document.State.DONE
    assert connections == []
    refused = [r.getMessage() for r in caplog.records if r.name == "documents.rendering"]
    assert any("http://example.com/x.png" in message for message in refused)
    assert any("file:///etc/hostname" in message for message in refused)


def test_template_text_cannot_include_other_templates_when_rendered(olaine, olaine_coordinator):
    with pytest.raises(Exception) as raised:
        agreement_rendering.check_body('{% load static %}{% static "x" %}')
    assert "static" in str(raised.value)
    agreement = agreement_for(olaine, olaine_coordinator, body='{% include "base.html" %} {{ number }}')

    from django.template import TemplateDoesNotExist

    with pytest.raises(TemplateDoesNotExist):
        html_of(agreement)


# --- The render task


def test_rendering_twice_leaves_one_done_document_when_the_task_runs_again(draft, generate):
    document = generate(draft)
    first = (document.sha256, document.file.name, document.finished_at)

    assert tasks.document_render.delay(document.pk).get() == "skipped"

    assert Document.objects.filter(agreement=draft).count() == 1
    document.refresh_from_db()
    assert document.state == Document.State.DONE
    assert (document.sha256, document.file.name, document.finished_at) == first
    assert document.attempts == 1


def test_render_failing_once_succeeds_on_retry_with_one_done_document(draft, generate, monkeypatch):
    real = rendering.render_pdf
    calls = []

    def flaky(kind, document, agreement):
        calls.append(agreement.pk)
        if len(calls) == 1:
            raise OSError("worker lost its fonts for a moment")
        return real(kind, document, agreement)

    monkeypatch.setattr(rendering, "render_pdf", flaky)

    document = generate(draft)

    assert len(calls) == 2
    assert Document.objects.filter(agreement=draft).count() == 1
    assert document.state == Document.State.DONE
    assert document.attempts == 2
    assert document.error == ""
    assert document.file and document.file.storage.exists(document.file.name)
    assert pdf_reader(document).pages


def test_sweeper_requeues_and_completes_a_document_stuck_in_rendering(draft, olaine_coordinator):
    # Generated, but the render never ran: the worker "died" mid-render long ago.
    document = services.agreement_generate(actor=olaine_coordinator, agreement=draft)
    long_ago = timezone.now() - document_services.RENDER_STALE_AFTER - timedelta(minutes=1)
    Document.objects.filter(pk=document.pk).update(
        state=Document.State.RENDERING, started_at=long_ago, attempts=1
    )

    assert tasks.documents_sweep.delay().get() == 1

    document.refresh_from_db()
    assert document.state == Document.State.DONE
    assert document.attempts == 2
    assert Document.objects.filter(agreement=draft).count() == 1
    assert tasks.documents_sweep.delay().get() == 0


def test_sweeper_leaves_a_render_in_flight_alone_when_it_started_recently(draft, olaine_coordinator):
    document = services.agreement_generate(actor=olaine_coordinator, agreement=draft)
    Document.objects.filter(pk=document.pk).update(state=Document.State.RENDERING, started_at=timezone.now())

    assert document_services.documents_requeue_stuck() == []
    # A duplicate message for it is a no-op too.
    assert tasks.document_render.delay(document.pk).get() == "skipped"
    document.refresh_from_db()
    assert document.state == Document.State.RENDERING


def test_sweeper_requeues_a_queued_document_whose_message_was_lost(draft, olaine_coordinator):
    document = services.agreement_generate(actor=olaine_coordinator, agreement=draft)
    Document.objects.filter(pk=document.pk).update(created_at=timezone.now() - timedelta(hours=1))

    assert document_services.documents_requeue_stuck() == [document.pk]

    document.refresh_from_db()
    assert document.state == Document.State.DONE


def test_permanently_failing_render_ends_failed_with_the_error(draft, generate, monkeypatch):
    def broken(*args):
        raise RuntimeError("Pango cannot find any font")

    monkeypatch.setattr(rendering, "render_pdf", broken)

    document = generate(draft)  # no exception reaches the committing request

    assert document.state == Document.State.FAILED
    assert document.error == "RuntimeError: Pango cannot find any font"
    assert document.attempts == 1 + tasks.document_render.max_retries
    assert not document.file
    assert document_services.documents_requeue_stuck() == []


def test_failed_document_renders_when_the_coordinator_retries(
    draft, generate, monkeypatch, olaine_coordinator, django_capture_on_commit_callbacks
):
    real = rendering.render_pdf
    monkeypatch.setattr(rendering, "render_pdf", lambda *args: (_ for _ in ()).throw(OSError("down")))
    document = generate(draft)
    assert document.state == Document.State.FAILED
    monkeypatch.setattr(rendering, "render_pdf", real)

    with django_capture_on_commit_callbacks(execute=True):
        document_services.document_retry(actor=olaine_coordinator, document=document)

    document.refresh_from_db()
    assert document.state == Document.State.DONE
    assert document.error == ""
    assert Document.objects.filter(agreement=draft).count() == 1


def test_broken_template_text_fails_at_once_without_retries(olaine, olaine_coordinator, generate):
    agreement = agreement_for(olaine, olaine_coordinator, body="{% if %}")

    document = generate(agreement)

    assert document.state == Document.State.FAILED
    assert document.attempts == 1
    assert document.error.startswith("TemplateSyntaxError")
