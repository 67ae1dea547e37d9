"""The annual fact sheet: its figures on the known small year of conftest (the demo year 2024
is in test_factsheet_demo.py), the SVG chart, the page per role with its exact queries, the
request (post/redirect/get, the PDF queued through the documents app), and the PDF's text."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation
from pypdf import PdfReader

from awards.models import AwardCycle, Nomination
from documents.models import Document
from institutions.models import AuditEvent, Institution
from reports import factsheet, printing, services, svg
from reports.forms_factsheet import FactSheetForm
from reports.models import FactSheet

from .conftest import TODAY, YEAR

SVG = "{http://www.w3.org/2000/svg}"
URL = "/reports/fact-sheet/"


# --- Known small data (tests/reports/conftest.py: the year 2025 seen on 15.06.2025)


@pytest.fixture
def award_2025(known, olaine, vpd_department):
    cycle = AwardCycle.objects.create(
        year=YEAR,
        nominations_open=date(YEAR, 3, 1),
        nominations_close=date(YEAR, 4, 30),
        conference_date=date(YEAR, 11, 20),
        conference_place="Rīga",
        status=AwardCycle.Status.ANNOUNCED,
    )
    common = {
        "source": Nomination.Source.PUBLIC,
        "nominator_name": "Jānis",
        "nominator_email": "j@example.lv",
    }
    Nomination.objects.create(
        cycle=cycle,
        number=1,
        institution=olaine.institution,
        unit=olaine,
        nominee_name="Ērika Ķirša",
        status=Nomination.Status.ELIGIBLE,
        is_laureate=True,
        public_consent=True,
        **common,
    )
    Nomination.objects.create(
        cycle=cycle,
        number=2,
        institution=olaine.institution,
        unit=olaine,
        nominee_name="Slēptā Laureāte",
        status=Nomination.Status.ELIGIBLE,
        is_laureate=True,
        public_consent=False,
        **common,
    )
    Nomination.objects.create(
        cycle=cycle,
        number=3,
        institution=olaine.institution,
        unit=olaine,
        nominee_name="Atsauktā",
        status=Nomination.Status.WITHDRAWN,
        **common,
    )
    Nomination.objects.create(
        cycle=cycle,
        number=4,
        institution=vpd_department.institution,
        unit=vpd_department,
        nominee_name="Vilnis Probācija",
        status=Nomination.Status.ELIGIBLE,
        is_laureate=True,
        public_consent=True,
        **common,
    )
    return cycle


def test_known_year_figures_are_the_ones_worked_out_by_hand_when_computed(award_2025):
    data = factsheet.fact_sheet_data(year=YEAR, scope=FactSheet.Scope.BOTH, as_of=TODAY)

    assert data.vpd.in_force == 1 and data.vpd.signed == 1
    assert {code: count for code, _label, count in data.vpd.in_force_by_role} == {
        "mediator": 0,
        "mentor": 1,
        "circles": 0,
    }
    assert (data.ievp.training_sessions, data.ievp.participants, data.ievp.trained) == (2, 3, 2)
    assert data.ievp.in_force == 4
    assert data.ievp.events.events == 3
    assert data.ievp.events_by_month == [0, 0, 2, 1, 0, 0, 0, 0, 0, 0, 0, 0]
    assert {code: n for code, _label, n in data.ievp.events_by_field}["sports"] == 2
    # The award: both institutions' nominations but the withdrawn one; consenting laureates only.
    assert data.award.nominations == 3
    assert [laureate.nominee_name for laureate in data.award.laureates] == ["Vilnis Probācija", "Ērika Ķirša"]


def test_one_institution_sheet_has_only_its_section_and_its_laureates_when_computed(award_2025):
    data = factsheet.fact_sheet_data(year=YEAR, scope=FactSheet.Scope.IEVP, as_of=TODAY)

    assert data.vpd is None and data.ievp is not None
    assert data.award.nominations == 2
    assert [laureate.nominee_name for laureate in data.award.laureates] == ["Ērika Ķirša"]


def test_in_force_figures_follow_the_as_of_day_when_it_is_earlier(known):
    data = factsheet.fact_sheet_data(year=YEAR, scope=FactSheet.Scope.IEVP, as_of=date(2025, 1, 5))
    # On 05.01.2025: a3 (signed 2024), a4 (until 09.01.2025), a6 (ended 01.06.2025) at Olaine.
    assert data.ievp.in_force == 3


def test_award_section_is_empty_when_the_years_cycle_is_not_announced(known):
    AwardCycle.objects.create(
        year=YEAR,
        nominations_open=date(YEAR, 3, 1),
        nominations_close=date(YEAR, 4, 30),
        status=AwardCycle.Status.SCORING,
    )
    assert factsheet.fact_sheet_data(year=YEAR, scope=FactSheet.Scope.BOTH, as_of=TODAY).award is None


# --- The SVG chart


def _parse(chart: str) -> ET.Element:
    return ET.fromstring(chart)  # raises on anything but well-formed XML


def test_bar_chart_draws_one_bar_per_value_with_proportional_heights_when_drawn():
    values = [10, 0, 5, 20]
    root = _parse(svg.bar_chart(values, ["a", "b", "c", "d"], title="T", description="D"))

    bars = root.findall(f".//{SVG}rect")
    assert len(bars) == 4
    heights = [float(bar.get("height")) for bar in bars]
    assert heights[1] == 0
    assert heights[0] == pytest.approx(heights[3] / 2)
    assert heights[2] == pytest.approx(heights[3] / 4)
    # Bars stand on one baseline.
    bottoms = {round(float(bar.get("y")) + float(bar.get("height")), 2) for bar in bars}
    assert len(bottoms) == 1
    assert [text.text for text in root.findall(f".//{SVG}text[@class='value']")] == ["10", "0", "5", "20"]


def test_bar_chart_is_accessible_and_escapes_its_texts_when_labels_hold_markup():
    chart = svg.bar_chart(
        [1, 2], ['<b>"x"</b>', "R&D"], title="Pasākumi <2024>", description="a & b", chart_id="c1"
    )
    root = _parse(chart)

    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "c1-title c1-desc"
    assert root.find(f"{SVG}title").text == "Pasākumi <2024>"
    assert root.find(f"{SVG}desc").text == "a & b"
    assert [label.text for label in root.findall(f".//{SVG}text[@class='label']")] == ['<b>"x"</b>', "R&D"]
    assert "<b>" not in chart and "<script" not in chart


def test_bar_chart_of_zeros_has_flat_bars_when_nothing_happened():
    root = _parse(svg.bar_chart([0] * 12, list(svg.MONTHS_LV), title="T", description="D"))
    assert {float(bar.get("height")) for bar in root.findall(f".//{SVG}rect")} == {0.0}
    assert [label.text for label in root.findall(f".//{SVG}text[@class='label']")][5] == "jūn."


def test_bar_chart_refuses_when_labels_and_values_differ():
    with pytest.raises(ValueError):
        svg.bar_chart([1, 2], ["a"], title="T", description="D")


# --- The page


@pytest.fixture
def sheets(ievp, vpd):
    """One sheet of each scope, each with its (unrendered) document."""
    from documents.services import document_issue

    made = {}
    for scope in FactSheet.Scope.values:
        sheet = FactSheet.objects.create(
            unit=factsheet.owner_unit(scope), scope=scope, year=2024, as_of=date(2025, 1, 10)
        )
        document_issue(subject=sheet, kind=printing.FACT_SHEET)
        made[scope] = sheet
    return made


@pytest.mark.parametrize(
    ("role", "visible"),
    [
        ("ievp_central", {"IEVP"}),
        ("vpd_central", {"VPD"}),
        ("ministry", {"VPD", "IEVP", "BOTH"}),
        ("superuser", {"VPD", "IEVP", "BOTH"}),
    ],
)
def test_page_lists_only_the_sheets_of_the_persons_institutions_when_opened(
    client, request, sheets, role, visible
):
    client.force_login(request.getfixturevalue(role))
    response = client.get(URL)

    assert response.status_code == 200
    listed = {sheet.scope for sheet in response.context["sheets"]}
    assert listed == visible
    body = response.content.decode()
    for scope, sheet in sheets.items():
        assert (f'id="fact-sheet-{sheet.pk}"' in body) == (scope in visible)
    choices = [value for value, _label in response.context["form"].fields["scope"].choices]
    assert choices == (["BOTH", "VPD", "IEVP"] if len(visible) == 3 else sorted(visible))


@pytest.mark.parametrize("role", ["olaine_coordinator", "vpd_coordinator", "volunteer"])
def test_page_answers_404_when_the_role_makes_no_fact_sheet(client, request, sheets, role):
    client.force_login(request.getfixturevalue(role))
    assert client.get(URL).status_code == 404
    assert client.post(URL, {"year": "2024", "scope": "IEVP", "as_of": "10.01.2025"}).status_code == 404


def test_form_defaults_to_the_last_full_year_and_today_when_opened(client, ministry):
    client.force_login(ministry)
    form = client.get(URL).context["form"]
    today = timezone.localdate()
    assert form.initial == {"year": today.year - 1, "scope": "BOTH", "as_of": today}


def test_page_makes_a_fixed_number_of_queries_whatever_the_number_of_sheets(
    client, ministry, sheets, django_assert_num_queries
):
    client.force_login(ministry)
    client.get(URL)  # the roles: cached
    # The user, the person's institutions, the sheets (with who asked), their documents.
    with django_assert_num_queries(4):
        client.get(URL)
    for _ in range(3):
        FactSheet.objects.create(unit=factsheet.owner_unit("VPD"), scope="VPD", year=2023, as_of=TODAY)
    with django_assert_num_queries(4):
        response = client.get(URL)
    assert len(response.context["sheets"]) == 6


def test_request_queues_the_pdf_and_comes_back_with_a_message_when_posted(
    client, ievp_central, django_capture_on_commit_callbacks
):
    client.force_login(ievp_central)
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(URL, {"year": "2024", "scope": "IEVP", "as_of": "10.01.2025"})

    assert response.status_code == 302 and response["Location"] == reverse("reports:fact_sheet")
    sheet = FactSheet.objects.get()
    assert (sheet.scope, sheet.year, sheet.as_of) == ("IEVP", 2024, date(2025, 1, 10))
    assert sheet.unit == factsheet.owner_unit("IEVP")
    assert sheet.unit.institution.code == Institution.Code.IEVP
    assert sheet.requested_by == ievp_central
    document = sheet.documents.get()
    assert document.kind == printing.FACT_SHEET and document.state == Document.State.QUEUED
    assert document.unit == sheet.unit
    assert len(callbacks) == 1  # the render task, on commit
    assert AuditEvent.objects.filter(action="fact_sheet.request", actor=ievp_central).count() == 1
    page = client.get(URL)
    assert [str(message) for message in page.context["messages"]]


def test_ministry_sheet_of_both_institutions_belongs_to_the_ministry_unit_when_requested(client, ministry):
    client.force_login(ministry)
    response = client.post(URL, {"year": "2024", "scope": "BOTH", "as_of": "10.01.2025"})

    assert response.status_code == 302
    sheet = FactSheet.objects.get()
    assert sheet.unit.institution.code == Institution.Code.TM
    assert sheet.documents.get().unit == sheet.unit


def test_other_institution_or_a_future_day_is_refused_when_posted(client, vpd_central):
    client.force_login(vpd_central)
    assert client.post(URL, {"year": "2024", "scope": "IEVP", "as_of": "10.01.2025"}).status_code == 400
    assert client.post(URL, {"year": "2024", "scope": "BOTH", "as_of": "10.01.2025"}).status_code == 400
    tomorrow = timezone.localdate().toordinal() + 1
    later = date.fromordinal(tomorrow).strftime("%d.%m.%Y")
    assert client.post(URL, {"year": "2024", "scope": "VPD", "as_of": later}).status_code == 400
    assert not FactSheet.objects.exists()


def test_another_institutions_sheet_pdf_answers_404_when_downloaded(
    client, vpd_central, ievp_central, sheets
):
    document = sheets["IEVP"].documents.get()
    Document.objects.filter(pk=document.pk).update(state=Document.State.DONE)
    client.force_login(vpd_central)
    assert client.get(reverse("documents:download", args=[document.pk])).status_code == 404
    assert client.get(reverse("documents:fragment", args=[document.pk])).status_code == 404
    both = sheets["BOTH"].documents.get()
    client.force_login(ievp_central)
    assert client.get(reverse("documents:fragment", args=[both.pk])).status_code == 404
    assert client.get(reverse("documents:fragment", args=[document.pk])).status_code == 200


def test_known_year_pdf_prints_its_sections_and_footer_when_rendered(
    award_2025, ministry, django_capture_on_commit_callbacks
):
    with translation.override("lv"), django_capture_on_commit_callbacks(execute=True):
        sheet = services.fact_sheet_request(
            actor=ministry, year=YEAR, scope=FactSheet.Scope.IEVP, as_of=TODAY
        )
    document = sheet.documents.get()
    document.refresh_from_db()
    assert document.state == Document.State.DONE, document.error
    with document.file.open("rb") as handle:
        text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(handle.read())).pages)
    flat = " ".join(text.split())
    assert "15.06.2025" in flat  # the "as of" day
    assert timezone.localdate().strftime("%d.%m.%Y").lstrip("0") in flat  # made on
    assert "Ērika Ķirša" in flat and "Slēptā" not in flat and "Vilnis" not in flat
    assert "Izlīguma procesa starpnieks" not in flat  # no VPD section
    assert "Ģimenes saites" in flat
    assert sheet.number in flat


def test_future_as_of_day_is_the_services_rule_shown_on_the_field_when_posted(client, vpd_central):
    """The rule lives in the service (the form has no copy of it); the view puts the service's
    error on the "as of" field."""
    later = date.fromordinal(timezone.localdate().toordinal() + 1)
    form = FactSheetForm(
        {"year": "2024", "scope": "VPD", "as_of": later.strftime("%d.%m.%Y")},
        scopes=["VPD"],
        today=timezone.localdate(),
    )
    assert form.is_valid()
    with pytest.raises(ValidationError) as refused:
        services.fact_sheet_request(actor=vpd_central, year=2024, scope="VPD", as_of=later)
    assert list(refused.value.error_dict) == ["as_of"]
    client.force_login(vpd_central)
    response = client.post(URL, {"year": "2024", "scope": "VPD", "as_of": later.strftime("%d.%m.%Y")})
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["as_of"]
    assert not FactSheet.objects.exists()
