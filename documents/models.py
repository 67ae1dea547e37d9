"""Printable documents (PDF) of every app: one row per rendered version.

Why a generic relation (``content_type`` + ``object_id``) and not one foreign key per kind:
the documents app is shared machinery below the apps that use it (agreements, trainings,
events, awards, reports), so it must not import them, and a new kind must not need a
migration here. What a foreign key would give is kept another way:

* tenancy — the row carries its own ``unit`` (copied from the subject when issued), so
  ``Document.objects.visible_to(user)`` scopes it like every tenant-owned row, with no join
  through an unknown model;
* integrity — subjects declare ``GenericRelation(Document)``, so deleting a subject deletes
  its documents (subjects with documents are PROTECTed elsewhere anyway), and the unique
  constraint (content type, object, kind, version) keeps versions apart;
* reverse access — ``agreement.documents`` works (and prefetches) through that relation.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.storage import PrivateStorage
from institutions.models import Unit
from institutions.tenancy import TenantQuerySet

# Crockford's base 32 (no I, L, O, U: nothing to misread on paper or over the phone).
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 12  # 60 random bits: unguessable, and the verify page is rate limited


def new_verification_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(text: str) -> str:
    """What a person typed (any case, with dashes or spaces, O for 0…) as a stored code."""
    cleaned = "".join(ch for ch in text.upper() if ch.isalnum())
    return cleaned.translate(str.maketrans({"O": "0", "I": "1", "L": "1"}))


def format_code(code: str) -> str:
    """``K7QM2XPA9FTD`` → ``K7QM-2XPA-9FTD`` (as printed)."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


# States of a document whose PDF is still to come (what htmx polls and the sweeper watches).
IN_PROGRESS = ["queued", "rendering"]


class DocumentQuerySet(TenantQuerySet):
    def for_subject(self, subject: models.Model, kind: str | None = None) -> DocumentQuerySet:
        queryset = self.filter(content_type=ContentType.objects.get_for_model(subject), object_id=subject.pk)
        return queryset.filter(kind=kind) if kind else queryset

    def in_progress(self) -> DocumentQuerySet:
        return self.filter(state__in=IN_PROGRESS)


class Document(models.Model):
    """One rendered version of one printable document of a subject (an agreement, a
    training certificate, …). Its kind is registered by the subject's app (see
    ``documents.registry``)."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RENDERING = "rendering", _("Rendering")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=40)
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="documents")
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("content_type", "object_id")
    version = models.PositiveIntegerField(_("version"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.QUEUED)
    file = models.FileField(storage=PrivateStorage(), upload_to="documents/%Y/", blank=True)
    sha256 = models.CharField("SHA-256", max_length=64, blank=True)
    size = models.PositiveIntegerField(_("size"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("queued"), default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(_("made"), null=True, blank=True)
    # What the public verification page tells (no personal data beyond the initials).
    number = models.CharField(_("number"), max_length=40, blank=True)
    verification_code = models.CharField(
        _("verification code"), max_length=CODE_LENGTH, unique=True, default=new_verification_code
    )
    holder_initials = models.CharField(_("holder's initials"), max_length=16, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_reason = models.CharField(_("why it was revoked"), max_length=200, blank=True)
    # The file is gone for good (the person's data erased, or the retention period over);
    # the row stays so that the verification page can still say what the code was.
    destroyed_at = models.DateTimeField(_("file destroyed"), null=True, blank=True)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["-version"]
        indexes = [
            models.Index(fields=["content_type", "object_id", "kind"], name="document_subject"),
            # The sweeper: what is queued or rendering, by age.
            models.Index(
                fields=["state", "created_at"],
                name="document_pending",
                condition=Q(state__in=IN_PROGRESS),
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "kind", "version"], name="document_version_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.number or self.object_id} v{self.version} {self.state}"

    @property
    def in_progress(self) -> bool:
        return self.state in IN_PROGRESS

    @property
    def code_display(self) -> str:
        return format_code(self.verification_code)


# States of an export whose file is still to come (what htmx polls and the sweeper watches).
EXPORT_IN_PROGRESS = ["queued", "running"]


class ExportFile(models.Model):
    """A large list export made in the background (see ``documents.exports``): who asked,
    what (the export kind and the list's filters, re-run as that person by the job), the
    progress, and the file — private, for the person who asked only, and deleted when it
    expires. Not a tenant row: it belongs to its owner, whose permissions the job applies."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Being made")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "XLSX"

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.CASCADE,
        related_name="export_files",
    )
    kind = models.CharField(_("kind"), max_length=40)
    params = models.JSONField(_("filters"), default=dict, blank=True)
    format = models.CharField(_("format"), max_length=4, choices=Format.choices)
    language = models.CharField(_("language"), max_length=8, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.QUEUED)
    rows_total = models.PositiveIntegerField(_("rows"), null=True, blank=True)
    rows_done = models.PositiveIntegerField(_("rows written"), default=0)
    file = models.FileField(storage=PrivateStorage(), upload_to="exports/%Y/%m/", blank=True)
    filename = models.CharField(_("file name"), max_length=120, blank=True)
    size = models.PositiveBigIntegerField(_("size"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("requested"), default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(_("made"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"))

    class Meta:
        verbose_name = _("export file")
        verbose_name_plural = _("export files")
        ordering = ["-created_at"]
        indexes = [
            # The sweeper: what has expired.
            models.Index(fields=["expires_at"], name="exportfile_expiry"),
            # The sweeper: what is queued or running, by age.
            models.Index(
                fields=["state", "created_at"],
                name="exportfile_pending",
                condition=Q(state__in=EXPORT_IN_PROGRESS),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.format} #{self.pk} {self.state}"

    @property
    def in_progress(self) -> bool:
        return self.state in EXPORT_IN_PROGRESS

    @property
    def expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def percent(self) -> int:
        """How far the job is, 0–100 (a queued job is at 0; a done one at 100)."""
        if self.state == self.State.DONE:
            return 100
        if not self.rows_total:
            return 0
        return min(99, self.rows_done * 100 // self.rows_total)


AUDIT_ACTIONS = {
    "export.download": _("Export file downloaded"),
    "document.retry": _("Document rendering retried"),
    "document.revoke": _("Document revoked"),
    "document.destroy": _("Document files destroyed"),
}
