# Microcred: one image for web (gunicorn), Celery worker and Celery beat.
FROM python:3.12-slim-bookworm

# WeasyPrint's system libraries (libharfbuzz-subset0 makes font subsetting
# ~4x faster than the fontTools fallback) and a font for the certificates.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core fonts-wqy-microhei \
    && rm -rf /var/lib/apt/lists/*

RUN pip install --no-cache-dir "uv==0.13.9"

ENV PYTHONUNBUFFERED=1 \
    UV_PROJECT_ENVIRONMENT=/opt/venv \
    UV_PYTHON_DOWNLOADS=never \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    PATH=/opt/venv/bin:$PATH \
    DJANGO_SETTINGS_MODULE=microcred.settings.production

WORKDIR /app

# Dependencies first (cached until uv.lock changes), exactly as locked.
COPY pyproject.toml uv.lock .python-version ./
RUN uv sync --frozen --no-dev --no-install-project

COPY . .
RUN useradd --system --uid 10001 --home-dir /app microcred \
    && mkdir -p var/media var/mail var/static \
    && chown -R microcred:microcred var
USER microcred

EXPOSE 8000
CMD ["gunicorn", "microcred.wsgi", "--bind", "0.0.0.0:8000", "--workers", "2", \
     "--access-logfile", "-"]
