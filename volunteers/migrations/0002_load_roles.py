from django.db import migrations

# (institution, code, order). Every role needs the institution's preparatory training;
# central coordinators can change that in the admin panel.
ROLES = [
    ("VPD", "mediator", 1),
    ("VPD", "mentor", 2),
    ("VPD", "circles", 3),
    ("IEVP", "education", 1),
    ("IEVP", "leisure", 2),
    ("IEVP", "sports", 3),
    ("IEVP", "addiction", 4),
    ("IEVP", "family", 5),
    ("IEVP", "social", 6),
    ("IEVP", "mentor", 7),
]


def load(apps, schema_editor):
    Institution = apps.get_model("institutions", "Institution")
    Role = apps.get_model("volunteers", "Role")
    for code, role, order in ROLES:
        institution = Institution.objects.get(code=code)
        Role.objects.update_or_create(
            institution=institution, code=role, defaults={"order": order, "requires_training": True}
        )


class Migration(migrations.Migration):
    dependencies = [("volunteers", "0001_initial"), ("institutions", "0002_load_units")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
