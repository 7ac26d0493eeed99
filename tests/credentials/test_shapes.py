"""Shared shapes: a batch's credentials canonicalised from one RDF conversion
give exactly the N-Quads canonicalising each from scratch gives, and a shape
that is not parametric is refused (canonicalised from scratch) rather than
trusted. No database."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import uuid
from decimal import Decimal

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from credentials import multikey, proofs, shapes
from credentials.documents import (
    AchievementFacts,
    AlignmentFacts,
    CredentialFacts,
    IssuerFacts,
    OutcomeFacts,
    ResultFacts,
    credential_document,
)
from credentials.errors import SigningRefused

PRIVATE_KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
METHOD = multikey.did_key_verification_method(PRIVATE_KEY.public_key())
SITE = "https://learn.example.edu"
CREATED = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)


def achievement(**changes) -> AchievementFacts:
    facts = AchievementFacts(
        id=f"{SITE}/achievements/7",
        achievement_type="MicroCredential",
        name="Data Analysis with Python",
        description="Clean, analyse and chart a real data set.",
        criteria_url=f"{SITE}/achievements/7",
        criteria_narrative="Pass the summative assessment (12 hours).",
        image_url=f"{SITE}/achievements/7/image.png",
        language="en",
        version=2,
        human_code="DATA-101",
        pass_mark_percent=Decimal("70"),
        outcomes=(
            OutcomeFacts("LO1", "Clean a data set"),
            OutcomeFacts("LO2", "Chart a distribution"),
        ),
        alignments=(
            AlignmentFacts("Data literacy", "https://esco.example/skill/1", "S1"),
        ),
        tags=("data", "python"),
        credits_available=Decimal("1.5"),
    )
    return dataclasses.replace(facts, **changes)


def credential(**changes) -> CredentialFacts:
    facts = CredentialFacts(
        id=f"{SITE}/credentials/{uuid.uuid4()}",
        issuer=IssuerFacts(
            id=METHOD["controller"],
            name="Example University",
            url=SITE,
            email="registrar@example.edu",
        ),
        achievement=achievement(),
        identity_hash="sha256$" + "ab" * 32,
        salt="5f0c2b",
        awarded_at=dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC),
        valid_from=dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC),
        valid_until=dt.datetime(2029, 6, 1, 12, 0, tzinfo=dt.UTC),
        status_list_url=f"{SITE}/status/3",
        status_index=41,
        evidence_name="Recognised from a record held elsewhere",
        evidence_narrative="Issued by the registrar from an institutional record.",
        result=ResultFacts(None, ("LO1", "LO2")),
    )
    return dataclasses.replace(facts, **changes)


def from_scratch(facts: CredentialFacts) -> str:
    return proofs.canonicalize(credential_document(facts))


moments = st.datetimes(
    min_value=dt.datetime(1900, 1, 1),  # noqa: DTZ001 (hypothesis adds the zone)
    max_value=dt.datetime(2200, 1, 1),  # noqa: DTZ001
    timezones=st.just(dt.UTC),
)
# Any text a registrar's file may hold, control characters and the text of our
# placeholders included.
texts = st.lists(
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]))
    | st.sampled_from(["\ue000", "\ue000a-narrative", "1111-11-11T11:11:11Z", "$"]),
    max_size=4,
).map("".join)
per_credential = st.fixed_dictionaries(
    {
        "id": st.uuids().map(lambda value: f"{SITE}/credentials/{value}"),
        "identity_hash": texts,
        "salt": texts,
        "awarded_at": moments,
        "valid_from": moments,
        "valid_until": st.none() | moments,
        "status_list_url": st.integers(1, 10**6).map(lambda n: f"{SITE}/status/{n}"),
        "status_index": st.integers(0, 2**31),
        "evidence_narrative": texts,
    }
)

# One batch across the examples, so most of them take a shape already built.
BATCH = shapes.credential_shapes()


@settings(max_examples=150, deadline=None)
@given(per_credential)
def test_a_credential_of_a_shared_shape_has_the_n_quads_of_its_own_canonicalisation(
    values,
):
    facts = credential(**values)

    document, nquads = BATCH.canonical(facts)

    assert document == credential_document(facts)
    assert nquads == from_scratch(facts)


def test_credentials_of_one_shape_share_one_rdf_conversion():
    batch = shapes.credential_shapes()

    for index in range(20):
        facts = credential(status_index=index, salt=f"salt-{index}")
        assert batch.canonical(facts)[1] == from_scratch(facts)

    # The first credential, then the shape (placeholders a) and its check (b).
    assert batch.conversions == 3


def test_a_batch_of_one_credential_per_achievement_costs_what_it_did_without_shapes():
    """A shape is built only when a second credential of it comes."""
    batch = shapes.credential_shapes()

    for number in range(5):
        facts = credential(
            achievement=achievement(
                id=f"{SITE}/achievements/{number}", name=f"A{number}"
            )
        )
        assert batch.canonical(facts)[1] == from_scratch(facts)

    assert batch.conversions == 5


@pytest.mark.parametrize(
    "changes",
    [
        {"valid_until": None},
        {"evidence_name": "Summative assessment (course route)"},
        {"result": ResultFacts(Decimal("88.5"), ("LO1",))},
        {"achievement": achievement(name="Statistics", outcomes=())},
    ],
)
def test_credentials_that_differ_beyond_the_slots_take_shapes_of_their_own(changes):
    batch = shapes.credential_shapes()
    first, second, third = credential(), credential(**changes), credential(**changes)

    for facts in (first, second, third):
        assert batch.canonical(facts)[1] == from_scratch(facts)
    # Each first credential from scratch; the second shape, used twice, built
    # and checked.
    assert batch.conversions == 4


@pytest.mark.parametrize(
    "description",
    ["Held since 1111-11-11T11:11:11Z.", "Text holding \ue000a-salt itself."],
)
def test_an_achievement_holding_a_placeholders_text_is_canonicalised_from_scratch(
    description, caplog
):
    """The placeholder check sees the text would be written over too."""
    batch = shapes.credential_shapes()
    facts = credential(achievement=achievement(description=description))

    with caplog.at_level(logging.WARNING, logger="credentials.shapes"):
        for index in range(3):
            facts = dataclasses.replace(facts, status_index=index)
            assert batch.canonical(facts)[1] == from_scratch(facts)

    assert "not parametric" in caplog.text


def test_a_builder_that_reworks_a_slot_is_refused_by_the_placeholder_check(caplog):
    def shouting(facts: CredentialFacts) -> dict:
        loud = facts.evidence_narrative.upper()
        return credential_document(dataclasses.replace(facts, evidence_narrative=loud))

    batch = shapes.SharedShapes(shouting, shapes.CREDENTIAL_SLOTS)
    with caplog.at_level(logging.WARNING, logger="credentials.shapes"):
        for narrative in ["quietly", "softly"]:
            facts = credential(evidence_narrative=narrative)
            document, nquads = batch.canonical(facts)

            assert nquads == proofs.canonicalize(shouting(facts))
            assert narrative.upper() in nquads

    assert "its document is not parametric" in caplog.text


def test_a_builder_that_branches_on_a_real_value_is_caught_by_the_first_credential(
    caplog,
):
    """Placeholders cannot show every branch; the first credential of a shape
    is canonicalised from scratch as well, and a difference refuses the shape
    for the rest of the batch."""

    def picky(facts: CredentialFacts) -> dict:
        document = credential_document(facts)
        if "secret" in facts.evidence_narrative:
            del document["evidence"]
        return document

    batch = shapes.SharedShapes(picky, shapes.CREDENTIAL_SLOTS)
    with caplog.at_level(logging.ERROR, logger="credentials.shapes"):
        for narrative in ["a secret", "plain", "another secret"]:
            facts = credential(evidence_narrative=narrative)
            assert batch.canonical(facts)[1] == proofs.canonicalize(picky(facts))

    assert "differ from its canonicalisation from scratch" in caplog.text


@pytest.mark.parametrize(
    "changes",
    [{"id": "credentials/1"}, {"status_list_url": "/status/3"}, {"id": "_:b0"}],
)
def test_a_credential_whose_iri_is_not_absolute_is_canonicalised_from_scratch(
    changes,
):
    """JSON-LD resolves or refuses such an IRI; the shape would keep it as text."""
    batch = shapes.credential_shapes()
    batch.canonical(credential())
    facts = credential(**changes)

    assert outcome(lambda: batch.canonical(facts)[1]) == outcome(
        lambda: from_scratch(facts)
    )
    assert batch.conversions == 2  # one each, from scratch


def outcome(canonicalise) -> str:
    try:
        return canonicalise()
    except SigningRefused as refused:
        return f"refused: {refused}"


def test_a_signature_over_shared_n_quads_is_the_signature_over_the_credential():
    """Ed25519 is deterministic: the same bytes signed give the same proof."""
    batch = shapes.credential_shapes()
    signer = proofs.Signer(
        private_key=PRIVATE_KEY, verification_method=METHOD, created=CREATED
    )
    for index in range(3):
        facts = credential(status_index=index)
        document, nquads = batch.canonical(facts)

        signed = signer.sign(document, canonical_document=nquads)

        assert signed == proofs.sign_credential(
            credential_document(facts),
            private_key=PRIVATE_KEY,
            verification_method=METHOD,
            created=CREATED,
        )
        assert proofs.verify_proof(signed, public_key_for=lambda _id: METHOD).verified
