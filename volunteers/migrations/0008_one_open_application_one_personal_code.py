"""One open application per volunteer and institution, one volunteer per personal code
(erased volunteers have none): partial unique constraints under the services' checks.

Rows that already break a rule stop the migration with the volunteers to look at (ids
only, no personal codes): a person's duplicate accounts are merged, or a duplicate
application withdrawn, by a person — not guessed here."""

from django.db import migrations, models
from django.db.models import Count


def refuse_existing_duplicates(apps, schema_editor):
    Volunteer = apps.get_model("volunteers", "Volunteer")
    Application = apps.get_model("volunteers", "Application")
    open_statuses = ["submitted", "screening", "vetting", "training", "agreement"]
    codes = (
        Volunteer.objects.exclude(personal_code="")
        .values("personal_code")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .values("personal_code")
    )
    shared_code = sorted(Volunteer.objects.filter(personal_code__in=codes).values_list("pk", flat=True))
    open_twice = sorted(
        Application.objects.filter(status__in=open_statuses)
        .values("volunteer_id", "institution_id")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .values_list("volunteer_id", flat=True)
        .distinct()
    )
    problems = []
    if shared_code:
        problems.append(f"volunteers sharing a personal code: {shared_code}")
    if open_twice:
        problems.append(f"volunteers with two open applications at one institution: {open_twice}")
    if problems:
        raise RuntimeError("Resolve these before migrating — " + "; ".join(problems))


class Migration(migrations.Migration):
    dependencies = [
        ("institutions", "0005_beat_schedule"),
        ("volunteers", "0007_beat_schedule"),
    ]

    operations = [
        migrations.RunPython(refuse_existing_duplicates, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="application",
            constraint=models.UniqueConstraint(
                condition=models.Q(
                    ("status__in", ["submitted", "screening", "vetting", "training", "agreement"])
                ),
                fields=("volunteer", "institution"),
                name="application_one_open_per_institution",
            ),
        ),
        migrations.AddConstraint(
            model_name="volunteer",
            constraint=models.UniqueConstraint(
                condition=models.Q(("personal_code", ""), _negated=True),
                fields=("personal_code",),
                name="volunteer_personal_code_unique",
            ),
        ),
    ]
