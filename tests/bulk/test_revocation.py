"""Bulk revocation through the services: a file (or a selection) of credential
ids and verification codes is checked row by row — nothing revoked — then run
in chunks, each chunk one call of the revocation service, so each status list
is re-signed once a chunk. Credentials are issued, revoked and superseded
through our own services."""

from __future__ import annotations

import csv
import datetime as dt
import html
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bulk import services
from bulk.models import BulkChunk, BulkJob, BulkRow
from courses.models import Microcredential
from courses.policies import PolicyError
from credentials import services as credential_services
from credentials import statuslist
from credentials.models import Credential, StatusList
from credentials.policies import format_verification_code
from microcred.models import AuditEntry
from microcred.roles import Role
from tests import factories
from tests.credentials.fixtures import issue, revoke, supersede

pytestmark = pytest.mark.django_db

REASON = "The assessment centre's results were found compromised."
REVOKED_AT = dt.datetime(2026, 3, 1, 15, 0, tzinfo=dt.UTC)


@pytest.fixture
def registrar():
    return factories.StaffFactory(email="revoker@example.org", role=Role.REGISTRAR)


def holders(count: int, start: int = 0):
    return [
        factories.UserFactory(
            email=f"holder{n}@example.org", legal_name=f"Holder Number {n}"
        )
        for n in range(start, start + count)
    ]


def issued(count: int, start: int = 0) -> list[Credential]:
    """Credentials of DATA-101 for holders number ``start`` on, through the
    issuance service."""
    course = Microcredential.objects.filter(code="DATA-101").first()
    course = course or factories.MicrocredentialFactory(code="DATA-101")
    return [issue(person, course) for person in holders(count, start)]


def csv_upload(text: str, name: str = "to-revoke.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def xlsx_upload(rows: list[list[object]], name: str = "to-revoke.xlsx"):
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(
        name,
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def checked(registrar, upload, capture, reason: str = REASON) -> BulkJob:
    with capture(execute=True):
        job = services.job_create_from_file(
            actor=registrar, upload=upload, kind=BulkJob.Kind.REVOKE, reason=reason
        )
    job.refresh_from_db()
    return job


def outcomes(job: BulkJob) -> dict[int, str]:
    return dict(BulkRow.objects.filter(job=job).values_list("line", "outcome"))


def report_rows(job: BulkJob) -> list[dict[str, str]]:
    with job.report_csv.open("rb") as handle:
        text = handle.read().decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def versions() -> dict[int, int]:
    return dict(StatusList.objects.values_list("pk", "version"))


def proofs() -> dict[int, str]:
    return {
        status_list.pk: status_list.document["proof"]["proofValue"]
        for status_list in StatusList.objects.all()
    }


def published_bit(credential: Credential) -> bool:
    status_list = StatusList.objects.get(pk=credential.status_list_id)
    encoded = status_list.document["credentialSubject"]["encodedList"]
    return statuslist.decode(encoded).get(credential.status_index)


# --- the dry run --------------------------------------------------------------------


def test_ids_and_codes_are_checked_row_by_row_and_nothing_is_revoked(
    registrar, django_capture_on_commit_callbacks
):
    active = issued(4)
    gone = revoke(active[3], reason="Earlier mistake.", at=REVOKED_AT, by=registrar)
    old = issued(1, start=10)[0]
    supersede(old, new_name="Holder Renamed")
    old.refresh_from_db()
    before = (versions(), proofs())
    code = active[1].verification_code
    text = "credential\r\n" + "\r\n".join(
        [
            str(active[0].pk),  # 2: an id
            format_verification_code(code),  # 3: a code as printed
            active[2].verification_code.lower(),  # 4: no dashes, lower case
            f"  {format_verification_code(code).replace('-', ' ')}  ",  # 5: twice
            str(gone.pk),  # 6: revoked already
            format_verification_code(old.verification_code),  # 7: superseded
            "QQQQ-QQQQ-QQ",  # 8: no such code
            "00000000-0000-4000-8000-000000000000",  # 9: no such id
            "DATA-101",  # 10: neither
        ]
    )

    job = checked(registrar, csv_upload(text), django_capture_on_commit_callbacks)

    assert job.status == BulkJob.Status.VALIDATED
    assert (job.total_rows, job.will_revoke, job.will_skip, job.errors) == (9, 3, 2, 4)
    assert job.will_issue == 0
    assert job.file_format == "csv"
    assert outcomes(job) == {
        2: "revoke",
        3: "revoke",
        4: "revoke",
        5: "error",
        6: "skip",
        7: "skip",
        8: "error",
        9: "error",
        10: "error",
    }
    rows = {row.line: row for row in BulkRow.objects.filter(job=job)}
    assert rows[2].reference == str(active[0].pk)
    assert rows[3].reference == format_verification_code(code)
    assert rows[3].credential_id == active[1].pk
    assert rows[4].credential_id == active[2].pk
    assert (rows[2].email, rows[2].legal_name, rows[2].achievement_code) == (
        "holder0@example.org",
        "Holder Number 0",
        "DATA-101",
    )
    assert rows[5].message == (
        "Listed twice: line 3 names the same credential; only line 3 is used."
    )
    assert rows[6].message == "Already revoked on 2026-03-01; nothing to do."
    assert "Superseded by a corrected credential" in rows[7].message
    assert format_verification_code(old.superseded_by.verification_code) in (
        rows[7].message
    )
    assert rows[8].message == "No credential has the verification code QQQQ-QQQQ-QQ."
    assert "is not a credential id or a verification code" in rows[10].message
    assert {rows[n].chunk for n in (2, 3, 4)} == {0}
    assert rows[6].chunk is None
    # Nothing was revoked, no status list was re-signed.
    assert Credential.objects.filter(status=Credential.Status.REVOKED).count() == 1
    assert (versions(), proofs()) == before
    report = report_rows(job)
    assert list(report[0]) == [
        "credential",
        "line",
        "outcome",
        "message",
        "holder_email",
        "holder_name",
        "achievement_code",
    ]
    assert [row["outcome"] for row in report] == [
        "will revoke",
        "will revoke",
        "will revoke",
        "error",
        "will skip",
        "will skip",
        "error",
        "error",
        "error",
    ]
    assert report[1]["holder_email"] == "holder1@example.org"
    workbook = openpyxl.load_workbook(io.BytesIO(job.report_xlsx.read()))
    assert workbook.active.max_row == 10


def test_an_xlsx_file_with_codes_and_ids_is_read_like_a_csv(
    registrar, django_capture_on_commit_callbacks
):
    credentials = issued(3)
    rows = [
        ["Verification code", "Note"],
        [format_verification_code(credentials[0].verification_code), "first"],
        [credentials[1].verification_code, "second"],
        [str(credentials[2].pk), "third"],
        ["nonsense", "fourth"],
    ]

    job = checked(registrar, xlsx_upload(rows), django_capture_on_commit_callbacks)

    assert job.status == BulkJob.Status.VALIDATED
    assert job.file_format == "xlsx"
    assert outcomes(job) == {2: "revoke", 3: "revoke", 4: "revoke", 5: "error"}
    assert any("Note" in note for note in job.notes)
    report = report_rows(job)
    assert report[0]["Note"] == "first"  # other columns stay in the report


def test_an_issuance_result_file_with_ids_and_codes_is_read_by_its_id(
    registrar, django_capture_on_commit_callbacks
):
    first, second = issued(2)
    header = (
        "line,email,legal_name,achievement_code,reference,outcome,state,message,"
        "credential_id,verification_code,verification_url\r\n"
    )
    text = header + (
        f"2,a@example.org,A,DATA-101,,will issue,Issued,,{first.pk},"
        f"{format_verification_code(first.verification_code)},https://x/\r\n"
        f"3,b@example.org,B,DATA-101,,will issue,Issued,,{second.pk},"
        f"{format_verification_code(first.verification_code)},https://x/\r\n"
    )

    job = checked(registrar, csv_upload(text), django_capture_on_commit_callbacks)

    assert job.status == BulkJob.Status.VALIDATED
    assert outcomes(job) == {2: "revoke", 3: "error"}
    row = BulkRow.objects.get(job=job, line=3)
    assert "name two different credentials" in row.message


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"email,name\r\nada@example.org,Ada\r\n", "(credential, verification_code)"),
        (b"", "The file is empty."),
        ("credential\r\nCôté\r\n".encode("cp1252"), "not in UTF-8"),
        (b"%PDF-1.7\n", "not a table"),
        (b"credential\r\n", "no rows below them"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_with_the_reason(
    registrar, django_capture_on_commit_callbacks, content, message
):
    upload = SimpleUploadedFile("revoke.csv", content, content_type="text/csv")
    if not content:
        with pytest.raises(PolicyError, match=message):
            services.job_create_from_file(
                actor=registrar, upload=upload, kind=BulkJob.Kind.REVOKE, reason=REASON
            )
        assert not BulkJob.objects.exists()
        return

    job = checked(registrar, upload, django_capture_on_commit_callbacks)

    assert job.status == BulkJob.Status.REFUSED
    assert message in job.refusal
    assert not BulkRow.objects.filter(job=job).exists()


def test_a_file_without_the_column_says_which_column_it_needs(
    registrar, django_capture_on_commit_callbacks
):
    upload = xlsx_upload([["email", "name"], ["ada@example.org", "Ada"]])

    job = checked(registrar, upload, django_capture_on_commit_callbacks)

    assert job.refusal.startswith(
        "The file has no column for credential (the credential's id or its "
        "verification code)."
    )


def test_the_dry_run_looks_the_credentials_up_in_as_many_queries_for_9_as_for_60(
    registrar,
):
    credentials = issued(30)
    counts = []
    for count in (3, 30):
        values = [str(c.pk) for c in credentials[:count]]
        values += [c.verification_code for c in credentials[:count]]
        job = services.job_create_from_file(
            actor=registrar,
            upload=csv_upload("id\r\n" + "\r\n".join(values)),
            kind=BulkJob.Kind.REVOKE,
            reason=REASON,
        )
        with CaptureQueriesContext(connection) as queries:
            job = services.job_dry_run(job_id=job.pk)
        assert job.errors == count  # each one listed twice
        counts.append(len(queries))

    assert counts[0] == counts[1]


def test_a_dry_run_run_twice_replaces_its_rows_and_not_after_the_job_started(
    registrar, django_capture_on_commit_callbacks
):
    credentials = issued(2)
    text = "credential\r\n" + "\r\n".join(str(c.pk) for c in credentials)
    job = checked(registrar, csv_upload(text), django_capture_on_commit_callbacks)

    services.job_dry_run(job_id=job.pk)

    assert BulkRow.objects.filter(job=job).count() == 2
    services.job_start(actor=registrar, job_id=job.pk)
    again = services.job_dry_run(job_id=job.pk)
    assert again.status == BulkJob.Status.PENDING
    assert BulkRow.objects.filter(job=job).count() == 2


# --- who may, and why ---------------------------------------------------------------


@pytest.mark.parametrize("reason", ["", "   \n "])
def test_a_revocation_needs_a_reason_and_without_one_nothing_is_stored(
    registrar, reason
):
    (credential,) = issued(1)

    with pytest.raises(PolicyError, match="needs a reason"):
        services.job_create_from_file(
            actor=registrar,
            upload=csv_upload(f"credential\r\n{credential.pk}\r\n"),
            kind=BulkJob.Kind.REVOKE,
            reason=reason,
        )
    with pytest.raises(PolicyError, match="needs a reason"):
        services.job_create_from_rows(
            actor=registrar,
            rows=[{"credential": str(credential.pk)}],
            columns=("credential",),
            kind=BulkJob.Kind.REVOKE,
            source=BulkJob.Source.SELECTION,
            reason=reason,
        )

    assert not BulkJob.objects.exists()


@pytest.mark.parametrize("who", ["learner", "instructor"])
def test_only_the_registrars_office_may_revoke_in_bulk(who, learner, instructor):
    (credential,) = issued(1)
    actor = {"learner": learner, "instructor": instructor}[who]

    with pytest.raises(PolicyError, match="registrar"):
        services.job_create_from_file(
            actor=actor,
            upload=csv_upload(f"credential\r\n{credential.pk}\r\n"),
            kind=BulkJob.Kind.REVOKE,
            reason=REASON,
        )
    with pytest.raises(PolicyError, match="registrar"):
        services.job_create_from_rows(
            actor=actor,
            rows=[{"credential": str(credential.pk)}],
            columns=("credential",),
            kind=BulkJob.Kind.REVOKE,
            reason=REASON,
        )

    assert not BulkJob.objects.exists()
    credential.refresh_from_db()
    assert credential.status == Credential.Status.ACTIVE


# --- the run ------------------------------------------------------------------------


def test_a_run_revokes_with_the_reason_and_re_signs_the_status_list_once(
    registrar, django_capture_on_commit_callbacks, client
):
    credentials = issued(4)
    kept = credentials[3]
    text = "credential\r\n" + "\r\n".join(
        [*(str(c.pk) for c in credentials[:3]), "QQQQ-QQQQ-QQ"]
    )
    job = checked(registrar, csv_upload(text), django_capture_on_commit_callbacks)
    status_list = StatusList.objects.get()
    version, proof = status_list.version, status_list.document["proof"]["proofValue"]

    with django_capture_on_commit_callbacks(execute=True):
        services.job_start(actor=registrar, job_id=job.pk)
    job.refresh_from_db()

    assert job.status == BulkJob.Status.COMPLETED_WITH_ERRORS
    assert (job.revoked, job.skipped, job.failed, job.errors) == (3, 0, 0, 1)
    status_list.refresh_from_db()
    assert status_list.version == version + 1
    assert status_list.document["proof"]["proofValue"] != proof
    for credential in credentials[:3]:
        credential.refresh_from_db()
        assert credential.status == Credential.Status.REVOKED
        assert credential.revocation_reason == REASON
        assert credential.revoked_by == registrar
        assert published_bit(credential)
    kept.refresh_from_db()
    assert kept.status == Credential.Status.ACTIVE
    assert not published_bit(kept)
    states = dict(BulkRow.objects.filter(job=job).values_list("line", "state"))
    assert states == {2: "revoked", 3: "revoked", 4: "revoked", 5: "failed"}
    entries = AuditEntry.objects.filter(action="credential.revoke")
    assert {e.object_id for e in entries} == {str(c.pk) for c in credentials[:3]}
    assert {e.reason for e in entries} == {REASON}
    assert AuditEntry.objects.filter(action="bulk.finish").count() == 1
    # Anyone checking the credential sees it revoked, and why.
    page = client.get(reverse("credentials:credential", args=[credentials[0].pk]))
    text = html.unescape(page.content.decode())
    assert "Revoked on" in text
    assert REASON in text
    body = client.get(f"/api/v1/credentials/{credentials[0].pk}/verification").json()
    assert body["state"] == "revoked"
    assert body["revocation"]["reason"] == REASON
    # The result file says what was done to each row.
    with job.result_csv.open("rb") as handle:
        result = list(csv.DictReader(io.StringIO(handle.read().decode("utf-8-sig"))))
    assert [row["state"] for row in result] == [
        "Revoked",
        "Revoked",
        "Revoked",
        "Failed",
    ]
    assert result[0]["verification_code"] == format_verification_code(
        credentials[0].verification_code
    )


def test_each_chunk_re_signs_each_status_list_it_touches_once(
    registrar, django_capture_on_commit_callbacks, settings
):
    settings.BULK_RUN_CHUNK = 2
    credentials = issued(5)
    text = "credential\r\n" + "\r\n".join(c.verification_code for c in credentials)
    job = checked(registrar, csv_upload(text), django_capture_on_commit_callbacks)
    version = StatusList.objects.get().version

    with django_capture_on_commit_callbacks(execute=True):
        services.job_start(actor=registrar, job_id=job.pk)

    job.refresh_from_db()
    assert job.status == BulkJob.Status.COMPLETED
    assert job.chunks_total == 3
    assert job.revoked == 5
    assert StatusList.objects.get().version == version + 3
    assert Credential.objects.filter(status=Credential.Status.REVOKED).count() == 5


def test_a_redone_chunk_revokes_nothing_twice_and_re_signs_nothing(
    registrar, django_capture_on_commit_callbacks, settings
):
    settings.BULK_RUN_CHUNK = 2
    credentials = issued(3)
    text = "credential\r\n" + "\r\n".join(str(c.pk) for c in credentials)
    job = checked(registrar, csv_upload(text), django_capture_on_commit_callbacks)
    services.job_start(actor=registrar, job_id=job.pk)
    version = StatusList.objects.get().version

    services.job_run_chunk(job_id=job.pk, number=0)
    assert StatusList.objects.get().version == version + 1
    assert BulkJob.objects.get(pk=job.pk).revoked == 2
    # As if the worker had died before marking its rows: do the chunk again.
    BulkRow.objects.filter(job=job, state="revoked").update(state="pending")
    BulkJob.objects.filter(pk=job.pk).update(revoked=0)
    BulkChunk.objects.filter(job=job).update(done_at=None)
    services.job_run_chunk(job_id=job.pk, number=0)

    assert StatusList.objects.get().version == version + 1
    assert AuditEntry.objects.filter(action="credential.revoke").count() == 2
    # The redone rows count as this job's revocations, not as someone else's.
    assert BulkJob.objects.get(pk=job.pk).revoked == 2
    assert set(
        BulkRow.objects.filter(job=job, chunk=0).values_list("state", "run_message")
    ) == {("revoked", "")}
    # The same chunk delivered once more after it was done changes nothing.
    services.job_run_chunk(job_id=job.pk, number=0)
    assert BulkJob.objects.get(pk=job.pk).revoked == 2

    with django_capture_on_commit_callbacks(execute=True):
        services.job_run_chunk(job_id=job.pk, number=1)
    job.refresh_from_db()
    assert job.status == BulkJob.Status.COMPLETED
    assert (job.revoked, job.skipped) == (3, 0)


def test_a_credential_revoked_by_someone_else_meanwhile_is_skipped_with_the_reason(
    registrar, django_capture_on_commit_callbacks
):
    credentials = issued(3)
    old = issued(1, start=10)[0]
    text = "credential\r\n" + "\r\n".join(str(c.pk) for c in (*credentials, old))
    job = checked(registrar, csv_upload(text), django_capture_on_commit_callbacks)
    other = factories.StaffFactory(email="other@example.org", role=Role.REGISTRAR)
    credential_services.credential_revoke(
        credential_id=credentials[1].pk, actor=other, reason="Fraud.", now=REVOKED_AT
    )
    supersede(old, new_name="Holder Renamed")

    with django_capture_on_commit_callbacks(execute=True):
        services.job_start(actor=registrar, job_id=job.pk)
    job.refresh_from_db()

    assert job.status == BulkJob.Status.COMPLETED
    assert (job.revoked, job.skipped) == (2, 2)
    rows = {row.line: row for row in BulkRow.objects.filter(job=job)}
    assert rows[3].state == "skipped"
    assert rows[3].run_message == (
        "Already revoked on 2026-03-01 by someone else since the dry run; "
        "nothing changed."
    )
    assert rows[5].state == "skipped"
    assert "Superseded" in rows[5].run_message
    credentials[1].refresh_from_db()
    assert credentials[1].revocation_reason == "Fraud."  # the first one stays
    old.refresh_from_db()
    assert old.status == Credential.Status.SUPERSEDED


def test_a_selection_becomes_a_revoke_job_checked_like_a_file(
    registrar, django_capture_on_commit_callbacks
):
    credentials = issued(2)

    with django_capture_on_commit_callbacks(execute=True):
        job = services.job_create_from_rows(
            actor=registrar,
            rows=[{"credential": str(c.pk)} for c in credentials],
            columns=("credential",),
            name="selection.csv",
            source=BulkJob.Source.SELECTION,
            kind=BulkJob.Kind.REVOKE,
            reason=REASON,
        )
    job.refresh_from_db()

    assert job.kind == BulkJob.Kind.REVOKE
    assert job.source == BulkJob.Source.SELECTION
    assert job.status == BulkJob.Status.VALIDATED
    assert (job.will_revoke, job.errors) == (2, 0)
