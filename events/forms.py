"""Forms of the event pages (the coordinator's and the volunteer's share ``EventForm``).
They check the shape of the input; the services decide (their ValidationError dicts are
mapped back with ``core.forms.add_service_errors``)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from agreements import terms as agreement_terms
from core.forms import add_service_errors  # noqa: F401 (views import it from here)
from core.widgets import DateInput
from volunteers.models import Role, Volunteer

from .models import MAX_OCCURRENCES, ActivityType, EventSeries, TargetGroup, VolunteerCertificate
from .services import Details

_TIME = {"type": "time", "step": "300"}


class VolunteerChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Volunteer) -> str:
        return obj.user.get_full_name()


class LeadChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Volunteer) -> str:
        return obj.user.get_full_name()


class EventForm(forms.Form):
    """What an event is, when and with whom. ``lead`` is asked only of a coordinator (a
    volunteer proposing leads it); ``repeat``/``count`` only when it is new."""

    title = forms.CharField(label=_("Title"), max_length=200)
    field = forms.ModelChoiceField(
        label=pgettext_lazy("area of work", "Field"),
        queryset=Role.objects.none(),
        empty_label=_("— choose —"),
    )
    activity_type = forms.ModelChoiceField(
        label=_("Kind of activity"), queryset=ActivityType.objects.none(), empty_label=_("— choose —")
    )
    description = forms.CharField(
        label=_("Description"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What happens and why. Never write the names of inmates or clients."),
    )
    day = forms.DateField(label=_("Date"), widget=DateInput())
    start_time = forms.TimeField(label=_("Starts"), widget=forms.TimeInput(attrs=_TIME, format="%H:%M"))
    end_time = forms.TimeField(label=_("Ends"), widget=forms.TimeInput(attrs=_TIME, format="%H:%M"))
    place = forms.CharField(
        label=_("Place in the prison"),
        max_length=255,
        help_text=_("The building and room, e.g. “2nd block, library”."),
    )
    expected_participants = forms.IntegerField(
        label=_("Expected participants"),
        min_value=0,
        max_value=500,
        widget=forms.NumberInput(attrs={"min": "0"}),
    )
    target_group = forms.ChoiceField(
        label=_("Target group"),
        choices=[("", _("— choose —")), *TargetGroup.choices],
        help_text=_("Who takes part — a group, never a person's name."),
    )
    items = forms.CharField(
        label=_("Items to bring in"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For the gate: materials, equipment, books — with quantities."),
    )
    lead = LeadChoiceField(
        label=_("Lead volunteer"), queryset=Volunteer.objects.none(), empty_label=_("— choose —")
    )
    volunteers = VolunteerChoiceField(
        label=_("Other volunteers"),
        queryset=Volunteer.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only volunteers with an agreement in force at this unit on that date."),
    )
    repeat = forms.ChoiceField(
        label=_("Repeats"),
        required=False,
        choices=[("", _("Once")), *EventSeries.Frequency.choices],
    )
    count = forms.IntegerField(
        label=_("Number of occurrences"),
        required=False,
        min_value=2,
        max_value=MAX_OCCURRENCES,
        widget=forms.NumberInput(attrs={"min": "2", "max": str(MAX_OCCURRENCES)}),
        help_text=_("For example 10 for a weekly club of ten weeks. Each can be moved or cancelled later."),
    )

    def __init__(
        self, *args, unit, volunteers, ask_lead: bool, new: bool, known_only: bool = False, **kwargs
    ):
        """``known_only``: the choice of other volunteers is limited to people the proposing
        volunteer already knows (``selectors.co_volunteer_choices``) — the help says so."""
        super().__init__(*args, **kwargs)
        self.unit = unit
        self.fields["field"].queryset = Role.objects.filter(institution_id=unit.institution_id).order_by(
            "order"
        )
        self.fields["activity_type"].queryset = ActivityType.objects.filter(is_active=True)
        self.fields["volunteers"].queryset = volunteers
        self.fields["volunteers"].help_text = agreement_terms.for_institution_id(unit.institution_id).gettext(
            "Only volunteers with an agreement in force at this unit on that date."
        )
        if known_only:
            self.fields["volunteers"].help_text = format_lazy(
                "{} {}",
                self.fields["volunteers"].help_text,
                _(
                    "You can name the volunteers you have already been on an event with here; "
                    "the coordinator can add others."
                ),
            )
        if ask_lead:
            self.fields["lead"].queryset = volunteers
        else:
            del self.fields["lead"]
        if not new:
            del self.fields["repeat"]
            del self.fields["count"]

    def clean(self):
        data = super().clean()
        if data.get("repeat") and not data.get("count"):
            self.add_error("count", _("Say how many times it takes place."))
        return data

    def _moment(self, time_value) -> datetime:
        return timezone.make_aware(
            datetime.combine(self.cleaned_data["day"], time_value), timezone.get_default_timezone()
        )

    def details(self) -> Details:
        data = self.cleaned_data
        starts_at = self._moment(data["start_time"])
        ends_at = self._moment(data["end_time"])  # the same day; the service refuses an end before the start
        return Details(
            title=data["title"],
            field=data["field"],
            activity_type=data["activity_type"],
            description=data["description"],
            starts_at=starts_at,
            ends_at=ends_at,
            place=data["place"],
            expected_participants=data["expected_participants"],
            target_group=data["target_group"],
            items=data.get("items", ""),
        )

    def others(self) -> list[Volunteer]:
        return list(self.cleaned_data.get("volunteers") or [])

    @staticmethod
    def initial_for(event) -> dict:
        lead = next((row.volunteer for row in event.people.all() if row.is_lead), None)
        return {
            "title": event.title,
            "field": event.field_id,
            "activity_type": event.activity_type_id,
            "description": event.description,
            "day": event.local_start.date(),
            "start_time": event.local_start.time(),
            "end_time": event.local_end.time(),
            "place": event.place,
            "expected_participants": event.expected_participants,
            "target_group": event.target_group,
            "items": event.items,
            "lead": lead.pk if lead else None,
            "volunteers": [row.volunteer_id for row in event.people.all() if not row.is_lead],
        }


class FeedbackForm(forms.Form):
    """A volunteer's own short feedback after an event (the lead's comes with the report)."""

    feedback = forms.CharField(
        label=_("Your feedback"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("How it went, what to change next time."),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class ReportForm(forms.Form):
    """After the event: held or not, participants, hours per volunteer (prefilled from the
    event's length), the reporter's feedback and — for a coordinator — a note."""

    held = forms.TypedChoiceField(
        label=_("Did the event take place?"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    actual_participants = forms.IntegerField(
        label=_("Participants"),
        required=False,
        min_value=0,
        max_value=500,
        widget=forms.NumberInput(attrs={"min": "0"}),
        help_text=_("How many took part (a number, never names)."),
    )
    feedback = forms.CharField(
        label=_("Your feedback"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("How it went, what to change next time."),
    )
    coordinator_note = forms.CharField(
        label=_("Coordinator's note"),
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, event, coordinator: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.event = event
        self.hour_fields: list[tuple[str, Volunteer]] = []
        length = event.duration_hours
        for row in event.people.all():
            name = f"hours_{row.volunteer_id}"
            self.fields[name] = forms.DecimalField(
                label=row.volunteer.user.get_full_name(),
                required=False,
                min_value=Decimal("0"),
                max_value=length,
                decimal_places=1,
                max_digits=4,
                initial=length,
                widget=forms.NumberInput(attrs={"step": "0.5", "min": "0", "max": str(length)}),
            )
            self.hour_fields.append((name, row.volunteer))
        if not coordinator:
            del self.fields["coordinator_note"]

    def hours(self) -> dict[int, Decimal]:
        return {
            volunteer.pk: self.cleaned_data[name]
            for name, volunteer in self.hour_fields
            if self.cleaned_data.get(name) not in (None, Decimal("0"))
        }


class HoursDecisionForm(forms.Form):
    """The coordinator's answer to one hours record: approve (the hours may be corrected) or not."""

    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("reject", _("Do not approve"))])
    hours = forms.DecimalField(
        label=_("Hours"),
        required=False,
        min_value=Decimal("0.1"),
        max_digits=4,
        decimal_places=1,
        widget=forms.NumberInput(attrs={"step": "0.5", "min": "0.1"}),
    )


class CertificateRequestForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=None, empty_label=_("— choose —"))
    period_start = forms.DateField(label=pgettext_lazy("period", "From"), widget=DateInput())
    period_end = forms.DateField(label=pgettext_lazy("period", "To"), widget=DateInput())
    whole_institution = forms.BooleanField(
        label=_("Include every unit of the institution"),
        required=False,
        help_text=_("Otherwise only the hours given at the chosen unit."),
    )
    language = forms.ChoiceField(label=_("Language"), choices=VolunteerCertificate.Language.choices)
    purpose = forms.CharField(
        label=_("For whom or what (optional)"),
        required=False,
        max_length=200,
        help_text=_("For example an employer or a university; it is printed on the certificate."),
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units


class CertificateCreateForm(CertificateRequestForm):
    volunteer = LeadChoiceField(
        label=_("Volunteer"), queryset=Volunteer.objects.none(), empty_label=_("— choose —")
    )

    field_order = [
        "volunteer",
        "unit",
        "period_start",
        "period_end",
        "whole_institution",
        "language",
        "purpose",
    ]

    def __init__(self, *args, volunteers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["volunteer"].queryset = volunteers
