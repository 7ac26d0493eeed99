"""Where files live: local folders by default, an S3-compatible bucket when set.

The bucket is a real S3 protocol server on loopback (moto's server, the same
wire protocol as AWS, MinIO or Ceph), so these tests go through botocore and
django-storages exactly as production does.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator

import boto3
import environ
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from moto.server import ThreadedMotoServer

from assessments import services
from assessments.models import Answer, ItemKind
from microcred.settings.storages import S3_BACKEND, build_storages
from microcred.storage import PrivateFileSystemStorage, private_storage
from tests.assessments import factories as af

STATIC = "django.contrib.staticfiles.storage.StaticFilesStorage"
BUCKET = "microcred-test"
KEYS = {"S3_ACCESS_KEY_ID": "testing", "S3_SECRET_ACCESS_KEY": "testing"}


def env_with(monkeypatch, **values: str) -> environ.Env:
    for name in ("S3_BUCKET", "S3_ENDPOINT_URL", "S3_REGION"):
        monkeypatch.delenv(name, raising=False)
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return environ.Env()


def test_without_a_bucket_files_stay_on_local_disk_and_submissions_have_no_url(
    monkeypatch,
):
    storages = build_storages(env_with(monkeypatch), static_backend=STATIC)

    assert storages["default"]["BACKEND"].endswith("FileSystemStorage")
    assert storages["private"]["BACKEND"].endswith("PrivateFileSystemStorage")
    assert isinstance(private_storage(), PrivateFileSystemStorage)
    with pytest.raises(ValueError, match="no URL"):
        private_storage().url("attempts/1/2/plan.txt")


def test_with_a_bucket_submissions_are_written_with_the_private_acl(monkeypatch):
    storages = build_storages(
        env_with(
            monkeypatch,
            S3_BUCKET=BUCKET,
            S3_ENDPOINT_URL="https://s3.example.edu",
            S3_REGION="ca-central-1",
        ),
        static_backend=STATIC,
    )

    private = storages["private"]
    assert private["BACKEND"] == S3_BACKEND
    assert private["OPTIONS"]["default_acl"] == "private"
    assert private["OPTIONS"]["location"] == "private"
    assert private["OPTIONS"]["file_overwrite"] is False
    assert private["OPTIONS"]["endpoint_url"] == "https://s3.example.edu"
    assert storages["default"]["OPTIONS"]["location"] == "media"
    assert storages["staticfiles"]["BACKEND"] == STATIC


# --- a real S3 protocol server ------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def bucket(s3_endpoint, monkeypatch, settings):
    """A fresh bucket, and STORAGES pointing at it as `S3_BUCKET=...` would."""
    for name, value in KEYS.items():
        monkeypatch.setenv(name, value)
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",  # noqa: S106
    )
    client.create_bucket(Bucket=BUCKET)
    settings.STORAGES = build_storages(
        env_with(
            monkeypatch,
            S3_BUCKET=BUCKET,
            S3_ENDPOINT_URL=s3_endpoint,
            S3_REGION="us-east-1",
            S3_ADDRESSING_STYLE="path",
        ),
        static_backend=STATIC,
    )
    yield client
    listed = client.list_objects_v2(Bucket=BUCKET).get("Contents", [])
    for entry in listed:
        client.delete_object(Bucket=BUCKET, Key=entry["Key"])
    client.delete_bucket(Bucket=BUCKET)


@pytest.mark.django_db
def test_an_uploaded_project_file_goes_to_the_bucket_privately_and_is_streamed_by_the_view(  # noqa: E501
    bucket, client, learner, other_learner, instructor, enrolment, course
):
    summative = af.mixed_summative(course)
    attempt = services.attempt_start(learner=learner, assessment_id=summative.pk)
    project = summative.items.get(kind=ItemKind.PROJECT)

    services.answer_save(
        learner=learner,
        attempt_id=attempt.pk,
        item_id=project.pk,
        upload=SimpleUploadedFile("plan.txt", b"The plan, in the bucket."),
    )

    stored = Answer.objects.get(attempt=attempt, item=project).file
    key = f"private/{stored.name}"
    listed = [o["Key"] for o in bucket.list_objects_v2(Bucket=BUCKET)["Contents"]]
    assert listed == [key]
    grants = bucket.get_object_acl(Bucket=BUCKET, Key=key)["Grants"]
    assert [grant["Permission"] for grant in grants] == ["FULL_CONTROL"]
    assert all(g["Grantee"].get("Type") == "CanonicalUser" for g in grants)

    target = reverse(
        "assessments:answer-file",
        kwargs={"attempt_id": attempt.pk, "item_id": project.pk},
    )
    for person, status in ((learner, 200), (instructor, 200), (other_learner, 404)):
        client.force_login(person)
        response = client.get(target)
        assert response.status_code == status, person
        if status == 200:
            body = b"".join(response.streaming_content)
            assert body == b"The plan, in the bucket."
            assert "no-store" in response["Cache-Control"]
