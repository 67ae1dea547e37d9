from celery import shared_task

from . import services


@shared_task
def retention_daily() -> dict:
    """Once a day (the run row is unique per day, so a second delivery does nothing)."""
    run = services.retention_run()
    return {"day": run.run_on.isoformat(), "anonymised": run.anonymised, "agreements": run.agreements_cleared}
