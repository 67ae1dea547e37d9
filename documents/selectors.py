"""Every read of the documents app."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404
from django.utils import timezone

from . import registry
from .models import Document, ExportFile, normalise_code

if TYPE_CHECKING:
    from accounts.models import User


def document_for(user: User, pk: int, *, manage: bool = False) -> tuple[Document, Any]:
    """A document and its subject when the person may view it (or, with ``manage``, retry
    it) by its kind's rules; 404 otherwise — never 403, never data."""
    document = Document.objects.select_related("unit__institution").filter(pk=pk).first()
    if document is None:
        raise Http404
    try:
        kind = registry.get(document.kind)
        subject = kind.subject_of(document)
    except (LookupError, ObjectDoesNotExist) as missing:
        raise Http404 from missing
    allowed = kind.can_manage(user, subject) if manage else kind.can_view(user, subject)
    if not allowed:
        raise Http404
    return document, subject


def documents_of(subject: Any, kind: str | None = None) -> list[Document]:
    """Every version of a subject's documents, newest first."""
    return list(Document.objects.for_subject(subject, kind).order_by("kind", "-version"))


def latest_done(subject: Any, kind: str) -> Document | None:
    return (
        Document.objects.for_subject(subject, kind)
        .filter(state=Document.State.DONE)
        .order_by("-version")
        .first()
    )


@dataclass(frozen=True)
class Verification:
    """What the public verification page says about a code — and nothing more."""

    document: Document
    kind_label: str
    status: str  # valid | superseded | revoked | expired | pending
    issuer: str
    unit: str
    issued_on: date | None
    valid_until: date | None
    newer_version: int | None


def verification_for(code: str, *, today: date | None = None) -> Verification | None:
    """The document a (typed or scanned) code stands for, or None."""
    code = normalise_code(code)
    document = (
        Document.objects.select_related("unit__institution").filter(verification_code=code).first()
        if code
        else None
    )
    if document is None:
        return None
    today = today or timezone.localdate()
    try:
        kind = registry.get(document.kind)
        label = kind.label_for(document.unit)
    except LookupError:
        kind, label = None, document.kind
    newer = (
        Document.objects.filter(
            content_type_id=document.content_type_id,
            object_id=document.object_id,
            kind=document.kind,
            version__gt=document.version,
            state=Document.State.DONE,
        )
        .order_by("-version")
        .values_list("version", flat=True)
        .first()
    )
    valid_until = None
    if kind is not None and document.state == Document.State.DONE and document.revoked_at is None:
        subject = kind.model_class()._default_manager.filter(pk=document.object_id).first()
        valid_until = kind.valid_until(subject) if subject is not None else None
    if document.revoked_at is not None:
        status = "revoked"
    elif document.state != Document.State.DONE:
        status = "pending"
    elif newer is not None:
        status = "superseded"
    elif valid_until is not None and valid_until < today:
        status = "expired"
    else:
        status = "valid"
    return Verification(
        document=document,
        kind_label=label,
        status=status,
        issuer=document.unit.institution.name,
        unit=document.unit.name,
        issued_on=timezone.localdate(document.finished_at) if document.finished_at else None,
        valid_until=valid_until,
        newer_version=newer,
    )


def export_for(user: User, pk: int) -> ExportFile:
    """An export file of the person who asked for it; 404 for anybody else (a superuser
    included: the file holds what its owner was allowed to see, not what they are)."""
    export = ExportFile.objects.filter(pk=pk, owner_id=user.pk).first() if user.is_authenticated else None
    if export is None:
        raise Http404
    return export
