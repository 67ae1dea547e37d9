"""Isolation cases of the coordinators' event pages (events/views_staff.py; see registry.py
for roles and shapes).

The hooks below give Olaine a volunteer with an agreement in force (whose name is a
secret of Olaine's), a proposal next week (to decide, change or cancel), an approved event
of three days ago (to report), a held event whose lead reported hours (pending hours), and
a certificate request. Reads need VIEW on the event's unit (the ministry may read); writes
need COORDINATE (the ministry gets 404); another unit's event, hours record or certificate
answers 404. The lists, the queue and the hours page are open to every staff role, each
seeing only their own units' rows. Every hook is idempotent (kwargs and data both call it).

Views that accept both GET and POST have their second method in ``EXTRA``, with a few
cross-object checks (a Jelgava event, another unit in ``?unit=``)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from events import services
from events.models import Event, EventState, HoursRecord, VolunteerCertificate
from tests.events import builders
from volunteers.models import Volunteer

from .cases_agreements import OLAINE_COORDINATORS, STAFF_LIST, UNIT_FORM, UNIT_WRITE
from .registry import LOGIN, ROLES, UNIT_READ, Case

PROPOSAL_TITLE = "Olaines slepenais šaha turnīrs"
PLACE_SECRET = "Olaines cietums, 4. korpusa slepenā zāle"
PAST_TITLE = "Olaines pagājušās nedēļas lekcija"
HELD_TITLE = "Olaines galda spēļu vakars (atskaite)"
JELGAVA_TITLE = "Jelgavas slepenais pulciņš"
VOLUNTEER_FIRST, VOLUNTEER_LAST = "Dzintra", "Pasākumniece"
PURPOSE_SECRET = "Olaines izziņa darba devējam SIA Slepens"
SERIES_TITLE = "Olaines slepenais nedēļas klubs"


def _expect(default, **overrides):
    expect = dict.fromkeys(ROLES, default)
    expect["anonymous"] = LOGIN
    expect.update(overrides)
    return expect


# A form of the person's own coordinated units (any coordinator; the ministry only reads).
COORDINATOR_FORM = _expect(200, ministry=404, applicant=404, stranger=404)
# Issuing at Olaine: Olaine and its volunteer are not choices for other units' coordinators (400).
OLAINE_CREATE = _expect(
    400, olaine=302, ievp_central=302, superuser=302, ministry=404, applicant=404, stranger=404
)
# A Jelgava event: Jelgava's coordinator, IeVP's centre, the ministry, superusers.
JELGAVA_READ = _expect(404, jelgava=200, ievp_central=200, ministry=200, superuser=200)
JELGAVA_READERS = {"jelgava", "ievp_central", "ministry", "superuser"}


# --- The world's event data


def _volunteer(w):
    """Olaine's volunteer with an agreement in force (the lead of every Olaine event)."""
    found = Volunteer.objects.filter(user__last_name=VOLUNTEER_LAST).first()
    if found:
        return found
    return builders.volunteer_at(
        w.olaine, first_name=VOLUNTEER_FIRST, last_name=VOLUNTEER_LAST, email="dzintra.p@example.lv"
    )


def _volunteer_name(w) -> str:
    return f"{VOLUNTEER_FIRST} {VOLUNTEER_LAST}"


def _proposal(w) -> Event:
    found = Event.objects.filter(title=PROPOSAL_TITLE).first()
    if found:
        return found
    return builders.proposed(w.olaine, _volunteer(w), title=PROPOSAL_TITLE, place=PLACE_SECRET)


def _past(w) -> Event:
    """An approved event of three days ago, not yet reported."""
    found = Event.objects.filter(title=PAST_TITLE).first()
    if found:
        return found
    event = builders.past_approved(w.olaine, w.olaine_coordinator, _volunteer(w))
    Event.objects.filter(pk=event.pk).update(title=PAST_TITLE)
    event.refresh_from_db()
    return event


def _held(w) -> Event:
    """An event that its lead reported: in review, the lead's hours pending."""
    found = Event.objects.filter(title=HELD_TITLE).first()
    if found:
        return found
    volunteer = _volunteer(w)
    event = builders.past_approved(w.olaine, w.olaine_coordinator, volunteer, days_ago=5)
    Event.objects.filter(pk=event.pk).update(title=HELD_TITLE)
    event.refresh_from_db()
    services.event_report(
        actor=volunteer.user,
        event=event,
        held=True,
        actual_participants=7,
        hours={volunteer.pk: builders.HOURS},
        feedback="Labi gāja.",
    )
    event.refresh_from_db()
    assert event.state == EventState.HELD
    return event


def _pending_hours(w) -> HoursRecord:
    return HoursRecord.objects.get(event=_held(w))


def _certificate(w) -> VolunteerCertificate:
    found = VolunteerCertificate.objects.filter(purpose=PURPOSE_SECRET).first()
    if found:
        return found
    today = timezone.localdate()
    return services.certificate_request(
        actor=_volunteer(w).user,
        unit=w.olaine,
        period_start=today - timedelta(days=90),
        period_end=today,
        purpose=PURPOSE_SECRET,
    )


def _jelgava_event(w) -> Event:
    found = Event.objects.filter(title=JELGAVA_TITLE).first()
    if found:
        return found
    volunteer = builders.volunteer_at(w.jelgava, first_name="Jānis", last_name="Jelgavnieks")
    return builders.proposed(w.jelgava, volunteer, title=JELGAVA_TITLE, place="Jelgavas cietums, klase")


def _series(w):
    """A weekly series of three that Olaine's volunteer proposed (waiting, from next week)."""
    found = Event.objects.filter(title=SERIES_TITLE).order_by("starts_at", "pk").first()
    if found:
        return found.series
    return services.series_create(
        actor=_volunteer(w).user,
        unit=w.olaine,
        details=builders.details(w.olaine, days=7, title=SERIES_TITLE, place=PLACE_SECRET),
        frequency="weekly",
        count=3,
    )


def _series_first_pk(w) -> dict:
    return {"pk": _series(w).events.order_by("starts_at", "pk").first().pk}


def _with_all(w) -> dict:
    """Every kind of event row exists (for the lists and the queue); no URL kwargs."""
    _proposal(w)
    _past(w)
    _held(w)
    _certificate(w)
    _jelgava_event(w)
    return {}


# --- URL kwargs and POST data


def _proposal_pk(w) -> dict:
    return {"pk": _proposal(w).pk}


def _past_pk(w) -> dict:
    return {"pk": _past(w).pk}


def _event_form(w, *, title="Olaines jaunais pasākums") -> dict:
    details = builders.details(w.olaine, days=10)
    start = timezone.localtime(details.starts_at)
    return {
        "title": title,
        "field": details.field.pk,
        "activity_type": details.activity_type.pk,
        "description": details.description,
        "day": start.date().isoformat(),
        "start_time": "10:00",
        "end_time": "12:00",
        "place": "Olaines cietums, bibliotēka",
        "expected_participants": "8",
        "target_group": "adults",
        "items": "",
        "lead": _volunteer(w).pk,
        "unit": w.olaine.slug,
    }


def _report_data(w) -> dict:
    return {
        "held": "yes",
        "actual_participants": "6",
        f"hours_{_volunteer(w).pk}": "2",
        "coordinator_note": "Viss kārtībā.",
    }


def _certificate_form(w) -> dict:
    today = timezone.localdate()
    return {
        "volunteer": _volunteer(w).pk,
        "unit": w.olaine.pk,
        "period_start": (today - timedelta(days=60)).isoformat(),
        "period_end": today.isoformat(),
        "language": "lv",
        "purpose": "",
    }


def _calendar_query(w) -> dict:
    return {"unit": w.olaine.slug, "date": timezone.localtime(_proposal(w).starts_at).date().isoformat()}


CASES: dict[str, Case] = {
    "events:queue": Case(
        expect=STAFF_LIST,
        kwargs=_with_all,
        secret=lambda w: PROPOSAL_TITLE,
        notes="every staff role; each sees only the units they coordinate",
    ),
    "events:list": Case(expect=STAFF_LIST, kwargs=_with_all, secret=lambda w: PROPOSAL_TITLE),
    "events:calendar": Case(
        expect=UNIT_READ,
        kwargs=_with_all,
        data=_calendar_query,
        secret=lambda w: PROPOSAL_TITLE,
        notes="?unit= another unit's slug answers 404",
    ),
    "events:new": Case(
        expect=UNIT_FORM,
        kwargs=_with_all,
        data=lambda w: {"unit": w.olaine.slug},
        secret=_volunteer_name,
        entitled=OLAINE_COORDINATORS,
        notes="?unit= a unit the person does not coordinate answers 404",
    ),
    "events:detail": Case(expect=UNIT_READ, kwargs=_proposal_pk, secret=lambda w: PLACE_SECRET),
    "events:edit": Case(
        expect=UNIT_FORM, kwargs=_proposal_pk, secret=lambda w: PLACE_SECRET, entitled=OLAINE_COORDINATORS
    ),
    "events:approve": Case(
        method="post", expect=UNIT_WRITE, kwargs=_proposal_pk, secret=lambda w: PLACE_SECRET
    ),
    "events:reject": Case(
        method="post",
        expect=UNIT_WRITE,
        kwargs=_proposal_pk,
        data=lambda w: {"reject-reason": "Nav telpas"},
        secret=lambda w: PLACE_SECRET,
    ),
    "events:changes": Case(
        method="post",
        expect=UNIT_WRITE,
        kwargs=_proposal_pk,
        data=lambda w: {"changes-reason": "Lūdzu citu laiku"},
        secret=lambda w: PLACE_SECRET,
    ),
    "events:cancel": Case(
        method="post",
        expect=UNIT_WRITE,
        kwargs=_proposal_pk,
        data=lambda w: {"cancel-reason": "Karantīna"},
        secret=lambda w: PLACE_SECRET,
    ),
    "events:cancel_following": Case(
        method="post",
        expect=UNIT_WRITE,
        kwargs=_series_first_pk,
        data=lambda w: {"following-reason": "Telpa slēgta līdz vasarai"},
        secret=lambda w: PLACE_SECRET,
    ),
    "events:series_approve": Case(
        method="post",
        expect=UNIT_WRITE,
        kwargs=lambda w: {"pk": _series(w).pk},
        secret=lambda w: SERIES_TITLE,
        notes="another unit's series answers 404, like the ministry's post",
    ),
    "events:series_reject": Case(
        method="post",
        expect=UNIT_WRITE,
        kwargs=lambda w: {"pk": _series(w).pk},
        data=lambda w: {"series-reject-reason": "Nav telpas visu pavasari"},
        secret=lambda w: SERIES_TITLE,
    ),
    "events:report": Case(
        expect=UNIT_FORM, kwargs=_past_pk, secret=_volunteer_name, entitled=OLAINE_COORDINATORS
    ),
    "events:hours": Case(
        expect=STAFF_LIST, kwargs=_with_all, secret=_volunteer_name, entitled=OLAINE_COORDINATORS
    ),
    "events:hours_decide": Case(
        method="post",
        expect=UNIT_WRITE,
        kwargs=lambda w: {"pk": _pending_hours(w).pk},
        data=lambda w: {"decision": "approve"},
        secret=_volunteer_name,
    ),
    "events:certificates": Case(expect=STAFF_LIST, kwargs=_with_all, secret=_volunteer_name),
    "events:certificate_new": Case(
        expect=COORDINATOR_FORM, kwargs=_with_all, secret=_volunteer_name, entitled=OLAINE_COORDINATORS
    ),
    "events:certificate_detail": Case(
        expect=UNIT_READ,
        kwargs=lambda w: {"pk": _certificate(w).pk},
        secret=lambda w: PURPOSE_SECRET,
    ),
    "events:certificate_issue": Case(
        method="post",
        expect=UNIT_WRITE,
        kwargs=lambda w: {"pk": _certificate(w).pk},
        secret=lambda w: PURPOSE_SECRET,
    ),
    "events:certificate_refuse": Case(
        method="post",
        expect=UNIT_WRITE,
        kwargs=lambda w: {"pk": _certificate(w).pk},
        data=lambda w: {"refuse-reason": "Nav apstiprinātu stundu"},
        secret=lambda w: PURPOSE_SECRET,
    ),
}


# Second methods of GET-and-POST views, and cross-object checks: label → (URL name, case).
EXTRA: dict[str, tuple[str, Case]] = {
    "events:new POST": (
        "events:new",
        Case(
            method="post",
            expect=UNIT_WRITE,
            kwargs=_with_all,
            data=_event_form,
            notes="the unit comes with the form (a unit the person does not coordinate: 404)",
        ),
    ),
    "events:edit POST": (
        "events:edit",
        Case(
            method="post",
            expect=UNIT_WRITE,
            kwargs=_proposal_pk,
            data=lambda w: _event_form(w, title=PROPOSAL_TITLE),
            secret=lambda w: PLACE_SECRET,
        ),
    ),
    "events:report POST": (
        "events:report",
        Case(
            method="post",
            expect=UNIT_WRITE,
            kwargs=_past_pk,
            data=_report_data,
            secret=_volunteer_name,
        ),
    ),
    "events:report review": (
        "events:report",
        Case(
            expect=UNIT_FORM,
            kwargs=lambda w: {"pk": _held(w).pk},
            secret=_volunteer_name,
            entitled=OLAINE_COORDINATORS,
        ),
    ),
    "events:certificate_new POST": (
        "events:certificate_new",
        Case(
            method="post",
            expect=OLAINE_CREATE,
            kwargs=_with_all,
            data=_certificate_form,
            secret=_volunteer_name,
            entitled=OLAINE_COORDINATORS,
        ),
    ),
    "events:calendar week": (
        "events:calendar",
        Case(
            expect=UNIT_READ,
            kwargs=_with_all,
            data=lambda w: {**_calendar_query(w), "view": "week"},
            secret=lambda w: PROPOSAL_TITLE,
        ),
    ),
    # Jelgava's event: Olaine's coordinator gets 404 like everyone outside Jelgava and IeVP.
    "events:detail a Jelgava event": (
        "events:detail",
        Case(
            expect=JELGAVA_READ,
            kwargs=lambda w: {"pk": _jelgava_event(w).pk},
            secret=lambda w: JELGAVA_TITLE,
            entitled=JELGAVA_READERS,
        ),
    ),
    "events:approve a Jelgava event": (
        "events:approve",
        Case(
            method="post",
            expect=_expect(404, jelgava=302, ievp_central=302, superuser=302),
            kwargs=lambda w: {"pk": _jelgava_event(w).pk},
        ),
    ),
}
