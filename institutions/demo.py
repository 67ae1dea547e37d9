"""Demo accounts: one central coordinator per institution, unit coordinators, a ministry
viewer and a superuser — all with the same documented password."""

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model

from . import permissions, services
from .models import CoordinatorInvitation, Institution, Unit

DEMO_PASSWORD = "Tilts-demo-2026"

# (email, first name, last name, role, target)
ACCOUNTS = [
    ("admin@tilts.demo", "Sistēmas", "Administrators", "superuser", None),
    ("ievp.centrs@tilts.demo", "Ilze", "Kalniņa", "central", "IEVP"),
    ("vpd.centrs@tilts.demo", "Jānis", "Bērziņš", "central", "VPD"),
    ("olaine@tilts.demo", "Līga", "Ozoliņa", "unit", "olaines-cietums"),
    ("jelgava@tilts.demo", "Andris", "Krūmiņš", "unit", "jelgavas-cietums"),
    ("vpd.jelgava@tilts.demo", "Ģirts", "Ķēniņš", "unit", "vpd-jelgavas-1-nodala"),
    ("ministrija@tilts.demo", "Dace", "Šūmane", "ministry", None),
]


def _account(email: str, first_name: str, last_name: str, superuser: bool = False):
    User = get_user_model()
    user, _ = User.objects.get_or_create(
        email=email, defaults={"first_name": first_name, "last_name": last_name, "language": "lv"}
    )
    user.first_name, user.last_name = first_name, last_name
    if superuser:
        user.is_superuser = user.is_staff = True
    user.set_password(DEMO_PASSWORD)
    user.save()
    EmailAddress.objects.update_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return user


def seed(*, stdout) -> None:
    stdout.write(f"Demo accounts (password for all: {DEMO_PASSWORD}):")
    for email, first_name, last_name, role, target in ACCOUNTS:
        user = _account(email, first_name, last_name, superuser=role == "superuser")
        roles = permissions.roles_for(user)
        if role == "central":
            institution = Institution.objects.get(code=target)
            if institution.pk not in roles.central_of:
                services.central_coordinator_grant(actor=None, user=user, institution=institution)
            label = f"central coordinator, {institution.short_name}"
        elif role == "unit":
            unit = Unit.objects.select_related("institution").get(slug=target)
            if unit.pk not in roles.unit_coordinator_of:
                services.unit_coordinator_grant(actor=None, user=user, unit=unit)
            label = f"coordinator, {unit.name}"
        elif role == "ministry":
            if not roles.viewer_of:
                services.ministry_viewer_grant(actor=None, user=user)
            label = "ministry viewer (read-only)"
        else:
            label = "superuser"
        stdout.write(f"  {email:<26} {label}")

    inviter = get_user_model().objects.get(email="ievp.centrs@tilts.demo")
    valmiera = Unit.objects.get(slug="valmieras-cietums")
    if not CoordinatorInvitation.objects.pending().filter(email="valmiera@tilts.demo").exists():
        services.invitation_create(
            actor=inviter, email="valmiera@tilts.demo", units=[valmiera], language="lv"
        )
