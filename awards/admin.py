"""The award in the admin panel: read-only for the award administrators (and superusers).
Cycles, criteria, the jury and the nominations are worked in the award's pages (/awards/…),
where every change goes through the services and their audit trail; here one looks things
up and reads their history."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from institutions import permissions

from .models import AwardCycle, Criterion, JuryMember, Nomination


class AwardAdminAccess:
    """Award administrators and superusers read; nobody adds, changes or deletes here."""

    def _may_read(self, request) -> bool:
        return request.user.is_active and permissions.is_award_admin(request.user)

    def has_module_permission(self, request):
        return self._may_read(request)

    def has_view_permission(self, request, obj=None):
        return self._may_read(request)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class CriterionInline(AwardAdminAccess, admin.TabularInline):
    model = Criterion
    fields = ["position", "name", "description", "max_score"]
    readonly_fields = fields
    extra = 0


class JuryMemberInline(AwardAdminAccess, admin.TabularInline):
    model = JuryMember
    fields = ["user", "is_chair", "added_by", "added_at"]
    readonly_fields = fields
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user", "added_by")


@admin.register(AwardCycle)
class AwardCycleAdmin(AwardAdminAccess, SimpleHistoryAdmin):
    list_display = [
        "year",
        "status",
        "nominations_open",
        "nominations_close",
        "conference_date",
        "nominations",
    ]
    list_filter = ["status"]
    inlines = [CriterionInline, JuryMemberInline]
    fields = [
        "year",
        "status",
        "conference_name",
        "conference_date",
        "conference_place",
        "nominations_open",
        "nominations_close",
        "introduction",
        "signatory_name",
        "signatory_title",
        "created_by",
        "created_at",
        "decided_by",
        "decided_at",
        "announced_at",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        from django.db.models import Count

        return super().get_queryset(request).annotate(nominations_count=Count("nominations"))

    @admin.display(description=_("nominations"), ordering="nominations_count")
    def nominations(self, cycle):
        return cycle.nominations_count


@admin.register(Nomination)
class NominationAdmin(AwardAdminAccess, SimpleHistoryAdmin):
    list_display = [
        "reference",
        "nominee_name",
        "cycle",
        "institution",
        "unit",
        "source",
        "status",
        "is_laureate",
    ]
    list_filter = ["cycle", "status", "institution", "source", "is_laureate"]
    list_select_related = ["cycle", "institution", "unit"]
    search_fields = ["nominee_name", "nominee_email", "nominator_name", "nominator_email"]
    date_hierarchy = "submitted_at"
    fields = [
        "cycle",
        "number",
        "source",
        "status",
        "institution",
        "unit",
        "nominee_name",
        "nominee_email",
        "nominee_place",
        "volunteer",
        "nominator_name",
        "nominator_email",
        "nominator_organisation",
        "nominated_by",
        "justification",
        "submitted_at",
        "checked_by",
        "checked_at",
        "eligibility_note",
        "is_laureate",
        "citation",
        "confirmed_by",
        "confirmed_at",
        "public_consent",
        "consent_recorded_at",
        "notice_sent_at",
        "notice_error",
    ]
    readonly_fields = fields
