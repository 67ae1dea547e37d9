from django.core.management.base import BaseCommand

from agreements import terms


class Command(BaseCommand):
    help = "Write agreements/term_catalogue.py: the texts translated in each institution's word."

    def handle(self, *args, **options):
        terms.CATALOGUE_PATH.write_text(terms.catalogue_source(), encoding="utf-8")
        self.stdout.write(f"Wrote {terms.CATALOGUE_PATH}")
