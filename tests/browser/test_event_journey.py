"""An event from proposal to izziņa, in chromium: the volunteer proposes an event at Olaines
cietums → the Olaine coordinator approves it from the queue → the gate pass PDF is there →
after the date the volunteer reports the hours → the coordinator reviews and approves them →
the volunteer asks for a certificate of volunteer work, the coordinator issues it → the
volunteer downloads the izziņa, whose text (pdftotext) shows the hours. axe-core checks
every page visited; the volunteer's pages are also checked at phone width."""

import re
import shutil
import subprocess
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from events.models import Event, EventState, HoursRecord, HoursState, VolunteerCertificate
from tests.agreements.test_rendering import PERSONAL_CODE
from tests.events import builders

from .test_phone_journey import PHONE, assert_fits_a_phone

DAY = timezone.localdate() + timedelta(days=6)


def _pdf_text(content: bytes, tmp_path) -> str:
    path = tmp_path / "document.pdf"
    path.write_bytes(content)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs pdftotext (poppler-utils)")
def test_volunteer_proposes_and_gets_an_izzina_for_the_hours_when_the_journey_runs(
    browser, live_server, sign_in, olaine, olaine_coordinator, assert_accessible, tmp_path
):
    lead = builders.volunteer_at(olaine, first_name="Ņina", last_name="Ūdre-Šķēle", email="nina@example.lv")
    lead.personal_code = PERSONAL_CODE
    lead.save(update_fields=["personal_code"])
    field = builders.field(olaine)
    activity = builders.activity()
    volunteer_side = browser.new_context(locale="lv-LV", viewport={"width": 1280, "height": 900})
    staff_side = browser.new_context(locale="lv-LV", viewport={"width": 1280, "height": 900})
    volunteer, coordinator = volunteer_side.new_page(), staff_side.new_page()

    # 1. The volunteer proposes the event from their own pages.
    sign_in(volunteer, lead.user)
    volunteer.goto(f"{live_server.url}/me/events/new/")
    expect(volunteer.locator("#id_title")).to_be_visible()
    assert_accessible(volunteer)
    volunteer.locator("#id_title").fill("Galda spēļu vakars")
    volunteer.locator("#id_field").select_option(str(field.pk))
    volunteer.locator("#id_activity_type").select_option(str(activity.pk))
    volunteer.locator("#id_description").fill("Šahs, dambrete un „Monopols” ar brīvprātīgajiem.")
    volunteer.locator("#id_day").fill(f"{DAY:%d.%m.%Y}")
    volunteer.locator("#id_start_time").fill("15:00")
    volunteer.locator("#id_end_time").fill("17:30")
    volunteer.locator("#id_place").fill("2. korpuss, bibliotēka")
    volunteer.locator("#id_expected_participants").fill("12")
    volunteer.locator("#id_target_group").select_option("adults")
    volunteer.locator("#id_items").fill("3 šaha galdiņi, 2 kāršu komplekti")
    volunteer.locator("main form[method=post] button[type=submit]").last.click()
    expect(volunteer).to_have_url(re.compile(r"/me/events/\d+/$"))
    event = Event.objects.get(title="Galda spēļu vakars")
    assert event.state == EventState.PROPOSED
    assert_accessible(volunteer)

    # 2. The coordinator approves it from the queue; the gate pass is made.
    sign_in(coordinator, olaine_coordinator)
    coordinator.goto(f"{live_server.url}/events/")
    expect(coordinator.get_by_text("Galda spēļu vakars").first).to_be_visible()
    assert_accessible(coordinator)
    coordinator.locator(f"form[action$='/events/{event.pk}/approve/'] button[type=submit]").click()
    coordinator.wait_for_load_state()
    event.refresh_from_db()
    assert event.state == EventState.APPROVED
    coordinator.goto(f"{live_server.url}/events/{event.pk}/")
    assert_accessible(coordinator)
    gate_pass = coordinator.locator("a[href*='/documents/'][href$='/pdf/']").first
    expect(gate_pass).to_be_visible(timeout=15000)
    response = coordinator.request.get(live_server.url + gate_pass.get_attribute("href"))
    assert response.ok
    text = _pdf_text(response.body(), tmp_path)
    assert "Galda spēļu vakars" in text and "Ūdre-Šķēle" in text
    assert "3 šaha galdiņi" in text
    assert PERSONAL_CODE not in text and lead.masked_personal_code in text  # the code is masked

    # 3. After the date the volunteer reports the hours.
    start = timezone.now() - timedelta(days=1, hours=3)
    Event.objects.filter(pk=event.pk).update(starts_at=start, ends_at=start + timedelta(hours=2, minutes=30))
    volunteer.goto(f"{live_server.url}/me/events/{event.pk}/report/")
    assert_accessible(volunteer)
    volunteer.locator("input[name=held][value=yes]").check()
    volunteer.locator("#id_actual_participants").fill("11")
    volunteer.locator(f"#id_hours_{lead.pk}").fill("2.5")
    volunteer.locator("#id_feedback").fill("Ļoti aktīva grupa; nākamreiz vairāk galdiņu.")
    volunteer.locator("main form[method=post] button[type=submit]").last.click()
    volunteer.wait_for_load_state()
    event.refresh_from_db()
    assert event.state == EventState.HELD
    assert HoursRecord.objects.get(event=event).state == HoursState.PENDING

    # 4. The coordinator reviews the report and approves the hours.
    coordinator.goto(f"{live_server.url}/events/{event.pk}/report/")
    assert_accessible(coordinator)
    coordinator.locator("main form[method=post] button[type=submit]").last.click()
    coordinator.wait_for_load_state()
    event.refresh_from_db()
    assert event.state == EventState.REPORTED
    record = HoursRecord.objects.get(event=event)
    assert record.state == HoursState.APPROVED and str(record.hours) == "2.5"

    # 5. The volunteer asks for an izziņa; the coordinator issues it.
    volunteer.goto(f"{live_server.url}/me/hours/")
    assert_accessible(volunteer)
    volunteer.goto(f"{live_server.url}/me/hours/certificate/")
    assert_accessible(volunteer)
    volunteer.locator("#id_unit").select_option(str(olaine.pk))
    volunteer.locator("#id_period_start").fill(f"{timezone.localdate() - timedelta(days=30):%d.%m.%Y}")
    volunteer.locator("#id_period_end").fill(f"{timezone.localdate():%d.%m.%Y}")
    volunteer.locator("main form[method=post] button[type=submit]").last.click()
    volunteer.wait_for_load_state()
    certificate = VolunteerCertificate.objects.get(volunteer=lead)
    coordinator.goto(f"{live_server.url}/events/certificates/{certificate.pk}/")
    assert_accessible(coordinator)
    coordinator.locator(
        f"form[action$='/events/certificates/{certificate.pk}/issue/'] button[type=submit]"
    ).click()
    coordinator.wait_for_load_state()
    certificate.refresh_from_db()
    assert certificate.number and str(certificate.total_hours) == "2.5"

    # 6. The volunteer downloads it: the hours are in its text.
    volunteer.goto(f"{live_server.url}/me/hours/")
    link = volunteer.locator("a[href*='/documents/'][href$='/pdf/']").first
    expect(link).to_be_visible(timeout=15000)
    assert_accessible(volunteer)
    response = volunteer.request.get(live_server.url + link.get_attribute("href"))
    assert response.ok
    text = _pdf_text(response.body(), tmp_path)
    assert certificate.number in text
    assert "Ņina Ūdre-Šķēle" in text
    assert re.search(r"2,5", text), text

    # The volunteer's event pages on a phone.
    volunteer.set_viewport_size(PHONE)
    for path in ("/me/events/", f"/me/events/{event.pk}/", "/me/events/calendar/", "/me/hours/"):
        volunteer.goto(f"{live_server.url}{path}")
        assert_fits_a_phone(volunteer)
    volunteer_side.close()
    staff_side.close()
