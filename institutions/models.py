import secrets
from datetime import date
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from simple_history.models import HistoricalRecords

from .tenancy import TenantQuerySet


class Institution(models.Model):
    class Code(models.TextChoices):
        VPD = "VPD", _("State Probation Service")
        IEVP = "IEVP", _("Prison Administration")
        TM = "TM", _("Ministry of Justice")

    class AgreementTerm(models.TextChoices):
        # The Latvian words themselves: what the institution's published texts call it.
        VIENOSANAS = "vienosanas", "vienošanās"
        LIGUMS = "ligums", "līgums"

    code = models.CharField(_("code"), max_length=8, choices=Code.choices, unique=True)
    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=20)
    min_volunteer_age = models.PositiveSmallIntegerField(
        _("minimum age of volunteers"),
        default=18,
        validators=[MinValueValidator(13)],
        help_text=_("The Volunteer Work Law allows 13; work in prisons and probation usually needs 18."),
    )
    agreement_term = models.CharField(
        _("word for the volunteer work agreement"),
        max_length=12,
        choices=AgreementTerm.choices,
        default=AgreementTerm.VIENOSANAS,
        help_text=_("Used in the interface, the emails and the PDFs: “vienošanās” (VPD) or “līgums” (IeVP)."),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("institution")
        verbose_name_plural = _("institutions")
        ordering = ["code"]
        permissions = [
            ("coordinate_institution", _("Coordinate every unit of the institution")),
            ("oversee_institution", _("Oversee every unit of the institution (read-only)")),
            ("administer_awards", _("Administer the Ministry's volunteer award")),
            ("judge_awards", _("Sit on the volunteer award's jury")),
        ]

    def __str__(self) -> str:
        return self.short_name

    @property
    def agreement_terms(self):
        """Its word for the agreement in every text (``agreements.terms``)."""
        from agreements.terms import for_institution

        return for_institution(self)


class UnitQuerySet(models.QuerySet):
    def valid_on(self, day: date) -> "UnitQuerySet":
        return self.filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=day),
            Q(valid_to__isnull=True) | Q(valid_to__gte=day),
        )

    def valid_today(self) -> "UnitQuerySet":
        return self.valid_on(timezone.localdate())


class Unit(models.Model):
    """A structural unit (struktūrvienība): a prison, a probation region or department,
    or a central office. Units open and close, so they carry a validity period."""

    class Kind(models.TextChoices):
        CENTRAL_OFFICE = "central", _("Central office")
        PRISON = "prison", _("Prison")
        PROBATION_REGION = "region", _("Probation region")
        PROBATION_DEPARTMENT = "department", _("Probation department")

    institution = models.ForeignKey(
        Institution, verbose_name=_("institution"), on_delete=models.PROTECT, related_name="units"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        on_delete=models.PROTECT,
        related_name="children",
        null=True,
        blank=True,
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    slug = models.SlugField(_("short address"), max_length=80, unique=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    history = HistoricalRecords()
    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["name"]
        permissions = [("coordinate_unit", _("Coordinate the unit's volunteers"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
                name="unit_valid_period",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def is_valid_on(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or self.valid_to >= day
        )

    @property
    def is_valid_today(self) -> bool:
        return self.is_valid_on(timezone.localdate())

    def takes_volunteers_on(self, day) -> bool:
        """Volunteers work here on ``day``: not a central office, not closed. (Overviews leave
        out a unit that takes none while all its figures are zero.)"""
        return self.kind != self.Kind.CENTRAL_OFFICE and self.is_valid_on(day)

    @property
    def takes_volunteers(self) -> bool:
        return self.takes_volunteers_on(timezone.localdate())


# Direct foreign-key object-permission tables (django-guardian): one per model, so that
# permission checks join on an integer key instead of a generic (content type, text id).
class UnitUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Unit, on_delete=models.CASCADE)
    history = HistoricalRecords()


class UnitGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Unit, on_delete=models.CASCADE)
    history = HistoricalRecords()


class InstitutionUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Institution, on_delete=models.CASCADE)
    history = HistoricalRecords()


class InstitutionGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Institution, on_delete=models.CASCADE)
    history = HistoricalRecords()


class AuditEventQuerySet(TenantQuerySet):
    pass


# Human-readable names of audit actions. Other apps add theirs with ``register_audit_actions``;
# a callable label is given the event's institution id (a word that differs per institution).
AUDIT_ACTIONS: dict[str, Any] = {
    "account.create": _("Account created"),
    "invitation.create": _("Coordinator invited"),
    "invitation.resend": _("Invitation sent again"),
    "invitation.revoke": _("Invitation revoked"),
    "invitation.accept": _("Invitation accepted"),
    "role.unit_coordinator.grant": _("Coordinator role granted"),
    "role.unit_coordinator.revoke": _("Coordinator role revoked"),
    "role.central_coordinator.grant": _("Central coordinator role granted"),
    "role.central_coordinator.revoke": _("Central coordinator role revoked"),
    "role.ministry_viewer.grant": _("Ministry viewer role granted"),
    "unit.create": _("Unit created"),
    "unit.change": _("Unit changed"),
}


def register_audit_actions(actions: dict[str, Any]) -> None:
    AUDIT_ACTIONS.update(actions)


class AuditEvent(models.Model):
    """Who did what to which object, in which unit. Written by services in the same
    transaction as the change itself."""

    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_label = models.CharField(_("actor"), max_length=254, blank=True)
    institution = models.ForeignKey(
        Institution, verbose_name=_("institution"), on_delete=models.PROTECT, null=True, blank=True
    )
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, null=True, blank=True)
    action = models.CharField(_("action"), max_length=100, db_index=True)
    target_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, null=True, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    target_label = models.CharField(_("object"), max_length=255, blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True, encoder=DjangoJSONEncoder)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["unit", "-created_at"], name="audit_unit_time"),
            models.Index(fields=["institution", "-created_at"], name="audit_institution_time"),
            models.Index(fields=["target_type", "target_id"], name="audit_target"),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.target_label}"

    @property
    def action_label(self) -> str:
        label = AUDIT_ACTIONS.get(self.action, self.action)
        if callable(label):  # worded per institution (agreements.terms.Termed)
            return label(self.institution_id)
        return str(label)


def _new_nonce() -> str:
    return secrets.token_urlsafe(16)


class CoordinatorInvitationQuerySet(models.QuerySet):
    def pending(self) -> "CoordinatorInvitationQuerySet":
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now())


class CoordinatorInvitation(models.Model):
    """An emailed, expiring invitation to coordinate one or more units of one institution."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        REVOKED = "revoked", _("Revoked")
        EXPIRED = "expired", _("Expired")

    email = models.EmailField(_("email address"))
    institution = models.ForeignKey(Institution, verbose_name=_("institution"), on_delete=models.PROTECT)
    units = models.ManyToManyField(Unit, verbose_name=_("units"), related_name="invitations")
    language = models.CharField(
        _("language of the email"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("invited by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    # A fresh nonce invalidates every link sent before (resend, revoke).
    nonce = models.CharField(max_length=32, default=_new_nonce, editable=False)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    # The email's outbox state (see services.invitation_send_email): taken by a sender
    # (cleared when it fails), how many tries since the link was made, the last error.
    send_claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
    send_attempts = models.PositiveSmallIntegerField(default=0, editable=False)
    send_error = models.CharField(max_length=255, blank=True, editable=False)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("accepted by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    history = HistoricalRecords(excluded_fields=["nonce", "send_claimed_at", "send_attempts", "send_error"])
    objects = CoordinatorInvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("coordinator invitation")
        verbose_name_plural = _("coordinator invitations")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["institution", "-created_at"], name="invitation_institution")]

    def __str__(self) -> str:
        return self.email

    @property
    def status(self) -> str:
        if self.accepted_at:
            return self.Status.ACCEPTED
        if self.revoked_at:
            return self.Status.REVOKED
        if self.expires_at <= timezone.now():
            return self.Status.EXPIRED
        return self.Status.PENDING

    def get_status_display(self) -> str:
        return str(self.Status(self.status).label)

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING
