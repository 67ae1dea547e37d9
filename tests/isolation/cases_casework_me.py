"""Isolation cases of the volunteer's casework pages (casework/views_me.py).

The hooks below give the applicant (w.olaine_application's volunteer) agreements in force at
the VPD department for the mentor, circle and mediator roles, a mentoring pair, a circle of
three that meets and a mediation case there (with a certificate); the stranger gets a pair,
a circle and a case of their own. The pages (/me/casework/…) show the signed-in volunteer's
own rows only: staff (no volunteer profile) get the "no profile" page, or 404 on object URLs
and actions; another volunteer's pair, circle or case is a 404. The secrets are the client
reference codes and the case references."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from agreements.models import Agreement
from agreements.models import Status as AgreementStatus
from casework import services
from casework.models import Circle, MediationCase, MentoringPair
from institutions.models import Unit
from tests.agreements import builders as agreement_builders
from tests.casework import builders
from tests.factories import ApplicationFactory
from volunteers.models import Role

from .registry import LOGIN, ROLES, Case

VPD_SLUG = "vpd-jelgavas-1-nodala"  # tests/conftest.py: vpd_department
APPLICANT_CASE = "IZL-OLAINE-8801"
STRANGER_CASE = "IZL-SVESAIS-8802"


def _expect(default, **overrides):
    expect = dict.fromkeys(ROLES, default)
    expect["anonymous"] = LOGIN
    expect.update(overrides)
    return expect


# The overview of one's own: every signed-in person (staff see the "no profile" page).
OWN_PAGE = _expect(200)
# The applicant's own pair, circle or case, or an action on it.
APPLICANT_PAGE = _expect(404, applicant=200)
APPLICANT_ACTION = _expect(404, applicant=302)
STRANGER_PAGE = _expect(404, stranger=200)
STRANGER_ACTION = _expect(404, stranger=302)
APPLICANT_ONLY = {"applicant"}
STRANGER_ONLY = {"stranger"}


# --- The world's casework (created on first use; every hook is idempotent)


def _vpd(w) -> Unit:
    return Unit.objects.get(slug=VPD_SLUG)


def _coordinator(w):
    return w.users["vpd"]


def _agreement(volunteer, unit: Unit, code: str, number: str) -> None:
    """An agreement in force at ``unit`` for the role (an application there, too)."""
    if Agreement.objects.filter(number=number).exists():
        return
    today = timezone.localdate()
    institution = unit.institution
    application = ApplicationFactory(unit=unit, volunteer=volunteer, status="active")
    Agreement.objects.create(
        number=number,
        institution=institution,
        unit=unit,
        application=application,
        volunteer=volunteer,
        role=agreement_builders.role(institution, code),
        template=agreement_builders.current_template(institution),
        status=AgreementStatus.ACTIVE,
        place=unit.name,
        start_date=today - timedelta(days=200),
        end_date=today + timedelta(days=300),
        hours_per_week=3,
        duties="Darbs ar probācijas klientu.",
        generated_at=timezone.now() - timedelta(days=205),
        sent_at=timezone.now() - timedelta(days=205),
        signed_on=today - timedelta(days=200),
        created_by=volunteer.user,
    )


def _volunteer(w, who: str):
    volunteer = (w.olaine_application if who == "applicant" else w.jelgava_application).volunteer
    base = 8800 if who == "applicant" else 8810
    unit = _vpd(w)
    for offset, code in enumerate((Role.Code.MENTOR, Role.Code.CIRCLES, Role.Code.MEDIATOR)):
        _agreement(volunteer, unit, code, f"VPD-2026-{base + offset}")
    return volunteer


def _pair_of(w, who: str) -> MentoringPair:
    volunteer = _volunteer(w, who)
    found = MentoringPair.objects.filter(mentor=volunteer).first()
    return found or builders.pair(_vpd(w), _coordinator(w), volunteer)


def _circle_of(w, who: str) -> Circle:
    volunteer = _volunteer(w, who)
    found = Circle.objects.filter(members__volunteer=volunteer).first()
    if found:
        return found
    unit, coordinator = _vpd(w), _coordinator(w)
    others = [builders.volunteer_in_role(unit, Role.Code.CIRCLES) for _ in range(2)]
    circle = services.circle_create(
        actor=coordinator,
        client=builders.client(unit, coordinator),
        volunteers=[volunteer, *others],
        formed_on=timezone.localdate() - timedelta(days=60),
        schedule="Otrdienās 18:00",
    )
    services.circle_activate(
        actor=coordinator, circle=circle, active_from=timezone.localdate() - timedelta(days=50)
    )
    return circle


def _case_of(w, who: str) -> MediationCase:
    volunteer = _volunteer(w, who)
    reference = APPLICANT_CASE if who == "applicant" else STRANGER_CASE
    found = MediationCase.objects.filter(reference=reference).first()
    if found:
        return found
    unit, coordinator = _vpd(w), _coordinator(w)
    services.certificate_record(
        actor=coordinator,
        unit=unit,
        volunteer=volunteer,
        number=f"S-{reference}",
        issued_on=timezone.localdate() - timedelta(days=300),
        valid_until=timezone.localdate() + timedelta(days=300),
    )
    return services.mediation_create(
        actor=coordinator,
        unit=unit,
        reference=reference,
        victim_ref="C-1",
        offender_ref="L-1",
        mediators=[volunteer],
        opened_on=timezone.localdate() - timedelta(days=20),
    )


def _everything(w) -> dict:
    """Every row the overview shows (no URL kwargs)."""
    for who in ("applicant", "stranger"):
        _pair_of(w, who)
        _circle_of(w, who)
        _case_of(w, who)
    return {}


def _pk(getter, who="applicant"):
    return lambda w: {"pk": getter(w, who).pk}


def _pair_code(who="applicant"):
    return lambda w: _pair_of(w, who).client.code


def _circle_code(who="applicant"):
    return lambda w: _circle_of(w, who).client.code


def _meeting(w, who="applicant", *, circle=False) -> dict:
    data = {
        "day": (timezone.localdate() - timedelta(days=1)).strftime("%d.%m.%Y"),
        "hours": "1.5",
        "kind": "in_person",
        "note": "Saruna par darba meklēšanu.",
        "concern_note": "",
    }
    if circle:
        data["attendees"] = [_volunteer(w, who).pk]
    return data


def _session(w) -> dict:
    return {"day": (timezone.localdate() - timedelta(days=1)).strftime("%d.%m.%Y"), "hours": "2", "note": ""}


CASES: dict[str, Case] = {
    "casework:my_casework": Case(
        expect=OWN_PAGE, kwargs=_everything, secret=_pair_code(), entitled=APPLICANT_ONLY
    ),
    "casework:my_pair": Case(
        expect=APPLICANT_PAGE, kwargs=_pk(_pair_of), secret=_pair_code(), entitled=APPLICANT_ONLY
    ),
    "casework:my_pair_meeting": Case(
        method="post",
        expect=APPLICANT_ACTION,
        kwargs=_pk(_pair_of),
        data=_meeting,
        secret=_pair_code(),
        entitled=APPLICANT_ONLY,
    ),
    "casework:my_circle": Case(
        expect=APPLICANT_PAGE, kwargs=_pk(_circle_of), secret=_circle_code(), entitled=APPLICANT_ONLY
    ),
    "casework:my_circle_meeting": Case(
        method="post",
        expect=APPLICANT_ACTION,
        kwargs=_pk(_circle_of),
        data=lambda w: _meeting(w, circle=True),
        secret=_circle_code(),
        entitled=APPLICANT_ONLY,
    ),
    "casework:my_case": Case(
        expect=APPLICANT_PAGE, kwargs=_pk(_case_of), secret=lambda w: APPLICANT_CASE, entitled=APPLICANT_ONLY
    ),
    "casework:my_case_session": Case(
        method="post",
        expect=APPLICANT_ACTION,
        kwargs=_pk(_case_of),
        data=_session,
        secret=lambda w: APPLICANT_CASE,
        entitled=APPLICANT_ONLY,
    ),
}


EXTRA: dict[str, tuple[str, Case]] = {
    # The overview shows the stranger's rows only to the stranger.
    "casework:my_casework the stranger's rows": (
        "casework:my_casework",
        Case(expect=OWN_PAGE, kwargs=_everything, secret=lambda w: STRANGER_CASE, entitled=STRANGER_ONLY),
    ),
    # The stranger's pair, circle and case are theirs: the applicant (and staff) get 404.
    "casework:my_pair the stranger's pair": (
        "casework:my_pair",
        Case(
            expect=STRANGER_PAGE,
            kwargs=_pk(_pair_of, "stranger"),
            secret=_pair_code("stranger"),
            entitled=STRANGER_ONLY,
        ),
    ),
    "casework:my_pair_meeting the stranger's pair": (
        "casework:my_pair_meeting",
        Case(
            method="post",
            expect=STRANGER_ACTION,
            kwargs=_pk(_pair_of, "stranger"),
            data=lambda w: _meeting(w, "stranger"),
            secret=_pair_code("stranger"),
            entitled=STRANGER_ONLY,
        ),
    ),
    "casework:my_circle the stranger's circle": (
        "casework:my_circle",
        Case(
            expect=STRANGER_PAGE,
            kwargs=_pk(_circle_of, "stranger"),
            secret=_circle_code("stranger"),
            entitled=STRANGER_ONLY,
        ),
    ),
    "casework:my_circle_meeting the stranger's circle": (
        "casework:my_circle_meeting",
        Case(
            method="post",
            expect=STRANGER_ACTION,
            kwargs=_pk(_circle_of, "stranger"),
            data=lambda w: _meeting(w, "stranger", circle=True),
            secret=_circle_code("stranger"),
            entitled=STRANGER_ONLY,
        ),
    ),
    "casework:my_case the stranger's case": (
        "casework:my_case",
        Case(
            expect=STRANGER_PAGE,
            kwargs=_pk(_case_of, "stranger"),
            secret=lambda w: STRANGER_CASE,
            entitled=STRANGER_ONLY,
        ),
    ),
    "casework:my_case_session the stranger's case": (
        "casework:my_case_session",
        Case(
            method="post",
            expect=STRANGER_ACTION,
            kwargs=_pk(_case_of, "stranger"),
            data=_session,
            secret=lambda w: STRANGER_CASE,
            entitled=STRANGER_ONLY,
        ),
    ),
}
