"""Every write of the reports app: asking for an annual fact sheet (the row, its PDF queued
through the documents app once the transaction commits, the audit entry). Making a report
changes no volunteer data, so the ministry's (read-only) viewers may ask for one too."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from documents.services import document_issue
from institutions.services import audit_record

from . import factsheet
from .models import FactSheet

if TYPE_CHECKING:
    from accounts.models import User


def fact_sheet_request(
    *, actor: User, year: int, scope: str, as_of: date, language: str | None = None
) -> FactSheet:
    """A new fact sheet of ``year`` for ``scope`` (VPD, IEVP or BOTH), its in-force figures
    as of ``as_of``, printed in ``language`` (the person's, by default); the PDF is queued
    on commit (the documents app's render task; its sweeper queues a lost one again)."""
    allowed = factsheet.scopes_for(factsheet.institution_codes_for(actor))
    if scope not in allowed:
        raise PermissionDenied(_("You may not make this fact sheet."))
    today = timezone.localdate()
    if not 2000 <= year <= today.year:
        raise ValidationError(_("Choose a year that has begun."))
    if as_of > today:
        raise ValidationError({"as_of": _("The figures can be as of today at the latest.")})
    language = language or translation.get_language() or "lv"
    with transaction.atomic():
        sheet = FactSheet.objects.create(
            unit=factsheet.owner_unit(scope),
            scope=scope,
            year=year,
            as_of=as_of,
            language="en" if language.startswith("en") else "lv",
            requested_by=actor,
        )
        from .printing import FACT_SHEET

        document_issue(subject=sheet, kind=FACT_SHEET)
        audit_record(
            actor=actor,
            action="fact_sheet.request",
            target=sheet,
            unit=sheet.unit,
            data={"year": year, "scope": scope, "as_of": as_of.isoformat()},
        )
    return sheet
