"""Forms of the award administrator's and the jury's cycle pages. They check the shape of the
input; the services decide (their ValidationError dicts are put back on the fields with
``core.forms.add_service_errors``, so the field names follow the services' keys)."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from core.widgets import DateInput

from ..models import SCORE_MAX_LIMIT, AwardCycle, Criterion
from ..services import CITATION_MAX, CycleDetails


def _date(label, **kwargs) -> forms.DateField:
    return forms.DateField(label=label, widget=DateInput(), **kwargs)


class CycleForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    conference_name = forms.CharField(
        label=_("Conference"),
        max_length=200,
        required=False,
        help_text=_("Where the award is presented. Leave empty for the usual conference."),
    )
    conference_date = _date(_("Conference date"), required=False)
    conference_place = forms.CharField(label=_("Conference venue"), max_length=200, required=False)
    nominations_open = _date(_("Nominations open on"))
    nominations_close = _date(_("Nominations close on"))
    introduction = forms.CharField(
        label=_("Call for nominations"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Shown on the public nomination form: what the award is for this year."),
    )
    signatory_name = forms.CharField(label=_("Diploma signed by"), max_length=200, required=False)
    signatory_title = forms.CharField(label=_("Signatory's position"), max_length=200, required=False)

    def __init__(self, *args, cycle: AwardCycle | None = None, **kwargs):
        if cycle is None:
            kwargs.setdefault("initial", {"year": timezone.localdate().year})
        else:
            kwargs.setdefault("initial", self.initial_for(cycle))
        super().__init__(*args, **kwargs)
        if cycle is not None and cycle.status != AwardCycle.Status.DRAFT:
            self.fields["year"].disabled = True
            self.fields["year"].help_text = _("The year can be changed only while the cycle is a draft.")

    @staticmethod
    def initial_for(cycle: AwardCycle) -> dict:
        return {name: getattr(cycle, name) for name in CycleDetails.__dataclass_fields__}

    def details(self) -> CycleDetails:
        return CycleDetails(**{name: self.cleaned_data[name] for name in CycleDetails.__dataclass_fields__})


class CriterionForm(forms.Form):
    name = forms.CharField(label=_("Criterion"), max_length=200)
    description = forms.CharField(
        label=_("What the jury looks at"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    max_score = forms.IntegerField(
        label=_("Highest score"),
        min_value=2,
        max_value=SCORE_MAX_LIMIT,
        initial=5,
        help_text=format_lazy(
            _("The jury scores from 1 to this number (at most {max})."), max=SCORE_MAX_LIMIT
        ),
    )
    position = forms.IntegerField(
        label=_("Order"),
        min_value=1,
        max_value=100,
        required=False,
        help_text=_("Leave empty to put a new criterion last."),
    )

    @staticmethod
    def initial_for(criterion: Criterion) -> dict:
        return {
            "name": criterion.name,
            "description": criterion.description,
            "max_score": criterion.max_score,
            "position": criterion.position,
        }


class JuryMemberForm(forms.Form):
    email = forms.EmailField(label=_("Email"), max_length=254)
    first_name = forms.CharField(
        label=_("Name"),
        max_length=150,
        required=False,
        help_text=_("Needed when the person has no account yet."),
    )
    last_name = forms.CharField(label=_("Surname"), max_length=150, required=False)
    is_chair = forms.BooleanField(label=_("Chair of the jury"), required=False)
    language = forms.ChoiceField(
        label=_("Language of the invitation"),
        choices=[("lv", "Latviešu"), ("en", "English")],
        initial="lv",
        required=False,
    )


class LaureatesForm(forms.Form):
    """The chair's choice: a checkbox ``laureate`` per nomination (its id) and a citation
    ``citation-<id>`` each. Built over the ranking's rows; keeps what was typed."""

    def __init__(self, *args, rows, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = []
        for row in rows:
            pk = row.nomination.pk
            self.fields[f"laureate-{pk}"] = forms.BooleanField(
                label=_("Laureate: %(name)s") % {"name": row.nomination.nominee_name}, required=False
            )
            self.fields[f"citation-{pk}"] = forms.CharField(
                label=_("Citation for %(name)s") % {"name": row.nomination.nominee_name},
                max_length=CITATION_MAX,
                required=False,
                widget=forms.Textarea(attrs={"rows": 3, "maxlength": CITATION_MAX}),
            )
            self.rows.append((row, self[f"laureate-{pk}"], self[f"citation-{pk}"]))

    def clean(self):
        cleaned = super().clean()
        chosen = {}
        for row, _checkbox, _citation in self.rows:
            pk = row.nomination.pk
            if cleaned.get(f"laureate-{pk}"):
                text = (cleaned.get(f"citation-{pk}") or "").strip()
                if not text:
                    self.add_error(
                        f"citation-{pk}",
                        _("Write a citation for %(name)s.") % {"name": row.nomination.nominee_name},
                    )
                chosen[pk] = text
        if not chosen and not self.errors:
            raise forms.ValidationError(_("Choose at least one laureate."))
        cleaned["chosen"] = chosen
        return cleaned
