"""Isolation cases of the data-protection app: the retention report lists the people whose
retention period has ended, by name — an Olaine applicant rejected two years ago is the
secret. Central coordinators see their own institution, the ministry both, nobody else the
page at all (404)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from tests.factories import ApplicationFactory, VolunteerFactory
from volunteers.models import Application
from volunteers.models import Status as ApplicationStatus

from .registry import LOGIN, Case

EXPIRED_FIRST, EXPIRED_LAST = "Ilgvars", "Sensenais"

RETENTION_REPORT = {
    "anonymous": LOGIN,
    "olaine": 404,
    "jelgava": 404,
    "vpd": 404,
    "ievp_central": 200,
    "vpd_central": 200,
    "ministry": 200,
    "superuser": 200,
    "applicant": 404,
    "stranger": 404,
}


def _expired(w) -> dict:
    """An Olaine applicant rejected two years ago (past IeVP's one-year period)."""
    if not Application.objects.filter(volunteer__user__last_name=EXPIRED_LAST).exists():
        volunteer = VolunteerFactory(user__first_name=EXPIRED_FIRST, user__last_name=EXPIRED_LAST)
        ApplicationFactory(
            volunteer=volunteer,
            unit=w.olaine,
            status=ApplicationStatus.REJECTED,
            status_changed_at=timezone.now() - timedelta(days=800),
        )
    return {}


CASES = {
    "privacy:retention": Case(
        expect=RETENTION_REPORT,
        kwargs=_expired,
        secret=lambda w: f"{EXPIRED_FIRST} {EXPIRED_LAST}",
        entitled={"ievp_central", "ministry", "superuser"},
    ),
}
EXTRA: dict = {}
