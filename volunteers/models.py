from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from core.storage import PrivateStorage, private_storage  # noqa: F401 (migrations name it here)
from core.text import fold
from institutions.models import Institution, Unit
from institutions.tenancy import TenantQuerySet


class Role(models.Model):
    """A volunteer role (VPD) or field of work (IeVP) that an application can ask for."""

    class Code(models.TextChoices):
        MEDIATOR = "mediator", _("Mediator in victim–offender mediation")
        MENTOR = "mentor", _("Mentor")
        CIRCLES = "circles", _("Circles of Support and Accountability (AAA)")
        EDUCATION = "education", _("Education and work skills")
        LEISURE = "leisure", _("Meaningful leisure")
        SPORTS = "sports", _("Sports")
        ADDICTION = "addiction", _("Support in overcoming addiction")
        FAMILY = "family", _("Family ties")
        SOCIAL = "social", _("Social issues")

    institution = models.ForeignKey(Institution, verbose_name=_("institution"), on_delete=models.PROTECT)
    code = models.CharField(_("role"), max_length=20, choices=Code.choices)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("volunteer role")
        verbose_name_plural = _("volunteer roles")
        ordering = ["institution__code", "order"]
        constraints = [
            models.UniqueConstraint(fields=["institution", "code"], name="role_unique_per_institution")
        ]

    def __str__(self) -> str:
        return str(self.get_code_display())


class Volunteer(models.Model):
    """The person behind one or more applications (one account, possibly both institutions).
    A coordinator sees a volunteer only through an application of one of their units."""

    class Education(models.TextChoices):
        BASIC = "basic", _("Basic")
        SECONDARY = "secondary", _("Secondary")
        VOCATIONAL = "vocational", _("Vocational")
        HIGHER = "higher", _("Higher")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.PROTECT,
        related_name="volunteer",
    )
    personal_code = models.CharField(_("personal code"), max_length=12, blank=True, db_index=True)
    date_of_birth = models.DateField(_("date of birth"))
    phone = models.CharField(_("phone"), max_length=30)
    address = models.CharField(_("address"), max_length=255)
    municipality = models.CharField(_("municipality"), max_length=100)
    languages = models.CharField(_("languages"), max_length=255, blank=True)
    education = models.CharField(_("education"), max_length=20, choices=Education.choices, blank=True)
    occupation = models.CharField(_("occupation"), max_length=255, blank=True)
    availability = models.TextField(_("availability"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["personal_code"])

    class Meta:
        verbose_name = _("volunteer")
        verbose_name_plural = _("volunteers")
        constraints = [
            # One volunteer per person. Erasure empties the code, so any number may lack one.
            models.UniqueConstraint(
                fields=["personal_code"],
                condition=~models.Q(personal_code=""),
                name="volunteer_personal_code_unique",
            )
        ]

    def __str__(self) -> str:
        return str(self.user)

    @property
    def masked_personal_code(self) -> str:
        from .personal_code import mask

        return mask(self.personal_code)

    def age_on(self, day) -> int:
        born = self.date_of_birth
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    SCREENING = "screening", _("Screening")
    VETTING = "vetting", _("Vetting")
    TRAINING = "training", _("Training")
    # The step in which the agreement is drafted and signed: named apart from the
    # "Agreements" menu and from either institution's word (vienošanās / līgums).
    AGREEMENT = "agreement", pgettext_lazy("application step", "Signing")
    ACTIVE = "active", _("Active")
    PAUSED = "paused", _("Paused")
    ENDED = "ended", _("Ended")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


OPEN_STATUSES = [Status.SUBMITTED, Status.SCREENING, Status.VETTING, Status.TRAINING, Status.AGREEMENT]
CURRENT_STATUSES = [*OPEN_STATUSES, Status.ACTIVE, Status.PAUSED]


class ApplicationQuerySet(TenantQuerySet):
    def open(self) -> "ApplicationQuerySet":
        return self.filter(status__in=OPEN_STATUSES)

    def current(self) -> "ApplicationQuerySet":
        return self.filter(status__in=CURRENT_STATUSES)


class Application(models.Model):
    """One person's application to one institution, handled by one unit of it."""

    class RecordDeclaration(models.TextChoices):
        NONE = "none", _("I have no criminal record")
        DISCLOSED = "disclosed", _("I have a criminal record and will discuss it at the interview")

    class HeardFrom(models.TextChoices):
        WEBSITE = "website", _("The institution's website")
        SOCIAL = "social", _("Social media")
        FRIEND = "friend", _("A friend or colleague")
        EVENT = "event", _("An event or presentation")
        MEDIA = "media", _("News media")
        OTHER = "other", _("Other")

    reference = models.CharField(_("reference"), max_length=20, unique=True, blank=True)
    volunteer = models.ForeignKey(
        Volunteer, verbose_name=_("volunteer"), on_delete=models.PROTECT, related_name="applications"
    )
    institution = models.ForeignKey(Institution, verbose_name=_("institution"), on_delete=models.PROTECT)
    unit = models.ForeignKey(
        Unit, verbose_name=_("responsible unit"), on_delete=models.PROTECT, related_name="applications"
    )
    preferred_units = models.ManyToManyField(
        Unit, verbose_name=_("preferred units"), related_name="preferred_by", blank=True
    )
    roles = models.ManyToManyField(Role, verbose_name=_("roles and fields"), related_name="applications")
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.SUBMITTED, db_index=True
    )
    status_changed_at = models.DateTimeField(_("status changed"), default=timezone.now)
    motivation = models.TextField(_("motivation"))
    experience = models.TextField(_("relevant experience"), blank=True)
    heard_from = models.CharField(
        _("how you heard of us"), max_length=20, choices=HeardFrom.choices, blank=True
    )
    cv = models.FileField(_("CV"), storage=private_storage, upload_to="cv/%Y/", blank=True)
    record_declaration = models.CharField(
        _("criminal record declaration"), max_length=20, choices=RecordDeclaration.choices
    )
    consent_record_check = models.BooleanField(_("consent to the criminal record check"), default=False)
    consent_data_processing = models.BooleanField(_("consent to data processing"), default=False)
    guardian_name = models.CharField(_("legal representative"), max_length=200, blank=True)
    guardian_contact = models.CharField(_("legal representative's contact"), max_length=200, blank=True)
    guardian_consent = models.BooleanField(_("legal representative's consent"), default=False)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default="lv")
    coordinators_notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The submission notice's outbox state (see services.coordinators_notify_submission):
    # taken by a sender, how many tries, the last error and the addresses already mailed.
    coordinators_notice_claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
    coordinators_notice_attempts = models.PositiveSmallIntegerField(default=0, editable=False)
    coordinators_notice_error = models.CharField(max_length=255, blank=True, editable=False)
    coordinators_notice_sent_to = models.JSONField(default=list, blank=True, editable=False)
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # What the inbox search looks in: the reference, the person's names and email, folded
    # (``core.text.fold``: no diacritics, lower case), so that one column answers
    # ``LIKE '%berzin%'`` — served on PostgreSQL by the trigram index of migration 0011
    # (not declared in ``Meta.indexes``: SQLite has no GIN). The row keeps it in step with
    # its own reference (``save``); a change of the person's names or email goes through
    # ``services.applications_search_refresh`` (bulk inserts call it too).
    search_text = models.TextField(blank=True, default="", editable=False)

    history = HistoricalRecords(
        excluded_fields=[
            "search_text",
            "cv",
            "coordinators_notice_claimed_at",
            "coordinators_notice_attempts",
            "coordinators_notice_error",
            "coordinators_notice_sent_to",
        ]
    )
    objects = ApplicationQuerySet.as_manager()

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["-submitted_at", "-pk"]
        indexes = [
            # A unit's inbox newest first: one tab (status) or several ("open", "all").
            models.Index(fields=["unit", "status", "-submitted_at"], name="application_inbox"),
            models.Index(fields=["unit", "-submitted_at", "-id"], name="application_inbox_all"),
            models.Index(fields=["institution", "status"], name="application_institution"),
        ]
        constraints = [
            # One open application per person and institution (services.applications_submit
            # checks first; this settles two submissions that race past the check).
            models.UniqueConstraint(
                fields=["volunteer", "institution"],
                condition=models.Q(status__in=OPEN_STATUSES),
                name="application_one_open_per_institution",
            )
        ]

    def __str__(self) -> str:
        return self.reference or f"#{self.pk}"

    def save(self, *args, **kwargs):
        # The search column follows the row's own reference (the person's names and email
        # follow through services.applications_search_refresh).
        update_fields = kwargs.get("update_fields")
        if update_fields is None or "reference" in update_fields:
            user = self.volunteer.user
            self.search_text = search_text_of(self.reference, user.first_name, user.last_name, user.email)
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "search_text"}
        super().save(*args, **kwargs)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


def search_text_of(reference: str, first_name: str, last_name: str, email: str) -> str:
    """``Application.search_text`` for a reference and a person (see ``core.text.fold``)."""
    return fold(" ".join(part for part in (reference, first_name, last_name, email) if part))


class ApplicationEventQuerySet(TenantQuerySet):
    pass


class ApplicationEvent(models.Model):
    """The application's history: every transition, note, reassignment and email."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        TRANSITION = "transition", _("Status changed")
        NOTE = "note", _("Interview note")
        VETTING = "vetting", _("Vetting recorded")
        REASSIGNED = "reassigned", _("Reassigned")
        EMAIL = "email", _("Email sent")
        PROFILE = "profile", _("Profile change")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")
    created_at = models.DateTimeField(_("time"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    from_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    visible_to_volunteer = models.BooleanField(default=False)
    notify = models.BooleanField(default=False)
    emailed_at = models.DateTimeField(null=True, blank=True)
    # The status email's outbox state (see services.applicant_notify).
    email_claimed_at = models.DateTimeField(null=True, blank=True)
    email_attempts = models.PositiveSmallIntegerField(default=0)
    email_error = models.CharField(max_length=255, blank=True)
    data = models.JSONField(default=dict, blank=True)

    tenant_unit_path = "application__unit"
    objects = ApplicationEventQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["application", "created_at"], name="application_event_time"),
            # The sweeper's status emails still to send.
            models.Index(
                fields=["created_at"],
                name="application_event_unsent",
                condition=models.Q(notify=True, emailed_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application} {self.kind} {self.to_status}"


class AssessmentQuerySet(TenantQuerySet):
    pass


class Assessment(models.Model):
    """Interview notes and a simple score; for the unit's coordinators only."""

    class Recommendation(models.TextChoices):
        RECOMMEND = "recommend", _("Recommend")
        RESERVATIONS = "reservations", _("Recommend with reservations")
        NOT_RECOMMENDED = "not_recommended", _("Do not recommend")

    score_validators = [MinValueValidator(1), MaxValueValidator(5)]

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="assessments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("time"), default=timezone.now)
    interviewed_on = models.DateField(_("interview date"), null=True, blank=True)
    notes = models.TextField(_("notes"))
    motivation_score = models.PositiveSmallIntegerField(
        _("motivation (1–5)"), null=True, blank=True, validators=score_validators
    )
    communication_score = models.PositiveSmallIntegerField(
        _("communication (1–5)"), null=True, blank=True, validators=score_validators
    )
    reliability_score = models.PositiveSmallIntegerField(
        _("reliability (1–5)"), null=True, blank=True, validators=score_validators
    )
    recommendation = models.CharField(
        _("recommendation"), max_length=20, choices=Recommendation.choices, blank=True
    )

    tenant_unit_path = "application__unit"
    objects = AssessmentQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.application} {self.created_at:%Y-%m-%d}"

    @property
    def average_score(self) -> float | None:
        scores = [s for s in (self.motivation_score, self.communication_score, self.reliability_score) if s]
        return round(sum(scores) / len(scores), 1) if scores else None


class VettingRecordQuerySet(TenantQuerySet):
    pass


class VettingRecord(models.Model):
    """The criminal-record check: dates, result and validity only — never the certificate
    or offence details (GDPR Art. 10). Every view of it is written to the audit trail."""

    class Result(models.TextChoices):
        PENDING = "pending", _("Pending")
        CLEARED = "cleared", _("Cleared")
        NOT_CLEARED = "not_cleared", _("Not cleared")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="vetting_records")
    requested_on = models.DateField(_("requested on"))
    result_on = models.DateField(_("result received on"), null=True, blank=True)
    result = models.CharField(_("result"), max_length=20, choices=Result.choices, default=Result.PENDING)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("checked by"), on_delete=models.PROTECT, related_name="+"
    )
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()
    tenant_unit_path = "application__unit"
    objects = VettingRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("vetting record")
        verbose_name_plural = _("vetting records")
        ordering = ["-requested_on", "-pk"]
        indexes = [models.Index(fields=["result", "valid_until"], name="vetting_expiry")]

    def __str__(self) -> str:
        return f"{self.application} {self.result}"

    @property
    def is_valid_today(self) -> bool:
        return self.result == self.Result.CLEARED and (
            self.valid_until is None or self.valid_until >= timezone.localdate()
        )


class BulkEmailQuerySet(TenantQuerySet):
    pass


class BulkEmail(models.Model):
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"))
    statuses = models.JSONField(_("statuses"), default=list)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    objects = BulkEmailQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.subject


class BulkEmailRecipient(models.Model):
    bulk_email = models.ForeignKey(BulkEmail, on_delete=models.CASCADE, related_name="recipients")
    application = models.ForeignKey(Application, on_delete=models.SET_NULL, null=True, related_name="+")
    email = models.EmailField()
    sent_at = models.DateTimeField(null=True, blank=True)
    # Taken by a sender (cleared when it fails), how many tries, the last error.
    claimed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=255, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["bulk_email", "email"], name="bulk_email_once")]

    def __str__(self) -> str:
        return self.email


class VolunteerRequest(models.Model):
    """A request of a volunteer that a coordinator of one of their units decides."""

    created_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(_("note"), blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at"]


class ProfileChangeRequest(VolunteerRequest):
    """A volunteer asks to correct an identity field; a coordinator decides."""

    class Field(models.TextChoices):
        FIRST_NAME = "first_name", _("First name")
        LAST_NAME = "last_name", _("Last name")
        PERSONAL_CODE = "personal_code", _("Personal code")
        DATE_OF_BIRTH = "date_of_birth", _("Date of birth")

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="change_requests")
    field = models.CharField(_("field"), max_length=20, choices=Field.choices)
    new_value = models.CharField(_("new value"), max_length=200)
    comment = models.TextField(_("comment"), blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)

    def __str__(self) -> str:
        return f"{self.volunteer} {self.field}"


class ErasureRequest(VolunteerRequest):
    """A volunteer asks for erasure; a coordinator confirms; the data is anonymised."""

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        DONE = "done", _("Anonymised")
        REFUSED = "refused", _("Refused")

    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="erasure_requests")
    reason = models.TextField(_("reason"), blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)

    def __str__(self) -> str:
        return f"{self.volunteer} {self.state}"


AUDIT_ACTIONS = {
    "application.submit": _("Application submitted"),
    "application.transition": _("Application status changed"),
    "application.reassign": _("Application reassigned"),
    "application.note": _("Interview note added"),
    "application.export": _("Applications exported"),
    "application.cv.download": _("CV downloaded"),
    "vetting.record": _("Vetting recorded"),
    "vetting.view": _("Vetting result viewed"),
    "bulk_email.send": _("Bulk email sent"),
    "volunteer.profile.update": _("Profile updated"),
    "volunteer.change_request": _("Identity change requested"),
    "volunteer.change_request.decide": _("Identity change decided"),
    "volunteer.data_export": _("Personal data downloaded"),
    "volunteer.erasure.request": _("Erasure requested"),
    "volunteer.erasure.decide": _("Erasure decided"),
}
