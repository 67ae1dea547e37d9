"""PDF rendering for every document kind: the kind's print template (which extends
``pdf/base.html``) rendered in Latvian, then WeasyPrint — with a URL fetcher that only reads
our own static files (no network, no file system) — as PDF/A-3b (archival: every font
embedded, metadata in XMP). Every document carries its verification code and a QR code
(inline SVG made by segno) pointing at the public verification page."""

from __future__ import annotations

import logging
import mimetypes
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

if TYPE_CHECKING:
    from .models import Document
    from .registry import DocumentKind

logger = logging.getLogger(__name__)
# WeasyPrint reports every layout step at INFO: keep worker logs to what matters.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

# Relative URLs in print templates resolve against this made-up origin; the fetcher serves
# only STATIC_URL paths on it, from our own files.
BASE_URL = "http://tilts.local/"
# PDF/A-3b: WeasyPrint embeds (subsets of) the DejaVu fonts and writes the XMP metadata.
PDF_VARIANT = "pdf/a-3b"


class RefusedURL(ValueError):
    """The print template asked for something other than our own static files."""


def local_url_fetcher():
    """A WeasyPrint fetcher that serves only ``BASE_URL`` + ``STATIC_URL…`` from our own
    files and refuses everything else (other hosts, file:, data:): rendering never
    touches the network or the file system outside the static files."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    base = urlsplit(BASE_URL)

    class LocalURLFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            parts = urlsplit(url)
            path = unquote(parts.path)
            prefix = settings.STATIC_URL
            if (parts.scheme, parts.netloc) == (base.scheme, base.netloc) and path.startswith(prefix):
                relative = path[len(prefix) :]
                found = finders.find(relative) if ".." not in relative.split("/") else None
                if found:
                    content_type = mimetypes.guess_type(found)[0] or "application/octet-stream"
                    return URLFetcherResponse(url, Path(found).read_bytes(), {"Content-Type": content_type})
            logger.warning("PDF rendering refused to fetch %s", url[:200])
            raise RefusedURL(f"Refused to fetch {url[:200]}: only our own static files are allowed")

    return LocalURLFetcher()


def verification_url(code: str) -> str:
    """The absolute address of a document's public verification page."""
    return settings.TILTS_BASE_URL.rstrip("/") + reverse("documents:verify", args=[code])


def qr_svg(url: str) -> str:
    """A QR code of ``url`` as inline SVG (scales to its box; a quiet zone of 2 modules)."""
    import segno

    return segno.make(url, error="m").svg_inline(scale=1, border=2, omitsize=True, dark="#000")


def verification_context(document: Document) -> dict:
    from .models import format_code

    url = verification_url(document.verification_code)
    return {"code": format_code(document.verification_code), "url": url, "qr_svg": mark_safe(qr_svg(url))}


_COUNTERS = {"%(page)s": "counter(page)", "%(pages)s": "counter(pages)"}


def page_counter_css() -> SafeString:
    """The footer's "Page 1 of 2" in the active language, as a CSS ``content`` value (one
    sentence to translate; the numbers are the page counters)."""
    sentence = gettext("Page %(page)s of %(pages)s")
    parts = []
    for part in re.split(r"(%\(pages?\)s)", sentence):
        if part in _COUNTERS:
            parts.append(_COUNTERS[part])
        elif part:
            parts.append('"' + part.replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3c ") + '"')
    return mark_safe(" ".join(parts))


def render_html(kind: DocumentKind, document: Document, subject: Any) -> str:
    language = kind.language_of(subject)
    with translation.override(language):
        context = kind.context(subject)
        unit = kind.unit(subject)
        return render_to_string(
            kind.template,
            {
                "institution": unit.institution.name,
                "unit": unit.name,
                "document_title": str(kind.label),
                "document_language": language,
                "page_counter": page_counter_css(),
                **context,
                "number": document.number or context.get("number", ""),
                "document": document,
                "verification": verification_context(document),
            },
        )


def render_pdf(kind: DocumentKind, document: Document, subject: Any) -> bytes:
    from weasyprint import HTML

    html = render_html(kind, document, subject)
    pdf = HTML(string=html, base_url=BASE_URL, url_fetcher=local_url_fetcher())
    return pdf.write_pdf(pdf_variant=PDF_VARIANT)
