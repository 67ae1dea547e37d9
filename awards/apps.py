from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AwardsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "awards"
    verbose_name = _("Award “Cilvēks – cilvēkam”")

    def ready(self) -> None:
        from institutions.models import register_audit_actions

        from .models import AUDIT_ACTIONS

        register_audit_actions(AUDIT_ACTIONS)
