"""The coordinators' filtered lists (the inbox, the agreements, the training sessions): one
base for what they share, so that they behave alike.

- **Units**: only units the person may see are offered (the ministry's own unit, which holds
  no volunteers, is left out); with one unit there is no unit filter; spanning several
  institutions, each unit is named with its institution.
- **Invalid values** (someone else's unit, a made-up status, a year out of range) are
  ignored, never widened: the rest of the filters apply and the field shows its error.
- **Search**: ``q`` splits into at most six words, each of which must match one of
  ``search_fields`` (case-insensitive) or of ``folded_search_fields`` — columns that hold
  folded text (``core.text.fold``), compared with the word folded alike, so that "Berzins"
  finds "Bērziņš" (and a trigram index can serve it on PostgreSQL).
- **Tab**: one filter (``tab``) is shown as counted tabs above the list rather than in the
  form: ``filter_without(rows, tab)`` gives the rows to count, ``filter_tab`` narrows them.
- **Ordering** (``ordering``, newest first by default) and the **page size** (``PAGE_SIZE``,
  ``list_page``) are the same everywhere. The tabs' counts are one aggregate query; the page
  takes its count from them (``list_page(..., count=...)``) rather than counting again.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import django_filters
from django import forms
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.forms.models import ModelChoiceIterator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from institutions import permissions
from institutions.models import Institution, Unit

from .querystring import query_without_page
from .text import fold

if TYPE_CHECKING:
    from accounts.models import User

PAGE_SIZE = 25
SEARCH_TERMS = 6  # words of a search that count (more would only slow the query down)
YEARS = (2000, 2100)
# Latvian "all" agrees with the noun: institutions, units and roles are feminine.
ALL_FEMININE = pgettext_lazy("all institutions / units / roles (feminine)", "All")


class _ListedChoices(ModelChoiceIterator):
    """Offers the rows already read (``field.listed``) rather than reading them again."""

    def __iter__(self):
        if self.field.listed is None:
            yield from super().__iter__()
            return
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.field.listed:
            yield self.choice(obj)

    def __len__(self) -> int:
        if self.field.listed is None:
            return super().__len__()
        return len(self.field.listed) + (self.field.empty_label is not None)


class UnitChoiceField(django_filters.fields.ModelChoiceField):
    """A unit choice that names the institution too when the list spans several; its
    options are the units the filter has already read (one query, not two)."""

    iterator = _ListedChoices
    with_institution = False
    listed: list[Unit] | None = None

    def label_from_instance(self, obj: Unit) -> str:
        if self.with_institution:
            return f"{obj.institution.short_name} — {obj.name}"
        return obj.name


class UnitFilter(django_filters.ModelChoiceFilter):
    field_class = UnitChoiceField


class YearFilter(django_filters.NumberFilter):
    """A four-digit year of a date field (``field_name``); out of range is invalid."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("lookup_expr", "year")
        kwargs.setdefault("min_value", YEARS[0])
        kwargs.setdefault("max_value", YEARS[1])
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "numeric", "pattern": "[0-9]{4}"}))
        super().__init__(*args, **kwargs)


def visible_units(user: User) -> QuerySet[Unit]:
    """The units whose lists a person may read (the ministry's own unit takes no volunteers)."""
    return (
        permissions.units_for(user, permissions.VIEW)
        .exclude(institution__code=Institution.Code.TM)
        .select_related("institution")
        .order_by("institution__code", "name")
    )


class StaffListFilter(django_filters.FilterSet):
    """The base of the coordinators' list filters: search, unit, a tab, ordering. A subclass
    declares its own filters, ``search_fields`` (and a ``q`` placeholder through
    ``search_placeholder``), ``tab`` and ``ordering``; ``prepare_form`` adjusts its fields."""

    q = django_filters.CharFilter(
        label=_("Search"), method="filter_search", widget=forms.TextInput(attrs={"type": "search"})
    )
    unit = UnitFilter(
        label=_("Unit"), queryset=Unit.objects.none(), to_field_name="slug", empty_label=ALL_FEMININE
    )

    search_fields: Sequence[str] = ()
    folded_search_fields: Sequence[str] = ()
    search_placeholder: Any = ""  # a lazy translation
    tab: str | None = "status"
    tab_default: str = ""
    ordering: Sequence[str] = ("-created_at", "-pk")

    def __init__(self, data=None, *args, user: User, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.user = user
        units = visible_units(user)
        self.units: list[Unit] = list(units)
        self.several_institutions = len({unit.institution_id for unit in self.units}) > 1
        if len(self.units) > 1:
            self.filters["unit"].queryset = units
        else:
            del self.filters["unit"]

    # --- The form

    @property
    def form(self) -> forms.Form:
        if not hasattr(self, "_form"):
            form = super().form
            self.prepare_form(form)
            self._style(form)
        return self._form

    def prepare_form(self, form: forms.Form) -> None:
        """Adjust the fields once the form is built (a subclass's hook)."""
        if "unit" in form.fields:
            form.fields["unit"].with_institution = self.several_institutions
            form.fields["unit"].listed = self.units
        if "q" in form.fields and self.search_placeholder:
            form.fields["q"].widget.attrs["placeholder"] = self.search_placeholder

    @staticmethod
    def _style(form: forms.Form) -> None:
        for name, form_field in form.fields.items():
            widget = form_field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select form-select-sm")
            else:
                widget.attrs.setdefault("class", "form-control form-control-sm")
            widget.attrs.setdefault("id", f"filter-{name}")

    # --- Filtering

    def filter_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        for term in value.split()[:SEARCH_TERMS]:
            match = Q()
            for field in self.search_fields:
                match |= Q(**{f"{field}__icontains": term})
            folded = fold(term)
            if folded:
                for field in self.folded_search_fields:
                    match |= self._folded_match(field, folded)
            queryset = queryset.filter(match)
        return queryset

    def _folded_match(self, field: str, folded: str) -> Q:
        """``field`` contains ``folded``; a column of a related row (``relation__column``, one
        step) is asked as ``relation IN (rows that contain it)`` rather than through a join, so
        that PostgreSQL can answer the subquery from the column's trigram index."""
        relation, _, column = field.rpartition("__")
        if not relation:
            return Q(**{f"{column}__contains": folded})
        related = self._meta.model._meta.get_field(relation).related_model
        matching = related._base_manager.filter(**{f"{column}__contains": folded}).values("pk")
        return Q(**{f"{relation}__in": matching})

    @property
    def values(self) -> dict[str, Any]:
        """The valid filter values (invalid ones are ignored; none when nothing was asked)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return self.form.cleaned_data

    def filter_without(self, queryset: QuerySet, *skip: str) -> QuerySet:
        """Apply every valid filter except ``skip``."""
        for name, value in self.values.items():
            if name not in skip and name in self.filters and value not in (None, ""):
                queryset = self.filters[name].filter(queryset, value)
        return queryset

    @property
    def tab_value(self) -> str:
        """The tab chosen (its default when none or an invalid one was asked)."""
        return (self.values.get(self.tab) if self.tab else None) or self.tab_default

    def filter_tab(self, queryset: QuerySet) -> QuerySet:
        value = self.tab_value
        return self.filters[self.tab].filter(queryset, value) if value else queryset

    def order(self, queryset: QuerySet) -> QuerySet:
        return queryset.order_by(*self.ordering)

    @property
    def filtered(self) -> bool:
        """Whether anything but the tab was asked (the page offers to clear the filters)."""
        return any(self.data.get(name) for name in self.form.fields if name != self.tab)


def counted_tabs(
    params, *, name: str, options: Iterable[tuple[str, str]], counts: dict[str, int], current: str
) -> list[dict[str, Any]]:
    """The tabs above a list (``includes/tabs.html``): each option with its count (the
    option "" counts under "all") and a link that keeps the other filters."""
    return [
        {
            "value": value,
            "label": label,
            "count": counts[value or "all"],
            "query": query_without_page(params, **{name: value or None}),
            "active": value == current,
        }
        for value, label in options
    ]


def list_page(
    queryset: QuerySet, params, *, per_page: int = PAGE_SIZE, count: int | None = None
) -> dict[str, Any]:
    """One page of a filtered list and what ``includes/pagination.html`` needs with it.
    ``count``: the number of rows when already known (the tab's count), saving the query
    that would count them again (with the search, the costliest of the page)."""
    paginator = Paginator(queryset, per_page)
    if count is not None:
        paginator.count = count  # a cached property: set, it is not computed
    page = paginator.get_page(params.get("page"))
    return {
        "page": page,
        "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        "query": query_without_page(params),
    }
