"""The national ×100 scale for the pages part of `make bench` (bench.pages): seeds, with
``bulk_create`` in chunks (no signals, no services for the bulk rows, one password hash
reused), what the issue measured at ×100 — 25,000 volunteers (accounts and profiles),
27,000 applications over the 17 open units (about 3,000 at Olaines cietums), 12,400
agreements and 115,000 history events (the applications' steps, notes and emails —
``ApplicationEvent`` — and the agreements' timeline in the audit trail), plus each
application's and agreement's simple-history row, its role, training sessions with their
days and registrations, and events in the prisons with their volunteers.

``seed(scale=100)``; ``scale=1`` is a hundredth (the test of this module). Returns a
:class:`Seeded` with the people and sample objects the pages are fetched with (the ministry
viewer too, for the reports).

``seed_dashboards(seeded, scale=100)`` then seeds the dashboards' scale of issue 16 on top:
100 units (VPD departments and IeVP prison sections added), 300,000 events over every unit
and the months of last year and this one, their lead volunteers and hours, and training
sessions with registrations and completions (bench.dashboards times the reports on it).
The big tables are written by :func:`_insert` (``COPY`` on PostgreSQL, ``bulk_create`` in
chunks elsewhere)."""

from __future__ import annotations

import itertools
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

CHUNK = 2000
OLAINE = "olaines-cietums"

# Per ×1 (a hundredth of the national figures).
VOLUNTEERS = 250
APPLICATIONS = 270
OLAINE_APPLICATIONS = 30
AGREEMENTS = 124
HISTORY_EVENTS = 1150
SESSIONS = 4
EVENTS = 30

FIELDS_VPD = ["mentor", "mediator", "circles"]  # volunteers.Role codes: the fields of work
FIELDS_IEVP = ["education", "leisure", "sports", "addiction", "family", "social"]

FIRST_NAMES = [  # (masculine, feminine)
    ("Jānis", "Anna"),
    ("Andris", "Kristīne"),
    ("Mārtiņš", "Inese"),
    ("Edgars", "Līga"),
    ("Kārlis", "Ilze"),
    ("Ģirts", "Ērika"),
    ("Pēteris", "Dace"),
    ("Uldis", "Sanita"),
    ("Rihards", "Laura"),
    ("Aigars", "Zane"),
    ("Oskars", "Agnese"),
    ("Roberts", "Māra"),
]
SURNAMES = [  # (masculine, feminine): Bērziņš is the commonest Latvian surname
    ("Bērziņš", "Bērziņa"),
    ("Kalniņš", "Kalniņa"),
    ("Ozoliņš", "Ozoliņa"),
    ("Jansons", "Jansone"),
    ("Ozols", "Ozola"),
    ("Liepiņš", "Liepiņa"),
    ("Krūmiņš", "Krūmiņa"),
    ("Balodis", "Balode"),
    ("Zariņš", "Zariņa"),
    ("Pētersons", "Pētersone"),
    ("Vītols", "Vītola"),
    ("Kļaviņš", "Kļaviņa"),
    ("Kārkliņš", "Kārkliņa"),
    ("Vanags", "Vanaga"),
    ("Žagars", "Žagare"),
    ("Āboliņš", "Āboliņa"),
    ("Grīnbergs", "Grīnberga"),
    ("Lāčplēsis", "Lāčplēse"),
    ("Šteins", "Šteina"),
    ("Ķuzis", "Ķuze"),
    ("Dūmiņš", "Dūmiņa"),
    ("Eglītis", "Eglīte"),
    ("Siliņš", "Siliņa"),
    ("Mežs", "Meža"),
    ("Cīrulis", "Cīrule"),
    ("Upītis", "Upīte"),
    ("Rozenbergs", "Rozenberga"),
    ("Sproģis", "Sproģe"),
    ("Gailītis", "Gailīte"),
    ("Zvaigzne", "Zvaigzne"),
]
_ASCII = str.maketrans("āčēģīķļņšūžĀČĒĢĪĶĻŅŠŪŽ", "acegiklnsuzACEGIKLNSUZ")

# Share of applications per status (per cent): 46 % reached the agreement step, as 12,400 of 27,000.
STATUS_SHARES = [
    ("submitted", 7),
    ("screening", 7),
    ("vetting", 7),
    ("training", 6),
    ("agreement", 4),
    ("active", 30),
    ("paused", 3),
    ("ended", 9),
    ("rejected", 16),
    ("withdrawn", 11),
]
PATH = ["submitted", "screening", "vetting", "training", "agreement", "active"]


@dataclass
class Seeded:
    """Who the pages are fetched as, and sample rows for the detail pages."""

    people: dict = field(default_factory=dict)  # key -> User (see PEOPLE in bench.pages)
    application_pk: int | None = None  # an Olaine application with a full history
    agreement_pk: int | None = None  # an Olaine agreement in force with its timeline
    counts: Counter = field(default_factory=Counter)
    coordinators: dict = field(default_factory=dict)  # unit pk -> its coordinator's user pk


def _chunked(model, rows: list, *, batch_size: int = CHUNK) -> list:
    created = []
    for start in range(0, len(rows), batch_size):
        created.extend(model.objects.bulk_create(rows[start : start + batch_size]))
    return created


def _insert(model, rows: list) -> list:
    """Bulk inserts of the big tables (hundreds of thousands of rows): ``bulk_create`` in
    chunks, and on PostgreSQL ``COPY`` — the same model instances, their primary keys
    reserved from the table's sequence first, their attribute values written as they are
    (no per-value preparation by Django), with the foreign-key triggers off for the copy when
    the role may (``session_replication_role``, superusers only: the rows reference rows just
    made) — together three to four times faster, which keeps the dashboards' scale within its
    budget. No signals, no history, like ``bulk_create``."""
    import enum

    from django.db import connection, transaction

    if connection.vendor != "postgresql" or not rows:
        return _chunked(model, rows)
    meta = model._meta
    fields = meta.concrete_fields
    quote = connection.ops.quote_name
    # Values written as they are for plain fields; anything else (JSON, a custom field, a
    # date set on saving) as Django's bulk_create prepares it.
    plain = _plain_fields()
    prepare = {
        field.attname: None
        if (type(field) in plain or field.is_relation)
        and not (getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False))
        else field
        for field in fields
    }
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('is_superuser') = 'on'")
        if cursor.fetchone()[0]:
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, len(rows)],
        )
        for row, (pk,) in zip(rows, cursor.fetchall(), strict=True):
            row.pk = pk
        columns = ", ".join(quote(field.column) for field in fields)
        attnames = [field.attname for field in fields]
        special = [(k, prepare[name]) for k, name in enumerate(attnames) if prepare[name] is not None]
        with cursor.copy(f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN") as copy:
            for row in rows:
                # psycopg writes an Enum by its name: the choices' value instead
                values = [getattr(row, name) for name in attnames]
                values = [value.value if isinstance(value, enum.Enum) else value for value in values]
                for k, field in special:
                    values[k] = field.get_db_prep_save(field.pre_save(row, True), connection)
                copy.write_row(values)
    return rows


def _plain_fields() -> set:
    from django.db import models

    return {
        models.AutoField,
        models.BigAutoField,
        models.BigIntegerField,
        models.BooleanField,
        models.CharField,
        models.DateField,
        models.DateTimeField,
        models.DecimalField,
        models.EmailField,
        models.IntegerField,
        models.PositiveBigIntegerField,
        models.PositiveIntegerField,
        models.PositiveSmallIntegerField,
        models.SlugField,
        models.SmallIntegerField,
        models.TextField,
        models.TimeField,
    }


def _aware(day: date, hour: int = 10, minute: int = 0):
    from django.utils import timezone

    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _units():
    """The 17 open units that take volunteers (no central office, nothing closed)."""
    from institutions.models import Unit

    return list(
        Unit.objects.select_related("institution")
        .filter(institution__code__in=["IEVP", "VPD"], valid_to__isnull=True)
        .exclude(kind=Unit.Kind.CENTRAL_OFFICE)
        .order_by("institution__code", "pk")
    )


def _people(units) -> tuple[dict, dict]:
    """The coordinators the pages are fetched as (granted through the services: a few rows)."""
    from accounts.models import User
    from institutions import services
    from institutions.models import Institution, Unit

    def user(email: str, first: str, last: str):
        return User.objects.create_user(email=email, password=None, first_name=first, last_name=last)

    ievp = Institution.objects.get(code="IEVP")
    vpd = Institution.objects.get(code="VPD")
    people = {
        "unit": user("olaine@bench.example.lv", "Līga", "Olaines"),
        "central": user("ievp.centrs@bench.example.lv", "Inese", "Centrāle"),
        "vpd_unit": user("vpd.riga@bench.example.lv", "Kristīne", "Rīgas"),
        "vpd_central": user("vpd.centrs@bench.example.lv", "Andris", "Centrālais"),
        "ministry": user("ministrija@bench.example.lv", "Māra", "Ministrija"),
    }
    services.ministry_viewer_grant(actor=None, user=people["ministry"])
    services.unit_coordinator_grant(actor=None, user=people["unit"], unit=Unit.objects.get(slug=OLAINE))
    services.central_coordinator_grant(actor=None, user=people["central"], institution=ievp)
    services.unit_coordinator_grant(
        actor=None, user=people["vpd_unit"], unit=Unit.objects.get(slug="vpd-rigas-regions")
    )
    services.central_coordinator_grant(actor=None, user=people["vpd_central"], institution=vpd)
    coordinators = {}  # one per unit: the actors of the history
    for unit in units:
        if unit.slug == OLAINE:
            coordinators[unit.pk] = people["unit"]
        elif unit.slug == "vpd-rigas-regions":
            coordinators[unit.pk] = people["vpd_unit"]
        else:
            coordinators[unit.pk] = user(f"{unit.slug}@bench.example.lv", "Koordinators", unit.name)
            services.unit_coordinator_grant(actor=None, user=coordinators[unit.pk], unit=unit)
    return people, coordinators


def _spread(total: int, olaine: int, units) -> list:
    """The unit of each of ``total`` applications: ``olaine`` at Olaines cietums, the rest even."""
    others = [unit for unit in units if unit.slug != OLAINE]
    olaine_unit = next(unit for unit in units if unit.slug == OLAINE)
    rest = [others[n % len(others)] for n in range(total - olaine)]
    step = max(1, total // max(1, olaine))  # interleaved, so that every period has some
    result, olaine_left = [], olaine
    for n in range(total):
        if olaine_left and n % step == 0:
            result.append(olaine_unit)
            olaine_left -= 1
        elif rest:
            result.append(rest.pop())
        else:
            result.append(olaine_unit)
    return result


def _note(application, actor, at):
    from volunteers.models import ApplicationEvent

    return ApplicationEvent(
        application=application,
        created_at=at,
        actor=actor,
        kind="note",
        reason="Pārrunas notika; motivācija skaidra.",
    )


def seed(scale: int = 100, *, today: date | None = None) -> Seeded:
    from django.contrib.auth.hashers import make_password
    from django.contrib.contenttypes.models import ContentType
    from django.utils import timezone

    from accounts.models import User
    from agreements.models import Agreement
    from agreements.models import Status as AgreementStatus
    from events.models import ActivityType, Event, EventState, EventVolunteer
    from institutions.models import AuditEvent
    from trainings.models import Course, Registration, RegistrationState, Session, SessionDay, SessionState
    from volunteers.models import Application, ApplicationEvent, Role, Volunteer, search_text_of

    from .agreements import role_for, template_for

    today = today or timezone.localdate()
    seeded = Seeded()
    units = _units()
    unit_by_pk = {unit.pk: unit for unit in units}
    people, coordinators = _people(units)
    seeded.people = people
    seeded.coordinators = {unit_pk: user.pk for unit_pk, user in coordinators.items()}
    roles = {}
    for unit in units:
        if unit.institution_id not in roles:
            codes = FIELDS_VPD if unit.institution.code == "VPD" else FIELDS_IEVP
            roles[unit.institution_id] = [
                Role.objects.get_or_create(institution=unit.institution, code=code)[0] for code in codes
            ]
    agreement_roles = {unit.institution_id: role_for(unit.institution) for unit in units}
    templates = {unit.institution_id: template_for(unit.institution) for unit in units}

    # Volunteers: accounts and profiles.
    password = make_password("Tilts-bench-2026")  # one hash for every account
    n_volunteers = VOLUNTEERS * scale
    users = []
    for n in range(n_volunteers):
        female = n % 2 == 1
        first = FIRST_NAMES[(n // 2) % len(FIRST_NAMES)][female]
        last = SURNAMES[(n * 7 + n // 30) % len(SURNAMES)][female]
        users.append(
            User(
                email=f"{first}.{last}.{n}@bench.example.lv".lower().translate(_ASCII),
                first_name=first,
                last_name=last,
                password=password,
                language="en" if n % 9 == 0 else "lv",
                date_joined=_aware(today - timedelta(days=n % 720)),
            )
        )
    users = _insert(User, users)
    volunteers = _insert(
        Volunteer,
        [
            Volunteer(
                user=user,
                personal_code=f"{(n % 28) + 1:02d}{(n % 12) + 1:02d}{80 + n % 20:02d}-{n:05d}"[:12],
                date_of_birth=date(1960, 1, 1) + timedelta(days=(n * 37) % 16000),
                phone=f"+371 2{n:07d}"[:30],
                address=f"Brīvības iela {1 + n % 200}, Rīga",
                municipality=("Rīga", "Olaine", "Jelgava", "Liepāja", "Valmiera")[n % 5],
                created_at=user.date_joined,
            )
            for n, user in enumerate(users)
        ],
    )
    seeded.counts["volunteers"] = len(volunteers)

    # Applications: one per volunteer, and a second one to the other institution for some.
    n_applications = APPLICATIONS * scale
    placed = _spread(n_applications, OLAINE_APPLICATIONS * scale, units)
    statuses = list(itertools.chain.from_iterable([status] * share for status, share in STATUS_SHARES))
    ievp_units = [unit for unit in units if unit.institution.code == "IEVP"]
    vpd_units = [unit for unit in units if unit.institution.code == "VPD"]
    applications = []
    first_institution = {}
    for n in range(n_applications):
        unit = placed[n]
        if n < n_volunteers:
            volunteer = volunteers[n]
            first_institution[n] = unit.institution_id
        else:  # a second application: the other institution (one open per institution)
            index = (n - n_volunteers) * 11 % n_volunteers
            volunteer = volunteers[index]
            if first_institution.get(index) == unit.institution_id:
                pool = vpd_units if unit.institution.code == "IEVP" else ievp_units
                unit = pool[n % len(pool)]
        status = statuses[(n * 37) % len(statuses)]
        submitted = _aware(today - timedelta(days=(n * 7919) % 730), 8 + n % 10, n % 60)
        applications.append(
            Application(
                reference=f"T{submitted.year}-{n:05d}",
                # bulk_create skips Application.save(), which keeps the folded search column
                search_text=search_text_of(
                    f"T{submitted.year}-{n:05d}",
                    volunteer.user.first_name,
                    volunteer.user.last_name,
                    volunteer.user.email,
                ),
                volunteer=volunteer,
                institution=unit.institution,
                unit=unit,
                status=status,
                status_changed_at=submitted + timedelta(days=min(60, (n % 90))),
                motivation="Vēlos palīdzēt cilvēkiem atgriezties sabiedrībā. " * (1 + n % 3),
                experience="Brīvprātīgais darbs jauniešu centrā." if n % 3 else "",
                heard_from="website",
                record_declaration="none",
                consent_record_check=True,
                consent_data_processing=True,
                language="en" if n % 9 == 0 else "lv",
                submitted_at=submitted,
            )
        )
    applications = _insert(Application, applications)
    Through = Application.roles.through
    _insert(
        Through,
        [
            Through(application_id=application.pk, role_id=roles[application.institution_id][n % 3].pk)
            for n, application in enumerate(applications)
        ],
    )
    seeded.counts["applications"] = len(applications)
    seeded.counts["applications at Olaines cietums"] = sum(
        1 for application in applications if unit_by_pk[application.unit_id].slug == OLAINE
    )

    # Agreements: one per application that reached the agreement step (12,400 at ×100).
    kinds = [
        AgreementStatus.DRAFT,
        AgreementStatus.GENERATED,
        AgreementStatus.SENT,
        AgreementStatus.SIGNED,
    ]
    agreements = []
    for n, application in enumerate(applications):
        if application.status not in ("agreement", "active", "paused", "ended"):
            continue
        if len(agreements) >= AGREEMENTS * scale:
            break
        unit = unit_by_pk[application.unit_id]
        start = application.submitted_at.date() + timedelta(days=45)
        if application.status == "agreement":
            status = kinds[n % len(kinds)]
            start = today + timedelta(days=5 + n % 20)
        elif application.status == "ended":
            status = AgreementStatus.ENDED
        else:
            status = AgreementStatus.ACTIVE
        end = start + timedelta(days=365)
        if status == AgreementStatus.ACTIVE and end < today:
            end = today + timedelta(days=(n * 13) % 300)
        if status == AgreementStatus.ENDED:
            end = min(end, today - timedelta(days=1 + n % 60))
            start = min(start, end)
        generated = status != AgreementStatus.DRAFT
        agreements.append(
            Agreement(
                number=f"{unit.institution.code}-{start.year}-B{n:05d}" if generated else None,
                institution=unit.institution,
                unit=unit,
                application=application,
                volunteer_id=application.volunteer_id,
                role=agreement_roles[unit.institution_id],
                template=templates[unit.institution_id],
                status=status,
                place=f"{unit.name}, apmeklētāju telpa",
                start_date=start,
                end_date=end,
                hours_per_week=Decimal("4"),
                duties="Ģimenes saišu nodarbības ieslodzītajiem; tikšanās ar ģimenēm.",
                generated_at=_aware(start - timedelta(days=14)) if generated else None,
                sent_at=_aware(start - timedelta(days=12)) if status not in kinds[:2] else None,
                signed_on=start - timedelta(days=7)
                if status in (AgreementStatus.SIGNED, AgreementStatus.ACTIVE, AgreementStatus.ENDED)
                else None,
                ended_on=end if status == AgreementStatus.ENDED else None,
                end_kind=("expired" if n % 3 else "terminated") if status == AgreementStatus.ENDED else "",
                created_by=coordinators[unit.pk],
                created_at=_aware(start - timedelta(days=20)),
            )
        )
    agreements = _insert(Agreement, agreements)
    seeded.counts["agreements"] = len(agreements)

    # History: the agreements' timeline (audit trail) and the applications' steps.
    agreement_type = ContentType.objects.get_for_model(Agreement)
    steps = {
        "draft": ["agreement.create"],
        "generated": ["agreement.create", "agreement.generate"],
        "sent": ["agreement.create", "agreement.generate", "agreement.send"],
        "signed": ["agreement.create", "agreement.generate", "agreement.send", "agreement.sign"],
        "active": ["agreement.create", "agreement.generate", "agreement.sign", "agreement.activate"],
        "ended": [
            "agreement.create",
            "agreement.generate",
            "agreement.sign",
            "agreement.activate",
            "agreement.end",
        ],
    }
    system = ("agreement.activate", "agreement.end")  # the daily job's steps
    audit = []
    for agreement in agreements:
        actor = coordinators[agreement.unit_id]
        for k, action in enumerate(steps[agreement.status]):
            audit.append(
                AuditEvent(
                    created_at=agreement.created_at + timedelta(days=3 * k),
                    actor=None if action in system else actor,
                    actor_label="system"
                    if action in ("agreement.activate", "agreement.end")
                    else actor.email,
                    institution_id=agreement.institution_id,
                    unit_id=agreement.unit_id,
                    action=action,
                    target_type=agreement_type,
                    target_id=str(agreement.pk),
                    target_label=agreement.number or "",
                )
            )
    _insert(AuditEvent, audit)

    # The applications' events: "submitted" and the last step always, the steps between
    # and interview notes as far as the total of history events allows (or up to it).
    budget = HISTORY_EVENTS * scale - len(audit)
    paths = []
    for application in applications:
        status = application.status
        if status in PATH:
            path = PATH[: PATH.index(status) + 1]
        elif status == "paused":
            path = [*PATH, "paused"]
        elif status == "ended":
            path = [*PATH, "ended"]
        else:  # rejected or withdrawn at some step
            path = [*PATH[: 1 + application.pk % 3], status]
        paths.append(path)
    must = sum(min(2, len(path)) for path in paths)
    optional = sum(max(0, len(path) - 2) + 1 for path in paths)  # steps between, and a note
    keep = max(0, min(100, round(100 * (budget - must) / max(1, optional))))
    events = []
    for n, (application, path) in enumerate(zip(applications, paths, strict=True)):
        actor = coordinators[application.unit_id]
        at = application.submitted_at
        for k, status in enumerate(path):
            last = k == len(path) - 1
            if k > 0 and not last and (n * 31 + k * 17) % 100 >= keep:
                continue
            events.append(
                ApplicationEvent(
                    application=application,
                    created_at=at + timedelta(days=6 * k, hours=k),
                    actor=None if k == 0 else actor,
                    kind="submitted" if k == 0 else "transition",
                    from_status="" if k == 0 else path[k - 1],
                    to_status=status,
                    reason="Neatbilst prasībām." if status == "rejected" else "",
                    visible_to_volunteer=True,
                    notify=k > 0,
                    emailed_at=at + timedelta(days=6 * k, hours=k, minutes=1) if k > 0 else None,
                )
            )
            if k == 1 and (n * 13) % 100 < keep:
                events.append(_note(application, actor, at + timedelta(days=7)))
    for n in range(max(0, budget - len(events))):  # more notes up to the total
        application = applications[(n * 7) % len(applications)]
        at = application.submitted_at + timedelta(days=8 + n % 20)
        events.append(_note(application, coordinators[application.unit_id], at))
    _insert(ApplicationEvent, events)
    seeded.counts["history events"] = len(audit) + len(events)

    # simple-history's creation row of each application and agreement (what the services write).
    Application.history.bulk_history_create(applications, batch_size=CHUNK, default_date=timezone.now())
    Agreement.history.bulk_history_create(agreements, batch_size=CHUNK, default_date=timezone.now())

    # Training sessions with their days and registrations.
    courses = {}
    for unit in units:
        if unit.institution_id not in courses:
            course = (
                Course.objects.filter(institution=unit.institution, is_active=True).order_by("pk").first()
            )
            courses[unit.institution_id] = course or Course.objects.create(
                institution=unit.institution, title="Ievadapmācība", hours=Decimal("8")
            )
    sessions = []
    for n in range(SESSIONS * scale):
        unit = units[n % len(units)]
        first = today + timedelta(days=(n * 11) % 400 - 200)
        state = SessionState.HELD if first < today else (SessionState.OPEN if n % 3 else SessionState.PLANNED)
        sessions.append(
            Session(
                course=courses[unit.institution_id],
                unit=unit,
                place=f"{unit.name}, mācību klase",
                capacity=20,
                trainers="Ilze Kalniņa",
                registration_deadline=first - timedelta(days=3),
                state=state,
                first_day=first,
                last_day=first + timedelta(days=1),
                created_by=coordinators[unit.pk],
            )
        )
    sessions = _chunked(Session, sessions)
    _chunked(
        SessionDay,
        [
            SessionDay(
                session=session,
                date=session.first_day + timedelta(days=k),
                starts_at=time(10),
                ends_at=time(16),
            )
            for session in sessions
            for k in range(2)
        ],
    )
    by_unit = {}
    for application in applications:
        by_unit.setdefault(application.unit_id, []).append(application)
    registrations = []
    for n, session in enumerate(sessions):
        pool = by_unit.get(session.unit_id, [])
        for k in range(min(12, len(pool))):
            application = pool[(n * 12 + k) % len(pool)]
            registrations.append(
                Registration(
                    session=session,
                    volunteer_id=application.volunteer_id,
                    application=application,
                    state=RegistrationState.REGISTERED,
                    registered_by=coordinators[session.unit_id],
                )
            )
    registrations = list({(r.session_id, r.volunteer_id): r for r in registrations}.values())
    _chunked(Registration, registrations)
    seeded.counts["training sessions"] = len(sessions)

    # Events in the prisons, each with two volunteers of the prison.
    prisons = [unit for unit in units if unit.institution.code == "IEVP"]
    activities = list(ActivityType.objects.order_by("order", "pk")) or [
        ActivityType.objects.create(name="Grāmatu klubs", name_en="Book club")
    ]
    states = [EventState.REPORTED] * 5 + [EventState.APPROVED] * 2 + [EventState.PROPOSED, EventState.HELD]
    prison_events = []
    for n in range(EVENTS * scale):
        unit = prisons[n % len(prisons)] if n % 4 else next(u for u in prisons if u.slug == OLAINE)
        start = _aware(today + timedelta(days=(n * 7) % 240 - 180), 10 + n % 7)
        state = states[n % len(states)]
        if start.date() >= today:
            state = (EventState.APPROVED, EventState.PROPOSED)[n % 2]
        pool = by_unit.get(unit.pk, [])
        prison_events.append(
            Event(
                unit=unit,
                title=f"Grāmatu klubs „Lasām kopā” Nr. {n}",
                field=roles[unit.institution_id][n % len(roles[unit.institution_id])],
                activity_type=activities[n % len(activities)],
                description="Sarunas par izlasītu grāmatu.",
                starts_at=start,
                ends_at=start + timedelta(hours=2),
                place=f"{unit.name}, bibliotēka",
                expected_participants=8 + n % 10,
                target_group="adults",
                state=state,
                proposed_by=pool[n % len(pool)].volunteer.user if pool else coordinators[unit.pk],
                created_at=start - timedelta(days=14),
                # the report's figures (the dashboards count them)
                actual_participants=6 + n % 9 if state in (EventState.HELD, EventState.REPORTED) else None,
                reported_at=start + timedelta(days=1) if state == EventState.REPORTED else None,
                reported_by=coordinators[unit.pk] if state == EventState.REPORTED else None,
            )
        )
    prison_events = _chunked(Event, prison_events)
    links = {}
    for n, event in enumerate(prison_events):
        pool = by_unit.get(event.unit_id, [])
        for k in range(min(2, len(pool))):
            volunteer_id = pool[(n * 2 + k) % len(pool)].volunteer_id
            links[(event.pk, volunteer_id)] = EventVolunteer(
                event=event, volunteer_id=volunteer_id, is_lead=k == 0
            )
    _chunked(EventVolunteer, list(links.values()))
    seeded.counts["events in prisons"] = len(prison_events)

    # Sample rows for the detail pages: an Olaine application in force with its full history.
    olaine = next(unit for unit in units if unit.slug == OLAINE)
    sample = next(
        (a for a in agreements if a.unit_id == olaine.pk and a.status == AgreementStatus.ACTIVE),
        next((a for a in agreements if a.unit_id == olaine.pk), None),
    )
    if sample is not None:
        seeded.agreement_pk = sample.pk
        seeded.application_pk = sample.application_id
    else:
        seeded.application_pk = next((a.pk for a in applications if a.unit_id == olaine.pk), None)
    return seeded


# --- The dashboards' scale (issue 16): 100 units, 300,000 events at ×100 -------------------

UNITS_IN_ALL = 100  # volunteer units (open, not central offices) after seed_dashboards
EVENTS_IN_ALL = 3000  # per ×1, the prisons' EVENTS included: 300,000 at ×100
DASHBOARD_SESSIONS = 4  # per ×1, on top of SESSIONS: over every unit, last and this year
SESSION_PLACES = 12  # registrations per session
VPD_UNIT_SHARE = 0.7  # of the units added: VPD departments, the rest IeVP sections

# VPD's departments by region (the genitive of the town: "Ogres nodaļa"); Jelgava and
# Liepāja have theirs already.
VPD_DEPARTMENTS = {
    "vpd-rigas-regions": [
        "Ogres",
        "Salaspils",
        "Siguldas",
        "Jūrmalas",
        "Tukuma",
        "Limbažu",
        "Saulkrastu",
        "Ķekavas",
        "Mārupes",
        "Ādažu",
        "Olaines",
        "Baložu",
        "Rīgas 1.",
        "Rīgas 2.",
        "Rīgas 3.",
    ],
    "vpd-zemgales-regions": [
        "Jelgavas 2.",
        "Bauskas",
        "Dobeles",
        "Aizkraukles",
        "Jēkabpils",
        "Iecavas",
        "Auces",
        "Ozolnieku",
        "Skrīveru",
        "Vecumnieku",
        "Kokneses",
    ],
    "vpd-kurzemes-regions": [
        "Ventspils",
        "Kuldīgas",
        "Talsu",
        "Saldus",
        "Aizputes",
        "Grobiņas",
        "Skrundas",
        "Pāvilostas",
        "Dundagas",
        "Kandavas",
        "Priekules",
    ],
    "vpd-latgales-regions": [
        "Daugavpils",
        "Rēzeknes",
        "Ludzas",
        "Balvu",
        "Preiļu",
        "Krāslavas",
        "Līvānu",
        "Viļānu",
        "Kārsavas",
        "Dagdas",
        "Zilupes",
    ],
    "vpd-vidzemes-regions": [
        "Valmieras",
        "Cēsu",
        "Madonas",
        "Gulbenes",
        "Alūksnes",
        "Smiltenes",
        "Valkas",
        "Mazsalacas",
        "Rūjienas",
        "Ērgļu",
        "Cesvaines",
    ],
}
# The prisons the IeVP sections are added to (not Olaine: its coordinator's scope stays one prison).
SECTION_PRISONS = [
    "rigas-centralcietums",
    "ilguciema-cietums",
    "jelgavas-cietums",
    "daugavgrivas-cietums",
    "liepajas-cietums",
    "valmieras-cietums",
    "jekabpils-cietums",
    "cesu-audzinasanas-iestade",
]


def _add_units(seeded: Seeded, total: int) -> list:
    """Adds VPD departments (under their region) and IeVP prison sections (under their prison)
    until ``total`` volunteer units are open; one in ten of them gets a coordinator. Created one
    by one like the admin does (a few dozen rows, with their history)."""
    from django.utils.text import slugify

    from institutions import services
    from institutions.models import Institution, Unit

    have = len(_units())
    missing = max(0, total - have)
    n_vpd = min(round(missing * VPD_UNIT_SHARE), sum(len(towns) for towns in VPD_DEPARTMENTS.values()))
    vpd = Institution.objects.get(code="VPD")
    ievp = Institution.objects.get(code="IEVP")
    regions = {unit.slug: unit for unit in Unit.objects.filter(slug__in=VPD_DEPARTMENTS)}
    prisons = {unit.slug: unit for unit in Unit.objects.filter(slug__in=SECTION_PRISONS)}
    taken = set(Unit.objects.values_list("slug", flat=True))
    plan = []  # (institution, parent, name, kind, slug)
    towns = [
        (region, town)
        for k in range(20)
        for region, names in VPD_DEPARTMENTS.items()
        for town in names[k : k + 1]
    ]
    for region, town in towns[:n_vpd]:
        plan.append(
            (vpd, regions[region], f"{town} nodaļa", Unit.Kind.PROBATION_DEPARTMENT, f"vpd-{town}-nodala")
        )
    for n in range(missing - len(plan)):
        prison = prisons[SECTION_PRISONS[n % len(SECTION_PRISONS)]]
        k = 2 + n // len(SECTION_PRISONS)
        plan.append(
            (ievp, prison, f"{prison.name}, {k}. nodaļa", Unit.Kind.PRISON, f"{prison.slug}-{k}-nodala")
        )
    added = []
    for n, (institution, parent, name, kind, slug) in enumerate(plan):
        slug = slugify(slug.translate(_ASCII))
        if slug in taken:
            continue
        unit = Unit.objects.create(institution=institution, parent=parent, name=name, kind=kind, slug=slug)
        taken.add(slug)
        added.append(unit)
        if n % 10 == 0:
            from accounts.models import User

            coordinator = User.objects.create_user(
                email=f"{slug}@bench.example.lv", password=None, first_name="Koordinators", last_name=name
            )
            services.unit_coordinator_grant(actor=None, user=coordinator, unit=unit)
            seeded.coordinators[unit.pk] = coordinator.pk
    seeded.counts["units added"] = len(added)
    return added


def seed_dashboards(seeded: Seeded, scale: int = 100, *, today: date | None = None) -> Seeded:
    """The dashboards' scale on top of :func:`seed`: ``UNITS_IN_ALL`` units (VPD departments
    and IeVP sections added), events up to ``EVENTS_IN_ALL × scale`` in all, spread over every
    unit and the months of last year and this one — past ones mostly held or reported with
    their participants, each with its lead volunteer and, when held, the lead's hours (approved
    for nine in ten) —, and training sessions over every unit with registrations and, for the
    sessions held, completions. Bulk inserts in chunks (:func:`_insert` for the events, their
    volunteers and hours: ``COPY`` on PostgreSQL), written chunk by chunk (memory stays flat);
    no simple-history rows for these (as :func:`seed` does for events and sessions)."""
    from django.utils import timezone

    from events.models import ActivityType, Event, EventState, EventVolunteer, HoursRecord, HoursState
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

    today = today or timezone.localdate()
    now = timezone.now()
    _add_units(seeded, UNITS_IN_ALL)
    units = _units()
    seeded.counts["units"] = len(units)
    people = seeded.people
    institution_code = {unit.pk: unit.institution.code for unit in units}
    institution_of = {unit.pk: unit.institution_id for unit in units}
    # Who decides and reports: the unit's coordinator if it has one, else the central coordinator.
    central = {"IEVP": people["central"].pk, "VPD": people["vpd_central"].pk}
    deciders = {unit.pk: seeded.coordinators.get(unit.pk, central[unit.institution.code]) for unit in units}
    fields = {"VPD": FIELDS_VPD, "IEVP": FIELDS_IEVP}
    roles = {}
    for unit in units:
        if unit.institution_id not in roles:
            codes = fields[unit.institution.code]
            roles[unit.institution_id] = [
                Role.objects.get_or_create(institution=unit.institution, code=code)[0].pk for code in codes
            ]
    activities = list(ActivityType.objects.order_by("order", "pk").values_list("pk", flat=True))
    # The volunteers of each unit (its applicants), else of its institution.
    pools, institution_pools = {}, {}
    for app_pk, unit_pk, institution_pk, volunteer_pk, user_pk in Application.objects.order_by(
        "pk"
    ).values_list("pk", "unit_id", "institution_id", "volunteer_id", "volunteer__user_id"):
        pools.setdefault(unit_pk, []).append((volunteer_pk, user_pk, app_pk))
        institution_pools.setdefault(institution_pk, []).append((volunteer_pk, user_pk, app_pk))
    pool_of = {unit.pk: pools.get(unit.pk) or institution_pools[unit.institution_id] for unit in units}

    first_day = date(today.year - 1, 1, 1)
    span = (date(today.year, 12, 31) - first_day).days + 1
    aware = {}

    def at(day: date, hour: int):
        key = (day, hour)
        if key not in aware:
            aware[key] = _aware(day, hour)
        return aware[key]

    done = [EventState.REPORTED] * 6 + [EventState.HELD] * 2 + [EventState.NOT_HELD, EventState.CANCELLED]
    total = max(0, EVENTS_IN_ALL * scale - Event.objects.count())
    made = Counter()
    chunk = 10_000
    for start in range(0, total, chunk):
        events = []
        for n in range(start, min(total, start + chunk)):
            unit = units[n % len(units)]
            day = first_day + timedelta(days=(n * 7919 + n // len(units)) % span)
            begins = at(day, 9 + n % 9)
            if day >= today:
                state = (EventState.APPROVED, EventState.PROPOSED, EventState.APPROVED)[n % 3]
            else:
                state = done[(n * 7) % len(done)]
            held = state in (EventState.HELD, EventState.REPORTED)
            volunteer_pk, user_pk, _app = pool_of[unit.pk][(n * 31) % len(pool_of[unit.pk])]
            decider = deciders[unit.pk]
            field_pks = roles[unit.institution_id]
            events.append(
                Event(
                    unit_id=unit.pk,
                    title=f"Nodarbība Nr. {n}",
                    field_id=field_pks[n % len(field_pks)],
                    activity_type_id=activities[n % len(activities)],
                    description="Sarunas un kopīgs darbs.",
                    starts_at=begins,
                    ends_at=begins + timedelta(hours=2),
                    place=f"{unit.name}, zāle",
                    expected_participants=8 + n % 10,
                    target_group="adults" if institution_code[unit.pk] == "IEVP" else "clients",
                    state=state,
                    proposed_by_id=user_pk,
                    created_at=begins - timedelta(days=21),
                    decided_by_id=decider if state != EventState.PROPOSED else None,
                    decided_at=begins - timedelta(days=14) if state != EventState.PROPOSED else None,
                    actual_participants=5 + n % 12 if held else None,
                    reported_at=begins + timedelta(days=2) if state == EventState.REPORTED else None,
                    reported_by_id=decider if state == EventState.REPORTED else None,
                    state_changed_at=now,
                )
            )
            made[state] += 1
        events = _insert(Event, events)
        links, hours = [], []
        for n, event in enumerate(events, start=start):
            pool = pool_of[event.unit_id]
            volunteer_pk = pool[(n * 31) % len(pool)][0]
            links.append(EventVolunteer(event_id=event.pk, volunteer_id=volunteer_pk, is_lead=True))
            if event.state in (EventState.HELD, EventState.REPORTED):
                approved = n % 10 != 0
                hours.append(
                    HoursRecord(
                        volunteer_id=volunteer_pk,
                        unit_id=event.unit_id,
                        kind=HoursRecord.Kind.EVENT,
                        event_id=event.pk,
                        field_id=event.field_id,
                        activity_type_id=event.activity_type_id,
                        day=timezone.localtime(event.starts_at).date(),
                        hours=Decimal("2.0"),
                        state=HoursState.APPROVED if approved else HoursState.PENDING,
                        decided_by_id=deciders[event.unit_id] if approved else None,
                        decided_at=event.reported_at if approved else None,
                        created_at=event.starts_at + timedelta(days=1),
                    )
                )
        _insert(EventVolunteer, links)
        _insert(HoursRecord, hours)
        made["links"] += len(links)
        made["hours"] += len(hours)
        made["approved hours"] += sum(1 for record in hours if record.state == HoursState.APPROVED)
    seeded.counts["events in all"] = Event.objects.count()
    seeded.counts["  of them held or reported"] = made[EventState.HELD] + made[EventState.REPORTED]
    seeded.counts["event volunteers (leads)"] = made["links"]
    seeded.counts["hours records"] = made["hours"]
    seeded.counts["  of them approved"] = made["approved hours"]

    # Training sessions over every unit, last year and this one.
    courses = {}
    for unit in units:
        if unit.institution_id not in courses:
            course = (
                Course.objects.filter(institution=unit.institution, is_active=True).order_by("pk").first()
            )
            courses[unit.institution_id] = course or Course.objects.create(
                institution=unit.institution, title="Ievadapmācība", hours=Decimal("8")
            )
    sessions = []
    for n in range(DASHBOARD_SESSIONS * scale):
        unit = units[n % len(units)]
        first = first_day + timedelta(days=(n * 977) % (span - 2))
        if first + timedelta(days=1) < today:
            state = SessionState.HELD if n % 12 else SessionState.CANCELLED
        else:
            state = SessionState.OPEN if n % 2 else SessionState.PLANNED
        sessions.append(
            Session(
                course_id=courses[unit.institution_id].pk,
                unit_id=unit.pk,
                place=f"{unit.name}, mācību klase",
                capacity=SESSION_PLACES + 4,
                trainers="Ilze Kalniņa",
                registration_deadline=first - timedelta(days=3),
                state=state,
                first_day=first,
                last_day=first + timedelta(days=1),
                created_by_id=deciders[unit.pk],
                cancel_reason="Par maz dalībnieku." if state == SessionState.CANCELLED else "",
                cancelled_at=_aware(first - timedelta(days=2)) if state == SessionState.CANCELLED else None,
            )
        )
    sessions = _chunked(Session, sessions)
    _chunked(
        SessionDay,
        [
            SessionDay(
                session_id=session.pk,
                date=session.first_day + timedelta(days=k),
                starts_at=time(10),
                ends_at=time(16),
            )
            for session in sessions
            for k in range(2)
        ],
    )
    registrations = {}
    for n, session in enumerate(sessions):
        pool = pool_of[session.unit_id]
        for k in range(min(SESSION_PLACES, len(pool))):
            volunteer_pk, _user, app_pk = pool[(n * SESSION_PLACES + k) % len(pool)]
            cancelled = (n + k) % 9 == 0
            registrations[(session.pk, volunteer_pk)] = Registration(
                session_id=session.pk,
                volunteer_id=volunteer_pk,
                application_id=app_pk,
                state=RegistrationState.CANCELLED if cancelled else RegistrationState.REGISTERED,
                registered_by_id=deciders[session.unit_id],
                created_at=_aware(session.first_day - timedelta(days=10)),
                cancelled_at=_aware(session.first_day - timedelta(days=5)) if cancelled else None,
            )
    registrations = _chunked(Registration, list(registrations.values()))
    by_session = {session.pk: session for session in sessions}
    completions = []
    for n, registration in enumerate(registrations):
        session = by_session[registration.session_id]
        if session.state != SessionState.HELD or registration.state != RegistrationState.REGISTERED:
            continue
        if n % 8 == 0:  # missed a day
            continue
        course = courses[institution_of[session.unit_id]]
        completions.append(
            Completion(
                volunteer_id=registration.volunteer_id,
                course_id=course.pk,
                unit_id=session.unit_id,
                session_id=session.pk,
                source=Completion.Source.ATTENDANCE,
                completed_on=session.last_day,
                valid_until=session.last_day + timedelta(days=30 * course.validity_months)
                if course.validity_months
                else None,
                hours=course.hours,
                number=f"B-{session.last_day.year}-{n:06d}",
                recorded_by_id=deciders[session.unit_id],
                created_at=_aware(session.last_day, 17),
            )
        )
    _chunked(Completion, completions)
    seeded.counts["training sessions (dashboards)"] = len(sessions)
    seeded.counts["registrations (dashboards)"] = len(registrations)
    seeded.counts["completions (dashboards)"] = len(completions)
    return seeded
