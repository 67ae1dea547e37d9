"""Agreement PDFs: the template version's text rendered into the print layout, then
WeasyPrint — with a URL fetcher that only reads our own static files (no network)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template import Context, Template
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import mark_safe

if TYPE_CHECKING:
    from .models import Agreement

# What an agreement template's text may use, with the meaning shown to template editors.
PLACEHOLDERS = {
    "number": "agreement number",
    "institution": "institution name",
    "unit": "unit name",
    "volunteer_name": "the volunteer's name",
    "personal_code": "the volunteer's personal code (printed only here)",
    "address": "the volunteer's address",
    "role": "role or field",
    "place": "place of work",
    "start_date": "start date (j.m.Y)",
    "end_date": "end date (j.m.Y)",
    "hours_per_week": "hours per week",
    "duties": "duties",
    "expenses": "expense terms (or that expenses are not reimbursed)",
    "insurance": "insurance terms",
    "notice_days": "notice period in days",
    "guardian": "legal representative (minors)",
}


def local_url_fetcher():
    """A WeasyPrint fetcher that serves only ``/static/…`` from our own files and refuses
    everything else: rendering never touches the network."""
    import mimetypes

    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class LocalURLFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            path = "/" + url.split("://", 1)[-1].split("/", 1)[-1] if "://" in url else url
            prefix = settings.STATIC_URL
            if path.startswith(prefix):
                found = finders.find(path[len(prefix) :])
                if found:
                    content_type = mimetypes.guess_type(found)[0] or "application/octet-stream"
                    return URLFetcherResponse(url, Path(found).read_bytes(), {"Content-Type": content_type})
            raise ValueError(f"Refused to fetch {url}: only our own static files are allowed")

    return LocalURLFetcher()


def context_for(agreement: Agreement) -> dict:
    from django.utils.formats import date_format

    volunteer = agreement.volunteer
    return {
        "number": agreement.number or "",
        "institution": agreement.institution.name,
        "unit": agreement.unit.name,
        "volunteer_name": volunteer.user.get_full_name(),
        "personal_code": volunteer.personal_code,
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


def render_html(agreement: Agreement) -> str:
    with translation.override("lv"):
        context = context_for(agreement)
        body = Template(agreement.template.body).render(Context(context))
        return render_to_string(
            "pdf/agreement.html",
            {"agreement": agreement, "body": mark_safe(body), **context},
        )


def render_pdf(agreement: Agreement) -> bytes:
    from weasyprint import HTML

    html = render_html(agreement)
    return HTML(string=html, base_url="http://tilts.local/", url_fetcher=local_url_fetcher()).write_pdf()
