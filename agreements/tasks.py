from celery import shared_task

from . import services


@shared_task
def agreements_daily() -> dict:
    return {
        "activated": services.agreements_activate_due(),
        "expired": services.agreements_expire_due(),
    }
