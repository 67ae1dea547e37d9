"""Reminders in the admin panel: read-only, superusers only (they hold people's addresses
and say who was told what; coordinators have no model permissions)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from . import registry
from .models import Reminder


class KindFilter(admin.SimpleListFilter):
    title = _("kind")
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        return sorted(registry.kinds().items(), key=lambda item: str(item[1]))

    def queryset(self, request, queryset):
        return queryset.filter(kind=self.value()) if self.value() else queryset


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ["kind_label", "target", "due_date", "recipient", "created_at", "sent_at"]
    list_filter = [KindFilter]
    search_fields = ["target", "recipient"]
    date_hierarchy = "due_date"
    fields = ["kind_label", "target", "due_date", "recipient", "created_at", "sent_at"]
    readonly_fields = fields

    @admin.display(description=_("kind"), ordering="kind")
    def kind_label(self, obj):
        return obj.get_kind_display()

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
