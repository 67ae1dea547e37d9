"""The coordinators' to-dos (reports.selectors.todos): counts on known data per role, only the units the
person coordinates, nothing shown for what is not waiting, links to the lists behind them, and
a fixed number of queries whatever the data."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from agreements.models import Status as AgreementStatus
from events.models import Event, EventState
from institutions import permissions
from institutions.models import Institution
from reports.selectors import todos
from tests.agreements import builders as agreement_builders
from tests.casework import builders as casework_builders
from tests.events import builders as event_builders
from tests.factories import ApplicationFactory, UnitFactory, unit_coordinator
from tests.trainings import builders as training_builders
from trainings.models import Course, SessionState
from volunteers.models import Application, Role
from volunteers.models import Status as ApplicationStatus

IEVP_AND_VPD = {Institution.Code.IEVP, Institution.Code.VPD}

# What ``waiting_work`` leaves at one unit, by to-do.
ONE_UNIT = {
    "applications_submitted": 2,
    "applications_screening": 1,
    "agreements_generated": 1,
    "agreements_sent": 1,
    "agreements_ending": 1,
    "events_proposals": 1,
    "events_to_report": 1,
    "events_to_review": 1,
    "trainings_to_complete": 1,
    "trainings_expiring": 1,
}


def waiting_work(unit, coordinator) -> None:
    """At ``unit``: two submitted applications (one waiting 20 days) and one in screening;
    an agreement generated, one sent, one in force ending in 10 days; a proposal, an event
    to report and a report to review; a session over but not completed; a child-rights
    training expiring in 20 days. And what is not waiting: an active application, agreements
    in force for a long while yet, a completed session, a training valid for a year."""
    today = timezone.localdate()
    ApplicationFactory(unit=unit, status=ApplicationStatus.SUBMITTED)
    late = ApplicationFactory(unit=unit, status=ApplicationStatus.SUBMITTED)
    Application.objects.filter(pk=late.pk).update(status_changed_at=timezone.now() - timedelta(days=20))
    ApplicationFactory(unit=unit, status=ApplicationStatus.SCREENING)
    ApplicationFactory(unit=unit, status=ApplicationStatus.ACTIVE)
    agreement_builders.agreement_row(unit, status=AgreementStatus.GENERATED)
    agreement_builders.agreement_row(unit, status=AgreementStatus.SENT)
    agreement_builders.agreement_row(
        unit, status=AgreementStatus.ACTIVE, start=today - timedelta(days=300), end=today + timedelta(days=10)
    )
    volunteer = event_builders.volunteer_at(unit)  # in force until today + 300 days
    event_builders.proposed(unit, volunteer)
    event_builders.past_approved(unit, coordinator, volunteer)
    held = event_builders.past_approved(unit, coordinator, volunteer, days_ago=5)
    Event.objects.filter(pk=held.pk).update(state=EventState.HELD, reported_at=timezone.now())
    training_builders.session_row(unit, coordinator, first=today - timedelta(days=10))
    training_builders.session_row(
        unit, coordinator, first=today - timedelta(days=20), state=SessionState.HELD
    )
    role = Role.objects.get_or_create(institution=unit.institution, code=Role.Code.MENTOR)[0]
    child_rights = training_builders.course(unit.institution, roles=[role], kind=Course.Kind.RECURRING)
    training_builders.completion(volunteer, child_rights, unit, valid_until=today + timedelta(days=20))
    other = event_builders.volunteer_at(unit)
    training_builders.completion(other, child_rights, unit, valid_until=today + timedelta(days=365))


def _counts(groups: list[todos.TodoGroup]) -> dict[str, int]:
    return {todo.key: todo.count for group in groups for todo in group.items}


def _todo(groups: list[todos.TodoGroup], key: str) -> todos.Todo:
    return next(todo for group in groups for todo in group.items if todo.key == key)


def test_unit_coordinator_counts_what_waits_when_the_unit_has_work(olaine_coordinator, olaine):
    waiting_work(olaine, olaine_coordinator)
    groups = todos.todos_for(user=olaine_coordinator, institution_codes={Institution.Code.IEVP})
    assert _counts(groups) == ONE_UNIT
    assert [group.key for group in groups] == ["applications", "agreements", "events", "trainings"]
    assert _todo(groups, "applications_submitted").late == 1
    assert _todo(groups, "applications_screening").late == 0


def test_unit_coordinator_never_counts_another_units_work_when_both_have_some(
    olaine_coordinator, olaine, jelgava_coordinator, jelgava
):
    waiting_work(olaine, olaine_coordinator)
    waiting_work(jelgava, jelgava_coordinator)
    assert _counts(todos.todos_for(user=olaine_coordinator, institution_codes=IEVP_AND_VPD)) == ONE_UNIT


def test_central_coordinator_counts_the_whole_institution_when_its_units_have_work(
    ievp_central, olaine_coordinator, olaine, jelgava_coordinator, jelgava, vpd_department
):
    waiting_work(olaine, olaine_coordinator)
    waiting_work(jelgava, jelgava_coordinator)
    waiting_work(vpd_department, unit_coordinator(vpd_department))  # another institution's
    groups = todos.todos_for(user=ievp_central, institution_codes={Institution.Code.IEVP})
    assert _counts(groups) == {key: 2 * count for key, count in ONE_UNIT.items()}


def test_ministry_has_no_todos_when_every_unit_has_work(ministry, olaine_coordinator, olaine):
    waiting_work(olaine, olaine_coordinator)
    assert todos.todos_for(user=ministry, institution_codes=IEVP_AND_VPD) == []


def test_nothing_is_listed_when_nothing_waits(olaine_coordinator, olaine):
    ApplicationFactory(unit=olaine, status=ApplicationStatus.ACTIVE)
    assert todos.todos_for(user=olaine_coordinator, institution_codes={Institution.Code.IEVP}) == []


def test_zero_items_and_empty_groups_are_left_out_when_only_some_work_waits(olaine_coordinator, olaine):
    ApplicationFactory(unit=olaine, status=ApplicationStatus.VETTING)
    groups = todos.todos_for(user=olaine_coordinator, institution_codes={Institution.Code.IEVP})
    assert [(group.key, [todo.key for todo in group.items]) for group in groups] == [
        ("applications", ["applications_vetting"])
    ]


def test_links_lead_to_the_filtered_lists_when_work_waits(olaine_coordinator, olaine):
    waiting_work(olaine, olaine_coordinator)
    groups = todos.todos_for(user=olaine_coordinator, institution_codes={Institution.Code.IEVP})
    inbox, agreements, queue = (
        reverse("volunteers:inbox"),
        reverse("agreements:list"),
        reverse("events:queue"),
    )
    assert {todo.key: todo.url for group in groups for todo in group.items} == {
        "applications_submitted": f"{inbox}?status=submitted",
        "applications_screening": f"{inbox}?status=screening",
        "agreements_generated": f"{agreements}?status=generated",
        "agreements_sent": f"{agreements}?status=sent",
        "agreements_ending": f"{agreements}?ending=on",
        "events_proposals": f"{queue}#proposals",
        "events_to_report": f"{queue}#to-report",
        "events_to_review": f"{queue}#to-review",
        "trainings_to_complete": f"{reverse('trainings:sessions')}?when=past&to_complete=on",
        # No list shows exactly the expiring completions: no link (not the active volunteers).
        "trainings_expiring": "",
    }


def test_sessions_to_complete_link_lists_exactly_those_when_followed(client, olaine_coordinator, olaine):
    """The to-do's count and the sessions list behind it agree (a held session, also past, is
    not listed)."""
    waiting_work(olaine, olaine_coordinator)
    todo = _todo(todos.todos_for(user=olaine_coordinator), "trainings_to_complete")
    client.force_login(olaine_coordinator)
    listed = client.get(todo.url)
    assert listed.status_code == 200
    assert todo.count == 1
    assert listed.context["page"].paginator.count == todo.count
    # The drill-down filter shows only when set.
    assert 'name="to_complete"' in listed.content.decode()
    assert 'name="to_complete"' not in client.get(reverse("trainings:sessions")).content.decode()


def test_expiring_trainings_todo_is_not_a_link_when_shown_on_the_home_page(
    client, olaine_coordinator, olaine
):
    waiting_work(olaine, olaine_coordinator)
    client.force_login(olaine_coordinator)
    html = client.get(reverse("home")).content.decode()
    item = html.split('data-todo="trainings_expiring"')[0].rsplit("<a ", 1)[1]
    assert "href" not in item


def test_vpd_coordinator_sees_expiring_mediator_certificates_when_one_expires_soon(vpd_department, db):
    coordinator = unit_coordinator(vpd_department)
    today = timezone.localdate()
    casework_builders.mediator(vpd_department, coordinator, valid_until=today + timedelta(days=30))
    casework_builders.mediator(vpd_department, coordinator, valid_until=today + timedelta(days=200))
    groups = todos.todos_for(user=coordinator, institution_codes={Institution.Code.VPD})
    todo = _todo(groups, "casework_certificates")
    assert todo.count == 1
    assert todo.url == f"{reverse('casework:home')}#expiring-heading"


@pytest.mark.parametrize("units", [1, 3])
def test_todos_cost_a_fixed_number_of_queries_when_units_and_rows_grow(
    ievp_central, ievp, olaine, jelgava, units, django_assert_num_queries
):
    for _ in range(units):
        unit = UnitFactory(institution=ievp)
        waiting_work(unit, unit_coordinator(unit))
    permissions.roles_for(ievp_central)  # once per request, by the layout
    # Applications, agreements, the events queue (events, certificates, hours), sessions,
    # expiring trainings: 7 (casework one more at VPD).
    with django_assert_num_queries(7):
        groups = todos.todos_for(user=ievp_central, institution_codes={Institution.Code.IEVP})
    assert _counts(groups)["applications_submitted"] == 2 * units
