"""Private files have no public address: the storage gives no URL, and no URL pattern
serves the private (or media) root — CVs, signed scans and PDFs go out only through the
authorised, logged views."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver
from django.views import static

from core.storage import PrivateStorage, private_storage
from volunteers.models import Application


def _patterns(resolver: URLResolver, prefix: str = ""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _patterns(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry


def test_private_storage_gives_no_url_when_asked_for_one():
    storage = PrivateStorage()

    assert storage.base_url is None
    with pytest.raises(ValueError):
        storage.url("x")
    with pytest.raises(ValueError):
        private_storage.url("cv/2026/x.pdf")
    # Not even through a model's file field (a template's {{ application.cv.url }}).
    application = Application(cv="cv/2026/x.pdf")
    with pytest.raises(ValueError):
        application.cv.url  # noqa: B018


def test_private_root_is_outside_the_public_roots_when_configured():
    private = Path(settings.PRIVATE_MEDIA_ROOT).resolve()
    for public in (settings.MEDIA_ROOT, settings.STATIC_ROOT, *settings.STATICFILES_DIRS):
        public = Path(public).resolve()
        assert not private.is_relative_to(public), public
        assert not public.is_relative_to(private), public


def test_no_url_pattern_serves_files_when_the_urls_are_walked():
    served = [
        route
        for route, pattern in _patterns(get_resolver())
        if pattern.callback is static.serve or getattr(pattern.callback, "__wrapped__", None) is static.serve
    ]
    assert served == []


@pytest.mark.parametrize("reader", ["anonymous", "superuser"])
def test_private_file_is_not_served_when_its_path_is_requested(db, client, request, reader):
    content = b"%PDF-1.4 private content 7f3a9c"
    name = private_storage.save("cv/2026/cv.pdf", ContentFile(content))
    try:
        if reader == "superuser":
            client.force_login(request.getfixturevalue("superuser"))
        for url in (
            f"/private/{name}",
            f"{settings.MEDIA_URL}{name}",
            f"{settings.STATIC_URL}{name}",
            f"/{name}",
        ):
            response = client.get(url)
            assert response.status_code == 404, url
            assert content not in b"".join(getattr(response, "streaming_content", [response.content]))
    finally:
        private_storage.delete(name)
