from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from institutions import permissions
from institutions.admin import InstitutionScopedAdmin, ReadOnlyScopedAdmin
from institutions.models import Institution

from . import services
from .models import RetentionPolicy, RetentionRun


@admin.register(RetentionPolicy)
class RetentionPolicyAdmin(InstitutionScopedAdmin, SimpleHistoryAdmin):
    """Central coordinators set their institution's periods; every change is in the history
    and the audit trail. The dry-run report (Data protection → Retention) shows its effect."""

    central_may_add = True
    central_may_change = True
    list_display = ["institution", "unsuccessful_years", "former_volunteer_years", "agreement_document_years"]
    fields = ["institution", "unsuccessful_years", "former_volunteer_years", "agreement_document_years"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        managed = permissions.manageable_institution_ids(request.user)
        if db_field.name == "institution" and managed is not None:
            kwargs["queryset"] = Institution.objects.filter(pk__in=managed)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return ["institution"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        services.retention_policy_save(actor=request.user, policy=obj, changed=list(form.changed_data))

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(RetentionRun)
class RetentionRunAdmin(ReadOnlyScopedAdmin):
    list_display = ["run_on", "started_at", "finished_at", "anonymised", "agreements_cleared"]
    # What a run could not do names people of either institution: the report shows each
    # central office its own.
    exclude = ["skipped"]

    def get_queryset(self, request):
        # Runs are national (one per day); central coordinators read them all.
        return admin.ModelAdmin.get_queryset(self, request)

    def _in_scope(self, request, obj) -> bool:
        return True
