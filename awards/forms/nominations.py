"""Forms of the staff's nomination and scoring pages. They check the shape of the input; the
services decide (their ValidationError dicts are put back on the forms with
``core.forms.add_service_errors``, so the field names follow the services' keys:
``justification``, ``files``, ``volunteer``, ``eligibility_note``, ``reason``,
``conflict_note``, ``criterion_<pk>``)."""

from __future__ import annotations

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from ..models import FILES_MAX, Criterion

CHOOSE = _("— choose —")
FILE_TYPES = ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"


class VolunteerChoiceField(forms.ModelChoiceField):
    def __init__(self, *args, unit=None, **kwargs):
        self.unit = unit
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj) -> str:
        name = obj.user.get_full_name() or obj.user.email
        return f"{name} · {self.unit.name}" if self.unit is not None else name


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Up to ``FILES_MAX`` files in one input; the service checks their count, size and content."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": FILE_TYPES}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


class UnitChoiceForm(forms.Form):
    """Step 1 for a coordinator of several units: which unit's volunteer (GET)."""

    unit = forms.ChoiceField(label=_("Unit"))

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", CHOOSE)] + [(unit.slug, unit.name) for unit in units]


class VolunteerChoiceForm(forms.Form):
    """Step 1: the volunteer, among those who work or worked at the unit (GET)."""

    volunteer = VolunteerChoiceField(label=_("Volunteer"), queryset=None, empty_label=CHOOSE)

    def __init__(self, *args, volunteers, unit, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["volunteer"]
        field.queryset = volunteers
        field.unit = unit


class NominationForm(forms.Form):
    """Step 2: why this volunteer deserves the award, with up to three supporting files."""

    volunteer = forms.IntegerField(widget=forms.HiddenInput)
    justification = forms.CharField(
        label=_("Why this person deserves the award"),
        max_length=6000,
        help_text=_(
            "What they did, with whom, for how long and what changed because of it — at least 100 characters."
        ),
        widget=forms.Textarea(attrs={"rows": 10}),
    )
    files = MultipleFileField(
        label=_("Supporting files"),
        required=False,
        help_text=format_lazy(
            _("Optional: up to {count} PDF, JPEG or PNG files of at most 5 MB each."), count=FILES_MAX
        ),
    )


class CheckForm(forms.Form):
    """The central office's eligibility check."""

    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("eligible", _("Eligible")), ("ineligible", _("Not eligible"))],
        widget=forms.RadioSelect,
    )
    eligibility_note = forms.CharField(
        label=_("Note on eligibility"),
        max_length=2000,
        required=False,
        help_text=_("Required when the nomination is not eligible: say why."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is the nomination withdrawn?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ConflictForm(forms.Form):
    conflict_note = forms.CharField(
        label=_("The conflict of interest"),
        max_length=500,
        help_text=_("In a few words, for example: a relative, a colleague, a former client."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ConsentForm(forms.Form):
    consent = forms.TypedChoiceField(
        label=_("May the laureate be named on the public page?"),
        choices=[("yes", _("Yes, the laureate agreed")), ("no", _("No"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )


class LinkSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Name, surname or email"),
        max_length=100,
        required=False,
        help_text=_("At least two letters."),
    )


class ScoreForm(forms.Form):
    """One score per criterion (1 … its highest) and a comment. The range is checked by the
    service, so that a draft may leave a criterion empty."""

    comment = forms.CharField(
        label=_("Comment for the jury"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, criteria: list[Criterion], disabled: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        fields = {}
        for criterion in criteria:
            fields[self.field_name(criterion)] = forms.IntegerField(
                label=criterion.name,
                required=False,
                help_text=_("%(description)s Score 1 to %(max)d.")
                % {"description": criterion.description, "max": criterion.max_score}
                if criterion.description
                else _("Score 1 to %(max)d.") % {"max": criterion.max_score},
                widget=forms.NumberInput(attrs={"min": 1, "max": criterion.max_score, "step": 1}),
                disabled=disabled,
            )
        fields["comment"] = self.fields.pop("comment")
        fields["comment"].disabled = disabled
        self.fields = {**fields}

    @staticmethod
    def field_name(criterion: Criterion) -> str:
        return f"criterion_{criterion.pk}"

    def scores(self) -> dict[int, int | None]:
        return {
            criterion.pk: self.cleaned_data.get(self.field_name(criterion)) for criterion in self.criteria
        }
