"""Production settings: PostgreSQL, Redis-backed Celery, real SMTP."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env
from .storages import build_storages

SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY is not set; production refuses to start without it."
    )
DEBUG = False
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https"
STORAGES = build_storages(
    env, static_backend="whitenoise.storage.CompressedManifestStaticFilesStorage"
)
