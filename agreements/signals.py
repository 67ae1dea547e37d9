"""Signals other apps listen to, so that the agreements app need not know them."""

from django.dispatch import Signal

# An agreement stopped before its end date (terminated early, or ended by the volunteer's
# erasure), sent inside the ending transaction: ``agreement`` (with ``ended_on`` set) and
# ``actor`` (None for a job). The events app takes the volunteer off later events there.
agreement_ended = Signal()
