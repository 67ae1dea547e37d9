"""The kinds of activity seen in the prisons (IeVP's fact sheet) and the events' periodic
job (event emails not sent are queued again every 10 minutes). Running it again changes
nothing; rows edited in the admin are left as they are."""

from django.db import migrations

TYPES = [
    ("Sports nodarbības", "Sports"),
    ("Mākslas nodarbības", "Arts"),
    ("Grāmatu klubs", "Book club"),
    ("Rakstīšanas meistarklase", "Writing masterclass"),
    ("Individuālas sarunas", "Individual conversations"),
    ("Galda spēles", "Board games"),
    ("Lekcija par vecāku lomu", "Lecture on parenting"),
    ("Lekcija par konfliktu risināšanu", "Lecture on conflict resolution"),
    ("Valodu apguve", "Language learning"),
    ("Atbalsta grupa", "Support group"),
    ("Mūzika un koncerti", "Music and concerts"),
    ("Svētku pasākums", "Holiday celebration"),
]
NAME = "Events: send unsent event emails"


def create(apps, schema_editor):
    ActivityType = apps.get_model("events", "ActivityType")
    for order, (name, name_en) in enumerate(TYPES, start=1):
        ActivityType.objects.get_or_create(name=name, defaults={"name_en": name_en, "order": order})
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    if not PeriodicTask.objects.filter(name=NAME).exists():
        interval = IntervalSchedule.objects.filter(every=10, period="minutes").first() or (
            IntervalSchedule.objects.create(every=10, period="minutes")
        )
        PeriodicTask.objects.create(
            name=NAME,
            task="events.tasks.notices_sweep",
            interval=interval,
            description="Emails about events (proposed, approved, cancelled…) not sent yet are queued again.",
            expire_seconds=600,
        )


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0001_initial"),
        ("django_celery_beat", "0018_improve_crontab_helptext"),
    ]

    operations = [migrations.RunPython(create, remove)]
