"""Celery tasks of the PLAR app: take ids, reload, call one function."""

from celery import shared_task

from . import notifications


@shared_task(
    bind=True,
    autoretry_for=(ConnectionError, TimeoutError),
    retry_backoff=True,
    max_retries=5,
)
def send_request_event(self, *, event_id: int) -> None:
    notifications.request_event_send(event_id=event_id)


@shared_task(
    bind=True,
    autoretry_for=(ConnectionError, TimeoutError),
    retry_backoff=True,
    max_retries=5,
)
def send_appeal_decided(self, *, appeal_id: int) -> None:
    notifications.appeal_decided_send(appeal_id=appeal_id)
