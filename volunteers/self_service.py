"""The volunteer's own data: reads for the self-service pages, profile updates, identity
change requests, the data download and erasure (anonymisation).

Writes are keyword-only, atomic and audited in the same transaction; file deletions run on
commit. A coordinator decides a volunteer's request only when the volunteer has an
application in one of the coordinator's units (``COORDINATE``); otherwise the request is
simply not in their queryset.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import partial
from typing import TYPE_CHECKING, Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from institutions import permissions
from institutions.models import AuditEvent, Unit
from institutions.services import audit_record

from . import personal_code as codes
from .models import (
    CURRENT_STATUSES,
    OPEN_STATUSES,
    Application,
    ApplicationEvent,
    Assessment,
    BulkEmailRecipient,
    ErasureRequest,
    ProfileChangeRequest,
    Status,
    VettingRecord,
    Volunteer,
    private_storage,
)

if TYPE_CHECKING:
    from accounts.models import User

ANONYMISED_NAME = "Anonimizēts"
ERASURE_REASON = "erasure"

# What the volunteer reads under each application: the next step from their side.
NEXT_STEPS: dict[str, Any] = {
    Status.SUBMITTED: gettext_lazy(
        "The coordinator will review your application and contact you for an interview."
    ),
    Status.SCREENING: gettext_lazy(
        "The coordinator is getting to know you: they will agree with you on an interview "
        "if they have not done so yet."
    ),
    Status.VETTING: gettext_lazy(
        "With your consent the criminal record check has been requested. It usually takes "
        "a few weeks; the coordinator will tell you when it is done."
    ),
    Status.TRAINING: gettext_lazy(
        "The next step is the preparatory training. The coordinator will send you the dates."
    ),
    Status.AGREEMENT: gettext_lazy(
        "Your volunteer agreement is being prepared. You will be invited to sign it."
    ),
    Status.ACTIVE: gettext_lazy(
        "You are an active volunteer. Your coordinator is your contact for any questions."
    ),
    Status.PAUSED: gettext_lazy(
        "Your volunteer work is paused. Contact your coordinator when you would like to resume."
    ),
    Status.ENDED: gettext_lazy("Your volunteer work has ended. Thank you! You are welcome to apply again."),
    Status.REJECTED: gettext_lazy(
        "We cannot continue with this application. You are welcome to apply again later."
    ),
    Status.WITHDRAWN: gettext_lazy("This application has been withdrawn. You can apply again at any time."),
}

# The steps of the pipeline a volunteer goes through, in order (DESIGN.md section 3).
PIPELINE: list[Status] = [
    Status.SUBMITTED,
    Status.SCREENING,
    Status.VETTING,
    Status.TRAINING,
    Status.AGREEMENT,
    Status.ACTIVE,
]
# Statuses whose reason the volunteer is told (the same as in the status email).
REASON_SHOWN = {Status.REJECTED, Status.PAUSED, Status.ENDED, Status.WITHDRAWN}

# Fields the volunteer edits themselves; identity fields go through a change request.
PROFILE_FIELDS = (
    "phone",
    "address",
    "municipality",
    "languages",
    "education",
    "occupation",
    "availability",
)


# --- Reads


def volunteer_for(user: User) -> Volunteer | None:
    """The signed-in person's volunteer profile, unless there is none (or it was anonymised)."""
    if not user.is_authenticated:
        return None
    return Volunteer.objects.filter(user=user, anonymised_at__isnull=True).select_related("user").first()


def my_applications(user: User) -> QuerySet[Application]:
    """The person's own applications, newest first per institution, with the events they
    may see (``visible_events``), unit, institution and roles. Nobody else's."""
    return (
        Application.objects.filter(volunteer__user=user, volunteer__anonymised_at__isnull=True)
        .select_related("unit", "institution")
        .prefetch_related(
            "roles",
            Prefetch(
                "events",
                queryset=ApplicationEvent.objects.filter(visible_to_volunteer=True).order_by(
                    "created_at", "pk"
                ),
                to_attr="visible_events",
            ),
        )
        .order_by("institution__code", "-submitted_at", "-pk")
    )


@dataclass(frozen=True)
class Step:
    status: str
    label: str
    state: str  # "done", "current", "todo" or "stopped" (rejected / withdrawn)

    @property
    def is_current(self) -> bool:
        return self.state in ("current", "stopped")


def timeline(application: Application) -> list[Step]:
    """The pipeline as the volunteer sees it, with the current step marked. A rejected or
    withdrawn application shows the steps it reached and then where it stopped."""
    status = Status(application.status)
    labels = {s: str(s.label) for s in Status}
    if status in PIPELINE:
        index = PIPELINE.index(status)
        return [
            Step(s, labels[s], "done" if i < index else "current" if i == index else "todo")
            for i, s in enumerate(PIPELINE)
        ]
    if status == Status.PAUSED:
        return [Step(s, labels[s], "done") for s in PIPELINE[:-1]] + [
            Step(Status.PAUSED, labels[Status.PAUSED], "current")
        ]
    if status == Status.ENDED:
        return [Step(s, labels[s], "done") for s in PIPELINE] + [
            Step(Status.ENDED, labels[Status.ENDED], "current")
        ]
    # Rejected or withdrawn: the step it was at is the "from" of the last transition here.
    events = getattr(application, "visible_events", None)
    if events is None:
        events = list(application.events.filter(visible_to_volunteer=True).order_by("created_at", "pk"))
    reached = Status.SUBMITTED
    for event in reversed(events):
        if event.to_status == status and event.from_status:
            reached = Status(event.from_status)
            break
    index = PIPELINE.index(reached) if reached in PIPELINE else 0
    return [Step(s, labels[s], "done") for s in PIPELINE[: index + 1]] + [
        Step(status, labels[status], "stopped")
    ]


def next_step(application: Application) -> str:
    return str(NEXT_STEPS[application.status])


def pending_change_requests(volunteer: Volunteer) -> QuerySet[ProfileChangeRequest]:
    return volunteer.change_requests.filter(state=ProfileChangeRequest.State.PENDING)


def pending_erasure_request(volunteer: Volunteer) -> ErasureRequest | None:
    return volunteer.erasure_requests.filter(state=ErasureRequest.State.PENDING).first()


def _coordinated_volunteers(user: User) -> QuerySet[Volunteer]:
    """Volunteers with an application in one of the person's COORDINATE units."""
    return Volunteer.objects.filter(
        applications__in=Application.objects.visible_to(user, permissions.COORDINATE)
    ).distinct()


def _with_coordinated_applications(queryset: QuerySet, user: User) -> QuerySet:
    return queryset.select_related("volunteer__user").prefetch_related(
        Prefetch(
            "volunteer__applications",
            queryset=Application.objects.visible_to(user, permissions.COORDINATE)
            .select_related("unit")
            .order_by("-submitted_at"),
            to_attr="coordinated_applications",
        )
    )


def change_requests_for_coordinator(user: User) -> QuerySet[ProfileChangeRequest]:
    """Change requests of the volunteers the person coordinates (any state: the decide view
    looks requests up here, so another unit's request answers 404)."""
    queryset = ProfileChangeRequest.objects.filter(volunteer__in=_coordinated_volunteers(user))
    return _with_coordinated_applications(queryset, user).order_by("created_at", "pk")


def erasure_requests_for_coordinator(user: User) -> QuerySet[ErasureRequest]:
    queryset = ErasureRequest.objects.filter(volunteer__in=_coordinated_volunteers(user))
    return _with_coordinated_applications(queryset, user).order_by("created_at", "pk")


# --- Profile


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


# --- Identity change requests


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


def _current_value(volunteer: Volunteer, field: str) -> str:
    if field in (ProfileChangeRequest.Field.FIRST_NAME, ProfileChangeRequest.Field.LAST_NAME):
        return getattr(volunteer.user, field)
    value = getattr(volunteer, field)
    return value.isoformat() if isinstance(value, date) else value


def change_request_display(request: ProfileChangeRequest) -> tuple[str, str]:
    """The stored and the requested value, for the coordinator's list: the stored personal
    code masked, dates in the local format."""
    from django.utils.formats import date_format

    Field = ProfileChangeRequest.Field
    volunteer = request.volunteer
    if request.field == Field.DATE_OF_BIRTH:
        try:
            new = date_format(date.fromisoformat(request.new_value), "SHORT_DATE_FORMAT")
        except ValueError:
            new = request.new_value
        return date_format(volunteer.date_of_birth, "SHORT_DATE_FORMAT"), new
    if request.field == Field.PERSONAL_CODE:
        return volunteer.masked_personal_code, request.new_value
    return _current_value(volunteer, request.field), request.new_value


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
    if value == _current_value(volunteer, field):
        raise ValidationError({"new_value": [_("This is already the stored value.")]})
    if pending_change_requests(volunteer).filter(field=field).exists():
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
            volunteer.save()
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


# --- Data download


def _label(choices, value: str) -> str:
    return str(dict(choices).get(value, value)) if value else ""


def volunteer_data(*, volunteer: Volunteer, fmt: str = "json") -> dict[str, Any]:
    """Everything stored about the person, for them to download (GDPR Art. 15 and 20):
    account, profile with the full personal code, applications with the events they may
    see, vetting dates and results (not who checked), training registrations and
    completions, change and erasure requests."""
    with transaction.atomic():
        data = _volunteer_data(volunteer)
        audit_record(
            actor=volunteer.user, action="volunteer.data_export", target=volunteer, data={"format": fmt}
        )
    return data


def _volunteer_data(volunteer: Volunteer) -> dict[str, Any]:
    volunteer = Volunteer.objects.select_related("user").get(pk=volunteer.pk)
    user = volunteer.user
    applications = (
        Application.objects.filter(volunteer=volunteer)
        .select_related("unit", "institution")
        .prefetch_related(
            "roles",
            "preferred_units",
            Prefetch(
                "events",
                queryset=ApplicationEvent.objects.filter(visible_to_volunteer=True).order_by(
                    "created_at", "pk"
                ),
                to_attr="visible_events",
            ),
            Prefetch("vetting_records", queryset=VettingRecord.objects.order_by("requested_on", "pk")),
        )
        .order_by("submitted_at", "pk")
    )
    return {
        "generated_at": timezone.now(),
        "account": {
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "language": user.language,
            "date_joined": user.date_joined,
            "last_login": user.last_login,
            "email_addresses": [
                {"email": a.email, "verified": a.verified, "primary": a.primary}
                for a in EmailAddress.objects.filter(user=user).order_by("-primary", "email")
            ],
        },
        "profile": {
            "personal_code": volunteer.personal_code,
            "date_of_birth": volunteer.date_of_birth,
            "phone": volunteer.phone,
            "address": volunteer.address,
            "municipality": volunteer.municipality,
            "languages": volunteer.languages,
            "education": volunteer.education,
            "education_label": _label(Volunteer.Education.choices, volunteer.education),
            "occupation": volunteer.occupation,
            "availability": volunteer.availability,
            "created_at": volunteer.created_at,
        },
        "applications": [_application_data(a) for a in applications],
        **_training_data(volunteer),
        "change_requests": [
            {
                "field": r.field,
                "field_label": r.get_field_display(),
                "new_value": r.new_value,
                "comment": r.comment,
                "state": r.state,
                "state_label": r.get_state_display(),
                "created_at": r.created_at,
                "decided_at": r.decided_at,
            }
            for r in volunteer.change_requests.order_by("created_at", "pk")
        ],
        "erasure_requests": [
            {
                "reason": r.reason,
                "state": r.state,
                "state_label": r.get_state_display(),
                "created_at": r.created_at,
                "decided_at": r.decided_at,
                "decision_note": r.decision_note,
            }
            for r in volunteer.erasure_requests.order_by("created_at", "pk")
        ],
    }


def _training_data(volunteer: Volunteer) -> dict[str, Any]:
    """The person's training registrations (every state, with the session's days) and
    completions (withdrawn ones too, marked so). Three queries."""
    from trainings.models import Completion, Registration, SessionDay

    registrations = (
        Registration.objects.filter(volunteer=volunteer)
        .select_related("session__course", "session__unit")
        .prefetch_related(
            Prefetch("session__days", queryset=SessionDay.objects.order_by("date", "starts_at"))
        )
        .order_by("created_at", "pk")
    )
    completions = (
        Completion.objects.filter(volunteer=volunteer)
        .select_related("course", "unit")
        .order_by("completed_on", "pk")
    )
    return {
        "training_registrations": [
            {
                "course": str(r.session.course),
                "unit": r.session.unit.name,
                "place": r.session.place,
                "days": [
                    {"date": day.date, "starts_at": day.starts_at, "ends_at": day.ends_at}
                    for day in r.session.days.all()
                ],
                "session_state": r.session.state,
                "session_state_label": r.session.get_state_display(),
                "state": r.state,
                "state_label": r.get_state_display(),
                "registered_at": r.created_at,
                "moved_from_waiting_list_at": r.promoted_at,
                "cancelled_at": r.cancelled_at,
            }
            for r in registrations
        ],
        "training_completions": [
            {
                "course": str(c.course),
                "unit": c.unit.name,
                "completed_on": c.completed_on,
                "valid_until": c.valid_until,
                "hours": c.hours,
                "certificate_number": c.number,
                "source": c.source,
                "source_label": c.get_source_display(),
                "withdrawn_at": c.revoked_at,
                "withdrawal_reason": c.revoke_reason,
            }
            for c in completions
        ],
    }


def _application_data(application: Application) -> dict[str, Any]:
    return {
        "reference": application.reference,
        "institution": application.institution.name,
        "unit": application.unit.name,
        "preferred_units": [u.name for u in application.preferred_units.all()],
        "roles": [str(r) for r in application.roles.all()],
        "status": application.status,
        "status_label": application.get_status_display(),
        "submitted_at": application.submitted_at,
        "status_changed_at": application.status_changed_at,
        "motivation": application.motivation,
        "experience": application.experience,
        "heard_from": _label(Application.HeardFrom.choices, application.heard_from),
        "record_declaration": _label(Application.RecordDeclaration.choices, application.record_declaration),
        "consents": {
            "record_check": application.consent_record_check,
            "data_processing": application.consent_data_processing,
            "given_at": application.submitted_at,
        },
        "legal_representative": {
            "name": application.guardian_name,
            "contact": application.guardian_contact,
            "consent": application.guardian_consent,
        }
        if application.guardian_name
        else None,
        "cv_uploaded": bool(application.cv),
        "language": application.language,
        "history": [
            {
                "time": e.created_at,
                "kind": e.kind,
                "event": e.get_kind_display(),
                "from_status": _label(Status.choices, e.from_status),
                "to_status": _label(Status.choices, e.to_status),
                "reason": e.reason if e.to_status in REASON_SHOWN else "",
            }
            for e in application.visible_events
        ],
        "vetting": [
            {
                "requested_on": v.requested_on,
                "result": v.result,
                "result_label": v.get_result_display(),
                "result_on": v.result_on,
                "valid_until": v.valid_until,
            }
            for v in application.vetting_records.all()
        ],
    }


# --- Erasure


@transaction.atomic
def erasure_request_create(*, volunteer: Volunteer, reason: str = "") -> ErasureRequest:
    volunteer = Volunteer.objects.select_for_update().select_related("user").get(pk=volunteer.pk)
    _require_active(volunteer)
    if pending_erasure_request(volunteer) is not None:
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
        volunteer_anonymise(volunteer=request.volunteer, actor=actor)
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


def _delete_files(names: list[str]) -> None:
    for name in names:
        private_storage.delete(name)


@transaction.atomic
def volunteer_anonymise(*, volunteer: Volunteer, actor: User | None) -> Volunteer:
    """Remove the person from the data and keep the statistics: applications with their
    status, unit, roles, dates and events stay; names, contacts, codes, free texts, CVs,
    interview notes and the history of the person's records go. Irreversible."""
    volunteer = Volunteer.objects.select_for_update().select_related("user").get(pk=volunteer.pk)
    _require_active(volunteer)
    User = get_user_model()
    user = User.objects.select_for_update().get(pk=volunteer.user_id)
    if user.is_staff or user.is_superuser or permissions.is_staff_role(user):
        raise ValidationError(
            _("This account also has a staff role. Remove the role before anonymising the person.")
        )
    now = timezone.now()
    old_email = user.email
    new_email = f"anonymised-{user.pk}@tilts.invalid"

    # Applications: free texts and CVs go; open ones are withdrawn, running ones ended.
    applications = list(Application.objects.select_for_update().filter(volunteer=volunteer))
    application_ids = [a.pk for a in applications]
    cv_files = [a.cv.name for a in applications if a.cv]
    ApplicationEvent.objects.filter(application_id__in=application_ids).update(reason="")
    Assessment.objects.filter(application_id__in=application_ids).update(notes="")
    BulkEmailRecipient.objects.filter(application_id__in=application_ids).update(email=new_email)
    BulkEmailRecipient.objects.filter(application__isnull=True, email__iexact=old_email).update(
        email=new_email
    )
    for application in applications:
        previous = application.status
        if previous in OPEN_STATUSES:
            application.status = Status.WITHDRAWN
        elif previous in (Status.ACTIVE, Status.PAUSED):
            application.status = Status.ENDED
        if application.status != previous:
            application.status_changed_at = now
            ApplicationEvent.objects.create(
                application=application,
                actor=actor,
                kind=ApplicationEvent.Kind.TRANSITION,
                from_status=previous,
                to_status=application.status,
                reason=ERASURE_REASON,
            )
            audit_record(
                actor=actor,
                action="application.transition",
                target=application,
                unit=application.unit,
                data={"from": previous, "to": application.status, "reason": ERASURE_REASON},
            )
        application.motivation = ""
        application.experience = ""
        application.guardian_name = ""
        application.guardian_contact = ""
        application.record_declaration = ""
        application.cv = ""
        application.save()
    Application.history.model.objects.filter(id__in=application_ids).update(
        motivation="", experience="", guardian_name="", guardian_contact="", record_declaration=""
    )

    # The person.
    volunteer.personal_code = ""
    volunteer.phone = ""
    volunteer.address = ""
    volunteer.languages = ""
    volunteer.occupation = ""
    volunteer.availability = ""
    volunteer.date_of_birth = date(volunteer.date_of_birth.year, 1, 1)  # keeps age statistics
    volunteer.anonymised_at = now
    volunteer.save()
    user.first_name = ANONYMISED_NAME
    user.last_name = ANONYMISED_NAME
    user.email = new_email
    user.set_unusable_password()
    user.is_active = False
    user.save()
    EmailAddress.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    UserSession.objects.filter(user=user).delete()
    change_request_ids = list(volunteer.change_requests.values_list("pk", flat=True))
    volunteer.change_requests.all().delete()
    erasure_request_ids = list(volunteer.erasure_requests.values_list("pk", flat=True))
    volunteer.erasure_requests.update(reason="")

    # The audit trail keeps what happened, not who it was.
    label = f"{ANONYMISED_NAME} {ANONYMISED_NAME}"
    AuditEvent.objects.filter(actor=user).update(actor_label=new_email)
    for model, ids in (
        (Volunteer, [volunteer.pk]),
        (User, [user.pk]),
        (ProfileChangeRequest, change_request_ids),
        (ErasureRequest, erasure_request_ids),
    ):
        AuditEvent.objects.filter(
            target_type=ContentType.objects.get_for_model(model), target_id__in=[str(pk) for pk in ids]
        ).update(target_label=label)

    # Reasons typed into the audit data of the person's applications are free text too.
    for event in AuditEvent.objects.filter(
        target_type=ContentType.objects.get_for_model(Application),
        target_id__in=[str(pk) for pk in application_ids],
        data__has_key="reason",
    ).exclude(data__reason=ERASURE_REASON):
        event.data = {**event.data, "reason": ""}
        event.save(update_fields=["data"])

    # Other apps' parts of the person (trainings).
    from trainings.services import volunteer_trainings_erase

    volunteer_trainings_erase(volunteer=volunteer, actor=actor, label=label)

    # Earlier versions of the person's records would bring everything back.
    volunteer.history.all().delete()
    user.history.all().delete()
    if cv_files:
        transaction.on_commit(partial(_delete_files, cv_files))
    return volunteer
