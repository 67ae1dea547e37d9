"""The retention job: per-institution periods, anonymisation once every institution's period
has ended, agreement files destroyed after theirs, once a day, and the dry-run report."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from agreements.models import Status
from core.storage import private_storage
from documents.models import Document
from institutions.models import AuditEvent
from privacy import selectors, services, tasks
from privacy.models import RetentionPolicy, RetentionRun
from tests.agreements import builders
from tests.factories import ApplicationFactory, VolunteerFactory, document_row
from volunteers.models import Status as ApplicationStatus
from volunteers.models import Volunteer

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 30)


def _closed(unit, *, status=ApplicationStatus.REJECTED, days_ago: int, volunteer=None, **user):
    volunteer = volunteer or VolunteerFactory(**{f"user__{k}": v for k, v in user.items()})
    return ApplicationFactory(
        volunteer=volunteer,
        unit=unit,
        status=status,
        status_changed_at=timezone.now() - timedelta(days=days_ago),
    )


def _anonymised(volunteer) -> bool:
    return Volunteer.objects.get(pk=volunteer.pk).anonymised_at is not None


def test_rejected_applicant_is_anonymised_when_the_institutions_period_has_ended(olaine):
    old = _closed(olaine, days_ago=400, last_name="Vecais")
    recent = _closed(olaine, days_ago=300, last_name="Jaunais")
    run = services.retention_run(today=timezone.localdate())
    assert run.anonymised == 1 and run.finished_at is not None
    assert _anonymised(old.volunteer) and not _anonymised(recent.volunteer)
    old.refresh_from_db()
    assert old.status == ApplicationStatus.REJECTED and old.motivation == ""
    assert AuditEvent.objects.filter(action="retention.anonymise", actor__isnull=True).count() == 1


def test_person_is_kept_when_another_institutions_period_has_not_ended(olaine, vpd_department):
    first = _closed(olaine, days_ago=400)
    _closed(vpd_department, status=ApplicationStatus.ENDED, days_ago=400, volunteer=first.volunteer)
    services.retention_run()
    # IeVP's one year for applicants has passed, VPD's three for former volunteers has not.
    assert not _anonymised(first.volunteer)


def test_person_is_kept_when_an_application_is_current(olaine, jelgava):
    first = _closed(olaine, days_ago=900)
    ApplicationFactory(volunteer=first.volunteer, unit=jelgava, status=ApplicationStatus.SCREENING)
    services.retention_run()
    assert not _anonymised(first.volunteer)


def test_former_volunteer_is_kept_until_the_period_after_the_agreement_ended(olaine):
    agreement = builders.agreement_row(
        olaine, status=Status.ENDED, start=date(2022, 1, 1), end=date(2023, 12, 31)
    )
    agreement.ended_on = timezone.localdate() - timedelta(days=2 * 365)
    agreement.save()
    agreement.application.status = ApplicationStatus.ENDED
    agreement.application.status_changed_at = timezone.now() - timedelta(days=5 * 365)
    agreement.application.save()
    services.retention_run()
    assert not _anonymised(agreement.volunteer)  # 3 years from the agreement's end
    RetentionPolicy.objects.create(institution=olaine.institution, former_volunteer_years=1)
    services.retention_run(today=timezone.localdate() + timedelta(days=1))
    assert _anonymised(agreement.volunteer)


def test_policy_of_the_institution_applies_when_one_is_saved(olaine):
    application = _closed(olaine, days_ago=400)
    RetentionPolicy.objects.create(institution=olaine.institution, unsuccessful_years=2)
    services.retention_run()
    assert not _anonymised(application.volunteer)


def test_run_does_nothing_when_it_runs_twice_on_a_day(olaine):
    _closed(olaine, days_ago=400)
    first = services.retention_run()
    _closed(olaine, days_ago=400)
    second = services.retention_run()
    assert second.pk == first.pk and second.anonymised == 1
    assert RetentionRun.objects.count() == 1
    assert Volunteer.objects.filter(anonymised_at__isnull=True).count() == 1


def test_task_runs_the_job_when_beat_sends_it(olaine):
    _closed(olaine, days_ago=400)
    result = tasks.retention_daily.apply().get()
    assert result["anonymised"] == 1


def test_staff_member_is_reported_not_anonymised_when_they_also_applied(olaine, olaine_coordinator):
    application = _closed(olaine, days_ago=400)
    from institutions import permissions

    permissions.grant_unit_coordinator(application.volunteer.user, olaine)
    run = services.retention_run()
    assert run.anonymised == 0
    assert run.skipped[0]["volunteer"] == application.volunteer.pk
    assert not _anonymised(application.volunteer)


def test_agreement_files_are_destroyed_when_the_document_period_has_ended(
    olaine, django_capture_on_commit_callbacks
):
    agreement = builders.agreement_row(
        olaine, status=Status.ENDED, start=date(2018, 1, 1), end=date(2019, 12, 31)
    )
    agreement.ended_on = date(2019, 12, 31)
    agreement.signed_scan.save("scan.pdf", ContentFile(b"%PDF-1.7 scan"), save=False)
    agreement.save()
    document = document_row(agreement, state=Document.State.DONE)
    document.file.save("agreement.pdf", ContentFile(b"%PDF-1.7"), save=True)
    names = [agreement.signed_scan.name, document.file.name]
    recent = builders.agreement_row(olaine, status=Status.ENDED)
    recent.ended_on = timezone.localdate() - timedelta(days=30)
    recent.signed_scan.save("scan.pdf", ContentFile(b"%PDF-1.7 scan"), save=True)
    with django_capture_on_commit_callbacks(execute=True):
        run = services.retention_run()
    assert run.agreements_cleared == 1
    agreement.refresh_from_db()
    document.refresh_from_db()
    assert not agreement.signed_scan and document.destroyed_at is not None
    assert not any(private_storage.exists(name) for name in names)
    recent.refresh_from_db()
    assert recent.signed_scan
    assert AuditEvent.objects.filter(action="retention.destroy", target_id=str(agreement.pk)).exists()


# --- The dry run


def test_plan_lists_who_and_what_when_periods_have_ended(olaine, vpd_department):
    person = _closed(olaine, days_ago=400, first_name="Ilze", last_name="Senā")
    _closed(vpd_department, days_ago=100)
    plan = selectors.retention_plan()
    (found,) = plan.people
    assert found.volunteer_id == person.volunteer_id
    assert found.references == [person.reference]
    assert found.institution_ids == {olaine.institution_id}
    assert plan.for_institutions({vpd_department.institution_id}).people == []


def test_report_shows_the_plan_without_changing_anything_when_the_central_coordinator_opens_it(
    client, olaine, ievp_central, django_assert_num_queries
):
    person = _closed(olaine, days_ago=400, first_name="Ilze", last_name="Senā")
    client.force_login(ievp_central)
    client.get(reverse("privacy:retention"))  # warm the role cache of the session
    # 1 of the layout (the user; the session and the roles come from the cache); the rest are
    # the policies, the plan (set-based: none grows with rows) and the runs.
    with django_assert_num_queries(11):
        response = client.get(reverse("privacy:retention"))
    body = response.content.decode()
    assert "Ilze Senā" in body and person.reference in body
    assert not _anonymised(person.volunteer)
    assert not RetentionRun.objects.exists()


def test_report_hides_another_institutions_people_when_vpd_central_opens_it(client, olaine, vpd_central):
    _closed(olaine, days_ago=400, first_name="Ilze", last_name="Senā")
    client.force_login(vpd_central)
    response = client.get(reverse("privacy:retention"))
    assert response.status_code == 200 and "Senā" not in response.content.decode()


# --- Policies


def test_central_coordinator_changes_the_policy_when_it_is_their_institution(ievp, ievp_central):
    policy = RetentionPolicy(institution=ievp, unsuccessful_years=2)
    services.retention_policy_save(actor=ievp_central, policy=policy, changed=["unsuccessful_years"])
    assert RetentionPolicy.objects.get(institution=ievp).unsuccessful_years == 2
    event = AuditEvent.objects.get(action="retention.policy")
    assert event.data == {"unsuccessful_years": 2}


def test_policy_change_is_refused_when_it_is_another_institution(vpd, ievp_central):
    with pytest.raises(PermissionDenied):
        services.retention_policy_save(
            actor=ievp_central, policy=RetentionPolicy(institution=vpd), changed=["unsuccessful_years"]
        )


def test_admin_saves_the_policy_through_the_service_when_the_central_coordinator_posts(
    client, ievp, ievp_central
):
    ievp_central.is_staff = True
    ievp_central.save()
    client.force_login(ievp_central)
    response = client.post(
        reverse("admin:privacy_retentionpolicy_add"),
        {
            "institution": ievp.pk,
            "unsuccessful_years": 2,
            "former_volunteer_years": 4,
            "agreement_document_years": 10,
        },
    )
    assert response.status_code == 302
    assert RetentionPolicy.objects.get(institution=ievp).agreement_document_years == 10
    assert AuditEvent.objects.filter(action="retention.policy", actor=ievp_central).exists()


def test_person_is_kept_when_registered_for_a_training_not_yet_over(olaine, olaine_coordinator):
    from tests.trainings import builders as training_builders
    from trainings.models import Registration, RegistrationState

    application = _closed(olaine, days_ago=400)
    session = training_builders.session(olaine, olaine_coordinator)
    Registration.objects.create(
        session=session,
        volunteer=application.volunteer,
        application=application,
        state=RegistrationState.REGISTERED,
    )
    services.retention_run()
    assert not _anonymised(application.volunteer)
