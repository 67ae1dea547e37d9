"""The trainings' part of `make bench` (see bench.run): the builder of training
certificates for bench.documents (completions recorded by ``session_complete``, each with
its queued certificate), and the attendance page of one session day with N registrations
(default 50 and 500), fetched as the unit's coordinator: time (median of several runs
after a warm-up) and the number of SQL queries. Figures only: nothing here asserts a time."""

from __future__ import annotations

import itertools
import statistics
from datetime import date, time, timedelta
from decimal import Decimal
from unittest import mock

from .measure import Timer, line, ms

_PEOPLE = itertools.count()
_COORDINATORS = itertools.count()


# --- Setup


def _unit():
    from institutions.models import Unit

    return (
        Unit.objects.select_related("institution")
        .filter(institution__code="IEVP", kind=Unit.Kind.PRISON)
        .order_by("pk")
        .first()
    )


def _coordinator(unit):
    from accounts.models import User
    from institutions import services as institution_services

    user = User.objects.create_user(
        email=f"apmacibas{next(_COORDINATORS)}@bench.example.lv",
        password=None,
        first_name="Līga",
        last_name="Koordinatore",
    )
    institution_services.unit_coordinator_grant(actor=None, user=user, unit=unit)
    return user


def _course(institution):
    from trainings.models import Course

    course, _created = Course.objects.get_or_create(
        institution=institution,
        title="Ievadapmācība brīvprātīgajiem ieslodzījuma vietās (bench)",
        defaults={"kind": Course.Kind.INDUCTION, "hours": Decimal("16")},
    )
    return course


def _session(unit, coordinator, *, days: int = 2, capacity: int = 1000):
    """A session held last week, as plain rows (the service refuses past dates)."""
    from trainings.models import Session, SessionDay, SessionState

    first = date.today() - timedelta(days=7)
    session = Session.objects.create(
        course=_course(unit.institution),
        unit=unit,
        place=f"{unit.name}, mācību zāle",
        capacity=capacity,
        trainers="Ilze Kalniņa, Rūta Eglīte",
        state=SessionState.CLOSED,
        first_day=first,
        last_day=first + timedelta(days=days - 1),
        created_by=coordinator,
    )
    SessionDay.objects.bulk_create(
        [
            SessionDay(session=session, date=first + timedelta(days=n), starts_at=time(9), ends_at=time(17))
            for n in range(days)
        ]
    )
    return session


def _registrations(session, count: int) -> list:
    """``count`` registered volunteers (bulk rows: users, volunteers, registrations)."""
    from accounts.models import User
    from trainings.models import Registration, RegistrationState
    from volunteers.models import Volunteer

    numbers = [next(_PEOPLE) for _ in range(count)]
    users = User.objects.bulk_create(
        [
            User(
                email=f"dalibnieks{n}@bench.example.lv",
                first_name=("Ērika", "Jānis", "Līga", "Ģirts")[n % 4],
                last_name=f"Ķirša-Žūriņa {n:05d}",
                password="!",
            )
            for n in numbers
        ],
        batch_size=1000,
    )
    volunteers = Volunteer.objects.bulk_create(
        [
            Volunteer(
                user=user,
                date_of_birth=date(1985, 1, 1) + timedelta(days=n % 7000),
                phone="+371 20000000",
                address="Zemgales iela 7, Olaine",
                municipality="Olaine",
            )
            for n, user in zip(numbers, users, strict=True)
        ],
        batch_size=1000,
    )
    return Registration.objects.bulk_create(
        [
            Registration(session=session, volunteer=volunteer, state=RegistrationState.REGISTERED)
            for volunteer in volunteers
        ],
        batch_size=1000,
    )


# --- Documents of the "training_certificate" kind (bench.documents renders and measures them)


def issue_certificate_documents(count: int) -> list:
    """``count`` completions of one held session (everyone present on both days), recorded
    by ``session_complete``, each with its queued certificate (rendered later)."""
    from documents import services as document_services
    from documents.models import Document
    from trainings import services
    from trainings.models import Attendance

    unit = _unit()
    coordinator = _coordinator(unit)
    session = _session(unit, coordinator)
    days = list(session.days.all())
    registrations = _registrations(session, count)
    Attendance.objects.bulk_create(
        [
            Attendance(registration=registration, day=day, present=True, marked_by=coordinator)
            for registration in registrations
            for day in days
        ],
        batch_size=2000,
    )
    with mock.patch.object(document_services, "_enqueue_render", lambda document_id: None):
        completions = services.session_complete(actor=coordinator, session=session)
    return list(
        Document.objects.filter(
            kind="training_certificate", training_completion__in=[c.pk for c in completions]
        ).order_by("pk")
    )


# --- 4. The attendance page


def _attendance_day(size: int):
    """A session with ``size`` registrations; on its first day about half present, a
    quarter absent and the rest not yet marked."""
    from trainings.models import Attendance

    unit = _unit()
    coordinator = _coordinator(unit)
    session = _session(unit, coordinator, capacity=max(size, 1))
    day = session.days.order_by("date").first()
    registrations = _registrations(session, size)
    Attendance.objects.bulk_create(
        [
            Attendance(registration=registration, day=day, present=n % 4 < 2, marked_by=coordinator)
            for n, registration in enumerate(registrations)
            if n % 4 < 3
        ],
        batch_size=2000,
    )
    return coordinator, session, day


def bench_attendance(sizes: list[int], runs: int = 7) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import NoReverseMatch, reverse

    print("\n4. Trainings: the attendance page of one session day (GET as the unit's coordinator)")
    for size in sizes:
        coordinator, session, day = _attendance_day(size)
        try:
            url = reverse("trainings:attendance", kwargs={"pk": session.pk, "day_pk": day.pk})
        except NoReverseMatch:
            line("no view named trainings:attendance", "nothing measured")
            return
        client = Client()
        client.force_login(coordinator)
        response = client.get(url)  # warm-up: templates, translations
        if response.status_code != 200:
            line(f"{size} registrations", f"HTTP {response.status_code}, nothing measured")
            continue
        seconds = []
        for _ in range(runs):
            with Timer() as timer:
                client.get(url)
            seconds.append(timer.seconds)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        line(
            f"{size} registrations: median / max of {runs}",
            f"{ms(statistics.median(seconds))} / {ms(max(seconds)).strip()}",
        )
        line(
            f"{size} registrations: queries, page size",
            f"{len(queries):8d}, {len(response.content) // 1024} KiB",
        )
