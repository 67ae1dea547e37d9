"""Isolation cases of the volunteers app's self-service views (see registry.py for roles and shapes).

The self-service pages show the signed-in person their own data only: the applicant (owner of
w.olaine_application) is the one entitled to it. Other signed-in people get the same page with
their own data (or an empty state), never the applicant's; object URLs of the applicant's answer
404 to everyone else. The coordinators' request page lists the requests of volunteers with an
application in the coordinator's units.
"""

from volunteers.models import ErasureRequest, ProfileChangeRequest

from .registry import LOGIN, ROLES, Case

APPLICANT_ONLY = {"applicant"}


def _expect(default, **overrides):
    expect = dict.fromkeys(ROLES, default)
    expect["anonymous"] = LOGIN
    expect.update(overrides)
    return expect


# A page every signed-in person may open, showing their own data.
OWN_PAGE = _expect(200)
# A download of one's own volunteer data: people without a volunteer profile get 404.
OWN_DOWNLOAD = _expect(404, applicant=200, stranger=200)
# An action on the applicant's own application.
OWNER_ACTION = _expect(404, applicant=302)
# The coordinators' list: anyone who coordinates a unit (the ministry only views).
COORDINATOR_LIST = _expect(200, ministry=404, applicant=404, stranger=404)
# A decision on the applicant's request: coordinators of Olaine (directly or centrally).
OLAINE_DECISION = _expect(404, olaine=302, ievp_central=302, superuser=302)
OLAINE_DECIDERS = {"olaine", "ievp_central", "superuser"}


def _phone(w) -> str:
    return w.olaine_application.volunteer.phone


def _reference(w) -> str:
    return w.olaine_application.reference


def _change_request(w) -> ProfileChangeRequest:
    request, _ = ProfileChangeRequest.objects.get_or_create(
        volunteer=w.olaine_application.volunteer,
        field=ProfileChangeRequest.Field.LAST_NAME,
        state=ProfileChangeRequest.State.PENDING,
        defaults={"new_value": "Jaunolainiete"},
    )
    return request


def _erasure_request(w) -> ErasureRequest:
    request, _ = ErasureRequest.objects.get_or_create(
        volunteer=w.olaine_application.volunteer,
        state=ErasureRequest.State.PENDING,
        defaults={"reason": "Pārceļos uz ārzemēm"},
    )
    return request


def _pending_requests(w) -> dict:
    """The applicant has a pending change and erasure request (kwargs hook: no URL kwargs)."""
    _change_request(w)
    _erasure_request(w)
    return {}


CASES: dict[str, Case] = {
    "volunteers:my_applications": Case(expect=OWN_PAGE, secret=_reference, entitled=APPLICANT_ONLY),
    "volunteers:application_withdraw": Case(
        method="post",
        expect=OWNER_ACTION,
        kwargs=lambda w: {"pk": w.olaine_application.pk},
        data=lambda w: {"reason": "Nav laika"},
        secret=_reference,
        entitled=APPLICANT_ONLY,
    ),
    "volunteers:profile": Case(expect=OWN_PAGE, secret=_phone, entitled=APPLICANT_ONLY),
    "volunteers:my_data": Case(expect=OWN_PAGE, secret=_phone, entitled=APPLICANT_ONLY),
    "volunteers:my_data_json": Case(expect=OWN_DOWNLOAD, secret=_phone, entitled=APPLICANT_ONLY),
    "volunteers:my_data_html": Case(expect=OWN_DOWNLOAD, secret=_phone, entitled=APPLICANT_ONLY),
    "volunteers:erasure_request": Case(expect=OWN_PAGE, secret=_phone, entitled=APPLICANT_ONLY),
    "volunteers:change_requests": Case(
        expect=COORDINATOR_LIST,
        kwargs=_pending_requests,
        secret=lambda w: "Jaunolainiete",
        entitled=OLAINE_DECIDERS,
        notes="the applicant's pending requests are listed only to Olaine's coordinators",
    ),
    "volunteers:change_request_decide": Case(
        method="post",
        expect=OLAINE_DECISION,
        kwargs=lambda w: {"pk": _change_request(w).pk},
        data=lambda w: {"decision": "approve"},
        secret=lambda w: "Jaunolainiete",
        entitled=OLAINE_DECIDERS,
    ),
    "volunteers:erasure_decide": Case(
        method="post",
        expect=OLAINE_DECISION,
        kwargs=lambda w: {"pk": _erasure_request(w).pk},
        data=lambda w: {"decision": "refuse", "note": "Glabāšanas pienākums līdz 2027. gadam"},
        secret=lambda w: "Pārceļos uz ārzemēm",
        entitled=OLAINE_DECIDERS,
    ),
}


EXTRA: dict[str, tuple[str, Case]] = {
    # The confirmation page of the applicant's own withdrawal.
    "volunteers:application_withdraw GET": (
        "volunteers:application_withdraw",
        Case(
            expect=_expect(404, applicant=200),
            kwargs=lambda w: {"pk": w.olaine_application.pk},
            secret=_reference,
            entitled=APPLICANT_ONLY,
        ),
    ),
    # An incomplete profile comes back to its owner; people without a profile get 404.
    "volunteers:profile POST": (
        "volunteers:profile",
        Case(
            method="post",
            expect=_expect(404, applicant=200, stranger=200),
            data=lambda w: {"phone": ""},
            secret=_phone,
            entitled=APPLICANT_ONLY,
        ),
    ),
    # Each volunteer asks for their own erasure; people without a profile get 404.
    "volunteers:erasure_request POST": (
        "volunteers:erasure_request",
        Case(
            method="post",
            expect=_expect(404, applicant=302, stranger=302),
            data=lambda w: {"reason": "Pārceļos", "confirm": "on"},
            secret=_phone,
            entitled=APPLICANT_ONLY,
        ),
    ),
}
