import smtplib

from celery import shared_task

from . import services

_RETRY = {
    "bind": True,
    "acks_late": True,
    "max_retries": 5,
    "autoretry_for": (smtplib.SMTPException, OSError),
    "retry_backoff": 30,
    "retry_backoff_max": 3600,
}


@shared_task(**_RETRY)
def notify_coordinators_of_submission(self, application_id: int) -> bool:
    return services.coordinators_notify_submission(application_id=application_id)


@shared_task(**_RETRY)
def notify_applicant(self, event_id: int) -> bool:
    return services.applicant_notify(event_id=event_id)
