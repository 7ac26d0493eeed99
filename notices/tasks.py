"""Celery tasks of the notices app: beat runs ``scan`` and ``digests``; each
takes no state of its own and calls one service."""

from celery import shared_task

from . import services


@shared_task(
    bind=True,
    autoretry_for=(ConnectionError, TimeoutError),
    retry_backoff=True,
    max_retries=5,
)
def scan(self) -> dict:
    """Find what is due now, then queue its delivery."""
    result = services.notices_scan()
    deliver.delay()
    return {"found": result.found, "created": result.created}


@shared_task(
    bind=True,
    autoretry_for=(ConnectionError, TimeoutError),
    retry_backoff=True,
    max_retries=5,
)
def deliver(self) -> dict:
    """Send every pending notice that is due (batch after batch)."""
    result = services.notices_deliver_all()
    return {"sent": result.sent, "retried": result.retried, "failed": result.failed}


@shared_task(
    bind=True,
    autoretry_for=(ConnectionError, TimeoutError),
    retry_backoff=True,
    max_retries=5,
)
def digests(self) -> int:
    return services.digests_send()
