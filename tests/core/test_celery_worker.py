"""Tasks run for real: a Celery worker consuming from Redis (skipped without REDIS_URL)."""

import pytest
from django.conf import settings
from django.core import mail

from config.celery_app import app as celery_app
from core.tasks import ping
from institutions import services
from institutions.models import CoordinatorInvitation

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
