"""The award's part of a person's data (see ``core.personal_data``): the nominations about
the volunteer (linked to their record) with the decision. Erasure unlinks them and blanks the
nominee's name, contacts, the justification and the supporting files; a laureate's diploma
is destroyed with the other documents. The jury's scores stay (about the nomination, not the
person), and so does the cycle's count."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from core.personal_data import Erasure, Section, register

from .models import Nomination, NominationFile


def _export(volunteer) -> dict[str, Any]:
    return {
        "nominations": [
            {
                "year": n.cycle.year,
                "reference": n.reference,
                "nominated_by": n.nominator_name,
                "organisation": n.nominator_organisation,
                "justification": n.justification,
                "status": n.status,
                "laureate": n.is_laureate and n.cycle.status in ("decided", "announced"),
                "citation": n.citation if n.cycle.status == "announced" else "",
                "public": n.public_consent,
            }
            for n in Nomination.objects.filter(volunteer=volunteer).select_related("cycle").order_by("cycle__year")
        ]
    }


def _erase(erasure: Erasure) -> None:
    nominations = Nomination.objects.filter(volunteer=erasure.volunteer)
    files = NominationFile.objects.filter(nomination__in=nominations)
    erasure.files.extend(name for name in files.values_list("file", flat=True) if name)
    files.delete()
    nominations.update(
        volunteer=None,
        nominee_name=erasure.label,
        nominee_email="",
        nominee_place="",
        justification="",
        summary={},
        public_consent=False,
        citation="",
    )


register(
    Section(
        key="awards",
        title=_("Award “Cilvēks – cilvēkam”"),
        template="awards/personal_data.html",
        export=_export,
        erase=_erase,
        models=("awards.Nomination", "awards.NominationFile"),
        staff_only={
            "awards.AwardCycle": "created_by and decided_by are the award's administrators and chair",
            "awards.JuryMember": "jury members are the Ministry's appointees, not volunteers",
            "awards.ScoreSheet": "a jury member's sheet (through the member)",
            "awards.Criterion": "no person",
            "awards.Score": "no person",
        },
        order=82,  # after documents (80): the diploma is found through the volunteer, then unlinked
    )
)
