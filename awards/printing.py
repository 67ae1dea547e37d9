"""The award's document, registered with the shared documents app (see
``documents.registry``): the laureate's diploma, in the nomination's language (Latvian or
English), A4 landscape, owned by the Ministry of Justice."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from documents.registry import DocumentKind, register
from institutions import permissions

from .models import AWARD_TITLE, AwardCycle
from .services import DIPLOMA, _ministry_unit

# The ministry's name as the diploma prints it (a proper name: not left to the translator).
MINISTRY_NAME = {"lv": "Tieslietu ministrija", "en": "Ministry of Justice of the Republic of Latvia"}
DIPLOMA_TITLE = {"lv": "Diploms", "en": "Diploma"}


def _language(nomination) -> str:
    return nomination.language if nomination.language in ("lv", "en") else "lv"


def _diploma_context(nomination) -> dict:
    cycle = nomination.cycle
    language = _language(nomination)
    decided = cycle.decided_at or nomination.confirmed_at
    return {
        "nomination": nomination,
        "cycle": cycle,
        "name": nomination.name_for_diploma,
        "citation": nomination.citation,
        "year": cycle.year,
        "award_title": AWARD_TITLE,
        "ministry": MINISTRY_NAME[language],
        "document_title": DIPLOMA_TITLE[language],
        "conference_name": cycle.conference_name,
        "conference_date": cycle.conference_date,
        "conference_place": cycle.conference_place,
        "signatory_name": cycle.signatory_name,
        "signatory_title": cycle.signatory_title,
        "date": cycle.conference_date or (timezone.localdate(decided) if decided else None),
    }


def _can_view(user, nomination) -> bool:
    if not user.is_authenticated:
        return False
    if permissions.is_award_admin(user):
        return True
    if nomination.cycle.jury.filter(user=user).exists():
        return True
    # The laureate themself, once the cycle is announced (as selectors.diploma_nomination_for).
    volunteer = nomination.volunteer
    return (
        volunteer is not None
        and volunteer.user_id == user.pk
        and volunteer.anonymised_at is None
        and nomination.cycle.status == AwardCycle.Status.ANNOUNCED
    )


register(
    DocumentKind(
        key=DIPLOMA,
        label=_("Award diploma"),
        model="awards.Nomination",
        template="pdf/award_diploma.html",
        context=_diploma_context,
        filename=lambda nomination, document: f"diploms-{nomination.cycle.year}-{nomination.number}.pdf",
        number=lambda nomination: nomination.reference,
        holder_name=lambda nomination: nomination.name_for_diploma,
        unit=lambda nomination: _ministry_unit(),
        can_view=_can_view,
        can_manage=lambda user, nomination: permissions.is_award_admin(user),
        page_url=lambda nomination: reverse("awards:nomination", args=[nomination.pk]),
        select_related=("cycle", "volunteer__user"),
        language=_language,
        volunteer_field="volunteer",
    )
)
