"""Every write of the documents app: issuing a version, the render task's claim / store /
failure steps, retry, revocation, the sweeper, and the audit of downloads; and the export
files of large list exports (request, the job's claim / build / failure steps, the audited
download, the sweeper)."""

from __future__ import annotations

import hashlib
import logging
import tempfile
from collections.abc import Iterable, Iterator
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Case, Max, Q, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core import tabular
from core.tasks import enqueue_on_commit
from institutions.services import audit_record

from . import exports, registry
from .models import EXPORT_IN_PROGRESS, IN_PROGRESS, Document, ExportFile

if TYPE_CHECKING:
    from accounts.models import User

logger = logging.getLogger(__name__)

# A render that has been "rendering" (or waiting for its retry) this long is taken to be lost.
RENDER_STALE_AFTER = timedelta(minutes=10)


def _enqueue_render(document_id: int) -> None:
    from .tasks import document_render

    enqueue_on_commit(document_render, document_id)


def document_issue(*, subject: Any, kind: str) -> Document:
    """A new version of the subject's document of this kind, queued for rendering once the
    caller's transaction commits. Call it inside the transaction that changes the subject
    (which also holds the subject's row lock, so versions do not race)."""
    spec = registry.get(kind)
    with transaction.atomic():
        content_type = ContentType.objects.get_for_model(subject)
        last = Document.objects.filter(content_type=content_type, object_id=subject.pk, kind=kind).aggregate(
            last=Max("version")
        )["last"]
        document = Document.objects.create(
            kind=kind,
            unit=spec.unit(subject),
            content_type=content_type,
            object_id=subject.pk,
            version=(last or 0) + 1,
            number=spec.number(subject)[:40],
            holder_initials=registry.initials(spec.holder_name(subject)),
        )
    _enqueue_render(document.pk)
    return document


def document_claim(*, document_id: int) -> bool:
    """Lock the row and mark it rendering. False when it is done, or in flight elsewhere."""
    with transaction.atomic():
        document = Document.objects.select_for_update().filter(pk=document_id).first()
        if document is None or document.state == Document.State.DONE or document.destroyed_at:
            return False
        now = timezone.now()
        if document.state == Document.State.RENDERING and document.started_at > now - RENDER_STALE_AFTER:
            return False
        document.state = Document.State.RENDERING
        document.started_at = now
        document.attempts += 1
        document.save(update_fields=["state", "started_at", "attempts"])
    return True


def document_render_pdf(*, document_id: int) -> Document:
    """Render and store the PDF of a claimed document (outside the lock: rendering is slow)."""
    from .rendering import render_pdf

    document = Document.objects.select_related("unit__institution").get(pk=document_id)
    kind = registry.get(document.kind)
    pdf = render_pdf(kind, document, kind.subject_of(document))
    if not pdf.startswith(b"%PDF-"):
        raise ValueError("The renderer did not return a PDF.")
    with transaction.atomic():
        locked = Document.objects.select_for_update().get(pk=document_id)
        if locked.state == Document.State.DONE:  # another attempt finished first
            return locked
        if locked.destroyed_at:  # the person's data was erased while it was rendered
            return locked
        if locked.file:
            locked.file.delete(save=False)
        stem = (locked.number or f"{locked.kind}-{locked.object_id}").replace("/", "-")
        locked.file.save(f"{stem}-v{locked.version}.pdf", ContentFile(pdf), save=False)
        # The file is written before the row: if the row cannot be saved, remove the file again.
        try:
            locked.sha256 = hashlib.sha256(pdf).hexdigest()
            locked.size = len(pdf)
            locked.state = Document.State.DONE
            locked.error = ""
            locked.finished_at = timezone.now()
            locked.save()
        except Exception:
            locked.file.delete(save=False)
            raise
    return locked


def document_failed(*, document_id: int, error: str, final: bool) -> None:
    Document.objects.filter(pk=document_id).exclude(state=Document.State.DONE).update(
        state=Document.State.FAILED if final else Document.State.QUEUED, error=error[:2000]
    )


@transaction.atomic
def document_retry(*, actor: User, document: Document) -> Document:
    """Queue a failed document again (a person asked, after reading the error)."""
    document = Document.objects.select_for_update().get(pk=document.pk)
    kind = registry.get(document.kind)
    subject = kind.subject_of(document)
    if not kind.can_manage(actor, subject):
        raise ValidationError(_("You may not retry this document."))
    if document.state != Document.State.FAILED:
        raise ValidationError(_("Only a failed document can be retried."))
    document.state = Document.State.QUEUED
    document.error = ""
    document.save(update_fields=["state", "error"])
    audit_record(
        actor=actor,
        action="document.retry",
        target=subject,
        unit=document.unit,
        data={"kind": document.kind, "version": document.version},
    )
    _enqueue_render(document.pk)
    return document


def documents_revoke(*, subject: Any, reason: str, actor: User | None = None) -> int:
    """Mark every issued version of the subject's documents revoked (the verification page
    says so at once). Call inside the transaction that ends the subject's validity."""
    now = timezone.now()
    with transaction.atomic():
        revoked = list(
            Document.objects.for_subject(subject)
            .filter(revoked_at__isnull=True)
            .select_for_update()
            .order_by("version")
            .values_list("pk", "kind", "version")
        )
        if not revoked:
            return 0
        Document.objects.filter(pk__in=[pk for pk, *_ in revoked]).update(
            revoked_at=now, revoked_reason=reason[:200]
        )
        audit_record(
            actor=actor,
            action="document.revoke",
            target=subject,
            unit=registry.get(revoked[0][1]).unit(subject),
            data={"versions": [version for _pk, _kind, version in revoked], "reason": reason[:200]},
        )
    return len(revoked)


def documents_destroy(*, subject: Any, reason: str, actor: User | None = None) -> list[str]:
    """Destroy the stored files of every version of the subject's documents (erasure, or the
    end of a retention period): the rows stay, revoked and marked destroyed, so the
    verification page still answers. Returns the file names; the caller deletes them after
    commit."""
    now = timezone.now()
    with transaction.atomic():
        rows = list(
            Document.objects.for_subject(subject)
            .filter(destroyed_at__isnull=True)
            .select_for_update()
            .order_by("version")
            .values_list("pk", "kind", "version", "file")
        )
        if not rows:
            return []
        # What was still queued or rendering is never made (claim and render refuse it).
        Document.objects.filter(pk__in=[pk for pk, *_ in rows], state__in=IN_PROGRESS).update(
            state=Document.State.FAILED, error="destroyed"
        )
        Document.objects.filter(pk__in=[pk for pk, *_ in rows]).update(
            destroyed_at=now,
            file="",
            holder_initials="",
            revoked_at=Coalesce("revoked_at", Value(now)),
            revoked_reason=Case(When(revoked_reason="", then=Value(reason[:200])), default="revoked_reason"),
        )
        audit_record(
            actor=actor,
            action="document.destroy",
            target=subject,
            unit=registry.get(rows[0][1]).unit(subject),
            data={"versions": [version for _pk, _kind, version, _file in rows], "reason": reason[:200]},
        )
    return [name for *_rest, name in rows if name]


def documents_requeue_stuck(*, now=None) -> list[int]:
    """The sweeper: queue again documents that are queued or rendering for too long (a lost
    message, a killed worker). A document queued again after a failed attempt waits for its
    retry, so its age counts from that attempt."""
    now = now or timezone.now()
    stuck = list(
        Document.objects.in_progress()
        .filter(destroyed_at__isnull=True)
        .annotate(since=Coalesce("started_at", "created_at"))
        .filter(since__lt=now - RENDER_STALE_AFTER)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    from .tasks import document_render

    for pk in stuck:
        document_render.delay(pk)
    return stuck


def document_download_logged(*, actor: User, document: Document, subject: Any) -> None:
    """Every download of a document is in the audit trail as ``<kind>.download``."""
    audit_record(
        actor=actor,
        action=f"{document.kind}.download",
        target=subject,
        unit=document.unit,
        data={"file": f"pdf:v{document.version}"},
    )


# --- Export files (large list exports, made in the background)

# A job queued or running this long is taken to be lost (a lost message, a killed worker);
# the longest export (100,000 rows) takes well under a minute.
EXPORT_STALE_AFTER = timedelta(minutes=15)
EXPORT_MAX_ATTEMPTS = 3
# The job writes its progress (rows done) every this many rows: one UPDATE each.
EXPORT_PROGRESS_EVERY = 1000
# The file is written here first (memory up to this size, then a temporary file on disk).
EXPORT_SPOOL = 8 * 1024 * 1024


def _export_lifetime() -> timedelta:
    return timedelta(hours=settings.TILTS_EXPORT_KEEP_HOURS)


def _enqueue_export(export_id: int) -> None:
    from .tasks import export_build

    enqueue_on_commit(export_build, export_id)


def export_request(*, actor: User, kind: str, params: Any, fmt: str, total: int | None = None) -> ExportFile:
    """Record an export to be made in the background for ``actor`` and queue the job on
    commit (the request never waits on the broker). The same export still queued or being
    made for the same person (a double click, a reload) is returned rather than made twice."""
    exports.get(kind)  # LookupError: not a registered kind
    if fmt not in tabular.FORMATS:
        raise ValidationError(_("Unknown export format."))
    filters = exports.filters_of(params)
    now = timezone.now()
    with transaction.atomic():
        same = (
            ExportFile.objects.filter(
                owner=actor,
                kind=kind,
                format=fmt,
                params=filters,
                state__in=EXPORT_IN_PROGRESS,
                created_at__gt=now - EXPORT_STALE_AFTER,
            )
            .order_by("-created_at")
            .first()
        )
        if same is not None:
            return same
        export = ExportFile.objects.create(
            owner=actor,
            kind=kind,
            params=filters,
            format=fmt,
            language=translation.get_language() or settings.LANGUAGE_CODE,
            rows_total=total,
            created_at=now,
            expires_at=now + _export_lifetime(),
        )
        _enqueue_export(export.pk)
    return export


def export_claim(*, export_id: int, now=None) -> bool:
    """Lock the row and mark it running. False when it is done, expired, or running
    elsewhere (so a duplicate message or a sweep is harmless)."""
    now = now or timezone.now()
    with transaction.atomic():
        export = ExportFile.objects.select_for_update().filter(pk=export_id).first()
        if export is None or export.state == ExportFile.State.DONE or export.expires_at <= now:
            return False
        if export.state == ExportFile.State.RUNNING and export.started_at > now - EXPORT_STALE_AFTER:
            return False
        export.state = ExportFile.State.RUNNING
        export.started_at = now
        export.attempts += 1
        export.rows_done = 0
        export.error = ""
        export.save(update_fields=["state", "started_at", "attempts", "rows_done", "error"])
    return True


class _Progress:
    """Counts the rows as they are written, and writes the job's progress every
    ``EXPORT_PROGRESS_EVERY`` rows (what the status page's progress bar shows)."""

    def __init__(self, export_id: int) -> None:
        self.export_id = export_id
        self.done = 0

    def rows(self, rows: Iterable) -> Iterator:
        for row in rows:
            yield row
            self.done += 1
            if self.done % EXPORT_PROGRESS_EVERY == 0:
                ExportFile.objects.filter(pk=self.export_id).update(rows_done=self.done)


def export_build(*, export_id: int) -> ExportFile:
    """Make the file of a claimed export: the kind prepares the export again as its owner
    (the page's scoped selector, the owner's permissions as they are now), the rows are
    written into a spooled file (outside any transaction: progress shows as it goes), then
    the file is stored and the row marked done with the export's audit, in one transaction."""
    export = ExportFile.objects.select_related("owner").get(pk=export_id)
    kind = exports.get(export.kind)
    with translation.override(export.language or settings.LANGUAGE_CODE):
        prepared = kind.prepare(export.owner, exports.query_dict(export.params))
        ExportFile.objects.filter(pk=export_id).update(rows_total=prepared.total)
        progress = _Progress(export_id)
        prepared.table.rows = progress.rows(prepared.table.rows)
        with tempfile.SpooledTemporaryFile(max_size=EXPORT_SPOOL) as spool:
            tabular.write(prepared.table, export.format, spool)
            size = spool.tell()
            spool.seek(0)
            with transaction.atomic():
                locked = ExportFile.objects.select_for_update().filter(pk=export_id).first()
                if locked is None or locked.state != ExportFile.State.RUNNING:
                    return locked or export  # deleted, or finished by another attempt
                now = timezone.now()
                filename = f"{prepared.filename}.{export.format}"
                locked.file.save(filename, File(spool), save=False)
                # The file is written before the row: if the row cannot be saved, remove it.
                try:
                    locked.filename = filename[:120]
                    locked.size = size
                    locked.rows_total = locked.rows_done = progress.done
                    locked.state = ExportFile.State.DONE
                    locked.error = ""
                    locked.finished_at = now
                    locked.expires_at = now + _export_lifetime()
                    locked.save()
                    prepared.record(export.format, {"export": export.pk})
                except Exception:
                    locked.file.delete(save=False)
                    raise
    return locked


def export_failed(*, export_id: int, error: str, final: bool) -> None:
    ExportFile.objects.filter(pk=export_id).exclude(state=ExportFile.State.DONE).update(
        state=ExportFile.State.FAILED if final else ExportFile.State.QUEUED, error=error[:2000]
    )


def export_download_logged(*, actor: User, export: ExportFile) -> None:
    """Every download of an export file is in the audit trail (``export.download``)."""
    audit_record(
        actor=actor,
        action="export.download",
        target=export,
        data={"kind": export.kind, "format": export.format, "rows": export.rows_total},
    )


def exports_sweep(*, now=None) -> dict[str, int]:
    """The sweeper: delete expired export files (the file, then the row), and queue again
    the jobs left queued or running too long (a lost message, a killed worker) — or mark
    them failed after ``EXPORT_MAX_ATTEMPTS``."""
    now = now or timezone.now()
    expired = list(ExportFile.objects.filter(expires_at__lte=now).order_by("pk").values_list("pk", "file"))
    for pk, name in expired:
        if name:
            ExportFile._meta.get_field("file").storage.delete(name)
        ExportFile.objects.filter(pk=pk).delete()
    cutoff = now - EXPORT_STALE_AFTER
    stuck = ExportFile.objects.filter(state__in=EXPORT_IN_PROGRESS, expires_at__gt=now).filter(
        Q(started_at__lt=cutoff) | Q(started_at__isnull=True, created_at__lt=cutoff)
    )
    failed = stuck.filter(attempts__gte=EXPORT_MAX_ATTEMPTS).update(
        state=ExportFile.State.FAILED, error="The export was interrupted too many times."
    )
    requeued = list(
        stuck.filter(attempts__lt=EXPORT_MAX_ATTEMPTS).order_by("pk").values_list("pk", flat=True)
    )
    from .tasks import export_build

    for pk in requeued:
        try:
            export_build.apply_async(args=(pk,), retry=False)
        except Exception:  # the broker is down: the next sweep tries again
            logger.exception("Could not queue export %s again", pk)
    return {"deleted": len(expired), "requeued": len(requeued), "failed": failed}
