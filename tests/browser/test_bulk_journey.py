"""The registrar's bulk issuance end to end, on a real Celery worker: upload a
file with good and bad rows, read the dry run, run it, watch the progress
(issuing, then the certificates) move without reloading until the end, then
download the result file and the ZIP of certificates.

The worker is a real ``celery -A microcred worker`` on this test's database
and a queue of its own (``tests/bulk/test_run_worker.py``'s ``BulkWorkers``);
the live server queues every task there (not eager) for the whole test, in
chunks of 5 rows so the job has several.
"""

from __future__ import annotations

import csv
import io
import zipfile

import pytest
from playwright.sync_api import expect

from bulk.models import BulkJob
from credentials.models import Credential
from microcred.celery import app as celery_app
from microcred.roles import Role
from tests import factories
from tests.bulk.test_run_worker import BulkWorkers
from tests.bulk.test_services_dry_run import HEADER, course_published_long_ago

from .conftest import assert_accessible
from .test_assessment_journey import sign_in

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

GOOD = 40
CHUNK = "5"


@pytest.fixture
def worker_queue(tmp_path, settings):
    """A real worker, and every task of the test process sent to it."""
    settings.BULK_RUN_CHUNK = int(CHUNK)
    workers = BulkWorkers(tmp_path, extra_env={"BULK_RUN_CHUNK": CHUNK})
    conf = celery_app.conf
    saved = conf.task_always_eager, conf.task_default_queue, conf.task_routes
    conf.task_always_eager, conf.task_default_queue = False, workers.queue
    conf.task_routes = {}
    try:
        workers.start()
        yield workers
    finally:
        conf.task_always_eager, conf.task_default_queue, conf.task_routes = saved
        workers.stop_all()


def graduates_file(tmp_path) -> str:
    lines = [
        f"grad{n}@example.org,Graduate Número {n},DATA-101,2026-01-15,,,\r\n"
        for n in range(GOOD)
    ]
    lines.insert(3, "not-an-email,Someone,DATA-101,2026-01-15,,,\r\n")
    path = tmp_path / "graduates.csv"
    path.write_text(HEADER + "".join(lines), encoding="utf-8")
    return str(path)


def progress_values(page, seen: list[tuple[str, str, str]]) -> None:
    """Note what the progress bars say now (label, now, max)."""
    for bar in page.get_by_role("progressbar").all():
        try:
            seen.append(
                (
                    bar.get_attribute("aria-labelledby", timeout=200) or "",
                    bar.get_attribute("aria-valuenow", timeout=200) or "",
                    bar.get_attribute("aria-valuemax", timeout=200) or "",
                )
            )
        except Exception:  # noqa: BLE001, S112 - swapped out meanwhile: look again
            continue


def test_registrar_runs_a_job_watches_it_to_the_end_and_downloads_the_zip(
    page, live_server, tmp_path, worker_queue
):
    factories.StaffFactory(email="reg@example.org", role=Role.REGISTRAR)
    course_published_long_ago()
    sign_in(page, live_server, "reg@example.org", "/registrar/bulk/")
    page.get_by_role("link", name="Issue from a file").click()

    page.get_by_label("CSV or XLSX file").set_input_files(graduates_file(tmp_path))
    page.get_by_role("checkbox", name="E-mail the recipients").uncheck()
    page.get_by_role("button", name="Upload and check the rows").click()
    # The worker checks the rows; the page shows the result when it is ready.
    expect(page.get_by_role("heading", name="Dry run result")).to_be_visible(
        timeout=30_000
    )
    expect(page.locator('[data-outcome="issue"]')).to_have_text(str(GOOD))
    expect(page.locator('[data-outcome="error"]')).to_have_text("1")
    assert_accessible(page, "bulk dry run, worker")

    page.get_by_role("button", name=f"Run: issue {GOOD} credentials").click()
    seen: list[tuple[str, str, str]] = []
    done = page.get_by_role("link", name="Download the certificates (ZIP")
    for _ in range(600):  # the page updates itself: no reload below
        progress_values(page, seen)
        if done.count():
            break
        page.wait_for_timeout(100)
    expect(done).to_be_visible(timeout=60_000)

    # The bars moved and reached their end without a reload.
    certificates = [(now, top) for label, now, top in seen if label == "pdfs-label"]
    issuing = [(now, top) for label, now, top in seen if label == "progress-label"]
    assert any(0 < int(now) < GOOD for now, _top in certificates + issuing), (
        f"the page showed the job part-way ({seen})"
    )
    for values in (certificates, issuing):
        nows = [int(now) for now, _top in values]
        assert nows == sorted(nows), "progress never goes back"
        assert {int(top) for _now, top in values} <= {GOOD}
    expect(page.locator('[data-count="issued"]')).to_have_text(str(GOOD))
    expect(page.get_by_text(f"All {GOOD} PDF certificates are ready")).to_be_visible()
    assert_accessible(page, "bulk job finished with its certificates")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the result (CSV)").click()
    result = download_info.value.path().read_bytes().decode("utf-8-sig")
    states = [row["state"] for row in csv.DictReader(io.StringIO(result))]
    assert states.count("Issued") == GOOD
    assert states.count("Failed") == 1

    with page.expect_download() as download_info:
        done.click()
    with zipfile.ZipFile(download_info.value.path()) as archive:
        names = archive.namelist()
        manifest = archive.read("manifest.csv").decode("utf-8-sig")
        assert archive.read(names[0]).startswith(b"%PDF-")
    assert len(names) == GOOD + 1
    assert manifest.count("@example.org") == GOOD
    job = BulkJob.objects.get()
    assert job.chunks_total == GOOD // int(CHUNK)
    assert Credential.objects.count() == GOOD
