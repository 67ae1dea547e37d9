from celery import shared_task

from core.tasks import EMAIL_TASK

from . import services


@shared_task(**EMAIL_TASK)
def laureate_notice_send(self, nomination_id: int) -> bool:
    """Email a laureate, once (outbox on the nomination)."""
    return services.laureate_notice_send(nomination_id=nomination_id)


@shared_task(**EMAIL_TASK)
def jury_invite(self, member_id: int) -> bool:
    """Tell a new jury member they are on the jury (and how to set a password); once."""
    return services.jury_invite_send(member_id=member_id)


@shared_task(ignore_result=True)
def notices_sweep() -> int:
    """Periodic: queue again laureates' emails and jury invitations not sent for a while."""
    return len(services.notices_requeue_unsent()) + len(services.invites_requeue_unsent())
