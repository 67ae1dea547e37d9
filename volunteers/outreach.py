"""Personal data leaving Tilts: list exports (CSV/XLSX), CV downloads and bulk emails.
Each is audited; bulk emails are sent by a Celery task, once per address (each recipient
claimed, then mailed outside any transaction: core.outbox)."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from core import tabular
from core.outbox import Outbox
from core.tasks import enqueue_on_commit
from institutions import permissions
from institutions.models import Unit
from institutions.services import audit_record

from . import selectors
from .models import Application, BulkEmail, BulkEmailRecipient, Status

if TYPE_CHECKING:
    from accounts.models import User

logger = logging.getLogger(__name__)

# --- Export

EXPORT_FORMATS = tabular.FORMATS
neutralise = tabular.neutralise


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


def _row(application: Application) -> list[Any]:
    user = application.volunteer.user
    return [
        application.reference,
        timezone.localtime(application.submitted_at).replace(tzinfo=None, microsecond=0),
        application.get_status_display(),
        application.institution.short_name,
        application.unit.name,
        user.get_full_name(),
        user.email,
        application.volunteer.phone,
        ", ".join(str(role) for role in application.roles.all()),
        application.volunteer.municipality,
    ]


def export_rows(applications: Iterable[Application]) -> Iterator[list[Any]]:
    for application in applications:
        yield [neutralise(value) for value in _row(application)]


def _csv(rows: Iterable[list[Any]]) -> bytes:
    return tabular.to_csv(export_header(), rows)


def _xlsx(rows: Iterable[list[Any]]) -> bytes:
    return tabular.to_xlsx(
        export_header(), rows, sheet=_("Applications"), widths=[14, 17, 12, 10, 28, 28, 32, 16, 40, 18]
    )


@dataclass
class Export:
    content: bytes
    content_type: str
    filename: str
    count: int


@transaction.atomic
def applications_export(*, actor: User, applications: QuerySet[Application], fmt: str) -> Export:
    """The rows of an (already scoped and filtered) inbox as CSV or XLSX, audited per unit."""
    if fmt not in EXPORT_FORMATS:
        raise ValidationError(_("Unknown export format."))
    rows = list(applications)
    content = _csv(export_rows(rows)) if fmt == "csv" else _xlsx(export_rows(rows))
    per_unit = Counter(application.unit for application in rows)
    if not per_unit:
        audit_record(actor=actor, action="application.export", data={"count": 0, "format": fmt})
    for unit, count in per_unit.items():
        audit_record(
            actor=actor,
            action="application.export",
            unit=unit,
            data={"count": count, "total": len(rows), "format": fmt},
        )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    content_type = (
        "text/csv; charset=utf-8"
        if fmt == "csv"
        else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    return Export(
        content=content,
        content_type=content_type,
        filename=f"tilts-applications-{stamp}.{fmt}",
        count=len(rows),
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
