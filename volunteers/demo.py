"""Demo applications: about 250 across both institutions and every status, with Latvian
names, plausible histories, interview notes and vetting records — a real year's inbox.
Created directly as data (no emails, no audit noise); idempotent. The training that the
applications at the agreement step or later have completed is the trainings demo's
(seeded last: ``trainings.demo``)."""

import random
from datetime import date, datetime, time, timedelta
from itertools import pairwise

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.utils import timezone

from core.dates import local_year
from institutions import permissions
from institutions.models import Institution, Unit

from .models import Application, ApplicationEvent, Assessment, Role, Status, VettingRecord, Volunteer
from .personal_code import check_digit

DEMO_DOMAIN = "piemers.tilts.demo"
VOLUNTEER_EMAIL = "brivpratigais@tilts.demo"
VOLUNTEER_PASSWORD = "Tilts-demo-2026"

MALE = [
    "Jānis",
    "Andris",
    "Mārtiņš",
    "Edgars",
    "Kārlis",
    "Roberts",
    "Artūrs",
    "Raivis",
    "Gints",
    "Oskars",
    "Pēteris",
    "Uldis",
    "Normunds",
    "Aigars",
    "Dāvis",
    "Ģirts",
    "Krišjānis",
    "Toms",
    "Rihards",
    "Valdis",
]
FEMALE = [
    "Anna",
    "Līga",
    "Ilze",
    "Inese",
    "Kristīne",
    "Laura",
    "Zane",
    "Dace",
    "Evija",
    "Sanita",
    "Agnese",
    "Baiba",
    "Ieva",
    "Māra",
    "Elīna",
    "Sintija",
    "Daiga",
    "Rūta",
    "Una",
    "Vija",
]
SURNAMES = [
    ("Bērziņš", "Bērziņa"),
    ("Kalniņš", "Kalniņa"),
    ("Ozoliņš", "Ozoliņa"),
    ("Jansons", "Jansone"),
    ("Ozols", "Ozola"),
    ("Liepiņš", "Liepiņa"),
    ("Krūmiņš", "Krūmiņa"),
    ("Balodis", "Balode"),
    ("Eglītis", "Eglīte"),
    ("Zariņš", "Zariņa"),
    ("Pētersons", "Pētersone"),
    ("Vītols", "Vītola"),
    ("Kļaviņš", "Kļaviņa"),
    ("Lapiņš", "Lapiņa"),
    ("Šmits", "Šmite"),
    ("Grīnbergs", "Grīnberga"),
    ("Siliņš", "Siliņa"),
    ("Ābols", "Ābola"),
    ("Ūdris", "Ūdre"),
    ("Žagars", "Žagare"),
]
MUNICIPALITIES = [
    "Rīga",
    "Jelgava",
    "Olaine",
    "Liepāja",
    "Valmiera",
    "Jēkabpils",
    "Cēsis",
    "Daugavpils",
    "Ogre",
    "Tukums",
    "Ķekava",
    "Mārupe",
    "Salaspils",
    "Sigulda",
]
MOTIVATIONS = [
    "Esmu sociālais darbinieks un vēlos palīdzēt cilvēkiem pēc soda izciešanas atrast darbu un mājokli.",
    "Man ir pieredze sporta treniņu vadīšanā; gribētu organizēt futbola un galda tenisa nodarbības.",
    "Vadu grāmatu klubu bibliotēkā un vēlos to piedāvāt arī ieslodzītajiem.",
    "Studēju psiholoģiju un vēlos iegūt pieredzi darbā ar probācijas klientiem.",
    "Pats esmu pārvarējis atkarību un gribu dalīties pieredzē ar citiem.",
    "Esmu pensionēta skolotāja; varu mācīt latviešu valodu un palīdzēt ar rakstīšanu.",
    "Ticu, ka ikvienam pienākas otra iespēja, un gribu būt atbalsts kādam, kurš to meklē.",
    "Strādāju IT jomā un varu vadīt datorprasmju nodarbības.",
]
STREETS = ["Brīvības", "Rīgas", "Skolas", "Dārza", "Lielā"]
AVAILABILITY = [
    "Darbdienu vakaros",
    "Sestdienās",
    "Divas reizes mēnesī",
    "Elastīgi, pēc vienošanās",
    "Otrdienās un ceturtdienās pēc 17:00",
]
# How many applications end in each status (250 in all).
STATUS_COUNTS = [
    (Status.SUBMITTED, 24),
    (Status.SCREENING, 22),
    (Status.VETTING, 18),
    (Status.TRAINING, 20),
    (Status.AGREEMENT, 16),
    (Status.ACTIVE, 92),
    (Status.PAUSED, 8),
    (Status.ENDED, 22),
    (Status.REJECTED, 17),
    (Status.WITHDRAWN, 11),
]
PIPELINE = [
    Status.SUBMITTED,
    Status.SCREENING,
    Status.VETTING,
    Status.TRAINING,
    Status.AGREEMENT,
    Status.ACTIVE,
]
REASONS = {
    Status.REJECTED: [
        "Intervijā neapstiprinājās motivācija darbam ar ieslodzītajiem.",
        "Sodāmības pārbaudes rezultāts neļauj turpināt.",
    ],
    Status.WITHDRAWN: ["Pārcēlos uz citu pilsētu.", "Mainījās darba grafiks."],
    Status.PAUSED: ["Bērna kopšanas atvaļinājums."],
    Status.ENDED: ["Vienošanās termiņš beidzās.", "Brīvprātīgais pārtrauca darbu pēc vienošanās."],
}


def _personal_code(born: date, rng: random.Random) -> str:
    century = {18: 0, 19: 1, 20: 2}[born.year // 100]
    while True:
        digits = [int(c) for c in f"{born:%d%m%y}{century}{rng.randint(0, 999):03d}"]
        check = check_digit(digits)
        if check < 10:
            joined = "".join(map(str, [*digits, check]))
            return f"{joined[:6]}-{joined[6:]}"


def _aware(day: date, rng: random.Random) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(rng.randint(8, 18), rng.randint(0, 59))))


def seed(*, stdout) -> None:
    User = get_user_model()
    if User.objects.filter(email__endswith="@" + DEMO_DOMAIN).exists():
        stdout.write("Demo applications are already loaded.")
        return
    rng = random.Random(2026)
    today = timezone.localdate()
    institutions = {i.code: i for i in Institution.objects.filter(code__in=["IEVP", "VPD"])}
    units = {
        code: list(Unit.objects.valid_today().filter(institution=inst).exclude(kind=Unit.Kind.CENTRAL_OFFICE))
        for code, inst in institutions.items()
    }
    roles = {code: list(Role.objects.filter(institution=inst)) for code, inst in institutions.items()}
    staff = {}
    for code, inst in institutions.items():
        central = permissions.central_coordinators_by_institution([inst.pk]).get(inst.pk, [])
        staff[code] = central[0] if central else User.objects.filter(is_superuser=True).first()
    coordinators = permissions.coordinators_by_unit([u.pk for us in units.values() for u in us])

    plan = [status for status, count in STATUS_COUNTS for _ in range(count)]
    rng.shuffle(plan)
    created = 0
    for n, status in enumerate(plan):
        male = rng.random() < 0.4
        first = rng.choice(MALE if male else FEMALE)
        last = rng.choice(SURNAMES)[0 if male else 1]
        code = "IEVP" if n % 9 < 5 else "VPD"
        born = date(rng.randint(1958, 2005), rng.randint(1, 12), rng.randint(1, 28))
        email = f"{first}.{last}.{n}".lower()
        email = email.translate(str.maketrans("āčēģīķļņšūž", "acegiklnsuz")) + "@" + DEMO_DOMAIN
        user = User(email=email, first_name=first, last_name=last, language="lv")
        user.set_unusable_password()
        user.save()
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        volunteer = Volunteer.objects.create(
            user=user,
            personal_code=_personal_code(born, rng),
            date_of_birth=born,
            phone=f"+371 2{rng.randint(0, 9999999):07d}",
            address=f"{rng.choice(STREETS)} iela {rng.randint(1, 120)}",
            municipality=rng.choice(MUNICIPALITIES),
            languages=rng.choice(
                ["latviešu", "latviešu, krievu", "latviešu, angļu", "latviešu, krievu, angļu"]
            ),
            education=rng.choice(list(Volunteer.Education.values)),
            occupation=rng.choice(
                [
                    "skolotāja",
                    "sociālais darbinieks",
                    "students",
                    "jurists",
                    "pensionārs",
                    "programmētājs",
                    "medmāsa",
                    "treneris",
                ]
            ),
            availability=rng.choice(AVAILABILITY),
        )
        created += _application(
            volunteer,
            institutions[code],
            units[code],
            roles[code],
            status,
            rng,
            today,
            actor=staff[code],
            coordinators=coordinators,
        )
    _known_volunteer(institutions, units, roles, staff, coordinators, rng, today)
    stdout.write(f"Demo applications: {created + 2} ({VOLUNTEER_EMAIL} is a volunteer with two of them).")


def _application(volunteer, institution, units, roles, status, rng, today, *, actor, coordinators) -> int:
    unit = rng.choice(units)
    actor = (coordinators.get(unit.pk) or [actor])[0]
    steps = PIPELINE[: PIPELINE.index(status) + 1] if status in PIPELINE else None
    if steps is None:  # ends off the main line: paused/ended after active, rejected/withdrawn earlier
        if status in (Status.PAUSED, Status.ENDED):
            steps = [*PIPELINE, status]
        else:
            steps = [*PIPELINE[: rng.randint(1, 4)], status]
    days_back = rng.randint(5 + 12 * len(steps), 330 + 10 * len(steps))
    day = today - timedelta(days=days_back)
    submitted_at = _aware(day, rng)
    application = Application.objects.create(
        volunteer=volunteer,
        institution=institution,
        unit=unit,
        status=status,
        motivation=rng.choice(MOTIVATIONS),
        experience=rng.choice(["", "Brīvprātīgais darbs Sarkanajā Krustā.", "Darbs ar jauniešiem nometnēs."]),
        heard_from=rng.choice(list(Application.HeardFrom.values)),
        record_declaration=Application.RecordDeclaration.NONE,
        consent_record_check=True,
        consent_data_processing=True,
        submitted_at=submitted_at,
        status_changed_at=submitted_at,
    )
    application.reference = f"T{local_year(submitted_at)}-{application.pk:05d}"
    application.preferred_units.set([unit])
    application.roles.set(rng.sample(roles, k=min(len(roles), rng.randint(1, 2))))
    events = [
        ApplicationEvent(
            application=application,
            actor=volunteer.user,
            kind=ApplicationEvent.Kind.SUBMITTED,
            to_status=Status.SUBMITTED,
            visible_to_volunteer=True,
            created_at=submitted_at,
        )
    ]
    when = submitted_at
    for previous, step in pairwise(steps):
        when = min(when + timedelta(days=rng.randint(4, 20)), timezone.now() - timedelta(hours=1))
        reason = rng.choice(REASONS[step]) if step in REASONS else ""
        if step == Status.VETTING:
            Assessment.objects.create(
                application=application,
                author=actor,
                created_at=when,
                interviewed_on=when.date(),
                notes="Intervija notika klātienē. Motivēts, saprot darba specifiku un drošības prasības.",
                motivation_score=rng.randint(3, 5),
                communication_score=rng.randint(3, 5),
                reliability_score=rng.randint(3, 5),
                recommendation=Assessment.Recommendation.RECOMMEND,
            )
        if step == Status.TRAINING:
            result_on = when.date() - timedelta(days=2)
            # A few checks run out within a month, so that reminders have something to show.
            valid_until = today + timedelta(days=rng.choice([12, 25, 400, 450, 500, 550, 600, 650, 700, 750]))
            VettingRecord.objects.create(
                application=application,
                requested_on=result_on - timedelta(days=10),
                result_on=result_on,
                result=VettingRecord.Result.CLEARED,
                checked_by=actor,
                valid_until=valid_until,
            )
        events.append(
            ApplicationEvent(
                application=application,
                actor=actor,
                kind=ApplicationEvent.Kind.TRANSITION,
                from_status=previous,
                to_status=step,
                reason=reason,
                visible_to_volunteer=True,
                created_at=when,
            )
        )
    if status == Status.VETTING and rng.random() < 0.6:
        VettingRecord.objects.create(application=application, requested_on=when.date(), checked_by=actor)
    ApplicationEvent.objects.bulk_create(events)
    application.status_changed_at = when
    application.save(update_fields=["reference", "status_changed_at"])
    return 1


def _known_volunteer(institutions, units, roles, staff, coordinators, rng, today) -> None:
    """A volunteer you can sign in as: vetting at Olaines cietums, active mentor at VPD."""
    User = get_user_model()
    user, _ = User.objects.get_or_create(
        email=VOLUNTEER_EMAIL, defaults={"first_name": "Elīza", "last_name": "Dzērvīte", "language": "lv"}
    )
    user.set_password(VOLUNTEER_PASSWORD)
    user.save()
    EmailAddress.objects.update_or_create(
        user=user, email=VOLUNTEER_EMAIL, defaults={"verified": True, "primary": True}
    )
    born = date(1990, 4, 17)
    volunteer, _ = Volunteer.objects.get_or_create(
        user=user,
        defaults={
            "personal_code": _personal_code(born, rng),
            "date_of_birth": born,
            "phone": "+371 26123456",
            "address": "Zemgales iela 5",
            "municipality": "Olaine",
            "languages": "latviešu, angļu",
            "education": Volunteer.Education.HIGHER,
            "occupation": "sociālā darbiniece",
            "availability": "Sestdienās",
        },
    )
    olaine = Unit.objects.get(slug="olaines-cietums")
    _application(
        volunteer,
        institutions["IEVP"],
        [olaine],
        roles["IEVP"],
        Status.VETTING,
        rng,
        today,
        actor=staff["IEVP"],
        coordinators=coordinators,
    )
    _application(
        volunteer,
        institutions["VPD"],
        units["VPD"],
        [r for r in roles["VPD"] if r.code == "mentor"],
        Status.ACTIVE,
        rng,
        today,
        actor=staff["VPD"],
        coordinators=coordinators,
    )
