from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "privacy"
    verbose_name = _("Data protection")

    def ready(self) -> None:
        from institutions.models import register_audit_actions

        from .models import AUDIT_ACTIONS

        register_audit_actions(AUDIT_ACTIONS)
