"""The award's public pages on a 375 px phone, signed out: the award page with the open call
and last year's laureates, the nomination form (blank, then re-shown with errors, then sent)
and its receipt — no horizontal scrolling, 44 px touch targets, and axe-core finds nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from awards.models import AwardCycle, Nomination
from institutions.models import Institution, Unit
from tests.factories import UnitFactory

from .test_phone_journey import PHONE, assert_fits_a_phone


@pytest.fixture
def award(olaine, vpd_department):
    ministry = Institution.objects.get_or_create(
        code=Institution.Code.TM, defaults={"name": "Tieslietu ministrija", "short_name": "TM"}
    )[0]
    UnitFactory(
        institution=ministry,
        slug="tieslietu-ministrija",
        name="Tieslietu ministrija",
        kind=Unit.Kind.CENTRAL_OFFICE,
    )
    today = timezone.localdate()
    last = AwardCycle.objects.create(
        year=today.year - 1,
        status=AwardCycle.Status.ANNOUNCED,
        nominations_open=today - timedelta(days=400),
        nominations_close=today - timedelta(days=380),
        conference_date=today - timedelta(days=300),
        conference_place="Rīga",
    )
    Nomination.objects.create(
        cycle=last,
        number=1,
        source=Nomination.Source.PUBLIC,
        status=Nomination.Status.ELIGIBLE,
        institution=olaine.institution,
        unit=olaine,
        nominee_name="Ērika Ķirša-Žūriņa",
        nominator_name="Jānis Bērziņš",
        nominator_email="janis@example.lv",
        justification="x" * 120,
        is_laureate=True,
        citation="Par septiņiem gadiem šaha pulciņā un grāmatu klubā Olaines cietumā.",
        public_consent=True,
    )
    return AwardCycle.objects.create(
        year=today.year,
        status=AwardCycle.Status.OPEN,
        nominations_open=today - timedelta(days=5),
        nominations_close=today + timedelta(days=25),
        conference_date=today + timedelta(days=60),
        introduction="Šogad īpaši gaidām pieteikumus par darbu ar jauniešiem.",
    )


def test_award_pages_and_nomination_fit_a_phone_when_signed_out(page, live_server, award, assert_accessible):
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/balva/")
    expect(page.get_by_text("Ērika Ķirša-Žūriņa")).to_be_visible()
    assert_fits_a_phone(page)
    assert_accessible(page)

    page.goto(f"{live_server.url}/balva/{award.year - 1}/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_fits_a_phone(page)
    assert_accessible(page)

    page.goto(f"{live_server.url}/balva/nominet/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_fits_a_phone(page)
    assert_accessible(page)

    # Sent with a short justification: the form comes back with its error summary.
    page.locator("#id_nominator_name").fill("Jānis Bērziņš")
    page.locator("#id_nominator_email").fill("janis@example.lv")
    page.locator("#id_nominee_name").fill("Ģirts Ločmelis")
    page.locator("input[name=institution]").first.check()
    page.locator("#id_nominee_place").fill("Projekts „Atbalsta aplis”")
    page.locator("#id_justification").fill("Pārāk īsi.")
    expect(page.locator("#id_justification-count")).to_contain_text("10")
    page.locator("#id_consent").check()
    page.locator("form[method=post] button[type=submit]").last.click()
    page.wait_for_load_state()
    expect(page.locator("#error-summary")).to_be_visible()
    assert_fits_a_phone(page)
    assert_accessible(page)

    page.locator("#id_justification").fill(
        "Ģirts " + "katru nedēļu vada atbalsta apli probācijas klientiem. " * 3
    )
    page.locator("#id_consent").check()
    page.locator("form[method=post] button[type=submit]").last.click()
    page.wait_for_load_state()
    expect(page.get_by_text(f"CC-{award.year}-001")).to_be_visible()
    assert_fits_a_phone(page)
    assert_accessible(page)
