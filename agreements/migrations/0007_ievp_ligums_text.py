# IeVP calls the agreement "līgums" (agreements/terms.py). Its first text, made by 0002,
# says "vienošanās" throughout: give IeVP a new version in its own word, unless a central
# coordinator has already written one. Agreements made from version 1 keep it.
import importlib

from django.db import migrations

FIRST = importlib.import_module("agreements.migrations.0002_default_templates")

REPLACEMENTS = [
    ("noslēdz šo vienošanos", "noslēdz šo līgumu"),
    ("1. Vienošanās priekšmets.", "1. Līguma priekšmets."),
    ("Vienošanās ir spēkā no", "Līgums ir spēkā no"),
    ("pēc vienošanās beigām", "pēc līguma beigām"),
    ("vienošanās izpildei", "līguma izpildei"),
    (
        "8. Vienošanās izbeigšana. Katra puse var izbeigt vienošanos",
        "8. Līguma izbeigšana. Katra puse var izbeigt līgumu",
    ),
    ("vienojoties, vienošanos var izbeigt ātrāk", "vienojoties, līgumu var izbeigt ātrāk"),
    ("Vienošanās sagatavota divos eksemplāros", "Līgums sagatavots divos eksemplāros"),
]


def ligums_body() -> str:
    body = FIRST.BODY
    for old, new in REPLACEMENTS:
        assert old in body, old
        body = body.replace(old, new)
    return body


def load(apps, schema_editor):
    Institution = apps.get_model("institutions", "Institution")
    AgreementTemplate = apps.get_model("agreements", "AgreementTemplate")
    institution = Institution.objects.filter(code="IEVP").first()
    if institution is None:
        return
    current = (
        AgreementTemplate.objects.filter(institution=institution, role__isnull=True)
        .order_by("-version")
        .first()
    )
    if current is None or current.body != FIRST.BODY:
        return  # no text yet (0002 makes it when the institution exists), or one of their own
    AgreementTemplate.objects.create(
        institution=institution,
        role=None,
        version=current.version + 1,
        title=current.title,
        body=ligums_body(),
    )


class Migration(migrations.Migration):
    dependencies = [("agreements", "0006_remove_document")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
