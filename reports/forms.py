"""The dashboard's filters: a year, a unit and a field of work (a GET form).

Choices come from what the view has already read (the units the person may see, the roles of
their institutions), so validating costs no query, and a unit of someone else is simply not
a choice: the form is invalid and the page shows no figures for it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.filters import ALL_FEMININE
from institutions.models import Unit
from volunteers.models import Role

# The first year offered: the records kept in Tilts start no earlier.
FIRST_YEAR = 2015


def year_choices(today: date) -> list[tuple[int, str]]:
    return [(year, str(year)) for year in range(today.year, FIRST_YEAR - 1, -1)]


def unit_label(unit: Unit, with_institution: bool) -> str:
    return f"{unit.institution.short_name} — {unit.name}" if with_institution else unit.name


class DashboardForm(forms.Form):
    year = forms.TypedChoiceField(label=_("Year"), coerce=int)
    unit = forms.ChoiceField(label=_("Unit"), required=False)
    field = forms.ChoiceField(label=pgettext_lazy("area of work", "Field"), required=False)

    def __init__(
        self,
        data=None,
        *,
        today: date,
        units: Sequence[Unit],
        roles: Sequence[Role],
        several_institutions: bool,
    ):
        # The year defaults to the current one (the form is always bound: a GET form).
        data = data.copy() if data is not None else {}
        if not data.get("year"):
            data["year"] = str(today.year)
        super().__init__(data)
        self.units_by_slug = {unit.slug: unit for unit in units}
        self.fields["year"].choices = year_choices(today)
        self.fields["unit"].choices = [
            ("", ALL_FEMININE),
            *((unit.slug, unit_label(unit, several_institutions)) for unit in units),
        ]
        codes: dict[str, str] = {}
        for role in roles:
            label = str(role)
            codes.setdefault(role.code, label)
        self.fields["field"].choices = [("", _("All fields")), *codes.items()]
        for name, form_field in self.fields.items():
            form_field.widget.attrs.update({"class": "form-select form-select-sm", "id": f"filter-{name}"})
        # With one unit there is nothing to choose (the field stays, hidden: a unit given in
        # the address is still checked, and someone else's is an error).
        self.single_unit = len(units) <= 1

    def clean_unit(self) -> Unit | None:
        slug = self.cleaned_data.get("unit")
        return self.units_by_slug[slug] if slug else None

    @property
    def filtered(self) -> bool:
        return bool(self.data.get("unit") or self.data.get("field"))
