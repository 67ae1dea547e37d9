"""The events app's documents, registered with the shared documents app (see
``documents.registry``): the gate pass of an approved event and the certificate of
volunteer work (izziņa)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from documents.registry import DocumentKind, register
from institutions import permissions

GATE_PASS = "event_gate_pass"
CERTIFICATE = "volunteer_work_certificate"


def _on_event(user, event) -> bool:
    return user.is_authenticated and any(row.volunteer.user_id == user.pk for row in event.people.all())


def _gate_pass_context(event) -> dict:
    people = list(event.people.select_related("volunteer__user").order_by("-is_lead", "pk"))
    return {
        "event": event,
        "people": people,
        "starts": event.local_start,
        "ends": event.local_end,
        "document_title": "Caurlaide pasākumam",
        "signatory": event.decided_by,
    }


register(
    DocumentKind(
        key=GATE_PASS,
        label=_("Gate pass"),
        model="events.Event",
        template="pdf/event_gate_pass.html",
        context=_gate_pass_context,
        filename=lambda event, document: f"caurlaide-{event.pk}-v{document.version}.pdf",
        number=lambda event: f"P-{event.pk}",
        holder_name=lambda event: next(
            (row.volunteer.user.get_full_name() for row in event.people.all() if row.is_lead), ""
        ),
        unit=lambda event: event.unit,
        can_view=lambda user, event: (
            permissions.has_unit_perm(user, permissions.VIEW, event.unit) or _on_event(user, event)
        ),
        can_manage=lambda user, event: permissions.has_unit_perm(user, permissions.COORDINATE, event.unit),
        page_url=lambda event: reverse("events:detail", args=[event.pk]),
        select_related=("unit__institution", "field", "activity_type", "decided_by"),
        valid_until=lambda event: event.local_end.date(),
        volunteer_field="people__volunteer",
    )
)


def _certificate_context(certificate) -> dict:
    from volunteers.models import Role

    labels = dict(Role.Code.choices)
    return {
        "certificate": certificate,
        "person": certificate.volunteer.user,
        "roles": [str(labels.get(code, code)) for code in certificate.roles],
        "activities": certificate.activities,
        "document_title": "Izziņa par brīvprātīgo darbu"
        if certificate.language == "lv"
        else "Certificate of volunteer work",
        "signatory": certificate.issued_by,
    }


def _can_view_certificate(user, certificate) -> bool:
    if permissions.has_unit_perm(user, permissions.VIEW, certificate.unit):
        return True
    return (
        user.is_authenticated
        and certificate.volunteer.user_id == user.pk
        and certificate.volunteer.anonymised_at is None
    )


register(
    DocumentKind(
        key=CERTIFICATE,
        label=_("Certificate of volunteer work"),
        model="events.VolunteerCertificate",
        template="pdf/volunteer_work_certificate.html",
        context=_certificate_context,
        filename=lambda certificate, document: (
            f"{certificate.number or certificate.pk}-v{document.version}.pdf"
        ),
        number=lambda certificate: certificate.number or "",
        holder_name=lambda certificate: certificate.volunteer.user.get_full_name(),
        unit=lambda certificate: certificate.unit,
        can_view=_can_view_certificate,
        can_manage=lambda user, certificate: permissions.has_unit_perm(
            user, permissions.COORDINATE, certificate.unit
        ),
        page_url=lambda certificate: reverse("events:certificate_detail", args=[certificate.pk]),
        select_related=("unit__institution", "institution", "volunteer__user", "issued_by"),
        language=lambda certificate: certificate.language,
    )
)
