"""Celery tasks of the credentials app: they take ids and call one service."""

from __future__ import annotations

from celery import shared_task


@shared_task(
    bind=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def certificate_render(self, credential_id: str) -> None:
    """Render (or re-render) a credential's PDF certificate."""
    from . import services

    services.certificate_render(credential_id=credential_id)
