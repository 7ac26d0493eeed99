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
def run_chunk(self, *, job_id: int, number: int) -> None:
    """Issue (or revoke) one chunk of a job. A killed worker's chunk is
    delivered again (acks late) and redone without duplicates."""
    from . import services

    try:
        services.job_run_chunk(job_id=job_id, number=number)
    except (ConnectionError, TimeoutError):
        raise  # retried
    except Exception:
        services.job_mark_failed(job_id=job_id, during_run=True)
        raise


@shared_task(
    bind=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
    acks_late=True,
    reject_on_worker_lost=True,
)
def render_pdfs(self, *, job_id: int, number: int) -> None:
    """Render one chunk's certificates (queue "pdf", off the issuing path)."""
    from . import services

    services.job_render_pdfs(job_id=job_id, number=number)


@shared_task(
    bind=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
    acks_late=True,
    reject_on_worker_lost=True,
)
def build_archive(self, *, job_id: int) -> None:
    """Build the ZIP of a job's certificates and its manifest."""
    from . import services

    services.job_build_archive(job_id=job_id)
