"""Isolation cases of the agreements app (see registry.py for roles and shapes).

The world has no agreement of its own, so the hooks below give Olaine's application
(w.olaine_application, owned by the applicant) agreements in each state the URLs need:
a draft, a generated one with a rendered PDF (and a failed later version), and one in
force with a signed scan. Reads need VIEW on Olaine (the ministry may read); writes need
COORDINATE (the ministry gets 404). The applicant downloads their own agreement from
self-service; everyone else gets 404 there. Agreement texts are for central coordinators,
each for their own institution."""

import hashlib
from datetime import date, timedelta

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Max
from django.utils import timezone

from agreements.models import Agreement, AgreementTemplate, Status
from documents.models import Document
from tests.factories import document_row
from tests.trainings import builders as training
from trainings.models import Completion, Course
from volunteers.models import Role
from volunteers.models import Status as ApplicationStatus

from .registry import CENTRAL_PAGE, LOGIN, ROLES, UNIT_READ, Case

NUMBER = "IEVP-2026-0777"
ACTIVE_NUMBER = "IEVP-2025-0555"
DRAFT_DUTIES = "Vada galda spēļu pulciņu Olaines cietumā"
PDF_SECRET = "olaine-agreement-pdf-secret"
SCAN_SECRET = "olaine-signed-scan-secret"
SHA_SECRET = "c0ffee0777ab"
TEMPLATE_SECRET = "Olaines brīvprātīgā līgums (pārbaudes versija)"
COURSE = "Sporta nodarbību vadītāju apmācība"

STAFF_LIST = {
    "anonymous": LOGIN,
    "olaine": 200,
    "jelgava": 200,
    "vpd": 200,
    "ievp_central": 200,
    "vpd_central": 200,
    "ministry": 200,
    "superuser": 200,
    "applicant": 404,
    "stranger": 404,
}
UNIT_WRITE = {
    "anonymous": LOGIN,
    "olaine": 302,
    "jelgava": 404,
    "vpd": 404,
    "ievp_central": 302,
    "vpd_central": 404,
    "ministry": 404,
    "superuser": 302,
    "applicant": 404,
    "stranger": 404,
}
UNIT_FORM = {**UNIT_WRITE, "olaine": 200, "ievp_central": 200, "superuser": 200}
OLAINE_COORDINATORS = {"olaine", "ievp_central", "superuser"}


def _expect(default, **overrides):
    expect = dict.fromkeys(ROLES, default)
    expect["anonymous"] = LOGIN
    expect.update(overrides)
    return expect


OWN_PAGE = _expect(200)
OWN_DOWNLOAD = _expect(404, applicant=200)
# IeVP's agreement texts: IeVP's centre and superusers (VPD's centre sees only its own).
IEVP_TEXT = {**CENTRAL_PAGE, "vpd_central": 404}
IEVP_TEXT_READERS = {"ievp_central", "superuser"}


def _role(w) -> Role:
    """IeVP's sports role, which needs a course (COURSE) before an agreement."""
    role, _ = Role.objects.get_or_create(institution=w.olaine.institution, code=Role.Code.SPORTS)
    if not Course.objects.filter(roles=role, title=COURSE).exists():
        training.course(w.olaine.institution, roles=[role], title=COURSE)
    return role


def _trained(w) -> None:
    """The applicant completed the sports role's course at Olaine (for drafting)."""
    application = w.olaine_application
    course = _role(w).required_courses.get(title=COURSE)
    if not Completion.objects.filter(volunteer=application.volunteer, course=course).exists():
        training.completion(application.volunteer, course, w.olaine, completed_on=date(2026, 1, 15))


def _template(w) -> AgreementTemplate:
    """A new current IeVP text (for every role) whose title is the secret."""
    institution = w.olaine.institution
    existing = AgreementTemplate.objects.filter(institution=institution, title=TEMPLATE_SECRET).first()
    if existing:
        return existing
    last = AgreementTemplate.objects.filter(institution=institution, role=None).aggregate(v=Max("version"))[
        "v"
    ]
    return AgreementTemplate.objects.create(
        institution=institution,
        role=None,
        version=(last or 0) + 1,
        title=TEMPLATE_SECRET,
        body="{{ institution }} un {{ volunteer_name }} vienojas par brīvprātīgo darbu.",
    )


def _agreement(w, *, status: str, number: str | None = None, **fields) -> Agreement:
    application = w.olaine_application
    found = Agreement.objects.filter(application=application, status=status).first()
    if found:
        return found
    _trained(w)
    today = timezone.localdate()
    values = {
        "place": "Olaines cietums, sporta zāle",
        "start_date": today - timedelta(days=30),
        "end_date": today + timedelta(days=300),
        "hours_per_week": 4,
        "duties": "Sporta nodarbības",
        **fields,
    }
    return Agreement.objects.create(
        institution=application.institution,
        unit=application.unit,
        application=application,
        volunteer=application.volunteer,
        role=_role(w),
        template=_template(w),
        status=status,
        number=number,
        created_by=w.olaine_coordinator,
        **values,
    )


def _draft(w) -> Agreement:
    return _agreement(w, status=Status.DRAFT, duties=DRAFT_DUTIES)


def _generated(w) -> Agreement:
    """Generated today, with version 1 rendered (the secret bytes) and version 2 failed."""
    agreement = _agreement(w, status=Status.GENERATED, number=NUMBER, generated_at=timezone.now())
    if not agreement.documents.exists():
        content = b"%PDF-1.4\n% " + PDF_SECRET.encode() + b"\n%%EOF\n"
        document = document_row(
            agreement,
            save=False,
            version=1,
            state=Document.State.DONE,
            sha256=SHA_SECRET + hashlib.sha256(content).hexdigest()[12:],
            size=len(content),
            finished_at=timezone.now(),
        )
        document.file.save(f"{NUMBER}-v1.pdf", ContentFile(content), save=False)
        document.save()
        document_row(agreement, version=2, state=Document.State.FAILED, error="OSError: fonts missing")
    return agreement


def _active(w) -> Agreement:
    """In force, with a signed scan (the secret bytes)."""
    agreement = _agreement(
        w,
        status=Status.ACTIVE,
        number=ACTIVE_NUMBER,
        generated_at=timezone.now() - timedelta(days=40),
        signed_on=timezone.localdate() - timedelta(days=35),
    )
    if not agreement.signed_scan:
        agreement.signed_scan.save(
            f"{ACTIVE_NUMBER}-signed.pdf",
            ContentFile(b"%PDF-1.4\n% " + SCAN_SECRET.encode() + b"\n"),
            save=True,
        )
    return agreement


def _application_in_agreement_step(w) -> dict:
    application = w.olaine_application
    application.status = ApplicationStatus.AGREEMENT
    application.save(update_fields=["status"])
    application.roles.add(_role(w))
    _trained(w)
    return {"application_pk": application.pk}


def _with_all(w) -> dict:
    """Every kind of agreement exists (for the lists)."""
    _draft(w)
    _generated(w)
    _active(w)
    return {}


def _pk(make):
    return lambda w: {"pk": make(w).pk}


def _document(version: int):
    return lambda w: {"pk": _generated(w).pk, "version": version}


def _scan(w):
    return {
        "scan": SimpleUploadedFile("skenets.pdf", b"%PDF-1.4\n% signed\n%%EOF\n", "application/pdf"),
        "signed_on": timezone.localdate().isoformat(),
    }


def _termination(w):
    today = timezone.localdate()
    return {
        "terminated_by": Agreement.TerminatedBy.VOLUNTEER,
        "notice_date": today.isoformat(),
        "ended_on": (today + timedelta(days=10)).isoformat(),
        "reason": "Pārceļas uz citu pilsētu",
    }


def _number(w) -> str:
    return NUMBER


CASES: dict[str, Case] = {
    "agreements:list": Case(expect=STAFF_LIST, kwargs=_with_all, secret=_number),
    "agreements:create": Case(
        expect=UNIT_FORM,
        kwargs=_application_in_agreement_step,
        secret=lambda w: w.olaine_application.reference,
        entitled=OLAINE_COORDINATORS,
    ),
    "agreements:detail": Case(expect=UNIT_READ, kwargs=_pk(_generated), secret=_number),
    "agreements:edit": Case(
        expect=UNIT_FORM, kwargs=_pk(_draft), secret=lambda w: DRAFT_DUTIES, entitled=OLAINE_COORDINATORS
    ),
    "agreements:generate": Case(
        method="post", expect=UNIT_WRITE, kwargs=_pk(_draft), secret=lambda w: DRAFT_DUTIES
    ),
    "agreements:send": Case(method="post", expect=UNIT_WRITE, kwargs=_pk(_generated), secret=_number),
    "agreements:sign": Case(
        method="post", expect=UNIT_WRITE, kwargs=_pk(_generated), data=_scan, secret=_number
    ),
    "agreements:terminate": Case(
        method="post",
        expect=UNIT_WRITE,
        kwargs=_pk(_active),
        data=_termination,
        secret=lambda w: ACTIVE_NUMBER,
    ),
    "agreements:scan_download": Case(expect=UNIT_READ, kwargs=_pk(_active), secret=lambda w: SCAN_SECRET),
    "agreements:document_download": Case(expect=UNIT_READ, kwargs=_document(1), secret=lambda w: PDF_SECRET),
    "agreements:my_agreements": Case(
        expect=OWN_PAGE, kwargs=_with_all, secret=_number, entitled={"applicant"}
    ),
    "agreements:my_agreement_pdf": Case(
        expect=OWN_DOWNLOAD, kwargs=_pk(_generated), secret=lambda w: PDF_SECRET, entitled={"applicant"}
    ),
    "agreements:my_agreement_signed": Case(
        expect=OWN_DOWNLOAD, kwargs=_pk(_active), secret=lambda w: SCAN_SECRET, entitled={"applicant"}
    ),
    "agreements:templates": Case(
        expect=CENTRAL_PAGE,
        kwargs=lambda w: (_template(w), {})[1],
        secret=lambda w: TEMPLATE_SECRET,
        entitled=IEVP_TEXT_READERS,
        notes="each central coordinator lists their own institution's texts",
    ),
    "agreements:template_new": Case(
        expect=CENTRAL_PAGE,
        kwargs=lambda w: (_template(w), {})[1],
        secret=lambda w: TEMPLATE_SECRET,
        entitled=IEVP_TEXT_READERS,
    ),
    "agreements:template_detail": Case(
        expect=IEVP_TEXT, kwargs=_pk(_template), secret=lambda w: TEMPLATE_SECRET, entitled=IEVP_TEXT_READERS
    ),
}


def _terms(w) -> dict:
    today = timezone.localdate()
    return {
        "role": _role(w).pk,
        "place": "Olaines cietums, sporta zāle",
        "start_date": (today + timedelta(days=7)).isoformat(),
        "end_date": (today + timedelta(days=200)).isoformat(),
        "hours_per_week": "4",
        "duties": DRAFT_DUTIES,
        "notice_days": "10",
    }


# The POST side of the GET-and-POST views.
EXTRA: dict[str, tuple[str, Case]] = {
    "agreements:create POST": (
        "agreements:create",
        Case(
            method="post",
            expect=UNIT_WRITE,
            kwargs=_application_in_agreement_step,
            data=_terms,
            secret=lambda w: w.olaine_application.reference,
            entitled=OLAINE_COORDINATORS,
        ),
    ),
    "agreements:edit POST": (
        "agreements:edit",
        Case(
            method="post",
            expect=UNIT_WRITE,
            kwargs=_pk(_draft),
            data=_terms,
            secret=lambda w: DRAFT_DUTIES,
            entitled=OLAINE_COORDINATORS,
        ),
    ),
    # A new version of IeVP's text: VPD's centre may not choose IeVP (the form comes back).
    "agreements:template_new POST": (
        "agreements:template_new",
        Case(
            method="post",
            expect={**CENTRAL_PAGE, "ievp_central": 302, "vpd_central": 400, "superuser": 302},
            data=lambda w: {
                "institution": w.olaine.institution.pk,
                "title": "Jauna versija",
                "body": "{{ institution }} un {{ volunteer_name }} vienojas.",
            },
            secret=lambda w: (_template(w), TEMPLATE_SECRET)[1],
            entitled=IEVP_TEXT_READERS,
        ),
    ),
}
