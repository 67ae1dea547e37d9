"""pytest: DATABASE_URL / REDIS_URL when set, else SQLite; tasks eager unless a test starts a worker."""

import hashlib
import os
import tempfile
from pathlib import Path

os.environ.setdefault("TILTS_REQUIRE_STAFF_MFA", "false")

from .base import *  # noqa: F403
from .base import BASE_DIR, DATABASES, REDIS_URL

SECRET_KEY = "test-only-not-secret"
DEBUG = False
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# A real cache (not a dummy) so that allauth's rate limits are exercised.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Ordinary tests run tasks in-process; tests marked `redis` start a real worker.
CELERY_TASK_ALWAYS_EAGER = True
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
# One process (its threads share the locmem cache): what the cache keeps is seen by every request.
TILTS_SHARED_CACHE = True
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
# Files the tests write (SQLite database, uploads, PDFs) live in a folder of their own that
# these settings create: a fresh clone has no `.pytest_cache/` until pytest's first run ends.
# One folder per checkout, so that two clones on one machine do not share a database.
TEST_DATA_DIR = Path(
    os.environ.get("TILTS_TEST_DATA_DIR")
    or Path(tempfile.gettempdir()) / f"tilts-test-{hashlib.sha256(str(BASE_DIR).encode()).hexdigest()[:12]}"
)
TEST_DATA_DIR.mkdir(parents=True, exist_ok=True)
MEDIA_ROOT = str(TEST_DATA_DIR / "media")
PRIVATE_MEDIA_ROOT = str(TEST_DATA_DIR / "private")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["NAME"] = DATABASES["default"].get("NAME") or "tilts"
TILTS_ALLOW_DEMO_DATA = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not :memory:, so that the browser tests' live-server threads get their own
    # connections instead of sharing (and closing) the test thread's.
    DATABASES["default"]["TEST"] = {"NAME": str(TEST_DATA_DIR / "test.sqlite3")}
