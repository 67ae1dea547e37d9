"""The real institutions and units (DESIGN.md section 1). Units are data: later
openings and closings are edited in the admin panel, not here."""

import datetime

from django.db import migrations

INSTITUTIONS = [
    ("VPD", "Valsts probācijas dienests", "VPD"),
    ("IEVP", "Ieslodzījuma vietu pārvalde", "IeVP"),
    ("TM", "Tieslietu ministrija", "TM"),
]

# (institution, slug, name, kind, parent slug, valid_from, valid_to)
UNITS = [
    ("IEVP", "ievp-centralais-aparats", "IeVP Centrālais aparāts", "central", None, None, None),
    ("IEVP", "rigas-centralcietums", "Rīgas Centrālcietums", "prison", None, None, None),
    ("IEVP", "ilguciema-cietums", "Iļģuciema cietums", "prison", None, None, None),
    ("IEVP", "olaines-cietums", "Olaines cietums", "prison", None, None, None),
    ("IEVP", "jelgavas-cietums", "Jelgavas cietums", "prison", None, None, None),
    ("IEVP", "daugavgrivas-cietums", "Daugavgrīvas cietums", "prison", None, None, None),
    (
        "IEVP",
        "daugavgrivas-cietums-griva",
        "Daugavgrīvas cietuma Grīvas nodaļa",
        "prison",
        "daugavgrivas-cietums",
        None,
        None,
    ),
    ("IEVP", "liepajas-cietums", "Liepājas cietums", "prison", None, None, None),
    ("IEVP", "valmieras-cietums", "Valmieras cietums", "prison", None, None, None),
    ("IEVP", "jekabpils-cietums", "Jēkabpils cietums", "prison", None, None, None),
    (
        "IEVP",
        "cesu-audzinasanas-iestade",
        "Cēsu Audzināšanas iestāde nepilngadīgajiem",
        "prison",
        None,
        None,
        None,
    ),
    # Closed in 2019: kept so that its history stays attached to it.
    ("IEVP", "brasas-cietums", "Brasas cietums", "prison", None, None, datetime.date(2019, 12, 31)),
    ("VPD", "vpd-centralais-aparats", "VPD Centrālais aparāts", "central", None, None, None),
    ("VPD", "vpd-rigas-regions", "Rīgas reģions", "region", None, None, None),
    ("VPD", "vpd-zemgales-regions", "Zemgales reģions", "region", None, None, None),
    ("VPD", "vpd-jelgavas-1-nodala", "Jelgavas 1. nodaļa", "department", "vpd-zemgales-regions", None, None),
    ("VPD", "vpd-kurzemes-regions", "Kurzemes reģions", "region", None, None, None),
    ("VPD", "vpd-liepajas-nodala", "Liepājas nodaļa", "department", "vpd-kurzemes-regions", None, None),
    ("VPD", "vpd-latgales-regions", "Latgales reģions", "region", None, None, None),
    ("VPD", "vpd-vidzemes-regions", "Vidzemes reģions", "region", None, None, None),
    ("TM", "tieslietu-ministrija", "Tieslietu ministrija", "central", None, None, None),
]


def load(apps, schema_editor):
    Institution = apps.get_model("institutions", "Institution")
    Unit = apps.get_model("institutions", "Unit")
    institutions = {}
    for code, name, short_name in INSTITUTIONS:
        institutions[code], _ = Institution.objects.update_or_create(
            code=code, defaults={"name": name, "short_name": short_name}
        )
    for code, slug, name, kind, parent, valid_from, valid_to in UNITS:
        Unit.objects.update_or_create(
            slug=slug,
            defaults={
                "institution": institutions[code],
                "name": name,
                "kind": kind,
                "parent": Unit.objects.get(slug=parent) if parent else None,
                "valid_from": valid_from,
                "valid_to": valid_to,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("institutions", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
