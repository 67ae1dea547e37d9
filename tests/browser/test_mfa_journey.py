import re

from allauth.mfa.models import Authenticator
from playwright.sync_api import expect


def test_coordinator_must_add_a_second_factor_and_a_security_key_works_when_mfa_is_required(
    page, live_server, sign_in, settings, olaine_coordinator
):
    settings.TILTS_REQUIRE_STAFF_MFA = True
    settings.MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = True  # the live server speaks http://localhost
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "usb",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )

    sign_in(page, olaine_coordinator)
    # Straight to the set-up page, with the reason, before any coordinator page.
    expect(page).to_have_url(re.compile(r"/accounts/2fa/totp/activate/"))
    expect(page.locator(".alert-warning")).to_contain_text("divfaktoru autentifikāciju")
    page.goto(f"{live_server.url}/units/olaines-cietums/")
    expect(page).to_have_url(re.compile(r"/accounts/2fa/totp/activate/\?next=%2Funits%2Folaines-cietums%2F"))

    # A security key (WebAuthn) is a second factor too.
    page.goto(f"{live_server.url}/accounts/2fa/webauthn/add/")
    page.locator("input[name=name]").fill("Drošības atslēga")
    page.locator("#mfa_webauthn_add").click()
    page.wait_for_url(re.compile(r"/accounts/2fa/(recovery-codes/\S*|webauthn/)$"))
    assert Authenticator.objects.filter(user=olaine_coordinator, type=Authenticator.Type.WEBAUTHN).exists()

    page.goto(f"{live_server.url}/units/olaines-cietums/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Olaines cietums")
