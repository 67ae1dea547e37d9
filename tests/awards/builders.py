"""Builders for the award tests: the award administrator, a cycle in each status (through the
services, so that each step's rules hold), a jury with its chair, nominations from a
coordinator and from the public form, eligible nominations, score sheets, and the supporting
files (real and fake).

A cycle's nomination window runs from 30 days ago to 30 days ahead, so that nominations are
taken today; the steps after the window are given ``AFTER_CLOSE`` as their day."""

from __future__ import annotations

import itertools
from datetime import timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from awards import services
from awards.models import FILE_MAX_BYTES, AwardCycle, JuryMember, Nomination
from events.models import HoursRecord, HoursState
from institutions import permissions
from institutions.models import Institution, Unit
from tests.events import builders as event_builders
from tests.factories import InstitutionFactory, UnitFactory, UserFactory, unit_coordinator

Status = AwardCycle.Status
NStatus = Nomination.Status

TODAY = timezone.localdate
OPENS = -30  # days from today
CLOSES = 30


def after_close(cycle: AwardCycle):
    """The first day after the cycle's nominations close (for ``scoring_start``)."""
    return cycle.nominations_close + timedelta(days=1)


JUSTIFICATION = (
    "Septiņus gadus katru nedēļu vada šaha pulciņu Olaines cietumā; trīs no viņa audzēkņiem pēc "
    "atbrīvošanas paši kļuvuši par brīvprātīgajiem un palīdz jauniešiem."
)
CITATION = "Par septiņiem gadiem nesavtīga darba Olaines cietumā un iedvesmu citiem."

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64

_years = itertools.count(2030)


# --- People


def ministry_unit() -> Unit:
    """The Ministry's unit, which owns the award's audit entries and diplomas (the migration
    loads it; a transactional test may have flushed it)."""
    ministry = InstitutionFactory(code=Institution.Code.TM)
    return UnitFactory(
        institution=ministry, slug="tieslietu-ministrija", name="Tieslietu ministrija", kind="central"
    )


def award_admin(**user):
    ministry_unit()
    person = UserFactory(
        **{"email": "anna.balva@example.lv", "first_name": "Anna", "last_name": "Balva", **user}
    )
    permissions.grant_award_administrator(person)
    return person


def volunteer_at(unit, *, hours: str | None = None, language: str = "lv", **user):
    """A volunteer with an agreement in force at ``unit`` (and ``hours`` approved there)."""
    volunteer = event_builders.volunteer_at(unit, **user)
    if language != "lv":
        volunteer.user.language = language
        volunteer.user.save(update_fields=["language"])
    if hours:
        event = event_builders.past_approved(unit, unit_coordinator(unit), volunteer)
        HoursRecord.objects.create(
            volunteer=volunteer,
            unit=unit,
            kind=HoursRecord.Kind.EVENT,
            event=event,
            field=event.field,
            activity_type=event.activity_type,
            day=TODAY() - timedelta(days=3),
            hours=Decimal(hours),
            state=HoursState.APPROVED,
        )
    return volunteer


# --- Cycles


def details(year: int | None = None, **changes) -> services.CycleDetails:
    values = {
        "year": year or next(_years),
        "nominations_open": TODAY() + timedelta(days=OPENS),
        "nominations_close": TODAY() + timedelta(days=CLOSES),
        "conference_date": TODAY() + timedelta(days=CLOSES + 60),
        "conference_place": "Rīga, Latvijas Nacionālā bibliotēka",
        "signatory_name": "Inese Lībiņa-Egnere",
        "signatory_title": "Tieslietu ministre",
    }
    values.update(changes)
    return services.CycleDetails(**values)


def draft(admin, year: int | None = None, **changes) -> AwardCycle:
    return services.cycle_create(actor=admin, details=details(year, **changes))


def open_cycle(admin, year: int | None = None, **changes) -> AwardCycle:
    return services.cycle_open(actor=admin, cycle=draft(admin, year, **changes))


def jury(cycle, admin, *, members: int = 2) -> list[JuryMember]:
    """A chair and ``members - 1`` others (new accounts)."""
    made = []
    for index in range(members):
        made.append(
            services.jury_member_add(
                actor=admin,
                cycle=cycle,
                email=f"juror{index}.{cycle.year}@example.lv",
                first_name="Žūrija",
                last_name=f"Loceklis{index}",
                is_chair=index == 0,
            )
        )
    return made


def scoring(admin, checker, nominations, *, members: int = 2, cycle=None):
    """An open cycle whose ``nominations`` (builders given the cycle) are made eligible by
    ``checker``; a jury; scoring started. Returns (cycle, eligible nominations, jury)."""
    cycle = cycle or open_cycle(admin)
    made = [eligible(build(cycle), checker) for build in nominations]
    panel = jury(cycle, admin, members=members)
    cycle = services.scoring_start(actor=admin, cycle=cycle, today=after_close(cycle))
    return cycle, made, panel


def scores(cycle, value: int | None = None) -> dict[int, int]:
    """Every criterion's score (``value``, or its highest)."""
    return {c.pk: value if value is not None else c.max_score for c in cycle.criteria.all()}


def submit(member: JuryMember, nomination: Nomination, value: int | None = None):
    return services.sheet_save(
        actor=member.user, nomination=nomination, scores=scores(nomination.cycle, value), submit=True
    )


def decided(admin, checker, nominations, *, citation: str = CITATION):
    """Scored by every member (the first nomination highest) and the first confirmed."""
    cycle, made, members = scoring(admin, checker, nominations)
    for member in members:
        for index, nomination in enumerate(made):
            submit(member, nomination, value=max(2 - index, 1))
    services.laureates_confirm(actor=members[0].user, cycle=cycle, citations={made[0].pk: citation})
    cycle.refresh_from_db()
    for nomination in made:
        nomination.refresh_from_db()
    return cycle, made, members


# --- Nominations


def pdf(name: str = "ieteikums.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def png(name: str = "foto.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def text_named_pdf() -> SimpleUploadedFile:
    return SimpleUploadedFile("ieteikums.pdf", b"Just some text, not a PDF.", content_type="application/pdf")


def too_large() -> SimpleUploadedFile:
    return SimpleUploadedFile("liels.pdf", PDF + b"0" * FILE_MAX_BYTES, content_type="application/pdf")


def public_data(institution, unit=None, **changes) -> services.PublicNomination:
    values = {
        "nominator_name": "Marta Kalniņa",
        "nominator_email": "Marta.Kalnina@example.lv",
        "nominator_organisation": "Biedrība „Otrā iespēja”",
        "nominee_name": "Pēteris Zariņš",
        "nominee_email": "peteris.zarins@example.lv",
        "institution": institution,
        "unit": unit,
        "nominee_place": "" if unit is not None else "Biedrība „Otrā iespēja”, Rīga",
        "justification": JUSTIFICATION,
    }
    values.update(changes)
    return services.PublicNomination(**values)


def public(cycle, institution, unit=None, *, files=(), language="lv", **changes) -> Nomination:
    return services.nomination_submit_public(
        cycle=cycle, data=public_data(institution, unit, **changes), files=files, language=language
    )


def by_coordinator(cycle, coordinator, unit, volunteer=None, *, files=(), **user) -> Nomination:
    return services.nomination_create(
        actor=coordinator,
        cycle=cycle,
        volunteer=volunteer or volunteer_at(unit, **user),
        unit=unit,
        justification=JUSTIFICATION,
        files=files,
    )


def eligible(nomination: Nomination, checker) -> Nomination:
    return services.nomination_check(actor=checker, nomination=nomination, eligible=True)
