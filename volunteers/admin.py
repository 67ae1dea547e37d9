from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from institutions.admin import InstitutionScopedAdmin, ReadOnlyScopedAdmin

from .models import Application, Role


@admin.register(Role)
class RoleAdmin(InstitutionScopedAdmin):
    """Central coordinators decide which roles need a completed training."""

    central_may_change = True
    list_display = ["code", "institution", "requires_training", "order"]
    list_filter = ["institution"]
    list_editable = ["requires_training", "order"]
    fields = ["institution", "code", "requires_training", "order"]

    def get_readonly_fields(self, request, obj=None):
        return [] if request.user.is_superuser else ["institution", "code"]


@admin.register(Application)
class ApplicationAdmin(ReadOnlyScopedAdmin, SimpleHistoryAdmin):
    """Read-only: applications are worked in the coordinators' pages, where every change
    goes through the pipeline and the audit trail."""

    list_display = ["reference", "volunteer", "institution", "unit", "status", "submitted_at"]
    list_filter = ["institution", "status"]
    search_fields = ["reference", "volunteer__user__email", "volunteer__user__last_name"]
    list_select_related = ["volunteer__user", "institution", "unit"]
    date_hierarchy = "submitted_at"
    fields = ["reference", "volunteer", "institution", "unit", "status", "status_changed_at", "submitted_at"]
    readonly_fields = fields
