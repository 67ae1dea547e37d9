"""``get_FOO_display()`` without rebuilding the field's choices on every call.

Django's ``Model._get_FIELD_display`` builds a dict of all the field's choices on every call,
hashing every label on the way — and a label is a lazy translation, so each hash translates it.
A list page showing a status per row (and a role's name, ``Role.__str__``) spent over a tenth
of its time there. :func:`label_of` keeps, per field, the map from a stored value to its
(still lazy) label, so that a call is one look-up and one translation, in the active language
as before. A field whose choices are replaced or computed by a callable is read afresh.

:func:`install` (CoreConfig.ready) puts it behind the ``get_FOO_display`` methods Django made
for the project's models; a method a model defines itself is left alone."""

from __future__ import annotations

from functools import partialmethod

from django.apps import apps
from django.db import models
from django.utils.choices import CallableChoiceIterator
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable

_labels: dict[models.Field, tuple[object, dict]] = {}


def _labels_read(field: models.Field) -> dict:
    return {make_hashable(value): label for value, label in field.flatchoices}


def _labels_of(field: models.Field) -> dict:
    choices = field.choices
    if isinstance(choices, CallableChoiceIterator):
        return _labels_read(field)
    kept = _labels.get(field)
    if kept is None or kept[0] is not choices:
        kept = _labels[field] = (choices, _labels_read(field))
    return kept[1]


def label_of(instance: models.Model, field: models.Field) -> object:
    """What Django's ``get_FOO_display()`` gives: the label of the stored value in the active
    language, or the value itself when it is not one of the choices."""
    value = getattr(instance, field.attname)
    return force_str(_labels_of(field).get(make_hashable(value), value), strings_only=True)


def _made_by_django(method: object) -> bool:
    return isinstance(method, partialmethod) and method.func is models.Model._get_FIELD_display


def project_apps() -> set[str]:
    """The labels of the project's own apps (the folders beside ``config/``)."""
    from pathlib import Path

    from django.conf import settings

    project = Path(settings.BASE_DIR).resolve()
    return {app.label for app in apps.get_app_configs() if Path(app.path).resolve().parent == project}


def install(app_labels: set[str]) -> None:
    """Every ``get_FOO_display`` Django made for the models of these apps (their history models
    included) reads through :func:`label_of`."""
    for model in apps.get_models():
        if model._meta.app_label not in app_labels:
            continue
        for field in model._meta.concrete_fields:
            name = f"get_{field.name}_display"
            if field.choices is not None and _made_by_django(model.__dict__.get(name)):
                setattr(model, name, partialmethod(label_of, field=field))
