"""The annual fact sheet's document, registered with the shared documents app (see
``documents.registry``): A4 portrait, in the language of the person who asked for it
(Latvian by default), owned by the institution's central office — or the Ministry of
Justice's unit for a sheet of both institutions. Who may see and retry it follows the
sheet's scope (``reports.factsheet.can_see``), so another institution's sheet is a 404."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from documents.registry import DocumentKind, register
from institutions.models import register_audit_actions

from . import factsheet, svg
from .models import AUDIT_ACTIONS, FactSheet

FACT_SHEET = "fact_sheet"

# The audit labels of the sheet (``fact_sheet.request``, and the documents app's
# ``fact_sheet.download``): registered with the app's document kind, at start-up.
register_audit_actions(AUDIT_ACTIONS)


def language_of(sheet: FactSheet) -> str:
    return sheet.language if sheet.language in ("lv", "en") else "lv"


def events_chart(data: factsheet.FactSheetData, language: str) -> str:
    """The IeVP events per month as inline SVG (in the active language)."""
    if data.ievp is None:
        return ""
    labels = svg.month_labels(language)
    values = data.ievp.events_by_month
    description = "; ".join(f"{label} {value}" for label, value in zip(labels, values, strict=True))
    return mark_safe(
        svg.bar_chart(
            values,
            labels,
            title=gettext("Events organised by volunteers per month, %(year)s") % {"year": data.year},
            description=description,
            width=470,
            height=150,
            chart_id="events-per-month",
        )
    )


def _context(sheet: FactSheet) -> dict:
    """The print template's context (called under ``translation.override(language)``)."""
    data = factsheet.fact_sheet_data(year=sheet.year, scope=sheet.scope, as_of=sheet.as_of)
    return {
        "sheet": sheet,
        "data": data,
        "year": sheet.year,
        "as_of": sheet.as_of,
        "generated_on": timezone.localdate(),
        "events_chart": events_chart(data, language_of(sheet)),
        "number": sheet.number,
    }


def _filename(sheet: FactSheet, document) -> str:
    scope = {"BOTH": "vpd-ievp"}.get(sheet.scope, sheet.scope.lower())
    return f"faktu-lapa-{sheet.year}-{scope}-{sheet.number}.pdf"


register(
    DocumentKind(
        key=FACT_SHEET,
        label=_("Fact sheet – volunteer work"),
        model="reports.FactSheet",
        template="pdf/fact_sheet.html",
        context=_context,
        filename=_filename,
        number=lambda sheet: sheet.number,
        holder_name=lambda sheet: "",
        unit=lambda sheet: sheet.unit,
        can_view=factsheet.can_see,
        can_manage=factsheet.can_see,
        page_url=lambda sheet: reverse("reports:fact_sheet"),
        select_related=("unit__institution",),
        language=language_of,
        # A fact sheet is about no volunteer (figures, and the laureates who consented to be
        # named): in nobody's data download, untouched by erasure.
        volunteer_field=None,
    )
)
