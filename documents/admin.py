"""Documents in the admin: read-only, scoped to the central coordinator's institution; the
files themselves are served only through the authorised, audited views."""

from django.contrib import admin

from institutions.admin import ReadOnlyScopedAdmin

from .models import Document, ExportFile


@admin.register(Document)
class DocumentAdmin(ReadOnlyScopedAdmin):
    institution_path = "unit__institution"
    list_display = [
        "__str__",
        "kind",
        "number",
        "version",
        "unit",
        "state",
        "size",
        "revoked_at",
        "finished_at",
    ]
    list_filter = ["kind", "state"]
    search_fields = ["number", "verification_code"]
    list_select_related = ["unit"]
    fields = [
        "kind",
        "number",
        "unit",
        "content_type",
        "object_id",
        "version",
        "state",
        "verification_code",
        "holder_initials",
        "size",
        "sha256",
        "attempts",
        "error",
        "created_at",
        "started_at",
        "finished_at",
        "revoked_at",
        "revoked_reason",
    ]
    readonly_fields = fields


@admin.register(ExportFile)
class ExportFileAdmin(admin.ModelAdmin):
    """Background exports, for superusers (who asked, what, how far, when it expires): read
    only, and without the file — it is its owner's alone, through the audited download."""

    list_display = [
        "__str__",
        "kind",
        "format",
        "owner",
        "state",
        "rows_done",
        "rows_total",
        "created_at",
        "expires_at",
    ]
    list_filter = ["kind", "state", "format"]
    list_select_related = ["owner"]
    search_fields = ["owner__email"]
    fields = [
        "owner",
        "kind",
        "format",
        "params",
        "language",
        "state",
        "rows_total",
        "rows_done",
        "filename",
        "size",
        "attempts",
        "error",
        "created_at",
        "started_at",
        "finished_at",
        "expires_at",
    ]
    readonly_fields = fields

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
