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

    try:
        services.job_dry_run(job_id=job_id)
    except (ConnectionError, TimeoutError):
        raise  # retried
    except Exception:
        # The page must not wait for ever: the job says the check failed.
        services.job_mark_failed(job_id=job_id)
        raise
