"""The volunteers app's part of a person's data (see ``core.personal_data``): the account,
the profile, the applications with what the person may see of them (history, vetting
result, interviews), bulk emails received, and correction and erasure requests.

Erasure keeps the statistics: applications keep their status, unit, roles and dates;
names, contacts, codes, free texts, CVs, interview notes and earlier versions of the
records go. Open applications are withdrawn and running ones ended, each through a
recorded transition.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import Prefetch, Q
from django.utils.translation import gettext_lazy as _

from core.personal_data import Erasure, Section, register
from institutions.models import AuditEvent

from .models import (
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
)

ANONYMISED_NAME = "Anonimizēts"
ERASURE_REASON = "erasure"
# Statuses whose reason the volunteer is told (the same as in the status email).
REASON_SHOWN = {Status.REJECTED, Status.PAUSED, Status.ENDED, Status.WITHDRAWN}


def _label(choices, value: str) -> str:
    return str(dict(choices).get(value, value)) if value else ""


# --- Account


def _account_export(volunteer: Volunteer) -> dict[str, Any]:
    user = volunteer.user
    return {
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
        "two_factor_methods": [
            a.get_type_display() for a in Authenticator.objects.filter(user=user).order_by("pk")
        ],
    }


def _account_erase(erasure: Erasure) -> None:
    user = erasure.user
    AuditEvent.objects.filter(actor=user).update(actor_label=erasure.new_email)
    user.first_name = ANONYMISED_NAME
    user.last_name = ANONYMISED_NAME
    user.email = erasure.new_email
    user.set_unusable_password()
    user.is_active = False
    user.save()
    # The inbox search must not find the erased names and email any more.
    from .services import applications_search_refresh

    applications_search_refresh(user_ids=[user.pk])
    for model, pk in ((type(user), user.pk), (Volunteer, erasure.volunteer.pk)):
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(model), object_id=str(pk)
        ).update(object_repr=erasure.label, change_message="")
    EmailAddress.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    UserSession.objects.filter(user=user).delete()
    user.history.all().delete()


register(
    Section(
        key="account",
        title=_("Account"),
        template="volunteers/personal_data/account.html",
        export=_account_export,
        erase=_account_erase,
        models=(
            "accounts.User",
            "account.EmailAddress",
            "account.EmailConfirmation",  # deleted with the addresses
            "mfa.Authenticator",
            "usersessions.UserSession",
        ),
        audit_targets=lambda volunteer: [(get_user_model(), [volunteer.user_id])],
        order=10,
        # The erasure runs the account last: the other sections still see the old email.
    )
)


# --- Profile


def _profile_export(volunteer: Volunteer) -> dict[str, Any]:
    return {
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
    }


def _profile_erase(erasure: Erasure) -> None:
    volunteer = erasure.volunteer
    volunteer.personal_code = ""
    volunteer.phone = ""
    volunteer.address = ""
    volunteer.languages = ""
    volunteer.occupation = ""
    volunteer.availability = ""
    volunteer.date_of_birth = date(volunteer.date_of_birth.year, 1, 1)  # keeps age statistics
    volunteer.save()
    volunteer.history.all().delete()


register(
    Section(
        key="profile",
        title=_("Your details"),
        template="volunteers/personal_data/profile.html",
        export=_profile_export,
        erase=_profile_erase,
        models=("volunteers.Volunteer",),
        audit_targets=lambda volunteer: [(Volunteer, [volunteer.pk])],
        order=20,
    )
)


# --- Applications


def _applications(volunteer: Volunteer):
    return (
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
            Prefetch("assessments", queryset=Assessment.objects.order_by("created_at", "pk")),
        )
        .order_by("submitted_at", "pk")
    )


def _application_export(application: Application) -> dict[str, Any]:
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
        # Result, dates and validity only: not who checked, not the register's text.
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
        "interviews": [
            {
                "interviewed_on": a.interviewed_on,
                "recorded_at": a.created_at,
                "recommendation": _label(Assessment.Recommendation.choices, a.recommendation),
            }
            for a in application.assessments.all()
        ],
    }


def _applications_export(volunteer: Volunteer) -> list[dict[str, Any]]:
    return [_application_export(a) for a in _applications(volunteer)]


def _applications_erase(erasure: Erasure) -> None:
    from .services import application_transition_system

    applications = list(
        Application.objects.select_for_update(of=("self",)).filter(volunteer=erasure.volunteer).order_by("pk")
    )
    application_ids = [a.pk for a in applications]
    erasure.files.extend(a.cv.name for a in applications if a.cv)
    ApplicationEvent.objects.filter(application_id__in=application_ids).update(reason="")
    Assessment.objects.filter(application_id__in=application_ids).update(notes="")
    # Open applications are withdrawn and running work ended: recorded transitions (who,
    # when, why "erasure"), not emailed — the address is about to go.
    for application in applications:
        if application.status in OPEN_STATUSES:
            to, only_from = Status.WITHDRAWN, OPEN_STATUSES
        elif application.status in (Status.ACTIVE, Status.PAUSED):
            to, only_from = Status.ENDED, (Status.ACTIVE, Status.PAUSED)
        else:
            continue
        application_transition_system(
            application_id=application.pk,
            to=to,
            reason=ERASURE_REASON,
            only_from=only_from,
            actor=erasure.actor,
        )
    texts = {
        "motivation": "",
        "experience": "",
        "guardian_name": "",
        "guardian_contact": "",
        "record_declaration": "",
    }
    Application.objects.filter(pk__in=application_ids).update(cv="", **texts)
    Application.history.model.objects.filter(id__in=application_ids).update(**texts)


register(
    Section(
        key="applications",
        title=_("Applications"),
        template="volunteers/personal_data/applications.html",
        export=_applications_export,
        erase=_applications_erase,
        models=(
            "volunteers.Application",
            "volunteers.ApplicationEvent",
            "volunteers.Assessment",
            "volunteers.VettingRecord",
        ),
        audit_targets=lambda volunteer: [
            (Application, Application.objects.filter(volunteer=volunteer).values_list("pk", flat=True))
        ],
        order=50,
    )
)


# --- Bulk emails received


def _emails_export(volunteer: Volunteer) -> list[dict[str, Any]]:
    return [
        {
            "subject": r.bulk_email.subject,
            "body": r.bulk_email.body,
            "unit": r.bulk_email.unit.name,
            "sent_at": r.sent_at,
        }
        for r in BulkEmailRecipient.objects.filter(application__volunteer=volunteer)
        .select_related("bulk_email__unit")
        .order_by("bulk_email__created_at", "pk")
    ]


def _emails_erase(erasure: Erasure) -> None:
    from django.utils import timezone

    unlinked = Q(pk__in=[])
    for email in erasure.emails:
        unlinked |= Q(application__isnull=True, email__iexact=email)
    rows = BulkEmailRecipient.objects.filter(Q(application__volunteer=erasure.volunteer) | unlinked)
    # What was not sent yet is not sent at all (the sweeper skips a row marked sent).
    rows.filter(sent_at__isnull=True).update(sent_at=timezone.now(), error="erased")
    rows.update(email=erasure.new_email)


register(
    Section(
        key="emails",
        title=_("Messages from coordinators"),
        template="volunteers/personal_data/emails.html",
        export=_emails_export,
        erase=_emails_erase,
        models=("volunteers.BulkEmailRecipient",),
        staff_only={"volunteers.BulkEmail": "its author is the coordinator who wrote it"},
        order=60,
    )
)


# --- Requests


def _requests_export(volunteer: Volunteer) -> dict[str, Any]:
    return {
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


def _requests_erase(erasure: Erasure) -> None:
    volunteer = erasure.volunteer
    volunteer.change_requests.all().delete()
    volunteer.erasure_requests.update(reason="", decision_note="")


register(
    Section(
        key="requests",
        title=_("Requests"),
        template="volunteers/personal_data/requests.html",
        export=_requests_export,
        erase=_requests_erase,
        models=("volunteers.ProfileChangeRequest", "volunteers.ErasureRequest"),
        audit_targets=lambda volunteer: [
            (ProfileChangeRequest, volunteer.change_requests.values_list("pk", flat=True)),
            (ErasureRequest, volunteer.erasure_requests.values_list("pk", flat=True)),
        ],
        order=90,
    )
)
