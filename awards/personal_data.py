"""The award's part of a person's data (see ``core.personal_data``): the nominations about
the volunteer (linked to their record) with the decision. Erasure unlinks them and blanks the
nominee's name, contacts, the justification and the supporting files; a laureate's diploma
is destroyed with the other documents. The jury's scores stay (about the nomination, not the
person), and so does the cycle's count."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from core.personal_data import Erasure, Section, register

from .models import Nomination, NominationFile, ScoreSheet


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
                # The decision is the person's once it is announced (not before the ceremony).
                "laureate": n.is_laureate and n.cycle.status == "announced",
                "citation": n.citation if n.cycle.status == "announced" else "",
                "public": n.public_consent,
            }
            for n in Nomination.objects.filter(volunteer=volunteer)
            .select_related("cycle")
            .order_by("cycle__year")
        ]
    }


def _erase(erasure: Erasure) -> None:
    ids = list(Nomination.objects.filter(volunteer=erasure.volunteer).values_list("pk", flat=True))
    if not ids:
        return
    files = NominationFile.objects.filter(nomination_id__in=ids)
    erasure.files.extend(name for name in files.values_list("file", flat=True) if name)
    files.delete()
    blank = {
        "nominee_name": erasure.label,
        "nominee_email": "",
        "nominee_place": "",
        "justification": "",
        "eligibility_note": "",
        "summary": {},
        "public_consent": False,
        "citation": "",
    }
    Nomination.objects.filter(pk__in=ids).update(volunteer=None, **blank)
    # Earlier versions would bring the name and the story back.
    Nomination.history.model.objects.filter(id__in=ids).update(volunteer_id=None, **blank)
    # What the jury wrote about the person (their comments and conflicts) goes too; the scores stay.
    sheets = ScoreSheet.objects.filter(nomination_id__in=ids)
    sheets.update(comment="", conflict_note="")
    ScoreSheet.history.model.objects.filter(nomination_id__in=ids).update(comment="", conflict_note="")


register(
    Section(
        key="awards",
        title=_("Award “Cilvēks – cilvēkam”"),
        template="awards/personal_data.html",
        export=_export,
        erase=_erase,
        models=("awards.Nomination", "awards.NominationFile"),
        # Their audit entries are labelled "CC-2026-007 <name>": relabelled after erasure.
        audit_targets=lambda volunteer: [
            (Nomination, Nomination.objects.filter(volunteer=volunteer).values_list("pk", flat=True))
        ],
        staff_only={
            "awards.AwardCycle": "created_by and decided_by are the award's administrators and chair",
            "awards.JuryMember": "jury members are the Ministry's appointees, not volunteers",
            "awards.ScoreSheet": "a jury member's sheet (through the member)",
            "awards.Criterion": "no person",
            "awards.Score": "no person",
        },
        # Before documents (80): erasers run in reverse order, so the documents' eraser destroys
        # the diploma (found through the volunteer) before this one unlinks the nomination.
        order=78,
    )
)
