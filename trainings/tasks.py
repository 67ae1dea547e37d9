from celery import shared_task

from core.tasks import EMAIL_TASK

from . import services


@shared_task(**EMAIL_TASK)
def notice_send(self, notice_id: int) -> bool:
    """Email one registration notice; once per notice (see the service)."""
    return services.notice_send(notice_id=notice_id)


@shared_task
def notices_sweep() -> int:
    """Periodic: queue again notices not sent for a while (a lost message, a mail server down)."""
    return len(services.notices_requeue_unsent())
