"""Demo events: IeVP's 317 events in prisons in 2024 (the fact sheet), spread over the nine
prisons, the months (fewer in July–August and around New Year, more in spring and autumn,
holiday events in December) and the six fields, each reported with its participants and
the volunteers' approved hours; a few cancelled, not held or rejected beside them (not
counted); the same work in the years since, up to last week; series (a weekly book club
for ten weeks at Olaines cietums in autumn 2024, fortnightly football at Jelgavas cietums
in spring 2024, and a weekly book club starting next week); and the work of today: events
approved for the coming weeks (gate passes), proposals waiting at Olaines cietums (one sent
back for changes), approved events nobody has reported yet and one report in review.
The demo volunteer (brivpratigais@tilts.demo) has approved hours at their VPD unit, an
event coming up there and one izziņa already issued; they can request another.

Every volunteer on an event had an agreement in force at that unit on its date. The 2024
events are held by today's IeVP demo volunteers (as the trainings demo's 2024 cohorts are)
under their earlier agreements: one of up to two years from 2023 or 2024 that expired
before their current one began (or when their application ended), written here from the
agreement template's first version with a number of the year it was generated in.

History is written directly as rows (the services refuse the past), consistently: one
``EventStep`` per step, hours approved by the unit's coordinator, history rows as the
services leave them; no emails. What happens from today goes through the services (their
emails are queued like any other). Idempotent: once the 2024 book club exists nothing is
loaded again."""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from dateutil import rrule
from dateutil.easter import easter
from django.contrib.auth import get_user_model
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.utils import timezone

from agreements import services as agreement_services
from agreements.models import IN_FORCE, Agreement, AgreementTemplate
from agreements.models import Status as AgreementStatus
from documents import registry as document_registry
from documents import services as document_services
from institutions import permissions
from institutions.models import Institution, Unit
from volunteers import demo as volunteers_demo
from volunteers.models import Application, Role, Volunteer
from volunteers.models import Status as ApplicationStatus

from . import services
from .models import (
    ActivityType,
    Event,
    EventSeries,
    EventState,
    EventStep,
    EventVolunteer,
    HoursRecord,
    HoursState,
    TargetGroup,
)
from .printing import CERTIFICATE, GATE_PASS

YEAR = 2024
# The fact sheet: 317 events in 2024. Per month: a quiet New Year and summer, busy spring
# and autumn, December's holiday events.
MONTHS = [18, 26, 32, 33, 30, 22, 14, 15, 30, 34, 33, 30]
# How the prisons share them (larger prisons hold more); apportioned to exactly 317.
PRISON_WEIGHTS = {
    "olaines-cietums": 48,
    "rigas-centralcietums": 44,
    "daugavgrivas-cietums": 38,
    "jelgavas-cietums": 36,
    "valmieras-cietums": 34,
    "liepajas-cietums": 33,
    "ilguciema-cietums": 32,
    "jekabpils-cietums": 28,
    "cesu-audzinasanas-iestade": 24,
}
# Each later year holds a little more than 2024 (the fact sheet speaks of a rise).
GROWTH = 1.08
HOLIDAY_EVENTS = 9  # of December's, between the 10th and the 22nd
# Beside the held ones in 2024 (not counted): (state, how many).
OTHERS_2024 = [(EventState.CANCELLED, 6), (EventState.NOT_HELD, 3), (EventState.REJECTED, 2)]

FIELD_WEIGHTS = {"education": 18, "leisure": 26, "sports": 20, "addiction": 12, "family": 12, "social": 12}
# Per field: (activity type, weight).
FIELD_ACTIVITIES = {
    "education": [("Valodu apguve", 4), ("Rakstīšanas meistarklase", 3), ("Grāmatu klubs", 1)],
    "leisure": [
        ("Grāmatu klubs", 3),
        ("Galda spēles", 3),
        ("Mākslas nodarbības", 3),
        ("Mūzika un koncerti", 2),
    ],
    "sports": [("Sports nodarbības", 1)],
    "addiction": [("Atbalsta grupa", 3), ("Individuālas sarunas", 2)],
    "family": [("Lekcija par vecāku lomu", 3), ("Rakstīšanas meistarklase", 1)],
    "social": [("Lekcija par konfliktu risināšanu", 3), ("Individuālas sarunas", 2)],
}
HOLIDAY = "Svētku pasākums"
# Per activity type: titles, place in the prison, length in hours, expected participants,
# items to bring in.
ACTIVITIES = {
    "Sports nodarbības": (
        ["Futbola treniņš", "Galda tenisa turnīrs", "Vingrošanas nodarbība", "Basketbola spēle"],
        "sporta zāle",
        [1.5, 2],
        (8, 16),
        "Bumbas (2), galda tenisa raketes, svilpe",
    ),
    "Mākslas nodarbības": (
        ["Zīmēšanas darbnīca", "Keramikas nodarbība", "Kolāžu darbnīca"],
        "klubs",
        [2, 2.5],
        (6, 12),
        "Zīmēšanas papīrs, zīmuļi, akvareļkrāsas (bez šķīdinātājiem)",
    ),
    "Grāmatu klubs": (
        ["Grāmatu klubs „Lasām kopā”", "Sarunas par grāmatu"],
        "bibliotēka",
        [1.5],
        (6, 10),
        "10 grāmatas",
    ),
    "Rakstīšanas meistarklase": (
        ["Rakstīšanas meistarklase: stāsts par sevi", "Vēstuļu rakstīšanas darbnīca"],
        "mācību klase",
        [2],
        (5, 10),
        "Burtnīcas, pildspalvas",
    ),
    "Individuālas sarunas": (
        ["Individuālas sarunas ar brīvprātīgo", "Atbalsta sarunas pirms atbrīvošanas"],
        "sarunu telpa",
        [1, 1.5],
        (1, 4),
        "",
    ),
    "Galda spēles": (
        ["Galda spēļu vakars", "Šaha turnīrs", "Novusa turnīrs"],
        "klubs",
        [2],
        (6, 14),
        "Galda spēles (5 kastes), šaha komplekti",
    ),
    "Lekcija par vecāku lomu": (
        ["Lekcija „Būt tētim no attāluma”", "Bērnu audzināšana: robežas un mīlestība"],
        "aktu zāle",
        [1.5],
        (10, 25),
        "Projektors, izdales materiāli",
    ),
    "Lekcija par konfliktu risināšanu": (
        ["Konfliktu risināšana bez vardarbības", "Dusmu vadība ikdienā"],
        "aktu zāle",
        [1.5, 2],
        (10, 25),
        "Projektors, izdales materiāli",
    ),
    "Valodu apguve": (
        ["Latviešu valodas nodarbība", "Angļu valodas sarunu klubs"],
        "mācību klase",
        [1.5],
        (5, 12),
        "Mācību grāmatas (8), tāfeles marķieri",
    ),
    "Atbalsta grupa": (
        ["Atkarību pārvarēšanas atbalsta grupa", "12 soļu programmas grupa"],
        "sarunu telpa",
        [1.5],
        (5, 12),
        "Brošūras",
    ),
    "Mūzika un koncerti": (
        ["Koncerts „Mūzika visiem”", "Ģitāras spēles nodarbība"],
        "aktu zāle",
        [1.5, 2],
        (15, 50),
        "Ģitāra, skandas (pārbauda ieejā)",
    ),
    HOLIDAY: (
        ["Ziemassvētku koncerts", "Ziemassvētku pasākums ar ģimenēm", "Ziemassvētku rotājumu darbnīca"],
        "aktu zāle",
        [2, 2.5],
        (25, 70),
        "Dāvanu maisiņi (bez pārtikas), mūzikas instrumenti",
    ),
}
DESCRIPTIONS = {
    "education": "Nodarbība izglītības un darba prasmju attīstīšanai; piedalās pieteikušies ieslodzītie.",
    "leisure": "Lietderīga brīvā laika nodarbība: sarunas, spēles un radošs darbs mazā grupā.",
    "sports": "Sporta nodarbība ar iesildīšanos, spēli un sarunu par veselīgu dzīvesveidu.",
    "addiction": "Atbalsts atkarību pārvarēšanā: pieredzes stāsti un saruna drošā vidē.",
    "family": "Ģimenes saišu stiprināšana: par bērnu audzināšanu, saziņu ar ģimeni no attāluma.",
    "social": "Sociālie jautājumi: konfliktu risināšana, dokumenti, mājoklis un darbs pēc atbrīvošanas.",
    "mentor": "Atbalsta grupa probācijas klientiem: pieredzes apmaiņa un praktiski padomi ikdienai.",
}
# Who takes part, per prison (the other prisons: adults, people preparing for release, mixed).
GROUPS = {
    "ilguciema-cietums": [TargetGroup.WOMEN, TargetGroup.WOMEN, TargetGroup.REMAND, TargetGroup.JUVENILES],
    "cesu-audzinasanas-iestade": [TargetGroup.JUVENILES],
    "rigas-centralcietums": [TargetGroup.REMAND, TargetGroup.REMAND, TargetGroup.ADULTS],
}
OTHER_GROUPS = [TargetGroup.ADULTS, TargetGroup.ADULTS, TargetGroup.PRE_RELEASE, TargetGroup.MIXED]
FEEDBACK = [
    "Grupa bija atsaucīga; nākamreiz vajadzētu vairāk laika sarunām.",
    "Dalībnieki paši ierosināja nākamo tēmu.",
    "Labi noritēja; divi dalībnieki aizgāja agrāk uz darbu.",
    "Ļoti aktīva grupa, daudz jautājumu.",
]
NOTES = [
    "Pasākums noritēja bez starpgadījumiem.",
    "Paldies brīvprātīgajam; turpināsim.",
    "Dalībnieku atsauksmes pozitīvas.",
]
CANCEL_REASONS = [
    "Brīvprātīgā saslima; pasākums tiks rīkots citā datumā.",
    "Cietumā izsludināts karantīnas režīms.",
]
NOT_HELD_REASONS = ["Apsardzes apsvērumu dēļ kustība cietumā tajā dienā bija ierobežota."]
REJECT_REASONS = ["Tajā pašā laikā telpā notiek mācības; lūdzam piedāvāt citu laiku."]
CHANGES_REASON = "Lūdzu, norādiet precīzu priekšmetu sarakstu un paredzamo dalībnieku skaitu."
MOVED_REASON = "Pārcelts uz trešdienu: ceturtdien cietumā apmeklējumu diena."

BOOK_CLUB = "Grāmatu klubs „Lasām kopā”"  # the 2024 series at Olaines cietums: the demo's mark
BOOK_CLUB_START = datetime(2024, 9, 19, 15, 0)  # a Thursday; ten weeks
FOOTBALL = "Futbola treniņš"
FOOTBALL_START = datetime(2024, 3, 5, 14, 0)  # a Tuesday; every second week, six times
UPCOMING_CLUB = "Grāmatu klubs „Jaunās grāmatas”"
# Dates on which prisons hold no volunteers' events.
FIXED_HOLIDAYS = {(1, 1), (5, 1), (5, 4), (6, 23), (6, 24), (11, 18), (12, 24), (12, 25), (12, 26), (12, 31)}


def _aware(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _open_day(day: date) -> bool:
    """A day a prison holds volunteers' events: Monday to Saturday, no public holiday,
    nothing between Christmas Eve and the first week of January."""
    if day.weekday() == 6 or (day.month, day.day) in FIXED_HOLIDAYS:
        return False
    if (day.month == 12 and day.day >= 23) or (day.month == 1 and day.day < 8):
        return False
    return day not in {easter(day.year) - timedelta(days=2), easter(day.year) + timedelta(days=1)}


def _apportion(total: int, weights: dict) -> dict:
    """``total`` shared by ``weights`` exactly (largest remainder)."""
    whole = sum(weights.values())
    shares = {key: total * weight / whole for key, weight in weights.items()}
    counts = {key: int(share) for key, share in shares.items()}
    for key in sorted(shares, key=lambda k: (counts[k] - shares[k], k))[: total - sum(counts.values())]:
        counts[key] += 1
    return counts


def _weighted(rng: random.Random, pairs):
    items, weights = zip(*pairs, strict=True)
    return rng.choices(items, weights=weights)[0]


@dataclass
class Term:
    """A period in which a volunteer had an agreement in force at a unit."""

    volunteer: Volunteer
    start: date
    end: date
    role: str


@dataclass
class Plan:
    unit: Unit
    starts_at: datetime
    ends_at: datetime
    field: str
    activity: str
    title: str
    lead: Volunteer
    others: list[Volunteer]
    state: str = EventState.REPORTED
    series: EventSeries | None = None
    expected: int = 8
    actual: int | None = None
    target_group: str = TargetGroup.ADULTS
    place: str = ""
    items: str = ""
    description: str = ""
    moved: bool = False
    by_coordinator: bool = False
    steps: list[tuple] = field(default_factory=list)


class Demo:
    def __init__(self, today: date, rng: random.Random):
        self.today, self.rng = today, rng
        self.now = timezone.now()
        self.ievp = Institution.objects.get(code="IEVP")
        middle = date(YEAR, 7, 1)
        self.prisons = list(
            Unit.objects.valid_on(middle)
            .filter(institution=self.ievp, kind=Unit.Kind.PRISON, parent__isnull=True)
            .select_related("institution")
            .order_by("pk")
        )
        self.roles = {
            (role.institution_id, role.code): role for role in Role.objects.select_related("institution")
        }
        self.activities = {a.name: a for a in ActivityType.objects.all()}
        unit_ids = [u.pk for u in Unit.objects.all()]
        self.coordinators = permissions.coordinators_by_unit(unit_ids)
        self.central = permissions.central_coordinators_by_institution(
            list(Institution.objects.values_list("pk", flat=True))
        )
        self.superuser = get_user_model().objects.filter(is_superuser=True).order_by("pk").first()
        self.terms: dict[int, list[Term]] = defaultdict(list)
        self.busy: set[tuple[int, date]] = set()

    def coordinator(self, unit: Unit):
        return (self.coordinators.get(unit.pk) or self.central.get(unit.institution_id) or [self.superuser])[
            0
        ]

    # --- Who may work where and when

    def earlier_agreements(self) -> list[Agreement]:
        """Today's IeVP demo volunteers at the nine prisons (active, paused, ended) had an
        agreement before: up to two years from 2023 or 2024, ending before their current one
        began or when their application ended. Written as ended (expired) agreements."""
        domain = "@" + volunteers_demo.DEMO_DOMAIN
        applications = list(
            Application.objects.filter(
                institution=self.ievp,
                unit__in=self.prisons,
                status__in=[ApplicationStatus.ACTIVE, ApplicationStatus.PAUSED, ApplicationStatus.ENDED],
                volunteer__user__email__endswith=domain,
                volunteer__anonymised_at=None,
            )
            .select_related("unit", "volunteer__user")
            .prefetch_related("roles")
            .order_by("pk")
        )
        current = {}
        for agreement in Agreement.objects.filter(
            institution=self.ievp, volunteer__in=[a.volunteer_id for a in applications]
        ).exclude(status=AgreementStatus.DRAFT):
            known = current.get(agreement.volunteer_id)
            if known is None or agreement.start_date < known:
                current[agreement.volunteer_id] = agreement.start_date
        templates = {}
        for template in AgreementTemplate.objects.filter(institution=self.ievp).order_by("-version"):
            templates[template.role_id] = template  # the first version of each
        seen_per_unit = Counter()
        plans = []
        for application in applications:
            n = seen_per_unit[application.unit_id]
            seen_per_unit[application.unit_id] += 1
            if n < 3:  # at each prison a few who were there all of 2024
                start = date(2023, self.rng.randint(3, 11), self.rng.randint(1, 28))
            else:
                start = date(2024, self.rng.randint(1, 10), self.rng.randint(1, 28))
            end = start.replace(year=start.year + 2) - timedelta(days=1)
            if application.volunteer_id in current:
                end = min(end, current[application.volunteer_id] - timedelta(days=1))
            elif application.status != ApplicationStatus.ACTIVE:
                end = min(end, timezone.localdate(application.status_changed_at))
            end = min(end, self.today - timedelta(days=1))
            if end < start + timedelta(days=180):
                continue
            roles = [r for r in application.roles.all() if r.code in FIELD_WEIGHTS] or list(
                application.roles.all()
            )
            role = roles[0] if roles else self.roles[self.ievp.pk, "leisure"]
            plans.append((application, role, start, end))
        agreements = []
        for application, role, start, end in sorted(plans, key=lambda p: (p[2], p[0].pk)):
            generated = _aware(start - timedelta(days=self.rng.randint(5, 12)), 11)
            signed = start - timedelta(days=self.rng.randint(1, 3))
            template = templates.get(role.pk) or templates.get(None)
            agreements.append(
                Agreement(
                    number=agreement_services.number_next(
                        institution=self.ievp, year=timezone.localdate(generated).year
                    ),
                    institution=self.ievp,
                    unit=application.unit,
                    application=application,
                    volunteer=application.volunteer,
                    role=role,
                    template=template,
                    status=AgreementStatus.ENDED,
                    status_changed_at=_aware(end + timedelta(days=1), 0, 5),
                    place=f"{application.unit.name}, ieslodzījuma vietas telpas",
                    start_date=start,
                    end_date=end,
                    hours_per_week=Decimal(self.rng.choice([2, 3, 4])),
                    duties="Vadīt nodarbības ieslodzītajiem savā jomā (pasākumi pēc saskaņošanas ar "
                    "koordinatoru).",
                    requested_in_writing=True,
                    generated_at=generated,
                    sent_at=generated + timedelta(hours=3),
                    signed_on=signed,
                    ended_on=end,
                    end_kind=Agreement.EndKind.EXPIRED,
                    created_by=self.coordinator(application.unit),
                    created_at=generated - timedelta(hours=2),
                )
            )
        if agreements:
            Agreement.objects.bulk_create(agreements, batch_size=200)
            Agreement.history.bulk_history_create(agreements, batch_size=200)
        return agreements

    def load_terms(self) -> None:
        rows = (
            Agreement.objects.filter(
                status__in=[*IN_FORCE, AgreementStatus.ENDED], volunteer__anonymised_at=None
            )
            .select_related("volunteer__user", "role")
            .order_by("pk")
        )
        for agreement in rows:
            end = min(agreement.end_date, agreement.ended_on or agreement.end_date)
            self.terms[agreement.unit_id].append(
                Term(agreement.volunteer, agreement.start_date, end, agreement.role.code)
            )

    def free(self, unit: Unit, day: date) -> list[Term]:
        return [
            term
            for term in self.terms[unit.pk]
            if term.start <= day <= term.end and (term.volunteer.pk, day) not in self.busy
        ]

    # --- Planning

    def plan(self, unit: Unit, day: date, *, field_code=None, activity=None, hour=None, state=None):
        """One event at ``unit`` on ``day`` with free volunteers whose agreement covers it,
        or None when nobody can hold it."""
        rng = self.rng
        terms = self.free(unit, day)
        if not terms:
            return None
        lead_term = rng.choice(terms)
        if field_code is None:
            if lead_term.role in FIELD_WEIGHTS and rng.random() < 0.7:
                field_code = lead_term.role
            else:
                field_code = _weighted(rng, FIELD_WEIGHTS.items())
        activity = activity or _weighted(rng, FIELD_ACTIVITIES.get(field_code, [("Atbalsta grupa", 1)]))
        titles, place, lengths, (low, high), items = ACTIVITIES[activity]
        others = []
        extra = _weighted(rng, [(0, 6), (1, 3), (2, 1)])
        for term in rng.sample(terms, k=len(terms)):
            if len(others) < extra and term is not lead_term:
                others.append(term.volunteer)
        if hour is None:
            hour, minute = rng.choice([(10, 0), (11, 0), (13, 0), (14, 0), (15, 0), (15, 30), (16, 0)])
        else:
            hour, minute = hour
        start = _aware(day, hour, minute)
        length = rng.choice(lengths)
        expected = rng.randint(low, high)
        groups = GROUPS.get(unit.slug, OTHER_GROUPS)
        group = rng.choice(groups)
        if field_code == "family" and activity == HOLIDAY:
            group = TargetGroup.STAFF_FAMILIES
        if unit.institution.code == "VPD":
            group = TargetGroup.CLIENTS
        for volunteer in [lead_term.volunteer, *others]:
            self.busy.add((volunteer.pk, day))
        return Plan(
            unit=unit,
            starts_at=start,
            ends_at=start + timedelta(minutes=int(length * 60)),
            field=field_code,
            activity=activity,
            title=rng.choice(titles),
            lead=lead_term.volunteer,
            others=others,
            state=state or EventState.REPORTED,
            expected=expected,
            actual=max(0, expected + rng.randint(-3, 2))
            if expected > 4
            else max(1, expected - rng.randint(0, 1)),
            target_group=group,
            place=f"{unit.name}, {place}",
            items=items,
            description=DESCRIPTIONS.get(field_code, DESCRIPTIONS["leisure"]),
            by_coordinator=rng.random() < 0.25,
        )

    def days_of(self, year: int, month: int, *, last: date | None = None) -> list[date]:
        first = date(year, month, 1)
        following = date(year + (month == 12), month % 12 + 1, 1)
        days = [first + timedelta(days=n) for n in range((following - first).days)]
        return [d for d in days if _open_day(d) and (last is None or d <= last)]

    def place_events(self, slots: list[tuple[Unit, int, int]], *, last: date | None = None) -> list[Plan]:
        """One held event per (unit, year, month) slot, on an open day when someone can hold it."""
        plans = []
        for unit, year, month in slots:
            days = self.days_of(year, month, last=last)
            self.rng.shuffle(days)
            for day in days:
                plan = self.plan(unit, day)
                if plan is not None:
                    plans.append(plan)
                    break
        return plans

    def series_2024(self, olaine: Unit | None, jelgava: Unit | None) -> list[Plan]:
        plans = []
        for unit, title, first, frequency, count, field_code, activity in (
            (
                olaine,
                BOOK_CLUB,
                BOOK_CLUB_START,
                EventSeries.Frequency.WEEKLY,
                10,
                "leisure",
                "Grāmatu klubs",
            ),
            (
                jelgava,
                FOOTBALL,
                FOOTBALL_START,
                EventSeries.Frequency.FORTNIGHTLY,
                6,
                "sports",
                "Sports nodarbības",
            ),
        ):
            if unit is None:
                continue
            starts = [
                timezone.make_aware(start)
                for start in rrule.rrule(
                    rrule.WEEKLY, interval=2 if frequency == "fortnightly" else 1, count=count, dtstart=first
                )
            ]
            days = [timezone.localtime(s).date() for s in starts]
            terms = [t for t in self.terms[unit.pk] if t.start <= days[0] and t.end >= days[-1]]
            if not terms:
                continue
            lead = terms[0].volunteer
            series = EventSeries(
                unit=unit,
                title=title,
                frequency=frequency,
                count=count,
                rule=str(
                    rrule.rrule(
                        rrule.WEEKLY,
                        interval=2 if frequency == "fortnightly" else 1,
                        count=count,
                        dtstart=first,
                    )
                ).replace("\n", " "),
                created_by=self.coordinator(unit),
                created_at=_aware(days[0] - timedelta(days=21), 10),
            )
            series.save()
            for n, start in enumerate(starts):
                day = days[n]
                moved = unit is olaine and n == 6
                if moved:
                    start -= timedelta(days=1)
                    day -= timedelta(days=1)
                length = timedelta(minutes=90)
                _titles, place, _lengths, (low, high), items = ACTIVITIES[activity]
                expected = self.rng.randint(low, high)
                self.busy.add((lead.pk, day))
                plans.append(
                    Plan(
                        unit=unit,
                        starts_at=start,
                        ends_at=start + length,
                        field=field_code,
                        activity=activity,
                        title=title,
                        lead=lead,
                        others=[],
                        series=series,
                        expected=expected,
                        actual=max(1, expected + self.rng.randint(-2, 1)),
                        target_group=TargetGroup.ADULTS,
                        place=f"{unit.name}, {place}",
                        items=items,
                        description=DESCRIPTIONS[field_code],
                        moved=moved,
                        by_coordinator=True,
                    )
                )
        return plans

    def year_2024(self) -> list[Plan]:
        by_slug = {u.slug: u for u in self.prisons}
        plans = self.series_2024(by_slug.get("olaines-cietums"), by_slug.get("jelgavas-cietums"))
        weights = {u.pk: PRISON_WEIGHTS.get(u.slug, 30) for u in self.prisons}
        per_unit = _apportion(sum(MONTHS), weights)
        per_month = dict(enumerate(MONTHS, start=1))
        for plan in plans:
            per_unit[plan.unit.pk] -= 1
            per_month[timezone.localtime(plan.starts_at).month] -= 1
        # December's holiday events first, one per prison where possible.
        units = {u.pk: u for u in self.prisons}
        december = [d for d in self.days_of(YEAR, 12) if 10 <= d.day <= 22]
        for unit_id in sorted(per_unit, key=lambda pk: -per_unit[pk])[:HOLIDAY_EVENTS]:
            for day in self.rng.sample(december, k=len(december)):
                field_code = self.rng.choice(["leisure", "family"])
                plan = self.plan(units[unit_id], day, field_code=field_code, activity=HOLIDAY)
                if plan is not None:
                    plans.append(plan)
                    per_unit[unit_id] -= 1
                    per_month[12] -= 1
                    break
        months = [m for m, n in per_month.items() for _ in range(n)]
        prisons = [pk for pk, n in per_unit.items() for _ in range(n)]
        self.rng.shuffle(prisons)
        slots = [(units[pk], YEAR, month) for pk, month in zip(prisons, months, strict=True)]
        plans += self.place_events(slots)
        # Beside them: cancelled, not held, rejected.
        for state, count in OTHERS_2024:
            for _ in range(count):
                unit = self.rng.choice(self.prisons)
                month = self.rng.choice([2, 3, 4, 5, 9, 10, 11])
                days = self.days_of(YEAR, month)
                for day in self.rng.sample(days, k=len(days)):
                    plan = self.plan(unit, day, state=state)
                    if plan is not None:
                        plans.append(plan)
                        break
        return plans

    def later_years(self) -> list[Plan]:
        """The same work in every later year, up to a week ago."""
        last = self.today - timedelta(days=8)
        weights = {u.pk: PRISON_WEIGHTS.get(u.slug, 30) for u in self.prisons}
        units = {u.pk: u for u in self.prisons}
        slots = []
        for year in range(YEAR + 1, last.year + 1):
            for month, count in enumerate(MONTHS, start=1):
                if date(year, month, 1) > last:
                    break
                count = round(count * GROWTH ** (year - YEAR))
                if (year, month) == (last.year, last.month):
                    open_days = self.days_of(year, month)
                    count = round(count * len(self.days_of(year, month, last=last)) / max(1, len(open_days)))
                pool = [
                    pk
                    for pk in weights
                    if any(t.start <= last and t.end >= date(year, month, 1) for t in self.terms[pk])
                ]
                for _ in range(count):
                    if pool:
                        slots.append(
                            (units[_weighted(self.rng, [(pk, weights[pk]) for pk in pool])], year, month)
                        )
        return self.place_events(slots, last=last)

    def recent(self) -> list[Plan]:
        """Approved events of the last days nobody has reported yet, and one report in review
        (Olaines cietums, Jelgavas cietums)."""
        plans = []
        by_slug = {u.slug: u for u in self.prisons}
        for slug, days_ago, state in (
            ("olaines-cietums", 3, EventState.APPROVED),
            ("olaines-cietums", 9, EventState.APPROVED),
            ("jelgavas-cietums", 5, EventState.APPROVED),
            ("olaines-cietums", 4, EventState.HELD),
        ):
            unit = by_slug.get(slug)
            if unit is None:
                continue
            for back in range(days_ago, days_ago + 5):
                day = self.today - timedelta(days=back)
                plan = _open_day(day) and self.plan(unit, day, state=state)
                if plan:
                    plans.append(plan)
                    break
        return plans

    # --- Writing the past

    def steps_of(self, plan: Plan, coordinator) -> None:
        """The steps of a past event as the services record them, and the event's fields."""
        rng = self.rng
        lead_user = plan.lead.user
        proposed_at = plan.starts_at - timedelta(days=rng.randint(10, 30), hours=rng.randint(0, 5))
        approved_at = proposed_at + timedelta(days=rng.randint(1, 4), hours=rng.randint(1, 6))
        steps = []
        if plan.state == EventState.REJECTED:
            plan.by_coordinator = False  # a coordinator's own event is approved at once
        if plan.by_coordinator:
            steps.append(("", EventState.APPROVED, coordinator, approved_at, ""))
        else:
            steps.append(("", EventState.PROPOSED, lead_user, proposed_at, ""))
            if plan.state == EventState.REJECTED:
                steps.append(
                    (EventState.PROPOSED, EventState.REJECTED, coordinator, approved_at, REJECT_REASONS[0])
                )
                plan.steps = steps
                return
            steps.append((EventState.PROPOSED, EventState.APPROVED, coordinator, approved_at, ""))
        if plan.moved:
            steps.append(
                (
                    EventState.APPROVED,
                    EventState.APPROVED,
                    coordinator,
                    plan.starts_at - timedelta(days=3),
                    MOVED_REASON,
                )
            )
        held_at = plan.ends_at + timedelta(hours=rng.randint(1, 40))
        if plan.state == EventState.CANCELLED:
            steps.append(
                (
                    EventState.APPROVED,
                    EventState.CANCELLED,
                    rng.choice([lead_user, coordinator]),
                    plan.starts_at - timedelta(days=rng.randint(1, 3)),
                    rng.choice(CANCEL_REASONS),
                )
            )
        elif plan.state == EventState.NOT_HELD:
            steps.append(
                (EventState.APPROVED, EventState.NOT_HELD, coordinator, held_at, NOT_HELD_REASONS[0])
            )
        elif plan.state in (EventState.HELD, EventState.REPORTED):
            if plan.by_coordinator and rng.random() < 0.4 and plan.state == EventState.REPORTED:
                steps.append((EventState.APPROVED, EventState.REPORTED, coordinator, held_at, ""))
            else:
                steps.append((EventState.APPROVED, EventState.HELD, lead_user, held_at, ""))
                if plan.state == EventState.REPORTED:
                    reviewed = held_at + timedelta(days=rng.randint(1, 5), hours=rng.randint(0, 4))
                    steps.append((EventState.HELD, EventState.REPORTED, coordinator, reviewed, ""))
        plan.steps = [step for step in steps if step[3] < self.now]

    def write(self, plans: list[Plan]) -> list[Event]:
        """Events, their people, steps and hours as rows (with history rows)."""
        events = []
        for plan in plans:
            coordinator = self.coordinator(plan.unit)
            self.steps_of(plan, coordinator)
            first = plan.steps[0]
            approved = next(
                (s for s in plan.steps if s[1] in (EventState.APPROVED, EventState.REJECTED)), None
            )
            report = next(
                (s for s in plan.steps if s[1] in (EventState.HELD, EventState.NOT_HELD)), None
            ) or next(
                (s for s in plan.steps if s[0] == EventState.APPROVED and s[1] == EventState.REPORTED), None
            )
            held = plan.state in (EventState.HELD, EventState.REPORTED)
            reason = next((s[4] for s in reversed(plan.steps) if s[4] and s[1] != EventState.APPROVED), "")
            events.append(
                Event(
                    unit=plan.unit,
                    series=plan.series,
                    title=plan.title,
                    field=self.roles[plan.unit.institution_id, plan.field],
                    activity_type=self.activities[plan.activity],
                    description=plan.description,
                    starts_at=plan.starts_at,
                    ends_at=plan.ends_at,
                    place=plan.place,
                    expected_participants=plan.expected,
                    target_group=plan.target_group,
                    items=plan.items,
                    state=plan.state,
                    proposed_by=coordinator if plan.by_coordinator else plan.lead.user,
                    created_at=first[3] - timedelta(minutes=1) if plan.by_coordinator else first[3],
                    decided_by=approved[2] if approved else None,
                    decided_at=approved[3] if approved else None,
                    actual_participants=plan.actual if held else None,
                    coordinator_note=self.rng.choice(NOTES) if held and self.rng.random() < 0.3 else "",
                    reported_at=report[3] if report else None,
                    reported_by=report[2] if report else None,
                    reason=reason,
                    state_changed_at=plan.steps[-1][3],
                )
            )
        events = Event.objects.bulk_create(events, batch_size=500)
        Event.history.bulk_history_create(events, batch_size=500)
        people, steps, hours = [], [], []
        for plan, event in zip(plans, events, strict=True):
            for n, volunteer in enumerate([plan.lead, *plan.others]):
                feedback = ""
                if (
                    n == 0
                    and plan.state in (EventState.HELD, EventState.REPORTED)
                    and self.rng.random() < 0.4
                ):
                    feedback = self.rng.choice(FEEDBACK)
                people.append(
                    EventVolunteer(event=event, volunteer=volunteer, is_lead=n == 0, feedback=feedback)
                )
            for from_state, to_state, actor, when, reason in plan.steps:
                steps.append(
                    EventStep(
                        event=event,
                        actor=actor,
                        from_state=from_state,
                        to_state=to_state,
                        reason=reason,
                        created_at=when,
                    )
                )
            if plan.state not in (EventState.HELD, EventState.REPORTED):
                continue
            reported = plan.steps[-1]
            length = event.duration_hours
            for volunteer in [plan.lead, *plan.others]:
                approved = plan.state == EventState.REPORTED
                hours.append(
                    HoursRecord(
                        volunteer=volunteer,
                        unit=plan.unit,
                        kind=HoursRecord.Kind.EVENT,
                        event=event,
                        field=event.field,
                        activity_type=event.activity_type,
                        day=timezone.localtime(event.starts_at).date(),
                        hours=length,
                        state=HoursState.APPROVED if approved else HoursState.PENDING,
                        decided_by=reported[2] if approved else None,
                        decided_at=reported[3] if approved else None,
                        created_at=event.reported_at or reported[3],
                    )
                )
        EventVolunteer.objects.bulk_create(people, batch_size=1000)
        EventStep.objects.bulk_create(steps, batch_size=1000)
        hours = HoursRecord.objects.bulk_create(hours, batch_size=1000)
        HoursRecord.history.bulk_history_create(hours, batch_size=1000)
        return events

    # --- From today, through the services

    def details(self, plan: Plan) -> services.Details:
        return services.Details(
            title=plan.title,
            field=self.roles[plan.unit.institution_id, plan.field],
            activity_type=self.activities[plan.activity],
            description=plan.description,
            starts_at=plan.starts_at,
            ends_at=plan.ends_at,
            place=plan.place,
            expected_participants=plan.expected,
            target_group=plan.target_group,
            items=plan.items,
        )

    def in_force(self, unit: Unit, day: date, *, until: date | None = None) -> list[Volunteer]:
        """Volunteers with an agreement in force at ``unit`` from ``day`` to ``until``."""
        until = until or day
        return [
            agreement.volunteer
            for agreement in Agreement.objects.filter(
                unit=unit, status__in=IN_FORCE, start_date__lte=day, end_date__gte=until
            )
            .select_related("volunteer__user")
            .order_by("pk")
            if (agreement.volunteer.pk, day) not in self.busy
        ]

    def future_plan(self, unit: Unit, day: date, **extra) -> Plan | None:
        """A plan for a coming day with volunteers whose agreements are in force then."""
        saved = self.terms[unit.pk]
        volunteers = {v.pk for v in self.in_force(unit, day, until=extra.pop("until", None))}
        self.terms[unit.pk] = [t for t in saved if t.volunteer.pk in volunteers and t.end >= day]
        try:
            return self.plan(unit, day, **extra)
        finally:
            self.terms[unit.pk] = saved

    def upcoming(self) -> tuple[list[Event], list[Event]]:
        """Approved events of the coming five weeks at every prison (a gate pass each),
        a weekly book club from next week at Olaines cietums, and proposals waiting there."""
        approved, proposed = [], []
        rng = self.rng
        for unit in self.prisons:
            for _ in range(2 if unit.slug in ("olaines-cietums", "jelgavas-cietums") else 1):
                for _attempt in range(10):
                    day = self.today + timedelta(days=rng.randint(2, 35))
                    plan = _open_day(day) and self.future_plan(unit, day)
                    if plan:
                        approved.append(
                            services.event_create(
                                actor=self.coordinator(unit),
                                unit=unit,
                                details=self.details(plan),
                                lead=plan.lead,
                                others=plan.others,
                            )
                        )
                        break
        olaine = next((u for u in self.prisons if u.slug == "olaines-cietums"), None)
        if olaine is None:
            return approved, proposed
        first = self.today + timedelta(days=(3 - self.today.weekday()) % 7 or 7)  # next Thursday
        club = self.future_plan(
            olaine,
            first,
            field_code="leisure",
            activity="Grāmatu klubs",
            hour=(15, 0),
            until=first + timedelta(weeks=5),
        )
        if club is not None:
            club.title = UPCOMING_CLUB
            series = services.series_create(
                actor=self.coordinator(olaine),
                unit=olaine,
                details=self.details(club),
                frequency=EventSeries.Frequency.WEEKLY,
                count=6,
                lead=club.lead,
            )
            approved += list(series.events.all())
        for n in range(4):
            for _attempt in range(10):
                day = self.today + timedelta(days=rng.randint(8, 30))
                plan = _open_day(day) and self.future_plan(olaine, day)
                if plan:
                    event = services.event_propose(
                        actor=plan.lead.user, unit=olaine, details=self.details(plan), others=plan.others
                    )
                    if n == 3:
                        event = services.event_request_changes(
                            actor=self.coordinator(olaine), event=event, reason=CHANGES_REASON
                        )
                    proposed.append(event)
                    break
        return approved, proposed

    # --- The demo volunteer

    def demo_volunteer(self) -> tuple[list[Event], Event | None, object]:
        """Hours at the VPD unit of the demo volunteer's agreement, an event coming up there
        and an izziņa already issued (the volunteer can ask for another)."""
        agreement = (
            Agreement.objects.filter(
                volunteer__user__email=volunteers_demo.VOLUNTEER_EMAIL, status__in=IN_FORCE
            )
            .select_related("unit__institution", "volunteer__user")
            .order_by("start_date")
            .first()
        )
        if agreement is None:
            return [], None, None
        unit, volunteer = agreement.unit, agreement.volunteer
        saved = self.terms[unit.pk]
        self.terms[unit.pk] = [t for t in saved if t.volunteer.pk == volunteer.pk]
        try:
            first = max(agreement.start_date + timedelta(days=3), self.today - timedelta(days=75))
            last = self.today - timedelta(days=8)
            plans = []
            day = first
            while day <= last and len(plans) < 3:
                if _open_day(day) and day.weekday() < 5:
                    plan = self.plan(unit, day, field_code=agreement.role.code, activity="Atbalsta grupa")
                    if plan is not None:
                        plan.title, plan.others = "Atbalsta grupa probācijas klientiem", []
                        plans.append(plan)
                day += timedelta(days=17)
            past = self.write(plans) if plans else []
            upcoming = None
            for offset in range(6, 30):
                day = self.today + timedelta(days=offset)
                if not (_open_day(day) and day.weekday() < 5) or day > agreement.end_date:
                    continue
                plan = self.future_plan(
                    unit, day, field_code=agreement.role.code, activity="Atbalsta grupa", hour=(17, 0)
                )
                if plan is not None:
                    plan.title = "Atbalsta grupa probācijas klientiem"
                    upcoming = services.event_create(
                        actor=self.coordinator(unit), unit=unit, details=self.details(plan), lead=volunteer
                    )
                    break
        finally:
            self.terms[unit.pk] = saved
        certificate = None
        if len(past) >= 2:
            certificate = services.certificate_request(
                actor=volunteer.user,
                unit=unit,
                period_start=agreement.start_date,
                period_end=timezone.localdate(past[1].starts_at),
                purpose="Studiju prakses apliecināšanai",
            )
            certificate = services.certificate_issue(actor=self.coordinator(unit), certificate=certificate)
        return past, upcoming, certificate


def _render(subjects_and_kinds) -> int:
    """Render now, in the demo's own time, the documents the demo volunteer looks at first
    (the queued render then finds them done) — if their print templates are there."""
    rendered = 0
    for subject, kind in subjects_and_kinds:
        if subject is None:
            continue
        try:
            get_template(document_registry.get(kind).template)
        except TemplateDoesNotExist:
            continue
        document = subject.documents.filter(kind=kind).order_by("-version").first()
        if document is not None and document_services.document_claim(document_id=document.pk):
            document_services.document_render_pdf(document_id=document.pk)
            rendered += 1
    return rendered


def seed(*, stdout) -> None:
    if EventSeries.objects.filter(title=BOOK_CLUB, created_at__year=YEAR).exists():
        stdout.write("Demo events are already loaded.")
        return
    if not Institution.objects.filter(code="IEVP").exists() or not ActivityType.objects.exists():
        stdout.write("Demo events: the institutions or the kinds of activity are missing, nothing loaded.")
        return
    demo = Demo(timezone.localdate(), random.Random(2029))
    earlier = demo.earlier_agreements()
    demo.load_terms()
    history = demo.year_2024() + demo.later_years()
    recent = demo.recent()
    events = demo.write(history + recent)
    approved, proposed = demo.upcoming()
    mine, my_upcoming, certificate = demo.demo_volunteer()
    rendered = _render([(my_upcoming, GATE_PASS), (certificate, CERTIFICATE)])

    held = Counter(
        timezone.localtime(e.starts_at).year
        for e in events
        if e.state in (EventState.REPORTED, EventState.HELD)
    )
    stdout.write(
        f"Demo events: {held[YEAR]} held at IeVP in {YEAR}"
        + "".join(f", {held[year]} in {year}" for year in sorted(held) if year != YEAR)
        + f"; {len(approved)} approved in the coming weeks (gate passes), {len(proposed)} proposals at "
        f"Olaines cietums, {sum(1 for p in recent if p.state == EventState.APPROVED)} awaiting a report, "
        f"{sum(1 for p in recent if p.state == EventState.HELD)} report in review; "
        f"{len(earlier)} earlier IeVP agreements; {volunteers_demo.VOLUNTEER_EMAIL}: {len(mine)} events with "
        f"approved hours, {'an izziņa ' + certificate.number if certificate else 'no izziņa'}"
        f" ({rendered} PDFs rendered)."
    )
