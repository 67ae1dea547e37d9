from celery import shared_task

from core.tasks import EMAIL_TASK

from . import services


@shared_task(**EMAIL_TASK)
def notify_coordinators_of_submission(self, application_id: int) -> bool:
    """Email the coordinators about a new application; once per person (see the service)."""
    return services.coordinators_notify_submission(application_id=application_id)


@shared_task(**EMAIL_TASK)
def notify_applicant(self, event_id: int) -> bool:
    """Email the applicant about a status change; once per event (see the service)."""
    return services.applicant_notify(event_id=event_id)


@shared_task(**EMAIL_TASK)
def send_bulk_email(self, bulk_email_id: int) -> int:
    """One email per recipient not yet sent; failed ones are tried again later."""
    from . import outreach

    run = outreach.bulk_email_send(bulk_email_id=bulk_email_id)
    if run.failed and not self.request.is_eager and self.request.retries < self.max_retries:
        raise self.retry(countdown=60 * 2**self.request.retries)
    return run.sent


@shared_task
def emails_sweep() -> dict[str, int]:
    """Periodic: queue again submission notices, status emails and bulk emails not sent for
    a while (a lost message, the broker or the mail server down)."""
    return services.emails_requeue_unsent()
