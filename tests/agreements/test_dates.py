"""Agreement dates on awkward days: 29 February and just after midnight on 1 January (Riga)."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import translation

from agreements import selectors
from agreements.forms import AgreementForm
from agreements.models import AgreementTemplate

from ..core.test_dates import LEAP_DAY_RIGA, NEW_YEAR_RIGA, pinned
from ..factories import ApplicationFactory

BODY = "Nr. {{ number }}: no {{ start_date }} līdz {{ end_date }}."


@pytest.fixture(autouse=True)
def english_pages(client):
    """English pages; the language the middleware activated does not outlive the test."""
    client.cookies["tilts_language"] = "en"
    yield
    translation.deactivate()


def test_template_preview_ends_on_27_february_when_today_is_29_february(ievp):
    with pinned(LEAP_DAY_RIGA):
        preview = selectors.template_preview(body=BODY, institution=ievp)
    assert preview == ["Nr. IEVP-2028-0001: no 29.02.2028 līdz 27.02.2029."]


def test_template_preview_page_answers_when_today_is_29_february(client, ievp_central, ievp):
    versions = AgreementTemplate.objects.count()
    with pinned(LEAP_DAY_RIGA):
        client.force_login(ievp_central)
        response = client.post(
            reverse("agreements:template_new"),
            {"institution": ievp.pk, "title": "Garais gads", "body": BODY, "action": "preview"},
        )
    assert response.status_code == 200
    assert response.context["preview"] == ["Nr. IEVP-2028-0001: no 29.02.2028 līdz 27.02.2029."]
    assert AgreementTemplate.objects.count() == versions


def test_template_preview_numbers_in_the_riga_year_when_it_is_00_30_on_1_january(ievp):
    with pinned(NEW_YEAR_RIGA):
        preview = selectors.template_preview(body=BODY, institution=ievp)
    assert preview == ["Nr. IEVP-2027-0001: no 1.01.2027 līdz 31.12.2027."]


@pytest.mark.parametrize(
    ("moment", "start", "end"),
    [
        (LEAP_DAY_RIGA, date(2028, 2, 29), date(2029, 2, 27)),
        (NEW_YEAR_RIGA, date(2027, 1, 1), date(2027, 12, 31)),
    ],
)
def test_new_agreement_proposes_a_year_from_the_local_today_when_pinned(olaine, moment, start, end):
    application = ApplicationFactory(unit=olaine, institution=olaine.institution)
    with pinned(moment):
        initial = AgreementForm.initial_for_new(application)
    assert (initial["start_date"], initial["end_date"]) == (start, end)
    assert end - start < timedelta(days=366)
