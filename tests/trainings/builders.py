"""Small builders for trainings: courses, sessions (through the service, or as plain rows
when a test needs one in the past) and completions (plain rows)."""

from __future__ import annotations

import itertools
from datetime import date, time, timedelta
from decimal import Decimal

from django.utils import timezone

from tests.factories import ApplicationFactory, UserFactory, VolunteerFactory
from trainings import services
from trainings.models import (
    Completion,
    Course,
    Registration,
    RegistrationState,
    Session,
    SessionDay,
    SessionState,
)
from volunteers.models import Application, Role
from volunteers.models import Status as ApplicationStatus

_NUMBERS = itertools.count(1)


def course(institution, *, roles=(), kind=Course.Kind.INDUCTION, validity_months=None, **fields) -> Course:
    if kind == Course.Kind.RECURRING and validity_months is None:
        validity_months = 24
    found = Course.objects.create(
        institution=institution,
        title=fields.pop("title", f"Apmācība {next(_NUMBERS)}"),
        kind=kind,
        validity_months=validity_months,
        hours=fields.pop("hours", Decimal("16")),
        **fields,
    )
    found.roles.set(roles)
    return found


def day_specs(first: date, count: int = 2) -> list[services.DaySpec]:
    return [services.DaySpec(first + timedelta(days=i), time(10), time(16)) for i in range(count)]


def session(
    unit, coordinator, *, course_=None, first=None, days=2, capacity=20, open_now=True, **fields
) -> Session:
    """A session in the future, made by the service (audited, validated)."""
    return services.session_create(
        actor=coordinator,
        course=course_ or course(unit.institution),
        unit=unit,
        days=day_specs(first or timezone.localdate() + timedelta(days=14), days),
        place=fields.pop("place", "Mācību klase"),
        capacity=capacity,
        open_now=open_now,
        **fields,
    )


def session_row(
    unit, coordinator, *, course_=None, first: date, days=2, capacity=20, state=SessionState.CLOSED
) -> Session:
    """A session as plain rows, any dates (a past one: the service refuses those)."""
    made = Session.objects.create(
        course=course_ or course(unit.institution),
        unit=unit,
        place="Mācību klase",
        capacity=capacity,
        state=state,
        first_day=first,
        last_day=first + timedelta(days=days - 1),
        created_by=coordinator,
    )
    for i in range(days):
        SessionDay.objects.create(
            session=made, date=first + timedelta(days=i), starts_at=time(10), ends_at=time(16)
        )
    return made


def completion(
    volunteer, course_: Course, unit, *, completed_on=None, valid_until=None, **fields
) -> Completion:
    completed_on = completed_on or timezone.localdate() - timedelta(days=5)
    if valid_until is None and course_.is_recurring:
        valid_until = completed_on + timedelta(days=730)
    return Completion.objects.create(
        volunteer=volunteer,
        course=course_,
        unit=unit,
        source=fields.pop("source", Completion.Source.EXTERNAL),
        completed_on=completed_on,
        valid_until=valid_until,
        hours=course_.hours,
        **fields,
    )


def trained(volunteer, role, unit) -> Completion:
    """A role that needs an induction course, and the volunteer's completion of it."""
    required = course(role.institution, roles=[role])
    return completion(volunteer, required, unit)


# --- People, applications and registrations (added for the service tests)


def role(institution, code=Role.Code.MENTOR) -> Role:
    found, _created = Role.objects.get_or_create(institution=institution, code=code)
    return found


def applicant(unit, *, status=ApplicationStatus.TRAINING, roles=(), language="lv", **user) -> Application:
    """An application of a new volunteer (their account speaks ``language``) to ``unit``."""
    volunteer = VolunteerFactory(
        **{f"user__{key}": value for key, value in {"language": language, **user}.items()}
    )
    return ApplicationFactory(
        volunteer=volunteer, unit=unit, status=status, roles=list(roles), language=language
    )


def registration_row(
    session_: Session,
    volunteer,
    *,
    state=RegistrationState.REGISTERED,
    application=None,
    created_at=None,
) -> Registration:
    """A registration as a plain row (no checks, no notice): for sessions in the past."""
    return Registration.objects.create(
        session=session_,
        volunteer=volunteer,
        application=application,
        state=state,
        created_at=created_at or timezone.now(),
    )


def agreement_template(institution):
    from agreements.models import AgreementTemplate
    from agreements.services import template_current

    return template_current(institution=institution, role=None) or AgreementTemplate.objects.create(
        institution=institution, role=None, version=1, title="Vienošanās", body="{{ volunteer_name }}"
    )


def agreement_row(application, *, status="active", role_=None):
    """An agreement (in force by default) straight to the table, for the application's unit."""
    from agreements.models import Agreement

    today = timezone.localdate()
    return Agreement.objects.create(
        institution=application.institution,
        unit=application.unit,
        application=application,
        volunteer=application.volunteer,
        role=role_ or role(application.institution),
        template=agreement_template(application.institution),
        status=status,
        place="Rīga",
        start_date=today - timedelta(days=100),
        end_date=today + timedelta(days=265),
        hours_per_week=Decimal("3"),
        duties="Atbalsts klientam.",
        created_by=UserFactory(),
    )


# --- Cohorts (added for the query-count and browser tests)

_FIRST_NAMES = ["Ērika", "Jānis", "Līga", "Ģirts", "Ieva", "Oļegs", "Zane", "Mārtiņš", "Dace", "Kārlis"]
_LAST_NAMES = ["Bērziņa", "Kalniņš", "Ozoliņa", "Šmits", "Lāce", "Žukovs", "Krūmiņa", "Vītols"]


def cohort(
    session_: Session, count: int, *, roles=(), state=RegistrationState.REGISTERED, unit=None
) -> list[Registration]:
    """``count`` new applicants (training step, of ``unit`` — the session's by default) with
    registrations in ``state`` as plain rows, one second apart in the queue."""
    start = timezone.now() - timedelta(days=1)
    made = []
    for index in range(count):
        number = next(_NUMBERS)
        application = applicant(
            unit or session_.unit,
            roles=roles,
            first_name=_FIRST_NAMES[number % len(_FIRST_NAMES)],
            last_name=f"{_LAST_NAMES[number % len(_LAST_NAMES)]} {number}",
        )
        made.append(
            registration_row(
                session_,
                application.volunteer,
                state=state,
                application=application,
                created_at=start + timedelta(seconds=index),
            )
        )
    return made
