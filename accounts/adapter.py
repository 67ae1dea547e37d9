from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    """Public self-signup is closed: volunteers come through the application form,
    staff through invitations."""

    def is_open_for_signup(self, request) -> bool:
        return False
