"""Settings of `make bench`: the test settings (in-process tasks, emails kept in memory, fast
password hashing) on a throwaway SQLite database and file folders in TILTS_BENCH_DIR."""

import os
from pathlib import Path

from config.settings.test import *  # noqa: F403

BENCH_DIR = Path(os.environ["TILTS_BENCH_DIR"])

DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(BENCH_DIR / "bench.sqlite3")}}
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
