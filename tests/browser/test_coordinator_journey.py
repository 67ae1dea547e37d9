import re

from playwright.sync_api import expect


def test_coordinator_sees_only_own_unit_and_switches_language_when_signing_in(
    page, live_server, sign_in, olaine_coordinator, jelgava_coordinator
):
    sign_in(page, olaine_coordinator)

    # Latvian first, whatever the browser's language.
    expect(page.locator("html")).to_have_attribute("lang", "lv")
    expect(page.get_by_role("heading", level=1)).to_have_text("Manas struktūrvienības")
    table = page.locator("main table")
    expect(table).to_contain_text("Olaines cietums")
    expect(table).not_to_contain_text("Jelgavas cietums")

    # Another unit's page answers 404.
    response = page.goto(f"{live_server.url}/units/jelgavas-cietums/")
    assert response.status == 404
    expect(page.locator("main")).not_to_contain_text(jelgava_coordinator.email)

    # Open the own unit, then switch to English.
    page.goto(live_server.url)
    page.get_by_role("link", name="Olaines cietums").click()
    expect(page).to_have_url(re.compile(r"/units/olaines-cietums/$"))
    expect(page.locator("main")).to_contain_text(olaine_coordinator.email)
    page.get_by_role("button", name="EN").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="Coordinators")).to_be_visible()

    # The choice sticks to the account: a new session comes back in English.
    page.context.clear_cookies()
    sign_in(page, olaine_coordinator)
    expect(page.get_by_role("heading", level=1)).to_have_text("My units")
