"""A registrar revokes credentials in bulk: from the credentials a bulk job
issued, ticks two, gives a reason, reads the dry run (whose credentials),
runs it; the public verification page of a revoked one says so. axe-core on
the selection page and the revoke job's pages."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from bulk import services
from bulk.models import BulkJob
from credentials.models import Credential
from microcred.roles import Role
from tests import factories
from tests.bulk.test_services_dry_run import HEADER, course_published_long_ago, upload

from .conftest import assert_accessible
from .test_assessment_journey import sign_in

pytestmark = pytest.mark.django_db(transaction=True)

REASON = "Issued to the wrong cohort by the partner college's export."


def issued_job(registrar) -> BulkJob:
    rows = "".join(
        f"grad{n}@example.org,Graduate {n},DATA-101,2026-01-15,,,\r\n" for n in range(4)
    )
    job = services.job_create_from_file(
        actor=registrar, upload=upload(HEADER + rows), notify_recipients=False
    )
    services.job_start(actor=registrar, job_id=job.pk)
    job.refresh_from_db()
    assert job.issued == 4
    return job


def test_registrar_revokes_two_credentials_of_a_job_from_the_dashboard(
    page, live_server
):
    registrar = factories.StaffFactory(email="reg@example.org", role=Role.REGISTRAR)
    course_published_long_ago()
    job = issued_job(registrar)
    sign_in(page, live_server, "reg@example.org", f"/registrar/bulk/{job.public_id}/")

    page.get_by_role("link", name=re.compile("Find this job's credentials")).click()
    only_this_job = page.get_by_text("Only the credentials issued by the bulk job")
    expect(only_this_job).to_be_visible()
    assert_accessible(page, "bulk revoke: choose credentials")

    # Nothing ticked, no reason: a clear error, nothing made.
    page.get_by_role("button", name="Check the revocation").click()
    expect(page.locator("#error-summary")).to_be_visible()
    assert BulkJob.objects.filter(kind=BulkJob.Kind.REVOKE).count() == 0

    page.get_by_role("checkbox", name=re.compile("Graduate 1")).check()
    page.get_by_role("checkbox", name=re.compile("Graduate 3")).check()
    page.get_by_label("Reason for revoking").fill(REASON)
    page.get_by_role("button", name="Check the revocation").click()

    heading = page.get_by_role("heading", name=re.compile("Bulk revocation"))
    expect(heading).to_be_visible()
    expect(page.get_by_text(REASON).first).to_be_visible()
    assert_accessible(page, "bulk revoke: dry run")
    page.get_by_role("button", name="Run: revoke 2 credentials").click()
    expect(page.get_by_text("2 credentials revoked.").first).to_be_visible()
    assert_accessible(page, "bulk revoke: finished")

    revoked = Credential.objects.filter(status=Credential.Status.REVOKED)
    assert set(revoked.values_list("recipient_name", flat=True)) == {
        "Graduate 1",
        "Graduate 3",
    }
    assert set(revoked.values_list("revocation_reason", flat=True)) == {REASON}
    assert Credential.objects.filter(status=Credential.Status.ACTIVE).count() == 2

    page.goto(live_server.url + f"/credentials/{revoked.first().pk}")
    expect(page.get_by_text(re.compile("revoked", re.IGNORECASE)).first).to_be_visible()
