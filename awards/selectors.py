"""Every read of the award's data, scoped to who asks (another person's nomination or a
cycle one may not see answers 404).

* award administrators (and superusers) read everything;
* central coordinators read the nominations of their institution (they check eligibility);
* unit coordinators read the nominations they made;
* jury members read their cycle's eligible nominations once scoring has started — and the
  others' scores of a nomination only after submitting their own sheet;
* the ministry's viewers read the cycles and their counts, not the nominations."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import Avg, Count, Q, QuerySet, Sum
from django.http import Http404
from django.utils import translation

from agreements.models import IN_FORCE, Agreement
from agreements.models import Status as AgreementStatus
from institutions import permissions
from volunteers.models import Application, Volunteer

from .models import AwardCycle, JuryMember, Nomination, NominationFile, Score, ScoreSheet

if TYPE_CHECKING:
    from accounts.models import User
    from institutions.models import Unit

Status = AwardCycle.Status
NStatus = Nomination.Status
JURY_STATUSES = (Status.SCORING, Status.DECIDED, Status.ANNOUNCED)
WORKED = [*IN_FORCE, AgreementStatus.ENDED]


# --- Who may do what


def is_admin(user) -> bool:
    return permissions.is_award_admin(user)


def member_of(user, cycle: AwardCycle) -> JuryMember | None:
    if not user.is_authenticated or not permissions.roles_for(user).juror:
        return None
    return JuryMember.objects.filter(cycle=cycle, user=user).first()


def can_nominate(user) -> bool:
    return bool(permissions.roles_for(user).coordinate_unit_ids)


# --- Cycles


def open_cycle() -> AwardCycle | None:
    """The cycle taking nominations (the public form's), if any."""
    return AwardCycle.objects.filter(status=Status.OPEN).order_by("-year").first()


def cycles_for(user: User) -> QuerySet[AwardCycle]:
    roles = permissions.roles_for(user)
    cycles = AwardCycle.objects.all()
    if roles.superuser or roles.award_admin:
        return cycles
    if roles.is_staff_role:
        return cycles.exclude(status=Status.DRAFT)
    if roles.juror:
        return cycles.filter(jury__user=user).distinct()
    return cycles.none()


def cycle_for(user: User, year: int) -> AwardCycle:
    cycle = cycles_for(user).filter(year=year).first()
    if cycle is None:
        raise Http404
    return cycle


def jury(cycle: AwardCycle) -> list[JuryMember]:
    return list(cycle.jury.select_related("user"))


# --- Nominations


def _visible(user: User, cycle: AwardCycle | None = None) -> Q:
    roles = permissions.roles_for(user)
    if roles.superuser or roles.award_admin:
        return Q()
    condition = Q(pk__in=[])
    if roles.central_of:
        condition |= Q(institution_id__in=roles.central_of)
    if roles.coordinate_unit_ids:
        condition |= Q(nominated_by=user)
    if roles.juror:
        condition |= Q(
            status=NStatus.ELIGIBLE,
            cycle__status__in=JURY_STATUSES,
            cycle__jury__user=user,
        )
    return condition


def nominations_for(user: User, cycle: AwardCycle) -> QuerySet[Nomination]:
    if not user.is_authenticated:
        return Nomination.objects.none()
    return (
        Nomination.objects.filter(cycle=cycle)
        .filter(_visible(user, cycle))
        .select_related("cycle", "institution", "unit", "volunteer__user")
        .distinct()
        .order_by("number")
    )


def nomination_for(user: User, pk: int) -> Nomination:
    if not user.is_authenticated:
        raise Http404
    nomination = (
        Nomination.objects.filter(_visible(user))
        .select_related("cycle", "institution", "unit", "volunteer__user", "nominated_by", "checked_by")
        .filter(pk=pk)
        .distinct()
        .first()
    )
    if nomination is None:
        raise Http404
    return nomination


def sees_contacts(user: User, nomination: Nomination) -> bool:
    """Email addresses and the supporting files' owners: who needs them to act, not the jury."""
    roles = permissions.roles_for(user)
    return (
        roles.superuser
        or roles.award_admin
        or nomination.institution_id in roles.central_of
        or (nomination.nominated_by_id is not None and nomination.nominated_by_id == user.pk)
    )


def can_check(user: User, nomination: Nomination) -> bool:
    roles = permissions.roles_for(user)
    return (
        roles.superuser or nomination.institution_id in roles.central_of
    ) and nomination.cycle.status == Status.OPEN


def can_link(user: User, nomination: Nomination) -> bool:
    """The central office links the volunteer's record while the cycle takes nominations (the
    jury then reads the summary as it was)."""
    roles = permissions.roles_for(user)
    return (
        roles.superuser or nomination.institution_id in roles.central_of
    ) and nomination.cycle.status == Status.OPEN


def nomination_file_for(user: User, pk: int) -> NominationFile:
    """A supporting file, for whoever may read its nomination (404 otherwise)."""
    file = NominationFile.objects.filter(pk=pk).first()
    if file is None:
        raise Http404
    file.nomination = nomination_for(user, file.nomination_id)
    return file


def diploma_nomination_for(user: User, pk: int) -> Nomination:
    """A laureate's nomination, for its diploma: the administrator, the cycle's jury and — once
    the cycle is announced — the laureate volunteer of a linked record (404 for anyone else)."""
    if not user.is_authenticated:
        raise Http404
    nomination = (
        Nomination.objects.filter(pk=pk, is_laureate=True)
        .select_related("cycle", "institution", "unit", "volunteer__user")
        .first()
    )
    if nomination is None:
        raise Http404
    own = (
        nomination.volunteer_id is not None
        and nomination.volunteer.user_id == user.pk
        and nomination.volunteer.anonymised_at is None
        and nomination.cycle.status == Status.ANNOUNCED
    )
    if not (is_admin(user) or own or member_of(user, nomination.cycle) is not None):
        raise Http404
    return nomination


def status_counts(cycle: AwardCycle, nominations: QuerySet[Nomination]) -> dict[str, int]:
    """Nominations per status, in one query."""
    counts = dict.fromkeys(NStatus.values, 0)
    for row in nominations.order_by().values("status").annotate(n=Count("pk", distinct=True)):
        counts[row["status"]] = row["n"]
    counts["all"] = sum(counts.values())
    return counts


def laureates(cycle: AwardCycle) -> QuerySet[Nomination]:
    return (
        cycle.nominations.filter(is_laureate=True)
        .select_related("volunteer__user", "cycle")
        .order_by("number")
    )


# --- Volunteers (for coordinators' nominations and the central office's link)


def nominable_volunteers(user: User, unit: Unit) -> QuerySet[Volunteer]:
    """Volunteers who work or worked at the unit under an agreement (signed, in force or ended)."""
    if not permissions.has_unit_perm(user, permissions.COORDINATE, unit):
        return Volunteer.objects.none()
    return (
        Volunteer.objects.filter(
            anonymised_at__isnull=True,
            agreements__unit=unit,
            agreements__status__in=WORKED,
        )
        .select_related("user")
        .distinct()
        .order_by("user__last_name", "user__first_name", "pk")
    )


def nominable_volunteer_ids(user: User, *, unit: Unit, ids: list[int]) -> set[int]:
    return set(nominable_volunteers(user, unit).filter(pk__in=ids).values_list("pk", flat=True))


def institution_volunteers(institution_id: int) -> QuerySet[Volunteer]:
    """People with an application or an agreement at the institution."""
    return (
        Volunteer.objects.filter(anonymised_at__isnull=True)
        .filter(
            Q(applications__institution_id=institution_id)
            | Q(agreements__unit__institution_id=institution_id)
        )
        .select_related("user")
        .distinct()
    )


def institution_volunteer_ids(institution_id: int, *, ids: list[int]) -> set[int]:
    return set(institution_volunteers(institution_id).filter(pk__in=ids).values_list("pk", flat=True))


def volunteer_search(institution_id: int, query: str, *, limit: int = 20) -> list[Volunteer]:
    """For linking a public nomination: by name or email at the institution."""
    query = (query or "").strip()
    if len(query) < 2:
        return []
    words = query.split()
    found = institution_volunteers(institution_id)
    for word in words:
        found = found.filter(
            Q(user__first_name__icontains=word)
            | Q(user__last_name__icontains=word)
            | Q(user__email__icontains=word)
        )
    return list(found.order_by("user__last_name", "user__first_name", "pk")[:limit])


def volunteer_summary(volunteer: Volunteer, *, institution_id: int) -> dict:
    """What the volunteer's record says (kept with the nomination as it was that day): units,
    roles, years active and approved hours at the institution."""
    from events.models import HoursRecord, HoursState

    agreements = list(
        Agreement.objects.filter(volunteer=volunteer, unit__institution_id=institution_id, status__in=WORKED)
        .select_related("unit", "role")
        .order_by("start_date")
    )
    hours = (
        HoursRecord.objects.filter(
            volunteer=volunteer, unit__institution_id=institution_id, state=HoursState.APPROVED
        ).aggregate(total=Sum("hours"))["total"]
        or 0
    )
    with translation.override(settings.LANGUAGE_CODE):  # kept as the record said it, in Latvian
        roles = sorted({str(a.role) for a in agreements})
    first = min((a.start_date for a in agreements), default=None)
    last = max((a.end_date for a in agreements), default=None)
    return {
        "units": sorted({a.unit.name for a in agreements}),
        "roles": roles,
        "since": first.year if first else None,
        "until": last.year if last else None,
        "agreements": len(agreements),
        "hours": str(Decimal(hours).quantize(Decimal("0.1"))),
        "applied": Application.objects.filter(volunteer=volunteer, institution_id=institution_id).count(),
    }


# --- Scoring


@dataclass
class Progress:
    members: list[JuryMember]
    eligible: int
    done: dict[int, int]  # member id → sheets submitted (scores or conflict)
    missing: int
    complete: bool


def scoring_progress(cycle: AwardCycle) -> Progress:
    members = list(cycle.jury.select_related("user"))
    eligible = cycle.nominations.filter(status=NStatus.ELIGIBLE).count()
    done: dict[int, int] = defaultdict(int)
    for row in (
        ScoreSheet.objects.filter(
            member__cycle=cycle, submitted_at__isnull=False, nomination__status=NStatus.ELIGIBLE
        )
        .values("member_id")
        .annotate(n=Count("pk"))
    ):
        done[row["member_id"]] = row["n"]
    missing = sum(max(eligible - done[m.pk], 0) for m in members)
    return Progress(
        members=members,
        eligible=eligible,
        done=dict(done),
        missing=missing,
        complete=bool(members) and eligible > 0 and missing == 0,
    )


def own_sheets(member: JuryMember) -> dict[int, ScoreSheet]:
    """The member's sheets by nomination id (with their scores)."""
    return {
        sheet.nomination_id: sheet
        for sheet in ScoreSheet.objects.filter(member=member).prefetch_related("scores")
    }


def sheet_of(member: JuryMember, nomination: Nomination) -> ScoreSheet | None:
    return ScoreSheet.objects.filter(member=member, nomination=nomination).prefetch_related("scores").first()


def others_visible(member: JuryMember | None, sheet: ScoreSheet | None) -> bool:
    """A member sees the others' scores of a nomination only after submitting their own."""
    return member is not None and sheet is not None and sheet.submitted_at is not None and not sheet.conflict


def other_sheets(nomination: Nomination, member: JuryMember) -> list[ScoreSheet]:
    return list(
        ScoreSheet.objects.filter(nomination=nomination, submitted_at__isnull=False)
        .exclude(member=member)
        .select_related("member__user")
        .prefetch_related("scores__criterion")
        .order_by("member__user__last_name", "pk")
    )


@dataclass
class RankingRow:
    nomination: Nomination
    average: Decimal | None  # mean over the scoring members of their sheet's total
    by_criterion: dict[int, Decimal] = field(default_factory=dict)
    sheets: int = 0
    conflicts: int = 0
    place: int | None = None


def _round(value) -> Decimal | None:
    return None if value is None else Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def ranking(cycle: AwardCycle) -> list[RankingRow]:
    """The eligible nominations by the mean total score of the submitted sheets (conflicts are
    left out), with the mean per criterion — three aggregate queries."""
    nominations = list(
        cycle.nominations.filter(status=NStatus.ELIGIBLE).select_related(
            "institution", "unit", "volunteer__user"
        )
    )
    rows = {n.pk: RankingRow(nomination=n, average=None) for n in nominations}
    scored = ScoreSheet.objects.filter(nomination__in=rows, submitted_at__isnull=False)
    for row in scored.values("nomination_id").annotate(
        sheets=Count("pk", filter=Q(conflict=False)), conflicts=Count("pk", filter=Q(conflict=True))
    ):
        rows[row["nomination_id"]].sheets = row["sheets"]
        rows[row["nomination_id"]].conflicts = row["conflicts"]
    totals: dict[int, list[int]] = defaultdict(list)
    for row in (
        Score.objects.filter(sheet__in=scored.filter(conflict=False))
        .values("sheet_id", "sheet__nomination_id")
        .annotate(total=Sum("value"))
    ):
        totals[row["sheet__nomination_id"]].append(row["total"])
    for pk, values in totals.items():
        rows[pk].average = _round(sum(values) / len(values))
    for row in (
        Score.objects.filter(sheet__in=scored.filter(conflict=False))
        .values("sheet__nomination_id", "criterion_id")
        .annotate(mean=Avg("value"))
    ):
        rows[row["sheet__nomination_id"]].by_criterion[row["criterion_id"]] = _round(row["mean"])
    ordered = sorted(
        rows.values(),
        key=lambda r: (r.average is None, -(r.average or 0), r.nomination.nominee_name, r.nomination.number),
    )
    place, previous = 0, object()
    for index, row in enumerate(ordered, start=1):
        if row.average != previous:
            place = index
            previous = row.average
        row.place = place if row.average is not None else None
    return ordered


def ranking_visible(user: User, cycle: AwardCycle, progress: Progress | None = None) -> bool:
    """The administrator and the jury see the ranking once every sheet is in (before that it
    would tell a member how the others scored); afterwards it stays visible to them."""
    if cycle.status in (Status.DECIDED, Status.ANNOUNCED):
        return is_admin(user) or member_of(user, cycle) is not None
    if cycle.status != Status.SCORING:
        return False
    if not (is_admin(user) or member_of(user, cycle) is not None):
        return False
    progress = progress or scoring_progress(cycle)
    return progress.complete


# --- Public


def public_years() -> QuerySet[AwardCycle]:
    return AwardCycle.objects.filter(status=Status.ANNOUNCED).order_by("-year")


def public_laureates(cycle: AwardCycle) -> list[Nomination]:
    return list(
        cycle.nominations.filter(is_laureate=True, public_consent=True)
        .select_related("institution", "unit", "volunteer__user")
        .order_by("nominee_name", "number")
    )


def public_years_with_laureates() -> list[AwardCycle]:
    """Every announced year, each with ``public_laureates`` (those who consented) — two
    queries for any number of years."""
    from django.db.models import Prefetch

    consented = (
        Nomination.objects.filter(is_laureate=True, public_consent=True)
        .select_related("institution", "unit", "volunteer__user")
        .order_by("nominee_name", "number")
    )
    laureates = Prefetch("nominations", consented, to_attr="public_laureates")
    return list(public_years().prefetch_related(laureates))


def nomination_by_reference(reference: str) -> Nomination | None:
    """``CC-2026-007`` → that nomination (for the public receipt, which checks the session)."""
    import re

    match = re.fullmatch(r"CC-(\d{4})-(\d{3,5})", reference)
    if match is None:
        return None
    return (
        Nomination.objects.select_related("cycle")
        .filter(cycle__year=int(match[1]), number=int(match[2]))
        .first()
    )


def public_cycle(year: int) -> AwardCycle:
    cycle = public_years().filter(year=year).first()
    if cycle is None:
        raise Http404
    return cycle


def diplomas_of(nominations: list[Nomination]) -> dict:
    """The newest diploma (not revoked) of each laureate, by nomination id — one query."""
    from django.contrib.contenttypes.models import ContentType

    from documents.models import Document

    from .services import DIPLOMA

    if not nominations:
        return {}
    found: dict = {}
    for document in Document.objects.filter(
        content_type=ContentType.objects.get_for_model(Nomination),
        object_id__in=[n.pk for n in nominations],
        kind=DIPLOMA,
        revoked_at__isnull=True,
    ).order_by("object_id", "-version"):
        found.setdefault(document.object_id, document)
    return found
