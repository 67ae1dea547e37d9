"""Dates are shown and typed the Latvian way, dd.mm.gggg, in every form (core.widgets.DateInput);
ISO dates (scripts, old links) are still accepted."""

from datetime import date

import pytest
from django import forms
from django.utils import translation

from agreements.forms import AgreementForm, SignForm, TerminateForm
from core.widgets import DateInput
from trainings.forms import CompletionForm, DayForm, SessionForm
from volunteers.forms.pipeline import AssessmentForm, VettingForm
from volunteers.forms.public import ApplicationForm
from volunteers.selectors import ApplicationFilter


class _Form(forms.Form):
    day = forms.DateField(widget=DateInput())
    note = forms.CharField()


@pytest.fixture(autouse=True)
def _latvian():
    with translation.override("lv"):
        yield


@pytest.mark.parametrize("typed", ["13.05.1990", "13.5.1990", "1990-05-13"])
def test_date_is_accepted_when_typed_the_latvian_way_or_in_iso(typed):
    form = _Form(data={"day": typed, "note": "x"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["day"] == date(1990, 5, 13)


def test_date_is_shown_as_dd_mm_yyyy_when_the_form_returns_with_errors():
    form = _Form(data={"day": "13.05.1990", "note": ""})
    assert not form.is_valid()
    html = str(form["day"])
    assert 'value="13.05.1990"' in html, html
    assert 'type="text"' in html
    assert 'inputmode="numeric"' in html
    assert 'placeholder="dd.mm.gggg"' in html


def test_date_is_shown_as_dd_mm_yyyy_when_the_form_starts_from_a_date():
    html = str(_Form(initial={"day": date(2026, 1, 7)})["day"])
    assert 'value="07.01.2026"' in html


def test_what_was_typed_is_kept_when_it_is_not_a_date():
    form = _Form(data={"day": "31.02.2026", "note": "x"})
    assert not form.is_valid()
    assert 'value="31.02.2026"' in str(form["day"])


@pytest.mark.django_db
def test_application_form_takes_the_date_of_birth_in_the_latvian_format_when_re_shown():
    form = ApplicationForm(data={"date_of_birth": "13.05.1990"})
    assert not form.is_valid()  # everything else is missing
    assert form.cleaned_data["date_of_birth"] == date(1990, 5, 13)
    html = str(form["date_of_birth"])
    assert 'value="13.05.1990"' in html
    assert 'autocomplete="bday"' in html
    assert 'type="date"' not in html


@pytest.mark.parametrize(
    ("form_class", "names"),
    [
        (ApplicationForm, ["date_of_birth"]),
        (AssessmentForm, ["interviewed_on"]),
        (VettingForm, ["requested_on", "result_on", "valid_until"]),
        (SessionForm, ["registration_deadline"]),
        (DayForm, ["date"]),
        (CompletionForm, ["completed_on"]),
        (AgreementForm, ["start_date", "end_date"]),
        (SignForm, ["signed_on"]),
        (TerminateForm, ["notice_date", "ended_on"]),
    ],
)
def test_every_date_field_uses_the_latvian_input_when_a_form_has_one(form_class, names):
    for name, field in form_class.base_fields.items():
        if isinstance(field, forms.DateField):
            assert isinstance(field.widget, DateInput), f"{form_class.__name__}.{name}"
    for name in names:
        assert isinstance(form_class.base_fields[name].widget, DateInput)


def test_inbox_date_filters_use_the_latvian_input_when_shown():
    for name in ("submitted_from", "submitted_to"):
        assert isinstance(ApplicationFilter.base_filters[name].field.widget, DateInput)


@pytest.mark.parametrize("typed", ["13.05.60", "13.05.90"])
def test_two_digit_year_is_refused_when_typed(typed):
    """Python reads 00–68 as 2000–2068: "13.05.60" would be a birth date in the future."""
    from django import forms

    from core.widgets import DateInput

    class Form(forms.Form):
        day = forms.DateField(widget=DateInput())

    assert not Form(data={"day": typed}).is_valid()
