"""The events app's part of a person's data (see ``core.personal_data``): the events they
were on (with their own feedback), their hours and their certificates of volunteer work,
and the emails about them. Erasure removes their feedback; the events, hours and
certificates stay as anonymous statistics (the certificates' PDFs are destroyed by the
documents app)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from core.personal_data import Erasure, Section, register

from .models import EventVolunteer, HoursRecord, VolunteerCertificate


def _export(volunteer) -> dict[str, Any]:
    places = (
        EventVolunteer.objects.filter(volunteer=volunteer)
        .select_related("event__unit", "event__activity_type", "event__field")
        .order_by("event__starts_at", "pk")
    )
    hours = (
        HoursRecord.objects.filter(volunteer=volunteer).select_related("unit", "event").order_by("day", "pk")
    )
    certificates = (
        VolunteerCertificate.objects.filter(volunteer=volunteer)
        .select_related("unit")
        .order_by("requested_at", "pk")
    )
    return {
        "events": [
            {
                "title": place.event.title,
                "unit": place.event.unit.name,
                "starts_at": place.event.starts_at,
                "ends_at": place.event.ends_at,
                "kind": str(place.event.activity_type),
                "field": str(place.event.field),
                "state": place.event.state,
                "state_label": place.event.get_state_display(),
                "lead": place.is_lead,
                "feedback": place.feedback,
            }
            for place in places
        ],
        "hours": [
            {
                "day": record.day,
                "unit": record.unit.name,
                "activity": record.event.title if record.event_id else record.get_kind_display(),
                "hours": record.hours,
                "state": record.state,
                "state_label": record.get_state_display(),
            }
            for record in hours
        ],
        "certificates": [
            {
                "number": certificate.number,
                "unit": certificate.unit.name,
                "period_start": certificate.period_start,
                "period_end": certificate.period_end,
                "state": certificate.state,
                "state_label": certificate.get_state_display(),
                "hours": certificate.total_hours,
                "purpose": certificate.purpose,
            }
            for certificate in certificates
        ],
    }


def _erase(erasure: Erasure) -> None:
    from .services import erase_volunteer

    erase_volunteer(erasure.volunteer)
    VolunteerCertificate.objects.filter(volunteer=erasure.volunteer).update(purpose="", refusal_reason="")
    VolunteerCertificate.history.model.objects.filter(volunteer_id=erasure.volunteer.pk).update(
        purpose="", refusal_reason=""
    )


register(
    Section(
        key="events",
        title=_("Events and hours"),
        template="events/personal_data.html",
        export=_export,
        erase=_erase,
        models=(
            "events.EventVolunteer",
            "events.HoursRecord",
            "events.VolunteerCertificate",
            "events.EventNotice",
        ),
        audit_targets=lambda volunteer: [
            (HoursRecord, HoursRecord.objects.filter(volunteer=volunteer).values_list("pk", flat=True)),
            (
                VolunteerCertificate,
                VolunteerCertificate.objects.filter(volunteer=volunteer).values_list("pk", flat=True),
            ),
        ],
        staff_only={
            "events.Event": "proposed_by, decided_by and reported_by name who acted (a volunteer's own "
            "events are listed through their EventVolunteer rows)",
            "events.EventStep": "actor is who took the step",
            "events.EventSeries": "created_by is who made the series",
        },
        order=65,
    )
)
