"""Casework's part of a person's data (see ``core.personal_data``): the mentoring pairs, circles
and mediation cases a volunteer was in — by reference only —, the meetings they logged and
their mediator certificates. Erasure removes the texts they wrote (meeting summaries and
concerns, session notes); the records stay, anonymous, for the client's file."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from core.personal_data import Erasure, Section, register

from .models import CircleMember, MediationCase, MediationSession, MediatorCertificate, Meeting, MentoringPair


def _export(volunteer) -> dict[str, Any]:
    return {
        "mentoring_pairs": [
            {
                "client": pair.client.code,
                "unit": pair.unit.name,
                "starts_on": pair.starts_on,
                "planned_end": pair.planned_end,
                "state": pair.state,
                "ended_on": pair.ended_on,
            }
            for pair in MentoringPair.objects.filter(mentor=volunteer)
            .select_related("client", "unit")
            .order_by("starts_on", "pk")
        ],
        "circles": [
            {
                "client": member.circle.client.code,
                "unit": member.circle.unit.name,
                "joined_on": member.joined_on,
                "left_on": member.left_on,
            }
            for member in CircleMember.objects.filter(volunteer=volunteer)
            .select_related("circle__client", "circle__unit")
            .order_by("joined_on", "pk")
        ],
        "mediation_cases": [
            {
                "reference": case.reference,
                "unit": case.unit.name,
                "opened_on": case.opened_on,
                "closed_on": case.closed_on,
                "outcome": case.outcome,
            }
            for case in MediationCase.objects.filter(mediators=volunteer)
            .select_related("unit")
            .order_by("opened_on", "pk")
        ],
        "meetings_logged": [
            {"day": m.day, "hours": m.hours, "kind": m.kind, "summary": m.note, "concern": m.concern_note}
            for m in Meeting.objects.filter(logged_by_id=volunteer.user_id).order_by("day", "pk")
        ],
        "mediator_certificates": [
            {
                "number": c.number,
                "issued_on": c.issued_on,
                "valid_until": c.valid_until,
                "annulled_on": c.annulled_on,
            }
            for c in MediatorCertificate.objects.filter(volunteer=volunteer).order_by("issued_on", "pk")
        ],
    }


def _erase(erasure: Erasure) -> None:
    user_id = erasure.volunteer.user_id
    Meeting.objects.filter(logged_by_id=user_id).update(note="", concern_note="")
    MediationSession.objects.filter(logged_by_id=user_id).update(note="")


register(
    Section(
        key="casework",
        title=_("Casework"),
        template="casework/personal_data.html",
        export=_export,
        erase=_erase,
        models=(
            "casework.MentoringPair",
            "casework.CircleMember",
            "casework.MediationCase",
            "casework.MediationCase_mediators",  # the mediators (and their history)
            "casework.Meeting",
            "casework.MediationSession",
            "casework.MediatorCertificate",
        ),
        staff_only={
            "casework.ClientReference": "officer and created_by are staff (a client is never a Tilts user)",
            "casework.Circle": "created_by is the coordinator who formed it",
            "casework.Review": "officer is the supervising probation officer",
            "casework.ReferenceSequence": "no person",
        },
        order=66,
    )
)
