"""A volunteer in the training step registers for an induction session from "My trainings";
the days pass; the coordinator marks attendance day by day with the toggle buttons
(htmx swaps the row), marks the session held — the completion moves the application to
the agreement step — and drafts the agreement. The volunteer downloads the certificate,
whose PDF names them (with their diacritics), the course and says APLIECĪBA; and the
volunteer's page works on a 375 px phone. axe-core checks every page visited."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from agreements.models import Agreement
from documents.models import Document
from tests.agreements.test_rendering import ensure_template
from tests.trainings import builders
from trainings.models import Completion, Registration, RegistrationState, Session, SessionState
from volunteers.models import Application, Role
from volunteers.models import Status as ApplicationStatus

FIRST, LAST = "Līva", "Ķēniņa-Šūmane"
COURSE = "Drošības ievadapmācība"


@pytest.fixture
def journey(ievp, olaine, olaine_coordinator):
    """A sports volunteer's application in the training step; the course sports needs; an
    open two-day session of it at Olaine in two weeks."""
    sports, _created = Role.objects.get_or_create(institution=ievp, code=Role.Code.SPORTS)
    course = builders.course(ievp, roles=[sports], title=COURSE, hours=12)
    session = builders.session(
        olaine, olaine_coordinator, course_=course, days=2, capacity=12, trainers="Inga Ūdre"
    )
    application = builders.applicant(olaine, roles=[sports], first_name=FIRST, last_name=LAST)
    ensure_template(ievp)
    return application, session


def _days_pass(session: Session) -> None:
    """The session's two days are now the day before yesterday and yesterday."""
    today = timezone.localdate()
    days = list(session.days.order_by("date"))
    for index, day in enumerate(days):
        day.date = today - timedelta(days=len(days) - index)
        day.save(update_fields=["date"])
    Session.objects.filter(pk=session.pk).update(first_day=days[0].date, last_day=days[-1].date)


def test_volunteer_registers_coordinator_marks_attendance_and_certificate_follows_when_the_journey_runs(
    page, browser, live_server, sign_in, olaine_coordinator, journey, assert_accessible
):
    application, session = journey
    person = application.volunteer.user

    # 1. The volunteer opens "My trainings" and registers for the open session.
    sign_in(page, person)
    page.goto(f"{live_server.url}/me/applications/")
    page.locator("nav a[href='/me/trainings/']").first.click()
    expect(page).to_have_url(re.compile(r"/me/trainings/$"))
    register = page.locator(f"form[action$='/me/trainings/{session.pk}/register/'] button[type=submit]")
    expect(register).to_be_visible()
    assert_accessible(page)
    register.click()
    expect(page).to_have_url(re.compile(r"/me/trainings/$"))
    registration = Registration.objects.get(session=session, volunteer=application.volunteer)
    assert registration.state == RegistrationState.REGISTERED
    assert registration.application == application
    expect(page.locator(f"#registration-{registration.pk}")).to_have_text(COURSE)
    expect(
        page.locator(f"form[action$='/me/trainings/registrations/{registration.pk}/cancel/']")
    ).to_be_visible()
    assert_accessible(page)

    # 2. The two days pass.
    _days_pass(session)
    days = list(session.days.order_by("date"))

    # 3. The coordinator finds the session among the past ones and marks each day.
    office = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    desk = office.new_page()
    sign_in(desk, olaine_coordinator)
    desk.goto(f"{live_server.url}/trainings/?when=past")
    assert_accessible(desk)
    desk.locator(f"a[href='/trainings/{session.pk}/']").first.click()
    expect(desk).to_have_url(re.compile(rf"/trainings/{session.pk}/$"))
    expect(desk.locator("main")).to_contain_text(f"{FIRST} {LAST}")
    assert_accessible(desk)
    row = desk.locator(f"#row-{registration.pk}")
    present = row.locator("button[name=present][value='1']")
    for number, day in enumerate(days):
        if number == 0:
            desk.locator(f"a[href$='/trainings/{session.pk}/days/{day.pk}/']").first.click()
        else:  # the day tabs of the attendance page
            desk.locator(f"nav a[href$='/trainings/{session.pk}/days/{day.pk}/']").click()
        expect(desk).to_have_url(re.compile(rf"/days/{day.pk}/$"))
        expect(present).to_have_attribute("aria-pressed", "false")
        assert_accessible(desk)
        desk.evaluate("window.samePage = true")
        present.click()  # htmx posts and swaps the row in place
        expect(present).to_have_attribute("aria-pressed", "true")
        expect(row.locator("td .badge.text-bg-success")).to_be_visible()
        expect(row.locator("button[name=present][value='0']")).to_have_attribute("aria-pressed", "false")
        assert desk.evaluate("window.samePage === true")  # no page load: the row was swapped
        # Focus returns to the pressed button (same id); let Bootstrap's 0.15 s colour
        # transition finish, so that axe measures the colours a person sees.
        expect(desk.locator("#" + present.get_attribute("id"))).to_be_focused()
        desk.wait_for_timeout(400)
        assert_accessible(desk)
    assert set(registration.attendance.values_list("day_id", "present")) == {(d.pk, True) for d in days}

    # 4. Held: the completion is recorded, its certificate made, the application moves on.
    desk.locator(f"ol.breadcrumb a[href$='/trainings/{session.pk}/']").click()
    desk.locator(f"form[action$='/trainings/{session.pk}/complete/'] button[type=submit]").click()
    expect(desk).to_have_url(re.compile(rf"/trainings/{session.pk}/$"))
    session.refresh_from_db()
    assert session.state == SessionState.HELD
    completion = Completion.objects.get(session=session, volunteer=application.volunteer)
    assert completion.documents.get().state == Document.State.DONE
    completed = desk.locator(f"a[href$='/trainings/completions/{completion.pk}/']")
    expect(completed).to_be_visible()
    assert_accessible(desk)
    completed.click()
    expect(desk.locator("main")).to_contain_text(completion.number)
    assert_accessible(desk)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.AGREEMENT

    # 5. The application page offers the agreement; the coordinator drafts it.
    desk.goto(f"{live_server.url}/applications/{application.pk}/")
    expect(desk.locator("#training")).to_contain_text(COURSE)
    assert_accessible(desk)
    desk.locator(f"a[href$='/applications/{application.pk}/agreement/new/']").first.click()
    expect(desk).to_have_url(re.compile(rf"/applications/{application.pk}/agreement/new/$"))
    assert_accessible(desk)
    form = desk.locator("main form[method=post]").filter(has=desk.locator("[name=duties]"))
    form.locator("[name=place]").fill("Olaines cietums, sporta zāle")
    form.locator("[name=hours_per_week]").fill("4")
    form.locator("[name=duties]").fill("Futbola treniņi ieslodzītajiem sestdienās.")
    form.locator("button[type=submit]").last.click()
    expect(desk).to_have_url(re.compile(r"/agreements/\d+/$"))
    agreement = Agreement.objects.get(application=application)
    assert agreement.status == "draft"
    assert_accessible(desk)
    office.close()

    # 6. The volunteer downloads the certificate from "My trainings".
    page.reload()
    assert_accessible(page)
    link = page.locator(f"a[href$='/me/trainings/completions/{completion.pk}/certificate/']")
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename == f"{completion.number}-v1.pdf"
    with open(download.path(), "rb") as handle:
        data = handle.read()
    assert data.startswith(b"%PDF-")
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    assert "APLIECĪBA" in text
    assert f"{FIRST} {LAST}" in text
    assert COURSE in text
    assert completion.number in text
    assert Application.objects.get(pk=application.pk).status == ApplicationStatus.AGREEMENT

    # 7. The same page on a phone, 375 px wide: nothing sideways, nothing inaccessible.
    phone = browser.new_context(locale="lv-LV", viewport={"width": 375, "height": 740})
    pocket = phone.new_page()
    sign_in(pocket, person)
    pocket.goto(f"{live_server.url}/me/trainings/")
    expect(pocket.locator(f"#registration-{registration.pk}")).to_be_visible()
    expect(
        pocket.locator(f"a[href$='/me/trainings/completions/{completion.pk}/certificate/']")
    ).to_be_visible()
    assert pocket.evaluate("document.documentElement.scrollWidth") <= 375
    assert_accessible(pocket)
    phone.close()
