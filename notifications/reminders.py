"""The daily reminder run (Celery beat runs ``notifications.tasks.reminders_daily``).

The apps say what to remind about by registering sources (``notifications.registry``:
agreements ending or unsigned in ``agreements/reminders.py``, vetting running out in
``volunteers/reminders.py``). "The coordinators" of an object are its unit's coordinators,
or the institution's central coordinators when the unit has none.

The guarantee: each reminder goes out once per (kind, target, due date, recipient), even
if the job runs twice or two workers race. The unique ``Reminder`` row is taken first, in
its own transaction, and only its taker sends the email. A claim whose email never went
out (mail server down, worker killed) is taken again by a later run once it is stale — by
compare-and-set on its timestamp, so again by one run only.

Each source's objects are read in key-ordered chunks (keyset pagination); the chunk's
coordinators and reminders are read once for the chunk, so a chunk costs a few queries
whatever its size; only new reminders cost writes. All emails share one mail connection.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from datetime import date, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone, translation

from institutions import permissions

from . import registry
from .models import Reminder
from .registry import Message, ReminderSource

if TYPE_CHECKING:
    from accounts.models import User
    from institutions.models import Unit

logger = logging.getLogger(__name__)

CHUNK_SIZE = 500
# A claimed reminder whose email did not go out is taken again after this long.
CLAIM_STALE_AFTER = timedelta(hours=2)


def _chunks(queryset: QuerySet) -> Iterator[list]:
    """The queryset in primary-key order, CHUNK_SIZE rows at a time (keyset pagination)."""
    last = None
    while True:
        page = queryset.order_by("pk") if last is None else queryset.filter(pk__gt=last).order_by("pk")
        chunk = list(page[:CHUNK_SIZE])
        if not chunk:
            return
        yield chunk
        last = chunk[-1].pk


def _reachable(user: User) -> bool:
    return bool(user.is_active and user.email)


def render(message: Message, *, today: date) -> tuple[str, str]:
    """The email's subject (one line) and body, in the recipient's language."""
    person = message.recipient
    context = {
        **message.context,
        "kind": message.kind,
        "person": person,
        "due_date": message.due_date,
        "days": (message.due_date - today).days,
    }
    with translation.override(person.language or settings.LANGUAGE_CODE):
        subject = " ".join(render_to_string(f"{message.template}_subject.txt", context).split())
        body = render_to_string(f"{message.template}_body.txt", context)
    return subject, body


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

    def source(self, source: ReminderSource) -> None:
        """Every due object of one source, a chunk at a time."""
        for chunk in _chunks(source.due(self.today)):
            units = [source.unit(obj) for obj in chunk]
            self.know_units(units)
            messages = []
            for obj, unit in zip(chunk, units, strict=True):
                for message in source.messages(obj, self.coordinators_of(unit), self.today):
                    if message.kind not in source.kinds or message.template not in source.templates:
                        raise ImproperlyConfigured(
                            f"Reminder source {source.name!r} made a message of kind {message.kind!r} "
                            f"with template {message.template!r}: register both."
                        )
                    messages.append(message)
            self.deliver(messages)

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

    def deliver(self, messages: list[Message]) -> None:
        messages = [message for message in messages if _reachable(message.recipient)]
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

    def _claim(self, message: Message, existing: Reminder | None) -> Reminder | None:
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

    def _send(self, message: Message) -> None:
        subject, body = render(message, today=self.today)
        if self._connection is None:
            self._connection = get_connection()
        EmailMessage(
            subject, body, settings.DEFAULT_FROM_EMAIL, [message.recipient.email], connection=self._connection
        ).send()

    def close(self) -> None:
        if self._connection is not None:
            try:
                self._connection.close()
            except Exception:  # closing a connection that already failed
                logger.debug("Closing the mail connection failed", exc_info=True)
            self._connection = None


def reminders_send(*, today: date | None = None) -> int:
    """Send the day's reminders of every registered source; returns how many emails went out.

    A source that fails (a bug, a database error) does not stop the others: it is logged,
    the rest run, and its error is raised at the end so that the task shows as failed.
    """
    run = _Run(today or timezone.localdate())
    errors: list[Exception] = []
    try:
        for source in registry.sources():
            try:
                run.source(source)
            except Exception as error:
                logger.exception("Reminder source %s failed", source.name)
                errors.append(error)
    finally:
        run.close()
    if run.sent or run.failed:
        logger.info("Reminders: %d sent, %d failed", run.sent, run.failed)
    if errors:
        raise errors[0]
    return run.sent
