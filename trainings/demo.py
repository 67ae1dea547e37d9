"""Demo trainings: the courses of both institutions, a year of held sessions with
registrations, attendance and completions, and sessions open for registration in the
coming months. Seeded after the applications and agreements demos (it reads what they made
and trains whoever they left untrained).

* IeVP: the induction course, required for every IeVP role, and its two 2024 cohorts —
  May 2024 at Olaines cietums and November 2024 at Jelgavas cietums, 80 people trained in
  all (the 2024 fact sheet). The 2024 trainees are the IeVP volunteers at the agreement
  step or later: those cohorts are fixed in time while the applications demo is a year
  back from today, so their current applications are dated after their training. The few
  left over (and anyone who missed a cohort day) completed a session held later at their
  prison, before their agreement step. A few registered in 2024 missed a day and did not
  complete.
* VPD: its induction (mentor, circles), the mediators' course (mediator, 40 h, 80 % of the
  days) and the recurring child-rights course (every role, valid 24 months). Sessions were
  held at each unit between an applicant's application and their agreement step; many
  volunteers brought a child-rights certificate from their job (recorded by a coordinator),
  some of which expire within 60 days (the reminders send both kinds), and one applicant
  in training has one that has already expired (flagged in the inbox).
* Every application at the agreement step or later has a valid completion of every course
  its roles need; no application in the training step has them all. Applicants in training
  are registered for the coming sessions (one is full, with a waiting list; one was
  cancelled). The demo volunteer (brivpratigais@tilts.demo) can register for an open session
  at Olaines cietums and for a child-rights renewal, and is registered for neither.
* One certificate PDF is rendered (the demo volunteer's VPD induction): rendering is slow,
  and the other completions' certificates can be issued from their pages.

Created directly as data (no emails, no audit noise, history rows like the agreements
demo); idempotent: once the 2024 cohorts exist nothing is loaded again."""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from documents import services as document_services
from documents.models import Document
from institutions import permissions
from institutions.models import Institution, Unit
from volunteers import demo as volunteers_demo
from volunteers.models import Application, ApplicationEvent, Role, Volunteer
from volunteers.models import Status as ApplicationStatus

from .models import (
    Attendance,
    Completion,
    Course,
    Registration,
    RegistrationState,
    Session,
    SessionDay,
    SessionState,
)
from .printing import CERTIFICATE
from .services import meets_rule

# The course that trainings/migrations/0002 makes from the old "requires training" flag: the
# demo gives it its real title (one induction course per institution, not two).
MIGRATED_TITLE = "Ievadapmācība brīvprātīgajiem"

IEVP_INDUCTION, VPD_INDUCTION, MEDIATION, CHILD_RIGHTS = (
    "ievp_induction",
    "vpd_induction",
    "mediation",
    "child",
)


@dataclass(frozen=True)
class CourseSpec:
    institution: str
    title: str
    title_en: str
    kind: str
    hours: int
    days: int  # days of a session (8 hours each)
    roles: tuple[str, ...] | None  # None: every role of the institution
    description: str
    description_en: str
    validity_months: int | None = None
    rule: str = Course.Rule.ALL_DAYS
    min_share: int = 80


COURSES = {
    IEVP_INDUCTION: CourseSpec(
        "IEVP",
        "Ievadapmācība brīvprātīgajiem ieslodzījuma vietās",
        "Induction training for volunteers in prisons",
        Course.Kind.INDUCTION,
        16,
        2,
        None,
        "Ieslodzījuma vietu darba kārtība un drošības prasības, saskarsme ar ieslodzītajiem, robežas un "
        "konfidencialitāte, rīcība ārkārtas situācijās. Obligāta ikvienam brīvprātīgajam pirms darba "
        "ieslodzījuma vietā.",
        "How prisons work and their security rules, communicating with prisoners, boundaries and "
        "confidentiality, what to do in an emergency. Required of every volunteer before working in "
        "a prison.",
    ),
    VPD_INDUCTION: CourseSpec(
        "VPD",
        "Ievadapmācība probācijas brīvprātīgajiem",
        "Induction training for probation volunteers",
        Course.Kind.INDUCTION,
        16,
        2,
        ("mentor", "circles"),
        "Probācijas dienesta darbs un probācijas klienti, mentora un atbalsta un atbildības apļa "
        "brīvprātīgā loma, robežas, konfidencialitāte un sadarbība ar probācijas darbinieku.",
        "The probation service and its clients, the role of a mentor and of a circle volunteer, "
        "boundaries, confidentiality and working with the probation officer.",
    ),
    MEDIATION: CourseSpec(
        "VPD",
        "Izlīguma starpnieku sagatavošanas kurss",
        "Training course for victim–offender mediators",
        Course.Kind.ROLE,
        40,
        5,
        ("mediator",),
        "Izlīgums kriminālprocesā: sagatavošanās, sarunu vadīšana starp cietušo un likumpārkāpēju, "
        "vienošanās noformēšana; lomu spēles un supervīzija. Jāapmeklē vismaz 80 % nodarbību.",
        "Mediation in criminal proceedings: preparing, leading the meeting of victim and offender, "
        "writing down the agreement; role plays and supervision. At least 80 % of the days.",
        rule=Course.Rule.SHARE,
    ),
    CHILD_RIGHTS: CourseSpec(
        "VPD",
        "Bērnu tiesību aizsardzības pamatzināšanas",
        "Basic knowledge of the protection of children's rights",
        Course.Kind.RECURRING,
        8,
        1,
        None,
        "Bērnu tiesību aizsardzības pamatzināšanas ikvienam, kas strādā ar bērniem vai viņu ģimenēm "
        "(Ministru kabineta 2024. gada noteikumi Nr. 241). Apliecība derīga 24 mēnešus.",
        "Basic knowledge of the protection of children's rights for everyone working with children or "
        "their families (Cabinet Regulation No. 241, 2024). The certificate is valid for 24 months.",
        validity_months=24,
    ),
}
TRAINERS = {
    IEVP_INDUCTION: "Ilze Kalniņa (IeVP), psiholoģe Rūta Eglīte",
    VPD_INDUCTION: "Jānis Bērziņš (VPD), probācijas darbiniece Laura Jansone",
    MEDIATION: "Izlīguma koordinatori Inese Vītola un Edgars Lapiņš",
    CHILD_RIGHTS: "Bērnu tiesību aizsardzības lektore Daiga Siliņa",
}
NOTES = {
    "IEVP": "Līdzi jāņem personu apliecinošs dokuments; ieeja tikai pēc dalībnieku saraksta. "
    "Mobilos tālruņus atstāj glabāšanā pie ieejas.",
    "VPD": "Kafijas pauzes nodrošinātas. Līdzi ņemt pierakstu piederumus.",
}
# The fact sheet: IeVP trained 80 volunteers in 2024, in two cohorts.
# (first day, days, unit, completing, missing a day, places)
COHORTS = [
    (date(2024, 5, 16), 2, "olaines-cietums", 30, 2, 35),
    (date(2024, 11, 14), 2, "jelgavas-cietums", 50, 3, 55),
]
# Sessions in the coming months: (course, unit slug — None: the demo volunteer's VPD unit —,
# days from today, places, state).
UPCOMING = [
    (IEVP_INDUCTION, "jelgavas-cietums", 17, 12, SessionState.OPEN),
    (IEVP_INDUCTION, "valmieras-cietums", 38, 4, SessionState.OPEN),  # full, with a waiting list
    (IEVP_INDUCTION, "olaines-cietums", 45, 24, SessionState.OPEN),
    (IEVP_INDUCTION, "daugavgrivas-cietums", 95, 30, SessionState.PLANNED),
    (CHILD_RIGHTS, None, 19, 20, SessionState.OPEN),
    (VPD_INDUCTION, "vpd-latgales-regions", 24, 15, SessionState.CANCELLED),
    (VPD_INDUCTION, "vpd-jelgavas-1-nodala", 31, 15, SessionState.OPEN),
    (MEDIATION, "vpd-rigas-regions", 52, 16, SessionState.OPEN),
    (CHILD_RIGHTS, "vpd-rigas-regions", 66, 25, SessionState.OPEN),
]
CANCEL_REASON = "Lektore saslimusi; nodarbība pārcelta uz Jelgavas 1. nodaļu."
SOCIAL_SERVICE = "Apliecība no pašvaldības sociālā dienesta rīkotām mācībām; kopija pievienota lietai."
# Occupations that bring a child-rights certificate from work (recorded by a coordinator).
CERTIFIED_AT_WORK = {
    "skolotāja": "Apliecība iegūta darbavietā (skolā); kopiju brīvprātīgais iesniedza kopā ar pieteikumu.",
    "sociālais darbinieks": SOCIAL_SERVICE,
    "sociālā darbiniece": SOCIAL_SERVICE,
    "medmāsa": "Apliecība no darba devēja (slimnīcas) rīkotām mācībām; oriģināls uzrādīts klātienē.",
    "treneris": "Apliecība no sporta skolas rīkotām mācībām; kopija pievienota lietai.",
    "psihologs": "Apliecība no sertificēta lektora kursa; kopija pievienota lietai.",
}
BROUGHT = "Apliecība iegūta iepriekšējā darbavietā; kopija pievienota lietai."
# Days left on the child-rights certificates that run out soon: ≤ 30 and 31–60 days (both
# reminder kinds), and the demo volunteer's own.
EXPIRING_IN = [7, 12, 26, 38, 47, 55]
VOLUNTEER_EXPIRES_IN = 41
EXPIRED_DAYS_AGO = 20
AT_AGREEMENT_OR_LATER = [
    ApplicationStatus.AGREEMENT,
    ApplicationStatus.ACTIVE,
    ApplicationStatus.PAUSED,
    ApplicationStatus.ENDED,
]


@dataclass
class Person:
    volunteer: Volunteer
    application: Application | None
    state: str = RegistrationState.REGISTERED
    present: list[bool] | None = None  # per day (held sessions)
    registered_at: datetime | None = None
    by_self: bool = False


@dataclass
class Plan:
    key: str
    course: Course
    unit: Unit
    days: list[date]
    state: str
    capacity: int = 0
    people: list[Person] = field(default_factory=list)


@dataclass
class External:
    application: Application
    course: Course
    completed_on: date
    note: str


# Latvian public holidays on fixed dates: no sessions then.
HOLIDAYS = {(1, 1), (5, 1), (5, 4), (6, 23), (6, 24), (11, 18), (12, 24), (12, 25), (12, 26), (12, 31)}


def _aware(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _working(day: date) -> bool:
    return day.weekday() < 5 and (day.month, day.day) not in HOLIDAYS


def _block(last: date, count: int) -> list[date]:
    """``count`` working days ending on ``last``."""
    days = [last]
    while len(days) < count:
        day = days[0] - timedelta(days=1)
        while not _working(day):
            day -= timedelta(days=1)
        days.insert(0, day)
    return days


def _last_day(earliest: date, latest: date, count: int) -> date:
    """The latest day in the window that ends ``count`` consecutive working days (a course
    does not run over a weekend or a holiday); else the latest day."""
    day = latest
    while day >= earliest:
        if all(_working(day - timedelta(days=n)) for n in range(count)):
            return day
        day -= timedelta(days=1)
    return latest


def _days_from(first: date, count: int) -> list[date]:
    """The first ``count`` consecutive working days from ``first``."""
    while not all(_working(first + timedelta(days=n)) for n in range(count)):
        first += timedelta(days=1)
    return [first + timedelta(days=n) for n in range(count)]


def _stab(windows: list[tuple[date, date, object]], count: int) -> list[tuple[date, list]]:
    """As few sessions as possible such that each (earliest, latest) window holds the last
    day of one: the groups of people trained together, with their session's last day."""
    groups: list[tuple[date, list]] = []
    for earliest, latest, payload in sorted(windows, key=lambda w: (w[1], w[0])):
        if groups and earliest <= groups[-1][0]:
            groups[-1][1].append(payload)
        else:
            groups.append((_last_day(earliest, latest, count), [payload]))
    return groups


def seed(*, stdout) -> None:
    today = timezone.localdate()
    loaded = Session.objects.filter(
        course__institution__code=COURSES[IEVP_INDUCTION].institution,
        course__title=COURSES[IEVP_INDUCTION].title,
        first_day=COHORTS[0][0],
    )
    if loaded.exists():
        stdout.write("Demo trainings are already loaded.")
        return
    institutions = {i.code: i for i in Institution.objects.filter(code__in=["IEVP", "VPD"])}
    if len(institutions) < 2:
        stdout.write("Demo trainings: the institutions are missing, nothing loaded.")
        return
    rng = random.Random(2028)
    courses = {key: _course(spec, institutions[spec.institution]) for key, spec in COURSES.items()}
    units = {unit.slug: unit for unit in Unit.objects.select_related("institution")}
    coordinators = permissions.coordinators_by_unit([unit.pk for unit in units.values()])
    central = permissions.central_coordinators_by_institution([i.pk for i in institutions.values()])
    superuser = get_user_model().objects.filter(is_superuser=True).first()

    def staff(unit: Unit):
        return (coordinators.get(unit.pk) or central.get(unit.institution_id) or [superuser])[0]

    applications = _demo_applications(institutions.values())
    dates = _dates(applications)
    needed = _required(applications)
    by_status = defaultdict(list)
    for application in applications:
        by_status[application.institution.code, application.status].append(application)
    qualifying = {
        code: sorted(
            (a for s in AT_AGREEMENT_OR_LATER for a in by_status[code, s]),
            key=lambda a: (dates[a.pk]["agreement"], a.pk),
        )
        for code in institutions
    }

    plans: list[Plan] = []
    externals: list[External] = []
    done: set[tuple[int, int]] = set(
        Completion.objects.valid_on(today)
        .filter(volunteer__in={a.volunteer_id for a in applications})
        .values_list("volunteer_id", "course_id")
    )

    # --- IeVP: the two 2024 cohorts, then a session at the prison for whoever is left.
    induction = courses[IEVP_INDUCTION]
    trainees = list(qualifying["IEVP"])
    spare = by_status["IEVP", ApplicationStatus.WITHDRAWN] + by_status["IEVP", ApplicationStatus.REJECTED]
    cohort_people = sum(n for *_, n, _missing, _places in COHORTS)
    if len(trainees) < cohort_people:  # fewer than the fact sheet's 80: others trained too, then left
        trainees += [a for a in spare if a not in trainees][: cohort_people - len(trainees)]
    taken = 0
    later = trainees[cohort_people:]
    absentees = later + [a for a in spare if a not in trainees]
    for first, count, slug, completing, missing, places in COHORTS:
        unit = units[slug]
        plan = Plan(IEVP_INDUCTION, induction, unit, _days_from(first, count), SessionState.HELD, places)
        for application in trainees[taken : taken + completing]:
            plan.people.append(Person(application.volunteer, application, present=[True] * count))
        taken += completing
        for application in absentees[:missing]:
            plan.people.append(
                Person(application.volunteer, application, present=[True] + [False] * (count - 1))
            )
        absentees = absentees[missing:]
        plans.append(plan)
    later = [a for a in later if (a.volunteer_id, induction.pk) not in done]  # (a migrated one counts)
    plans += _held_at_units(later, induction, units, dates, by_unit=True)
    done |= {(a.volunteer_id, induction.pk) for a in trainees}

    # --- VPD: child-rights certificates from work, then sessions for the rest.
    child = courses[CHILD_RIGHTS]
    demo_volunteer = next(
        (a for a in qualifying["VPD"] if a.volunteer.user.email == volunteers_demo.VOLUNTEER_EMAIL), None
    )
    certified = [
        a
        for a in qualifying["VPD"]
        if a.volunteer.occupation in CERTIFIED_AT_WORK and (a.volunteer_id, child.pk) not in done
    ]
    if demo_volunteer in certified:
        certified.remove(demo_volunteer)
    rng.shuffle(certified)
    lasting = relativedelta(months=child.validity_months)
    for days_left, application in zip(EXPIRING_IN, certified, strict=False):
        externals.append(_brought(application, child, today + timedelta(days=days_left) - lasting))
    for application in certified[len(EXPIRING_IN) :]:
        earliest = today - lasting + timedelta(days=70)
        latest = max(earliest, dates[application.pk]["submitted"] - timedelta(days=5))
        externals.append(
            _brought(application, child, earliest + timedelta(days=rng.randint(0, (latest - earliest).days)))
        )
    if demo_volunteer is not None and (demo_volunteer.volunteer_id, child.pk) not in done:
        externals.append(
            _brought(demo_volunteer, child, today + timedelta(days=VOLUNTEER_EXPIRES_IN) - lasting)
        )
    for external in externals:
        done.add((external.application.volunteer_id, child.pk))

    for key in (CHILD_RIGHTS, VPD_INDUCTION, MEDIATION):
        course = courses[key]
        waiting = [
            a
            for a in qualifying["VPD"]
            if course.pk in needed[a.pk] and (a.volunteer_id, course.pk) not in done
        ]
        plans += _held_at_units(waiting, course, units, dates, by_unit=key != MEDIATION, key=key)
        for application in waiting:
            done.add((application.volunteer_id, course.pk))

    # --- Anything else required (a course added in the admin panel): recorded by hand.
    for code in institutions:
        for application in qualifying[code]:
            for course_id in needed[application.pk]:
                if (application.volunteer_id, course_id) not in done:
                    course = Course.objects.get(pk=course_id)
                    externals.append(
                        External(
                            application,
                            course,
                            dates[application.pk]["agreement"] - timedelta(days=1),
                            "Apmācība pabeigta pirms demonstrācijas datu ielādes.",
                        )
                    )
                    done.add((application.volunteer_id, course_id))

    # --- The applicants in training: one with an expired certificate; the coming sessions.
    in_training = {code: by_status[code, ApplicationStatus.TRAINING] for code in institutions}
    expired = next((a for a in in_training["VPD"] if (a.volunteer_id, child.pk) not in done), None)
    if expired is not None:
        externals.append(_brought(expired, child, today - timedelta(days=EXPIRED_DAYS_AGO) - lasting))
    for application in in_training["VPD"]:
        if application is not expired and application.volunteer.occupation in CERTIFIED_AT_WORK:
            earliest = today - lasting + timedelta(days=90)
            externals.append(_brought(application, child, earliest + timedelta(days=rng.randint(0, 300))))
    upcoming = _upcoming(
        courses,
        units,
        today,
        rng,
        demo_volunteer=demo_volunteer,
        in_training=in_training,
        vetting=[
            a
            for a in by_status["IEVP", ApplicationStatus.VETTING]
            if a.volunteer.user.email != volunteers_demo.VOLUNTEER_EMAIL
        ],
        needed=needed,
        expired=expired,
        renewing=[e.application for e in externals[: len(EXPIRING_IN)] if e.course == child][::2],
        has_child_rights={e.application.volunteer_id for e in externals if e.course == child},
    )
    plans += upcoming

    completions = _save(plans, externals, staff, dates, rng)
    rendered = _render_certificate(completions)
    held = [p for p in plans if p.state == SessionState.HELD]
    cohorts = [p for p in held if p.days[0].year == COHORTS[0][0].year and p.key == IEVP_INDUCTION]
    trained = len({p.volunteer.pk for c in cohorts for p in c.people if all(p.present)})
    soon = [c for c in completions if c.valid_until and today <= c.valid_until <= today + timedelta(days=60)]
    open_now = sum(p.state == SessionState.OPEN for p in upcoming)
    stdout.write(
        f"Demo trainings: {len(courses)} courses, {len(held)} sessions held (IeVP in 2024: "
        f"{len(cohorts)} cohorts, {trained} trained), {len(upcoming)} to come ({open_now} open for "
        f"registration), {len(completions)} completions ({len(soon)} expire within 60 days), "
        f"{len(rendered)} certificate PDF rendered."
    )


def _course(spec: CourseSpec, institution: Institution) -> Course:
    """The course, made or (the migration's induction course) given its real name."""
    course = Course.objects.filter(institution=institution, title=spec.title).first()
    if course is None and spec.kind == Course.Kind.INDUCTION:
        course = Course.objects.filter(
            institution=institution, title=MIGRATED_TITLE, kind=Course.Kind.INDUCTION
        ).first()
    values = {
        "title": spec.title,
        "title_en": spec.title_en,
        "description": spec.description,
        "description_en": spec.description_en,
        "kind": spec.kind,
        "validity_months": spec.validity_months,
        "hours": Decimal(spec.hours),
        "completion_rule": spec.rule,
        "min_share": spec.min_share,
        "is_active": True,
    }
    if course is None:
        course = Course.objects.create(institution=institution, **values)
    elif any(getattr(course, name) != value for name, value in values.items()):
        for name, value in values.items():
            setattr(course, name, value)
        course.save()
    roles = Role.objects.filter(institution=institution)
    if spec.roles is not None:
        roles = roles.filter(code__in=spec.roles)
    if set(course.roles.values_list("pk", flat=True)) != set(roles.values_list("pk", flat=True)):
        course.roles.set(roles)
    return course


def _demo_applications(institutions) -> list[Application]:
    people = Q(volunteer__user__email__endswith="@" + volunteers_demo.DEMO_DOMAIN) | Q(
        volunteer__user__email=volunteers_demo.VOLUNTEER_EMAIL
    )
    return list(
        Application.objects.filter(people, institution__in=list(institutions), volunteer__anonymised_at=None)
        .select_related("institution", "unit", "volunteer__user")
        .prefetch_related("roles")
        .order_by("submitted_at", "pk")
    )


def _dates(applications: list[Application]) -> dict[int, dict[str, date]]:
    """When each application was submitted and reached the training and agreement steps."""
    dates = {
        a.pk: {
            "submitted": timezone.localdate(a.submitted_at),
            "agreement": timezone.localdate(a.status_changed_at),
        }
        for a in applications
    }
    events = (
        ApplicationEvent.objects.filter(
            application__in=[a.pk for a in applications],
            to_status__in=[ApplicationStatus.TRAINING, ApplicationStatus.AGREEMENT],
        )
        .order_by("-created_at")
        .values_list("application_id", "to_status", "created_at")
    )
    for pk, status, when in events:
        dates[pk][status] = timezone.localdate(when)
    return dates


def _required(applications: list[Application]) -> dict[int, set[int]]:
    """Per application, the active courses its roles need."""
    by_role = defaultdict(set)
    for role_id, course_id in Course.roles.through.objects.filter(course__is_active=True).values_list(
        "role_id", "course_id"
    ):
        by_role[role_id].add(course_id)
    return {a.pk: {c for role in a.roles.all() for c in by_role[role.pk]} for a in applications}


def _brought(application: Application, course: Course, completed_on: date) -> External:
    """A certificate the volunteer brought from work, recorded by a coordinator."""
    note = CERTIFIED_AT_WORK.get(application.volunteer.occupation, BROUGHT)
    return External(application, course, completed_on, note)


def _held_at_units(
    applications, course, units, dates, *, by_unit: bool, key: str = IEVP_INDUCTION
) -> list[Plan]:
    """Sessions held between the applicants' applications and their agreement steps: as few
    as can train them all, at their own unit (or, by_unit=False, at the unit most of the
    group come from)."""
    spec = COURSES[key]
    groups = defaultdict(list)
    for application in applications:
        groups[application.unit_id if by_unit else None].append(application)
    plans = []
    for members in groups.values():
        windows = []
        for application in members:
            when = dates[application.pk]
            latest = when["agreement"] - timedelta(days=1)
            earliest = min(when["submitted"] + timedelta(days=2), latest)
            windows.append((earliest, latest, application))
        for last, group in _stab(windows, spec.days):
            counts = Counter(a.unit.slug for a in group)
            slug = sorted(counts, key=lambda s: (-counts[s], s))[0]
            unit = units[slug]
            days = _block(last, spec.days)
            plan = Plan(key, course, unit, days, SessionState.HELD, max(10, len(group) + 4))
            for n, application in enumerate(group):
                present = [True] * spec.days
                if spec.rule == Course.Rule.SHARE and spec.days > 1 and n % 4 == 3:
                    present[1] = False  # one day missed: still ≥ 80 %
                plan.people.append(Person(application.volunteer, application, present=present))
            plans.append(plan)
    return plans


def _upcoming(
    courses,
    units,
    today,
    rng,
    *,
    demo_volunteer,
    in_training,
    vetting,
    needed,
    expired,
    renewing,
    has_child_rights,
) -> list[Plan]:
    """The sessions of the coming months and who has registered for them."""
    plans = []
    for key, slug, offset, places, state in UPCOMING:
        if slug is None:
            slug = demo_volunteer.unit.slug if demo_volunteer is not None else "vpd-rigas-regions"
        spec = COURSES[key]
        days = _days_from(today + timedelta(days=offset), spec.days)
        plans.append(Plan(key, courses[key], units[slug], days, state, places))

    def first_open(key: str) -> Plan | None:
        return next(
            (
                p
                for p in plans
                if p.key == key and p.state == SessionState.OPEN and len(p.people) < p.capacity
            ),
            None,
        )

    def register(plan: Plan | None, application: Application, **extra) -> None:
        if plan is None or any(p.volunteer == application.volunteer for p in plan.people):
            return
        registered = [p for p in plan.people if p.state == RegistrationState.REGISTERED]
        state = (
            RegistrationState.REGISTERED if len(registered) < plan.capacity else RegistrationState.WAITLISTED
        )
        plan.people.append(Person(application.volunteer, application, state=state, **extra))

    # IeVP: the smallest session fills first (a full one), then the others in date order.
    ievp = sorted(
        (p for p in plans if p.key == IEVP_INDUCTION and p.state == SessionState.OPEN),
        key=lambda p: (p.capacity, p.days[0]),
    )
    trainees = in_training["IEVP"][: max(0, len(in_training["IEVP"]) - 2)]  # a couple not yet registered
    for n, application in enumerate(trainees):
        # The smallest first until full, then by turns.
        free = [p for p in ievp if len(p.people) < p.capacity]
        target = free[0] if free and free[0] is ievp[0] else (free[n % len(free)] if free else None)
        register(target, application, by_self=n % 3 == 2)
    full = ievp[0] if ievp and len(ievp[0].people) >= ievp[0].capacity else None
    for application in vetting[:2]:  # they applied, and queued up themselves
        register(full, application, by_self=True)

    # VPD: each applicant for the courses their roles still need; renewals of child rights.
    cancelled = next((p for p in plans if p.state == SessionState.CANCELLED), None)
    for n, application in enumerate(in_training["VPD"]):
        for key in (VPD_INDUCTION, MEDIATION, CHILD_RIGHTS):
            if courses[key].pk not in needed[application.pk]:
                continue
            if (
                key == CHILD_RIGHTS
                and application.volunteer_id in has_child_rights
                and application is not expired
            ):
                continue
            if key == VPD_INDUCTION and cancelled is not None and n < 2:
                register(cancelled, application)
            register(first_open(key), application, by_self=n % 2 == 1)
    renewals = [p for p in plans if p.key == CHILD_RIGHTS and p.state == SessionState.OPEN]
    for n, application in enumerate(renewing):
        register(renewals[n % len(renewals)] if renewals else None, application, by_self=True)
    for plan in plans:  # in the order they came (the waiting list last)
        back = sorted((rng.randint(3, 20) for _ in plan.people), reverse=True)
        for person, days in zip(plan.people, back, strict=True):
            person.registered_at = _aware(today - timedelta(days=days), rng.randint(8, 20))
    return plans


def _save(plans: list[Plan], externals: list[External], staff, dates, rng) -> list[Completion]:
    """Sessions, days, registrations, attendance and completions, in a few bulk inserts."""
    now = timezone.now()
    sessions = []
    for plan in plans:
        first, last = plan.days[0], plan.days[-1]
        spec = COURSES[plan.key]
        created = _aware(first - timedelta(days=40 if plan.state == SessionState.HELD else 30), 10)
        if plan.state != SessionState.HELD:
            created = min(created, now - timedelta(days=21))
        session = Session(
            course=plan.course,
            unit=plan.unit,
            place=f"{plan.unit.name}, mācību telpa",
            capacity=max(plan.capacity, sum(p.state == RegistrationState.REGISTERED for p in plan.people)),
            trainers=TRAINERS[plan.key],
            registration_deadline=first - timedelta(days=7),
            notes=NOTES[spec.institution],
            state=plan.state,
            first_day=first,
            last_day=last,
            created_by=staff(plan.unit),
            created_at=created,
        )
        if plan.state == SessionState.CANCELLED:
            session.cancel_reason = CANCEL_REASON
            session.cancelled_at = now - timedelta(days=2)
        sessions.append(session)
    sessions = _bulk(Session, sessions)
    days_of = {}
    all_days = []
    for plan, session in zip(plans, sessions, strict=True):
        days_of[session.pk] = [
            SessionDay(session=session, date=day, starts_at=time(9), ends_at=time(17)) for day in plan.days
        ]
        all_days += days_of[session.pk]
    SessionDay.objects.bulk_create(all_days, batch_size=500)

    registrations, marks = [], []
    for plan, session in zip(plans, sessions, strict=True):
        for person in plan.people:
            if person.registered_at is None:
                back = rng.randint(4, 25)
                person.registered_at = _aware(plan.days[0] - timedelta(days=back), rng.randint(8, 20))
                person.registered_at = min(person.registered_at, now)
            registrations.append(
                Registration(
                    session=session,
                    volunteer=person.volunteer,
                    application=person.application,
                    state=person.state,
                    created_at=person.registered_at,
                    registered_by=person.volunteer.user if person.by_self else session.created_by,
                )
            )
    registrations = _bulk(Registration, registrations)
    completions = []
    index = 0
    for plan, session in zip(plans, sessions, strict=True):
        for person in plan.people:
            registration = registrations[index]
            index += 1
            if plan.state != SessionState.HELD or person.present is None:
                continue
            for day, present in zip(days_of[session.pk], person.present, strict=True):
                marks.append(
                    Attendance(
                        registration=registration,
                        day=day,
                        present=present,
                        marked_by=session.created_by,
                        marked_at=_aware(day.date, 17, 10),
                    )
                )
            if meets_rule(plan.course, sum(person.present), len(plan.days)):
                completions.append(
                    _completion(
                        person.volunteer,
                        plan.course,
                        plan.unit,
                        session.last_day,
                        session=session,
                        recorded_by=session.created_by,
                        created_at=_aware(session.last_day, 17, 30),
                    )
                )
    _bulk(Attendance, marks)
    for external in externals:
        application = external.application
        when = dates[application.pk]
        recorded = max(external.completed_on, when.get("training", when["submitted"]))
        completions.append(
            _completion(
                application.volunteer,
                external.course,
                application.unit,
                external.completed_on,
                note=external.note,
                recorded_by=staff(application.unit),
                created_at=min(_aware(recorded, 11, rng.randint(0, 59)), now),
            )
        )
    completions = Completion.objects.bulk_create(completions, batch_size=500)
    for completion in completions:
        completion.number = (
            f"{completion.course.institution.code}-M-{completion.completed_on.year}-{completion.pk:05d}"
        )
    Completion.objects.bulk_update(completions, ["number"], batch_size=500)
    Completion.history.bulk_history_create(completions, batch_size=500)
    return completions


def _completion(
    volunteer, course, unit, completed_on, *, session=None, note="", recorded_by, created_at
) -> Completion:
    valid_until = None
    if course.is_recurring and course.validity_months:
        valid_until = completed_on + relativedelta(months=course.validity_months)
    return Completion(
        volunteer=volunteer,
        course=course,
        unit=unit,
        session=session,
        source=Completion.Source.ATTENDANCE if session is not None else Completion.Source.EXTERNAL,
        completed_on=completed_on,
        valid_until=valid_until,
        hours=course.hours,
        note=note,
        recorded_by=recorded_by,
        created_at=created_at,
    )


def _bulk(model, objects: list) -> list:
    objects = model.objects.bulk_create(objects, batch_size=500)
    model.history.bulk_history_create(objects, batch_size=500)
    return objects


def _render_certificate(completions: list[Completion]) -> list[Document]:
    """The demo volunteer's certificate of their VPD induction, rendered now (the queued
    render then finds it done). The others have none until a coordinator issues one."""
    mine = [
        c
        for c in completions
        if c.volunteer.user.email == volunteers_demo.VOLUNTEER_EMAIL and c.session_id is not None
    ]
    issued = []
    for completion in sorted(mine, key=lambda c: (c.completed_on, c.pk))[-1:]:
        document = document_services.document_issue(subject=completion, kind=CERTIFICATE)
        Document.objects.filter(pk=document.pk).update(created_at=completion.created_at)
        if document_services.document_claim(document_id=document.pk):
            issued.append(document_services.document_render_pdf(document_id=document.pk))
    return issued
