from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = _("Events and hours")

    def ready(self) -> None:
        from institutions.models import register_audit_actions

        from .models import AUDIT_ACTIONS

        register_audit_actions(AUDIT_ACTIONS)

        from agreements.signals import agreement_ended

        from .services import agreement_ended_handler

        agreement_ended.connect(agreement_ended_handler, dispatch_uid="events-agreement-ended")
