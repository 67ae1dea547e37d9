"""The public nomination form (``/balva/nominet/``): anyone nominates a volunteer of the
Probation Service or the Prison Administration for the award while nominations are open.

The form checks the shape of the input (and the files, by content, through
``services.check_files``); ``services.nomination_submit_public`` decides. A honeypot field
(``website``) catches bots, as on the application form."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.text import format_lazy
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from institutions.models import Institution, Unit

from .. import services
from ..models import FILE_MAX_BYTES, FILES_MAX, Nomination
from .nominations import MultipleFileField

JUSTIFICATION_MIN = 100
JUSTIFICATION_MAX = Nomination._meta.get_field("justification").max_length
INSTITUTION_CODES = (Institution.Code.VPD, Institution.Code.IEVP)


def _max_length(name: str) -> int:
    return Nomination._meta.get_field(name).max_length


class PublicNominationForm(forms.Form):
    # --- About you
    nominator_name = forms.CharField(
        label=_("Your name and surname"),
        max_length=_max_length("nominator_name"),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    nominator_email = forms.EmailField(
        label=_("Your email"),
        max_length=254,
        help_text=_("The Ministry may write to you with questions about the nomination."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    nominator_organisation = forms.CharField(
        label=_("Your organisation"),
        max_length=_max_length("nominator_organisation"),
        required=False,
        help_text=_("If you nominate on behalf of an organisation."),
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    # --- The person you nominate
    nominee_name = forms.CharField(
        label=_("Nominee's name and surname"),
        max_length=_max_length("nominee_name"),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    nominee_email = forms.EmailField(
        label=_("Nominee's email"),
        max_length=254,
        required=False,
        help_text=_("If you know it: the laureates are told by email."),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    institution = forms.ChoiceField(
        label=_("Where does the person volunteer?"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the Probation Service or the Prison Administration.")},
    )
    unit = forms.ModelChoiceField(
        label=_("Prison or probation unit"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=_("— I do not know / not listed —"),
        help_text=_("Choose the place if you know it; otherwise describe it below."),
    )
    nominee_place = forms.CharField(
        label=_("Or: where the person volunteers"),
        max_length=_max_length("nominee_place"),
        required=False,
        help_text=_("The prison, probation department or project, in your own words."),
    )
    # --- Why
    justification = forms.CharField(
        label=_("Why this person deserves the award"),
        max_length=JUSTIFICATION_MAX,
        help_text=format_lazy(
            _(
                "What they did, with whom, for how long and what changed because of it — at least "
                "{min} characters."
            ),
            min=JUSTIFICATION_MIN,
        ),
        widget=forms.Textarea(attrs={"rows": 10}),
    )
    files = MultipleFileField(label=_("Supporting files"), required=False)
    consent = forms.BooleanField(
        label=_(
            "I may share this information, and the nominee's details, with the Ministry of Justice "
            "and the award's jury, who use it only to decide on the award."
        ),
        error_messages={"required": _("Confirm that you may share this information.")},
    )
    # --- Anti-spam: people never see it; bots fill it in.
    website = forms.CharField(
        label=pgettext_lazy("honeypot field", "Website"), max_length=200, required=False
    )

    honeypot_filled = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.institutions = {
            i.code: i for i in Institution.objects.filter(code__in=INSTITUTION_CODES).order_by("code")
        }
        self.fields["institution"].choices = [
            (code, f"{i.get_code_display()} ({i.short_name})")
            for code in INSTITUTION_CODES
            if (i := self.institutions.get(code)) is not None
        ]
        # Volunteers work in prisons and probation regions and departments, not in the
        # central offices (as on the application form).
        units = list(
            Unit.objects.valid_today()
            .filter(institution__in=self.institutions.values())
            .exclude(kind=Unit.Kind.CENTRAL_OFFICE)
            .select_related("institution", "parent")
            .order_by("institution__code", "name")
        )
        field = self.fields["unit"]
        field.queryset = Unit.objects.filter(pk__in=[u.pk for u in units])
        groups: dict[str, list] = {}
        for unit in units:
            label = f"{unit.name} ({unit.parent.name})" if unit.parent_id else unit.name
            groups.setdefault(unit.institution.short_name, []).append((unit.pk, label))
        field.choices = [("", field.empty_label), *groups.items()]
        self.fields["files"].help_text = gettext(
            "Up to %(count)d files (PDF, JPEG or PNG, at most %(size)s each): letters of support, "
            "photos, articles. If the form shows an error, choose the files again."
        ) % {"count": FILES_MAX, "size": filesizeformat(FILE_MAX_BYTES)}
        self.fields["justification"].widget.attrs.update(
            {"data-tilts-count-min": JUSTIFICATION_MIN, "maxlength": JUSTIFICATION_MAX}
        )
        self.fields["website"].widget.attrs.update({"autocomplete": "off", "tabindex": "-1"})

    def clean_justification(self) -> str:
        text = self.cleaned_data["justification"].strip()
        if len(text) < JUSTIFICATION_MIN:
            raise ValidationError(
                _(
                    "Tell the jury more: at least %(min)d characters on why this person deserves the "
                    "award (now %(count)d)."
                ),
                code="too_short",
                params={"min": JUSTIFICATION_MIN, "count": len(text)},
            )
        return text

    def clean_files(self) -> list:
        try:
            checked = services.check_files(self.cleaned_data.get("files") or [])
        except ValidationError as error:
            messages = error.message_dict.get("files") if hasattr(error, "error_dict") else error.messages
            raise ValidationError(messages) from None
        return [upload for upload, _kind in checked]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("website") or "website" in self.errors:  # filled in (even past its limit)
            self.honeypot_filled = True
            raise ValidationError(
                _("The form could not be sent. Please check it and send it again."), code="honeypot"
            )
        institution = self.institutions.get(cleaned.get("institution"))
        unit = cleaned.get("unit")
        if institution is not None and unit is not None and unit.institution_id != institution.pk:
            self.add_error(
                "unit",
                ValidationError(
                    _("%(place)s belongs to %(institution)s, not to the institution chosen above."),
                    code="other_institution",
                    params={"place": unit.name, "institution": unit.institution.short_name},
                ),
            )
        if unit is None and not cleaned.get("nominee_place", "").strip() and "unit" not in self.errors:
            self.add_error(
                "nominee_place",
                ValidationError(
                    _("Choose the place above or say where the person volunteers."), code="required"
                ),
            )
        return cleaned

    def sections(self) -> list[tuple[str, str, list]]:
        return [
            (
                "you",
                _("About you"),
                [self[n] for n in ("nominator_name", "nominator_email", "nominator_organisation")],
            ),
            (
                "nominee",
                _("The person you nominate"),
                [self[n] for n in ("nominee_name", "nominee_email", "institution", "unit", "nominee_place")],
            ),
            (
                "why",
                _("Why they deserve the award"),
                [self[n] for n in ("justification", "files", "consent")],
            ),
        ]

    def nomination(self) -> services.PublicNomination:
        data = self.cleaned_data
        return services.PublicNomination(
            nominator_name=data["nominator_name"].strip(),
            nominator_email=data["nominator_email"].strip().lower(),
            nominator_organisation=data["nominator_organisation"].strip(),
            nominee_name=data["nominee_name"].strip(),
            nominee_email=data["nominee_email"].strip().lower(),
            institution=self.institutions[data["institution"]],
            unit=data["unit"],
            nominee_place=data["nominee_place"].strip(),
            justification=data["justification"],
        )
