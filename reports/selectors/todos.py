"""The coordinators' to-dos on the home page: what waits for them at the units they coordinate
(a unit coordinator's units, a central coordinator's institution), each a link to the list
behind it. Counts only, aggregated in the database: a fixed number of queries whatever the
number of units and rows. The ministry, read-only, has none."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from agreements.models import Agreement
from agreements.models import Status as AgreementStatus
from agreements.selectors import ENDING_SOON_DAYS, ending_soon
from casework.models import MediatorCertificate
from casework.selectors import CERTIFICATE_WARNING_DAYS
from events import selectors as event_selectors
from institutions import permissions
from institutions.models import Institution
from trainings import selectors as training_selectors
from trainings.models import Session
from trainings.reminders import EXPIRING_DAYS
from volunteers.models import OPEN_STATUSES, Application

if TYPE_CHECKING:
    from accounts.models import User

# An application that has stayed in its step longer than this is flagged as waiting long.
WAITING_DAYS = 14


@dataclass(frozen=True)
class Todo:
    key: str
    label: str
    count: int
    url: str  # "" when no list shows exactly these
    late: int = 0  # of ``count``, how many have waited longer than WAITING_DAYS


@dataclass(frozen=True)
class TodoGroup:
    key: str
    title: str
    items: list[Todo]


def _url(name: str, anchor: str = "", **params: str) -> str:
    query = f"?{urlencode(params)}" if params else ""
    return f"{reverse(name)}{query}{'#' + anchor if anchor else ''}"


def _items(*candidates: Todo) -> list[Todo]:
    """Only what has something waiting."""
    return [todo for todo in candidates if todo.count]


def _applications(unit_ids: frozenset[int], now: datetime) -> list[Todo]:
    """Open applications per step, and how many have waited in it too long (one query)."""
    since = now - timedelta(days=WAITING_DAYS)
    counts = Application.objects.filter(unit_id__in=unit_ids, status__in=OPEN_STATUSES).aggregate(
        **{status: Count("pk", filter=Q(status=status)) for status in OPEN_STATUSES},
        **{
            f"{status}_late": Count("pk", filter=Q(status=status, status_changed_at__lt=since))
            for status in OPEN_STATUSES
        },
    )
    return _items(
        *(
            Todo(
                key=f"applications_{status}",
                label=status.label,
                count=counts[status] or 0,
                late=counts[f"{status}_late"] or 0,
                url=_url("volunteers:inbox", status=status.value),
            )
            for status in OPEN_STATUSES
        )
    )


def _agreements(unit_ids: frozenset[int], today: date) -> list[Todo]:
    """Generated but not sent, sent but not signed, in force and ending soon (one query)."""
    counts = Agreement.objects.filter(unit_id__in=unit_ids).aggregate(
        generated=Count("pk", filter=Q(status=AgreementStatus.GENERATED)),
        sent=Count("pk", filter=Q(status=AgreementStatus.SENT)),
        ending=Count("pk", filter=ending_soon(today)),
    )
    return _items(
        Todo(
            key="agreements_generated",
            label=pgettext_lazy("agreements waiting", "To send"),
            count=counts["generated"],
            url=_url("agreements:list", status=AgreementStatus.GENERATED.value),
        ),
        Todo(
            key="agreements_sent",
            label=pgettext_lazy("agreements waiting", "Awaiting signature"),
            count=counts["sent"],
            url=_url("agreements:list", status=AgreementStatus.SENT.value),
        ),
        Todo(
            key="agreements_ending",
            label=_("Ending within %(days)d days") % {"days": ENDING_SOON_DAYS},
            count=counts["ending"],
            url=_url("agreements:list", ending="on"),
        ),
    )


def _events(user: User, now: datetime) -> list[Todo]:
    """The events queue's counts (``events.selectors.queue_counts``: three queries)."""
    counts = event_selectors.queue_counts(user, now=now)
    return _items(
        Todo(
            key="events_proposals",
            label=_("Proposals to decide"),
            count=counts["proposals"],
            url=_url("events:queue", anchor="proposals"),
        ),
        Todo(
            key="events_to_report",
            label=_("Events awaiting a report"),
            count=counts["to_report"],
            url=_url("events:queue", anchor="to-report"),
        ),
        Todo(
            key="events_to_review",
            label=_("Reports to review"),
            count=counts["to_review"],
            url=_url("events:queue", anchor="to-review"),
        ),
        Todo(
            key="events_hours",
            label=_("Hours to approve"),
            count=counts["hours"],
            url=_url("events:hours"),
        ),
        Todo(
            key="events_certificates",
            label=_("Certificate requests"),
            count=counts["certificates"],
            url=_url("events:queue", anchor="certificate-requests"),
        ),
    )


def _trainings(unit_ids: frozenset[int], today: date) -> list[Todo]:
    """Sessions over but not completed (attendance and completions to record), and
    completions of recurring courses expiring soon (two queries)."""
    to_complete = training_selectors.to_complete(Session.objects.filter(unit_id__in=unit_ids), today).count()
    expiring = training_selectors.expiring_completions(unit_ids=unit_ids, today=today).count()
    return _items(
        Todo(
            key="trainings_to_complete",
            label=_("Sessions over, attendance to complete"),
            count=to_complete,
            url=_url("trainings:sessions", when="past", to_complete="on"),
        ),
        Todo(
            key="trainings_expiring",
            label=_("Trainings expiring within %(days)d days") % {"days": EXPIRING_DAYS},
            count=expiring,
            # No list shows these completions (each has its own page): no link.
            url="",
        ),
    )


def _casework(unit_ids: frozenset[int], today: date) -> list[Todo]:
    """VPD: mediator certificates expiring soon, as the casework page lists them (one query)."""
    expiring = MediatorCertificate.objects.filter(
        unit_id__in=unit_ids,
        annulled_on__isnull=True,
        valid_until__gte=today,
        valid_until__lte=today + timedelta(days=CERTIFICATE_WARNING_DAYS),
    ).count()
    return _items(
        Todo(
            key="casework_certificates",
            label=_("Mediator certificates expiring within %(days)d days")
            % {"days": CERTIFICATE_WARNING_DAYS},
            count=expiring,
            url=_url("casework:home", anchor="expiring-heading"),
        )
    )


def todos_for(
    *, user: User, institution_codes: Iterable[str] = (), now: datetime | None = None
) -> list[TodoGroup]:
    """What waits for the person at the units they coordinate, grouped, empty groups left
    out. ``institution_codes``: the institutions of those units (casework only at VPD).
    Seven queries (eight with VPD); none for someone who coordinates nothing."""
    unit_ids = permissions.unit_ids_for(user, permissions.COORDINATE)
    if not unit_ids:
        return []
    now = now or timezone.now()
    today = timezone.localdate(now)
    groups = [
        TodoGroup("applications", _("Applications"), _applications(unit_ids, now)),
        TodoGroup("agreements", "", _agreements(unit_ids, today)),  # the institutions' word
        TodoGroup("events", _("Events"), _events(user, now)),
        TodoGroup("trainings", _("Trainings"), _trainings(unit_ids, today)),
    ]
    if Institution.Code.VPD in set(institution_codes):
        groups.append(TodoGroup("casework", _("Casework"), _casework(unit_ids, today)))
    return [group for group in groups if group.items]
