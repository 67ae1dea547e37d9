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

        from institutions.models import Institution, Unit

        from . import terms

        # A volunteer's word is cached for a few minutes (terms._VOLUNTEER_TERMS_SECONDS).
        for model in (Institution, Unit):
            post_save.connect(terms.forget, sender=model, dispatch_uid=f"agreement-terms-{model.__name__}")
            post_delete.connect(
                terms.forget, sender=model, dispatch_uid=f"agreement-terms-d-{model.__name__}"
            )
