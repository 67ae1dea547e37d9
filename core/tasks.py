import logging

from celery import shared_task
from django.db import transaction

logger = logging.getLogger(__name__)


@shared_task(name="core.ping")
def ping() -> str:
    """A trivial task: shows that the broker and a worker are alive."""
    return "pong"


def enqueue_on_commit(task, *args) -> None:
    """Queue ``task(*args)`` once the current transaction commits (at once outside one).
    A broker that is down never fails the caller — the request has already done its work:
    the failure is logged and the task's periodic sweeper queues the work again."""

    def send() -> None:
        try:
            task.apply_async(args=args, retry=False)
        except Exception:
            logger.exception("Could not queue %s%r; its sweeper will queue it again", task.name, args)

    transaction.on_commit(send)
