"""The audit trail's part of a person's data (see ``core.personal_data``): what the person
did, and what was done to their records (who acted is given as "you", "staff" or
"system" — staff names are not the person's data). Erasure keeps the entries and replaces
the person's name and email in them (``privacy.services.volunteer_anonymise``)."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import personal_data
from core.personal_data import Section, register

from .models import AuditEvent


def audit_entries(volunteer) -> Any:
    """Audit entries by the person or about their records."""
    about = Q(actor_id=volunteer.user_id)
    for model, ids in personal_data.audit_targets(volunteer):
        about |= Q(target_type=ContentType.objects.get_for_model(model), target_id__in=ids)
    return AuditEvent.objects.filter(about).select_related("unit").order_by("created_at", "pk")


def _export(volunteer) -> list[dict[str, Any]]:
    rows = []
    for event in audit_entries(volunteer):
        if event.actor_id == volunteer.user_id:
            by, label = "you", _("you")
        elif event.actor_id is None:
            by, label = "system", _("the system")
        else:
            by, label = "staff", _("staff")
        rows.append(
            {
                "time": event.created_at,
                "action": event.action,
                "action_label": event.action_label,
                "object": event.target_label,
                "unit": event.unit.name if event.unit else "",
                "by": by,
                "by_label": str(label),
            }
        )
    return rows


register(
    Section(
        key="audit",
        title=gettext_lazy("Record of actions"),
        template="institutions/personal_data.html",
        export=_export,
        models=("institutions.AuditEvent",),
        staff_only={
            # A person with a staff role cannot be anonymised (the role is removed first).
            "institutions.CoordinatorInvitation": "invitations are for staff accounts only",
            "institutions.UnitUserObjectPermission": "staff roles",
            "institutions.InstitutionUserObjectPermission": "staff roles",
            "guardian.UserObjectPermission": "staff roles",
            "admin.LogEntry": "the admin site is for staff only",
            # Their history's history_user is the staff member who changed them.
            "institutions.Institution": "changed by staff only",
            "institutions.Unit": "changed by staff only",
            "institutions.UnitGroupObjectPermission": "changed by staff only",
            "institutions.InstitutionGroupObjectPermission": "changed by staff only",
        },
        order=95,
    )
)
