import time

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.flows.login import get_authentication_records


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        """Public self-signup is closed: volunteers come through the application form,
        staff through invitations."""
        return False

    def is_reauthentication_required(self, *, app: str, **kwargs) -> bool:
        """Sensitive account changes (two-factor set-up, email) ask for the password again —
        but not within minutes of the sign-in itself: a coordinator sent to set up two-factor
        authentication straight after signing in should not type the password twice."""
        if not super().is_reauthentication_required(app=app, **kwargs):
            return False
        request = getattr(self, "request", None)
        if request is None or not request.user.is_authenticated:
            return True
        records = get_authentication_records(request, request.user)
        signed_in_recently = bool(records) and (
            time.time() - records[-1]["at"] < account_settings.REAUTHENTICATION_TIMEOUT
        )
        return not signed_in_recently
