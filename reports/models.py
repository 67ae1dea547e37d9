"""What the reports app stores: the annual fact sheets asked for (the figures themselves are
computed from the other apps' data, never stored).

A **fact sheet** ("Faktu lapa – brīvprātīgo darbs") is one request — a year, the
institution(s), the "as of" day of the in-force figures, the language — whose PDF goes
through the shared documents app (``reports/printing.py``). It is a tenant row: a sheet of
one institution belongs to that institution's central office, a sheet of both to the
Ministry of Justice's unit (as the award's documents). Who may see it is decided by its
scope (``reports.factsheet``), not by the unit alone: the Ministry's unit is no volunteer
unit anybody coordinates."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from institutions.models import Unit
from institutions.tenancy import TenantQuerySet


class FactSheet(models.Model):
    class Scope(models.TextChoices):
        VPD = "VPD", _("State Probation Service")
        IEVP = "IEVP", _("Prison Administration")
        BOTH = "BOTH", _("Both institutions")

    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="fact_sheets"
    )
    scope = models.CharField(_("institutions"), max_length=8, choices=Scope.choices)
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    as_of = models.DateField(_("figures in force as of"))
    language = models.CharField(_("language"), max_length=8, default="lv")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("requested"), default=timezone.now)

    documents = GenericRelation("documents.Document", related_query_name="fact_sheet")
    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name = _("fact sheet")
        verbose_name_plural = _("fact sheets")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["scope", "-created_at"], name="factsheet_scope_recent")]

    def __str__(self) -> str:
        return f"FL-{self.year}-{self.pk or 0:04d} ({self.scope})"

    @property
    def number(self) -> str:
        return f"FL-{self.year}-{self.pk or 0:04d}"

    @property
    def institution_codes(self) -> tuple[str, ...]:
        """The institutions the sheet covers (``Institution.Code`` values), VPD first."""
        if self.scope == self.Scope.BOTH:
            return (self.Scope.VPD.value, self.Scope.IEVP.value)
        return (self.scope,)


AUDIT_ACTIONS = {
    "fact_sheet.request": _("Fact sheet requested"),
    "fact_sheet.download": _("Fact sheet downloaded"),
}
