"""Tenant isolation matrix: every project URL × every role."""

from types import SimpleNamespace

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from institutions import services
from tests.factories import ApplicationFactory, UserFactory, VolunteerFactory

from .registry import EXTRA, LOGIN, REGISTRY, ROLES

PROJECT_APPS = (
    "core.",
    "institutions.",
    "accounts.",
    "volunteers.",
    "documents.",
    "notifications.",
    "agreements.",
    "trainings.",
    "events.",
    "casework.",
    "awards.",
    "reports.",
)


# The admin panel has its own role tests (tests/institutions/test_admin.py).
SEPARATELY_TESTED_NAMESPACES = {"admin"}


def _project_url_names(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace in SEPARATELY_TESTED_NAMESPACES:
                continue
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _project_url_names(entry, ns)
        elif isinstance(entry, URLPattern):
            callback = entry.callback
            module = getattr(getattr(callback, "view_class", callback), "__module__", "")
            if module.startswith(PROJECT_APPS):
                yield f"{namespace}{entry.name}" if entry.name else f"<unnamed {entry.pattern}>"


def test_every_project_url_is_in_the_registry_when_urls_are_discovered():
    discovered = set(_project_url_names())
    missing = sorted(discovered - REGISTRY.keys())
    stale = sorted(REGISTRY.keys() - discovered)
    assert not missing, f"Register these views in tests/isolation/registry.py: {missing}"
    assert not stale, f"The registry lists URLs that no longer exist: {stale}"


@pytest.fixture
def world(
    olaine,
    jelgava,
    vpd_department,
    olaine_coordinator,
    jelgava_coordinator,
    vpd_coordinator,
    ievp_central,
    vpd_central,
    ministry,
    superuser,
):
    invitation = services.invitation_create(
        actor=ievp_central, email="uzaicinata.olaine@example.lv", units=[olaine], language="lv"
    )
    applicant = UserFactory(
        email="pieteicejs.olaine@example.lv", first_name="Pēteris", last_name="Olainietis"
    )
    stranger = UserFactory(email="sveseniece@example.lv", first_name="Svetlana", last_name="Svešā")
    olaine_application = ApplicationFactory(
        unit=olaine, volunteer=VolunteerFactory(user=applicant, phone="+371 29999111")
    )
    jelgava_application = ApplicationFactory(unit=jelgava, volunteer=VolunteerFactory(user=stranger))
    return SimpleNamespace(
        olaine=olaine,
        jelgava=jelgava,
        applicant=applicant,
        stranger=stranger,
        olaine_application=olaine_application,
        jelgava_application=jelgava_application,
        olaine_coordinator=olaine_coordinator,
        olaine_invitation=invitation,
        olaine_invitation_token=services.invitation_token(invitation),
        users={
            "anonymous": None,
            "olaine": olaine_coordinator,
            "jelgava": jelgava_coordinator,
            "vpd": vpd_coordinator,
            "ievp_central": ievp_central,
            "vpd_central": vpd_central,
            "ministry": ministry,
            "superuser": superuser,
            "applicant": applicant,
            "stranger": stranger,
        },
    )


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_view_answers_as_registered_when_role_requests_it(client, world, name, role):
    _check(client, world, name, REGISTRY[name], role)


def test_extra_cases_name_registered_urls_when_listed():
    stale = sorted(label for label, (name, _case) in EXTRA.items() if name not in REGISTRY)
    assert not stale, f"Extra cases of URLs not in the registry: {stale}"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("label", sorted(EXTRA))
def test_extra_case_answers_as_registered_when_role_requests_it(client, world, label, role):
    name, case = EXTRA[label]
    _check(client, world, name, case, role)


def _check(client, world, name, case, role):
    url = reverse(name, kwargs=case.kwargs(world))
    user = world.users[role]
    if user is not None:
        client.force_login(user)
    response = getattr(client, case.method)(url, data=case.data(world))
    expected = case.expect[role]
    if expected == LOGIN:
        assert response.status_code == 302, f"{name} as {role}: {response.status_code}"
        assert response["Location"].startswith(reverse("account_login")), response["Location"]
    else:
        assert response.status_code == expected, f"{name} as {role}: {response.status_code}"
    if case.secret is not None and role not in case.entitled:
        body = response.content.decode()
        assert case.secret(world) not in body, f"{name} as {role} leaked Olaine's data"
