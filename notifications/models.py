from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .registry import kind_label


class Reminder(models.Model):
    """A reminder sent once per (kind, target, due date, recipient), even if the daily run
    goes twice or two workers race: the daily run inserts the unique rows in bulk, and a send
    task then claims each row before its email goes out (``notifications.reminders``; the
    outbox fields as in ``core.outbox``). Kinds are registered by the apps
    (``notifications.registry``), so ``kind`` is a plain string; rows of a kind no longer
    registered keep their value."""

    kind = models.CharField(_("kind"), max_length=40)  # e.g. "ending_30"
    target = models.CharField(_("object"), max_length=40)  # e.g. "agreement:42", "vetting:7"
    due_date = models.DateField(_("due date"))
    recipient = models.EmailField(_("recipient"))
    created_at = models.DateTimeField(_("created"), default=timezone.now)  # when the daily run took it
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    # The send task's outbox state: taken by a sender, how many tries, the last error.
    claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
    attempts = models.PositiveSmallIntegerField(default=0, editable=False)
    error = models.CharField(max_length=255, blank=True, editable=False)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        # Its index (kind, target, …) is also the one the daily run reads a chunk's reminders
        # through (kind IN …, target IN …): no second index is needed. It is added by migration
        # 0003, once the old agreements table and its index of the same name are gone.
        constraints = [
            models.UniqueConstraint(fields=["kind", "target", "due_date", "recipient"], name="reminder_once")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.target} {self.due_date}"

    def get_kind_display(self) -> str:
        return kind_label(self.kind)
