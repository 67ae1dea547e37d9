"""Known data for the reports' tests: a small hand-built year (``YEAR``, seen on ``TODAY``)
at two prisons (Olaine, Jelgava) and a probation department, whose every figure is worked
out by hand in ``known``'s docstring. Other report tests may use it."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from agreements.models import Agreement
from agreements.models import Status as AgreementStatus
from events.models import Event, EventState, HoursRecord, HoursState
from institutions.models import Unit
from tests.events import builders as event_builders
from tests.factories import ApplicationFactory, UserFactory, VolunteerFactory
from tests.trainings import builders as training_builders
from trainings.models import Completion, RegistrationState, SessionState
from volunteers.models import ApplicationEvent, Role
from volunteers.models import Status as ApplicationStatus

YEAR = 2025
TODAY = date(2025, 6, 15)
_NUMBERS = itertools.count(1)


def at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)), timezone.get_default_timezone())


def role(unit, code) -> Role:
    return Role.objects.get_or_create(institution=unit.institution, code=code)[0]


def agreement(
    unit,
    *,
    code=Role.Code.EDUCATION,
    status=AgreementStatus.ACTIVE,
    signed_on: date | None,
    start: date,
    end: date,
    ended_on: date | None = None,
    volunteer=None,
) -> Agreement:
    """An agreement as a plain row (any dates), with an active application of its own."""
    volunteer = volunteer or VolunteerFactory()
    application = ApplicationFactory(
        volunteer=volunteer, unit=unit, status=ApplicationStatus.ACTIVE, submitted_at=at(date(YEAR - 3, 1, 1))
    )
    return Agreement.objects.create(
        number=None if status == AgreementStatus.DRAFT else f"R-{next(_NUMBERS):05d}",
        institution=unit.institution,
        unit=unit,
        application=application,
        volunteer=volunteer,
        role=role(unit, code),
        template=training_builders.agreement_template(unit.institution),
        status=status,
        place="Rīga",
        start_date=start,
        end_date=end,
        hours_per_week=Decimal("3"),
        duties="Nodarbības.",
        signed_on=signed_on,
        ended_on=ended_on,
        end_kind=Agreement.EndKind.EXPIRED if ended_on else "",
        created_by=UserFactory(),
    )


def application(unit, *, submitted: date, steps: list[tuple[str, date]] = (), status=None, codes=()):
    """An application submitted on ``submitted``, moved through ``steps`` (status, day) as
    its history says; its status is the last step's unless ``status`` is given."""
    made = ApplicationFactory(
        unit=unit,
        status=status or (steps[-1][0] if steps else ApplicationStatus.SUBMITTED),
        submitted_at=at(submitted),
        roles=[role(unit, code) for code in codes],
    )
    previous = ApplicationStatus.SUBMITTED
    for to, day in steps:
        ApplicationEvent.objects.create(
            application=made,
            created_at=at(day),
            kind=ApplicationEvent.Kind.TRANSITION,
            from_status=previous,
            to_status=to,
        )
        previous = to
    return made


def event(
    unit, day: date, *, code=Role.Code.EDUCATION, state=EventState.REPORTED, participants=None, hours=()
):
    """An event as a plain row with approved (or other) hours: ``hours`` (volunteer, value, state)."""
    made = Event.objects.create(
        unit=unit,
        title="Nodarbība",
        field=role(unit, code),
        activity_type=event_builders.activity(),
        description="Apraksts",
        starts_at=at(day),
        ends_at=at(day) + timedelta(hours=2),
        place="Bibliotēka",
        expected_participants=10,
        target_group="adults",
        state=state,
        actual_participants=participants,
        proposed_by=UserFactory(),
    )
    for volunteer, value, hours_state in hours:
        HoursRecord.objects.create(
            volunteer=volunteer,
            unit=unit,
            kind=HoursRecord.Kind.EVENT,
            event=made,
            field=made.field,
            activity_type=made.activity_type,
            day=day,
            hours=Decimal(value),
            state=hours_state,
        )
    return made


def held_session(
    unit, *, last_day: date, codes=(), state=SessionState.HELD, registered=(), waiting=(), cancelled=()
):
    course = training_builders.course(unit.institution, roles=[role(unit, code) for code in codes])
    session = training_builders.session_row(
        unit, UserFactory(), course_=course, first=last_day - timedelta(days=1), state=state
    )
    for volunteer in registered:
        training_builders.registration_row(session, volunteer)
    for volunteer in waiting:
        training_builders.registration_row(session, volunteer, state=RegistrationState.WAITLISTED)
    for volunteer in cancelled:
        training_builders.registration_row(session, volunteer, state=RegistrationState.CANCELLED)
    return session


def completed(session, volunteer, *, revoked=False) -> Completion:
    return Completion.objects.create(
        volunteer=volunteer,
        course=session.course,
        unit=session.unit,
        session=session,
        source=Completion.Source.ATTENDANCE,
        completed_on=session.last_day,
        hours=session.course.hours,
        revoked_at=timezone.now() if revoked else None,
    )


@dataclass
class Known:
    olaine: Unit
    jelgava: Unit
    vpd_department: Unit
    ievp_ids: frozenset[int]
    vpd_ids: frozenset[int]


@pytest.fixture
def known(olaine, jelgava, vpd_department) -> Known:
    """On TODAY (15.06.2025), for YEAR (2025):

    Agreements — Olaine: a1 active (signed 01.02.2025, education), a2 signed not yet started
    (10.06.2025, sports), a3 active ending 01.07.2025 (signed 2024, education, a1's
    volunteer), a4 expired 09.01.2025, a5 a draft, a6 ended early on 01.06.2025 (signed
    2024). Jelgava: a7 active (signed 01.03.2025, sports). VPD: a8 active (signed 2025, mentor).
    → IeVP in force 4 (Olaine 3, Jelgava 1), signed in 2025: 3 (Olaine 2), ending within
    30 days 1, active volunteers 3; sports: in force 2, signed 2. VPD: in force 1, signed 1.

    Applications of 2025 at Olaine (history): p1 submitted 10.01 → screening +2 d → vetting
    +10 → training +10 → agreement +10 → active +10 (education); p2 01.02 → screening +4 →
    vetting +4, then rejected (sports); p3 01.03 → screening +6 (education, sports); p4
    02.03 still submitted (education); p5 submitted 20.12.2024, at vetting (not of 2025).
    → funnel 4, 3 (0.75, median 4 d), 2 (2/3, 7 d), 1 (0.5, 10), 1 (1.0, 10), 1 (1.0, 10);
    open now: submitted 1 (p4), screening 1 (p3), vetting 1 (p5).

    Trainings: Olaine held 02.05.2025 (course for education): t1, t2 registered, t3
    waiting, t4 cancelled; t1 completed, t2's completion withdrawn. Jelgava held
    10.10.2025 (sports): t5 registered and completed. Not counted: a cancelled session of
    2025 and a session held in 2024 at Olaine. → sessions 2, participants 3, completed 2.

    Events: Olaine reported 04.03 (education, 12 participants, 2 h approved + 1 h
    rejected), held 08.04 (sports, 8, 1.5 h approved), a proposed one; Jelgava reported
    11.03 (sports, 6, 1 h approved); one of 2024 at Olaine (99). → IeVP 3 events, 26
    participants, 4.5 h; Olaine 2 events, 20 participants, 3.5 h."""
    olaine_a1 = agreement(olaine, signed_on=date(2025, 2, 1), start=date(2025, 2, 1), end=date(2026, 1, 31))
    agreement(
        olaine,
        code=Role.Code.SPORTS,
        status=AgreementStatus.SIGNED,
        signed_on=date(2025, 6, 10),
        start=date(2025, 7, 1),
        end=date(2026, 6, 30),
    )
    agreement(
        olaine,
        signed_on=date(2024, 7, 1),
        start=date(2024, 7, 1),
        end=date(2025, 7, 1),
        volunteer=olaine_a1.volunteer,
    )
    agreement(
        olaine,
        status=AgreementStatus.ENDED,
        signed_on=date(2024, 1, 10),
        start=date(2024, 1, 10),
        end=date(2025, 1, 9),
        ended_on=date(2025, 1, 9),
    )
    agreement(
        olaine, status=AgreementStatus.DRAFT, signed_on=None, start=date(2025, 7, 1), end=date(2026, 6, 30)
    )
    agreement(
        olaine,
        status=AgreementStatus.ENDED,
        signed_on=date(2024, 9, 1),
        start=date(2024, 9, 1),
        end=date(2025, 8, 31),
        ended_on=date(2025, 6, 1),
    )
    agreement(
        jelgava,
        code=Role.Code.SPORTS,
        signed_on=date(2025, 3, 1),
        start=date(2025, 3, 1),
        end=date(2026, 2, 28),
    )
    agreement(
        vpd_department,
        code=Role.Code.MENTOR,
        signed_on=date(2025, 1, 15),
        start=date(2025, 1, 15),
        end=date(2026, 1, 14),
    )

    S = ApplicationStatus
    application(
        olaine,
        submitted=date(2025, 1, 10),
        steps=[
            (S.SCREENING, date(2025, 1, 12)),
            (S.VETTING, date(2025, 1, 22)),
            (S.TRAINING, date(2025, 2, 1)),
            (S.AGREEMENT, date(2025, 2, 11)),
            (S.ACTIVE, date(2025, 2, 21)),
        ],
        codes=[Role.Code.EDUCATION],
    )
    application(
        olaine,
        submitted=date(2025, 2, 1),
        steps=[(S.SCREENING, date(2025, 2, 5)), (S.VETTING, date(2025, 2, 9))],
        status=S.REJECTED,
        codes=[Role.Code.SPORTS],
    )
    application(
        olaine,
        submitted=date(2025, 3, 1),
        steps=[(S.SCREENING, date(2025, 3, 7))],
        codes=[Role.Code.EDUCATION, Role.Code.SPORTS],
    )
    application(olaine, submitted=date(2025, 3, 2), codes=[Role.Code.EDUCATION])
    application(
        olaine,
        submitted=date(2024, 12, 20),
        steps=[(S.SCREENING, date(2025, 1, 5)), (S.VETTING, date(2025, 1, 20))],
    )

    t1, t2, t3, t4, t5 = (VolunteerFactory() for _ in range(5))
    first = held_session(
        olaine,
        last_day=date(2025, 5, 2),
        codes=[Role.Code.EDUCATION],
        registered=[t1, t2],
        waiting=[t3],
        cancelled=[t4],
    )
    completed(first, t1)
    completed(first, t2, revoked=True)
    second = held_session(jelgava, last_day=date(2025, 10, 10), codes=[Role.Code.SPORTS], registered=[t5])
    completed(second, t5)
    held_session(olaine, last_day=date(2025, 9, 2), state=SessionState.CANCELLED, registered=[t3])
    old = held_session(olaine, last_day=date(2024, 5, 2), registered=[t4])
    completed(old, t4)

    approved, rejected = HoursState.APPROVED, HoursState.REJECTED
    event(olaine, date(2025, 3, 4), participants=12, hours=[(t1, "2", approved), (t2, "1", rejected)])
    event(
        olaine,
        date(2025, 4, 8),
        code=Role.Code.SPORTS,
        state=EventState.HELD,
        participants=8,
        hours=[(t1, "1.5", approved)],
    )
    event(olaine, date(2025, 5, 6), state=EventState.PROPOSED)
    event(jelgava, date(2025, 3, 11), code=Role.Code.SPORTS, participants=6, hours=[(t5, "1", approved)])
    event(olaine, date(2024, 3, 4), participants=99, hours=[(t1, "3", approved)])

    return Known(
        olaine=olaine,
        jelgava=jelgava,
        vpd_department=vpd_department,
        ievp_ids=frozenset(Unit.objects.filter(institution=olaine.institution).values_list("pk", flat=True)),
        vpd_ids=frozenset(
            Unit.objects.filter(institution=vpd_department.institution).values_list("pk", flat=True)
        ),
    )
