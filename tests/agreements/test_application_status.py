"""An agreement in force makes the applicant active through the volunteers' state machine
(``volunteers.services.application_transition_system``): the same history row and audit
entry as every other status change, and never a move the table forbids."""

from datetime import timedelta
from unittest import mock

from django.utils import timezone

from agreements import services
from agreements.models import Status
from institutions.models import AuditEvent
from volunteers import services as volunteer_services
from volunteers.models import ApplicationEvent
from volunteers.models import Status as ApplicationStatus

from . import builders


def _transitions(application):
    return list(application.events.filter(kind=ApplicationEvent.Kind.TRANSITION))


def test_signing_on_the_start_date_activates_the_application_with_an_audit_entry_when_signed(
    olaine, olaine_coordinator
):
    today = timezone.localdate()
    agreement = builders.signed(
        olaine, olaine_coordinator, start_date=today, end_date=today + timedelta(days=90)
    )

    application = agreement.application
    application.refresh_from_db()
    assert application.status == ApplicationStatus.ACTIVE
    [event] = _transitions(application)
    assert (event.from_status, event.to_status, event.actor) == (
        ApplicationStatus.AGREEMENT,
        ApplicationStatus.ACTIVE,
        olaine_coordinator,
    )
    assert agreement.number in event.reason
    audit = AuditEvent.objects.get(action="application.transition", target_id=str(application.pk))
    assert audit.actor == olaine_coordinator
    assert audit.data == {"from": "agreement", "to": "active", "reason": event.reason}


def test_daily_activation_is_recorded_as_the_system_when_the_start_date_comes(olaine, olaine_coordinator):
    agreement = builders.signed(olaine, olaine_coordinator)
    assert services.agreements_activate_due(today=agreement.start_date) == 1

    application = agreement.application
    [event] = _transitions(application)
    assert event.actor is None and event.to_status == ApplicationStatus.ACTIVE and not event.notify
    audit = AuditEvent.objects.get(action="application.transition", target_id=str(application.pk))
    assert audit.actor_label == "system" and audit.unit == olaine


def test_activation_goes_through_the_volunteers_service_when_an_agreement_comes_into_force(
    olaine, olaine_coordinator
):
    agreement = builders.signed(olaine, olaine_coordinator)
    # The daily job moves a chunk's applications at once, through the bulk variant.
    with mock.patch.object(
        volunteer_services,
        "applications_transition_system",
        wraps=volunteer_services.applications_transition_system,
    ) as transition:
        services.agreements_activate_due(today=agreement.start_date)
    transition.assert_called_once()
    assert list(transition.call_args.kwargs["reasons"]) == [agreement.application_id]
    assert transition.call_args.kwargs["only_from"] == [ApplicationStatus.AGREEMENT]


def test_renewal_in_force_leaves_the_active_application_as_it_is_when_activated(olaine, olaine_coordinator):
    app = builders.application(olaine, status=ApplicationStatus.ACTIVE)
    agreement = builders.signed(olaine, olaine_coordinator, app=app)
    assert services.agreements_activate_due(today=agreement.start_date) == 1

    agreement.refresh_from_db()
    app.refresh_from_db()
    assert agreement.status == Status.ACTIVE
    assert app.status == ApplicationStatus.ACTIVE
    assert _transitions(app) == []
    assert not AuditEvent.objects.filter(action="application.transition").exists()


def test_paused_volunteers_application_is_not_resumed_when_their_agreement_comes_into_force(
    olaine, olaine_coordinator
):
    app = builders.application(olaine, status=ApplicationStatus.ACTIVE)
    agreement = builders.signed(olaine, olaine_coordinator, app=app)
    app.status = ApplicationStatus.PAUSED
    app.save()

    services.agreements_activate_due(today=agreement.start_date)

    app.refresh_from_db()
    assert app.status == ApplicationStatus.PAUSED and _transitions(app) == []
