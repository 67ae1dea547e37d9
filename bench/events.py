"""The events' part of `make bench` (see bench.run): the builders of gate passes and
certificates of volunteer work (izziņa) for bench.documents, and two coordinators' pages at
scale, each fetched as the unit's coordinator against a bare view (the same middleware,
session and sign-in, a one-line response) — median of several runs after a warm-up, the
ratio to the bare view and the number of SQL queries, at a small size and at full size (the
queries must not grow):

* a prison's month calendar (``events:calendar?unit=<slug>&view=month``) with N events
  (default 300) in that month;
* the approval queue (``events:queue``) with M proposals (default 1,000) waiting.

A page whose URL does not resolve yet is skipped with a note. Rows are written with
bulk_create. Figures only: nothing here asserts a time."""

from __future__ import annotations

import itertools
import statistics
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from unittest import mock

from django.http import HttpResponse
from django.urls import include, path

from .measure import Timer, line, ms

_PEOPLE = itertools.count()
_COORDINATORS = itertools.count()


def _bare(request):
    """The baseline: what every page pays (middleware, session, the signed-in user)."""
    return HttpResponse(f"ok {request.user.pk}", content_type="text/plain")


# The bench's URLconf: the project's URLs and the bare view (used while the pages are timed).
urlpatterns = [path("bench/bare/", _bare, name="bench_bare"), path("", include("config.urls"))]


# --- Setup


def _prisons():
    from institutions.models import Unit

    return list(
        Unit.objects.select_related("institution")
        .filter(institution__code="IEVP", kind=Unit.Kind.PRISON)
        .order_by("pk")
    )


def _coordinator(unit):
    from accounts.models import User
    from institutions import services as institution_services

    user = User.objects.create_user(
        email=f"pasakumi{next(_COORDINATORS)}@bench.example.lv",
        password=None,
        first_name="Līga",
        last_name="Koordinatore",
    )
    institution_services.unit_coordinator_grant(actor=None, user=user, unit=unit)
    return user


def _volunteers(unit, count: int, *, agreements: bool = False) -> list:
    """``count`` volunteers (bulk rows); with ``agreements``, each with an agreement in force
    at ``unit`` for the coming year (so that the services accept them)."""
    from accounts.models import User
    from agreements.models import Agreement, Status
    from volunteers.models import Application, Volunteer
    from volunteers.models import Status as ApplicationStatus

    from .agreements import role_for, template_for

    numbers = [next(_PEOPLE) for _ in range(count)]
    users = User.objects.bulk_create(
        [
            User(
                email=f"pasakumu.vaditajs{n}@bench.example.lv",
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
                personal_code=f"170392-2{n % 10000:04d}",
                date_of_birth=date(1985, 1, 1) + timedelta(days=n % 7000),
                phone="+371 20000000",
                address="Zemgales iela 7, Olaine",
                municipality="Olaine",
            )
            for n, user in zip(numbers, users, strict=True)
        ],
        batch_size=1000,
    )
    if agreements:
        today = date.today()
        role, template = role_for(unit.institution), template_for(unit.institution)
        applications = Application.objects.bulk_create(
            [
                Application(
                    volunteer=volunteer,
                    institution=unit.institution,
                    unit=unit,
                    status=ApplicationStatus.ACTIVE,
                    reference=f"E{n:07d}",
                    motivation="Bench",
                    record_declaration="none",
                )
                for n, volunteer in zip(numbers, volunteers, strict=True)
            ],
            batch_size=1000,
        )
        actor = User.objects.filter(is_superuser=False).order_by("pk").first()
        Agreement.objects.bulk_create(
            [
                Agreement(
                    number=f"{unit.institution.code}-E-{n:06d}",
                    institution=unit.institution,
                    unit=unit,
                    application=application,
                    volunteer=application.volunteer,
                    role=role,
                    template=template,
                    status=Status.ACTIVE,
                    place=unit.name,
                    start_date=today - timedelta(days=200),
                    end_date=today + timedelta(days=365),
                    hours_per_week=Decimal("4"),
                    duties="Bench",
                    signed_on=today - timedelta(days=200),
                    created_by=actor,
                )
                for n, application in zip(numbers, applications, strict=True)
            ],
            batch_size=1000,
        )
    return volunteers


def _catalogue(institution):
    from events.models import ActivityType
    from volunteers.models import Role

    activities = list(ActivityType.objects.filter(is_active=True).order_by("order", "pk"))
    if not activities:  # the migration's list, unless a test flushed it
        activities = [ActivityType.objects.create(name="Grāmatu klubs", name_en="Book club")]
    fields = [
        Role.objects.get_or_create(institution=institution, code=code)[0]
        for code in ("education", "leisure", "sports", "addiction", "family", "social")
    ]
    return activities, fields


def _events(unit, coordinator, starts: list[datetime], *, state: str, people_per_event: int = 2) -> list:
    """Events at ``unit`` starting at ``starts`` (bulk rows), each with its volunteers."""
    from django.utils import timezone

    from events.models import Event, EventVolunteer

    activities, fields = _catalogue(unit.institution)
    volunteers = _volunteers(unit, max(10, len(starts) // 5))
    events = Event.objects.bulk_create(
        [
            Event(
                unit=unit,
                title=f"Grāmatu klubs „Lasām kopā” Nr. {n}",
                field=fields[n % len(fields)],
                activity_type=activities[n % len(activities)],
                description="Sarunas par izlasītu grāmatu.",
                starts_at=start,
                ends_at=start + timedelta(hours=2),
                place=f"{unit.name}, bibliotēka",
                expected_participants=8 + n % 10,
                target_group="adults",
                items="10 grāmatas",
                state=state,
                proposed_by=volunteers[n % len(volunteers)].user,
                created_at=timezone.now() - timedelta(days=n % 20, minutes=n),
            )
            for n, start in enumerate(starts)
        ],
        batch_size=1000,
    )
    EventVolunteer.objects.bulk_create(
        [
            EventVolunteer(event=event, volunteer=volunteers[(n + k) % len(volunteers)], is_lead=k == 0)
            for n, event in enumerate(events)
            for k in range(people_per_event)
        ],
        batch_size=2000,
    )
    return events


def _month_starts(first: date, count: int) -> list[datetime]:
    """``count`` start times spread over the month of ``first`` (several a day)."""
    from django.utils import timezone

    days = (date(first.year + first.month // 12, first.month % 12 + 1, 1) - first).days
    hours = [10, 11, 13, 14, 15, 16, 17]
    return [
        timezone.make_aware(datetime.combine(first + timedelta(days=n % days), time(hours[(n // days) % 7])))
        for n in range(count)
    ]


# --- Documents of the "event_gate_pass" and "volunteer_work_certificate" kinds


def issue_gate_pass_documents(count: int) -> list:
    """``count`` events created by the unit's coordinator (approved at once), each with its
    queued gate pass (rendered later)."""
    from django.utils import timezone

    from documents import services as document_services
    from events import services

    unit = _prisons()[0]
    coordinator = _coordinator(unit)
    activities, fields = _catalogue(unit.institution)
    volunteers = _volunteers(unit, 3, agreements=True)
    documents = []
    with mock.patch.object(document_services, "_enqueue_render", lambda document_id: None):
        for n in range(count):
            start = timezone.make_aware(
                datetime.combine(date.today() + timedelta(days=3 + n % 60), time(10 + n % 7))
            )
            event = services.event_create(
                actor=coordinator,
                unit=unit,
                details=services.Details(
                    title="Rakstīšanas meistarklase: stāsts par sevi",
                    field=fields[n % len(fields)],
                    activity_type=activities[n % len(activities)],
                    description="Rakstīšanas nodarbība ieslodzītajiem.",
                    starts_at=start,
                    ends_at=start + timedelta(hours=2),
                    place=f"{unit.name}, mācību klase",
                    expected_participants=10,
                    target_group="adults",
                    items="Burtnīcas (12), pildspalvas (12), " * (1 + n % 3),
                ),
                lead=volunteers[0],
                others=volunteers[1 : 1 + n % 3],
            )
            documents.append(event.documents.get())
    return documents


def issue_work_certificate_documents(count: int) -> list:
    """``count`` izziņas issued by the unit's coordinator (``certificate_create``), each over
    half a year of approved hours (24 weekly events), with its queued PDF (rendered later)."""
    from django.utils import timezone

    from documents import services as document_services
    from events import services
    from events.models import EventState, HoursRecord, HoursState

    unit = _prisons()[0]
    coordinator = _coordinator(unit)
    volunteers = _volunteers(unit, count, agreements=True)
    first = date.today() - timedelta(days=180)
    starts = [
        timezone.make_aware(datetime.combine(first + timedelta(days=7 * n), time(15))) for n in range(24)
    ]
    events = _events(unit, coordinator, starts, state=EventState.REPORTED, people_per_event=1)
    records = [
        HoursRecord(
            volunteer=volunteer,
            unit=unit,
            kind=HoursRecord.Kind.EVENT,
            event=event,
            field=event.field,
            activity_type=event.activity_type,
            day=timezone.localtime(event.starts_at).date(),
            hours=Decimal("2"),
            state=HoursState.APPROVED,
            decided_by=coordinator,
        )
        for volunteer in volunteers
        for event in events
    ]
    HoursRecord.objects.bulk_create(records, batch_size=2000)
    documents = []
    with mock.patch.object(document_services, "_enqueue_render", lambda document_id: None):
        for n, volunteer in enumerate(volunteers):
            certificate = services.certificate_create(
                actor=coordinator,
                unit=unit,
                volunteer=volunteer,
                period_start=first,
                period_end=date.today(),
                language="en" if n % 5 == 0 else "lv",
                purpose="Darba devējam",
            )
            documents.append(certificate.documents.get())
    return documents


# --- 5. The calendar and the approval queue


def _timed(client, url: str, runs: int) -> tuple[float, float, int, int]:
    """Median and max seconds over ``runs`` after a warm-up, queries and size of one more."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm-up: templates, translations
    seconds = []
    for _ in range(runs):
        with Timer() as timer:
            response = client.get(url)
        seconds.append(timer.seconds)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return statistics.median(seconds), max(seconds), len(queries), len(response.content)


def _measure(
    label: str, noun: str, name: str, query: str, coordinator, runs: int, sizes: list[tuple[int, object]]
) -> None:
    """``sizes``: (size, setup) pairs; each setup makes that many rows before the page is fetched."""
    from django.test import Client
    from django.urls import NoReverseMatch, reverse

    try:
        url = reverse(name) + query
    except NoReverseMatch:
        line(f"no view named {name}", "nothing measured (skipped)")
        return
    client = Client()
    client.force_login(coordinator)
    bare, _max, bare_queries, _size = _timed(client, reverse("bench_bare"), runs)
    line(f"{label}: bare view, median, queries", f"{ms(bare)}, {bare_queries}")
    for size, setup in sizes:
        setup()
        response = client.get(url)
        if response.status_code != 200:
            line(f"{label}, {size} {noun}", f"HTTP {response.status_code}, nothing measured")
            continue
        median, most, queries, length = _timed(client, url, runs)
        line(f"{label}, {size} {noun}: median / max of {runs}", f"{ms(median)} / {ms(most).strip()}")
        line(
            f"{label}, {size} {noun}: × bare, queries, size",
            f"{median / bare:8.1f} ×, {queries} queries, {length // 1024} KiB",
        )


def bench_pages(calendar: int, queue: int, runs: int = 7) -> None:
    from django.test.utils import override_settings
    from django.utils import timezone

    from events.models import EventState

    print("\n5. Events: a prison's month calendar and the approval queue (GET as the unit's coordinator)")
    prisons = _prisons()
    if len(prisons) < 2:
        line("fewer than two IeVP prisons", "nothing measured")
        return
    with override_settings(ROOT_URLCONF="bench.events", DEBUG=False):
        if calendar:
            unit = prisons[0]
            coordinator = _coordinator(unit)
            first = (timezone.localdate().replace(day=1) + timedelta(days=32)).replace(day=1)
            small = max(1, calendar // 10)
            done = [0]

            def grow(size):
                def make():
                    starts = _month_starts(first, size - done[0])
                    half = len(starts) // 2
                    _events(unit, coordinator, starts[:half], state=EventState.APPROVED)
                    _events(unit, coordinator, starts[half:], state=EventState.PROPOSED)
                    done[0] = size

                return make

            _measure(
                "calendar",
                "events",
                "events:calendar",
                f"?unit={unit.slug}&view=month&date={first.isoformat()}",
                coordinator,
                runs,
                [(small, grow(small)), (calendar, grow(calendar))],
            )
        if queue:
            unit = prisons[1]
            coordinator = _coordinator(unit)
            small = max(1, queue // 10)
            made = [0]

            def propose(size):
                def make():
                    today = timezone.localdate()
                    starts = [
                        timezone.make_aware(
                            datetime.combine(today + timedelta(days=3 + n % 90), time(10 + n % 7))
                        )
                        for n in range(size - made[0])
                    ]
                    _events(unit, coordinator, starts, state=EventState.PROPOSED)
                    made[0] = size

                return make

            _measure(
                "queue",
                "proposals",
                "events:queue",
                "",
                coordinator,
                runs,
                [(small, propose(small)), (queue, propose(queue))],
            )
