import logging

from celery import shared_task
from django.template import TemplateDoesNotExist, TemplateSyntaxError

from . import services

logger = logging.getLogger(__name__)

# Retrying cannot mend these: the print template (or an agreement text version) is broken.
PERMANENT_ERRORS = (TemplateSyntaxError, TemplateDoesNotExist, LookupError)
RETRY_BASE_SECONDS = 30  # then 60, 120, 240: four retries within eight minutes


@shared_task(bind=True, acks_late=True, max_retries=4, soft_time_limit=120, time_limit=180)
def document_render(self, document_id: int) -> str:
    """Render one document's PDF, whatever its kind. Idempotent: a document already done
    (or rendering in another worker) is left alone, so a duplicate message or a sweep is
    harmless. A render runs outside the row lock; failures retry with backoff, then the
    document shows as failed (with the error) and a coordinator can retry it."""
    if not services.document_claim(document_id=document_id):
        return "skipped"
    try:
        services.document_render_pdf(document_id=document_id)
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"
        if isinstance(exc, PERMANENT_ERRORS) or self.request.retries >= self.max_retries:
            services.document_failed(document_id=document_id, error=error, final=True)
            # The row is the record the coordinator sees; no exception for an on-commit caller.
            logger.error("Document %s failed for good: %s", document_id, error, exc_info=exc)
            return "failed"
        services.document_failed(document_id=document_id, error=error, final=False)
        logger.warning("Document %s failed (retry %s): %s", document_id, self.request.retries + 1, error)
        if self.request.is_eager:
            # In-process (no broker: `make run`, tests): nothing to schedule on, so try again now.
            return self.apply(args=(document_id,), retries=self.request.retries + 1).result
        raise self.retry(exc=exc, countdown=RETRY_BASE_SECONDS * 2**self.request.retries) from exc
    return "done"


@shared_task
def documents_sweep() -> int:
    """Periodic: queue again documents left queued or rendering (a lost message, a killed worker)."""
    return len(services.documents_requeue_stuck())
