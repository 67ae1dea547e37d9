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
def notice_send(self, notice_id: int) -> bool:
    """Email one registration notice; once per notice (see the service)."""
    return services.notice_send(notice_id=notice_id)


@shared_task
def notices_sweep() -> int:
    """Periodic: queue again notices not sent for a while (a lost message, a mail server down)."""
    return len(services.notices_requeue_unsent())
