"""The menus in a real browser: the public menu says "Kļūt par brīvprātīgo" next to "Ieiet";
a volunteer's menu holds every page of theirs on one line at 1280 px and collapses behind the
toggler on a 375 px phone; the ministry's home is an overview of IeVP and VPD."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.agreements import builders

# An IeVP (Olaines cietums) volunteer: IeVP calls its agreements "līgumi" (agreements/terms.py).
VOLUNTEER_LINKS = ["Mani pieteikumi", "Mani līgumi", "Manas apmācības", "Mani pasākumi", "Manas stundas"]
ACCOUNT_LINKS = ["Mana informācija", "Mani dati"]  # in the menu under the person's name


def test_public_menu_says_become_a_volunteer_when_signed_out(page, live_server):
    page.goto(f"{live_server.url}/")
    menu = page.locator("#main-nav")
    expect(menu.get_by_role("link", name="Kļūt par brīvprātīgo")).to_be_visible()
    expect(menu.get_by_role("link", name="Ieiet")).to_be_visible()
    expect(menu.get_by_role("link", name="Pieteikties", exact=True)).to_have_count(0)
    menu.get_by_role("link", name="Kļūt par brīvprātīgo").click()
    expect(page).to_have_url(f"{live_server.url}/apply/")


def test_volunteer_menu_fits_one_line_and_collapses_on_a_phone_when_signed_in(
    page, live_server, sign_in, olaine, olaine_coordinator
):
    agreement = builders.signed(olaine, olaine_coordinator)
    sign_in(page, agreement.volunteer.user)
    page.goto(f"{live_server.url}/me/applications/")
    menu = page.locator("#main-nav")
    for name in VOLUNTEER_LINKS:
        expect(menu.get_by_role("link", name=name, exact=True)).to_be_visible()
    # One line at 1280 px: every link of the menu at the same height, as high as the brand.
    tops = {round(box["y"]) for box in (link.bounding_box() for link in menu.locator("a.nav-link").all())}
    assert len(tops) == 1, tops
    navbar_height = page.locator("nav.navbar").bounding_box()["height"]
    assert navbar_height < 80, navbar_height

    account = menu.locator(".dropdown-toggle")
    account.click()
    for name in ACCOUNT_LINKS:
        expect(menu.get_by_role("link", name=name, exact=True)).to_be_visible()
    account.click()

    menu.get_by_role("link", name="Mani līgumi").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mani līgumi")
    expect(menu.get_by_role("link", name="Mani līgumi")).to_have_attribute("aria-current", "page")

    page.set_viewport_size({"width": 375, "height": 800})
    page.reload()
    expect(menu.get_by_role("link", name="Mani pasākumi")).to_be_hidden()
    page.locator(".navbar-toggler").click()
    expect(menu.get_by_role("link", name="Mani pasākumi")).to_be_visible()
    menu.locator(".dropdown-toggle").click()
    expect(menu.get_by_role("link", name="Mani dati")).to_be_visible()
    menu.get_by_role("link", name="Mani dati").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mani dati")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


def test_ministry_home_is_an_overview_of_both_institutions_when_signed_in(
    page, live_server, sign_in, ministry, olaine, vpd_department
):
    sign_in(page, ministry)
    expect(page.get_by_role("heading", level=1)).to_have_text("Pārskats")
    expect(page.locator("#main-nav").get_by_role("link", name="Pārskats")).to_be_visible()
    expect(page.get_by_role("heading", level=2)).to_have_text(
        ["Ieslodzījuma vietu pārvalde", "Valsts probācijas dienests"]
    )
    expect(page.get_by_role("link", name="Tieslietu ministrija")).to_have_count(0)


def test_central_coordinator_menu_fits_one_line_when_signed_in(page, live_server, sign_in, vpd_central):
    """Every staff page, every role: the bar stays one line at 1280 px (the coordinators'
    list and the admin panel are under the person's name)."""
    sign_in(page, vpd_central)
    page.goto(f"{live_server.url}/casework/")
    menu = page.locator("#main-nav")
    tops = {round(box["y"]) for box in (link.bounding_box() for link in menu.locator("a.nav-link").all())}
    assert len(tops) == 1, tops
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    menu.locator(".dropdown-toggle").click()
    expect(menu.get_by_role("link", name="Koordinatori")).to_be_visible()
