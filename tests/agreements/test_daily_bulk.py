"""The daily jobs over many agreements, set-based: activation and expiry take a chunk of
agreements in a constant number of queries, write a history row and an audit entry for
each (the same fields ``audit_record`` writes), move the applications still at the
agreement step through the volunteers' state machine, and change nothing when run again."""

from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from agreements import services
from agreements.models import Agreement, Status
from agreements.signals import agreement_ended
from institutions.models import AuditEvent
from volunteers.models import Application, ApplicationEvent
from volunteers.models import Status as ApplicationStatus

from . import builders

# One chunk of due agreements (services.DAILY_CHUNK), whatever its size: the chunk read
# with its lock, the status UPDATE, the history INSERT … SELECT, the agreements' audit rows,
# and the applications (lock read, UPDATE, history, events, audit rows); the savepoints of
# the chunk's transaction and the volunteers' service are among them.
ACTIVATION_QUERIES = 13
EXPIRY_QUERIES = 6
# A run that finds nothing due: its transaction's savepoint, the read, the release.
NOTHING_DUE_QUERIES = 3


@pytest.fixture
def today():
    return timezone.localdate()


def _signed(unit, count, today):
    """``count`` signed agreements starting today, their applications at the agreement step."""
    rows = [builders.agreement_row(unit, status=Status.SIGNED, start=today) for _ in range(count)]
    Application.objects.filter(pk__in=[row.application_id for row in rows]).update(
        status=ApplicationStatus.AGREEMENT
    )
    return rows


def _warm(unit):
    """What is cached across runs (content types, the institution's word) is read before
    the queries are counted."""
    ContentType.objects.get_for_model(Agreement)
    ContentType.objects.get_for_model(Application)
    services._word(unit.institution_id, "Agreement %(number)s in force.")


@pytest.mark.parametrize("count", [10, 50])
def test_activation_takes_the_same_queries_when_10_or_50_agreements_are_due(
    olaine, today, count, django_assert_num_queries
):
    _signed(olaine, count, today)
    _warm(olaine)

    with django_assert_num_queries(ACTIVATION_QUERIES):
        assert services.agreements_activate_due(today=today) == count
    with django_assert_num_queries(NOTHING_DUE_QUERIES):
        assert services.agreements_activate_due(today=today) == 0


@pytest.mark.parametrize("count", [10, 50])
def test_expiry_takes_the_same_queries_when_10_or_50_agreements_are_due(
    olaine, today, count, django_assert_num_queries
):
    for n in range(count):
        builders.agreement_row(olaine, status=Status.SIGNED if n % 5 == 0 else Status.ACTIVE)
    end = Agreement.objects.values_list("end_date", flat=True).latest("end_date")
    ContentType.objects.get_for_model(Agreement)

    with django_assert_num_queries(EXPIRY_QUERIES):
        assert services.agreements_expire_due(today=end + timedelta(days=1)) == count
    with django_assert_num_queries(NOTHING_DUE_QUERIES):
        assert services.agreements_expire_due(today=end + timedelta(days=1)) == 0


def test_activation_writes_history_audit_and_the_applications_move_when_many_are_due(olaine, jelgava, today):
    rows = _signed(olaine, 3, today) + _signed(jelgava, 2, today)
    renewal = builders.agreement_row(olaine, status=Status.SIGNED, start=today)  # the volunteer is active
    later = builders.agreement_row(olaine, status=Status.SIGNED, start=today + timedelta(days=1))

    assert services.agreements_activate_due(today=today) == 6

    for row in [*rows, renewal]:
        row.refresh_from_db()
        assert row.status == Status.ACTIVE
        [history] = row.history.filter(history_type="~")
        assert (history.status, history.history_user, history.history_date) == (
            Status.ACTIVE,
            None,
            row.status_changed_at,
        )
        audit = AuditEvent.objects.get(action="agreement.activate", target_id=str(row.pk))
        assert (audit.actor, audit.actor_label, audit.unit, audit.institution, audit.target_label) == (
            None,
            "system",
            row.unit,
            row.unit.institution,
            row.number,
        )
        assert audit.target_type == ContentType.objects.get_for_model(Agreement) and audit.data == {}
    for row in rows:
        application = Application.objects.get(pk=row.application_id)
        assert application.status == ApplicationStatus.ACTIVE
        [event] = application.events.filter(kind=ApplicationEvent.Kind.TRANSITION)
        assert (event.from_status, event.to_status, event.actor, event.notify) == (
            ApplicationStatus.AGREEMENT,
            ApplicationStatus.ACTIVE,
            None,
            False,
        )
        assert row.number in event.reason and event.visible_to_volunteer
        assert application.history.filter(history_type="~", status=ApplicationStatus.ACTIVE).count() == 1
        audit = AuditEvent.objects.get(action="application.transition", target_id=str(application.pk))
        assert (audit.actor_label, audit.unit, audit.institution_id) == (
            "system",
            row.unit,
            row.institution_id,
        )
        assert audit.data == {"from": "agreement", "to": "active", "reason": event.reason}
    # The renewal's application was active already: left as it is; tomorrow's waits.
    assert not ApplicationEvent.objects.filter(application_id=renewal.application_id).exists()
    later.refresh_from_db()
    assert later.status == Status.SIGNED

    written = (AuditEvent.objects.count(), Agreement.history.count(), Application.history.count())
    assert services.agreements_activate_due(today=today) == 0
    assert (AuditEvent.objects.count(), Agreement.history.count(), Application.history.count()) == written


def test_expiry_writes_history_and_audit_and_sends_no_ending_signal_when_many_end(olaine, jelgava, today):
    ended = [
        builders.agreement_row(unit, status=status, end=today - timedelta(days=1))
        for unit, status in [(olaine, Status.ACTIVE), (jelgava, Status.ACTIVE), (olaine, Status.SIGNED)]
    ]
    running = builders.agreement_row(olaine, status=Status.ACTIVE, end=today)
    received = []

    def receiver(sender, **kwargs):
        received.append(kwargs["agreement"])

    # The signal is for agreements stopped before their end date (the events app takes the
    # volunteer off later events then); an agreement running to its end sends none.
    agreement_ended.connect(receiver, dispatch_uid="test-daily-bulk")
    try:
        assert services.agreements_expire_due(today=today) == 3
    finally:
        agreement_ended.disconnect(dispatch_uid="test-daily-bulk")
    assert received == []

    for row in ended:
        row.refresh_from_db()
        assert (row.status, row.end_kind, row.ended_on) == (
            Status.ENDED,
            Agreement.EndKind.EXPIRED,
            row.end_date,
        )
        [history] = row.history.filter(history_type="~")
        assert (history.status, history.end_kind, history.ended_on) == (
            Status.ENDED,
            Agreement.EndKind.EXPIRED,
            row.end_date,
        )
        audit = AuditEvent.objects.get(action="agreement.end", target_id=str(row.pk))
        assert (audit.actor_label, audit.unit, audit.institution_id, audit.target_label, audit.data) == (
            "system",
            row.unit,
            row.institution_id,
            row.number,
            {"kind": "expired"},
        )
    running.refresh_from_db()
    assert running.status == Status.ACTIVE

    written = (AuditEvent.objects.count(), Agreement.history.count())
    assert services.agreements_expire_due(today=today) == 0
    assert (AuditEvent.objects.count(), Agreement.history.count()) == written


def test_jobs_take_every_chunk_when_more_agreements_are_due_than_a_chunk(olaine, today, monkeypatch):
    monkeypatch.setattr(services, "DAILY_CHUNK", 2)
    _signed(olaine, 5, today)

    assert services.agreements_activate_due(today=today) == 5
    assert not Agreement.objects.filter(status=Status.SIGNED).exists()
    assert services.agreements_expire_due(today=today + timedelta(days=400)) == 5
    assert Agreement.objects.filter(status=Status.ENDED).count() == 5
