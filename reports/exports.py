"""The dashboard's tables as CSV / XLSX (``core.tabular``: formula-escaped, CSV streamed).

Each table holds counts only — no person — with the institution as the first column (the
ministry's dashboard has both side by side). The file is named by the table (a Latvian slug)
and the day: ``parskats-<table>-<YYYY-MM-DD>.<csv|xlsx>``."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from django.utils.dates import MONTHS
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy

from agreements import terms as agreement_terms
from core import tabular
from volunteers.models import Role, Status

from .selectors import Dashboard

# Slug (in the URL and the file name) → the table's title.
TABLES = {
    "vienibas": gettext_lazy("By unit"),
    "pasakumi-pa-menesiem": gettext_lazy("Events per month"),
    "pasakumi-pa-jomam": gettext_lazy("Events per field"),
    "pieteikumu-piltuve": gettext_lazy("Applications from submission to active"),
    "pieteikumi-pa-soliem": gettext_lazy("Open applications by step"),
}
FIELD = pgettext_lazy("area of work", "Field")


def filename(table: str, fmt: str, day: date) -> str:
    return f"parskats-{table}-{day:%Y-%m-%d}.{fmt}"


def _units(dashboard: Dashboard) -> Iterator[list[Any]]:
    for column in dashboard.columns:
        for row in column.figures.units:
            yield [
                column.institution.short_name,
                row.unit.name,
                row.in_force,
                row.signed,
                row.open_applications,
                row.events,
                row.participants,
                row.hours,
            ]


def _months(dashboard: Dashboard) -> Iterator[list[Any]]:
    for column in dashboard.columns:
        for number in range(1, 13):
            yield [
                column.institution.short_name,
                str(MONTHS[number]),
                column.figures.events.by_month.get(number, 0),
            ]


def _by_count(item: tuple[str | None, int]) -> tuple[int, str]:
    return (-item[1], item[0] or "")


def _fields(dashboard: Dashboard) -> Iterator[list[Any]]:
    labels = dict(Role.Code.choices)
    for column in dashboard.columns:
        for code, n in sorted(
            column.figures.events.by_field.items(), key=lambda item: (-item[1], item[0] or "")
        ):
            label = str(labels.get(code, code)) if code else pgettext("field of an event", "None")
            yield [column.institution.short_name, label, n]


def _funnel(dashboard: Dashboard) -> Iterator[list[Any]]:
    for column in dashboard.columns:
        for step in column.figures.funnel:
            yield [
                column.institution.short_name,
                str(step.label),
                step.reached,
                round(step.conversion * 100) if step.conversion is not None else None,
                step.median_days,
            ]


def _steps(dashboard: Dashboard) -> Iterator[list[Any]]:
    labels = dict(Status.choices)
    for column in dashboard.columns:
        for status, n in column.figures.applications_by_step.items():
            yield [column.institution.short_name, str(labels.get(status, status)), n]


def table(slug: str, dashboard: Dashboard) -> tabular.Table:
    """The table ``slug`` (one of ``TABLES``) of the dashboard's figures."""
    institution = _("Institution")
    if slug == "vienibas":
        # The institutions' word; "vienošanās un līgumi" for a table of both.
        terms = agreement_terms.for_terms(column.institution.agreement_term for column in dashboard.columns)
        header = [
            institution,
            _("Unit"),
            terms.gettext("Agreements in force"),
            terms.gettext("Agreements signed in %(year)s") % {"year": dashboard.year},
            _("Open applications"),
            _("Events held"),
            _("Event participants"),
            _("Approved hours"),
        ]
        rows, widths = _units(dashboard), (14, 40, 12, 12, 12, 12, 12, 12)
    elif slug == "pasakumi-pa-menesiem":
        header = [institution, _("Month"), _("Events held")]
        rows, widths = _months(dashboard), (14, 14, 12)
    elif slug == "pasakumi-pa-jomam":
        header = [institution, str(FIELD), _("Events held")]
        rows, widths = _fields(dashboard), (14, 40, 12)
    elif slug == "pieteikumu-piltuve":
        header = [
            institution,
            _("Step"),
            _("Applications that reached it"),
            _("Conversion from the previous step, %"),
            _("Median days from the previous step"),
        ]
        rows, widths = _funnel(dashboard), (14, 24, 14, 14, 14)
    elif slug == "pieteikumi-pa-soliem":
        header = [institution, _("Step"), _("Open applications")]
        rows, widths = _steps(dashboard), (14, 24, 14)
    else:
        raise KeyError(slug)
    return tabular.Table(header=header, rows=rows, sheet=str(TABLES[slug]), widths=widths)
