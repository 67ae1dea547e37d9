import logging
import smtplib

from celery import shared_task
from django.db import transaction

logger = logging.getLogger(__name__)

# The options of every task that sends email: retried on a mail server's or the network's
# error with a growing pause (30 s … an hour), acknowledged only when done. Such a task is
# bound (``self``) and idempotent (its outbox row lets one sender through).
EMAIL_TASK = {
    "bind": True,
    "acks_late": True,
    "max_retries": 5,
    "autoretry_for": (smtplib.SMTPException, OSError),
    "retry_backoff": 30,
    "retry_backoff_max": 3600,
}


@shared_task(name="core.ping", ignore_result=False)
def ping() -> str:
    """A trivial task: shows that the broker and a worker are alive. The one task whose
    result is read (every other is fire-and-forget: settings.CELERY_TASK_IGNORE_RESULT)."""
    return "pong"


def enqueue_on_commit(task, *args) -> None:
    """Queue ``task(*args)`` once the current transaction commits (at once outside one).
    A broker that is down never fails the caller — the request has already done its work:
    the failure is logged and the task's periodic sweeper queues the work again. Nor does it
    hold the request up: one connection attempt (settings.CELERY_BROKER_TRANSPORT_OPTIONS),
    no publish retries, and no result store to subscribe to."""

    def send() -> None:
        try:
            task.apply_async(args=args, retry=False)
        except Exception:
            logger.exception("Could not queue %s%r; its sweeper will queue it again", task.name, args)

    transaction.on_commit(send)
