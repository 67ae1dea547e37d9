"""Builders for the casework tests: VPD volunteers with an agreement in force for a role,
client references, pairs, circles, mediators with certificates."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from agreements.models import Status as AgreementStatus
from casework import services
from casework.models import MediatorCertificate
from tests.agreements import builders as agreement_builders
from volunteers.models import Role

TODAY = timezone.localdate


def volunteer_in_role(unit, code=Role.Code.MENTOR, *, start=None, end=None, **user):
    """A volunteer with an agreement in force at ``unit`` for the role (about a year around today)."""
    agreement = agreement_builders.agreement_row(
        unit,
        status=AgreementStatus.ACTIVE,
        start=start or TODAY() - timedelta(days=200),
        end=end or TODAY() + timedelta(days=300),
        **user,
    )
    agreement.role = agreement_builders.role(unit.institution, code)
    agreement.save(update_fields=["role"])
    return agreement.volunteer


def client(unit, coordinator, *, officer=None, active_from=None):
    return services.client_create(
        actor=coordinator,
        unit=unit,
        officer=officer or coordinator,
        active_from=active_from or TODAY() - timedelta(days=150),
        case_number="P-1234",
    )


def pair(unit, coordinator, mentor=None, *, starts_on=None):
    mentor = mentor or volunteer_in_role(unit)
    return services.pair_create(
        actor=coordinator,
        client=client(unit, coordinator),
        mentor=mentor,
        starts_on=starts_on or TODAY() - timedelta(days=100),
        planned_end=TODAY() + timedelta(days=200),
        goals="Darba meklēšana, brīvā laika plānošana.",
    )


def circle(unit, coordinator, *, members=3, active=True):
    volunteers = [volunteer_in_role(unit, Role.Code.CIRCLES) for _ in range(members)]
    made = services.circle_create(
        actor=coordinator,
        client=client(unit, coordinator),
        volunteers=volunteers,
        formed_on=TODAY() - timedelta(days=60),
        schedule="Katru otrdienu 18:00",
    )
    if active:
        services.circle_activate(actor=coordinator, circle=made, active_from=TODAY() - timedelta(days=50))
    return made, volunteers


def mediator(unit, coordinator, *, valid_until=None, **user):
    volunteer = volunteer_in_role(unit, Role.Code.MEDIATOR, **user)
    services.certificate_record(
        actor=coordinator,
        unit=unit,
        volunteer=volunteer,
        number=f"S-{volunteer.pk:05d}",
        issued_on=TODAY() - timedelta(days=400),
        valid_until=valid_until or TODAY() + timedelta(days=400),
    )
    return volunteer


def certificate_of(volunteer) -> MediatorCertificate:
    return MediatorCertificate.objects.get(volunteer=volunteer)


HOURS = Decimal("1.5")
