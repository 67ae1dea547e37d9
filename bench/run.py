"""`make bench`: PDFs of every document kind, the daily jobs and the pages, measured on a
throwaway database, dropped afterwards: with DATABASE_URL set, a new PostgreSQL database
``tilts_bench_<pid>`` on that server (the configured database itself is never touched);
otherwise SQLite in a temporary folder (never db.sqlite3).

    .venv/bin/python -m bench.run [--documents 50] [--agreements 10000] [--sweep 10000]
                                  [--attendance 50,500] [--calendar 300] [--queue 1000]
                                  [--pages] [--pages-only] [--scale 100] [--rounds 30]
                                  [--no-dashboards | --dashboards-only] [--keep]

1. For every registered document kind, N documents through the shared render task
   (bench.documents): time per document, PDF size, memory.
2. The agreements' daily jobs over M seeded agreements (bench.agreements): reminder sweep
   (twice: the second run sends nothing), activation and expiry sweeps.
3. The stuck-document sweeper over S document rows (bench.documents).
4. The trainings' attendance page of one session day with 50 and 500 registrations
   (bench.trainings): time (median of several runs) and SQL queries.
5. The events' pages (bench.events): a prison's month calendar with N events and the
   approval queue with M proposals, each against a bare view (ratio) with its SQL queries,
   at a tenth of the size and at full size.
6. With --pages (or --pages-only): the coordinators' pages at national ×N scale (bench.pages,
   seeded by bench.scale): every list, detail, search and export page and the layout alone
   against a bare view, as a unit and as a central coordinator, with ✓/✗ against the goals.
   Run after the other parts, it gets a throwaway database of its own (a second process).
   The dashboards' scale is seeded on top before the pages are timed (bench.scale.
   seed_dashboards: 100 units, 300,000 events at ×100, hours, trainings), so the pages see it.
7. With the pages, the reports (bench.dashboards): the dashboard and the fact sheet's page as
   the Olaine coordinator, IeVP's central coordinator and the ministry viewer, cold (figures'
   cache emptied first) and warm, against the bare view, their queries compared with the
   counts before the dashboards' scale. --no-dashboards: neither the dashboards' scale nor
   the reports (the pages as before); --dashboards-only: seeds both, times the reports only.
Figures only: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile

from .measure import Timer, line


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--documents", type=int, default=50, help="PDFs per document kind (default 50)")
    parser.add_argument("--agreements", type=int, default=10_000, help="agreements to seed (default 10000)")
    parser.add_argument(
        "--sweep", type=int, default=10_000, help="document rows for the sweeper (default 10000)"
    )
    parser.add_argument(
        "--attendance",
        default="50,500",
        help="registrations per session for the attendance page, comma-separated (default 50,500; 0 skips)",
    )
    parser.add_argument(
        "--calendar", type=int, default=300, help="events in the month calendar (default 300; 0 skips)"
    )
    parser.add_argument(
        "--queue", type=int, default=1000, help="proposals in the approval queue (default 1000; 0 skips)"
    )
    parser.add_argument(
        "--pages", action="store_true", help="also time the coordinators' pages at national scale (minutes)"
    )
    parser.add_argument("--pages-only", action="store_true", help="only the pages part")
    parser.add_argument(
        "--scale", type=int, default=100, help="the pages' data: ×N a hundredth of the nation (default 100)"
    )
    parser.add_argument("--rounds", type=int, default=30, help="pairs timed per page (default 30)")
    dashboards = parser.add_mutually_exclusive_group()
    dashboards.add_argument(
        "--no-dashboards",
        action="store_true",
        help="pages part: no dashboards' scale (100 units, 300,000 events) and no reports timed",
    )
    dashboards.add_argument(
        "--dashboards-only",
        action="store_true",
        help="seed everything, time the reports (dashboards, fact sheet) only; implies --pages-only",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (database, PDFs)")
    args = parser.parse_args()
    if args.dashboards_only:
        args.pages_only = True
    if args.pages_only:
        args.documents = args.agreements = args.sweep = args.calendar = args.queue = 0
        args.attendance = "0"

    server_url = os.environ.pop("DATABASE_URL", "")
    if not server_url.startswith(("postgres://", "postgresql://", "pgsql://")):
        server_url = ""  # anything but PostgreSQL: the throwaway SQLite
    folder = tempfile.mkdtemp(prefix="tilts-bench-")
    os.environ["TILTS_BENCH_DIR"] = folder
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    os.environ.pop("REDIS_URL", None)
    throwaway = None
    if server_url:
        throwaway = f"tilts_bench_{os.getpid()}"
        os.environ["TILTS_BENCH_DATABASE_URL"] = postgres_create(server_url, throwaway)
    try:
        import django

        django.setup()
        from django.conf import settings
        from django.core.management import call_command
        from django.db import connection

        database = settings.DATABASES["default"]["NAME"]
        if throwaway is not None:
            if database != throwaway:  # never the configured database
                raise SystemExit(f"refusing to run on {database}")
        elif not str(database).startswith(folder):  # never the development database
            raise SystemExit(f"refusing to run on {database}")
        import weasyprint

        from .agreements import bench_sweeps
        from .documents import bench_documents, bench_sweeper
        from .events import bench_pages
        from .trainings import bench_attendance

        print("Tilts bench")
        line(
            "python / weasyprint / django",
            f"{platform.python_version()} / {weasyprint.__version__} / {django.get_version()}",
        )
        line("cpu", f"{platform.machine()}, {os.cpu_count()} cores")
        if throwaway is not None:
            with connection.cursor() as cursor:
                cursor.execute("SHOW server_version")
                version = cursor.fetchone()[0]
            line("database", f"PostgreSQL {version} (throwaway) {database}")
        else:
            line("database", f"SQLite (throwaway) {database}")
        with Timer() as timer:
            call_command("migrate", verbosity=0, interactive=False)
        line("migrate", f"{timer.seconds:8.2f} s")
        if args.documents:
            bench_documents(args.documents)
        if args.agreements:
            bench_sweeps(args.agreements)
        if args.sweep:
            bench_sweeper(args.sweep)
        sizes = _sizes(args)
        if sizes:
            bench_attendance(sizes)
        if args.calendar or args.queue:
            bench_pages(args.calendar, args.queue)
        if args.pages_only:
            from .pages import bench_pages_at_scale

            bench_pages_at_scale(args.scale, args.rounds, _dashboards(args))
    finally:
        if throwaway is not None:
            from django.db import connections

            connections.close_all()
            if args.keep:
                print(f"\nKept the database {throwaway}")
            else:
                postgres_drop(server_url, throwaway)
        if args.keep:
            print(f"\nKept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)
    if args.pages and not args.pages_only:
        # A database of its own: the other parts' rows would change what the pages show.
        env = {key: value for key, value in os.environ.items() if not key.startswith("TILTS_BENCH")}
        if server_url:
            env["DATABASE_URL"] = server_url
        command = [sys.executable, "-m", "bench.run", "--pages-only", "--scale", str(args.scale)]
        command += ["--rounds", str(args.rounds), *(["--keep"] if args.keep else [])]
        command += ["--no-dashboards"] if args.no_dashboards else []
        sys.stdout.flush()
        raise SystemExit(subprocess.call(command, env=env))


def _dashboards(args) -> str:
    return "off" if args.no_dashboards else "only" if args.dashboards_only else "on"


def _sizes(args) -> list[int]:
    return [int(size) for size in args.attendance.split(",") if size.strip() and int(size) > 0]


def _admin_connection(server_url: str):
    """A connection to the server of ``server_url`` for CREATE/DROP DATABASE: its maintenance
    database ``postgres`` (as Django's test runner does), else the configured one."""
    import environ
    import psycopg

    config = environ.Env.db_url_config(server_url)
    params = {
        "host": config.get("HOST") or None,
        "port": config.get("PORT") or None,
        "user": config.get("USER") or None,
        "password": config.get("PASSWORD") or None,
        "autocommit": True,
    }
    try:
        return psycopg.connect(dbname="postgres", **params), config
    except psycopg.OperationalError:
        return psycopg.connect(dbname=config["NAME"], **params), config


def postgres_create(server_url: str, name: str) -> str:
    """Creates the empty database ``name`` on the server of ``server_url``; returns its URL."""
    from urllib.parse import urlsplit, urlunsplit

    from psycopg import sql

    admin, _config = _admin_connection(server_url)
    with admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    parts = urlsplit(server_url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def postgres_drop(server_url: str, name: str) -> None:
    from psycopg import sql

    admin, _config = _admin_connection(server_url)
    with admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


if __name__ == "__main__":
    main()
