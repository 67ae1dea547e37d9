from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InstitutionsConfig(AppConfig):
    name = "institutions"
    verbose_name = _("Institutions and units")

    def ready(self) -> None:
        # What is cached across requests is forgotten when it changes: a person's roles, their
        # second factor (institutions.permissions, institutions.middleware).
        from allauth.mfa.models import Authenticator
        from django.db.models.signals import post_delete, post_save

        from . import permissions
        from .middleware import forget_second_factor

        permissions.connect_signals()
        post_save.connect(forget_second_factor, sender=Authenticator, dispatch_uid="mfa:forget:save")
        post_delete.connect(forget_second_factor, sender=Authenticator, dispatch_uid="mfa:forget:delete")
