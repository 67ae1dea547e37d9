"""The export sweeper as a django-celery-beat row: every 10 minutes, export files past their
expiry are deleted and exports left queued or running are queued again. Running this again
changes nothing; a schedule edited in the admin is left as it is."""

from django.db import migrations

NAME = "Documents: delete expired exports, re-queue stuck ones"


def create(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    if PeriodicTask.objects.filter(name=NAME).exists():
        return
    interval = IntervalSchedule.objects.filter(
        every=10, period="minutes"
    ).first() or IntervalSchedule.objects.create(every=10, period="minutes")
    PeriodicTask.objects.create(
        name=NAME,
        task="documents.tasks.exports_sweep",
        interval=interval,
        description="Export files past their expiry are deleted; exports queued or running for too long are queued again.",
        expire_seconds=600,
    )


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0004_exportfile"),
        ("django_celery_beat", "0018_improve_crontab_helptext"),
    ]

    operations = [migrations.RunPython(create, remove)]
