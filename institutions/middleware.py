from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from . import permissions

# Pages a staff member without MFA may still open: sign-in and MFA set-up itself,
# the language switcher, the invitation landing page, static files, health.
_EXEMPT_PREFIXES = ("/accounts/", "/i18n/", "/invitations/", "/static/", "/media/", "/healthz")
_SECOND_FACTORS = [Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]


class StaffMFARequiredMiddleware:
    """With TILTS_REQUIRE_STAFF_MFA on, coordinators, central coordinators, the ministry,
    the award's administrators and jury, and superusers are sent to set up two-factor
    authentication before any other page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            settings.TILTS_REQUIRE_STAFF_MFA
            and request.user.is_authenticated
            and not request.path.startswith(_EXEMPT_PREFIXES)
            and permissions.needs_second_factor(request.user)
            and not is_mfa_enabled(request.user, _SECOND_FACTORS)
        ):
            messages.warning(
                request,
                _("Your role gives access to personal data. Set up two-factor authentication to continue."),
            )
            return redirect(f"{reverse('mfa_activate_totp')}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)
