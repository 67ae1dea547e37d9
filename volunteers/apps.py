from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VolunteersConfig(AppConfig):
    name = "volunteers"
    verbose_name = _("Volunteers and applications")

    def ready(self) -> None:
        from allauth.account.signals import email_changed

        from institutions.models import register_audit_actions

        from .models import AUDIT_ACTIONS
        from .services import email_changed_received

        register_audit_actions(AUDIT_ACTIONS)
        # A new primary address: the inbox search column follows (services.applications_search_refresh).
        email_changed.connect(email_changed_received, dispatch_uid="volunteers-search-email")
