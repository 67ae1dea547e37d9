"""Personal data leaving Tilts: list exports (CSV/XLSX: streamed when small, made in the
background when large — see documents.exports), CV downloads and bulk emails. Each is
audited; bulk emails are sent by a Celery task, once per address (each recipient claimed,
then mailed outside any transaction: core.outbox)."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from core import tabular
from core.outbox import Outbox
from core.tasks import enqueue_on_commit
from documents.exports import Prepared
from institutions import permissions
from institutions.models import Unit
from institutions.services import audit_record

from . import selectors
from .models import Application, BulkEmail, BulkEmailRecipient, Role, Status

if TYPE_CHECKING:
    from accounts.models import User

logger = logging.getLogger(__name__)

# --- Export

EXPORT_FORMATS = tabular.FORMATS
neutralise = tabular.neutralise
EXPORT_KIND = "applications"
# Rows read from the database at a time (and the roles of those rows, in one query).
EXPORT_CHUNK = 2000
# What a row is read as: plain values, no model instances; labels come from tables made once.
_COLUMNS = (
    "pk",
    "reference",
    "submitted_at",
    "status",
    "institution_id",
    "unit_id",
    "volunteer__user__first_name",
    "volunteer__user__last_name",
    "volunteer__user__email",
    "volunteer__phone",
    "volunteer__municipality",
)


def export_header() -> list[str]:
    return [
        _("Reference"),
        _("Submitted"),
        _("Status"),
        _("Institution"),
        _("Unit"),
        _("Name"),
        _("Email"),
        _("Phone"),
        _("Roles and fields"),
        _("Municipality"),
    ]


@dataclass
class _Labels:
    """Every label a row needs, looked up once per export (not per row)."""

    statuses: dict[str, str]
    institutions: dict[int, str]
    units: dict[int, str]
    roles: dict[int, tuple[int, int, str]]  # pk → (order, pk, label): sorted as the inbox shows them


def _labels(units: Iterable[Unit]) -> _Labels:
    units = list(units)
    institution_ids = {unit.institution_id for unit in units}
    codes = {code: str(label) for code, label in Role.Code.choices}
    return _Labels(
        statuses={status: str(label) for status, label in Status.choices},
        institutions={unit.institution_id: unit.institution.short_name for unit in units},
        units={unit.pk: unit.name for unit in units},
        roles={
            pk: (order, pk, codes.get(code, code))
            for pk, order, code in Role.objects.filter(institution_id__in=institution_ids)
            .order_by()
            .values_list("pk", "order", "code")
        },
    )


def _chunk_rows(chunk: list[tuple], labels: _Labels) -> Iterator[list[Any]]:
    """The export rows of up to ``EXPORT_CHUNK`` applications: their roles in one query."""
    roles: dict[int, list[tuple[int, int, str]]] = {}
    for application_id, role_id in Application.roles.through.objects.filter(
        application_id__in=[record[0] for record in chunk]
    ).values_list("application_id", "role_id"):
        role = labels.roles.get(role_id)
        if role is not None:
            roles.setdefault(application_id, []).append(role)
    zone = timezone.get_current_timezone()
    for pk, reference, submitted, status, institution_id, unit_id, first, last, email, phone, place in chunk:
        yield [
            neutralise(reference),
            submitted.astimezone(zone).replace(tzinfo=None, microsecond=0),
            labels.statuses.get(status, status),
            neutralise(labels.institutions.get(institution_id, "")),
            neutralise(labels.units.get(unit_id, "")),
            neutralise(f"{first} {last}".strip()),
            neutralise(email),
            neutralise(phone),
            neutralise(", ".join(label for _order, _pk, label in sorted(roles.get(pk, ())))),
            neutralise(place),
        ]


def export_rows(applications: QuerySet[Application], labels: _Labels) -> Iterator[list[Any]]:
    """The rows of the (scoped, filtered, ordered) applications, read ``EXPORT_CHUNK`` at a
    time through ``iterator()`` (a server-side cursor on PostgreSQL): memory stays flat and
    the number of queries grows by one per chunk, not per row."""
    records = applications.prefetch_related(None).values_list(*_COLUMNS).iterator(chunk_size=EXPORT_CHUNK)
    chunk: list[tuple] = []
    for record in records:
        chunk.append(record)
        if len(chunk) == EXPORT_CHUNK:
            yield from _chunk_rows(chunk, labels)
            chunk = []
    if chunk:
        yield from _chunk_rows(chunk, labels)


def applications_export_prepare(*, actor: User, params: Any) -> Prepared:
    """The inbox export of ``actor`` with the inbox's filters (``params``): the inbox's own
    scoped selector, counted per unit (one query). No row is read until the table is written."""
    inbox = selectors.application_inbox(user=actor, params=params)
    applications = inbox.applications
    per_unit = dict(
        applications.order_by()
        .prefetch_related(None)
        .values("unit_id")
        .annotate(n=Count("pk"))
        .values_list("unit_id", "n")
    )
    # The inbox's filter has read the units the person may see (with their institutions).
    units = {unit.pk: unit for unit in inbox.filterset.units if unit.pk in per_unit}
    if missing := set(per_unit) - units.keys():
        units.update(Unit.objects.select_related("institution").in_bulk(missing))
    labels = _labels(units.values())
    total = sum(per_unit.values())

    def record(fmt: str, extra: dict[str, Any]) -> None:
        applications_export_logged(
            actor=actor, per_unit={units[pk]: count for pk, count in per_unit.items()}, fmt=fmt, extra=extra
        )

    return Prepared(
        total=total,
        table=tabular.Table(
            header=export_header(),
            rows=export_rows(applications, labels),
            sheet=_("Applications"),
            widths=(14, 17, 12, 10, 28, 28, 32, 16, 40, 18),
        ),
        filename=f"tilts-applications-{timezone.localtime():%Y%m%d-%H%M}",
        record=record,
    )


def applications_export_logged(
    *, actor: User, per_unit: dict[Unit, int], fmt: str, extra: dict[str, Any] | None = None
) -> None:
    """The audit trail of an export: one entry per unit whose rows left (``application.export``).
    Call inside the transaction (the streaming view's, or the job's that stores the file)."""
    extra = extra or {}
    total = sum(per_unit.values())
    if not per_unit:
        audit_record(actor=actor, action="application.export", data={"count": 0, "format": fmt, **extra})
    for unit, count in per_unit.items():
        audit_record(
            actor=actor,
            action="application.export",
            unit=unit,
            data={"count": count, "total": total, "format": fmt, **extra},
        )


# --- CV download


def application_cv_open(*, application: Application, actor: User) -> File:
    """Open the private CV for reading after writing the audit entry; FileNotFoundError when
    there is none."""
    if not application.cv or not application.cv.storage.exists(application.cv.name):
        raise FileNotFoundError(application.cv.name if application.cv else "no CV")
    with transaction.atomic():
        audit_record(actor=actor, action="application.cv.download", target=application, unit=application.unit)
    return application.cv.open("rb")


# --- Bulk email


@transaction.atomic
def bulk_email_create(*, unit: Unit, actor: User, subject: str, body: str, statuses: list[str]) -> BulkEmail:
    """Record a message to the unit's applicants in ``statuses``, one recipient per distinct
    address, and send it on commit."""
    from .tasks import send_bulk_email

    if not permissions.has_unit_perm(actor, permissions.COORDINATE, unit):
        raise PermissionDenied
    statuses = [Status(status).value for status in statuses]
    if not statuses:
        raise ValidationError(_("Choose at least one status."))
    bulk_email = BulkEmail.objects.create(
        unit=unit, author=actor, subject=subject.strip(), body=body, statuses=statuses
    )
    seen: set[str] = set()
    recipients = []
    for application in selectors.bulk_email_recipients(unit=unit, statuses=statuses):
        email = application.volunteer.user.email.strip().lower()
        if email and email not in seen:
            seen.add(email)
            recipients.append(BulkEmailRecipient(bulk_email=bulk_email, application=application, email=email))
    if not recipients:
        raise ValidationError(_("Nobody at this unit is in the chosen statuses."))
    BulkEmailRecipient.objects.bulk_create(recipients)
    audit_record(
        actor=actor,
        action="bulk_email.send",
        target=bulk_email,
        unit=unit,
        data={"recipients": len(recipients), "statuses": statuses, "subject": bulk_email.subject},
    )
    enqueue_on_commit(send_bulk_email, bulk_email.pk)
    return bulk_email


BULK_RECIPIENT = Outbox(
    model=BulkEmailRecipient,
    sent="sent_at",
    claimed="claimed_at",
    attempts="attempts",
    error="error",
    created="bulk_email__created_at",
)


def _bulk_message(bulk_email: BulkEmail, to: str) -> EmailMessage:
    body = f"{bulk_email.body.rstrip()}\n\n-- \n{bulk_email.unit.name}\nTilts\n"
    return EmailMessage(
        subject=bulk_email.subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        reply_to=[bulk_email.author.email],
    )


@dataclass
class BulkRun:
    sent: int = 0
    failed: int = 0


def bulk_email_send(*, bulk_email_id: int) -> BulkRun:
    """Send every recipient not yet sent. Each recipient is claimed first (one sender gets
    it), mailed outside any transaction and then marked, so that a re-run (retry, sweeper,
    second worker) never sends anyone twice and a slow mail server holds no lock. Failures
    are recorded per recipient and tried again by the next run."""
    run = BulkRun()
    bulk_email = BulkEmail.objects.select_related("unit", "author").filter(pk=bulk_email_id).first()
    if bulk_email is None:
        return run
    pending = list(
        bulk_email.recipients.filter(sent_at__isnull=True).order_by("pk").values_list("pk", "email")
    )
    connection = None
    try:
        for recipient_id, email in pending:
            claimed = BULK_RECIPIENT.claim(recipient_id)
            if claimed is None:
                continue
            try:
                if connection is None:
                    connection = get_connection()
                message = _bulk_message(bulk_email, email)
                message.connection = connection
                message.send()
            except Exception as error:  # recorded on the row; the next run tries again
                BULK_RECIPIENT.failed(recipient_id, claimed=claimed, error=error)
                run.failed += 1
                connection = _close(connection)  # a broken connection is not used again
                continue
            BULK_RECIPIENT.sent_now(recipient_id)
            run.sent += 1
    finally:
        _close(connection)
    if not bulk_email.recipients.filter(sent_at__isnull=True).exists():
        BulkEmail.objects.filter(pk=bulk_email.pk, finished_at__isnull=True).update(
            finished_at=timezone.now()
        )
    return run


def _close(connection) -> None:
    if connection is not None:
        try:
            connection.close()
        except Exception:  # closing a connection that already failed
            logger.debug("Closing the mail connection failed", exc_info=True)
