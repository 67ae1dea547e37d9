"""A volunteer with an agreement in force reads everything Tilts holds about them on a
375 px phone (the printable page, every section), and asks for erasure; the coordinator
sees that the agreement's notice has not run and cannot confirm yet; once it has, the
coordinator confirms and the person is anonymised, the agreement ended. The IeVP central
coordinator reads the retention report (the dry run). axe-core checks every page visited."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from agreements.models import Agreement
from agreements.models import Status as AgreementStatus
from tests.agreements import builders
from tests.factories import ApplicationFactory, VolunteerFactory
from volunteers.models import ErasureRequest, Volunteer
from volunteers.models import Status as ApplicationStatus

FIRST, LAST = "Žanete", "Ķūķe-Ģērmane"


def test_volunteer_reads_their_data_and_erasure_waits_for_the_notice_when_an_agreement_is_in_force(
    page, live_server, sign_in, olaine, olaine_coordinator, assert_accessible
):
    agreement = builders.signed(olaine, olaine_coordinator, first_name=FIRST, last_name=LAST)
    person = agreement.volunteer.user

    page.set_viewport_size({"width": 375, "height": 800})
    sign_in(page, person)
    page.goto(f"{live_server.url}/me/data/print/")
    expect(page.get_by_role("heading", name="Līgumi", exact=True)).to_be_visible()  # IeVP's word
    expect(page.get_by_text(agreement.number).first).to_be_visible()
    for heading in ("Konts", "Pieteikumi", "Apmācības", "Dokumenti", "Darbību žurnāls"):
        expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
    # Nothing wider than the phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert_accessible(page)

    page.goto(f"{live_server.url}/me/erasure/")
    expect(page.get_by_text("Uz laiku saglabāts, jo to prasa likums")).to_be_visible()
    assert_accessible(page)
    page.locator("input[name=confirm]").check()
    page.get_by_role("button", name="Pieprasīt dzēšanu").click()
    page.wait_for_load_state()
    request = ErasureRequest.objects.get(volunteer=agreement.volunteer)

    context = page.context
    context.clear_cookies()
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, olaine_coordinator)
    page.goto(f"{live_server.url}/requests/")
    expect(page.get_by_text(agreement.number).first).to_be_visible()
    expect(page.get_by_role("button", name="Anonimizēt tūlīt")).to_be_disabled()
    assert_accessible(page)

    # The notice has run.
    ErasureRequest.objects.filter(pk=request.pk).update(
        created_at=timezone.now() - timedelta(days=agreement.notice_days)
    )
    page.reload()
    page.on("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Anonimizēt tūlīt").click()
    page.wait_for_load_state()
    expect(page.get_by_role("alert").first).to_be_visible()
    assert Volunteer.objects.get(pk=agreement.volunteer_id).anonymised_at is not None
    assert Agreement.objects.get(pk=agreement.pk).status == AgreementStatus.ENDED


def test_central_coordinator_reads_the_retention_report_when_records_are_past_their_period(
    page, live_server, sign_in, olaine, ievp_central, assert_accessible
):
    volunteer = VolunteerFactory(user__first_name=FIRST, user__last_name=LAST)
    ApplicationFactory(
        volunteer=volunteer,
        unit=olaine,
        status=ApplicationStatus.REJECTED,
        status_changed_at=timezone.now() - timedelta(days=500),
    )
    sign_in(page, ievp_central)
    page.get_by_role("button", name=ievp_central.get_full_name()).click()  # the account menu
    page.get_by_role("link", name="Datu aizsardzība").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="Personas datu glabāšana")).to_be_visible()
    expect(page.get_by_text(f"{FIRST} {LAST}")).to_be_visible()
    assert_accessible(page)
    assert Volunteer.objects.get(pk=volunteer.pk).anonymised_at is None
