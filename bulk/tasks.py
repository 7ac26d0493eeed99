"""Celery tasks of bulk jobs: take ids, reload, call one service."""

from celery import shared_task


@shared_task(
    bind=True,
    autoretry_for=(ConnectionError, TimeoutError),
    retry_backoff=True,
    max_retries=5,
)
def dry_run(self, *, job_id: int) -> None:
    from . import services

    services.job_dry_run(job_id=job_id)
