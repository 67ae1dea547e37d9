from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = _("Documents")

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules

        from institutions.models import register_audit_actions

        from .models import AUDIT_ACTIONS

        register_audit_actions(AUDIT_ACTIONS)
        # Every app's document kinds (``<app>/printing.py``; see documents.registry).
        autodiscover_modules("printing")
        # Every app's list exports (``<app>/exports.py``; see documents.exports).
        autodiscover_modules("exports")
