"""The trainings' part of a person's data (see ``core.personal_data``): registrations (every
state, with the session's days and the person's attendance), completions (withdrawn ones
too, marked so), emails about them and the private calendar address. Erasure is
``trainings.services.volunteer_trainings_erase``: places not yet used are given up, the
calendar address and notes go, completions stay as anonymous statistics."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from core.personal_data import Erasure, Section, register

from .models import Attendance, CalendarFeed, Completion, Registration, SessionDay


def _export(volunteer) -> dict[str, Any]:
    registrations = (
        Registration.objects.filter(volunteer=volunteer)
        .select_related("session__course", "session__unit")
        .prefetch_related(
            Prefetch("session__days", queryset=SessionDay.objects.order_by("date", "starts_at")),
            Prefetch("attendance", queryset=Attendance.objects.select_related("day")),
        )
        .order_by("created_at", "pk")
    )
    completions = (
        Completion.objects.filter(volunteer=volunteer)
        .select_related("course", "unit")
        .order_by("completed_on", "pk")
    )
    registration_rows = []
    for r in registrations:
        present = {a.day_id: a.present for a in r.attendance.all()}
        registration_rows.append(
            {
                "course": str(r.session.course),
                "unit": r.session.unit.name,
                "place": r.session.place,
                "days": [
                    {
                        "date": day.date,
                        "starts_at": day.starts_at,
                        "ends_at": day.ends_at,
                        "present": present.get(day.pk),
                    }
                    for day in r.session.days.all()
                ],
                "session_state": r.session.state,
                "session_state_label": r.session.get_state_display(),
                "state": r.state,
                "state_label": r.get_state_display(),
                "registered_at": r.created_at,
                "moved_from_waiting_list_at": r.promoted_at,
                "cancelled_at": r.cancelled_at,
            }
        )
    return {
        "registrations": registration_rows,
        "completions": [
            {
                "course": str(c.course),
                "unit": c.unit.name,
                "completed_on": c.completed_on,
                "valid_until": c.valid_until,
                "hours": c.hours,
                "certificate_number": c.number,
                "source": c.source,
                "source_label": c.get_source_display(),
                "note": c.note,
                "withdrawn_at": c.revoked_at,
                "withdrawal_reason": c.revoke_reason,
            }
            for c in completions
        ],
        "calendar_subscription": CalendarFeed.objects.filter(
            user_id=volunteer.user_id, unit__isnull=True
        ).exists(),
    }


def _erase(erasure: Erasure) -> None:
    from .services import volunteer_trainings_erase

    volunteer_trainings_erase(volunteer=erasure.volunteer)


register(
    Section(
        key="trainings",
        title=_("Trainings"),
        template="trainings/personal_data.html",
        export=_export,
        erase=_erase,
        models=(
            "trainings.Registration",
            "trainings.Attendance",
            "trainings.Completion",
            "trainings.CalendarFeed",
            "trainings.Notice",
        ),
        audit_targets=lambda volunteer: [
            (Registration, Registration.objects.filter(volunteer=volunteer).values_list("pk", flat=True)),
            (Completion, Completion.objects.filter(volunteer=volunteer).values_list("pk", flat=True)),
        ],
        staff_only={
            "trainings.Session": "created_by is the staff member who planned it",
            "trainings.Course": "changed by central coordinators only (its history names them)",
        },
        order=60,
    )
)
