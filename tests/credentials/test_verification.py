"""Our own verification: each check named, each failure said in plain words.

Credentials are issued through the issuance service and then changed the way
a forger, another issuer, a registrar or the calendar would change them.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from decimal import Decimal

import pytest
import time_machine
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from credentials import badge_image, baking, multikey, proofs, services, verification
from credentials.models import Credential
from credentials.verification import (
    CHECK_CURRENT_VERSION,
    CHECK_EXPIRY,
    CHECK_FORMAT,
    CHECK_ISSUER,
    CHECK_NAMES,
    CHECK_SIGNATURE,
    CHECK_STATUS,
    UploadRefused,
    VerificationState,
)
from tests.credentials.fixtures import issue, revoke, supersede

ISSUED_AT = dt.datetime(2026, 1, 15, 10, 0, tzinfo=dt.UTC)


def failed_checks(report) -> set[str]:
    return {check.name for check in report.checks if not check.passed}


def verify(document, *, now=None):
    return verification.verify_credential_document(
        document, now=now or ISSUED_AT + dt.timedelta(days=1)
    )


# --- tampering, table-driven -----------------------------------------------------


def untouched(document):
    return document


def one_character_changed(document):
    achievement = document["credentialSubject"]["achievement"]
    achievement["name"] = "X" + achievement["name"][1:]
    return document


def score_raised(document):
    document["credentialSubject"]["result"][0]["value"] = "100"
    return document


def expiry_pushed_back(document):
    document["validUntil"] = "2099-01-01T00:00:00Z"
    return document


def foreign_key():
    private = Ed25519PrivateKey.generate()
    return private, multikey.did_key_verification_method(private.public_key())


def signed_by_another_issuer(document):
    """Another issuer copies our credential and signs it as their own."""
    private, method = foreign_key()
    unsigned = {key: value for key, value in document.items() if key != "proof"}
    unsigned["issuer"] = {**unsigned["issuer"], "id": method["controller"]}
    return proofs.sign_credential(
        unsigned, private_key=private, verification_method=method, created=ISSUED_AT
    )


def our_issuer_but_another_key(document):
    """Signed with someone else's key, then our issuer id put back."""
    ours = document["issuer"]["id"]
    forged = signed_by_another_issuer(document)
    forged["issuer"] = {**forged["issuer"], "id": ours}
    return forged


def proof_removed(document):
    del document["proof"]
    return document


def status_list_elsewhere(document):
    document["credentialStatus"]["statusListCredential"] = (
        "https://status.example.net/lists/1"
    )
    return document


@pytest.mark.parametrize(
    ("change", "state", "failed"),
    [
        (untouched, VerificationState.VALID, set()),
        (one_character_changed, VerificationState.INVALID, {CHECK_SIGNATURE}),
        (score_raised, VerificationState.INVALID, {CHECK_SIGNATURE}),
        (expiry_pushed_back, VerificationState.INVALID, {CHECK_SIGNATURE}),
        (
            signed_by_another_issuer,
            VerificationState.INVALID,
            {CHECK_SIGNATURE, CHECK_ISSUER},
        ),
        (
            our_issuer_but_another_key,
            VerificationState.INVALID,
            {CHECK_SIGNATURE, CHECK_ISSUER},
        ),
        (proof_removed, VerificationState.INVALID, {CHECK_SIGNATURE, CHECK_ISSUER}),
        (
            status_list_elsewhere,
            VerificationState.INVALID,
            {CHECK_SIGNATURE, CHECK_STATUS},
        ),
    ],
    ids=lambda value: getattr(value, "__name__", None),
)
@pytest.mark.django_db
def test_a_changed_credential_fails_the_checks_it_breaks(
    learner, course, change, state, failed
):
    credential = issue(learner, course, now=ISSUED_AT)

    report = verify(change(copy.deepcopy(credential.document)))

    assert report.state == state
    assert failed_checks(report) == failed
    assert [check.name for check in report.checks] == list(CHECK_NAMES)
    assert all(check.detail for check in report.checks)


@pytest.mark.django_db
def test_a_valid_credential_says_so_check_by_check(learner, course):
    credential = issue(learner, course, now=ISSUED_AT)

    report = verify(credential.document)

    assert report.state == VerificationState.VALID
    assert report.is_valid
    assert report.credential == credential
    assert report.headline == "This credential is genuine and current."
    assert "current key" in report.check(CHECK_ISSUER).detail
    assert report.check(CHECK_EXPIRY).detail == (
        "Valid since 15 January 2026; it does not expire."
    )
    assert report.check(CHECK_STATUS).detail == (
        "Not revoked: its entry in our status list is clear."
    )
    summary = report.summary
    assert summary.achievement_name == credential.achievement.name
    assert summary.issued == ISSUED_AT
    assert summary.expires is None
    assert summary.score_percent == Decimal("92.5")
    assert summary.pass_mark_percent is not None
    assert [line.met for line in summary.outcomes] == [True, True]
    assert summary.evidence[0][0] == "Summative assessment (course route)"


@pytest.mark.django_db
def test_an_outcome_not_met_reads_as_not_met(learner, course):
    credential = issue(learner, course, outcomes_met=("LO1",), now=ISSUED_AT)

    report = verify(credential.document)

    assert [line.met for line in report.summary.outcomes] == [True, False]


@pytest.mark.django_db
def test_a_signature_by_another_issuer_names_that_issuer(learner, course):
    credential = issue(learner, course, now=ISSUED_AT)
    forged = signed_by_another_issuer(copy.deepcopy(credential.document))

    report = verify(forged)

    detail = report.check(CHECK_ISSUER).detail
    assert forged["issuer"]["id"] in detail
    assert "not by us" in detail
    assert "not known" in report.check(CHECK_SIGNATURE).detail


@pytest.mark.django_db
def test_a_status_list_that_is_not_ours_is_not_read(learner, course):
    credential = issue(learner, course, now=ISSUED_AT)

    report = verify(status_list_elsewhere(copy.deepcopy(credential.document)))

    assert "https://status.example.net/lists/1" in report.check(CHECK_STATUS).detail
    assert "not one of ours" in report.check(CHECK_STATUS).detail


@pytest.mark.django_db
def test_an_unknown_status_list_of_ours_fails_the_status_check(learner, course):
    credential = issue(learner, course, now=ISSUED_AT)
    document = copy.deepcopy(credential.document)
    entry = document["credentialStatus"]
    entry["statusListCredential"] = services.absolute_url("status-list", pk=999_999)

    report = verify(document)

    assert report.state == VerificationState.INVALID
    assert report.check(CHECK_STATUS).detail == (
        "We publish no status list 999999; we cannot tell its status."
    )


# --- revoked, expired, superseded, retired keys ------------------------------------


@pytest.mark.django_db
def test_a_revoked_credential_is_revoked_with_its_date_and_reason(
    learner, course, registrar
):
    credential = issue(learner, course, now=ISSUED_AT)
    revoke(
        credential,
        reason="Issued in error.",
        at=ISSUED_AT + dt.timedelta(days=3),
        by=registrar,
    )

    report = verify(credential.document, now=ISSUED_AT + dt.timedelta(days=4))

    assert report.state == VerificationState.REVOKED
    assert failed_checks(report) == {CHECK_STATUS}
    assert report.check(CHECK_STATUS).detail == (
        "Revoked on 18 January 2026. Reason: Issued in error."
    )
    assert report.headline == "This credential was revoked on 18 January 2026."


@pytest.mark.django_db
def test_the_status_bit_alone_is_enough_to_tell_a_revocation(learner, course):
    """Someone holding the JSON of a revoked credential: the bit decides."""
    credential = issue(learner, course, now=ISSUED_AT)
    revoke(credential, reason="Fraud.", at=ISSUED_AT)
    Credential.objects.filter(pk=credential.pk).update(status="active")

    report = verify(credential.document)

    assert report.state == VerificationState.REVOKED


@pytest.mark.django_db
def test_a_credential_expires_at_its_valid_until(learner, course):
    achievement = services.achievement_for_course(course)
    achievement.valid_for_months = 12
    achievement.save()
    credential = issue(learner, course, now=ISSUED_AT)
    expiry = dt.datetime(2027, 1, 15, 10, 0, tzinfo=dt.UTC)
    assert credential.valid_until == expiry

    with time_machine.travel(expiry - dt.timedelta(seconds=1), tick=False):
        before = verify(credential.document, now=timezone.now())
    with time_machine.travel(expiry, tick=False):
        after = verify(credential.document, now=timezone.now())

    assert before.state == VerificationState.VALID
    assert before.check(CHECK_EXPIRY).detail == (
        "Valid from 15 January 2026 until 15 January 2027."
    )
    assert after.state == VerificationState.EXPIRED
    assert failed_checks(after) == {CHECK_EXPIRY}
    assert after.check(CHECK_EXPIRY).detail == "Expired on 15 January 2027."
    assert after.headline == (
        "This credential is genuine but expired on 15 January 2027."
    )


@pytest.mark.django_db
def test_a_revoked_credential_that_also_expired_reads_as_revoked(learner, course):
    achievement = services.achievement_for_course(course)
    achievement.valid_for_months = 1
    achievement.save()
    credential = issue(learner, course, now=ISSUED_AT)
    revoke(credential, reason="Misconduct.", at=ISSUED_AT)

    report = verify(credential.document, now=ISSUED_AT + dt.timedelta(days=90))

    assert report.state == VerificationState.REVOKED
    assert failed_checks(report) == {CHECK_STATUS, CHECK_EXPIRY}


@pytest.mark.django_db
def test_a_credential_is_not_valid_before_its_valid_from(learner, course):
    credential = issue(learner, course, now=ISSUED_AT)

    report = verify(credential.document, now=ISSUED_AT - dt.timedelta(days=1))

    assert report.state == VerificationState.INVALID
    assert report.check(CHECK_EXPIRY).detail == (
        "Not valid yet: it is valid from 15 January 2026."
    )


@pytest.mark.django_db
def test_a_superseded_credential_points_to_its_replacement(learner, course):
    credential = issue(learner, course, now=ISSUED_AT)
    replacement = supersede(
        credential, new_name="Ada King", now=ISSUED_AT + dt.timedelta(days=2)
    )

    old = verify(credential.document)
    new = verify(replacement.document)

    assert old.state == VerificationState.SUPERSEDED
    assert failed_checks(old) == {CHECK_STATUS, CHECK_CURRENT_VERSION}
    assert old.check(CHECK_STATUS).detail == (
        "Withdrawn: its entry in our status list is set because a corrected "
        "credential replaced it."
    )
    assert old.replacement == replacement
    code = replacement.verification_code
    assert f"{code[:4]}-{code[4:8]}-{code[8:]}" in (
        old.check(CHECK_CURRENT_VERSION).detail
    )
    assert new.state == VerificationState.VALID
    assert new.replacement is None


@pytest.mark.django_db
def test_a_credential_we_have_no_record_of_is_not_valid(learner, course):
    credential = issue(learner, course, now=ISSUED_AT)
    document = credential.document
    Credential.objects.filter(pk=credential.pk).delete()

    report = verify(document)

    assert report.state == VerificationState.INVALID
    assert failed_checks(report) == {CHECK_CURRENT_VERSION}
    assert report.check(CHECK_CURRENT_VERSION).detail == (
        "We have no record of a credential with this id."
    )


@pytest.mark.django_db
def test_a_credential_signed_by_a_retired_key_still_verifies(learner, course):
    credential = issue(learner, course, now=ISSUED_AT)
    old_key = credential.signing_key.key_id
    services.signing_key_rotate(now=ISSUED_AT + dt.timedelta(hours=1))

    report = verify(credential.document)

    assert report.state == VerificationState.VALID
    assert old_key in report.check(CHECK_ISSUER).detail
    assert "retired" in report.check(CHECK_ISSUER).detail


@pytest.mark.django_db
def test_did_web_credentials_and_older_did_key_ones_both_verify(
    learner, other_learner, course, settings
):
    before = issue(learner, course, now=ISSUED_AT)
    settings.CREDENTIALS_DID_WEB_DOMAIN = "learn.example.edu"
    after = issue(other_learner, course, now=ISSUED_AT)

    assert after.document["issuer"]["id"] == "did:web:learn.example.edu"
    assert before.document["issuer"]["id"].startswith("did:key:")
    assert verify(before.document).state == VerificationState.VALID
    assert verify(after.document).state == VerificationState.VALID


@pytest.mark.django_db
def test_a_did_web_credential_fails_once_the_domain_is_no_longer_ours(
    learner, course, settings
):
    settings.CREDENTIALS_DID_WEB_DOMAIN = "learn.example.edu"
    credential = issue(learner, course, now=ISSUED_AT)
    settings.CREDENTIALS_DID_WEB_DOMAIN = ""

    report = verify(credential.document)

    assert report.state == VerificationState.INVALID
    assert {CHECK_SIGNATURE, CHECK_ISSUER} <= failed_checks(report)


# --- format ------------------------------------------------------------------------


def minimal(**changes):
    document = {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": "did:key:z6Mkexample"},
        "credentialSubject": {"achievement": {"name": "Something"}},
    }
    document.update(changes)
    return {key: value for key, value in document.items() if value is not None}


@pytest.mark.parametrize(
    ("document", "detail"),
    [
        ([], "The file holds JSON, but not a JSON object."),
        ("a credential", "The file holds JSON, but not a JSON object."),
        (
            {},
            "This is not a W3C Verifiable Credential 2.0: its @context does not "
            "start with https://www.w3.org/ns/credentials/v2.",
        ),
        (
            minimal(**{"@context": ["https://www.w3.org/ns/credentials/v2"]}),
            "This credential does not use the Open Badges 3.0 context.",
        ),
        (
            minimal(type=["VerifiableCredential"]),
            "This is not an Open Badges 3.0 credential: its type is "
            "VerifiableCredential, not OpenBadgeCredential.",
        ),
        (
            minimal(type=None),
            "This is not an Open Badges 3.0 credential: its type is missing, not "
            "OpenBadgeCredential.",
        ),
        (minimal(issuer=None), "The credential names no issuer."),
        (minimal(issuer={"name": "x"}), "The credential names no issuer."),
        (minimal(credentialSubject=[]), "The credential names no achievement."),
    ],
)
def test_something_that_is_not_an_open_badge_fails_the_format_check_only(
    document, detail
):
    """No database: nothing else is looked at."""
    report = verification.verify_credential_document(document, now=ISSUED_AT)

    assert report.state == VerificationState.INVALID
    assert report.check(CHECK_FORMAT).detail == detail
    assert [check.name for check in report.checks] == list(CHECK_NAMES)
    assert all(not check.passed for check in report.checks)
    assert report.check(CHECK_SIGNATURE).detail == (
        "Not checked: the file is not an Open Badges 3.0 credential."
    )
    assert report.summary is None


@pytest.mark.django_db
def test_a_well_formed_credential_of_a_stranger_fails_without_an_error():
    report = verify(minimal(proof={"type": "DataIntegrityProof"}))

    assert report.state == VerificationState.INVALID
    assert report.check(CHECK_FORMAT).passed
    assert not report.check(CHECK_SIGNATURE).passed
    assert not report.check(CHECK_STATUS).passed


# --- uploads -----------------------------------------------------------------------


def badge_png() -> bytes:
    return badge_image.render_badge_png("Data Analysis", "DATA-101", "data-101", 120)


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("empty.json", b"", "This file is empty."),
        (
            "big.json",
            b" " * (verification.MAX_UPLOAD_BYTES + 1),
            "This file is larger than 2 MB; a credential is much smaller.",
        ),
        ("notes.txt", b"hello", "Upload a credential as a .json file or a baked"),
        ("broken.json", b'{"a": ', "This file is not valid JSON (line 1, column 7)."),
        ("nan.json", b'{"a": NaN}', "This file is not valid JSON"),
        ("latin1.json", b'{"a": "\xe9"}', "This file is not text in UTF-8"),
        ("deep.json", b"[" * 100_000, "This JSON is nested too deeply"),
        ("photo.png", b"GIF89a....", "This file is named .png but is not a PNG image."),
    ],
)
def test_a_file_that_holds_no_readable_credential_is_refused_in_plain_words(
    name, data, message
):
    with pytest.raises(UploadRefused) as refused:
        verification.credential_from_upload(name, data)

    assert refused.value.message.startswith(message)


def test_a_png_without_a_credential_is_refused():
    with pytest.raises(UploadRefused, match="This image holds no credential"):
        verification.credential_from_upload("badge.png", badge_png())


def test_a_png_with_an_open_badges_2_assertion_is_explained():
    baked = baking.bake_ob2(badge_png(), "https://example.org/assertions/1")

    with pytest.raises(UploadRefused, match="Open Badges 2.0 badge"):
        verification.credential_from_upload("badge.png", baked)


def test_a_png_whose_credential_is_not_json_is_refused():
    baked = baking.bake_text(badge_png(), keyword="openbadgecredential", text="ey.J")

    with pytest.raises(UploadRefused, match="not JSON"):
        verification.credential_from_upload("badge.png", baked)


def test_json_is_read_whatever_the_file_is_called():
    assert verification.credential_from_upload("credential", b' {"a": 1}') == {"a": 1}
    assert verification.credential_from_upload("c.json", b"\xef\xbb\xbf[]") == []


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["json", "png"])
def test_an_uploaded_credential_is_verified(learner, course, kind):
    credential = issue(learner, course, now=ISSUED_AT)
    if kind == "json":
        data = json.dumps(credential.document).encode()
    else:
        data = baking.bake(badge_png(), credential.document)
    upload = SimpleUploadedFile(f"credential.{kind}", data)

    report = verification.verify_upload(upload, now=ISSUED_AT + dt.timedelta(days=1))

    assert report.state == VerificationState.VALID
    assert report.credential == credential


@pytest.mark.django_db
def test_an_uploaded_tampered_png_fails_its_signature(learner, course):
    credential = issue(learner, course, now=ISSUED_AT)
    data = baking.bake(badge_png(), one_character_changed(credential.document))

    report = verification.verify_upload(
        SimpleUploadedFile("badge.png", data), now=ISSUED_AT
    )

    assert report.state == VerificationState.INVALID
    assert failed_checks(report) == {CHECK_SIGNATURE}


def test_an_upload_larger_than_the_limit_is_refused_before_reading():
    upload = SimpleUploadedFile("big.json", b"{" + b" " * verification.MAX_UPLOAD_BYTES)

    with pytest.raises(UploadRefused, match="larger than 2 MB"):
        verification.verify_upload(upload, now=ISSUED_AT)


# --- whatever a stranger sends, the answer is a report, never an error --------------

JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=8,
)
PATHS = [
    ("credentialStatus",),
    ("credentialStatus", "statusListIndex"),
    ("credentialStatus", "statusListCredential"),
    ("credentialStatus", "type"),
    ("credentialSubject", "result"),
    ("credentialSubject", "achievement", "resultDescription"),
    ("credentialSubject", "achievement", "criteria"),
    ("evidence",),
    ("issuer",),
    ("issuer", "id"),
    ("proof",),
    ("proof", "verificationMethod"),
    ("proof", "proofValue"),
    ("validFrom",),
    ("validUntil",),
    ("awardedDate",),
    ("id",),
    ("type",),
]


@pytest.fixture
def signed_document(learner, course):
    return issue(learner, course, now=ISSUED_AT).document


@pytest.mark.django_db
@hypothesis_settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(path=st.sampled_from(PATHS), value=JSON_VALUES)
def test_any_value_anywhere_gives_a_report_not_an_error(signed_document, path, value):
    document = copy.deepcopy(signed_document)
    target = document
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value

    report = verify(document)

    assert report.state in VerificationState
    assert [check.name for check in report.checks] == list(CHECK_NAMES)
    if value != signed_document_value(signed_document, path):
        assert report.state == VerificationState.INVALID


def signed_document_value(document, path):
    for key in path:
        document = document.get(key) if isinstance(document, dict) else None
    return document
