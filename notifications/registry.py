"""Reminder sources: each app says what to remind about; ``notifications.reminders`` sends it.

The daily run (``notifications.tasks.reminders_daily``) asks every registered source for
its due objects, finds the coordinators of each object's unit, and sends the messages the
source builds — once per (kind, target, due date, recipient); see ``notifications.reminders``
for how that is guaranteed. An app adds a reminder kind in three steps, as ``agreements``
does for "agreement unsigned for 14 days":

1. Email templates ``<app>/email/<name>_subject.txt`` and ``_body.txt``
   (``templates/agreements/email/reminder_unsigned_*.txt``); they get the message's context
   plus ``kind``, ``person`` (the recipient), ``due_date`` and ``days`` (left until it).
2. In ``<app>/reminders.py``, register a source (found by ``NotificationsConfig.ready``)::

       register(ReminderSource(
           name="agreements.unsigned",
           kinds={"unsigned_14": _("Agreement unsigned for 14 days")},
           templates=("agreements/email/reminder_unsigned",),
           due=_unsigned_due,  # today -> Agreement.objects.filter(...).select_related("unit", ...)
           unit=lambda agreement: agreement.unit,
           messages=_unsigned_messages,  # (agreement, coordinators, today) -> [Message(...), ...]
       ))

   ``due`` is read in primary-key order, in chunks: join in (``select_related``) whatever
   ``unit`` and the templates use, so that a chunk costs a few queries whatever its size.
   A source with many due objects also names its ``key_fields`` (what ``unit`` and
   ``messages`` read to make the keys): the daily claim pass reads only those columns.
3. Tests of when it is due and who gets it (``tests/agreements/test_reminders.py``);
   ``tests/notifications`` already checks that its templates render in Latvian and English.

A kind value (at most 40 characters) and its target string (``"agreement:<pk>"``) are the
reminder's identity in the database: never change them once rows exist.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.urls import NoReverseMatch, reverse

if TYPE_CHECKING:
    from django.db.models import QuerySet
    from django.utils.functional import Promise

    from accounts.models import User
    from institutions.models import Unit

KIND_MAX_LENGTH = 40  # Reminder.kind


@dataclass(frozen=True)
class Message:
    """One email to one person: ``template`` is the base name of ``<template>_subject.txt``
    and ``<template>_body.txt``, rendered with ``context`` in the recipient's language."""

    kind: str
    target: str
    due_date: date
    recipient: User
    template: str
    context: dict = field(default_factory=dict)

    @property
    def key(self) -> tuple[str, str, date, str]:
        return (self.kind, self.target, self.due_date, self.recipient.email)


@dataclass(frozen=True)
class ReminderSource:
    """What an app reminds about.

    ``due(today)`` the objects to remind about today (a queryset; the run orders it by pk);
    ``unit(obj)`` the unit whose coordinators are told (the institution's central
    coordinators when the unit has none); ``messages(obj, coordinators, today)`` the emails
    for one object — to the coordinators given (active, with an email) and anyone else.
    Every message's kind must be one of ``kinds`` and its template one of ``templates``.
    """

    name: str
    kinds: Mapping[str, str | Promise]
    templates: tuple[str, ...]
    due: Callable[[date], QuerySet]
    unit: Callable[[Any], Unit]
    messages: Callable[[Any, Sequence[User], date], Iterable[Message]]
    # What ``unit`` and ``messages`` read to make the messages' keys (kind, target, due date,
    # recipient) — e.g. ``("end_date", "unit__institution", "volunteer__user__email", …)``:
    # the claim pass then reads only these columns (``QuerySet.only``, the relations among
    # them joined), not the whole objects the emails need (the send task reads those). A
    # field left out still works, at one query per object. Empty: the whole objects.
    key_fields: tuple[str, ...] = ()


_sources: dict[str, ReminderSource] = {}


def register(source: ReminderSource) -> ReminderSource:
    """Add a source (again under the same name: replaced). A kind belongs to one source."""
    if not source.kinds or not source.templates:
        raise ImproperlyConfigured(f"Reminder source {source.name!r} needs kinds and templates.")
    for kind in source.kinds:
        if not kind or len(kind) > KIND_MAX_LENGTH:
            raise ImproperlyConfigured(f"Reminder kind {kind!r} must have 1 to {KIND_MAX_LENGTH} characters.")
        owner = next((s.name for s in _sources.values() if kind in s.kinds and s.name != source.name), None)
        if owner:
            raise ImproperlyConfigured(f"Reminder kind {kind!r} is already registered by {owner!r}.")
    _sources[source.name] = source
    return source


def unregister(name: str) -> None:
    _sources.pop(name, None)


def sources() -> list[ReminderSource]:
    """The registered sources, in the order they were registered."""
    return list(_sources.values())


def kinds() -> dict[str, str | Promise]:
    """Every registered kind: value → label."""
    return {kind: label for source in _sources.values() for kind, label in source.kinds.items()}


def kind_label(kind: str) -> str:
    """The kind's label in the active language; the value itself if no app registers it."""
    label = kinds().get(kind)
    return str(label) if label is not None else kind


def absolute_url(*candidates: tuple[str, list]) -> str:
    """An absolute link (for an email) to the first of the named pages that exists."""
    for name, args in candidates:
        try:
            return settings.TILTS_BASE_URL.rstrip("/") + reverse(name, args=args)
        except NoReverseMatch:
            continue
    return settings.TILTS_BASE_URL
