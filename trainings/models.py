"""Trainings: courses of an institution, sessions (cohorts) of a course at a unit, the
registrations of volunteers with a waiting list, attendance per day, and completions —
the facts that qualify a volunteer for a role (see ``selectors.missing_courses``)."""

from __future__ import annotations

import secrets
from datetime import date

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from institutions.models import Institution, Unit
from institutions.tenancy import TenantQuerySet
from volunteers.models import Application, Role, Volunteer


class Course(models.Model):
    """What is taught. Owned by an institution; its sessions are held at its units."""

    class Kind(models.TextChoices):
        INDUCTION = "induction", _("Induction")
        ROLE = "role", _("Role-specific")
        RECURRING = "recurring", _("Recurring")

    class Rule(models.TextChoices):
        ALL_DAYS = "all_days", _("Present on every day")
        SHARE = "share", _("Present on a minimum share of the days")

    institution = models.ForeignKey(
        Institution, verbose_name=_("institution"), on_delete=models.PROTECT, related_name="courses"
    )
    title = models.CharField(_("title (Latvian)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    description = models.TextField(_("description (Latvian)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.INDUCTION)
    validity_months = models.PositiveSmallIntegerField(
        _("valid for (months)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text=_("Recurring courses only: how long a completion stays valid (child rights: 24)."),
    )
    hours = models.DecimalField(
        _("hours"), max_digits=5, decimal_places=1, validators=[MinValueValidator(0.5)]
    )
    roles = models.ManyToManyField(
        Role,
        verbose_name=_("required for roles"),
        related_name="required_courses",
        blank=True,
        help_text=_(
            "A volunteer needs a valid completion of this course (and of every other course "
            "required for the role) before an agreement for the role."
        ),
    )
    completion_rule = models.CharField(
        _("completion rule"), max_length=10, choices=Rule.choices, default=Rule.ALL_DAYS
    )
    min_share = models.PositiveSmallIntegerField(
        _("minimum share of days (%)"),
        default=80,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    is_active = models.BooleanField(
        _("active"), default=True, help_text=_("Inactive courses get no new sessions and are not required.")
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        ordering = ["institution__code", "title"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="recurring") | Q(validity_months__isnull=False),
                name="course_recurring_has_validity",
            ),
            models.CheckConstraint(
                condition=Q(kind="recurring") | Q(validity_months__isnull=True),
                name="course_validity_only_recurring",
            ),
        ]

    def __str__(self) -> str:
        return self.display_title

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.kind == self.Kind.RECURRING and not self.validity_months:
            raise ValidationError({"validity_months": _("A recurring course needs a validity in months.")})
        if self.kind != self.Kind.RECURRING and self.validity_months:
            raise ValidationError({"validity_months": _("Only recurring courses expire; leave this empty.")})
        if self.pk:
            before = Course.objects.filter(pk=self.pk).values_list("kind", "validity_months").first()
            if before and before != (self.kind, self.validity_months) and self.completions.exists():
                raise ValidationError(
                    _(
                        "Completions of this course are recorded with its kind and validity; "
                        "make a new course instead of changing them."
                    )
                )

    @property
    def display_title(self) -> str:
        if translation.get_language() == "en" and self.title_en:
            return self.title_en
        return self.title

    @property
    def display_description(self) -> str:
        if translation.get_language() == "en" and self.description_en:
            return self.description_en
        return self.description

    @property
    def is_recurring(self) -> bool:
        return self.kind == self.Kind.RECURRING


class SessionState(models.TextChoices):
    PLANNED = "planned", _("Planned")
    OPEN = "open", _("Open for registration")
    CLOSED = "closed", _("Registration closed")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


class SessionQuerySet(TenantQuerySet):
    def upcoming(self, today: date | None = None) -> SessionQuerySet:
        return self.filter(last_day__gte=today or timezone.localdate())

    def past(self, today: date | None = None) -> SessionQuerySet:
        return self.filter(last_day__lt=today or timezone.localdate())


class Session(models.Model):
    """One cohort of a course at a unit (a prison, a region, or the central office)."""

    course = models.ForeignKey(
        Course, verbose_name=_("course"), on_delete=models.PROTECT, related_name="sessions"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="training_sessions"
    )
    place = models.CharField(_("place"), max_length=255)
    capacity = models.PositiveIntegerField(_("places"), validators=[MinValueValidator(1)])
    trainers = models.CharField(_("trainers"), max_length=255, blank=True)
    registration_deadline = models.DateField(_("registration deadline"), null=True, blank=True)
    notes = models.TextField(_("notes for participants"), blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=SessionState.choices, default=SessionState.PLANNED
    )
    # The first and last day, kept by the services from the days (for lists, filters and feeds).
    first_day = models.DateField(_("first day"), null=True, blank=True)
    last_day = models.DateField(_("last day"), null=True, blank=True)
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    history = HistoricalRecords()
    objects = SessionQuerySet.as_manager()

    class Meta:
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")
        ordering = ["first_day", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(capacity__gte=1), name="session_capacity_positive"),
            models.CheckConstraint(
                condition=Q(first_day__isnull=True) | Q(last_day__gte=F("first_day")),
                name="session_days_ordered",
            ),
        ]
        indexes = [
            models.Index(fields=["unit", "first_day"], name="session_unit_day"),
            models.Index(fields=["state", "first_day"], name="session_state_day"),
            models.Index(fields=["last_day"], name="session_last_day"),
        ]

    def __str__(self) -> str:
        when = date_format(self.first_day, "j.m.Y") if self.first_day else ""
        return f"{self.course} {when}".strip()

    @property
    def is_cancelled(self) -> bool:
        return self.state == SessionState.CANCELLED

    def registration_open_on(self, day: date) -> bool:
        if self.state != SessionState.OPEN:
            return False
        if self.registration_deadline and day > self.registration_deadline:
            return False
        return self.first_day is None or day < self.first_day


class SessionDay(models.Model):
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="days")
    date = models.DateField(_("date"))
    starts_at = models.TimeField(_("starts"))
    ends_at = models.TimeField(_("ends"))

    tenant_unit_path = "session__unit"
    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name = _("session day")
        verbose_name_plural = _("session days")
        ordering = ["date", "starts_at"]
        constraints = [
            models.UniqueConstraint(fields=["session", "date"], name="session_day_once"),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="session_day_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date:%d.%m.%Y} {self.starts_at:%H:%M}–{self.ends_at:%H:%M}"


class RegistrationState(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    WAITLISTED = "waitlisted", _("On the waiting list")
    CANCELLED = "cancelled", _("Cancelled")


class Registration(models.Model):
    """A volunteer's place in a session, or on its waiting list (in ``created_at`` order)."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="registrations")
    volunteer = models.ForeignKey(
        Volunteer,
        verbose_name=_("volunteer"),
        on_delete=models.PROTECT,
        related_name="training_registrations",
    )
    application = models.ForeignKey(
        Application, on_delete=models.SET_NULL, null=True, blank=True, related_name="training_registrations"
    )
    state = models.CharField(
        _("state"), max_length=12, choices=RegistrationState.choices, default=RegistrationState.REGISTERED
    )
    created_at = models.DateTimeField(_("registered"), default=timezone.now)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    promoted_at = models.DateTimeField(_("moved from the waiting list"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)

    history = HistoricalRecords()
    tenant_unit_path = "session__unit"
    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["session", "volunteer"], name="registration_once_per_session")
        ]
        indexes = [models.Index(fields=["session", "state", "created_at"], name="registration_queue")]

    def __str__(self) -> str:
        return f"{self.session} {self.volunteer}"


class Attendance(models.Model):
    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="attendance")
    day = models.ForeignKey(SessionDay, on_delete=models.CASCADE, related_name="attendance")
    present = models.BooleanField(_("present"))
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    marked_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()
    tenant_unit_path = "registration__session__unit"
    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(fields=["registration", "day"], name="attendance_once_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.registration} {self.day}"


class CompletionQuerySet(TenantQuerySet):
    def valid_on(self, day: date) -> CompletionQuerySet:
        return self.filter(
            Q(valid_until__isnull=True) | Q(valid_until__gte=day),
            completed_on__lte=day,
            revoked_at__isnull=True,
        )


class Completion(models.Model):
    """A volunteer completed a course: from a session's attendance, or recorded by a
    coordinator from outside the system (an earlier course, another provider)."""

    class Source(models.TextChoices):
        ATTENDANCE = "attendance", _("Session attendance")
        EXTERNAL = "external", _("Recorded by a coordinator")

    volunteer = models.ForeignKey(
        Volunteer, verbose_name=_("volunteer"), on_delete=models.PROTECT, related_name="training_completions"
    )
    course = models.ForeignKey(
        Course, verbose_name=_("course"), on_delete=models.PROTECT, related_name="completions"
    )
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    session = models.ForeignKey(
        Session,
        verbose_name=_("session"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="completions",
    )
    source = models.CharField(_("source"), max_length=12, choices=Source.choices)
    completed_on = models.DateField(_("completed on"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=1)
    number = models.CharField(_("certificate number"), max_length=30, blank=True)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded"), default=timezone.now)
    revoked_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    revoke_reason = models.TextField(_("reason for withdrawing"), blank=True)

    documents = GenericRelation("documents.Document", related_query_name="training_completion")
    history = HistoricalRecords()
    objects = CompletionQuerySet.as_manager()

    class Meta:
        verbose_name = _("completion")
        verbose_name_plural = _("completions")
        ordering = ["-completed_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "volunteer"],
                condition=Q(session__isnull=False, revoked_at__isnull=True),
                name="completion_once_per_session",
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=F("completed_on")),
                name="completion_valid_after_completed",
            ),
        ]
        indexes = [
            models.Index(fields=["volunteer", "course", "valid_until"], name="completion_validity"),
            models.Index(fields=["valid_until"], name="completion_expiry"),
            models.Index(fields=["unit", "-completed_on"], name="completion_unit_day"),
        ]

    def __str__(self) -> str:
        return self.number or f"{self.course} {self.completed_on:%d.%m.%Y}"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def is_valid_on(self, day: date) -> bool:
        return (
            not self.is_revoked
            and self.completed_on <= day
            and (self.valid_until is None or self.valid_until >= day)
        )


def _new_token() -> str:
    return secrets.token_urlsafe(24)


class CalendarFeed(models.Model):
    """A private calendar address: a volunteer's own sessions (``unit`` empty) or one unit's
    sessions for a coordinator. Resetting gives a new token; the old address stops working."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    token = models.CharField(max_length=64, unique=True, default=_new_token)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "unit"], name="calendar_feed_once"),
            models.UniqueConstraint(
                fields=["user"], condition=Q(unit__isnull=True), name="calendar_feed_once_personal"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.unit or '-'}"


class Notice(models.Model):
    """An email about a registration waiting to be sent: the status row of an outbox
    (``core.outbox``, ``services.NOTICE``) — written with the change, claimed and sent by a
    task after commit outside any lock, and queued again by the sweeper if it was lost."""

    class Kind(models.TextChoices):
        REGISTERED = "registered", _("Registration confirmed")
        WAITLISTED = "waitlisted", _("Placed on the waiting list")
        PROMOTED = "promoted", _("Moved from the waiting list")
        CANCELLED = "cancelled", _("Session cancelled")
        CHANGED = "changed", _("Session changed")

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    # Taken by a sender (cleared when sent or failed; a stale claim is taken over).
    claimed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=255, blank=True)

    class Meta:
        indexes = [models.Index(fields=["sent_at", "created_at"], name="training_notice_outbox")]

    def __str__(self) -> str:
        return f"{self.kind} {self.registration_id}"


AUDIT_ACTIONS = {
    "training.session.create": _("Training session created"),
    "training.session.update": _("Training session changed"),
    "training.session.state": _("Training session state changed"),
    "training.session.cancel": _("Training session cancelled"),
    "training.register": _("Registered for a training"),
    "training.registration.cancel": _("Training registration cancelled"),
    "training.attendance": _("Attendance marked"),
    "training.completion": _("Training completion recorded"),
    "training.completion.revoke": _("Training completion withdrawn"),
    "training.export": _("Training participants exported"),
    "training_certificate.download": _("Training certificate downloaded"),
}
