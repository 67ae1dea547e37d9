"""Every write of the institutions app: keyword-only, atomic, audited in the same
transaction, side effects on commit."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import models, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.outbox import Outbox
from core.tasks import enqueue_on_commit

from . import permissions
from .models import AuditEvent, CoordinatorInvitation, Institution, Unit

if TYPE_CHECKING:
    from accounts.models import User

_INVITATION_SALT = "tilts.invitation"


def audit_record(
    *,
    actor: User | None,
    action: str,
    target: models.Model | None = None,
    unit: Unit | None = None,
    institution: Institution | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Record who did what to which object in which unit. Call inside the writing transaction."""
    if institution is None and unit is not None:
        institution = unit.institution
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_label=(actor.email if actor is not None and actor.is_authenticated else "system")[:254],
        institution=institution,
        unit=unit,
        action=action,
        target_type=ContentType.objects.get_for_model(target) if target is not None else None,
        target_id=str(target.pk) if target is not None else "",
        target_label=str(target)[:255] if target is not None else "",
        data=data or {},
    )


def audit_event(
    *,
    actor: User | None,
    action: str,
    target: models.Model,
    unit: Unit | None = None,
    data: dict[str, Any] | None = None,
    created_at=None,
) -> AuditEvent:
    """The unsaved row ``audit_record`` would write (the institution is the unit's), for a
    service that writes many at once with ``AuditEvent.objects.bulk_create``."""
    return AuditEvent(
        created_at=created_at or timezone.now(),
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_label=(actor.email if actor is not None and actor.is_authenticated else "system")[:254],
        institution_id=unit.institution_id if unit is not None else None,
        unit=unit,
        action=action,
        target_type=ContentType.objects.get_for_model(target),
        target_id=str(target.pk),
        target_label=str(target)[:255],
        data=data or {},
    )


def _require_manager(actor: User, institution_id: int) -> None:
    if not permissions.can_manage_coordinators(actor, institution_id):
        raise PermissionDenied


# --- Role grants


@transaction.atomic
def unit_coordinator_grant(*, actor: User | None, user: User, unit: Unit) -> None:
    if actor is not None:
        _require_manager(actor, unit.institution_id)
    permissions.grant_unit_coordinator(user, unit)
    audit_record(actor=actor, action="role.unit_coordinator.grant", target=user, unit=unit)


@transaction.atomic
def unit_coordinator_revoke(*, actor: User, user: User, unit: Unit) -> None:
    _require_manager(actor, unit.institution_id)
    permissions.revoke_unit_coordinator(user, unit)
    audit_record(actor=actor, action="role.unit_coordinator.revoke", target=user, unit=unit)


@transaction.atomic
def central_coordinator_grant(*, actor: User | None, user: User, institution: Institution) -> None:
    if actor is not None and not permissions.roles_for(actor).superuser:
        raise PermissionDenied
    permissions.grant_central_coordinator(user, institution)
    if not user.is_staff:
        # Central coordinators use the admin panel (scoped to their institution).
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    audit_record(actor=actor, action="role.central_coordinator.grant", target=user, institution=institution)


@transaction.atomic
def ministry_viewer_grant(*, actor: User | None, user: User) -> None:
    if actor is not None and not permissions.roles_for(actor).superuser:
        raise PermissionDenied
    permissions.grant_ministry_viewer(user)
    audit_record(actor=actor, action="role.ministry_viewer.grant", target=user)


# --- Invitations


def invitation_token(invitation: CoordinatorInvitation) -> str:
    return signing.dumps([invitation.pk, invitation.nonce], salt=_INVITATION_SALT, compress=True)


def invitation_from_token(token: str) -> CoordinatorInvitation | None:
    """The invitation a link points at, or None for a forged, tampered or superseded link."""
    try:
        pk, nonce = signing.loads(token, salt=_INVITATION_SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    invitation = (
        CoordinatorInvitation.objects.select_related("institution")
        .prefetch_related("units")
        .filter(pk=pk)
        .first()
    )
    if invitation is None or invitation.nonce != nonce:
        return None
    return invitation


def invitation_url(invitation: CoordinatorInvitation) -> str:
    path = reverse("institutions:invitation_accept", kwargs={"token": invitation_token(invitation)})
    return settings.TILTS_BASE_URL.rstrip("/") + path


# Ages from the invitation's creation: a resent one the broker lost is queued again by the
# next sweep (sooner than after 10 minutes, which is harmless: the claim sends it once).
INVITATION_EMAIL = Outbox(
    model=CoordinatorInvitation,
    sent="sent_at",
    claimed="send_claimed_at",
    attempts="send_attempts",
    error="send_error",
    created="created_at",
    pending=lambda now: Q(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now),
)


def _enqueue_invitation_email(invitation_id: int) -> None:
    from .tasks import invitation_send

    enqueue_on_commit(invitation_send, invitation_id)


def invitation_check(*, actor: User, email: str, units: Iterable[Unit]) -> int:
    """Whether ``actor`` may invite ``email`` to ``units``; returns the institution's id.
    Raises ValidationError (bad input) or PermissionDenied (not the actor's institution)."""
    units = list(units)
    if not units:
        raise ValidationError(_("Choose at least one unit."))
    institution_ids = {unit.institution_id for unit in units}
    if len(institution_ids) != 1:
        raise ValidationError(_("All units of one invitation must belong to the same institution."))
    institution_id = institution_ids.pop()
    _require_manager(actor, institution_id)
    existing = get_user_model().objects.filter(email__iexact=email.strip()).first()
    if existing is not None:
        held = permissions.roles_for(existing).unit_coordinator_of
        if all(unit.pk in held for unit in units):
            raise ValidationError(
                _("%(email)s already coordinates every chosen unit.") % {"email": email.strip()}
            )
    return institution_id


@transaction.atomic
def invitation_create(
    *, actor: User, email: str, units: Iterable[Unit], language: str = settings.LANGUAGE_CODE
) -> CoordinatorInvitation:
    units = list(units)
    email = email.strip().lower()
    institution_id = invitation_check(actor=actor, email=email, units=units)
    now = timezone.now()
    # A new invitation replaces the person's pending ones in the same institution.
    for old in CoordinatorInvitation.objects.pending().filter(
        email__iexact=email, institution_id=institution_id
    ):
        _invitation_close(old, actor=actor, now=now)
    invitation = CoordinatorInvitation.objects.create(
        email=email,
        institution_id=institution_id,
        language=language,
        invited_by=actor,
        created_at=now,
        expires_at=now + timedelta(days=settings.TILTS_INVITATION_DAYS),
    )
    invitation.units.set(units)
    audit_record(
        actor=actor,
        action="invitation.create",
        target=invitation,
        institution=invitation.institution,
        data={"email": email, "units": [unit.slug for unit in units]},
    )
    _enqueue_invitation_email(invitation.pk)
    return invitation


def _invitation_close(invitation: CoordinatorInvitation, *, actor: User, now) -> None:
    invitation.revoked_at = now
    invitation.revoked_by = actor
    invitation.nonce = CoordinatorInvitation._meta.get_field("nonce").default()
    invitation.save(update_fields=["revoked_at", "revoked_by", "nonce"])
    audit_record(
        actor=actor, action="invitation.revoke", target=invitation, institution=invitation.institution
    )


@transaction.atomic
def invitation_revoke(*, actor: User, invitation: CoordinatorInvitation) -> None:
    invitation = CoordinatorInvitation.objects.select_for_update().get(pk=invitation.pk)
    _require_manager(actor, invitation.institution_id)
    if invitation.accepted_at or invitation.revoked_at:
        raise ValidationError(_("This invitation is no longer open."))
    _invitation_close(invitation, actor=actor, now=timezone.now())


@transaction.atomic
def invitation_resend(*, actor: User, invitation: CoordinatorInvitation) -> CoordinatorInvitation:
    """Send a fresh link (the old one stops working) and restart the expiry period."""
    invitation = CoordinatorInvitation.objects.select_for_update().get(pk=invitation.pk)
    _require_manager(actor, invitation.institution_id)
    if invitation.accepted_at or invitation.revoked_at:
        raise ValidationError(_("This invitation is no longer open."))
    invitation.nonce = CoordinatorInvitation._meta.get_field("nonce").default()
    invitation.expires_at = timezone.now() + timedelta(days=settings.TILTS_INVITATION_DAYS)
    invitation.sent_at = None
    invitation.send_claimed_at = None  # a send of the old link in flight marks nothing
    invitation.send_attempts = 0
    invitation.send_error = ""
    invitation.save(
        update_fields=["nonce", "expires_at", "sent_at", "send_claimed_at", "send_attempts", "send_error"]
    )
    audit_record(
        actor=actor, action="invitation.resend", target=invitation, institution=invitation.institution
    )
    _enqueue_invitation_email(invitation.pk)
    return invitation


@transaction.atomic
def invitation_accept(*, invitation: CoordinatorInvitation, user: User) -> None:
    invitation = CoordinatorInvitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_pending:
        raise ValidationError(_("This invitation is no longer open."))
    if user.email.lower() != invitation.email.lower():
        raise PermissionDenied
    for unit in invitation.units.select_related("institution"):
        permissions.grant_unit_coordinator(user, unit)
        audit_record(
            actor=user,
            action="role.unit_coordinator.grant",
            target=user,
            unit=unit,
            data={"invitation": invitation.pk, "invited_by": invitation.invited_by.email},
        )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    audit_record(
        actor=user, action="invitation.accept", target=invitation, institution=invitation.institution
    )


@transaction.atomic
def invited_user_create(
    *, invitation: CoordinatorInvitation, first_name: str, last_name: str, password: str
) -> User:
    """Create the account of an invited person. The email is verified: the link reached it."""
    User = get_user_model()
    user = User.objects.create_user(
        email=invitation.email,
        password=password,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        language=invitation.language,
    )
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    audit_record(actor=user, action="account.create", target=user, institution=invitation.institution)
    invitation_accept(invitation=invitation, user=user)
    return user


def invitation_send_email(*, invitation_id: int) -> bool:
    """Send the invitation email once per link. Returns False when there was nothing to
    send. The invitation is claimed, the email goes out outside any transaction, and the
    invitation is marked sent only if its link is still the one mailed (a resend meanwhile
    sends the new link); a failure is recorded and raised (the task retries, then the sweeper)."""
    claimed = INVITATION_EMAIL.claim(invitation_id)
    if claimed is None:
        return False
    invitation = CoordinatorInvitation.objects.select_related("institution", "invited_by").get(
        pk=invitation_id
    )
    units = list(invitation.units.order_by("name"))
    try:
        with translation.override(invitation.language):
            context = {
                "invitation": invitation,
                "units": units,
                "url": invitation_url(invitation),
                "days": settings.TILTS_INVITATION_DAYS,
            }
            subject = render_to_string("institutions/email/invitation_subject.txt", context).strip()
            body = render_to_string("institutions/email/invitation_body.txt", context)
        EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [invitation.email]).send()
    except Exception as error:
        INVITATION_EMAIL.failed(invitation_id, claimed=claimed, error=error)
        raise
    CoordinatorInvitation.objects.filter(pk=invitation_id, nonce=invitation.nonce).update(
        sent_at=timezone.now(), send_claimed_at=None, send_error=""
    )
    return True


def invitations_requeue_unsent(*, now=None) -> list[int]:
    """The sweeper: queue again pending invitations whose email did not go out (a lost
    message, the broker or the mail server down)."""
    from .tasks import invitation_send

    due = INVITATION_EMAIL.due(now=now)
    for pk in due:
        enqueue_on_commit(invitation_send, pk)
    return due
