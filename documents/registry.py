"""Document kinds: what each app registers so that the shared machinery can print, store,
serve and verify its documents.

How an app adds a document kind — three small steps, as the agreement kind shows:

1. A print template ``templates/pdf/<kind>.html`` that extends ``pdf/base.html`` (page
   frame, fonts, page numbers, the verification code and QR code in the footer) and fills
   ``{% block content %}`` (see ``templates/pdf/agreement.html``).
2. A ``printing.py`` module in the app that calls ``register(DocumentKind(...))``: the model,
   the template, a context builder, the file name, the number and holder shown when the
   document is verified, and who may view and who may manage it (see
   ``agreements/printing.py``). The documents app imports every ``printing.py`` at start-up.
3. The subject model gets ``documents = GenericRelation("documents.Document")``, and the
   app's service calls ``documents.services.document_issue(subject=..., kind=...)`` inside
   its own transaction (rendering is queued on commit) — and ``documents_revoke`` when the
   subject stops being valid (a terminated agreement).

Pages then include ``documents/_document.html`` for the progress/download fragment, and
views answer downloads with ``documents.views.document_file_response``. ``make bench``
measures every registered kind (``bench/documents.py`` has a builder per kind).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.db import models

if TYPE_CHECKING:
    from accounts.models import User
    from institutions.models import Unit

    from .models import Document


@dataclass(frozen=True)
class DocumentKind:
    key: str  # stored in Document.kind; also the audit prefix ("<key>.download")
    label: Any  # lazy translatable name ("Volunteer agreement")
    model: str  # "app_label.ModelName" of the subject
    template: str  # print template, extends pdf/base.html
    context: Callable[[Any], dict]  # subject -> print template context (rendered in Latvian)
    filename: Callable[[Any, Document], str]  # download file name
    number: Callable[[Any], str]  # the printed number (shown on the verification page)
    holder_name: Callable[[Any], str]  # whose document it is (only initials are shown)
    unit: Callable[[Any], Unit]  # the unit that owns it (tenancy)
    can_view: Callable[[User, Any], bool]  # may see the progress and download
    can_manage: Callable[[User, Any], bool]  # may retry a failed rendering
    page_url: Callable[[Any], str]  # the subject's page for staff (where a retry returns)
    select_related: tuple[str, ...] = ()  # what rendering reads of the subject, in one query
    valid_until: Callable[[Any], date | None] = field(default=lambda subject: None)
    # The kind's name where it differs per institution (the agreement: "līgums" at IeVP,
    # "vienošanās" at VPD): given the document's unit (with its institution), in the active
    # language.
    label_by_unit: Callable[[Unit], str] | None = None
    language: str | Callable[[Any], str] = "lv"  # or subject -> "lv" / "en" (a certificate on request)
    # The subject's field that names the volunteer it is about: the data download lists
    # these documents, and erasure destroys their files — unless ``kept_after_erasure`` (a
    # legal retention duty: the retention job destroys them when the period ends). None: a
    # document about no volunteer (a report), in nobody's data download.
    volunteer_field: str | None = "volunteer"
    kept_after_erasure: bool = False

    def label_for(self, unit: Unit | None) -> str:
        return self.label_by_unit(unit) if self.label_by_unit and unit is not None else str(self.label)

    def language_of(self, subject: Any) -> str:
        return self.language(subject) if callable(self.language) else self.language

    def model_class(self) -> type[models.Model]:
        return apps.get_model(self.model)

    def subject_of(self, document: Document) -> Any:
        """The document's subject with everything rendering needs, in one query."""
        return (
            self.model_class()
            ._default_manager.select_related(*self.select_related)
            .get(pk=document.object_id)
        )


_kinds: dict[str, DocumentKind] = {}


def register(kind: DocumentKind) -> DocumentKind:
    """Called by an app's ``printing.py``; registering the same key twice is an error
    unless it is the same kind (a module imported twice)."""
    existing = _kinds.get(kind.key)
    if existing is not None and existing != kind:
        raise ValueError(f"Document kind {kind.key!r} is already registered")
    _kinds[kind.key] = kind
    return kind


def unregister(key: str) -> None:
    """For tests that register a kind of their own."""
    _kinds.pop(key, None)


def get(key: str) -> DocumentKind:
    try:
        return _kinds[key]
    except KeyError:
        raise LookupError(f"No document kind {key!r} is registered") from None


def kinds() -> Iterator[DocumentKind]:
    return iter(sorted(_kinds.values(), key=lambda kind: kind.key))


def initials(name: str) -> str:
    """``Zane Bērziņa`` → ``Z. B.``; what the public verification page may show."""
    return " ".join(f"{part[0].upper()}." for part in name.replace("-", " ").split() if part[:1].isalpha())[
        :16
    ]
