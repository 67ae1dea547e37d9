"""Demo casework at VPD, made of the agreements demo's volunteers in force for the roles
mentor (līdzgaitnieks), circles (AAA) and mediator at the VPD regions and departments:

- client references (codes only — never a name, personal code or offence) supervised by
  the unit's coordinator (``vpd.jelgava@tilts.demo`` at Jelgavas 1. nodaļa) or VPD's central
  coordinator (``vpd.centrs@tilts.demo``) elsewhere;
- mentoring pairs in five regions and two departments with their meetings over the last
  months (the hours approved after a few weeks, the recent ones pending), reviews, one pair
  ended with a reason; the demo volunteer (``brivpratigais@tilts.demo``) mentors one;
- three circles: one forming at Jelgavas 1. nodaļa (two volunteers, cannot meet yet), one
  meeting weekly for four months at Liepājas nodaļa (outer circle, attendees, a meeting with
  a concern already emailed; its first review is overdue), one at Kurzemes reģions meeting
  for 19 months (past the 18-month mark, so the warning shows) — its volunteers under
  earlier agreements that expired the day before their current ones began, written here
  like the events demo's;
- mediation cases with sessions and outcomes (reached, not reached, refused, withdrawn)
  and a few open; every VPD mediator in force has a certificate — one expires within 30
  days, another within 60, one was annulled (its mediator's open case is flagged).

Every volunteer had an agreement in force for the role at the unit on the day they started.
What the services accept goes through them (clients, pairs, circles, reviews, cases,
certificates, ending and closing); meetings, sessions and their hours records — history —
are written as rows the way the services leave them (one hours record per volunteer and
meeting or session, with ``source_type``/``source_id``), without emails: a flagged concern
is marked as sent. Deterministic; idempotent: once a client reference exists nothing is
loaded again."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from agreements import services as agreement_services
from agreements.models import IN_FORCE, Agreement
from agreements.models import Status as AgreementStatus
from core.dates import add_years
from events.models import HoursRecord, HoursState
from institutions import permissions
from institutions.models import Institution, Unit
from volunteers import demo as volunteers_demo
from volunteers.models import Role, Volunteer

from . import services
from .models import (
    Circle,
    CircleMember,
    CirclePhase,
    ClientReference,
    MediationCase,
    MediationSession,
    Meeting,
    Outcome,
    OuterMember,
    Review,
)

SEED = 2031
APPROVED_AFTER_DAYS = 21  # hours older than this are approved; the recent ones wait
CERTIFICATE_YEARS = 5  # the demo's choice of a certificate's validity
EXPIRING_IN_DAYS = 21
RENEWAL_IN_DAYS = 50  # and one within 60 days
# Mentoring pairs per unit (the demo volunteer's unit first).
PAIRS = [
    ("vpd-vidzemes-regions", 2),
    ("vpd-zemgales-regions", 3),
    ("vpd-jelgavas-1-nodala", 2),
    ("vpd-latgales-regions", 2),
    ("vpd-kurzemes-regions", 1),
    ("vpd-liepajas-nodala", 1),
    ("vpd-rigas-regions", 1),
]
ENDED_PAIR_UNIT = "vpd-zemgales-regions"
FORMING = "vpd-jelgavas-1-nodala"
ACTIVE = "vpd-liepajas-nodala"
LONG = "vpd-kurzemes-regions"
ACTIVE_MONTHS_DAYS = 122  # the active circle has met for about four months
LONG_MONTHS = 19  # the long-running circle: past the 18-month warning
# Mediation cases: (unit, outcome — "" while open —, mediators).
CASES = [
    ("vpd-rigas-regions", Outcome.REACHED, 2),
    ("vpd-rigas-regions", Outcome.REACHED, 1),
    ("vpd-rigas-regions", Outcome.NOT_REACHED, 1),
    ("vpd-rigas-regions", "", 2),
    ("vpd-jelgavas-1-nodala", Outcome.REACHED, 1),
    ("vpd-jelgavas-1-nodala", Outcome.REFUSED, 1),
    ("vpd-jelgavas-1-nodala", "", 1),
    ("vpd-liepajas-nodala", Outcome.REACHED, 2),
    ("vpd-liepajas-nodala", Outcome.WITHDRAWN, 1),
    ("vpd-liepajas-nodala", "", 1),  # its mediator's certificate is annulled: flagged
    ("vpd-vidzemes-regions", Outcome.NOT_REACHED, 1),
    ("vpd-vidzemes-regions", Outcome.REACHED, 1),
    ("vpd-zemgales-regions", "", 1),
]
SESSIONS = {
    Outcome.REACHED: (2, 3),
    Outcome.NOT_REACHED: (2, 2),
    Outcome.REFUSED: (1, 1),
    Outcome.WITHDRAWN: (1, 1),
    "": (0, 2),
}
ANNULLED_UNIT = "vpd-liepajas-nodala"
EXPIRING_UNIT = "vpd-rigas-regions"
RENEWAL_UNIT = "vpd-vidzemes-regions"
ANNUL_REASON = (
    "Anulēts ar VPD lēmumu: starpnieks nav izpildījis kvalifikācijas uzturēšanas prasības "
    "(nav apmeklētas obligātās mācības)."
)

CLIENT_NOTES = [
    "",
    "Probācijas uzraudzība; klients pats vēlējās līdzgaitnieku.",
    "Tikšanās probācijas dienesta telpās vai publiskās vietās.",
    "Sazināties caur probācijas darbinieku.",
]
GOALS = [
    "Darba meklēšana: CV, pieteikšanās vakancēm, sagatavošanās darba intervijām.",
    "Brīvā laika plānošana: regulāras nodarbības, sports, interešu pulciņš.",
    "Dokumentu kārtošana un saziņa ar pašvaldības sociālo dienestu.",
    "Dienas režīms, budžeta plānošana un ikdienas pienākumu kārtošana.",
    "Mājokļa meklēšana un īres līguma noslēgšana.",
    "Mācību turpināšana: arodizglītības iespēju izpēte.",
]
PAIR_NOTES = [
    "Kopā sagatavojām CV un izvēlējāmies trīs vakances.",
    "Pastaiga un saruna par nedēļas plāniem.",
    "Apmeklējām sociālo dienestu; iesniegti dokumenti pabalstam.",
    "Brīvā laika plānošana: sporta zāles apmeklējums kopā.",
    "Sagatavošanās darba intervijai, mēģinājām atbildes.",
    "Budžeta plānošana mēnesim.",
    "Kafija un saruna par to, kas nedēļā izdevās.",
    "Kopā apskatījām arodskolas piedāvājumu.",
    "Īsa telefonsaruna: pārcelta tikšanās, viss kārtībā.",
]
CIRCLE_NOTES = [
    "Apļa tikšanās: nedēļas plāni un darba grafiks.",
    "Pārrunājām dienas režīmu un to, kā izvairīties no riska situācijām.",
    "Kopīgi plānojām brīvdienu aktivitātes.",
    "Runājām par attiecībām ar ģimeni un atbalsta iespējām.",
    "Saruna par darba meklēšanu un mācībām.",
    "Atskats uz mēnesi: kas izdevās, kas jāmaina.",
    "Kopīga pastaiga parkā un saruna par nākamās nedēļas plāniem.",
]
CONCERN_NOTE = (
    "Dalībnieks bija satraukts, minēja, ka vēlas pārtraukt tikšanās ar apli un ka naktis pavada "
    "ārpus dzīvesvietas. Lūdzam probācijas darbinieku sazināties ar viņu."
)
REVIEW_NOTES = [
    "Tikšanās notiek regulāri; mērķi aktuāli, turpināt.",
    "Labs progress darba meklēšanā; nākamajā periodā uzsvars uz brīvā laika plānošanu.",
    "Sadarbība laba. Klients ievēro probācijas nosacījumus.",
    "Aplis darbojas saskaņoti; tikšanās biežumu var samazināt līdz reizei divās nedēļās.",
]
END_REASON = "Klients pārcēlās uz citu novadu; pāris pārtraukts pēc savstarpējas vienošanās."
OUTER = [
    ("Probācijas darbinieks", "Valsts probācijas dienests"),
    ("Psihologs", "Pašvaldības sociālais dienests"),
    ("Sociālais darbinieks", "Pašvaldības sociālais dienests"),
]
SESSION_NOTES = [
    "Sagatavošanas saruna ar vienu pusi.",
    "Kopīga izlīguma tikšanās.",
    "Izlīguma sarunas turpinājums; apspriesti zaudējumu atlīdzināšanas nosacījumi.",
]
HOURS = [Decimal("1"), Decimal("1.5"), Decimal("1.5"), Decimal("2"), Decimal("2.5")]


def _aware(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


class Demo:
    def __init__(self, today: date, rng: random.Random) -> None:
        self.today, self.rng, self.now = today, rng, timezone.now()
        self.vpd = Institution.objects.get(code="VPD")
        self.units = {
            u.slug: u for u in Unit.objects.filter(institution=self.vpd).select_related("institution")
        }
        self.roles = {r.code: r for r in Role.objects.filter(institution=self.vpd)}
        coordinators = permissions.coordinators_by_unit([u.pk for u in self.units.values()])
        central = permissions.central_coordinators_by_institution([self.vpd.pk]).get(self.vpd.pk, [])
        superuser = get_user_model().objects.filter(is_superuser=True).order_by("pk").first()
        self.staff = {
            unit.pk: (coordinators.get(unit.pk) or central or [superuser])[0] for unit in self.units.values()
        }
        # Per (unit slug, role): the demo's agreements in force that have begun, longest first.
        domain = "@" + volunteers_demo.DEMO_DOMAIN
        self.terms: dict[tuple[str, str], list[Agreement]] = defaultdict(list)
        mine = Q(volunteer__user__email__endswith=domain) | Q(
            volunteer__user__email=volunteers_demo.VOLUNTEER_EMAIL
        )
        for agreement in (
            Agreement.objects.filter(mine, institution=self.vpd, status__in=IN_FORCE)
            .filter(start_date__lt=today, end_date__gt=today)
            .select_related("unit__institution", "role", "volunteer__user", "application", "template")
            .order_by("start_date", "pk")
        ):
            self.terms[agreement.unit.slug, agreement.role.code].append(agreement)
        self.taken: set[int] = set()
        self.meetings: list[tuple[Meeting, list[Volunteer], str, str]] = []
        self.sessions: list[tuple[MediationSession, list[Volunteer], str]] = []
        self.cursor: dict[str, int] = defaultdict(int)
        expiring = self.terms.get((EXPIRING_UNIT, "mediator"))
        self.expiring = expiring[0].volunteer_id if expiring else None
        renewal = self.terms.get((RENEWAL_UNIT, "mediator"))
        self.renewal = renewal[0].volunteer_id if renewal else None

    def staff_of(self, unit: Unit):
        return self.staff[unit.pk]

    def take(self, slug: str, role: str, *, started_by: date | None = None, mine=False) -> Agreement | None:
        """The next agreement in force at the unit for the role, of a volunteer not used yet."""
        for agreement in self.terms[slug, role]:
            if agreement.volunteer_id in self.taken:
                continue
            is_mine = agreement.volunteer.user.email == volunteers_demo.VOLUNTEER_EMAIL
            if is_mine != mine or (started_by and agreement.start_date > started_by):
                continue
            self.taken.add(agreement.volunteer_id)
            return agreement
        return None

    def client(self, unit: Unit, active_from: date):
        return services.client_create(
            actor=self.staff_of(unit),
            unit=unit,
            officer=self.staff_of(unit),
            active_from=active_from,
            case_number=f"{active_from.year % 100:02d}-{self.rng.randint(1000, 9999)}"
            if self.rng.random() < 0.5
            else "",
            note=self.rng.choice(CLIENT_NOTES),
        )

    def meeting(self, unit, day, *, pair=None, circle=None, people, note, logged_by, **extra) -> Meeting:
        created = min(
            _aware(day + timedelta(days=self.rng.randint(0, 2)), 19, self.rng.randint(0, 59)), self.now
        )
        meeting = Meeting(
            unit=unit,
            pair=pair,
            circle=circle,
            day=day,
            hours=self.rng.choice(HOURS),
            kind=extra.pop("kind", Meeting.Kind.IN_PERSON),
            note=note,
            logged_by=logged_by,
            created_at=created,
            **extra,
        )
        if pair is not None:
            kind, activity = HoursRecord.Kind.MENTORING, _("Mentoring meeting, %(client)s")
            code = pair.client.code
        else:
            kind, activity = HoursRecord.Kind.CIRCLE, _("Circle meeting, %(client)s")
            code = circle.client.code
        self.meetings.append((meeting, people, kind, activity % {"client": code}))
        return meeting

    # --- Mentoring pairs

    def pairs(self) -> list:
        made = []
        for slug, count in PAIRS:
            unit = self.units.get(slug)
            if unit is None:
                continue
            for n in range(count):
                mine = slug == "vpd-vidzemes-regions" and n == 0
                agreement = self.take(slug, "mentor", started_by=self.today - timedelta(days=30), mine=mine)
                if agreement is None:
                    continue
                starts = max(
                    agreement.start_date + timedelta(days=self.rng.randint(5, 12)),
                    self.today - timedelta(days=self.rng.randint(150, 200)),
                )
                client = self.client(unit, starts - timedelta(days=self.rng.randint(3, 20)))
                pair = services.pair_create(
                    actor=self.staff_of(unit),
                    client=client,
                    mentor=agreement.volunteer,
                    starts_on=starts,
                    planned_end=min(add_years(starts, 1) - timedelta(days=1), agreement.end_date),
                    goals=" ".join(self.rng.sample(GOALS, 2)),
                )
                ended = slug == ENDED_PAIR_UNIT and n == count - 1 and (self.today - starts).days > 60
                last = self.today - timedelta(days=1)
                if ended:
                    last = starts + timedelta(days=(self.today - starts).days // 2)
                day = starts + timedelta(days=self.rng.randint(2, 6))
                while day <= last:
                    kind = self.rng.choices(list(Meeting.Kind), weights=[6, 1, 1, 2])[0]
                    self.meeting(
                        unit,
                        day,
                        pair=pair,
                        people=[agreement.volunteer],
                        note=self.rng.choice(PAIR_NOTES),
                        logged_by=agreement.volunteer.user,
                        kind=kind,
                    )
                    day += timedelta(days=self.rng.choice([7, 7, 7, 10, 14]))
                if (self.today - starts).days > 100 and n % 2 == 0:
                    services.review_record(
                        actor=client.officer,
                        pair=pair,
                        reviewed_on=starts + timedelta(days=self.rng.randint(88, 95)),
                        note=self.rng.choice(REVIEW_NOTES),
                    )
                if ended:
                    pair = services.pair_end(
                        actor=self.staff_of(unit),
                        pair=pair,
                        ended_on=last + timedelta(days=3),
                        reason=END_REASON,
                    )
                made.append(pair)
        return made

    # --- Circles

    def circle_meetings(self, circle, members, first: date, *, fortnightly_after: date | None = None):
        day, concern_done = first, False
        while day < self.today:
            people = self.rng.sample(members, self.rng.randint(min(3, len(members)), len(members)))
            extra = {}
            if not concern_done and circle.unit.slug == ACTIVE and (self.today - day).days <= 24:
                created = min(_aware(day, 20, 5), self.now)
                extra = {
                    "concern": True,
                    "concern_note": CONCERN_NOTE,
                    "concern_sent_at": created + timedelta(minutes=2),
                    "concern_claimed_at": created + timedelta(minutes=1),
                    "concern_attempts": 1,
                }
                concern_done = True
            meeting = self.meeting(
                circle.unit,
                day,
                circle=circle,
                people=sorted(people, key=lambda v: v.pk),
                note=self.rng.choice(CIRCLE_NOTES),
                logged_by=people[0].user,
                **extra,
            )
            if extra:
                meeting.created_at = extra["concern_sent_at"] - timedelta(minutes=2)
            step = 14 if fortnightly_after and day >= fortnightly_after else 7
            day += timedelta(days=step)

    def circle_reviews(self, circle, since: date) -> None:
        day = since + timedelta(days=91)
        while day < self.today - timedelta(days=10):
            services.review_record(
                actor=circle.client.officer,
                circle=circle,
                reviewed_on=day,
                note=self.rng.choice(REVIEW_NOTES),
            )
            day += timedelta(days=self.rng.randint(88, 95))

    def forming_circle(self):
        unit = self.units.get(FORMING)
        people = [self.take(FORMING, "circles", started_by=self.today - timedelta(days=20)) for _ in range(2)]
        if unit is None or None in people:
            return None
        formed = self.today - timedelta(days=10)
        return services.circle_create(
            actor=self.staff_of(unit),
            client=self.client(unit, formed - timedelta(days=14)),
            volunteers=[a.volunteer for a in people],
            formed_on=formed,
            schedule="Plānots: katru ceturtdienu 18:00, kad pievienosies trešais brīvprātīgais.",
        )

    def active_circle(self):
        unit = self.units.get(ACTIVE)
        active_from = self.today - timedelta(days=ACTIVE_MONTHS_DAYS)
        formed = active_from - timedelta(days=14)
        people = [self.take(ACTIVE, "circles", started_by=formed) for _ in range(4)]
        people = [p for p in people if p is not None]
        if unit is None or len(people) < 3:
            return None
        actor = self.staff_of(unit)
        circle = services.circle_create(
            actor=actor,
            client=self.client(unit, formed - timedelta(days=20)),
            volunteers=[a.volunteer for a in people],
            formed_on=formed,
            schedule="Katru otrdienu 18:00, probācijas dienesta telpās.",
        )
        for role, organisation in OUTER:
            services.outer_member_add(actor=actor, circle=circle, role=role, organisation=organisation)
        circle = services.circle_activate(actor=actor, circle=circle, active_from=active_from)
        # Not reviewed yet: the review fell due a month ago (the daily reminder says so).
        self.circle_meetings(circle, [a.volunteer for a in people], active_from + timedelta(days=1))
        return circle

    def long_circle(self):
        """Meeting for 19 months: its four volunteers held earlier agreements (written here,
        expired the day before their current ones began) from before it was formed."""
        unit = self.units.get(LONG)
        people = [self.take(LONG, "circles", started_by=self.today - timedelta(days=120)) for _ in range(4)]
        people = [p for p in people if p is not None]
        if unit is None or len(people) < 3:
            return None, []
        active_from = self.today - timedelta(days=LONG_MONTHS * 31)
        formed = active_from - timedelta(days=21)
        actor = self.staff_of(unit)
        earlier = []
        for current in people:
            start = formed - timedelta(days=self.rng.randint(15, 60))
            generated = _aware(start - timedelta(days=self.rng.randint(5, 12)), 11)
            end = current.start_date - timedelta(days=1)
            earlier.append(
                Agreement(
                    number=agreement_services.number_next(
                        institution=self.vpd, year=timezone.localdate(generated).year
                    ),
                    institution=self.vpd,
                    unit=unit,
                    application=current.application,
                    volunteer=current.volunteer,
                    role=current.role,
                    template=current.template,
                    status=AgreementStatus.ENDED,
                    status_changed_at=_aware(end + timedelta(days=1), 0, 5),
                    place=current.place,
                    start_date=start,
                    end_date=end,
                    hours_per_week=current.hours_per_week,
                    duties=current.duties,
                    notice_days=current.notice_days,
                    requested_in_writing=True,
                    generated_at=generated,
                    sent_at=generated + timedelta(hours=3),
                    signed_on=start - timedelta(days=self.rng.randint(1, 3)),
                    ended_on=end,
                    end_kind=Agreement.EndKind.EXPIRED,
                    created_by=actor,
                    created_at=generated - timedelta(hours=2),
                )
            )
        Agreement.objects.bulk_create(earlier)
        Agreement.history.bulk_history_create(earlier)
        client = self.client(unit, formed - timedelta(days=30))
        circle = Circle.objects.create(
            unit=unit,
            client=client,
            phase=CirclePhase.ACTIVE,
            formed_on=formed,
            active_from=active_from,
            schedule="Pirmos sešus mēnešus katru pirmdienu 18:00, tagad reizi divās nedēļās.",
            created_by=actor,
            created_at=_aware(formed, 10),
        )
        CircleMember.objects.bulk_create(
            [CircleMember(circle=circle, volunteer=a.volunteer, joined_on=formed) for a in people]
        )
        OuterMember.objects.bulk_create(
            [OuterMember(circle=circle, role=role, organisation=org) for role, org in OUTER[:2]]
        )
        volunteers = [a.volunteer for a in people]
        self.circle_meetings(
            circle,
            volunteers,
            active_from + timedelta(days=1),
            fortnightly_after=active_from + timedelta(days=182),
        )
        self.circle_reviews(circle, active_from)
        return circle, earlier

    # --- Mediation

    def certificates(self) -> dict:
        """A certificate for every VPD mediator in force (issued before their agreement);
        one at ``EXPIRING_UNIT`` expires within 30 days."""
        made = {}
        number = 0
        for (_slug, role), agreements in sorted(self.terms.items()):
            if role != "mediator":
                continue
            for agreement in agreements:
                number += 1
                issued = agreement.start_date - timedelta(days=self.rng.randint(20, 600))
                valid_until = max(
                    add_years(issued, CERTIFICATE_YEARS) - timedelta(days=1), self.today + timedelta(days=90)
                )
                if agreement.volunteer_id in (self.expiring, self.renewal):  # renewal is due
                    days = EXPIRING_IN_DAYS if agreement.volunteer_id == self.expiring else RENEWAL_IN_DAYS
                    valid_until = self.today + timedelta(days=days)
                    issued = add_years(valid_until, -CERTIFICATE_YEARS) + timedelta(days=1)
                made[agreement.volunteer_id] = services.certificate_record(
                    actor=self.staff_of(agreement.unit),
                    unit=agreement.unit,
                    volunteer=agreement.volunteer,
                    number=f"IPS-{issued.year}-{number:03d}",
                    issued_on=issued,
                    valid_until=valid_until,
                )
        return made

    def mediators_of(self, slug: str, count: int, *, started_by: date) -> list[Agreement]:
        pool = [a for a in self.terms[slug, "mediator"] if a.start_date <= started_by]
        if len(pool) < count:
            return []
        start, self.cursor[slug] = self.cursor[slug], self.cursor[slug] + count
        return [pool[(start + i) % len(pool)] for i in range(count)]

    def cases(self, certificates: dict):
        closed, open_cases, flagged, expiring = [], [], None, None
        per_unit = defaultdict(int)
        annulled_case = None
        for slug, outcome, count in CASES:
            unit = self.units.get(slug)
            if unit is None:
                continue
            is_open = outcome == ""
            started_by = self.today - timedelta(days=40 if is_open else 80)
            mediators = self.mediators_of(slug, count, started_by=started_by)
            if not mediators:
                continue
            latest = max(a.start_date for a in mediators)
            if is_open:
                opened = max(
                    latest + timedelta(days=5), self.today - timedelta(days=self.rng.randint(20, 45))
                )
            else:
                opened = max(
                    latest + timedelta(days=5), self.today - timedelta(days=self.rng.randint(90, 200))
                )
                opened = min(opened, self.today - timedelta(days=60))
            per_unit[slug] += 1
            n = sum(per_unit.values())
            case = services.mediation_create(
                actor=self.staff_of(unit),
                unit=unit,
                reference=f"IZL-{opened.year}-{n:03d}",
                victim_ref=f"C-{opened.year}-{n:03d}",
                offender_ref=f"L-{opened.year}-{n:03d}",
                mediators=[a.volunteer for a in mediators],
                opened_on=opened,
            )
            low, high = SESSIONS[outcome]
            day, last = opened, None
            for k in range(self.rng.randint(low, high)):
                day = day + timedelta(days=self.rng.randint(5, 14))
                if day > self.today - timedelta(days=2):
                    break
                session = MediationSession(
                    case=case,
                    day=day,
                    hours=self.rng.choice([Decimal("1.5"), Decimal("2"), Decimal("2.5")]),
                    note=SESSION_NOTES[min(k, len(SESSION_NOTES) - 1)],
                    logged_by=mediators[0].volunteer.user,
                    created_at=min(_aware(day, 18), self.now),
                )
                activity = _("Mediation session, %(case)s") % {"case": case.reference}
                self.sessions.append((session, [a.volunteer for a in mediators], activity))
                last = day
            if is_open:
                open_cases.append(case)
                if slug == ANNULLED_UNIT and annulled_case is None:
                    annulled_case = (case, mediators[0])
                continue
            closed_on = min(
                (last or opened) + timedelta(days=self.rng.randint(1, 5)), self.today - timedelta(days=1)
            )
            closed.append(
                services.mediation_close(
                    actor=self.staff_of(unit), case=case, outcome=outcome, closed_on=closed_on
                )
            )
            if any(a.volunteer_id == self.expiring for a in mediators):
                expiring = case
        if annulled_case is not None:
            case, mediator = annulled_case
            services.certificate_annul(
                actor=self.staff_of(case.unit),
                certificate=certificates[mediator.volunteer_id],
                annulled_on=max(case.opened_on, self.today - timedelta(days=8)),
                reason=ANNUL_REASON,
            )
            flagged = case
        return closed, open_cases, flagged, expiring

    # --- The rows

    def write(self) -> int:
        """Meetings, sessions and their hours records (approved after a few weeks)."""
        meetings = Meeting.objects.bulk_create([m for m, *_rest in self.meetings], batch_size=500)
        through = Meeting.attendees.through
        through.objects.bulk_create(
            [
                through(meeting_id=meeting.pk, volunteer_id=volunteer.pk)
                for meeting, (_m, people, *_rest) in zip(meetings, self.meetings, strict=True)
                for volunteer in people
            ],
            batch_size=1000,
        )
        sessions = MediationSession.objects.bulk_create([s for s, *_rest in self.sessions], batch_size=500)
        meeting_type = ContentType.objects.get_for_model(Meeting)
        session_type = ContentType.objects.get_for_model(MediationSession)
        fields = {
            HoursRecord.Kind.MENTORING: self.roles.get("mentor"),
            HoursRecord.Kind.CIRCLE: self.roles.get("circles"),
            HoursRecord.Kind.MEDIATION: self.roles.get("mediator"),
        }
        rows = []

        def record(volunteer, unit, kind, source_type, source, activity):
            approved = (self.today - source.day).days > APPROVED_AFTER_DAYS
            decided_at = min(
                _aware(source.day + timedelta(days=self.rng.randint(2, 9)), 10, self.rng.randint(0, 59)),
                self.now,
            )
            rows.append(
                HoursRecord(
                    volunteer=volunteer,
                    unit=unit,
                    kind=kind,
                    source_type=source_type,
                    source_id=source.pk,
                    activity=activity[:200],
                    field=fields[kind],
                    day=source.day,
                    hours=source.hours,
                    state=HoursState.APPROVED if approved else HoursState.PENDING,
                    decided_by=self.staff_of(unit) if approved else None,
                    decided_at=decided_at if approved else None,
                    created_at=source.created_at,
                )
            )

        for meeting, (_m, people, kind, activity) in zip(meetings, self.meetings, strict=True):
            for volunteer in people:
                record(volunteer, meeting.unit, kind, meeting_type, meeting, activity)
        for session, (_s, people, activity) in zip(sessions, self.sessions, strict=True):
            for volunteer in people:
                record(
                    volunteer, session.case.unit, HoursRecord.Kind.MEDIATION, session_type, session, activity
                )
        created = HoursRecord.objects.bulk_create(rows, batch_size=1000)
        HoursRecord.history.bulk_history_create(created, batch_size=1000)
        return len(created)


def seed(*, stdout) -> None:
    if ClientReference.objects.exists() or MediationCase.objects.exists():
        stdout.write("Demo casework is already loaded.")
        return
    if not Institution.objects.filter(code="VPD").exists():
        stdout.write("Demo casework: VPD is missing, nothing loaded.")
        return
    with translation.override(settings.LANGUAGE_CODE):
        demo = Demo(timezone.localdate(), random.Random(SEED))
        if not demo.terms:
            stdout.write("Demo casework: no VPD agreements in force, nothing loaded.")
            return
        pairs = demo.pairs()
        forming = demo.forming_circle()
        active = demo.active_circle()
        long_running, earlier = demo.long_circle()
        certificates = demo.certificates()
        closed, open_cases, flagged, expiring = demo.cases(certificates)
        hours = demo.write()
    mine = [p for p in pairs if p.mentor.user.email == volunteers_demo.VOLUNTEER_EMAIL]
    circles = [c for c in (forming, active, long_running) if c is not None]
    cases = len(closed) + len(open_cases)
    stdout.write(
        f"Demo casework: {ClientReference.objects.count()} client references, {len(pairs)} mentoring pairs "
        f"({sum(p.state == 'ended' for p in pairs)} ended), {len(circles)} circles (forming, meeting "
        f"for four months, past 18 months), {len(demo.meetings)} meetings, {cases} mediation cases "
        f"({len(open_cases)} open{', one flagged' if flagged else ''}), {len(certificates)} mediator "
        f"certificates ({'one expiring within 30 days, ' if expiring else ''}one annulled), {hours} hours "
        f"records, {Review.objects.count()} reviews; {len(earlier)} earlier VPD agreements; "
        f"{volunteers_demo.VOLUNTEER_EMAIL}: {len(mine)} mentoring pair."
    )
