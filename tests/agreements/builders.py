"""Small builders for the agreement lifecycle tests (services, numbering, reminders)."""

from __future__ import annotations

import importlib
import itertools
from datetime import date, timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from agreements import services
from agreements.models import Agreement, AgreementTemplate, Status
from tests.factories import ApplicationFactory, UserFactory, VolunteerFactory
from tests.trainings import builders as training_builders
from trainings.models import Completion, Course
from volunteers.models import Role
from volunteers.models import Status as ApplicationStatus

DEFAULT_BODY = importlib.import_module("agreements.migrations.0002_default_templates").BODY
PDF_SCAN = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
PNG_SCAN = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
_ROW_NUMBERS = itertools.count(9001)  # far from the numbers that services give in a test


def current_template(institution) -> AgreementTemplate:
    """The institution's template for every role (the migration's, or a first version)."""
    template = services.template_current(institution=institution, role=None)
    return template or AgreementTemplate.objects.create(
        institution=institution, role=None, version=1, title="Vienošanās", body=DEFAULT_BODY
    )


def role(institution, code=Role.Code.MENTOR) -> Role:
    """A role of the institution. It needs no training unless a test gives it a course
    (``required_course``)."""
    found, _ = Role.objects.get_or_create(institution=institution, code=code)
    return found


def required_course(role: Role, **fields) -> Course:
    """An active course the role needs: a role "needs training" when one lists it."""
    return training_builders.course(role.institution, roles=[role], **fields)


def application(unit, *, status=ApplicationStatus.AGREEMENT, born=date(1985, 5, 17), **user):
    volunteer = VolunteerFactory(date_of_birth=born, **{f"user__{k}": v for k, v in user.items()})
    return ApplicationFactory(volunteer=volunteer, unit=unit, status=status)


def completed(app, course: Course, **fields) -> Completion:
    """The applicant completed ``course`` at the application's unit (five days ago, unless
    ``completed_on`` says otherwise; a recurring course's completion expires after 24 months)."""
    return training_builders.completion(app.volunteer, course, app.unit, **fields)


def terms(institution, **overrides) -> dict:
    start = date.today() + timedelta(days=10)
    return {
        "role": role(institution),
        "place": "Brīvības iela 1, Rīga",
        "start_date": start,
        "end_date": start + timedelta(days=364),
        "hours_per_week": Decimal("4"),
        "duties": "Tikšanās ar klientu reizi nedēļā.",
        **overrides,
    }


def draft(unit, coordinator, *, app=None, **overrides) -> Agreement:
    current_template(unit.institution)
    app = app or application(unit)
    return services.agreement_create(
        actor=coordinator, application=app, **terms(unit.institution, **overrides)
    )


def scan(content: bytes = PDF_SCAN, name: str = "parakstits.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def signed(unit, coordinator, **overrides) -> Agreement:
    """Drafted, generated and signed today (the render is queued on commit, which the
    test transaction never reaches)."""
    agreement = draft(unit, coordinator, **overrides)
    services.agreement_generate(actor=coordinator, agreement=agreement)
    return services.agreement_sign(
        actor=coordinator, agreement=agreement, scan=scan(), signed_on=timezone.localdate()
    )


def agreement_row(
    unit, *, status=Status.ACTIVE, start=None, end=None, generated_at=None, number=None, **user
):
    """An agreement written straight to the table (no services, no PDF), for the daily jobs."""
    today = timezone.localdate()
    start = start or today - timedelta(days=200)
    end = end or start + timedelta(days=364)
    app = application(unit, status=ApplicationStatus.ACTIVE, **user)
    actor = UserFactory()
    generated_at = generated_at or timezone.now() - timedelta(days=(today - start).days + 5)
    if number is None and status != Status.DRAFT:
        number = f"{unit.institution.code}-{today.year}-{next(_ROW_NUMBERS):04d}"
    return Agreement.objects.create(
        number=number,
        institution=unit.institution,
        unit=unit,
        application=app,
        volunteer=app.volunteer,
        role=role(unit.institution),
        template=current_template(unit.institution),
        status=status,
        place="Rīga",
        start_date=start,
        end_date=end,
        hours_per_week=Decimal("3"),
        duties="Atbalsts klientam.",
        generated_at=generated_at,
        sent_at=generated_at if status != Status.GENERATED else None,
        signed_on=start if status in (Status.SIGNED, Status.ACTIVE) else None,
        created_by=actor,
    )
