"""Demo data protection: each institution's retention periods, and a few records from years
ago whose periods have ended, so that the central coordinators' retention report (the dry
run) has something to show — two IeVP applicants turned down or withdrawn in 2023 and a
former IeVP volunteer whose agreement ended in 2020 (the person and the agreement's signed
scan are both due). The beat task is not run by ``make run``: they stay until a coordinator
looks. Seeded last; idempotent: once a policy exists nothing is loaded again."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.utils import timezone

from agreements import services as agreement_services
from agreements.models import Agreement
from agreements.models import Status as AgreementStatus
from institutions.models import Institution, Unit
from trainings.models import Completion, Course
from volunteers.demo import DEMO_DOMAIN
from volunteers.models import Application, ApplicationEvent, Role, Volunteer
from volunteers.models import Status as ApplicationStatus

from .models import RetentionPolicy

POLICIES = {
    "IEVP": {"unsuccessful_years": 1, "former_volunteer_years": 3, "agreement_document_years": 5},
    "VPD": {"unsuccessful_years": 1, "former_volunteer_years": 5, "agreement_document_years": 10},
}

# (first name, last name, status, the day the application closed)
PEOPLE = [
    ("Edgars", "Siliņš", ApplicationStatus.REJECTED, date(2023, 3, 14)),
    ("Ināra", "Krūmiņa", ApplicationStatus.WITHDRAWN, date(2023, 9, 2)),
    ("Valdis", "Ābeltiņš", ApplicationStatus.ENDED, date(2020, 6, 30)),
]


def _aware(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(11)))


def seed(*, stdout) -> None:
    if RetentionPolicy.objects.exists():
        stdout.write("Demo retention periods are already loaded.")
        return
    institutions = {i.code: i for i in Institution.objects.filter(code__in=POLICIES)}
    for code, periods in POLICIES.items():
        RetentionPolicy.objects.create(institution=institutions[code], **periods)
    ievp = institutions["IEVP"]
    olaine = Unit.objects.get(institution=ievp, name="Olaines cietums")
    role = Role.objects.filter(institution=ievp).order_by("pk").first()
    User = get_user_model()
    for n, (first, last, status, closed) in enumerate(PEOPLE):
        email = f"vesture.{n}@{DEMO_DOMAIN}"
        user = User(email=email, first_name=first, last_name=last, language="lv")
        user.set_unusable_password()
        user.save()
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        volunteer = Volunteer.objects.create(
            user=user,
            date_of_birth=date(1970 + n * 7, 4, 12),
            phone=f"+371 2900000{n}",
            address="Rīgas iela 5",
            municipality="Olaines novads",
        )
        submitted = _aware(date(closed.year - (3 if status == ApplicationStatus.ENDED else 0), 1, 10))
        application = Application.objects.create(
            volunteer=volunteer,
            institution=ievp,
            unit=olaine,
            status=status,
            status_changed_at=_aware(closed),
            submitted_at=submitted,
            motivation="Vēlos palīdzēt.",
            consent_record_check=True,
            consent_data_processing=True,
        )
        application.reference = f"T{submitted.year}-{90001 + n}"
        application.save(update_fields=["reference"])
        application.roles.set([role])
        ApplicationEvent.objects.create(
            application=application,
            kind=ApplicationEvent.Kind.TRANSITION,
            from_status=ApplicationStatus.SUBMITTED,
            to_status=status,
            created_at=_aware(closed),
        )
        if status == ApplicationStatus.ENDED:
            _old_agreement(application, role, closed)
    stdout.write(f"Demo retention periods for {len(POLICIES)} institutions, {len(PEOPLE)} records past them.")


def _old_agreement(application: Application, role: Role, ended: date) -> None:
    """A three-year agreement that ended in 2020, with its signed scan still stored."""
    institution = application.institution
    start = date(ended.year - 3, 7, 1)
    course = Course.objects.filter(institution=institution, kind=Course.Kind.INDUCTION).first()
    if course is not None:
        Completion.objects.create(
            volunteer=application.volunteer,
            course=course,
            unit=application.unit,
            source=Completion.Source.EXTERNAL,
            completed_on=date(start.year, 5, 20),
            hours=course.hours,
        )
    agreement = Agreement(
        number=agreement_services.number_next(institution=institution, year=start.year),
        institution=institution,
        unit=application.unit,
        application=application,
        volunteer=application.volunteer,
        role=role,
        template=agreement_services.template_current(institution=institution, role=role),
        status=AgreementStatus.ENDED,
        status_changed_at=_aware(ended),
        place=application.unit.name,
        start_date=start,
        end_date=ended,
        hours_per_week=Decimal("4"),
        duties="Sporta nodarbības notiesātajiem.",
        requested_in_writing=True,
        generated_at=_aware(start),
        sent_at=_aware(start),
        signed_on=start,
        ended_on=ended,
        end_kind=Agreement.EndKind.EXPIRED,
        created_by=_any_staff(),
        created_at=_aware(start),
    )
    agreement.signed_scan.save(
        f"{agreement.number}-parakstits.pdf", ContentFile(_scan(agreement.number)), save=False
    )
    agreement.save()


def _any_staff():
    return get_user_model().objects.filter(is_superuser=True).order_by("pk").first()


def _scan(number: str) -> bytes:
    """A minimal one-page PDF standing for the signed paper copy."""
    text = f"Parakstits ligums {number}".encode()
    stream = b"BT /F1 18 Tf 72 720 Td (" + text + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return out
