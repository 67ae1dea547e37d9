"""Every write of the volunteers app: keyword-only, atomic, history and audit in the same
transaction, emails on commit (claimed, then sent outside the transaction: core.outbox)."""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import nullcontext
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from functools import partial
from typing import TYPE_CHECKING, Any

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from agreements import terms as agreement_terms
from core.dates import age_on, local_today, local_year
from core.outbox import Outbox
from core.tasks import enqueue_on_commit
from institutions import permissions
from institutions.models import Institution, Unit
from institutions.services import audit_record
from reports import cache as reports_cache

from . import personal_code as codes
from . import selectors
from .models import (
    CURRENT_STATUSES,
    Application,
    ApplicationEvent,
    Assessment,
    BulkEmailRecipient,
    ErasureRequest,
    ProfileChangeRequest,
    Role,
    Status,
    VettingRecord,
    Volunteer,
    search_text_of,
)
from .transitions import REASON_REQUIRED, TransitionError
from .transitions import check as check_transition

if TYPE_CHECKING:
    from accounts.models import User


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


# Below this age the Volunteer Work Law asks for the legal representative's written consent
# (from 13, the lowest minimum age an institution may set, up to 16).
GUARDIAN_AGE = 16


def eligibility_errors(
    *,
    date_of_birth: date,
    institutions: Iterable[Institution],
    guardian_name: str = "",
    guardian_contact: str = "",
    guardian_consent: bool = False,
    today: date | None = None,
) -> dict[str, list[ValidationError]]:
    """Why this person may not apply to these institutions, by field: younger than an
    institution's minimum age (``date_of_birth``), or under ``GUARDIAN_AGE`` without the
    legal representative's name, contact and written consent. Empty when nothing stands in
    the way. ``applications_submit`` refuses with these; the form shows them on its fields."""
    age = age_on(date_of_birth, today or local_today())
    errors: dict[str, list[ValidationError]] = {}
    for institution in institutions:
        if age < institution.min_volunteer_age:
            errors.setdefault("date_of_birth", []).append(
                ValidationError(
                    _("Volunteers of %(institution)s must be at least %(age)d years old."),
                    code="too_young",
                    params={
                        "institution": f"{institution.get_code_display()} ({institution.short_name})",
                        "age": institution.min_volunteer_age,
                    },
                )
            )
    if errors or age >= GUARDIAN_AGE:
        return errors
    required = _("Needed for applicants under %(age)d.") % {"age": GUARDIAN_AGE}
    for name, value in (("guardian_name", guardian_name), ("guardian_contact", guardian_contact)):
        if not value.strip():
            errors[name] = [ValidationError(required, code="guardian_required")]
    if not guardian_consent:
        errors["guardian_consent"] = [
            ValidationError(
                _("Applicants under %(age)d need their legal representative's written consent."),
                code="guardian_required",
                params={"age": GUARDIAN_AGE},
            )
        ]
    return errors


def needs_guardian(date_of_birth: date, today: date | None = None) -> bool:
    return age_on(date_of_birth, today or local_today()) < GUARDIAN_AGE


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


def _refuse_duplicates(
    *, email: str, personal_code: str, institutions: list[Institution], user: User | None
) -> None:
    """One open application per person and institution, one account per email address, one
    volunteer per personal code. The database's unique constraints hold the same rules for
    submissions that race past these checks (``applications_submit``)."""
    for institution in institutions:
        duplicate = open_application_for(institution=institution, email=email, personal_code=personal_code)
        if duplicate is not None:
            raise ValidationError(
                _("You already have an open application (%(reference)s) at %(institution)s.")
                % {"reference": duplicate.reference, "institution": institution.short_name},
                code="duplicate",
            )
    if user is None and get_user_model().objects.filter(email__iexact=email).exists():
        raise ValidationError(
            _("An account with this email address exists. Sign in to apply."), code="account_exists"
        )
    if personal_code:
        others = Volunteer.objects.filter(personal_code=personal_code)
        if user is not None:
            others = others.exclude(user=user)
        if others.exists():
            raise ValidationError(
                {
                    "personal_code": ValidationError(
                        _(
                            "This personal code belongs to another account. Sign in with that "
                            "account to apply; if you cannot, contact the institution."
                        ),
                        code="personal_code_taken",
                    )
                }
            )


def _refuse_ineligible(
    *, person: PersonDetails, details: ApplicationDetails, institutions: list[Institution], user: User | None
) -> date:
    """The rules of the Volunteer Work Law and the institutions, whatever the caller checked:
    the minimum age, the legal representative's consent under 16, the two consents. Returns
    the date of birth that counts (a signed-in volunteer's is the one on record)."""
    existing = Volunteer.objects.filter(user=user).only("date_of_birth").first() if user is not None else None
    born = existing.date_of_birth if existing is not None else person.date_of_birth
    errors = eligibility_errors(
        date_of_birth=born,
        institutions=institutions,
        guardian_name=details.guardian_name,
        guardian_contact=details.guardian_contact,
        guardian_consent=details.guardian_consent,
    )
    if not details.consent_record_check:
        errors["consent_record_check"] = [
            ValidationError(_("The criminal record check is required for volunteer work."), code="required")
        ]
    if not details.consent_data_processing:
        errors["consent_data_processing"] = [
            ValidationError(_("We cannot handle your application without this consent."), code="required")
        ]
    if errors:
        raise ValidationError(errors)
    return born


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
    chosen institution, in one transaction. Emails go out on commit.

    ValidationError, with nothing created, when the person may not apply (by field: too
    young, no legal representative's consent, a consent not given), already has an open
    application at one of the institutions (code ``duplicate``), has an account but is not
    signed in (``account_exists``) or gives another volunteer's personal code — also when
    a parallel submission of the same person wins the race past these checks: the
    database's unique constraints refuse the loser, which gets the same answer."""
    email = person.email.strip().lower()
    born = _refuse_ineligible(person=person, details=details, institutions=institutions, user=user)
    if not needs_guardian(born):
        # Not needed: keep no data about a legal representative.
        details = replace(details, guardian_name="", guardian_contact="", guardian_consent=False)
    checks = {
        "email": email,
        "personal_code": person.personal_code,
        "institutions": institutions,
        "user": user,
    }
    _refuse_duplicates(**checks)
    try:
        with transaction.atomic():  # a savepoint: a lost race rolls back to here
            return _create_applications(
                person=person,
                details=details,
                institutions=institutions,
                email=email,
                cv=cv,
                user=user,
                password=password,
                language=language,
            )
    except IntegrityError:
        # The other submission has committed (the constraint waited for it): the checks now
        # see its rows and refuse as they would have a moment later.
        _refuse_duplicates(**checks)
        raise


def _create_applications(
    *,
    person: PersonDetails,
    details: ApplicationDetails,
    institutions: list[Institution],
    email: str,
    cv: UploadedFile | None,
    user: User | None,
    password: str | None,
    language: str,
) -> list[Application]:
    from .tasks import notify_coordinators_of_submission

    if user is None:
        user = get_user_model().objects.create_user(
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
        # Locked and checked again: an erasure committed since the form was opened wins.
        volunteer = Volunteer.objects.select_for_update(of=("self",)).get(pk=volunteer.pk)
        if volunteer.anonymised_at is not None:
            raise ValidationError(_("This account has been closed and its data erased."))
        # The fields the volunteer edits themselves (identity fields need a change request).
        for name in selectors.PROFILE_FIELDS:
            setattr(volunteer, name, getattr(person, name))
        volunteer.save(update_fields=list(selectors.PROFILE_FIELDS))
        volunteer.user = user  # read by Application.save for the search column: no query
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
    # The volunteer's pages say the word of every institution they applied to, at once.
    transaction.on_commit(partial(agreement_terms.forget_volunteer, user.pk))
    return applications


# --- The pipeline


def _require_coordinator(actor: User, application: Application) -> None:
    if not permissions.has_unit_perm(actor, permissions.COORDINATE, application.unit):
        raise PermissionDenied


def _locked_application(application_id: int) -> Application:
    """The application, its row locked until the transaction ends — only its row: the unit
    and volunteer read with it stay free for others."""
    return (
        Application.objects.select_for_update(of=("self",))
        .select_related("unit", "volunteer")
        .get(pk=application_id)
    )


@transaction.atomic
def application_transition(
    *, application_id: int, to: str, actor: User, reason: str = "", notify: bool = True
) -> Application:
    """Move an application along the pipeline. Coordinators of its unit move it; the
    volunteer may only withdraw their own open application."""
    application = _locked_application(application_id)
    to = Status(to)
    is_owner = application.volunteer.user_id == actor.pk
    if not (is_owner and to == Status.WITHDRAWN):
        _require_coordinator(actor, application)
    check_transition(application.status, to)
    reason = reason.strip()
    if to in REASON_REQUIRED and not reason and not is_owner:
        raise TransitionError(_("Give a reason for “%(b)s”.") % {"b": to.label})
    # What the step needs: the same sentences the application's page shows before anyone submits.
    needs = selectors.transition_requirements(application, statuses=[to])[to]
    if needs:
        raise TransitionError([ValidationError(text, code="requirements") for text in needs])
    return _apply_transition(application, to=to, actor=actor, reason=reason, notify=notify and not is_owner)


@transaction.atomic
def application_transition_system(
    *,
    application_id: int,
    to: str,
    reason: str,
    only_from: Iterable[str],
    actor: User | None = None,
    notify: bool = False,
) -> Application | None:
    """A move that follows from another app's records rather than a decision in the
    pipeline — an agreement in force makes the applicant active. The caller's own service
    has checked who may do what; the state machine, the history row and the audit entry are
    those of every transition (``actor`` None: the system). ``None``, with nothing changed,
    when the application is not in one of ``only_from`` (say, a renewal for a volunteer
    already active); TransitionError when the table does not allow the move."""
    application = _locked_application(application_id)
    if application.status not in set(only_from):
        return None
    check_transition(application.status, to)
    return _apply_transition(application, to=Status(to), actor=actor, reason=reason, notify=notify)


@transaction.atomic
def applications_transition_system(
    *, reasons: dict[int, str], to: str, only_from: Iterable[str], actor: User | None = None
) -> list[Application]:
    """``application_transition_system`` for many applications at once (the daily jobs),
    in a few queries whatever their number: ``reasons`` gives each application's id its
    reason. The same state machine, history rows (simple-history and the application's
    events) and audit entries as one by one; no email (``notify`` False). Those not in
    ``only_from`` are left as they are; the ones moved are returned."""
    from core.history import history_copy
    from institutions.models import AuditEvent
    from institutions.services import audit_event

    applications = list(
        Application.objects.select_for_update(of=("self",))
        .select_related("unit")
        .filter(pk__in=list(reasons), status__in=list(only_from))
        .order_by("pk")
    )
    if not applications:
        return []
    to = Status(to)
    previous = {application.pk: application.status for application in applications}
    for application in applications:
        check_transition(application.status, to)
    now = timezone.now()
    Application.objects.filter(pk__in=list(previous)).update(status=to, status_changed_at=now, updated_at=now)
    reports_cache.bump()  # the figures read applications (no signal for update())
    for application in applications:
        application.status, application.status_changed_at, application.updated_at = to, now, now
    history_copy(Application, list(previous), when=now)
    ApplicationEvent.objects.bulk_create(
        ApplicationEvent(
            application=application,
            created_at=now,
            actor=actor,
            kind=ApplicationEvent.Kind.TRANSITION,
            from_status=previous[application.pk],
            to_status=to,
            reason=reasons[application.pk],
            visible_to_volunteer=True,
        )
        for application in applications
    )
    AuditEvent.objects.bulk_create(
        audit_event(
            actor=actor,
            action="application.transition",
            target=application,
            unit=application.unit,
            data={"from": previous[application.pk], "to": to, "reason": reasons[application.pk]},
            created_at=now,
        )
        for application in applications
    )
    return applications


@transaction.atomic
def application_training_completed(*, application_id: int, actor: User, reason: str) -> Application | None:
    """A recorded completion qualified the applicant: move the application from the
    training step to the agreement step (its unit's coordinators need not have recorded
    it — the completion may come from a session at another unit). ``None`` when the
    application is not in the training step or its roles still need another course."""
    application = _locked_application(application_id)
    if application.status != Status.TRAINING or selectors.missing_training(application):
        return None
    return _apply_transition(application, to=Status.AGREEMENT, actor=actor, reason=reason, notify=True)


def _apply_transition(
    application: Application, *, to: str, actor: User | None, reason: str, notify: bool
) -> Application:
    """The one place that changes an application's status: the table is checked again (no
    caller can skip it), the history row and the audit entry are written, the applicant is
    emailed on commit if ``notify``. The caller holds the row's lock."""
    from .tasks import notify_applicant

    previous = application.status
    check_transition(previous, to)
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
    application = (
        Application.objects.select_for_update(of=("self",)).select_related("unit").get(pk=application.pk)
    )
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


# --- The volunteer's profile, identity change requests and erasure requests


def _require_active(volunteer: Volunteer) -> None:
    if volunteer.anonymised_at is not None:
        raise PermissionDenied


@transaction.atomic
def profile_update(
    *,
    volunteer: Volunteer,
    actor: User,
    phone: str,
    address: str,
    municipality: str,
    languages: str = "",
    education: str = "",
    occupation: str = "",
    availability: str = "",
) -> Volunteer:
    """Contact details and availability, changed by the volunteer. Simple-history keeps
    the previous values; the audit trail records which fields changed (not their values)."""
    volunteer = Volunteer.objects.select_for_update().get(pk=volunteer.pk)
    _require_active(volunteer)
    if actor.pk != volunteer.user_id:
        raise PermissionDenied
    values = {
        "phone": phone.strip(),
        "address": address.strip(),
        "municipality": municipality.strip(),
        "languages": languages.strip(),
        "education": education,
        "occupation": occupation.strip(),
        "availability": availability.strip(),
    }
    changed = [name for name, value in values.items() if getattr(volunteer, name) != value]
    if not changed:
        return volunteer
    for name in changed:
        setattr(volunteer, name, values[name])
    volunteer.full_clean(exclude=["user"], validate_unique=False)
    volunteer._history_user = actor
    volunteer._change_reason = "self-service"
    volunteer.save()
    audit_record(actor=actor, action="volunteer.profile.update", target=volunteer, data={"fields": changed})
    return volunteer


def _clean_identity_value(field: str, value: Any) -> str:
    """The normalised value of an identity field, or a ValidationError on ``new_value``."""
    Field = ProfileChangeRequest.Field

    def error(message: str) -> ValidationError:
        return ValidationError({"new_value": [message]})

    if field in (Field.FIRST_NAME, Field.LAST_NAME):
        value = " ".join(str(value or "").split())
        if not value:
            raise error(_("Enter the new value."))
        if len(value) > 150:
            raise error(_("At most 150 characters."))
        return value
    if field == Field.PERSONAL_CODE:
        try:
            return codes.normalise(str(value or ""))
        except codes.InvalidPersonalCode as exc:
            raise error(_("This is not a valid personal code.")) from exc
    if field == Field.DATE_OF_BIRTH:
        born = value if isinstance(value, date) else None
        if born is None:
            text = str(value or "").strip()
            for pattern in ("%Y-%m-%d", "%d.%m.%Y"):
                try:
                    born = datetime.strptime(text, pattern).date()
                    break
                except ValueError:
                    continue
        if born is None:
            raise error(_("Enter the date as DD.MM.YYYY."))
        if born >= timezone.localdate() or born.year < 1900:
            raise error(_("Enter a real date of birth."))
        return born.isoformat()
    raise ValidationError({"field": [_("Choose a field.")]})


@transaction.atomic
def change_request_create(
    *, volunteer: Volunteer, field: str, new_value: Any, comment: str = ""
) -> ProfileChangeRequest:
    """Ask the coordinators to correct a name, the personal code or the date of birth."""
    volunteer = Volunteer.objects.select_for_update().select_related("user").get(pk=volunteer.pk)
    _require_active(volunteer)
    if field not in ProfileChangeRequest.Field.values:
        raise ValidationError({"field": [_("Choose a field.")]})
    value = _clean_identity_value(field, new_value)
    if value == selectors.identity_value(volunteer, field):
        raise ValidationError({"new_value": [_("This is already the stored value.")]})
    if selectors.pending_change_requests(volunteer).filter(field=field).exists():
        raise ValidationError(
            {"field": [_("You already asked to change this field; wait for the coordinator's decision.")]}
        )
    request = ProfileChangeRequest.objects.create(
        volunteer=volunteer, field=field, new_value=value, comment=comment.strip()
    )
    audit_record(
        actor=volunteer.user, action="volunteer.change_request", target=volunteer, data={"field": field}
    )
    return request


def _coordinated_unit(actor: User, volunteer: Volunteer) -> Unit:
    """A unit of the actor's where the volunteer has an application; PermissionDenied otherwise."""
    if actor.pk == volunteer.user_id:
        raise PermissionDenied
    application = (
        Application.objects.visible_to(actor, permissions.COORDINATE)
        .filter(volunteer=volunteer)
        .select_related("unit__institution")
        .order_by("-submitted_at")
        .first()
    )
    if application is None:
        raise PermissionDenied
    return application.unit


@transaction.atomic
def change_request_decide(
    *, request: ProfileChangeRequest, actor: User, approve: bool, note: str = ""
) -> ProfileChangeRequest:
    """A coordinator of one of the volunteer's units approves (and the change is applied)
    or rejects an identity change."""
    request = (
        ProfileChangeRequest.objects.select_for_update().select_related("volunteer__user").get(pk=request.pk)
    )
    volunteer = request.volunteer
    unit = _coordinated_unit(actor, volunteer)
    if request.state != ProfileChangeRequest.State.PENDING:
        raise ValidationError(_("This request has already been decided."))
    Field = ProfileChangeRequest.Field
    if approve:
        value = _clean_identity_value(request.field, request.new_value)
        if request.field in (Field.FIRST_NAME, Field.LAST_NAME):
            user = volunteer.user
            setattr(user, request.field, value)
            user._history_user = actor
            user._change_reason = "change request"
            user.save(update_fields=[request.field])
            applications_search_refresh(user_ids=[user.pk])
        else:
            if request.field == Field.PERSONAL_CODE:
                if (
                    Volunteer.objects.filter(personal_code=value, anonymised_at__isnull=True)
                    .exclude(pk=volunteer.pk)
                    .exists()
                ):
                    raise ValidationError(_("Another volunteer is registered with this personal code."))
                volunteer.personal_code = value
                born = codes.birth_date(value)
                if born is not None:
                    # The old-format code carries the date of birth: keep the two consistent.
                    volunteer.date_of_birth = born
            else:
                volunteer.date_of_birth = date.fromisoformat(value)
            volunteer._history_user = actor
            volunteer._change_reason = "change request"
            try:
                with transaction.atomic():  # the unique code: a parallel change got there first
                    volunteer.save()
            except IntegrityError:
                raise ValidationError(_("Another volunteer is registered with this personal code.")) from None
        for application in volunteer.applications.filter(status__in=CURRENT_STATUSES):
            ApplicationEvent.objects.create(
                application=application,
                actor=actor,
                kind=ApplicationEvent.Kind.PROFILE,
                data={"field": request.field},
            )
    request.state = ProfileChangeRequest.State.APPROVED if approve else ProfileChangeRequest.State.REJECTED
    request.decided_by = actor
    request.decided_at = timezone.now()
    request.decision_note = note.strip()
    request.save(update_fields=["state", "decided_by", "decided_at", "decision_note"])
    audit_record(
        actor=actor,
        action="volunteer.change_request.decide",
        target=volunteer,
        unit=unit,
        data={"field": request.field, "approved": approve, "note": note.strip()},
    )
    return request


# --- The inbox search column


SEARCH_REFRESH_BATCH = 1000


def applications_search_refresh(*, user_ids: Iterable[int] | None = None) -> int:
    """Recompute ``Application.search_text`` (reference, names and email, folded) of the
    applications of the people ``user_ids`` (of every application when ``None``: after
    bulk inserts, which bypass ``Application.save``). Whoever changes a person's names or
    email calls it, in their transaction: an approved change request, the erasure (an
    erased name must not stay findable), a new primary email address, the admin. Updates
    only what changed, a batch at a time (idempotent: a run cut short is simply run
    again); returns how many applications changed."""
    rows = Application.objects.order_by("pk").values_list(
        "pk",
        "search_text",
        "reference",
        "volunteer__user__first_name",
        "volunteer__user__last_name",
        "volunteer__user__email",
    )
    if user_ids is not None:
        rows = rows.filter(volunteer__user_id__in=list(user_ids))
    changed, last = 0, 0
    while True:  # a batch read, then written, at a time (keyset: no cursor left open)
        chunk = list(rows.filter(pk__gt=last)[:SEARCH_REFRESH_BATCH])
        stale = [
            Application(pk=pk, search_text=text)
            for pk, stored, *parts in chunk
            if (text := search_text_of(*parts)) != stored
        ]
        if stale:
            changed += Application.objects.bulk_update(stale, ["search_text"])
        if len(chunk) < SEARCH_REFRESH_BATCH:
            return changed
        last = chunk[-1][0]


def email_changed_received(sender, *, user, **kwargs) -> None:
    """allauth's ``email_changed`` (the person made another address their primary one)."""
    applications_search_refresh(user_ids=[user.pk])


# --- Erasure


@transaction.atomic
def erasure_request_create(*, volunteer: Volunteer, reason: str = "") -> ErasureRequest:
    volunteer = Volunteer.objects.select_for_update().select_related("user").get(pk=volunteer.pk)
    _require_active(volunteer)
    if selectors.pending_erasure_request(volunteer) is not None:
        raise ValidationError(_("You have already asked for erasure; a coordinator will confirm it."))
    request = ErasureRequest.objects.create(volunteer=volunteer, reason=reason.strip())
    audit_record(actor=volunteer.user, action="volunteer.erasure.request", target=volunteer)
    return request


@transaction.atomic
def erasure_decide(*, request: ErasureRequest, actor: User, approve: bool, note: str = "") -> ErasureRequest:
    """A coordinator of one of the volunteer's units confirms (the person is anonymised) or
    refuses (with a note saying why, e.g. a retention obligation) an erasure request."""
    request = ErasureRequest.objects.select_for_update().select_related("volunteer__user").get(pk=request.pk)
    unit = _coordinated_unit(actor, request.volunteer)
    if request.state != ErasureRequest.State.PENDING:
        raise ValidationError(_("This request has already been decided."))
    note = note.strip()
    if not approve and not note:
        raise ValidationError({"note": [_("Say why the request is refused.")]})
    if approve:
        from privacy.services import erasure_notice_date, volunteer_anonymise

        volunteer_anonymise(
            volunteer=request.volunteer, actor=actor, notice_date=erasure_notice_date(request)
        )
        # Reload: the audit label below must come from the anonymised person.
        request = ErasureRequest.objects.select_related("volunteer__user").get(pk=request.pk)
    request.state = ErasureRequest.State.DONE if approve else ErasureRequest.State.REFUSED
    request.decided_by = actor
    request.decided_at = timezone.now()
    request.decision_note = note
    request.save(update_fields=["state", "decided_by", "decided_at", "decision_note"])
    audit_record(
        actor=actor,
        action="volunteer.erasure.decide",
        target=request,
        unit=unit,
        data={"approved": approve, "note": note},
    )
    return request
