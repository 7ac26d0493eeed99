"""Baking Open Badges 3.0 and 2.0 data into PNG images and reading it back."""

import io
import json
import struct
import zlib

import png as pypng
import pytest
from openbadgeslib import baking as third_party
from PIL import Image, PngImagePlugin

from credentials import baking
from credentials.baking import BakingError

CREDENTIAL = {
    "@context": [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ],
    "id": "https://microcred.example/credentials/3732",
    "type": ["VerifiableCredential", "OpenBadgeCredential"],
    "issuer": {"id": "did:web:microcred.example", "type": ["Profile"], "name": "École"},
    "validFrom": "2026-01-31T09:00:00Z",
    "name": "Données et société — 数据 ✓",
    "credentialSubject": {"type": ["AchievementSubject"]},
    "proof": {
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-rdfc-2022",
        "proofValue": "z3FXQjecWufY46yg",
    },
}
ASSERTION = {
    "@context": "https://w3id.org/openbadges/v2",
    "type": "Assertion",
    "id": "https://microcred.example/ob2/assertions/1",
}
ASSERTION_URL = "https://microcred.example/ob2/assertions/1"


def make_png(**save_options) -> bytes:
    image = Image.new("RGBA", (40, 30), (20, 60, 120, 255))
    for x in range(40):
        image.putpixel((x, x % 30), (250, 200, 0, 128))
    out = io.BytesIO()
    image.save(out, format="PNG", **save_options)
    return out.getvalue()


@pytest.fixture
def source_png():
    return make_png()


def chunk_list(data: bytes) -> list[tuple[bytes, bytes]]:
    """Chunks as the third-party ``pypng`` reader sees them (it checks CRCs)."""
    return [(kind, body) for kind, body in pypng.Reader(bytes=data).chunks()]


def itxt_chunks(data: bytes, keyword: bytes) -> list[bytes]:
    return [
        body
        for kind, body in chunk_list(data)
        if kind == b"iTXt" and body.split(b"\x00", 1)[0] == keyword
    ]


def with_chunk(data: bytes, kind: bytes, body: bytes) -> bytes:
    """``data`` with one extra chunk inserted right after IHDR."""
    chunk = struct.pack(">I", len(body)) + kind + body
    chunk += struct.pack(">I", zlib.crc32(kind + body))
    ihdr_end = 8 + 8 + 13 + 4
    return data[:ihdr_end] + chunk + data[ihdr_end:]


# --- Open Badges 3.0 ----------------------------------------------------------


def test_a_baked_credential_is_read_back_unchanged(source_png):
    baked = baking.bake(source_png, CREDENTIAL)

    assert baking.unbake(baked) == CREDENTIAL


def test_the_credential_is_one_uncompressed_itxt_chunk_of_compact_json(source_png):
    baked = baking.bake(source_png, CREDENTIAL)

    [body] = itxt_chunks(baked, b"openbadgecredential")
    compact = json.dumps(CREDENTIAL, ensure_ascii=False, separators=(",", ":"))
    # keyword \0, compression flag 0, method 0, empty language \0, empty
    # translated keyword \0, then the UTF-8 text.
    assert body == b"openbadgecredential\x00\x00\x00\x00\x00" + compact.encode()
    assert chunk_list(baked)[-2][0] == b"iTXt"
    assert chunk_list(baked)[-1][0] == b"IEND"


def test_every_other_chunk_is_kept_byte_for_byte(source_png):
    baked = baking.bake(source_png, CREDENTIAL)

    others = [c for c in chunk_list(baked) if c[0] != b"iTXt"]
    assert others == chunk_list(source_png)


def test_pillow_opens_the_baked_image_with_the_same_pixels(source_png):
    baked = baking.bake(source_png, CREDENTIAL)

    with Image.open(io.BytesIO(baked)) as image:
        image.load()
        with Image.open(io.BytesIO(source_png)) as original:
            assert image.tobytes() == original.tobytes()
        assert json.loads(image.text["openbadgecredential"]) == CREDENTIAL


def test_a_third_party_extractor_reads_our_baked_credential(source_png):
    baked = baking.bake(source_png, CREDENTIAL)

    text = third_party.extract_png(baked, keyword=third_party.ITXT_KEYWORD_OB3)

    assert json.loads(text) == CREDENTIAL


def test_we_read_a_credential_baked_by_a_third_party(source_png):
    theirs = third_party.bake_png(
        source_png, json.dumps(CREDENTIAL), keyword=third_party.ITXT_KEYWORD_OB3
    )

    assert baking.unbake(theirs) == CREDENTIAL


def test_baking_again_replaces_the_credential_instead_of_adding_one(source_png):
    renewed = CREDENTIAL | {"id": "https://microcred.example/credentials/3733"}

    twice = baking.bake(baking.bake(source_png, CREDENTIAL), renewed)

    assert len(itxt_chunks(twice, b"openbadgecredential")) == 1
    assert baking.unbake(twice) == renewed


def test_baking_replaces_a_compressed_chunk_another_tool_left(source_png):
    info = PngImagePlugin.PngInfo()
    info.add_itxt("openbadgecredential", json.dumps({"old": True}), zip=True)
    pre_baked = make_png(pnginfo=info)

    baked = baking.bake(pre_baked, CREDENTIAL)

    assert len(itxt_chunks(baked, b"openbadgecredential")) == 1
    assert baking.unbake(baked) == CREDENTIAL


def test_a_compressed_credential_chunk_is_still_read():
    info = PngImagePlugin.PngInfo()
    info.add_itxt("openbadgecredential", json.dumps(CREDENTIAL), zip=True)

    assert baking.unbake(make_png(pnginfo=info)) == CREDENTIAL


def test_the_first_credential_chunk_wins(source_png):
    first = b"openbadgecredential\x00\x00\x00\x00\x00" + json.dumps({"n": 1}).encode()
    second = b"openbadgecredential\x00\x00\x00\x00\x00" + json.dumps({"n": 2}).encode()
    image = with_chunk(with_chunk(source_png, b"iTXt", second), b"iTXt", first)

    assert baking.unbake(image) == {"n": 1}


def test_an_image_without_a_credential_unbakes_to_none(source_png):
    assert baking.unbake(source_png) is None
    assert baking.unbake(baking.bake_ob2(source_png, ASSERTION)) is None


def test_other_text_chunks_are_kept(source_png):
    info = PngImagePlugin.PngInfo()
    info.add_text("Title", "Data literacy")
    info.add_itxt("Description", "Données", lang="fr")

    baked = baking.bake(make_png(pnginfo=info), CREDENTIAL)

    with Image.open(io.BytesIO(baked)) as image:
        assert image.text["Title"] == "Data literacy"
        assert image.text["Description"] == "Données"
        assert json.loads(image.text["openbadgecredential"]) == CREDENTIAL


def test_bytes_after_iend_are_dropped(source_png):
    baked = baking.bake(source_png + b"trailing junk", CREDENTIAL)

    assert baked.endswith(b"IEND\xaeB`\x82")
    assert baking.unbake(baked) == CREDENTIAL


def test_an_image_split_into_many_data_chunks_keeps_them_all():
    image = Image.effect_noise((300, 300), 64).convert("RGB")
    writer = pypng.Writer(300, 300, greyscale=False, chunk_limit=1024)
    many = io.BytesIO()
    writer.write_array(many, list(image.tobytes()))
    source = many.getvalue()
    assert sum(kind == b"IDAT" for kind, _ in chunk_list(source)) > 3

    baked = baking.bake(source, CREDENTIAL)

    with Image.open(io.BytesIO(baked)) as reopened:
        assert reopened.tobytes() == image.tobytes()
    assert baking.unbake(baked) == CREDENTIAL


# --- refusals -----------------------------------------------------------------


JPEG_START = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "not a PNG image"),
        (JPEG_START, "not a PNG image"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "not a PNG image"),
        (b"\x89PNG\r\n\x1a\n", "cut short"),
    ],
)
def test_what_is_not_a_png_is_refused_clearly(data, message):
    with pytest.raises(BakingError, match=message):
        baking.bake(data, CREDENTIAL)
    with pytest.raises(BakingError, match=message):
        baking.unbake(data)


def test_a_truncated_png_is_refused(source_png):
    with pytest.raises(BakingError, match="cut short"):
        baking.unbake(source_png[:-20])


def test_a_png_with_a_bad_checksum_is_refused(source_png):
    damaged = bytearray(source_png)
    damaged[45] ^= 0xFF  # inside the first IDAT's data

    with pytest.raises(BakingError, match="checksum error in a IDAT chunk"):
        baking.bake(bytes(damaged), CREDENTIAL)


def test_a_png_whose_first_chunk_is_not_the_header_is_refused(source_png):
    body = b"hello"
    chunk = struct.pack(">I", len(body)) + b"tEXt" + body
    chunk += struct.pack(">I", zlib.crc32(b"tEXt" + body))
    shuffled = source_png[:8] + chunk + source_png[8:]

    with pytest.raises(BakingError, match="header"):
        baking.unbake(shuffled)


def test_input_that_is_not_bytes_is_refused():
    with pytest.raises(BakingError, match="bytes"):
        baking.unbake("\x89PNG")


def test_only_a_json_object_can_be_baked(source_png):
    with pytest.raises(BakingError, match="JSON object"):
        baking.bake(source_png, json.dumps(CREDENTIAL))
    with pytest.raises(ValueError, match="Out of range float"):
        baking.bake(source_png, {"score": float("nan")})


@pytest.mark.parametrize(
    "text", [b"eyJhbGciOiJFZERTQSJ9.eyJ2YyI6e319.c2ln", b"[1, 2]", b"{not json"]
)
def test_a_baked_text_that_is_not_a_json_credential_is_refused(source_png, text):
    body = b"openbadgecredential\x00\x00\x00\x00\x00" + text

    with pytest.raises(BakingError, match="not JSON"):
        baking.unbake(with_chunk(source_png, b"iTXt", body))


@pytest.mark.parametrize(
    "body",
    [
        b"openbadgecredential\x00\x00\x00",  # flags but no language separators
        b"openbadgecredential\x00\x00\x07\x00\x00{}",  # unknown compression method
        b"openbadgecredential\x00\x01\x00\x00\x00not zlib",
        b"openbadgecredential\x00\x00\x00\x00\x00\xff\xfe",  # not UTF-8
    ],
)
def test_a_malformed_credential_chunk_is_refused(source_png, body):
    with pytest.raises(BakingError, match="malformed"):
        baking.unbake(with_chunk(source_png, b"iTXt", body))


def test_a_compressed_chunk_that_inflates_too_far_is_refused(source_png):
    bomb = zlib.compress(b" " * (baking.MAX_TEXT_BYTES + 1))
    body = b"openbadgecredential\x00\x01\x00\x00\x00" + bomb

    with pytest.raises(BakingError, match="too large"):
        baking.unbake(with_chunk(source_png, b"iTXt", body))


# --- Open Badges 2.0 ----------------------------------------------------------


def test_an_ob2_assertion_is_baked_as_json_under_the_openbadges_keyword(source_png):
    baked = baking.bake_ob2(source_png, ASSERTION)

    [body] = itxt_chunks(baked, b"openbadges")
    assert body.startswith(b"openbadges\x00\x00\x00\x00\x00{")
    assert baking.unbake_ob2(baked) == ASSERTION
    assert json.loads(third_party.extract_png(baked)) == ASSERTION


def test_an_ob2_assertion_url_is_baked_as_text(source_png):
    baked = baking.bake_ob2(source_png, ASSERTION_URL)

    assert baking.unbake_ob2(baked) == ASSERTION_URL
    assert third_party.extract_png(baked) == ASSERTION_URL


def test_a_signed_ob2_assertion_baked_by_a_third_party_is_read(source_png):
    jws = "eyJhbGciOiJFZERTQSJ9.eyJ1aWQiOiIxIn0.c2lnbmF0dXJl"

    assert baking.unbake_ob2(third_party.bake_png(source_png, jws)) == jws


def test_a_legacy_text_chunk_with_the_assertion_url_is_read():
    info = PngImagePlugin.PngInfo()
    info.add_text("openbadges", ASSERTION_URL)

    assert baking.unbake_ob2(make_png(pnginfo=info)) == ASSERTION_URL


def test_baking_ob2_replaces_a_legacy_text_chunk():
    info = PngImagePlugin.PngInfo()
    info.add_text("openbadges", "https://old.example/assertion")

    baked = baking.bake_ob2(make_png(pnginfo=info), ASSERTION)

    keywords = [
        body.split(b"\x00", 1)[0]
        for kind, body in chunk_list(baked)
        if kind in (b"tEXt", b"iTXt")
    ]
    assert keywords == [b"openbadges"]
    assert baking.unbake_ob2(baked) == ASSERTION


def test_ob2_and_ob3_chunks_live_side_by_side(source_png):
    baked = baking.bake(baking.bake_ob2(source_png, ASSERTION), CREDENTIAL)
    rebaked = baking.bake_ob2(baked, ASSERTION_URL)

    assert baking.unbake(rebaked) == CREDENTIAL
    assert baking.unbake_ob2(rebaked) == ASSERTION_URL


def test_an_image_without_an_ob2_assertion_unbakes_to_none(source_png):
    assert baking.unbake_ob2(source_png) is None
    assert baking.unbake_ob2(baking.bake(source_png, CREDENTIAL)) is None


@pytest.mark.parametrize("assertion", ["", "   ", None, 42])
def test_an_empty_or_odd_ob2_assertion_is_refused(source_png, assertion):
    with pytest.raises(BakingError):
        baking.bake_ob2(source_png, assertion)


def test_an_ob2_json_text_that_does_not_parse_is_refused(source_png):
    baked = baking.bake_ob2(source_png, '{"type": "Assertion"')

    with pytest.raises(BakingError, match="not valid JSON"):
        baking.unbake_ob2(baked)
