"""Every write of the documents app: issuing a version, the render task's claim / store /
failure steps, retry, revocation, the sweeper, and the audit of downloads."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Case, Max, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from core.tasks import enqueue_on_commit
from institutions.services import audit_record

from . import registry
from .models import IN_PROGRESS, Document

if TYPE_CHECKING:
    from accounts.models import User

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
