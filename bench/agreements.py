"""The agreements' part of `make bench` (see bench.run): the builder of agreement documents
for bench.documents, and the daily sweeps over M seeded agreements (bulk_create, over every
unit, in every status, ending over the next year): the reminder run — its claim pass, the
send tasks it hands the emails to, and a second run the same day that must send nothing —
and the activation / expiry sweeps. Figures only.

On its own, on PostgreSQL when DATABASE_URL is set (a throwaway database ``tilts_bench_<pid>``
created and dropped here; never the database DATABASE_URL names), else on a throwaway SQLite:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \
        .venv/bin/python -m bench.agreements --agreements 100000
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from unittest import mock

from .measure import QueryCounter, Timer, line

# The daily-job goals of issue 15, at 100,000 agreements on PostgreSQL (seconds).
GOAL_ACTIVATION_AND_EXPIRY = 5.0
GOAL_CLAIM_PASS = 10.0
GOAL_SECOND_RUN = 1.0

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
                # The signed agreements' applicants wait at the agreement step: activation moves them.
                status=ApplicationStatus.AGREEMENT if index % 20 == 4 else ApplicationStatus.ACTIVE,
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


def _goal(seconds: float, goal: float) -> str:
    return f"{'✓' if seconds <= goal else '✗'} (goal ≤ {goal:g} s)"


def bench_sweeps(count: int) -> None:
    from django.core import mail
    from django.db import connection
    from django.db.models import Count

    from agreements import services
    from agreements.models import Agreement
    from institutions.models import AuditEvent
    from notifications import reminders
    from notifications.models import Reminder

    print(f"\n2. Daily sweeps over {count} seeded agreements ({connection.vendor})")
    today = date.today()
    with Timer() as timer:
        units = seed(count, today)
    line("seeding (bulk_create)", f"{timer.seconds:8.2f} s over {units} units")
    statuses = Agreement.objects.values("status").annotate(n=Count("pk")).order_by("status")
    line("agreements by status", ", ".join(f"{row['status']} {row['n']}" for row in statuses))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    # The reminder run: the claim pass hands each chunk's reminders to a send task; here the
    # hand-over is collected so that the claim pass and the sending are timed apart.
    mail.outbox = []
    handed: list[tuple] = []
    for run in ("first run", "second run, same day"):
        handed.clear()
        queries = QueryCounter()
        with (
            mock.patch.object(reminders, "_hand_over", lambda *args: handed.append(args)),
            connection.execute_wrapper(queries),
            Timer() as timer,
        ):
            claimed = reminders.reminders_send(today=today)
        goal = GOAL_CLAIM_PASS if run == "first run" else GOAL_SECOND_RUN
        line(
            f"reminder claim pass, {run}",
            f"{timer.seconds:8.2f} s, {claimed} reminders in {len(handed)} tasks, {queries.count} queries "
            + _goal(timer.seconds, goal),
        )
        if handed:
            queries = QueryCounter()
            with connection.execute_wrapper(queries), Timer() as timer:
                sent = sum(reminders.reminders_deliver(*args) for args in handed)
            line(
                f"  its send tasks ({len(handed)})",
                f"{timer.seconds:8.2f} s, {sent} emails, {queries.count} queries",
            )
    line("emails in the outbox", f"{len(mail.outbox):8d}")
    line(
        "reminder rows",
        f"{Reminder.objects.count():8d}, unsent {Reminder.objects.filter(sent_at=None).count()}",
    )

    total = 0.0
    for name, job in (
        ("activation sweep (agreements_activate_due)", services.agreements_activate_due),
        ("expiry sweep (agreements_expire_due)", services.agreements_expire_due),
    ):
        for run in ("", ", again"):
            queries = QueryCounter()
            with connection.execute_wrapper(queries), Timer() as timer:
                changed = job(today=today)
            if not run:
                total += timer.seconds
            line(name + run, f"{timer.seconds:8.2f} s, {changed} agreements, {queries.count} queries")
    line("activation + expiry", f"{total:8.2f} s " + _goal(total, GOAL_ACTIVATION_AND_EXPIRY))
    audit = AuditEvent.objects.filter(action__in=["agreement.activate", "agreement.end"]).count()
    history = Agreement.history.filter(history_type="~").count()
    line("audit rows / history rows written", f"{audit} / {history}")


def main() -> None:
    """The daily sweeps alone (see the module's docstring)."""
    import argparse
    import os
    import shutil
    import tempfile

    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--agreements", type=int, default=100_000, help="agreements to seed (default 100000)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder and database")
    args = parser.parse_args()

    folder = tempfile.mkdtemp(prefix="tilts-bench-")
    os.environ["TILTS_BENCH_DIR"] = folder
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    url = os.environ.pop("DATABASE_URL", "")
    os.environ.pop("REDIS_URL", None)
    database = None
    if url.startswith(("postgres://", "postgresql://")):
        import environ

        from . import settings as bench_settings

        config = environ.Env.db_url_config(url)
        database = f"tilts_bench_{os.getpid()}"
        _admin_sql(config, f'CREATE DATABASE "{database}"')
        bench_settings.DATABASES = {"default": {**config, "NAME": database}}
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        print("Tilts bench: daily jobs")
        line("database", f"{connection.vendor} (throwaway) {connection.settings_dict['NAME']}")
        with Timer() as timer:
            call_command("migrate", verbosity=0, interactive=False)
        line("migrate", f"{timer.seconds:8.2f} s")
        bench_sweeps(args.agreements)
    finally:
        if database is not None:
            from django.db import connections

            connections.close_all()
            if args.keep:
                print(f"\nKept the database {database}")
            else:
                _admin_sql(config, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        if args.keep:
            print(f"Kept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)


def _admin_sql(config: dict, sql: str) -> None:
    """A statement outside any transaction (CREATE / DROP DATABASE) on the server's
    maintenance database."""
    import psycopg

    with psycopg.connect(
        host=config["HOST"] or None,
        port=config["PORT"] or None,
        user=config["USER"] or None,
        password=config["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    ) as admin:
        admin.execute(sql)


if __name__ == "__main__":
    main()
