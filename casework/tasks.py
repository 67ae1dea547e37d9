import smtplib

from celery import shared_task

from . import services


@shared_task(
    bind=True,
    acks_late=True,
    max_retries=5,
    autoretry_for=(smtplib.SMTPException, OSError),
    retry_backoff=30,
    retry_backoff_max=3600,
)
def concern_send(self, meeting_id: int) -> bool:
    """Email a flagged concern to the supervising officer; once per meeting."""
    return services.concern_send(meeting_id=meeting_id)


@shared_task
def concerns_sweep() -> int:
    """Periodic: queue again concern emails not sent for a while."""
    return len(services.concerns_requeue_unsent())
