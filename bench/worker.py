"""The bench's Celery worker: microcred's own app, plus what the bulk bench
reads back (``bench/bulk.py`` starts it as ``celery -A bench.worker worker``).

Nothing here changes what a task does. Each worker process:

- counts the SQL statements it sends: every new database connection gets a
  counting wrapper (``connection.execute_wrappers``), as
  ``connection.execute_wrapper`` would add for the length of a block;
- after each task, pushes one JSON record to the Redis list
  ``bench.bulk.TASKS``: the task's short name, its ``number`` (a chunk), the
  process id, wall start and end (``time.time()``), CPU seconds in this
  process, SQL statements during the task, the process's peak resident
  memory so far (``VmHWM``, kB) and the task's state;
- once its start-up is done (``worker_process_init``: after microcred's own
  handler has built the PDF renderer), pushes its process id to
  ``bench.bulk.CHILDREN``.

The main process sets ``bench.bulk.READY`` to its process id when it
consumes. The keys are in the worker's broker database (``REDIS_URL``: the
bench's own, Redis database 14 by default); the bench deletes them around
each run.
"""

from __future__ import annotations

import json
import os
import time

from celery.signals import task_postrun, task_prerun, worker_process_init, worker_ready
from django.db.backends.signals import connection_created
from django.dispatch import receiver

from bench.bulk import CHILDREN, READY, TASKS, peak_memory_kb
from microcred.celery import app

__all__ = ["app"]

_state: dict[str, float] = {"queries": 0, "wall": 0.0, "cpu": 0.0}
_clients: dict[int, object] = {}


def _client():
    """This process's Redis client (one per process id: made after the fork)."""
    client = _clients.get(os.getpid())
    if client is None:
        import redis

        client = _clients[os.getpid()] = redis.Redis.from_url(os.environ["REDIS_URL"])
    return client


def _count(execute, sql, params, many, context):
    _state["queries"] += 1
    return execute(sql, params, many, context)


@receiver(connection_created)
def _count_statements(sender, connection, **kwargs) -> None:
    if _count not in connection.execute_wrappers:
        connection.execute_wrappers.append(_count)


@task_prerun.connect
def _task_started(**kwargs) -> None:
    _state.update(queries=0, wall=time.time(), cpu=time.process_time())


@task_postrun.connect
def _task_finished(task=None, kwargs=None, state=None, **extra) -> None:
    record = {
        "task": task.name.rsplit(".", 1)[-1] if task else "?",
        "number": (kwargs or {}).get("number"),
        "pid": os.getpid(),
        "start": _state["wall"],
        "end": time.time(),
        "cpu": time.process_time() - _state["cpu"],
        "queries": _state["queries"],
        "hwm_kb": peak_memory_kb(),
        "state": state,
    }
    _client().rpush(TASKS, json.dumps(record))


@worker_process_init.connect
def _child_ready(**kwargs) -> None:
    _client().rpush(CHILDREN, os.getpid())


@worker_ready.connect
def _ready(**kwargs) -> None:
    _client().set(READY, os.getpid())
