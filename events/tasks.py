from celery import shared_task

from core.tasks import EMAIL_TASK

from . import services


@shared_task(**EMAIL_TASK)
def notice_send(self, notice_id: int) -> bool:
    """Email one step of an event to one person; once per notice (see the service)."""
    return services.notice_send(notice_id=notice_id)


@shared_task
def notices_sweep() -> int:
    """Periodic: queue again event emails not sent for a while."""
    return len(services.notices_requeue_unsent())


@shared_task(acks_late=True)
def certificate_notice_send(certificate_id: int, kind: str, recipient_ids: list[int]) -> int:
    """Tell about a certificate request or its answer (best effort)."""
    return services.certificate_notice_send(
        certificate_id=certificate_id, kind=kind, recipient_ids=recipient_ids
    )
