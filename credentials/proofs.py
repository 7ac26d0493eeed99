"""Data Integrity proofs with the ``eddsa-rdfc-2022`` cryptosuite.

W3C "Data Integrity EdDSA Cryptosuites v1.0", section 3.3, as Open Badges 3.0
uses it. To sign a credential:

1. canonicalise the credential (without ``proof``) with RDFC-1.0 (pyld calls
   it URDNA2015; the output is the same) into N-Quads;
2. canonicalise the *proof configuration* -- the proof's ``type``,
   ``cryptosuite``, ``created``, ``verificationMethod`` and ``proofPurpose``,
   under the credential's own ``@context`` -- the same way;
3. hash both with SHA-256 and sign ``hash(proof config) + hash(credential)``
   (proof first) with the issuer's Ed25519 key;
4. the proof's ``proofValue`` is ``z`` + base58btc of the 64-byte signature.

Verification recomputes the same bytes. Every context comes from the
vendored, pinned set (:mod:`credentials.jsonld`); nothing is fetched.

Before signing we refuse what would make a signature that other verifiers
disagree with (the "traps", each with a test):

- text holding a control character other than tab, line feed and carriage
  return (``\\b``, ``\\f``, the rest of U+0000-U+001F, and U+007F): pyld and the
  JavaScript canonicaliser escape them differently, so the signed bytes
  differ. Builders clean text with :func:`strip_control_characters`;
- a field or type the contexts do not define: pyld drops an undefined field
  from what is signed without a word (and resolves an undefined type against
  a made-up base IRI), and a verifier in safe mode then rejects the whole
  credential. The error names the term and where it is;
- a date-time (``validFrom``, ``validUntil``, ``awardedDate``...) without a
  time of day and a time zone;
- a verification method that is not a ``Multikey`` controlled by the issuer,
  or whose key is not the signing key.

No ORM, no settings, no clock (``created`` is a parameter).
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.utils.translation import gettext as _
from pyld import jsonld
from pyld.canon import URDNA2015

from credentials.errors import (
    ContextError,
    ControlCharacterError,
    DateTimeError,
    MultikeyError,
    SigningRefused,
    UndefinedTermError,
    VerificationMethodError,
)
from credentials.jsonld import VC_V2, ContextLoader, default_loader
from credentials.multikey import (
    MULTIBASE_BASE58BTC,
    MULTIKEY,
    base58btc_decode,
    base58btc_encode,
    public_key_from_multibase,
    public_key_to_multibase,
)

PROOF_TYPE = "DataIntegrityProof"
CRYPTOSUITE = "eddsa-rdfc-2022"
PROOF_PURPOSE = "assertionMethod"

#: Top-level fields that are ``xsd:dateTime`` in VC 1.1, VC 2.0 and OB 3.0.
DATE_TIME_FIELDS = (
    "validFrom",
    "validUntil",
    "issuanceDate",
    "expirationDate",
    "awardedDate",
)

# Check names of a verification, in the order they run.
CHECK_PROOF = "proof"
CHECK_VERIFICATION_METHOD = "verification_method"
CHECK_TERMS = "terms"
CHECK_SIGNATURE = "signature"

# What canonicalisers disagree on: C0 controls but tab, LF and CR, and DEL.
_CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_ZONED_DATE_TIME = re.compile(
    r"-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})\Z"
)
# Vocabularies that mean "no context defines this term" (VC 2.0).
_UNDEFINED_TERM_VOCABULARIES = (
    "https://www.w3.org/ns/credentials/issuer-dependent#",
    "https://www.w3.org/ns/credentials/undefined-term#",
)
_CANONICAL_OPTIONS = {"algorithm": "URDNA2015", "format": "application/n-quads"}
# What pyld's ``normalize`` passes to ``to_rdf`` for RDFC-1.0 (its defaults).
_TO_RDF_OPTIONS = {
    "algorithm": "URDNA2015",
    "base": "",
    "extractAllScripts": True,
    "processingMode": "json-ld-1.1",
    "produceGeneralizedRdf": False,
}


# --- Text -----------------------------------------------------------------


def strip_control_characters(text: str) -> str:
    """``text`` without the control characters canonicalisers disagree on.

    Keeps tab, line feed and carriage return; removes the other characters of
    U+0000-U+001F and U+007F. For builders of credential documents.
    """
    return _CONTROL_CHARACTERS.sub("", text)


def _walk_strings(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """Every string in a JSON value (keys too), with a dotted path to it."""
    if isinstance(value, str):
        yield path or "$", value
    elif isinstance(value, Mapping):
        for key, item in value.items():
            child = f"{path}.{key}" if path else str(key)
            yield child, str(key)
            yield from _walk_strings(item, child)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk_strings(item, f"{path}[{index}]")


def check_control_characters(document: Mapping[str, Any]) -> None:
    """Refuse a document holding a control character canonicalisers disagree on."""
    for path, text in _walk_strings(document):
        found = _CONTROL_CHARACTERS.search(text)
        if found:
            character = found.group()
            raise ControlCharacterError(
                _(
                    "The text at %(path)s holds the control character U+%(code)04X; "
                    "remove it before signing (canonicalisers disagree on it)."
                )
                % {"path": path, "code": ord(character)},
                path=path,
                character=character,
            )


# --- Dates ----------------------------------------------------------------


def format_date_time(value: dt.datetime) -> str:
    """An aware datetime as XSD ``dateTime`` in UTC, to the second: ``...Z``."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise DateTimeError(
            _("A date-time to sign must carry a time zone."),
            field="created",
            value=value,
        )
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def check_date_times(document: Mapping[str, Any]) -> None:
    """Refuse a top-level date-time without a time of day and a time zone.

    A VC 2.0 credential (Open Badges 3.0) must have a ``validFrom``.
    """
    contexts = document.get("@context")
    if isinstance(contexts, list) and VC_V2 in contexts and "validFrom" not in document:
        raise DateTimeError(
            _("An Open Badges 3.0 credential needs validFrom."),
            field="validFrom",
            value=None,
        )
    for field in DATE_TIME_FIELDS:
        if field in document:
            value = document[field]
            if not isinstance(value, str) or not _ZONED_DATE_TIME.match(value):
                raise DateTimeError(
                    _(
                        "%(field)s must be a date and time with a time zone, such "
                        "as 2025-01-31T09:00:00Z; found %(value)r."
                    )
                    % {"field": field, "value": value},
                    field=field,
                    value=value,
                )


# --- JSON-LD --------------------------------------------------------------


def _pyld_failure(exc: Exception) -> Exception:
    """Our own error behind a pyld error (e.g. a context we do not vendor)."""
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, ContextError):
            return cause
        cause = cause.__cause__
    return SigningRefused(
        _("The document is not valid JSON-LD: %(error)s") % {"error": str(exc)[:300]}
    )


def _issuer_id(document: Mapping[str, Any]) -> Any:
    issuer = document.get("issuer")
    return issuer.get("id") if isinstance(issuer, Mapping) else issuer


def _paths_of(document: Any, names: set[str], path: str = "") -> Iterator[str]:
    """Where the keys, or the ``type`` values, named in ``names`` appear."""
    if isinstance(document, Mapping):
        for key, value in document.items():
            child = f"{path}.{key}" if path else str(key)
            if key == "@context":
                continue
            if key in names:
                yield child
            if key in ("type", "@type"):
                types = value if isinstance(value, list) else [value]
                for index, item in enumerate(types):
                    if isinstance(item, str) and item in names:
                        yield f"{child}[{index}]" if isinstance(value, list) else child
            yield from _paths_of(value, names, child)
    elif isinstance(document, list):
        for index, item in enumerate(document):
            yield from _paths_of(item, names, f"{path}[{index}]")


def _scan_expanded(value: Any, undefined: set[str], relative_ids: set[str]) -> None:
    """Collect what expansion turned into made-up IRIs (see module docstring)."""
    base = jsonld.DEFAULT_BASE_IRI
    if isinstance(value, list):
        for item in value:
            _scan_expanded(item, undefined, relative_ids)
        return
    if not isinstance(value, dict):
        return
    for key, item in value.items():
        if key.startswith(_UNDEFINED_TERM_VOCABULARIES):
            undefined.add(key.split("#", 1)[1])
        if key == "@type" and "@value" not in value:
            for type_iri in item if isinstance(item, list) else [item]:
                if type_iri.startswith(base):
                    undefined.add(type_iri.removeprefix(base))
                elif type_iri.startswith(_UNDEFINED_TERM_VOCABULARIES):
                    undefined.add(type_iri.split("#", 1)[1])
        elif key == "@id" and isinstance(item, str) and item.startswith(base):
            relative_ids.add(item.removeprefix(base))
        elif key != "@value":
            _scan_expanded(item, undefined, relative_ids)


def _refuse_undefined(
    document: Mapping[str, Any], expanded: Any, dropped: set[str]
) -> None:
    """Raise if expansion dropped or invented anything (see module docstring)."""
    undefined = set(dropped)
    relative_ids: set[str] = set()
    _scan_expanded(expanded, undefined, relative_ids)
    if undefined:
        terms = sorted(undefined)
        paths = sorted(set(_paths_of(document, undefined)))
        raise UndefinedTermError(
            _(
                "The contexts do not define %(terms)s (at %(paths)s), so it would "
                "not be signed as written. Remove it or use a defined term."
            )
            % {
                "terms": ", ".join(repr(term) for term in terms),
                "paths": ", ".join(paths) or "?",
            },
            terms=terms,
            paths=paths,
        )
    if relative_ids:
        raise SigningRefused(
            _("These ids are not absolute IRIs: %(ids)s.")
            % {"ids": ", ".join(sorted(relative_ids))}
        )


def rdf_dataset(
    document: Mapping[str, Any],
    *,
    loader: ContextLoader | None = None,
    require_defined: bool = True,
) -> dict[str, list[dict[str, Any]]]:
    """The RDF dataset of a JSON-LD document, before canonicalisation.

    pyld's ``to_rdf`` output, as its ``normalize`` builds it: graph name to a
    list of quads, each term a dict with ``type`` and ``value``. With
    ``require_defined`` (the default) a field or type the contexts do not
    define raises :class:`UndefinedTermError` naming it and where it is, and
    a relative ``id`` raises :class:`SigningRefused`, instead of being
    silently left out. One expansion serves both.
    """
    loader = loader or default_loader()
    dropped: set[str] = set()

    def on_dropped(term: str | None) -> None:
        dropped.add(term if term is not None else "null")

    processor = loader.processor(on_property_dropped=on_dropped)
    try:
        dataset = processor.to_rdf(
            dict(document), {**_TO_RDF_OPTIONS, **loader.options()}
        )
    except (jsonld.JsonLdError, ValueError, TypeError) as exc:
        # pyld raises plain ValueError/TypeError for some malformed input.
        raise _pyld_failure(exc) from exc
    if require_defined:
        _refuse_undefined(document, processor.expanded, dropped)
    return dataset


def canonicalize_dataset(dataset: dict[str, list[dict[str, Any]]]) -> str:
    """RDFC-1.0 canonical N-Quads of a dataset from :func:`rdf_dataset`.

    The dataset is used up: pyld relabels its blank nodes in place.
    """
    return URDNA2015().main(dataset, _CANONICAL_OPTIONS)


def canonicalize(
    document: Mapping[str, Any],
    *,
    loader: ContextLoader | None = None,
    require_defined: bool = True,
) -> str:
    """RDFC-1.0 canonical N-Quads of a JSON-LD document.

    Raises as :func:`rdf_dataset` does for what would not be signed as
    written.
    """
    return canonicalize_dataset(
        rdf_dataset(document, loader=loader, require_defined=require_defined)
    )


# --- Proofs ---------------------------------------------------------------


def proof_configuration(
    document: Mapping[str, Any],
    *,
    verification_method_id: str,
    created: str,
) -> dict[str, Any]:
    """The proof options to sign, in the credential's ``@context``."""
    return {
        "@context": copy.deepcopy(document["@context"]),
        "type": PROOF_TYPE,
        "created": created,
        "verificationMethod": verification_method_id,
        "cryptosuite": CRYPTOSUITE,
        "proofPurpose": PROOF_PURPOSE,
    }


def hash_data(canonical_proof_configuration: str, canonical_document: str) -> bytes:
    """SHA-256 of the proof configuration, then SHA-256 of the document."""
    return (
        hashlib.sha256(canonical_proof_configuration.encode("utf-8")).digest()
        + hashlib.sha256(canonical_document.encode("utf-8")).digest()
    )


def check_verification_method(
    method: Mapping[str, Any] | None,
    *,
    issuer_id: Any,
    verification_method_id: str | None = None,
) -> None:
    """Refuse a method that is not a Multikey controlled by the issuer.

    The method's id must be the one the proof names (when given) and sit
    under the issuer's id (``<issuer>#...``).
    """
    if not isinstance(method, Mapping):
        raise VerificationMethodError(
            _("The verification method %(id)s is not known.")
            % {"id": verification_method_id}
        )
    method_id = method.get("id")
    if verification_method_id is not None and method_id != verification_method_id:
        raise VerificationMethodError(
            _("The verification method found is %(found)s, not %(id)s.")
            % {"found": method_id, "id": verification_method_id}
        )
    if method.get("type") != MULTIKEY:
        raise VerificationMethodError(
            _("The verification method %(id)s is a %(type)s, not a Multikey.")
            % {"id": method_id, "type": method.get("type")}
        )
    controller = method.get("controller")
    if not isinstance(issuer_id, str) or controller != issuer_id:
        raise VerificationMethodError(
            _(
                "The verification method %(id)s is controlled by %(controller)s, "
                "not by the issuer %(issuer)s."
            )
            % {"id": method_id, "controller": controller, "issuer": issuer_id}
        )
    if not isinstance(method_id, str) or not method_id.startswith(f"{issuer_id}#"):
        raise VerificationMethodError(
            _("The verification method %(id)s is not one of %(issuer)s's.")
            % {"id": method_id, "issuer": issuer_id}
        )


class Signer:
    """Signs credentials with one issuer key, one verification method and one
    ``created`` time: what a batch of credentials shares.

    ``verification_method`` is the issuer's Multikey as its DID document
    lists it (``id``, ``type``, ``controller``, ``publicKeyMultibase``); it
    must hold the public half of ``private_key`` (checked here, once) and be
    controlled by each document's issuer (checked for each). ``created`` is
    an aware datetime, written in UTC to the second. The canonical proof
    configuration depends only on these and the document's ``@context``, so
    it is canonicalised once per ``@context`` rather than once per credential.
    """

    def __init__(
        self,
        *,
        private_key: Ed25519PrivateKey,
        verification_method: Mapping[str, Any],
        created: dt.datetime,
        loader: ContextLoader | None = None,
    ) -> None:
        expected = public_key_to_multibase(private_key.public_key())
        if verification_method.get("publicKeyMultibase") != expected:
            raise VerificationMethodError(
                _("The verification method %(id)s does not hold the signing key.")
                % {"id": verification_method.get("id")}
            )
        self._private_key = private_key
        self._method = verification_method
        self._created = format_date_time(created)
        self._loader = loader or default_loader()
        self._configs: dict[tuple[str, ...], str] = {}

    def _canonical_configuration(self, config: dict[str, Any]) -> str:
        contexts = config["@context"]
        key = tuple(contexts) if isinstance(contexts, list) else (contexts,)
        if not all(isinstance(context, str) for context in key):
            return canonicalize(config, loader=self._loader)  # an inline context
        if key not in self._configs:
            self._configs[key] = canonicalize(config, loader=self._loader)
        return self._configs[key]

    def sign(
        self, document: Mapping[str, Any], *, canonical_document: str | None = None
    ) -> dict[str, Any]:
        """A copy of ``document`` with an embedded ``eddsa-rdfc-2022`` proof.

        ``canonical_document`` is the RDFC-1.0 N-Quads of ``document`` when
        the caller already has them (:mod:`credentials.shapes` makes them for
        a batch); otherwise they are computed here. Raises a
        :class:`SigningRefused` subclass and signs nothing when the document
        falls into one of the traps the module docstring lists.
        """
        if "proof" in document:
            raise SigningRefused(_("The document already carries a proof."))
        check_verification_method(self._method, issuer_id=_issuer_id(document))
        check_control_characters(document)
        check_date_times(document)
        if canonical_document is None:
            canonical_document = canonicalize(document, loader=self._loader)
        config = proof_configuration(
            document,
            verification_method_id=self._method["id"],
            created=self._created,
        )
        data = hash_data(self._canonical_configuration(config), canonical_document)
        proof = {key: value for key, value in config.items() if key != "@context"}
        signature = self._private_key.sign(data)
        proof["proofValue"] = MULTIBASE_BASE58BTC + base58btc_encode(signature)
        return {**copy.deepcopy(dict(document)), "proof": proof}


def sign_credential(
    document: Mapping[str, Any],
    *,
    private_key: Ed25519PrivateKey,
    verification_method: Mapping[str, Any],
    created: dt.datetime,
    loader: ContextLoader | None = None,
) -> dict[str, Any]:
    """A copy of ``document`` with an embedded ``eddsa-rdfc-2022`` proof.

    One credential through :class:`Signer` (which says what is checked);
    for many with one key, make one :class:`Signer`.
    """
    signer = Signer(
        private_key=private_key,
        verification_method=verification_method,
        created=created,
        loader=loader,
    )
    return signer.sign(document)


@dataclass(frozen=True)
class Check:
    """One named step of a verification and what it found."""

    name: str
    passed: bool
    detail: str = ""


@dataclass(frozen=True)
class ProofVerification:
    """The outcome of :func:`verify_proof`: every check, named, in order."""

    checks: tuple[Check, ...]
    verification_method: str | None = None

    @property
    def verified(self) -> bool:
        """True when every check ran and passed."""
        return bool(self.checks) and all(check.passed for check in self.checks)

    def check(self, name: str) -> Check:
        """The check called ``name``."""
        return next(check for check in self.checks if check.name == name)


def _single_proof(document: Mapping[str, Any]) -> Mapping[str, Any]:
    """The one eddsa-rdfc-2022 DataIntegrityProof; raises SigningRefused."""
    raw = document.get("proof")
    proofs = raw if isinstance(raw, list) else [raw] if raw is not None else []
    ours = [
        proof
        for proof in proofs
        if isinstance(proof, Mapping)
        and proof.get("type") == PROOF_TYPE
        and proof.get("cryptosuite") == CRYPTOSUITE
    ]
    if len(ours) != 1:
        raise SigningRefused(
            _("The document carries %(count)d eddsa-rdfc-2022 proofs; expected one.")
            % {"count": len(ours)}
        )
    proof = ours[0]
    if proof.get("proofPurpose") != PROOF_PURPOSE:
        raise SigningRefused(
            _("The proof's purpose is %(purpose)r, not assertionMethod.")
            % {"purpose": proof.get("proofPurpose")}
        )
    if not isinstance(proof.get("verificationMethod"), str):
        raise SigningRefused(_("The proof names no verification method."))
    context = proof.get("@context")
    if context is not None:
        # The document's @context must start with the proof's, in order.
        proof_context = context if isinstance(context, list) else [context]
        doc_context = document.get("@context")
        doc_context = doc_context if isinstance(doc_context, list) else [doc_context]
        if doc_context[: len(proof_context)] != proof_context:
            raise SigningRefused(
                _("The proof's @context does not match the document's.")
            )
    return proof


def _signature(proof: Mapping[str, Any]) -> bytes:
    value = proof.get("proofValue")
    if not isinstance(value, str) or not value.startswith(MULTIBASE_BASE58BTC):
        raise SigningRefused(_("The proof value is not base58btc multibase."))
    try:
        signature = base58btc_decode(value[1:])
    except MultikeyError as exc:
        raise SigningRefused(str(exc)) from exc
    if len(signature) != 64:
        raise SigningRefused(_("The proof value is not a 64-byte signature."))
    return signature


def verify_proof(
    document: Mapping[str, Any],
    *,
    public_key_for: Callable[[str], Mapping[str, Any] | None],
    loader: ContextLoader | None = None,
) -> ProofVerification:
    """Verify the ``eddsa-rdfc-2022`` proof of a credential, check by check.

    ``public_key_for(verification_method_id)`` returns the Multikey
    verification method that id names, as the issuer publishes it (for a
    did:key issuer, :func:`credentials.multikey.resolve_did_key`; for
    did:web, the method from our own DID document), or None when unknown.
    The checks, each named in the result: ``proof`` (one proof of this
    cryptosuite, for assertion, with a well-formed value),
    ``verification_method`` (a Multikey controlled by the issuer),
    ``terms`` (every field defined by the pinned contexts) and ``signature``.
    A check that cannot run because an earlier one failed fails too.
    Status and expiry are not checked here.
    """
    loader = loader or default_loader()
    checks: list[Check] = []

    def failed_from(name: str, reason: str) -> ProofVerification:
        names = [
            CHECK_PROOF,
            CHECK_VERIFICATION_METHOD,
            CHECK_TERMS,
            CHECK_SIGNATURE,
        ]
        for later in names[names.index(name) :]:
            detail = (
                reason
                if later == name
                else _("Not checked: %(n)s failed.") % {"n": name}
            )
            checks.append(Check(later, False, detail))
        return ProofVerification(tuple(checks), method_id)

    method_id: str | None = None
    if not isinstance(document, Mapping):
        return failed_from(CHECK_PROOF, _("The credential is not a JSON object."))
    try:
        proof = _single_proof(document)
        signature = _signature(proof)
    except SigningRefused as exc:
        return failed_from(CHECK_PROOF, str(exc))
    method_id = proof["verificationMethod"]
    checks.append(Check(CHECK_PROOF, True, _("One eddsa-rdfc-2022 proof.")))

    try:
        method = public_key_for(method_id)
        check_verification_method(
            method,
            issuer_id=_issuer_id(document),
            verification_method_id=method_id,
        )
        public_key = public_key_from_multibase(method["publicKeyMultibase"])
    except (VerificationMethodError, MultikeyError, KeyError) as exc:
        return failed_from(CHECK_VERIFICATION_METHOD, str(exc))
    checks.append(
        Check(
            CHECK_VERIFICATION_METHOD,
            True,
            _("%(id)s is a Multikey of the issuer.") % {"id": method_id},
        )
    )

    unsecured = {key: value for key, value in document.items() if key != "proof"}
    try:
        canonical_document = canonicalize(unsecured, loader=loader)
    except (SigningRefused, ContextError) as exc:
        return failed_from(CHECK_TERMS, str(exc))
    checks.append(Check(CHECK_TERMS, True, _("Every field is defined.")))

    config = {key: value for key, value in proof.items() if key != "proofValue"}
    config["@context"] = copy.deepcopy(document.get("@context"))
    try:
        data = hash_data(canonicalize(config, loader=loader), canonical_document)
        public_key.verify(signature, data)
    except (SigningRefused, ContextError) as exc:
        return failed_from(CHECK_SIGNATURE, str(exc))
    except InvalidSignature:
        return failed_from(
            CHECK_SIGNATURE, _("The signature does not match the document.")
        )
    checks.append(Check(CHECK_SIGNATURE, True, _("The signature is valid.")))
    return ProofVerification(tuple(checks), method_id)
