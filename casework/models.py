"""VPD casework: probation clients (only as pseudonymous references), mentoring pairs,
Circles of Support and Accountability (AAA), mediation cases and mediators' certificates.

A client is never named here: a generated code (``VID-2026-0007``), optionally VPD's own
case number, the supervising probation officer and the dates. Free texts warn against
names, personal codes and offences. Meetings and sessions become hours records of the
events app (``events.services.hours_record_for_source``) for the coordinator to approve."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from institutions.models import Institution, Unit
from institutions.tenancy import TenantQuerySet
from volunteers.models import Volunteer

CIRCLE_MIN = 3
CIRCLE_MAX = 5
CIRCLE_WARN_MONTHS = 18
REVIEW_MONTHS = 3


class ReferenceSequence(models.Model):
    """The last client reference number per code prefix and year (locked while taken): two
    units whose names start alike share the numbering, so their codes never collide."""

    prefix = models.CharField(max_length=8)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["prefix", "year"], name="casework_reference_sequence")]

    def __str__(self) -> str:
        return f"{self.prefix}-{self.year}: {self.last}"


class ClientReference(models.Model):
    """A probation client as a pseudonymous reference at a unit."""

    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="clients")
    code = models.CharField(pgettext_lazy("client reference", "reference"), max_length=20, unique=True)
    case_number = models.CharField(
        _("VPD case number"),
        max_length=40,
        blank=True,
        help_text=_("Optional: VPD's own number, as in its case management system."),
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("supervising probation officer"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    active_from = models.DateField(_("active from"))
    active_to = models.DateField(_("active until"), null=True, blank=True)
    note = models.TextField(
        _("note"),
        max_length=1000,
        blank=True,
        help_text=_("Never a name, personal code, address or offence."),
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()
    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name = _("client reference")
        verbose_name_plural = _("client references")
        ordering = ["-active_from", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(active_to__isnull=True) | Q(active_to__gte=F("active_from")),
                name="client_active_dates",
            )
        ]

    def __str__(self) -> str:
        return self.code

    def is_active_on(self, day: date) -> bool:
        return self.active_from <= day and (self.active_to is None or day <= self.active_to)


class PairState(models.TextChoices):
    ACTIVE = "active", _("Active")
    ENDED = "ended", _("Ended")


class MentoringPair(models.Model):
    """A mentor (līdzgaitnieks) and a client."""

    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(
        ClientReference, verbose_name=_("client"), on_delete=models.PROTECT, related_name="pairs"
    )
    mentor = models.ForeignKey(
        Volunteer, verbose_name=_("mentor"), on_delete=models.PROTECT, related_name="mentoring_pairs"
    )
    starts_on = models.DateField(_("start"))
    planned_end = models.DateField(_("planned end"))
    goals = models.TextField(
        _("goals"), max_length=3000, help_text=_("What the client wants to achieve. Never names or offences.")
    )
    state = models.CharField(_("state"), max_length=10, choices=PairState.choices, default=PairState.ACTIVE)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    end_reason = models.TextField(_("reason for ending"), max_length=2000, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()
    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name = _("mentoring pair")
        verbose_name_plural = _("mentoring pairs")
        ordering = ["-starts_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(planned_end__gte=F("starts_on")), name="pair_dates"),
        ]
        indexes = [models.Index(fields=["unit", "state"], name="pair_unit_state")]

    def __str__(self) -> str:
        return f"{self.client} · {self.mentor}"


class CirclePhase(models.TextChoices):
    FORMING = "forming", pgettext_lazy("circle phase", "Forming")
    ACTIVE = "active", pgettext_lazy("circle phase", "Active")
    ENDED = "ended", pgettext_lazy("circle phase", "Ended")


class Circle(models.Model):
    """A Circle of Support and Accountability (AAA) around one client: 3–5 volunteers in
    the inner circle, professionals in the outer one."""

    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(
        ClientReference, verbose_name=_("client"), on_delete=models.PROTECT, related_name="circles"
    )
    phase = models.CharField(
        _("phase"), max_length=10, choices=CirclePhase.choices, default=CirclePhase.FORMING
    )
    formed_on = models.DateField(_("formed on"))
    active_from = models.DateField(_("meeting since"), null=True, blank=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    end_reason = models.TextField(_("reason for ending"), max_length=2000, blank=True)
    schedule = models.CharField(
        _("meeting schedule"),
        max_length=200,
        blank=True,
        help_text=_("For example: weekly, Tuesdays at 18:00."),
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()
    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name = _("circle (AAA)")
        verbose_name_plural = _("circles (AAA)")
        ordering = ["-formed_on", "pk"]
        indexes = [models.Index(fields=["unit", "phase"], name="circle_unit_phase")]

    def __str__(self) -> str:
        return f"AAA {self.client}"


class CircleMember(models.Model):
    circle = models.ForeignKey(Circle, on_delete=models.CASCADE, related_name="members")
    volunteer = models.ForeignKey(
        Volunteer, verbose_name=_("volunteer"), on_delete=models.PROTECT, related_name="circle_places"
    )
    joined_on = models.DateField(_("joined"))
    left_on = models.DateField(_("left"), null=True, blank=True)

    tenant_unit_path = "circle__unit"
    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["joined_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["circle", "volunteer"], condition=Q(left_on__isnull=True), name="circle_member_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.volunteer} @ {self.circle_id}"


class OuterMember(models.Model):
    """A professional of the outer circle: a role and an organisation (e.g. probation
    officer, VPD; psychologist, a municipal social service)."""

    circle = models.ForeignKey(Circle, on_delete=models.CASCADE, related_name="outer")
    role = models.CharField(_("role"), max_length=120)
    organisation = models.CharField(_("organisation"), max_length=200)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.role}, {self.organisation}"


class Meeting(models.Model):
    """A meeting of a mentoring pair or a circle: its length becomes hours records."""

    class Kind(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        PHONE = "phone", _("By phone")
        ONLINE = "online", _("Online")
        OUTING = "outing", _("Activity together")

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    pair = models.ForeignKey(
        MentoringPair, on_delete=models.CASCADE, null=True, blank=True, related_name="meetings"
    )
    circle = models.ForeignKey(
        Circle, on_delete=models.CASCADE, null=True, blank=True, related_name="meetings"
    )
    day = models.DateField(_("date"))
    hours = models.DecimalField(_("length (hours)"), max_digits=4, decimal_places=1)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.IN_PERSON)
    note = models.TextField(
        _("summary"),
        max_length=3000,
        blank=True,
        help_text=_("What was done or discussed. Never names or offences."),
    )
    attendees = models.ManyToManyField(
        Volunteer, verbose_name=_("who attended"), blank=True, related_name="+"
    )
    concern = models.BooleanField(
        _("concern"), default=False, help_text=_("Something the supervising officer must know at once.")
    )
    concern_note = models.TextField(_("the concern"), max_length=2000, blank=True)
    logged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    concern_sent_at = models.DateTimeField(null=True, blank=True)
    concern_claimed_at = models.DateTimeField(null=True, blank=True)
    concern_attempts = models.PositiveSmallIntegerField(default=0)
    concern_error = models.CharField(max_length=255, blank=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["-day", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(pair__isnull=False) & Q(circle__isnull=True))
                | (Q(pair__isnull=True) & Q(circle__isnull=False)),
                name="meeting_of_pair_or_circle",
            ),
            models.CheckConstraint(condition=Q(hours__gt=0), name="meeting_hours_positive"),
        ]
        indexes = [models.Index(fields=["unit", "day"], name="meeting_unit_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.pair or self.circle}"


class Review(models.Model):
    """The supervising officer's periodic review of a pair or a circle."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    pair = models.ForeignKey(
        MentoringPair, on_delete=models.CASCADE, null=True, blank=True, related_name="reviews"
    )
    circle = models.ForeignKey(
        Circle, on_delete=models.CASCADE, null=True, blank=True, related_name="reviews"
    )
    reviewed_on = models.DateField(_("reviewed on"))
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(_("conclusions"), max_length=3000)

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["-reviewed_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.reviewed_on} {self.pair or self.circle}"


class Outcome(models.TextChoices):
    REACHED = "reached", _("Settlement reached")
    NOT_REACHED = "not_reached", _("Settlement not reached")
    REFUSED = "refused", _("A party refused")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class MediationCase(models.Model):
    """A victim–offender mediation: pseudonymous parties, one or two certified mediators."""

    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    reference = models.CharField(_("case reference"), max_length=40)
    victim_ref = models.CharField(_("victim reference"), max_length=40)
    offender_ref = models.CharField(_("offender reference"), max_length=40)
    mediators = models.ManyToManyField(Volunteer, verbose_name=_("mediators"), related_name="mediation_cases")
    opened_on = models.DateField(_("opened on"))
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords(m2m_fields=[mediators])
    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name = _("mediation case")
        verbose_name_plural = _("mediation cases")
        ordering = ["-opened_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "reference"], name="mediation_reference_unique"),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True, outcome="") | Q(closed_on__isnull=False) & ~Q(outcome=""),
                name="mediation_closed_with_outcome",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.closed_on is None


class MediationSession(models.Model):
    case = models.ForeignKey(MediationCase, on_delete=models.CASCADE, related_name="sessions")
    day = models.DateField(_("date"))
    hours = models.DecimalField(_("length (hours)"), max_digits=4, decimal_places=1)
    note = models.TextField(_("note"), max_length=2000, blank=True, help_text=_("Never names or offences."))
    logged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    tenant_unit_path = "case__unit"
    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["-day", "-pk"]
        constraints = [models.CheckConstraint(condition=Q(hours__gt=0), name="session_hours_positive")]

    def __str__(self) -> str:
        return f"{self.case} {self.day}"


class MediatorCertificate(models.Model):
    """A mediator's certificate (Cabinet Regulation No. 346, 2018, amended 2022)."""

    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The unit that keeps the record."),
    )
    volunteer = models.ForeignKey(
        Volunteer, verbose_name=_("mediator"), on_delete=models.PROTECT, related_name="mediator_certificates"
    )
    number = models.CharField(_("number"), max_length=40)
    issued_on = models.DateField(_("issued on"))
    valid_until = models.DateField(_("valid until"))
    annulled_on = models.DateField(_("annulled on"), null=True, blank=True)
    annul_reason = models.TextField(_("reason for annulment"), max_length=2000, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()
    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name = _("mediator certificate")
        verbose_name_plural = _("mediator certificates")
        ordering = ["-valid_until", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["institution", "number"], name="mediator_certificate_number"),
            models.CheckConstraint(
                condition=Q(valid_until__gte=F("issued_on")), name="mediator_certificate_dates"
            ),
        ]
        indexes = [models.Index(fields=["volunteer", "valid_until"], name="mediator_cert_valid")]

    def __str__(self) -> str:
        return self.number

    def is_valid_on(self, day: date) -> bool:
        return self.annulled_on is None and self.issued_on <= day <= self.valid_until


AUDIT_ACTIONS = {
    "casework.client.create": _("Client reference created"),
    "casework.client.update": _("Client reference changed"),
    "casework.client.view": _("Client record viewed"),
    "casework.pair.create": _("Mentoring pair formed"),
    "casework.pair.end": _("Mentoring pair ended"),
    "casework.circle.create": _("Circle formed"),
    "casework.circle.member": _("Circle members changed"),
    "casework.circle.phase": _("Circle phase changed"),
    "casework.meeting": _("Meeting logged"),
    "casework.review": _("Review recorded"),
    "casework.mediation.create": _("Mediation case opened"),
    "casework.mediation.session": _("Mediation session logged"),
    "casework.mediation.close": _("Mediation case closed"),
    "casework.certificate.create": _("Mediator certificate recorded"),
    "casework.certificate.annul": _("Mediator certificate annulled"),
}
