"""Courses are managed here by central coordinators (their institution's only); sessions,
registrations and completions are worked in the coordinators' pages (read-only here)."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from institutions import permissions
from institutions.admin import InstitutionScopedAdmin, ReadOnlyScopedAdmin
from institutions.models import Institution
from volunteers.models import Role

from .models import Completion, Course, Session


class CourseForm(forms.ModelForm):
    class Meta:
        model = Course
        fields = [
            "institution",
            "title",
            "title_en",
            "description",
            "description_en",
            "kind",
            "validity_months",
            "hours",
            "is_active",
            "completion_rule",
            "min_share",
            "roles",
        ]

    def clean(self):
        data = super().clean()
        institution = data.get("institution")
        roles = data.get("roles") or []
        if institution and any(role.institution_id != institution.pk for role in roles):
            self.add_error("roles", _("Choose roles of the course's own institution."))
        return data


@admin.register(Course)
class CourseAdmin(InstitutionScopedAdmin, SimpleHistoryAdmin):
    form = CourseForm
    central_may_add = True
    central_may_change = True
    list_display = ["title", "institution", "kind", "hours", "validity_months", "is_active"]
    list_filter = ["institution", "kind", "is_active"]
    search_fields = ["title", "title_en"]
    filter_horizontal = ["roles"]
    fieldsets = [
        (None, {"fields": ["institution", "title", "title_en", "description", "description_en"]}),
        (_("Kind and validity"), {"fields": ["kind", "validity_months", "hours", "is_active"]}),
        (_("Completion"), {"fields": ["completion_rule", "min_share", "roles"]}),
    ]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        managed = permissions.manageable_institution_ids(request.user)
        if db_field.name == "institution" and managed is not None:
            kwargs["queryset"] = Institution.objects.filter(pk__in=managed)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        managed = permissions.manageable_institution_ids(request.user)
        if db_field.name == "roles" and managed is not None:
            kwargs["queryset"] = Role.objects.filter(institution__in=managed)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


@admin.register(Session)
class SessionAdmin(ReadOnlyScopedAdmin, SimpleHistoryAdmin):
    institution_path = "unit__institution"
    list_display = ["course", "unit", "first_day", "last_day", "state", "capacity"]
    list_filter = ["state", "unit__institution"]
    list_select_related = ["course", "unit"]
    date_hierarchy = "first_day"


@admin.register(Completion)
class CompletionAdmin(ReadOnlyScopedAdmin, SimpleHistoryAdmin):
    institution_path = "unit__institution"
    list_display = [
        "number",
        "volunteer",
        "course",
        "unit",
        "completed_on",
        "valid_until",
        "source",
        "revoked_at",
    ]
    list_filter = ["source", "course__institution"]
    list_select_related = ["volunteer__user", "course", "unit"]
    search_fields = ["number", "volunteer__user__last_name", "volunteer__user__email"]
    date_hierarchy = "completed_on"
