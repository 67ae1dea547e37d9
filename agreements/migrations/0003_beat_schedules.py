"""The periodic jobs of agreements, as django-celery-beat rows (times in Europe/Riga):
activation and expiry at 06:00, reminders at 07:00, the stuck-document sweep every 10
minutes. Superusers see and change them in the admin (Periodic tasks); running this again
changes nothing, and a schedule edited in the admin is left as it is."""

from django.db import migrations

TIMEZONE = "Europe/Riga"

CRONTAB_TASKS = [
    {
        "name": "Agreements: activate and expire",
        "task": "agreements.tasks.agreements_daily",
        "hour": "6",
        "description": "Signed agreements whose start date has come are in force; those past their end date expire.",
    },
    {
        "name": "Agreements: reminders",
        "task": "agreements.tasks.reminders_daily",
        "hour": "7",
        "description": "Agreements ending in 30 and 7 days, unsigned after 14 days, vetting validity ending in 30 days.",
    },
]
INTERVAL_TASKS = [
    {
        "name": "Agreements: re-queue stuck documents",
        "task": "agreements.tasks.documents_sweep",
        "every": 10,
        "description": "PDF documents queued or rendering for too long are queued again.",
    },
]


def _touch(apps) -> None:
    """Tell a running beat (DatabaseScheduler) that its schedule changed."""
    from django.utils import timezone

    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    names = {field.name for field in PeriodicTasks._meta.get_fields()}
    if "last_update" in names:
        PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def create(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for spec in CRONTAB_TASKS:
        if PeriodicTask.objects.filter(name=spec["name"]).exists():
            continue
        fields = {
            "minute": "0",
            "hour": spec["hour"],
            "day_of_week": "*",
            "day_of_month": "*",
            "month_of_year": "*",
            "timezone": TIMEZONE,
        }
        crontab = CrontabSchedule.objects.filter(**fields).first() or CrontabSchedule.objects.create(**fields)
        PeriodicTask.objects.get_or_create(
            name=spec["name"],
            defaults={"task": spec["task"], "crontab": crontab, "description": spec["description"]},
        )
    for spec in INTERVAL_TASKS:
        if PeriodicTask.objects.filter(name=spec["name"]).exists():
            continue
        fields = {"every": spec["every"], "period": "minutes"}
        interval = IntervalSchedule.objects.filter(**fields).first() or IntervalSchedule.objects.create(
            **fields
        )
        PeriodicTask.objects.get_or_create(
            name=spec["name"],
            defaults={
                "task": spec["task"],
                "interval": interval,
                "description": spec["description"],
                # A sweep that could not run in its slot is not worth running late.
                "expire_seconds": spec["every"] * 60,
            },
        )
    _touch(apps)


def remove(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=[spec["name"] for spec in CRONTAB_TASKS + INTERVAL_TASKS]).delete()
    _touch(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("agreements", "0002_default_templates"),
        # The newest migration of django-celery-beat 2.7 (the oldest version pyproject allows);
        # every field used here exists by then.
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create, remove)]
