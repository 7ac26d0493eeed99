"""The registrar's bulk revocation pages through the test client on real
PostgreSQL: a file with a reason, the credential list with its filters and
selection, the revoke job's page. Credentials are issued through the batched
issuance service, as a bulk job issues them."""

from __future__ import annotations

import datetime as dt
import html
import uuid
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bulk import services, tables
from bulk.models import BulkJob, BulkRow
from courses.models import Microcredential
from credentials import services as credential_services
from credentials.batch import IssueRequest, credentials_issue_batch
from credentials.models import Credential
from credentials.policies import format_verification_code
from microcred.roles import Role
from tests import factories

pytestmark = pytest.mark.django_db

REASON = "Issued to the wrong cohort."
TZ = dt.timezone(dt.timedelta(hours=-5))


@pytest.fixture
def registrar():
    return factories.StaffFactory(email="revoker@example.org", role=Role.REGISTRAR)


def page(response: Any) -> str:
    return html.unescape(response.content.decode())


def course(code: str = "DATA-101") -> Microcredential:
    found = Microcredential.objects.filter(code=code).first()
    return found or factories.MicrocredentialFactory(code=code)


def issue_many(
    registrar, count: int, *, code: str = "DATA-101", start: int = 0, day: int = 10
) -> list[Credential]:
    """``count`` credentials of ``code``, awarded on January ``day`` 2026,
    through the batched issuance service."""
    achievement = credential_services.achievement_for_course(course(code))
    people = [
        factories.UserFactory(
            email=f"holder{n}@example.org", legal_name=f"Holder Number {n}"
        )
        for n in range(start, start + count)
    ]
    outcomes = credentials_issue_batch(
        [
            IssueRequest(
                learner_id=person.pk,
                achievement_id=achievement.pk,
                awarded_at=dt.datetime(2026, 1, day, 12, tzinfo=TZ),
                route="recognised",
                recipient_name=person.legal_name,
            )
            for person in people
        ],
        actor=registrar,
    )
    ids = [outcome.credential_id for outcome in outcomes]
    found = Credential.objects.in_bulk(ids)
    return [found[pk] for pk in ids]


def csv_file(text: str, name: str = "to-revoke.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def listed(response) -> set[str]:
    """The ids of the credentials a list page shows."""
    return {str(c.pk) for c in response.context["page"].object_list}


def every_page() -> list[str]:
    return [
        reverse("bulk:revoke"),
        reverse("bulk:revoke-template-csv"),
        reverse("bulk:credentials"),
    ]


# --- who may see the pages ----------------------------------------------------------


def test_a_visitor_who_is_not_signed_in_is_sent_to_sign_in(client):
    for url in every_page():
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("account_login")), url


@pytest.mark.parametrize("who", ["learner", "instructor"])
def test_a_learner_or_an_instructor_gets_a_403_and_changes_nothing(
    client, registrar, who, request
):
    (credential,) = issue_many(registrar, 1)
    client.force_login(request.getfixturevalue(who))

    for url in every_page():
        assert client.get(url).status_code == 403, url
    response = client.post(
        reverse("bulk:revoke"),
        {"file": csv_file(f"credential\r\n{credential.pk}\r\n"), "reason": REASON},
    )
    assert response.status_code == 403
    response = client.post(
        reverse("bulk:credentials"), {"credential": [credential.pk], "reason": REASON}
    )
    assert response.status_code == 403
    assert not BulkJob.objects.exists()


# --- a file -------------------------------------------------------------------------


def test_the_upload_page_has_labelled_fields_the_columns_and_the_template(
    client, registrar
):
    client.force_login(registrar)

    text = page(client.get(reverse("bulk:revoke")))

    assert '<label for="id_file">' in text
    assert '<label for="id_reason">' in text
    assert "<fieldset>" in text
    assert "<legend>" in text
    assert "<code>credential</code>" in text
    assert reverse("bulk:revoke-template-csv") in text
    assert reverse("bulk:credentials") in text


def test_the_template_reads_back_as_a_revocation_file(client, registrar):
    client.force_login(registrar)

    response = client.get(reverse("bulk:revoke-template-csv"))

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="bulk-revocation-template.csv"'
    )
    table = tables.read_revoke_table(response.content, "template.csv")
    assert table.ok, table.error
    assert table.columns == ("credential",)
    assert len(table.rows) == 2


def test_a_file_and_a_reason_become_a_revoke_job_whose_page_shows_the_dry_run(
    client, registrar, django_capture_on_commit_callbacks
):
    credentials = issue_many(registrar, 3)
    credential_services.credential_revoke(
        credential_id=credentials[2].pk, actor=registrar, reason="Earlier."
    )
    text = "credential\r\n" + "\r\n".join(
        [
            str(credentials[0].pk),
            format_verification_code(credentials[1].verification_code),
            str(credentials[2].pk),
            "QQQQ-QQQQ-QQ",
        ]
    )
    client.force_login(registrar)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("bulk:revoke"), {"file": csv_file(text), "reason": f"  {REASON} "}
        )

    job = BulkJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("bulk:job", args=[job.public_id])
    assert (job.kind, job.source, job.reason) == ("revoke", "file", REASON)
    job_page = page(client.get(response["Location"]))
    assert "Run: revoke 2 credentials" in job_page
    assert REASON in job_page
    assert 'data-outcome="revoke">2<' in job_page
    assert 'data-outcome="skip">1<' in job_page
    assert 'data-outcome="error">1<' in job_page
    assert "No credential has the verification code QQQQ-QQQQ-QQ." in job_page
    assert "Already revoked on" in job_page
    assert "holder2@example.org" in job_page  # whose credential is skipped

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("bulk:start", args=[job.public_id]))

    job.refresh_from_db()
    assert job.status == BulkJob.Status.COMPLETED_WITH_ERRORS
    done_page = page(client.get(reverse("bulk:job", args=[job.public_id])))
    assert 'data-count="revoked">2<' in done_page
    assert reverse("bulk:result", args=[job.public_id]) in done_page
    assert Credential.objects.filter(status="revoked").count() == 3


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"reason": REASON}, "Choose a CSV or XLSX file to upload."),
        ({"file": "credential\r\nx\r\n"}, "Say why these credentials are revoked."),
        (
            {"file": "credential\r\nx\r\n", "reason": "   "},
            "Say why these credentials are revoked.",
        ),
        (
            {"file": "credential\r\nx\r\n", "reason": "x" * 2001},
            "Keep the reason under 2000 characters.",
        ),
    ],
)
def test_a_missing_file_or_reason_shows_the_form_again_and_stores_nothing(
    client, registrar, private_files, data, message
):
    client.force_login(registrar)
    if "file" in data:
        data = {**data, "file": csv_file(data["file"])}

    response = client.post(reverse("bulk:revoke"), data)

    assert response.status_code == 422
    text = page(response)
    assert "There is a problem; nothing was stored" in text
    assert message in text
    assert 'aria-invalid="true"' in text
    assert not BulkJob.objects.exists()
    assert not [path for path in private_files.rglob("*") if path.is_file()]


# --- the credential list ------------------------------------------------------------


def test_the_list_shows_the_credentials_with_a_labelled_box_for_those_in_force(
    client, registrar
):
    credentials = issue_many(registrar, 3)
    credential_services.credential_revoke(
        credential_id=credentials[0].pk, actor=registrar, reason="Earlier."
    )
    client.force_login(registrar)

    response = client.get(reverse("bulk:credentials"))

    assert response.status_code == 200
    text = page(response)
    assert listed(response) == {str(c.pk) for c in credentials}
    assert f'value="{credentials[1].pk}"' in text
    assert f'value="{credentials[0].pk}"' not in text  # revoked: no box
    assert f'<label for="pick-{credentials[1].pk}" class="visually-hidden">' in text
    assert "Select all on this page" in text
    assert "<legend>Filter the credentials</legend>" in text
    assert '<label for="id_reason">' in text
    assert format_verification_code(credentials[1].verification_code) in text


def test_the_filters_narrow_the_list(client, registrar):
    january = issue_many(registrar, 2, day=10)
    later = issue_many(registrar, 2, code="WEB-200", start=2, day=20)
    credential_services.credential_revoke(
        credential_id=later[1].pk, actor=registrar, reason="Earlier."
    )
    web = later[0].achievement
    client.force_login(registrar)

    def shown(**query) -> set[str]:
        response = client.get(reverse("bulk:credentials"), query)
        assert response.status_code == 200, page(response)
        return listed(response)

    ids = [str(c.pk) for c in (*january, *later)]
    assert shown() == set(ids)
    assert shown(achievement=web.pk) == set(ids[2:])
    assert shown(status="revoked") == {ids[3]}
    assert shown(status="active", achievement=web.pk) == {ids[2]}
    assert shown(issued_from="2026-01-15") == set(ids[2:])
    assert shown(issued_to="2026-01-10") == set(ids[:2])
    assert shown(issued_from="2026-01-10", issued_to="2026-01-20") == set(ids)
    assert shown(q="holder1@") == {ids[1]}
    assert shown(q="HOLDER NUMBER 3") == {ids[3]}
    code = january[0].verification_code
    assert shown(q=format_verification_code(code).lower()) == {ids[0]}
    assert shown(q=ids[2]) == {ids[2]}
    assert shown(q="nobody-like-this") == set()


def test_the_job_filter_lists_the_credentials_a_bulk_job_issued(
    client, registrar, django_capture_on_commit_callbacks
):
    factories.MicrocredentialFactory(
        code="DATA-101", published_at=dt.datetime(2025, 1, 6, 12, tzinfo=dt.UTC)
    )
    issue_many(registrar, 2, start=10)  # not the job's
    text = "email,legal_name,achievement,issue_date\r\n" + "".join(
        f"grad{n}@example.org,Graduate {n},DATA-101,2026-01-15\r\n" for n in range(3)
    )
    with django_capture_on_commit_callbacks(execute=True):
        job = services.job_create_from_file(actor=registrar, upload=csv_file(text))
    with django_capture_on_commit_callbacks(execute=True):
        services.job_start(actor=registrar, job_id=job.pk)
    issued = set(
        BulkRow.objects.filter(job=job, state="issued").values_list(
            "credential_id", flat=True
        )
    )
    assert len(issued) == 3
    client.force_login(registrar)

    response = client.get(reverse("bulk:credentials"), {"job": job.public_id})

    assert response.status_code == 200
    assert listed(response) == {str(pk) for pk in issued}
    text = page(response)
    assert "Only the credentials issued by the bulk job “to-revoke.csv”." in text
    assert f'<input type="hidden" name="job" value="{job.public_id}">' in text


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"issued_from": "15/01/2026"}, "Write the date as YYYY-MM-DD."),
        (
            {"issued_from": "2026-02-01", "issued_to": "2026-01-01"},
            "The end date is before the start date.",
        ),
        ({"status": "lost"}, "Choose a status from the list."),
        ({"achievement": "999999"}, "Choose an achievement from the list."),
        ({"job": "not-a-uuid"}, "This is not a bulk job's id."),
        ({"job": str(uuid.uuid4())}, "No bulk job has this id."),
    ],
)
def test_a_wrong_filter_is_named_and_no_list_is_shown(
    client, registrar, query, message
):
    issue_many(registrar, 2)
    client.force_login(registrar)

    response = client.get(reverse("bulk:credentials"), query)

    assert response.status_code == 422
    text = page(response)
    assert "There is a problem" in text
    assert message in text
    assert response.context["page"] is None
    assert "Check the revocation" not in text


def test_a_selection_and_a_reason_become_a_revoke_job_and_its_page_follows(
    client, registrar, django_capture_on_commit_callbacks
):
    credentials = issue_many(registrar, 3)
    client.force_login(registrar)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("bulk:credentials") + "?status=active",
            {
                "credential": [str(credentials[0].pk), str(credentials[2].pk)] * 2,
                "reason": REASON,
            },
        )

    job = BulkJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("bulk:job", args=[job.public_id])
    assert (job.kind, job.source, job.reason) == ("revoke", "selection", REASON)
    assert job.file_name == "selection.csv"
    assert job.status == BulkJob.Status.VALIDATED
    assert (job.will_revoke, job.errors) == (2, 0)
    assert set(
        BulkRow.objects.filter(job=job).values_list("credential_id", flat=True)
    ) == {credentials[0].pk, credentials[2].pk}
    assert not Credential.objects.filter(status="revoked").exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"reason": REASON}, "Select at least one credential."),
        ({"credential": ["first"], "reason": ""}, "Say why these credentials"),
        ({"credential": ["first"], "reason": "  "}, "Say why these credentials"),
        (
            {"credential": ["not-an-id"], "reason": REASON},
            "The selection is not a list of credential ids",
        ),
    ],
)
def test_a_selection_without_credentials_or_reason_is_refused_and_stores_nothing(
    client, registrar, data, message
):
    credentials = issue_many(registrar, 2)
    client.force_login(registrar)
    if data.get("credential") == ["first"]:
        data = {**data, "credential": [str(credentials[0].pk)]}

    response = client.post(reverse("bulk:credentials"), data)

    assert response.status_code == 422
    text = page(response)
    assert "There is a problem; nothing was stored" in text
    assert message in text
    assert not BulkJob.objects.exists()
    # The list is shown again, with the selection still ticked.
    assert listed(response) == {str(c.pk) for c in credentials}
    ticked = f'value="{credentials[0].pk}" id="pick-{credentials[0].pk}" ' + (
        'class="bulk-pick" checked'
    )
    assert (ticked in text) == (str(credentials[0].pk) in data.get("credential", []))


def test_the_list_takes_as_many_queries_for_50_credentials_as_for_5(
    client, registrar, django_assert_max_num_queries
):
    client.force_login(registrar)
    counts = []
    for total in (5, 50):
        issue_many(registrar, total - Credential.objects.count(), start=100 + total)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("bulk:credentials"), {"q": "holder"})
        assert response.status_code == 200
        assert len(response.context["page"].object_list) == total
        counts.append(len(queries))

    assert counts[0] == counts[1]
    with django_assert_max_num_queries(7):
        client.get(reverse("bulk:credentials"), {"status": "active", "page": "1"})


def test_the_list_is_paginated_fifty_a_page_keeping_the_filters(client, registrar):
    issue_many(registrar, 51)
    client.force_login(registrar)

    first = client.get(reverse("bulk:credentials"), {"status": "active"})
    second = client.get(reverse("bulk:credentials"), {"status": "active", "page": 2})

    assert len(first.context["page"].object_list) == 50
    assert len(second.context["page"].object_list) == 1
    assert "?status=active&amp;page=2" in first.content.decode()


# --- the summary partial while a revoke job runs ------------------------------------


def test_a_running_revoke_job_shows_what_is_revoked_so_far(registrar):
    job = BulkJob(
        public_id=uuid.uuid4(),
        kind=BulkJob.Kind.REVOKE,
        status=BulkJob.Status.RUNNING,
        created_by=registrar,
        will_revoke=10,
        revoked=4,
    )

    text = render_to_string(
        "bulk/_revoke_summary.html",
        {
            "job": job,
            "running": True,
            "progress": {
                "done": 4,
                "total": 10,
                "percent": 40,
                "rate": None,
                "time_left": None,
                "skipped": 0,
            },
        },
    )

    assert "Revoking the credentials" in text
    assert "4 of 10 rows done" in text
    assert 'data-count="revoked">4<' in text
    assert 'aria-valuenow="4"' in text
