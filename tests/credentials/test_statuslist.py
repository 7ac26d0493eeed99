"""Bitstring Status List v1.0: bit order, encoding, documents, allocation."""

import base64
import datetime as dt
import gzip
import json
import subprocess
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from credentials import statuslist
from credentials.statuslist import (
    MIN_LENGTH,
    Bitstring,
    StatusListError,
    StatusListFull,
)

ROOT = Path(__file__).resolve().parents[2]
LIST_URL = "https://microcred.example/credentials/status/1"

# From the W3C spec's example BitstringStatusListCredential: 16 KB of zeros.
SPEC_EMPTY_LIST = (
    "uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA"
)
# From Digital Bazaar's @digitalbazaar/bitstring and vc-bitstring-status-list
# tests: 8 bits with bits 1 and 4 set; 100,000 zero bits; the same with bit
# 50,000 set.
DB_8_BITS_1_AND_4 = "H4sIAAAAAAAAA_MAAC8mBaoBAAAA"
DB_100K = "H4sIAAAAAAAAA-3BMQEAAADCoPVPbQsvoAAAAAAAAAAAAAAAAP4GcwM92tQwAAA"
DB_100K_50K_SET = (
    "H4sIAAAAAAAAA-3OMQ0AAAgDsElHOh72EJJWQRMAAAAAAIDWXAcAAAAAAIDHFvRitn7UMAAA"
)

indexes = st.integers(min_value=0, max_value=MIN_LENGTH - 1)


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


# --- bit order ---------------------------------------------------------------


def test_a_new_list_holds_131072_unset_entries():
    bits = Bitstring()

    assert len(bits) == MIN_LENGTH == 16 * 1024 * 8
    assert bits.count() == 0
    assert bits.to_bytes() == bytes(16 * 1024)


def test_bit_zero_is_the_left_most_bit_of_the_first_byte():
    bits = Bitstring()
    bits.set(0)
    bits.set(9)
    bits.set(MIN_LENGTH - 1)

    raw = bits.to_bytes()
    assert raw[0] == 0b1000_0000
    assert raw[1] == 0b0100_0000
    assert raw[-1] == 0b0000_0001


def test_bits_1_and_4_make_the_byte_the_reference_implementation_makes():
    assert statuslist.compress_bitstring(bytes([0b0100_1000])) == DB_8_BITS_1_AND_4


@given(index=indexes)
def test_setting_a_bit_is_read_back_and_touches_no_other_bit(index):
    bits = Bitstring()
    bits.set(index)

    assert bits.get(index)
    assert bits.count() == 1
    raw = bits.to_bytes()
    assert raw[index // 8] == 0x80 >> (index % 8)


@given(index=indexes, others=st.sets(indexes, max_size=20))
def test_clearing_a_bit_leaves_the_others_set(index, others):
    bits = Bitstring()
    for other in others | {index}:
        bits.set(other)

    bits.clear(index)

    assert not bits.get(index)
    assert {i for i in others | {index} if bits.get(i)} == others - {index}


def test_setting_twice_and_clearing_an_unset_bit_change_nothing():
    bits = Bitstring()
    bits.set(42)
    bits.set(42)
    bits.clear(43)

    assert bits.count() == 1
    assert bits.get(42)


@pytest.mark.parametrize("index", [-1, MIN_LENGTH, MIN_LENGTH + 8])
def test_an_index_outside_the_list_is_refused(index):
    bits = Bitstring()

    with pytest.raises(IndexError, match="outside 0–131071"):
        bits.set(index)
    with pytest.raises(IndexError):
        bits.get(index)


@pytest.mark.parametrize("index", ["3", 1.0, True, None])
def test_an_index_that_is_not_an_integer_is_refused(index):
    with pytest.raises(TypeError, match="integer"):
        Bitstring().get(index)


def test_a_list_shorter_than_16_kb_cannot_be_made():
    with pytest.raises(StatusListError, match="at least 131072 entries"):
        Bitstring(MIN_LENGTH - 8)
    with pytest.raises(StatusListError, match="multiple of 8"):
        Bitstring(MIN_LENGTH + 1)


def test_a_longer_list_is_allowed():
    bits = Bitstring(2 * MIN_LENGTH)
    bits.set(2 * MIN_LENGTH - 1)

    assert len(statuslist.decode(statuslist.encode(bits))) == 2 * MIN_LENGTH


# --- encoding ----------------------------------------------------------------


def test_an_empty_list_encodes_exactly_as_the_spec_example():
    assert statuslist.encode(Bitstring()) == SPEC_EMPTY_LIST


def test_the_spec_example_decodes_to_an_empty_16_kb_list():
    bits = statuslist.decode(SPEC_EMPTY_LIST)

    assert len(bits) == MIN_LENGTH
    assert bits.count() == 0


def test_compression_matches_the_reference_implementation_vectors():
    revoked = bytearray(12_500)
    revoked[50_000 // 8] = 0x80 >> (50_000 % 8)

    assert statuslist.compress_bitstring(bytes(12_500)) == DB_100K
    assert statuslist.compress_bitstring(bytes(revoked)) == DB_100K_50K_SET
    assert statuslist.expand_bitstring(DB_100K_50K_SET) == bytes(revoked)


def test_encoded_list_is_multibase_base64url_without_padding_of_gzip():
    bits = Bitstring()
    bits.set(7)

    encoded = statuslist.encode(bits)

    assert encoded.startswith("u")
    assert not set(encoded) & {"=", "+", "/"}
    body = encoded[1:]
    raw = gzip.decompress(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    assert raw == bits.to_bytes()


def test_encoding_is_deterministic():
    bits = Bitstring()
    bits.set(1234)

    assert statuslist.encode(bits) == statuslist.encode(
        Bitstring.from_bytes(bits.to_bytes())
    )


@settings(max_examples=50)
@given(revoked=st.sets(indexes, max_size=200))
def test_decode_reverses_encode(revoked):
    bits = Bitstring()
    for index in revoked:
        bits.set(index)

    decoded = statuslist.decode(statuslist.encode(bits))

    assert decoded == bits
    assert {i for i in revoked if decoded.get(i)} == revoked
    assert decoded.count() == len(revoked)


def test_decode_accepts_base64url_with_padding():
    bits = Bitstring()
    bits.set(99)
    body = statuslist.encode(bits)[1:]
    padded = "u" + body + "=" * (-len(body) % 4)

    assert padded != "u" + body
    assert statuslist.decode(padded) == bits


def test_decode_accepts_gzip_from_another_compressor():
    bits = Bitstring()
    bits.set(5)
    other = gzip.compress(bits.to_bytes(), compresslevel=9, mtime=1_700_000_000)

    assert statuslist.decode("u" + b64url(other)) == bits


@pytest.mark.parametrize(
    ("encoded", "message"),
    [
        (SPEC_EMPTY_LIST[1:], 'multibase prefix "u"'),
        ("z" + SPEC_EMPTY_LIST[1:], 'multibase prefix "u"'),
        ("", 'multibase prefix "u"'),
        ("uH4sI+AAA/AAA", "not base64url"),
        ("uH4sI AAAA", "not base64url"),
        ("uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfo=AAAA", "not base64url"),
        ("uAAAAA", "truncated"),
        ("u" + b64url(b"plain bytes, no gzip"), "not GZIP"),
        ("u" + b64url(bytes(16 * 1024)), "not GZIP"),
        ("u" + SPEC_EMPTY_LIST[1:29], "cut short"),
        ("u" + b64url(gzip.compress(b"x", mtime=0) + b"junk"), "extra data"),
        ("u" + b64url(b"\x1f\x8b\x08\x00garbage-in-the-body"), "damaged GZIP"),
        ("u" + DB_100K, "at least 131072 entries"),
        ("u" + b64url(gzip.compress(bytes(MIN_LENGTH // 8 - 1), mtime=0)), "at least"),
    ],
)
def test_decode_refuses_what_is_not_a_status_list(encoded, message):
    with pytest.raises(StatusListError, match=message):
        statuslist.decode(encoded)


def test_decode_refuses_text_that_is_not_a_string():
    with pytest.raises(StatusListError, match="must be text"):
        statuslist.decode(b"uH4sI")


def test_decode_refuses_a_list_that_expands_past_the_limit():
    bomb = "u" + statuslist.compress_bitstring(bytes(MIN_LENGTH))  # 128 KB of zeros

    with pytest.raises(StatusListError, match="expands past 65536 bytes"):
        statuslist.expand_bitstring(bomb[1:], max_bytes=65_536)


# --- the reference JavaScript implementation reads what we write -------------


def test_digital_bazaar_reads_our_list_and_we_read_theirs():
    revoked = [0, 7, 8, 4242, 50_000, MIN_LENGTH - 1]
    probes = sorted({*revoked, 1, 6, 9, 4241, 4243, MIN_LENGTH - 2})
    ours = Bitstring()
    for index in revoked:
        ours.set(index)
    script = """
    import {createList, decodeList} from '@digitalbazaar/vc-bitstring-status-list';
    const input = JSON.parse(process.argv[1]);
    const list = await decodeList({encodedList: input.encoded});
    const theirs = await createList({length: input.length});
    for (const i of input.revoked) theirs.setStatus(i, true);
    console.log(JSON.stringify({
      length: list.length,
      set: input.probes.filter(i => list.getStatus(i)),
      encoded: await theirs.encode(),
    }));
    """
    payload = json.dumps(
        {
            "encoded": statuslist.encode(ours),
            "length": MIN_LENGTH,
            "revoked": revoked,
            "probes": probes,
        }
    )

    completed = subprocess.run(  # noqa: S603
        ["node", "--input-type=module", "-e", script, payload],  # noqa: S607
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    result = json.loads(completed.stdout)

    assert result["length"] == MIN_LENGTH
    assert result["set"] == revoked
    assert result["encoded"] == statuslist.encode(ours)
    assert statuslist.decode(result["encoded"]) == ours


# --- documents ---------------------------------------------------------------


def test_status_list_credential_has_the_spec_shape():
    bits = Bitstring()
    bits.set(3)
    toronto = ZoneInfo("America/Toronto")

    credential = statuslist.status_list_credential(
        list_url=LIST_URL,
        issuer="did:web:microcred.example",
        valid_from=dt.datetime(2026, 3, 8, 1, 30, 15, 999, tzinfo=toronto),
        bits=bits,
    )

    assert credential == {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": LIST_URL,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": "did:web:microcred.example",
        "validFrom": "2026-03-08T06:30:15Z",
        "credentialSubject": {
            "id": LIST_URL + "#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": statuslist.encode(bits),
        },
    }
    assert statuslist.decode(credential["credentialSubject"]["encodedList"]).get(3)


def test_status_list_credential_may_carry_valid_until():
    credential = statuslist.status_list_credential(
        list_url=LIST_URL,
        issuer="did:key:z6Mk",
        valid_from=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        valid_until=dt.datetime(2026, 1, 2, tzinfo=dt.UTC),
        bits=Bitstring(),
    )

    assert credential["validUntil"] == "2026-01-02T00:00:00Z"


def test_status_list_credential_refuses_a_date_without_time_zone():
    with pytest.raises(ValueError, match="time zone"):
        statuslist.status_list_credential(
            list_url=LIST_URL,
            issuer="did:key:z6Mk",
            valid_from=dt.datetime(2026, 1, 1),  # noqa: DTZ001
            bits=Bitstring(),
        )


def test_status_list_entry_points_at_one_index_of_the_list():
    assert statuslist.status_list_entry(list_url=LIST_URL, index=94567) == {
        "id": LIST_URL + "#94567",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "94567",
        "statusListCredential": LIST_URL,
    }


@pytest.mark.parametrize("index", [-1, "5", True, 2.0])
def test_status_list_entry_refuses_an_index_that_is_not_a_natural_number(index):
    with pytest.raises(ValueError, match="non-negative integer"):
        statuslist.status_list_entry(list_url=LIST_URL, index=index)


# --- allocation --------------------------------------------------------------


@pytest.mark.parametrize(
    ("used", "expected"), [(0, 0), (1, 1), (41, 41), (MIN_LENGTH - 1, MIN_LENGTH - 1)]
)
def test_indexes_are_allocated_in_order(used, expected):
    assert statuslist.next_status_index(used=used) == expected


def test_a_full_list_allocates_nothing():
    with pytest.raises(StatusListFull, match="All 131072 indexes"):
        statuslist.next_status_index(used=MIN_LENGTH)
    with pytest.raises(StatusListFull):
        statuslist.next_status_index(used=10, list_size=10)


def test_a_negative_used_count_is_refused():
    with pytest.raises(ValueError, match="negative"):
        statuslist.next_status_index(used=-1)


@given(used=st.integers(min_value=0, max_value=MIN_LENGTH - 1))
def test_every_allocated_index_fits_in_the_list(used):
    index = statuslist.next_status_index(used=used)

    Bitstring().set(index)
    assert 0 <= index < MIN_LENGTH
