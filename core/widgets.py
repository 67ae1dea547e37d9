"""Widgets shared by the apps.

Dates: every date field of Tilts is typed the Latvian way, ``dd.mm.gggg`` (13.05.1990), in a
plain text box — not the browser's date picker, whose order and separators follow the
browser's language (mm/dd/yyyy in an English Chrome) and which many phone users find slow.
The formats accepted are the active language's ``DATE_INPUT_FORMATS`` (``config/formats``:
13.05.1990, 13.5.1990 and ISO 1990-05-13, so links and scripts that send ISO still work;
never a two-digit year, as 13.05.60 would be 2060). A form that returns with errors shows
what was typed, as it was typed; a date that comes from the database is shown as
``dd.mm.gggg``.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

DATE_FORMAT = "%d.%m.%Y"


class DateInput(forms.DateInput):
    """A text input for a date in the Latvian format, with a numeric keyboard on phones."""

    input_type = "text"

    def __init__(self, attrs: dict | None = None):
        defaults = {
            "inputmode": "numeric",
            "placeholder": _("dd.mm.yyyy"),
            "autocomplete": "off",
            "spellcheck": "false",
            "maxlength": "10",
        }
        super().__init__(attrs={**defaults, **(attrs or {})}, format=DATE_FORMAT)
