"""Settings: production refuses to start without a secret; defaults are safe."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_check(settings: str, **env: str) -> subprocess.CompletedProcess:
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DJANGO_SECRET_KEY", "DJANGO_DEBUG"}
    }
    environment |= {"DJANGO_SETTINGS_MODULE": settings} | env
    return subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = run_check("microcred.settings.production")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def test_production_starts_with_a_secret_key():
    result = run_check("microcred.settings.production", DJANGO_SECRET_KEY="x" * 50)
    assert result.returncode == 0, result.stderr


def test_embedded_default_is_sqlite_eager_celery_and_no_debug():
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "DJANGO_DEBUG", "EMAIL_BACKEND"}
    }
    environment["DJANGO_SETTINGS_MODULE"] = "microcred.settings.base"
    result = subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings as s; "
            "print(s.DEBUG, s.CELERY_TASK_ALWAYS_EAGER, "
            "s.DATABASES['default']['ENGINE'], s.MAILERS['default']['BACKEND'])",
        ],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "False",
        "True",
        "django.db.backends.sqlite3",
        "microcred.mail.ConsoleAndFileEmailBackend",
    ]
