"""Forms of the volunteer's casework pages: a meeting of their mentoring pair or circle, a
session of their mediation case. They check the shape of the input; the services decide
(dates, lengths, the concern's text, who attended) and their ValidationError dicts are mapped
back with ``core.forms.add_service_errors``."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.widgets import DateInput
from volunteers.models import Volunteer

from .models import Meeting

_HOURS = {"step": "0.5", "min": "0.5", "max": "12"}
NEVER_NAMES = _(
    "Keep it short. Never write names, personal codes, addresses or offences — the client is "
    "only their reference."
)


class MemberChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Volunteer) -> str:
        return obj.user.get_full_name()


class _MeetingFields(forms.Form):
    day = forms.DateField(label=_("Date"), widget=DateInput())
    hours = forms.DecimalField(
        label=_("Length (hours)"),
        max_digits=4,
        decimal_places=1,
        widget=forms.NumberInput(attrs=_HOURS),
        help_text=_("From 0.5 to 12 hours, in half hours. The hours wait for the coordinator's approval."),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("day", timezone.localdate())
        super().__init__(*args, **kwargs)


class MeetingForm(_MeetingFields):
    """A meeting of the volunteer's mentoring pair (``members`` None) or circle (the circle's
    current members, to tick who attended)."""

    kind = forms.ChoiceField(label=_("Kind of meeting"), choices=Meeting.Kind.choices)
    note = forms.CharField(
        label=_("Short summary"),
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=NEVER_NAMES,
    )
    attendees = MemberChoiceField(
        label=_("Who attended"),
        queryset=Volunteer.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Each volunteer ticked gets the meeting's hours."),
    )
    concern = forms.BooleanField(
        label=_("I have a concern the supervising officer must know about"),
        required=False,
        help_text=_(
            "A concern is emailed at once to the client's supervising probation officer, with the "
            "text below. In an emergency call 112 first."
        ),
    )
    concern_note = forms.CharField(
        label=_("The concern"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only with the box above ticked: what happened or what worries you. Never names."),
    )

    def __init__(self, *args, members=None, **kwargs):
        super().__init__(*args, **kwargs)
        if members is None:
            del self.fields["attendees"]
        else:
            self.fields["attendees"].queryset = members

    def details(self) -> dict:
        data = self.cleaned_data
        details = {
            "day": data["day"],
            "hours": data["hours"],
            "kind": data["kind"],
            "note": data.get("note", ""),
            "concern": data.get("concern", False),
            "concern_note": data.get("concern_note", ""),
        }
        if "attendees" in self.fields:
            details["attendees"] = list(data.get("attendees") or [])
        return details


class SessionForm(_MeetingFields):
    """A session of the volunteer's mediation case."""

    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=NEVER_NAMES,
    )
