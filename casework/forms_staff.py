"""Forms of the coordinators' and officers' casework pages. They check the shape of the
input; the services decide (their ValidationError dicts are mapped back with
``core.forms.add_service_errors``, so the field names follow the services' keys).

Free texts about a client carry the warning: never a name, personal code, address or offence."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.widgets import DateInput
from volunteers.models import Volunteer

from .models import ClientReference, Outcome, OuterMember

NO_NAMES = _("Never a name, personal code, address or offence: use the reference.")
CHOOSE = _("— choose —")


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        user = getattr(obj, "user", obj)
        return user.get_full_name() or user.email


class PeopleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.user.get_full_name() or obj.user.email


class ClientChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: ClientReference) -> str:
        return f"{obj.code} · {obj.case_number}" if obj.case_number else obj.code


def _date(label, **kwargs) -> forms.DateField:
    return forms.DateField(label=label, widget=DateInput(), **kwargs)


def _text(label, *, max_length, rows=3, required=True, help_text=NO_NAMES) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


def _officers(officers) -> forms.ModelChoiceField:
    field = PersonChoiceField(
        label=_("Supervising probation officer"),
        queryset=get_user_model().objects.filter(pk__in=[person.pk for person in officers]),
        empty_label=CHOOSE,
    )
    field.queryset = field.queryset.order_by("last_name", "first_name", "email")
    return field


# --- Clients


class ClientForm(forms.Form):
    """A new client reference: the code is generated; the officer is a staff member of the unit."""

    officer = forms.ModelChoiceField(queryset=get_user_model().objects.none())
    case_number = forms.CharField(
        label=_("VPD case number"),
        max_length=40,
        required=False,
        help_text=_("Optional: VPD's own number, as in its case management system."),
    )
    active_from = _date(_("Active from"))
    note = _text(_("Note"), max_length=1000, required=False)

    def __init__(self, *args, officers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officer"] = _officers(officers)
        self.order_fields(["officer", "case_number", "active_from", "note"])


class ClientEditForm(forms.Form):
    officer = forms.ModelChoiceField(queryset=get_user_model().objects.none())
    case_number = forms.CharField(label=_("VPD case number"), max_length=40, required=False)
    active_to = _date(
        _("Active until"), required=False, help_text=_("Leave empty while the client is supervised.")
    )
    note = _text(_("Note"), max_length=1000, required=False)

    def __init__(self, *args, officers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officer"] = _officers(officers)
        self.order_fields(["officer", "case_number", "active_to", "note"])

    @staticmethod
    def initial_for(client: ClientReference) -> dict:
        return {
            "officer": client.officer_id,
            "case_number": client.case_number,
            "active_to": client.active_to,
            "note": client.note,
        }


# --- Mentoring pairs


class PairForm(forms.Form):
    client = ClientChoiceField(label=_("Client"), queryset=ClientReference.objects.none(), empty_label=CHOOSE)
    mentor = PersonChoiceField(
        label=_("Mentor"),
        queryset=Volunteer.objects.none(),
        empty_label=CHOOSE,
        help_text=_("Volunteers with an agreement in force for the mentor role at this unit."),
    )
    starts_on = _date(_("Start"))
    planned_end = _date(_("Planned end"))
    goals = _text(
        _("Goals"),
        max_length=3000,
        rows=4,
        help_text=_("What the client wants to achieve. Never a name, personal code, address or offence."),
    )

    def __init__(self, *args, clients, mentors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["client"].queryset = clients
        self.fields["mentor"].queryset = mentors


class ReviewForm(forms.Form):
    reviewed_on = _date(_("Reviewed on"))
    note = _text(_("Conclusions"), max_length=3000, rows=3)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"reviewed_on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class EndForm(forms.Form):
    ended_on = _date(_("Ended on"))
    reason = _text(_("Reason for ending"), max_length=2000)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"ended_on": timezone.localdate()})
        super().__init__(*args, **kwargs)


# --- Circles


class CircleForm(forms.Form):
    client = ClientChoiceField(label=_("Client"), queryset=ClientReference.objects.none(), empty_label=CHOOSE)
    volunteers = PeopleChoiceField(
        label=_("Volunteers of the inner circle"),
        queryset=Volunteer.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "At most five; the circle starts meeting with at least three. Volunteers with an "
            "agreement in force for the AAA role at this unit."
        ),
    )
    formed_on = _date(_("Formed on"))
    schedule = forms.CharField(
        label=_("Meeting schedule"),
        max_length=200,
        required=False,
        help_text=_("For example: weekly, Tuesdays at 18:00."),
    )

    def __init__(self, *args, clients, volunteers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["client"].queryset = clients
        self.fields["volunteers"].queryset = volunteers


class MemberAddForm(forms.Form):
    volunteer = PersonChoiceField(label=_("Volunteer"), queryset=Volunteer.objects.none(), empty_label=CHOOSE)
    joined_on = _date(_("Joined"))

    def __init__(self, *args, volunteers, **kwargs):
        kwargs.setdefault("initial", {"joined_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.fields["volunteer"].queryset = volunteers


class MemberRemoveForm(forms.Form):
    volunteer = PersonChoiceField(label=_("Volunteer"), queryset=Volunteer.objects.none(), empty_label=CHOOSE)
    left_on = _date(_("Left"))

    def __init__(self, *args, members, **kwargs):
        kwargs.setdefault("initial", {"left_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.fields["volunteer"].queryset = members


class OuterAddForm(forms.Form):
    role = forms.CharField(
        label=_("Role"), max_length=120, help_text=_("For example: probation officer, psychologist.")
    )
    organisation = forms.CharField(
        label=_("Organisation"),
        max_length=200,
        help_text=_("The organisation, never a person's name."),
    )


class OuterRemoveForm(forms.Form):
    member = forms.ModelChoiceField(label=_("Professional"), queryset=OuterMember.objects.none())

    def __init__(self, *args, circle, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = OuterMember.objects.filter(circle=circle)


class ActivateForm(forms.Form):
    active_from = _date(_("Meeting since"))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"active_from": timezone.localdate()})
        super().__init__(*args, **kwargs)


# --- Mediation


class CaseForm(forms.Form):
    reference = forms.CharField(label=_("Case reference"), max_length=40)
    victim_ref = forms.CharField(
        label=_("Victim reference"), max_length=40, help_text=_("A code, never a name.")
    )
    offender_ref = forms.CharField(
        label=_("Offender reference"), max_length=40, help_text=_("A code, never a name.")
    )
    mediators = PeopleChoiceField(
        label=_("Mediators"),
        queryset=Volunteer.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "One or two. Only mediators with a valid certificate and an agreement in force at this unit."
        ),
    )
    opened_on = _date(_("Opened on"))

    def __init__(self, *args, mediators, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mediators"].queryset = mediators


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"))
    closed_on = _date(_("Closed on"))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"closed_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.fields["outcome"].choices = [("", CHOOSE), *Outcome.choices]


# --- Certificates


class CertificateForm(forms.Form):
    volunteer = PersonChoiceField(
        label=_("Mediator"),
        queryset=Volunteer.objects.none(),
        empty_label=CHOOSE,
        help_text=_("Volunteers with an agreement in force for the mediator role at this unit."),
    )
    number = forms.CharField(label=_("Certificate number"), max_length=40)
    issued_on = _date(_("Issued on"))
    valid_until = _date(_("Valid until"))

    def __init__(self, *args, volunteers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["volunteer"].queryset = volunteers


class AnnulForm(forms.Form):
    annulled_on = _date(_("Annulled on"))
    reason = _text(_("Reason for annulment"), max_length=2000, rows=2, help_text="")

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"annulled_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
