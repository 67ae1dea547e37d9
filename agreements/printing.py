"""The agreement's printable document, registered with the shared documents app (see
``documents.registry`` for the three steps this module is the second of)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from documents.registry import DocumentKind, register
from institutions import permissions

from . import terms
from .models import Status
from .rendering import print_context

AGREEMENT = "agreement"


def _can_view(user, agreement) -> bool:
    """The unit's staff (the ministry included, read-only), and the volunteer once the
    agreement has left the draft."""
    if permissions.has_unit_perm(user, permissions.VIEW, agreement.unit):
        return True
    return (
        user.is_authenticated
        and agreement.volunteer.user_id == user.pk
        and agreement.status != Status.DRAFT
        and agreement.volunteer.anonymised_at is None
    )


register(
    DocumentKind(
        key=AGREEMENT,
        label=_("Volunteer work agreement"),
        label_by_unit=lambda unit: terms.for_institution(unit.institution).gettext(
            "Volunteer work agreement"
        ),
        model="agreements.Agreement",
        template="pdf/agreement.html",
        context=print_context,
        filename=lambda agreement, document: f"{agreement.number or agreement.pk}-v{document.version}.pdf",
        number=lambda agreement: agreement.number or "",
        holder_name=lambda agreement: agreement.volunteer.user.get_full_name(),
        unit=lambda agreement: agreement.unit,
        can_view=_can_view,
        can_manage=lambda user, agreement: permissions.has_unit_perm(
            user, permissions.COORDINATE, agreement.unit
        ),
        page_url=lambda agreement: reverse("agreements:detail", args=[agreement.pk]),
        select_related=(
            "institution",
            "unit__institution",
            "role",
            "template",
            "volunteer__user",
        ),
        valid_until=lambda agreement: agreement.ended_on or agreement.end_date,
        # A signed agreement is kept for the institution's retention period after it ends,
        # also when the person's data is erased (``privacy`` destroys it then).
        kept_after_erasure=True,
    )
)
