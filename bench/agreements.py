"""The agreements' part of `make bench` (see bench.run): the builder of agreement documents
for bench.documents, and the daily sweeps over M seeded agreements (bulk_create, over every
unit, in every status, ending over the next year): the reminder sweep (twice: the second
run must send nothing) and the activation / expiry sweeps. Figures only."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from unittest import mock

from .measure import QueryCounter, Timer, line

# --- Setup


def coordinator_for(unit, index: int):
    from accounts.models import User
    from institutions import services as institution_services

    user = User.objects.create_user(
        email=f"koordinators{index}@bench.example.lv",
        password=None,
        first_name="Koordinators",
        last_name=str(index),
    )
    institution_services.unit_coordinator_grant(actor=None, user=user, unit=unit)
    return user


def role_for(institution):
    """The institution's family-ties role, needing no course in the bench database (a fresh
    one has none; should a course require the role, it is detached) so that the bench's
    volunteers can get agreements without completions."""
    from volunteers.models import Role

    role, _ = Role.objects.get_or_create(institution=institution, code=Role.Code.FAMILY)
    for course in role.required_courses.filter(is_active=True):
        course.roles.remove(role)
    return role


def template_for(institution):
    from agreements.models import AgreementTemplate
    from agreements.services import template_current

    template = template_current(institution=institution, role=None)
    if template is None:  # the migration's texts are there unless institutions came later
        body = __import__("agreements.migrations.0002_default_templates", fromlist=["BODY"]).BODY
        template = AgreementTemplate.objects.create(
            institution=institution, role=None, version=1, title="Vienošanās", body=body
        )
    return template


# --- Documents of the "agreement" kind (bench.documents renders and measures them)


def issue_agreement_documents(count: int) -> list:
    """``count`` agreements generated from fresh applications, each with its queued PDF."""
    from accounts.models import User
    from agreements import services
    from documents import services as document_services
    from institutions.models import Unit
    from volunteers.models import Application, Volunteer
    from volunteers.models import Status as ApplicationStatus

    unit = Unit.objects.select_related("institution").filter(institution__code="IEVP").order_by("pk").first()
    coordinator = coordinator_for(unit, 0)
    role = role_for(unit.institution)
    template_for(unit.institution)
    today = date.today()
    documents = []
    with mock.patch.object(document_services, "_enqueue_render", lambda document_id: None):  # rendered later
        for index in range(count):
            user = User.objects.create_user(
                email=f"pdf{index}@bench.example.lv",
                password=None,
                first_name="Ērika",
                last_name="Ķirša-Žūriņa",
            )
            volunteer = Volunteer.objects.create(
                user=user,
                personal_code=f"150488-1{index:04d}",
                date_of_birth=date(1988, 4, 15),
                phone="+371 20000000",
                address="Zemgales iela 7, Olaine",
                municipality="Olaine",
            )
            application = Application.objects.create(
                volunteer=volunteer,
                institution=unit.institution,
                unit=unit,
                status=ApplicationStatus.AGREEMENT,
                reference=f"PDF{index:06d}",
                motivation="Bench",
                record_declaration="none",
            )
            agreement = services.agreement_create(
                actor=coordinator,
                application=application,
                role=role,
                place=f"{unit.name}, Īslīces iela 9",
                start_date=today + timedelta(days=7),
                end_date=today + timedelta(days=372),
                hours_per_week=Decimal("4"),
                duties="Ģimenes saišu nodarbības ieslodzītajiem; tikšanās ar ģimenēm. " * (1 + index % 4),
                expenses_reimbursed=index % 2 == 0,
                expenses_terms="Ceļa izdevumi līdz 30 EUR mēnesī pret čekiem.",
            )
            documents.append(services.agreement_generate(actor=coordinator, agreement=agreement))
    return documents


# --- 2. The daily sweeps over many agreements


def seed(count: int, today: date) -> int:
    from accounts.models import User
    from agreements.models import Agreement, Status
    from institutions.models import Unit
    from volunteers.models import Application, Volunteer
    from volunteers.models import Status as ApplicationStatus

    units = list(Unit.objects.select_related("institution").order_by("pk"))
    coordinators = {unit.pk: coordinator_for(unit, unit.pk) for unit in units}
    roles = {unit.institution_id: role_for(unit.institution) for unit in units}
    templates = {unit.institution_id: template_for(unit.institution) for unit in units}
    password = "!"  # unusable
    users = User.objects.bulk_create(
        [
            User(
                email=f"brivpratigais{index}@bench.example.lv",
                first_name="Jānis",
                last_name=f"Bērziņš {index}",
                password=password,
                language="en" if index % 5 == 0 else "lv",
            )
            for index in range(count)
        ],
        batch_size=2000,
    )
    volunteers = Volunteer.objects.bulk_create(
        [
            Volunteer(
                user=user,
                personal_code="",
                date_of_birth=date(1980, 1, 1) + timedelta(days=index % 9000),
                phone="+371 20000000",
                address="Brīvības iela 1, Rīga",
                municipality="Rīga",
            )
            for index, user in enumerate(users)
        ],
        batch_size=2000,
    )
    applications = Application.objects.bulk_create(
        [
            Application(
                volunteer=volunteer,
                institution=units[index % len(units)].institution,
                unit=units[index % len(units)],
                status=ApplicationStatus.ACTIVE,
                reference=f"B{index:07d}",
                motivation="Bench",
                record_declaration="none",
            )
            for index, volunteer in enumerate(volunteers)
        ],
        batch_size=2000,
    )
    agreements = []
    for index, application in enumerate(applications):
        unit = units[index % len(units)]
        kind = index % 20
        end = today + timedelta(days=(index * 7919) % 420 - 30)  # ~7 % ended, ~7 % ending within 30 days
        if kind == 0:
            status, start, generated = Status.DRAFT, today + timedelta(days=10), None
        elif kind in (1, 2, 3):
            status = Status.SENT if kind == 3 else Status.GENERATED
            start, generated = today + timedelta(days=10), today - timedelta(days=index % 30)
        elif kind == 4:
            status, start, generated = Status.SIGNED, today - timedelta(days=5), today - timedelta(days=40)
        else:
            status, start, generated = Status.ACTIVE, end - timedelta(days=365), end - timedelta(days=380)
        end = max(end, start)
        generated_at = timezone_aware(generated) if generated is not None else None
        agreements.append(
            Agreement(
                number=None if status == Status.DRAFT else f"{unit.institution.code}-B-{index:06d}",
                institution=unit.institution,
                unit=unit,
                application=application,
                volunteer=application.volunteer,
                role=roles[unit.institution_id],
                template=templates[unit.institution_id],
                status=status,
                place=unit.name,
                start_date=start,
                end_date=end,
                hours_per_week=Decimal("4"),
                duties="Bench",
                generated_at=generated_at,
                signed_on=start if status in (Status.SIGNED, Status.ACTIVE) else None,
                created_by=coordinators[unit.pk],
            )
        )
    Agreement.objects.bulk_create(agreements, batch_size=2000)
    return len(units)


def timezone_aware(day: date):
    from datetime import datetime, time

    from django.utils import timezone

    return timezone.make_aware(datetime.combine(day, time(10)))


def bench_sweeps(count: int) -> None:
    from django.core import mail
    from django.db import connection
    from django.db.models import Count

    from agreements import services
    from agreements.models import Agreement

    print(f"\n2. Daily sweeps over {count} seeded agreements")
    today = date.today()
    with Timer() as timer:
        units = seed(count, today)
    line("seeding (bulk_create)", f"{timer.seconds:8.2f} s over {units} units")
    statuses = Agreement.objects.values("status").annotate(n=Count("pk")).order_by("status")
    line("agreements by status", ", ".join(f"{row['status']} {row['n']}" for row in statuses))

    from notifications.reminders import reminders_send

    mail.outbox = []
    for run in ("first run", "second run, same day"):
        queries = QueryCounter()
        with connection.execute_wrapper(queries), Timer() as timer:
            sent = reminders_send(today=today)
        line(f"reminder sweep, {run}", f"{timer.seconds:8.2f} s, {sent} emails, {queries.count} queries")
    line("emails in the outbox", f"{len(mail.outbox):8d}")

    for name, job in (
        ("activation sweep (agreements_activate_due)", services.agreements_activate_due),
        ("expiry sweep (agreements_expire_due)", services.agreements_expire_due),
    ):
        queries = QueryCounter()
        with connection.execute_wrapper(queries), Timer() as timer:
            changed = job(today=today)
        line(name, f"{timer.seconds:8.2f} s, {changed} agreements, {queries.count} queries")
