"""The dashboard page (``reports:dashboard``): each role's scope on known data (see
``tests/reports/conftest.py``: YEAR 2025 seen on TODAY 15.06.2025), the filters, a foreign
unit, the drill-down links and the page's exact number of queries."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from django.utils import translation

from agreements.selectors import ENDING_SOON_DAYS
from reports import views
from volunteers.models import Role

from .conftest import TODAY, YEAR, event, held_session
from .test_figures import QUERIES_BOTH, QUERIES_IEVP

URL = reverse("reports:dashboard")
# The cards of a column, in the page's order.
CARDS = (
    "active",
    "in_force",
    "signed",
    "ending",
    "open",
    "sessions",
    "trained",
    "events",
    "participants",
    "hours",
)
# Queries of the page, cold (the figures computed) and warm (the figures from the cache): the
# session's user, the units in scope, their roles, then the figures (reports.selectors, whose
# own count its tests keep). Read again, the rendered content comes from the cache with the
# figures' generation: the user only.
PAGE_ONE_UNIT = 3 + QUERIES_IEVP
PAGE_BOTH = 3 + QUERIES_BOTH
PAGE_CACHED = 1


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setattr(views, "_today", lambda: TODAY)


def _columns(response) -> dict[str, dict[str, object]]:
    """code of the institution → {card name: value}."""
    return {
        column.code: dict(zip(CARDS, (card.value for card in column.cards), strict=True))
        for column in response.context["columns"]
    }


def _get(client, user, **params):
    client.force_login(user)
    return client.get(URL, {"year": YEAR, **params})


def test_unit_coordinator_sees_only_their_units_figures_when_opening_the_dashboard(
    client, known, olaine_coordinator
):
    response = _get(client, olaine_coordinator)
    assert response.status_code == 200
    columns = _columns(response)
    assert list(columns) == ["ievp"]
    assert columns["ievp"]["in_force"] == 3
    assert columns["ievp"]["signed"] == 2
    assert columns["ievp"]["events"] == 2
    assert columns["ievp"]["participants"] == 20
    assert columns["ievp"]["hours"] == "3.5"
    units = response.context["columns"][0].units
    assert [row["name"] for row in units] == ["Olaines cietums"]
    assert "Jelgavas cietums" not in response.content.decode()


def test_central_office_sees_its_institution_when_opening_the_dashboard(client, known, ievp_central):
    columns = _columns(_get(client, ievp_central))
    assert list(columns) == ["ievp"]
    assert columns["ievp"]["in_force"] == 4
    assert columns["ievp"]["signed"] == 3
    assert columns["ievp"]["ending"] == 1
    assert columns["ievp"]["active"] == 3
    assert columns["ievp"]["sessions"] == 2
    assert columns["ievp"]["trained"] == 2
    assert columns["ievp"]["events"] == 3
    assert columns["ievp"]["participants"] == 26
    assert columns["ievp"]["hours"] == "4.5"


def test_ministry_sees_both_institutions_side_by_side_when_opening_the_dashboard(client, known, ministry):
    response = _get(client, ministry)
    columns = _columns(response)
    assert sorted(columns) == ["ievp", "vpd"]
    assert columns["ievp"]["in_force"] == 4
    assert columns["vpd"]["in_force"] == 1
    assert columns["vpd"]["signed"] == 1
    # Casework counts are VPD's only.
    by_code = {column.code: column for column in response.context["columns"]}
    assert by_code["vpd"].casework and not by_code["ievp"].casework


def test_superuser_sees_every_institution_when_opening_the_dashboard(client, known, superuser):
    assert sorted(_columns(_get(client, superuser))) == ["ievp", "vpd"]


def test_volunteer_gets_404_when_opening_the_dashboard(client, known, volunteer):
    client.force_login(volunteer)
    assert client.get(URL).status_code == 404


def test_year_defaults_to_the_current_one_when_not_given(client, known, ievp_central):
    client.force_login(ievp_central)
    response = client.get(URL)
    assert response.context["year"] == TODAY.year == YEAR


def test_unit_filter_narrows_the_figures_when_a_unit_is_chosen(client, known, ievp_central, jelgava):
    columns = _columns(_get(client, ievp_central, unit=jelgava.slug))
    assert columns["ievp"]["in_force"] == 1
    assert columns["ievp"]["events"] == 1


def test_field_filter_narrows_the_figures_and_says_what_it_ignores_when_a_field_is_chosen(
    client, known, ministry
):
    response = _get(client, ministry, field=Role.Code.SPORTS)
    columns = _columns(response)
    assert columns["ievp"]["in_force"] == 2
    assert columns["ievp"]["signed"] == 2
    by_code = {column.code: column for column in response.context["columns"]}
    # Sports is no field of VPD's; casework is not divided by field.
    assert by_code["vpd"].field_missing
    assert all(card.field_ignored for card in by_code["vpd"].casework)
    assert not any(card.field_ignored for card in by_code["ievp"].cards)


def test_foreign_unit_shows_no_figures_when_given_in_the_filter(client, known, olaine_coordinator, jelgava):
    response = _get(client, olaine_coordinator, unit=jelgava.slug)
    assert response.status_code == 200
    assert response.context["columns"] == []
    assert "unit" in response.context["form"].errors
    assert "Jelgavas cietums" not in response.content.decode()


def test_foreign_unit_shows_no_figures_when_the_person_sees_several_units(
    client, known, ievp_central, vpd_department
):
    response = _get(client, ievp_central, unit=vpd_department.slug)
    assert response.context["columns"] == []
    assert "unit" in response.context["form"].errors


def test_year_out_of_range_shows_no_figures_when_given(client, known, ievp_central):
    response = _get(client, ievp_central, year=1990)
    assert response.context["columns"] == []
    assert "year" in response.context["form"].errors


def _query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def test_drill_down_links_keep_the_unit_and_the_year_when_a_coordinator_follows_them(
    client, known, olaine_coordinator
):
    response = _get(client, olaine_coordinator)
    column = response.context["columns"][0]
    cards = dict(zip(CARDS, column.cards, strict=True))
    in_force = cards["in_force"].url
    assert in_force.startswith(reverse("agreements:list"))
    assert _query(in_force)["status"] == ["in_force"]
    events = _query(cards["events"].url)
    assert events["state"] == ["done"]
    assert events["date_from"] == [f"{YEAR}-01-01"] and events["date_to"] == [f"{YEAR}-12-31"]
    # The lists behind the figures count what the figures say (and the lists are the
    # coordinator's own: tenancy-scoped).
    listed = client.get(in_force)
    assert listed.context["page"].paginator.count == 3
    listed = client.get(cards["events"].url)
    assert listed.context["page"].paginator.count == 2
    listed = client.get(cards["signed"].url)
    assert listed.context["page"].paginator.count == 2
    # (The list's "ending within 30 days" counts from the real today, not the test's.)
    assert _query(cards["ending"].url)["ending"] == ["on"]


def test_drill_down_links_name_the_institution_when_the_ministry_follows_them(
    client, known, ministry, vpd, ievp
):
    response = _get(client, ministry)
    by_code = {column.code: column for column in response.context["columns"]}
    vpd_in_force = by_code["vpd"].cards[1].url
    assert _query(vpd_in_force)["institution"] == [str(vpd.pk)]
    assert client.get(vpd_in_force).context["page"].paginator.count == 1
    ievp_events = by_code["ievp"].cards[7].url
    assert _query(ievp_events)["institution"] == [str(ievp.pk)]
    assert client.get(ievp_events).context["page"].paginator.count == 3


def test_per_unit_links_filter_by_the_unit_when_listed(client, known, ievp_central, olaine):
    response = _get(client, ievp_central)
    rows = {row["name"]: row for row in response.context["columns"][0].units}
    value, url = rows["Olaines cietums"]["cells"][0]
    assert value == 3
    assert _query(url)["unit"] == [olaine.slug]
    assert client.get(url).context["page"].paginator.count == 3


def test_drill_down_by_field_uses_the_role_of_the_column_when_a_field_is_chosen(client, known, ievp_central):
    response = _get(client, ievp_central, field=Role.Code.SPORTS)
    in_force = response.context["columns"][0].cards[1].url
    role = Role.objects.get(institution__code="IEVP", code=Role.Code.SPORTS)
    assert _query(in_force)["role"] == [str(role.pk)]
    assert client.get(in_force).context["page"].paginator.count == 2


def test_charts_data_and_table_alternatives_are_on_the_page_when_figures_exist(client, known, ievp_central):
    response = _get(client, ievp_central)
    html = response.content.decode()
    for chart in ("months", "fields", "funnel"):
        assert f'id="chart-ievp-{chart}-data"' in html
        assert f'aria-describedby="chart-ievp-{chart}-table"' in html
        assert f'id="chart-ievp-{chart}-table"' in html
    assert "vendor/chartjs/chart.umd.min.js" in html
    assert "js/charts.js" in html
    months = response.context["columns"][0].charts["months"]
    assert months["series"][0]["data"][2:4] == [2, 1]  # March: 2 (Olaine, Jelgava), April: 1


def test_export_links_keep_the_filters_when_listed(client, known, ievp_central, olaine):
    response = _get(client, ievp_central, unit=olaine.slug)
    links = response.context["exports"]
    assert len(links) == 5
    assert _query(links[0]["csv"]) == {"year": [str(YEAR)], "unit": [olaine.slug]}


@pytest.mark.parametrize(
    ("who", "cold"),
    [("olaine_coordinator", PAGE_ONE_UNIT), ("ievp_central", PAGE_ONE_UNIT), ("ministry", PAGE_BOTH)],
)
def test_page_costs_a_fixed_number_of_queries_when_opened(
    client, request, known, who, cold, django_assert_num_queries
):
    user = request.getfixturevalue(who)
    client.force_login(user)
    client.get(reverse("home"))  # the session and the roles are in the cache
    with django_assert_num_queries(cold):
        assert client.get(URL, {"year": YEAR}).status_code == 200
    with django_assert_num_queries(PAGE_CACHED):
        assert client.get(URL, {"year": YEAR}).status_code == 200


def test_page_shows_a_new_figure_when_a_write_is_committed_after_it_was_kept(
    client, known, ievp_central, olaine, django_capture_on_commit_callbacks
):
    def main():
        html = client.get(URL, {"year": YEAR}).content.decode()
        return html[html.index("<main") : html.index("</main>")]

    client.force_login(ievp_central)
    before = main()
    assert main() == before  # kept
    with django_capture_on_commit_callbacks(execute=True):
        event(olaine, date(YEAR, 7, 9), participants=3)
    assert main() != before


def test_page_is_kept_apart_when_filters_language_or_roles_differ(
    client, known, ievp_central, olaine_coordinator
):
    client.force_login(ievp_central)
    whole = client.get(URL, {"year": YEAR}).content.decode()
    one_unit = client.get(URL, {"year": YEAR, "unit": "olaines-cietums"}).content.decode()
    assert whole != one_unit
    client.force_login(olaine_coordinator)
    own = client.get(URL, {"year": YEAR}).content.decode()
    assert "Jelgavas cietums" in whole and "Jelgavas cietums" not in own
    client.post(reverse("set_language"), {"language": "en", "next": URL})
    english = client.get(URL, {"year": YEAR}).content.decode()
    assert "Events held per month" in english and "Events held per month" not in own


def test_page_key_is_the_same_when_equal_roles_list_their_units_in_another_order():
    from institutions.permissions import Roles

    first = Roles(view_unit_ids=frozenset([1, 9, 17]), coordinate_unit_ids=frozenset([9, 1]))
    second = Roles(view_unit_ids=frozenset([17, 9, 1]), coordinate_unit_ids=frozenset([1, 9]))
    assert repr(views._canonical(first)) == repr(views._canonical(second))
    assert views._canonical(first) != views._canonical(Roles(view_unit_ids=frozenset([1])))


def test_hours_show_without_trailing_zeros_when_whole():
    assert views._number(Decimal("40.00")) == "40"
    assert views._number(Decimal("12.50")) == "12.5"


def test_trainings_link_lists_the_sessions_held_when_followed_by_the_ministry(client, known, ministry, ievp):
    response = _get(client, ministry)
    by_code = {column.code: column for column in response.context["columns"]}
    sessions = by_code["ievp"].cards[5]
    assert sessions.value == 2
    assert _query(sessions.url)["institution"] == [str(ievp.pk)]
    assert client.get(sessions.url).context["page"].paginator.count == 2
    # Sports: the sessions of courses required for sports (Jelgava's).
    response = _get(client, ministry, field=Role.Code.SPORTS)
    sessions = {column.code: column for column in response.context["columns"]}["ievp"].cards[5]
    assert sessions.value == 1
    assert client.get(sessions.url).context["page"].paginator.count == 1


def test_agreement_figures_use_each_institutions_word_when_the_ministry_opens_the_dashboard(
    client, known, ministry
):
    """IeVP says "līgums", VPD "vienošanās" (agreements.terms), in the cards and the per-unit table."""
    with translation.override("lv"):
        response = _get(client, ministry)
    by_code = {column.code: column for column in response.context["columns"]}
    ievp_labels = [card.label for card in by_code["ievp"].cards[:4]]
    assert ievp_labels[1:] == ["Spēkā esošie līgumi", "Parakstītie līgumi", "Līgumi, kas drīz beigsies"]
    assert by_code["ievp"].cards[0].detail == "ar šodien spēkā esošu līgumu"
    vpd_labels = [card.label for card in by_code["vpd"].cards[1:4]]
    assert vpd_labels == [
        "Spēkā esošās vienošanās",
        "Parakstītās vienošanās",
        "Vienošanās, kas drīz beigsies",
    ]
    assert by_code["vpd"].cards[3].detail == f"{ENDING_SOON_DAYS} dienu laikā"
    html = response.content.decode()
    ievp_units = html.split('id="units-ievp-heading"')[1]
    vpd_units = html.split('id="units-vpd-heading"')[1].split('id="units-ievp-heading"')[0]
    assert "Spēkā esošie līgumi" in ievp_units and "vienošanās" not in ievp_units.split("</thead>")[0]
    assert "Spēkā esošās vienošanās" in vpd_units
    assert "Vienošanās, līgumi un izskatīšanā esošie pieteikumi" in html  # the ministry reads both


@pytest.mark.parametrize("field", ["", Role.Code.EDUCATION])
def test_funnel_links_list_the_applications_counted_when_followed(client, known, ministry, field):
    """Each step counts the year's applications that ever reached it (their history): its link
    lists exactly those, whatever their status now."""
    response = _get(client, ministry, field=field)
    checked = 0
    for column in response.context["columns"]:
        if column.field_missing:
            continue  # no link (a field of the other institution)
        for row in column.funnel:
            query = _query(row["url"])
            assert "status" not in query
            assert query["submitted_from"] == [f"{YEAR}-01-01"] and query["submitted_to"] == [f"{YEAR}-12-31"]
            listed = client.get(row["url"])
            assert listed.context["page"].paginator.count == row["value"], (column.code, row["label"])
            checked += row["value"]
    assert checked  # the known data has applications along the funnel


def test_figures_of_a_field_the_institution_lacks_have_no_links_when_the_ministry_chooses_it(
    client, known, ministry
):
    """Mediators are VPD's: IeVP's figures are 0 and no list would show them (an unfiltered
    list would show everything) — no link; casework (not divided by field) keeps its own."""
    response = _get(client, ministry, field=Role.Code.MEDIATOR)
    by_code = {column.code: column for column in response.context["columns"]}
    ievp = by_code["ievp"]
    assert ievp.field_missing
    assert all(card.url == "" for card in ievp.cards)
    rows = [*ievp.steps, *ievp.funnel, *ievp.months, *ievp.fields]
    assert rows and all(row["url"] == "" for row in rows)
    assert all(url == "" for unit in ievp.units for _value, url in unit["cells"])
    assert all(card.url for card in by_code["vpd"].cards)
    html = response.content.decode()
    ievp_html = html.split('id="column-ievp-heading"')[1].split('id="column-vpd-heading"')[0]
    assert reverse("agreements:list") not in ievp_html and reverse("volunteers:inbox") not in ievp_html


def test_session_spanning_new_year_counts_in_its_first_days_year_as_the_list_does(
    client, known, ievp_central, jelgava
):
    """A session 31.12.–1.1. is the year of its first day on the dashboard, as in the sessions
    list's year filter (trainings.selectors.SessionFilter)."""
    held_session(jelgava, last_day=date(YEAR + 1, 1, 1))  # first day 31.12.YEAR
    response = _get(client, ievp_central)
    sessions = response.context["columns"][0].cards[5]
    assert sessions.value == 3
    assert client.get(sessions.url).context["page"].paginator.count == 3
