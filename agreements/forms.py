"""Forms of the agreements pages. They check the shape of the input; the services decide
(their ValidationError dicts are mapped back onto these fields)."""

from __future__ import annotations

import re
from datetime import timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.template import TemplateSyntaxError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.dates import add_years, local_today
from core.forms import add_service_errors  # noqa: F401 (the agreement views import it from here)
from core.widgets import DateInput
from volunteers.models import Role

from . import selectors, services, terms
from .models import MIN_NOTICE_DAYS, Agreement
from .rendering import PLACEHOLDERS, body_template
from .terms import AgreementTerms


class _RoleChoiceField(forms.ModelChoiceField):
    def __init__(self, *args, untrained: frozenset[int] = frozenset(), **kwargs):
        super().__init__(*args, **kwargs)
        self.untrained = untrained

    def label_from_instance(self, obj: Role) -> str:
        if obj.pk in self.untrained:
            return gettext("%(role)s (needs a completed training)") % {"role": obj}
        return str(obj)


class AgreementForm(forms.Form):
    """The terms of an agreement (drafting, renewal and changes to a draft)."""

    role = _RoleChoiceField(
        label=_("Role or field"), queryset=Role.objects.none(), empty_label=_("— choose —")
    )
    place = forms.CharField(
        label=_("Place of work"),
        max_length=255,
        help_text=_("Where the work is done, e.g. the prison and its premises."),
    )
    start_date = forms.DateField(label=_("Start date"), widget=DateInput())
    end_date = forms.DateField(label=_("End date"), widget=DateInput())
    hours_per_week = forms.DecimalField(
        label=_("Hours per week"),
        max_digits=4,
        decimal_places=1,
        widget=forms.NumberInput(attrs={"step": "0.5", "min": "0.5"}),
    )
    duties = forms.CharField(
        label=_("Duties"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What the volunteer does: activities, with whom, how often."),
    )
    expenses_reimbursed = forms.BooleanField(label=_("Expenses are reimbursed"), required=False)
    expenses_terms = forms.CharField(
        label=_("Expense terms"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Which expenses (travel, meals, materials), up to what amount, and how they are claimed."
        ),
    )
    insurance_required = forms.BooleanField(
        label=_("Insurance is needed"),
        required=False,
        help_text=_("Only for hazardous work listed in Cabinet Regulation No. 762 (2015)."),
    )
    insurance_policy = forms.CharField(label=_("Insurance policy number"), required=False, max_length=100)
    own_policy = forms.BooleanField(label=_("The volunteer has their own policy"), required=False)
    notice_days = forms.IntegerField(
        label=_("Notice period (days)"),
        max_value=365,
        widget=forms.NumberInput(attrs={"min": MIN_NOTICE_DAYS}),
    )
    requested_in_writing = forms.BooleanField(
        label=_("A party asked for a written agreement"), required=False
    )
    guardian_name = forms.CharField(label=_("Legal representative"), required=False, max_length=200)
    guardian_consent = forms.BooleanField(
        label=_("The legal representative gave written consent"), required=False
    )

    def __init__(
        self,
        *args,
        roles,
        volunteer,
        words: AgreementTerms,
        untrained: frozenset[int] = frozenset(),
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.volunteer = volunteer
        self.fields["requested_in_writing"].label = words.gettext("A party asked for a written agreement")
        self.fields["notice_days"].help_text = gettext("At least %(days)d days (Volunteer Work Law).") % {
            "days": MIN_NOTICE_DAYS
        }
        self.fields["role"].queryset = roles
        self.fields["role"].untrained = untrained
        if self.minor:
            for name in ("guardian_name", "guardian_consent"):
                self.fields[name].widget.attrs["aria-required"] = "true"
            self.fields["guardian_name"].label = _("Legal representative (required for a minor)")
            self.fields["guardian_consent"].label = _(
                "The legal representative gave written consent (required for a minor)"
            )
        self.fields["start_date"].widget.attrs["data-birth-date"] = (
            volunteer.date_of_birth.isoformat() if volunteer.date_of_birth else ""
        )

    @property
    def start_date_value(self):
        raw = self["start_date"].value()
        try:
            return self.fields["start_date"].to_python(raw)
        except ValidationError:
            return None

    @property
    def minor(self) -> bool:
        """Whether the volunteer is a minor on the (typed) start date."""
        return selectors.is_minor_on(self.volunteer, self.start_date_value)

    def terms(self) -> dict:
        return {
            name: self.cleaned_data[name] for name in services.EDITABLE_FIELDS if name in self.cleaned_data
        }

    @staticmethod
    def initial_for_new(application, *, renewal_of: Agreement | None = None) -> dict:
        """Sensible first values: a year from today, or the renewed agreement's terms from
        the day after it ends."""
        today = local_today()
        if renewal_of is not None:
            start = max(renewal_of.end_date + timedelta(days=1), today)
            length = renewal_of.end_date - renewal_of.start_date
            initial = {name: getattr(renewal_of, name) for name in services.EDITABLE_FIELDS}
            initial.update(start_date=start, end_date=start + length, guardian_consent=False)
            return initial
        roles = list(selectors.drafting_roles(application))
        return {
            "role": roles[0] if len(roles) == 1 else None,
            "place": application.unit.name,
            "start_date": today,
            "end_date": add_years(today, 1) - timedelta(days=1),
            "notice_days": MIN_NOTICE_DAYS,
            "requested_in_writing": True,
            "guardian_name": application.guardian_name,
        }

    @staticmethod
    def initial_for(agreement: Agreement) -> dict:
        return {name: getattr(agreement, name) for name in services.EDITABLE_FIELDS}


class SignForm(forms.Form):
    scan = forms.FileField(
        label=_("Signed scan"),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/jpeg,image/png"}),
    )
    signed_on = forms.DateField(label=_("Signed on"), widget=DateInput())

    def __init__(self, *args, words: AgreementTerms, **kwargs):
        super().__init__(*args, **kwargs)
        self.words = words
        self.fields["scan"].label = words.gettext("Signed scan")
        self.fields["scan"].help_text = gettext("PDF, JPEG or PNG, up to %(mb)d MB.") % {
            "mb": services.SCAN_MAX_BYTES // (1024 * 1024)
        }

    def clean_scan(self):
        scan = self.cleaned_data["scan"]
        services.scan_kind(scan, words=self.words)  # by content, not by name; raises ValidationError
        return scan


class TerminateForm(forms.Form):
    terminated_by = forms.ChoiceField(
        label=_("Who ends the agreement"),
        choices=Agreement.TerminatedBy.choices,
        widget=forms.RadioSelect,
    )
    notice_date = forms.DateField(label=_("Notice given on"), widget=DateInput())
    ended_on = forms.DateField(label=_("Last day of the agreement"), widget=DateInput())
    reason = forms.CharField(
        label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    short_notice_agreed = forms.BooleanField(
        label=_("Both parties agreed to a shorter notice"),
        required=False,
        help_text=_("Only with the other party's agreement; it is recorded."),
    )

    def __init__(self, *args, words: AgreementTerms, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["terminated_by"].label = words.gettext("Who ends the agreement")
        self.fields["ended_on"].label = words.gettext("Last day of the agreement")

    @staticmethod
    def initial_for(agreement: Agreement) -> dict:
        today = local_today()
        return {"notice_date": today, "ended_on": today + timedelta(days=agreement.notice_days)}


_VARIABLE = re.compile(r"{{\s*([A-Za-z_][\w.]*)")


class TemplateVersionForm(forms.Form):
    institution = forms.ModelChoiceField(label=_("Institution"), queryset=None, empty_label=None)
    role = forms.ModelChoiceField(
        label=_("Role or field"),
        queryset=Role.objects.none(),
        required=False,
        empty_label=_("Every role of the institution"),
        help_text=_("A role's own text is used instead of the institution's for agreements of that role."),
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(
        label=_("Text"),
        max_length=50000,
        widget=forms.Textarea(
            attrs={"rows": 22, "class": "font-monospace", "spellcheck": "true", "lang": "lv"}
        ),
        help_text=_("Paragraphs are separated by an empty line. Placeholders are listed beside the form."),
    )

    def __init__(self, *args, institutions, roles, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].help_text = terms.for_terms(i.agreement_term for i in institutions).gettext(
            "A role's own text is used instead of the institution's for agreements of that role."
        )
        self.fields["institution"].queryset = institutions
        self.fields["institution"].label_from_instance = lambda institution: institution.name
        self.fields["role"].queryset = roles
        self.fields["role"].label_from_instance = lambda role: f"{role.institution.short_name} — {role}"

    def clean_body(self):
        body = self.cleaned_data["body"]
        try:
            body_template(body)
        except TemplateSyntaxError as error:
            raise ValidationError(
                gettext("The text has a template error: %(error)s") % {"error": error}
            ) from error
        unknown = sorted({name for name in _VARIABLE.findall(body) if name not in PLACEHOLDERS})
        if unknown:
            raise ValidationError(
                gettext("Unknown placeholders: %(names)s.")
                % {"names": ", ".join("{{ " + name + " }}" for name in unknown)}
            )
        return body
