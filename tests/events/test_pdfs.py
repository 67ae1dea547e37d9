"""The events' PDFs through the shared document machinery: the gate pass (Latvian; the
volunteers with masked personal codes, never the whole code) and the certificate of
volunteer work (izziņa) in its language, with the approved hours."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from pypdf import PdfReader

from documents.models import Document, format_code
from events import services
from events.printing import CERTIFICATE, GATE_PASS

from . import builders

LEAD_CODE = "150488-10449"
HELPER_CODE = "320512-34567"


def pdf_text(document: Document) -> str:
    document.refresh_from_db()
    assert document.state == Document.State.DONE, document.error
    with document.file.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    return "\n".join(page.extract_text() for page in reader.pages)


@pytest.fixture
def lead(olaine):
    volunteer = builders.volunteer_at(olaine, first_name="Ērika", last_name="Ķirša-Žūriņa")
    volunteer.personal_code = LEAD_CODE
    volunteer.save(update_fields=["personal_code"])
    return volunteer


@pytest.fixture
def helper(olaine):
    volunteer = builders.volunteer_at(olaine, first_name="Ģirts", last_name="Ločmelis")
    volunteer.personal_code = HELPER_CODE
    volunteer.save(update_fields=["personal_code"])
    return volunteer


def test_gate_pass_shows_the_event_and_masked_codes_when_the_event_is_approved(
    olaine, olaine_coordinator, lead, helper, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        event = services.event_create(
            actor=olaine_coordinator,
            unit=olaine,
            details=builders.details(olaine, days=5, hours=2, items="12 šaha galdiņi"),
            lead=lead,
            others=[helper],
        )

    document = Document.objects.get(event=event, kind=GATE_PASS)
    text = pdf_text(document)
    start = timezone.localtime(event.starts_at)
    assert "CAURLAIDE PASĀKUMAM" in text
    assert f"P-{event.pk}" in text
    assert "Olaines cietums" in text
    assert start.strftime("%-d.%m.%Y") in text
    assert "no 10:00 līdz 12:00" in text
    assert "Olaines cietums, bibliotēka" in text
    assert "Grāmatu klubs „Lasām kopā”" in text
    assert "12 šaha galdiņi" in text
    assert "Ērika Ķirša-Žūriņa" in text and "Ģirts Ločmelis" in text
    assert "15****-*****" in text and "32****-*****" in text
    assert LEAD_CODE not in text and HELPER_CODE not in text
    assert "10449" not in text
    assert "Līga Ozoliņa" in text  # approved by
    assert "vada pasākumu" in text
    assert f"Pārbaudes kods {format_code(document.verification_code)}" in text


def _certificate(olaine, coordinator, lead, *, language: str, capture):
    event = builders.past_approved(olaine, coordinator, lead, hours=3)
    services.event_report(
        actor=coordinator, event=event, held=True, actual_participants=6, hours={lead.pk: Decimal("2.5")}
    )
    other = builders.past_approved(olaine, coordinator, lead, days_ago=6, hours=2)
    services.event_report(
        actor=coordinator, event=other, held=True, actual_participants=4, hours={lead.pk: Decimal("2")}
    )
    certificate = services.certificate_request(
        actor=lead.user,
        unit=olaine,
        period_start=timezone.localdate() - timedelta(days=60),
        period_end=timezone.localdate(),
        language=language,
        purpose="Rīgas Stradiņa universitātei",
    )
    with capture(execute=True):
        certificate = services.certificate_issue(actor=coordinator, certificate=certificate)
    return certificate, Document.objects.get(work_certificate=certificate, kind=CERTIFICATE)


def test_certificate_shows_hours_name_and_period_in_latvian_when_issued(
    olaine, olaine_coordinator, lead, django_capture_on_commit_callbacks
):
    certificate, document = _certificate(
        olaine, olaine_coordinator, lead, language="lv", capture=django_capture_on_commit_callbacks
    )

    text = pdf_text(document)
    assert "Izziņa par brīvprātīgo darbu" in text
    assert certificate.number in text
    assert "Ērika Ķirša-Žūriņa" in text
    assert "4,5" in text  # the approved hours, Latvian decimal comma
    assert "Ieslodzījuma vietu pārvalde" in text or olaine.institution.name in text
    assert "Olaines cietums" in text
    assert certificate.period_start.strftime("%-d.%m.%Y") in text
    assert "Grāmatu klubs" in text
    assert "Rīgas Stradiņa universitātei" in text
    assert "Brīvprātīgā darba likum" in text
    assert "Līga Ozoliņa" in text
    assert LEAD_CODE not in text


def test_certificate_is_in_english_when_asked_in_english(
    olaine, olaine_coordinator, lead, django_capture_on_commit_callbacks
):
    certificate, document = _certificate(
        olaine, olaine_coordinator, lead, language="en", capture=django_capture_on_commit_callbacks
    )

    text = pdf_text(document)
    assert "Certificate of volunteer work" in text
    assert "did volunteer work" in text
    assert "Volunteer Work Law" in text
    assert "Ērika Ķirša-Žūriņa" in text
    assert "4.5" in text
    assert certificate.number in text
    assert f"Verification code {format_code(document.verification_code)}" in text  # the frame too
    assert "Pārbaudes kods" not in text
    assert "Page 1 of 1" in text and "Lapa 1" not in text


def test_certificate_names_the_institution_when_it_covers_every_unit(
    olaine, olaine_coordinator, ievp_central, lead, django_capture_on_commit_callbacks
):
    event = builders.past_approved(olaine, olaine_coordinator, lead, hours=2)
    services.event_report(
        actor=olaine_coordinator, event=event, held=True, actual_participants=3, hours={lead.pk: Decimal("2")}
    )
    with django_capture_on_commit_callbacks(execute=True):
        certificate = services.certificate_create(
            actor=ievp_central,  # the central office certifies every unit's hours
            unit=olaine,
            volunteer=lead,
            period_start=timezone.localdate() - timedelta(days=30),
            period_end=timezone.localdate(),
            language="en",
            whole_institution=True,
        )

    text = pdf_text(Document.objects.get(work_certificate=certificate, kind=CERTIFICATE))
    assert "all units of the institution" in text
    assert "Rīgas" not in text  # no purpose given, none printed
