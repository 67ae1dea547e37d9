"""`make bench`: PDFs of every document kind and the daily jobs, measured on a throwaway
SQLite database in a temporary folder (never db.sqlite3, never DATABASE_URL), deleted
afterwards.

    .venv/bin/python -m bench.run [--documents 50] [--agreements 10000] [--sweep 10000]
                                  [--attendance 50,500] [--calendar 300] [--queue 1000] [--keep]

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
Figures only: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
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
        sizes = [int(size) for size in args.attendance.split(",") if size.strip() and int(size) > 0]
        if sizes:
            bench_attendance(sizes)
        if args.calendar or args.queue:
            bench_pages(args.calendar, args.queue)
    finally:
        if args.keep:
            print(f"\nKept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
