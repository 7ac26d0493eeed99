"""Celery tasks of the assessments app: take ids, reload, call one function."""

from celery import shared_task

from . import notifications


@shared_task(
    bind=True,
    autoretry_for=(ConnectionError, TimeoutError),
    retry_backoff=True,
    max_retries=5,
)
def send_feedback_released(self, *, attempt_id: int) -> None:
    notifications.feedback_released_send(attempt_id=attempt_id)
