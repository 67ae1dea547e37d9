from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from institutions.admin import InstitutionScopedAdmin, ReadOnlyScopedAdmin

from .models import Application, Role


@admin.register(Role)
class RoleAdmin(InstitutionScopedAdmin):
    """Roles and their order. Which courses a role needs is set on the course (Trainings)."""

    central_may_change = True
    list_display = ["code", "institution", "courses", "order"]
    list_filter = ["institution"]
    list_editable = ["order"]
    fields = ["institution", "code", "order"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("required_courses")

    @admin.display(description=_("required courses"))
    def courses(self, role):
        return ", ".join(course.title for course in role.required_courses.all() if course.is_active) or "—"

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
