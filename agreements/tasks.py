from celery import shared_task

from . import services


@shared_task(bind=True, acks_late=True, max_retries=4, soft_time_limit=120, time_limit=180)
def document_render(self, document_id: int) -> None:
    """Render one agreement PDF. Idempotent: a document already done (or rendering in
    another worker) is left alone; failures retry with backoff, then show as failed."""
    if not services.document_claim(document_id=document_id):
        return
    try:
        services.document_render_pdf(document_id=document_id)
    except Exception as exc:
        final = self.request.retries >= self.max_retries
        services.document_failed(document_id=document_id, error=f"{type(exc).__name__}: {exc}", final=final)
        if final:
            raise
        raise self.retry(exc=exc, countdown=30 * 2**self.request.retries) from exc


@shared_task
def documents_sweep() -> int:
    return len(services.documents_requeue_stuck())


@shared_task
def agreements_daily() -> dict:
    return {
        "activated": services.agreements_activate_due(),
        "expired": services.agreements_expire_due(),
    }
