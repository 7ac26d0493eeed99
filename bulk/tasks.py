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


@shared_task(
    bind=True,
    autoretry_for=(ConnectionError, TimeoutError),
    retry_backoff=True,
    max_retries=5,
    acks_late=True,
    reject_on_worker_lost=True,
)
def run_chunk(self, *, job_id: int) -> bool:
    """Issue one chunk, then queue the next: a killed worker's chunk is
    delivered again (acks late) and redone without duplicates."""
    from . import services

    try:
        left = services.job_run_chunk(job_id=job_id)
        if left and self.request.is_eager:
            # Embedded default (no worker): the whole job in this process,
            # chunk after chunk, without a call stack growing per chunk.
            while left:
                left = services.job_run_chunk(job_id=job_id)
    except (ConnectionError, TimeoutError):
        raise  # retried
    except Exception:
        services.job_mark_failed(job_id=job_id, during_run=True)
        raise
    if left and not self.request.is_eager:
        run_chunk.delay(job_id=job_id)
    return left
