"""The indexes the staff lists need (issue 15): the agreements list newest first for a unit, a
unit's tab and several units, and a unit's inbox newest first. On PostgreSQL, the plans of
the lists' real queries take their order from an index (no sort of every visible row)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection
from django.http import QueryDict

from agreements import selectors
from agreements.models import Agreement
from volunteers import selectors as volunteer_selectors
from volunteers.models import Application

from . import builders

ON_POSTGRES = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
NEEDS_POSTGRES = pytest.mark.skipif(
    not ON_POSTGRES,
    reason="needs PostgreSQL (DATABASE_URL=postgres://…): the test reads PostgreSQL's query plans "
    "(EXPLAIN); SQLite's planner and plan output differ",
)


def _indexes(model) -> dict[str, dict]:
    with connection.cursor() as cursor:
        return connection.introspection.get_constraints(cursor, model._meta.db_table)


@pytest.mark.django_db
def test_list_indexes_exist_when_migrated():
    agreement = _indexes(Agreement)
    assert agreement["agreement_list_unit_status"]["columns"] == ["unit_id", "status", "created_at", "id"]
    assert agreement["agreement_list_unit"]["columns"] == ["unit_id", "created_at", "id"]
    assert agreement["agreement_list"]["columns"] == ["created_at", "id"]
    assert "agreement_unit_status" not in agreement  # replaced by the first, its extension
    application = _indexes(Application)
    assert application["application_inbox_all"]["columns"] == ["unit_id", "submitted_at", "id"]
    assert application["application_inbox"]["columns"] == ["unit_id", "status", "submitted_at"]


def _plan(queryset) -> str:
    """The plan of one page of ``queryset`` with sorting and reading whole tables made
    prohibitive: with a handful of rows the planner would rightly do either; this asks
    whether an index *can* give the page in order."""
    sql, params = queryset[:25].query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


@NEEDS_POSTGRES
@pytest.mark.django_db
@pytest.mark.parametrize("who", ["olaine_coordinator", "ievp_central"])
@pytest.mark.parametrize("params", ["", "status=draft"])
def test_agreement_list_page_is_read_in_index_order_when_on_postgresql(
    request, olaine, jelgava, olaine_coordinator, ievp_central, who, params
):
    builders.draft(olaine, olaine_coordinator)
    builders.draft(jelgava, ievp_central)
    user = request.getfixturevalue(who)
    plan = _plan(selectors.agreement_list(user=user, params=QueryDict(params)).agreements)
    # One of agreement_list_unit_status, agreement_list_unit, agreement_list, and no sort.
    assert "Index Scan using agreement_list" in plan and "Sort" not in plan, plan


@NEEDS_POSTGRES
@pytest.mark.django_db
@pytest.mark.parametrize("params", ["", "status=submitted", "status=open"])
def test_inbox_page_of_a_unit_is_read_from_its_index_when_on_postgresql(olaine, olaine_coordinator, params):
    builders.application(olaine)
    inbox = volunteer_selectors.application_inbox(user=olaine_coordinator, params=QueryDict(params))
    plan = _plan(inbox.applications)
    assert "using application_inbox" in plan, plan
