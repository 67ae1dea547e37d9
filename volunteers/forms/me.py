"""Forms of the volunteer's self-service pages and of the coordinator's decisions on them."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import ProfileChangeRequest, Volunteer

_PHONE = re.compile(r"^\+?[\d\s()\-]+$", re.ASCII)


def _textarea(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class ProfileForm(forms.Form):
    """Contact details and availability: the volunteer changes these themselves."""

    phone = forms.CharField(
        label=_("Phone"),
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
        help_text=_("For example +371 20000000."),
    )
    address = forms.CharField(
        label=_("Address"), max_length=255, widget=forms.TextInput(attrs={"autocomplete": "street-address"})
    )
    municipality = forms.CharField(
        label=_("Municipality"),
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "address-level2"}),
    )
    languages = forms.CharField(
        label=_("Languages"),
        max_length=255,
        required=False,
        help_text=_("The languages you speak, separated by commas."),
    )
    education = forms.ChoiceField(
        label=_("Education"), choices=[("", "—"), *Volunteer.Education.choices], required=False
    )
    occupation = forms.CharField(label=_("Occupation"), max_length=255, required=False)
    availability = forms.CharField(
        label=_("Availability"),
        max_length=2000,
        required=False,
        widget=_textarea(),
        help_text=_("When you could volunteer, e.g. weekday evenings or one Saturday a month."),
    )

    def clean_phone(self) -> str:
        phone = " ".join(self.cleaned_data["phone"].split())
        digits = sum(c.isdigit() for c in phone)
        if not _PHONE.match(phone) or not 7 <= digits <= 15:
            raise forms.ValidationError(_("Enter a phone number of 7 to 15 digits, e.g. +371 20000000."))
        return phone


class ChangeRequestForm(forms.Form):
    """Ask the coordinator to correct an identity field (checked against a document)."""

    field = forms.ChoiceField(label=_("What should be corrected"), choices=ProfileChangeRequest.Field.choices)
    new_value = forms.CharField(
        label=_("Correct value"),
        max_length=200,
        help_text=_("A date as DD.MM.YYYY; a personal code as 123456-12345."),
    )
    comment = forms.CharField(
        label=_("Comment for the coordinator"),
        max_length=2000,
        required=False,
        widget=_textarea(2),
        help_text=_("For example: the name changed at marriage."),
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (optional)"),
        max_length=2000,
        required=False,
        widget=_textarea(),
        help_text=_("It helps the coordinator, but you do not have to give one."),
    )


class ErasureRequestForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (optional)"), max_length=2000, required=False, widget=_textarea()
    )
    confirm = forms.BooleanField(
        label=_("I understand that my account will be closed and my personal data removed for good."),
        error_messages={"required": _("Tick the box to confirm that you understand.")},
    )


class DecisionForm(forms.Form):
    """A coordinator's decision on a change or erasure request."""

    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("refuse", _("Refuse"))])
    note = forms.CharField(label=_("Note"), max_length=2000, required=False)

    @property
    def approve(self) -> bool:
        return self.cleaned_data["decision"] == "approve"
