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
    """Email one registration notice; a notice already sent is skipped (idempotent)."""
    return services.notice_send(notice_id=notice_id)


@shared_task
def notices_sweep() -> int:
    """Periodic: queue again notices not sent for a while (a lost message, a mail server down)."""
    from core.tasks import enqueue_on_commit

    ids = services.notices_unsent()
    for notice_id in ids:
        enqueue_on_commit(notice_send, notice_id)
    return len(ids)
