"""The move of the reminders from agreements (notifications 0002, agreements 0005): the rows
already taken are copied exactly, so nothing is sent twice, and the beat job runs the new
task on its old schedule. Migrates back and forth: a few seconds."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("agreements", "0004_agreement_status_labels"), ("notifications", None)]
AFTER = [("notifications", "0003_reminder_once")]


def _migrate(targets):
    """Migrate to the targets; the models as they were then."""
    MigrationExecutor(connection).migrate(targets)
    return MigrationExecutor(connection).loader.project_state([t for t in targets if t[1]]).apps


@pytest.mark.django_db(transaction=True)
def test_migration_copies_every_reminder_and_moves_the_daily_job_when_migrated():
    taken = datetime(2026, 3, 1, 5, 0, 0, 123456, tzinfo=UTC)
    rows = [
        (
            "ending_30",
            "agreement:42",
            date(2026, 3, 30),
            "liga@example.lv",
            taken,
            taken + timedelta(seconds=3),
        ),
        ("vetting_30", "vetting:7", date(2026, 3, 20), "ilze@example.lv", taken, None),  # failed claim
    ]
    columns = ("kind", "target", "due_date", "recipient", "created_at", "sent_at")
    try:
        old = _migrate(BEFORE)
        # The row agreements 0003 made (again: an earlier transactional test may have flushed it).
        crontab, _ = old.get_model("django_celery_beat", "CrontabSchedule").objects.get_or_create(
            minute="0", hour="7", day_of_week="*", day_of_month="*", month_of_year="*", timezone="Europe/Riga"
        )
        job, _ = old.get_model("django_celery_beat", "PeriodicTask").objects.update_or_create(
            task="agreements.tasks.reminders_daily",
            # Disabled by an admin: the migration keeps that.
            defaults={"name": "Agreements: reminders", "crontab": crontab, "enabled": False},
        )
        for row in rows:
            old.get_model("agreements", "Reminder").objects.create(**dict(zip(columns, row, strict=True)))

        new = _migrate(AFTER)

        copied = new.get_model("notifications", "Reminder").objects.order_by("kind").values_list(*columns)
        assert list(copied) == sorted(rows)
        moved = new.get_model("django_celery_beat", "PeriodicTask").objects.get(pk=job.pk)
        assert (moved.task, moved.name) == ("notifications.tasks.reminders_daily", "Reminders: daily")
        assert "register" in moved.description
        assert (moved.crontab_id, moved.enabled) == (job.crontab_id, False)
        assert "agreements_reminder" not in connection.introspection.table_names()
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
