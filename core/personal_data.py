"""A volunteer's personal data across the apps: what each app exports for the data download
(GDPR Art. 15 and 20) and what it erases when the person is anonymised (an approved erasure
request, or the retention job).

Every app that stores something about a person registers a :class:`Section` in its own
``personal_data.py`` module (imported at start-up by ``core.apps``). The download and the
anonymisation only walk the registry, so a new app's data is in both the day it registers —
and ``tests/core/test_personal_data.py`` fails when a model that points at a person (a
``User``, a ``Volunteer`` or an ``Application``) is covered by no section.

A section says:

- ``export(volunteer)``: a JSON-able value (read-only, a few queries at most);
- ``template``: the partial that prints that value on the printable page;
- ``erase(erasure)``: what it removes, inside the one anonymisation transaction (files to
  delete go into ``erasure.files`` and are deleted after commit);
- ``blockers(erasures)``: for a list of erasures (one query for all), volunteer id → reasons
  the erasure cannot go ahead yet (e.g. an agreement in force whose notice period has not
  run), shown to the coordinator who confirms it;
- ``audit_targets(volunteer)``: the rows whose audit entries are about the person (they are
  exported, and their labels are replaced by the anonymised name);
- ``models``: the models whose rows about the person it covers, and ``staff_only``: models
  that point at a user only as the staff member who acted (with the reason no export or
  erasure is due).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from django.db import models

if TYPE_CHECKING:
    from accounts.models import User
    from volunteers.models import Volunteer


@dataclass
class Erasure:
    """What an eraser is told about the anonymisation under way."""

    volunteer: Volunteer
    user: User
    actor: User | None  # the coordinator who confirmed it; None for the retention job
    label: str  # what records show instead of the person's name
    old_email: str
    new_email: str
    emails: list[str]  # every address on the account (old_email first)
    today: date
    notice_date: date  # when the person asked (the volunteer's written notice)
    reason: str  # "erasure" or "retention"
    files: list[str] = field(default_factory=list)  # private files deleted after commit


@dataclass(frozen=True)
class Section:
    key: str  # the key in the download, e.g. "agreements"
    title: Any  # heading on the printable page: lazy text, or a callable given the reader (a user)
    template: str  # prints ``section`` (the exported value)
    export: Callable[[Volunteer], Any]
    models: tuple[str, ...] = ()  # "app_label.ModelName" whose rows about the person it covers
    erase: Callable[[Erasure], None] | None = None
    blockers: Callable[[list[Erasure]], dict[int, list[str]]] | None = None
    audit_targets: Callable[[Volunteer], Iterable[tuple[type[models.Model], Iterable[Any]]]] | None = None
    staff_only: Mapping[str, str] = field(default_factory=dict)  # model label → why
    order: int = 100  # export and erasure order (the person's own account last)


_sections: dict[str, Section] = {}
_staff_only: dict[str, str] = {}


def register(section: Section) -> Section:
    existing = _sections.get(section.key)
    if existing is not None and existing != section:
        raise ValueError(f"Personal data section {section.key!r} is already registered")
    _sections[section.key] = section
    return section


def register_staff_only(models: Mapping[str, str]) -> None:
    """For an app that stores nothing about a volunteer but has models pointing at users
    (the staff who changed them): model label → why no export or erasure is due."""
    _staff_only.update(models)


def unregister(key: str) -> None:
    """For tests that register a section of their own."""
    _sections.pop(key, None)


def sections() -> list[Section]:
    return sorted(_sections.values(), key=lambda section: (section.order, section.key))


def covered_models() -> set[str]:
    """Every model label some section exports and erases, or declares staff-only."""
    covered: set[str] = {label.lower() for label in _staff_only}
    for section in _sections.values():
        covered.update(label.lower() for label in section.models)
        covered.update(label.lower() for label in section.staff_only)
    return covered


def audit_targets(volunteer: Volunteer) -> list[tuple[type[models.Model], list[str]]]:
    """(model, ids as strings) whose audit entries are about the person."""
    targets = []
    for section in sections():
        if section.audit_targets is None:
            continue
        for model, ids in section.audit_targets(volunteer):
            ids = [str(pk) for pk in ids]
            if ids:
                targets.append((model, ids))
    return targets
