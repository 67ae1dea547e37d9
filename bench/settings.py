"""Settings of `make bench`: the test settings (in-process tasks, emails kept in memory, fast
password hashing) on a throwaway database — the PostgreSQL database that bench.run created
for this run (TILTS_BENCH_DATABASE_URL, when DATABASE_URL is set) or SQLite — and file
folders in TILTS_BENCH_DIR."""

import os
from pathlib import Path

import environ

from config.settings.test import *  # noqa: F403

BENCH_DIR = Path(os.environ["TILTS_BENCH_DIR"])

if os.environ.get("TILTS_BENCH_DATABASE_URL"):
    DATABASES = {"default": environ.Env.db_url_config(os.environ["TILTS_BENCH_DATABASE_URL"])}
    DATABASES["default"]["ATOMIC_REQUESTS"] = False
else:
    DATABASES = {
        "default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(BENCH_DIR / "bench.sqlite3")}
    }
ROOT_URLCONF = "bench.urls"  # the project's URLs, a bare view and the layout alone
MEDIA_ROOT = str(BENCH_DIR / "media")
PRIVATE_MEDIA_ROOT = str(BENCH_DIR / "private")
CELERY_TASK_ALWAYS_EAGER = True
CELERY_BROKER_URL = "memory://"
CELERY_RESULT_BACKEND = "cache+memory://"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
