from celery import shared_task

from core.tasks import EMAIL_TASK

from . import services


@shared_task(**EMAIL_TASK)
def concern_send(self, meeting_id: int) -> bool:
    """Email a flagged concern to the supervising officer; once per meeting."""
    return services.concern_send(meeting_id=meeting_id)


@shared_task
def concerns_sweep() -> int:
    """Periodic: queue again concern emails not sent for a while."""
    return len(services.concerns_requeue_unsent())
