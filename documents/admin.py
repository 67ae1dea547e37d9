"""Documents in the admin: read-only, scoped to the central coordinator's institution; the
files themselves are served only through the authorised, audited views."""

from django.contrib import admin

from institutions.admin import ReadOnlyScopedAdmin

from .models import Document


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
