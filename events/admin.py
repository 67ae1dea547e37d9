"""Kinds of activity are kept here by central coordinators (a list shared by both
institutions; deactivate instead of deleting). Events, hours and certificates are worked in
the coordinators' pages and are read-only here, each institution's own."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from institutions import permissions
from institutions.admin import ReadOnlyScopedAdmin

from .models import ActivityType, Event, HoursRecord, VolunteerCertificate


@admin.register(ActivityType)
class ActivityTypeAdmin(admin.ModelAdmin):
    list_display = ["name", "name_en", "order", "is_active"]
    list_editable = ["order", "is_active"]
    search_fields = ["name", "name_en"]

    def _is_central(self, request) -> bool:
        return request.user.is_active and (
            request.user.is_superuser or permissions.roles_for(request.user).is_central
        )

    def has_module_permission(self, request):
        return self._is_central(request)

    def has_view_permission(self, request, obj=None):
        return self._is_central(request)

    def has_add_permission(self, request):
        return self._is_central(request)

    def has_change_permission(self, request, obj=None):
        return self._is_central(request)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(Event)
class EventAdmin(ReadOnlyScopedAdmin, SimpleHistoryAdmin):
    institution_path = "unit__institution"
    list_display = ["title", "unit", "starts_at", "state", "activity_type", "actual_participants"]
    list_filter = ["state", "unit__institution", "activity_type"]
    list_select_related = ["unit", "activity_type"]
    search_fields = ["title"]
    date_hierarchy = "starts_at"


@admin.register(HoursRecord)
class HoursRecordAdmin(ReadOnlyScopedAdmin, SimpleHistoryAdmin):
    institution_path = "unit__institution"
    list_display = ["volunteer", "unit", "day", "hours", "state"]
    list_filter = ["state", "unit__institution"]
    list_select_related = ["volunteer__user", "unit"]
    date_hierarchy = "day"


@admin.register(VolunteerCertificate)
class VolunteerCertificateAdmin(ReadOnlyScopedAdmin, SimpleHistoryAdmin):
    list_display = ["number", "volunteer", "unit", "period_start", "period_end", "total_hours", "state"]
    list_filter = ["state", "institution"]
    list_select_related = ["volunteer__user", "unit"]
    search_fields = ["number", "volunteer__user__last_name"]
