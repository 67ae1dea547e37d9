"""The reports' cache: figures kept under a key that holds a *generation* number, bumped
after every committed write to the data the figures read — so a write is seen at once and
nothing is ever deleted one key at a time.

The generation lives in the Django cache (shared by every process on Redis). It is bumped
``on_commit`` by the model signals connected in ``connect()`` (``ReportsConfig.ready``) and
by an explicit ``bump()`` in the services that write in bulk (``QuerySet.update`` /
``bulk_create`` send no signal): ``agreements.services._activate_many`` and
``_expire_many``, ``volunteers.services.applications_transition_system``. A write made
outside the application (a shell, a bulk load) is seen after ``TIMEOUT`` at the latest.

A cached value holds numbers, ids and names only — no model instance, no lazy translation
(``reports.selectors.with_labels`` adds the labels when read)."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

GENERATION_KEY = "reports:generation"
TIMEOUT = 10 * 60  # seconds: the safety net for writes the signals cannot see
T = TypeVar("T")


def generation() -> int:
    """The current generation (started from the clock when the cache has none, so that a
    lost generation never brings back values kept under an earlier one)."""
    value = cache.get(GENERATION_KEY)
    if value is None:
        cache.add(GENERATION_KEY, time.time_ns(), timeout=None)
        value = cache.get(GENERATION_KEY)
    return int(value)


def _increment() -> None:
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # no generation yet (or it was evicted)
        cache.set(GENERATION_KEY, time.time_ns(), timeout=None)


def bump() -> None:
    """Every cached figure is stale once the current transaction commits (at once outside
    one). Call it after a bulk write (``update``, ``bulk_create``) of data the figures read."""
    transaction.on_commit(_increment)


def key(parts: tuple) -> str:
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
    return f"reports:{generation()}:{digest}"


def remember(parts: tuple, compute: Callable[[], T]) -> T:
    """The value cached under ``parts`` (and the current generation), computed and kept if
    missing."""
    name = key(parts)
    value = cache.get(name)
    if value is None:
        value = compute()
        cache.set(name, value, timeout=TIMEOUT)
    return value


def _changed(sender, **kwargs) -> None:
    bump()


def watched_models() -> list:
    """Every model whose rows the figures read."""
    from agreements.models import Agreement
    from casework.models import Circle, MediationCase, Meeting, MentoringPair
    from events.models import Event, HoursRecord
    from institutions.models import Institution, Unit
    from trainings.models import Completion, Course, Registration, Session
    from volunteers.models import Application, ApplicationEvent, Role

    return [
        Role,  # the fields' ids in the drill-down links
        Application,
        ApplicationEvent,
        Agreement,
        Event,
        HoursRecord,
        Session,
        Registration,
        Completion,
        Course,
        MentoringPair,
        Circle,
        MediationCase,
        Meeting,
        Unit,
        Institution,
    ]


def watched_relations() -> list:
    """The many-to-many tables the field filter reads."""
    from trainings.models import Course
    from volunteers.models import Application

    return [Application.roles.through, Course.roles.through]


def connect() -> None:
    for model in watched_models():
        post_save.connect(_changed, sender=model, dispatch_uid=f"reports.bump.save.{model._meta.label}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"reports.bump.delete.{model._meta.label}")
    for through in watched_relations():
        m2m_changed.connect(_changed, sender=through, dispatch_uid=f"reports.bump.m2m.{through._meta.label}")
