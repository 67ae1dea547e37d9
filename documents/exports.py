"""Export kinds: the list downloads (CSV/XLSX) an app offers, so that the shared machinery
can stream the small ones and make the large ones in the background.

How it goes (``documents.views.export_response``):

1. The page's export view calls ``export_response(request, kind=..., fmt=...)``.
2. The kind's ``prepare(user, params)`` runs the SAME scoped selector as the page, as that
   user, with the page's filters, and counts the rows (no row is read yet).
3. Up to ``settings.TILTS_EXPORT_STREAM_MAX_ROWS`` rows, the export is recorded (the kind's
   ``record``: the audit trail) and the file streams from the request (``core.tabular``).
4. Above it, an ``ExportFile`` row is created and the ``documents.tasks.export_build`` job is
   queued on commit; the person is sent to its status page (a progress bar htmx polls, then
   a download link). The job prepares the export again as the same person — permissions as
   they are then — writes the file into private storage and records the export; each
   download is audited (``export.download``); the file expires
   (``settings.TILTS_EXPORT_KEEP_HOURS``) and the sweeper deletes it.

An app registers its kinds in ``<app>/exports.py`` (imported at start-up, like
``printing.py``): ``register(ExportKind(key=..., label=..., prepare=..., page_url=...))``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.http import QueryDict

if TYPE_CHECKING:
    from accounts.models import User
    from core.tabular import Table

# Query parameters that are not filters of the list (never stored with a job).
NOT_FILTERS = ("format", "page", "per_page")


@dataclass
class Prepared:
    """An export ready to be written: how many rows, the table (its rows are read lazily,
    once, as the file is written), the file name without its extension, and ``record(fmt,
    extra)``, which writes the audit trail of the export (call it inside a transaction)."""

    total: int
    table: Table
    filename: str
    record: Callable[[str, dict[str, Any]], None]


@dataclass(frozen=True)
class ExportKind:
    key: str  # stored in ExportFile.kind
    label: Any  # lazy translatable name ("Applications")
    prepare: Callable[[User, QueryDict], Prepared]  # the page's scoped selector, as this user
    page_url: Callable[[QueryDict], str]  # the list page with these filters (the way back)


_kinds: dict[str, ExportKind] = {}


def register(kind: ExportKind) -> ExportKind:
    existing = _kinds.get(kind.key)
    if existing is not None and existing != kind:
        raise ValueError(f"Export kind {kind.key!r} is already registered")
    _kinds[kind.key] = kind
    return kind


def unregister(key: str) -> None:
    """For tests that register a kind of their own."""
    _kinds.pop(key, None)


def get(key: str) -> ExportKind:
    try:
        return _kinds[key]
    except KeyError:
        raise LookupError(f"No export kind {key!r} is registered") from None


def kinds() -> Iterator[ExportKind]:
    return iter(sorted(_kinds.values(), key=lambda kind: kind.key))


def filters_of(params: QueryDict) -> dict[str, list[str]]:
    """The list's filters of a request's query string, as stored with a job."""
    return {key: params.getlist(key) for key in sorted(params) if key not in NOT_FILTERS}


def query_dict(filters: dict[str, list[str]]) -> QueryDict:
    """The stored filters as the QueryDict the page's selector reads."""
    params = QueryDict(mutable=True)
    for key, values in filters.items():
        params.setlist(key, [str(value) for value in values])
    params._mutable = False
    return params
