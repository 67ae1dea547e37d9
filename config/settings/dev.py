"""`make run`: embedded SQLite, tasks in-process, emails on the console, MFA optional."""

import os

os.environ.setdefault("TILTS_REQUIRE_STAFF_MFA", "false")

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env("SECRET_KEY", default="dev-only-not-secret-tilts")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http"
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = True
TILTS_ALLOW_DEMO_DATA = True
# One process (its threads share the locmem cache): what the cache keeps is seen by every request.
TILTS_SHARED_CACHE = True
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
