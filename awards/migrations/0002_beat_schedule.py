"""The award's periodic job as a django-celery-beat row: laureates' emails not sent (a lost
message, the mail server down) are queued again every 10 minutes. Running this again changes
nothing; a schedule edited in the admin is left as it is."""

from django.db import migrations

NAME = "Award: send unsent laureate emails"


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
        task="awards.tasks.notices_sweep",
        interval=interval,
        description="Laureates' emails of an announced award cycle not yet sent are queued again.",
        expire_seconds=600,
    )


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("awards", "0001_initial"),
        ("django_celery_beat", "0018_improve_crontab_helptext"),
    ]

    operations = [migrations.RunPython(create, remove)]
