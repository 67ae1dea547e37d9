"""The selection pipeline's state machine (DESIGN.md section 3): which status may follow
which, and which moves need a reason. Every change of ``Application.status`` goes through
``volunteers.services`` (``application_transition`` for people, ``application_transition_system``
for moves that follow from another app's records), which checks this table."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .models import OPEN_STATUSES, Status


class TransitionError(ValidationError):
    pass


# Reject and withdraw are allowed from every open state; an active volunteer pauses,
# resumes or ends.
ALLOWED: dict[str, frozenset[str]] = {
    Status.SUBMITTED: frozenset({Status.SCREENING}),
    Status.SCREENING: frozenset({Status.VETTING}),
    Status.VETTING: frozenset({Status.TRAINING}),
    Status.TRAINING: frozenset({Status.AGREEMENT}),
    Status.AGREEMENT: frozenset({Status.ACTIVE}),
    Status.ACTIVE: frozenset({Status.PAUSED, Status.ENDED}),
    Status.PAUSED: frozenset({Status.ACTIVE, Status.ENDED}),
    Status.ENDED: frozenset(),
    Status.REJECTED: frozenset(),
    Status.WITHDRAWN: frozenset(),
}
for _open in OPEN_STATUSES:
    ALLOWED[_open] |= {Status.REJECTED, Status.WITHDRAWN}
del _open

# A coordinator says why (the volunteer withdrawing their own application need not).
REASON_REQUIRED = frozenset({Status.REJECTED, Status.WITHDRAWN, Status.ENDED, Status.PAUSED})


def is_allowed(from_status: str, to: str) -> bool:
    return to in ALLOWED[from_status]


def allowed_from(status: str) -> list[Status]:
    """The statuses that may follow ``status``, in the pipeline's order."""
    return [Status(s) for s in Status.values if s in ALLOWED[status]]


def allowed_transitions(application) -> list[Status]:
    return allowed_from(application.status)


def check(from_status: str, to: str) -> None:
    """TransitionError unless the table allows ``from_status`` → ``to``."""
    if not is_allowed(from_status, to):
        raise TransitionError(
            _("Cannot move from “%(a)s” to “%(b)s”.")
            % {"a": Status(from_status).label, "b": Status(to).label},
            code="not_allowed",
        )
