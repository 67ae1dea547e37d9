"""Every text a person can send without a staff role has a length limit.

The walk covers every form class defined in the modules of public forms, so a field or form
added later without ``max_length`` fails here rather than accepting a pasted megabyte.
"""

import inspect

import pytest
from django import forms

from volunteers.forms import me, public

# Forms reachable without a staff role: the application form and the volunteer's own pages.
PUBLIC_FORM_MODULES = (public, me)
# A limit this large is no limit.
LARGEST_SENSIBLE_LIMIT = 5000


def _form_classes():
    for module in PUBLIC_FORM_MODULES:
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__:
                yield pytest.param(cls, id=f"{module.__name__}.{cls.__name__}")


def _takes_text(field: forms.Field) -> bool:
    """A field into which any text can be typed: a CharField (email, URL … included) or any
    field drawn as a text box or text area."""
    if isinstance(field, forms.CharField):
        return True
    widget = field.widget
    if isinstance(widget, forms.DateInput | forms.DateTimeInput | forms.TimeInput):
        return False  # parsed against fixed formats: long input is refused anyway
    return isinstance(widget, forms.Textarea) or (
        isinstance(widget, forms.widgets.Input)
        and widget.input_type in {"text", "email", "tel", "url", "search", "password"}
    )


FORMS = list(_form_classes())


def test_walk_finds_the_public_forms_when_modules_are_inspected():
    names = {param.values[0].__name__ for param in FORMS}
    assert {
        "ApplicationForm",
        "ProfileForm",
        "ChangeRequestForm",
        "WithdrawForm",
        "ErasureRequestForm",
    } <= names


@pytest.mark.parametrize("form_class", FORMS)
def test_every_text_field_has_max_length_when_form_is_public(db, form_class):
    form = form_class()  # an instance: __init__ may add or change fields
    text_fields = {name: field for name, field in form.fields.items() if _takes_text(field)}
    assert text_fields, "no text field found: is the walk still looking at the right forms?"
    unlimited = [name for name, field in text_fields.items() if getattr(field, "max_length", None) is None]
    assert not unlimited, f"{form_class.__name__}: no max_length on {unlimited}"
    too_large = [name for name, field in text_fields.items() if field.max_length > LARGEST_SENSIBLE_LIMIT]
    assert not too_large, f"{form_class.__name__}: max_length above {LARGEST_SENSIBLE_LIMIT} on {too_large}"
    for name, field in text_fields.items():
        if not isinstance(field.widget, forms.HiddenInput):
            # The browser stops typing at the limit too.
            assert field.widget.attrs.get("maxlength") == str(field.max_length), name


def test_walk_catches_a_field_when_it_has_no_max_length():
    class Careless(forms.Form):
        notes = forms.CharField(widget=forms.Textarea)

    assert _takes_text(Careless.base_fields["notes"])
    assert Careless.base_fields["notes"].max_length is None
