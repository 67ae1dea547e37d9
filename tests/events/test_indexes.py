"""The indexes of the events list and the approval queue at national scale (300,000 events):
the list of several units newest first, the counts per unit and state, the queue's sections
oldest first. On PostgreSQL, the real queries' plans take their order from an index (no sort
of every visible event) and the counts read the index alone."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from events import selectors
from events.models import Event, EventState

from . import builders

ON_POSTGRES = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
NEEDS_POSTGRES = pytest.mark.skipif(
    not ON_POSTGRES,
    reason="needs PostgreSQL (DATABASE_URL=postgres://…): the test reads PostgreSQL's query plans "
    "(EXPLAIN); SQLite's planner and plan output differ",
)


def test_event_indexes_are_declared():
    indexes = {index.name: index for index in Event._meta.indexes}
    assert indexes["event_list"].fields == ["starts_at", "id"]
    assert indexes["event_unit_state"].fields == ["unit", "state", "starts_at", "ends_at"]
    assert indexes["event_to_review"].fields == ["reported_at", "id"]
    assert indexes["event_to_review"].condition.children == [("state", EventState.HELD)]
    assert indexes["event_to_report"].fields == ["ends_at", "id"]
    assert indexes["event_to_report"].condition.children == [("state", EventState.APPROVED)]
    assert "event_unit_queue" not in indexes  # replaced by event_unit_state


@pytest.mark.django_db
def test_event_indexes_exist_when_migrated():
    with connection.cursor() as cursor:
        indexes = connection.introspection.get_constraints(cursor, Event._meta.db_table)
    assert indexes["event_list"]["columns"] == ["starts_at", "id"]
    assert indexes["event_unit_state"]["columns"] == ["unit_id", "state", "starts_at", "ends_at"]
    assert indexes["event_to_review"]["columns"] == ["reported_at", "id"]
    assert indexes["event_to_report"]["columns"] == ["ends_at", "id"]
    assert "event_unit_queue" not in indexes


@pytest.mark.django_db
def test_list_counts_the_page_from_its_tab_and_labels_the_states(client, olaine, ievp_central):
    volunteer = builders.volunteer_at(olaine)
    builders.proposed(olaine, volunteer)
    builders.approved(olaine, ievp_central, volunteer)
    client.force_login(ievp_central)
    url = reverse("events:list")
    client.get(url)  # the session's first request records it
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, {"state": EventState.PROPOSED})
    assert not [q for q in queries if 'COUNT(*) AS "__count"' in q["sql"]]  # no second count
    assert response.context["page"].paginator.count == 1
    [event] = response.context["page"].object_list
    assert event.state_label == event.get_state_display()
    tabs = {tab["value"]: tab["count"] for tab in response.context["tabs"]}
    assert tabs[""] == 2 and tabs[EventState.PROPOSED] == 1 and tabs[EventState.APPROVED] == 1


def _plan(queryset) -> str:
    """The plan of ``queryset`` with sorting and reading whole tables made prohibitive: with
    a handful of rows the planner would rightly do either; this asks whether an index *can*
    serve the query."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


@NEEDS_POSTGRES
@pytest.mark.django_db
def test_list_of_several_units_is_read_in_index_order_when_on_postgresql(olaine, jelgava, ievp_central):
    events = selectors.staff_events(ievp_central).order_by("-starts_at", "-pk")
    plan = _plan(events.select_related(None).prefetch_related(None)[:25])
    assert "Index Scan Backward using event_list" in plan and "Sort" not in plan, plan


@NEEDS_POSTGRES
@pytest.mark.django_db
@pytest.mark.parametrize(
    ("state", "order", "index"),
    [
        (EventState.HELD, "reported_at", "event_to_review"),
        (EventState.APPROVED, "ends_at", "event_to_report"),
    ],
)
def test_queue_sections_are_read_in_index_order_when_on_postgresql(
    olaine, jelgava, ievp_central, state, order, index
):
    events = Event.objects.visible_to(ievp_central).filter(state=state).order_by(order, "pk")[:50]
    plan = _plan(events)
    assert f"using {index}" in plan and "Sort" not in plan, plan


def _event_counts_sql(run) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        run()
    return [q["sql"] for q in queries if 'FROM "events_event"' in q["sql"] and "COUNT(" in q["sql"]]


# The counts name only columns of the index (unit, state, starts_at, ends_at), so that
# PostgreSQL can count from the index alone once the table is vacuumed (which plan it picks on
# a test's near-empty table is its own business: the shape of the query is what is tested).
@pytest.mark.django_db
def test_list_tab_counts_name_only_indexed_columns_when_counting(olaine, jelgava, ievp_central):
    [sql] = _event_counts_sql(lambda: selectors.state_counts(Event.objects.visible_to(ievp_central)))
    assert 'COUNT("events_event"."state")' in sql and 'COUNT("events_event"."id")' not in sql, sql


@pytest.mark.django_db
def test_queue_counts_name_only_indexed_columns_when_counting(olaine, jelgava, ievp_central):
    found = _event_counts_sql(lambda: selectors.queue_counts(ievp_central))
    assert found
    for sql in found:
        assert 'COUNT("events_event"."state")' in sql and 'COUNT("events_event"."id")' not in sql, sql
