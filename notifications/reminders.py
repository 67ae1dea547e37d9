"""The daily reminder run (Celery beat runs ``notifications.tasks.reminders_daily``).

The apps say what to remind about by registering sources (``notifications.registry``:
agreements ending or unsigned in ``agreements/reminders.py``, vetting running out in
``volunteers/reminders.py``). "The coordinators" of an object are its unit's coordinators,
or the institution's central coordinators when the unit has none.

The guarantee: each reminder goes out once per (kind, target, due date, recipient), even
if the job runs twice or two workers race. The run works in two steps:

1. **The claim pass** (``reminders_send``): each source's due objects are read in chunks
   (one query, read CHUNK_SIZE rows at a time; only the columns of the source's
   ``key_fields`` when it names them), the chunk's messages are built, and the
   ``Reminder`` rows not taken yet are inserted in
   bulk (``INSERT … ON CONFLICT DO NOTHING`` against the unique key) and read back: the rows
   this run created are its own. The run hands them, with the rows an earlier run took but
   never sent (its task lost, the mail server down for good), to a **send task**, one per
   batch of reminders. A chunk costs a few queries whatever its size; a second run the same
   day only reads (the due objects, and each chunk's reminders: their keys, and the id of
   any row to take again, which the database picks).
2. **The send task** (``reminders_deliver``) claims its rows in one compare-and-set
   ``UPDATE`` (``core.outbox``: one sender gets each row), builds the messages again from the
   source's due objects (an agreement signed since the claim is no longer reminded of),
   sends them over one mail connection and marks each row sent as soon as its email is out;
   a failure releases the row for the task's retry or a later run.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from datetime import date
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMessage, get_connection
from django.db.models import Case, Q, QuerySet, When
from django.template.loader import render_to_string
from django.utils import timezone, translation

from core import outbox
from institutions import permissions

from . import registry
from .models import Reminder
from .registry import Message, ReminderSource

if TYPE_CHECKING:
    from accounts.models import User
    from institutions.models import Unit

logger = logging.getLogger(__name__)

# Due objects read, and reminders claimed, per chunk; reminders per send task.
CHUNK_SIZE = 2000
SEND_BATCH = 500
# The send task's outbox (core.outbox): claimed, sent outside any lock, released on failure.
REMINDER = outbox.Outbox(
    model=Reminder,
    sent="sent_at",
    claimed="claimed_at",
    attempts="attempts",
    error="error",
    created="created_at",
)
NO_LONGER_DUE = "no longer due"


def _for_keys(source: ReminderSource, queryset: QuerySet) -> QuerySet:
    """The due objects as the claim pass reads them: only the columns the source's
    ``key_fields`` name (and the relations among them), when it names them."""
    if not source.key_fields:
        return queryset
    relations = {name.rsplit("__", 1)[0] for name in source.key_fields if "__" in name}
    return queryset.select_related(None).select_related(*sorted(relations)).only(*source.key_fields)


def _chunks(queryset: QuerySet) -> Iterator[list]:
    """The queryset's rows in primary-key order, CHUNK_SIZE at a time, from one query read
    in chunks (a server-side cursor on PostgreSQL; prefetches are made per chunk): no list
    of keys sent back to the database."""
    chunk: list = []
    for obj in queryset.order_by("pk").iterator(chunk_size=CHUNK_SIZE):
        chunk.append(obj)
        if len(chunk) == CHUNK_SIZE:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


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
    """One pass of the daily job, or one send task: caches who coordinates which unit."""

    def __init__(self, today: date) -> None:
        self.today = today
        self.now = timezone.now()
        self.claimed = 0
        self._unit_coordinators: dict[int, list[User]] = {}
        self._central: dict[int, list[User]] = {}

    # --- Messages

    def messages(self, source: ReminderSource, chunk: list) -> dict[tuple, tuple[Message, object]]:
        """The chunk's messages to reachable people, by key (once each: a coordinator of the
        unit may also be the volunteer), each with the primary key of its object."""
        units = [source.unit(obj) for obj in chunk]
        self.know_units(units)
        found: dict[tuple, tuple[Message, object]] = {}
        for obj, unit in zip(chunk, units, strict=True):
            for message in source.messages(obj, self.coordinators_of(unit), self.today):
                if message.kind not in source.kinds or message.template not in source.templates:
                    raise ImproperlyConfigured(
                        f"Reminder source {source.name!r} made a message of kind {message.kind!r} "
                        f"with template {message.template!r}: register both."
                    )
                if _reachable(message.recipient):
                    found.setdefault(message.key, (message, obj.pk))
        return found

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

    # --- The claim pass

    def source(self, source: ReminderSource) -> None:
        """Every due object of one source, a chunk at a time: its new reminders taken in bulk
        and handed, with those left unsent by an earlier run, to send tasks."""
        for chunk in _chunks(_for_keys(source, source.due(self.today))):
            messages = self.messages(source, chunk)
            if not messages:
                continue
            taken = self.claim(messages)
            self.claimed += len(taken)
            for batch in _batches(taken, messages):
                _hand_over(source.name, self.today.isoformat(), *batch)

    def claim(self, messages: dict[tuple, tuple[Message, object]]) -> list[tuple[int, tuple]]:
        """(row id, key) of the reminders this run hands over: the rows it inserts now, and
        rows of the same keys written a while ago, never sent and held by no sender."""
        kinds = {key[0] for key in messages}
        targets = {key[1] for key in messages}
        fields = ("pk", "kind", "target", "due_date", "recipient")
        # Only the keys come back, and the id of a row to take again (never sent, held by no
        # sender, written a while ago): the database tells which, nothing else is decoded.
        again = Q(
            Q(claimed_at=None) | Q(claimed_at__lt=self.now - outbox.CLAIM_STALE_AFTER),
            sent_at=None,
            created_at__gte=self.now - outbox.GIVE_UP_AFTER,
            created_at__lt=self.now - outbox.RETRY_AFTER,
            attempts__lt=outbox.MAX_ATTEMPTS,
        )
        taken, existing = [], set()
        for *key, retake in Reminder.objects.filter(kind__in=kinds, target__in=targets).values_list(
            *fields[1:], Case(When(again, then="pk"), default=None)
        ):
            key = tuple(key)
            if key not in messages:
                continue
            existing.add(key)
            if retake is not None:
                taken.append((retake, key))
        new = [key for key in messages if key not in existing]
        if new:
            # A parallel run may insert the same keys a moment earlier: its rows are its own.
            Reminder.objects.bulk_create(
                [
                    Reminder(kind=kind, target=target, due_date=due, recipient=to, created_at=self.now)
                    for kind, target, due, to in new
                ],
                ignore_conflicts=True,
            )
            created = Reminder.objects.filter(
                kind__in={key[0] for key in new}, target__in={key[1] for key in new}, created_at=self.now
            ).values_list(*fields)
            new_keys = set(new)
            taken.extend((row[0], row[1:]) for row in created if row[1:] in new_keys)
        return taken


def _batches(
    taken: list[tuple[int, tuple]], messages: dict[tuple, tuple[Message, object]]
) -> Iterator[tuple[list, list[int]]]:
    """(object keys, reminder ids) per send task: at most SEND_BATCH reminders each, an
    object's reminders in one task."""
    by_object: dict[object, list[int]] = {}
    for pk, key in taken:
        by_object.setdefault(messages[key][1], []).append(pk)
    objects: list = []
    ids: list[int] = []
    for obj, reminder_ids in sorted(by_object.items()):
        if ids and len(ids) + len(reminder_ids) > SEND_BATCH:
            yield objects, ids
            objects, ids = [], []
        objects.append(obj)
        ids.extend(reminder_ids)
    if ids:
        yield objects, ids


def _hand_over(source_name: str, today: str, object_pks: list, reminder_ids: list[int]) -> None:
    """Queue one send task. The claim pass runs in autocommit — each ``INSERT`` has committed
    its rows when the task is queued, so a worker finds them. A broker that is down does not
    stop the run: the rows stay unsent and the next run hands them over again. (With
    in-process tasks the task runs here; its failure is logged the same way.)"""
    from .tasks import reminders_deliver

    try:
        reminders_deliver.apply_async(args=(source_name, today, object_pks, reminder_ids), retry=False)
    except Exception:
        logger.exception(
            "The reminders %s of %s were not queued or not all sent; a later run takes them",
            reminder_ids,
            source_name,
        )


def reminders_send(*, today: date | None = None) -> int:
    """The claim pass of the day's reminders of every registered source; returns how many
    reminders it handed to send tasks (with in-process tasks, as in tests and ``make run``:
    the emails sent, unless one failed).

    A source that fails (a bug, a database error) does not stop the others: it is logged,
    the rest run, and its error is raised at the end so that the task shows as failed.
    """
    run = _Run(today or timezone.localdate())
    errors: list[Exception] = []
    for source in registry.sources():
        try:
            run.source(source)
        except Exception as error:
            logger.exception("Reminder source %s failed", source.name)
            errors.append(error)
    if run.claimed:
        logger.info("Reminders: %d handed to the send tasks", run.claimed)
    if errors:
        raise errors[0]
    return run.claimed


# --- The send task


def reminders_deliver(source_name: str, today: str, object_pks: list, reminder_ids: list[int]) -> int:
    """Send the reminders ``reminder_ids`` of ``source_name``'s objects ``object_pks``, as
    the claim pass of ``today`` (ISO date) built them; returns how many emails went out.

    Each row is claimed first (one sender gets it; a row sent is never claimed again), so
    running the task twice sends nothing twice. A reminder whose message the source no
    longer makes (the agreement was signed, the coordinator left) is released unsent. A
    failed email releases its row and the task raises at the end (its retry, or a later
    run, sends the rest).
    """
    claimed_at, rows = REMINDER.claim_many(reminder_ids)
    rows = list(rows.values_list("pk", "kind", "target", "due_date", "recipient"))
    if not rows:
        return 0
    source = next((s for s in registry.sources() if s.name == source_name), None)
    run = _Run(date.fromisoformat(today))
    messages = {}
    if source is not None:
        messages = run.messages(source, list(source.due(run.today).filter(pk__in=object_pks).order_by("pk")))
    gone, errors, sent = [], [], 0
    connection = None
    try:
        for pk, *key in rows:
            message = messages.get(tuple(key), (None,))[0]
            if message is None:
                gone.append(pk)
                continue
            try:
                subject, body = render(message, today=run.today)
                if connection is None:
                    connection = get_connection()
                EmailMessage(
                    subject,
                    body,
                    settings.DEFAULT_FROM_EMAIL,
                    [message.recipient.email],
                    connection=connection,
                ).send()
            except Exception as error:
                logger.exception(
                    "Reminder %s %s to %s failed", message.kind, message.target, message.recipient.email
                )
                REMINDER.failed(pk, claimed=claimed_at, error=error)
                errors.append(error)
                connection = _close(connection)  # a broken connection is not used for the next one
                continue
            REMINDER.sent_now(pk)
            sent += 1
    finally:
        _close(connection)
    if gone:
        Reminder.objects.filter(pk__in=gone, claimed_at=claimed_at).update(
            claimed_at=None, error=NO_LONGER_DUE
        )
    if errors:
        raise errors[0]
    return sent


def _close(connection) -> None:
    if connection is not None:
        try:
            connection.close()
        except Exception:  # closing a connection that already failed
            logger.debug("Closing the mail connection failed", exc_info=True)
