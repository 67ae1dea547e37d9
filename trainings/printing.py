"""The training certificate, registered with the shared documents app (see
``documents.registry``)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from documents.registry import DocumentKind, register
from institutions import permissions

CERTIFICATE = "training_certificate"


def _can_view(user, completion) -> bool:
    """The unit's staff (the ministry read-only) and the volunteer themself."""
    if permissions.has_unit_perm(user, permissions.VIEW, completion.unit):
        return True
    return (
        user.is_authenticated
        and completion.volunteer.user_id == user.pk
        and completion.revoked_at is None
        and completion.volunteer.anonymised_at is None
    )


def _context(completion) -> dict:
    unit = completion.unit
    return {
        "completion": completion,
        "course": completion.course,
        "person": completion.volunteer.user,
        "unit": unit,
        "institution": unit.institution.name,
        "number": completion.number,
        "document_title": "Apliecība par apmācību",
        "session": completion.session,
        "days": list(completion.session.days.all()) if completion.session_id else [],
        # Who recorded it (stable between versions); none for one made by a data migration.
        "signatory": completion.recorded_by,
    }


register(
    DocumentKind(
        key=CERTIFICATE,
        label=_("Training certificate"),
        model="trainings.Completion",
        template="pdf/training_certificate.html",
        context=_context,
        filename=lambda completion, document: f"{completion.number or completion.pk}-v{document.version}.pdf",
        number=lambda completion: completion.number or "",
        holder_name=lambda completion: completion.volunteer.user.get_full_name(),
        unit=lambda completion: completion.unit,
        can_view=_can_view,
        can_manage=lambda user, completion: permissions.has_unit_perm(
            user, permissions.COORDINATE, completion.unit
        ),
        page_url=lambda completion: reverse("trainings:completion_detail", args=[completion.pk]),
        select_related=("course", "unit__institution", "volunteer__user", "session", "recorded_by"),
        valid_until=lambda completion: completion.valid_until,
    )
)
