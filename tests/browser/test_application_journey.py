import re

from django.core import mail
from django.utils import translation
from playwright.sync_api import expect

from volunteers.models import Application, Role, Status
from volunteers.personal_code import check_digit

PASSWORD = "Mana-drosa-parole-2026"


def _valid_code() -> str:
    for last in range(1000, 1100):
        digits = [int(c) for c in f"150488{last}"]
        if check_digit(digits) < 10:
            return f"150488-{last}{check_digit(digits)}"
    raise AssertionError("no valid code")


def test_person_applies_coordinator_moves_it_and_volunteer_sees_the_status_when_the_journey_runs(
    page, browser, live_server, sign_in, ievp, vpd, olaine, olaine_coordinator
):
    sports, _ = Role.objects.get_or_create(institution=ievp, code=Role.Code.SPORTS)
    code = _valid_code()
    wrong = code[:-1] + str((int(code[-1]) + 1) % 10)

    # 1. A new person applies, in Latvian, with a mistake in the personal code.
    page.goto(f"{live_server.url}/apply/")
    expect(page.locator("html")).to_have_attribute("lang", "lv")
    form = page.locator("main form")
    form.locator("input[name=first_name]").fill("Anna")
    form.locator("input[name=last_name]").fill("Kalniņa")
    form.locator("input[name=personal_code]").fill(wrong)
    form.locator("input[name=email]").fill("anna.kalnina@example.lv")
    form.locator("input[name=phone]").fill("+371 29123456")
    form.locator("input[name=address]").fill("Zemgales iela 7, Olaine")
    form.locator("input[name=municipality]").fill("Olaine")
    form.locator("input[name=password1]").fill(PASSWORD)
    form.locator("input[name=password2]").fill(PASSWORD)
    form.locator("input[name=institution][value=IEVP]").check()
    form.locator(f"input[name=preferred_units][value='{olaine.pk}']").check()
    form.locator(f"input[name=roles][value='{sports.pk}']").check()
    form.locator("[name=availability]").fill("Sestdienās")
    form.locator("textarea[name=motivation]").fill("Vadu futbola treniņus un gribu tos piedāvāt arī cietumā.")
    form.locator("input[name=record_declaration][value=none]").check()
    form.locator("input[name=consent_record_check]").check()
    form.locator("input[name=consent_data_processing]").check()
    form.locator("button[type=submit]").last.click()
    page.wait_for_load_state()

    personal_code = page.locator("input[name=personal_code]")
    expect(personal_code).to_have_class(re.compile("is-invalid"))
    expect(page.locator("input[name=first_name]")).to_have_value("Anna")
    expect(page.locator("textarea[name=motivation]")).to_have_value(re.compile("futbola"))
    expect(page.locator(f"input[name=preferred_units][value='{olaine.pk}']")).to_be_checked()
    assert not Application.objects.exists()

    personal_code.fill(code)
    page.locator("input[name=password1]").fill(PASSWORD)
    page.locator("input[name=password2]").fill(PASSWORD)
    page.locator("main form button[type=submit]").last.click()
    expect(page).to_have_url(re.compile(r"/apply/done/"))
    application = Application.objects.get()
    expect(page.locator("main")).to_contain_text(application.reference)
    assert application.unit == olaine

    # 2. The confirmation email verifies the address.
    [confirmation] = [m for m in mail.outbox if m.to == ["anna.kalnina@example.lv"]]
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", confirmation.body).group(0)
    page.goto(link)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()

    # 3. The Olaine coordinator finds it, moves it to screening, notes the interview, then to vetting.
    coordinator = browser.new_context(locale="en-GB").new_page()
    sign_in(coordinator, olaine_coordinator)
    coordinator.goto(f"{live_server.url}/applications/")
    coordinator.locator("input[name=q]").fill(application.reference)
    coordinator.locator("main form[method=get] button[type=submit]").click()
    coordinator.get_by_role("link", name=application.reference).click()
    expect(coordinator).to_have_url(re.compile(rf"/applications/{application.pk}/$"))
    expect(coordinator.locator("main")).to_contain_text("Kalniņa")

    coordinator.locator("select[name=transition-to]").select_option("screening")
    coordinator.locator("#status form button[type=submit]").click()
    coordinator.wait_for_load_state()
    notes = coordinator.locator("textarea[name=note-notes]")
    if not notes.is_visible():
        notes.locator("xpath=ancestor::details/summary").click()
    notes.fill("Intervija 25.11.: motivēta, pieredze ar jauniešiem.")
    notes.locator("xpath=ancestor::form//button[@type='submit']").click()
    coordinator.wait_for_load_state()
    coordinator.locator("select[name=transition-to]").select_option("vetting")
    coordinator.locator("textarea[name=transition-reason]").fill(
        "Intervija sekmīga; pieprasām sodāmības pārbaudi."
    )
    coordinator.locator("#status form button[type=submit]").click()
    coordinator.wait_for_load_state()
    application.refresh_from_db()
    assert application.status == Status.VETTING
    assert application.assessments.get().notes.startswith("Intervija 25.11.")

    # 4. The volunteer signs in and sees the new status (in Latvian).
    page.goto(f"{live_server.url}/accounts/login/")
    page.locator("input[name=login]").fill("anna.kalnina@example.lv")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").last.click()
    page.goto(f"{live_server.url}/me/applications/")
    with translation.override("lv"):
        vetting = str(Status.VETTING.label)
    card = page.locator("main").filter(has_text=application.reference)
    expect(card).to_contain_text(vetting)
    expect(page.locator("main")).not_to_contain_text("pieredze ar jauniešiem")  # notes stay internal
