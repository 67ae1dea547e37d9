"""Tenant isolation matrix: every project URL × every method it accepts × every role.

Discovery is fail-closed: every pattern of the root URLconf needs a case unless it sits under
a third-party prefix (THIRD_PARTY) *and* is served by that third party's modules; every
method a view accepts needs a case; a method it does not declare must answer 405."""

from types import SimpleNamespace

import pytest
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, include, path, resolve, reverse
from django.views import View
from django.views.generic import TemplateView

from core.views import home
from institutions import services
from tests.factories import ApplicationFactory, UserFactory, VolunteerFactory

from .registry import EXTRA, LOGIN, REGISTRY, ROLES, Case

# URLs that are not ours, by route prefix: what they are, and which modules may serve
# there (None: any). A project view mounted under one of these prefixes is still matrix
# material — only the listed modules are skipped. Everything else in the root URLconf
# (get_resolver) needs a case, whatever its module, namespace or view class.
THIRD_PARTY: dict[str, tuple[str, tuple[str, ...] | None]] = {
    # The admin site (admin_view: staff only) has its own role tests
    # (tests/institutions/test_admin.py), the project's ModelAdmin views included.
    "admin/": ("the Django admin site", None),
    "accounts/": ("allauth: sign-in, sign-up, passwords, MFA, sessions", ("allauth.",)),
    "static/": ("static files (DEBUG only)", ("django.",)),
    "media/": ("media files (DEBUG only)", ("django.",)),
}

# Methods answered without a case of their own: HEAD runs the GET view (Django's View.setup
# and require_safe), and View.options only answers the Allow header. A view that defines
# its own ``head`` or ``options`` needs a case for it.
ALL_METHODS = ("get", "post", "put", "patch", "delete")


def _view_module(callback) -> str:
    return getattr(getattr(callback, "view_class", callback), "__module__", "") or ""


def _url_patterns(resolver=None, prefix: str = "", namespace: str = ""):
    """(route, URL name or None, callback) of every pattern in the URLconf, recursively."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _url_patterns(entry, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}{entry.name}" if entry.name else None
            yield prefix + str(entry.pattern), name, entry.callback


def _third_party(route: str, callback) -> bool:
    for url_prefix, (_what, modules) in THIRD_PARTY.items():
        if route.startswith(url_prefix):
            return modules is None or _view_module(callback).startswith(modules)
    return False


def _project_urls() -> list[tuple[str, str | None, object]]:
    return [url for url in _url_patterns() if not _third_party(url[0], url[2])]


def accepted_methods(callback) -> set[str] | None:
    """The methods a view answers (lower case), or None when it does not say.

    Class-based views: the handlers among ``http_method_names`` (as_view's initkwargs
    included). Function views: the list of ``require_http_methods`` (require_GET,
    require_POST, require_safe), found in the closure of its wrapper along the
    ``__wrapped__`` chain that functools.wraps leaves."""
    view_class = getattr(callback, "view_class", None)
    if view_class is not None:
        names = getattr(callback, "view_initkwargs", {}).get(
            "http_method_names", view_class.http_method_names
        )
        methods = {name for name in names if hasattr(view_class, name)}
        if getattr(view_class, "options", None) is View.options:
            methods.discard("options")
        return methods
    func = callback
    while func is not None:
        code = getattr(func, "__code__", None)
        if code is not None and "request_method_list" in code.co_freevars:
            cell = func.__closure__[code.co_freevars.index("request_method_list")]
            methods = {method.lower() for method in cell.cell_contents}
            if "get" in methods:
                methods.discard("head")
            return methods
        func = getattr(func, "__wrapped__", None)
    return None


def _cases_of(name: str) -> list[Case]:
    cases = [case for url_name, case in EXTRA.values() if url_name == name]
    return [REGISTRY[name], *cases] if name in REGISTRY else cases


def test_every_project_url_is_in_the_registry_when_urls_are_discovered():
    discovered = {}
    unnamed = []
    for route, name, callback in _project_urls():
        if name is None:
            unnamed.append(f"{route} ({_view_module(callback)})")
        else:
            discovered[name] = route
    missing = sorted(f"{name} ({route})" for name, route in discovered.items() if name not in REGISTRY)
    stale = sorted(REGISTRY.keys() - discovered.keys())
    assert not unnamed, f"Name these URL patterns and register them in tests/isolation: {unnamed}"
    assert not missing, f"Register these URLs in tests/isolation (registry.py or cases_*.py): {missing}"
    assert not stale, f"The registry lists URLs that no longer exist: {stale}"


def test_third_party_prefixes_serve_only_their_own_views():
    """The allow-list is by prefix and module: a project view under accounts/ is not skipped."""
    skipped = [(route, _view_module(cb)) for route, _name, cb in _url_patterns() if _third_party(route, cb)]
    assert skipped, "expected the admin and allauth URLs to be discovered"
    assert not any(module.startswith(("core.", "volunteers.views")) for _route, module in skipped)
    assert not _third_party("accounts/mine/", home)


# A URLconf with what the matrix must not let escape: a generic view (module django.*), a
# project view under a third-party prefix, an unnamed pattern.
urlpatterns = [
    path("accounts/", include("allauth.urls")),
    path("generic/", TemplateView.as_view(template_name="core/landing.html"), name="generic"),
    path("accounts/mine/", home, name="mine"),
    path("unnamed/", home),
]


@override_settings(ROOT_URLCONF=__name__)
def test_discovery_finds_generic_views_and_project_views_under_third_party_prefixes():
    found = {(route, name) for route, name, _callback in _project_urls()}
    assert found == {("generic/", "generic"), ("accounts/mine/", "mine"), ("unnamed/", None)}


def test_every_method_a_view_accepts_has_a_case():
    problems = []
    for route, name, callback in _project_urls():
        if name is None:
            continue  # reported by the discovery test
        accepted = accepted_methods(callback)
        if accepted is None:
            problems.append(
                f"{name} ({route}): declare its methods (require_GET, require_POST, "
                "require_http_methods, or a class-based view's handlers)"
            )
            continue
        covered = {case.method for case in _cases_of(name)}
        problems += [f"{name}: no case sends {method.upper()}" for method in sorted(accepted - covered)]
        problems += [
            f"{name}: a case sends {method.upper()}, refused" for method in sorted(covered - accepted)
        ]
    assert not problems, "Add cases (EXTRA in tests/isolation) or fix the views:\n" + "\n".join(problems)


def test_method_discovery_reads_decorators_and_view_classes():
    from agreements import views as agreement_views
    from institutions import views as institution_views
    from volunteers.views import pipeline

    assert accepted_methods(agreement_views.agreement_create) == {"get", "post"}
    assert accepted_methods(agreement_views.agreement_send) == {"post"}
    assert accepted_methods(home) == {"get"}
    assert accepted_methods(pipeline.bulk_email) == {"get", "post"}
    assert accepted_methods(institution_views.InviteView.as_view()) == {"get", "post"}
    assert accepted_methods(lambda request: None) is None


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
        # A streamed answer (a CSV export) is read to its end as well.
        body = (response.getvalue() if response.streaming else response.content).decode()
        assert case.secret(world) not in body, f"{name} as {role} leaked Olaine's data"


def _entitled_role(case: Case) -> str:
    """A role the case lets through (the method check comes after the sign-in and the lookup)."""
    for role in ROLES:
        if case.expect[role] not in (LOGIN, 404):
            return role
    return "superuser"


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_methods_a_view_does_not_declare_answer_405(client, world, name):
    """What accepted_methods reads is what the view does: every other method is refused."""
    callback = resolve(reverse(name, kwargs=REGISTRY[name].kwargs(world))).func
    accepted = accepted_methods(callback) or set()
    case = REGISTRY[name]
    role = _entitled_role(case)
    url = reverse(name, kwargs=case.kwargs(world))
    if world.users[role] is not None:
        client.force_login(world.users[role])
    for method in sorted(set(ALL_METHODS) - accepted):
        response = getattr(client, method)(url)
        assert response.status_code == 405, f"{name} {method.upper()} as {role}: {response.status_code}"
