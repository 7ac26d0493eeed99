"""Settings of the Celery worker that ``test_exactly_once`` starts.

The test process's own settings (``NOTICES_WORKER_BASE_SETTINGS``, by default
``microcred.settings.test``) on the test's database (``DATABASE_URL``, set by
the test to the database it runs in), with three changes:

- Celery is not eager: a task the worker queues (``scan`` queues ``deliver``)
  goes through Redis, as in production;
- the worker's queue is the test's own (``NOTICES_WORKER_QUEUE``), so tests
  running at the same time (pytest-xdist, another checkout) on the same Redis
  never take each other's tasks;
- e-mail is written one file per message into ``NOTICES_WORKER_MAIL_DIR``
  (``tests/notices/slow_mail.py``), where the test counts it.
"""

import os
from importlib import import_module

_base = import_module(
    os.environ.get("NOTICES_WORKER_BASE_SETTINGS", "microcred.settings.test")
)
globals().update({name: getattr(_base, name) for name in dir(_base) if name.isupper()})

CELERY_TASK_ALWAYS_EAGER = False
CELERY_TASK_DEFAULT_QUEUE = os.environ["NOTICES_WORKER_QUEUE"]
CELERY_WORKER_ENABLE_REMOTE_CONTROL = False  # nothing of it left in Redis
MAILERS = {
    "default": {
        "BACKEND": "tests.notices.slow_mail.OneFilePerMessageBackend",
        "OPTIONS": {
            "file_path": os.environ["NOTICES_WORKER_MAIL_DIR"],
            "delay": float(os.environ.get("NOTICES_WORKER_MAIL_DELAY", "0")),
            "block_at": int(os.environ.get("NOTICES_WORKER_BLOCK_AT", "0")),
        },
    }
}
