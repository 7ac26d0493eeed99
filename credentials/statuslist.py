"""W3C Bitstring Status List v1.0, as pure functions.

https://www.w3.org/TR/vc-bitstring-status-list/

A status list is a string of bits, one per credential: bit ``i`` set means the
credential holding ``statusListIndex`` ``i`` is revoked. The rules kept here:

- the list holds at least 131,072 entries (16 KB uncompressed), the spec's
  floor for group privacy;
- bit 0 is the left-most (most significant) bit of the first byte, bit 7 the
  right-most bit of the first byte, bit 8 the left-most bit of the second...;
- ``encodedList`` is the multibase prefix ``u`` followed by base64url, without
  padding, of the GZIP-compressed bytes.

Our GZIP header is the one zlib's JavaScript port (pako) writes — no file
name, modification time 0, OS byte 3 — and the body is deflate at zlib's
default level, so an encoded list is byte-for-byte what Digital Bazaar's
``@digitalbazaar/vc-bitstring-status-list`` produces for the same bits. The
spec only requires the *decompressed* bitstring to match; matching the bytes
too makes the reference implementation's test vectors usable as ours.

No ORM, no settings, no clock: the database model that stores a list and the
service that re-signs it live elsewhere.
"""

from __future__ import annotations

import base64
import datetime as dt
import re
import struct
import zlib

from django.utils.translation import gettext as _

#: The spec's minimum number of entries: 16 KB of one-bit statuses.
MIN_LENGTH = 131_072

#: Refuse to inflate a list past this many bytes (2**27 entries): a guard
#: against a small "zip bomb" posing as a status list.
MAX_DECODED_BYTES = 16 * 1024 * 1024

MULTIBASE_BASE64URL_PREFIX = "u"
VC_V2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
STATUS_PURPOSE_REVOCATION = "revocation"

# GZIP member header (RFC 1952): magic, CM=deflate, FLG=0, MTIME=0, XFL=0, OS=3.
_GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03"
_DEFLATE_LEVEL = 6
_BASE64URL = re.compile(r"[A-Za-z0-9_-]*={0,2}")


class StatusListError(ValueError):
    """An encoded status list cannot be read; the message says why."""


class StatusListFull(Exception):
    """Every index of a status list is taken; a new list is needed."""


class Bitstring:
    """A mutable string of bits, bit 0 being the most significant of byte 0.

    ``length`` is a multiple of 8 and at least ``MIN_LENGTH`` (131,072).
    """

    __slots__ = ("_bytes",)

    def __init__(self, length: int = MIN_LENGTH) -> None:
        _check_length(length)
        self._bytes = bytearray(length // 8)

    @classmethod
    def from_bytes(cls, data: bytes) -> Bitstring:
        """A bitstring over a copy of ``data`` (at least 16 KB)."""
        _check_length(len(data) * 8)
        bits = cls.__new__(cls)
        bits._bytes = bytearray(data)
        return bits

    def __len__(self) -> int:
        return len(self._bytes) * 8

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Bitstring):
            return NotImplemented
        return self._bytes == other._bytes

    __hash__ = None  # type: ignore[assignment]  # mutable

    def __repr__(self) -> str:
        return f"<Bitstring length={len(self)} set={self.count()}>"

    def get(self, index: int) -> bool:
        """Whether bit ``index`` is set (the credential at that index is revoked)."""
        byte, mask = self._locate(index)
        return bool(self._bytes[byte] & mask)

    def set(self, index: int) -> None:
        """Set bit ``index`` to 1."""
        byte, mask = self._locate(index)
        self._bytes[byte] |= mask

    def clear(self, index: int) -> None:
        """Set bit ``index`` to 0."""
        byte, mask = self._locate(index)
        self._bytes[byte] &= ~mask & 0xFF

    def count(self) -> int:
        """How many bits are set."""
        return int.from_bytes(self._bytes, "big").bit_count()

    def to_bytes(self) -> bytes:
        """The raw, uncompressed bytes (bit 0 in the high bit of byte 0)."""
        return bytes(self._bytes)

    def _locate(self, index: int) -> tuple[int, int]:
        if isinstance(index, bool) or not isinstance(index, int):
            raise TypeError(f"A status list index is an integer, not {index!r}.")
        if not 0 <= index < len(self):
            raise IndexError(f"Status list index {index} is outside 0–{len(self) - 1}.")
        return index // 8, 0x80 >> (index % 8)


def _check_length(length: int) -> None:
    if length < MIN_LENGTH:
        raise StatusListError(
            _(
                "A status list must hold at least %(minimum)s entries "
                "(16 KB); this one holds %(length)s."
            )
            % {"minimum": MIN_LENGTH, "length": length}
        )
    if length % 8:
        raise StatusListError(_("A status list length must be a multiple of 8."))


# --- the spec's Bitstring Generation and Expansion algorithms ----------------


def compress_bitstring(raw: bytes) -> str:
    """GZIP ``raw``, then base64url without padding (no multibase prefix).

    This is the spec's "compressed bitstring"; it accepts any length so the
    reference implementation's short test vectors can be checked against it.
    """
    deflater = zlib.compressobj(_DEFLATE_LEVEL, zlib.DEFLATED, -zlib.MAX_WBITS)
    body = deflater.compress(raw) + deflater.flush()
    trailer = struct.pack("<II", zlib.crc32(raw), len(raw) & 0xFFFFFFFF)
    return base64.urlsafe_b64encode(_GZIP_HEADER + body + trailer).rstrip(b"=").decode()


def expand_bitstring(compressed: str, *, max_bytes: int = MAX_DECODED_BYTES) -> bytes:
    """Base64url-decode (padding optional) then GUNZIP: the raw bytes.

    Raises ``StatusListError`` for characters outside base64url, data that is
    not one complete GZIP member, or an expansion past ``max_bytes``.
    """
    if not _BASE64URL.fullmatch(compressed):
        raise StatusListError(
            _("The encoded status list is not base64url text (A–Z, a–z, 0–9, - and _).")
        )
    unpadded = compressed.rstrip("=")
    if len(unpadded) % 4 == 1:
        raise StatusListError(_("The encoded status list is truncated base64url."))
    data = base64.urlsafe_b64decode(unpadded + "=" * (-len(unpadded) % 4))
    if not data.startswith(b"\x1f\x8b"):
        raise StatusListError(_("The encoded status list is not GZIP-compressed."))
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        raw = inflater.decompress(data, max_bytes)
    except zlib.error as error:
        raise StatusListError(
            _("The encoded status list is damaged GZIP data (%(reason)s).")
            % {"reason": error}
        ) from error
    if inflater.unconsumed_tail:
        raise StatusListError(
            _("The status list expands past %(limit)s bytes; refused.")
            % {"limit": max_bytes}
        )
    if not inflater.eof:
        raise StatusListError(_("The encoded status list is cut short."))
    if inflater.unused_data:
        raise StatusListError(
            _("The encoded status list has extra data after its GZIP member.")
        )
    return raw


def encode(bits: Bitstring) -> str:
    """The ``encodedList`` value: ``"u"`` + base64url(GZIP(bits)), no padding."""
    return MULTIBASE_BASE64URL_PREFIX + compress_bitstring(bits.to_bytes())


def decode(encoded: str) -> Bitstring:
    """Read an ``encodedList`` value back into a ``Bitstring``.

    Accepts the base64url part with or without padding. Refuses, with a
    ``StatusListError`` saying which: a value not starting with the multibase
    prefix ``u``, bad base64url, data that is not GZIP, and a list shorter
    than 131,072 entries.
    """
    if not isinstance(encoded, str):
        raise StatusListError(_("The encoded status list must be text."))
    if not encoded.startswith(MULTIBASE_BASE64URL_PREFIX):
        raise StatusListError(
            _(
                'The encoded status list must start with the multibase prefix "u" '
                "(base64url)."
            )
        )
    return Bitstring.from_bytes(expand_bitstring(encoded[1:]))


# --- documents ---------------------------------------------------------------


def format_datetime(moment: dt.datetime) -> str:
    """An aware datetime as an XML Schema dateTimeStamp in UTC.

    For example ``2026-01-31T09:00:00Z``; microseconds are dropped.
    """
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("A credential date needs a time zone.")
    return (
        moment.astimezone(dt.UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")
    )


def status_list_credential(
    *,
    list_url: str,
    issuer: str,
    valid_from: dt.datetime,
    bits: Bitstring,
    valid_until: dt.datetime | None = None,
    status_purpose: str = STATUS_PURPOSE_REVOCATION,
) -> dict:
    """The unsigned ``BitstringStatusListCredential`` published at ``list_url``.

    ``issuer`` is the issuer's identifier (a ``did:web`` or ``did:key``): the
    VC v2 context alone defines every term used here, so the document needs
    no other context. The proof is added by the signing code.
    """
    credential: dict = {
        "@context": [VC_V2_CONTEXT],
        "id": list_url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer,
        "validFrom": format_datetime(valid_from),
    }
    if valid_until is not None:
        credential["validUntil"] = format_datetime(valid_until)
    credential["credentialSubject"] = {
        "id": f"{list_url}#list",
        "type": "BitstringStatusList",
        "statusPurpose": status_purpose,
        "encodedList": encode(bits),
    }
    return credential


def status_list_entry(
    *, list_url: str, index: int, status_purpose: str = STATUS_PURPOSE_REVOCATION
) -> dict:
    """The ``credentialStatus`` of the credential holding ``index`` in the list.

    ``statusListIndex`` is a base-10 string, as the spec requires.
    """
    if isinstance(index, bool) or not isinstance(index, int) or index < 0:
        raise ValueError(f"A status list index is a non-negative integer: {index!r}")
    return {
        "id": f"{list_url}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": status_purpose,
        "statusListIndex": str(index),
        "statusListCredential": list_url,
    }


# --- allocation policy -------------------------------------------------------


def next_status_index(*, used: int, list_size: int = MIN_LENGTH) -> int:
    """The index the next credential gets in a list that has ``used`` taken.

    Allocation is sequential: 0, 1, 2... The spec says implementations
    SHOULD assign indexes randomly, so that a position does not tell the
    order of issuance; we accept that a position reveals roughly *when* a
    credential was issued (its issue date is in the credential anyway) in
    exchange for an allocation that needs no search and no retry. Group
    privacy still comes from the list size: whoever fetches the list learns
    nothing about which of its 131,072 entries a verifier cares about.

    Raises ``StatusListFull`` when every index is taken.
    """
    if used < 0:
        raise ValueError(f"Used index count cannot be negative: {used}")
    if used >= list_size:
        raise StatusListFull(
            f"All {list_size} indexes of this status list are used; "
            "start a new status list."
        )
    return used
