"""Olaine's coordinator opens the reports from the menu: the three charts (events per month,
per field, the applications' funnel) are drawn by Chart.js from the project's own static
files, each with its table alternative; axe-core finds no WCAG 2.1 A/AA violation, on a
desktop and on a 375 px phone."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.reports.conftest import YEAR, known  # noqa: F401 (the known data, a fixture)

CHARTS = ("chart-ievp-months", "chart-ievp-fields", "chart-ievp-funnel")


def _charts_drawn(page) -> None:
    for chart in CHARTS:
        canvas = page.locator(f"#{chart}")
        expect(canvas).to_be_visible()
        expect(canvas).to_have_attribute("role", "img")
        expect(canvas).to_have_attribute("aria-describedby", f"{chart}-table")
        size = canvas.bounding_box()
        assert size and size["width"] > 100 and size["height"] > 100, (chart, size)
        assert page.evaluate("(id) => Boolean(window.Chart && window.Chart.getChart(id))", chart), chart


@pytest.mark.usefixtures("known")
def test_coordinator_sees_the_charts_drawn_and_accessible_when_opening_the_reports(
    page, live_server, sign_in, olaine_coordinator, assert_accessible
):
    sign_in(page, olaine_coordinator)
    page.locator("nav a[href='/reports/']").first.click()
    expect(page).to_have_url(re.compile(r"/reports/$"))
    page.locator("#filter-year").select_option(str(YEAR))
    page.locator("form[action='/reports/'] button[type=submit]").click()
    expect(page).to_have_url(re.compile(rf"/reports/\?year={YEAR}"))
    _charts_drawn(page)
    # The table alternative opens on demand and holds the same figures.
    page.locator("#chart-ievp-months-table").locator("xpath=ancestor::details/summary").click()
    expect(page.locator("#chart-ievp-months-table tbody tr")).to_have_count(12)
    assert_accessible(page)

    page.set_viewport_size({"width": 375, "height": 800})
    page.reload()
    _charts_drawn(page)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the page scrolls sideways at 375 px: {width}"
    assert_accessible(page)
