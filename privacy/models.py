"""Data protection: how long each institution keeps records (``RetentionPolicy``), and the
daily retention runs that anonymise expired records and destroy expired files
(``RetentionRun``, one per day)."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from agreements.terms import Termed
from institutions.models import Institution

YEARS = [MinValueValidator(1), MaxValueValidator(75)]


@dataclass(frozen=True)
class Periods:
    """The periods in years; the defaults apply to an institution without a policy row."""

    unsuccessful_years: int = 1
    former_volunteer_years: int = 3
    agreement_document_years: int = 5


DEFAULTS = Periods()


class RetentionPolicy(models.Model):
    """An institution's retention periods, counted from the end of the record. Edited by the
    institution's central coordinators in the admin; every change is kept (history)."""

    institution = models.OneToOneField(
        Institution,
        verbose_name=_("institution"),
        on_delete=models.CASCADE,
        related_name="retention_policy",
    )
    unsuccessful_years = models.PositiveSmallIntegerField(
        _("applicants who did not become volunteers (years)"),
        default=DEFAULTS.unsuccessful_years,
        validators=YEARS,
        help_text=_("After the last application was rejected or withdrawn, the person's data is anonymised."),
    )
    former_volunteer_years = models.PositiveSmallIntegerField(
        _("former volunteers (years)"),
        default=DEFAULTS.former_volunteer_years,
        validators=YEARS,
        help_text=_(
            "After the volunteer work and the last agreement ended, the person's data is anonymised."
        ),
    )
    agreement_document_years = models.PositiveSmallIntegerField(
        _("signed agreements (years)"),
        default=DEFAULTS.agreement_document_years,
        validators=YEARS,
        help_text=_(
            "After an agreement ended, its PDFs and signed scan are destroyed — also when the "
            "person's data was erased earlier."
        ),
    )
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("retention policy")
        verbose_name_plural = _("retention policies")
        ordering = ["institution__code"]

    def __str__(self) -> str:
        return str(self.institution)

    @property
    def periods(self) -> Periods:
        return Periods(self.unsuccessful_years, self.former_volunteer_years, self.agreement_document_years)


class RetentionRun(models.Model):
    """One day's retention run: taken once (unique per day), its counts kept for the report."""

    run_on = models.DateField(_("day"), unique=True)
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    anonymised = models.PositiveIntegerField(_("people anonymised"), default=0)
    agreements_cleared = models.PositiveIntegerField(_("agreements whose files were destroyed"), default=0)
    skipped = models.JSONField(_("skipped"), default=list, blank=True)  # [{"volunteer": id, "why": text}]

    class Meta:
        verbose_name = _("retention run")
        verbose_name_plural = _("retention runs")
        ordering = ["-run_on"]

    def __str__(self) -> str:
        return f"{self.run_on:%Y-%m-%d}"


AUDIT_ACTIONS = {
    "retention.anonymise": _("Anonymised at the end of the retention period"),
    "retention.destroy": Termed("Agreement files destroyed at the end of the retention period"),
    "volunteer.anonymise": _("Person's data anonymised"),
    "retention.policy": _("Retention periods changed"),
}
