from celery import shared_task

from core.tasks import EMAIL_TASK

from . import reminders


@shared_task
def reminders_daily() -> int:
    """Periodic ("Reminders: daily", 07:00 Riga): the claim pass of the day's reminders of
    every registered source, which hands the emails to ``reminders_deliver``; idempotent, so
    running it twice sends nothing twice."""
    return reminders.reminders_send()


@shared_task(**EMAIL_TASK)
def reminders_deliver(self, source_name: str, today: str, object_pks: list, reminder_ids: list[int]) -> int:
    """Email one batch of reminders the daily run claimed; once each (see the service)."""
    return reminders.reminders_deliver(source_name, today, object_pks, reminder_ids)
