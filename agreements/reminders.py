"""Daily reminders (Celery beat runs ``agreements.tasks.reminders_daily``):

* an agreement in force ends within 30 days, and again within 7 days — the unit's
  coordinators and the volunteer;
* an agreement generated (or sent) is still unsigned 14 days later — the coordinators;
* the vetting (criminal-record check) of a current application stops being valid within
  30 days — the coordinators.

"The coordinators" are the unit's coordinators, or the institution's central coordinators
when the unit has none. Each reminder goes out once per (kind, target, due date,
recipient), even if the job runs twice or two workers race: the unique ``Reminder`` row is
taken first, in its own transaction, and only its taker sends the email. A claim whose
email never went out (mail server down, worker killed) is taken again by a later run once
it is stale.

The candidates are read in key-ordered chunks with everything an email needs joined in,
so a chunk costs a few queries whatever its size; only new reminders cost writes.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation

from institutions import permissions
from volunteers.models import CURRENT_STATUSES, VettingRecord

from .models import IN_FORCE, Agreement, Reminder, Status

if TYPE_CHECKING:
    from accounts.models import User
    from institutions.models import Unit

logger = logging.getLogger(__name__)

CHUNK_SIZE = 500
ENDING_DAYS = 30
ENDING_SOON_DAYS = 7
UNSIGNED_DAYS = 14
VETTING_DAYS = 30
# A claimed reminder whose email did not go out is taken again after this long.
CLAIM_STALE_AFTER = timedelta(hours=2)

Kind = Reminder.Kind


@dataclass(frozen=True)
class _Message:
    kind: str
    target: str
    due_date: date
    recipient: User
    template: str
    context: dict

    @property
    def key(self) -> tuple[str, str, date, str]:
        return (self.kind, self.target, self.due_date, self.recipient.email)


def _chunks(queryset: QuerySet) -> Iterator[list]:
    """The queryset in primary-key order, CHUNK_SIZE rows at a time (keyset pagination)."""
    last = 0
    while True:
        chunk = list(queryset.filter(pk__gt=last).order_by("pk")[:CHUNK_SIZE])
        if not chunk:
            return
        yield chunk
        last = chunk[-1].pk


def _url(*candidates: tuple[str, list]) -> str:
    """An absolute link to the first of the named pages that exists."""
    for name, args in candidates:
        try:
            return settings.TILTS_BASE_URL.rstrip("/") + reverse(name, args=args)
        except NoReverseMatch:
            continue
    return settings.TILTS_BASE_URL


def _reachable(user: User) -> bool:
    return bool(user.is_active and user.email)


class _Run:
    """One pass of the daily job: caches who coordinates which unit, one mail connection."""

    def __init__(self, today: date) -> None:
        self.today = today
        self.now = timezone.now()
        self.sent = 0
        self.failed = 0
        self._unit_coordinators: dict[int, list[User]] = {}
        self._central: dict[int, list[User]] = {}
        self._connection = None

    # --- Recipients

    def know_units(self, units: Iterable[Unit]) -> None:
        """Fetch the coordinators of the chunk's units not seen yet (a few queries)."""
        units = {unit.pk: unit.institution_id for unit in units}
        missing = [pk for pk in units if pk not in self._unit_coordinators]
        if missing:
            found = permissions.coordinators_by_unit(missing)
            for pk in missing:
                self._unit_coordinators[pk] = found.get(pk, [])
        institutions = {
            institution_id
            for pk, institution_id in units.items()
            if not self._unit_coordinators[pk] and institution_id not in self._central
        }
        if institutions:
            found = permissions.central_coordinators_by_institution(institutions)
            for institution_id in institutions:
                self._central[institution_id] = found.get(institution_id, [])

    def coordinators_of(self, unit: Unit) -> list[User]:
        people = self._unit_coordinators[unit.pk] or self._central.get(unit.institution_id, [])
        return [person for person in people if _reachable(person)]

    # --- Delivery

    def deliver(self, messages: list[_Message]) -> None:
        if not messages:
            return
        taken = {
            (r.kind, r.target, r.due_date, r.recipient): r
            for r in Reminder.objects.filter(
                kind__in={m.kind for m in messages}, target__in={m.target for m in messages}
            )
        }
        seen: set[tuple] = set()
        for message in messages:
            if message.key in seen:  # e.g. a coordinator of the unit is also the volunteer
                continue
            seen.add(message.key)
            reminder = self._claim(message, taken.get(message.key))
            if reminder is None:
                continue
            try:
                self._send(message)
            except Exception:
                # The claim stays without sent_at; a later run takes it again when stale.
                logger.exception(
                    "Reminder %s %s to %s failed", message.kind, message.target, reminder.recipient
                )
                self.failed += 1
                self.close()  # a broken mail connection is not used for the next one
                continue
            Reminder.objects.filter(pk=reminder.pk).update(sent_at=timezone.now())
            self.sent += 1

    def _claim(self, message: _Message, existing: Reminder | None) -> Reminder | None:
        """The Reminder row if this run may send it, else None (someone else has it)."""
        if existing is None:
            try:
                with transaction.atomic():
                    return Reminder.objects.create(
                        kind=message.kind,
                        target=message.target,
                        due_date=message.due_date,
                        recipient=message.recipient.email,
                        created_at=self.now,
                    )
            except IntegrityError:
                return None  # taken by a parallel run a moment ago
        if existing.sent_at is not None or existing.created_at > self.now - CLAIM_STALE_AFTER:
            return None
        # A stale claim: compare-and-set on its timestamp, so only one racer takes it.
        taken = Reminder.objects.filter(
            pk=existing.pk, sent_at__isnull=True, created_at=existing.created_at
        ).update(created_at=self.now)
        return existing if taken else None

    def _send(self, message: _Message) -> None:
        person = message.recipient
        context = {
            **message.context,
            "kind": message.kind,
            "person": person,
            "due_date": message.due_date,
            "days": (message.due_date - self.today).days,
        }
        name = f"agreements/email/reminder_{message.template}"
        with translation.override(person.language or settings.LANGUAGE_CODE):
            subject = " ".join(render_to_string(f"{name}_subject.txt", context).split())
            body = render_to_string(f"{name}_body.txt", context)
        if self._connection is None:
            self._connection = get_connection()
        EmailMessage(
            subject, body, settings.DEFAULT_FROM_EMAIL, [person.email], connection=self._connection
        ).send()

    def close(self) -> None:
        if self._connection is not None:
            try:
                self._connection.close()
            except Exception:  # closing a connection that already failed
                logger.debug("Closing the mail connection failed", exc_info=True)
            self._connection = None


# --- The kinds


def _agreements_ending(run: _Run) -> None:
    """In force and ending within 30 days (ENDING_30), or within 7 (ENDING_7): one each,
    the 30-day one only while more than 7 days are left."""
    queryset = Agreement.objects.filter(
        status__in=IN_FORCE,
        end_date__gte=run.today,
        end_date__lte=run.today + timedelta(days=ENDING_DAYS),
    ).select_related("unit", "institution", "role", "volunteer__user")
    for chunk in _chunks(queryset):
        run.know_units(agreement.unit for agreement in chunk)
        messages = []
        for agreement in chunk:
            days = (agreement.end_date - run.today).days
            kind = Kind.ENDING_7 if days <= ENDING_SOON_DAYS else Kind.ENDING_30
            target = f"agreement:{agreement.pk}"
            url = _url(
                ("agreements:detail", [agreement.pk]),
                ("volunteers:application_detail", [agreement.application_id]),
            )
            for person in run.coordinators_of(agreement.unit):
                messages.append(
                    _Message(
                        kind,
                        target,
                        agreement.end_date,
                        person,
                        "ending_coordinator",
                        {"agreement": agreement, "url": url},
                    )
                )
            volunteer = agreement.volunteer
            if volunteer.anonymised_at is None and _reachable(volunteer.user):
                messages.append(
                    _Message(
                        kind,
                        target,
                        agreement.end_date,
                        volunteer.user,
                        "ending_volunteer",
                        {
                            "agreement": agreement,
                            "url": _url(("agreements:my_agreements", []), ("volunteers:my_applications", [])),
                        },
                    )
                )
        run.deliver(messages)


def _agreements_unsigned(run: _Run) -> None:
    """Generated or sent, and still unsigned 14 days (or more) after it was generated."""
    # Generated on a day D (local time) is due on D + 14: before the start of today - 13.
    cutoff = timezone.make_aware(datetime.combine(run.today - timedelta(days=UNSIGNED_DAYS - 1), time.min))
    queryset = Agreement.objects.filter(
        status__in=[Status.GENERATED, Status.SENT], generated_at__lt=cutoff
    ).select_related("unit", "institution", "role")
    for chunk in _chunks(queryset):
        run.know_units(agreement.unit for agreement in chunk)
        messages = []
        for agreement in chunk:
            generated_on = timezone.localdate(agreement.generated_at)
            due = generated_on + timedelta(days=UNSIGNED_DAYS)
            url = _url(
                ("agreements:detail", [agreement.pk]),
                ("volunteers:application_detail", [agreement.application_id]),
            )
            context = {"agreement": agreement, "generated_on": generated_on, "url": url}
            messages.extend(
                _Message(Kind.UNSIGNED_14, f"agreement:{agreement.pk}", due, person, "unsigned", context)
                for person in run.coordinators_of(agreement.unit)
            )
        run.deliver(messages)


def _vetting_expiring(run: _Run) -> None:
    """The newest cleared check of a current application stops being valid within 30 days."""
    later = VettingRecord.objects.filter(
        application=OuterRef("application"), result=VettingRecord.Result.CLEARED
    ).filter(Q(valid_until__isnull=True) | Q(valid_until__gt=OuterRef("valid_until")))
    queryset = (
        VettingRecord.objects.filter(
            result=VettingRecord.Result.CLEARED,
            valid_until__gte=run.today,
            valid_until__lte=run.today + timedelta(days=VETTING_DAYS),
            application__status__in=CURRENT_STATUSES,
        )
        .exclude(Exists(later))
        .select_related("application__unit", "application__institution")
    )
    for chunk in _chunks(queryset):
        run.know_units(record.application.unit for record in chunk)
        messages = []
        for record in chunk:
            application = record.application
            url = _url(("volunteers:application_detail", [application.pk]))
            context = {"record": record, "application": application, "url": url}
            messages.extend(
                _Message(
                    Kind.VETTING_30, f"vetting:{record.pk}", record.valid_until, person, "vetting", context
                )
                for person in run.coordinators_of(application.unit)
            )
        run.deliver(messages)


def reminders_send(*, today: date | None = None) -> int:
    """Send the day's reminders; returns how many emails went out."""
    run = _Run(today or timezone.localdate())
    try:
        _agreements_ending(run)
        _agreements_unsigned(run)
        _vetting_expiring(run)
    finally:
        run.close()
    if run.sent or run.failed:
        logger.info("Reminders: %d sent, %d failed", run.sent, run.failed)
    return run.sent
