"""What every page pays for its layout (``base.html``: the bar, the menus, the footer) before
its own content: a fixed, small number of queries for every role, and no write when a page is
only read. A view here renders ``base.html`` with no content; the URLconf is this module's."""

import re

import pytest
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse
from django.template import engines
from django.test.utils import CaptureQueriesContext
from django.urls import path, reverse

from config.urls import urlpatterns as site_urlpatterns
from institutions import permissions

from ..factories import PASSWORD, ApplicationFactory, UnitFactory, VolunteerFactory


def layout(request):
    return HttpResponse(engines["django"].from_string('{% extends "base.html" %}').render({}, request))


urlpatterns = [path("__layout__/", layout, name="layout_probe"), *site_urlpatterns]
LAYOUT = "/__layout__/"

pytestmark = pytest.mark.urls(__name__)

# A page read after the first one of a session: the user's row, and for a volunteer (whom the
# bar shows their own pages) their volunteer profile. The session (cached_db), the roles and
# the second factor come from the cache; reading writes nothing.
LAYOUT_QUERIES = {
    "olaine_coordinator": 1,
    "ievp_central": 1,
    "ministry": 1,
    "superuser": 1,
    "volunteer_with_profile": 2,
}

_WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)


def _writes(context) -> list[str]:
    return [query["sql"] for query in context.captured_queries if _WRITE.match(query["sql"])]


@pytest.fixture
def volunteer_with_profile(volunteer, olaine):
    ApplicationFactory(unit=olaine, volunteer=VolunteerFactory(user=volunteer))
    return volunteer


@pytest.mark.parametrize("who", list(LAYOUT_QUERIES))
def test_layout_costs_a_fixed_number_of_queries_when_a_page_is_read_again(
    client, request, who, django_assert_num_queries
):
    client.force_login(request.getfixturevalue(who))
    assert client.get(LAYOUT).status_code == 200  # the session's first page fills the caches
    with django_assert_num_queries(LAYOUT_QUERIES[who]):
        response = client.get(LAYOUT)
    assert response.status_code == 200


@pytest.mark.parametrize("who", list(LAYOUT_QUERIES))
def test_layout_writes_nothing_when_read_even_the_first_time(client, request, who):
    client.force_login(request.getfixturevalue(who))
    for _ in range(2):
        with CaptureQueriesContext(connection) as context:
            assert client.get(LAYOUT).status_code == 200
        assert _writes(context) == []


def test_layout_costs_the_same_with_mfa_required_when_the_second_factor_is_set_up(
    client, settings, olaine_coordinator, django_assert_num_queries
):
    settings.TILTS_REQUIRE_STAFF_MFA = True
    Authenticator.objects.create(user=olaine_coordinator, type=Authenticator.Type.TOTP, data={"secret": "x"})
    client.force_login(olaine_coordinator)
    assert client.get(LAYOUT).status_code == 200
    with django_assert_num_queries(LAYOUT_QUERIES["olaine_coordinator"]):
        assert client.get(LAYOUT).status_code == 200


@pytest.mark.parametrize(
    ("who", "page"),
    [
        ("olaine_coordinator", "home"),
        ("olaine_coordinator", "volunteers:inbox"),
        ("ievp_central", "volunteers:inbox"),
        ("ministry", "home"),
        ("volunteer_with_profile", "volunteers:my_applications"),
    ],
)
def test_reading_a_page_writes_nothing_when_signed_in(client, request, who, page):
    client.force_login(request.getfixturevalue(who))
    for _ in range(2):
        with CaptureQueriesContext(connection) as context:
            assert client.get(reverse(page)).status_code == 200
        assert _writes(context) == []


# --- The roles kept across requests are forgotten when they change


def _bar(client) -> str:
    return client.get(LAYOUT).content.decode()


def test_next_request_has_the_role_when_it_is_granted_after_being_cached(client, volunteer, olaine):
    client.force_login(volunteer)
    assert reverse("volunteers:inbox") not in _bar(client)  # cached: no staff role
    permissions.grant_unit_coordinator(volunteer, olaine)
    assert reverse("volunteers:inbox") in _bar(client)


def test_next_request_loses_the_role_when_it_is_revoked_after_being_cached(
    client, olaine_coordinator, olaine
):
    client.force_login(olaine_coordinator)
    assert reverse("volunteers:inbox") in _bar(client)
    permissions.revoke_unit_coordinator(olaine_coordinator, olaine)
    assert reverse("volunteers:inbox") not in _bar(client)
    assert client.get(reverse("volunteers:inbox")).status_code in (302, 403, 404)


def test_cached_roles_are_forgotten_when_a_group_membership_changes_outside_the_grants(
    olaine_coordinator, olaine
):
    assert olaine.pk in permissions.roles_for(olaine_coordinator).coordinate_unit_ids
    # As the admin site does: the membership itself, no grant function.
    olaine_coordinator.groups.remove(Group.objects.get(name=f"unit:{olaine.pk}:coordinators"))
    fresh = type(olaine_coordinator).objects.get(pk=olaine_coordinator.pk)  # the next request's user
    assert olaine.pk not in permissions.roles_for(fresh).coordinate_unit_ids


def test_central_coordinator_sees_a_new_unit_when_it_is_added_after_roles_were_cached(ievp_central, ievp):
    before = permissions.roles_for(ievp_central).coordinate_unit_ids
    unit = UnitFactory(institution=ievp)
    fresh = type(ievp_central).objects.get(pk=ievp_central.pk)
    assert permissions.roles_for(fresh).coordinate_unit_ids == before | {unit.pk}


def test_cached_roles_are_not_used_when_the_person_becomes_a_superuser(volunteer, olaine):
    assert not permissions.roles_for(volunteer).superuser
    type(volunteer).objects.filter(pk=volunteer.pk).update(is_superuser=True)  # no signal at all
    fresh = type(volunteer).objects.get(pk=volunteer.pk)
    assert permissions.roles_for(fresh).superuser


def test_roles_are_read_from_the_cache_when_asked_by_the_next_request(
    olaine_coordinator, olaine, django_assert_num_queries
):
    expected = permissions.roles_for(olaine_coordinator)
    fresh = type(olaine_coordinator).objects.get(pk=olaine_coordinator.pk)
    with django_assert_num_queries(0):
        assert permissions.roles_for(fresh) == expected


# --- The second factor kept across requests is forgotten when it is removed


def test_staff_is_sent_to_set_up_mfa_when_the_cached_second_factor_is_removed(
    client, settings, olaine_coordinator
):
    settings.TILTS_REQUIRE_STAFF_MFA = True
    totp = Authenticator.objects.create(
        user=olaine_coordinator, type=Authenticator.Type.TOTP, data={"secret": "x"}
    )
    client.force_login(olaine_coordinator)
    assert client.get(reverse("home")).status_code == 200  # the yes is cached now
    totp.delete()
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_activate_totp"))


# --- "Last seen" of the sessions page: recorded by changes, not by reading


def _session(client) -> UserSession:
    return UserSession.objects.get(session_key=client.session.session_key)


def _sign_in(client, user, **extra):
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD}, **extra)
    assert response.status_code == 302


def test_last_seen_is_recorded_when_the_person_changes_something_after_a_while(
    client, volunteer_with_profile
):
    _sign_in(client, volunteer_with_profile)
    signed_in = _session(client).last_seen_at
    client.get(reverse("volunteers:my_applications"))
    assert _session(client).last_seen_at == signed_in  # reading records nothing
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert _session(client).last_seen_at == signed_in  # a moment after signing in: not yet

    cache.delete(f"usersession:recorded:{client.session.session_key}")  # the interval has passed
    client.post(reverse("set_language"), {"language": "lv", "next": "/"}, HTTP_USER_AGENT="Other/2.0")
    recorded = _session(client)
    assert recorded.last_seen_at > signed_in
    assert recorded.user_agent == "Other/2.0"


def test_session_signed_in_elsewhere_is_recorded_by_its_first_change_not_by_reading(client, volunteer):
    client.force_login(volunteer)  # as the invitation page and the admin site sign in: not allauth
    client.get(reverse("home"))
    assert not UserSession.objects.filter(user=volunteer).exists()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert _session(client).user == volunteer


def test_sessions_page_shows_last_seen_when_signed_in(client, volunteer):
    client.force_login(volunteer)
    response = client.get(reverse("usersessions_list"))
    assert response.status_code == 200
    assert response.context["show_last_seen_at"]
