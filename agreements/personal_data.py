"""The agreements' part of a person's data (see ``core.personal_data``).

Erasure and agreements — the decision (README, "Personal data"):

- The erasure request is the volunteer's written notice (Volunteer Work Law: either party
  may end the agreement with at least the agreed notice, ≥ 3 days). An erasure is confirmed
  only once that notice has run for every agreement in force; before that the coordinator
  is told the date from which it can be confirmed (or ends the agreement earlier by mutual
  agreement on the agreement's page). Confirming it ends every agreement in force
  ("terminated by the volunteer", notice on the request's date) and every agreement not
  yet in force, revokes their PDFs (the verification page says so at once) and stops their
  reminders.
- The signed agreement is a record the institution must keep: its PDFs and the signed
  scan stay for the institution's retention period after the agreement ends, then the
  retention job destroys them (``privacy``). The agreement row keeps its terms and dates
  for the statistics; the legal representative's name and typed reasons go at once, from
  the row and from its history.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from core.personal_data import Erasure, Section, register
from documents.services import documents_revoke
from institutions import permissions
from institutions.services import audit_record

from . import terms
from .models import IN_FORCE, Agreement, Status
from .signals import agreement_ended


def _agreements(volunteer):
    return (
        Agreement.objects.filter(volunteer=volunteer)
        .select_related("institution", "unit", "role")
        .order_by("created_at", "pk")
    )


def _export(volunteer) -> list[dict[str, Any]]:
    return [
        {
            "number": a.number or "",
            "institution": a.institution.name,
            "unit": a.unit.name,
            "role": str(a.role),
            "status": a.status,
            "status_label": a.get_status_display(),
            "place": a.place,
            "start_date": a.start_date,
            "end_date": a.end_date,
            "hours_per_week": a.hours_per_week,
            "duties": a.duties,
            "expenses_reimbursed": a.expenses_reimbursed,
            "expenses_terms": a.expenses_terms,
            "insurance_required": a.insurance_required,
            "insurance_policy": a.insurance_policy,
            "notice_days": a.notice_days,
            "legal_representative": a.guardian_name,
            "signed_on": a.signed_on,
            "signed_scan_stored": bool(a.signed_scan),
            "ended_on": a.ended_on,
            "how_it_ended": a.get_end_kind_display() if a.end_kind else "",
            "terminated_by": a.get_terminated_by_display() if a.terminated_by else "",
            "notice_date": a.notice_date,
            "termination_reason": a.termination_reason,
        }
        for a in _agreements(volunteer)
    ]


def _notice_runs_until(agreement: Agreement, erasure: Erasure):
    return erasure.notice_date + timedelta(days=agreement.notice_days)


def _blockers(erasures: list[Erasure]) -> dict[int, list[str]]:
    by_volunteer = {e.volunteer.pk: e for e in erasures}
    reasons: dict[int, list[str]] = {}
    for agreement in Agreement.objects.filter(volunteer_id__in=by_volunteer, status__in=IN_FORCE).order_by(
        "pk"
    ):
        erasure = by_volunteer[agreement.volunteer_id]
        ends = _notice_runs_until(agreement, erasure)
        if ends <= erasure.today:
            continue
        if erasure.actor is not None and not permissions.has_unit_perm(
            erasure.actor, permissions.VIEW, agreement.unit
        ):
            # Another institution's agreement: when, not which.
            text = terms.for_institution_id(agreement.institution_id).gettext(
                "An agreement with another institution is in force and its notice period runs from the "
                "request until %(date)s. Confirm the erasure from that day."
            ) % {"date": date_format(ends, "j.m.Y")}
        else:
            text = terms.for_institution_id(agreement.institution_id).gettext(
                "Agreement %(number)s is in force and its notice period of %(days)d days runs from "
                "the request until %(date)s. Confirm the erasure from that day, or first end the "
                "agreement sooner if both parties agree."
            ) % {
                "number": agreement.number or agreement.pk,
                "days": agreement.notice_days,
                "date": date_format(ends, "j.m.Y"),
            }
        reasons.setdefault(agreement.volunteer_id, []).append(text)
    return reasons


def _erase(erasure: Erasure) -> None:
    now = timezone.now()
    with translation.override("lv"):  # stored text, shown to the institution's staff
        reason = _("The volunteer asked for their personal data to be erased.")
        revoked = {
            term: terms.AgreementTerms(term).gettext(
                "The volunteer's data was erased; the agreement ended on %(date)s."
            )
            % {"date": date_format(erasure.today, "j.m.Y")}
            for term in (terms.VIENOSANAS, terms.LIGUMS)
        }
    for agreement in Agreement.objects.select_for_update(of=("self",)).filter(volunteer=erasure.volunteer):
        was = agreement.status
        if was != Status.ENDED:
            agreement.status = Status.ENDED
            agreement.status_changed_at = now
            agreement.end_kind = Agreement.EndKind.TERMINATED
            agreement.terminated_by = Agreement.TerminatedBy.VOLUNTEER
            agreement.notice_date = erasure.notice_date if was in IN_FORCE else None
            agreement.ended_on = erasure.today
            agreement.termination_reason = reason
            audit_record(
                actor=erasure.actor,
                action="agreement.end",
                target=agreement,
                unit=agreement.unit,
                data={"kind": "terminated", "by": "volunteer", "reason": "erasure", "from": was},
            )
            documents_revoke(
                subject=agreement,
                reason=revoked[terms.for_institution_id(agreement.institution_id).term],
                actor=erasure.actor,
            )
            agreement_ended.send(sender=Agreement, agreement=agreement, actor=erasure.actor)
        else:
            agreement.termination_reason = ""
        agreement.guardian_name = ""
        if agreement.own_policy:  # the volunteer's own insurance policy number is theirs
            agreement.insurance_policy = ""
        agreement.save()
    history = Agreement.history.model.objects.filter(volunteer_id=erasure.volunteer.pk)
    history.update(guardian_name="", termination_reason="")
    history.filter(own_policy=True).update(insurance_policy="")


register(
    Section(
        key="agreements",
        title=lambda reader: pgettext(terms.for_user(reader).context, "Agreements"),
        template="agreements/personal_data.html",
        export=_export,
        erase=_erase,
        blockers=_blockers,
        models=("agreements.Agreement",),
        audit_targets=lambda volunteer: [
            (Agreement, Agreement.objects.filter(volunteer=volunteer).values_list("pk", flat=True))
        ],
        staff_only={
            "agreements.AgreementTemplate": "created_by is the staff member who wrote the version",
        },
        order=55,
    )
)
