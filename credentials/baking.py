"""Baking Open Badges into PNG images, and reading them back.

A baked badge is the badge image with the credential inside it, in one PNG
``iTXt`` chunk (PNG spec §11.3.4.5):

- Open Badges 3.0 (spec §5.3.1, "Baked Badge"): keyword
  ``openbadgecredential``; with an embedded proof, as ours, the text is the
  JSON of the signed ``OpenBadgeCredential``.
- Open Badges 2.0 (Badge Baking spec, 2018): keyword ``openbadges``; the
  text is the assertion's JSON or a signed assertion (JWS). Older bakers put
  the hosted assertion's URL there, and older still in a ``tEXt`` chunk:
  both are read.

Both specs say: no compression (compression flag and method 0, empty
language tag and translated keyword), and never two chunks with the same
keyword — baking an already baked image replaces its chunk. The new chunk
goes just before ``IEND``; every other chunk is copied byte for byte, so the
picture is untouched (Pillow's ``PngInfo`` would re-encode the pixels).

Readers are liberal: a compressed ``iTXt`` is inflated (up to 1 MiB) and
the first chunk with the keyword wins, as both specs' "Extracting" say.
"""

from __future__ import annotations

import json
import struct
import zlib

from django.utils.translation import gettext as _

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
OB3_KEYWORD = "openbadgecredential"
OB2_KEYWORD = "openbadges"

#: Largest credential text read back from an image (after inflating).
MAX_TEXT_BYTES = 1024 * 1024

_TEXT_CHUNKS = (b"iTXt", b"tEXt", b"zTXt")
_MAX_CHUNK_LENGTH = 2**31 - 1


class BakingError(ValueError):
    """The image or the text cannot be baked or read; the message says why."""


# --- PNG chunks --------------------------------------------------------------


def _chunks(png: bytes) -> list[tuple[bytes, bytes]]:
    """The chunks of ``png`` up to and including ``IEND``, CRCs checked.

    Bytes after ``IEND`` are not part of the image and are dropped.
    """
    if not isinstance(png, bytes | bytearray | memoryview):
        raise BakingError(_("A badge image must be given as bytes."))
    png = bytes(png)
    if not png.startswith(PNG_SIGNATURE):
        raise BakingError(_("This file is not a PNG image."))
    chunks: list[tuple[bytes, bytes]] = []
    offset = len(PNG_SIGNATURE)
    while True:
        if offset + 8 > len(png):
            raise BakingError(_("This PNG image is cut short (no IEND chunk)."))
        length, kind = struct.unpack(">I4s", png[offset : offset + 8])
        end = offset + 8 + length + 4
        if length > _MAX_CHUNK_LENGTH or end > len(png):
            raise BakingError(_("This PNG image is cut short or damaged."))
        if not kind.isalpha() or not kind.isascii():
            raise BakingError(_("This PNG image has a damaged chunk."))
        data = png[offset + 8 : offset + 8 + length]
        (crc,) = struct.unpack(">I", png[end - 4 : end])
        if zlib.crc32(kind + data) != crc:
            raise BakingError(
                _("This PNG image is damaged (checksum error in a %(chunk)s chunk).")
                % {"chunk": kind.decode("ascii")}
            )
        if not chunks and kind != b"IHDR":
            raise BakingError(_("This PNG image does not start with its header."))
        chunks.append((kind, data))
        offset = end
        if kind == b"IEND":
            return chunks


def _chunk_bytes(kind: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data))
        + kind
        + data
        + struct.pack(">I", zlib.crc32(kind + data))
    )


def _keyword_of(kind: bytes, data: bytes) -> bytes | None:
    keyword, separator, _rest = data.partition(b"\x00")
    return keyword if separator and kind in _TEXT_CHUNKS else None


def _itxt(keyword: str, text: str) -> bytes:
    """An uncompressed iTXt chunk body: keyword, 0, flag 0, method 0, "", 0, "", 0."""
    return keyword.encode("latin-1") + b"\x00\x00\x00\x00\x00" + text.encode("utf-8")


def _text_of(kind: bytes, data: bytes) -> str:
    """The text of a tEXt, zTXt or iTXt chunk body."""
    _keyword, _sep, rest = data.partition(b"\x00")
    try:
        if kind == b"tEXt":
            return rest.decode("latin-1")
        if kind == b"zTXt":
            return _inflate(rest[1:]).decode("latin-1")
        compressed, method = rest[0], rest[1]
        _language, sep1, rest = rest[2:].partition(b"\x00")
        _translated, sep2, text = rest.partition(b"\x00")
        if not (sep1 and sep2) or compressed not in (0, 1) or method != 0:
            raise BakingError(_("The badge data in this image is malformed."))
        if compressed:
            text = _inflate(text)
        if len(text) > MAX_TEXT_BYTES:
            raise BakingError(_("The badge data in this image is too large."))
        return text.decode("utf-8")
    except (IndexError, UnicodeDecodeError) as error:
        raise BakingError(_("The badge data in this image is malformed.")) from error


def _inflate(data: bytes) -> bytes:
    inflater = zlib.decompressobj()
    try:
        text = inflater.decompress(data, MAX_TEXT_BYTES)
    except zlib.error as error:
        raise BakingError(_("The badge data in this image is malformed.")) from error
    if inflater.unconsumed_tail:
        raise BakingError(_("The badge data in this image is too large."))
    return text


def bake_text(png: bytes, *, keyword: str, text: str) -> bytes:
    """``png`` with one uncompressed ``iTXt`` chunk ``keyword`` holding ``text``.

    Any text chunk already carrying ``keyword`` is removed first, so an image
    never holds two. The new chunk goes right before ``IEND``.
    """
    if not text:
        raise BakingError(_("There is nothing to bake into the image."))
    encoded_keyword = keyword.encode("latin-1")
    kept = [
        (kind, data)
        for kind, data in _chunks(png)
        if _keyword_of(kind, data) != encoded_keyword
    ]
    kept.insert(len(kept) - 1, (b"iTXt", _itxt(keyword, text)))
    return PNG_SIGNATURE + b"".join(_chunk_bytes(kind, data) for kind, data in kept)


def read_text(
    png: bytes, *, keyword: str, legacy_text_chunk: bool = False
) -> str | None:
    """The text of the first ``iTXt`` chunk ``keyword`` in ``png``, or ``None``.

    With ``legacy_text_chunk``, a ``tEXt`` chunk with the keyword counts too
    (how badges were baked before the Open Badges baking spec).
    """
    encoded_keyword = keyword.encode("latin-1")
    kinds = (b"iTXt", b"tEXt") if legacy_text_chunk else (b"iTXt",)
    for kind, data in _chunks(png):
        if kind in kinds and _keyword_of(kind, data) == encoded_keyword:
            return _text_of(kind, data)
    return None


# --- Open Badges 3.0 ----------------------------------------------------------


def credential_json(credential: dict) -> str:
    """The compact JSON text of a credential, UTF-8 characters kept as they are."""
    if not isinstance(credential, dict):
        raise BakingError(_("Only a credential (a JSON object) can be baked."))
    return json.dumps(
        credential, ensure_ascii=False, separators=(",", ":"), allow_nan=False
    )


def bake(png: bytes, credential: dict) -> bytes:
    """Bake a signed ``OpenBadgeCredential`` into ``png`` (Open Badges 3.0)."""
    return bake_text(png, keyword=OB3_KEYWORD, text=credential_json(credential))


def unbake(png: bytes) -> dict | None:
    """The Open Badges 3.0 credential baked into ``png``, or ``None`` if none is.

    Raises ``BakingError`` when ``png`` is not a PNG image, or when its
    ``openbadgecredential`` chunk does not hold a JSON object (a VC-JWT, for
    instance, which we do not read).
    """
    text = read_text(png, keyword=OB3_KEYWORD)
    if text is None:
        return None
    return _json_object(
        text,
        _(
            "The credential baked into this image is not JSON "
            "(credentials signed as JWT are not supported)."
        ),
    )


def _json_object(text: str, message: str) -> dict:
    try:
        value = json.loads(text)
    except ValueError as error:
        raise BakingError(message) from error
    if not isinstance(value, dict):
        raise BakingError(message)
    return value


# --- Open Badges 2.0 ----------------------------------------------------------


def bake_ob2(png: bytes, assertion: dict | str) -> bytes:
    """Bake an Open Badges 2.0 assertion into ``png``.

    ``assertion`` is the assertion as a dict (baked as compact JSON, what
    the spec prefers), or text: its JSON, a signed assertion (JWS), or the URL
    of the hosted assertion.
    """
    if isinstance(assertion, dict):
        text = credential_json(assertion)
    elif isinstance(assertion, str):
        text = assertion.strip()
    else:
        raise BakingError(_("An Open Badges 2.0 assertion is a dict or text."))
    return bake_text(png, keyword=OB2_KEYWORD, text=text)


def unbake_ob2(png: bytes) -> dict | str | None:
    """The Open Badges 2.0 assertion baked into ``png``.

    A dict when the image holds the assertion's JSON; the text itself when it
    holds a URL or a signed assertion (JWS); ``None`` when it holds nothing.
    """
    text = read_text(png, keyword=OB2_KEYWORD, legacy_text_chunk=True)
    if text is None:
        return None
    if text.lstrip().startswith("{"):
        return _json_object(
            text, _("The assertion baked into this image is not valid JSON.")
        )
    return text.strip()
