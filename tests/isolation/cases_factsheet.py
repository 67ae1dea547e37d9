"""Isolation cases of the annual fact sheet (reports): the page (form and the sheets made
before) and, through the documents app, an IeVP sheet's PDF (the secret bytes).

Central coordinators make and see their own institution's sheets, the ministry's viewers
and superusers both institutions'; unit coordinators and volunteers get 404. An IeVP sheet
is not VPD's centre's to see: not listed, its PDF and progress answer 404."""

import hashlib
from datetime import date

from django.core.files.base import ContentFile
from django.utils import timezone

from documents.models import Document
from reports.factsheet import owner_unit
from reports.models import FactSheet
from reports.printing import FACT_SHEET
from tests.factories import document_row

from .registry import LOGIN, ROLES, Case

SHEET_SECRET = "faktu-lapa-ievp-pdf-secret"
SHA_SECRET = "fac75ee7ab1e"
IEVP_READERS = {"ievp_central", "ministry", "superuser"}

# The page: whoever may make a sheet of some institution.
FACT_SHEET_PAGE = {
    **dict.fromkeys(ROLES, 404),
    "anonymous": LOGIN,
    "ievp_central": 200,
    "vpd_central": 200,
    "ministry": 200,
    "superuser": 200,
}
# Asking for an IeVP sheet: VPD's centre has no such choice (the form answers 400).
IEVP_SHEET_POST = {
    **FACT_SHEET_PAGE,
    "ievp_central": 302,
    "vpd_central": 400,
    "ministry": 302,
    "superuser": 302,
}
IEVP_SHEET_READ = {**dict.fromkeys(ROLES, 404), "anonymous": LOGIN, **dict.fromkeys(IEVP_READERS, 200)}


def _sheet(w) -> FactSheet:
    """An IeVP sheet of 2024 with its PDF made (the secret bytes)."""
    sheet = FactSheet.objects.filter(scope=FactSheet.Scope.IEVP, year=2024).first()
    if sheet is None:
        sheet = FactSheet.objects.create(
            unit=owner_unit(FactSheet.Scope.IEVP),
            scope=FactSheet.Scope.IEVP,
            year=2024,
            as_of=date(2025, 1, 10),
        )
        content = b"%PDF-1.4\n% " + SHEET_SECRET.encode() + b"\n%%EOF\n"
        document = document_row(
            sheet,
            kind=FACT_SHEET,
            save=False,
            state=Document.State.DONE,
            sha256=SHA_SECRET + hashlib.sha256(content).hexdigest()[12:],
            size=len(content),
            finished_at=timezone.now(),
        )
        document.file.save("faktu-lapa.pdf", ContentFile(content), save=False)
        document.save()
    return sheet


def _listed(w) -> str:
    return _sheet(w).number


def _document(w) -> dict:
    return {"pk": _sheet(w).documents.get().pk}


CASES = {
    "reports:fact_sheet": Case(expect=FACT_SHEET_PAGE, secret=_listed, entitled=IEVP_READERS),
}

EXTRA: dict[str, tuple[str, Case]] = {
    "reports:fact_sheet POST IeVP": (
        "reports:fact_sheet",
        Case(
            method="post",
            expect=IEVP_SHEET_POST,
            data=lambda w: {"year": "2024", "scope": "IEVP", "as_of": "10.01.2025"},
            secret=_listed,
            entitled=IEVP_READERS,
        ),
    ),
    "documents:download an IeVP fact sheet": (
        "documents:download",
        Case(expect=IEVP_SHEET_READ, kwargs=_document, secret=lambda w: SHEET_SECRET, entitled=IEVP_READERS),
    ),
    "documents:fragment of an IeVP fact sheet": (
        "documents:fragment",
        Case(expect=IEVP_SHEET_READ, kwargs=_document, secret=lambda w: SHA_SECRET, entitled=IEVP_READERS),
    ),
}
