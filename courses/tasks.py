from celery import shared_task

from . import notifications


@shared_task(
    bind=True,
    autoretry_for=(ConnectionError, TimeoutError),
    retry_backoff=True,
    max_retries=5,
)
def send_registration_confirmation(self, *, enrolment_id: int) -> None:
    notifications.registration_confirmation_send(enrolment_id=enrolment_id)
