import smtplib
from datetime import date, timedelta
from unittest import mock

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.utils import timezone

from core import outbox
from institutions.models import AuditEvent, Unit
from volunteers import services, tasks
from volunteers.models import Application, ApplicationEvent, Role, Status, VettingRecord
from volunteers.transitions import ALLOWED, TransitionError

from ..factories import ApplicationFactory, UnitFactory, VolunteerFactory, unit_coordinator


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
    assert application.reference == f"T{timezone.localdate().year}-{application.pk:05d}"
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


# --- Emails: nothing lost when the broker or the mail server misbehaves

LATER = timedelta(minutes=11)  # past the sweeper's RETRY_AFTER


def _sweep(capture, *, later: bool = True) -> dict[str, int]:
    """One sweeper run (its tasks queued on commit, as outside a test's transaction)."""
    with capture(execute=True):
        return services.emails_requeue_unsent(now=timezone.now() + LATER if later else None)


def _broker_down(task):
    from kombu.exceptions import OperationalError

    return mock.patch.object(task, "apply_async", side_effect=OperationalError("Connection refused"))


def _mail_fails_for(*addresses):
    """EmailMessage.send raises for these addresses (a mail server refusing), else sends."""
    real_send = EmailMessage.send

    def send(message, *args, **kwargs):
        if set(message.to) & set(addresses):
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return real_send(message, *args, **kwargs)

    return mock.patch.object(EmailMessage, "send", send)


def test_submission_commits_and_the_sweeper_notifies_once_when_the_broker_was_down(
    ievp, olaine, olaine_coordinator, django_capture_on_commit_callbacks
):
    with (
        _broker_down(tasks.notify_coordinators_of_submission),
        django_capture_on_commit_callbacks(execute=True),
    ):
        [application] = services.applications_submit(
            person=_person(), details=_details(preferred_units=[olaine]), institutions=[ievp]
        )
    application.refresh_from_db()
    assert application.coordinators_notified_at is None and mail.outbox == []
    assert _sweep(django_capture_on_commit_callbacks, later=False)["submission_notices"] == 0  # not stale yet
    assert _sweep(django_capture_on_commit_callbacks)["submission_notices"] == 1
    assert [m.to for m in mail.outbox] == [[olaine_coordinator.email]]
    application.refresh_from_db()
    assert application.coordinators_notified_at is not None
    assert (application.coordinators_notice_attempts, application.coordinators_notice_error) == (1, "")
    assert _sweep(django_capture_on_commit_callbacks)["submission_notices"] == 0
    assert len(mail.outbox) == 1


def test_submission_notice_goes_only_to_those_not_mailed_when_the_mail_server_failed_midway(
    ievp, olaine, olaine_coordinator
):
    second = unit_coordinator(
        olaine, email="otra@example.lv", first_name="Zane", last_name="Zariņa"
    )  # after Ozoliņa
    application = ApplicationFactory(unit=olaine)
    with _mail_fails_for(second.email), pytest.raises(smtplib.SMTPException):
        services.coordinators_notify_submission(application_id=application.pk)
    assert [m.to for m in mail.outbox] == [[olaine_coordinator.email]]
    application.refresh_from_db()
    assert application.coordinators_notified_at is None
    assert application.coordinators_notice_sent_to == [olaine_coordinator.email]
    assert application.coordinators_notice_claimed_at is None  # released for the retry
    assert application.coordinators_notice_attempts == 1
    assert "Connection unexpectedly closed" in application.coordinators_notice_error

    assert services.coordinators_notify_submission(application_id=application.pk) is True
    assert [m.to for m in mail.outbox] == [[olaine_coordinator.email], [second.email]]
    assert services.coordinators_notify_submission(application_id=application.pk) is False
    assert len(mail.outbox) == 2


def test_submission_notice_is_not_sent_when_another_sender_holds_it_until_the_claim_is_stale(
    olaine, olaine_coordinator
):
    application = ApplicationFactory(unit=olaine)
    Application.objects.filter(pk=application.pk).update(coordinators_notice_claimed_at=timezone.now())
    assert services.coordinators_notify_submission(application_id=application.pk) is False
    assert mail.outbox == []
    Application.objects.filter(pk=application.pk).update(
        coordinators_notice_claimed_at=timezone.now() - outbox.CLAIM_STALE_AFTER - timedelta(minutes=1)
    )
    assert services.coordinators_notify_submission(application_id=application.pk) is True
    assert len(mail.outbox) == 1


def test_sweeper_picks_only_stale_unsent_free_notices_when_it_runs(olaine):
    now = timezone.now()

    def application(minutes_ago, **fields):
        made = ApplicationFactory(unit=olaine)
        Application.objects.filter(pk=made.pk).update(
            submitted_at=now - timedelta(minutes=minutes_ago), **fields
        )
        return made.pk

    stale = application(11)
    failed_before = application(60, coordinators_notice_attempts=3, coordinators_notice_error="SMTPError")
    dead_sender = application(60, coordinators_notice_claimed_at=now - timedelta(minutes=20))
    application(5)  # fresh: its task is probably on its way
    application(60, coordinators_notified_at=now)  # sent
    application(60, coordinators_notice_claimed_at=now - timedelta(minutes=1))  # being sent
    application(60, coordinators_notice_attempts=outbox.MAX_ATTEMPTS)  # given up
    application(8 * 24 * 60)  # older than a week: given up
    assert services.SUBMISSION_NOTICE.due(now=now) == [failed_before, dead_sender, stale]


def test_status_email_is_retried_by_the_sweeper_once_when_the_mail_server_failed(
    olaine, olaine_coordinator, django_capture_on_commit_callbacks
):
    application = ApplicationFactory(unit=olaine, coordinators_notified_at=timezone.now())
    email = application.volunteer.user.email
    with _mail_fails_for(email), django_capture_on_commit_callbacks(execute=True):
        services.application_transition(
            application_id=application.pk, to=Status.SCREENING, actor=olaine_coordinator
        )  # the task's own retries fail too; the error is logged, the transition stands
    application.refresh_from_db()
    assert application.status == Status.SCREENING and mail.outbox == []
    event = application.events.get(kind=ApplicationEvent.Kind.TRANSITION)
    assert event.emailed_at is None and event.email_claimed_at is None
    assert event.email_attempts >= 1 and "Connection unexpectedly closed" in event.email_error

    assert _sweep(django_capture_on_commit_callbacks)["status_emails"] == 1
    assert [m.to for m in mail.outbox] == [[email]]
    event.refresh_from_db()
    assert event.emailed_at is not None and event.email_error == ""
    assert _sweep(django_capture_on_commit_callbacks)["status_emails"] == 0
    assert services.applicant_notify(event_id=event.pk) is False
    assert len(mail.outbox) == 1


def test_status_email_is_not_swept_when_notify_is_off_or_the_person_is_inactive(olaine, olaine_coordinator):
    quiet = ApplicationFactory(unit=olaine)
    services.application_transition(
        application_id=quiet.pk, to=Status.SCREENING, actor=olaine_coordinator, notify=False
    )
    gone = ApplicationFactory(unit=olaine)
    with _broker_down(tasks.notify_applicant):
        services.application_transition(application_id=gone.pk, to=Status.SCREENING, actor=olaine_coordinator)
    gone.volunteer.user.is_active = False
    gone.volunteer.user.save()
    assert services.STATUS_EMAIL.due(now=timezone.now() + LATER) == []
    assert services.applicant_notify(event_id=gone.events.get(kind="transition").pk) is False
    assert mail.outbox == []


def test_transition_commits_when_the_broker_is_down(
    olaine, olaine_coordinator, django_capture_on_commit_callbacks
):
    application = ApplicationFactory(unit=olaine)
    with _broker_down(tasks.notify_applicant), django_capture_on_commit_callbacks(execute=True):
        services.application_transition(
            application_id=application.pk, to=Status.SCREENING, actor=olaine_coordinator
        )
    application.refresh_from_db()
    assert application.status == Status.SCREENING and mail.outbox == []
    assert services.STATUS_EMAIL.due(now=timezone.now() + LATER) == [
        application.events.get(kind="transition").pk
    ]


def test_sweeper_runs_from_a_beat_row_every_ten_minutes_when_migrated(db):
    from django_celery_beat.models import PeriodicTask

    from config.celery_app import app

    job = PeriodicTask.objects.select_related("interval").get(task="volunteers.tasks.emails_sweep")
    assert (job.interval.every, job.interval.period, job.enabled) == (10, "minutes", True)
    assert "volunteers.tasks.emails_sweep" in app.tasks
    assert tasks.emails_sweep() == {"submission_notices": 0, "status_emails": 0, "bulk_emails": 0}
