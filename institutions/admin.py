"""The admin panel of the central office. Superusers see everything; a central
coordinator sees and edits the units, invitations and audit trail of their own
institution. Role grants (guardian's object permissions) are for superusers."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from . import permissions, services
from .models import AuditEvent, CoordinatorInvitation, Institution, Unit


class InstitutionScopedAdmin(admin.ModelAdmin):
    institution_path = "institution"
    central_may_add = False
    central_may_change = False

    def _managed(self, request):
        return permissions.manageable_institution_ids(request.user)

    def _is_central(self, request) -> bool:
        return request.user.is_active and permissions.roles_for(request.user).is_central

    def _in_scope(self, request, obj) -> bool:
        # simple_history's history views hand in objects (and past versions of them)
        # that were not looked up through get_queryset().
        if obj is None or self._managed(request) is None:
            return True
        return self.get_queryset(request).filter(pk=obj.pk).exists()

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        managed = self._managed(request)
        if managed is None:
            return queryset
        return queryset.filter(**{f"{self.institution_path}__in": managed})

    def has_module_permission(self, request):
        return self._is_central(request)

    def has_view_permission(self, request, obj=None):
        return self._is_central(request) and self._in_scope(request, obj)

    def has_add_permission(self, request):
        return request.user.is_superuser or (self.central_may_add and self._is_central(request))

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser or (
            self.central_may_change and self._is_central(request) and self._in_scope(request, obj)
        )

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # simple_history saves a posted past version without asking has_change_permission.
        obj = self.get_object(request, unquote(object_id))
        if self._managed(request) is not None and obj is None:
            raise PermissionDenied
        if request.method == "POST" and not self.has_change_permission(request, obj):
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


class ReadOnlyScopedAdmin(InstitutionScopedAdmin):
    """Scoped and read-only: the rows are changed only through the services (and their audit)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class SuperuserObjectPermissionsMixin:
    """guardian's object-permission pages grant roles outside services (unaudited):
    superusers only. guardian itself only asks has_change_permission."""

    def obj_perms_manage_view(self, request, object_pk):
        if not request.user.is_superuser:
            raise PermissionDenied
        return super().obj_perms_manage_view(request, object_pk)

    def obj_perms_manage_user_view(self, request, object_pk, user_id):
        if not request.user.is_superuser:
            raise PermissionDenied
        return super().obj_perms_manage_user_view(request, object_pk, user_id)

    def obj_perms_manage_group_view(self, request, object_pk, group_id):
        if not request.user.is_superuser:
            raise PermissionDenied
        return super().obj_perms_manage_group_view(request, object_pk, group_id)


@admin.register(Institution)
class InstitutionAdmin(
    SuperuserObjectPermissionsMixin,
    InstitutionScopedAdmin,
    SimpleHistoryAdmin,
    permissions.ObjectPermissionsAdmin,
):
    institution_path = "pk"
    list_display = ["code", "short_name", "name", "min_volunteer_age", "agreement_term"]


@admin.register(Unit)
class UnitAdmin(
    SuperuserObjectPermissionsMixin,
    InstitutionScopedAdmin,
    SimpleHistoryAdmin,
    permissions.ObjectPermissionsAdmin,
):
    central_may_add = True
    central_may_change = True
    list_display = ["name", "institution", "kind", "parent", "valid_from", "valid_to"]
    list_filter = ["institution", "kind"]
    search_fields = ["name", "slug"]
    list_select_related = ["institution", "parent"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["parent"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        managed = self._managed(request)
        if managed is not None and db_field.name == "institution":
            kwargs["queryset"] = Institution.objects.filter(pk__in=managed)
        if managed is not None and db_field.name == "parent":
            kwargs["queryset"] = Unit.objects.filter(institution__in=managed)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        managed = self._managed(request)
        if managed is not None and obj.institution_id not in managed:
            raise PermissionDenied
        super().save_model(request, obj, form, change)
        services.audit_record(
            actor=request.user,
            action="unit.change" if change else "unit.create",
            target=obj,
            unit=obj,
            data={"fields": form.changed_data},
        )


@admin.register(CoordinatorInvitation)
class CoordinatorInvitationAdmin(InstitutionScopedAdmin, SimpleHistoryAdmin):
    central_may_add = True
    list_display = ["email", "institution", "status_label", "invited_by", "created_at", "expires_at"]
    list_filter = ["institution"]
    search_fields = ["email"]
    list_select_related = ["institution", "invited_by"]
    # The institution follows from the chosen units.
    fields = ["email", "units", "language"]
    filter_horizontal = ["units"]
    actions = ["revoke_selected", "resend_selected"]

    @admin.display(description=_("status"))
    def status_label(self, obj):
        return obj.get_status_display()

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return [
            "email",
            "institution",
            "units",
            "language",
            "invited_by",
            "created_at",
            "expires_at",
            "sent_at",
            "send_attempts",
            "send_error",
            "accepted_at",
            "accepted_by",
            "revoked_at",
            "revoked_by",
        ]

    def get_fields(self, request, obj=None):
        return self.fields if obj is None else self.get_readonly_fields(request, obj)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "units":
            managed = self._managed(request)
            units = Unit.objects.valid_today().select_related("institution")
            kwargs["queryset"] = units if managed is None else units.filter(institution__in=managed)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        managed = self._managed(request)
        if managed is not None and db_field.name == "institution":
            kwargs["queryset"] = Institution.objects.filter(pk__in=managed)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_form(self, request, obj=None, **kwargs):
        form_class = super().get_form(request, obj, **kwargs)
        if obj is not None:
            return form_class
        actor = request.user

        class InvitationAddForm(form_class):
            def clean(self):
                cleaned = super().clean()
                if not self.errors:
                    try:
                        services.invitation_check(actor=actor, email=cleaned["email"], units=cleaned["units"])
                    except ValidationError as error:
                        raise forms.ValidationError(error.messages) from error
                return cleaned

        return InvitationAddForm

    def save_model(self, request, obj, form, change):
        if change:
            raise PermissionDenied
        created = services.invitation_create(
            actor=request.user,
            email=form.cleaned_data["email"],
            units=form.cleaned_data["units"],
            language=form.cleaned_data["language"],
        )
        obj.pk = created.pk
        obj.__dict__.update(created.__dict__)

    def save_related(self, request, form, formsets, change):
        # invitation_create already stored the units.
        return None

    @admin.action(description=_("Revoke the selected invitations"))
    def revoke_selected(self, request, queryset):
        self._each(request, queryset, services.invitation_revoke)

    @admin.action(description=_("Send the selected invitations again"))
    def resend_selected(self, request, queryset):
        self._each(request, queryset, services.invitation_resend)

    def _each(self, request, queryset, action):
        done = 0
        for invitation in queryset:
            try:
                action(actor=request.user, invitation=invitation)
                done += 1
            except ValidationError as error:
                self.message_user(
                    request, f"{invitation.email}: {' '.join(error.messages)}", messages.WARNING
                )
        if done:
            self.message_user(
                request,
                ngettext("%(count)d invitation processed.", "%(count)d invitations processed.", done)
                % {"count": done},
                messages.SUCCESS,
            )


@admin.register(AuditEvent)
class AuditEventAdmin(InstitutionScopedAdmin):
    list_display = ["created_at", "actor_label", "action_name", "target_label", "institution", "unit"]
    list_filter = ["institution", "action"]
    search_fields = ["actor_label", "target_label", "action"]
    list_select_related = ["institution", "unit"]
    date_hierarchy = "created_at"

    @admin.display(description=_("action"), ordering="action")
    def action_name(self, obj):
        return obj.action_label

    def get_queryset(self, request):
        queryset = admin.ModelAdmin.get_queryset(self, request)
        managed = self._managed(request)
        if managed is None:
            return queryset
        return queryset.filter(Q(institution__in=managed) | Q(unit__institution__in=managed))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
