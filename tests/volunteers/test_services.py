from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from institutions.models import AuditEvent, Unit
from volunteers import services
from volunteers.models import Application, ApplicationEvent, Role, Status, VettingRecord
from volunteers.services import ALLOWED, TransitionError

from ..factories import ApplicationFactory, UnitFactory, VolunteerFactory


def _person(**overrides):
    data = {
        "first_name": "Jānis",
        "last_name": "Bērziņš",
        "email": "Janis.Berzins@Example.lv",
        "date_of_birth": date(1985, 3, 14),
        "phone": "+371 20000000",
        "address": "Brīvības iela 1",
        "municipality": "Rīga",
        "personal_code": "140385-10000",
    }
    return services.PersonDetails(**{**data, **overrides})


def _details(**overrides):
    data = {
        "motivation": "Gribu palīdzēt.",
        "record_declaration": "none",
        "consent_record_check": True,
        "consent_data_processing": True,
    }
    return services.ApplicationDetails(**{**data, **overrides})


def _cleared(application, coordinator):
    return services.vetting_record(
        application=application,
        actor=coordinator,
        requested_on=date.today() - timedelta(days=10),
        result=VettingRecord.Result.CLEARED,
        result_on=date.today() - timedelta(days=2),
        valid_until=date.today() + timedelta(days=365),
    )


def test_submit_creates_account_volunteer_and_application_when_new_person_applies(
    ievp, olaine, jelgava, olaine_coordinator, django_capture_on_commit_callbacks
):
    role = Role.objects.get(institution=ievp, code="sports")
    with django_capture_on_commit_callbacks(execute=True):
        [application] = services.applications_submit(
            person=_person(),
            details=_details(roles=[role], preferred_units=[jelgava, olaine]),
            institutions=[ievp],
            password="garš-un-drošs-9",
        )
    assert application.unit == jelgava  # the first preferred unit
    assert set(application.preferred_units.all()) == {jelgava, olaine}
    assert list(application.roles.all()) == [role]
    assert application.reference == f"T{timezone.now().year}-{application.pk:05d}"
    user = application.volunteer.user
    assert user.email == "janis.berzins@example.lv"
    assert user.check_password("garš-un-drošs-9")
    assert not user.emailaddress_set.get().verified
    assert application.events.get().kind == ApplicationEvent.Kind.SUBMITTED
    assert AuditEvent.objects.filter(action="application.submit", unit=jelgava).exists()


def test_submit_goes_to_the_central_office_when_no_unit_is_preferred(ievp):
    central = Unit.objects.filter(institution=ievp, kind=Unit.Kind.CENTRAL_OFFICE).order_by(
        "pk"
    ).first() or UnitFactory(institution=ievp, slug="ievp-ca", kind=Unit.Kind.CENTRAL_OFFICE)
    [application] = services.applications_submit(person=_person(), details=_details(), institutions=[ievp])
    assert application.unit == central


def test_submit_creates_one_application_per_institution_when_either_is_chosen(
    ievp, vpd, olaine, vpd_department
):
    applications = services.applications_submit(
        person=_person(), details=_details(preferred_units=[olaine, vpd_department]), institutions=[ievp, vpd]
    )
    assert {a.unit for a in applications} == {olaine, vpd_department}
    assert len({a.volunteer_id for a in applications}) == 1


@pytest.mark.parametrize("match", ["email", "personal_code"])
def test_submit_is_refused_when_an_open_application_exists_at_the_institution(ievp, olaine, match):
    services.applications_submit(
        person=_person(), details=_details(preferred_units=[olaine]), institutions=[ievp]
    )
    other = {"email": "cits@example.lv"} if match == "personal_code" else {"personal_code": ""}
    with pytest.raises(ValidationError) as error:
        services.applications_submit(
            person=_person(**other), details=_details(preferred_units=[olaine]), institutions=[ievp]
        )
    assert error.value.code == "duplicate"
    assert Application.objects.count() == 1


def test_coordinators_are_emailed_once_when_an_application_arrives(
    ievp, olaine, olaine_coordinator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        [application] = services.applications_submit(
            person=_person(), details=_details(preferred_units=[olaine]), institutions=[ievp]
        )
    assert [m.to for m in mail.outbox] == [[olaine_coordinator.email]]
    assert application.reference in mail.outbox[0].subject
    assert services.coordinators_notify_submission(application_id=application.pk) is False
    assert len(mail.outbox) == 1


def test_every_open_state_can_be_rejected_or_withdrawn_when_the_table_is_read():
    for status in [Status.SUBMITTED, Status.SCREENING, Status.VETTING, Status.TRAINING, Status.AGREEMENT]:
        assert {Status.REJECTED, Status.WITHDRAWN} <= ALLOWED[status]
    for final in [Status.ENDED, Status.REJECTED, Status.WITHDRAWN]:
        assert ALLOWED[final] == set()


def test_application_walks_the_whole_pipeline_when_each_step_is_allowed(
    olaine, olaine_coordinator, django_capture_on_commit_callbacks
):
    application = ApplicationFactory(unit=olaine)
    steps = [
        Status.SCREENING,
        Status.VETTING,
        Status.TRAINING,
        Status.AGREEMENT,
        Status.ACTIVE,
        Status.PAUSED,
    ]
    with django_capture_on_commit_callbacks(execute=True):
        for step in steps:
            if step == Status.TRAINING:
                _cleared(application, olaine_coordinator)
            reason = "Atvaļinājums" if step == Status.PAUSED else ""
            services.application_transition(
                application_id=application.pk, to=step, actor=olaine_coordinator, reason=reason
            )
    application.refresh_from_db()
    assert application.status == Status.PAUSED
    transitions = application.events.filter(kind=ApplicationEvent.Kind.TRANSITION)
    assert [e.to_status for e in transitions] == steps
    assert transitions.last().reason == "Atvaļinājums"
    assert len(mail.outbox) == len(steps)  # the applicant hears of every step


@pytest.mark.parametrize(
    ("start", "to"),
    [(Status.SUBMITTED, Status.ACTIVE), (Status.ENDED, Status.ACTIVE), (Status.REJECTED, Status.SCREENING)],
)
def test_transition_is_refused_when_not_in_the_table(olaine, olaine_coordinator, start, to):
    application = ApplicationFactory(unit=olaine, status=start)
    with pytest.raises(TransitionError):
        services.application_transition(application_id=application.pk, to=to, actor=olaine_coordinator)
    application.refresh_from_db()
    assert application.status == start


def test_rejection_needs_a_reason_when_a_coordinator_rejects(olaine, olaine_coordinator):
    application = ApplicationFactory(unit=olaine)
    with pytest.raises(TransitionError):
        services.application_transition(
            application_id=application.pk, to=Status.REJECTED, actor=olaine_coordinator
        )
    services.application_transition(
        application_id=application.pk, to=Status.REJECTED, actor=olaine_coordinator, reason="Neatbilst"
    )
    assert Application.objects.get(pk=application.pk).status == Status.REJECTED


@pytest.mark.parametrize("vetting", [None, "pending", "not_cleared", "expired"])
def test_training_is_refused_when_there_is_no_valid_cleared_check(olaine, olaine_coordinator, vetting):
    application = ApplicationFactory(unit=olaine, status=Status.VETTING)
    today = date.today()
    if vetting == "pending":
        services.vetting_record(application=application, actor=olaine_coordinator, requested_on=today)
    elif vetting == "not_cleared":
        services.vetting_record(
            application=application,
            actor=olaine_coordinator,
            requested_on=today,
            result="not_cleared",
            result_on=today,
        )
    elif vetting == "expired":
        VettingRecord.objects.create(
            application=application,
            requested_on=today - timedelta(days=900),
            result_on=today - timedelta(days=890),
            result="cleared",
            checked_by=olaine_coordinator,
            valid_until=today - timedelta(days=1),
        )
    with pytest.raises(TransitionError):
        services.application_transition(
            application_id=application.pk, to=Status.TRAINING, actor=olaine_coordinator
        )


def test_coordinator_of_another_unit_cannot_move_an_application_when_trying(olaine, jelgava_coordinator):
    application = ApplicationFactory(unit=olaine)
    with pytest.raises(PermissionDenied):
        services.application_transition(
            application_id=application.pk, to=Status.SCREENING, actor=jelgava_coordinator
        )


def test_volunteer_may_only_withdraw_own_application_when_acting_on_it(olaine):
    application = ApplicationFactory(unit=olaine)
    owner = application.volunteer.user
    with pytest.raises(PermissionDenied):
        services.application_transition(application_id=application.pk, to=Status.SCREENING, actor=owner)
    services.application_transition(application_id=application.pk, to=Status.WITHDRAWN, actor=owner)
    event = ApplicationEvent.objects.get(application=application, kind=ApplicationEvent.Kind.TRANSITION)
    assert event.to_status == Status.WITHDRAWN and not event.notify


def test_reassign_moves_within_the_institution_when_asked(
    olaine, jelgava, vpd_department, olaine_coordinator
):
    application = ApplicationFactory(unit=olaine)
    with pytest.raises(ValidationError):
        services.application_reassign(application=application, unit=vpd_department, actor=olaine_coordinator)
    services.application_reassign(
        application=application, unit=jelgava, actor=olaine_coordinator, reason="Tuvāk"
    )
    application.refresh_from_db()
    assert application.unit == jelgava
    assert application.events.get(kind=ApplicationEvent.Kind.REASSIGNED).data == {
        "from": "Olaines cietums",
        "to": "Jelgavas cietums",
    }
    # Both units' audit trails show the move.
    assert AuditEvent.objects.filter(action="application.reassign", unit__in=[olaine, jelgava]).count() == 2


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"result": "cleared"}, "date"),
        ({"result": "cleared", "result_on": date(2026, 1, 1)}, "before"),
        (
            {"result": "not_cleared", "result_on": date(2026, 3, 1), "valid_until": date(2027, 1, 1)},
            "validity",
        ),
    ],
)
def test_vetting_record_is_refused_when_dates_do_not_fit(olaine, olaine_coordinator, kwargs, message):
    application = ApplicationFactory(unit=olaine)
    with pytest.raises(ValidationError):
        services.vetting_record(
            application=application, actor=olaine_coordinator, requested_on=date(2026, 2, 1), **kwargs
        )
    assert not VettingRecord.objects.exists()


def test_viewing_a_vetting_result_is_logged_when_a_coordinator_opens_it(olaine, olaine_coordinator):
    application = ApplicationFactory(unit=olaine)
    services.vetting_view_logged(application=application, actor=olaine_coordinator)
    event = AuditEvent.objects.get(action="vetting.view")
    assert event.actor == olaine_coordinator and event.unit == olaine


def test_applicant_is_emailed_in_their_language_when_the_status_changes(
    olaine, olaine_coordinator, django_capture_on_commit_callbacks
):
    volunteer = VolunteerFactory(user__language="en")
    application = ApplicationFactory(unit=olaine, volunteer=volunteer)
    with django_capture_on_commit_callbacks(execute=True):
        services.application_transition(
            application_id=application.pk, to=Status.SCREENING, actor=olaine_coordinator
        )
    assert mail.outbox[0].subject == f"Your application {application.reference}: Screening"
    event = application.events.get(kind=ApplicationEvent.Kind.TRANSITION)
    assert services.applicant_notify(event_id=event.pk) is False
    assert len(mail.outbox) == 1
