import pytest
from django.urls import reverse

from core import health


@pytest.mark.django_db
def test_healthz_reports_database_and_broker_when_called(client, settings):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    payload = response.json()
    assert payload["database"] == "ok"
    assert payload["broker"] == ("ok" if settings.REDIS_URL else "eager")
    assert payload["status"] == "ok"


@pytest.mark.django_db
def test_healthz_answers_503_when_the_broker_is_unreachable(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    from config.celery_app import app

    original = app.conf.broker_url
    app.conf.broker_url = settings.REDIS_URL
    try:
        response = client.get(reverse("healthz"))
    finally:
        app.conf.broker_url = original
    assert response.status_code == 503
    assert response.json()["broker"] == "error"


@pytest.mark.django_db
def test_database_status_is_error_when_the_query_fails(monkeypatch):
    class Broken:
        def __enter__(self):
            raise RuntimeError("down")

        def __exit__(self, *args):
            return False

    monkeypatch.setattr(health.connection, "cursor", lambda: Broken())
    assert health.database_status() == "error"
