from celery import shared_task

from core.tasks import EMAIL_TASK

from . import services


@shared_task(**EMAIL_TASK)
def invitation_send(self, invitation_id: int) -> bool:
    """Email an invitation link; a no-op once sent, revoked or accepted."""
    return services.invitation_send_email(invitation_id=invitation_id)


@shared_task
def invitations_sweep() -> int:
    """Periodic: queue again invitation emails not sent for a while (a lost message, the
    broker or the mail server down)."""
    return len(services.invitations_requeue_unsent())
