from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from core.storage import PrivateStorage
from institutions.models import Institution, Unit
from institutions.tenancy import TenantQuerySet
from volunteers.models import Application, Role, Volunteer

from .terms import AgreementTerms, Termed
from .terms import for_institution as terms_for_institution

MIN_NOTICE_DAYS = 3  # Volunteer Work Law: at least 3 days' notice


class AgreementTemplate(models.Model):
    """The agreement text of an institution (and optionally one role), versioned: a new
    version never changes an agreement already made from an older one. The body is Django
    template text with placeholders (see ``agreements.rendering.PLACEHOLDERS``)."""

    institution = models.ForeignKey(Institution, verbose_name=_("institution"), on_delete=models.PROTECT)
    role = models.ForeignKey(
        Role,
        verbose_name=_("role"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        help_text=_("Empty: for every role of the institution."),
    )
    version = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("agreement template")
        verbose_name_plural = _("agreement templates")
        ordering = ["institution__code", "role", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "role", "version"], name="template_version_unique"
            ),
            models.UniqueConstraint(
                fields=["institution", "version"],
                condition=Q(role__isnull=True),
                name="template_version_any_role",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} (v{self.version})"


class NumberSequence(models.Model):
    """The last agreement number given per institution and year; locked while a number is
    taken, so numbers are unique and gapless (a rolled-back transaction gives its back)."""

    institution = models.ForeignKey(Institution, on_delete=models.PROTECT)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["institution", "year"], name="number_sequence_unique")]

    def __str__(self) -> str:
        return f"{self.institution.code}-{self.year}: {self.last}"


class Status(models.TextChoices):
    # Own contexts: in Latvian the labels agree with the feminine "vienošanās"; the masculine
    # ones for "līgums" are in agreements.terms (Agreement.get_status_display picks).
    DRAFT = "draft", pgettext_lazy("agreement status", "Draft")
    GENERATED = "generated", pgettext_lazy("agreement status", "Generated")
    SENT = "sent", pgettext_lazy("agreement status", "Sent")
    SIGNED = "signed", pgettext_lazy("agreement status", "Signed")
    ACTIVE = "active", pgettext_lazy("agreement status", "In force")
    ENDED = "ended", pgettext_lazy("agreement status", "Ended")


IN_FORCE = [Status.SIGNED, Status.ACTIVE]


class AgreementQuerySet(TenantQuerySet):
    def in_force(self) -> "AgreementQuerySet":
        return self.filter(status__in=IN_FORCE)


class Agreement(models.Model):
    """A volunteer work agreement (vienošanās / līgums par brīvprātīgā darba veikšanu)."""

    class EndKind(models.TextChoices):
        EXPIRED = "expired", _("Expired")
        TERMINATED = "terminated", _("Terminated")

    class TerminatedBy(models.TextChoices):
        ORGANISATION = "organisation", _("The institution")
        VOLUNTEER = "volunteer", _("The volunteer")

    number = models.CharField(_("number"), max_length=20, unique=True, null=True, blank=True)
    institution = models.ForeignKey(Institution, verbose_name=_("institution"), on_delete=models.PROTECT)
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="agreements"
    )
    application = models.ForeignKey(
        Application, verbose_name=_("application"), on_delete=models.PROTECT, related_name="agreements"
    )
    volunteer = models.ForeignKey(
        Volunteer, verbose_name=_("volunteer"), on_delete=models.PROTECT, related_name="agreements"
    )
    role = models.ForeignKey(Role, verbose_name=_("role or field"), on_delete=models.PROTECT)
    template = models.ForeignKey(
        AgreementTemplate, verbose_name=_("template version"), on_delete=models.PROTECT, related_name="+"
    )
    renewal_of = models.ForeignKey(
        "self",
        verbose_name=_("renews"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="renewals",
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    status_changed_at = models.DateTimeField(default=timezone.now)
    # Terms
    place = models.CharField(_("place of work"), max_length=255)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    hours_per_week = models.DecimalField(_("hours per week"), max_digits=4, decimal_places=1)
    duties = models.TextField(_("duties"))
    expenses_reimbursed = models.BooleanField(_("expenses are reimbursed"), default=False)
    expenses_terms = models.TextField(_("expense terms"), blank=True)
    insurance_required = models.BooleanField(_("insurance is needed"), default=False)
    insurance_policy = models.CharField(_("insurance policy number"), max_length=100, blank=True)
    own_policy = models.BooleanField(_("the volunteer's own policy"), default=False)
    notice_days = models.PositiveSmallIntegerField(
        _("notice period (days)"), default=MIN_NOTICE_DAYS, validators=[MinValueValidator(MIN_NOTICE_DAYS)]
    )
    # Why a written agreement is needed (Volunteer Work Law, section 4)
    requested_in_writing = models.BooleanField(_("a party asked for a written agreement"), default=True)
    is_minor = models.BooleanField(_("the volunteer is a minor"), default=False)
    guardian_name = models.CharField(_("legal representative"), max_length=200, blank=True)
    guardian_consent = models.BooleanField(_("legal representative's written consent"), default=False)
    # Lifecycle
    generated_at = models.DateTimeField(_("generated"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    signed_scan = models.FileField(
        _("signed scan"), storage=PrivateStorage(), upload_to="agreements/%Y/", blank=True
    )
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    end_kind = models.CharField(_("how it ended"), max_length=12, choices=EndKind.choices, blank=True)
    terminated_by = models.CharField(
        _("terminated by"), max_length=12, choices=TerminatedBy.choices, blank=True
    )
    notice_date = models.DateField(_("notice given on"), null=True, blank=True)
    termination_reason = models.TextField(_("reason"), blank=True)
    short_notice_agreed = models.BooleanField(_("both parties agreed to a shorter notice"), default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    # Its PDFs (one row per rendered version), kept by the shared documents app.
    documents = GenericRelation("documents.Document", related_query_name="agreement")

    history = HistoricalRecords(excluded_fields=["signed_scan"])
    objects = AgreementQuerySet.as_manager()

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The staff list, newest first (ORDER BY created_at DESC, id DESC, 25 a page): a
            # unit's tab, a unit's whole list, and several units (central coordinators)
            # walked in order with the units as a filter. The first serves the tab counts too.
            models.Index(fields=["unit", "status", "-created_at", "-id"], name="agreement_list_unit_status"),
            models.Index(fields=["unit", "-created_at", "-id"], name="agreement_list_unit"),
            models.Index(fields=["-created_at", "-id"], name="agreement_list"),
            models.Index(fields=["status", "end_date"], name="agreement_end"),
            models.Index(fields=["status", "start_date"], name="agreement_start"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")), name="agreement_period"
            ),
            models.CheckConstraint(
                condition=Q(notice_days__gte=MIN_NOTICE_DAYS), name="agreement_notice_min"
            ),
        ]

    def __str__(self) -> str:
        return self.number or self.terms.gettext("Draft agreement")

    @cached_property
    def terms(self) -> AgreementTerms:
        """The institution's word for it (vienošanās or līgums)."""
        return terms_for_institution(self.institution)

    def get_status_display(self) -> str:
        # The label agrees with the institution's word (parakstīta vienošanās, parakstīts līgums).
        return self.terms.status_label(self.status)

    def get_end_kind_display(self) -> str:
        if self.end_kind == self.EndKind.TERMINATED:  # izbeigta vienošanās, izbeigts līgums
            return self.terms.gettext("Terminated early")
        return str(self.EndKind(self.end_kind).label) if self.end_kind else ""


AUDIT_ACTIONS = {  # in the word of the event's institution (agreements.terms.MESSAGES)
    "agreement.create": Termed("Agreement drafted"),
    "agreement.update": Termed("Agreement changed"),
    "agreement.generate": Termed("Agreement generated"),
    "agreement.send": Termed("Agreement sent"),
    "agreement.sign": Termed("Signed agreement uploaded"),
    "agreement.activate": Termed("Agreement in force"),
    "agreement.end": Termed("Agreement ended"),
    "agreement.download": Termed("Agreement downloaded"),
    "agreement.template": Termed("Agreement template version created"),
}
