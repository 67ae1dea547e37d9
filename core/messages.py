"""Messages of Django and django-allauth that Tilts translates itself.

Our catalogue (``locale/``) comes first in ``LOCALE_PATHS``, so an entry with the same msgid
replaces the stock Latvian translation. ``makemessages`` only collects strings from our own
code and templates: marking them here keeps them in the catalogue.

- Django says "Šis lauks ir nepieciešams."; Tilts says "Šis lauks ir obligāts." everywhere.
- allauth's Latvian messages address the person with a masculine participle ("Jūs esat
  apstiprinājis …", "Veiksmīgi iegājuši kā …"); ours are gender-neutral.
  ``tests/core/test_words.py`` checks the whole compiled catalogue for them.

Nothing imports this module: the marks are for ``makemessages`` only.
"""

from django.utils.translation import gettext_noop, ngettext_lazy

REQUIRED = gettext_noop("This field is required.")

ALLAUTH = [
    # account/messages/*.txt: shown after signing in and out, confirming an address.
    gettext_noop("Successfully signed in as %(name)s."),
    gettext_noop("You have signed out."),
    gettext_noop("You have confirmed %(email)s."),
    gettext_noop("You have verified phone number %(phone)s."),
    gettext_noop("You are already logged in as %(user_display)s."),
    gettext_noop("If you have not created an account yet, then please %(link)ssign up%(end_link)s first."),
    gettext_noop(
        "We have sent you an email. If you have not received it please check your spam folder. "
        "Otherwise contact us if you do not receive it in a few minutes."
    ),
    gettext_noop(
        "You are receiving this email because you or someone else tried to signup for an\n"
        "account using email address:\n\n%(email)s\n\n"
        "However, an account using that email address already exists.  In case you have\n"
        "forgotten about this, please use the password forgotten procedure to recover\n"
        "your account:\n\n%(password_reset_url)s"
    ),
    # mfa: two-factor authentication pages.
    gettext_noop("You cannot activate two-factor authentication until you have verified your email address."),
    gettext_noop("I have saved my recovery codes"),
    gettext_noop("Are you sure?"),
    gettext_noop("You are about to deactivate authenticator app based authentication. Are you sure?"),
    ngettext_lazy(
        "You have added %(count)s security key.", "You have added %(count)s security keys.", "count"
    ),
]

ADMIN = [
    # The admin's delete confirmation (central coordinators, superusers).
    gettext_noop("Yes, I’m sure"),
]
