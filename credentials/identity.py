"""Who the issuer is: ``did:web`` when a domain is set, else ``did:key``.

- ``CREDENTIALS_DID_WEB_DOMAIN`` set (``learn.example.edu``, or
  ``learn.example.edu%3A8443`` with a port): the issuer is
  ``did:web:<domain>``; its DID document, served at ``/.well-known/did.json``,
  lists every key (active and retired) as a ``Multikey`` under
  ``assertionMethod``, so credentials signed by a retired key keep verifying.
- Unset (the embedded default): the issuer is the ``did:key`` of the key that
  signs. Nothing needs hosting, but a rotated key is a new issuer identity.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from . import multikey
from .models import SigningKey

DID_V1 = "https://www.w3.org/ns/did/v1"
MULTIKEY_V1 = "https://w3id.org/security/multikey/v1"


def did_web_domain() -> str:
    return getattr(settings, "CREDENTIALS_DID_WEB_DOMAIN", "") or ""


def did_web() -> str:
    return f"did:web:{did_web_domain()}"


@dataclass(frozen=True)
class SignerIdentity:
    """The issuer id and the verification method a key signs with."""

    issuer_id: str
    verification_method: dict[str, Any]


def signer_identity(key: SigningKey) -> SignerIdentity:
    public = multikey.public_key_from_multibase(key.public_key_multibase)
    if did_web_domain():
        controller = did_web()
        method = multikey.multikey_document(
            public, controller=controller, key_id=f"{controller}#{key.key_id}"
        )
        return SignerIdentity(controller, method)
    method = multikey.did_key_verification_method(public)
    return SignerIdentity(method["controller"], method)


def did_web_document(keys: Iterable[SigningKey]) -> dict[str, Any]:
    """The issuer's DID document for ``did:web`` (every key, newest last)."""
    controller = did_web()
    methods = [signer_identity(key).verification_method for key in keys]
    ids = [method["id"] for method in methods]
    return {
        "@context": [DID_V1, MULTIKEY_V1],
        "id": controller,
        "verificationMethod": methods,
        "assertionMethod": ids,
    }


def verification_method_for(
    method_id: str, keys: Iterable[SigningKey]
) -> dict[str, Any] | None:
    """The Multikey ``method_id`` names among OUR keys, or None.

    Both identities of each key are recognised (its ``did:key``, and its
    ``did:web`` method when a domain is set), so credentials signed before a
    domain was configured keep verifying.
    """
    for key in keys:
        public = multikey.public_key_from_multibase(key.public_key_multibase)
        candidates = [multikey.did_key_verification_method(public)]
        if did_web_domain():
            candidates.append(signer_identity(key).verification_method)
        for method in candidates:
            if method["id"] == method_id:
                return method
    return None
