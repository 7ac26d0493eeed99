"""Settings shared by every environment.

Everything comes from the environment (django-environ). With nothing set the
project runs on one laptop: an SQLite file under ``var/``, Celery tasks run
eagerly in-process, e-mail goes to the console and to ``var/mail/``.
"""

from pathlib import Path

import environ

from .storages import build_storages

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env(
    "DJANGO_SECRET_KEY",
    default="embedded-default-not-secret-set-DJANGO_SECRET_KEY-in-production",
)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")
# The issuer's did:web domain (e.g. learn.example.edu, or with a port
# learn.example.edu%3A8443); unset, credentials are issued by a did:key.
CREDENTIALS_DID_WEB_DOMAIN = env("CREDENTIALS_DID_WEB_DOMAIN", default="")

INSTITUTION_NAME = env("INSTITUTION_NAME", default="Northbridge Polytechnic")
# Deadlines are end-of-day in the institution's time zone.
TIME_ZONE = env("INSTITUTION_TIME_ZONE", default="America/Toronto")
USE_TZ = True
USE_I18N = True
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("fr", "Français")]
LOCALE_PATHS = [BASE_DIR / "locale"]

INSTALLED_APPS = [
    "microcred",
    "microcred.apps.StaffAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "django_htmx",
    "django_celery_beat",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "courses",
    "assessments",
    "plar",
    "credentials",
    "notices",
    "bulk",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "microcred.middleware.learner_preferences",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "microcred.urls"
WSGI_APPLICATION = "microcred.wsgi.application"
AUTH_USER_MODEL = "microcred.User"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "microcred.context_processors.site",
                "notices.context_processors.notices",
            ],
        },
    },
]

DATABASES = {
    "default": env.db(
        "DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'microcred.sqlite3'}"
    )
}
# Persistent connections: ~6x the throughput of reconnecting per request.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

_VALIDATORS = "django.contrib.auth.password_validation"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": f"{_VALIDATORS}.UserAttributeSimilarityValidator"},
    {"NAME": f"{_VALIDATORS}.MinimumLengthValidator"},
    {"NAME": f"{_VALIDATORS}.CommonPasswordValidator"},
    {"NAME": f"{_VALIDATORS}.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

# django-allauth: e-mail login, mandatory verification, no usernames.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_SIGNUP_FORM_CLASS = "microcred.forms.SignupProfileForm"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Microcred] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = env("ACCOUNT_DEFAULT_HTTP_PROTOCOL", default="http")
LOGIN_REDIRECT_URL = "courses:dashboard"
LOGIN_URL = "account_login"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
# Learners' submissions (microcred.storage): no URL, served by checked views.
PRIVATE_MEDIA_ROOT = env.path("PRIVATE_MEDIA_ROOT", default=VAR_DIR / "private")
# Issuer signing keys (credentials/keystore.py): never in git, never in the
# database; a MICROCRED_SIGNING_KEY_<ID> environment variable wins over a file.
SIGNING_KEYS_DIR = env.path("SIGNING_KEYS_DIR", default=VAR_DIR / "keys")
# Local folders, or an S3-compatible bucket when S3_BUCKET is set (storages.py).
STORAGES = build_storages(
    env, static_backend="django.contrib.staticfiles.storage.StaticFilesStorage"
)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# E-mail (Django 6.1 MAILERS): the console plus a copy of every message
# under var/mail/ by default; EMAIL_BACKEND=smtp sends through EMAIL_HOST.
MAIL_DIR = env.path("EMAIL_FILE_PATH", default=VAR_DIR / "mail")
if env("EMAIL_BACKEND", default="console") == "smtp":
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": env("EMAIL_HOST", default="localhost"),
                "port": env.int("EMAIL_PORT", default=25),
                "username": env("EMAIL_HOST_USER", default=""),
                "password": env("EMAIL_HOST_PASSWORD", default=""),
                "use_tls": env.bool("EMAIL_USE_TLS", default=False),
            },
        }
    }
else:
    MAILERS = {
        "default": {
            "BACKEND": "microcred.mail.ConsoleAndFileEmailBackend",
            "OPTIONS": {"file_path": str(MAIL_DIR)},
        }
    }
DEFAULT_FROM_EMAIL = env(
    "DEFAULT_FROM_EMAIL", default="Microcred <no-reply@microcred.localhost>"
)

# Celery: unset REDIS_URL means tasks run eagerly in-process.
REDIS_URL = env("REDIS_URL", default="")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
# PDFs render on their own queue, off the issuance path (a worker consumes
# both: `celery worker -Q celery,pdf`, as `make worker` and compose do).
CELERY_TASK_ROUTES = {
    "credentials.tasks.certificate_render": {"queue": "pdf"},
    "bulk.tasks.render_pdfs": {"queue": "pdf"},
    "bulk.tasks.build_archive": {"queue": "pdf"},
}
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "OPTIONS": {"MAX_ENTRIES": 5000},
    }
}
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
        }
    }

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "microcred.api.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"token": "10/min"},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Microcred API",
    "DESCRIPTION": (
        "Microcred API v1: the catalog, enrolments and registration; learners' "
        "assessment attempts, answers and results; the instructors' grading "
        "queue; prior learning (PLAR) requests, their review and appeals; "
        "registrars' bulk issuance and revocation jobs (token authentication "
        "for service accounts, Idempotency-Key on creation); public "
        "verification of credentials."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "ENUM_NAME_OVERRIDES": {
        "VerificationStateEnum": "credentials.verification.VerificationState",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    # WeasyPrint logs seven INFO lines a PDF.
    "loggers": {"weasyprint.progress": {"level": "WARNING"}},
}

# The staff notices page (notices.staff_views): rows per page, and how many
# upcoming reminders it computes and lists.
NOTICES_STAFF_PAGE_SIZE = 100
NOTICES_STAFF_SCHEDULED_LIMIT = 200
# How long the link in an account claim e-mail works (notices.claim).
NOTICES_CLAIM_DAYS = env.int("NOTICES_CLAIM_DAYS", default=60)
# Rows a bulk job's task issues (or revokes) at once; a job's chunks run side
# by side on a worker's processes.
BULK_RUN_CHUNK = env.int("BULK_RUN_CHUNK", default=500)
