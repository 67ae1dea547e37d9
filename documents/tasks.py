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


EXPORT_RETRY_SECONDS = 60  # then 120


@shared_task(
    bind=True, acks_late=True, ignore_result=True, max_retries=2, soft_time_limit=1500, time_limit=1600
)
def export_build(self, export_id: int) -> str:
    """Make one large export's file (``documents.exports``). Idempotent: an export already
    made, expired, or running in another worker is left alone, so a duplicate message or a
    sweep is harmless. Failures retry with backoff, then the export shows as failed."""
    if not services.export_claim(export_id=export_id):
        return "skipped"
    try:
        services.export_build(export_id=export_id)
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"
        if self.request.retries >= self.max_retries:
            services.export_failed(export_id=export_id, error=error, final=True)
            logger.error("Export %s failed for good: %s", export_id, error, exc_info=exc)
            return "failed"
        services.export_failed(export_id=export_id, error=error, final=False)
        logger.warning("Export %s failed (retry %s): %s", export_id, self.request.retries + 1, error)
        if self.request.is_eager:
            return self.apply(args=(export_id,), retries=self.request.retries + 1).result
        raise self.retry(exc=exc, countdown=EXPORT_RETRY_SECONDS * 2**self.request.retries) from exc
    return "done"


@shared_task(ignore_result=True)
def exports_sweep() -> dict:
    """Periodic: delete expired export files; queue again exports left queued or running."""
    return services.exports_sweep()
