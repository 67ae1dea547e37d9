"""A circle of support and accountability, in chromium (issue 13): the VPD coordinator forms
a circle of three on the staff page and starts it → a volunteer of the circle logs a meeting
on their own page, with two attendees and a flagged concern → the supervising officer is
emailed at once (tasks run in-process) → the coordinator finds the hours waiting for approval
on the hours page. axe-core checks every page visited; the volunteer's pages are also checked
at phone width."""

import re
from datetime import timedelta

from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from casework import services
from casework.models import Circle, CirclePhase, Meeting
from events.models import HoursRecord, HoursState
from tests.casework import builders
from tests.factories import unit_coordinator
from volunteers.models import Role

from .test_phone_journey import PHONE, assert_fits_a_phone

TODAY = timezone.localdate()


def test_coordinator_forms_a_circle_and_a_volunteers_concern_reaches_the_officer_when_the_journey_runs(
    browser, live_server, sign_in, vpd_department, vpd_coordinator, assert_accessible
):
    officer = unit_coordinator(
        vpd_department, email="inese.probacija@example.lv", first_name="Inese", last_name="Bērziņa"
    )
    client = services.client_create(
        actor=vpd_coordinator, unit=vpd_department, officer=officer, active_from=TODAY - timedelta(days=30)
    )
    nina = builders.volunteer_in_role(
        vpd_department, Role.Code.CIRCLES, first_name="Ņina", last_name="Ūdre-Šķēle", email="nina@example.lv"
    )
    juris = builders.volunteer_in_role(
        vpd_department, Role.Code.CIRCLES, first_name="Juris", last_name="Ērglis", email="juris@example.lv"
    )
    anna = builders.volunteer_in_role(
        vpd_department, Role.Code.CIRCLES, first_name="Anna", last_name="Ģērmane", email="anna@example.lv"
    )
    staff_side = browser.new_context(locale="lv-LV", viewport={"width": 1280, "height": 900})
    volunteer_side = browser.new_context(locale="lv-LV", viewport={"width": 1280, "height": 900})
    coordinator, volunteer = staff_side.new_page(), volunteer_side.new_page()

    # 1. The coordinator forms a circle of three around the client, then starts it.
    sign_in(coordinator, vpd_coordinator)
    coordinator.goto(f"{live_server.url}/casework/circles/new/")
    expect(coordinator.locator("#id_client")).to_be_visible()
    assert_accessible(coordinator)
    coordinator.locator("#id_client").select_option(str(client.pk))
    for person in (nina, juris, anna):
        coordinator.locator(f"input[name=volunteers][value='{person.pk}']").check()
    coordinator.locator("#id_formed_on").fill(f"{TODAY:%d.%m.%Y}")
    coordinator.locator("#id_schedule").fill("Katru otrdienu 18:00")
    coordinator.locator("main form[method=post] button[type=submit]").last.click()
    coordinator.wait_for_load_state()
    circle = Circle.objects.get(client=client)
    assert circle.phase == CirclePhase.FORMING
    assert set(circle.members.values_list("volunteer_id", flat=True)) == {nina.pk, juris.pk, anna.pk}
    # The circle starts meeting, from its page.
    coordinator.goto(f"{live_server.url}/casework/circles/{circle.pk}/")
    assert_accessible(coordinator)
    coordinator.locator(
        f"form[action$='/casework/circles/{circle.pk}/activate/'] button[type=submit]"
    ).click()
    coordinator.wait_for_load_state()
    circle.refresh_from_db()
    assert circle.phase == CirclePhase.ACTIVE

    for path in (
        "/casework/",
        "/casework/clients/",
        "/casework/pairs/",
        "/casework/circles/",
        "/casework/cases/",
        "/casework/certificates/",
        "/casework/counts/",
        f"/casework/clients/{client.pk}/",
    ):
        coordinator.goto(f"{live_server.url}{path}")
        assert_accessible(coordinator)

    # 2. Ņina logs the meeting on her own page, with a concern for the officer.
    sign_in(volunteer, nina.user)
    volunteer.goto(f"{live_server.url}/me/casework/")
    link = volunteer.locator(f"a[href$='/me/casework/circles/{circle.pk}/']")
    expect(link).to_be_visible()
    assert_accessible(volunteer)
    link.click()
    expect(volunteer).to_have_url(re.compile(rf"/me/casework/circles/{circle.pk}/$"))
    expect(volunteer.get_by_text("Juris Ērglis").first).to_be_visible()
    assert_accessible(volunteer)
    volunteer.locator("#id_day").fill(f"{TODAY:%d.%m.%Y}")
    volunteer.locator("#id_hours").fill("1.5")
    volunteer.locator("#id_kind").select_option("in_person")
    expect(volunteer.locator(f"input[name=attendees][value='{nina.pk}']")).to_be_checked()
    volunteer.locator(f"input[name=attendees][value='{juris.pk}']").check()
    volunteer.locator("#id_note").fill("Runājām par darba grafiku un brīvdienu plāniem.")
    volunteer.locator("#id_concern").check()
    volunteer.locator("#id_concern_note").fill("Klients minēja, ka vēlas sazināties ar cietušo.")
    volunteer.locator("main form[method=post] button[type=submit]").last.click()
    expect(volunteer).to_have_url(re.compile(rf"/me/casework/circles/{circle.pk}/$"))
    expect(volunteer.locator(".alert-success, [role=status]").first).to_be_visible()
    assert_accessible(volunteer)
    meeting = Meeting.objects.get(circle=circle)
    assert meeting.concern and set(meeting.attendees.all()) == {nina, juris}

    # 3. The supervising officer was emailed at once.
    assert [m.to for m in mail.outbox] == [[officer.email]]
    assert client.code in mail.outbox[0].subject
    assert "sazināties ar cietušo" in mail.outbox[0].body
    meeting.refresh_from_db()
    assert meeting.concern_sent_at is not None

    # 4. The coordinator sees the hours of both attendees waiting for approval.
    records = HoursRecord.objects.filter(source_id=meeting.pk, kind=HoursRecord.Kind.CIRCLE)
    assert {(r.volunteer_id, r.state) for r in records} == {
        (nina.pk, HoursState.PENDING),
        (juris.pk, HoursState.PENDING),
    }
    coordinator.goto(f"{live_server.url}/events/hours/")
    expect(coordinator.get_by_text(client.code).first).to_be_visible()
    expect(coordinator.get_by_text("Ņina Ūdre-Šķēle").first).to_be_visible()
    expect(coordinator.get_by_text("Juris Ērglis").first).to_be_visible()
    assert_accessible(coordinator)

    # The volunteer's casework pages on a phone.
    volunteer.set_viewport_size(PHONE)
    for path in ("/me/casework/", f"/me/casework/circles/{circle.pk}/"):
        volunteer.goto(f"{live_server.url}{path}")
        assert_fits_a_phone(volunteer)
    volunteer_side.close()
    staff_side.close()
