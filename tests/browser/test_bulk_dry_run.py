"""A registrar uploads a file with good and bad rows, reads the dry run,
downloads the annotated report, runs the job and downloads its result; a PDF
is refused with its reason."""

from __future__ import annotations

import csv
import io
import re

import pytest
from playwright.sync_api import expect

from microcred.roles import Role
from tests import factories
from tests.bulk.test_services_dry_run import HEADER, course_published_long_ago

from .conftest import assert_accessible
from .test_assessment_journey import sign_in

pytestmark = pytest.mark.django_db(transaction=True)

UPLOAD = "Upload and check the rows"


def test_registrar_uploads_reads_the_dry_run_and_downloads_the_report(
    page, live_server, tmp_path, settings
):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    factories.StaffFactory(email="reg@example.org", role=Role.REGISTRAR)
    course_published_long_ago()
    sign_in(page, live_server, "reg@example.org", "/registrar/bulk/")
    assert_accessible(page, "bulk jobs, empty")
    page.get_by_role("link", name="Issue from a file").click()
    assert_accessible(page, "bulk upload form")

    # Nothing chosen: a clear error, nothing stored.
    page.get_by_role("button", name=UPLOAD).click()
    expect(page.locator("#error-summary")).to_be_visible()

    graduates = tmp_path / "graduates.csv"
    graduates.write_text(
        HEADER
        + "ada@example.org,Ada Lovelace,DATA-101,2026-01-15,,,\r\n"
        + "not-an-email,Someone,DATA-101,2026-01-15,,,\r\n"
        + "grace@example.org,Grace Hopper,NOPE-1,2026-01-15,,,\r\n",
        encoding="utf-8",
    )
    page.get_by_label("CSV or XLSX file").set_input_files(str(graduates))
    page.get_by_role("button", name=UPLOAD).click()
    expect(page.get_by_role("heading", name="Dry run result")).to_be_visible()
    expect(page.get_by_text("nothing has been issued").first).to_be_visible()
    expect(page.get_by_text("NOPE-1").first).to_be_visible()
    assert_accessible(page, "bulk dry run result")

    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile("CSV")).first.click()
    report = download_info.value.path().read_bytes().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(report)))
    assert [row["outcome"] for row in rows] == ["will issue", "error", "error"]

    # Run it (the embedded default runs the job at once) and take the result.
    page.get_by_role("button", name="Run: issue 1 credential").click()
    expect(page.get_by_text("1 credential issued.").first).to_be_visible()
    assert_accessible(page, "bulk job finished")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the result (CSV)").click()
    result = download_info.value.path().read_bytes().decode("utf-8-sig")
    result_rows = list(csv.DictReader(io.StringIO(result)))
    assert result_rows[0]["state"] == "Issued"
    assert result_rows[0]["verification_url"].startswith("http")

    # A file that is not a table is refused, with its reason.
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(b"%PDF-1.7\n%binary\n")
    page.goto(live_server.url + "/registrar/bulk/new/")
    page.get_by_label("CSV or XLSX file").set_input_files(str(scan))
    page.get_by_role("button", name=UPLOAD).click()
    expect(page.get_by_role("heading", name="The file was refused")).to_be_visible()
    assert_accessible(page, "bulk refused file")
