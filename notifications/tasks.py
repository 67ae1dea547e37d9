from celery import shared_task

from .reminders import reminders_send


@shared_task
def reminders_daily() -> int:
    """Periodic ("Reminders: daily", 07:00 Riga): the day's reminders of every registered
    source; idempotent, so running it twice sends nothing twice."""
    return reminders_send()
