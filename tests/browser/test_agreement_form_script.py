"""The drafting form tells, as the start date is typed, whether the volunteer is a minor on
that day. It reacts only to a whole, real date in the Latvian format (or ISO): "01.06.20",
typed on the way to a four-digit year, and 31.02.2027, which does not exist, change nothing."""

from datetime import date, timedelta

from playwright.sync_api import expect

from tests.agreements.test_rendering import application_for, ensure_template


def _birthday_adult(born: date) -> date:
    return born.replace(year=born.year + 18)


def test_minor_notice_follows_only_whole_dates_when_the_start_date_is_typed(
    page, live_server, sign_in, olaine, olaine_coordinator, assert_accessible
):
    ensure_template(olaine.institution)
    application = application_for(olaine, minor=True)
    adult_from = _birthday_adult(application.volunteer.date_of_birth)
    minor_notice = page.locator("[data-minor-notice]")
    adult_notice = page.locator("[data-adult-notice]")
    start = page.locator("#id_start_date")

    sign_in(page, olaine_coordinator)
    page.goto(f"{live_server.url}/applications/{application.pk}/agreement/new/")
    assert_accessible(page)

    start.fill(f"{adult_from + timedelta(days=1):%d.%m.%Y}")
    expect(adult_notice).to_be_visible()
    expect(minor_notice).to_be_hidden()

    start.fill(f"{adult_from - timedelta(days=40):%d.%m.%Y}"[:-2])  # the year half typed
    expect(adult_notice).to_be_visible()
    start.fill(f"31.02.{adult_from.year - 1}")  # no such day
    expect(adult_notice).to_be_visible()

    start.fill(f"{adult_from - timedelta(days=40):%d.%m.%Y}")
    expect(minor_notice).to_be_visible()
    expect(adult_notice).to_be_hidden()
    expect(page.locator("#id_guardian_name")).to_have_attribute("aria-required", "true")

    start.fill(f"{adult_from:%Y-%m-%d}")  # ISO works too; 18 on the day
    expect(adult_notice).to_be_visible()
