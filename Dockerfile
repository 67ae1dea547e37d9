# Tilts application image: web (gunicorn), Celery worker and beat all run from it.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=config.settings.production

# WeasyPrint's libraries (Pango, HarfBuzz) and fonts that carry every Latvian glyph
# (ā č ē ģ ī ķ ļ ņ š ū ž); gettext to compile the translations.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 libjpeg62-turbo libffi8 \
        fonts-dejavu-core fonts-dejavu-extra fonts-liberation2 fonts-noto-core \
        gettext \
    && rm -rf /var/lib/apt/lists/*

RUN useradd --create-home --uid 10001 tilts
WORKDIR /app

# Dependencies first (the project itself installs no package: apps run from /app).
COPY pyproject.toml ./
RUN pip install .

COPY . .
RUN python manage.py compilemessages --ignore=.venv -v 0 \
    && SECRET_KEY=build-only ALLOWED_HOSTS=localhost python manage.py collectstatic --noinput -v 0 \
    && mkdir -p /data/media /data/private && chown -R tilts:tilts /data

USER tilts
EXPOSE 8000
CMD ["gunicorn", "config.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--max-requests", "1000", \
     "--max-requests-jitter", "100", "--access-logfile", "-"]
