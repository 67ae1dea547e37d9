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


def test_coordinator_sees_the_steps_and_what_training_needs_then_records_a_check_when_on_the_application_page(
    page, live_server, sign_in, olaine, olaine_coordinator, assert_accessible
):
    from django.urls import reverse
    from django.utils import translation
    from django.utils.translation import gettext

    from tests.factories import ApplicationFactory
    from volunteers.models import Status

    application = ApplicationFactory(unit=olaine, status=Status.VETTING)
    with translation.override("lv"):
        vetting = str(Status.VETTING.label)
        missing = gettext("No criminal-record check recorded.")
        pending = gettext("Criminal-record check result not recorded yet.")
        saved = gettext("Criminal-record check saved.")
    detail_url = live_server.url + reverse("volunteers:application_detail", args=[application.pk])
    sign_in(page, olaine_coordinator)
    page.goto(detail_url)

    # The pipeline with the current step marked, and — before anything is submitted — what
    # the next step still needs.
    stepper = page.locator("main ol.tilts-stepper")
    expect(stepper.locator("li")).to_have_count(6)
    current = stepper.locator('[aria-current="step"]')
    expect(current).to_have_count(1)
    expect(current).to_contain_text(vetting)
    requirements = page.locator("#transition-requirements")
    expect(requirements).to_contain_text(missing)
    expect(page.locator("#id_transition-to")).to_have_attribute("aria-describedby", "transition-requirements")
    assert_accessible(page)

    # Recording a check returns to the application with a confirmation; the list follows.
    page.locator(f'a[href$="/applications/{application.pk}/vetting/"]').click()
    page.locator("select[name=result]").select_option("pending")
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(rf"/applications/{application.pk}/#vetting$"))
    expect(page.get_by_role("alert")).to_contain_text(saved)
    expect(requirements).to_contain_text(pending)
    assert_accessible(page)
