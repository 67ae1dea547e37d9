"""The form renderer writes Django's commonest widgets in Python (core/renderers.py): the
markup is exactly what Django's own templates give, for every case those templates handle."""

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.translation import gettext_lazy

from core.renderers import Renderer

DJANGO = DjangoTemplates()
OURS = Renderer()

CHOICES = [("", "—"), ("a", "Ā & <b>"), (1, gettext_lazy("Submitted")), ('q"', 'quote "x"')]
GROUPED = [("", "—"), ("VPD", [("1", "Rīga"), ("2", "Jelgava")]), ("IeVP", [("3", "Olaine")]), ("4", "Cits")]


class Every(forms.Form):
    text = forms.CharField(widget=forms.TextInput(attrs={"class": "form-control", "placeholder": '"b" <c>'}))
    search = forms.CharField(widget=forms.TextInput(attrs={"type": "search", "autofocus": True, "x": False}))
    email = forms.EmailField()
    number = forms.IntegerField(widget=forms.NumberInput(attrs={"min": 0}))
    password = forms.CharField(widget=forms.PasswordInput(render_value=True))
    hidden = forms.CharField(widget=forms.HiddenInput)
    date = forms.DateField(widget=forms.DateInput(format="%d.%m.%Y"))
    when = forms.DateTimeField()
    time = forms.TimeField()
    url = forms.URLField(assume_scheme="https")
    tel = forms.CharField(widget=forms.TextInput(attrs={"type": "tel"}))
    agree = forms.BooleanField(required=False)
    choice = forms.ChoiceField(choices=CHOICES, widget=forms.Select(attrs={"class": "form-select"}))
    grouped = forms.ChoiceField(choices=GROUPED)
    several = forms.MultipleChoiceField(choices=GROUPED)
    maybe = forms.NullBooleanField()
    text_area = forms.CharField(widget=forms.Textarea)  # not written out: the templates render it
    radio = forms.ChoiceField(choices=CHOICES, widget=forms.RadioSelect)
    boxes = forms.MultipleChoiceField(choices=GROUPED, widget=forms.CheckboxSelectMultiple)


VALUES = [
    {},
    {
        "text": "Bērziņš <script>",
        "search": 'x"y',
        "email": "a@b.lv",
        "number": "5",
        "password": "s3cret",
        "hidden": "h&",
        "date": "13.05.1990",
        "when": "2026-11-30 10:00",
        "time": "10:00",
        "url": "https://x.lv/?a=1&b=2",
        "tel": "+371",
        "agree": "on",
        "choice": "1",
        "grouped": "3",
        "several": ["1", "3"],
        "maybe": "true",
        "text_area": "x",
        "radio": "a",
        "boxes": ["2"],
    },
]


@pytest.mark.parametrize("data", VALUES)
@pytest.mark.parametrize("name", list(Every.base_fields))
def test_widget_is_what_djangos_templates_give_when_rendered(name, data):
    ours = Every(data or None, renderer=OURS)[name].as_widget()
    assert ours == Every(data or None, renderer=DJANGO)[name].as_widget()


def test_initial_values_render_alike_when_the_form_is_unbound():
    initial = {"choice": 1, "grouped": "2", "several": ["4"], "date": "2026-01-02", "agree": True}
    ours, django = Every(initial=initial, renderer=OURS), Every(initial=initial, renderer=DJANGO)
    for name in Every.base_fields:
        assert ours[name].as_widget() == django[name].as_widget(), name


def test_whole_form_renders_alike_when_shown_as_a_table():
    assert str(Every(VALUES[1], renderer=OURS)) == str(Every(VALUES[1], renderer=DJANGO))


def test_project_forms_use_the_renderer_when_configured(settings):
    from django.forms.renderers import get_default_renderer

    assert settings.FORM_RENDERER == "core.renderers.Renderer"
    assert isinstance(get_default_renderer(), Renderer)
