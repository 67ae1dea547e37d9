"""The documents' part of a person's data (see ``core.personal_data``): every PDF issued
about the person (agreements, certificates, … — whatever kinds the apps register), with a
download link while the file exists. Erasure destroys the files of kinds that are not kept
under a retention duty; those are destroyed by the retention job when the period ends."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.personal_data import Erasure, Section, register
from notifications.registry import absolute_url

from . import registry
from .models import Document
from .services import documents_destroy


def _subjects(kind: registry.DocumentKind, volunteer) -> Any:
    return kind.model_class()._default_manager.filter(**{kind.volunteer_field: volunteer})


def _about_volunteers() -> list[registry.DocumentKind]:
    return [kind for kind in registry.kinds() if kind.volunteer_field is not None]


def _export(volunteer) -> list[dict[str, Any]]:
    rows = []
    for kind in _about_volunteers():
        documents = (
            Document.objects.filter(
                content_type=ContentType.objects.get_for_model(kind.model_class()),
                object_id__in=_subjects(kind, volunteer).values("pk"),
                state=Document.State.DONE,
            )
            .select_related("unit__institution")
            .order_by("created_at", "pk")
        )
        for document in documents:
            available = not document.destroyed_at and bool(document.file)
            rows.append(
                {
                    "kind": document.kind,
                    "kind_label": kind.label_for(document.unit),
                    "number": document.number,
                    "version": document.version,
                    "made_at": document.finished_at,
                    "verification_code": document.code_display,
                    "revoked_at": document.revoked_at,
                    "destroyed_at": document.destroyed_at,
                    "download_url": absolute_url(("documents:download", [document.pk])) if available else "",
                }
            )
    return rows


def _erase(erasure: Erasure) -> None:
    for kind in _about_volunteers():
        if kind.kept_after_erasure:
            continue
        for subject in _subjects(kind, erasure.volunteer):
            erasure.files.extend(
                documents_destroy(
                    subject=subject, reason=_("The person's data was erased."), actor=erasure.actor
                )
            )


register(
    Section(
        key="documents",
        title=gettext_lazy("Documents"),
        template="documents/personal_data.html",
        export=_export,
        erase=_erase,
        # Documents point at their subject generically; the subject's app covers the subject.
        staff_only={
            "documents.ExportFile": (
                "owner is the coordinator who exported a list; the file is deleted when it expires "
                "(TILTS_EXPORT_KEEP_HOURS)"
            ),
        },
        order=80,
    )
)
