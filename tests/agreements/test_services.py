"""The agreement lifecycle services: drafting rules (training, minors, notice, expenses,
insurance), template versions, numbering order, signing, the daily activation and expiry,
and termination."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from agreements import services
from agreements.models import Agreement, NumberSequence, Status
from institutions.models import AuditEvent
from trainings.models import Course
from volunteers.models import ApplicationEvent
from volunteers.models import Status as ApplicationStatus

from . import builders


def _errors(excinfo) -> dict:
    return excinfo.value.message_dict


# --- Drafting


def test_draft_is_refused_when_the_role_needs_a_training_not_yet_completed(olaine, olaine_coordinator):
    builders.current_template(olaine.institution)
    app = builders.application(olaine)
    sports = builders.role(olaine.institution, "sports")
    builders.required_course(sports, title="Sporta nodarbību vadīšana")

    with pytest.raises(ValidationError) as excinfo:
        services.agreement_create(
            actor=olaine_coordinator, application=app, **builders.terms(olaine.institution, role=sports)
        )

    assert "Sporta nodarbību vadīšana" in " ".join(_errors(excinfo)["role"])
    assert not Agreement.objects.exists()
    builders.completed(app, builders.required_course(builders.role(olaine.institution)))
    with pytest.raises(ValidationError):  # a completion of another course does not count
        services.agreement_create(
            actor=olaine_coordinator, application=app, **builders.terms(olaine.institution, role=sports)
        )


def test_draft_is_made_when_the_training_completion_is_recorded(olaine, olaine_coordinator):
    sports = builders.role(olaine.institution, "sports")
    app = builders.application(olaine)
    builders.completed(app, builders.required_course(sports))

    agreement = builders.draft(olaine, olaine_coordinator, app=app, role=sports)

    assert agreement.status == Status.DRAFT
    assert agreement.number is None
    assert agreement.role == sports
    assert AuditEvent.objects.filter(action="agreement.create", unit=olaine).count() == 1


def test_draft_is_refused_when_the_recurring_training_has_expired(olaine, olaine_coordinator):
    builders.current_template(olaine.institution)
    sports = builders.role(olaine.institution, "sports")
    child_rights = builders.required_course(
        sports, title="Bērnu tiesību aizsardzība", kind=Course.Kind.RECURRING, validity_months=24
    )
    app = builders.application(olaine)
    today = timezone.localdate()
    builders.completed(
        app, child_rights, completed_on=today - timedelta(days=800), valid_until=today - timedelta(days=1)
    )

    with pytest.raises(ValidationError) as excinfo:
        services.agreement_create(
            actor=olaine_coordinator, application=app, **builders.terms(olaine.institution, role=sports)
        )

    assert "Bērnu tiesību aizsardzība" in " ".join(_errors(excinfo)["role"])
    assert not Agreement.objects.exists()
    builders.completed(app, child_rights, completed_on=today - timedelta(days=2))
    assert builders.draft(olaine, olaine_coordinator, app=app, role=sports).role == sports


def test_draft_is_refused_when_the_training_completion_was_withdrawn(olaine, olaine_coordinator):
    builders.current_template(olaine.institution)
    sports = builders.role(olaine.institution, "sports")
    app = builders.application(olaine)
    builders.completed(app, builders.required_course(sports), revoked_at=timezone.now())

    with pytest.raises(ValidationError) as excinfo:
        services.agreement_create(
            actor=olaine_coordinator, application=app, **builders.terms(olaine.institution, role=sports)
        )

    assert "role" in _errors(excinfo)
    assert not Agreement.objects.exists()


def test_draft_is_made_when_the_course_the_role_needed_is_no_longer_active(olaine, olaine_coordinator):
    sports = builders.role(olaine.institution, "sports")
    course = builders.required_course(sports)
    course.is_active = False
    course.save(update_fields=["is_active"])

    assert builders.draft(olaine, olaine_coordinator, role=sports).role == sports


def test_draft_update_is_refused_when_the_new_role_needs_a_training_not_completed(olaine, olaine_coordinator):
    agreement = builders.draft(olaine, olaine_coordinator)
    sports = builders.role(olaine.institution, "sports")
    builders.required_course(sports, title="Sporta nodarbību vadīšana")

    with pytest.raises(ValidationError) as excinfo:
        services.agreement_update(actor=olaine_coordinator, agreement=agreement, role=sports)

    assert "Sporta nodarbību vadīšana" in " ".join(_errors(excinfo)["role"])
    agreement.refresh_from_db()
    assert agreement.role == builders.role(olaine.institution)


def test_draft_is_refused_when_the_application_is_not_at_the_agreement_step(olaine, olaine_coordinator):
    builders.current_template(olaine.institution)
    app = builders.application(olaine, status=ApplicationStatus.TRAINING)

    with pytest.raises(ValidationError):
        services.agreement_create(
            actor=olaine_coordinator, application=app, **builders.terms(olaine.institution)
        )


def test_renewal_is_drafted_when_the_volunteer_is_active(olaine, olaine_coordinator):
    first = builders.agreement_row(olaine, status=Status.ACTIVE)

    renewal = builders.draft(olaine, olaine_coordinator, app=first.application, renewal_of=first)

    assert renewal.renewal_of == first
    assert renewal.application == first.application


def test_draft_is_refused_when_the_coordinator_is_of_another_unit(olaine, jelgava_coordinator):
    with pytest.raises(PermissionDenied):
        builders.draft(olaine, jelgava_coordinator)


def test_minor_needs_the_guardians_consent_when_drafted(olaine, olaine_coordinator):
    builders.current_template(olaine.institution)
    sixteen = date.today() - timedelta(days=16 * 365 + 10)
    app = builders.application(olaine, born=sixteen)

    with pytest.raises(ValidationError) as excinfo:
        services.agreement_create(
            actor=olaine_coordinator, application=app, **builders.terms(olaine.institution)
        )
    assert "guardian_consent" in _errors(excinfo)

    agreement = services.agreement_create(
        actor=olaine_coordinator,
        application=app,
        **builders.terms(olaine.institution, guardian_name="Inga Žūriņa", guardian_consent=True),
    )
    assert agreement.is_minor
    assert agreement.guardian_consent


def test_adult_is_not_a_minor_when_drafted(olaine, olaine_coordinator):
    agreement = builders.draft(olaine, olaine_coordinator)

    assert not agreement.is_minor


@pytest.mark.parametrize("days", [0, 1, 2])
def test_notice_shorter_than_three_days_is_refused_when_drafted(olaine, olaine_coordinator, days):
    with pytest.raises(ValidationError) as excinfo:
        builders.draft(olaine, olaine_coordinator, notice_days=days)

    assert "notice_days" in _errors(excinfo)


def test_notice_of_three_days_is_accepted_when_drafted(olaine, olaine_coordinator):
    assert builders.draft(olaine, olaine_coordinator, notice_days=3).notice_days == 3


def test_reimbursed_expenses_need_terms_when_drafted(olaine, olaine_coordinator):
    with pytest.raises(ValidationError) as excinfo:
        builders.draft(olaine, olaine_coordinator, expenses_reimbursed=True, expenses_terms="  ")
    assert "expenses_terms" in _errors(excinfo)

    agreement = builders.draft(
        olaine, olaine_coordinator, expenses_reimbursed=True, expenses_terms="Transports līdz 30 EUR mēnesī."
    )
    assert agreement.expenses_reimbursed
    assert agreement.expenses_terms == "Transports līdz 30 EUR mēnesī."


def test_required_insurance_needs_a_policy_or_the_volunteers_own_when_drafted(olaine, olaine_coordinator):
    with pytest.raises(ValidationError) as excinfo:
        builders.draft(olaine, olaine_coordinator, insurance_required=True)
    assert "insurance_policy" in _errors(excinfo)

    with_policy = builders.draft(
        olaine, olaine_coordinator, insurance_required=True, insurance_policy="NA-123456"
    )
    own = builders.draft(olaine, olaine_coordinator, insurance_required=True, own_policy=True)
    assert with_policy.insurance_policy == "NA-123456"
    assert own.own_policy


def test_draft_is_refused_when_it_ends_before_it_starts(olaine, olaine_coordinator):
    start = date.today() + timedelta(days=10)
    with pytest.raises(ValidationError) as excinfo:
        builders.draft(olaine, olaine_coordinator, start_date=start, end_date=start - timedelta(days=1))

    assert "end_date" in _errors(excinfo)


def test_written_agreement_request_is_recorded_when_drafted(olaine, olaine_coordinator):
    agreement = builders.draft(
        olaine, olaine_coordinator, requested_in_writing=True, hours_per_week=Decimal("2.5")
    )

    agreement.refresh_from_db()
    assert agreement.requested_in_writing
    assert agreement.hours_per_week == Decimal("2.5")


def test_draft_update_is_refused_when_already_generated(olaine, olaine_coordinator):
    agreement = builders.draft(olaine, olaine_coordinator)
    services.agreement_generate(actor=olaine_coordinator, agreement=agreement)

    with pytest.raises(ValidationError):
        services.agreement_update(actor=olaine_coordinator, agreement=agreement, place="Cits")


# --- Template versions


def test_new_template_version_leaves_an_existing_agreement_on_its_version_when_published(
    olaine, olaine_coordinator, ievp_central
):
    agreement = builders.draft(olaine, olaine_coordinator)
    old = agreement.template
    old_body = old.body

    new = services.template_new_version(
        actor=ievp_central,
        institution=olaine.institution,
        role=None,
        title="Jauns teksts",
        body="{{ number }}",
    )

    agreement.refresh_from_db()
    old.refresh_from_db()
    assert new.version == old.version + 1
    assert agreement.template == old
    assert old.body == old_body
    assert builders.draft(olaine, olaine_coordinator).template == new
    assert AuditEvent.objects.filter(action="agreement.template", institution=olaine.institution).exists()


def test_role_template_is_used_for_that_role_when_it_exists(olaine, olaine_coordinator, ievp_central):
    builders.current_template(olaine.institution)
    sports = builders.role(olaine.institution, "sports")
    for_sports = services.template_new_version(
        actor=ievp_central, institution=olaine.institution, role=sports, title="Sports", body="{{ role }}"
    )

    assert builders.draft(olaine, olaine_coordinator, role=sports).template == for_sports
    assert builders.draft(olaine, olaine_coordinator).template.role is None


def test_new_template_version_is_refused_when_a_unit_coordinator_publishes(olaine, olaine_coordinator):
    with pytest.raises(PermissionDenied):
        services.template_new_version(
            actor=olaine_coordinator, institution=olaine.institution, role=None, title="X", body="Y"
        )


def test_new_template_version_is_refused_when_the_central_coordinator_is_of_another_institution(
    olaine, vpd_central
):
    with pytest.raises(PermissionDenied):
        services.template_new_version(
            actor=vpd_central, institution=olaine.institution, role=None, title="X", body="Y"
        )


# --- Numbering


def test_generate_numbers_agreements_in_order_per_institution_and_year(
    olaine, jelgava, vpd_department, olaine_coordinator, jelgava_coordinator, vpd_coordinator
):
    year = timezone.localdate().year
    numbers = []
    for unit, coordinator in [
        (olaine, olaine_coordinator),
        (vpd_department, vpd_coordinator),
        (jelgava, jelgava_coordinator),
        (olaine, olaine_coordinator),
        (vpd_department, vpd_coordinator),
    ]:
        agreement = builders.draft(unit, coordinator)
        services.agreement_generate(actor=coordinator, agreement=agreement)
        agreement.refresh_from_db()
        assert agreement.status == Status.GENERATED
        assert agreement.generated_at is not None
        numbers.append(agreement.number)

    assert numbers == [
        f"IEVP-{year}-0001",
        f"VPD-{year}-0001",
        f"IEVP-{year}-0002",
        f"IEVP-{year}-0003",
        f"VPD-{year}-0002",
    ]
    assert AuditEvent.objects.filter(action="agreement.generate").count() == 5


def test_numbers_start_again_when_the_year_changes(ievp):
    assert services.number_next(institution=ievp, year=2025) == "IEVP-2025-0001"
    assert services.number_next(institution=ievp, year=2025) == "IEVP-2025-0002"
    assert services.number_next(institution=ievp, year=2026) == "IEVP-2026-0001"
    assert NumberSequence.objects.get(institution=ievp, year=2025).last == 2


def test_draft_keeps_no_number_when_not_generated(olaine, olaine_coordinator):
    builders.draft(olaine, olaine_coordinator)

    assert not NumberSequence.objects.exists()


def test_generate_is_refused_when_already_generated(olaine, olaine_coordinator):
    agreement = builders.draft(olaine, olaine_coordinator)
    services.agreement_generate(actor=olaine_coordinator, agreement=agreement)

    with pytest.raises(ValidationError):
        services.agreement_generate(actor=olaine_coordinator, agreement=agreement)
    assert NumberSequence.objects.get().last == 1


# --- Signing


def test_sign_is_refused_when_the_scan_is_not_a_pdf_jpeg_or_png_whatever_its_name(olaine, olaine_coordinator):
    agreement = builders.draft(olaine, olaine_coordinator)
    services.agreement_generate(actor=olaine_coordinator, agreement=agreement)

    with pytest.raises(ValidationError):
        services.agreement_sign(
            actor=olaine_coordinator,
            agreement=agreement,
            scan=builders.scan(b"MZ\x90\x00 not a scan", name="parakstits.pdf"),
            signed_on=timezone.localdate(),
        )
    agreement.refresh_from_db()
    assert agreement.status == Status.GENERATED
    assert not agreement.signed_scan


def test_sign_accepts_a_png_by_its_content_when_named_otherwise(olaine, olaine_coordinator):
    agreement = builders.draft(olaine, olaine_coordinator)
    services.agreement_generate(actor=olaine_coordinator, agreement=agreement)

    signed = services.agreement_sign(
        actor=olaine_coordinator,
        agreement=agreement,
        scan=builders.scan(builders.PNG_SCAN, name="skenets.txt"),
        signed_on=timezone.localdate(),
    )

    assert signed.status == Status.SIGNED
    assert signed.signed_scan.name.endswith(".png")
    assert signed.signed_on == timezone.localdate()


def test_sign_is_refused_when_the_signing_date_is_in_the_future(olaine, olaine_coordinator):
    agreement = builders.draft(olaine, olaine_coordinator)
    services.agreement_generate(actor=olaine_coordinator, agreement=agreement)

    with pytest.raises(ValidationError) as excinfo:
        services.agreement_sign(
            actor=olaine_coordinator,
            agreement=agreement,
            scan=builders.scan(),
            signed_on=timezone.localdate() + timedelta(days=1),
        )
    assert "signed_on" in _errors(excinfo)


def test_sign_is_refused_when_the_agreement_is_still_a_draft(olaine, olaine_coordinator):
    agreement = builders.draft(olaine, olaine_coordinator)

    with pytest.raises(ValidationError):
        services.agreement_sign(
            actor=olaine_coordinator,
            agreement=agreement,
            scan=builders.scan(),
            signed_on=timezone.localdate(),
        )


def test_sign_activates_at_once_when_the_start_date_has_come(olaine, olaine_coordinator):
    today = timezone.localdate()
    agreement = builders.signed(
        olaine, olaine_coordinator, start_date=today, end_date=today + timedelta(days=90)
    )

    agreement.refresh_from_db()
    agreement.application.refresh_from_db()
    assert agreement.status == Status.ACTIVE
    assert agreement.application.status == ApplicationStatus.ACTIVE


# --- Daily jobs


def test_signed_agreement_becomes_active_on_its_start_date_when_the_daily_job_runs(
    olaine, olaine_coordinator
):
    agreement = builders.signed(olaine, olaine_coordinator)
    assert agreement.status == Status.SIGNED
    start = agreement.start_date

    assert services.agreements_activate_due(today=start - timedelta(days=1)) == 0
    assert services.agreements_activate_due(today=start) == 1
    assert services.agreements_activate_due(today=start) == 0

    agreement.refresh_from_db()
    application = agreement.application
    application.refresh_from_db()
    assert agreement.status == Status.ACTIVE
    assert application.status == ApplicationStatus.ACTIVE
    event = ApplicationEvent.objects.get(application=application, to_status=ApplicationStatus.ACTIVE)
    assert event.from_status == ApplicationStatus.AGREEMENT
    assert agreement.number in event.reason
    assert AuditEvent.objects.filter(action="agreement.activate", unit=olaine).count() == 1


def test_agreement_expires_the_day_after_its_end_date_when_the_daily_job_runs(olaine):
    agreement = builders.agreement_row(olaine, status=Status.ACTIVE)

    assert services.agreements_expire_due(today=agreement.end_date) == 0
    assert services.agreements_expire_due(today=agreement.end_date + timedelta(days=1)) == 1
    assert services.agreements_expire_due(today=agreement.end_date + timedelta(days=2)) == 0

    agreement.refresh_from_db()
    assert agreement.status == Status.ENDED
    assert agreement.end_kind == Agreement.EndKind.EXPIRED
    assert agreement.ended_on == agreement.end_date


def test_draft_does_not_expire_when_its_end_date_has_passed(olaine):
    agreement = builders.agreement_row(olaine, status=Status.GENERATED)

    assert services.agreements_expire_due(today=agreement.end_date + timedelta(days=5)) == 0


# --- Termination


def test_termination_with_short_notice_is_refused_unless_both_parties_agreed(olaine, olaine_coordinator):
    agreement = builders.agreement_row(olaine, status=Status.ACTIVE)
    notice = timezone.localdate()

    with pytest.raises(ValidationError) as excinfo:
        services.agreement_terminate(
            actor=olaine_coordinator,
            agreement=agreement,
            terminated_by=Agreement.TerminatedBy.VOLUNTEER,
            notice_date=notice,
            ended_on=notice + timedelta(days=2),
            reason="Pārceļos uz citu pilsētu.",
        )
    assert "ended_on" in _errors(excinfo)
    agreement.refresh_from_db()
    assert agreement.status == Status.ACTIVE

    ended = services.agreement_terminate(
        actor=olaine_coordinator,
        agreement=agreement,
        terminated_by=Agreement.TerminatedBy.VOLUNTEER,
        notice_date=notice,
        ended_on=notice + timedelta(days=1),
        reason="Pārceļos uz citu pilsētu.",
        short_notice_agreed=True,
    )
    assert ended.status == Status.ENDED
    assert ended.short_notice_agreed
    event = AuditEvent.objects.get(action="agreement.end")
    assert event.data["short_notice_agreed"] is True


def test_termination_records_who_the_notice_date_and_the_reason_when_the_notice_is_enough(
    olaine, olaine_coordinator
):
    agreement = builders.agreement_row(olaine, status=Status.ACTIVE)
    notice = timezone.localdate()

    services.agreement_terminate(
        actor=olaine_coordinator,
        agreement=agreement,
        terminated_by=Agreement.TerminatedBy.ORGANISATION,
        notice_date=notice,
        ended_on=notice + timedelta(days=agreement.notice_days),
        reason="  Brīvprātīgais neievēroja drošības noteikumus.  ",
    )

    agreement.refresh_from_db()
    assert agreement.status == Status.ENDED
    assert agreement.end_kind == Agreement.EndKind.TERMINATED
    assert agreement.terminated_by == Agreement.TerminatedBy.ORGANISATION
    assert agreement.notice_date == notice
    assert agreement.ended_on == notice + timedelta(days=agreement.notice_days)
    assert agreement.termination_reason == "Brīvprātīgais neievēroja drošības noteikumus."
    assert not agreement.short_notice_agreed
    event = AuditEvent.objects.get(action="agreement.end")
    assert event.actor == olaine_coordinator
    assert event.data["by"] == "organisation"


def test_termination_is_refused_without_a_reason(olaine, olaine_coordinator):
    agreement = builders.agreement_row(olaine, status=Status.ACTIVE)

    with pytest.raises(ValidationError) as excinfo:
        services.agreement_terminate(
            actor=olaine_coordinator,
            agreement=agreement,
            terminated_by=Agreement.TerminatedBy.VOLUNTEER,
            notice_date=timezone.localdate(),
            ended_on=timezone.localdate() + timedelta(days=10),
            reason=" ",
        )
    assert "reason" in _errors(excinfo)


def test_termination_is_refused_when_the_agreement_is_not_in_force(olaine, olaine_coordinator):
    agreement = builders.draft(olaine, olaine_coordinator)

    with pytest.raises(ValidationError):
        services.agreement_terminate(
            actor=olaine_coordinator,
            agreement=agreement,
            terminated_by=Agreement.TerminatedBy.VOLUNTEER,
            notice_date=timezone.localdate(),
            ended_on=timezone.localdate() + timedelta(days=10),
            reason="Iemesls",
        )


def test_termination_is_refused_when_the_coordinator_is_of_another_unit(olaine, jelgava_coordinator):
    agreement = builders.agreement_row(olaine, status=Status.ACTIVE)

    with pytest.raises(PermissionDenied):
        services.agreement_terminate(
            actor=jelgava_coordinator,
            agreement=agreement,
            terminated_by=Agreement.TerminatedBy.VOLUNTEER,
            notice_date=timezone.localdate(),
            ended_on=timezone.localdate() + timedelta(days=10),
            reason="Iemesls",
        )
    agreement.refresh_from_db()
    assert agreement.status == Status.ACTIVE
