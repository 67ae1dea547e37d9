"""Signing in through django-allauth, the staff MFA requirement and the language switcher."""

import re

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    SECRET_SESSION_KEY,
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)
from allauth.usersessions.models import UserSession
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.http import urlencode

from accounts.adapter import AccountAdapter
from tests.factories import PASSWORD, UserFactory

User = get_user_model()


@pytest.fixture(autouse=True)
def _fresh_cache():
    # allauth keeps its rate-limit counters in the cache.
    cache.clear()
    yield
    cache.clear()


def _login(client, email, password=PASSWORD, **extra):
    return client.post(reverse("account_login"), {"login": email, "password": password}, **extra)


def _signed_in(client):
    return "_auth_user_id" in client.session


# --- Signing in


def test_user_is_redirected_home_when_signing_in_with_email_and_password(client, volunteer):
    response = _login(client, "volunteer@example.lv")
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.session["_auth_user_id"] == str(volunteer.pk)


def test_email_is_matched_case_insensitively_when_signing_in(client, volunteer):
    response = _login(client, "Volunteer@Example.LV")
    assert response.status_code == 302
    assert _signed_in(client)


def test_form_shows_error_and_keeps_email_when_password_is_wrong(client, volunteer):
    response = _login(client, "volunteer@example.lv", "wrong-password-1")
    assert response.status_code == 200
    form = response.context["form"]
    assert form.non_field_errors()
    assert form["login"].value() == "volunteer@example.lv"
    assert 'value="volunteer@example.lv"' in response.content.decode()
    assert not _signed_in(client)


def test_unverified_user_gets_confirmation_email_when_signing_in(client, db):
    user = UserFactory(email="neapstiprinats@example.lv", verified=False)
    response = _login(client, user.email)
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert not _signed_in(client)
    assert [message.to for message in mail.outbox] == [["neapstiprinats@example.lv"]]
    assert EmailAddress.objects.get(user=user).verified is False


def test_unverified_user_is_signed_in_when_confirming_emailed_link(client, db):
    user = UserFactory(email="neapstiprinats@example.lv", verified=False)
    _login(client, user.email)
    link = re.search(r"https?://testserver(/accounts/confirm-email/\S+/)", mail.outbox[0].body).group(1)
    assert not _signed_in(client)
    response = client.post(link)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)
    assert EmailAddress.objects.get(user=user).verified is True


# --- Signup is closed


def test_signup_page_says_closed_when_opened(client):
    response = client.get(reverse("account_signup"))
    assert response.status_code == 200
    assert "account/signup_closed.html" in [t.name for t in response.templates]
    assert "Reģistrācija slēgta" in response.content.decode()


def test_no_user_is_created_when_posting_signup_form(client, db):
    users = User.objects.count()
    data = {"email": "jauns@example.lv", "password1": PASSWORD, "password2": PASSWORD}
    response = client.post(reverse("account_signup"), data)
    assert "account/signup_closed.html" in [t.name for t in response.templates]
    assert User.objects.count() == users
    assert not User.objects.filter(email="jauns@example.lv").exists()
    assert mail.outbox == []


# --- Rate limits


def test_right_password_is_refused_when_same_email_failed_five_times(client, volunteer):
    # allauth's per-email limit ("5/300s/key") answers with a form error, not 429.
    for _ in range(5):
        assert _login(client, "volunteer@example.lv", "wrong-password-1").status_code == 200
    response = _login(client, "volunteer@example.lv")
    assert response.status_code == 200
    with translation.override("lv"):
        too_many = str(AccountAdapter.error_messages["too_many_login_attempts"])
    assert response.context["form"].non_field_errors() == [too_many]
    assert not _signed_in(client)
    assert _login(client, "volunteer@example.lv", REMOTE_ADDR="10.0.0.2").status_code == 200
    assert not _signed_in(client)


def test_login_answers_429_when_one_ip_posts_too_often(client, db):
    # allauth's "login" limit: 30 POSTs a minute from one IP address.
    statuses = [_login(client, f"nav{n}@example.lv", "wrong-password-1").status_code for n in range(31)]
    assert statuses[:30] == [200] * 30
    assert statuses[30] == 429


# --- Password reset


def test_reset_link_is_emailed_when_address_is_known(client, volunteer):
    response = client.post(reverse("account_reset_password"), {"email": "volunteer@example.lv"})
    assert response.status_code == 302
    assert response["Location"] == reverse("account_reset_password_done")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["volunteer@example.lv"]
    assert "/accounts/password/reset/key/" in mail.outbox[0].body


def test_reset_answers_the_same_and_sends_no_link_when_address_is_unknown(client, db):
    response = client.post(reverse("account_reset_password"), {"email": "nav@example.lv"})
    assert response.status_code == 302
    assert response["Location"] == reverse("account_reset_password_done")
    # allauth (ACCOUNT_PREVENT_ENUMERATION) tells the address that it has no account.
    assert [message.to for message in mail.outbox] == [["nav@example.lv"]]
    assert "/accounts/password/reset/key/" not in mail.outbox[0].body


# --- Signing out


def test_user_is_signed_out_only_when_posting_logout(client, volunteer):
    client.force_login(volunteer)
    assert client.get(reverse("account_logout")).status_code == 200
    assert _signed_in(client)
    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert not _signed_in(client)


# --- Sessions


def test_sessions_page_lists_current_session_when_signed_in(client, volunteer):
    agent = {"HTTP_USER_AGENT": "TiltsTestBrowser/1.0"}
    _login(client, "volunteer@example.lv", **agent)
    response = client.get(reverse("usersessions_list"), **agent)
    assert response.status_code == 200
    assert [s.user_agent for s in response.context["sessions"]] == ["TiltsTestBrowser/1.0"]
    assert "TiltsTestBrowser/1.0" in response.content.decode()


def test_other_session_is_signed_out_when_user_ends_other_sessions(client, volunteer):
    other = Client()
    _login(other, "volunteer@example.lv")
    _login(client, "volunteer@example.lv")
    assert UserSession.objects.filter(user=volunteer).count() == 2
    assert client.post(reverse("usersessions_list")).status_code == 302
    assert UserSession.objects.filter(user=volunteer).count() == 1
    assert _signed_in(client)
    assert other.get(reverse("usersessions_list")).status_code == 302


# --- Staff must set up MFA


STAFF = ["olaine_coordinator", "ievp_central", "ministry", "superuser"]


@pytest.fixture
def mfa_required(settings):
    settings.TILTS_REQUIRE_STAFF_MFA = True


@pytest.mark.parametrize("role", STAFF)
def test_staff_is_sent_to_totp_setup_when_mfa_is_required(client, request, mfa_required, role):
    client.force_login(request.getfixturevalue(role))
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('mfa_activate_totp')}?next=%2F"


@pytest.mark.parametrize("grant", ["grant_award_administrator", "grant_award_juror"])
def test_award_roles_are_sent_to_totp_setup_when_mfa_is_required(client, ievp, vpd, mfa_required, grant):
    from institutions import permissions

    from ..factories import UserFactory

    person = UserFactory(email="balva.persona@example.lv")
    getattr(permissions, grant)(person)
    client.force_login(person)
    response = client.get(reverse("awards:cycles"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_activate_totp"))


def test_next_keeps_path_and_query_when_staff_is_sent_to_totp_setup(client, ievp_central, mfa_required):
    client.force_login(ievp_central)
    response = client.get("/coordinators/?page=2")
    expected = f"{reverse('mfa_activate_totp')}?{urlencode({'next': '/coordinators/?page=2'})}"
    assert response["Location"] == expected


def test_volunteer_is_not_redirected_when_mfa_is_required(client, volunteer, mfa_required):
    client.force_login(volunteer)
    assert client.get("/").status_code == 200


@pytest.mark.parametrize("name", ["mfa_index", "account_email", "usersessions_list", "healthz"])
def test_exempt_pages_stay_reachable_when_staff_has_no_mfa(client, olaine_coordinator, mfa_required, name):
    client.force_login(olaine_coordinator)
    response = client.get(reverse(name))
    assert response.status_code == 200


def test_staff_gets_in_when_setting_up_totp_after_signing_in(
    client, settings, olaine_coordinator, mfa_required
):
    settings.MFA_TOTP_TOLERANCE = 1  # a code made just before a 30-second boundary stays valid
    home = _login(client, olaine_coordinator.email)["Location"]
    setup = client.get(home)["Location"]
    assert setup == f"{reverse('mfa_activate_totp')}?next=%2F"
    # Just signed in: the set-up page opens without typing the password again.
    assert client.get(setup).status_code == 200
    secret = client.session[SECRET_SESSION_KEY]
    counters = list(yield_hotp_counters_from_time())  # the current one is in the middle
    code = format_hotp_value(hotp_value(secret, counters[len(counters) // 2]))
    assert client.post(setup, {"code": code}).status_code == 302
    assert Authenticator.objects.filter(user=olaine_coordinator, type=Authenticator.Type.TOTP).exists()
    assert client.get("/").status_code == 200


def test_password_is_asked_again_when_the_sign_in_is_older_than_the_timeout(
    client, settings, olaine_coordinator, mfa_required
):
    home = _login(client, olaine_coordinator.email)["Location"]
    setup = client.get(home)["Location"]
    settings.ACCOUNT_REAUTHENTICATION_TIMEOUT = 0
    reauthenticate = client.get(setup)["Location"]
    assert reauthenticate.startswith(reverse("account_reauthenticate"))
    settings.ACCOUNT_REAUTHENTICATION_TIMEOUT = 300
    assert client.post(reauthenticate, {"password": PASSWORD})["Location"] == setup
    assert client.get(setup).status_code == 200


def test_staff_sees_home_when_totp_is_activated(client, ievp_central, mfa_required):
    TOTP.activate(ievp_central, generate_totp_secret())
    client.force_login(ievp_central)
    assert client.get("/").status_code == 200


@pytest.mark.parametrize("role", STAFF)
def test_staff_is_not_redirected_when_mfa_is_not_required(client, request, settings, role):
    settings.TILTS_REQUIRE_STAFF_MFA = False
    client.force_login(request.getfixturevalue(role))
    assert client.get("/").status_code == 200


# --- Language


def test_language_cookie_is_set_when_switching_language(client, db):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/healthz"})
    assert response.status_code == 302
    assert response["Location"] == "/healthz"
    assert response.cookies["tilts_language"].value == "en"
    assert '<html lang="en">' in client.get("/").content.decode()


def test_users_language_is_saved_when_signed_in_user_switches(client, volunteer):
    client.force_login(volunteer)
    client.post(reverse("set_language"), {"language": "en"})
    volunteer.refresh_from_db()
    assert volunteer.language == "en"


def test_unsupported_language_is_ignored_when_switching(client, volunteer):
    client.force_login(volunteer)
    response = client.post(reverse("set_language"), {"language": "de"})
    assert "tilts_language" not in response.cookies
    volunteer.refresh_from_db()
    assert volunteer.language == "lv"


def test_unsafe_next_is_replaced_by_home_when_switching_language(client, db):
    response = client.post(reverse("set_language"), {"language": "en", "next": "http://evil.example/"})
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_page_is_latvian_when_browser_asks_for_english(client, db):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert '<html lang="lv">' in response.content.decode()
    assert response["Content-Language"] == "lv"


def test_page_is_in_users_saved_language_when_no_cookie_is_set(client, volunteer):
    volunteer.language = "en"
    volunteer.save()
    client.force_login(volunteer)
    assert '<html lang="en">' in client.get("/").content.decode()
