"""Isolation cases of the casework pages of coordinators and officers (casework/views_staff.py;
see registry.py for roles and shapes).

Casework is VPD's: the hooks below give the world's VPD department (the unit of the ``vpd``
coordinator) a client reference supervised by that coordinator, a mentoring pair, a circle
in formation with three volunteers and a professional in its outer circle, a mediator with
a certificate and an open mediation case — each carrying a text that only the department's
readers may receive. Records are read by the department's coordinators, VPD's centre and
superusers (and the client's supervising officer); everyone else gets 404 — the ministry
too, which reads the counts page only (with no reference on it, for anyone). The lists are
open to every coordinator, each seeing only their own units' rows. Every hook is idempotent
(kwargs and data both call it).

Views that accept both GET and POST have their second method in ``EXTRA``."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from casework import services
from casework.models import (
    Circle,
    ClientReference,
    MediationCase,
    MediatorCertificate,
    MentoringPair,
    OuterMember,
)
from institutions import permissions
from tests.casework import builders
from volunteers.models import Role, Volunteer

from .registry import LOGIN, ROLES, Case

CLIENT_NOTE = "VPD slepenā piezīme par klientu"
CASE_NUMBER = "VPD-LIETA-4242"
GOALS = "VPD slepenie pāra mērķi"
SCHEDULE = "VPD slepenais grafiks: otrdienās"
VICTIM_REF = "C-SLEPENS-7"
CASE_REF = "IZL-VPD-7"
CERT_NUMBER = "S-VPD-7777"
MENTOR_LAST = "Līdzgaitniece"
CIRCLE_LAST = "Aplīte"
MEDIATOR_LAST = "Starpniece"
NEWCOMER_LAST = "Jaunpienācēja"
SPARE_MEDIATOR_LAST = "Rezerviste"


def _expect(default, **overrides):
    expect = dict.fromkeys(ROLES, default)
    expect["anonymous"] = LOGIN
    expect.update(overrides)
    return expect


# The department's readers (its coordinator, VPD's centre, superusers).
VPD_READERS = {"vpd", "vpd_central", "superuser"}
# A record of the department: its readers; everyone else (the ministry included) 404.
RECORD_READ = _expect(404, vpd=200, vpd_central=200, superuser=200)
RECORD_WRITE = _expect(404, vpd=302, vpd_central=302, superuser=302)
# A list or the overview: every coordinator (their own units' rows); the ministry never.
CASEWORK_LIST = _expect(200, ministry=404, applicant=404, stranger=404)
# The counts: every staff role, the ministry included (no record on it).
COUNTS = _expect(200, applicant=404, stranger=404)


# --- The world's casework at the VPD department


def _unit(w):
    return permissions.units_for(w.users["vpd"], permissions.COORDINATE).get()


def _coordinator(w):
    return w.users["vpd"]


def _volunteer(w, last_name: str, code: str) -> Volunteer:
    found = Volunteer.objects.filter(user__last_name=last_name).first()
    if found:
        return found
    return builders.volunteer_in_role(_unit(w), code, first_name="Anna", last_name=last_name)


def _client(w) -> ClientReference:
    found = ClientReference.objects.filter(note=CLIENT_NOTE).first()
    if found:
        return found
    return services.client_create(
        actor=_coordinator(w),
        unit=_unit(w),
        officer=_coordinator(w),
        active_from=timezone.localdate() - timedelta(days=150),
        case_number=CASE_NUMBER,
        note=CLIENT_NOTE,
    )


def _pair(w) -> MentoringPair:
    found = MentoringPair.objects.filter(goals=GOALS).first()
    if found:
        return found
    return services.pair_create(
        actor=_coordinator(w),
        client=_client(w),
        mentor=_volunteer(w, MENTOR_LAST, Role.Code.MENTOR),
        starts_on=timezone.localdate() - timedelta(days=100),
        planned_end=timezone.localdate() + timedelta(days=200),
        goals=GOALS,
    )


def _circle_members(w) -> list[Volunteer]:
    return [_volunteer(w, f"{CIRCLE_LAST}{index}", Role.Code.CIRCLES) for index in range(3)]


def _circle(w) -> Circle:
    """A circle in formation with three volunteers and one professional outside."""
    found = Circle.objects.filter(schedule=SCHEDULE).first()
    if found:
        return found
    circle = services.circle_create(
        actor=_coordinator(w),
        client=_client(w),
        volunteers=_circle_members(w),
        formed_on=timezone.localdate() - timedelta(days=30),
        schedule=SCHEDULE,
    )
    services.outer_member_add(
        actor=_coordinator(w), circle=circle, role="Probācijas darbinieks", organisation="VPD"
    )
    return circle


def _mediator(w) -> Volunteer:
    volunteer = _volunteer(w, MEDIATOR_LAST, Role.Code.MEDIATOR)
    if not MediatorCertificate.objects.filter(number=CERT_NUMBER).exists():
        today = timezone.localdate()
        services.certificate_record(
            actor=_coordinator(w),
            unit=_unit(w),
            volunteer=volunteer,
            number=CERT_NUMBER,
            issued_on=today - timedelta(days=300),
            valid_until=today + timedelta(days=400),
        )
    return volunteer


def _case(w) -> MediationCase:
    found = MediationCase.objects.filter(reference=CASE_REF).first()
    if found:
        return found
    return services.mediation_create(
        actor=_coordinator(w),
        unit=_unit(w),
        reference=CASE_REF,
        victim_ref=VICTIM_REF,
        offender_ref="L-7",
        mediators=[_mediator(w)],
        opened_on=timezone.localdate() - timedelta(days=10),
    )


def _with_all(w) -> dict:
    """Every kind of casework row exists (for the lists and the overview); no URL kwargs."""
    _pair(w)
    _circle(w)
    _case(w)
    return {}


def _unit_query(w) -> dict:
    _with_all(w)
    return {"unit": _unit(w).slug}


# --- URL kwargs and POST data


def _day(days_ago: int = 0) -> str:
    return (timezone.localdate() - timedelta(days=days_ago)).strftime("%d.%m.%Y")


def _client_pk(w) -> dict:
    return {"pk": _client(w).pk}


def _pair_pk(w) -> dict:
    return {"pk": _pair(w).pk}


def _circle_pk(w) -> dict:
    return {"pk": _circle(w).pk}


def _case_pk(w) -> dict:
    return {"pk": _case(w).pk}


def _certificate_pk(w) -> dict:
    _mediator(w)
    return {"pk": MediatorCertificate.objects.get(number=CERT_NUMBER).pk}


def _client_form(w) -> dict:
    return {
        **_unit_query(w),
        "officer": _coordinator(w).pk,
        "case_number": "P-1",
        "active_from": _day(2),
        "note": "",
    }


def _client_edit_form(w) -> dict:
    return {"officer": _coordinator(w).pk, "case_number": CASE_NUMBER, "note": CLIENT_NOTE, "active_to": ""}


def _pair_form(w) -> dict:
    return {
        **_unit_query(w),
        "client": _client(w).pk,
        "mentor": _volunteer(w, MENTOR_LAST, Role.Code.MENTOR).pk,
        "starts_on": _day(5),
        "planned_end": (timezone.localdate() + timedelta(days=300)).strftime("%d.%m.%Y"),
        "goals": "Jauni mērķi.",
    }


def _circle_form(w) -> dict:
    return {
        **_unit_query(w),
        "client": _client(w).pk,
        "volunteers": [v.pk for v in _circle_members(w)],
        "formed_on": _day(3),
        "schedule": "",
    }


def _case_form(w) -> dict:
    return {
        **_unit_query(w),
        "reference": "IZL-JAUNA-1",
        "victim_ref": "C-1",
        "offender_ref": "L-1",
        "mediators": [_mediator(w).pk],
        "opened_on": _day(1),
    }


def _certificate_form(w) -> dict:
    return {
        **_unit_query(w),
        "volunteer": _volunteer(w, SPARE_MEDIATOR_LAST, Role.Code.MEDIATOR).pk,
        "number": "S-VPD-JAUNS-1",
        "issued_on": _day(10),
        "valid_until": (timezone.localdate() + timedelta(days=700)).strftime("%d.%m.%Y"),
    }


def _member_add(w) -> dict:
    _circle(w)
    return {"add-volunteer": _volunteer(w, NEWCOMER_LAST, Role.Code.CIRCLES).pk, "add-joined_on": _day()}


def _member_remove(w) -> dict:
    _circle(w)
    return {"remove-volunteer": _circle_members(w)[0].pk, "remove-left_on": _day()}


def _outer_remove(w) -> dict:
    return {"outer_remove-member": OuterMember.objects.get(circle=_circle(w)).pk}


def _review(w) -> dict:
    return {"review-reviewed_on": _day(), "review-note": "Viss kārtībā."}


def _end(w) -> dict:
    return {"end-ended_on": _day(), "end-reason": "Mērķi sasniegti."}


def _mentor_name(w) -> str:
    _volunteer(w, MENTOR_LAST, Role.Code.MENTOR)
    return f"Anna {MENTOR_LAST}"


def _circle_name(w) -> str:
    _circle_members(w)
    return f"Anna {CIRCLE_LAST}0"


def _mediator_name(w) -> str:
    _mediator(w)
    return f"Anna {MEDIATOR_LAST}"


def _client_code(w) -> str:
    return _client(w).code


CASES: dict[str, Case] = {
    "casework:home": Case(
        expect=CASEWORK_LIST,
        kwargs=_with_all,
        secret=_client_code,
        entitled=VPD_READERS,
        notes="every coordinator, their own units' rows; the ministry never sees a record",
    ),
    "casework:counts": Case(
        expect=COUNTS,
        kwargs=_with_all,
        secret=_client_code,
        entitled=set(),
        notes="counts only: no reference, case or name for anyone — the ministry's view",
    ),
    "casework:clients": Case(
        expect=CASEWORK_LIST, kwargs=_with_all, secret=_client_code, entitled=VPD_READERS
    ),
    "casework:client_new": Case(
        expect=RECORD_READ,
        data=_unit_query,
        secret=lambda w: _coordinator(w).email,
        entitled=VPD_READERS,
        notes="?unit= a unit the person does not coordinate answers 404",
    ),
    "casework:client": Case(
        expect=RECORD_READ,
        kwargs=_client_pk,
        secret=lambda w: CLIENT_NOTE,
        entitled=VPD_READERS,
        notes="every GET is logged (casework.client.view)",
    ),
    "casework:client_edit": Case(
        expect=RECORD_READ, kwargs=_client_pk, secret=lambda w: CLIENT_NOTE, entitled=VPD_READERS
    ),
    "casework:pairs": Case(expect=CASEWORK_LIST, kwargs=_with_all, secret=_mentor_name, entitled=VPD_READERS),
    "casework:pair_new": Case(
        expect=RECORD_READ, data=_unit_query, secret=_mentor_name, entitled=VPD_READERS
    ),
    "casework:pair": Case(expect=RECORD_READ, kwargs=_pair_pk, secret=lambda w: GOALS, entitled=VPD_READERS),
    "casework:pair_review": Case(
        method="post",
        expect=RECORD_WRITE,
        kwargs=_pair_pk,
        data=_review,
        secret=lambda w: GOALS,
        entitled=VPD_READERS,
    ),
    "casework:pair_end": Case(
        method="post",
        expect=RECORD_WRITE,
        kwargs=_pair_pk,
        data=_end,
        secret=lambda w: GOALS,
        entitled=VPD_READERS,
    ),
    "casework:circles": Case(
        expect=CASEWORK_LIST, kwargs=_with_all, secret=_client_code, entitled=VPD_READERS
    ),
    "casework:circle_new": Case(
        expect=RECORD_READ, data=_unit_query, secret=_circle_name, entitled=VPD_READERS
    ),
    "casework:circle": Case(
        expect=RECORD_READ, kwargs=_circle_pk, secret=lambda w: SCHEDULE, entitled=VPD_READERS
    ),
    "casework:circle_member_add": Case(
        method="post",
        expect=RECORD_WRITE,
        kwargs=_circle_pk,
        data=_member_add,
        secret=lambda w: SCHEDULE,
        entitled=VPD_READERS,
    ),
    "casework:circle_member_remove": Case(
        method="post",
        expect=RECORD_WRITE,
        kwargs=_circle_pk,
        data=_member_remove,
        secret=lambda w: SCHEDULE,
        entitled=VPD_READERS,
    ),
    "casework:circle_outer_add": Case(
        method="post",
        expect=RECORD_WRITE,
        kwargs=_circle_pk,
        data=lambda w: {"outer-role": "Psihologs", "outer-organisation": "Sociālais dienests"},
        secret=lambda w: SCHEDULE,
        entitled=VPD_READERS,
    ),
    "casework:circle_outer_remove": Case(
        method="post",
        expect=RECORD_WRITE,
        kwargs=_circle_pk,
        data=_outer_remove,
        secret=lambda w: SCHEDULE,
        entitled=VPD_READERS,
    ),
    "casework:circle_activate": Case(
        method="post",
        expect=RECORD_WRITE,
        kwargs=_circle_pk,
        data=lambda w: {"activate-active_from": _day()},
        secret=lambda w: SCHEDULE,
        entitled=VPD_READERS,
    ),
    "casework:circle_end": Case(
        method="post",
        expect=RECORD_WRITE,
        kwargs=_circle_pk,
        data=_end,
        secret=lambda w: SCHEDULE,
        entitled=VPD_READERS,
    ),
    "casework:circle_review": Case(
        method="post",
        expect=RECORD_WRITE,
        kwargs=_circle_pk,
        data=_review,
        secret=lambda w: SCHEDULE,
        entitled=VPD_READERS,
    ),
    "casework:cases": Case(
        expect=CASEWORK_LIST, kwargs=_with_all, secret=lambda w: CASE_REF, entitled=VPD_READERS
    ),
    "casework:case_new": Case(
        expect=RECORD_READ, data=_unit_query, secret=_mediator_name, entitled=VPD_READERS
    ),
    "casework:case": Case(
        expect=RECORD_READ, kwargs=_case_pk, secret=lambda w: VICTIM_REF, entitled=VPD_READERS
    ),
    "casework:case_close": Case(
        method="post",
        expect=RECORD_WRITE,
        kwargs=_case_pk,
        data=lambda w: {"close-outcome": "reached", "close-closed_on": _day()},
        secret=lambda w: VICTIM_REF,
        entitled=VPD_READERS,
    ),
    "casework:certificates": Case(
        expect=CASEWORK_LIST, kwargs=_with_all, secret=lambda w: CERT_NUMBER, entitled=VPD_READERS
    ),
    "casework:certificate_new": Case(
        expect=RECORD_READ, data=_unit_query, secret=_mediator_name, entitled=VPD_READERS
    ),
    "casework:certificate_annul": Case(
        method="post",
        expect=RECORD_WRITE,
        kwargs=_certificate_pk,
        data=lambda w: {"annul-annulled_on": _day(), "annul-reason": "Pārkāpums."},
        secret=lambda w: CERT_NUMBER,
        entitled=VPD_READERS,
    ),
}


# Second methods of GET-and-POST views, and cross-object checks: label → (URL name, case).
EXTRA: dict[str, tuple[str, Case]] = {
    "casework:client_new POST": (
        "casework:client_new",
        Case(method="post", expect=RECORD_WRITE, data=_client_form, notes="the unit comes with the form"),
    ),
    "casework:client_edit POST": (
        "casework:client_edit",
        Case(
            method="post",
            expect=RECORD_WRITE,
            kwargs=_client_pk,
            data=_client_edit_form,
            secret=lambda w: CLIENT_NOTE,
            entitled=VPD_READERS,
        ),
    ),
    "casework:pair_new POST": (
        "casework:pair_new",
        Case(method="post", expect=RECORD_WRITE, data=_pair_form, secret=_mentor_name, entitled=VPD_READERS),
    ),
    "casework:circle_new POST": (
        "casework:circle_new",
        Case(
            method="post", expect=RECORD_WRITE, data=_circle_form, secret=_circle_name, entitled=VPD_READERS
        ),
    ),
    "casework:case_new POST": (
        "casework:case_new",
        Case(
            method="post", expect=RECORD_WRITE, data=_case_form, secret=_mediator_name, entitled=VPD_READERS
        ),
    ),
    "casework:certificate_new POST": (
        "casework:certificate_new",
        Case(
            method="post",
            expect=RECORD_WRITE,
            data=_certificate_form,
            secret=_mediator_name,
            entitled=VPD_READERS,
        ),
    ),
    # A year asked of the counts: still counts only, for everyone.
    "casework:counts of a year": (
        "casework:counts",
        Case(
            expect=COUNTS,
            kwargs=_with_all,
            data=lambda w: {"year": timezone.localdate().year},
            secret=_client_code,
            entitled=set(),
        ),
    ),
}
