"""The retention job as a django-celery-beat row: every day at 02:00 Europe/Riga. Running
this again changes nothing; a schedule edited in the admin is left as it is."""

from django.db import migrations

NAME = "Data protection: retention run"


def create(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    if PeriodicTask.objects.filter(name=NAME).exists():
        return
    fields = {
        "minute": "0",
        "hour": "2",
        # 02:00, not 03:00: in Riga 03:00–04:00 is skipped or repeated when the clocks change.
        "day_of_week": "*",
        "day_of_month": "*",
        "month_of_year": "*",
        "timezone": "Europe/Riga",
    }
    crontab = CrontabSchedule.objects.filter(**fields).first() or CrontabSchedule.objects.create(**fields)
    PeriodicTask.objects.create(
        name=NAME,
        task="privacy.tasks.retention_daily",
        crontab=crontab,
        description="People whose retention period has ended are anonymised; expired agreement files destroyed.",
    )


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("privacy", "0001_initial"),
        ("django_celery_beat", "0018_improve_crontab_helptext"),
    ]

    operations = [migrations.RunPython(create, remove)]
