"""Events (pasākumi) that volunteers hold at a unit — mostly in prisons —, their series,
the hours volunteers give (one record per volunteer per activity, approved by the unit's
coordinator; casework meetings will add records of their own), and the certificate of
volunteer work (izziņa) that the Volunteer Work Law entitles a volunteer to.

An event never names an inmate: it says how many took part and which group (juveniles,
women, remand…)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey, GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from institutions.models import Institution, Unit
from institutions.tenancy import TenantQuerySet
from volunteers.models import Role, Volunteer


class ActivityType(models.Model):
    """A kind of activity (sports, book club, writing masterclass…): a list the central
    office keeps in the admin panel."""

    name = models.CharField(_("name (Latvian)"), max_length=120, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=120, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("offered"), default=True)

    class Meta:
        verbose_name = _("activity type")
        verbose_name_plural = _("activity types")
        ordering = ["order", "name"]

    def __str__(self) -> str:
        if translation.get_language() == "en" and self.name_en:
            return self.name_en
        return self.name


class TargetGroup(models.TextChoices):
    """Who takes part — a group, never a person."""

    ADULTS = "adults", _("Adults serving a sentence")
    WOMEN = "women", _("Women")
    JUVENILES = "juveniles", _("Juveniles")
    REMAND = "remand", _("People on remand")
    PRE_RELEASE = "pre_release", _("People preparing for release")
    CLIENTS = "clients", _("Probation clients")
    STAFF_FAMILIES = "families", _("Families and children")
    MIXED = "mixed", _("Mixed group")


class EventState(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    CHANGES_REQUESTED = "changes", _("Changes requested")
    APPROVED = "approved", _("Approved")
    HELD = "held", _("Held, report in review")
    REPORTED = "reported", _("Reported")
    NOT_HELD = "not_held", _("Did not take place")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_STATES = (EventState.PROPOSED, EventState.CHANGES_REQUESTED, EventState.APPROVED)
DONE_STATES = (EventState.HELD, EventState.REPORTED)
CLOSED_STATES = (EventState.REPORTED, EventState.NOT_HELD, EventState.REJECTED, EventState.CANCELLED)


class EventSeries(models.Model):
    """A recurring activity (a weekly book club for ten weeks): the rule it was made with
    (``dateutil.rrule``); each occurrence is an Event of its own that can be cancelled or
    moved alone."""

    class Frequency(models.TextChoices):
        WEEKLY = "weekly", _("Every week")
        FORTNIGHTLY = "fortnightly", _("Every second week")
        MONTHLY = "monthly", _("Every month")

    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    frequency = models.CharField(_("repeats"), max_length=12, choices=Frequency.choices)
    count = models.PositiveSmallIntegerField(_("occurrences"), validators=[MinValueValidator(2)])
    rule = models.CharField(_("recurrence rule"), max_length=255)  # RRULE text, for the record
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name = _("event series")
        verbose_name_plural = _("event series")

    def __str__(self) -> str:
        return self.title


class EventQuerySet(TenantQuerySet):
    def in_month(self, year: int, month: int) -> EventQuerySet:
        first = timezone.datetime(year, month, 1, tzinfo=timezone.get_default_timezone())
        following = timezone.datetime(
            year + (month == 12), 1 if month == 12 else month + 1, 1, tzinfo=timezone.get_default_timezone()
        )
        return self.filter(starts_at__gte=first, starts_at__lt=following)


class Event(models.Model):
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="events")
    series = models.ForeignKey(
        EventSeries,
        verbose_name=_("series"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
    )
    title = models.CharField(_("title"), max_length=200)
    field = models.ForeignKey(
        Role, verbose_name=pgettext_lazy("area of work", "field"), on_delete=models.PROTECT, related_name="+"
    )
    activity_type = models.ForeignKey(
        ActivityType, verbose_name=_("kind of activity"), on_delete=models.PROTECT, related_name="events"
    )
    description = models.TextField(_("description"), max_length=5000)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    place = models.CharField(_("place in the prison"), max_length=255)
    expected_participants = models.PositiveIntegerField(_("expected participants"))
    target_group = models.CharField(_("target group"), max_length=12, choices=TargetGroup.choices)
    items = models.TextField(_("items to bring in"), max_length=2000, blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=EventState.choices, default=EventState.PROPOSED
    )

    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("proposed by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    # The report: actual participants, the coordinator's note (each volunteer's feedback and
    # hours are on their EventVolunteer row and HoursRecord).
    actual_participants = models.PositiveIntegerField(_("participants"), null=True, blank=True)
    coordinator_note = models.TextField(_("coordinator's note"), max_length=3000, blank=True)
    reported_at = models.DateTimeField(_("reported"), null=True, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The last reason given (rejection, requested changes, cancelling); every step is in EventStep.
    reason = models.TextField(_("reason"), max_length=2000, blank=True)
    state_changed_at = models.DateTimeField(default=timezone.now)

    documents = GenericRelation("documents.Document", related_query_name="event")
    history = HistoricalRecords(excluded_fields=["state_changed_at"])
    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="event_ends_after_start"),
            models.CheckConstraint(
                condition=Q(actual_participants__isnull=True) | Q(actual_participants__gte=0),
                name="event_participants_not_negative",
            ),
        ]
        indexes = [
            models.Index(fields=["unit", "starts_at"], name="event_unit_start"),
            models.Index(fields=["state", "starts_at"], name="event_state_start"),
            # The list of several units (a central coordinator's), newest first: read in order.
            models.Index(fields=["starts_at", "id"], name="event_list"),
            # Counts per unit and state — the list's tabs, the queue's counts — from the index
            # alone (PostgreSQL's index-only scan: with the start and the end, the queue's
            # "not started yet" and "over" too), and a unit's tab in date order.
            models.Index(fields=["unit", "state", "starts_at", "ends_at"], name="event_unit_state"),
            # The queue's sections, oldest first: reports to review, events awaiting a report.
            models.Index(fields=["reported_at", "id"], condition=Q(state="held"), name="event_to_review"),
            models.Index(fields=["ends_at", "id"], condition=Q(state="approved"), name="event_to_report"),
        ]

    def __str__(self) -> str:
        return f"{self.title} {date_format(timezone.localtime(self.starts_at), 'j.m.Y')}"

    @property
    def duration_hours(self) -> Decimal:
        seconds = (self.ends_at - self.starts_at).total_seconds()
        return (Decimal(seconds) / Decimal(3600)).quantize(Decimal("0.1"))

    @property
    def local_start(self):
        return timezone.localtime(self.starts_at)

    @property
    def local_end(self):
        return timezone.localtime(self.ends_at)

    @property
    def is_past(self) -> bool:
        return self.ends_at <= timezone.now()

    @property
    def awaits_report(self) -> bool:
        return self.state == EventState.APPROVED and self.is_past


class EventVolunteer(models.Model):
    """A volunteer on an event (the lead, or one of the others) and their own report."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="people")
    volunteer = models.ForeignKey(
        Volunteer, verbose_name=_("volunteer"), on_delete=models.PROTECT, related_name="event_places"
    )
    is_lead = models.BooleanField(_("leads the event"), default=False)
    feedback = models.TextField(_("feedback"), max_length=2000, blank=True)

    tenant_unit_path = "event__unit"
    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name = _("volunteer on an event")
        verbose_name_plural = _("volunteers on events")
        ordering = ["-is_lead", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["event", "volunteer"], name="event_volunteer_once"),
            models.UniqueConstraint(fields=["event"], condition=Q(is_lead=True), name="event_one_lead"),
        ]

    def __str__(self) -> str:
        return f"{self.volunteer} @ {self.event_id}"


class EventStep(models.Model):
    """One step of an event's life: who, when, from which state to which, and why."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="steps")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    from_state = models.CharField(max_length=10, choices=EventState.choices, blank=True)
    to_state = models.CharField(max_length=10, choices=EventState.choices)
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    tenant_unit_path = "event__unit"
    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["event", "created_at"], name="event_step_event")]

    def __str__(self) -> str:
        return f"{self.event_id}: {self.from_state} → {self.to_state}"


class HoursState(models.TextChoices):
    PENDING = "pending", _("Awaiting approval")
    APPROVED = "approved", pgettext_lazy("hours", "Approved")
    REJECTED = "rejected", _("Not approved")


class HoursRecord(models.Model):
    """The hours one volunteer gave to one activity, approved by the unit's coordinator.
    Its source is an event (``event``) or another app's activity — a casework meeting or a
    mediation session — (``source``, with ``activity`` saying what it was): exactly one
    source per record, one record per volunteer and source."""

    class Kind(models.TextChoices):
        EVENT = "event", _("Event")
        MENTORING = "mentoring", _("Mentoring meeting")
        CIRCLE = "circle", _("Circle meeting")
        MEDIATION = "mediation", _("Mediation session")

    volunteer = models.ForeignKey(
        Volunteer, verbose_name=_("volunteer"), on_delete=models.PROTECT, related_name="hours"
    )
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("activity"), max_length=12, choices=Kind.choices)
    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.PROTECT, null=True, blank=True, related_name="hours"
    )
    source_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    source_id = models.PositiveBigIntegerField(null=True, blank=True)
    source = GenericForeignKey("source_type", "source_id")
    activity = models.CharField(_("activity"), max_length=200, blank=True)
    field = models.ForeignKey(
        Role,
        verbose_name=pgettext_lazy("area of work", "field"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    activity_type = models.ForeignKey(
        ActivityType, verbose_name=_("kind of activity"), on_delete=models.PROTECT, null=True, blank=True
    )
    day = models.DateField(_("date"))
    hours = models.DecimalField(
        _("hours"), max_digits=5, decimal_places=1, validators=[MinValueValidator(Decimal("0.1"))]
    )
    state = models.CharField(
        _("state"), max_length=10, choices=HoursState.choices, default=HoursState.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()
    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name = _("hours record")
        verbose_name_plural = _("hours records")
        ordering = ["-day", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["volunteer", "event"], name="hours_once_per_event"),
            models.CheckConstraint(condition=Q(hours__gt=0), name="hours_positive"),
            models.CheckConstraint(
                condition=Q(kind="event", event__isnull=False, source_type__isnull=True)
                | (
                    ~Q(kind="event")
                    & Q(event__isnull=True, source_type__isnull=False, source_id__isnull=False)
                ),
                name="hours_have_one_source",
            ),
            models.UniqueConstraint(
                fields=["volunteer", "source_type", "source_id"],
                condition=Q(source_type__isnull=False),
                name="hours_once_per_source",
            ),
        ]
        indexes = [
            models.Index(fields=["volunteer", "state", "day"], name="hours_volunteer_day"),
            models.Index(fields=["unit", "state", "day"], name="hours_unit_day"),
        ]

    def __str__(self) -> str:
        return f"{self.volunteer} {self.day} {self.hours} h"

    @property
    def label(self) -> str:
        """What the hours were for: the event's title, or the activity's description."""
        if self.event_id:
            return self.event.title
        return self.activity or str(self.get_kind_display())


class CertificateState(models.TextChoices):
    REQUESTED = "requested", pgettext_lazy("certificate", "Requested")
    ISSUED = "issued", pgettext_lazy("certificate", "Issued")
    REFUSED = "refused", pgettext_lazy("certificate", "Refused")


class CertificateSequence(models.Model):
    """The last certificate number given per institution and year (locked while taken)."""

    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["institution", "year"], name="certificate_sequence_unique")
        ]

    def __str__(self) -> str:
        return f"{self.institution_id}-{self.year}: {self.last}"


class VolunteerCertificate(models.Model):
    """An izziņa about the volunteer work done at a unit (or the whole institution) over a
    period: its figures are fixed when it is issued, so the document never changes."""

    class Language(models.TextChoices):
        LV = "lv", _("Latvian")
        EN = "en", _("English")

    volunteer = models.ForeignKey(
        Volunteer, verbose_name=_("volunteer"), on_delete=models.PROTECT, related_name="work_certificates"
    )
    institution = models.ForeignKey(Institution, verbose_name=_("institution"), on_delete=models.PROTECT)
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The unit that issues it."),
    )
    whole_institution = models.BooleanField(_("all units of the institution"), default=False)
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    language = models.CharField(_("language"), max_length=2, choices=Language.choices, default=Language.LV)
    purpose = models.CharField(_("for whom or what"), max_length=200, blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=CertificateState.choices, default=CertificateState.REQUESTED
    )
    number = models.CharField(_("number"), max_length=30, unique=True, null=True, blank=True)
    # Fixed when issued.
    total_hours = models.DecimalField(_("hours"), max_digits=7, decimal_places=1, null=True, blank=True)
    roles = models.JSONField(_("roles and fields"), default=list, blank=True)
    activities = models.JSONField(_("kinds of activity"), default=list, blank=True)
    first_day = models.DateField(null=True, blank=True)
    last_day = models.DateField(null=True, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    issued_at = models.DateTimeField(null=True, blank=True)
    refusal_reason = models.TextField(_("reason"), blank=True)

    documents = GenericRelation("documents.Document", related_query_name="work_certificate")
    history = HistoricalRecords()
    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name = _("certificate of volunteer work")
        verbose_name_plural = _("certificates of volunteer work")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(period_end__gte=F("period_start")), name="certificate_period"),
            models.UniqueConstraint(
                fields=["volunteer", "unit"],
                condition=Q(state="requested"),
                name="certificate_one_request_per_unit",
            ),
        ]
        indexes = [models.Index(fields=["unit", "state", "requested_at"], name="certificate_unit_queue")]

    def __str__(self) -> str:
        return self.number or str(_("Certificate request"))


class EventNotice(models.Model):
    """An email about a step of an event to one person, waiting to be sent: the status row
    of an outbox (``core.outbox``, ``services.NOTICE``)."""

    step = models.ForeignKey(EventStep, on_delete=models.CASCADE, related_name="notices")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=255, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["step", "recipient"], name="event_notice_once")]
        indexes = [models.Index(fields=["sent_at", "created_at"], name="event_notice_outbox")]

    def __str__(self) -> str:
        return f"{self.step_id} → {self.recipient_id}"


REPORT_REMINDER_DAYS = 2  # after an unreported event's end
MAX_OCCURRENCES = 52

AUDIT_ACTIONS = {
    "event.propose": _("Event proposed"),
    "event.create": _("Event created"),
    "event.update": _("Event changed"),
    "event.approve": _("Event approved"),
    "event.reject": _("Event rejected"),
    "event.changes": _("Changes to an event requested"),
    "event.cancel": _("Event cancelled"),
    "event.leave": _("Volunteer left an event"),
    "event.feedback": _("Feedback on an event"),
    "event.report": _("Event reported"),
    "event.report_review": _("Event report reviewed"),
    "event.series": _("Event series created"),
    "hours.decide": _("Hours decided"),
    "certificate.request": _("Certificate of volunteer work requested"),
    "certificate.issue": _("Certificate of volunteer work issued"),
    "certificate.refuse": _("Certificate of volunteer work refused"),
}
