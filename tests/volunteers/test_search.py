"""The inbox search: Latvian diacritics folded (``core.text.fold``) in one column of the
application (``Application.search_text``), kept up to date wherever a person's names or email
change, counted in one aggregate query with the tabs, and served on PostgreSQL by a trigram
index (issue 15)."""

from __future__ import annotations

import pytest
from allauth.account.signals import email_changed
from django.conf import settings
from django.contrib.admin.sites import site as admin_site
from django.db import connection
from django.http import QueryDict
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from agreements import selectors as agreement_selectors
from core.filters import list_page
from core.text import fold
from privacy import services as privacy_services
from tests.agreements import builders
from tests.factories import ApplicationFactory, UserFactory, VolunteerFactory
from volunteers import selectors, services
from volunteers.models import Application, ProfileChangeRequest, Status, Volunteer, search_text_of

ON_POSTGRES = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
NEEDS_POSTGRES = pytest.mark.skipif(
    not ON_POSTGRES,
    reason="needs PostgreSQL (DATABASE_URL=postgres://…): the trigram index (pg_trgm, GIN) exists "
    "only there — SQLite has neither, and its search is the same LIKE over fewer rows",
)


def _applicant(unit, email, first_name, last_name, **fields) -> Application:
    user = UserFactory(email=email, first_name=first_name, last_name=last_name)
    return ApplicationFactory(unit=unit, volunteer=VolunteerFactory(user=user), **fields)


def _found(user, q: str) -> list[str]:
    inbox = selectors.application_inbox(user=user, params=QueryDict(f"q={q}" if q else ""))
    return sorted(a.reference for a in inbox.applications)


@pytest.fixture
def berzins(olaine):
    return _applicant(olaine, "janis.b@example.lv", "Jānis", "Bērziņš", reference="T2026-00101")


@pytest.fixture
def kalnina(olaine):
    return _applicant(olaine, "ilze@example.lv", "Ilze", "KALNIŅA", reference="T2026-00102")


# --- Folding


def test_fold_drops_every_latvian_diacritic_and_case_when_folding():
    assert fold("ĀČĒĢĪĶĻŅŠŪŽ āčēģīķļņšūž Bērziņš") == "acegiklnsuz acegiklnsuz berzins"


@pytest.mark.parametrize(
    "q",
    [
        "Berzins",
        "berzin",
        "BĒRZIŅŠ",
        "bērziņš",
        "Bērziņ",
        "erzi",
        "janis berz",
        "Jānis",
        "janis.b@",
        "t2026-00101",
    ],
)
def test_search_finds_berzins_when_typed_with_or_without_diacritics_or_partly(
    berzins, kalnina, olaine_coordinator, q
):
    assert _found(olaine_coordinator, q) == [berzins.reference]


def test_search_finds_upper_case_name_when_typed_in_lower_case_without_diacritics(
    berzins, kalnina, olaine_coordinator
):
    assert _found(olaine_coordinator, "kalnina") == [kalnina.reference]
    assert _found(olaine_coordinator, "Kalniņa ilze") == [kalnina.reference]
    assert _found(olaine_coordinator, "kalnina berzins") == []  # every word must match
    assert _found(olaine_coordinator, "") == [berzins.reference, kalnina.reference]


def test_search_never_widens_to_another_unit_when_the_name_matches_there(
    berzins, jelgava, olaine_coordinator
):
    _applicant(jelgava, "janis.cits@example.lv", "Jānis", "Bērziņš", reference="T2026-00202")
    assert _found(olaine_coordinator, "berzins") == [berzins.reference]


def test_agreement_list_search_is_folded_too_when_typed_without_diacritics(
    olaine, olaine_coordinator, ievp_central
):
    app = builders.application(olaine, first_name="Žanete", last_name="Ķirsone")
    agreement = builders.draft(olaine, olaine_coordinator, app=app)
    builders.draft(olaine, olaine_coordinator)  # someone else's
    result = agreement_selectors.agreement_list(user=ievp_central, params=QueryDict("q=kirson+zanete"))
    assert [a.pk for a in result.agreements] == [agreement.pk]
    assert result.row_count == 1


# --- Kept up to date


def test_search_text_is_written_when_the_application_is_created(berzins):
    assert berzins.search_text == "t2026-00101 janis berzins janis.b@example.lv"
    berzins.refresh_from_db()
    assert berzins.search_text == "t2026-00101 janis berzins janis.b@example.lv"


def test_search_follows_the_name_when_a_change_request_is_approved(berzins, olaine_coordinator):
    request = services.change_request_create(
        volunteer=berzins.volunteer, field="last_name", new_value="Ozoliņa"
    )
    decided = services.change_request_decide(request=request, actor=olaine_coordinator, approve=True)
    assert decided.state == ProfileChangeRequest.State.APPROVED
    assert _found(olaine_coordinator, "ozolina") == [berzins.reference]
    assert _found(olaine_coordinator, "berzins") == []


def test_search_follows_the_email_when_the_person_makes_another_address_primary(berzins, olaine_coordinator):
    user = berzins.volunteer.user
    user.email = "janis.jauns@example.lv"
    user.save()
    email_changed.send(sender=User, request=None, user=user, from_email_address=None, to_email_address=None)
    assert _found(olaine_coordinator, "janis.jauns@") == [berzins.reference]
    assert _found(olaine_coordinator, "janis.b@") == []


def test_search_follows_the_name_when_the_admin_changes_it(berzins, olaine_coordinator, superuser):
    user = berzins.volunteer.user
    user.first_name = "Pēteris"

    class Form:
        changed_data = ["first_name"]

    request = RequestFactory().post("/admin/")
    request.user = superuser
    admin_site._registry[User].save_model(request, user, Form(), change=True)
    assert _found(olaine_coordinator, "peteris") == [berzins.reference]


def test_erased_names_and_email_are_not_found_when_the_person_is_anonymised(berzins, olaine_coordinator):
    privacy_services.volunteer_anonymise(volunteer=berzins.volunteer, actor=olaine_coordinator)
    for q in ("berzins", "janis", "janis.b@"):
        assert _found(olaine_coordinator, q) == [], q
    assert _found(olaine_coordinator, "t2026-00101") == [berzins.reference]  # the statistics stay
    berzins.refresh_from_db()
    assert "berz" not in berzins.search_text and "janis" not in berzins.search_text


def test_refresh_fills_bulk_inserted_rows_and_changes_nothing_when_run_again(olaine, berzins):
    user = UserFactory(email="anna@example.lv", first_name="Anna", last_name="Šķēle")
    volunteer = VolunteerFactory(user=user)
    [bulk] = Application.objects.bulk_create(
        [
            Application(
                volunteer=volunteer,
                institution=olaine.institution,
                unit=olaine,
                reference="T2026-00103",
                motivation="x",
                record_declaration="none",
            )
        ]
    )
    assert Application.objects.get(pk=bulk.pk).search_text == ""  # bulk_create skips save()

    assert services.applications_search_refresh() == 1
    assert Application.objects.get(pk=bulk.pk).search_text == search_text_of(
        "T2026-00103", "Anna", "Šķēle", "anna@example.lv"
    )
    assert services.applications_search_refresh() == 0


def test_refresh_of_one_person_costs_two_queries_when_their_name_changed(berzins, django_assert_num_queries):
    user = berzins.volunteer.user
    User.objects.filter(pk=user.pk).update(last_name="Liepa")
    with django_assert_num_queries(2):  # read their applications, write the changed one
        assert services.applications_search_refresh(user_ids=[user.pk]) == 1
    with django_assert_num_queries(1):  # nothing changed: nothing written
        assert services.applications_search_refresh(user_ids=[user.pk]) == 0


# --- Queries


def test_tab_counts_are_one_aggregate_query_when_searching(berzins, kalnina, olaine_coordinator):
    with CaptureQueriesContext(connection) as context:
        inbox = selectors.application_inbox(user=olaine_coordinator, params=QueryDict("q=berzin"))
    counting = [q["sql"] for q in context.captured_queries if "COUNT(" in q["sql"]]
    assert len(counting) == 1
    assert inbox.counts["all"] == 1 and inbox.counts[Status.SUBMITTED] == 1 and inbox.counts["open"] == 1
    assert inbox.row_count == 1


# The inbox's own queries for a page (no layout): the units of the filter, the tab counts (one
# aggregate, which gives the page its count too), the rows and their roles. A search adds none.
INBOX_LIST_QUERIES = 4


@pytest.mark.parametrize("q", ["", "q=berzin", "status=submitted&q=Bērziņ+janis"])
def test_inbox_list_query_count_is_exact_with_or_without_a_search(
    berzins, kalnina, olaine_coordinator, q, django_assert_num_queries
):
    from institutions import permissions

    permissions.roles_for(olaine_coordinator)  # the layout's, read once per request
    params = QueryDict(q)
    with django_assert_num_queries(INBOX_LIST_QUERIES):
        inbox = selectors.application_inbox(user=olaine_coordinator, params=params)
        page = list_page(inbox.applications, params, count=inbox.row_count)["page"]
        rows = list(page.object_list)
    assert page.paginator.count == len(rows) == (2 if not q else 1)


def test_inbox_page_costs_no_query_more_when_searching(
    client, berzins, kalnina, olaine_coordinator, django_assert_num_queries
):
    client.force_login(olaine_coordinator)
    url = reverse("volunteers:inbox")
    client.get(url)  # the session's first request records it
    with CaptureQueriesContext(connection) as plain:
        assert client.get(url).status_code == 200
    with django_assert_num_queries(len(plain)):
        response = client.get(url, {"q": "Berzins"})
    assert [a.reference for a in response.context["page"].object_list] == [berzins.reference]
    assert response.context["page"].paginator.count == 1


# --- PostgreSQL


@NEEDS_POSTGRES
def test_trigram_index_serves_the_search_when_on_postgresql(berzins, olaine_coordinator):
    with connection.cursor() as cursor:
        indexes = connection.introspection.get_constraints(cursor, Application._meta.db_table)
        assert indexes["application_search_trgm"]["type"] == "gin"
        assert indexes["application_search_trgm"]["columns"] == ["search_text"]
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        assert cursor.fetchone()
        # With a handful of rows the planner rightly reads the table; without that choice it
        # must be able to answer LIKE '%…%' from the index.
        # (Nor walk another index for the default ordering: only the bitmap scan is left.)
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        queryset = Application.objects.filter(search_text__contains=fold("Bērziņ")).order_by()
        sql, params = queryset.values("pk").query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "application_search_trgm" in plan, plan
    assert Volunteer.objects.filter(applications__search_text__contains="berzin").exists()
