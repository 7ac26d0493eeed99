"""Every credential a test issues is verified by verifiers we did not write.

After each test that uses the database, the credentials in that test's
database state are collected (before the test's transaction is rolled back),
with the status lists and, for a did:web issuer, the DID document they need.
Credentials that fail our own proof check are left out: a test tampered with
them on purpose. At the end of the session every collected credential goes
through the Digital Bazaar JavaScript stack (one Node process) and openbadgeslib;
any disagreement with our own verdict (signature, issuer, revocation status)
fails the session with a report naming the test.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import time_machine

DB_FIXTURES = {"db", "transactional_db", "django_db_reset_sequences"}
CHUNK = 50


@dataclass(frozen=True)
class Issued:
    test: str
    credential_id: str
    document: dict[str, Any]
    documents: dict[str, Any]
    revoked: bool
    public_key_pem: bytes
    status_signed_from: str


_issued: list[Issued] = []


def _uses_database(item: pytest.Item) -> bool:
    return item.get_closest_marker("django_db") is not None or bool(
        DB_FIXTURES & set(getattr(item, "fixturenames", ()))
    )


def _collect(test: str) -> None:
    from cryptography.hazmat.primitives.serialization import (
        Encoding,
        PublicFormat,
    )

    from credentials import identity, multikey, proofs, statuslist
    from credentials.models import Credential, SigningKey, StatusList

    credentials = list(Credential.objects.select_related("signing_key"))
    if not credentials:
        return
    keys = list(SigningKey.objects.all())
    lists = {sl.pk: sl for sl in StatusList.objects.filter(document__isnull=False)}
    shared: dict[str, Any] = {sl.document["id"]: sl.document for sl in lists.values()}
    if identity.did_web_domain():
        shared[identity.did_web()] = identity.did_web_document(keys)
    for credential in credentials:
        document = credential.document
        ours = proofs.verify_proof(
            document,
            public_key_for=lambda method: identity.verification_method_for(
                method, keys
            ),
        )
        status_list = lists.get(credential.status_list_id)
        if not ours.verified or status_list is None:
            continue  # tampered on purpose by the test, or no list yet
        bits = statuslist.Bitstring.from_bytes(bytes(status_list.bits))
        public = multikey.public_key_from_multibase(
            credential.signing_key.public_key_multibase
        )
        _issued.append(
            Issued(
                test=test,
                credential_id=str(credential.pk),
                document=document,
                documents=shared,
                revoked=bits.get(credential.status_index),
                status_signed_from=status_list.document["validFrom"],
                public_key_pem=public.public_bytes(
                    Encoding.PEM, PublicFormat.SubjectPublicKeyInfo
                ),
            )
        )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    outcome = yield
    if outcome.excinfo is None and _uses_database(item):
        _collect(item.nodeid)


def _moment(issued: Issued) -> dt.datetime:
    """When to verify: one second into the validity period. Tests issue with
    their own clock (a renewal a year ahead, a credential that later expired);
    expiry is our verifier's business, tested on its own."""
    valid_from = dt.datetime.fromisoformat(issued.document["validFrom"])
    return valid_from + dt.timedelta(seconds=1)


def _status_checkable(issued: Issued) -> bool:
    """Whether Digital Bazaar can check the status: it verifies the status list
    credential against the real clock (its API takes no ``now``), so a list a
    test signed in the future cannot be checked."""
    signed_from = dt.datetime.fromisoformat(issued.status_signed_from)
    return signed_from <= dt.datetime.now(dt.UTC)


def _javascript_problems() -> list[str]:
    from tests.credentials.js_verifier import verify_many_with_digitalbazaar

    problems = []
    for start in range(0, len(_issued), CHUNK):
        chunk = _issued[start : start + CHUNK]
        results = verify_many_with_digitalbazaar(
            [(issued.document, issued.documents) for issued in chunk],
            now=[_moment(issued).isoformat() for issued in chunk],
        )
        for issued, result in zip(chunk, results, strict=True):
            status_checkable = _status_checkable(issued)
            status = result.get("status") or {}
            if not (result.get("signature_ok") and result.get("issuer_ok")):
                problems.append(
                    f"{issued.test}: Digital Bazaar rejects credential "
                    f"{issued.credential_id}: {result.get('errors')}"
                )
            elif status_checkable and status.get("revoked") is not issued.revoked:
                problems.append(
                    f"{issued.test}: Digital Bazaar reads revoked="
                    f"{status.get('revoked')} for credential {issued.credential_id}"
                    f" (our status list says {issued.revoked}): {result.get('errors')}"
                )
    return problems


def _openbadgeslib_problems() -> list[str]:
    from openbadgeslib.ob3.ldp import OB3LdpVerifier

    problems = []
    for issued in _issued:
        issuer = issued.document["issuer"]["id"]
        verifier = (
            OB3LdpVerifier.for_issuer_did(issuer)
            if issuer.startswith("did:key:")
            else OB3LdpVerifier(pubkey_pem=issued.public_key_pem)
        )
        try:
            with time_machine.travel(_moment(issued), tick=False):
                verifier.verify(issued.document)
        except Exception as error:  # noqa: BLE001 - report any rejection
            problems.append(
                f"{issued.test}: openbadgeslib rejects credential "
                f"{issued.credential_id}: {error}"
            )
    return problems


# --- reporting, with or without pytest-xdist -----------------------------------
# Under xdist each worker verifies what its tests issued and writes its problems
# to a shared folder; the controller reads them all and fails the session.

REPORT_DIR_VARIABLE = "MICROCRED_ISSUED_CREDENTIALS_DIR"


def _is_worker(config) -> bool:
    return hasattr(config, "workerinput")


def pytest_configure(config):
    if not _is_worker(config) and REPORT_DIR_VARIABLE not in os.environ:
        os.environ[REPORT_DIR_VARIABLE] = tempfile.mkdtemp(prefix="issued-")


def _report(session, checked: int, problems: list[str]) -> None:
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None and checked:
        reporter.write_sep(
            "=",
            f"third-party verifiers checked {checked} credentials issued by "
            f"tests: {len(problems)} problem(s)",
        )
        for problem in problems:
            reporter.write_line(problem)
    if problems:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_sessionfinish(session, exitstatus):
    problems = (_javascript_problems() + _openbadgeslib_problems()) if _issued else []
    folder = Path(os.environ[REPORT_DIR_VARIABLE])
    if _is_worker(session.config):
        worker = session.config.workerinput["workerid"]
        (folder / f"{worker}.json").write_text(
            json.dumps({"checked": len(_issued), "problems": problems})
        )
        return
    checked = len(_issued)
    for report in sorted(folder.glob("*.json")):
        found = json.loads(report.read_text())
        checked += found["checked"]
        problems += found["problems"]
    shutil.rmtree(folder, ignore_errors=True)
    _report(session, checked, problems)
