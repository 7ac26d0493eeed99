"""Ed25519 keys as Multikey strings, and the ``did:key`` method built on them.

The formats (W3C Controlled Identifiers 1.0 "Multikey", did:key 0.7):

- a public key is ``z`` + base58btc(``0xed 0x01`` + 32 key bytes): it always
  starts ``z6Mk``;
- a secret key is ``z`` + base58btc(``0x80 0x26`` + 32 seed bytes): it always
  starts ``z3u2``. The older 64-byte form (seed followed by the public key,
  starting ``zrv``), found in the 1EdTech test vector, is read too, and its
  second half must be the public key of its first;
- ``did:key:<public multibase>`` is a DID whose document is derived from the
  key alone; its one verification method is
  ``did:key:<multibase>#<multibase>``, a ``Multikey`` controlled by the DID.

No ORM, no settings, no network.
"""

from __future__ import annotations

from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)
from django.utils.translation import gettext as _

from credentials.errors import MultikeyError
from credentials.jsonld import DID_V1, MULTIKEY_V1

MULTIBASE_BASE58BTC = "z"
ED25519_PUBLIC_PREFIX = b"\xed\x01"  # multicodec ed25519-pub (0xed), varint
ED25519_PRIVATE_PREFIX = b"\x80\x26"  # multicodec ed25519-priv (0x1300), varint
MULTIKEY = "Multikey"
DID_KEY_PREFIX = "did:key:"

_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_INDEX = {character: value for value, character in enumerate(_ALPHABET)}


def base58btc_encode(data: bytes) -> str:
    """Bitcoin's base58 alphabet; each leading zero byte becomes a ``1``."""
    zeros = len(data) - len(data.lstrip(b"\0"))
    number = int.from_bytes(data, "big")
    digits = []
    while number:
        number, remainder = divmod(number, 58)
        digits.append(_ALPHABET[remainder])
    return "1" * zeros + "".join(reversed(digits))


def base58btc_decode(text: str) -> bytes:
    """The inverse of :func:`base58btc_encode`; raises MultikeyError."""
    number = 0
    for character in text:
        if character not in _INDEX:
            raise MultikeyError(
                _("%(character)r is not a base58btc character.")
                % {"character": character}
            )
        number = number * 58 + _INDEX[character]
    zeros = len(text) - len(text.lstrip("1"))
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\0" * zeros + body


def _decode_multibase(value: str, prefix: bytes, what: str) -> bytes:
    if not isinstance(value, str) or not value.startswith(MULTIBASE_BASE58BTC):
        raise MultikeyError(
            _("A %(what)s must be a base58btc multibase string starting with 'z'.")
            % {"what": what}
        )
    raw = base58btc_decode(value[1:])
    if not raw.startswith(prefix):
        raise MultikeyError(_("This %(what)s is not an Ed25519 key.") % {"what": what})
    return raw[len(prefix) :]


def public_key_bytes(key: Ed25519PublicKey) -> bytes:
    """The 32 raw bytes of an Ed25519 public key."""
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def public_key_to_multibase(key: Ed25519PublicKey) -> str:
    """``z6Mk...``: the Multikey ``publicKeyMultibase`` of an Ed25519 key."""
    return MULTIBASE_BASE58BTC + base58btc_encode(
        ED25519_PUBLIC_PREFIX + public_key_bytes(key)
    )


def public_key_from_multibase(value: str) -> Ed25519PublicKey:
    """The Ed25519 public key of a ``z6Mk...`` string; raises MultikeyError."""
    raw = _decode_multibase(value, ED25519_PUBLIC_PREFIX, _("public key"))
    if len(raw) != 32:
        raise MultikeyError(_("An Ed25519 public key is 32 bytes long."))
    return Ed25519PublicKey.from_public_bytes(raw)


def private_key_to_multibase(key: Ed25519PrivateKey) -> str:
    """``z3u2...``: the Multikey ``secretKeyMultibase`` (the 32-byte seed)."""
    seed = key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    return MULTIBASE_BASE58BTC + base58btc_encode(ED25519_PRIVATE_PREFIX + seed)


def private_key_from_multibase(value: str) -> Ed25519PrivateKey:
    """The Ed25519 private key of a ``z3u2...`` (or legacy 64-byte) string."""
    raw = _decode_multibase(value, ED25519_PRIVATE_PREFIX, _("secret key"))
    if len(raw) == 64:
        key = Ed25519PrivateKey.from_private_bytes(raw[:32])
        if public_key_bytes(key.public_key()) != raw[32:]:
            raise MultikeyError(
                _("This secret key's public half does not match its seed.")
            )
        return key
    if len(raw) != 32:
        raise MultikeyError(_("An Ed25519 secret key is a 32-byte seed."))
    return Ed25519PrivateKey.from_private_bytes(raw)


def multikey_document(
    public_key: Ed25519PublicKey, *, controller: str, key_id: str | None = None
) -> dict[str, Any]:
    """A ``Multikey`` verification method, as a DID document lists it.

    Its id defaults to ``<controller>#<publicKeyMultibase>``.
    """
    multibase = public_key_to_multibase(public_key)
    return {
        "id": key_id or f"{controller}#{multibase}",
        "type": MULTIKEY,
        "controller": controller,
        "publicKeyMultibase": multibase,
    }


def did_key(public_key: Ed25519PublicKey) -> str:
    """``did:key:z6Mk...`` for an Ed25519 public key."""
    return DID_KEY_PREFIX + public_key_to_multibase(public_key)


def did_key_verification_method(public_key: Ed25519PublicKey) -> dict[str, Any]:
    """The Multikey verification method of a key's did:key."""
    return multikey_document(public_key, controller=did_key(public_key))


def did_key_public_key(did: str) -> Ed25519PublicKey:
    """The Ed25519 key a ``did:key`` (without fragment) is made of."""
    if not isinstance(did, str) or not did.startswith(DID_KEY_PREFIX):
        raise MultikeyError(_("%(did)r is not a did:key.") % {"did": did})
    return public_key_from_multibase(did.removeprefix(DID_KEY_PREFIX))


def did_key_document(did: str) -> dict[str, Any]:
    """The DID document of an Ed25519 ``did:key``, derived from the key alone.

    One Multikey verification method, referenced by every verification
    relationship it may serve (the did:key method's rule for signing keys).
    """
    public_key = did_key_public_key(did)
    method = multikey_document(public_key, controller=did)
    return {
        "@context": [DID_V1, MULTIKEY_V1],
        "id": did,
        "verificationMethod": [method],
        "authentication": [method["id"]],
        "assertionMethod": [method["id"]],
        "capabilityDelegation": [method["id"]],
        "capabilityInvocation": [method["id"]],
    }


def resolve_did_key(verification_method_id: str) -> dict[str, Any] | None:
    """The Multikey a did:key verification method id names, or None.

    Returns None for anything but a well-formed did:key method id whose
    fragment is its own key, so it can serve as ``public_key_for`` in
    :func:`credentials.proofs.verify_proof` for did:key issuers.
    """
    did, _sep, fragment = verification_method_id.partition("#")
    if not did.startswith(DID_KEY_PREFIX) or fragment != did.removeprefix(
        DID_KEY_PREFIX
    ):
        return None
    try:
        document = did_key_document(did)
    except MultikeyError:
        return None
    return document["verificationMethod"][0]
