"""With the broker down, a request that queues a task still answers at once: the write it made
stays (the task's sweeper queues the work again later), queuing fails on its first connection
attempt without retrying, and nothing waits on the result store (results are not kept for
fire-and-forget tasks). The app publishes, for real, to a port where nothing listens."""

import logging
from unittest import mock

import pytest
from django.urls import reverse

from agreements.models import Status
from config.celery_app import app as celery_app
from documents.models import Document
from tests.agreements.test_rendering import agreement_for

CLOSED_PORT = "redis://127.0.0.1:1/0"  # port 1: connection refused at once, on any machine


def _reset_pools() -> None:
    # The app's connection pools, rebuilt for the new address. Not closed: they are kombu's
    # shared ones, which the next test with the old address finds again.
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def broker_down():
    """Tasks are published (not run in-process) to a broker that refuses connections."""
    # The setting itself (None: the broker URL), not the property, which answers the broker URL.
    saved = (celery_app.conf.task_always_eager, celery_app.conf.get("broker_write_url"))
    celery_app.conf.task_always_eager = False
    celery_app.conf.broker_write_url = CLOSED_PORT
    _reset_pools()
    try:
        yield
    finally:
        celery_app.conf.task_always_eager, celery_app.conf.broker_write_url = saved
        _reset_pools()


def test_fire_and_forget_tasks_keep_no_result_when_configured():
    from documents.tasks import document_render

    assert celery_app.conf.task_ignore_result
    assert document_render.ignore_result


def test_generate_answers_with_the_agreement_numbered_when_the_broker_is_down(
    client, olaine, olaine_coordinator, broker_down, django_capture_on_commit_callbacks, caplog
):
    agreement = agreement_for(olaine, olaine_coordinator)
    client.force_login(olaine_coordinator)
    with (
        mock.patch.object(celery_app.backend, "on_task_call") as result_store,
        mock.patch("kombu.utils.functional.sleep") as retry_pause,
        caplog.at_level(logging.ERROR, logger="core.tasks"),
        django_capture_on_commit_callbacks(execute=True) as callbacks,
    ):
        response = client.post(reverse("agreements:generate", kwargs={"pk": agreement.pk}))

    assert response.status_code == 302
    assert response["Location"] == reverse("agreements:detail", kwargs={"pk": agreement.pk})
    agreement.refresh_from_db()
    assert agreement.status == Status.GENERATED
    assert agreement.number.startswith("IEVP-")
    # The render was to be queued on commit; it could not be, and it is left for the sweeper.
    assert callbacks
    assert Document.objects.get(agreement=agreement).state == Document.State.QUEUED
    assert any("Could not queue documents.tasks.document_render" in r.getMessage() for r in caplog.records)
    # One connection attempt, no pause to retry, and the result store never touched.
    retry_pause.assert_not_called()
    result_store.assert_not_called()
