"""The fact sheet of the demo year 2024 shows what the published sheet does — 122 VPD
agreements in force, 80 trained at IeVP, 54 contracts, 317 events — computed from the demo
data (seeded once for the module, rolled back afterwards), in its data and in its PDF."""

from __future__ import annotations

import io
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone, translation
from pypdf import PdfReader

from documents.models import Document
from reports import factsheet, services
from reports.models import FactSheet


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo, seeded once for the module; rolled back afterwards."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", stdout=StringIO())
        yield
        transaction.set_rollback(True)


def test_demo_2024_sheet_shows_122_80_54_317_when_computed_from_the_data(demo, db):
    data = factsheet.fact_sheet_data(year=2024, scope=FactSheet.Scope.BOTH, as_of=timezone.localdate())

    assert data.vpd.in_force == 122
    assert sum(count for _code, _label, count in data.vpd.in_force_by_role) == 122
    assert [code for code, _label, _count in data.vpd.in_force_by_role] == ["mediator", "mentor", "circles"]
    assert data.ievp.training_sessions == 2
    assert data.ievp.trained == 80
    assert data.ievp.in_force == 54
    assert data.ievp.events.events == 317
    assert sum(data.ievp.events_by_month) == 317 and len(data.ievp.events_by_month) == 12
    assert [code for code, _label, _count in data.ievp.events_by_field] == list(factsheet.IEVP_FIELDS)
    assert sum(count for _code, _label, count in data.ievp.events_by_field) == 317
    assert data.ievp.expected_growth >= 0
    assert data.award is not None and data.award.cycle.year == 2024
    assert all(laureate.public_consent and laureate.is_laureate for laureate in data.award.laureates)


def test_demo_2024_pdf_prints_the_figures_with_latvian_letters_when_rendered(
    demo, db, superuser, django_capture_on_commit_callbacks
):
    with translation.override("lv"), django_capture_on_commit_callbacks(execute=True):
        sheet = services.fact_sheet_request(
            actor=superuser, year=2024, scope=FactSheet.Scope.BOTH, as_of=timezone.localdate()
        )
    document = sheet.documents.get()
    document.refresh_from_db()
    assert document.state == Document.State.DONE, document.error
    with document.file.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    text = "\n".join(page.extract_text() for page in reader.pages)
    for figure in ("122", "80", "54", "317"):  # a figure and its caption come out glued
        assert re.search(rf"(?<![\d.]){figure}(?!\d)", text), figure
    assert "2024" in text
    for month in ("janv.", "jūn.", "jūl.", "dec."):
        assert month in text
    assert "Izlīguma procesa starpnieks" in text  # a VPD role, in Latvian
    assert "Ģimenes saites" in text  # an IeVP field, in Latvian
    assert "Brīvprātīgi par drošāku sabiedrību" in " ".join(text.split())
    for letter in "āīūģšļ":
        assert letter in text.lower()
    letterhead = reader.pages[0].extract_text().split("\n")[:6]
    assert letterhead.count("Tieslietu ministrija") == 1  # the Ministry's unit bears its name
    box = reader.pages[0].mediabox
    assert round(float(box.width)) == 595 and round(float(box.height)) == 842  # A4 portrait
