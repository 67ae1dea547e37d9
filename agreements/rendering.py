"""The agreement text: a template version's body (Django template text written by central
coordinators) rendered with the agreement's terms into the print context of the
``agreement`` document kind (``agreements/printing.py``). The PDF itself — fetcher, PDF/A,
verification code — is the documents app's (``documents.rendering``)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.template import Context, Engine, Template, TemplateSyntaxError
from django.utils.html import linebreaks
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from .models import Agreement

# What an agreement template's text may use, with the meaning shown to template editors.
PLACEHOLDERS = {
    "number": _("agreement number"),
    "institution": _("institution name"),
    "unit": _("unit name"),
    "volunteer_name": _("the volunteer's name"),
    "personal_code": _("the volunteer's personal code (printed only here)"),
    "address": _("the volunteer's address"),
    "role": _("role or field"),
    "place": _("place of work"),
    "start_date": _("start date (j.m.Y)"),
    "end_date": _("end date (j.m.Y)"),
    "hours_per_week": _("hours per week"),
    "duties": _("duties"),
    "expenses": _("expense terms (or that expenses are not reimbursed)"),
    "insurance": _("insurance terms"),
    "notice_days": _("notice period in days"),
    "guardian": _("legal representative (minors)"),
}


# The template text is written by central coordinators: it gets the built-in tags and
# filters only — no template loaders ({% include %} finds nothing) and no {% load %}.
BODY_ENGINE = Engine(loaders=[], libraries={}, autoescape=True)


def body_template(body: str) -> Template:
    return Template(body, engine=BODY_ENGINE)


def check_body(body: str) -> None:
    """For the template editor: ValidationError when the text is not a valid template."""
    try:
        body_template(body)
    except TemplateSyntaxError as exc:
        raise ValidationError(str(exc)) from exc


def _birth_date(agreement: Agreement) -> str:
    from django.utils.formats import date_format

    born = agreement.volunteer.date_of_birth
    return date_format(born, "j.m.Y") if born else ""


def context_for(agreement: Agreement) -> dict:
    from django.utils.formats import date_format

    volunteer = agreement.volunteer
    # A person without a Latvian personal code is identified by the birth date instead.
    personal_code = volunteer.personal_code or f"— (dzimšanas datums: {_birth_date(agreement)})"
    return {
        "number": agreement.number or "",
        "institution": agreement.institution.name,
        "unit": agreement.unit.name,
        "volunteer_name": volunteer.user.get_full_name(),
        "personal_code": personal_code,
        "address": volunteer.address,
        "role": str(agreement.role),
        "place": agreement.place,
        "start_date": date_format(agreement.start_date, "j.m.Y"),
        "end_date": date_format(agreement.end_date, "j.m.Y"),
        "hours_per_week": agreement.hours_per_week,
        "duties": agreement.duties,
        "expenses": agreement.expenses_terms if agreement.expenses_reimbursed else "",
        "insurance": agreement.insurance_policy if agreement.insurance_required else "",
        "notice_days": agreement.notice_days,
        "guardian": agreement.guardian_name if agreement.is_minor else "",
    }


def _paragraphs(body: str) -> list[SafeString]:
    """The rendered body (already escaped by the template engine) as HTML paragraphs."""
    chunks = [chunk.strip() for chunk in re.split(r"\n\s*\n", body.replace("\r\n", "\n"))]
    return [mark_safe(linebreaks(chunk, autoescape=False)) for chunk in chunks if chunk]


def print_context(agreement: Agreement) -> dict:
    """What ``templates/pdf/agreement.html`` shows (rendered in Latvian by the documents app)."""
    context = context_for(agreement)
    body = body_template(agreement.template.body).render(Context(context))
    paragraphs = _paragraphs(body)
    return {
        **context,
        "agreement": agreement,
        # The heading follows the institution's word, whatever the template version's title.
        "document_title": agreement.terms.document_title,
        "body_paragraphs": paragraphs[:-1],
        "body_last": paragraphs[-1] if paragraphs else "",
        "volunteer_code": agreement.volunteer.personal_code,
        "birth_date": _birth_date(agreement),
    }
