"""Isolation cases of the trainings app (see registry.py for roles and shapes).

The hooks below give Olaine an IeVP course with two sessions: an open one in the future
(the applicant and a participant registered) and a held-over one in the past (attendance
to mark, completions to record), and a completion of the applicant with a rendered
certificate. Reads need VIEW on the session's (or completion's) unit: the ministry may
read; writes need COORDINATE (the ministry gets 404); another unit's session answers 404.
The volunteer's pages (/me/trainings/…) act on the signed-in volunteer's own rows only:
another volunteer's registration or certificate is a 404. The calendar feed is public:
its token is the capability; an unknown token is a 404 for everyone.

Views that accept both GET and POST have their second method in ``EXTRA`` (run by
``test_matrix.test_extra_case_answers_as_registered_when_role_requests_it``), with a few cross-object checks
(a Jelgava day or registration under an Olaine session, another institution's session)."""

from __future__ import annotations

import hashlib
from datetime import time, timedelta

from django.core.files.base import ContentFile
from django.utils import timezone

from documents.models import Document
from tests.factories import ApplicationFactory, VolunteerFactory, document_row
from trainings.models import (
    Attendance,
    CalendarFeed,
    Completion,
    Course,
    Registration,
    Session,
    SessionDay,
    SessionState,
)
from trainings.printing import CERTIFICATE
from volunteers.models import Application
from volunteers.models import Status as ApplicationStatus

from .cases_agreements import OLAINE_COORDINATORS, STAFF_LIST, UNIT_FORM, UNIT_WRITE
from .registry import LOGIN, PUBLIC_GET, ROLES, UNIT_READ, Case

COURSE_TITLE = "Ievadapmācība brīvprātīgajiem (izolācijas pārbaude)"
PLACE_SECRET = "Olaines cietums, 3. korpusa slepenā mācību klase"
PAST_PLACE_SECRET = "Olaines cietums, vecā sporta zāle"
NOTES_SECRET = "Ņemiet līdzi pasi un Olaines caurlaidi Nr. 4711"
PARTICIPANT_FIRST, PARTICIPANT_LAST = "Ojārs", "Slepenbergs"
COMPLETION_NOTE = "Olaines ārējā apmācība, apliecība 2025/17"
CERT_SECRET = "olaine-certificate-pdf-secret"
JELGAVA_PLACE = "Jelgavas cietums, klase"


def _expect(default, **overrides):
    expect = dict.fromkeys(ROLES, default)
    expect["anonymous"] = LOGIN
    expect.update(overrides)
    return expect


# A form of the person's own coordinated units (any coordinator; the ministry only reads).
COORDINATOR_FORM = _expect(200, ministry=404, applicant=404, stranger=404)
# Creating a session at Olaine: Olaine is not a choice for other units' coordinators (400).
OLAINE_CREATE = _expect(
    400,
    olaine=302,
    ievp_central=302,
    superuser=302,
    ministry=404,
    applicant=404,
    stranger=404,
)
# A calendar address for Olaine: whoever may see Olaine (the ministry too: it only reads).
OLAINE_FEED = _expect(404, olaine=302, ievp_central=302, ministry=302, superuser=302)
# The volunteer's own pages: every signed-in person (staff get the "no profile" page).
OWN_PAGE = _expect(200)
# An action of a volunteer on their own rows; staff have no volunteer profile.
VOLUNTEER_ACTION = _expect(404, applicant=302, stranger=302)
# An action on the applicant's own registration, or a download of their certificate.
APPLICANT_ACTION = _expect(404, applicant=302)
APPLICANT_DOWNLOAD = _expect(404, applicant=200)
APPLICANT_ONLY = {"applicant"}
NOBODY = _expect(404)


# --- The world's training data (created on first use; every hook is idempotent)


def _course(w) -> Course:
    found = Course.objects.filter(title=COURSE_TITLE).first()
    if found:
        return found
    return Course.objects.create(institution=w.olaine.institution, title=COURSE_TITLE, hours=16)


def _participant(w):
    """Another Olaine applicant in the training step, whose name is the secret."""
    found = Application.objects.filter(volunteer__user__last_name=PARTICIPANT_LAST).first()
    if found:
        return found
    volunteer = VolunteerFactory(user__first_name=PARTICIPANT_FIRST, user__last_name=PARTICIPANT_LAST)
    return ApplicationFactory(volunteer=volunteer, unit=w.olaine, status=ApplicationStatus.TRAINING)


def _participant_name(w) -> str:
    return f"{PARTICIPANT_FIRST} {PARTICIPANT_LAST}"


def _make_session(w, *, unit, place: str, first, state: str, notes: str = "") -> Session:
    found = Session.objects.filter(place=place).first()
    if found:
        return found
    session = Session.objects.create(
        course=_course(w),
        unit=unit,
        place=place,
        capacity=10,
        notes=notes,
        state=state,
        first_day=first,
        last_day=first + timedelta(days=1),
        created_by=w.olaine_coordinator,
    )
    for offset in range(2):
        SessionDay.objects.create(
            session=session, date=first + timedelta(days=offset), starts_at=time(10), ends_at=time(16)
        )
    return session


def _register(session: Session, application) -> Registration:
    registration, _created = Registration.objects.get_or_create(
        session=session,
        volunteer=application.volunteer,
        defaults={"application": application, "created_at": timezone.now()},
    )
    return registration


def _session(w) -> Session:
    """Olaine's open session in three weeks; the applicant and the participant registered."""
    session = _make_session(
        w,
        unit=w.olaine,
        place=PLACE_SECRET,
        first=timezone.localdate() + timedelta(days=21),
        state=SessionState.OPEN,
        notes=NOTES_SECRET,
    )
    _register(session, w.olaine_application)
    _register(session, _participant(w))
    return session


def _past(w) -> Session:
    """Olaine's session of the last two days, not yet marked held; both registered, the
    participant present on the first day."""
    session = _make_session(
        w,
        unit=w.olaine,
        place=PAST_PLACE_SECRET,
        first=timezone.localdate() - timedelta(days=2),
        state=SessionState.CLOSED,
    )
    _register(session, w.olaine_application)
    registration = _register(session, _participant(w))
    Attendance.objects.get_or_create(
        registration=registration, day=session.days.first(), defaults={"present": True}
    )
    return session


def _jelgava_past(w) -> Session:
    session = _make_session(
        w,
        unit=w.jelgava,
        place=JELGAVA_PLACE,
        first=timezone.localdate() - timedelta(days=2),
        state=SessionState.CLOSED,
    )
    _register(session, w.jelgava_application)
    return session


def _vpd_session(w) -> Session:
    """A VPD session: neither volunteer applied to VPD."""
    found = Session.objects.filter(place="VPD mācību telpa").first()
    if found:
        return found
    unit = _vpd_unit(w)
    course = Course.objects.create(institution=unit.institution, title="VPD ievadapmācība", hours=8)
    first = timezone.localdate() + timedelta(days=21)
    session = Session.objects.create(
        course=course,
        unit=unit,
        place="VPD mācību telpa",
        capacity=10,
        state=SessionState.OPEN,
        first_day=first,
        last_day=first,
        created_by=w.users["vpd"],
    )
    SessionDay.objects.create(session=session, date=first, starts_at=time(10), ends_at=time(16))
    return session


def _vpd_unit(w):
    from institutions import permissions

    return permissions.units_for(w.users["vpd"], permissions.COORDINATE).get()


def _completion(w) -> Completion:
    """The applicant's completion at Olaine (recorded from outside), its certificate rendered."""
    found = Completion.objects.filter(note=COMPLETION_NOTE).first()
    if found:
        return found
    course = _course(w)
    completion = Completion.objects.create(
        volunteer=w.olaine_application.volunteer,
        course=course,
        unit=w.olaine,
        source=Completion.Source.EXTERNAL,
        completed_on=timezone.localdate() - timedelta(days=10),
        hours=course.hours,
        number="IEVP-M-2026-07777",
        note=COMPLETION_NOTE,
        recorded_by=w.olaine_coordinator,
    )
    content = b"%PDF-1.4\n% " + CERT_SECRET.encode() + b"\n%%EOF\n"
    document = document_row(
        completion,
        kind=CERTIFICATE,
        save=False,
        state=Document.State.DONE,
        sha256=hashlib.sha256(content).hexdigest(),
        size=len(content),
        finished_at=timezone.now(),
    )
    document.file.save("IEVP-M-2026-07777-v1.pdf", ContentFile(content), save=False)
    document.save()
    return completion


def _unit_feed(w) -> CalendarFeed:
    feed, _created = CalendarFeed.objects.get_or_create(user=w.olaine_coordinator, unit=w.olaine)
    return feed


# --- URL kwargs and POST data


def _session_pk(w) -> dict:
    return {"pk": _session(w).pk}


def _past_pk(w) -> dict:
    return {"pk": _past(w).pk}


def _past_day(w) -> dict:
    session = _past(w)
    return {"pk": session.pk, "day_pk": session.days.first().pk}


def _participant_registration(session: Session, w) -> Registration:
    return session.registrations.get(volunteer__user__last_name=PARTICIPANT_LAST)


def _mark(w) -> dict:
    session = _past(w)
    return {
        "pk": session.pk,
        "day_pk": session.days.last().pk,
        "registration_pk": _participant_registration(session, w).pk,
    }


def _registration_cancel(w) -> dict:
    session = _session(w)
    return {"pk": session.pk, "registration_pk": _participant_registration(session, w).pk}


def _enrol_data(w) -> dict:
    """A new Olaine applicant in the training step, not yet in the session."""
    volunteer = VolunteerFactory(user__first_name="Inese", user__last_name="Jaunā")
    application = ApplicationFactory(volunteer=volunteer, unit=w.olaine, status=ApplicationStatus.TRAINING)
    return {"enrol-applications": [application.pk]}


def _inbox_enrol_data(w) -> dict:
    data = _enrol_data(w)
    return {"session": _session(w).pk, "applications": data["enrol-applications"], "next": "/trainings/"}


def _session_form(w, session: Session | None = None) -> dict:
    days = list(session.days.all()) if session else []
    first = timezone.localdate() + timedelta(days=30)
    data = {
        "place": session.place if session else "Olaines cietums, jaunā klase",
        "capacity": "12",
        "trainers": "",
        "registration_deadline": "",
        "notes": "",
        "days-TOTAL_FORMS": "2",
        "days-INITIAL_FORMS": str(len(days)),
        "days-MIN_NUM_FORMS": "0",
        "days-MAX_NUM_FORMS": "30",
    }
    for index in range(2):
        day = days[index].date if index < len(days) else first + timedelta(days=index)
        data |= {
            f"days-{index}-date": day.isoformat(),
            f"days-{index}-starts_at": "10:00",
            f"days-{index}-ends_at": "16:00",
        }
    if session is None:
        data |= {"course": _course(w).pk, "unit": w.olaine.pk, "open_now": "on"}
    return data


def _completion_data(w) -> dict:
    return {
        "course": _course(w).pk,
        "completed_on": timezone.localdate().isoformat(),
        "note": "Biedrības kursi, 2025",
    }


def _with_all(w) -> dict:
    """Every kind of training row exists (for the lists); no URL kwargs."""
    _session(w)
    _past(w)
    _completion(w)
    return {}


def _staff_page(w) -> dict:
    _with_all(w)
    _unit_feed(w)
    return {}


CASES: dict[str, Case] = {
    "trainings:sessions": Case(expect=STAFF_LIST, kwargs=_with_all, secret=lambda w: PLACE_SECRET),
    "trainings:session_create": Case(
        expect=COORDINATOR_FORM,
        kwargs=_with_all,
        secret=lambda w: PLACE_SECRET,
        entitled=set(),
        notes="the form lists courses and units, never a session",
    ),
    "trainings:inbox_enrol": Case(
        method="post",
        expect=_expect(302, ministry=404, applicant=404, stranger=404),
        data=_inbox_enrol_data,
        notes="other units' coordinators: the session is not a choice (an error message, nothing enrolled)",
    ),
    "trainings:calendar": Case(
        expect=STAFF_LIST, kwargs=_staff_page, secret=lambda w: _unit_feed(w).token, entitled={"olaine"}
    ),
    "trainings:calendar_create": Case(
        method="post", expect=OLAINE_FEED, data=lambda w: {"unit": w.olaine.slug}
    ),
    "trainings:session_detail": Case(expect=UNIT_READ, kwargs=_session_pk, secret=lambda w: PLACE_SECRET),
    "trainings:session_edit": Case(
        expect=UNIT_FORM, kwargs=_session_pk, secret=lambda w: PLACE_SECRET, entitled=OLAINE_COORDINATORS
    ),
    "trainings:session_state": Case(
        method="post",
        expect=UNIT_WRITE,
        kwargs=_session_pk,
        data=lambda w: {"to": SessionState.CLOSED},
        secret=lambda w: PLACE_SECRET,
    ),
    "trainings:session_cancel": Case(
        method="post",
        expect=UNIT_WRITE,
        kwargs=_session_pk,
        data=lambda w: {"cancel-reason": "Lektors saslima"},
        secret=lambda w: PLACE_SECRET,
    ),
    "trainings:session_complete": Case(
        method="post", expect=UNIT_WRITE, kwargs=_past_pk, secret=lambda w: PAST_PLACE_SECRET
    ),
    "trainings:session_enrol": Case(
        method="post", expect=UNIT_WRITE, kwargs=_session_pk, data=_enrol_data, secret=_participant_name
    ),
    "trainings:registration_cancel": Case(
        method="post", expect=UNIT_WRITE, kwargs=_registration_cancel, secret=_participant_name
    ),
    "trainings:attendance": Case(expect=UNIT_READ, kwargs=_past_day, secret=_participant_name),
    "trainings:attendance_mark": Case(
        method="post",
        expect=UNIT_WRITE,
        kwargs=_mark,
        data=lambda w: {"present": "1"},
        secret=_participant_name,
    ),
    "trainings:participants_export": Case(
        expect=UNIT_READ, kwargs=lambda w: {**_past_pk(w), "fmt": "csv"}, secret=_participant_name
    ),
    "trainings:completion_detail": Case(
        expect=UNIT_READ, kwargs=lambda w: {"pk": _completion(w).pk}, secret=lambda w: COMPLETION_NOTE
    ),
    "trainings:completion_revoke": Case(
        method="post",
        expect=UNIT_WRITE,
        kwargs=lambda w: {"pk": _completion(w).pk},
        data=lambda w: {"revoke-reason": "Ierakstīts kļūdas pēc"},
        secret=lambda w: COMPLETION_NOTE,
    ),
    "trainings:completion_create": Case(
        expect=UNIT_FORM,
        kwargs=lambda w: (_completion(w), {"application_pk": w.olaine_application.pk})[1],
        secret=lambda w: w.olaine_application.reference,
        entitled=OLAINE_COORDINATORS,
    ),
    "trainings:feed": Case(
        expect=PUBLIC_GET,
        kwargs=lambda w: (_session(w), {"token": _unit_feed(w).token})[1],
        notes="public by design: the private address (token) is the capability",
    ),
    "trainings:my_trainings": Case(
        expect=OWN_PAGE, kwargs=_with_all, secret=lambda w: NOTES_SECRET, entitled=APPLICANT_ONLY
    ),
    "trainings:my_calendar": Case(method="post", expect=VOLUNTEER_ACTION),
    "trainings:my_register": Case(
        method="post",
        expect=VOLUNTEER_ACTION,
        kwargs=lambda w: {"session_pk": _session(w).pk},
        notes="any IeVP applicant may register for any IeVP unit's open session",
    ),
    "trainings:my_cancel": Case(
        method="post",
        expect=APPLICANT_ACTION,
        kwargs=lambda w: {"pk": _session(w).registrations.get(volunteer=w.olaine_application.volunteer).pk},
    ),
    "trainings:my_certificate": Case(
        expect=APPLICANT_DOWNLOAD,
        kwargs=lambda w: {"pk": _completion(w).pk},
        secret=lambda w: CERT_SECRET,
        entitled=APPLICANT_ONLY,
    ),
}


# Second methods of GET-and-POST views, and cross-object checks: label → (URL name, case).
EXTRA: dict[str, tuple[str, Case]] = {
    "trainings:session_create POST": (
        "trainings:session_create",
        Case(method="post", expect=OLAINE_CREATE, data=lambda w: _session_form(w)),
    ),
    "trainings:session_edit POST": (
        "trainings:session_edit",
        Case(
            method="post",
            expect=UNIT_WRITE,
            kwargs=_session_pk,
            data=lambda w: _session_form(w, _session(w)),
            secret=lambda w: PLACE_SECRET,
        ),
    ),
    "trainings:calendar POST": (
        "trainings:calendar",
        Case(method="post", expect=OLAINE_FEED, kwargs=_staff_page, data=lambda w: {"unit": w.olaine.slug}),
    ),
    "trainings:completion_create POST": (
        "trainings:completion_create",
        Case(
            method="post",
            expect=UNIT_WRITE,
            kwargs=lambda w: {"application_pk": w.olaine_application.pk},
            data=_completion_data,
            secret=lambda w: w.olaine_application.reference,
        ),
    ),
    "trainings:feed unknown token": (
        "trainings:feed",
        Case(
            expect=dict.fromkeys(ROLES, 404),
            kwargs=lambda w: (_unit_feed(w), {"token": "not-a-token"})[1],
            secret=lambda w: PLACE_SECRET,
            entitled=set(),
        ),
    ),
    # Jelgava's day or registration under Olaine's session: nobody, not even Olaine.
    "trainings:attendance another session's day": (
        "trainings:attendance",
        Case(
            expect={**NOBODY, "anonymous": LOGIN},
            kwargs=lambda w: {"pk": _past(w).pk, "day_pk": _jelgava_past(w).days.first().pk},
            secret=lambda w: JELGAVA_PLACE,
            entitled=set(),
        ),
    ),
    "trainings:attendance_mark another session's registration": (
        "trainings:attendance_mark",
        Case(
            method="post",
            expect=NOBODY | {"anonymous": LOGIN},
            kwargs=lambda w: {
                "pk": _past(w).pk,
                "day_pk": _past(w).days.first().pk,
                "registration_pk": _jelgava_past(w).registrations.get().pk,
            },
            data=lambda w: {"present": "1"},
        ),
    ),
    # Volunteers see the sessions of institutions they applied to only.
    "trainings:my_register another institution's session": (
        "trainings:my_register",
        Case(method="post", expect=NOBODY, kwargs=lambda w: {"session_pk": _vpd_session(w).pk}),
    ),
    # The stranger's own registration is theirs to cancel, not the applicant's.
    "trainings:my_cancel the stranger's registration": (
        "trainings:my_cancel",
        Case(
            method="post",
            expect=_expect(404, stranger=302),
            kwargs=lambda w: {"pk": _jelgava_past(w).registrations.get().pk},
        ),
    ),
}
