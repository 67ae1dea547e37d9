"""Every read of casework. A client's records are read by the coordinators of its unit (and
VPD's central coordinators: COORDINATE on the unit) and by the client's supervising officer —
never by the ministry, which sees counts only. Another unit's record answers 404. A
volunteer reads only their own pairs, circles and cases, with the references alone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from dateutil.relativedelta import relativedelta
from django.db.models import Count, Exists, Max, OuterRef, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import ExtractMonth
from django.http import Http404
from django.utils import timezone

from agreements.models import IN_FORCE, Agreement
from institutions import permissions
from institutions.models import Unit
from volunteers.models import Role, Volunteer

from .models import (
    CIRCLE_MIN,
    CIRCLE_WARN_MONTHS,
    Circle,
    CircleMember,
    CirclePhase,
    ClientReference,
    MediationCase,
    MediatorCertificate,
    Meeting,
    MentoringPair,
    PairState,
    Review,
)
from .reminders import review_due_on

if TYPE_CHECKING:
    from accounts.models import User


# A mediator's certificate is flagged (casework page, coordinators' to-dos) this many days
# before it lapses.
CERTIFICATE_WARNING_DAYS = 60


def coordinated_unit_ids(user: User) -> frozenset[int]:
    return permissions.unit_ids_for(user, permissions.COORDINATE)


def _readable(user: User, *, client_path: str = "client") -> Q:
    """The records of units the person coordinates, and of the clients they supervise."""
    officer = f"{client_path}__officer" if client_path else "officer"
    return Q(unit_id__in=coordinated_unit_ids(user)) | Q(**{officer: user})


def may_read_casework(user: User) -> bool:
    """Coordinators (unit or central) and officers; not the ministry's viewers."""
    if not user.is_authenticated:
        return False
    return bool(coordinated_unit_ids(user)) or ClientReference.objects.filter(officer=user).exists()


def _one(queryset: QuerySet, pk: int):
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


# --- Clients


def clients_for(user: User) -> QuerySet[ClientReference]:
    return (
        ClientReference.objects.filter(_readable(user, client_path=""))
        .select_related("unit", "officer")
        .annotate(
            pairs_active=Count("pairs", filter=Q(pairs__state=PairState.ACTIVE), distinct=True),
            circles_active=Count("circles", filter=~Q(circles__phase=CirclePhase.ENDED), distinct=True),
        )
        .order_by("-active_from", "code")
    )


def client_for(user: User, pk: int) -> ClientReference:
    return _one(
        ClientReference.objects.filter(_readable(user, client_path="")).select_related("unit", "officer"), pk
    )


def client_records(client: ClientReference) -> dict:
    return {
        "pairs": list(client.pairs.select_related("mentor__user").order_by("-starts_on")),
        "circles": list(client.circles.order_by("-formed_on")),
    }


def officers_for(unit: Unit) -> list:
    """Staff who may supervise a client of the unit: its coordinators and the institution's
    central coordinators."""
    people = {p.pk: p for p in permissions.coordinators_by_unit([unit.pk]).get(unit.pk, [])}
    for person in permissions.central_coordinators_by_institution([unit.institution_id]).get(
        unit.institution_id, []
    ):
        people.setdefault(person.pk, person)
    return sorted(people.values(), key=lambda p: (p.last_name, p.first_name, p.email))


def volunteers_in_role(unit: Unit, role_code: str, *, day: date | None = None) -> QuerySet[Volunteer]:
    """Volunteers with an agreement in force at ``unit`` for the role (today, or ``day``)."""
    day = day or timezone.localdate()
    ids = Agreement.objects.filter(
        unit=unit, role__code=role_code, status__in=IN_FORCE, start_date__lte=day, end_date__gte=day
    ).values("volunteer_id")
    return (
        Volunteer.objects.filter(pk__in=ids, anonymised_at__isnull=True)
        .select_related("user")
        .order_by("user__last_name", "user__first_name")
    )


def certified_mediators(unit: Unit, *, day: date | None = None) -> QuerySet[Volunteer]:
    day = day or timezone.localdate()
    valid = MediatorCertificate.objects.filter(
        volunteer=OuterRef("pk"), annulled_on__isnull=True, issued_on__lte=day, valid_until__gte=day
    )
    return volunteers_in_role(unit, Role.Code.MEDIATOR, day=day).filter(Exists(valid))


# --- Pairs


def _last_review():
    return Max("reviews__reviewed_on")


def pairs_for(user: User) -> QuerySet[MentoringPair]:
    return (
        MentoringPair.objects.filter(_readable(user))
        .select_related("unit", "client", "mentor__user")
        .annotate(last_review=_last_review(), meetings_count=Count("meetings", distinct=True))
        .order_by("state", "-starts_on", "pk")
    )


def pair_for(user: User, pk: int) -> MentoringPair:
    return _one(pairs_for(user), pk)


@dataclass
class PairDetail:
    pair: MentoringPair
    meetings: list[Meeting]
    reviews: list[Review]
    review_due: date | None
    hours: Decimal


def pair_detail(pair: MentoringPair) -> PairDetail:
    meetings = list(pair.meetings.select_related("logged_by").order_by("-day", "-pk"))
    reviews = list(pair.reviews.select_related("officer").order_by("-reviewed_on", "-pk"))
    last = reviews[0].reviewed_on if reviews else None
    return PairDetail(
        pair=pair,
        meetings=meetings,
        reviews=reviews,
        review_due=review_due_on(pair.starts_on, last) if pair.state == PairState.ACTIVE else None,
        hours=sum((m.hours for m in meetings), Decimal("0")),
    )


# --- Circles


def _active_members_prefetch() -> Prefetch:
    return Prefetch(
        "members",
        queryset=CircleMember.objects.filter(left_on__isnull=True).select_related("volunteer__user"),
        to_attr="active_members",
    )


def circles_for(user: User) -> QuerySet[Circle]:
    return (
        Circle.objects.filter(_readable(user))
        .select_related("unit", "client")
        .annotate(
            members_count=Count("members", filter=Q(members__left_on__isnull=True), distinct=True),
            last_review=_last_review(),
        )
        .order_by("phase", "-formed_on", "pk")
    )


def circle_for(user: User, pk: int) -> Circle:
    return _one(circles_for(user).prefetch_related(_active_members_prefetch(), "outer"), pk)


@dataclass
class CircleDetail:
    circle: Circle
    members: list[CircleMember]
    former: list[CircleMember]
    meetings: list[Meeting]
    reviews: list[Review]
    can_meet: bool
    below_minimum: bool
    past_warning: bool
    review_due: date | None


def circle_detail(circle: Circle, *, today: date | None = None) -> CircleDetail:
    today = today or timezone.localdate()
    members = list(circle.members.filter(left_on__isnull=True).select_related("volunteer__user"))
    former = list(circle.members.filter(left_on__isnull=False).select_related("volunteer__user"))
    meetings = list(
        circle.meetings.prefetch_related("attendees__user")
        .select_related("logged_by")
        .order_by("-day", "-pk")
    )
    reviews = list(circle.reviews.select_related("officer").order_by("-reviewed_on", "-pk"))
    active = circle.phase == CirclePhase.ACTIVE
    last = reviews[0].reviewed_on if reviews else None
    return CircleDetail(
        circle=circle,
        members=members,
        former=former,
        meetings=meetings,
        reviews=reviews,
        can_meet=active and len(members) >= CIRCLE_MIN,
        below_minimum=circle.phase != CirclePhase.ENDED and len(members) < CIRCLE_MIN,
        past_warning=bool(
            active
            and circle.active_from
            and today >= circle.active_from + relativedelta(months=CIRCLE_WARN_MONTHS)
        ),
        review_due=review_due_on(circle.active_from, last) if active and circle.active_from else None,
    )


# --- Mediation


def _uncertified_today(today: date) -> Exists:
    """An open case with a mediator who has no valid certificate today."""
    valid = MediatorCertificate.objects.filter(
        volunteer=OuterRef("volunteer_id"),
        annulled_on__isnull=True,
        issued_on__lte=today,
        valid_until__gte=today,
    )
    through = MediationCase.mediators.through
    return Exists(through.objects.filter(mediationcase_id=OuterRef("pk")).exclude(Exists(valid)))


def cases_for(user: User, *, today: date | None = None) -> QuerySet[MediationCase]:
    today = today or timezone.localdate()
    return (
        MediationCase.objects.filter(Q(unit_id__in=coordinated_unit_ids(user)))
        .select_related("unit")
        .prefetch_related(Prefetch("mediators", queryset=Volunteer.objects.select_related("user")))
        .annotate(
            uncertified=_uncertified_today(today),
            sessions_count=Count("sessions", distinct=True),
            hours_total=Sum("sessions__hours"),
        )
        .order_by("closed_on", "-opened_on", "pk")
    )


def case_for(user: User, pk: int) -> MediationCase:
    return _one(cases_for(user), pk)


def certificates_for(user: User) -> QuerySet[MediatorCertificate]:
    return (
        MediatorCertificate.objects.filter(unit_id__in=coordinated_unit_ids(user))
        .select_related("unit", "volunteer__user")
        .order_by("annulled_on", "valid_until", "pk")
    )


def certificate_for(user: User, pk: int) -> MediatorCertificate:
    return _one(certificates_for(user), pk)


# --- The volunteer's own


def my_pairs(volunteer: Volunteer) -> QuerySet[MentoringPair]:
    return (
        MentoringPair.objects.filter(mentor=volunteer)
        .select_related("unit", "client")
        .order_by("state", "-starts_on")
    )


def my_pair(volunteer: Volunteer, pk: int) -> MentoringPair:
    return _one(my_pairs(volunteer), pk)


def my_circles(volunteer: Volunteer) -> QuerySet[Circle]:
    return (
        Circle.objects.filter(members__volunteer=volunteer)
        .distinct()
        .select_related("unit", "client")
        .prefetch_related(_active_members_prefetch())
        .order_by("phase", "-formed_on")
    )


def my_circle(volunteer: Volunteer, pk: int) -> Circle:
    """A circle the volunteer is a member of now (former members see it in the list only)."""
    return _one(my_circles(volunteer).filter(members__volunteer=volunteer, members__left_on__isnull=True), pk)


def my_cases(volunteer: Volunteer) -> QuerySet[MediationCase]:
    return (
        MediationCase.objects.filter(mediators=volunteer)
        .select_related("unit")
        .annotate(sessions_count=Count("sessions", distinct=True))
        .order_by("closed_on", "-opened_on")
    )


def my_case(volunteer: Volunteer, pk: int) -> MediationCase:
    return _one(my_cases(volunteer), pk)


def my_certificates(volunteer: Volunteer) -> QuerySet[MediatorCertificate]:
    return MediatorCertificate.objects.filter(volunteer=volunteer).order_by("-valid_until")


@dataclass
class MyCaseworkHours:
    """The volunteer's own hours records of casework: each record's (hours, state) by its
    meeting or session, and the approved and pending sums per pair, circle and case."""

    meetings: dict[int, tuple[Decimal, str]]
    sessions: dict[int, tuple[Decimal, str]]
    totals: dict[tuple[str, int], dict[str, Decimal]]

    def of(self, kind: str, pk: int) -> dict[str, Decimal]:
        return self.totals.get((kind, pk), {"approved": Decimal("0"), "pending": Decimal("0")})


def my_casework_hours(volunteer: Volunteer) -> MyCaseworkHours:
    """Three queries: the volunteer's casework hours records, then which pair, circle or
    case their meetings and sessions belong to (rejected hours count in no total)."""
    from django.contrib.contenttypes.models import ContentType

    from events.models import HoursRecord, HoursState

    from .models import MediationSession

    meeting_type = ContentType.objects.get_for_model(Meeting)
    session_type = ContentType.objects.get_for_model(MediationSession)
    records = list(
        HoursRecord.objects.filter(
            volunteer=volunteer, source_type__in=[meeting_type, session_type]
        ).values_list("source_type_id", "source_id", "hours", "state")
    )
    meetings = {pk: (hours, state) for kind, pk, hours, state in records if kind == meeting_type.pk}
    sessions = {pk: (hours, state) for kind, pk, hours, state in records if kind == session_type.pk}
    owners: dict[tuple[str, int], tuple[str, int]] = {}
    if meetings:
        for pk, pair_id, circle_id in Meeting.objects.filter(pk__in=meetings).values_list(
            "pk", "pair_id", "circle_id"
        ):
            owners[("meeting", pk)] = ("pair", pair_id) if pair_id else ("circle", circle_id)
    if sessions:
        for pk, case_id in MediationSession.objects.filter(pk__in=sessions).values_list("pk", "case_id"):
            owners[("session", pk)] = ("case", case_id)
    totals: dict[tuple[str, int], dict[str, Decimal]] = {}
    for source, rows in (("meeting", meetings), ("session", sessions)):
        for pk, (hours, state) in rows.items():
            owner = owners.get((source, pk))
            if owner is None or state == HoursState.REJECTED:
                continue
            sums = totals.setdefault(owner, {"approved": Decimal("0"), "pending": Decimal("0")})
            sums["approved" if state == HoursState.APPROVED else "pending"] += hours
    return MyCaseworkHours(meetings=meetings, sessions=sessions, totals=totals)


# --- Counts (the ministry's view; the reports)


@dataclass(frozen=True)
class CaseworkCounts:
    units: list[dict]  # per unit: name, active pairs, active circles, open cases
    meetings_by_month: dict[int, int]
    hours_by_month: dict[int, Decimal]
    outcomes: dict[str, int]


def casework_counts(*, unit_ids, year: int) -> CaseworkCounts:
    """Counts only — no record: active pairs, circles and open cases per unit, meetings and
    their hours per month of ``year``, and the year's mediation outcomes (six queries)."""
    units = list(Unit.objects.filter(pk__in=unit_ids).values("pk", "name").order_by("name"))
    pairs = dict(
        MentoringPair.objects.filter(unit_id__in=unit_ids, state=PairState.ACTIVE)
        .values("unit_id")
        .annotate(n=Count("pk"))
        .values_list("unit_id", "n")
    )
    circles = dict(
        Circle.objects.filter(unit_id__in=unit_ids)
        .exclude(phase=CirclePhase.ENDED)
        .values("unit_id")
        .annotate(n=Count("pk"))
        .values_list("unit_id", "n")
    )
    cases = dict(
        MediationCase.objects.filter(unit_id__in=unit_ids, closed_on__isnull=True)
        .values("unit_id")
        .annotate(n=Count("pk"))
        .values_list("unit_id", "n")
    )
    rows = [
        {
            "name": u["name"],
            "pairs": pairs.get(u["pk"], 0),
            "circles": circles.get(u["pk"], 0),
            "cases": cases.get(u["pk"], 0),
        }
        for u in units
        if pairs.get(u["pk"]) or circles.get(u["pk"]) or cases.get(u["pk"])
    ]
    months = (
        Meeting.objects.filter(unit_id__in=unit_ids, day__year=year)
        .annotate(month=ExtractMonth("day"))
        .values("month")
        .annotate(n=Count("pk"), hours=Sum("hours"))
        .order_by("month")
    )
    outcomes = dict(
        MediationCase.objects.filter(unit_id__in=unit_ids, closed_on__year=year)
        .values("outcome")
        .annotate(n=Count("pk"))
        .values_list("outcome", "n")
    )
    return CaseworkCounts(
        units=rows,
        meetings_by_month={row["month"]: row["n"] for row in months},
        hours_by_month={row["month"]: row["hours"] or Decimal("0") for row in months},
        outcomes=outcomes,
    )
