"""Agreement PDFs rendered by a real Celery worker consuming from Redis (skipped without
REDIS_URL): end to end on commit, a retry through the broker, and a render lost mid-way
(the worker died) that the sweeper re-queues — each leaving exactly one done document."""

import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from agreements import services
from config.celery_app import app as celery_app
from documents import rendering, tasks
from documents import services as document_services
from documents.models import Document

from .test_rendering import VOLUNTEER_FIRST, VOLUNTEER_LAST, agreement_for, pdf_reader, pdf_text

pytestmark = [
    pytest.mark.redis,
    pytest.mark.skipif(not settings.REDIS_URL, reason="needs REDIS_URL: a real Redis broker (CI sets it)"),
    pytest.mark.django_db(transaction=True),
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


def wait_until_settled(document: Document, timeout: float = 60) -> Document:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        document.refresh_from_db()
        if document.state in (Document.State.DONE, Document.State.FAILED):
            return document
        time.sleep(0.2)
    raise AssertionError(f"document still {document.state} after {timeout}s")


def test_worker_renders_the_pdf_when_the_generation_commits(worker, olaine, olaine_coordinator):
    agreement = agreement_for(olaine, olaine_coordinator)

    document = services.agreement_generate(actor=olaine_coordinator, agreement=agreement)
    document = wait_until_settled(document)

    agreement.refresh_from_db()
    assert document.state == Document.State.DONE
    assert document.attempts == 1
    text = pdf_text(pdf_reader(document))
    assert agreement.number in text
    assert f"{VOLUNTEER_FIRST} {VOLUNTEER_LAST}" in text
    assert olaine.name in text


def test_render_failing_mid_way_is_retried_through_the_broker_with_one_done_document(
    worker, olaine, olaine_coordinator, monkeypatch
):
    real = rendering.render_pdf
    calls = []

    def flaky(*args):
        calls.append(time.monotonic())
        if len(calls) == 1:
            raise OSError("render interrupted")
        return real(*args)

    # The worker runs in this process: the patches reach it. No 30 s backoff in a test.
    monkeypatch.setattr(rendering, "render_pdf", flaky)
    monkeypatch.setattr(tasks, "RETRY_BASE_SECONDS", 0)
    agreement = agreement_for(olaine, olaine_coordinator)

    document = wait_until_settled(services.agreement_generate(actor=olaine_coordinator, agreement=agreement))

    assert len(calls) == 2
    assert document.state == Document.State.DONE
    assert document.attempts == 2
    assert document.error == ""
    assert Document.objects.filter(agreement=agreement).count() == 1
    assert document.file.storage.exists(document.file.name)


def test_render_lost_when_the_worker_died_is_swept_and_done_exactly_once(worker, olaine, olaine_coordinator):
    agreement = agreement_for(olaine, olaine_coordinator)
    document = services.agreement_generate(actor=olaine_coordinator, agreement=agreement)
    wait_until_settled(document)
    # Make it look like a worker claimed it long ago and died mid-render: no file, no result.
    long_ago = timezone.now() - document_services.RENDER_STALE_AFTER - timedelta(minutes=1)
    Document.objects.filter(pk=document.pk).update(
        state=Document.State.RENDERING, started_at=long_ago, file="", sha256="", size=None, finished_at=None
    )

    # The sweeper and a late duplicate of the original message arrive together.
    # Tasks keep no result (settings.CELERY_TASK_IGNORE_RESULT): the test asks for them.
    swept = tasks.documents_sweep.apply_async(ignore_result=False)
    duplicate = tasks.document_render.apply_async((document.pk,), ignore_result=False)
    assert swept.get(timeout=30) == 1
    duplicate.get(timeout=60)
    document = wait_until_settled(document)

    assert document.state == Document.State.DONE
    assert Document.objects.filter(agreement=agreement).count() == 1
    assert Document.objects.filter(agreement=agreement, state=Document.State.DONE).count() == 1
    assert document.attempts == 2  # the lost attempt and exactly one more
    assert document.file.storage.exists(document.file.name)
    agreement.refresh_from_db()
    assert agreement.number in pdf_text(pdf_reader(document))
