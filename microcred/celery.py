import gc
import os

from celery import Celery
from celery.signals import worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "microcred.settings.base")

app = Celery("microcred")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_process_init.connect
def prepare_worker_process(**kwargs) -> None:
    """Build the PDF tools once per worker process (fonts, fetcher, styles)
    and load the URL configuration (credentials carry absolute addresses; the
    first ``reverse()`` costs most of a second), then keep what is loaded so
    far out of the garbage collector's sweeps."""
    from django.urls import get_resolver

    from credentials.certificates import warm_up

    warm_up()
    get_resolver().url_patterns  # noqa: B018 - loads the URL configuration now
    gc.freeze()
