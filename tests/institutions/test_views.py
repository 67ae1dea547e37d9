import pytest
from django.urls import reverse

from institutions import services

from ..factories import UnitFactory, unit_coordinator


@pytest.mark.django_db
def test_anonymous_visitor_sees_the_public_page_when_opening_home(client):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert response.templates[0].name == "core/landing.html"
    assert reverse("account_login") in response.content.decode()


def test_volunteer_without_role_sees_own_page_when_signed_in(client, volunteer):
    client.force_login(volunteer)
    response = client.get(reverse("home"))
    assert response.templates[0].name == "core/home_person.html"
    assert reverse("institutions:coordinators") not in response.content.decode()


def test_coordinator_home_lists_only_own_units_when_signed_in(
    client, olaine_coordinator, jelgava_coordinator
):
    client.force_login(olaine_coordinator)
    body = client.get(reverse("home")).content.decode()
    assert "Olaines cietums" in body
    assert "Jelgavas cietums" not in body
    assert jelgava_coordinator.email not in body
    # Unit coordinators do not manage coordinators and have no admin panel.
    assert reverse("institutions:coordinators") not in body
    assert reverse("admin:index") not in body


def test_central_home_shows_every_unit_and_the_admin_link_when_signed_in(
    client, ievp_central, olaine, jelgava
):
    client.force_login(ievp_central)
    body = client.get(reverse("home")).content.decode()
    assert "Olaines cietums" in body and "Jelgavas cietums" in body
    assert reverse("institutions:coordinators") in body
    assert reverse("admin:index") in body


def test_ministry_home_is_read_only_across_institutions_when_signed_in(
    client, ministry, olaine, vpd_department
):
    client.force_login(ministry)
    response = client.get(reverse("home"))
    body = response.content.decode()
    assert "Olaines cietums" in body and "Jelgavas 1. nodaļa" in body
    assert response.context["roles"].is_read_only
    detail = client.get(
        reverse("institutions:unit_detail", kwargs={"unit_slug": olaine.slug})
    ).content.decode()
    assert reverse("institutions:invite") not in detail


# The same for 3 units and for 63, on SQLite and PostgreSQL: nothing per unit or coordinator.
# 8 for the overview (its figures per unit kept since the first page: reports.cache), 8 for the
# to-dos (reports.selectors.todos; the superuser coordinates every unit, VPD's too: casework included).
HOME_QUERIES = 16


@pytest.mark.parametrize("units", [3, 63])
def test_home_query_count_stays_flat_when_an_institution_has_many_units(
    client, superuser, ievp, units, django_assert_num_queries
):
    for _ in range(units):
        unit = UnitFactory(institution=ievp)
        unit_coordinator(unit)
        unit_coordinator(unit)
    client.force_login(superuser)
    client.get(reverse("home"))  # the session's first request caches the roles
    with django_assert_num_queries(HOME_QUERIES):
        response = client.get(reverse("home"))
    assert response.status_code == 200
    assert sum(len(block.rows) for block in response.context["blocks"]) >= units


def test_unit_page_shows_coordinators_and_recent_activity_when_opened_by_central(
    client, ievp_central, olaine_coordinator, olaine
):
    services.invitation_create(actor=ievp_central, email="jauna@example.lv", units=[olaine])
    client.force_login(ievp_central)
    response = client.get(reverse("institutions:unit_detail", kwargs={"unit_slug": olaine.slug}))
    body = response.content.decode()
    assert olaine_coordinator.email in body
    assert "Piešķirta koordinatora loma" in body or "Coordinator role granted" in body
    assert reverse("institutions:coordinator_revoke", args=[olaine.slug, olaine_coordinator.pk]) in body


def test_coordinators_page_lists_pending_invitations_when_central_opens_it(
    client, ievp_central, vpd_central, olaine, django_assert_num_queries
):
    services.invitation_create(actor=ievp_central, email="gaida@example.lv", units=[olaine])
    client.force_login(ievp_central)
    client.get(reverse("institutions:coordinators"))  # the session's first request caches the roles
    with django_assert_num_queries(11):
        body = client.get(reverse("institutions:coordinators")).content.decode()
    assert "gaida@example.lv" in body
    client.force_login(vpd_central)
    assert "gaida@example.lv" not in client.get(reverse("institutions:coordinators")).content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "text"), [("lv", 'lang="lv"'), ("en", 'lang="en"')])
def test_not_found_page_is_in_the_chosen_language_when_a_page_is_missing(client, language, text):
    client.cookies["tilts_language"] = language
    response = client.get("/nav-tadas-lapas/")
    assert response.status_code == 404
    assert text in response.content.decode()
