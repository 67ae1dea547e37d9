"""Every URL of the project's own views, with who may open it and what they get.

The matrix test discovers every URL pattern whose view lives in one of our apps and
fails for any pattern that is not listed here — a new view is not done until it is.

Roles (fixtures in tests/conftest.py):
  anonymous     nobody signed in
  olaine        coordinator of Olaines cietums (the "right unit": every object below is Olaine's)
  jelgava       coordinator of Jelgavas cietums (the "wrong unit": same institution, other prison)
  vpd           coordinator of a VPD department (other institution)
  ievp_central  central coordinator of IeVP
  vpd_central   central coordinator of VPD
  ministry      ministry viewer (read-only, both institutions)
  superuser
  applicant     the volunteer whose application is Olaine's (w.olaine_application)
  stranger      another volunteer, with an application at Jelgava (w.jelgava_application)

Expected answers: an HTTP status, or LOGIN (a redirect to the sign-in page).
For every role answering 404 or 200 whose role is not entitled to Olaine's data,
``secret`` (a text only Olaine's pages show) must not appear in the response.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

LOGIN = "login"
ROLES = [
    "anonymous",
    "olaine",
    "jelgava",
    "vpd",
    "ievp_central",
    "vpd_central",
    "ministry",
    "superuser",
    "applicant",
    "stranger",
]

# Who is entitled to see Olaine's data at all.
SEES_OLAINE = {"olaine", "ievp_central", "ministry", "superuser"}


@dataclass
class Case:
    expect: dict[str, int | str]
    method: str = "get"
    kwargs: Callable[[Any], dict] = lambda world: {}
    data: Callable[[Any], dict] = lambda world: {}
    # Text that only people entitled to Olaine's data may receive.
    secret: Callable[[Any], str] | None = None
    # Roles entitled to see ``secret`` (default: whoever may see Olaine's data).
    entitled: set[str] = field(default_factory=lambda: set(SEES_OLAINE))
    notes: str = ""
    extra: dict = field(default_factory=dict)


def _all(status):
    return dict.fromkeys(ROLES, status)


PUBLIC_GET = _all(200)

# A read of one unit's data: its coordinators, the institution's centre, the ministry.
UNIT_READ = {
    "anonymous": LOGIN,
    "olaine": 200,
    "jelgava": 404,
    "vpd": 404,
    "ievp_central": 200,
    "vpd_central": 404,
    "ministry": 200,
    "superuser": 200,
    "applicant": 404,
    "stranger": 404,
}

# Coordinator management pages: central coordinators (each sees their own institution).
CENTRAL_PAGE = {
    "anonymous": LOGIN,
    "olaine": 404,
    "jelgava": 404,
    "vpd": 404,
    "ievp_central": 200,
    "vpd_central": 200,
    "ministry": 404,
    "superuser": 200,
    "applicant": 404,
    "stranger": 404,
}

# A change to an IeVP object that only IeVP's centre (or a superuser) may make.
IEVP_CENTRAL_ACTION = {
    "anonymous": LOGIN,
    "olaine": 404,
    "jelgava": 404,
    "vpd": 404,
    "ievp_central": 302,
    "vpd_central": 404,
    "ministry": 404,
    "superuser": 302,
    "applicant": 404,
    "stranger": 404,
}


REGISTRY: dict[str, Case] = {
    # Volunteers are sent on to their applications.
    "home": Case(
        expect={**PUBLIC_GET, "applicant": 302, "stranger": 302}, secret=lambda w: w.olaine_coordinator.email
    ),
    "healthz": Case(expect=PUBLIC_GET),
    "set_language": Case(method="post", expect=_all(302), data=lambda w: {"language": "en", "next": "/"}),
    "institutions:unit_detail": Case(
        expect=UNIT_READ,
        kwargs=lambda w: {"unit_slug": w.olaine.slug},
        secret=lambda w: w.olaine_coordinator.email,
    ),
    "institutions:coordinator_revoke": Case(
        method="post",
        expect=IEVP_CENTRAL_ACTION,
        kwargs=lambda w: {"unit_slug": w.olaine.slug, "user_id": w.olaine_coordinator.pk},
        secret=lambda w: w.olaine_coordinator.email,
    ),
    "institutions:coordinators": Case(expect=CENTRAL_PAGE, secret=lambda w: w.olaine_coordinator.email),
    "institutions:invite": Case(expect=CENTRAL_PAGE, secret=lambda w: w.olaine.name),
    "institutions:invitation_revoke": Case(
        method="post",
        expect=IEVP_CENTRAL_ACTION,
        kwargs=lambda w: {"pk": w.olaine_invitation.pk},
        secret=lambda w: w.olaine_invitation.email,
    ),
    "institutions:invitation_resend": Case(
        method="post",
        expect=IEVP_CENTRAL_ACTION,
        kwargs=lambda w: {"pk": w.olaine_invitation.pk},
        secret=lambda w: w.olaine_invitation.email,
    ),
    # The token in the link is the capability: whoever holds it may see the invitation.
    "institutions:invitation_accept": Case(
        expect=PUBLIC_GET,
        kwargs=lambda w: {"token": w.olaine_invitation_token},
        notes="public by design: the emailed token is the capability",
    ),
}


# More cases for URLs already in REGISTRY: the second method of a view that accepts GET
# and POST, or a cross-object check. Label → (URL name, case). test_matrix fails for any
# method a view accepts that no case (here or in REGISTRY) sends.
EXTRA: dict[str, tuple[str, Case]] = {
    # Each central coordinator invites to their own institution's units: Olaine is not a
    # choice for VPD's centre (the form comes back with an error, nobody is invited).
    "institutions:invite POST": (
        "institutions:invite",
        Case(
            method="post",
            expect={**CENTRAL_PAGE, "ievp_central": 302, "superuser": 302},
            data=lambda w: {
                "email": "jauna.koordinatore@example.lv",
                "units": [w.olaine.pk],
                "language": "lv",
            },
            secret=lambda w: w.olaine.name,
            entitled={"ievp_central", "superuser"},
        ),
    ),
    # Only the invitee accepts: a stranger with the link creates the invited account (the
    # token is the capability); anybody signed in with another address is told so.
    "institutions:invitation_accept POST": (
        "institutions:invitation_accept",
        Case(
            method="post",
            expect={**_all(200), "anonymous": 302},
            kwargs=lambda w: {"token": w.olaine_invitation_token},
            data=lambda w: {
                "first_name": "Uzaicināta",
                "last_name": "Koordinatore",
                "password1": "Garš-un-droš5-parole",
                "password2": "Garš-un-droš5-parole",
            },
            notes="public by design: the emailed token is the capability",
        ),
    ),
}


def _merge(*modules) -> None:
    for cases in modules:
        overlap = REGISTRY.keys() & cases.keys()
        assert not overlap, f"registered twice: {overlap}"
        REGISTRY.update(cases)


def _merge_extra(*modules) -> None:
    for cases in modules:
        overlap = EXTRA.keys() & cases.keys()
        assert not overlap, f"registered twice: {overlap}"
        EXTRA.update(cases)


# Each area of the volunteers app registers its views in its own module.
from .cases_agreements import CASES as _AGREEMENTS  # noqa: E402
from .cases_agreements import EXTRA as _AGREEMENTS_EXTRA  # noqa: E402
from .cases_awards import CASES as _AWARDS  # noqa: E402
from .cases_awards import EXTRA as _AWARDS_EXTRA  # noqa: E402
from .cases_casework_me import CASES as _CASEWORK_ME  # noqa: E402
from .cases_casework_me import EXTRA as _CASEWORK_ME_EXTRA  # noqa: E402
from .cases_casework_staff import CASES as _CASEWORK_STAFF  # noqa: E402
from .cases_casework_staff import EXTRA as _CASEWORK_STAFF_EXTRA  # noqa: E402
from .cases_documents import CASES as _DOCUMENTS  # noqa: E402
from .cases_events_me import CASES as _EVENTS_ME  # noqa: E402
from .cases_events_me import EXTRA as _EVENTS_ME_EXTRA  # noqa: E402
from .cases_events_staff import CASES as _EVENTS_STAFF  # noqa: E402
from .cases_events_staff import EXTRA as _EVENTS_STAFF_EXTRA  # noqa: E402
from .cases_exports import CASES as _EXPORTS  # noqa: E402
from .cases_factsheet import CASES as _FACTSHEET  # noqa: E402
from .cases_factsheet import EXTRA as _FACTSHEET_EXTRA  # noqa: E402
from .cases_privacy import CASES as _PRIVACY  # noqa: E402
from .cases_reports import CASES as _REPORTS  # noqa: E402
from .cases_reports import EXTRA as _REPORTS_EXTRA  # noqa: E402
from .cases_trainings import CASES as _TRAININGS  # noqa: E402
from .cases_trainings import EXTRA as _TRAININGS_EXTRA  # noqa: E402
from .cases_volunteers_me import CASES as _ME  # noqa: E402
from .cases_volunteers_me import EXTRA as _ME_EXTRA  # noqa: E402
from .cases_volunteers_pipeline import CASES as _PIPELINE  # noqa: E402
from .cases_volunteers_pipeline import EXTRA as _PIPELINE_EXTRA  # noqa: E402
from .cases_volunteers_public import CASES as _PUBLIC  # noqa: E402
from .cases_volunteers_public import EXTRA as _PUBLIC_EXTRA  # noqa: E402

_merge(
    _PUBLIC,
    _PIPELINE,
    _ME,
    _AGREEMENTS,
    _DOCUMENTS,
    _EXPORTS,
    _TRAININGS,
    _PRIVACY,
    _EVENTS_STAFF,
    _EVENTS_ME,
    _CASEWORK_STAFF,
    _CASEWORK_ME,
    _AWARDS,
    _FACTSHEET,
    _REPORTS,
)
_merge_extra(
    _PUBLIC_EXTRA,
    _PIPELINE_EXTRA,
    _ME_EXTRA,
    _AGREEMENTS_EXTRA,
    _TRAININGS_EXTRA,
    _EVENTS_STAFF_EXTRA,
    _EVENTS_ME_EXTRA,
    _CASEWORK_STAFF_EXTRA,
    _CASEWORK_ME_EXTRA,
    _AWARDS_EXTRA,
    _FACTSHEET_EXTRA,
    _REPORTS_EXTRA,
)
