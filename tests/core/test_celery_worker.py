"""Tasks run for real: a Celery worker consuming from Redis (skipped without REDIS_URL)."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail

from config.celery_app import app as celery_app
from core.tasks import ping
from institutions import services
from institutions import tasks as invitation_tasks
from institutions.models import CoordinatorInvitation

STALE = timedelta(minutes=11)  # past the sweepers' RETRY_AFTER
pytestmark = [
    pytest.mark.redis,
    pytest.mark.skipif(not settings.REDIS_URL, reason="needs REDIS_URL: a real Redis broker (CI sets it)"),
]


@pytest.fixture
def worker():
    from celery.contrib.testing.worker import start_worker

    celery_app.conf.task_always_eager = False
    try:
        with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=15) as running:
            yield running
    finally:
        celery_app.conf.task_always_eager = True


def test_ping_returns_pong_when_a_real_worker_consumes_from_redis(worker):
    assert ping.delay().get(timeout=30) == "pong"


@pytest.mark.django_db(transaction=True)
def test_invitation_email_is_sent_by_the_worker_when_the_transaction_commits(worker, ievp_central, olaine):
    invitation = services.invitation_create(
        actor=ievp_central, email="jauns.koordinators@example.lv", units=[olaine], language="lv"
    )
    # The task was enqueued on commit and runs in the worker thread; wait for its result.
    for _ in range(60):
        invitation.refresh_from_db()
        if invitation.sent_at:
            break
        import time

        time.sleep(0.25)
    assert invitation.sent_at is not None
    assert [m.to for m in mail.outbox] == [["jauns.koordinators@example.lv"]]
    assert CoordinatorInvitation.objects.count() == 1


@pytest.fixture
def broker_unreachable():
    """Publishing goes to a closed port (the worker keeps its own connection to Redis);
    call the fixture's value to bring the broker back."""
    saved = celery_app.conf.broker_write_url

    def point_at(url):
        celery_app.conf.broker_write_url = url
        celery_app._pool = None  # the cached connection pools, rebuilt for the new address
        celery_app.amqp._producer_pool = None

    point_at("redis://127.0.0.1:9/0")
    try:
        yield lambda: point_at(saved)
    finally:
        point_at(saved)


def _wait_for(check, timeout=30.0):
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.25)
    raise AssertionError("not done in time")


@pytest.mark.django_db(transaction=True)
def test_emails_queued_while_the_broker_was_down_are_swept_and_sent_once_when_it_is_back(
    worker, broker_unreachable, ievp, olaine, olaine_coordinator, ievp_central
):
    from datetime import date

    from volunteers import services as volunteer_services
    from volunteers import tasks as volunteer_tasks
    from volunteers.models import Application

    # Both writes commit and return normally although nothing could be queued.
    [application] = volunteer_services.applications_submit(
        person=volunteer_services.PersonDetails(
            first_name="Anna",
            last_name="Kalniņa",
            email="anna@example.lv",
            date_of_birth=date(1990, 5, 1),
            phone="+371 20000000",
            address="Brīvības iela 1",
            municipality="Rīga",
        ),
        details=volunteer_services.ApplicationDetails(
            motivation="Gribu palīdzēt.",
            record_declaration="none",
            consent_record_check=True,
            consent_data_processing=True,
            preferred_units=[olaine],
        ),
        institutions=[ievp],
        password="garš-un-drošs-9",
    )
    invitation = services.invitation_create(actor=ievp_central, email="jauns@example.lv", units=[olaine])
    assert mail.outbox == []

    broker_unreachable()  # the broker is back; the periodic sweeps come (run twice: still once)
    Application.objects.filter(pk=application.pk).update(submitted_at=application.submitted_at - STALE)
    CoordinatorInvitation.objects.filter(pk=invitation.pk).update(created_at=invitation.created_at - STALE)
    for _run in range(2):
        # Tasks keep no result (settings.CELERY_TASK_IGNORE_RESULT): the test asks for one.
        volunteer_tasks.emails_sweep.apply_async(ignore_result=False).get(timeout=30)
        invitation_tasks.invitations_sweep.apply_async(ignore_result=False).get(timeout=30)
        _wait_for(
            lambda: (
                Application.objects.filter(pk=application.pk, coordinators_notified_at__isnull=False).exists()
                and CoordinatorInvitation.objects.filter(pk=invitation.pk, sent_at__isnull=False).exists()
            )
        )
    assert sorted(m.to[0] for m in mail.outbox) == sorted([olaine_coordinator.email, "jauns@example.lv"])
