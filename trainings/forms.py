"""Forms of the training pages. They check the shape of the input; the services decide
(their ValidationError dicts are mapped back with ``core.forms.add_service_errors``)."""

from __future__ import annotations

from django import forms
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from core.forms import add_service_errors  # noqa: F401 (views import it from here)
from core.widgets import DateInput
from institutions.models import Unit

from .models import Course, Session, SessionState
from .services import DaySpec

_DAY_TIME = {"type": "time", "class": "form-control form-control-sm"}
DAY_ROWS = 5


class CourseChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Course) -> str:
        return f"{obj.display_title} ({obj.institution.short_name}, {obj.get_kind_display().lower()})"


class SessionForm(forms.Form):
    course = CourseChoiceField(label=_("Course"), queryset=Course.objects.none(), empty_label=_("— choose —"))
    unit = forms.ModelChoiceField(
        label=_("Unit"),
        queryset=Unit.objects.none(),
        empty_label=_("— choose —"),
        help_text=_("Where the session is held, or the central office for a central one."),
    )
    place = forms.CharField(label=_("Place"), max_length=255, help_text=_("Address and room."))
    capacity = forms.IntegerField(
        label=_("Places"),
        min_value=1,
        max_value=1000,
        widget=forms.NumberInput(attrs={"min": "1"}),
    )
    trainers = forms.CharField(label=_("Trainers"), max_length=255, required=False)
    registration_deadline = forms.DateField(
        label=_("Registration deadline"),
        required=False,
        widget=DateInput(),
        help_text=_("Optional; on or before the first day."),
    )
    notes = forms.CharField(
        label=_("Notes for participants"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What to bring, how to get in — sent with the registration email."),
    )
    open_now = forms.BooleanField(
        label=_("Open for registration now"),
        required=False,
        help_text=_("Otherwise the session is planned, and you open it later."),
    )

    def __init__(self, *args, courses, units, session: Session | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["course"].queryset = courses
        self.fields["unit"].queryset = units
        if session is not None:
            for name in ("course", "unit", "open_now"):
                del self.fields[name]
        elif units.count() == 1:
            self.fields["unit"].initial = units.first()

    @classmethod
    def initial_for(cls, session: Session) -> dict:
        return {
            "place": session.place,
            "capacity": session.capacity,
            "trainers": session.trainers,
            "registration_deadline": session.registration_deadline,
            "notes": session.notes,
        }

    def terms(self) -> dict:
        names = ["place", "capacity", "trainers", "registration_deadline", "notes"]
        return {name: self.cleaned_data[name] for name in names if name in self.cleaned_data}


class DayForm(forms.Form):
    date = forms.DateField(
        label=_("Date"), required=False, widget=DateInput(attrs={"class": "form-control form-control-sm"})
    )
    starts_at = forms.TimeField(
        label=_("Starts"), required=False, widget=forms.TimeInput(attrs=_DAY_TIME, format="%H:%M")
    )
    ends_at = forms.TimeField(
        label=_("Ends"), required=False, widget=forms.TimeInput(attrs=_DAY_TIME, format="%H:%M")
    )

    def clean(self):
        data = super().clean()
        given = [data.get(name) for name in ("date", "starts_at", "ends_at")]
        if any(given) and not all(given):
            raise forms.ValidationError(_("Give the date, the start and the end time."))
        return data


class BaseDayFormSet(forms.BaseFormSet):
    def specs(self) -> list[DaySpec]:
        return [
            DaySpec(form.cleaned_data["date"], form.cleaned_data["starts_at"], form.cleaned_data["ends_at"])
            for form in self.forms
            if form.cleaned_data.get("date")
        ]


def day_formset(data=None, *, session: Session | None = None) -> BaseDayFormSet:
    """The session's days plus empty rows to add more (at least ``DAY_ROWS`` rows)."""
    initial = (
        [{"date": d.date, "starts_at": d.starts_at, "ends_at": d.ends_at} for d in session.days.all()]
        if session is not None
        else []
    )
    formset_class = forms.formset_factory(
        DayForm, formset=BaseDayFormSet, extra=max(DAY_ROWS - len(initial), 2), max_num=30, validate_max=True
    )
    return formset_class(data, initial=initial, prefix="days")


class StateForm(forms.Form):
    to = forms.ChoiceField(choices=SessionState.choices)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class EnrolForm(forms.Form):
    applications = forms.ModelMultipleChoiceField(
        label=_("Applicants in the training step"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one person.")},
    )

    def __init__(self, *args, applications, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["applications"].queryset = applications
        self.fields["applications"].label_from_instance = applicant_label


def applicant_label(application) -> str:
    person = application.volunteer.user
    return f"{person.get_full_name() or person.email} ({application.reference}, {application.unit.name})"


class InboxEnrolForm(forms.Form):
    """Enrol the applicants selected in the inbox into one session."""

    session = forms.ModelChoiceField(label=_("Session"), queryset=None, empty_label=_("— choose a session —"))
    applications = forms.ModelMultipleChoiceField(
        queryset=None, error_messages={"required": _("Select at least one application in the list.")}
    )

    def __init__(self, *args, sessions, applications, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["session"].queryset = sessions
        self.fields["session"].label_from_instance = session_label
        self.fields["applications"].queryset = applications


def session_label(session: Session) -> str:
    when = date_format(session.first_day, "j.m.Y") if session.first_day else ""
    free = session.capacity - getattr(session, "registered_count", 0)
    return f"{session.course.display_title} · {when} · {session.unit.name} · " + str(
        _("%(free)s of %(capacity)s places free") % {"free": max(free, 0), "capacity": session.capacity}
    )


class CompletionForm(forms.Form):
    course = CourseChoiceField(label=_("Course"), queryset=Course.objects.none(), empty_label=_("— choose —"))
    completed_on = forms.DateField(label=_("Completed on"), widget=DateInput())
    session = forms.ModelChoiceField(
        label=_("Session in Tilts"),
        queryset=Session.objects.none(),
        required=False,
        empty_label=_("— none: a training outside Tilts —"),
        help_text=_("For a participant whom the attendance rule left out but who completed the course."),
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For a training outside Tilts: the provider, the dates and the certificate seen."),
    )

    def __init__(self, *args, courses, sessions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["course"].queryset = courses
        self.fields["session"].queryset = sessions
        self.fields["session"].label_from_instance = lambda s: (
            f"{s.course.display_title} · " + (date_format(s.first_day, "j.m.Y") if s.first_day else "")
        )
