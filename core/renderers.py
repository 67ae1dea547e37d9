"""The form renderer (``FORM_RENDERER``): Django's own, with its commonest widgets written out
in Python.

Django renders every widget through templates: a ``<select>`` is one template, each of its
options another, and each option's attributes a third. A filter with a hundred units (a
central coordinator's unit list at national scale) was hundreds of template renderings on
every list page. :class:`Renderer` writes the ``<input>``, ``<select>`` and ``<option>`` of
Django's stock widget templates directly — the same markup, character for character
(``tests/core/test_renderers.py`` compares them with the templates) — and hands every other
template (crispy forms' field layouts, checkbox lists, file inputs, the project's own) to
Django's renderer as before."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.forms.renderers import DjangoTemplates
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

_PREFIX = "django/forms/widgets/"
# Stock templates that are exactly input.html (each is one ``{% include %}`` of it).
_INPUTS = frozenset(
    f"{_PREFIX}{name}.html"
    for name in (
        "input",
        "text",
        "email",
        "number",
        "password",
        "search",
        "tel",
        "url",
        "date",
        "datetime",
        "time",
        "hidden",
        "checkbox",
        "color",
    )
)
_SELECT = f"{_PREFIX}select.html"
_OPTION = f"{_PREFIX}select_option.html"


def attributes(attrs: Mapping[str, Any]) -> SafeString:
    """attrs.html: `` name="value"`` in order; ``True`` as a bare name, ``False`` left out."""
    return mark_safe(
        "".join(
            format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value)
            for name, value in attrs.items()
            if value is not False
        )
    )


def _input(widget: Mapping[str, Any]) -> SafeString:
    value = widget["value"]
    shown = format_html(' value="{}"', value) if value is not None else ""
    return format_html(
        '<input type="{}" name="{}"{}{}>', widget["type"], widget["name"], shown, attributes(widget["attrs"])
    )


def _option(option: Mapping[str, Any]) -> SafeString:
    return format_html(
        '<option value="{}"{}>{}</option>', option["value"], attributes(option["attrs"]), option["label"]
    )


def _select(widget: Mapping[str, Any]) -> SafeString | None:
    parts = [format_html('<select name="{}"{}>', widget["name"], attributes(widget["attrs"]))]
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(format_html('\n  <optgroup label="{}">', group_name))
        for option in group_choices:
            if option["template_name"] != _OPTION:
                return None  # a widget with options of its own: the templates render it
            parts.append("\n  ")
            parts.append(_option(option))
            parts.append("\n")  # select_option.html ends with a new line
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return mark_safe("".join(parts))


class Renderer(DjangoTemplates):
    def render(self, template_name: str, context: dict[str, Any], request=None) -> str:
        widget = context.get("widget") if len(context) == 1 else None
        if widget is not None:
            if template_name in _INPUTS:
                return _input(widget)
            if template_name == _SELECT:
                html = _select(widget)
                if html is not None:
                    return html
        return super().render(template_name, context, request)
