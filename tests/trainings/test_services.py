"""The trainings services: sessions (validation, changes, states, cancelling), registration
by the volunteer and enrolment by a coordinator with the waiting list, attendance,
completions (the rule, numbers, certificates, the application moving on), recording and
withdrawing completions, the qualification selectors and the calendar feeds.

Messages are compared in English (the module runs with English active), so the tests do
not depend on the Latvian catalogue."""

import re
from datetime import date, time, timedelta
from decimal import Decimal

import pytest
from dateutil.relativedelta import relativedelta
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from agreements import services as agreement_services
from agreements.models import Agreement
from documents.models import Document
from documents.services import document_issue
from institutions.models import AuditEvent
from trainings import selectors, services
from trainings.models import (
    Attendance,
    CalendarFeed,
    Completion,
    Course,
    Notice,
    Registration,
    RegistrationState,
    Session,
    SessionDay,
    SessionState,
)
from trainings.printing import CERTIFICATE
from volunteers.models import ApplicationEvent, Role, Status
from volunteers.services import TransitionError, application_transition

from . import builders

REGISTERED, WAITLISTED, CANCELLED = (
    RegistrationState.REGISTERED,
    RegistrationState.WAITLISTED,
    RegistrationState.CANCELLED,
)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def mentor(ievp):
    return builders.role(ievp, Role.Code.MENTOR)


def _errors(excinfo) -> dict:
    return excinfo.value.message_dict


def _message(excinfo) -> str:
    return " ".join(excinfo.value.messages)


def _days(session: Session) -> list[services.DaySpec]:
    return [services.DaySpec(d.date, d.starts_at, d.ends_at) for d in session.days.all()]


def _self_register(session: Session, unit, **applicant) -> Registration:
    app = builders.applicant(unit, **applicant)
    return services.registration_create(actor=app.volunteer.user, session=session, volunteer=app.volunteer)


def _enrol(session: Session, coordinator, unit=None) -> Registration:
    app = builders.applicant(unit or session.unit)
    return services.registration_create(actor=coordinator, session=session, volunteer=app.volunteer)


def _notices(registration: Registration) -> list[str]:
    return list(registration.notices.order_by("pk").values_list("kind", flat=True))


def _audits(action: str) -> int:
    return AuditEvent.objects.filter(action=action).count()


# --- Creating a session


def test_session_is_created_with_its_days_when_valid(olaine, olaine_coordinator, today):
    course = builders.course(olaine.institution)
    first = today + timedelta(days=10)

    session = services.session_create(
        actor=olaine_coordinator,
        course=course,
        unit=olaine,
        days=builders.day_specs(first, 3),
        place="Olaines cietums, 2. klase",
        capacity=12,
        registration_deadline=first - timedelta(days=2),
        ignored_field="not a session field",
    )

    session.refresh_from_db()
    assert session.state == SessionState.PLANNED
    assert (session.first_day, session.last_day) == (first, first + timedelta(days=2))
    assert [d.date for d in session.days.all()] == [first + timedelta(days=i) for i in range(3)]
    assert session.created_by == olaine_coordinator
    assert AuditEvent.objects.get(action="training.session.create").unit == olaine


def test_session_is_open_at_once_when_open_now(olaine, olaine_coordinator):
    assert builders.session(olaine, olaine_coordinator, open_now=True).state == SessionState.OPEN


def test_registration_deadline_on_the_first_day_is_accepted_when_created(olaine, olaine_coordinator, today):
    first = today + timedelta(days=7)

    session = builders.session(olaine, olaine_coordinator, first=first, registration_deadline=first)

    assert session.registration_deadline == first


@pytest.mark.parametrize(
    ("case", "keys"),
    [
        ("day_ends_before_it_starts", {"days"}),
        ("capacity_zero", {"capacity"}),
        ("capacity_negative", {"capacity"}),
        ("deadline_after_first_day", {"registration_deadline"}),
        ("course_of_another_institution", {"course"}),
        ("inactive_course", {"course"}),
        ("no_days", {"days"}),
        ("duplicate_dates", {"days"}),
        ("starts_in_the_past", {"days"}),
        ("capacity_zero_and_deadline_late", {"capacity", "registration_deadline"}),
    ],
)
def test_session_is_refused_and_nothing_saved_when_invalid(
    olaine, olaine_coordinator, vpd, today, case, keys
):
    first = today + timedelta(days=10)
    kwargs = {
        "actor": olaine_coordinator,
        "course": builders.course(olaine.institution),
        "unit": olaine,
        "days": builders.day_specs(first, 2),
        "place": "Mācību klase",
        "capacity": 10,
    }
    if case == "day_ends_before_it_starts":
        kwargs["days"] = [services.DaySpec(first, time(16), time(10))]
    elif case == "capacity_zero":
        kwargs["capacity"] = 0
    elif case == "capacity_negative":
        kwargs["capacity"] = -3
    elif case == "deadline_after_first_day":
        kwargs["registration_deadline"] = first + timedelta(days=1)
    elif case == "course_of_another_institution":
        kwargs["course"] = builders.course(vpd)
    elif case == "inactive_course":
        kwargs["course"] = builders.course(olaine.institution, is_active=False)
    elif case == "no_days":
        kwargs["days"] = []
    elif case == "duplicate_dates":
        kwargs["days"] = [
            services.DaySpec(first, time(10), time(12)),
            services.DaySpec(first, time(13), time(15)),
        ]
    elif case == "starts_in_the_past":
        kwargs["days"] = builders.day_specs(today - timedelta(days=1), 3)
    elif case == "capacity_zero_and_deadline_late":
        kwargs["capacity"] = 0
        kwargs["registration_deadline"] = first + timedelta(days=5)

    with pytest.raises(ValidationError) as excinfo:
        services.session_create(**kwargs)

    assert set(_errors(excinfo)) == keys
    assert not Session.objects.exists()
    assert not SessionDay.objects.exists()
    assert _audits("training.session.create") == 0


def test_session_is_refused_when_the_coordinator_is_of_another_unit(olaine, jelgava_coordinator):
    with pytest.raises(PermissionDenied):
        builders.session(olaine, jelgava_coordinator)

    assert not Session.objects.exists()


def test_session_is_created_when_by_the_institutions_central_coordinator(olaine, ievp_central):
    assert builders.session(olaine, ievp_central).unit == olaine


def test_session_is_refused_when_by_the_ministry_viewer(olaine, ministry):
    with pytest.raises(PermissionDenied):
        builders.session(olaine, ministry)


# --- Changing a session


def test_update_refuses_fewer_places_than_registered_when_capacity_is_reduced(olaine, olaine_coordinator):
    session = builders.session(olaine, olaine_coordinator, capacity=3)
    for _ in range(3):
        _enrol(session, olaine_coordinator)

    with pytest.raises(ValidationError) as excinfo:
        services.session_update(actor=olaine_coordinator, session=session, days=_days(session), capacity=2)

    assert "capacity" in _errors(excinfo)
    assert "3" in _errors(excinfo)["capacity"][0]
    session.refresh_from_db()
    assert session.capacity == 3
    assert _audits("training.session.update") == 0


def test_update_accepts_fewer_places_when_still_enough_for_the_registered(olaine, olaine_coordinator):
    session = builders.session(olaine, olaine_coordinator, capacity=5)
    _enrol(session, olaine_coordinator)
    _enrol(session, olaine_coordinator)

    services.session_update(actor=olaine_coordinator, session=session, days=_days(session), capacity=2)

    session.refresh_from_db()
    assert session.capacity == 2


def test_update_promotes_from_the_waiting_list_when_capacity_increases(olaine, olaine_coordinator):
    session = builders.session(olaine, olaine_coordinator, capacity=1)
    first = _enrol(session, olaine_coordinator)
    second = _enrol(session, olaine_coordinator)
    third = _enrol(session, olaine_coordinator)
    assert [first.state, second.state, third.state] == [REGISTERED, WAITLISTED, WAITLISTED]

    services.session_update(actor=olaine_coordinator, session=session, days=_days(session), capacity=2)

    second.refresh_from_db()
    third.refresh_from_db()
    assert second.state == REGISTERED
    assert second.promoted_at is not None
    assert _notices(second) == [Notice.Kind.WAITLISTED, Notice.Kind.PROMOTED]
    assert third.state == WAITLISTED
    assert _notices(third) == [Notice.Kind.WAITLISTED]
    # Neither the days nor the place changed: nobody is told the session changed.
    assert not Notice.objects.filter(kind=Notice.Kind.CHANGED).exists()
    assert AuditEvent.objects.get(action="training.session.update").data == {"fields": ["capacity"]}


def test_update_tells_the_registered_and_waiting_when_a_day_changes(olaine, olaine_coordinator):
    session = builders.session(olaine, olaine_coordinator, capacity=1)
    registered = _enrol(session, olaine_coordinator)
    waiting = _enrol(session, olaine_coordinator)
    gone = _enrol(session, olaine_coordinator)
    services.registration_cancel(actor=olaine_coordinator, registration=gone)
    days = _days(session)
    days[1] = services.DaySpec(days[1].date + timedelta(days=7), time(9), time(13))

    updated = services.session_update(actor=olaine_coordinator, session=session, days=days)

    assert updated.last_day == days[1].date
    assert [d.date for d in session.days.all()] == [days[0].date, days[1].date]
    changed = Notice.objects.filter(kind=Notice.Kind.CHANGED)
    assert sorted(changed.values_list("registration_id", flat=True)) == sorted([registered.pk, waiting.pk])
    assert AuditEvent.objects.get(action="training.session.update").data == {"fields": ["days"]}


def test_update_tells_the_participants_when_the_hours_of_a_day_change(olaine, olaine_coordinator):
    session = builders.session(olaine, olaine_coordinator)
    registered = _enrol(session, olaine_coordinator)
    days = _days(session)
    days[0] = services.DaySpec(days[0].date, time(12), time(18))

    services.session_update(actor=olaine_coordinator, session=session, days=days)

    assert _notices(registered) == [Notice.Kind.REGISTERED, Notice.Kind.CHANGED]


def test_update_tells_the_participants_when_the_place_changes(olaine, olaine_coordinator):
    session = builders.session(olaine, olaine_coordinator)
    registered = _enrol(session, olaine_coordinator)

    services.session_update(actor=olaine_coordinator, session=session, days=_days(session), place="Zāle 3")

    assert _notices(registered) == [Notice.Kind.REGISTERED, Notice.Kind.CHANGED]


def test_update_tells_nobody_when_only_the_trainers_change(olaine, olaine_coordinator):
    session = builders.session(olaine, olaine_coordinator)
    registered = _enrol(session, olaine_coordinator)

    services.session_update(
        actor=olaine_coordinator, session=session, days=_days(session), trainers="I. Kalniņa"
    )

    session.refresh_from_db()
    assert session.trainers == "I. Kalniņa"
    assert _notices(registered) == [Notice.Kind.REGISTERED]


def test_update_is_refused_when_the_session_is_cancelled(olaine, olaine_coordinator):
    session = builders.session(olaine, olaine_coordinator)
    services.session_cancel(actor=olaine_coordinator, session=session, reason="Slimība")

    with pytest.raises(ValidationError):
        services.session_update(actor=olaine_coordinator, session=session, days=_days(session), capacity=30)


def test_update_is_refused_when_a_removed_day_has_attendance(olaine, olaine_coordinator, today):
    session = builders.session_row(olaine, olaine_coordinator, first=today - timedelta(days=1), days=3)
    registration = builders.registration_row(session, builders.applicant(olaine).volunteer)
    first_day = session.days.first()
    services.attendance_mark(actor=olaine_coordinator, registration=registration, day=first_day, present=True)

    with pytest.raises(ValidationError) as excinfo:
        services.session_update(actor=olaine_coordinator, session=session, days=_days(session)[1:])

    assert "days" in _errors(excinfo)
    assert session.days.count() == 3


def test_update_is_refused_when_the_coordinator_is_of_another_unit(
    olaine, olaine_coordinator, jelgava_coordinator
):
    session = builders.session(olaine, olaine_coordinator)

    with pytest.raises(PermissionDenied):
        services.session_update(actor=jelgava_coordinator, session=session, days=_days(session), capacity=99)


# --- States


def test_state_goes_planned_open_closed_open_when_asked(olaine, olaine_coordinator):
    session = builders.session(olaine, olaine_coordinator, open_now=False)

    for to in [SessionState.OPEN, SessionState.CLOSED, SessionState.OPEN]:
        session = services.session_set_state(actor=olaine_coordinator, session=session, to=to)
        session.refresh_from_db()
        assert session.state == to

    moves = AuditEvent.objects.filter(action="training.session.state").order_by("pk")
    assert [(e.data["from"], e.data["to"]) for e in moves] == [
        ("planned", "open"),
        ("open", "closed"),
        ("closed", "open"),
    ]


@pytest.mark.parametrize(
    ("start", "to"),
    [
        (SessionState.PLANNED, SessionState.CLOSED),
        (SessionState.PLANNED, SessionState.HELD),
        (SessionState.PLANNED, SessionState.CANCELLED),
        (SessionState.OPEN, SessionState.PLANNED),
        (SessionState.OPEN, SessionState.OPEN),
        (SessionState.CLOSED, SessionState.PLANNED),
        (SessionState.CLOSED, SessionState.HELD),
        (SessionState.HELD, SessionState.OPEN),
        (SessionState.CANCELLED, SessionState.OPEN),
        (SessionState.CANCELLED, SessionState.PLANNED),
    ],
)
def test_state_change_is_refused_when_not_allowed(olaine, olaine_coordinator, today, start, to):
    session = builders.session_row(olaine, olaine_coordinator, first=today + timedelta(days=10), state=start)

    with pytest.raises(ValidationError):
        services.session_set_state(actor=olaine_coordinator, session=session, to=to)

    session.refresh_from_db()
    assert session.state == start
    assert _audits("training.session.state") == 0


def test_state_change_is_refused_with_a_validation_error_when_the_state_is_unknown(
    olaine, olaine_coordinator
):
    session = builders.session(olaine, olaine_coordinator, open_now=False)

    with pytest.raises(ValidationError):
        services.session_set_state(actor=olaine_coordinator, session=session, to="bogus")


def test_registration_cannot_open_again_when_the_session_has_started(olaine, olaine_coordinator, today):
    session = builders.session_row(olaine, olaine_coordinator, first=today, state=SessionState.CLOSED)

    with pytest.raises(ValidationError) as excinfo:
        services.session_set_state(actor=olaine_coordinator, session=session, to=SessionState.OPEN)

    assert "started" in _message(excinfo)


def test_state_change_is_refused_when_the_coordinator_is_of_another_unit(
    olaine, olaine_coordinator, jelgava_coordinator
):
    session = builders.session(olaine, olaine_coordinator, open_now=False)

    with pytest.raises(PermissionDenied):
        services.session_set_state(actor=jelgava_coordinator, session=session, to=SessionState.OPEN)


# --- Cancelling


@pytest.mark.parametrize("reason", ["", "   \n"])
def test_cancel_needs_a_reason_when_asked(olaine, olaine_coordinator, reason):
    session = builders.session(olaine, olaine_coordinator)
    registration = _enrol(session, olaine_coordinator)

    with pytest.raises(ValidationError) as excinfo:
        services.session_cancel(actor=olaine_coordinator, session=session, reason=reason)

    assert "reason" in _errors(excinfo)
    session.refresh_from_db()
    assert session.state == SessionState.OPEN
    assert _notices(registration) == [Notice.Kind.REGISTERED]


def test_cancel_tells_the_registered_and_the_waiting_when_the_session_is_cancelled(
    olaine, olaine_coordinator
):
    session = builders.session(olaine, olaine_coordinator, capacity=1)
    registered = _enrol(session, olaine_coordinator)
    waiting = _enrol(session, olaine_coordinator)
    gone = _enrol(session, olaine_coordinator)
    services.registration_cancel(actor=olaine_coordinator, registration=gone)

    services.session_cancel(actor=olaine_coordinator, session=session, reason="  Pasniedzējs saslima.  ")

    session.refresh_from_db()
    assert session.state == SessionState.CANCELLED
    assert session.cancel_reason == "Pasniedzējs saslima."
    assert session.cancelled_at is not None
    cancelled = Notice.objects.filter(kind=Notice.Kind.CANCELLED)
    assert sorted(cancelled.values_list("registration_id", flat=True)) == sorted([registered.pk, waiting.pk])
    assert AuditEvent.objects.get(action="training.session.cancel").data == {"reason": "Pasniedzējs saslima."}


def test_cancel_is_refused_when_the_session_is_held_or_already_cancelled(olaine, olaine_coordinator, today):
    held = builders.session_row(
        olaine, olaine_coordinator, first=today - timedelta(days=5), state=SessionState.HELD
    )
    session = builders.session(olaine, olaine_coordinator)
    services.session_cancel(actor=olaine_coordinator, session=session, reason="Telpas remonts")

    for target in (held, session):
        with pytest.raises(ValidationError):
            services.session_cancel(actor=olaine_coordinator, session=target, reason="Vēlreiz")

    assert _audits("training.session.cancel") == 1


def test_cancelled_session_refuses_the_volunteer_with_a_clear_message_when_registering(
    olaine, olaine_coordinator
):
    session = builders.session(olaine, olaine_coordinator)
    services.session_cancel(actor=olaine_coordinator, session=session, reason="Slimība")

    with pytest.raises(ValidationError) as excinfo:
        _self_register(session, olaine)

    assert _message(excinfo) == "This session has been cancelled."
    assert not Registration.objects.exists()


def test_cancelled_session_refuses_the_coordinator_when_enrolling(olaine, olaine_coordinator):
    session = builders.session(olaine, olaine_coordinator)
    services.session_cancel(actor=olaine_coordinator, session=session, reason="Slimība")

    with pytest.raises(ValidationError):
        _enrol(session, olaine_coordinator)


def test_cancel_is_refused_when_the_coordinator_is_of_another_unit(
    olaine, olaine_coordinator, jelgava_coordinator
):
    session = builders.session(olaine, olaine_coordinator)

    with pytest.raises(PermissionDenied):
        services.session_cancel(actor=jelgava_coordinator, session=session, reason="Nav vajadzīga")


# --- Registration by the volunteer


def test_volunteer_is_registered_when_they_have_a_current_application(olaine, olaine_coordinator):
    session = builders.session(olaine, olaine_coordinator)
    app = builders.applicant(olaine, status=Status.SCREENING)

    registration = services.registration_create(
        actor=app.volunteer.user, session=session, volunteer=app.volunteer
    )

    assert registration.state == REGISTERED
    assert registration.application == app
    assert registration.registered_by == app.volunteer.user
    assert _notices(registration) == [Notice.Kind.REGISTERED]
    event = AuditEvent.objects.get(action="training.register")
    assert event.data == {"session": session.pk, "state": "registered", "by_coordinator": False}
    assert event.unit == olaine


def test_volunteer_is_registered_when_an_agreement_is_in_force_in_the_institution(
    olaine, jelgava, olaine_coordinator
):
    session = builders.session(olaine, olaine_coordinator)
    app = builders.applicant(jelgava, status=Status.ENDED)
    builders.agreement_row(app, status="active")

    registration = services.registration_create(
        actor=app.volunteer.user, session=session, volunteer=app.volunteer
    )

    assert registration.state == REGISTERED
    assert registration.application is None


@pytest.mark.parametrize("status", [Status.WITHDRAWN, Status.REJECTED, Status.ENDED])
def test_volunteer_is_refused_when_no_application_is_current_in_the_institution(
    olaine, olaine_coordinator, status
):
    session = builders.session(olaine, olaine_coordinator)
    app = builders.applicant(olaine, status=status)
    builders.agreement_row(app, status="ended")

    with pytest.raises(ValidationError) as excinfo:
        services.registration_create(actor=app.volunteer.user, session=session, volunteer=app.volunteer)

    assert "applied to or volunteer with" in _message(excinfo)
    assert not Registration.objects.exists()


def test_volunteer_is_refused_when_they_applied_only_to_another_institution(
    olaine, vpd_department, olaine_coordinator
):
    session = builders.session(olaine, olaine_coordinator)

    with pytest.raises(ValidationError) as excinfo:
        _self_register(session, vpd_department)

    assert "applied to or volunteer with" in _message(excinfo)


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("planned", "Registration for this session is closed."),
        ("closed", "Registration for this session is closed."),
        ("past_deadline", "The registration deadline for this session has passed."),
        ("cancelled", "This session has been cancelled."),
        ("started", "This session has already started."),
        ("over", "This session has already started."),
    ],
)
def test_volunteer_is_refused_with_a_clear_message_when_registration_is_not_open(
    olaine, olaine_coordinator, today, case, message
):
    if case == "planned":
        session = builders.session(olaine, olaine_coordinator, open_now=False)
    elif case == "closed":
        session = builders.session(olaine, olaine_coordinator)
        services.session_set_state(actor=olaine_coordinator, session=session, to=SessionState.CLOSED)
    elif case == "past_deadline":
        session = builders.session(
            olaine, olaine_coordinator, registration_deadline=today - timedelta(days=1)
        )
    elif case == "cancelled":
        session = builders.session(olaine, olaine_coordinator)
        services.session_cancel(actor=olaine_coordinator, session=session, reason="Slimība")
    elif case == "started":
        session = builders.session_row(olaine, olaine_coordinator, first=today, state=SessionState.OPEN)
    else:
        session = builders.session_row(
            olaine, olaine_coordinator, first=today - timedelta(days=9), state=SessionState.OPEN
        )

    with pytest.raises(ValidationError) as excinfo:
        _self_register(session, olaine)

    assert _message(excinfo) == message
    assert not Registration.objects.exists()


def test_volunteer_is_registered_on_the_deadline_day_when_it_is_today(olaine, olaine_coordinator, today):
    session = builders.session(olaine, olaine_coordinator, registration_deadline=today)

    assert _self_register(session, olaine).state == REGISTERED


def test_registering_twice_returns_the_same_row_and_one_notice_when_the_volunteer_repeats(
    olaine, olaine_coordinator
):
    session = builders.session(olaine, olaine_coordinator)
    app = builders.applicant(olaine)

    first = services.registration_create(actor=app.volunteer.user, session=session, volunteer=app.volunteer)
    again = services.registration_create(actor=app.volunteer.user, session=session, volunteer=app.volunteer)

    assert again.pk == first.pk
    assert Registration.objects.count() == 1
    assert Notice.objects.count() == 1
    assert _audits("training.register") == 1


def test_registration_is_refused_when_the_volunteers_data_is_erased(olaine, olaine_coordinator):
    session = builders.session(olaine, olaine_coordinator)
    app = builders.applicant(olaine)
    app.volunteer.anonymised_at = timezone.now()
    app.volunteer.save()

    with pytest.raises(ValidationError):
        services.registration_create(actor=olaine_coordinator, session=session, volunteer=app.volunteer)

    assert not Registration.objects.exists()


# --- Enrolment by a coordinator


def test_coordinator_enrols_their_applicant_into_another_units_session_when_it_is_of_the_institution(
    olaine, jelgava, olaine_coordinator, jelgava_coordinator
):
    session = builders.session(olaine, olaine_coordinator, open_now=False)  # not open to volunteers
    app = builders.applicant(jelgava)

    registration = services.registration_create(
        actor=jelgava_coordinator, session=session, volunteer=app.volunteer
    )

    assert registration.state == REGISTERED
    assert registration.application == app
    assert registration.registered_by == jelgava_coordinator
    assert AuditEvent.objects.get(action="training.register").data["by_coordinator"] is True


def test_enrolment_is_refused_when_the_coordinator_does_not_coordinate_the_applicant(
    olaine, jelgava, olaine_coordinator
):
    session = builders.session(olaine, olaine_coordinator)
    app = builders.applicant(jelgava)

    with pytest.raises(PermissionDenied):
        services.registration_create(actor=olaine_coordinator, session=session, volunteer=app.volunteer)
    assert not Registration.objects.exists()


def test_central_coordinator_enrols_when_the_session_is_of_their_institution(
    olaine, olaine_coordinator, ievp_central
):
    session = builders.session(olaine, olaine_coordinator)

    assert _enrol(session, ievp_central).state == REGISTERED


@pytest.mark.parametrize("who", ["jelgava_coordinator", "vpd_coordinator", "ministry", "volunteer"])
def test_enrolment_is_refused_when_the_person_does_not_coordinate_the_sessions_unit(
    request, olaine, olaine_coordinator, who
):
    session = builders.session(olaine, olaine_coordinator)
    actor = request.getfixturevalue(who)

    with pytest.raises(PermissionDenied):
        _enrol(session, actor)

    assert not Registration.objects.exists()


def test_enrolment_is_refused_when_the_person_has_no_current_application(olaine, olaine_coordinator):
    session = builders.session(olaine, olaine_coordinator)
    app = builders.applicant(olaine, status=Status.WITHDRAWN)

    with pytest.raises(ValidationError) as excinfo:
        services.registration_create(actor=olaine_coordinator, session=session, volunteer=app.volunteer)

    assert _message(excinfo) == "The person has no current application to this institution."


def test_enrolment_is_refused_when_the_application_is_to_another_institution(
    olaine, vpd_department, olaine_coordinator
):
    session = builders.session(olaine, olaine_coordinator)
    app = builders.applicant(vpd_department)

    with pytest.raises(ValidationError) as excinfo:
        services.registration_create(
            actor=olaine_coordinator, session=session, volunteer=app.volunteer, application=app
        )

    assert _message(excinfo) == "The application is to another institution."


def test_enrolment_is_refused_when_the_session_is_over(olaine, olaine_coordinator, today):
    session = builders.session_row(olaine, olaine_coordinator, first=today - timedelta(days=5))

    with pytest.raises(ValidationError):
        _enrol(session, olaine_coordinator)


def test_enrol_mixes_places_waiting_and_refusals_when_several_are_enrolled(
    olaine, jelgava, vpd_department, olaine_coordinator
):
    session = builders.session(olaine, olaine_coordinator, capacity=1)
    first, second, other = (
        builders.applicant(olaine),
        builders.applicant(olaine),
        builders.applicant(vpd_department),
    )

    result = services.registrations_enrol(
        actor=olaine_coordinator, session=session, applications=[first, other, second]
    )

    assert [r.volunteer for r in result.registered] == [first.volunteer]
    assert [r.volunteer for r in result.waitlisted] == [second.volunteer]
    assert result.refused == [(other, "The application is to another institution.")]
    assert Registration.objects.count() == 2


def test_enrol_refuses_every_application_when_the_person_may_not_enrol(olaine, olaine_coordinator, ministry):
    session = builders.session(olaine, olaine_coordinator)
    apps = [builders.applicant(olaine), builders.applicant(olaine)]

    result = services.registrations_enrol(actor=ministry, session=session, applications=apps)

    assert result.registered == result.waitlisted == []
    assert result.refused == [(apps[0], "Not allowed."), (apps[1], "Not allowed.")]
    assert not Registration.objects.exists()


# --- The waiting list


def test_registration_is_waitlisted_when_the_session_is_full(olaine, olaine_coordinator):
    session = builders.session(olaine, olaine_coordinator, capacity=2)
    registrations = [_self_register(session, olaine) for _ in range(4)]

    assert [r.state for r in registrations] == [REGISTERED, REGISTERED, WAITLISTED, WAITLISTED]
    assert [_notices(r) for r in registrations] == [
        ["registered"],
        ["registered"],
        ["waitlisted"],
        ["waitlisted"],
    ]


def test_first_waiting_in_created_order_is_promoted_when_a_place_is_cancelled(olaine, olaine_coordinator):
    session = builders.session(olaine, olaine_coordinator, capacity=2)
    first, second, third, fourth = [_self_register(session, olaine) for _ in range(4)]
    # The fourth came earlier than the third (by time, not by row number).
    Registration.objects.filter(pk=fourth.pk).update(created_at=third.created_at - timedelta(seconds=1))

    services.registration_cancel(actor=first.volunteer.user, registration=first)

    states = dict(Registration.objects.values_list("pk", "state"))
    assert states == {first.pk: CANCELLED, second.pk: REGISTERED, third.pk: WAITLISTED, fourth.pk: REGISTERED}
    fourth.refresh_from_db()
    assert fourth.promoted_at is not None
    assert _notices(fourth) == [Notice.Kind.WAITLISTED, Notice.Kind.PROMOTED]
    assert _notices(third) == [Notice.Kind.WAITLISTED]
    assert _notices(first) == [Notice.Kind.REGISTERED]
    assert selectors.participants(session)[-2].queue_position == 1

    services.registration_cancel(actor=olaine_coordinator, registration=second)

    third.refresh_from_db()
    assert third.state == REGISTERED
    assert _notices(third) == [Notice.Kind.WAITLISTED, Notice.Kind.PROMOTED]


def test_nobody_is_promoted_when_a_waiting_registration_is_cancelled(olaine, olaine_coordinator):
    session = builders.session(olaine, olaine_coordinator, capacity=1)
    _self_register(session, olaine)
    second = _self_register(session, olaine)
    third = _self_register(session, olaine)

    services.registration_cancel(actor=second.volunteer.user, registration=second)

    third.refresh_from_db()
    assert third.state == WAITLISTED
    assert not Notice.objects.filter(kind=Notice.Kind.PROMOTED).exists()


def test_waiting_list_positions_follow_the_created_order_when_listed(olaine, olaine_coordinator):
    session = builders.session(olaine, olaine_coordinator, capacity=1)
    _self_register(session, olaine)
    early, late = _self_register(session, olaine), _self_register(session, olaine)
    Registration.objects.filter(pk=late.pk).update(created_at=early.created_at - timedelta(seconds=5))

    positions = {r.pk: getattr(r, "queue_position", None) for r in selectors.participants(session)}
    mine = {r.pk: r.queue_position for r in selectors.my_registrations(early.volunteer)}

    assert positions[late.pk] == 1
    assert positions[early.pk] == 2
    assert mine == {early.pk: 2}


def test_registering_again_goes_to_the_end_of_the_waiting_list_when_cancelled_before(
    olaine, olaine_coordinator
):
    session = builders.session(olaine, olaine_coordinator, capacity=1)
    first = _self_register(session, olaine)
    waiting = _self_register(session, olaine)
    services.registration_cancel(actor=first.volunteer.user, registration=first)
    later = _self_register(session, olaine)

    again = services.registration_create(
        actor=first.volunteer.user, session=session, volunteer=first.volunteer
    )

    assert again.pk == first.pk
    assert again.state == WAITLISTED
    assert again.cancelled_at is None
    waiting.refresh_from_db()
    assert waiting.state == REGISTERED
    assert [r.pk for r in selectors.participants(session) if r.state == WAITLISTED] == [later.pk, first.pk]


def test_volunteer_cannot_cancel_when_the_session_has_started(olaine, olaine_coordinator, today):
    session = builders.session_row(olaine, olaine_coordinator, first=today)
    registration = builders.registration_row(session, builders.applicant(olaine).volunteer)

    with pytest.raises(ValidationError):
        services.registration_cancel(actor=registration.volunteer.user, registration=registration)

    services.registration_cancel(actor=olaine_coordinator, registration=registration)
    registration.refresh_from_db()
    assert registration.state == CANCELLED


# --- Attendance


@pytest.fixture
def running(olaine, olaine_coordinator, today):
    """A session of three days (yesterday, today, tomorrow) with one registered participant."""
    session = builders.session_row(olaine, olaine_coordinator, first=today - timedelta(days=1), days=3)
    registration = builders.registration_row(session, builders.applicant(olaine).volunteer)
    return session, registration, list(session.days.all())


def test_attendance_is_marked_once_and_updated_when_marked_again(running, olaine_coordinator):
    _session, registration, days = running

    services.attendance_mark(actor=olaine_coordinator, registration=registration, day=days[0], present=True)
    services.attendance_mark(actor=olaine_coordinator, registration=registration, day=days[0], present=False)
    services.attendance_mark(actor=olaine_coordinator, registration=registration, day=days[1], present=True)

    marks = list(Attendance.objects.order_by("day__date").values_list("day_id", "present", "marked_by"))
    assert marks == [(days[0].pk, False, olaine_coordinator.pk), (days[1].pk, True, olaine_coordinator.pk)]
    assert _audits("training.attendance") == 3


@pytest.mark.parametrize("state", [WAITLISTED, CANCELLED])
def test_attendance_is_refused_when_the_person_is_not_registered(running, olaine, olaine_coordinator, state):
    session, _registration, days = running
    other = builders.registration_row(session, builders.applicant(olaine).volunteer, state=state)

    with pytest.raises(ValidationError):
        services.attendance_mark(actor=olaine_coordinator, registration=other, day=days[0], present=True)

    assert not Attendance.objects.exists()


def test_attendance_is_refused_when_the_day_is_of_another_session(running, olaine, olaine_coordinator, today):
    _session, registration, _day_list = running
    other = builders.session_row(olaine, olaine_coordinator, first=today - timedelta(days=1))

    with pytest.raises(ValidationError) as excinfo:
        services.attendance_mark(
            actor=olaine_coordinator, registration=registration, day=other.days.first(), present=True
        )

    assert _message(excinfo) == "This person is not registered for this session."
    assert not Attendance.objects.exists()


def test_attendance_is_refused_when_the_day_is_in_the_future(running, olaine_coordinator):
    _session, registration, days = running

    with pytest.raises(ValidationError):
        services.attendance_mark(
            actor=olaine_coordinator, registration=registration, day=days[2], present=True
        )

    assert not Attendance.objects.exists()


def test_attendance_is_refused_when_the_coordinator_is_of_another_unit(running, jelgava_coordinator):
    _session, registration, days = running

    with pytest.raises(PermissionDenied):
        services.attendance_mark(
            actor=jelgava_coordinator, registration=registration, day=days[0], present=True
        )


# --- Completing a session


def _present(coordinator, registration, days):
    for day in days:
        services.attendance_mark(actor=coordinator, registration=registration, day=day, present=True)


@pytest.fixture
def held(olaine, olaine_coordinator, today):
    """A two-day session that ended yesterday: one person present on both days, one on the
    first only, one never, one on the waiting list."""
    course = builders.course(olaine.institution, hours=Decimal("12.5"))
    session = builders.session_row(
        olaine, olaine_coordinator, course_=course, first=today - timedelta(days=2)
    )
    days = list(session.days.all())
    every, half, never = (
        builders.registration_row(session, builders.applicant(olaine).volunteer) for _ in "abc"
    )
    builders.registration_row(session, builders.applicant(olaine).volunteer, state=WAITLISTED)
    _present(olaine_coordinator, every, days)
    _present(olaine_coordinator, half, days[:1])
    services.attendance_mark(actor=olaine_coordinator, registration=never, day=days[0], present=False)
    return session, days, every, half


def test_complete_records_those_present_every_day_when_the_rule_is_all_days(held, olaine, olaine_coordinator):
    session, _day_list, every, _half = held

    created = services.session_complete(actor=olaine_coordinator, session=session)

    assert [c.volunteer for c in created] == [every.volunteer]
    completion = created[0]
    assert completion.course == session.course
    assert completion.session == session
    assert completion.unit == olaine
    assert completion.source == Completion.Source.ATTENDANCE
    assert completion.completed_on == session.last_day
    assert completion.valid_until is None
    assert completion.hours == Decimal("12.5")
    assert completion.recorded_by == olaine_coordinator
    assert re.fullmatch(r"IEVP-M-\d{4}-\d{5}", completion.number)
    assert completion.number == f"IEVP-M-{session.last_day.year}-{completion.pk:05d}"
    session.refresh_from_db()
    assert session.state == SessionState.HELD


def test_complete_issues_a_certificate_when_a_completion_is_recorded(held, olaine, olaine_coordinator):
    session, *_ = held

    (completion,) = services.session_complete(actor=olaine_coordinator, session=session)

    (document,) = completion.documents.all()
    assert document.kind == CERTIFICATE == "training_certificate"
    assert document.unit == olaine
    assert document.number == completion.number
    assert document.version == 1
    assert document.revoked_at is None


def test_complete_records_a_share_of_the_days_when_the_rule_is_share(olaine, olaine_coordinator, today):
    course = builders.course(olaine.institution, completion_rule=Course.Rule.SHARE, min_share=75)
    session = builders.session_row(
        olaine, olaine_coordinator, course_=course, first=today - timedelta(days=4), days=4
    )
    days = list(session.days.all())
    three = builders.registration_row(session, builders.applicant(olaine).volunteer)
    two = builders.registration_row(session, builders.applicant(olaine).volunteer)
    _present(olaine_coordinator, three, days[:3])
    _present(olaine_coordinator, two, days[1:3])

    created = services.session_complete(actor=olaine_coordinator, session=session)

    assert [c.volunteer for c in created] == [three.volunteer]


@pytest.mark.parametrize(
    ("rule", "share", "present", "total", "meets"),
    [
        (Course.Rule.ALL_DAYS, 80, 3, 3, True),
        (Course.Rule.ALL_DAYS, 80, 2, 3, False),
        (Course.Rule.SHARE, 80, 4, 5, True),
        (Course.Rule.SHARE, 80, 3, 5, False),
        (Course.Rule.SHARE, 50, 1, 2, True),
        (Course.Rule.SHARE, 100, 4, 5, False),
        (Course.Rule.SHARE, 1, 0, 5, False),
        (Course.Rule.ALL_DAYS, 80, 0, 0, False),
    ],
)
def test_rule_is_met_when_enough_days_are_attended(ievp, rule, share, present, total, meets):
    course = Course(institution=ievp, completion_rule=rule, min_share=share, hours=Decimal(8))

    assert services.meets_rule(course, present, total) is meets


def test_complete_sets_valid_until_by_the_validity_months_when_the_course_is_recurring(
    olaine, olaine_coordinator
):
    course = builders.course(olaine.institution, kind=Course.Kind.RECURRING, validity_months=2)
    session = builders.session_row(olaine, olaine_coordinator, course_=course, first=date(2025, 12, 30))
    registration = builders.registration_row(session, builders.applicant(olaine).volunteer)
    _present(olaine_coordinator, registration, session.days.all())

    (completion,) = services.session_complete(actor=olaine_coordinator, session=session)

    assert completion.completed_on == date(2025, 12, 31)
    assert completion.valid_until == date(2025, 12, 31) + relativedelta(months=2) == date(2026, 2, 28)
    assert completion.number.startswith("IEVP-M-2025-")


def test_complete_records_only_the_missing_ones_when_run_again(held, olaine_coordinator):
    session, days, _every, half = held
    services.session_complete(actor=olaine_coordinator, session=session)

    assert services.session_complete(actor=olaine_coordinator, session=session) == []
    assert Completion.objects.count() == 1
    assert Document.objects.filter(kind=CERTIFICATE).count() == 1
    assert _audits("training.session.state") == 1

    # A late correction: the second person was there on the second day after all.
    services.attendance_mark(actor=olaine_coordinator, registration=half, day=days[1], present=True)
    again = services.session_complete(actor=olaine_coordinator, session=session)

    assert [c.volunteer for c in again] == [half.volunteer]
    assert Completion.objects.count() == 2
    assert _audits("training.session.state") == 1


def test_complete_is_refused_when_the_last_day_has_not_come(olaine, olaine_coordinator, today):
    session = builders.session_row(olaine, olaine_coordinator, first=today)

    with pytest.raises(ValidationError):
        services.session_complete(actor=olaine_coordinator, session=session)

    session.refresh_from_db()
    assert session.state == SessionState.CLOSED


def test_complete_is_accepted_when_the_last_day_is_today(olaine, olaine_coordinator, today):
    session = builders.session_row(olaine, olaine_coordinator, first=today - timedelta(days=1))

    assert services.session_complete(actor=olaine_coordinator, session=session) == []
    session.refresh_from_db()
    assert session.state == SessionState.HELD


def test_complete_is_refused_when_the_session_is_cancelled(olaine, olaine_coordinator, today):
    session = builders.session_row(
        olaine, olaine_coordinator, first=today - timedelta(days=3), state=SessionState.CANCELLED
    )

    with pytest.raises(ValidationError):
        services.session_complete(actor=olaine_coordinator, session=session)


def test_complete_is_refused_when_the_coordinator_is_of_another_unit(held, jelgava_coordinator):
    with pytest.raises(PermissionDenied):
        services.session_complete(actor=jelgava_coordinator, session=held[0])

    assert not Completion.objects.exists()


def test_complete_skips_a_participant_when_their_data_is_erased(held, olaine_coordinator):
    session, _day_list, every, _half = held
    every.volunteer.anonymised_at = timezone.now()
    every.volunteer.save()

    assert services.session_complete(actor=olaine_coordinator, session=session) == []


# --- The pipeline: a completion moves the application on


def test_completion_moves_the_application_to_the_agreement_step_when_its_roles_need_the_course(
    olaine, olaine_coordinator, mentor, today
):
    course = builders.course(olaine.institution, roles=[mentor], title="Ievadapmācība līdzgaitniekiem")
    app = builders.applicant(olaine, roles=[mentor])
    session = builders.session_row(
        olaine, olaine_coordinator, course_=course, first=today - timedelta(days=2)
    )
    registration = builders.registration_row(session, app.volunteer, application=app)
    _present(olaine_coordinator, registration, session.days.all())

    services.session_complete(actor=olaine_coordinator, session=session)

    app.refresh_from_db()
    assert app.status == Status.AGREEMENT
    event = ApplicationEvent.objects.get(application=app, kind=ApplicationEvent.Kind.TRANSITION)
    assert (event.from_status, event.to_status) == (Status.TRAINING, Status.AGREEMENT)
    assert event.actor == olaine_coordinator
    assert "Ievadapmācība līdzgaitniekiem" in event.reason
    assert session.last_day.strftime("%d.%m.%Y") in event.reason
    assert event.notify is True
    assert event.visible_to_volunteer is True
    assert AuditEvent.objects.filter(action="application.transition", target_id=str(app.pk)).count() == 1


def test_completion_does_not_move_the_application_when_another_required_course_is_missing(
    olaine, olaine_coordinator, mentor, today
):
    induction = builders.course(olaine.institution, roles=[mentor], title="Ievadapmācība")
    child_rights = builders.course(
        olaine.institution, roles=[mentor], kind=Course.Kind.RECURRING, title="Bērnu tiesības"
    )
    app = builders.applicant(olaine, roles=[mentor])
    session = builders.session_row(
        olaine, olaine_coordinator, course_=induction, first=today - timedelta(days=2)
    )
    registration = builders.registration_row(session, app.volunteer, application=app)
    _present(olaine_coordinator, registration, session.days.all())

    services.session_complete(actor=olaine_coordinator, session=session)

    app.refresh_from_db()
    assert app.status == Status.TRAINING
    assert not ApplicationEvent.objects.filter(application=app).exists()
    assert selectors.missing_courses(volunteer=app.volunteer, roles=[mentor]) == [child_rights]

    services.completion_record(
        actor=olaine_coordinator,
        application=app,
        course=child_rights,
        completed_on=today - timedelta(days=30),
        note="Bērnu tiesību aizsardzības centra kurss, apliecība Nr. 123",
    )

    app.refresh_from_db()
    assert app.status == Status.AGREEMENT
    assert "Bērnu tiesības" in ApplicationEvent.objects.get(application=app).reason


def test_completion_moves_the_application_when_it_is_handled_by_another_unit(
    olaine, jelgava, olaine_coordinator, mentor, today
):
    course = builders.course(olaine.institution, roles=[mentor])
    app = builders.applicant(jelgava, roles=[mentor])
    session = builders.session_row(
        olaine, olaine_coordinator, course_=course, first=today - timedelta(days=2)
    )
    registration = builders.registration_row(session, app.volunteer, application=app)
    _present(olaine_coordinator, registration, session.days.all())

    services.session_complete(actor=olaine_coordinator, session=session)

    app.refresh_from_db()
    assert app.status == Status.AGREEMENT


@pytest.mark.parametrize("status", [Status.VETTING, Status.AGREEMENT, Status.ACTIVE])
def test_completion_leaves_the_application_when_it_is_not_in_the_training_step(
    olaine, olaine_coordinator, mentor, today, status
):
    course = builders.course(olaine.institution, roles=[mentor])
    app = builders.applicant(olaine, roles=[mentor], status=status)

    services.completion_record(
        actor=olaine_coordinator,
        application=app,
        course=course,
        completed_on=today,
        note="Iepriekšējais kurss",
    )

    app.refresh_from_db()
    assert app.status == status
    assert not ApplicationEvent.objects.filter(application=app).exists()


def test_completion_leaves_the_application_when_its_roles_do_not_need_the_course(
    olaine, olaine_coordinator, mentor, today
):
    sports = builders.role(olaine.institution, Role.Code.SPORTS)
    course = builders.course(olaine.institution, roles=[sports])
    builders.course(olaine.institution, roles=[mentor])
    app = builders.applicant(olaine, roles=[mentor])

    services.completion_record(
        actor=olaine_coordinator, application=app, course=course, completed_on=today, note="Sporta kurss"
    )

    app.refresh_from_db()
    assert app.status == Status.TRAINING


def test_moving_to_the_agreement_step_is_refused_when_a_required_course_is_missing(
    olaine, olaine_coordinator, mentor
):
    builders.course(olaine.institution, roles=[mentor], title="Ievadapmācība")
    app = builders.applicant(olaine, roles=[mentor])

    with pytest.raises(TransitionError) as excinfo:
        application_transition(application_id=app.pk, to=Status.AGREEMENT, actor=olaine_coordinator)

    assert "Ievadapmācība" in _message(excinfo)
    app.refresh_from_db()
    assert app.status == Status.TRAINING


# --- Recording a completion by hand


def test_external_completion_is_recorded_with_a_number_and_certificate_when_valid(
    olaine, jelgava, olaine_coordinator, jelgava_coordinator, today
):
    course = builders.course(olaine.institution, kind=Course.Kind.RECURRING, validity_months=24)
    app = builders.applicant(jelgava)

    completion = services.completion_record(
        actor=jelgava_coordinator,
        application=app,
        course=course,
        completed_on=today - timedelta(days=10),
        note="  VPD mācību centrs, apliecība 2026/17  ",
    )

    assert completion.source == Completion.Source.EXTERNAL
    assert completion.unit == jelgava
    assert completion.session is None
    assert completion.note == "VPD mācību centrs, apliecība 2026/17"
    assert completion.valid_until == today - timedelta(days=10) + relativedelta(months=24)
    assert completion.number == f"IEVP-M-{completion.completed_on.year}-{completion.pk:05d}"
    assert completion.documents.get().kind == CERTIFICATE
    assert AuditEvent.objects.get(action="training.completion").data["source"] == "external"


@pytest.mark.parametrize(
    ("case", "key"),
    [
        ("no_note", "note"),
        ("blank_note", "note"),
        ("future", "completed_on"),
        ("another_institution", "course"),
    ],
)
def test_external_completion_is_refused_and_nothing_saved_when_invalid(
    olaine, olaine_coordinator, vpd, today, case, key
):
    app = builders.applicant(olaine)
    course = builders.course(vpd if case == "another_institution" else olaine.institution)
    completed_on = today + timedelta(days=1) if case == "future" else today
    note = {"no_note": "", "blank_note": "  \n "}.get(case, "Cits kurss")

    with pytest.raises(ValidationError) as excinfo:
        services.completion_record(
            actor=olaine_coordinator, application=app, course=course, completed_on=completed_on, note=note
        )

    assert key in _errors(excinfo)
    assert not Completion.objects.exists()
    assert not Document.objects.exists()


def test_completion_is_refused_when_dated_before_the_session(olaine, olaine_coordinator, today):
    session = builders.session_row(olaine, olaine_coordinator, first=today - timedelta(days=3))
    app = builders.applicant(olaine)
    builders.registration_row(session, app.volunteer, application=app)

    with pytest.raises(ValidationError) as excinfo:
        services.completion_record(
            actor=olaine_coordinator,
            application=app,
            course=session.course,
            completed_on=today - timedelta(days=4),
            note="",
            session=session,
        )

    assert set(_errors(excinfo)) == {"completed_on"}


def test_completion_of_a_session_is_recorded_without_a_note_when_the_rule_left_the_person_out(
    olaine, jelgava, olaine_coordinator, jelgava_coordinator, today
):
    session = builders.session_row(olaine, olaine_coordinator, first=today - timedelta(days=3))
    app = builders.applicant(jelgava)
    builders.registration_row(session, app.volunteer, application=app)

    completion = services.completion_record(
        actor=olaine_coordinator,
        application=app,
        course=session.course,
        completed_on=session.last_day,
        note="",
        session=session,
    )

    assert completion.source == Completion.Source.ATTENDANCE
    assert completion.session == session
    assert completion.unit == olaine  # the session's unit, not the application's
    assert completion.number.startswith("IEVP-M-")


def test_completion_of_a_session_is_refused_when_the_person_is_not_registered_or_already_completed(
    olaine, olaine_coordinator, today
):
    session = builders.session_row(olaine, olaine_coordinator, first=today - timedelta(days=3))
    stranger = builders.applicant(olaine)
    app = builders.applicant(olaine)
    builders.registration_row(session, app.volunteer, application=app)
    builders.registration_row(session, stranger.volunteer, state=WAITLISTED)
    kwargs = {"actor": olaine_coordinator, "course": session.course, "completed_on": today, "note": ""}

    with pytest.raises(ValidationError) as excinfo:
        services.completion_record(application=stranger, session=session, **kwargs)
    assert set(_errors(excinfo)) == {"session"}

    services.completion_record(application=app, session=session, **kwargs)
    with pytest.raises(ValidationError) as excinfo:
        services.completion_record(application=app, session=session, **kwargs)
    assert set(_errors(excinfo)) == {"session"}
    assert Completion.objects.count() == 1


def test_completion_is_refused_when_the_coordinator_is_of_another_unit(olaine, jelgava_coordinator, today):
    app = builders.applicant(olaine)

    with pytest.raises(PermissionDenied):
        services.completion_record(
            actor=jelgava_coordinator,
            application=app,
            course=builders.course(olaine.institution),
            completed_on=today,
            note="Cits kurss",
        )


# --- Withdrawing a completion


def test_revoke_withdraws_the_completion_and_its_certificates_when_a_reason_is_given(
    olaine, olaine_coordinator, mentor, today
):
    course = builders.course(olaine.institution, roles=[mentor])
    app = builders.applicant(olaine, status=Status.VETTING)
    completion = services.completion_record(
        actor=olaine_coordinator, application=app, course=course, completed_on=today, note="Kurss"
    )
    second = document_issue(subject=completion, kind=CERTIFICATE)

    services.completion_revoke(actor=olaine_coordinator, completion=completion, reason="  Kļūda datos  ")

    completion.refresh_from_db()
    assert completion.revoked_at is not None
    assert completion.revoke_reason == "Kļūda datos"
    documents = list(Document.objects.filter(kind=CERTIFICATE).order_by("version"))
    assert [d.version for d in documents] == [1, second.version]
    assert all(d.revoked_at is not None for d in documents)
    assert all(d.revoked_reason == "Kļūda datos" for d in documents)
    assert selectors.missing_courses(volunteer=app.volunteer, roles=[mentor]) == [course]
    assert _audits("training.completion.revoke") == 1

    services.completion_revoke(actor=olaine_coordinator, completion=completion, reason="Vēlreiz")

    completion.refresh_from_db()
    assert completion.revoke_reason == "Kļūda datos"
    assert _audits("training.completion.revoke") == 1


def test_revoke_needs_a_reason_when_asked(olaine, olaine_coordinator):
    completion = builders.completion(
        builders.applicant(olaine).volunteer, builders.course(olaine.institution), olaine
    )

    with pytest.raises(ValidationError) as excinfo:
        services.completion_revoke(actor=olaine_coordinator, completion=completion, reason=" ")

    assert "reason" in _errors(excinfo)
    completion.refresh_from_db()
    assert completion.revoked_at is None


def test_revoke_is_refused_when_the_coordinator_is_of_another_unit(olaine, jelgava_coordinator):
    completion = builders.completion(
        builders.applicant(olaine).volunteer, builders.course(olaine.institution), olaine
    )

    with pytest.raises(PermissionDenied):
        services.completion_revoke(actor=jelgava_coordinator, completion=completion, reason="Kļūda")


# --- Agreements need valid training


def _agreement_terms(role, today):
    return {
        "role": role,
        "place": "Olaines cietums",
        "start_date": today + timedelta(days=10),
        "end_date": today + timedelta(days=375),
        "hours_per_week": Decimal("4"),
        "duties": "Tikšanās ar klientu reizi nedēļā.",
    }


def test_agreement_is_refused_when_the_recurring_completion_has_expired(
    olaine, olaine_coordinator, mentor, today
):
    builders.agreement_template(olaine.institution)
    course = builders.course(
        olaine.institution, roles=[mentor], kind=Course.Kind.RECURRING, title="Bērnu tiesības"
    )
    app = builders.applicant(olaine, roles=[mentor], status=Status.AGREEMENT)
    builders.completion(
        app.volunteer,
        course,
        olaine,
        completed_on=today - timedelta(days=800),
        valid_until=today - timedelta(days=1),
    )

    with pytest.raises(ValidationError) as excinfo:
        agreement_services.agreement_create(
            actor=olaine_coordinator, application=app, **_agreement_terms(mentor, today)
        )

    assert "role" in _errors(excinfo)
    assert "Bērnu tiesības" in _errors(excinfo)["role"][0]
    assert not Agreement.objects.exists()

    builders.completion(app.volunteer, course, olaine, completed_on=today - timedelta(days=3))
    agreement = agreement_services.agreement_create(
        actor=olaine_coordinator, application=app, **_agreement_terms(mentor, today)
    )
    assert agreement.role == mentor


def test_agreement_is_made_when_the_role_needs_no_course(olaine, olaine_coordinator, mentor, today):
    builders.agreement_template(olaine.institution)
    builders.course(olaine.institution, roles=[mentor], is_active=False)
    app = builders.applicant(olaine, roles=[mentor], status=Status.AGREEMENT)

    agreement = agreement_services.agreement_create(
        actor=olaine_coordinator, application=app, **_agreement_terms(mentor, today)
    )

    assert agreement.pk


# --- Selectors: qualification


def test_expired_training_volunteers_are_those_with_no_valid_completion_since_when_asked(olaine, ievp, today):
    sports = builders.role(ievp, Role.Code.SPORTS)
    recurring = builders.course(ievp, roles=[sports], kind=Course.Kind.RECURRING)
    inactive = builders.course(ievp, roles=[sports], kind=Course.Kind.RECURRING, is_active=False)
    induction = builders.course(ievp, roles=[sports])
    long_ago, yesterday = today - timedelta(days=800), today - timedelta(days=1)

    def person():
        return builders.applicant(olaine).volunteer

    expired, renewed, revoked, valid, other_course, not_recurring, outsider = (person() for _ in range(7))
    builders.completion(expired, recurring, olaine, completed_on=long_ago, valid_until=yesterday)
    builders.completion(renewed, recurring, olaine, completed_on=long_ago, valid_until=yesterday)
    builders.completion(renewed, recurring, olaine, completed_on=today - timedelta(days=2))
    builders.completion(
        revoked, recurring, olaine, completed_on=long_ago, valid_until=yesterday, revoked_at=timezone.now()
    )
    builders.completion(valid, recurring, olaine, completed_on=today - timedelta(days=100))
    builders.completion(other_course, inactive, olaine, completed_on=long_ago, valid_until=yesterday)
    builders.completion(not_recurring, induction, olaine, completed_on=long_ago)
    builders.completion(outsider, recurring, olaine, completed_on=long_ago, valid_until=yesterday)
    asked = [(v.pk, ievp.pk) for v in (expired, renewed, revoked, valid, other_course, not_recurring)]

    assert selectors.expired_trainings(asked, on=today) == {(expired.pk, ievp.pk)}
    assert selectors.expired_trainings(asked + asked) == {(expired.pk, ievp.pk)}
    assert selectors.expired_trainings([]) == set()
    # Another institution's view of the same person: nothing of IeVP's shows.
    assert selectors.expired_trainings([(expired.pk, ievp.pk + 1000)]) == set()
    # Before it ran out, nobody.
    assert selectors.expired_trainings(asked, on=yesterday) == set()


def test_missing_courses_lists_what_the_roles_still_need_when_asked(olaine, ievp, mentor, today):
    sports = builders.role(ievp, Role.Code.SPORTS)
    family = builders.role(ievp, Role.Code.FAMILY)
    alpha = builders.course(ievp, roles=[mentor], title="A ievadapmācība")
    beta = builders.course(ievp, roles=[mentor, sports], kind=Course.Kind.RECURRING, title="B bērnu tiesības")
    gamma = builders.course(ievp, roles=[sports], title="C sporta drošība")
    builders.course(ievp, roles=[mentor], title="D vecais kurss", is_active=False)
    volunteer = builders.applicant(olaine).volunteer
    builders.completion(volunteer, alpha, olaine, completed_on=today - timedelta(days=10))
    builders.completion(
        volunteer,
        beta,
        olaine,
        completed_on=today - timedelta(days=800),
        valid_until=today - timedelta(days=1),
    )
    builders.completion(
        volunteer, gamma, olaine, completed_on=today - timedelta(days=3), revoked_at=timezone.now()
    )

    assert selectors.missing_courses(volunteer=volunteer, roles=[mentor]) == [beta]
    assert selectors.missing_courses(volunteer=volunteer, roles=[mentor, sports]) == [beta, gamma]
    assert selectors.missing_courses(volunteer=volunteer, roles=[family]) == []
    assert selectors.missing_courses(volunteer=volunteer, roles=[]) == []
    # On a day when the recurring completion was still valid, and before alpha was done.
    assert selectors.missing_courses(volunteer=volunteer, roles=[mentor], on=today - timedelta(days=5)) == []
    assert selectors.missing_courses(volunteer=volunteer, roles=[mentor], on=today - timedelta(days=11)) == [
        alpha
    ]

    assert selectors.unqualified_role_ids(volunteer=volunteer, roles=[mentor, sports, family]) == {
        mentor.pk,
        sports.pk,
    }
    builders.completion(volunteer, beta, olaine, completed_on=today)
    assert selectors.unqualified_role_ids(volunteer=volunteer, roles=[mentor, sports, family]) == {sports.pk}
    assert selectors.unqualified_role_ids(volunteer=volunteer, roles=[]) == set()


# --- Calendar feeds


def test_calendar_feed_is_the_same_when_asked_again(volunteer):
    feed = services.calendar_feed(user=volunteer)

    assert services.calendar_feed(user=volunteer).token == feed.token
    assert CalendarFeed.objects.count() == 1
    assert len(feed.token) >= 30


def test_calendar_feed_reset_gives_a_new_address_when_the_old_one_leaked(volunteer):
    old = services.calendar_feed(user=volunteer).token

    feed = services.calendar_feed_reset(user=volunteer)

    assert feed.token != old
    assert selectors.feed_by_token(old) is None
    assert selectors.feed_by_token(feed.token).pk == feed.pk
    assert CalendarFeed.objects.count() == 1


def test_unit_calendar_feed_is_separate_when_the_person_sees_the_unit(olaine, olaine_coordinator, ministry):
    personal = services.calendar_feed(user=olaine_coordinator)
    unit_feed = services.calendar_feed(user=olaine_coordinator, unit=olaine)
    reset = services.calendar_feed_reset(user=olaine_coordinator, unit=olaine)

    assert unit_feed.pk != personal.pk
    assert reset.pk == unit_feed.pk
    assert selectors.feed_by_token(unit_feed.token) is None
    assert selectors.feed_by_token(personal.token).unit is None
    assert services.calendar_feed(user=ministry, unit=olaine).unit == olaine


def test_unit_calendar_feed_is_refused_when_the_person_cannot_see_the_unit(
    olaine, jelgava_coordinator, volunteer
):
    for person in (jelgava_coordinator, volunteer):
        with pytest.raises(PermissionDenied):
            services.calendar_feed(user=person, unit=olaine)

    assert not CalendarFeed.objects.exists()


def test_personal_feed_shows_only_the_sessions_with_a_place_when_read(olaine, olaine_coordinator):
    first = builders.session(olaine, olaine_coordinator, capacity=1)
    app = builders.applicant(olaine)
    services.registration_create(actor=app.volunteer.user, session=first, volunteer=app.volunteer)
    full = builders.session(olaine, olaine_coordinator, capacity=1)
    _self_register(full, olaine)
    services.registration_create(actor=app.volunteer.user, session=full, volunteer=app.volunteer)

    feed = services.calendar_feed(user=app.volunteer.user)

    assert selectors.feed_sessions(feed) == [first]
    unit_feed = services.calendar_feed(user=olaine_coordinator, unit=olaine)
    assert {s.pk for s in selectors.feed_sessions(unit_feed)} == {first.pk, full.pk}


def test_unit_feed_shows_nothing_when_the_coordinator_lost_the_unit(olaine, olaine_coordinator):
    from institutions import permissions

    builders.session(olaine, olaine_coordinator)
    feed = services.calendar_feed(user=olaine_coordinator, unit=olaine)
    permissions.revoke_unit_coordinator(olaine_coordinator, olaine)
    permissions.forget_roles(olaine_coordinator)

    assert selectors.feed_sessions(selectors.feed_by_token(feed.token)) == []


def test_completion_of_a_session_is_refused_when_the_course_differs(olaine, olaine_coordinator, today):
    session = builders.session_row(olaine, olaine_coordinator, first=today - timedelta(days=3))
    app = builders.applicant(olaine)
    builders.registration_row(session, app.volunteer, application=app)

    with pytest.raises(ValidationError) as excinfo:
        services.completion_record(
            actor=olaine_coordinator,
            application=app,
            course=builders.course(olaine.institution),
            completed_on=today,
            note="",
            session=session,
        )

    assert "course" in _errors(excinfo)
    assert not Completion.objects.exists()


# --- Selectors: what a volunteer and a coordinator see


def test_sessions_open_to_the_volunteer_are_those_they_can_still_join_when_listed(
    olaine, jelgava, vpd_department, olaine_coordinator, jelgava_coordinator, vpd_coordinator, today
):
    app = builders.applicant(jelgava)
    soon = builders.session(olaine, olaine_coordinator, first=today + timedelta(days=3), capacity=1)
    _self_register(soon, olaine)  # full: still listed (the waiting list is open)
    later = builders.session(jelgava, jelgava_coordinator, first=today + timedelta(days=20))
    joined = builders.session(olaine, olaine_coordinator)
    services.registration_create(actor=app.volunteer.user, session=joined, volunteer=app.volunteer)
    builders.session(olaine, olaine_coordinator, open_now=False)  # planned
    builders.session(olaine, olaine_coordinator, registration_deadline=today - timedelta(days=1))
    builders.session_row(olaine, olaine_coordinator, first=today, state=SessionState.OPEN)  # started
    builders.session(vpd_department, vpd_coordinator)  # another institution

    listed = selectors.sessions_open_to(app.volunteer)

    assert [s.pk for s in listed] == [soon.pk, later.pk]
    assert [s.free_places for s in listed] == [0, 20]
    assert selectors.sessions_open_to(builders.applicant(olaine, status=Status.WITHDRAWN).volunteer) == []


def test_session_list_shows_only_the_coordinators_units_when_listed(
    olaine, jelgava, olaine_coordinator, jelgava_coordinator, ievp_central, today
):
    mine = builders.session(olaine, olaine_coordinator)
    theirs = builders.session(jelgava, jelgava_coordinator)
    past = builders.session_row(olaine, olaine_coordinator, first=today - timedelta(days=30))

    upcoming = selectors.session_list(user=olaine_coordinator, params={})
    earlier = selectors.session_list(user=olaine_coordinator, params={"when": "past"})

    assert [s.pk for s in upcoming.sessions] == [mine.pk]
    assert upcoming.counts == {"upcoming": 1, "past": 1}
    assert [s.pk for s in earlier.sessions] == [past.pk]
    central = selectors.session_list(user=ievp_central, params={"unit": jelgava.slug})
    assert [s.pk for s in central.sessions] == [theirs.pk]
    # A made-up state or another unit is ignored (as in every staff list), never widened.
    bogus = selectors.session_list(user=olaine_coordinator, params={"state": "bogus", "unit": jelgava.slug})
    assert [s.pk for s in bogus.sessions] == [mine.pk]
    assert "state" in bogus.filterset.form.errors
