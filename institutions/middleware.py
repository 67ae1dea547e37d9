from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.db import transaction
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from . import permissions

# Pages a staff member without MFA may still open: sign-in and MFA set-up itself,
# the language switcher, the invitation landing page, static files, health.
_EXEMPT_PREFIXES = ("/accounts/", "/i18n/", "/invitations/", "/static/", "/media/", "/healthz")
_SECOND_FACTORS = [Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]
_SECOND_FACTOR_SECONDS = 60 * 60


def _second_factor_key(user_id: int) -> str:
    return f"mfa:second-factor:{user_id}"


def has_second_factor(user) -> bool:
    """Whether the person has set up a second factor (TOTP or a security key). A yes is kept
    in the shared cache (settings.TILTS_SHARED_CACHE), so that a staff member's pages do not
    ask the database each time; adding or removing an authenticator forgets it."""
    if not settings.TILTS_SHARED_CACHE:
        return is_mfa_enabled(user, _SECOND_FACTORS)
    key = _second_factor_key(user.pk)
    if cache.get(key):
        return True
    enabled = is_mfa_enabled(user, _SECOND_FACTORS)
    if enabled:
        cache.set(key, True, _SECOND_FACTOR_SECONDS)
    return enabled


def forget_second_factor(sender, instance, **kwargs) -> None:
    """``post_save`` / ``post_delete`` of an allauth Authenticator: at once, and again when the
    change commits (a request in between may have read the old rows)."""
    key = _second_factor_key(instance.user_id)
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))


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
            and not has_second_factor(request.user)
        ):
            messages.warning(
                request,
                _("Your role gives access to personal data. Set up two-factor authentication to continue."),
            )
            return redirect(f"{reverse('mfa_activate_totp')}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)
