"""Erasure and retention at their edges: what races them, what they might leave behind, and
who may see what of another institution."""

from __future__ import annotations

from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.utils import timezone

from agreements.models import Agreement
from documents import services as document_services
from documents.models import Document
from institutions.models import AuditEvent
from notifications.models import Reminder
from privacy import selectors, services
from privacy.models import RetentionRun
from tests.agreements import builders
from tests.factories import ApplicationFactory, VolunteerFactory, document_row
from tests.trainings import builders as training_builders
from trainings import services as training_services
from trainings.models import Completion
from volunteers import services as volunteer_services
from volunteers.models import BulkEmail, BulkEmailRecipient, ErasureRequest, Volunteer
from volunteers.models import Status as ApplicationStatus

pytestmark = pytest.mark.django_db


def _rejected(unit, *, days_ago=400, **user):
    volunteer = VolunteerFactory(**{f"user__{k}": v for k, v in user.items()})
    return ApplicationFactory(
        volunteer=volunteer,
        unit=unit,
        status=ApplicationStatus.REJECTED,
        status_changed_at=timezone.now() - timedelta(days=days_ago),
    )


# --- Races


def test_submission_is_refused_when_the_person_was_erased_since_the_form_opened(olaine, olaine_coordinator):
    from tests.volunteers.test_rules import _details, _person

    application = builders.application(olaine, status=ApplicationStatus.REJECTED)
    volunteer = application.volunteer
    user = volunteer.user
    services.volunteer_anonymise(volunteer=volunteer, actor=olaine_coordinator)
    with pytest.raises(ValidationError):
        volunteer_services.applications_submit(
            person=_person(email=user.email), details=_details(), institutions=[olaine.institution], user=user
        )
    volunteer.refresh_from_db()
    assert volunteer.anonymised_at is not None and volunteer.phone == ""


def test_retention_leaves_the_person_when_they_applied_again_after_the_plan(olaine, jelgava, monkeypatch):
    application = _rejected(olaine)
    plan = selectors.retention_plan()
    assert [p.volunteer_id for p in plan.people] == [application.volunteer_id]
    ApplicationFactory(volunteer=application.volunteer, unit=jelgava, status=ApplicationStatus.SUBMITTED)
    monkeypatch.setattr(selectors, "retention_plan", lambda **kwargs: plan)  # the stale plan
    run = services.retention_run()
    assert run.anonymised == 0 and run.skipped[0]["volunteer"] == application.volunteer_id
    assert Volunteer.objects.get(pk=application.volunteer_id).anonymised_at is None


def test_run_goes_on_and_reports_when_one_person_fails(olaine, monkeypatch):
    first, second = _rejected(olaine), _rejected(olaine)
    real = services.volunteer_anonymise

    def failing(*, volunteer, **kwargs):
        if volunteer.pk == first.volunteer_id:
            raise RuntimeError("disk full")
        return real(volunteer=volunteer, **kwargs)

    monkeypatch.setattr(services, "volunteer_anonymise", failing)
    run = services.retention_run()
    assert run.anonymised == 1 and run.finished_at is not None
    assert run.skipped == [
        {
            "volunteer": first.volunteer_id,
            "institutions": [olaine.institution_id],
            "why": "RuntimeError: disk full",
        }
    ]
    assert Volunteer.objects.get(pk=second.volunteer_id).anonymised_at is not None


def test_lost_run_is_carried_on_when_the_job_comes_again(olaine):
    _rejected(olaine)
    RetentionRun.objects.create(run_on=timezone.localdate(), started_at=timezone.now() - timedelta(hours=3))
    run = services.retention_run()
    assert run.finished_at is not None and run.anonymised == 1


def test_run_in_progress_is_left_alone_when_the_job_comes_again(olaine):
    application = _rejected(olaine)
    RetentionRun.objects.create(run_on=timezone.localdate(), started_at=timezone.now() - timedelta(minutes=5))
    services.retention_run()
    assert Volunteer.objects.get(pk=application.volunteer_id).anonymised_at is None


def test_pending_erasure_request_is_done_when_the_retention_job_anonymised_the_person(olaine):
    application = _rejected(olaine)
    request = volunteer_services.erasure_request_create(volunteer=application.volunteer, reason="")
    services.retention_run()
    request.refresh_from_db()
    assert request.state == ErasureRequest.State.DONE


def test_destroyed_document_is_never_rendered_when_it_was_queued(olaine, olaine_coordinator):
    app = builders.application(olaine)
    completion = training_builders.completion(
        app.volunteer, training_builders.course(olaine.institution), olaine
    )
    queued = document_row(completion, kind="training_certificate", state=Document.State.QUEUED)
    services.volunteer_anonymise(volunteer=app.volunteer, actor=olaine_coordinator)
    queued.refresh_from_db()
    assert queued.state == Document.State.FAILED and queued.destroyed_at is not None
    assert document_services.document_claim(document_id=queued.pk) is False
    assert queued.pk not in document_services.documents_requeue_stuck(now=timezone.now() + timedelta(days=1))


# --- What might be left behind


def test_typed_reasons_and_notes_go_when_the_person_is_erased(olaine, olaine_coordinator):
    app = builders.application(olaine)
    volunteer = app.volunteer
    completion = training_builders.completion(volunteer, training_builders.course(olaine.institution), olaine)
    training_services.completion_revoke(
        actor=olaine_coordinator, completion=completion, reason="Ilze teica, ka nepiedalījās"
    )
    change = volunteer_services.change_request_create(
        volunteer=volunteer, field="last_name", new_value="Ozola"
    )
    volunteer_services.change_request_decide(
        request=change, actor=olaine_coordinator, approve=False, note="Ilzes pase neatbilst"
    )
    refused = volunteer_services.erasure_request_create(volunteer=volunteer, reason="")
    volunteer_services.erasure_decide(
        request=refused, actor=olaine_coordinator, approve=False, note="Ilzes līgums vēl spēkā"
    )
    LogEntry.objects.create(
        user=olaine_coordinator,
        content_type=ContentType.objects.get_for_model(Volunteer),
        object_id=str(volunteer.pk),
        object_repr="Ilze Ozoliņa",
        action_flag=CHANGE,
        change_message="Ilze mainīja tālruni",
    )
    services.volunteer_anonymise(volunteer=volunteer, actor=olaine_coordinator)
    for text in ("Ilze", "Ilzes"):
        assert not Completion.objects.filter(revoke_reason__contains=text).exists()
        assert not Completion.history.filter(revoke_reason__contains=text).exists()
        assert not Document.objects.filter(revoked_reason__contains=text).exists()
        assert not ErasureRequest.objects.filter(decision_note__contains=text).exists()
        assert not LogEntry.objects.filter(object_repr__contains=text).exists()
        assert not LogEntry.objects.filter(change_message__contains=text).exists()
        assert not [e for e in AuditEvent.objects.all() if text in str(e.data)]


def test_own_insurance_policy_number_goes_when_the_person_is_erased(olaine, olaine_coordinator):
    agreement = builders.draft(olaine, olaine_coordinator)
    Agreement.objects.filter(pk=agreement.pk).update(own_policy=True, insurance_policy="BTA-778899")
    services.volunteer_anonymise(volunteer=agreement.volunteer, actor=olaine_coordinator)
    agreement.refresh_from_db()
    assert agreement.insurance_policy == ""
    assert not Agreement.history.filter(insurance_policy="BTA-778899").exists()


def test_mail_to_every_address_is_covered_when_the_person_had_two(olaine, olaine_coordinator):
    app = builders.application(olaine)
    user = app.volunteer.user
    EmailAddress.objects.create(user=user, email="ilze.vecais@example.lv", verified=True, primary=False)
    Reminder.objects.create(
        kind="ending_30",
        target="agreement:1",
        due_date=timezone.localdate(),
        recipient="Ilze.Vecais@example.lv",
        sent_at=timezone.now(),
    )
    assert [r["kind"] for r in selectors.volunteer_data(app.volunteer)["reminders"]] == ["ending_30"]
    bulk = BulkEmail.objects.create(unit=olaine, author=olaine_coordinator, subject="Tikšanās", body="Sveiki")
    unsent = BulkEmailRecipient.objects.create(bulk_email=bulk, application=app, email=user.email)
    services.volunteer_anonymise(volunteer=app.volunteer, actor=olaine_coordinator)
    assert not Reminder.objects.filter(recipient__icontains="vecais").exists()
    unsent.refresh_from_db()
    assert unsent.sent_at is not None and unsent.error == "erased"


# --- Another institution


def test_blocker_names_no_agreement_when_it_is_another_institutions(
    client, olaine, olaine_coordinator, vpd_department, vpd_coordinator
):
    agreement = builders.signed(olaine, olaine_coordinator)
    ApplicationFactory(volunteer=agreement.volunteer, unit=vpd_department, status=ApplicationStatus.SCREENING)
    volunteer_services.erasure_request_create(volunteer=agreement.volunteer, reason="")
    client.force_login(vpd_coordinator)
    from django.urls import reverse

    body = client.get(reverse("volunteers:change_requests")).content.decode()
    assert agreement.number not in body
    assert "disabled" in body


def test_report_shows_only_the_viewers_references_when_a_person_was_with_both(olaine, vpd_department):
    ievp_application = _rejected(olaine)
    vpd_application = ApplicationFactory(
        volunteer=ievp_application.volunteer,
        unit=vpd_department,
        status=ApplicationStatus.WITHDRAWN,
        status_changed_at=timezone.now() - timedelta(days=400),
    )
    plan = selectors.retention_plan().for_institutions({olaine.institution_id})
    (person,) = plan.people
    assert person.references == [ievp_application.reference]
    assert vpd_application.reference not in person.references
