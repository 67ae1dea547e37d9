"""Agreement PDFs: the template version's text rendered into the print layout, then
WeasyPrint — with a URL fetcher that only reads our own static files (no network) —
as PDF/A-3b (archival: every font embedded, metadata in XMP)."""

from __future__ import annotations

import logging
import mimetypes
import re
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import ValidationError
from django.template import Context, Engine, Template, TemplateSyntaxError
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.html import linebreaks
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from .models import Agreement

logger = logging.getLogger(__name__)
# WeasyPrint reports every layout step at INFO: keep worker logs to what matters.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

# Relative URLs in the print template resolve against this made-up origin; the fetcher
# serves only STATIC_URL paths on it, from our own files.
BASE_URL = "http://tilts.local/"
# PDF/A-3b: WeasyPrint embeds (subsets of) the DejaVu fonts and writes the XMP metadata.
PDF_VARIANT = "pdf/a-3b"

# What an agreement template's text may use, with the meaning shown to template editors.
PLACEHOLDERS = {
    "number": _("agreement number"),
    "institution": _("institution name"),
    "unit": _("unit name"),
    "volunteer_name": _("the volunteer's name"),
    "personal_code": _("the volunteer's personal code (printed only here)"),
    "address": _("the volunteer's address"),
    "role": _("role or field"),
    "place": _("place of work"),
    "start_date": _("start date (j.m.Y)"),
    "end_date": _("end date (j.m.Y)"),
    "hours_per_week": _("hours per week"),
    "duties": _("duties"),
    "expenses": _("expense terms (or that expenses are not reimbursed)"),
    "insurance": _("insurance terms"),
    "notice_days": _("notice period in days"),
    "guardian": _("legal representative (minors)"),
}


# The template text is written by central coordinators: it gets the built-in tags and
# filters only — no template loaders ({% include %} finds nothing) and no {% load %}.
BODY_ENGINE = Engine(loaders=[], libraries={}, autoescape=True)


def body_template(body: str) -> Template:
    return Template(body, engine=BODY_ENGINE)


def check_body(body: str) -> None:
    """For the template editor: ValidationError when the text is not a valid template."""
    try:
        body_template(body)
    except TemplateSyntaxError as exc:
        raise ValidationError(str(exc)) from exc


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


def _birth_date(agreement: Agreement) -> str:
    from django.utils.formats import date_format

    born = agreement.volunteer.date_of_birth
    return date_format(born, "j.m.Y") if born else ""


def context_for(agreement: Agreement) -> dict:
    from django.utils.formats import date_format

    volunteer = agreement.volunteer
    # A person without a Latvian personal code is identified by the birth date instead.
    personal_code = volunteer.personal_code or f"— (dzimšanas datums: {_birth_date(agreement)})"
    return {
        "number": agreement.number or "",
        "institution": agreement.institution.name,
        "unit": agreement.unit.name,
        "volunteer_name": volunteer.user.get_full_name(),
        "personal_code": personal_code,
        "address": volunteer.address,
        "role": str(agreement.role),
        "place": agreement.place,
        "start_date": date_format(agreement.start_date, "j.m.Y"),
        "end_date": date_format(agreement.end_date, "j.m.Y"),
        "hours_per_week": agreement.hours_per_week,
        "duties": agreement.duties,
        "expenses": agreement.expenses_terms if agreement.expenses_reimbursed else "",
        "insurance": agreement.insurance_policy if agreement.insurance_required else "",
        "notice_days": agreement.notice_days,
        "guardian": agreement.guardian_name if agreement.is_minor else "",
    }


def _paragraphs(body: str) -> list[SafeString]:
    """The rendered body (already escaped by the template engine) as HTML paragraphs."""
    chunks = [chunk.strip() for chunk in re.split(r"\n\s*\n", body.replace("\r\n", "\n"))]
    return [mark_safe(linebreaks(chunk, autoescape=False)) for chunk in chunks if chunk]


def render_html(agreement: Agreement) -> str:
    with translation.override("lv"):
        context = context_for(agreement)
        body = body_template(agreement.template.body).render(Context(context))
        paragraphs = _paragraphs(body)
        return render_to_string(
            "pdf/agreement.html",
            {
                **context,
                "agreement": agreement,
                "body_paragraphs": paragraphs[:-1],
                "body_last": paragraphs[-1] if paragraphs else "",
                "volunteer_code": agreement.volunteer.personal_code,
                "birth_date": _birth_date(agreement),
            },
        )


def render_pdf(agreement: Agreement) -> bytes:
    from weasyprint import HTML

    html = render_html(agreement)
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=local_url_fetcher())
    return document.write_pdf(pdf_variant=PDF_VARIANT)
