"""Isolation cases of the volunteer's event, hours and certificate pages (events/views_me.py).

The hooks below give the applicant (w.olaine_application's volunteer) an agreement in
force at Olaine, a proposal they lead there (its title is the secret), an approved event
that has ended (to report) and an issued certificate of volunteer work; the stranger gets
an agreement at Jelgava and an event of their own there. The pages (/me/events/…,
/me/hours/…) show the signed-in volunteer's own rows: staff (no volunteer profile) get the
"no profile" page, or 404 on object URLs and actions; another volunteer's event is a 404.
The stranger, whose agreement is at Jelgava only, may not propose at Olaine (404)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from agreements.models import Agreement
from agreements.models import Status as AgreementStatus
from events import services
from events.models import Event, VolunteerCertificate
from tests.agreements import builders as agreement_builders
from tests.events import builders

from .registry import LOGIN, ROLES, Case

PROPOSAL_TITLE = "Olaines slepenais grāmatu klubs"
PAST_TITLE = "Olaines pagājušais šaha vakars"
STRANGER_TITLE = "Jelgavas svešā pasākuma nosaukums"
PURPOSE_SECRET = "Olaines izziņa universitātei X-17"
SERIES_TITLE = "Olaines slepenā nedēļas darbnīca"


def _expect(default, **overrides):
    expect = dict.fromkeys(ROLES, default)
    expect["anonymous"] = LOGIN
    expect.update(overrides)
    return expect


# A page of one's own: every signed-in person (staff see the "no profile" page).
OWN_PAGE = _expect(200)
# One of the applicant's own events, or an action on it.
APPLICANT_PAGE = _expect(404, applicant=200)
APPLICANT_ACTION = _expect(404, applicant=302)
APPLICANT_ONLY = {"applicant"}
STRANGER_ONLY = {"stranger"}


# --- The world's event data (created on first use; every hook is idempotent)


def _agreement(application, number: str) -> Agreement:
    found = Agreement.objects.filter(number=number).first()
    if found:
        return found
    today = timezone.localdate()
    institution = application.unit.institution
    return Agreement.objects.create(
        number=number,
        institution=institution,
        unit=application.unit,
        application=application,
        volunteer=application.volunteer,
        role=agreement_builders.role(institution),
        template=agreement_builders.current_template(institution),
        status=AgreementStatus.ACTIVE,
        place=application.unit.name,
        start_date=today - timedelta(days=100),
        end_date=today + timedelta(days=300),
        hours_per_week=3,
        duties="Galda spēļu pulciņš.",
        generated_at=timezone.now() - timedelta(days=105),
        sent_at=timezone.now() - timedelta(days=105),
        signed_on=today - timedelta(days=100),
        created_by=application.volunteer.user,
    )


def _applicant(w):
    _agreement(w.olaine_application, "IEVP-2026-8801")
    return w.olaine_application.volunteer


def _stranger(w):
    _agreement(w.jelgava_application, "IEVP-2026-8802")
    return w.jelgava_application.volunteer


def _proposal(w) -> Event:
    found = Event.objects.filter(title=PROPOSAL_TITLE).first()
    if found:
        return found
    volunteer = _applicant(w)
    return services.event_propose(
        actor=volunteer.user, unit=w.olaine, details=builders.details(w.olaine, title=PROPOSAL_TITLE)
    )


def _past(w) -> Event:
    """An approved event at Olaine that the applicant led and that has ended."""
    found = Event.objects.filter(title=PAST_TITLE).first()
    if found:
        return found
    volunteer = _applicant(w)
    event = services.event_create(
        actor=w.olaine_coordinator,
        unit=w.olaine,
        details=builders.details(w.olaine, title=PAST_TITLE),
        lead=volunteer,
    )
    start = builders.at(-3)
    Event.objects.filter(pk=event.pk).update(starts_at=start, ends_at=start + timedelta(hours=2))
    event.refresh_from_db()
    return event


def _series_first(w) -> Event:
    """The first occurrence of a weekly series of three that the applicant proposed."""
    found = Event.objects.filter(title=SERIES_TITLE).order_by("starts_at", "pk").first()
    if found:
        return found
    series = services.series_create(
        actor=_applicant(w).user,
        unit=w.olaine,
        details=builders.details(w.olaine, title=SERIES_TITLE),
        frequency="weekly",
        count=3,
    )
    return series.events.order_by("starts_at", "pk").first()


def _strangers_event(w) -> Event:
    found = Event.objects.filter(title=STRANGER_TITLE).first()
    if found:
        return found
    volunteer = _stranger(w)
    return services.event_propose(
        actor=volunteer.user,
        unit=w.jelgava,
        details=builders.details(w.jelgava, title=STRANGER_TITLE, place="Jelgavas cietums, zāle"),
    )


def _certificate(w) -> VolunteerCertificate:
    found = VolunteerCertificate.objects.filter(purpose=PURPOSE_SECRET).first()
    if found:
        return found
    volunteer = _applicant(w)
    return VolunteerCertificate.objects.create(
        volunteer=volunteer,
        institution=w.olaine.institution,
        unit=w.olaine,
        period_start=timezone.localdate() - timedelta(days=60),
        period_end=timezone.localdate(),
        purpose=PURPOSE_SECRET,
        requested_by=volunteer.user,
    )


def _everything(w) -> dict:
    """Every row the pages show (kwargs hook of the list pages: no URL kwargs)."""
    _proposal(w)
    _past(w)
    _certificate(w)
    _strangers_event(w)
    return {}


def _pk(event_of):
    return lambda w: {"pk": event_of(w).pk}


def _event_form(w, unit=None, **overrides) -> dict:
    unit = unit or w.olaine
    _applicant(w)
    _stranger(w)
    day = timezone.localdate() + timedelta(days=10)
    data = {
        "unit": unit.pk,
        "title": "Jauns galda spēļu vakars",
        "field": builders.field(unit).pk,
        "activity_type": builders.activity().pk,
        "description": "Galda spēles.",
        "day": day.strftime("%d.%m.%Y"),
        "start_time": "10:00",
        "end_time": "12:00",
        "place": "Bibliotēka",
        "expected_participants": "6",
        "target_group": "adults",
        "items": "",
    }
    data.update(overrides)
    return data


def _certificate_form(w) -> dict:
    _applicant(w)
    _stranger(w)
    return {
        "unit": w.olaine.pk,
        "period_start": (timezone.localdate() - timedelta(days=30)).strftime("%d.%m.%Y"),
        "period_end": timezone.localdate().strftime("%d.%m.%Y"),
        "language": "lv",
        "purpose": "",
    }


CASES: dict[str, Case] = {
    "events:my_events": Case(
        expect=OWN_PAGE, kwargs=_everything, secret=lambda w: PROPOSAL_TITLE, entitled=APPLICANT_ONLY
    ),
    "events:my_calendar": Case(
        expect=OWN_PAGE, kwargs=_everything, secret=lambda w: PROPOSAL_TITLE, entitled=APPLICANT_ONLY
    ),
    "events:propose": Case(
        expect=OWN_PAGE,
        kwargs=_everything,
        secret=lambda w: PROPOSAL_TITLE,
        entitled=set(),
        notes="the applicant gets the form; the stranger (no agreement at Olaine… but at Jelgava) "
        "the form of Jelgava; staff the no-profile page",
    ),
    "events:my_event": Case(
        expect=APPLICANT_PAGE, kwargs=_pk(_proposal), secret=lambda w: PROPOSAL_TITLE, entitled=APPLICANT_ONLY
    ),
    "events:my_event_edit": Case(
        expect=APPLICANT_PAGE, kwargs=_pk(_proposal), secret=lambda w: PROPOSAL_TITLE, entitled=APPLICANT_ONLY
    ),
    "events:my_event_cancel": Case(
        method="post",
        expect=APPLICANT_ACTION,
        kwargs=_pk(_proposal),
        data=lambda w: {"cancel-reason": "Nevaru ierasties."},
        secret=lambda w: PROPOSAL_TITLE,
        entitled=APPLICANT_ONLY,
    ),
    "events:my_event_cancel_following": Case(
        method="post",
        expect=APPLICANT_ACTION,
        kwargs=_pk(_series_first),
        data=lambda w: {"following-reason": "Pārceļos uz citu pilsētu."},
        secret=lambda w: SERIES_TITLE,
        entitled=APPLICANT_ONLY,
    ),
    "events:my_event_feedback": Case(
        method="post",
        expect=APPLICANT_ACTION,
        kwargs=_pk(_past),
        data=lambda w: {"feedback-feedback": "Dalībnieki jautāja par nākamo reizi."},
        secret=lambda w: PAST_TITLE,
        entitled=APPLICANT_ONLY,
        notes="a volunteer on the event, once it has taken place",
    ),
    "events:my_event_report": Case(
        expect=APPLICANT_PAGE, kwargs=_pk(_past), secret=lambda w: PAST_TITLE, entitled=APPLICANT_ONLY
    ),
    "events:my_hours": Case(
        expect=OWN_PAGE, kwargs=_everything, secret=lambda w: PURPOSE_SECRET, entitled=APPLICANT_ONLY
    ),
    "events:certificate_request": Case(
        expect=OWN_PAGE, kwargs=_everything, secret=lambda w: PURPOSE_SECRET, entitled=set()
    ),
}


EXTRA: dict[str, tuple[str, Case]] = {
    # Proposing at Olaine: only the applicant has an agreement there (the stranger's
    # is at Jelgava: Olaine is not theirs to choose).
    "events:propose POST": (
        "events:propose",
        Case(method="post", expect=APPLICANT_ACTION, data=_event_form),
    ),
    "events:propose POST at Jelgava": (
        "events:propose",
        Case(
            method="post",
            expect=_expect(404, stranger=302),
            data=lambda w: _event_form(w, unit=w.jelgava),
        ),
    ),
    "events:my_event_edit POST": (
        "events:my_event_edit",
        Case(
            method="post",
            expect=APPLICANT_ACTION,
            kwargs=_pk(_proposal),
            data=lambda w: _event_form(w, title=PROPOSAL_TITLE),
            secret=lambda w: PROPOSAL_TITLE,
            entitled=APPLICANT_ONLY,
        ),
    ),
    "events:my_event_report POST": (
        "events:my_event_report",
        Case(
            method="post",
            expect=APPLICANT_ACTION,
            kwargs=_pk(_past),
            data=lambda w: {
                "held": "yes",
                "actual_participants": "5",
                f"hours_{w.olaine_application.volunteer.pk}": "2",
                "feedback": "Labi.",
            },
            secret=lambda w: PAST_TITLE,
            entitled=APPLICANT_ONLY,
        ),
    ),
    "events:certificate_request POST": (
        "events:certificate_request",
        Case(
            method="post",
            expect={**_expect(404, applicant=302), "stranger": 400},
            data=_certificate_form,
            notes="the stranger may ask Jelgava, not Olaine: the form refuses the choice",
        ),
    ),
    # The stranger's event is theirs: the applicant (and staff) get 404.
    "events:my_event the stranger's event": (
        "events:my_event",
        Case(
            expect=_expect(404, stranger=200),
            kwargs=_pk(_strangers_event),
            secret=lambda w: STRANGER_TITLE,
            entitled=STRANGER_ONLY,
        ),
    ),
    "events:my_event_feedback the stranger's event": (
        "events:my_event_feedback",
        Case(
            method="post",
            expect=_expect(404, stranger=400),
            kwargs=_pk(_strangers_event),
            data=lambda w: {"feedback-feedback": "Svešs."},
            secret=lambda w: STRANGER_TITLE,
            entitled=STRANGER_ONLY,
            notes="the stranger's own proposal has not taken place: a 400 for them, 404 for the rest",
        ),
    ),
    "events:my_event_cancel the stranger's event": (
        "events:my_event_cancel",
        Case(
            method="post",
            expect=_expect(404, stranger=302),
            kwargs=_pk(_strangers_event),
            data=lambda w: {"cancel-reason": "Nevaru."},
            secret=lambda w: STRANGER_TITLE,
            entitled=STRANGER_ONLY,
        ),
    ),
}
