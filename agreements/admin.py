"""Agreements in the admin panel of the central office.

* Agreement templates: a central coordinator sees their institution's versions and edits
  the current one — saving never changes it but publishes a new version through
  ``services.template_new_version`` (audited); older versions are read-only, and the
  agreements made from them keep them.
* Agreements: read-only, scoped to the institution; files (and PDFs, in the documents
  app) are served only by the authorised, logged views, never here.
* Reminders: in the notifications app (read-only, superusers only).

The periodic jobs (django-celery-beat's own admin, "Periodic tasks") are for superusers
only: a central coordinator holds no model permissions, only object permissions on units.
"""

import re

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Case, Exists, OuterRef, When
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from institutions.admin import InstitutionScopedAdmin, ReadOnlyScopedAdmin
from institutions.models import Institution
from volunteers.models import Role

from . import rendering, services
from .models import Agreement, AgreementTemplate

_VARIABLE = re.compile(r"{{\s*([A-Za-z_]\w*)")


class AgreementTemplateForm(forms.ModelForm):
    class Meta:
        model = AgreementTemplate
        fields = ["institution", "role", "title", "body"]

    def clean_body(self):
        body = self.cleaned_data["body"]
        try:
            rendering.check_body(body)
        except ValidationError as error:
            raise forms.ValidationError(
                gettext("The text has a template error: %(error)s") % {"error": " ".join(error.messages)}
            ) from error
        unknown = sorted({name for name in _VARIABLE.findall(body) if name not in rendering.PLACEHOLDERS})
        if unknown:
            raise forms.ValidationError(
                gettext("Unknown placeholders: %(names)s.")
                % {"names": ", ".join("{{ " + name + " }}" for name in unknown)}
            )
        return body

    def clean(self):
        cleaned = super().clean()
        institution = cleaned.get("institution") or getattr(self.instance, "institution", None)
        role = cleaned.get("role") if "role" in self.fields else self.instance.role
        if institution and role and role.institution_id != institution.pk:
            self.add_error("role", gettext("The role belongs to another institution."))
        return cleaned


@admin.register(AgreementTemplate)
class AgreementTemplateAdmin(InstitutionScopedAdmin, SimpleHistoryAdmin):
    form = AgreementTemplateForm
    central_may_add = True
    central_may_change = True
    list_display = ["title", "institution", "role_label", "version", "is_current", "created_by", "created_at"]
    list_filter = ["institution"]
    search_fields = ["title", "body"]
    list_select_related = ["institution", "role", "created_by"]

    def get_queryset(self, request):
        newer_for_role = AgreementTemplate.objects.filter(
            institution=OuterRef("institution"), role=OuterRef("role"), version__gt=OuterRef("version")
        )
        newer_for_all = AgreementTemplate.objects.filter(
            institution=OuterRef("institution"), role__isnull=True, version__gt=OuterRef("version")
        )
        return (
            super()
            .get_queryset(request)
            .annotate(
                outdated=Case(
                    When(role__isnull=True, then=Exists(newer_for_all)), default=Exists(newer_for_role)
                )
            )
        )

    @admin.display(description=_("role or field"), ordering="role")
    def role_label(self, obj):
        return obj.role or gettext("Every role")

    @admin.display(description=_("current"), boolean=True)
    def is_current(self, obj):
        return not obj.outdated

    def _is_current(self, obj) -> bool:
        return (
            obj is None
            or not AgreementTemplate.objects.filter(
                institution_id=obj.institution_id, role_id=obj.role_id, version__gt=obj.version
            ).exists()
        )

    def has_change_permission(self, request, obj=None):
        # Only the current version is edited (into a new one); older versions are records.
        return super().has_change_permission(request, obj) and self._is_current(obj)

    def has_delete_permission(self, request, obj=None):
        return False  # agreements point at their version; versions stay as the record

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["institution", "role", "title", "body", "placeholders"]
        return ["institution", "role", "version", "title", "body", "placeholders", "created_by", "created_at"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ["placeholders"]
        return ["institution", "role", "version", "placeholders", "created_by", "created_at"]

    @admin.display(description=_("placeholders"))
    def placeholders(self, obj=None):
        return format_html(
            "<ul>{}</ul>",
            format_html_join("", "<li><code>{{{{ {} }}}}</code> — {}</li>", rendering.PLACEHOLDERS.items()),
        )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        managed = self._managed(request)
        if db_field.name == "institution":
            queryset = Institution.objects.all()
            kwargs["queryset"] = queryset if managed is None else queryset.filter(pk__in=managed)
        if db_field.name == "role":
            queryset = Role.objects.select_related("institution")
            kwargs["queryset"] = queryset if managed is None else queryset.filter(institution__in=managed)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        """Never an update in place: the saved text becomes the next version."""
        if change and not form.has_changed():
            return
        created = services.template_new_version(
            actor=request.user,
            institution=obj.institution,
            role=obj.role,
            title=form.cleaned_data["title"],
            body=form.cleaned_data["body"],
        )
        obj.pk = created.pk
        obj.__dict__.update(created.__dict__)
        self.message_user(
            request,
            gettext("Saved as version %(version)d; agreements made from earlier versions keep theirs.")
            % {"version": created.version},
            messages.INFO,
        )

    def save_related(self, request, form, formsets, change):
        return None


@admin.register(Agreement)
class AgreementAdmin(ReadOnlyScopedAdmin, SimpleHistoryAdmin):
    list_display = ["__str__", "volunteer", "institution", "unit", "role", "status", "start_date", "end_date"]
    list_filter = ["institution", "status"]
    search_fields = ["number", "volunteer__user__first_name", "volunteer__user__last_name"]
    list_select_related = ["institution", "unit", "role", "volunteer__user"]
    date_hierarchy = "start_date"
    fields = [
        "number",
        "status",
        "institution",
        "unit",
        "volunteer",
        "application",
        "role",
        "template",
        "renewal_of",
        "place",
        "start_date",
        "end_date",
        "hours_per_week",
        "duties",
        "expenses_reimbursed",
        "expenses_terms",
        "insurance_required",
        "insurance_policy",
        "own_policy",
        "notice_days",
        "requested_in_writing",
        "is_minor",
        "guardian_name",
        "guardian_consent",
        "generated_at",
        "sent_at",
        "signed_on",
        "has_signed_scan",
        "ended_on",
        "end_kind",
        "terminated_by",
        "notice_date",
        "termination_reason",
        "short_notice_agreed",
        "created_by",
        "created_at",
        "updated_at",
    ]
    readonly_fields = fields

    @admin.display(description=_("signed scan"), boolean=True)
    def has_signed_scan(self, obj):
        return bool(obj.signed_scan)
