"""Reminders move from agreements to this app: every agreements.Reminder row is copied here
as it is (so that reminders already sent are not sent again), and the daily beat job runs
notifications.tasks.reminders_daily instead of agreements.tasks.reminders_daily, on the same
schedule. Agreements 0005 drops the old table afterwards. Reversible."""

from django.db import migrations

COLUMNS = ("kind", "target", "due_date", "recipient", "created_at", "sent_at")
AGREEMENT_KINDS = ("ending_30", "ending_7", "unsigned_14", "vetting_30")  # the old table's choices

OLD = {
    "task": "agreements.tasks.reminders_daily",
    "name": "Agreements: reminders",
    "description": "Agreements ending in 30 and 7 days, unsigned after 14 days, vetting validity ending in 30 days.",
}
NEW = {
    "task": "notifications.tasks.reminders_daily",
    "name": "Reminders: daily",
    "description": "The reminders of every source the apps register (notifications.registry), e.g. agreements "
    "ending in 30 and 7 days or unsigned after 14 days, vetting validity ending in 30 days.",
}


def _copy(schema_editor, source, destination, *, kinds=None) -> None:
    """INSERT … SELECT: one statement, the values exactly as they are."""
    quote = schema_editor.quote_name
    columns = ", ".join(quote(source._meta.get_field(name).column) for name in COLUMNS)
    sql = (
        f"INSERT INTO {quote(destination._meta.db_table)} ({columns}) "
        f"SELECT {columns} FROM {quote(source._meta.db_table)}"
    )
    params = ()
    if kinds:
        sql += f" WHERE {quote(source._meta.get_field('kind').column)} IN ({', '.join(['%s'] * len(kinds))})"
        params = tuple(kinds)
    schema_editor.execute(sql, params)


def _touch(apps) -> None:
    """Tell a running beat (DatabaseScheduler) that its schedule changed."""
    from django.utils import timezone

    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    names = {field.name for field in PeriodicTasks._meta.get_fields()}
    if "last_update" in names:
        PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def _retask(apps, old: dict, new: dict) -> None:
    """Point the beat job at the new task; its schedule (and whether it is enabled) stays."""
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    changed = False
    for periodic in PeriodicTask.objects.filter(task=old["task"]):
        periodic.task = new["task"]
        periodic.description = new["description"]
        if periodic.name == old["name"] and not PeriodicTask.objects.filter(name=new["name"]).exists():
            periodic.name = new["name"]
        periodic.save()
        changed = True
    if changed:
        _touch(apps)


def forward(apps, schema_editor):
    _copy(
        schema_editor, apps.get_model("agreements", "Reminder"), apps.get_model("notifications", "Reminder")
    )
    _retask(apps, OLD, NEW)


def backward(apps, schema_editor):
    old, new = apps.get_model("agreements", "Reminder"), apps.get_model("notifications", "Reminder")
    _copy(schema_editor, new, old, kinds=AGREEMENT_KINDS)
    new.objects.filter(kind__in=AGREEMENT_KINDS).delete()
    _retask(apps, NEW, OLD)


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0001_initial"),
        ("agreements", "0004_agreement_status_labels"),
        # The newest migration of django-celery-beat (2.7 to 2.9 ship the same one).
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(forward, backward)]
