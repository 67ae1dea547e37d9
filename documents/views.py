"""Document pages shared by every app: the progress fragment htmx polls while a PDF is
made, retry, download (authorised by the kind's rules, audited), and the public
verification page. Another unit's document answers 404, never 403.

And list exports (``documents.exports``): ``export_response`` streams a small export or
queues a large one; the status page of a queued export (its progress bar polled by htmx)
and its audited download are for the person who asked only."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from core import tabular
from core.ratelimit import ClientRateLimit

from . import exports, registry, selectors, services
from .models import Document, ExportFile


def file_response(field_file, *, filename: str, content_type: str) -> FileResponse:
    """A private file as a download; 404 when it is not stored (any more)."""
    if not field_file:
        raise Http404
    try:
        handle = field_file.storage.open(field_file.name, "rb")
    except (FileNotFoundError, OSError) as missing:
        raise Http404 from missing
    response = FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def document_file_response(request: HttpRequest, document: Document | None, subject: Any) -> FileResponse:
    """The PDF of a document the caller has already been authorised for; 404 unless it is
    made and stored. Every download is in the audit trail (``<kind>.download``)."""
    if document is None or document.state != Document.State.DONE:
        raise Http404
    kind = registry.get(document.kind)
    response = file_response(
        document.file, filename=kind.filename(subject, document), content_type="application/pdf"
    )
    services.document_download_logged(actor=request.user, document=document, subject=subject)
    return response


def _card(request: HttpRequest, document: Document, subject: Any, *, status: int = 200) -> HttpResponse:
    kind = registry.get(document.kind)
    return render(
        request,
        "documents/_document.html",
        {"document": document, "can_manage": kind.can_manage(request.user, subject)},
        status=status,
    )


@login_required
@never_cache
@require_GET
def document_fragment(request: HttpRequest, pk: int) -> HttpResponse:
    """One document's state, progress and actions: what every page includes, and what
    htmx polls every 2 s while the PDF is being made."""
    document, subject = selectors.document_for(request.user, pk)
    return _card(request, document, subject)


@login_required
@require_POST
def document_retry(request: HttpRequest, pk: int) -> HttpResponse:
    document, subject = selectors.document_for(request.user, pk, manage=True)
    try:
        document = services.document_retry(actor=request.user, document=document)
    except ValidationError as error:
        if request.htmx:
            return _card(request, document, subject, status=400)
        messages.error(request, " ".join(error.messages))
    else:
        if request.htmx:
            return _card(request, document, subject)
        messages.success(request, _("The PDF is being prepared again."))
    return redirect(registry.get(document.kind).page_url(subject) + "#documents")


@login_required
@require_GET
def document_download(request: HttpRequest, pk: int) -> FileResponse:
    document, subject = selectors.document_for(request.user, pk)
    return document_file_response(request, document, subject)


@never_cache
@require_GET
def verify(request: HttpRequest, code: str = "") -> HttpResponse:
    """Public: is this document genuine, and is it still valid? Says what it is (kind,
    number, issuer, date) and its state — no personal data beyond the holder's initials.
    Every lookup counts against the client's hourly limit, so codes cannot be guessed."""
    code = code or request.GET.get("code", "").strip()
    context: dict[str, Any] = {"code": code[:40]}
    status = 200
    if code:
        limit = ClientRateLimit(request, scope="verify", limit=settings.TILTS_VERIFY_RATE_PER_HOUR)
        if not limit.consume():
            return render(request, "documents/verify.html", {**context, "rate_limited": True}, status=429)
        context["result"] = selectors.verification_for(code)
        if context["result"] is None:
            status = 404
    return render(request, "documents/verify.html", context, status=status)


# --- List exports


def export_response(
    request: HttpRequest, *, kind: str, fmt: str
) -> StreamingHttpResponse | FileResponse | HttpResponse:
    """A list export (``fmt`` already checked): up to ``TILTS_EXPORT_STREAM_MAX_ROWS`` rows
    it is recorded and streams from this request; above, it becomes a background job and the
    person is sent to its status page. Either way the kind's scoped selector decides the rows."""
    spec = exports.get(kind)
    prepared = spec.prepare(request.user, request.GET)
    if prepared.total > settings.TILTS_EXPORT_STREAM_MAX_ROWS:
        export = services.export_request(
            actor=request.user, kind=kind, params=request.GET, fmt=fmt, total=prepared.total
        )
        return redirect("documents:export", pk=export.pk)
    with transaction.atomic():
        prepared.record(fmt, {})
    return tabular.response(prepared.table, fmt, filename=f"{prepared.filename}.{fmt}")


@login_required
@never_cache
@require_GET
def export_status(request: HttpRequest, pk: int) -> HttpResponse:
    """An export's state: a progress bar while it is made (htmx polls the fragment every
    2 s), then the download link; only for the person who asked."""
    export = selectors.export_for(request.user, pk)
    try:
        spec = exports.get(export.kind)
    except LookupError as missing:
        raise Http404 from missing
    context = {
        "export": export,
        "label": spec.label,
        "back_url": spec.page_url(exports.query_dict(export.params)),
    }
    if request.htmx:
        return render(request, "documents/export_progress.html", context)
    return render(request, "documents/export_status.html", context)


@login_required
@require_GET
def export_download(request: HttpRequest, pk: int) -> FileResponse:
    """The file of a finished export, to the person who asked, until it expires (then 404);
    every download is in the audit trail."""
    export = selectors.export_for(request.user, pk)
    if export.state != ExportFile.State.DONE or export.expired:
        raise Http404
    response = file_response(
        export.file, filename=export.filename, content_type=tabular.CONTENT_TYPES[export.format]
    )
    with transaction.atomic():
        services.export_download_logged(actor=request.user, export=export)
    return response
