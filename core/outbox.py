"""Outbound work recorded on a status row (an email still to send), sent without holding
a lock and swept when lost.

The pattern, for every such row: the writing service marks the row as "to send" in its
transaction and queues the task on commit (``core.tasks.enqueue_on_commit``: a broker that
is down never fails the request). The task then

1. **claims** the row — one compare-and-set ``UPDATE`` that succeeds for one sender only,
   commits at once and counts the attempt (a killed worker's attempt counts too);
2. **sends** outside any transaction or row lock (``EMAIL_TIMEOUT`` bounds a hung server);
3. marks the row **sent** — or, on failure, records the error and releases the claim so
   that the task's own retry or the periodic sweeper tries again.

The sweeper (each app's ``*_sweep`` task, a django-celery-beat row every 10 minutes) queues
again rows not sent ``RETRY_AFTER`` after they were written, that nobody holds, with fewer
than ``MAX_ATTEMPTS`` tries and younger than ``GIVE_UP_AFTER`` (a week-old notice is noise;
its error stays on the row). A duplicate message is harmless: the claim lets one sender
through, and a row sent is never claimed again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import models
from django.db.models import F, Q
from django.utils import timezone

RETRY_AFTER = timedelta(minutes=10)
# A claim older than this belongs to a sender that died (a send is bounded by EMAIL_TIMEOUT).
CLAIM_STALE_AFTER = timedelta(minutes=15)
# The task's own retries (a few within 15 minutes) and then one try per sweep: a mail
# server down for about three hours loses nothing.
MAX_ATTEMPTS = 24
GIVE_UP_AFTER = timedelta(days=7)
SWEEP_BATCH = 200


def _nothing(now: datetime) -> Q:
    return Q()


@dataclass(frozen=True)
class Outbox:
    """The outbox fields of one model. ``created`` may follow a relation (it ages the row);
    ``pending`` gives further conditions for the row to be worth sending (at ``now``)."""

    model: type[models.Model]
    sent: str
    claimed: str
    attempts: str
    error: str
    created: str
    pending: Callable[[datetime], Q] = field(default=_nothing)

    def _unsent(self, now: datetime) -> models.QuerySet:
        return self.model._default_manager.filter(self.pending(now), **{f"{self.sent}__isnull": True}).filter(
            Q(**{f"{self.claimed}__isnull": True}) | Q(**{f"{self.claimed}__lt": now - CLAIM_STALE_AFTER})
        )

    def claim(self, pk: int, *, now: datetime | None = None) -> datetime | None:
        """Take the row for sending; its claim time, or None when it is sent, taken by
        another sender, or no longer worth sending. Commits at once outside a transaction."""
        now = now or timezone.now()
        taken = (
            self._unsent(now).filter(pk=pk).update(**{self.claimed: now, self.attempts: F(self.attempts) + 1})
        )
        return now if taken else None

    def claim_many(self, pks: list[int], *, now: datetime | None = None) -> tuple[datetime, models.QuerySet]:
        """``claim`` for many rows in one ``UPDATE``: the claim time and (unevaluated) the
        rows this sender took — not those sent, held by another sender or not worth sending."""
        now = now or timezone.now()
        self._unsent(now).filter(pk__in=pks).update(
            **{self.claimed: now, self.attempts: F(self.attempts) + 1}
        )
        return now, self.model._default_manager.filter(pk__in=pks, **{self.claimed: now})

    def sent_now(self, pk: int, **fields) -> None:
        self.model._default_manager.filter(pk=pk).update(
            **{self.sent: timezone.now(), self.claimed: None, self.error: "", **fields}
        )

    def failed(self, pk: int, *, claimed: datetime, error: BaseException) -> None:
        """Record the error and release this sender's claim (not one taken over since)."""
        self.model._default_manager.filter(pk=pk, **{self.claimed: claimed}).update(
            **{self.claimed: None, self.error: f"{type(error).__name__}: {error}"[:255]}
        )

    def due(self, *, now: datetime | None = None, limit: int = SWEEP_BATCH) -> list[int]:
        """The rows the sweeper queues again: unsent, stale, free, not given up; oldest first."""
        now = now or timezone.now()
        return list(
            self._unsent(now)
            .filter(
                **{
                    f"{self.created}__lt": now - RETRY_AFTER,
                    f"{self.created}__gte": now - GIVE_UP_AFTER,
                    f"{self.attempts}__lt": MAX_ATTEMPTS,
                }
            )
            .order_by(self.created, "pk")
            .values_list("pk", flat=True)[:limit]
        )
