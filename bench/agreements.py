"""`make bench`: agreement PDFs and the daily sweeps, measured on a throwaway SQLite database
in a temporary folder (never db.sqlite3, never DATABASE_URL), deleted afterwards.

    .venv/bin/python -m bench.agreements [--documents 50] [--agreements 10000] [--keep]

1. Renders N agreements through the render task (claim, WeasyPrint, store the file) and
   prints the per-document time (mean, median, p95, max), the process's resident memory
   before/after and at its peak, and the Python-heap peak of one render (tracemalloc).
2. Seeds M agreements (bulk_create) over every unit, in every status, ending over the next
   year, and times the daily jobs over them: the reminder sweep (twice: the second run
   must send nothing) and the activation / expiry sweeps.
Figures only: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import statistics
import sys
import tempfile
import time
import tracemalloc
from datetime import date, timedelta
from decimal import Decimal
from unittest import mock


def rss_mib() -> float | None:
    """The process's resident memory now (Linux), in MiB."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def peak_rss_mib() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[index]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:8.1f} ms"


def line(label: str, value: str) -> None:
    print(f"  {label:<44} {value}")


class Timer:
    def __enter__(self):
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.start


class QueryCounter:
    """Counts the SQL statements run (without keeping them, unlike CaptureQueriesContext)."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


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
    from volunteers.models import Role

    role, _ = Role.objects.get_or_create(institution=institution, code=Role.Code.FAMILY)
    if role.requires_training:
        role.requires_training = False
        role.save(update_fields=["requires_training"])
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


# --- 1. Rendering


def bench_render(count: int) -> None:
    from accounts.models import User
    from agreements import rendering, services, tasks
    from agreements.models import Document
    from institutions.models import Unit
    from volunteers.models import Application, Volunteer
    from volunteers.models import Status as ApplicationStatus

    print(f"\n1. Rendering {count} agreement PDFs (task: claim → WeasyPrint {rendering.PDF_VARIANT} → store)")
    unit = Unit.objects.select_related("institution").filter(institution__code="IEVP").order_by("pk").first()
    coordinator = coordinator_for(unit, 0)
    role = role_for(unit.institution)
    template_for(unit.institution)
    today = date.today()
    documents = []
    with mock.patch.object(services, "_enqueue_render", lambda document_id: None):  # rendered below
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
                training_completed_on=today,
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

    render_seconds: list[float] = []
    real_render = rendering.render_pdf

    def timed_render(agreement):
        with Timer() as timer:
            pdf = real_render(agreement)
        render_seconds.append(timer.seconds)
        return pdf

    task_seconds: list[float] = []
    rss_before = rss_mib()
    with mock.patch.object(rendering, "render_pdf", timed_render):
        for document in documents:
            with Timer() as timer:
                tasks.document_render.apply(args=(document.pk,)).get()
            task_seconds.append(timer.seconds)
    rss_after = rss_mib()
    done = Document.objects.filter(pk__in=[d.pk for d in documents], state=Document.State.DONE)
    sizes = list(done.values_list("size", flat=True))

    # The Python-heap peak of single renders (tracemalloc slows Python down: measured apart).
    heap_peaks = []
    sample = documents[: min(5, len(documents))]
    for document in sample:
        agreement = (
            Document.objects.select_related(
                "agreement__institution",
                "agreement__unit",
                "agreement__role",
                "agreement__template",
                "agreement__volunteer__user",
            )
            .get(pk=document.pk)
            .agreement
        )
        tracemalloc.start()
        real_render(agreement)
        heap_peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()

    warm = task_seconds[1:] or task_seconds
    line("documents done", f"{len(sizes)} of {count}")
    line("first document (cold: fonts, CSS)", ms(task_seconds[0]))
    line("per document, warm: mean", ms(statistics.mean(warm)))
    line("per document, warm: median", ms(statistics.median(warm)))
    line("per document, warm: p95", ms(percentile(warm, 0.95)))
    line("per document, warm: max", ms(max(warm)))
    line(
        "of which WeasyPrint (mean / p95)",
        f"{ms(statistics.mean(render_seconds[1:] or render_seconds))} / "
        f"{ms(percentile(render_seconds[1:] or render_seconds, 0.95)).strip()}",
    )
    line("all documents", f"{sum(task_seconds):8.2f} s")
    line("PDF size (mean)", f"{statistics.mean(sizes) / 1024:8.1f} KiB" if sizes else "-")
    if rss_before is not None and rss_after is not None:
        line(
            "resident memory before → after",
            f"{rss_before:8.1f} → {rss_after:.1f} MiB "
            f"(+{(rss_after - rss_before) / max(1, count) * 1024:.0f} KiB per document)",
        )
    line("peak resident memory (ru_maxrss)", f"{peak_rss_mib():8.1f} MiB")
    line("Python heap peak of one render (tracemalloc)", f"{max(heap_peaks) / (1024 * 1024):8.1f} MiB")


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

    try:
        from agreements.reminders import reminders_send
    except ImportError:
        reminders_send = None
    if reminders_send is None:
        line("reminder sweep", "TODO: agreements.reminders.reminders_send does not exist yet")
    else:
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


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--documents", type=int, default=50, help="PDFs to render (default 50)")
    parser.add_argument("--agreements", type=int, default=10_000, help="agreements to seed (default 10000)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (database, PDFs)")
    args = parser.parse_args()

    folder = tempfile.mkdtemp(prefix="tilts-bench-")
    os.environ["TILTS_BENCH_DIR"] = folder
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("REDIS_URL", None)
    try:
        import django

        django.setup()
        from django.conf import settings
        from django.core.management import call_command

        database = settings.DATABASES["default"]["NAME"]
        if not str(database).startswith(folder):  # never the development database
            raise SystemExit(f"refusing to run on {database}")
        import weasyprint

        print("Tilts bench — agreements")
        line(
            "python / weasyprint / django",
            f"{platform.python_version()} / {weasyprint.__version__} / {django.get_version()}",
        )
        line("cpu", f"{platform.machine()}, {os.cpu_count()} cores")
        line("database", f"SQLite (throwaway) {database}")
        with Timer() as timer:
            call_command("migrate", verbosity=0, interactive=False)
        line("migrate", f"{timer.seconds:8.2f} s")
        if args.documents:
            bench_render(args.documents)
        if args.agreements:
            bench_sweeps(args.agreements)
    finally:
        if args.keep:
            print(f"\nKept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
