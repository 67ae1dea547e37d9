"""A volunteer on a 375 px phone: the public application form (blank and re-shown with
errors), the sign-in page, the menu, and every page of theirs — applications, agreements,
trainings, details, data, the printable data page, the erasure page — scroll only
vertically, every control can be hit with a finger (44 px), and axe-core finds nothing.

Touch-target rule (WCAG 2.5.5, 44 × 44 CSS px), checked on every *visible* interactive
element — ``a[href]``, ``button``, ``select``, ``summary``, text-like ``input`` and
``textarea`` — and, for a checkbox or radio, on its label (the area a finger hits):

* the element's box must be at least 44 px high and at least 44 px wide;
* exempt are links inside a sentence: an ``a`` whose parent element holds letters besides its
  links, buttons and other controls (WCAG's "inline" exception: "Privacy notice · Ministry of Justice…", a
  "read the privacy notice" link in a help text);
* hidden elements (no box, ``visibility: hidden``, Bootstrap's ``visually-hidden``
  1 px boxes such as the skip link until it is focused) are not targets.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.agreements import builders
from tests.trainings import builders as training_builders
from trainings.models import RegistrationState

PHONE = {"width": 375, "height": 800}
MIN_TARGET = 44

# Returns a description of every visible interactive element smaller than the rule allows.
SMALL_TARGETS_JS = """
(min) => {
    const letters = /\\p{L}/u;
    const visible = (el) => {
        const box = el.getBoundingClientRect();
        if (box.width <= 1 || box.height <= 1) return false;
        if (el.closest('.visually-hidden, .visually-hidden-focusable:not(:focus-within)')) return false;
        const style = getComputedStyle(el);
        return style.visibility !== 'hidden' && style.display !== 'none';
    };
    const inSentence = (el) => {
        if (el.tagName !== 'A' || !el.parentElement) return false;
        const words = el.parentElement.cloneNode(true);
        const controls = 'a, button, select, summary, label, input, textarea';
        words.querySelectorAll(controls).forEach((c) => c.remove());
        return letters.test(words.textContent);
    };
    const targets = [];
    const selector = 'a[href], button, select, summary, textarea, '
        + 'input:not([type=hidden]):not([type=checkbox]):not([type=radio])';
    for (const el of document.querySelectorAll(selector)) {
        if (el.closest('[hidden]')) continue;
        targets.push(el);
    }
    for (const input of document.querySelectorAll('input[type=checkbox], input[type=radio]')) {
        const label = input.closest('label')
            || (input.id && document.querySelector(`label[for="${input.id}"]`));
        targets.push(label || input);
    }
    const small = [];
    for (const el of targets) {
        if (!visible(el) || inSentence(el)) continue;
        const box = el.getBoundingClientRect();
        if (box.height < min - 0.5 || box.width < min - 0.5) {
            const name = (el.innerText || el.value || el.getAttribute('aria-label') || el.name || '').trim();
            const size = `${Math.round(box.width)}x${Math.round(box.height)}`;
            small.push(`${el.tagName.toLowerCase()} "${name.slice(0, 40)}" ${size}`);
        }
    }
    return small;
}
"""


def assert_fits_a_phone(page) -> None:
    """No horizontal scrolling at 375 px, every touch target 44 px. With
    ``TILTS_PHONE_SCREENSHOTS=<folder>`` the whole page is saved there too, to be looked at."""
    page.wait_for_load_state()
    if folder := os.environ.get("TILTS_PHONE_SCREENSHOTS"):
        name = re.sub(r"\W+", "-", page.url.split("//", 1)[-1].split("/", 1)[-1]).strip("-") or "home"
        index = len(list(Path(folder).glob("*.png")))
        page.screenshot(path=f"{folder}/{index:02d}-{name}.png", full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url}: {width} px wide"
    small = page.evaluate(SMALL_TARGETS_JS, MIN_TARGET)
    assert not small, f"{page.url}: touch targets under {MIN_TARGET} px: {small}"


@pytest.fixture
def phone_volunteer(olaine, olaine_coordinator):
    """A volunteer with an agreement in force (and so an application), registered for a
    training session; another session is open for registration."""
    agreement = builders.signed(olaine, olaine_coordinator, first_name="Žanete", last_name="Ķūķe-Ģērmane")
    volunteer = agreement.volunteer
    session = training_builders.session(olaine, olaine_coordinator, trainers="Inga Ūdre")
    training_builders.registration_row(
        session, volunteer, application=agreement.application, state=RegistrationState.REGISTERED
    )
    training_builders.session(olaine, olaine_coordinator)
    return volunteer


def test_public_form_and_sign_in_fit_a_phone_when_signed_out(page, live_server, assert_accessible):
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/apply/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_fits_a_phone(page)
    assert_accessible(page)

    # The menu behind the toggler.
    page.locator(".navbar-toggler").click()
    expect(page.locator("#main-nav")).to_be_visible()
    page.wait_for_timeout(400)  # the collapse animation
    assert_fits_a_phone(page)

    # Sent empty: the form comes back with its error summary, still on the phone.
    page.goto(f"{live_server.url}/apply/")
    page.locator("form[method=post] button[type=submit]").last.click()
    page.wait_for_load_state()
    expect(page.locator(".alert-danger, [role=alert]").first).to_be_visible()
    assert_fits_a_phone(page)
    assert_accessible(page)

    page.goto(f"{live_server.url}/accounts/login/")
    expect(page.locator("input[name=login]")).to_be_visible()
    assert_fits_a_phone(page)
    assert_accessible(page)


def test_every_volunteer_page_fits_a_phone_when_signed_in(
    page, live_server, sign_in, phone_volunteer, assert_accessible
):
    page.set_viewport_size(PHONE)
    sign_in(page, phone_volunteer.user)
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))

    page.goto(f"{live_server.url}/me/applications/")
    page.locator(".navbar-toggler").click()
    expect(page.locator("#main-nav")).to_be_visible()
    page.wait_for_timeout(400)  # the collapse animation
    assert_fits_a_phone(page)

    for path in (
        "/me/applications/",
        "/me/agreements/",
        "/me/trainings/",
        "/me/profile/",
        "/me/data/",
        "/me/data/print/",
        "/me/erasure/",
    ):
        page.goto(f"{live_server.url}{path}")
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        assert_fits_a_phone(page)
        assert_accessible(page)


def test_every_event_page_of_a_volunteer_fits_a_phone_when_signed_in(
    page, live_server, sign_in, olaine, olaine_coordinator, assert_accessible
):
    from tests.events import builders as event_builders

    lead = event_builders.volunteer_at(olaine, first_name="Žanete", last_name="Ķūķe-Ģērmane")
    event_builders.approved(olaine, olaine_coordinator, lead, days=2, title="Šaha pulciņš ar garu nosaukumu")
    proposal = event_builders.proposed(olaine, lead, days=5)
    past = event_builders.past_approved(olaine, olaine_coordinator, lead)
    page.set_viewport_size(PHONE)
    sign_in(page, lead.user)

    for path in (
        "/me/events/",
        "/me/events/new/",
        "/me/events/calendar/",
        f"/me/events/{proposal.pk}/",
        f"/me/events/{proposal.pk}/edit/",
        f"/me/events/{past.pk}/report/",
        "/me/hours/",
        "/me/hours/certificate/",
    ):
        page.goto(f"{live_server.url}{path}")
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        assert_fits_a_phone(page)
        assert_accessible(page)


def test_every_casework_page_of_a_volunteer_fits_a_phone_when_signed_in(
    page, live_server, sign_in, vpd_department, vpd_coordinator, assert_accessible
):
    from datetime import timedelta
    from decimal import Decimal

    from django.utils import timezone

    from casework import services as casework_services
    from tests.casework import builders as casework_builders
    from tests.casework.test_me_views import case_with, circle_with

    mentor = casework_builders.volunteer_in_role(
        vpd_department, first_name="Žanete", last_name="Ķūķe-Ģērmane"
    )
    pair = casework_builders.pair(vpd_department, vpd_coordinator, mentor)
    casework_services.pair_meeting_log(
        actor=mentor.user,
        pair=pair,
        day=timezone.localdate() - timedelta(days=2),
        hours=Decimal("2"),
        note="Garāka saruna par darba meklēšanu, CV sagatavošanu un transporta iespējām.",
        concern=True,
        concern_note="Klients izskatījās noguris un satraukts.",
    )
    circle, _people = circle_with(vpd_department, vpd_coordinator, mentor)
    case = case_with(vpd_department, vpd_coordinator, mentor)
    page.set_viewport_size(PHONE)
    sign_in(page, mentor.user)

    for path in (
        "/me/casework/",
        f"/me/casework/pairs/{pair.pk}/",
        f"/me/casework/circles/{circle.pk}/",
        f"/me/casework/cases/{case.pk}/",
    ):
        page.goto(f"{live_server.url}{path}")
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        assert_fits_a_phone(page)
        assert_accessible(page)

    # A meeting refused (13 hours, a concern without its text): the form comes back with its errors.
    page.goto(f"{live_server.url}/me/casework/pairs/{pair.pk}/")
    page.locator("#id_hours").fill("13")
    page.locator("#id_concern").check()
    page.locator("main form[method=post] button[type=submit]").last.click()
    page.wait_for_load_state()
    expect(page.locator(".invalid-feedback, .alert-danger").first).to_be_visible()
    assert_fits_a_phone(page)
    assert_accessible(page)
