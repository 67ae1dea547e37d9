"""The volunteers app's periodic job as a django-celery-beat row: submission notices to
coordinators, status emails to applicants and bulk emails not sent (a lost message, the
broker or the mail server down) are queued again every 10 minutes. Running this again
changes nothing; a schedule edited in the admin is left as it is."""

from django.db import migrations

NAME = "Volunteers: send unsent emails"


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
        task="volunteers.tasks.emails_sweep",
        interval=interval,
        description=(
            "New-application notices to coordinators, status emails to applicants and bulk "
            "emails not sent yet are queued again."
        ),
        expire_seconds=600,
    )


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("volunteers", "0006_email_outbox"),
        ("django_celery_beat", "0018_improve_crontab_helptext"),
    ]

    operations = [migrations.RunPython(create, remove)]
