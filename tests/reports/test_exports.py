"""The dashboard's tables as CSV / XLSX (``reports:export``): content, the filters, formula
escaping (through core.tabular), the file's name, who may download."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from reports import exports, views

from .conftest import TODAY, YEAR

NAME = '=HYPERLINK("http://example.com/x","Olaine")'


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setattr(views, "_today", lambda: TODAY)


def _url(table: str, fmt: str = "csv") -> str:
    return reverse("reports:export", kwargs={"table": table, "fmt": fmt})


def _csv(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_per_unit_table_holds_the_scope_figures_when_exported_as_csv(client, known, ievp_central):
    client.force_login(ievp_central)
    response = client.get(_url("vienibas"), {"year": YEAR})
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="parskats-vienibas-{TODAY:%Y-%m-%d}.csv"'
    rows = _csv(response)
    assert len(rows[0]) == 8
    body = {row[1]: row for row in rows[1:]}
    assert {"Jelgavas cietums", "Olaines cietums"} <= set(body)
    assert {row[0] for row in rows[1:]} == {"IeVP"}
    assert "Jelgavas 1. nodaļa" not in body
    # In force 3, signed 2, open applications 3 (p3, p4, p5), events 2, participants 20.
    assert body["Olaines cietums"][2:7] == ["3", "2", "3", "2", "20"]
    assert body["Olaines cietums"][7] == "3.5"


def test_unit_filter_applies_when_exporting(client, known, ievp_central, olaine):
    client.force_login(ievp_central)
    rows = _csv(client.get(_url("vienibas"), {"year": YEAR, "unit": olaine.slug}))
    assert [row[1] for row in rows[1:]] == ["Olaines cietums"]


def test_formula_in_a_unit_name_is_made_inert_when_exported(client, known, ievp_central, olaine):
    olaine.name = NAME
    olaine.save(update_fields=["name"])
    client.force_login(ievp_central)
    rows = _csv(client.get(_url("vienibas"), {"year": YEAR}))
    names = [row[1] for row in rows[1:]]
    assert "'" + NAME in names
    assert NAME not in names
    response = client.get(_url("vienibas", "xlsx"), {"year": YEAR})
    assert response["Content-Disposition"].endswith(f'filename="parskats-vienibas-{TODAY:%Y-%m-%d}.xlsx"')
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    cells = [sheet.cell(row=row, column=2) for row in range(2, sheet.max_row + 1)]
    inert = [cell for cell in cells if cell.value == "'" + NAME]
    assert inert and inert[0].data_type == "s"


def test_events_per_month_has_twelve_rows_per_institution_when_the_ministry_exports(client, known, ministry):
    client.force_login(ministry)
    rows = _csv(client.get(_url("pasakumi-pa-menesiem"), {"year": YEAR}))
    assert len(rows) == 1 + 2 * 12
    ievp = [row for row in rows[1:] if row[0] == "IeVP"]
    assert [int(row[2]) for row in ievp][2:4] == [2, 1]


@pytest.mark.parametrize("table", list(exports.TABLES))
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_every_table_downloads_when_asked_in_either_format(client, known, olaine_coordinator, table, fmt):
    client.force_login(olaine_coordinator)
    response = client.get(_url(table, fmt), {"year": YEAR})
    assert response.status_code == 200
    assert f"parskats-{table}-{TODAY:%Y-%m-%d}.{fmt}" in response["Content-Disposition"]


def test_funnel_table_has_a_row_per_step_when_exported(client, known, olaine_coordinator):
    client.force_login(olaine_coordinator)
    rows = _csv(client.get(_url("pieteikumu-piltuve"), {"year": YEAR}))
    assert [row[2] for row in rows[1:]] == ["4", "3", "2", "1", "1", "1"]
    assert rows[2][3] == "75"


def test_unknown_table_or_format_is_404_when_asked(client, known, ievp_central):
    client.force_login(ievp_central)
    assert client.get(_url("nav-tadas")).status_code == 404
    assert client.get(_url("vienibas", "pdf")).status_code == 404


def test_foreign_unit_is_404_when_exporting(client, known, olaine_coordinator, jelgava):
    client.force_login(olaine_coordinator)
    assert client.get(_url("vienibas"), {"year": YEAR, "unit": jelgava.slug}).status_code == 404


def test_volunteer_gets_404_when_exporting(client, known, volunteer):
    client.force_login(volunteer)
    assert client.get(_url("vienibas")).status_code == 404


def test_per_unit_table_says_each_institutions_word_when_exported(client, known, ministry, ievp_central):
    """One institution: its word (IeVP "līgumi"); the ministry's table of both: "vienošanās un līgumi"."""
    with translation.override("lv"):
        client.force_login(ievp_central)
        header = _csv(client.get(_url("vienibas"), {"year": YEAR}))[0]
        assert header[2:4] == ["Spēkā esošie līgumi", f"{YEAR}. gadā parakstītie līgumi"]
        client.force_login(ministry)
        header = _csv(client.get(_url("vienibas"), {"year": YEAR}))[0]
        assert header[2:4] == [
            "Spēkā esošās vienošanās un līgumi",
            f"{YEAR}. gadā parakstītās vienošanās un līgumi",
        ]
