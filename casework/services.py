"""Every write of VPD casework. Coordinators of the unit (and its central coordinators)
manage clients, pairs, circles, cases and certificates; a volunteer logs the meetings of
their own pair, circle or mediation; the supervising officer records reviews. Each write is
one transaction with its audit entry; a meeting's length becomes pending hours records
(events app); a flagged concern is emailed to the officer after commit (outbox + sweeper)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import slugify
from django.utils.translation import gettext as _

from agreements import terms as agreement_terms
from agreements.models import IN_FORCE, Agreement
from core.outbox import Outbox
from core.tasks import enqueue_on_commit
from events.models import HoursRecord
from events.services import hours_record_for_source, hours_records_drop
from institutions import permissions
from institutions.models import Unit
from institutions.services import audit_record
from volunteers.models import Role, Volunteer

from .models import (
    CIRCLE_MAX,
    CIRCLE_MIN,
    Circle,
    CircleMember,
    CirclePhase,
    ClientReference,
    MediationCase,
    MediationSession,
    MediatorCertificate,
    Meeting,
    MentoringPair,
    Outcome,
    OuterMember,
    PairState,
    ReferenceSequence,
    Review,
)

if TYPE_CHECKING:
    from accounts.models import User

MAX_MEETING_HOURS = Decimal("12")
CONCERN = Outbox(
    model=Meeting,
    sent="concern_sent_at",
    claimed="concern_claimed_at",
    attempts="concern_attempts",
    error="concern_error",
    created="created_at",
    pending=lambda now: Q(concern=True),
)


# --- Rules


def _require_coordinator(actor: User, unit: Unit) -> None:
    if not permissions.has_unit_perm(actor, permissions.COORDINATE, unit):
        raise PermissionDenied


def _is_coordinator(actor: User, unit: Unit) -> bool:
    return permissions.has_unit_perm(actor, permissions.COORDINATE, unit)


def _volunteer_of(actor: User) -> Volunteer | None:
    return Volunteer.objects.filter(user=actor, anonymised_at__isnull=True).first()


def _require_agreement(unit: Unit, volunteer: Volunteer, role_code: str, day: date, field: str) -> None:
    """An agreement in force at ``unit`` for the role on ``day``, or a clear refusal."""
    ok = Agreement.objects.filter(
        unit=unit,
        volunteer=volunteer,
        role__code=role_code,
        status__in=IN_FORCE,
        start_date__lte=day,
        end_date__gte=day,
    ).exists()
    if not ok:
        message = agreement_terms.for_institution_id(unit.institution_id).gettext(
            "%(name)s has no agreement in force at %(unit)s for the role “%(role)s” on %(date)s."
        )
        raise ValidationError(
            {
                field: message
                % {
                    "name": volunteer.user.get_full_name(),
                    "unit": unit.name,
                    "role": Role.Code(role_code).label,
                    "date": date_format(day, "j.m.Y"),
                }
            }
        )


def _check_meeting(day: date, hours: Decimal, *, not_before: date, field: str = "day") -> None:
    errors = {}
    if day > timezone.localdate():
        errors["day"] = _("A meeting is logged after it took place.")
    elif day < not_before:
        errors[field] = _("The meeting cannot be before %(date)s, when this began.") % {
            "date": date_format(not_before, "j.m.Y")
        }
    if hours is None or hours < Decimal("0.5") or hours > MAX_MEETING_HOURS:
        errors["hours"] = _("The length is from 0.5 to %(max)s hours.") % {"max": MAX_MEETING_HOURS}
    if errors:
        raise ValidationError(errors)


def _text(value: str) -> str:
    return (value or "").strip()


# --- Clients


def _next_code(unit: Unit, year: int) -> str:
    prefix = (slugify(unit.name).replace("-", "")[:3] or "VPD").upper()
    ReferenceSequence.objects.bulk_create(
        [ReferenceSequence(prefix=prefix, year=year)], ignore_conflicts=True
    )
    sequence = ReferenceSequence.objects.select_for_update().get(prefix=prefix, year=year)
    sequence.last += 1
    sequence.save(update_fields=["last"])
    return f"{prefix}-{year}-{sequence.last:04d}"


def _require_officer(unit: Unit, officer: User) -> None:
    if not (officer.is_active and permissions.has_unit_perm(officer, permissions.COORDINATE, unit)):
        raise ValidationError({"officer": _("Choose a staff member of this unit.")})


@transaction.atomic
def client_create(
    *, actor: User, unit: Unit, officer: User, active_from: date, case_number: str = "", note: str = ""
) -> ClientReference:
    _require_coordinator(actor, unit)
    _require_officer(unit, officer)
    client = ClientReference.objects.create(
        unit=unit,
        code=_next_code(unit, active_from.year),
        case_number=_text(case_number),
        officer=officer,
        active_from=active_from,
        note=_text(note),
        created_by=actor,
    )
    audit_record(actor=actor, action="casework.client.create", target=client, unit=unit)
    return client


@transaction.atomic
def client_update(
    *,
    actor: User,
    client: ClientReference,
    officer: User,
    case_number: str = "",
    note: str = "",
    active_to: date | None = None,
) -> ClientReference:
    client = ClientReference.objects.select_for_update().get(pk=client.pk)
    _require_coordinator(actor, client.unit)
    _require_officer(client.unit, officer)
    if active_to is not None and active_to < client.active_from:
        raise ValidationError({"active_to": _("The end cannot be before the start.")})
    client.officer, client.case_number, client.note, client.active_to = (
        officer,
        _text(case_number),
        _text(note),
        active_to,
    )
    client.save()
    audit_record(actor=actor, action="casework.client.update", target=client, unit=client.unit)
    return client


def client_view_logged(*, actor: User, client: ClientReference) -> None:
    """Every view of a client's record is logged (like a vetting result's)."""
    audit_record(actor=actor, action="casework.client.view", target=client, unit=client.unit)


# --- Mentoring pairs


@transaction.atomic
def pair_create(
    *,
    actor: User,
    client: ClientReference,
    mentor: Volunteer,
    starts_on: date,
    planned_end: date,
    goals: str,
) -> MentoringPair:
    _require_coordinator(actor, client.unit)
    errors = {}
    if planned_end < starts_on:
        errors["planned_end"] = _("The planned end cannot be before the start.")
    if not client.is_active_on(starts_on):
        errors["starts_on"] = _("The client reference is not active on that date.")
    if not _text(goals):
        errors["goals"] = _("Write the pair's goals.")
    if errors:
        raise ValidationError(errors)
    _require_agreement(client.unit, mentor, Role.Code.MENTOR, starts_on, "mentor")
    pair = MentoringPair.objects.create(
        unit=client.unit,
        client=client,
        mentor=mentor,
        starts_on=starts_on,
        planned_end=planned_end,
        goals=_text(goals),
        created_by=actor,
    )
    audit_record(actor=actor, action="casework.pair.create", target=pair, unit=pair.unit)
    return pair


def _concern_queued(meeting: Meeting) -> None:
    if meeting.concern:
        from .tasks import concern_send

        enqueue_on_commit(concern_send, meeting.pk)


@transaction.atomic
def pair_meeting_log(
    *,
    actor: User,
    pair: MentoringPair,
    day: date,
    hours: Decimal,
    kind: str = Meeting.Kind.IN_PERSON,
    note: str = "",
    concern: bool = False,
    concern_note: str = "",
) -> Meeting:
    """The mentor (or a coordinator) logs a meeting; its length becomes the mentor's pending
    hours; a concern is emailed to the supervising officer at once."""
    pair = (
        MentoringPair.objects.select_for_update(of=("self",))
        .select_related("client", "unit", "mentor__user")
        .get(pk=pair.pk)
    )
    if not (_is_coordinator(actor, pair.unit) or pair.mentor.user_id == actor.pk):
        raise PermissionDenied
    if pair.state != PairState.ACTIVE and not (pair.ended_on and day <= pair.ended_on):
        raise ValidationError(_("This pair has ended."))
    _check_meeting(day, hours, not_before=pair.starts_on)
    _require_agreement(pair.unit, pair.mentor, Role.Code.MENTOR, day, "day")
    if concern and not _text(concern_note):
        raise ValidationError({"concern_note": _("Describe the concern for the officer.")})
    meeting = Meeting.objects.create(
        unit=pair.unit,
        pair=pair,
        day=day,
        hours=hours,
        kind=kind,
        note=_text(note),
        concern=concern,
        concern_note=_text(concern_note) if concern else "",
        logged_by=actor,
    )
    meeting.attendees.set([pair.mentor])
    hours_record_for_source(
        volunteer=pair.mentor,
        unit=pair.unit,
        kind=HoursRecord.Kind.MENTORING,
        source=meeting,
        day=day,
        hours=hours,
        activity=_("Mentoring meeting, %(client)s") % {"client": pair.client.code},
        field=Role.objects.filter(institution_id=pair.unit.institution_id, code=Role.Code.MENTOR).first(),
    )
    audit_record(
        actor=actor, action="casework.meeting", target=meeting, unit=pair.unit, data={"concern": concern}
    )
    _concern_queued(meeting)
    return meeting


def _require_officer_or_coordinator(actor: User, unit: Unit, client: ClientReference) -> None:
    if not (client.officer_id == actor.pk or _is_coordinator(actor, unit)):
        raise PermissionDenied


@transaction.atomic
def review_record(
    *,
    actor: User,
    pair: MentoringPair | None = None,
    circle: Circle | None = None,
    reviewed_on: date,
    note: str,
) -> Review:
    subject = pair or circle
    if subject is None:
        raise ValueError("a pair or a circle")
    _require_officer_or_coordinator(actor, subject.unit, subject.client)
    if reviewed_on > timezone.localdate():
        raise ValidationError({"reviewed_on": _("A review is recorded after it took place.")})
    started = pair.starts_on if pair is not None else (circle.active_from or circle.formed_on)
    if reviewed_on < started:
        raise ValidationError({"reviewed_on": _("The review cannot be before the work began.")})
    if not _text(note):
        raise ValidationError({"note": _("Write the review's conclusions.")})
    review = Review.objects.create(
        unit=subject.unit, pair=pair, circle=circle, reviewed_on=reviewed_on, officer=actor, note=_text(note)
    )
    audit_record(actor=actor, action="casework.review", target=review, unit=subject.unit)
    return review


@transaction.atomic
def pair_end(*, actor: User, pair: MentoringPair, ended_on: date, reason: str) -> MentoringPair:
    pair = MentoringPair.objects.select_for_update().get(pk=pair.pk)
    _require_coordinator(actor, pair.unit)
    if pair.state != PairState.ACTIVE:
        raise ValidationError(_("This pair has already ended."))
    if ended_on < pair.starts_on or ended_on > timezone.localdate():
        raise ValidationError({"ended_on": _("The end is between the start and today.")})
    if not _text(reason):
        raise ValidationError({"reason": _("Give the reason.")})
    pair.state, pair.ended_on, pair.end_reason = PairState.ENDED, ended_on, _text(reason)
    pair.save()
    audit_record(actor=actor, action="casework.pair.end", target=pair, unit=pair.unit)
    return pair


# --- Circles (AAA)


def _active_members(circle: Circle) -> list[CircleMember]:
    return list(circle.members.filter(left_on__isnull=True).select_related("volunteer__user"))


@transaction.atomic
def circle_create(
    *,
    actor: User,
    client: ClientReference,
    volunteers: Sequence[Volunteer],
    formed_on: date,
    schedule: str = "",
) -> Circle:
    """A circle in formation around a client, with its first volunteers (at most five)."""
    _require_coordinator(actor, client.unit)
    people = list(dict.fromkeys(volunteers))
    if len(people) > CIRCLE_MAX:
        raise ValidationError(
            {"volunteers": _("A circle has at most %(max)d volunteers.") % {"max": CIRCLE_MAX}}
        )
    if not client.is_active_on(formed_on):
        raise ValidationError({"formed_on": _("The client reference is not active on that date.")})
    for volunteer in people:
        _require_agreement(client.unit, volunteer, Role.Code.CIRCLES, formed_on, "volunteers")
    circle = Circle.objects.create(
        unit=client.unit, client=client, formed_on=formed_on, schedule=_text(schedule), created_by=actor
    )
    CircleMember.objects.bulk_create(
        [CircleMember(circle=circle, volunteer=v, joined_on=formed_on) for v in people]
    )
    audit_record(
        actor=actor,
        action="casework.circle.create",
        target=circle,
        unit=circle.unit,
        data={"members": len(people)},
    )
    return circle


def _locked_circle(circle: Circle) -> Circle:
    return Circle.objects.select_for_update(of=("self",)).select_related("client", "unit").get(pk=circle.pk)


@transaction.atomic
def circle_member_add(*, actor: User, circle: Circle, volunteer: Volunteer, joined_on: date) -> CircleMember:
    circle = _locked_circle(circle)
    _require_coordinator(actor, circle.unit)
    if circle.phase == CirclePhase.ENDED:
        raise ValidationError(_("This circle has ended."))
    members = _active_members(circle)
    if any(member.volunteer_id == volunteer.pk for member in members):
        raise ValidationError({"volunteer": _("The volunteer is already in this circle.")})
    if len(members) >= CIRCLE_MAX:
        raise ValidationError(
            {
                "volunteer": _("The circle already has %(max)d volunteers, the most it may have.")
                % {"max": CIRCLE_MAX}
            }
        )
    _require_agreement(circle.unit, volunteer, Role.Code.CIRCLES, joined_on, "volunteer")
    member = CircleMember.objects.create(circle=circle, volunteer=volunteer, joined_on=joined_on)
    audit_record(
        actor=actor,
        action="casework.circle.member",
        target=circle,
        unit=circle.unit,
        data={"added": volunteer.pk},
    )
    return member


@transaction.atomic
def circle_member_remove(*, actor: User, circle: Circle, volunteer: Volunteer, left_on: date) -> None:
    circle = _locked_circle(circle)
    _require_coordinator(actor, circle.unit)
    member = circle.members.filter(volunteer=volunteer, left_on__isnull=True).first()
    if member is None:
        raise ValidationError(_("The volunteer is not in this circle."))
    member.left_on = max(left_on, member.joined_on)
    member.save(update_fields=["left_on"])
    audit_record(
        actor=actor,
        action="casework.circle.member",
        target=circle,
        unit=circle.unit,
        data={"removed": volunteer.pk},
    )


@transaction.atomic
def circle_activate(*, actor: User, circle: Circle, active_from: date) -> Circle:
    circle = _locked_circle(circle)
    _require_coordinator(actor, circle.unit)
    if circle.phase != CirclePhase.FORMING:
        raise ValidationError(_("Only a circle in formation starts meeting."))
    if len(_active_members(circle)) < CIRCLE_MIN:
        raise ValidationError(
            _("A circle meets with at least %(min)d volunteers; add members first.") % {"min": CIRCLE_MIN}
        )
    circle.phase, circle.active_from = CirclePhase.ACTIVE, max(active_from, circle.formed_on)
    circle.save()
    audit_record(
        actor=actor, action="casework.circle.phase", target=circle, unit=circle.unit, data={"to": "active"}
    )
    return circle


@transaction.atomic
def circle_end(*, actor: User, circle: Circle, ended_on: date, reason: str) -> Circle:
    circle = _locked_circle(circle)
    _require_coordinator(actor, circle.unit)
    if circle.phase == CirclePhase.ENDED:
        raise ValidationError(_("This circle has already ended."))
    if not _text(reason):
        raise ValidationError({"reason": _("Give the reason.")})
    if ended_on < circle.formed_on or ended_on > timezone.localdate():
        raise ValidationError({"ended_on": _("The end is between the start and today.")})
    circle.phase, circle.ended_on, circle.end_reason = CirclePhase.ENDED, ended_on, _text(reason)
    circle.save()
    circle.members.filter(left_on__isnull=True).update(left_on=ended_on)
    audit_record(
        actor=actor, action="casework.circle.phase", target=circle, unit=circle.unit, data={"to": "ended"}
    )
    return circle


@transaction.atomic
def outer_member_add(*, actor: User, circle: Circle, role: str, organisation: str) -> OuterMember:
    circle = _locked_circle(circle)
    _require_coordinator(actor, circle.unit)
    if not _text(role) or not _text(organisation):
        raise ValidationError(_("Give the professional's role and organisation."))
    member = OuterMember.objects.create(circle=circle, role=_text(role), organisation=_text(organisation))
    audit_record(
        actor=actor, action="casework.circle.member", target=circle, unit=circle.unit, data={"outer": role}
    )
    return member


@transaction.atomic
def outer_member_remove(*, actor: User, member: OuterMember) -> None:
    circle = _locked_circle(member.circle)
    _require_coordinator(actor, circle.unit)
    member.delete()
    audit_record(
        actor=actor,
        action="casework.circle.member",
        target=circle,
        unit=circle.unit,
        data={"outer_removed": True},
    )


@transaction.atomic
def circle_meeting_log(
    *,
    actor: User,
    circle: Circle,
    day: date,
    hours: Decimal,
    attendees: Sequence[Volunteer],
    note: str = "",
    kind: str = Meeting.Kind.IN_PERSON,
    concern: bool = False,
    concern_note: str = "",
) -> Meeting:
    """A member (or a coordinator) logs a circle meeting — only of a circle that meets (at
    least three volunteers) — with who attended; each attendee's hours wait for approval; a
    concern is emailed to the supervising officer at once."""
    circle = _locked_circle(circle)
    members = _active_members(circle)
    member_ids = {m.volunteer_id for m in members}
    own = _volunteer_of(actor)
    if not (_is_coordinator(actor, circle.unit) or (own is not None and own.pk in member_ids)):
        raise PermissionDenied
    if circle.phase != CirclePhase.ACTIVE:
        raise ValidationError(_("The circle is not meeting: it is being formed or has ended."))
    if len(members) < CIRCLE_MIN:
        raise ValidationError(
            _("A circle below %(min)d volunteers cannot meet; the coordinator adds members first.")
            % {"min": CIRCLE_MIN}
        )
    _check_meeting(day, hours, not_before=circle.active_from or circle.formed_on)
    present = [v for v in dict.fromkeys(attendees) if v.pk in member_ids]
    if len(present) != len(set(attendees)) or not present:
        raise ValidationError({"attendees": _("Tick the circle's members who attended.")})
    for volunteer in present:
        _require_agreement(circle.unit, volunteer, Role.Code.CIRCLES, day, "attendees")
    if concern and not _text(concern_note):
        raise ValidationError({"concern_note": _("Describe the concern for the officer.")})
    meeting = Meeting.objects.create(
        unit=circle.unit,
        circle=circle,
        day=day,
        hours=hours,
        kind=kind,
        note=_text(note),
        concern=concern,
        concern_note=_text(concern_note) if concern else "",
        logged_by=actor,
    )
    meeting.attendees.set(present)
    field = Role.objects.filter(institution_id=circle.unit.institution_id, code=Role.Code.CIRCLES).first()
    for volunteer in present:
        hours_record_for_source(
            volunteer=volunteer,
            unit=circle.unit,
            kind=HoursRecord.Kind.CIRCLE,
            source=meeting,
            day=day,
            hours=hours,
            activity=_("Circle meeting, %(client)s") % {"client": circle.client.code},
            field=field,
        )
    audit_record(
        actor=actor, action="casework.meeting", target=meeting, unit=circle.unit, data={"concern": concern}
    )
    _concern_queued(meeting)
    return meeting


@transaction.atomic
def meeting_delete(*, actor: User, meeting: Meeting) -> None:
    """A meeting logged by mistake: its pending hours go too (approved ones stay)."""
    meeting = Meeting.objects.select_for_update().select_related("unit").get(pk=meeting.pk)
    if not (_is_coordinator(actor, meeting.unit) or meeting.logged_by_id == actor.pk):
        raise PermissionDenied
    if (
        HoursRecord.objects.filter(source_id=meeting.pk, source_type__model="meeting")
        .exclude(state="pending")
        .exists()
    ):
        raise ValidationError(_("The hours of this meeting are already decided; ask the coordinator."))
    hours_records_drop(source=meeting)
    audit_record(
        actor=actor, action="casework.meeting", target=meeting, unit=meeting.unit, data={"deleted": True}
    )
    meeting.delete()


# --- Mediation


def valid_certificate(volunteer: Volunteer, day: date) -> MediatorCertificate | None:
    return (
        MediatorCertificate.objects.filter(
            volunteer=volunteer, annulled_on__isnull=True, issued_on__lte=day, valid_until__gte=day
        )
        .order_by("-valid_until")
        .first()
    )


def _require_mediators(unit: Unit, mediators: Sequence[Volunteer], day: date) -> None:
    if not 1 <= len(mediators) <= 2:
        raise ValidationError({"mediators": _("A case has one or two mediators.")})
    for volunteer in mediators:
        if valid_certificate(volunteer, day) is None:
            raise ValidationError(
                {
                    "mediators": _("%(name)s has no valid mediator certificate on %(date)s.")
                    % {"name": volunteer.user.get_full_name(), "date": date_format(day, "j.m.Y")}
                }
            )
        _require_agreement(unit, volunteer, Role.Code.MEDIATOR, day, "mediators")


@transaction.atomic
def mediation_create(
    *,
    actor: User,
    unit: Unit,
    reference: str,
    victim_ref: str,
    offender_ref: str,
    mediators: Sequence[Volunteer],
    opened_on: date,
) -> MediationCase:
    _require_coordinator(actor, unit)
    errors = {}
    for name, value in (("reference", reference), ("victim_ref", victim_ref), ("offender_ref", offender_ref)):
        if not _text(value):
            errors[name] = _("This field is required.")
    if opened_on > timezone.localdate():
        errors["opened_on"] = _("The case cannot be opened in the future.")
    if MediationCase.objects.filter(unit=unit, reference=_text(reference)).exists():
        errors["reference"] = _("This unit already has a case with this reference.")
    if errors:
        raise ValidationError(errors)
    people = list(dict.fromkeys(mediators))
    _require_mediators(unit, people, opened_on)
    case = MediationCase.objects.create(
        unit=unit,
        reference=_text(reference),
        victim_ref=_text(victim_ref),
        offender_ref=_text(offender_ref),
        opened_on=opened_on,
        created_by=actor,
    )
    case.mediators.set(people)
    audit_record(actor=actor, action="casework.mediation.create", target=case, unit=unit)
    return case


@transaction.atomic
def mediation_session_log(
    *, actor: User, case: MediationCase, day: date, hours: Decimal, note: str = ""
) -> MediationSession:
    case = MediationCase.objects.select_for_update(of=("self",)).select_related("unit").get(pk=case.pk)
    mediators = list(case.mediators.select_related("user"))
    if not (_is_coordinator(actor, case.unit) or any(m.user_id == actor.pk for m in mediators)):
        raise PermissionDenied
    if not case.is_open:
        raise ValidationError(_("This case is closed."))
    _check_meeting(day, hours, not_before=case.opened_on)
    for volunteer in mediators:
        if valid_certificate(volunteer, day) is None:
            raise ValidationError(
                {
                    "day": _("%(name)s has no valid mediator certificate on %(date)s.")
                    % {"name": volunteer.user.get_full_name(), "date": date_format(day, "j.m.Y")}
                }
            )
    session = MediationSession.objects.create(
        case=case, day=day, hours=hours, note=_text(note), logged_by=actor
    )
    field = Role.objects.filter(institution_id=case.unit.institution_id, code=Role.Code.MEDIATOR).first()
    for volunteer in mediators:
        hours_record_for_source(
            volunteer=volunteer,
            unit=case.unit,
            kind=HoursRecord.Kind.MEDIATION,
            source=session,
            day=day,
            hours=hours,
            activity=_("Mediation session, %(case)s") % {"case": case.reference},
            field=field,
        )
    audit_record(actor=actor, action="casework.mediation.session", target=case, unit=case.unit)
    return session


@transaction.atomic
def mediation_close(*, actor: User, case: MediationCase, outcome: str, closed_on: date) -> MediationCase:
    case = MediationCase.objects.select_for_update().get(pk=case.pk)
    _require_coordinator(actor, case.unit)
    if not case.is_open:
        raise ValidationError(_("This case is already closed."))
    if outcome not in Outcome.values:
        raise ValidationError({"outcome": _("Choose the outcome.")})
    if closed_on < case.opened_on or closed_on > timezone.localdate():
        raise ValidationError({"closed_on": _("The case closes between its opening and today.")})
    case.outcome, case.closed_on = outcome, closed_on
    case.save()
    audit_record(
        actor=actor, action="casework.mediation.close", target=case, unit=case.unit, data={"outcome": outcome}
    )
    return case


# --- Mediator certificates


@transaction.atomic
def certificate_record(
    *, actor: User, unit: Unit, volunteer: Volunteer, number: str, issued_on: date, valid_until: date
) -> MediatorCertificate:
    _require_coordinator(actor, unit)
    errors = {}
    if not _text(number):
        errors["number"] = _("This field is required.")
    elif MediatorCertificate.objects.filter(
        institution_id=unit.institution_id, number=_text(number)
    ).exists():
        errors["number"] = _("A certificate with this number is already recorded.")
    if valid_until < issued_on:
        errors["valid_until"] = _("A certificate cannot expire before it was issued.")
    if errors:
        raise ValidationError(errors)
    certificate = MediatorCertificate.objects.create(
        institution=unit.institution,
        unit=unit,
        volunteer=volunteer,
        number=_text(number),
        issued_on=issued_on,
        valid_until=valid_until,
        created_by=actor,
    )
    audit_record(actor=actor, action="casework.certificate.create", target=certificate, unit=unit)
    return certificate


@transaction.atomic
def certificate_annul(
    *, actor: User, certificate: MediatorCertificate, annulled_on: date, reason: str
) -> MediatorCertificate:
    certificate = MediatorCertificate.objects.select_for_update().get(pk=certificate.pk)
    _require_coordinator(actor, certificate.unit)
    if certificate.annulled_on is not None:
        raise ValidationError(_("This certificate is already annulled."))
    if not _text(reason):
        raise ValidationError({"reason": _("Give the reason.")})
    if annulled_on < certificate.issued_on or annulled_on > timezone.localdate():
        raise ValidationError({"annulled_on": _("The annulment is between the issue and today.")})
    certificate.annulled_on, certificate.annul_reason = annulled_on, _text(reason)
    certificate.save()
    audit_record(actor=actor, action="casework.certificate.annul", target=certificate, unit=certificate.unit)
    return certificate


# --- The concern email (outbox)


def concern_send(*, meeting_id: int) -> bool:
    """Email a flagged concern to the client's supervising officer, once."""
    from django.conf import settings
    from django.core.mail import send_mail
    from django.template.loader import render_to_string
    from django.utils import translation

    from notifications.registry import absolute_url

    claimed = CONCERN.claim(meeting_id)
    if claimed is None:
        return False
    meeting = Meeting.objects.select_related(
        "unit", "pair__client__officer", "circle__client__officer", "logged_by"
    ).get(pk=meeting_id)
    subject_row = meeting.pair or meeting.circle
    officer = subject_row.client.officer
    if not officer.is_active or not officer.email:
        CONCERN.sent_now(meeting_id, concern_error="no recipient")
        return False
    name = "casework:pair" if meeting.pair_id else "casework:circle"
    context = {
        "meeting": meeting,
        "client": subject_row.client,
        "person": officer,
        "url": absolute_url((name, [subject_row.pk])),
    }
    try:
        with translation.override(getattr(officer, "language", "") or settings.LANGUAGE_CODE):
            subject = render_to_string("casework/email/concern_subject.txt", context).strip()
            body = render_to_string("casework/email/concern_body.txt", context)
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [officer.email])
    except Exception as error:
        CONCERN.failed(meeting_id, claimed=claimed, error=error)
        raise
    CONCERN.sent_now(meeting_id)
    return True


def concerns_requeue_unsent(*, now=None) -> list[int]:
    from .tasks import concern_send as concern_send_task

    ids = CONCERN.due(now=now)
    for pk in ids:
        enqueue_on_commit(concern_send_task, pk)
    return ids
