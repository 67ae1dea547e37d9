from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from reports import cache as reports_cache

# Apps seed in this order; each may have a ``demo`` module with ``seed(*, stdout) -> None``.
# Trainings come last: they qualify every application the others left at the agreement step
# or later (the agreements demo adds active volunteers of its own and writes its rows
# directly, so it needs no completions first). Events follow: they read the agreements (and
# add the earlier ones their 2024 events were held under). Casework follows: VPD's pairs, circles
# and mediation cases are made of the agreements in force (and its hours records sit beside
# the events'). The award follows them: its 2024 laureate and this year's nominations are
# demo volunteers with their agreements and approved hours.
DEMO_APPS = [
    "institutions",
    "volunteers",
    "agreements",
    "trainings",
    "events",
    "casework",
    "awards",
    "privacy",
]


class Command(BaseCommand):
    help = "Load the demo data (idempotent: running it again changes nothing)."

    def handle(self, *args, **options):
        if not getattr(settings, "TILTS_ALLOW_DEMO_DATA", False):
            raise CommandError("Demo data is disabled in these settings (TILTS_ALLOW_DEMO_DATA).")
        with transaction.atomic():
            for label in DEMO_APPS:
                app = apps.get_app_config(label)
                import_module(f"{app.name}.demo").seed(stdout=self.stdout)
            # The demo writes in bulk, past the signals: the reports' cached figures start over.
            reports_cache.bump()
        self.stdout.write(self.style.SUCCESS("Demo data is ready."))
