from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgreementsConfig(AppConfig):
    name = "agreements"
    verbose_name = _("Agreements")

    def ready(self) -> None:
        from institutions.models import register_audit_actions

        from .models import AUDIT_ACTIONS

        register_audit_actions(AUDIT_ACTIONS)

        from django.db.models.signals import post_delete, post_save

        from institutions.models import Institution

        from . import terms

        # A volunteer's word is cached for a few minutes (terms._VOLUNTEER_TERMS_SECONDS).
        # A coordinator's word comes with their roles (institutions.permissions.Roles).
        post_save.connect(terms.forget, sender=Institution, dispatch_uid="agreement-terms-Institution")
        post_delete.connect(terms.forget, sender=Institution, dispatch_uid="agreement-terms-d-Institution")
