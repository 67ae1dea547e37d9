from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        # Every app's part of a person's data download and erasure (core.personal_data).
        autodiscover_modules("personal_data")
        # Signing in through allauth records the session (core.middleware.UserSessionActivityMiddleware).
        from allauth.account.signals import user_logged_in

        from .middleware import session_recorded_on_sign_in

        user_logged_in.connect(session_recorded_on_sign_in, dispatch_uid="core.session_recorded_on_sign_in")
        # get_FOO_display() of the project's models without rebuilding the choices (core.choices).
        from . import choices

        choices.install(choices.project_apps())
