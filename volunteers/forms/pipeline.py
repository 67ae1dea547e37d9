"""Forms of the coordinators' pipeline. They validate input; the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.widgets import DateInput
from institutions.models import Unit

from .. import transitions
from ..models import Assessment, Status, VettingRecord


class TransitionForm(forms.Form):
    """Move an application on. Only allowed transitions are offered; any status is
    accepted so that a stale or forged choice gets the service's clear message."""

    to = forms.ChoiceField(label=_("New status"), choices=Status.choices)
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required to reject, withdraw, pause or end. The applicant sees it in the email."),
    )
    notify = forms.BooleanField(label=_("Email the applicant"), required=False, initial=True)

    def __init__(self, *args, allowed: list[Status] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = allowed or []
        self.fields["to"].widget.choices = [
            ("", _("— choose —")),
            *((status.value, status.label) for status in allowed),
        ]

    def show_requirements(self, requirements: dict[str, list[str]], *, described_by: str) -> None:
        """Mark the offered statuses that still need something (the list itself is shown
        under the choice, ``described_by``); the service refuses them all the same."""
        widget = self.fields["to"].widget
        widget.choices = [
            (value, _("%(status)s — not ready yet") % {"status": label} if requirements.get(value) else label)
            for value, label in widget.choices
        ]
        widget.attrs["aria-describedby"] = described_by

    def clean(self):
        cleaned = super().clean()
        to, reason = cleaned.get("to"), (cleaned.get("reason") or "").strip()
        if to in transitions.REASON_REQUIRED and not reason:
            self.add_error("reason", _("Give a reason for “%(status)s”.") % {"status": Status(to).label})
        return cleaned


class AssessmentForm(forms.ModelForm):
    """Interview notes and a simple score (1–5 each)."""

    score_choices = [("", "—"), *((n, str(n)) for n in range(1, 6))]

    class Meta:
        model = Assessment
        fields = [
            "interviewed_on",
            "notes",
            "motivation_score",
            "communication_score",
            "reliability_score",
            "recommendation",
        ]
        widgets = {
            "interviewed_on": DateInput(),
            "notes": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("motivation_score", "communication_score", "reliability_score"):
            self.fields[name] = forms.TypedChoiceField(
                label=self.fields[name].label,
                choices=self.score_choices,
                coerce=int,
                empty_value=None,
                required=False,
            )


class VettingForm(forms.Form):
    """A criminal-record check: dates, result and validity only — no certificate, no
    offence details (GDPR Art. 10)."""

    record = forms.ModelChoiceField(
        queryset=VettingRecord.objects.none(), required=False, widget=forms.HiddenInput
    )
    requested_on = forms.DateField(label=_("Requested on"), widget=DateInput())
    result = forms.ChoiceField(label=_("Result"), choices=VettingRecord.Result.choices)
    result_on = forms.DateField(
        label=_("Result received on"),
        required=False,
        widget=DateInput(),
    )
    valid_until = forms.DateField(
        label=_("Valid until"),
        required=False,
        widget=DateInput(),
        help_text=_("For a cleared check: until when the result may be relied on."),
    )

    def __init__(self, *args, records=None, **kwargs):
        super().__init__(*args, **kwargs)
        if records is not None:
            self.fields["record"].queryset = records

    def clean(self):
        cleaned = super().clean()
        result = cleaned.get("result")
        requested_on, result_on = cleaned.get("requested_on"), cleaned.get("result_on")
        if result and result != VettingRecord.Result.PENDING and not result_on:
            self.add_error("result_on", _("Enter the date the result was received."))
        if requested_on and result_on and result_on < requested_on:
            self.add_error("result_on", _("The result cannot come before the request."))
        if cleaned.get("valid_until") and result != VettingRecord.Result.CLEARED:
            self.add_error("valid_until", _("Only a cleared check has a validity date."))
        return cleaned


class ReassignForm(forms.Form):
    unit = forms.ModelChoiceField(
        label=_("Hand over to"), queryset=Unit.objects.none(), empty_label=_("— choose —")
    )
    reason = forms.CharField(
        label=_("Reason"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        if units is not None:
            self.fields["unit"].queryset = units


class BulkEmailForm(forms.Form):
    statuses = forms.MultipleChoiceField(
        label=_("To the applicants and volunteers in"),
        choices=Status.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one status.")},
    )
    subject = forms.CharField(label=_("Subject"), max_length=200)
    body = forms.CharField(label=_("Message"), max_length=10000, widget=forms.Textarea(attrs={"rows": 8}))

    def __init__(self, *args, counts: dict[str, int] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if counts is not None:
            self.fields["statuses"].choices = [
                (value, f"{label} ({counts.get(value, 0)})") for value, label in Status.choices
            ]
