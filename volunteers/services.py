"""Every write of the volunteers app: keyword-only, atomic, history and audit in the same
transaction, emails on commit (claimed, then sent outside the transaction: core.outbox)."""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.dates import local_year
from core.outbox import Outbox
from core.tasks import enqueue_on_commit
from institutions import permissions
from institutions.models import Institution, Unit
from institutions.services import audit_record

from .models import (
    OPEN_STATUSES,
    Application,
    ApplicationEvent,
    Assessment,
    BulkEmailRecipient,
    Role,
    Status,
    VettingRecord,
    Volunteer,
)

if TYPE_CHECKING:
    from accounts.models import User


class TransitionError(ValidationError):
    pass


# The selection pipeline (DESIGN.md section 3). Reject and withdraw are allowed from every
# open state; an active volunteer pauses, resumes or ends.
ALLOWED: dict[str, set[str]] = {
    Status.SUBMITTED: {Status.SCREENING},
    Status.SCREENING: {Status.VETTING},
    Status.VETTING: {Status.TRAINING},
    Status.TRAINING: {Status.AGREEMENT},
    Status.AGREEMENT: {Status.ACTIVE},
    Status.ACTIVE: {Status.PAUSED, Status.ENDED},
    Status.PAUSED: {Status.ACTIVE, Status.ENDED},
    Status.ENDED: set(),
    Status.REJECTED: set(),
    Status.WITHDRAWN: set(),
}
for _open in OPEN_STATUSES:
    ALLOWED[_open] |= {Status.REJECTED, Status.WITHDRAWN}
REASON_REQUIRED = {Status.REJECTED, Status.WITHDRAWN, Status.ENDED, Status.PAUSED}


def allowed_transitions(application: Application) -> list[Status]:
    return [Status(s) for s in Status.values if s in ALLOWED[application.status]]


# --- Submitting an application


@dataclass
class PersonDetails:
    first_name: str
    last_name: str
    email: str
    date_of_birth: date
    phone: str
    address: str
    municipality: str
    personal_code: str = ""
    languages: str = ""
    education: str = ""
    occupation: str = ""
    availability: str = ""


@dataclass
class ApplicationDetails:
    motivation: str
    record_declaration: str
    consent_record_check: bool
    consent_data_processing: bool
    experience: str = ""
    heard_from: str = ""
    guardian_name: str = ""
    guardian_contact: str = ""
    guardian_consent: bool = False
    roles: list[Role] = field(default_factory=list)
    preferred_units: list[Unit] = field(default_factory=list)


def open_application_for(
    *, institution: Institution, email: str = "", personal_code: str = ""
) -> Application | None:
    """An open application of the same person at the institution, found by email or personal code."""
    match = Q()
    if email:
        match |= Q(volunteer__user__email__iexact=email.strip())
    if personal_code:
        match |= Q(volunteer__personal_code=personal_code)
    if not match:
        return None
    return Application.objects.open().filter(match, institution=institution).first()


def responsible_unit(institution: Institution, preferred: Iterable[Unit]) -> Unit:
    """The first preferred unit of the institution, else its central office."""
    for unit in preferred:
        if unit.institution_id == institution.pk:
            return unit
    unit = (
        Unit.objects.valid_today()
        .filter(institution=institution, kind=Unit.Kind.CENTRAL_OFFICE)
        .order_by("pk")
        .first()
    )
    if unit is None:
        raise ValidationError(_("The institution has no unit that can receive applications."))
    return unit


@transaction.atomic
def applications_submit(
    *,
    person: PersonDetails,
    details: ApplicationDetails,
    institutions: list[Institution],
    cv: UploadedFile | None = None,
    user: User | None = None,
    password: str | None = None,
    language: str = "lv",
) -> list[Application]:
    """Create the volunteer (and, for a new person, the account) and one application per
    chosen institution, in one transaction. Emails go out on commit."""
    from .tasks import notify_coordinators_of_submission

    User = get_user_model()
    email = person.email.strip().lower()
    for institution in institutions:
        duplicate = open_application_for(
            institution=institution, email=email, personal_code=person.personal_code
        )
        if duplicate is not None:
            raise ValidationError(
                _("You already have an open application (%(reference)s) at %(institution)s.")
                % {"reference": duplicate.reference, "institution": institution.short_name},
                code="duplicate",
            )
    new_account = user is None
    if new_account:
        if User.objects.filter(email__iexact=email).exists():
            raise ValidationError(
                _("An account with this email address exists. Sign in to apply."), code="account_exists"
            )
        user = User.objects.create_user(
            email=email,
            password=password,
            first_name=person.first_name.strip(),
            last_name=person.last_name.strip(),
            language=language,
        )
        EmailAddress.objects.create(user=user, email=email, primary=True, verified=False)
    volunteer, created = Volunteer.objects.get_or_create(
        user=user,
        defaults={
            "personal_code": person.personal_code,
            "date_of_birth": person.date_of_birth,
            "phone": person.phone,
            "address": person.address,
            "municipality": person.municipality,
            "languages": person.languages,
            "education": person.education,
            "occupation": person.occupation,
            "availability": person.availability,
        },
    )
    if not created:
        for name in (
            "phone",
            "address",
            "municipality",
            "languages",
            "education",
            "occupation",
            "availability",
        ):
            setattr(volunteer, name, getattr(person, name))
        volunteer.save()
    applications = []
    now = timezone.now()
    for institution in institutions:
        for_institution = [u for u in details.preferred_units if u.institution_id == institution.pk]
        application = Application.objects.create(
            volunteer=volunteer,
            institution=institution,
            unit=responsible_unit(institution, for_institution),
            motivation=details.motivation,
            experience=details.experience,
            heard_from=details.heard_from,
            record_declaration=details.record_declaration,
            consent_record_check=details.consent_record_check,
            consent_data_processing=details.consent_data_processing,
            guardian_name=details.guardian_name,
            guardian_contact=details.guardian_contact,
            guardian_consent=details.guardian_consent,
            language=language,
            submitted_at=now,
            status_changed_at=now,
        )
        application.reference = f"T{local_year(now)}-{application.pk:05d}"
        if cv is not None:
            cv.seek(0)
            application.cv.save(f"{application.reference}.pdf", cv, save=False)
        application.save()
        application.preferred_units.set(for_institution)
        application.roles.set([r for r in details.roles if r.institution_id == institution.pk])
        ApplicationEvent.objects.create(
            application=application,
            actor=user,
            kind=ApplicationEvent.Kind.SUBMITTED,
            to_status=Status.SUBMITTED,
            visible_to_volunteer=True,
            created_at=now,
        )
        audit_record(actor=user, action="application.submit", target=application, unit=application.unit)
        enqueue_on_commit(notify_coordinators_of_submission, application.pk)
        applications.append(application)
    return applications


# --- The pipeline


def _require_coordinator(actor: User, application: Application) -> None:
    if not permissions.has_unit_perm(actor, permissions.COORDINATE, application.unit):
        raise PermissionDenied


@transaction.atomic
def application_transition(
    *, application_id: int, to: str, actor: User, reason: str = "", notify: bool = True
) -> Application:
    """Move an application along the pipeline. Coordinators of its unit move it; the
    volunteer may only withdraw their own open application."""
    application = (
        Application.objects.select_for_update().select_related("unit", "volunteer").get(pk=application_id)
    )
    to = Status(to)
    is_owner = application.volunteer.user_id == actor.pk
    if not (is_owner and to == Status.WITHDRAWN):
        _require_coordinator(actor, application)
    if to not in ALLOWED[application.status]:
        raise TransitionError(
            _("Cannot move from “%(a)s” to “%(b)s”.") % {"a": application.get_status_display(), "b": to.label}
        )
    reason = reason.strip()
    if to in REASON_REQUIRED and not reason and not is_owner:
        raise TransitionError(_("Give a reason for “%(b)s”.") % {"b": to.label})
    if to == Status.TRAINING and not any(r.is_valid_today for r in application.vetting_records.all()):
        raise TransitionError(_("Record a cleared, valid criminal-record check before training."))
    if to == Status.AGREEMENT:
        missing = _missing_training(application)
        if missing:
            raise TransitionError(
                _("Training not completed: %(courses)s.") % {"courses": ", ".join(str(c) for c in missing)}
            )
    return _apply_transition(application, to=to, actor=actor, reason=reason, notify=notify and not is_owner)


def _missing_training(application: Application) -> list:
    """The courses the application's roles still need (see trainings.selectors)."""
    from trainings.selectors import missing_courses

    return missing_courses(volunteer=application.volunteer, roles=application.roles.all())


@transaction.atomic
def application_training_completed(*, application_id: int, actor: User, reason: str) -> Application | None:
    """A recorded completion qualified the applicant: move the application from the
    training step to the agreement step (its unit's coordinators need not have recorded
    it — the completion may come from a session at another unit). ``None`` when the
    application is not in the training step or its roles still need another course."""
    application = (
        Application.objects.select_for_update().select_related("unit", "volunteer").get(pk=application_id)
    )
    if application.status != Status.TRAINING or _missing_training(application):
        return None
    return _apply_transition(application, to=Status.AGREEMENT, actor=actor, reason=reason, notify=True)


def _apply_transition(
    application: Application, *, to: str, actor: User, reason: str, notify: bool
) -> Application:
    from .tasks import notify_applicant

    previous = application.status
    application.status = to
    application.status_changed_at = timezone.now()
    application.save(update_fields=["status", "status_changed_at", "updated_at"])
    event = ApplicationEvent.objects.create(
        application=application,
        actor=actor,
        kind=ApplicationEvent.Kind.TRANSITION,
        from_status=previous,
        to_status=to,
        reason=reason,
        visible_to_volunteer=True,
        notify=notify,
    )
    audit_record(
        actor=actor,
        action="application.transition",
        target=application,
        unit=application.unit,
        data={"from": previous, "to": to, "reason": reason},
    )
    if event.notify:
        enqueue_on_commit(notify_applicant, event.pk)
    return application


@transaction.atomic
def application_reassign(
    *, application: Application, unit: Unit, actor: User, reason: str = ""
) -> Application:
    """Hand an application to another unit of the same institution."""
    application = Application.objects.select_for_update().select_related("unit").get(pk=application.pk)
    _require_coordinator(actor, application)
    if unit.institution_id != application.institution_id:
        raise ValidationError(_("An application can only move to a unit of the same institution."))
    if not unit.is_valid_today:
        raise ValidationError(_("This unit is closed."))
    if unit.pk == application.unit_id:
        raise ValidationError(_("The application is already with this unit."))
    previous = application.unit
    application.unit = unit
    application.save(update_fields=["unit", "updated_at"])
    ApplicationEvent.objects.create(
        application=application,
        actor=actor,
        kind=ApplicationEvent.Kind.REASSIGNED,
        reason=reason,
        data={"from": previous.name, "to": unit.name},
    )
    audit_record(
        actor=actor,
        action="application.reassign",
        target=application,
        unit=previous,
        data={"to": unit.slug, "reason": reason},
    )
    audit_record(
        actor=actor,
        action="application.reassign",
        target=application,
        unit=unit,
        data={"from": previous.slug, "reason": reason},
    )
    return application


@transaction.atomic
def assessment_add(
    *,
    application: Application,
    actor: User,
    notes: str,
    interviewed_on: date | None = None,
    motivation_score: int | None = None,
    communication_score: int | None = None,
    reliability_score: int | None = None,
    recommendation: str = "",
) -> Assessment:
    _require_coordinator(actor, application)
    assessment = Assessment.objects.create(
        application=application,
        author=actor,
        notes=notes,
        interviewed_on=interviewed_on,
        motivation_score=motivation_score,
        communication_score=communication_score,
        reliability_score=reliability_score,
        recommendation=recommendation,
    )
    ApplicationEvent.objects.create(application=application, actor=actor, kind=ApplicationEvent.Kind.NOTE)
    audit_record(actor=actor, action="application.note", target=application, unit=application.unit)
    return assessment


@transaction.atomic
def vetting_record(
    *,
    application: Application,
    actor: User,
    requested_on: date,
    result: str = VettingRecord.Result.PENDING,
    result_on: date | None = None,
    valid_until: date | None = None,
    record: VettingRecord | None = None,
) -> VettingRecord:
    """Record (or update) a criminal-record check: dates, result, validity — nothing more."""
    _require_coordinator(actor, application)
    if result != VettingRecord.Result.PENDING and result_on is None:
        raise ValidationError(_("Enter the date the result was received."))
    if result_on and result_on < requested_on:
        raise ValidationError(_("The result cannot come before the request."))
    if valid_until and result != VettingRecord.Result.CLEARED:
        raise ValidationError(_("Only a cleared check has a validity date."))
    if record is None:
        record = VettingRecord(application=application)
    elif record.application_id != application.pk:
        raise PermissionDenied
    record.requested_on = requested_on
    record.result = result
    record.result_on = result_on
    record.valid_until = valid_until
    record.checked_by = actor
    record.save()
    ApplicationEvent.objects.create(
        application=application, actor=actor, kind=ApplicationEvent.Kind.VETTING, data={"result": result}
    )
    audit_record(
        actor=actor,
        action="vetting.record",
        target=application,
        unit=application.unit,
        data={"result": result},
    )
    return record


def vetting_view_logged(*, application: Application, actor: User) -> None:
    """Viewing a vetting result is personal data of Art. 10 GDPR: every view is logged."""
    audit_record(actor=actor, action="vetting.view", target=application, unit=application.unit)


# --- Emails (run by tasks; each sent once; claimed, then sent outside any lock)

SUBMISSION_NOTICE = Outbox(
    model=Application,
    sent="coordinators_notified_at",
    claimed="coordinators_notice_claimed_at",
    attempts="coordinators_notice_attempts",
    error="coordinators_notice_error",
    created="submitted_at",
)
STATUS_EMAIL = Outbox(
    model=ApplicationEvent,
    sent="emailed_at",
    claimed="email_claimed_at",
    attempts="email_attempts",
    error="email_error",
    created="created_at",
    # An erased or deactivated person is not written to.
    pending=lambda now: Q(notify=True, application__volunteer__user__is_active=True),
)


def _send(*, to: list[str], language: str, template: str, context: dict, connection=None) -> None:
    from django.conf import settings
    from django.core.mail import EmailMessage
    from django.template.loader import render_to_string
    from django.utils import translation

    with translation.override(language):
        subject = render_to_string(f"volunteers/email/{template}_subject.txt", context).strip()
        body = render_to_string(f"volunteers/email/{template}_body.txt", context)
    EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, to, connection=connection).send()


def coordinators_notify_submission(*, application_id: int) -> bool:
    """Tell the coordinators of the application's unit (or, if none, the institution's
    central coordinators) that an application arrived. Once per application and person:
    the application is claimed, the emails go out outside any transaction, and each
    address is recorded as it is mailed, so a retry after a partial failure (raised for
    the task to retry; the sweeper tries later too) writes only to those not mailed yet."""
    from django.conf import settings
    from django.core.mail import get_connection
    from django.urls import reverse

    claimed = SUBMISSION_NOTICE.claim(application_id)
    if claimed is None:
        return False
    application = Application.objects.select_related("unit", "institution", "volunteer__user").get(
        pk=application_id
    )
    people = permissions.coordinators_by_unit([application.unit_id]).get(application.unit_id) or (
        permissions.central_coordinators_by_institution([application.institution_id]).get(
            application.institution_id, []
        )
    )
    url = settings.TILTS_BASE_URL.rstrip("/") + reverse(
        "volunteers:application_detail", args=[application.pk]
    )
    mailed = list(application.coordinators_notice_sent_to)
    to_mail = [person for person in people if person.email and person.email.lower() not in mailed]
    try:
        with get_connection() if to_mail else nullcontext() as connection:
            for person in to_mail:
                if person.email.lower() in mailed:  # one person listed twice
                    continue
                _send(
                    to=[person.email],
                    language=person.language,
                    template="new_application",
                    context={"application": application, "url": url, "person": person},
                    connection=connection,
                )
                mailed.append(person.email.lower())
                Application.objects.filter(pk=application_id).update(coordinators_notice_sent_to=mailed)
    except Exception as error:
        SUBMISSION_NOTICE.failed(application_id, claimed=claimed, error=error)
        raise
    SUBMISSION_NOTICE.sent_now(application_id)
    return True


def applicant_notify(*, event_id: int) -> bool:
    """Email the applicant about a status change, in their language. Once per event: the
    event is claimed, the email goes out outside any transaction; a failure is recorded
    and raised (the task retries; the sweeper tries later too)."""
    from django.conf import settings
    from django.urls import reverse

    claimed = STATUS_EMAIL.claim(event_id)
    if claimed is None:
        return False
    event = ApplicationEvent.objects.select_related(
        "application__volunteer__user", "application__unit", "application__institution"
    ).get(pk=event_id)
    application = event.application
    user = application.volunteer.user
    try:
        _send(
            to=[user.email],
            language=user.language,
            template="status_changed",
            context={
                "application": application,
                "event": event,
                "status": Status(event.to_status),
                "url": settings.TILTS_BASE_URL.rstrip("/") + reverse("volunteers:my_applications"),
            },
        )
    except Exception as error:
        STATUS_EMAIL.failed(event_id, claimed=claimed, error=error)
        raise
    STATUS_EMAIL.sent_now(event_id)
    return True


def emails_requeue_unsent(*, now=None) -> dict[str, int]:
    """The sweeper: queue again submission notices, status emails and bulk emails not sent
    a while after they were written (a lost message, the broker or mail server down)."""
    from .outreach import BULK_RECIPIENT
    from .tasks import notify_applicant, notify_coordinators_of_submission, send_bulk_email

    notices = SUBMISSION_NOTICE.due(now=now)
    for pk in notices:
        enqueue_on_commit(notify_coordinators_of_submission, pk)
    events = STATUS_EMAIL.due(now=now)
    for pk in events:
        enqueue_on_commit(notify_applicant, pk)
    recipients = BULK_RECIPIENT.due(now=now)
    bulk_emails = sorted(
        set(BulkEmailRecipient.objects.filter(pk__in=recipients).values_list("bulk_email_id", flat=True))
    )
    for pk in bulk_emails:
        enqueue_on_commit(send_bulk_email, pk)
    return {"submission_notices": len(notices), "status_emails": len(events), "bulk_emails": len(bulk_emails)}
