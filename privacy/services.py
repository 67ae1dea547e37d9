"""Writes of the data-protection app: the audited data download, the anonymisation of a
person (every registered eraser, in one transaction), and the daily retention run.

Anonymisation is irreversible. It keeps what the statistics need (applications with their
status, unit, roles and dates; agreements' terms and dates; training completions) and
removes who the person was. Each app says what that means for its data in its
``personal_data.py`` (``core.personal_data``)."""

from __future__ import annotations

import logging
from datetime import date, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from agreements.models import Agreement
from core import personal_data
from core.dates import local_date, local_today
from core.storage import private_storage
from documents.services import documents_destroy
from institutions import permissions
from institutions.models import AuditEvent
from institutions.services import audit_record
from volunteers.models import ErasureRequest, Volunteer
from volunteers.personal_data import ERASURE_REASON

from . import selectors
from .models import RetentionRun

if TYPE_CHECKING:
    from accounts.models import User

logger = logging.getLogger(__name__)
RUN_STALE_AFTER = timedelta(hours=2)  # a run not finished by then was lost; the next takes over


def _delete_files(names: list[str]) -> None:
    for name in names:
        try:
            private_storage.delete(name)
        except OSError:  # the rows no longer name it: say so loudly, never fail the commit
            logger.exception("Could not delete the private file %s", name)


def delete_files_on_commit(names: list[str]) -> None:
    """Private files go only once the rows that named them are committed without them."""
    names = [name for name in names if name]
    if names:
        transaction.on_commit(partial(_delete_files, names))


# --- The data download


def volunteer_data(*, volunteer: Volunteer, actor: User, fmt: str = "json") -> dict[str, Any]:
    """Everything stored about the person, for them to download (GDPR Art. 15 and 20); the
    download itself is in the audit trail."""
    with transaction.atomic():
        data = selectors.volunteer_data(volunteer)
        audit_record(actor=actor, action="volunteer.data_export", target=volunteer, data={"format": fmt})
    return data


# --- Anonymisation


@transaction.atomic
def volunteer_anonymise(
    *,
    volunteer: Volunteer,
    actor: User | None,
    notice_date: date | None = None,
    today: date | None = None,
    reason: str = "erasure",
) -> Volunteer:
    """Remove the person from the data and keep the statistics, through every app's eraser
    (``core.personal_data``) in one transaction; files are deleted after commit.
    ``notice_date`` is when the person asked (the erasure request), which is their written
    notice for agreements in force. Refused while any app has a reason to wait."""
    volunteer = Volunteer.objects.select_for_update(of=("self",)).select_related("user").get(pk=volunteer.pk)
    if volunteer.anonymised_at is not None:
        raise PermissionDenied
    User = get_user_model()
    user = User.objects.select_for_update().get(pk=volunteer.user_id)
    volunteer.user = user  # one instance: the erasers change it, the audit label reads it
    if user.is_staff or user.is_superuser or permissions.is_staff_role(user):
        raise ValidationError(
            _("This account also has a staff role. Remove the role before anonymising the person.")
        )
    today = today or local_today()
    if reason == "retention" and not selectors.expired_people(
        today=today, periods=selectors.periods_by_institution(), volunteer_ids=[volunteer.pk]
    ):
        # Checked again under the lock: an application or a training place since the plan.
        raise ValidationError(_("The person's records are current again; nothing was changed."))
    erasure = selectors.erasure_for(
        volunteer, user, actor=actor, today=today, notice_date=notice_date or today, reason=reason
    )
    erasure.emails += list(
        EmailAddress.objects.filter(user=user)
        .exclude(email__iexact=user.email)
        .values_list("email", flat=True)
    )
    sections = personal_data.sections()
    blockers = selectors.blockers_of([erasure])[volunteer.pk]
    if blockers:
        raise ValidationError(blockers)
    targets = personal_data.audit_targets(volunteer)  # before the erasers remove any of them

    # The person's own account and profile go last: the other erasers still read them.
    for section in reversed(sections):
        if section.erase is not None:
            section.erase(erasure)
    volunteer.anonymised_at = timezone.now()
    volunteer.save(update_fields=["anonymised_at"])
    # Earlier versions of the person's records would bring everything back (this save too).
    volunteer.history.all().delete()

    # The audit trail keeps what happened, not who it was: every entry about the person's
    # records shows the record as it is now (a reference, a number, the anonymised name).
    # Reasons and notes typed into their audit data are free text too (the erasure's own
    # reason code stays).
    for model, ids in targets:
        content_type = ContentType.objects.get_for_model(model)
        labels: dict[str, list[str]] = {}
        current = {str(obj.pk): str(obj)[:255] for obj in model._default_manager.filter(pk__in=ids)}
        for pk in ids:
            labels.setdefault(current.get(pk, erasure.label), []).append(pk)
        for label, pks in labels.items():
            AuditEvent.objects.filter(target_type=content_type, target_id__in=pks).update(target_label=label)
        for event in AuditEvent.objects.filter(target_type=content_type, target_id__in=ids).filter(
            Q(data__has_key="reason") | Q(data__has_key="note")
        ):
            event.data = {
                key: ("" if key in ("reason", "note") and value != ERASURE_REASON else value)
                for key, value in event.data.items()
            }
            event.save(update_fields=["data"])
    # A request still waiting (the retention job came first) is done: nothing is left to confirm.
    ErasureRequest.objects.filter(volunteer=volunteer, state=ErasureRequest.State.PENDING).update(
        state=ErasureRequest.State.DONE, decided_by=actor, decided_at=timezone.now()
    )
    audit_record(
        actor=actor,
        action="retention.anonymise" if reason == "retention" else "volunteer.anonymise",
        target=volunteer,
        data={"reason": reason},
    )
    delete_files_on_commit(erasure.files)
    return volunteer


# --- Retention


def _agreement_files_destroy(*, agreement_id: int) -> bool:
    with transaction.atomic():
        agreement = (
            Agreement.objects.select_for_update(of=("self",)).select_related("unit").get(pk=agreement_id)
        )
        files = documents_destroy(subject=agreement, reason=_("The retention period ended."), actor=None)
        if agreement.signed_scan:
            files.append(agreement.signed_scan.name)
            agreement.signed_scan = ""
            agreement.save(update_fields=["signed_scan", "updated_at"])
        if not files:
            return False
        audit_record(
            actor=None,
            action="retention.destroy",
            target=agreement,
            unit=agreement.unit,
            data={"files": len(files)},
        )
        delete_files_on_commit(files)
    return True


def _take_run(today: date) -> RetentionRun | None:
    """The day's run row, taken: None when it is finished, or running elsewhere."""
    now = timezone.now()
    with transaction.atomic():
        run, created = RetentionRun.objects.select_for_update().get_or_create(run_on=today)
        if created:
            return run
        if run.finished_at is not None or run.started_at > now - RUN_STALE_AFTER:
            return None
        run.started_at = now  # a lost run (a killed worker): this one carries on
        run.save(update_fields=["started_at"])
    return run


def retention_run(*, today: date | None = None) -> RetentionRun:
    """The daily retention job, exactly once per day: people whose retention period has
    ended at every institution they were with are anonymised, and ended agreements past
    their documents' period lose their PDFs and scan. Each person and agreement is its own
    transaction and is checked again under its lock; a failure is reported and the rest go
    on; the counts are saved as it goes. Running it again the same day does nothing, unless
    the first run was lost — then it carries on where that one stopped (every step is
    idempotent)."""
    today = today or local_today()
    run = _take_run(today)
    if run is None:
        return RetentionRun.objects.get(run_on=today)
    plan = selectors.retention_plan(today=today)

    def save_progress() -> None:
        RetentionRun.objects.filter(pk=run.pk).update(
            anonymised=run.anonymised, agreements_cleared=run.agreements_cleared, skipped=run.skipped
        )

    for person in plan.people:
        try:
            volunteer_anonymise(
                volunteer=Volunteer(pk=person.volunteer_id), actor=None, reason="retention", today=today
            )
        except (ValidationError, PermissionDenied) as refused:
            why = " ".join(getattr(refused, "messages", []) or [str(refused)])
        except Exception as error:  # one person's failure must not stop the others
            logger.exception("Retention: anonymising volunteer %s failed", person.volunteer_id)
            why = f"{type(error).__name__}: {error}"[:500]
        else:
            run.anonymised += 1
            save_progress()
            continue
        run.skipped = [
            *run.skipped,
            {"volunteer": person.volunteer_id, "institutions": sorted(person.institution_ids), "why": why},
        ]
        save_progress()
    for agreement in plan.agreements:
        try:
            destroyed = _agreement_files_destroy(agreement_id=agreement.agreement_id)
        except Exception as error:
            logger.exception("Retention: destroying agreement %s files failed", agreement.agreement_id)
            run.skipped = [
                *run.skipped,
                {
                    "agreement": agreement.agreement_id,
                    "institutions": [agreement.institution_id],
                    "why": f"{type(error).__name__}: {error}"[:500],
                },
            ]
        else:
            run.agreements_cleared += int(destroyed)
        save_progress()
    run.finished_at = timezone.now()
    run.save(update_fields=["anonymised", "agreements_cleared", "skipped", "finished_at"])
    return run


def erasure_notice_date(request) -> date:
    """The day an erasure request was made: the volunteer's written notice."""
    return local_date(request.created_at)


@transaction.atomic
def retention_policy_save(*, actor: User, policy, changed: list[str]):
    """A central coordinator's change of their institution's periods (from the admin)."""
    if not permissions.can_manage_coordinators(actor, policy.institution_id):
        raise PermissionDenied
    policy.full_clean()
    policy._history_user = actor
    policy.save()
    audit_record(
        actor=actor,
        action="retention.policy",
        target=policy,
        institution=policy.institution,
        data={field: getattr(policy, field) for field in changed if field != "institution"},
    )
    return policy
