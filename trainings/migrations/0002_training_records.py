"""Before the trainings app a role only said "requires a completed training" and an
application kept one date (``training_completed_on``). Each institution that used them gets
an induction course required for those roles (unless it has no applications yet: a new
installation sets up its own courses), and every recorded date becomes a completion of it (recorded by a coordinator, with a note naming the application). Going back restores
both fields from what this migration made."""

from django.db import migrations

NOTE = "Pārnests no pieteikuma {reference} (apmācība pabeigta pirms mācību moduļa ieviešanas)."
TITLE = "Ievadapmācība brīvprātīgajiem"
TITLE_EN = "Induction training for volunteers"


def forward(apps, schema_editor):
    Institution = apps.get_model("institutions", "Institution")
    Role = apps.get_model("volunteers", "Role")
    Application = apps.get_model("volunteers", "Application")
    Course = apps.get_model("trainings", "Course")
    Completion = apps.get_model("trainings", "Completion")
    for institution in Institution.objects.all():
        roles = list(Role.objects.filter(institution=institution, requires_training=True))
        done = list(
            Application.objects.filter(
                institution=institution, training_completed_on__isnull=False
            ).select_related("unit")
        )
        # A new installation (no applications yet) has nothing to carry over: its central
        # office sets up its courses. An institution in use keeps what its roles required.
        if not done and not (roles and Application.objects.filter(institution=institution).exists()):
            continue
        course = Course.objects.create(
            institution=institution, title=TITLE, title_en=TITLE_EN, kind="induction", hours=8
        )
        course.roles.set(roles)
        for application in done:
            completion = Completion.objects.create(
                volunteer_id=application.volunteer_id,
                course=course,
                unit=application.unit,
                source="external",
                completed_on=application.training_completed_on,
                hours=course.hours,
                note=NOTE.format(reference=application.reference or application.pk),
            )
            completion.number = f"{institution.code}-M-{completion.completed_on.year}-{completion.pk:05d}"
            completion.save(update_fields=["number"])


def backward(apps, schema_editor):
    Role = apps.get_model("volunteers", "Role")
    Application = apps.get_model("volunteers", "Application")
    Course = apps.get_model("trainings", "Course")
    Completion = apps.get_model("trainings", "Completion")
    for course in Course.objects.filter(title=TITLE):
        Role.objects.filter(pk__in=course.roles.values("pk")).update(requires_training=True)
        for completion in Completion.objects.filter(course=course, source="external"):
            Application.objects.filter(
                volunteer_id=completion.volunteer_id, institution_id=course.institution_id
            ).update(training_completed_on=completion.completed_on)
    Completion.objects.filter(course__title=TITLE).delete()
    Course.objects.filter(title=TITLE).delete()


class Migration(migrations.Migration):
    dependencies = [("trainings", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
