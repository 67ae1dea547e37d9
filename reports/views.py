"""The dashboards (``reports:dashboard``) and their tables as CSV / XLSX (``reports:export``).

One page for every staff role, scoped by ``institutions.permissions``: a unit coordinator sees
their units, a central office its institution, the ministry both institutions side by side
(one column each), a superuser all. Every figure links to the list behind it with the same
filters (drill-down); the lists are tenancy-scoped themselves, so a link never shows more
than its reader may see. The figures come from ``reports.selectors.dashboard``."""

from __future__ import annotations

from dataclasses import astuple, dataclass, field
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone, translation
from django.utils.dates import MONTHS
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from agreements import terms as agreement_terms
from agreements.selectors import ENDING_SOON_DAYS
from core import tabular
from core.filters import visible_units
from institutions import permissions
from institutions.mixins import require_staff_role
from institutions.models import Unit
from volunteers.models import Role, Status

from . import cache as report_cache
from . import exports, selectors
from .forms import DashboardForm

# --- The scope and the filters


def _today() -> date:
    return timezone.localdate()


@dataclass
class Scope:
    """What the person asked for, within what they may see."""

    form: DashboardForm
    units: list[Unit]
    several_institutions: bool
    # (institution id, role code) → the role's id: the lists filter by the role's id.
    role_ids: dict[tuple[int, str], int]
    unit: Unit | None = None
    unit_ids: frozenset[int] = frozenset()
    year: int = 0
    field: str | None = None

    @property
    def valid(self) -> bool:
        return bool(self.unit_ids)


def _roles(institution_ids: set[int]) -> list[Role]:
    """The roles / fields of these institutions (not tenant data: the same for everybody)."""
    return list(
        Role.objects.filter(institution_id__in=institution_ids).order_by("institution__code", "order")
    )


def _scope(request, today: date) -> Scope:
    units = list(visible_units(request.user))  # the ministry's own unit left out
    institution_ids = {unit.institution_id for unit in units}
    several = len(institution_ids) > 1
    roles = _roles(institution_ids) if units else []
    form = DashboardForm(request.GET, today=today, units=units, roles=roles, several_institutions=several)
    scope = Scope(
        form=form,
        units=units,
        several_institutions=several,
        role_ids={(role.institution_id, role.code): role.pk for role in roles},
    )
    if units and form.is_valid():
        scope.unit = form.cleaned_data.get("unit")
        scope.unit_ids = frozenset([scope.unit.pk] if scope.unit else [unit.pk for unit in units])
        scope.year = form.cleaned_data["year"]
        scope.field = form.cleaned_data.get("field") or None
    return scope


# --- Drill-down: the list behind each figure, with the same filters


@lru_cache(maxsize=64)
def _path(name: str, urlconf: str | None, prefix: str) -> str:
    """A list's address, reversed once per URLconf and prefix: a national dashboard links
    hundreds of figures to a handful of lists."""
    return reverse(name, urlconf=urlconf)


def _link(name: str, **params: Any) -> str:
    query = urlencode({key: value for key, value in params.items() if value not in (None, "")})
    return _path(name, get_urlconf(), get_script_prefix()) + (f"?{query}" if query else "")


@dataclass
class Links:
    """The query parameters of the lists for one column (an institution) of the dashboard."""

    scope: Scope
    institution_id: int

    @property
    def where(self) -> dict[str, Any]:
        if self.scope.unit is not None:
            return {"unit": self.scope.unit.slug}
        return {"institution": self.institution_id} if self.scope.several_institutions else {}

    @property
    def role(self) -> int | None:
        if not self.scope.field:
            return None
        return self.scope.role_ids.get((self.institution_id, self.scope.field))

    @property
    def field_missing(self) -> bool:
        """The chosen field is not one of this institution's: its figures divided by field are
        0, and no list shows "none of them" — no link."""
        return bool(self.scope.field) and self.role is None

    @property
    def year_range(self) -> dict[str, str]:
        year = self.scope.year
        return {"date_from": f"{year}-01-01", "date_to": f"{year}-12-31"}

    def inbox(self, status: str, **extra: Any) -> str:
        if self.field_missing:
            return ""
        return _link("volunteers:inbox", status=status, **self.where, role=self.role, **extra)

    def reached_in_year(self, status: str) -> str:
        """The applications submitted in the year that reached the step (the funnel's figure),
        whatever their status now."""
        year = self.scope.year
        return self.inbox("", reached=status, submitted_from=f"{year}-01-01", submitted_to=f"{year}-12-31")

    def agreements(self, **extra: Any) -> str:
        if self.field_missing:
            return ""
        return _link("agreements:list", **self.where, role=self.role, **extra)

    def events(self, **extra: Any) -> str:
        if self.field_missing:
            return ""
        params = {"month": extra.pop("month")} if "month" in extra else self.year_range
        return _link("events:list", state="done", **self.where, field=extra.pop("field", self.role), **params)

    def trainings(self) -> str:
        if self.field_missing:
            return ""
        return _link(
            "trainings:sessions",
            when="past",
            state="held",
            year=self.scope.year,
            **self.where,
            role=self.role,
        )

    def casework(self) -> str:
        return _link("casework:counts", year=self.scope.year)

    def for_unit(self, unit_slug: str) -> Links:
        scope = Scope(
            form=self.scope.form,
            units=self.scope.units,
            several_institutions=self.scope.several_institutions,
            role_ids=self.scope.role_ids,
            unit=next(unit for unit in self.scope.units if unit.slug == unit_slug),
            year=self.scope.year,
            field=self.scope.field,
        )
        return Links(scope=scope, institution_id=self.institution_id)


# --- The page


@dataclass
class Card:
    label: str
    value: int | Decimal | str
    url: str  # "" when no list shows the figure
    detail: str = ""
    # The field filter does not apply to this figure (it counts every field).
    field_ignored: bool = False


@dataclass
class ColumnView:
    """One institution's part of the page: its figures, with their links and charts."""

    code: str
    name: str
    short_name: str
    terms: agreement_terms.AgreementTerms  # the institution's word for its agreements
    cards: list[Card]
    steps: list[dict[str, Any]]
    funnel: list[dict[str, Any]]
    months: list[dict[str, Any]]
    fields: list[dict[str, Any]]
    units: list[dict[str, Any]]
    casework: list[Card] = field(default_factory=list)
    charts: dict[str, dict[str, Any]] = field(default_factory=dict)
    field_missing: bool = False  # the chosen field is not one of this institution's


def _cards(figures: selectors.Figures, links: Links, terms: agreement_terms.AgreementTerms) -> list[Card]:
    """The column's cards; the agreements' in the institution's word (``terms``)."""
    events = figures.events
    trainings = figures.trainings
    return [
        Card(
            _("Active volunteers"),
            figures.volunteers_active,
            links.agreements(status="in_force"),
            terms.gettext("with an agreement in force today"),
        ),
        Card(
            terms.gettext("Agreements in force"),
            figures.agreements_in_force,
            links.agreements(status="in_force"),
            _("today"),
        ),
        Card(
            terms.gettext("Agreements signed"),
            figures.agreements_signed,
            links.agreements(signed_year=links.scope.year),
            _("in the year"),
        ),
        Card(
            terms.gettext("Agreements ending soon"),
            figures.agreements_ending,
            links.agreements(ending="on"),
            _("within %(days)d days") % {"days": ENDING_SOON_DAYS},
        ),
        Card(
            _("Open applications"), sum(figures.applications_by_step.values()), links.inbox("open"), _("now")
        ),
        Card(_("Training sessions held"), trainings.sessions, links.trainings(), _("in the year")),
        Card(
            _("Trained"),
            trainings.completed,
            links.trainings(),
            _("%(participants)s registered") % {"participants": trainings.participants},
        ),
        Card(_("Events held"), events.events, links.events(), _("in the year")),
        Card(_("Event participants"), events.participants, links.events(), _("in the year")),
        Card(_("Approved hours"), _number(events.hours), links.events(), _("in the year")),
    ]


def _number(value: Decimal | int) -> str:
    """Hours as a plain number: no trailing zeros ("12.5", "40")."""
    if isinstance(value, Decimal):
        value = value.normalize()
        return f"{value:f}"
    return str(value)


def _casework_cards(figures: selectors.Figures, links: Links) -> list[Card]:
    counts = figures.casework
    if counts is None:
        return []
    ignored = "casework" in figures.field_ignored
    url = links.casework()
    return [
        Card(_("Active mentoring pairs"), sum(row["pairs"] for row in counts.units), url, _("now"), ignored),
        Card(_("Circles (AAA)"), sum(row["circles"] for row in counts.units), url, _("now"), ignored),
        Card(_("Open mediation cases"), sum(row["cases"] for row in counts.units), url, _("now"), ignored),
        Card(_("Meetings"), sum(counts.meetings_by_month.values()), url, _("in the year"), ignored),
    ]


def _percent(value: float | None) -> str:
    return "" if value is None else f"{round(value * 100)} %"


def _column(column: selectors.Column, scope: Scope, field_labels: dict[str, str]) -> ColumnView:
    figures = column.figures
    institution = column.institution
    links = Links(scope=scope, institution_id=institution.pk)
    terms = agreement_terms.for_institution(institution)
    code = institution.code.lower()
    status_labels = {value: str(label) for value, label in Status.choices}
    steps = [
        {"label": status_labels.get(status, status), "value": n, "url": links.inbox(status)}
        for status, n in figures.applications_by_step.items()
    ]
    funnel = [
        {
            "label": step.label,
            "value": step.reached,
            "conversion": _percent(step.conversion),
            "median_days": "" if step.median_days is None else _number(Decimal(str(step.median_days))),
            "url": links.reached_in_year(step.status),
        }
        for step in figures.funnel
    ]
    months = [
        {
            "label": str(MONTHS[number]),
            "value": figures.events.by_month.get(number, 0),
            "url": links.events(month=f"{scope.year}-{number:02d}"),
        }
        for number in range(1, 13)
    ]
    fields = [
        {
            "label": field_labels.get(code_, code_) if code_ else pgettext("field of an event", "None"),
            "value": n,
            # Events without a field: the events list cannot show only those — no link.
            "url": links.events(field=scope.role_ids.get((institution.pk, code_))) if code_ else "",
        }
        for code_, n in sorted(figures.events.by_field.items(), key=lambda item: (-item[1], item[0] or ""))
    ]
    units = []
    for row in figures.units:
        unit_links = links.for_unit(row.unit.slug)
        units.append(
            {
                "name": row.unit.name,
                "slug": row.unit.slug,
                "cells": [
                    (row.in_force, unit_links.agreements(status="in_force")),
                    (row.signed, unit_links.agreements(signed_year=scope.year)),
                    (row.open_applications, unit_links.inbox("open")),
                    (row.events, unit_links.events()),
                    (row.participants, unit_links.events()),
                    (_number(row.hours), unit_links.events()),
                ],
            }
        )
    charts = {
        "months": {
            "id": f"chart-{code}-months",
            "kind": "bar",
            "labels": [row["label"] for row in months],
            "series": [{"label": _("Events held"), "data": [row["value"] for row in months]}],
            "x": _("Month"),
            "y": _("Events"),
        },
        "funnel": {
            "id": f"chart-{code}-funnel",
            "kind": "hbar",
            "labels": [row["label"] for row in funnel],
            "series": [{"label": _("Applications"), "data": [row["value"] for row in funnel]}],
            "x": _("Step"),
            "y": _("Applications"),
        },
        "fields": {
            "id": f"chart-{code}-fields",
            "kind": "hbar",  # the fields' names are long: read along the bars
            "labels": [row["label"] for row in fields],
            "series": [{"label": _("Events held"), "data": [row["value"] for row in fields]}],
            "x": pgettext("area of work", "Field"),
            "y": _("Events"),
        },
    }
    for chart in charts.values():
        chart["data_id"] = f"{chart['id']}-data"
        chart["empty"] = not any(value for series in chart["series"] for value in series["data"])
    return ColumnView(
        code=code,
        name=institution.name,
        short_name=institution.short_name,
        terms=terms,
        cards=_cards(figures, links, terms),
        steps=steps,
        funnel=funnel,
        months=months,
        fields=fields,
        units=units,
        casework=_casework_cards(figures, links),
        charts=charts,
        field_missing=links.field_missing,
    )


def _page(request, today: date) -> dict[str, Any]:
    """The dashboard's content (rendered) and its year."""
    scope = _scope(request, today)
    columns: list[ColumnView] = []
    if scope.valid:
        figures = selectors.dashboard(
            unit_ids=scope.unit_ids, year=scope.year, field=scope.field, today=today
        )
        field_labels = dict(Role.Code.choices)
        columns = [_column(column, scope, field_labels) for column in figures.columns]
    query = request.GET.urlencode()
    body = render_to_string(
        "reports/_dashboard_body.html",
        {
            "form": scope.form,
            "scope": scope,
            "columns": columns,
            "wide": len(columns) == 1,
            "year": scope.year,
            "today": today,
            "field_label": dict(Role.Code.choices).get(scope.field, "") if scope.field else "",
            "exports": [
                {
                    "label": label,
                    "csv": _export_url(slug, "csv", query),
                    "xlsx": _export_url(slug, "xlsx", query),
                }
                for slug, label in exports.TABLES.items()
            ]
            if columns
            else [],
            "roles": permissions.roles_for(request.user),
        },
        request=request,
    )
    return {"year": scope.year, "body": body, "charts": bool(columns)}


def _canonical(roles: permissions.Roles) -> tuple:
    """The roles as a value whose text is the same wherever equal roles were built (a set's
    order is not): the cache key is made from that text."""
    return tuple(sorted(value) if isinstance(value, frozenset) else value for value in astuple(roles))


@login_required
@never_cache
@require_GET
def dashboard(request):
    """The page's content is kept with the figures' generation (reports/cache.py): what it
    shows depends only on the figures, the person's roles (which units, which institutions,
    read-only), the filters, the language and the day — all in the key — so a page read
    again costs no query and no rendering until something it counts changes."""
    require_staff_role(request)
    today = _today()
    roles = permissions.roles_for(request.user)
    parts = (
        "dashboard-page",
        _canonical(roles),
        sorted((key, tuple(values)) for key, values in request.GET.lists()),
        translation.get_language(),
        today.isoformat(),
    )
    page = report_cache.remember(parts, lambda: _page(request, today))
    return render(request, "reports/dashboard.html", page)


def _export_url(table: str, fmt: str, query: str) -> str:
    url = reverse("reports:export", kwargs={"table": table, "fmt": fmt})
    return f"{url}?{query}" if query else url


# --- Exports


@login_required
@never_cache
@require_GET
def export(request, table: str, fmt: str):
    """One of the page's tables, with the page's filters, as CSV or XLSX (counts only: no
    person in them)."""
    require_staff_role(request)
    if table not in exports.TABLES or fmt not in tabular.FORMATS:
        raise Http404
    today = _today()
    scope = _scope(request, today)
    if not scope.valid:
        # Someone else's unit, a year out of range: no figures at all.
        raise Http404
    figures = selectors.dashboard(unit_ids=scope.unit_ids, year=scope.year, field=scope.field, today=today)
    made = exports.table(table, figures)
    return tabular.response(made, fmt, filename=exports.filename(table, fmt, today))
