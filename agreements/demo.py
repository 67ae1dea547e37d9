"""Demo agreements: VPD with 122 agreements in force and IeVP with 54 signed contracts (the
figures of the 2024 fact sheet), spread over units and roles, for the demo volunteers'
active applications (more demo volunteers are added when the applications demo has too
few). Numbers come from ``services.number_next`` in the order the agreements were
generated — gapless per institution and year, the older ones with last year's numbers.
A few end within 30 and within 7 days, and a few were generated weeks ago and are still
unsigned, so that the daily reminders have something to send. Only a handful of PDFs are
rendered (the demo volunteer's own, one per demo coordinator's unit, the unsigned ones),
so seeding stays fast. Created directly as data (no emails, no audit noise); idempotent."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from core.dates import add_years
from documents import services as document_services
from documents.models import Document
from institutions import permissions
from institutions.models import Institution, Unit
from volunteers import demo as volunteers_demo
from volunteers.models import Application, ApplicationEvent, Role, Volunteer
from volunteers.models import Status as ApplicationStatus

from . import services
from .models import IN_FORCE as IN_FORCE_STATUSES
from .models import Agreement, Status
from .printing import AGREEMENT
from .reminders import ENDING_DAYS

# "Šobrīd VPD ir noslēgtas 122 vienošanās …", "Šobrīd ir parakstīti 54 brīvprātīgā darba līgumi"
IN_FORCE = {"VPD": 122, "IEVP": 54}
# Per institution: ending within 30 days (but more than 7), ending within 7 days.
ENDING_30, ENDING_7 = 4, 2
# Per institution, of the applications at the agreement step: signed, starting in a few days…
SIGNED_UPCOMING = 1
# … then (status, unsigned for weeks): generated and sent long ago, sent lately, a draft.
WAITING = [(Status.GENERATED, True), (Status.SENT, True), (Status.SENT, False), (Status.DRAFT, False)]
# The units whose demo coordinators sign in: one rendered agreement in force each.
COORDINATOR_UNITS = ["olaines-cietums", "jelgavas-cietums", "vpd-jelgavas-1-nodala"]

DUTIES = {
    "mediator": "Vadīt izlīguma sarunas starp cietušo un likumpārkāpēju, sagatavot tikšanās un pēc tām "
    "sniegt probācijas darbiniekam ziņu par rezultātu (bez sarunu satura).",
    "mentor": "Regulāri tikties ar probācijas klientu, atbalstīt sociālo jautājumu risināšanā "
    "(darba meklēšana, dokumenti, mājoklis) un kopīgi pavadīt brīvo laiku.",
    "circles": "Piedalīties atbalsta un atbildības aplī: iknedēļas tikšanās ar apļa dalībnieku, "
    "atbalsts ikdienā un riska pazīmju ziņošana apļa koordinatoram.",
    "education": "Vadīt izglītojošas nodarbības un darba prasmju apmācību ieslodzītajiem.",
    "leisure": "Organizēt lietderīga brīvā laika nodarbības: grāmatu klubu, galda spēles, radošās darbnīcas.",
    "sports": "Organizēt un vadīt sporta nodarbības (futbols, galda teniss, vingrošana).",
    "addiction": "Vadīt atbalsta grupas atkarību pārvarēšanā un individuālas sarunas.",
    "family": "Atbalstīt ģimenes saišu stiprināšanu: lekcijas par bērnu audzināšanu, vēstuļu rakstīšana.",
    "social": "Palīdzēt risināt sociālos jautājumus pirms atbrīvošanas: dokumenti, mājoklis, darbs.",
}
EXPENSES = "Transporta izdevumi (sabiedriskais transports) līdz 30 EUR mēnesī pēc iesniegtajām biļetēm."
PLACES = {
    "VPD": "{unit}, klātienes tikšanās probācijas dienesta telpās",
    "IEVP": "{unit}, ieslodzījuma vietas telpas",
}


def _aware(day: date, rng: random.Random) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(rng.randint(8, 17), rng.randint(0, 59))))


def seed(*, stdout) -> None:
    domain = "@" + volunteers_demo.DEMO_DOMAIN
    today = timezone.localdate()
    if Agreement.objects.filter(
        volunteer__user__email__endswith=domain, status__in=IN_FORCE_STATUSES
    ).exists():
        stdout.write("Demo agreements are already loaded.")
        return
    rng = random.Random(2027)
    institutions = {i.code: i for i in Institution.objects.filter(code__in=IN_FORCE)}
    if len(institutions) < len(IN_FORCE):
        stdout.write("Demo agreements: the institutions are missing, nothing loaded.")
        return
    units = {
        code: list(
            Unit.objects.valid_today()
            .filter(institution=institution)
            .exclude(kind=Unit.Kind.CENTRAL_OFFICE)
            .order_by("name")
        )
        for code, institution in institutions.items()
    }
    roles = {code: list(Role.objects.filter(institution=i)) for code, i in institutions.items()}
    coordinators = permissions.coordinators_by_unit([u.pk for us in units.values() for u in us])
    central = permissions.central_coordinators_by_institution([i.pk for i in institutions.values()])
    superuser = get_user_model().objects.filter(is_superuser=True).first()
    staff = {code: (central.get(i.pk) or [superuser])[0] for code, i in institutions.items()}

    free = (
        Application.objects.filter(institution__in=institutions.values(), agreements__isnull=True)
        .select_related("institution", "unit", "volunteer__user")
        .prefetch_related("roles")
        .order_by("submitted_at", "pk")
    )
    plans: list[dict] = []
    counts = {}
    for code, institution in institutions.items():
        waiting = list(free.filter(institution=institution, status=ApplicationStatus.AGREEMENT))
        upcoming, waiting = waiting[:SIGNED_UPCOMING], waiting[SIGNED_UPCOMING:]
        active = list(free.filter(institution=institution, status=ApplicationStatus.ACTIVE))
        needed = IN_FORCE[code] - len(upcoming)
        if len(active) < needed:
            created = _more_active_applications(
                needed - len(active),
                institution,
                units[code],
                roles[code],
                staff[code],
                coordinators,
                rng,
                today,
            )
            active += list(free.filter(pk__in=created))
        active = active[:needed]
        started = _activation_dates(active)
        # The longest-running ones are those that end soon.
        active.sort(key=lambda a: (started[a.pk], a.pk))
        for n, application in enumerate(active):
            start = started[application.pk]
            if n < ENDING_7:
                end = today + timedelta(days=rng.randint(2, 7))
            elif n < ENDING_7 + ENDING_30:
                end = today + timedelta(days=rng.randint(9, 29))
            else:
                end = _year_on(start, 1)
                if end <= today + timedelta(days=ENDING_DAYS + 1):
                    end = _year_on(start, 2)
            plans.append({"application": application, "status": Status.ACTIVE, "start": start, "end": end})
        for application in upcoming:
            start = today + timedelta(days=rng.randint(3, 10))
            plans.append(
                {
                    "application": application,
                    "status": Status.SIGNED,
                    "start": start,
                    "end": _year_on(start, 1),
                }
            )
        for application, (status, unsigned) in zip(waiting, WAITING, strict=False):
            start = today + timedelta(days=rng.randint(5, 20))
            plans.append(
                {
                    "application": application,
                    "status": status,
                    "start": start,
                    "end": _year_on(start, 1),
                    "unsigned": unsigned,
                }
            )
        counts[code] = len(active) + len(upcoming)

    for plan in plans:
        _timeline(plan, today, rng)
    templates: dict = {}
    agreements = []
    # Numbers in the order the agreements were generated: gapless per institution and year.
    for plan in sorted(plans, key=lambda p: (p["generated_at"] or timezone.now(), p["application"].pk)):
        agreements.append(_agreement(plan, templates, coordinators, staff, rng))
    agreements = bulk_create_with_history(agreements, Agreement, batch_size=200)
    rendered = _render_a_few(agreements)
    stdout.write(
        f"Demo agreements: {counts['VPD']} in force at VPD, {counts['IEVP']} at IeVP "
        f"({len(agreements)} in all, {len(rendered)} PDFs rendered; some end soon or wait for a signature)."
    )
    # The last one issued is the corrected version 2 of an agreement waiting for a signature.
    latest = rendered[-1] if rendered else None
    if latest is not None and latest.version == 2:
        first = next(d for d in rendered if d.object_id == latest.object_id and d.version == 1)
        stdout.write(
            f"Verify a document: /verify/{rendered[0].verification_code}/ (valid), "
            f"/verify/{first.verification_code}/ (superseded by a newer version)."
        )


def _year_on(start: date, years: int) -> date:
    """The day before the same date ``years`` later (an agreement for one or two years)."""
    return add_years(start, years) - timedelta(days=1)


def _activation_dates(applications: list[Application]) -> dict[int, date]:
    """When each application became active: its agreement started then."""
    events = ApplicationEvent.objects.filter(
        application__in=applications, to_status=ApplicationStatus.ACTIVE
    ).values_list("application_id", "created_at")
    started = {
        application.pk: timezone.localdate(application.status_changed_at) for application in applications
    }
    started.update({pk: timezone.localdate(when) for pk, when in events})
    return started


def _more_active_applications(count, institution, units, roles, actor, coordinators, rng, today) -> list[int]:
    """More demo volunteers with an active application, in the style of the applications demo
    and spread evenly over the units."""
    User = get_user_model()
    created = []
    for n in range(count):
        male = rng.random() < 0.4
        first = rng.choice(volunteers_demo.MALE if male else volunteers_demo.FEMALE)
        last = rng.choice(volunteers_demo.SURNAMES)[0 if male else 1]
        born = date(rng.randint(1958, 2004), rng.randint(1, 12), rng.randint(1, 28))
        email = f"{first}.{last}.{institution.code}{n}".lower()
        email = (
            email.translate(str.maketrans("āčēģīķļņšūž", "acegiklnsuz")) + "@" + volunteers_demo.DEMO_DOMAIN
        )
        user = User(email=email, first_name=first, last_name=last, language="lv")
        user.set_unusable_password()
        user.save()
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        volunteer = Volunteer.objects.create(
            user=user,
            personal_code=volunteers_demo._personal_code(born, rng),
            date_of_birth=born,
            phone=f"+371 2{rng.randint(0, 9999999):07d}",
            address=f"{rng.choice(volunteers_demo.STREETS)} iela {rng.randint(1, 120)}",
            municipality=rng.choice(volunteers_demo.MUNICIPALITIES),
            languages=rng.choice(["latviešu", "latviešu, krievu", "latviešu, angļu"]),
            education=rng.choice(list(Volunteer.Education.values)),
            occupation=rng.choice(
                ["skolotāja", "sociālais darbinieks", "jurists", "pensionārs", "psihologs"]
            ),
            availability=rng.choice(volunteers_demo.AVAILABILITY),
        )
        volunteers_demo._application(
            volunteer,
            institution,
            [units[n % len(units)]],
            roles,
            ApplicationStatus.ACTIVE,
            rng,
            today,
            actor=actor,
            coordinators=coordinators,
        )
        created.append(volunteer.applications.get().pk)
    return created


def _timeline(plan: dict, today: date, rng: random.Random) -> None:
    """When the agreement was drafted, generated, sent and signed."""
    now = timezone.now()
    status = plan["status"]
    if status == Status.DRAFT:
        plan.update(created_at=now - timedelta(days=rng.randint(1, 3)), generated_at=None)
        return
    if status in (Status.GENERATED, Status.SENT):
        back = rng.randint(18, 40) if plan.get("unsigned") else rng.randint(2, 5)
        generated = now - timedelta(days=back, hours=rng.randint(0, 6))
    else:
        latest = min(plan["start"], today) - timedelta(days=1)
        generated = _aware(latest - timedelta(days=rng.randint(3, 14)), rng)
    plan["created_at"] = generated - timedelta(days=rng.randint(0, 2), hours=1)
    plan["generated_at"] = generated
    if status != Status.GENERATED:
        plan["sent_at"] = min(generated + timedelta(hours=rng.randint(1, 30)), now)
    if status in (Status.SIGNED, Status.ACTIVE):
        signed = timezone.localdate(plan["sent_at"]) + timedelta(days=rng.randint(0, 3))
        plan["signed_on"] = min(signed, max(min(plan["start"], today), timezone.localdate(plan["sent_at"])))


def _agreement(plan: dict, templates: dict, coordinators, staff, rng: random.Random) -> Agreement:
    application: Application = plan["application"]
    institution = application.institution
    code = institution.code
    role = rng.choice(list(application.roles.all()) or list(Role.objects.filter(institution=institution)))
    if (institution.pk, role.pk) not in templates:
        templates[institution.pk, role.pk] = services.template_current(institution=institution, role=role)
    number = None
    if plan["generated_at"] is not None:
        number = services.number_next(
            institution=institution, year=timezone.localdate(plan["generated_at"]).year
        )
    expenses = rng.random() < 0.3
    insurance = (code == "IEVP" and role.code == "sports") or rng.random() < 0.1
    status = plan["status"]
    if status == Status.ACTIVE:
        status_changed_at = max(_aware(plan["start"], rng), plan["generated_at"])
    elif status == Status.SIGNED:
        status_changed_at = _aware(plan["signed_on"], rng)
    else:  # draft, generated, sent
        status_changed_at = plan.get("sent_at") or plan["generated_at"] or plan["created_at"]
    return Agreement(
        number=number,
        institution=institution,
        unit=application.unit,
        application=application,
        volunteer=application.volunteer,
        role=role,
        template=templates[institution.pk, role.pk],
        status=plan["status"],
        status_changed_at=min(status_changed_at, timezone.now()),
        place=PLACES[code].format(unit=application.unit.name),
        start_date=plan["start"],
        end_date=plan["end"],
        hours_per_week=Decimal(rng.choice([2, 3, 4, 4, 6, 8])),
        duties=DUTIES.get(role.code, DUTIES["social"]),
        expenses_reimbursed=expenses,
        expenses_terms=EXPENSES if expenses else "",
        insurance_required=insurance,
        insurance_policy=f"NA-{rng.randint(100000, 999999)}" if insurance else "",
        notice_days=rng.choice([3, 3, 5, 7, 14]),
        requested_in_writing=True,
        is_minor=application.volunteer.age_on(plan["start"]) < 18,
        generated_at=plan["generated_at"],
        sent_at=plan.get("sent_at"),
        signed_on=plan.get("signed_on"),
        created_by=(coordinators.get(application.unit_id) or [staff[code]])[0],
        created_at=plan["created_at"],
    )


def _render_a_few(agreements: list[Agreement]) -> list:
    """PDFs for the agreements the demo accounts look at first; the others have none.
    The first agreement waiting for a signature is issued twice (a corrected version), so
    that the verification page has a superseded document to show."""
    chosen: dict[int, Agreement] = {}
    in_force = [a for a in agreements if a.status == Status.ACTIVE]
    for agreement in in_force:
        if agreement.volunteer.user.email == volunteers_demo.VOLUNTEER_EMAIL:
            chosen[agreement.pk] = agreement
    for slug in COORDINATOR_UNITS:
        mine = [a for a in in_force if a.unit.slug == slug]
        if mine:
            chosen.setdefault(mine[-1].pk, mine[-1])
    for agreement in agreements:
        if agreement.status in (Status.GENERATED, Status.SENT):
            chosen.setdefault(agreement.pk, agreement)
    waiting = [a for a in chosen.values() if a.status in (Status.GENERATED, Status.SENT)]
    issued = []
    for agreement in [*chosen.values(), *waiting[:1]]:
        # Rendered here, in the demo's own time (the queued render then finds it done).
        document = document_services.document_issue(subject=agreement, kind=AGREEMENT)
        Document.objects.filter(pk=document.pk).update(created_at=agreement.generated_at)
        if document_services.document_claim(document_id=document.pk):
            issued.append(document_services.document_render_pdf(document_id=document.pk))
    return issued
