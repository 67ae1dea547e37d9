"""Erasure across the apps: agreements end (the request is the volunteer's written notice),
their PDFs and scans are kept for the retention period, certificates are destroyed, the
audit trail keeps what happened without the name, and the data download covers every
registered section."""

from __future__ import annotations

import json
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from agreements.models import Agreement, Status
from core.storage import private_storage
from documents.models import Document
from institutions.models import AuditEvent
from notifications.models import Reminder
from privacy import selectors, services
from tests.agreements import builders
from tests.factories import document_row
from tests.trainings import builders as training_builders
from volunteers import services as volunteer_services
from volunteers.models import ErasureRequest

pytestmark = pytest.mark.django_db


def _in_force(olaine, coordinator, **user) -> Agreement:
    agreement = builders.signed(olaine, coordinator, **user)
    agreement.guardian_name = "Aina Aizbildne"
    agreement.save()
    return agreement


def _pdf(agreement: Agreement) -> Document:
    """The agreement's generated PDF, made and stored (no worker in these tests)."""
    document = Document.objects.for_subject(agreement).get()
    document.state = Document.State.DONE
    document.finished_at = timezone.now()
    document.file.save("agreement.pdf", ContentFile(b"%PDF-1.7 agreement"), save=True)
    return document


def _request(agreement: Agreement, *, days_ago: int) -> ErasureRequest:
    request = volunteer_services.erasure_request_create(volunteer=agreement.volunteer, reason="Pārceļos")
    ErasureRequest.objects.filter(pk=request.pk).update(created_at=timezone.now() - timedelta(days=days_ago))
    request.refresh_from_db()
    return request


def test_erasure_is_refused_with_the_date_when_the_notice_of_an_agreement_in_force_has_not_run(
    olaine, olaine_coordinator
):
    agreement = _in_force(olaine, olaine_coordinator)
    request = _request(agreement, days_ago=1)
    with pytest.raises(ValidationError) as refused:
        volunteer_services.erasure_decide(request=request, actor=olaine_coordinator, approve=True)
    until = (timezone.localdate() + timedelta(days=agreement.notice_days - 1)).strftime("%-d.%m.%Y")
    assert agreement.number in refused.value.messages[0]
    assert until in refused.value.messages[0]
    agreement.refresh_from_db()
    assert agreement.status == Status.SIGNED
    assert agreement.volunteer.anonymised_at is None


def test_request_list_shows_why_and_disables_confirming_when_the_notice_has_not_run(
    client, olaine, olaine_coordinator
):
    agreement = _in_force(olaine, olaine_coordinator)
    _request(agreement, days_ago=0)
    client.force_login(olaine_coordinator)
    body = client.get(reverse("volunteers:change_requests")).content.decode()
    assert agreement.number in body
    assert "disabled" in body


def test_erasure_ends_agreements_and_keeps_their_files_when_the_notice_has_run(
    olaine, olaine_coordinator, django_capture_on_commit_callbacks
):
    agreement = _in_force(olaine, olaine_coordinator)
    pdf = _pdf(agreement)
    scan_name = agreement.signed_scan.name
    request = _request(agreement, days_ago=agreement.notice_days)
    with django_capture_on_commit_callbacks(execute=True):
        volunteer_services.erasure_decide(request=request, actor=olaine_coordinator, approve=True)
    agreement.refresh_from_db()
    assert agreement.status == Status.ENDED
    assert agreement.end_kind == Agreement.EndKind.TERMINATED
    assert agreement.terminated_by == Agreement.TerminatedBy.VOLUNTEER
    assert agreement.notice_date == timezone.localdate() - timedelta(days=agreement.notice_days)
    assert agreement.ended_on == timezone.localdate()
    assert agreement.guardian_name == ""
    assert not agreement.history.filter(guardian_name="Aina Aizbildne").exists()
    # Kept for the retention period: the PDF and the scan.
    pdf.refresh_from_db()
    assert pdf.revoked_at is not None and pdf.destroyed_at is None
    assert private_storage.exists(pdf.file.name)
    assert agreement.signed_scan.name == scan_name and private_storage.exists(scan_name)
    assert AuditEvent.objects.filter(action="agreement.end", target_id=str(agreement.pk)).exists()


def test_drafts_end_too_when_the_person_is_erased(olaine, olaine_coordinator):
    agreement = builders.draft(olaine, olaine_coordinator)
    services.volunteer_anonymise(volunteer=agreement.volunteer, actor=olaine_coordinator)
    agreement.refresh_from_db()
    assert agreement.status == Status.ENDED and agreement.notice_date is None


def test_certificate_files_are_destroyed_when_the_person_is_erased(
    olaine, olaine_coordinator, django_capture_on_commit_callbacks
):
    app = builders.application(olaine)
    course = training_builders.course(olaine.institution)
    completion = training_builders.completion(app.volunteer, course, olaine)
    certificate = document_row(completion, kind="training_certificate", state=Document.State.DONE)
    certificate.file.save("certificate.pdf", ContentFile(b"%PDF-1.7 certificate"), save=True)
    name = certificate.file.name
    with django_capture_on_commit_callbacks(execute=True):
        services.volunteer_anonymise(volunteer=app.volunteer, actor=olaine_coordinator)
    certificate.refresh_from_db()
    assert certificate.destroyed_at is not None and certificate.revoked_at is not None
    assert not certificate.file
    assert not private_storage.exists(name)
    assert AuditEvent.objects.filter(action="document.destroy").exists()


def test_audit_entries_show_no_name_when_the_person_is_erased(olaine, olaine_coordinator):
    app = builders.application(olaine, first_name="Zelma", last_name="Bērziņa")
    volunteer = app.volunteer
    from institutions.services import audit_record

    audit_record(actor=olaine_coordinator, action="volunteer.profile.update", target=volunteer)
    services.volunteer_anonymise(volunteer=volunteer, actor=olaine_coordinator)
    assert not AuditEvent.objects.filter(target_label__contains="Bērziņa").exists()
    assert AuditEvent.objects.filter(action="volunteer.anonymise", target_id=str(volunteer.pk)).exists()


def test_reminders_name_no_address_when_the_person_is_erased(olaine, olaine_coordinator):
    app = builders.application(olaine)
    email = app.volunteer.user.email
    Reminder.objects.create(
        kind="ending_30", target="agreement:1", due_date=timezone.localdate(), recipient=email
    )
    services.volunteer_anonymise(volunteer=app.volunteer, actor=olaine_coordinator)
    assert not Reminder.objects.filter(recipient__iexact=email).exists()


def test_second_anonymisation_is_refused_when_the_person_is_already_anonymised(olaine, olaine_coordinator):
    from django.core.exceptions import PermissionDenied

    app = builders.application(olaine)
    services.volunteer_anonymise(volunteer=app.volunteer, actor=olaine_coordinator)
    with pytest.raises(PermissionDenied):
        services.volunteer_anonymise(volunteer=app.volunteer, actor=olaine_coordinator)


# --- The download


def test_download_includes_agreements_documents_audit_and_reminders_when_the_person_has_them(
    client, olaine, olaine_coordinator
):
    agreement = _in_force(olaine, olaine_coordinator)
    _pdf(agreement)
    user = agreement.volunteer.user
    Reminder.objects.create(
        kind="ending_30",
        target=f"agreement:{agreement.pk}",
        due_date=timezone.localdate(),
        recipient=user.email,
        sent_at=timezone.now(),
    )
    client.force_login(user)
    response = client.get(reverse("volunteers:my_data_json"))
    data = json.loads(response.content)
    assert [a["number"] for a in data["agreements"]] == [agreement.number]
    assert data["agreements"][0]["legal_representative"] == "Aina Aizbildne"
    (document,) = data["documents"]
    assert document["number"] == agreement.number
    assert document["download_url"].endswith(reverse("documents:download", args=[document_id(agreement)]))
    assert any(entry["action"] == "agreement.sign" for entry in data["audit"])
    assert all(entry["by"] in ("staff", "you", "system") for entry in data["audit"])
    assert [r["kind"] for r in data["reminders"]] == ["ending_30"]
    assert set(data) >= {"account", "profile", "applications", "trainings", "requests", "emails"}


def document_id(agreement) -> int:
    return Document.objects.for_subject(agreement).get().pk


def test_printable_page_shows_every_section_when_the_person_opens_it(client, olaine, olaine_coordinator):
    agreement = _in_force(olaine, olaine_coordinator)
    client.force_login(agreement.volunteer.user)
    response = client.get(reverse("volunteers:my_data_html"))
    body = response.content.decode()
    assert agreement.number in body
    for section, _title, _value in response.context["sections"]:
        assert f'id="data-{section.key}"' in body


def test_download_of_agreement_pdf_works_for_the_person_when_listed(client, olaine, olaine_coordinator):
    agreement = _in_force(olaine, olaine_coordinator)
    _pdf(agreement)
    client.force_login(agreement.volunteer.user)
    data = selectors.volunteer_data(agreement.volunteer)
    url = data["documents"][0]["download_url"]
    response = client.get(urlsplit(url).path)
    assert response.status_code == 200


def test_no_reminder_goes_out_when_the_agreement_ended_by_erasure(olaine, olaine_coordinator, mailoutbox):
    from notifications.reminders import reminders_send

    agreement = _in_force(olaine, olaine_coordinator)
    kept = _in_force(olaine, olaine_coordinator)  # the control: its reminder goes out
    Agreement.objects.filter(pk__in=[agreement.pk, kept.pk]).update(
        status=Status.ACTIVE, end_date=timezone.localdate() + timedelta(days=30)
    )
    request = _request(agreement, days_ago=agreement.notice_days)
    volunteer_services.erasure_decide(request=request, actor=olaine_coordinator, approve=True)
    reminders_send()
    assert [m for m in mailoutbox if kept.number in m.subject + m.body]
    assert not [m for m in mailoutbox if agreement.number in m.subject + m.body]
