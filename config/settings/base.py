"""Settings shared by every environment; values come from the environment."""

from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()

SECRET_KEY = env("SECRET_KEY", default="")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Absolute address used in emails (invitation links and the like).
TILTS_BASE_URL = env("TILTS_BASE_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "guardian",
    "simple_history",
    "django_htmx",
    "django_filters",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_celery_beat",
    "csp",
    # Tilts
    "core",
    "accounts",
    "institutions",
    "documents",
    "notifications",
    "volunteers",
    "agreements",
    "trainings",
    "events",
    "casework",
    "awards",
    "reports",
    "privacy",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.middleware.LatvianFirstLocaleMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "core.middleware.UserSessionActivityMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "institutions.middleware.StaffMFARequiredMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "institutions.context_processors.roles",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", default="")

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "tilts",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Whether every process sees the same cache (Redis; `make run` and the tests are one process
# each): only then may a request keep in it what another process must be able to drop at
# once — the session, a person's roles (institutions.permissions), their second factor.
TILTS_SHARED_CACHE = bool(REDIS_URL)
# Sessions read from the cache (no query) and written through to the database.
SESSION_ENGINE = "django.contrib.sessions.backends." + ("cached_db" if TILTS_SHARED_CACHE else "db")

# --- Celery: without REDIS_URL every task runs in-process (eagerly).
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_MAX_TASKS_PER_CHILD = 50
CELERY_WORKER_MAX_MEMORY_PER_CHILD = 400_000  # KiB: a child past ~400 MB is replaced (PDF rendering)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "Europe/Riga"
# Fire and forget: nothing reads a task's result (a task that is read asks for it, as core.ping
# does), so none is stored and queuing one never touches the result store.
CELERY_TASK_IGNORE_RESULT = True
# A request never waits on a dead broker: one connection attempt with a short connect timeout
# (core.tasks.enqueue_on_commit publishes without retries, logs the failure, and each task's
# sweeper queues the work again). Workers keep their own reconnection (broker_connection_*).
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_TRANSPORT_OPTIONS = {"max_retries": 0, "socket_connect_timeout": 2}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 2
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {
    "retry_policy": {"max_retries": 3, "interval_start": 0, "interval_step": 0.5, "interval_max": 1}
}
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

# --- Auth
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# guardian: no anonymous user row; nobody grants anything to anonymous visitors.
ANONYMOUS_USER_NAME = None
GUARDIAN_MONKEY_PATCH_USER = False
GUARDIAN_MONKEY_PATCH_GROUP = False

# allauth: email + password, verified email, no public self-signup.
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Tilts] "
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_DEFAULT_HTTP_PROTOCOL = env("ACCOUNT_DEFAULT_HTTP_PROTOCOL", default="https")
# allauth's rate limits stay on (its defaults); they live in the cache above. Behind a
# reverse proxy, say how many proxies add X-Forwarded-For, or every visitor shares the
# proxy's address (and its limits, including the application form's).
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("ALLAUTH_TRUSTED_PROXY_COUNT", default=0)

MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_TOTP_ISSUER = "Tilts"
MFA_PASSKEY_LOGIN_ENABLED = False
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = False
# The sessions page shows "last seen"; core.middleware.UserSessionActivityMiddleware (in place
# of allauth's, which writes on every request) records it on requests that change something,
# at most once per this many seconds per session — never on a page read.
USERSESSIONS_TRACK_ACTIVITY = True
TILTS_SESSION_ACTIVITY_SECONDS = env.int("TILTS_SESSION_ACTIVITY_SECONDS", default=300)

# Staff (coordinators, central coordinators, ministry, superusers) must set up MFA first.
TILTS_REQUIRE_STAFF_MFA = env.bool("TILTS_REQUIRE_STAFF_MFA", default=True)
TILTS_INVITATION_DAYS = env.int("TILTS_INVITATION_DAYS", default=7)

# --- I18N: Latvian first.
LANGUAGE_CODE = "lv"
LANGUAGES = [("lv", _("Latvian")), ("en", _("English"))]
LANGUAGE_COOKIE_NAME = "tilts_language"
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = "Europe/Riga"
USE_I18N = True
USE_TZ = True

# --- Static and media
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env("MEDIA_ROOT", default=str(BASE_DIR / "media"))
# Uploaded CVs and other personal files: never under MEDIA_URL, served by authorised views.
PRIVATE_MEDIA_ROOT = env("PRIVATE_MEDIA_ROOT", default=str(BASE_DIR / "private"))
TILTS_CV_MAX_BYTES = env.int("TILTS_CV_MAX_BYTES", default=5 * 1024 * 1024)
# Public application form: submissions per IP address per hour, counted by allauth's rate
# limiter (its defaults for sign-in, password reset etc. stay; this adds the form's action).
TILTS_APPLY_RATE_PER_HOUR = env.int("TILTS_APPLY_RATE_PER_HOUR", default=5)
# The award's public nomination form (/balva/nominet/): nominations per IP address per hour.
TILTS_AWARD_NOMINATE_RATE_PER_HOUR = env.int("TILTS_AWARD_NOMINATE_RATE_PER_HOUR", default=5)
ACCOUNT_RATE_LIMITS = {
    "tilts_apply": f"{TILTS_APPLY_RATE_PER_HOUR}/1h/ip",
    "tilts_award_nominate": f"{TILTS_AWARD_NOMINATE_RATE_PER_HOUR}/1h/ip",
}
# Lookups of the public document verification page per IP address per hour.
TILTS_VERIFY_RATE_PER_HOUR = env.int("TILTS_VERIFY_RATE_PER_HOUR", default=60)
# List exports (CSV/XLSX): up to this many rows they stream from the request; above, they are
# made in the background (progress bar, download link) and the file is kept this many hours.
TILTS_EXPORT_STREAM_MAX_ROWS = env.int("TILTS_EXPORT_STREAM_MAX_ROWS", default=5000)
TILTS_EXPORT_KEEP_HOURS = env.int("TILTS_EXPORT_KEEP_HOURS", default=24)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Django's commonest widgets written out in Python, the rest through the templates (core/renderers.py).
FORM_RENDERER = "core.renderers.Renderer"
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Email
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
# Seconds an SMTP connect or command may take: a hung mail server fails the send (recorded
# on its outbox row and retried) instead of blocking a worker for ever.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Tilts <noreply@tilts.invalid>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Security headers. No CDN: every script and style is served from 'self'.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
}
