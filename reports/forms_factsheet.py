"""The fact sheet's form: a year (the last full year by default), the institution(s) the
person may make a sheet for, and the day the in-force figures are counted on (today by
default). Choices come from the person's scope, read by the view: another institution is
simply not a choice. The "as of" day's rule (today at the latest) is the service's
(``services.fact_sheet_request``); the view shows its error on the field."""

from __future__ import annotations

from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from core.widgets import DateInput

from .forms import year_choices
from .models import FactSheet


class FactSheetForm(forms.Form):
    year = forms.TypedChoiceField(label=_("Year"), coerce=int)
    scope = forms.ChoiceField(label=_("Institutions"), widget=forms.RadioSelect)
    as_of = forms.DateField(
        label=_("Agreements in force as of"),
        widget=DateInput(),
        help_text=_("The day the agreements in force are counted on; the year's activity is the whole year."),
    )

    def __init__(self, data=None, *, scopes: list[str], today: date):
        super().__init__(
            data,
            initial={"year": today.year - 1, "scope": scopes[0] if scopes else None, "as_of": today},
        )
        self.fields["year"].choices = year_choices(today)
        labels = dict(FactSheet.Scope.choices)
        self.fields["scope"].choices = [(scope, labels[scope]) for scope in scopes]
