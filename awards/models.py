"""The Ministry of Justice's yearly volunteer award "Cilvēks – cilvēkam".

One **cycle** per year (presented at the conference "Brīvprātīgi par drošāku sabiedrību – dari
un atbalsti"): draft → nominations open → jury scoring → decided → announced. **Nominations**
come from coordinators (for a volunteer of their units, with a summary from the volunteer's
record) or from anyone through the public form; the central office of the institution where
the nominee volunteers checks eligibility and links the volunteer's record. Each **jury
member** scores each eligible nomination per **criterion** on a **score sheet** (or declares a
conflict of interest and is left out of it); a sheet once submitted is final. The chair
confirms the **laureates** with a citation; a diploma PDF per laureate goes through the shared
documents app; the public page lists the laureates who consented."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from core.storage import PrivateStorage
from institutions.models import Institution, Unit
from volunteers.models import Volunteer

AWARD_TITLE = "Cilvēks – cilvēkam"
CONFERENCE_NAME = "Brīvprātīgi par drošāku sabiedrību – dari un atbalsti"
SCORE_MAX_LIMIT = 10
FILES_MAX = 3
FILE_MAX_BYTES = 5 * 1024 * 1024


class AwardCycle(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("award cycle", "Draft")
        OPEN = "open", _("Nominations open")
        SCORING = "scoring", _("Jury scoring")
        DECIDED = "decided", pgettext_lazy("award cycle", "Decided")
        ANNOUNCED = "announced", pgettext_lazy("award cycle", "Announced")

    year = models.PositiveSmallIntegerField(
        _("year"), unique=True, validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    conference_name = models.CharField(_("conference"), max_length=200, default=CONFERENCE_NAME)
    conference_date = models.DateField(_("conference date"), null=True, blank=True)
    conference_place = models.CharField(_("conference venue"), max_length=200, blank=True)
    nominations_open = models.DateField(_("nominations open on"))
    nominations_close = models.DateField(_("nominations close on"))
    introduction = models.TextField(
        _("call for nominations"),
        max_length=4000,
        blank=True,
        help_text=_("Shown on the public nomination form: what the award is for this year."),
    )
    signatory_name = models.CharField(_("diploma signed by"), max_length=200, blank=True)
    signatory_title = models.CharField(_("signatory's position"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    announced_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["status_changed_at", "updated_at"])

    class Meta:
        verbose_name = _("award cycle")
        verbose_name_plural = _("award cycles")
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(
                condition=Q(nominations_close__gte=F("nominations_open")), name="awards_cycle_window_order"
            ),
        ]

    def __str__(self) -> str:
        return f"„{AWARD_TITLE}” {self.year}"

    @property
    def title(self) -> str:
        return AWARD_TITLE

    def accepts_nominations_on(self, day) -> bool:
        return self.status == self.Status.OPEN and self.nominations_open <= day <= self.nominations_close


class Criterion(models.Model):
    """What the jury scores, per cycle (editable until scoring starts)."""

    cycle = models.ForeignKey(AwardCycle, on_delete=models.CASCADE, related_name="criteria")
    position = models.PositiveSmallIntegerField(_("order"), default=1)
    name = models.CharField(_("criterion"), max_length=200)
    description = models.TextField(_("what the jury looks at"), max_length=1000, blank=True)
    max_score = models.PositiveSmallIntegerField(
        _("highest score"), default=5, validators=[MinValueValidator(2), MaxValueValidator(SCORE_MAX_LIMIT)]
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "name"], name="awards_criterion_unique_name"),
            models.CheckConstraint(
                condition=Q(max_score__gte=2) & Q(max_score__lte=SCORE_MAX_LIMIT), name="awards_criterion_max"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class JuryMember(models.Model):
    cycle = models.ForeignKey(AwardCycle, on_delete=models.CASCADE, related_name="jury")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.PROTECT, related_name="juries"
    )
    is_chair = models.BooleanField(_("chair"), default=False)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)
    # The invitation email (outbox, see core.outbox); a new account's tells how to set a password.
    new_account = models.BooleanField(default=False)
    invite_sent_at = models.DateTimeField(null=True, blank=True)
    invite_claimed_at = models.DateTimeField(null=True, blank=True)
    invite_attempts = models.PositiveSmallIntegerField(default=0)
    invite_error = models.CharField(max_length=255, blank=True)

    history = HistoricalRecords(
        excluded_fields=["invite_sent_at", "invite_claimed_at", "invite_attempts", "invite_error"]
    )

    class Meta:
        verbose_name = _("jury member")
        verbose_name_plural = _("jury members")
        ordering = ["-is_chair", "user__last_name", "user__first_name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "user"], name="awards_jury_member_once"),
            models.UniqueConstraint(fields=["cycle"], condition=Q(is_chair=True), name="awards_one_chair"),
        ]

    def __str__(self) -> str:
        return self.user.get_full_name() or self.user.email


class NominationQuerySet(models.QuerySet):
    def eligible(self):
        return self.filter(status__in=[Nomination.Status.ELIGIBLE])


class Nomination(models.Model):
    class Source(models.TextChoices):
        COORDINATOR = "coordinator", _("Coordinator")
        PUBLIC = "public", _("Public form")

    class Status(models.TextChoices):
        SUBMITTED = "submitted", pgettext_lazy("nomination", "Submitted")
        ELIGIBLE = "eligible", _("Eligible")
        INELIGIBLE = "ineligible", _("Not eligible")
        WITHDRAWN = "withdrawn", pgettext_lazy("nomination", "Withdrawn")

    cycle = models.ForeignKey(AwardCycle, on_delete=models.PROTECT, related_name="nominations")
    number = models.PositiveSmallIntegerField(_("number"))
    source = models.CharField(_("nominated through"), max_length=12, choices=Source.choices)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.SUBMITTED)
    institution = models.ForeignKey(
        Institution, verbose_name=_("institution"), on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The nominee.
    nominee_name = models.CharField(_("nominee's name and surname"), max_length=200)
    nominee_email = models.EmailField(
        _("nominee's email"),
        blank=True,
        help_text=_("If you know it: the laureates are told by email."),
    )
    nominee_place = models.CharField(
        _("where the nominee volunteers"),
        max_length=300,
        blank=True,
        help_text=_("The prison, probation department or project."),
    )
    volunteer = models.ForeignKey(
        Volunteer,
        verbose_name=_("volunteer's record"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="award_nominations",
    )
    summary = models.JSONField(
        _("from the volunteer's record"), default=dict, blank=True
    )  # units, roles, years, hours — a snapshot taken when nominated or linked
    # The nominator.
    nominator_name = models.CharField(_("your name and surname"), max_length=200)
    nominator_email = models.EmailField(_("your email"))
    nominator_organisation = models.CharField(_("your organisation"), max_length=200, blank=True)
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="award_nominations_made",
    )
    justification = models.TextField(
        _("why this person deserves the award"),
        max_length=6000,
        help_text=_("What they did, with whom, for how long and what changed because of it."),
    )
    language = models.CharField(max_length=8, default="lv")
    submitted_at = models.DateTimeField(auto_now_add=True)
    # Eligibility (the institution's central office).
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    checked_at = models.DateTimeField(null=True, blank=True)
    eligibility_note = models.TextField(_("note on eligibility"), max_length=2000, blank=True)
    # The decision (the jury's chair).
    is_laureate = models.BooleanField(_("laureate"), default=False)
    citation = models.TextField(_("citation"), max_length=600, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    public_consent = models.BooleanField(_("may be named on the public page"), default=False)
    consent_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    consent_recorded_at = models.DateTimeField(null=True, blank=True)
    # The laureate's email (outbox, see core.outbox).
    notice_sent_at = models.DateTimeField(null=True, blank=True)
    notice_claimed_at = models.DateTimeField(null=True, blank=True)
    notice_attempts = models.PositiveSmallIntegerField(default=0)
    notice_error = models.CharField(max_length=255, blank=True)
    notice_queued_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    documents = GenericRelation("documents.Document")

    objects = NominationQuerySet.as_manager()
    history = HistoricalRecords(
        excluded_fields=[
            "notice_sent_at",
            "notice_claimed_at",
            "notice_attempts",
            "notice_error",
            "updated_at",
        ]
    )

    class Meta:
        verbose_name = _("nomination")
        verbose_name_plural = _("nominations")
        ordering = ["cycle", "number"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "number"], name="awards_nomination_number"),
            models.CheckConstraint(
                condition=Q(is_laureate=False) | Q(status="eligible"), name="awards_laureate_is_eligible"
            ),
        ]
        indexes = [models.Index(fields=["cycle", "status"], name="awards_nom_cycle_status")]

    def __str__(self) -> str:
        return f"{self.reference} {self.nominee_name}"

    @property
    def reference(self) -> str:
        return f"CC-{self.cycle.year}-{self.number:03d}" if self.cycle_id and self.number else ""

    @property
    def name_for_diploma(self) -> str:
        if self.volunteer_id and self.volunteer.user.get_full_name():
            return self.volunteer.user.get_full_name()
        return self.nominee_name

    @property
    def contact_email(self) -> str:
        if self.volunteer_id and self.volunteer.anonymised_at is None and self.volunteer.user.email:
            return self.volunteer.user.email
        return self.nominee_email


class NominationFile(models.Model):
    """A supporting file (PDF, JPEG or PNG, checked by its content)."""

    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(storage=PrivateStorage(), upload_to="awards/%Y/")
    name = models.CharField(_("file name"), max_length=200)
    kind = models.CharField(max_length=8)
    size = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("supporting file")
        verbose_name_plural = _("supporting files")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name


class ScoreSheet(models.Model):
    """One jury member's scores of one nomination — or their declared conflict of interest.
    A submitted sheet is final; only then does its member see the others' scores."""

    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="sheets")
    member = models.ForeignKey(JuryMember, on_delete=models.PROTECT, related_name="sheets")
    conflict = models.BooleanField(_("conflict of interest"), default=False)
    conflict_note = models.CharField(_("the conflict"), max_length=500, blank=True)
    comment = models.TextField(_("comment for the jury"), max_length=2000, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("score sheet")
        verbose_name_plural = _("score sheets")
        constraints = [
            models.UniqueConstraint(fields=["nomination", "member"], name="awards_one_sheet_per_member"),
        ]

    def __str__(self) -> str:
        return f"{self.nomination_id}/{self.member_id}"


class Score(models.Model):
    sheet = models.ForeignKey(ScoreSheet, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="scores")
    value = models.PositiveSmallIntegerField(
        _("score"), validators=[MinValueValidator(1), MaxValueValidator(SCORE_MAX_LIMIT)]
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["sheet", "criterion"], name="awards_one_score_per_criterion"),
            models.CheckConstraint(
                condition=Q(value__gte=1) & Q(value__lte=SCORE_MAX_LIMIT), name="awards_score_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.criterion_id}: {self.value}"


AUDIT_ACTIONS = {
    "awards.cycle.create": _("Award cycle created"),
    "awards.cycle.update": _("Award cycle changed"),
    "awards.cycle.open": _("Nominations opened"),
    "awards.cycle.scoring": _("Jury scoring started"),
    "awards.cycle.decide": _("Laureates confirmed"),
    "awards.cycle.announce": _("Laureates announced"),
    "awards.criterion.save": _("Award criterion saved"),
    "awards.criterion.delete": _("Award criterion deleted"),
    "awards.jury.add": _("Jury member added"),
    "awards.jury.remove": _("Jury member removed"),
    "awards.jury.chair": _("Jury chair appointed"),
    "awards.nomination.public": _("Nomination received through the public form"),
    "awards.nomination.create": _("Volunteer nominated"),
    "awards.nomination.check": _("Nomination's eligibility checked"),
    "awards.nomination.link": _("Nomination linked to the volunteer's record"),
    "awards.nomination.withdraw": _("Nomination withdrawn"),
    "awards.sheet.submit": _("Scores submitted"),
    "awards.sheet.conflict": _("Conflict of interest declared"),
    "awards.laureate.consent": _("Laureate's consent to the public page recorded"),
    "awards.diplomas.issue": _("Diplomas made"),
    "awards.file.download": _("Supporting file downloaded"),
}
