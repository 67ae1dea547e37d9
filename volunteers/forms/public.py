"""The public application form (``/apply/``): one person, one or both institutions.

A visitor who is not signed in also creates their account here (email and password); a
signed-in person applies with their account, and their volunteer profile fills the form in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from core.dates import age_on, local_today
from core.widgets import DateInput
from institutions.models import Institution, Unit

from .. import personal_code as codes
from ..models import Application, Role, Volunteer
from ..services import ApplicationDetails, PersonDetails, eligibility_errors

if TYPE_CHECKING:
    from accounts.models import User

EITHER = "either"
PDF_MAGIC = b"%PDF-"

PERSONAL_CODE_ERRORS = {
    "digits": _("Type the personal code with the digits 0–9."),
    "format": _(
        "Enter the personal code as 11 digits: DDMMYY-NNNNN, or a new code that starts with 32 "
        "(32NNNN-NNNNN)."
    ),
    "date": _("The first six digits of this personal code are not a real date of birth. Check them."),
    "checksum": _("This personal code is not valid: its last digit does not match. Check it for typos."),
}

INSTITUTION_HINTS = {
    Institution.Code.IEVP: _("volunteering in prisons"),
    Institution.Code.VPD: _("mediation, mentoring and circles of support in probation"),
}

_PHONE = re.compile(r"^\+?[\d\s\-()]{7,20}$", re.ASCII)
# Free texts: generous for what a person writes by hand, small enough to refuse a pasted
# megabyte (the database columns of the long ones are unlimited TEXT).
AVAILABILITY_MAX_LENGTH = 2000
FREE_TEXT_MAX_LENGTH = 5000
# Far above any pass phrase or password manager's output; hashing stays cheap.
PASSWORD_MAX_LENGTH = 1024


class GroupedModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Checkboxes grouped by institution; validation still goes through the queryset."""

    def __init__(self, *args, group_by, label_for, **kwargs):
        self.group_by = group_by
        self.label_for = label_for
        super().__init__(*args, **kwargs)

    def set_options(self, objects) -> None:
        groups: dict[str, list] = {}
        for obj in objects:
            groups.setdefault(self.group_by(obj), []).append((obj.pk, self.label_for(obj)))
        self.choices = list(groups.items())


@dataclass
class Section:
    title: str
    fields: list
    intro: str = ""
    anchor: str = ""


class ApplicationForm(forms.Form):
    """Every field of the application. ``user`` is the signed-in person (or None) and
    ``volunteer`` their existing profile (or None)."""

    # --- About you
    first_name = forms.CharField(
        label=_("First name"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "given-name"})
    )
    last_name = forms.CharField(
        label=_("Surname"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "family-name"})
    )
    personal_code = forms.CharField(
        label=_("Personal code"),
        max_length=20,
        help_text=_("For example 010190-12345, or a new code 32NNNN-NNNNN. It is shown masked afterwards."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric", "spellcheck": "false"}),
    )
    date_of_birth = forms.DateField(
        label=_("Date of birth"),
        required=False,
        input_formats=["%Y-%m-%d", "%d.%m.%Y"],
        help_text=_(
            "Taken from your personal code if you leave it empty. Needed if your code starts with 32."
        ),
        widget=DateInput(attrs={"autocomplete": "bday"}),
    )
    languages = forms.CharField(
        label=_("Languages you speak"),
        max_length=255,
        required=False,
        help_text=_("For example: Latvian, English, Russian."),
    )
    education = forms.ChoiceField(
        label=_("Education"), choices=[("", "—"), *Volunteer.Education.choices], required=False
    )
    occupation = forms.CharField(
        label=_("Occupation"),
        max_length=255,
        required=False,
        help_text=_("Your work or studies."),
        widget=forms.TextInput(attrs={"autocomplete": "organization-title"}),
    )

    # --- Contact details
    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        help_text=_("We send the confirmation here; you sign in with it."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = forms.CharField(
        label=_("Phone"), max_length=30, widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"})
    )
    address = forms.CharField(
        label=_("Address"),
        max_length=255,
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    municipality = forms.CharField(
        label=_("Municipality"),
        max_length=100,
        help_text=_("City or municipality (novads) where you live."),
        widget=forms.TextInput(attrs={"autocomplete": "address-level2"}),
    )
    password1 = forms.CharField(
        label=_("Password"),
        max_length=PASSWORD_MAX_LENGTH,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Password (again)"),
        max_length=PASSWORD_MAX_LENGTH,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    # --- Where and what
    institution = forms.ChoiceField(
        label=_("Where would you like to volunteer?"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose an institution, or both.")},
    )
    preferred_units = GroupedModelMultipleChoiceField(
        label=_("Preferred places"),
        queryset=Unit.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        group_by=lambda unit: str(unit.institution.get_code_display()),
        label_for=lambda unit: f"{unit.name} ({unit.parent.name})" if unit.parent_id else unit.name,
        help_text=_(
            "Choose places of the institution(s) above. With none, the central office passes your "
            "application on."
        ),
    )
    roles = GroupedModelMultipleChoiceField(
        label=_("Roles and fields of interest"),
        queryset=Role.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        group_by=lambda role: str(role.institution.get_code_display()),
        label_for=str,
        error_messages={"required": _("Choose at least one role or field.")},
    )
    availability = forms.CharField(
        label=_("Availability"),
        max_length=AVAILABILITY_MAX_LENGTH,
        required=False,
        help_text=_("When can you volunteer? For example: weekday evenings, twice a month."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    # --- Motivation
    motivation = forms.CharField(
        label=_("Why would you like to volunteer with us?"),
        max_length=FREE_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    experience = forms.CharField(
        label=_("Relevant experience"),
        max_length=FREE_TEXT_MAX_LENGTH,
        required=False,
        help_text=_("Volunteering, work with people, training — anything you think is relevant."),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    heard_from = forms.ChoiceField(
        label=_("How did you hear about us?"),
        choices=[("", "—"), *Application.HeardFrom.choices],
        required=False,
    )
    cv = forms.FileField(
        label=_("CV (optional)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )

    # --- Declarations
    record_declaration = forms.ChoiceField(
        label=_("Criminal record"),
        choices=Application.RecordDeclaration.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose one of the statements.")},
    )
    consent_record_check = forms.BooleanField(
        label=_(
            "I agree that the institution requests information about me from the Punishment Register "
            "(criminal record check)."
        ),
        error_messages={"required": _("The criminal record check is required for volunteer work.")},
    )
    consent_data_processing = forms.BooleanField(
        error_messages={"required": _("We cannot handle your application without this consent.")},
    )
    guardian_name = forms.CharField(
        label=_("Legal representative's name and surname"), max_length=200, required=False
    )
    guardian_contact = forms.CharField(
        label=_("Legal representative's phone or email"), max_length=200, required=False
    )
    guardian_consent = forms.BooleanField(
        label=_("My legal representative has given written consent to my volunteer work."), required=False
    )

    # --- Anti-spam: people never see it; bots fill it in.
    website = forms.CharField(
        label=pgettext_lazy("honeypot field", "Website"), max_length=200, required=False
    )

    ACCOUNT_FIELDS = ("first_name", "last_name", "email", "password1", "password2")
    IDENTITY_FIELDS = ("personal_code", "date_of_birth")
    PROFILE_FIELDS = (
        "personal_code",
        "date_of_birth",
        "phone",
        "address",
        "municipality",
        "languages",
        "education",
        "occupation",
        "availability",
    )
    WIDE_FIELDS = frozenset(
        {
            "institution",
            "preferred_units",
            "roles",
            "availability",
            "motivation",
            "experience",
            "cv",
            "record_declaration",
            "consent_record_check",
            "consent_data_processing",
            "guardian_consent",
        }
    )

    def __init__(self, *args, user: User | None = None, volunteer: Volunteer | None = None, **kwargs):
        self.user = user if user is not None and user.is_authenticated else None
        self.volunteer = volunteer if self.user is not None else None
        if self.volunteer is not None and not args and "initial" not in kwargs:
            kwargs["initial"] = {
                name: getattr(self.volunteer, name)
                for name in self.PROFILE_FIELDS
                if name not in self.IDENTITY_FIELDS
            }
        super().__init__(*args, **kwargs)
        if self.user is not None:
            for name in self.ACCOUNT_FIELDS:
                del self.fields[name]
        if self.volunteer is not None:
            # Identity fields change through a request to the coordinator, not here.
            for name in self.IDENTITY_FIELDS:
                del self.fields[name]

        self.available_institutions = {
            i.code: i
            for i in Institution.objects.filter(code__in=[Institution.Code.IEVP, Institution.Code.VPD])
        }
        self.fields["institution"].choices = [
            *[(code, self._institution_label(i)) for code, i in sorted(self.available_institutions.items())],
            (EITHER, _("Either — I am interested in both")),
        ]
        # Volunteers work in prisons and probation regions and departments, not in the
        # central offices (which receive applications without a preferred place).
        units = (
            Unit.objects.valid_today()
            .filter(institution__in=self.available_institutions.values())
            .exclude(kind=Unit.Kind.CENTRAL_OFFICE)
            .select_related("institution", "parent")
            .order_by("institution__code", "name")
        )
        self.fields["preferred_units"].queryset = units
        self.fields["preferred_units"].set_options(units)
        roles = (
            Role.objects.filter(institution__in=self.available_institutions.values())
            .select_related("institution")
            .order_by("institution__code", "order", "pk")
        )
        self.fields["roles"].queryset = roles
        self.fields["roles"].set_options(roles)
        if "password1" in self.fields:
            self.fields["password1"].help_text = password_validation.password_validators_help_text_html()

        self.fields["consent_data_processing"].label = format_html(
            gettext(
                "I agree that the institution processes my personal data to handle my application, "
                'as described in the <a href="{url}" target="_blank" rel="noopener">privacy notice</a> '
                "(opens in a new tab)."
            ),
            url=reverse("volunteers:privacy"),
        )
        self.fields["cv"].help_text = gettext(
            "A PDF file of at most %(size)s. If the form shows an error, choose the file again."
        ) % {"size": filesizeformat(settings.TILTS_CV_MAX_BYTES)}
        self.fields["website"].widget.attrs.update({"autocomplete": "off", "tabindex": "-1"})
        self.institutions: list[Institution] = []

    @staticmethod
    def _institution_label(institution: Institution) -> str:
        hint = INSTITUTION_HINTS.get(institution.code, "")
        return f"{institution.get_code_display()} ({institution.short_name}) — {hint}"

    # --- Sections for the template

    def sections(self) -> list[Section]:
        def present(*names):
            return [self[name] for name in names if name in self.fields]

        return [
            Section(
                _("About you"),
                present("first_name", "last_name", "personal_code", "date_of_birth")
                + present("languages", "education", "occupation"),
                anchor="about",
            ),
            Section(
                _("Contact details"),
                present("email", "phone", "address", "municipality"),
                anchor="contact",
            ),
            Section(
                _("Where and what"),
                present("institution", "preferred_units", "roles", "availability"),
                anchor="where",
            ),
            Section(
                _("Motivation"),
                present("motivation", "experience", "heard_from", "cv"),
                anchor="motivation",
            ),
            Section(
                _("Declarations"),
                present("record_declaration", "consent_record_check", "consent_data_processing"),
                anchor="declarations",
            ),
        ]

    def account_fields(self) -> list:
        return [self[name] for name in ("password1", "password2") if name in self.fields]

    def guardian_fields(self) -> list:
        return [self[name] for name in ("guardian_name", "guardian_contact", "guardian_consent")]

    # --- Field cleaning

    def clean_personal_code(self) -> str:
        try:
            return codes.normalise(self.cleaned_data["personal_code"])
        except codes.InvalidPersonalCode as error:
            reason = error.args[0] if error.args else "format"
            raise forms.ValidationError(
                PERSONAL_CODE_ERRORS.get(reason, PERSONAL_CODE_ERRORS["format"]), code=reason
            ) from None

    def clean_date_of_birth(self) -> date | None:
        born = self.cleaned_data.get("date_of_birth")
        today = local_today()
        if born and born > today:
            raise forms.ValidationError(_("The date of birth cannot be in the future."), code="future")
        if born and age_on(born, today) > 120:
            raise forms.ValidationError(_("Check the year of your date of birth."), code="too_old")
        return born

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()

    def clean_phone(self) -> str:
        phone = self.cleaned_data["phone"].strip()
        if not _PHONE.match(phone) or sum(c.isdigit() for c in phone) < 7:
            raise forms.ValidationError(_("Enter a phone number, for example +371 20000000."), code="phone")
        return phone

    def clean_cv(self):
        cv = self.cleaned_data.get("cv")
        if not cv:
            return None
        if cv.size > settings.TILTS_CV_MAX_BYTES:
            raise forms.ValidationError(
                _("The file is too large (%(size)s). The largest CV we accept is %(limit)s."),
                code="too_large",
                params={
                    "size": filesizeformat(cv.size),
                    "limit": filesizeformat(settings.TILTS_CV_MAX_BYTES),
                },
            )
        cv.seek(0)
        head = cv.read(len(PDF_MAGIC))
        cv.seek(0)
        if head != PDF_MAGIC:
            raise forms.ValidationError(
                _("This file is not a PDF document. Save your CV as PDF and choose it again."),
                code="not_pdf",
            )
        return cv

    # --- Cross-field checks

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("website") or "website" in self.errors:  # filled in (even past its limit)
            self.honeypot_filled = True
            raise forms.ValidationError(
                _("The form could not be sent. Please check it and send it again."), code="honeypot"
            )
        self.institutions = self._chosen_institutions(cleaned.get("institution"))
        born = self._resolve_date_of_birth(cleaned)
        if born is not None and self.institutions:
            self._check_age(born, cleaned)
        self._check_units(cleaned)
        self._check_roles(cleaned)
        self._check_passwords(cleaned)
        return cleaned

    honeypot_filled = False

    def _chosen_institutions(self, choice: str | None) -> list[Institution]:
        if not choice:
            return []
        if choice == EITHER:
            return [self.available_institutions[code] for code in sorted(self.available_institutions)]
        return [self.available_institutions[choice]]

    def _resolve_date_of_birth(self, cleaned: dict) -> date | None:
        if self.volunteer is not None:
            return self.volunteer.date_of_birth
        if "personal_code" not in cleaned:  # invalid code: its error is already shown
            return cleaned.get("date_of_birth")
        code = cleaned["personal_code"]
        from_code = codes.birth_date(code)
        given = cleaned.get("date_of_birth")
        if "date_of_birth" in self.errors:
            return None
        if from_code and given and from_code != given:
            self.add_error(
                "date_of_birth",
                forms.ValidationError(
                    _("This date differs from the date in your personal code (%(date)s)."),
                    code="mismatch",
                    params={"date": from_code.strftime("%d.%m.%Y")},
                ),
            )
            return None
        if not from_code and not given:
            self.add_error(
                "date_of_birth",
                forms.ValidationError(
                    _("Enter your date of birth: a personal code that starts with 32 does not contain it."),
                    code="required",
                ),
            )
            return None
        cleaned["date_of_birth"] = given or from_code
        return cleaned["date_of_birth"]

    def _check_age(self, born: date, cleaned: dict) -> None:
        """The service's rules (minimum age, the legal representative's consent), shown on
        the fields they concern; a signed-in volunteer, who has no date of birth field, sees
        an age error above the form."""
        errors = eligibility_errors(
            date_of_birth=born,
            institutions=self.institutions,
            guardian_name=cleaned.get("guardian_name", ""),
            guardian_contact=cleaned.get("guardian_contact", ""),
            guardian_consent=cleaned.get("guardian_consent", False),
        )
        for name, items in errors.items():
            for error in items:
                self.add_error(name if name in self.fields else None, error)

    def _check_units(self, cleaned: dict) -> None:
        chosen = {i.pk for i in self.institutions}
        if not chosen:
            return
        for item in cleaned.get("preferred_units") or []:
            if item.institution_id not in chosen:
                self.add_error(
                    "preferred_units",
                    forms.ValidationError(
                        _("%(item)s belongs to %(institution)s, which you have not chosen above."),
                        code="other_institution",
                        params={"item": item.name, "institution": item.institution.short_name},
                    ),
                )

    def _check_roles(self, cleaned: dict) -> None:
        chosen = {i.pk for i in self.institutions}
        roles = cleaned.get("roles")
        if not chosen or not roles:
            return
        for role in roles:
            if role.institution_id not in chosen:
                self.add_error(
                    "roles",
                    forms.ValidationError(
                        _("“%(item)s” is a role of %(institution)s, which you have not chosen above."),
                        code="other_institution",
                        params={"item": str(role), "institution": role.institution.short_name},
                    ),
                )
        for institution in self.institutions:
            if not any(role.institution_id == institution.pk for role in roles):
                self.add_error(
                    "roles",
                    forms.ValidationError(
                        _("Choose at least one role or field of %(institution)s."),
                        code="required_per_institution",
                        params={"institution": institution.short_name},
                    ),
                )

    def _check_passwords(self, cleaned: dict) -> None:
        if "password1" not in self.fields:
            return
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error(
                "password2", forms.ValidationError(_("The two passwords differ."), code="mismatch")
            )
        elif p1:
            candidate = get_user_model()(
                email=cleaned.get("email", ""),
                first_name=cleaned.get("first_name", ""),
                last_name=cleaned.get("last_name", ""),
            )
            try:
                password_validation.validate_password(p1, candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)

    # --- For the service

    def person_details(self) -> PersonDetails:
        data = self.cleaned_data
        if self.user is not None:
            names = {
                "first_name": self.user.first_name,
                "last_name": self.user.last_name,
                "email": self.user.email,
            }
        else:
            names = {name: data[name] for name in ("first_name", "last_name", "email")}
        if self.volunteer is not None:
            identity = {
                "personal_code": self.volunteer.personal_code,
                "date_of_birth": self.volunteer.date_of_birth,
            }
        else:
            identity = {"personal_code": data["personal_code"], "date_of_birth": data["date_of_birth"]}
        return PersonDetails(
            **names,
            **identity,
            phone=data["phone"],
            address=data["address"].strip(),
            municipality=data["municipality"].strip(),
            languages=data["languages"].strip(),
            education=data["education"],
            occupation=data["occupation"].strip(),
            availability=data["availability"].strip(),
        )

    def application_details(self) -> ApplicationDetails:
        data = self.cleaned_data
        return ApplicationDetails(
            motivation=data["motivation"].strip(),
            experience=data["experience"].strip(),
            heard_from=data["heard_from"],
            record_declaration=data["record_declaration"],
            consent_record_check=data["consent_record_check"],
            consent_data_processing=data["consent_data_processing"],
            guardian_name=data["guardian_name"].strip(),
            guardian_contact=data["guardian_contact"].strip(),
            guardian_consent=data["guardian_consent"],
            roles=list(data["roles"]),
            preferred_units=list(data["preferred_units"]),
        )
