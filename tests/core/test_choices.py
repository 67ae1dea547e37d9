"""get_FOO_display() of the project's models reads a kept map of labels (core/choices.py):
it gives exactly what Django's own method gives, in the active language, for every value
of every field with choices, and the stored value itself when it is not a choice."""

from functools import partialmethod

import pytest
from django.apps import apps
from django.db import models
from django.utils import translation

from core import choices


def _method(model, field):
    name = f"get_{field.name}_display"
    return next(klass.__dict__[name] for klass in model.__mro__ if name in klass.__dict__)


def _fields_with_choices(*, own_methods: bool = True):
    """(model, field) of the project's fields with choices; without the fields whose model
    defines its own get_FOO_display (e.g. the agreement's status, in the institution's word)."""
    for model in apps.get_models():
        if model._meta.app_label in choices.project_apps():
            for field in model._meta.concrete_fields:
                if field.choices is not None and (
                    own_methods or isinstance(_method(model, field), partialmethod)
                ):
                    yield model, field


def test_every_project_field_with_choices_reads_the_kept_labels_when_the_app_is_ready():
    found = list(_fields_with_choices())
    assert len(found) > 50  # the models and their history models
    for model, field in found:
        method = _method(model, field)
        if isinstance(method, partialmethod):
            assert method.func is choices.label_of, (model, field)
        else:  # the model's own
            assert method is not models.Model._get_FIELD_display, (model, field)


@pytest.mark.parametrize("language", ["lv", "en"])
def test_label_is_what_djangos_own_method_gives_when_read_for_every_choice(language):
    with translation.override(language):
        for model, field in _fields_with_choices(own_methods=False):
            instance = model()
            for value, _label in field.flatchoices:
                setattr(instance, field.attname, value)
                expected = models.Model._get_FIELD_display(instance, field)
                assert getattr(instance, f"get_{field.name}_display")() == expected, (model, field, value)
            setattr(instance, field.attname, "not-a-choice")
            assert getattr(instance, f"get_{field.name}_display")() == "not-a-choice"


def test_label_follows_the_language_when_it_changes():
    from volunteers.models import Application, Status

    application = Application(status=Status.SUBMITTED)
    with translation.override("lv"):
        latvian = application.get_status_display()
    with translation.override("en"):
        english = application.get_status_display()
    assert latvian != english
    assert english == "Submitted"


def test_label_is_read_afresh_when_the_choices_are_replaced(monkeypatch):
    from volunteers.models import Application

    field = Application._meta.get_field("status")
    application = Application(status="submitted")
    application.get_status_display()  # kept
    monkeypatch.setattr(field, "choices", [("submitted", "Iesniegts (jauns)")])
    assert application.get_status_display() == "Iesniegts (jauns)"
