"""Settings of the Celery worker that ``test_run_worker`` starts.

The notices worker's settings (``tests/notices/worker_settings.py``: the
test's database, its own queue, not eager), with the broker told to give back
a killed worker's unacknowledged task soon: a task taken more than
``visibility_timeout`` seconds ago and never acknowledged goes back on its
queue when a worker starts, and at every sweep (each second here) after. The
unacknowledged tasks are kept under keys named after the test's queue, so a
sweep never touches another test's tasks and the test removes them with its
queue.
"""

import os

from tests.notices.worker_settings import *  # noqa: F403

_queue = os.environ["NOTICES_WORKER_QUEUE"]

CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 5,  # a chunk takes a second or two
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
    "unacked_key": f"{_queue}.unacked",
    "unacked_index_key": f"{_queue}.unacked_index",
    "unacked_mutex_key": f"{_queue}.unacked_mutex",
}

# Every task of the run (its chunks, then its PDFs) on the test's own queue.
CELERY_TASK_ROUTES: dict = {}
