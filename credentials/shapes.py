"""Canonicalising a batch of credentials of one shape at the cost of a few.

A bulk job signs thousands of credentials that differ only in a handful of
facts: their id, the hashed e-mail and its salt, the dates, the status-list
entry and the evidence narrative. RDFC-1.0 of one credential costs about 2 ms
in pyld, and 85 % of that is JSON-LD expansion and conversion to RDF, which
give the same quads for every credential of one shape except for those facts'
text. So for each shape we convert one document, built with placeholder
facts, to an RDF dataset once; for each credential we write its own text over
the placeholders in a copy of those quads and run only the canonicalisation
proper (blank-node labelling, serialising, sorting). The result is the
credential's canonical N-Quads, as canonicalising it from scratch gives them,
at about a sixth of the cost.

That holds only while the document builder and JSON-LD treat those facts as
opaque text, so a shape is used only after two checks:

1. *parametric*: documents built with two different sets of placeholders
   (``a`` and ``b``) differ exactly by ``a``'s text written over with
   ``b``'s, and so do their canonical N-Quads;
2. *the first credential*: the first credential of the shape is
   canonicalised from scratch (the shape is built when a second one comes),
   and the shape filled in with its facts must give the same N-Quads.

A shape failing either is logged and its credentials are canonicalised from
scratch, one by one: slower, never wrong.

No ORM, no settings.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import re
from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import Any

from credentials import proofs
from credentials.documents import CredentialFacts, credential_document, timestamp
from credentials.jsonld import ContextLoader, default_loader

logger = logging.getLogger(__name__)

# An absolute IRI as pyld tells one (``_is_absolute_iri``): a scheme, a colon,
# no white space; not a blank node (``_:``).
_ABSOLUTE_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+\-.]*:[^\s]*\Z")

Dataset = dict[str, list[dict[str, Any]]]


@dataclasses.dataclass(frozen=True)
class Slot:
    """A fact that differs from credential to credential of one shape, and the
    two placeholders it takes while a shape is built and checked."""

    field: str
    a: Any
    b: Any
    #: The fact is an IRI: JSON-LD keeps an absolute one as it is and resolves
    #: a relative one, so a credential whose IRI is relative takes no shape.
    iri: bool = False


def _text(value: Any) -> str:
    """How a fact reads in the document."""
    if isinstance(value, dt.datetime):
        return timestamp(value)
    return str(value)


def _placeholder_pattern(texts: Sequence[str]) -> re.Pattern[str]:
    # Longest first, so that no placeholder matches inside a longer one.
    ordered = sorted(texts, key=len, reverse=True)
    return re.compile("|".join(re.escape(text) for text in ordered))


def _write_over(text: str, pattern: re.Pattern[str], values: Mapping[str, str]) -> str:
    # One pass: the text written in is never searched again.
    return pattern.sub(lambda found: values[found.group()], text)


def _json_written_over(
    value: Any, pattern: re.Pattern[str], values: Mapping[str, str]
) -> Any:
    """A JSON value with placeholders in its strings written over (not keys)."""
    if isinstance(value, str):
        return _write_over(value, pattern, values)
    if isinstance(value, dict):
        return {
            key: _json_written_over(item, pattern, values)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_json_written_over(item, pattern, values) for item in value]
    return value


@dataclasses.dataclass(frozen=True)
class _Shape:
    """The RDF dataset of a document with placeholders, and where they are."""

    dataset: Dataset
    pattern: re.Pattern[str]
    # (graph, quad index, term position) of every term holding a placeholder.
    marked: frozenset[tuple[str, int, str]]

    @classmethod
    def of(cls, dataset: Dataset, placeholders: Sequence[str]) -> _Shape:
        pattern = _placeholder_pattern(placeholders)
        marked = frozenset(
            (graph, index, position)
            for graph, quads in dataset.items()
            for index, quad in enumerate(quads)
            for position, term in quad.items()
            if pattern.search(term["value"])
        )
        return cls(dataset, pattern, marked)

    def filled(self, values: Mapping[str, str]) -> Dataset:
        """A fresh copy of the dataset with ``values`` over the placeholders
        (fresh: canonicalisation relabels blank nodes in place)."""
        filled: Dataset = {}
        for graph, quads in self.dataset.items():
            copies = []
            for index, quad in enumerate(quads):
                copy = {}
                for position, term in quad.items():
                    term = dict(term)
                    if (graph, index, position) in self.marked:
                        term["value"] = _write_over(term["value"], self.pattern, values)
                    copy[position] = term
                copies.append(copy)
            filled[graph] = copies
        return filled


@dataclasses.dataclass
class _Entry:
    """What a batch knows of one shape."""

    key: Any  # the facts with the ``a`` placeholders
    # The first credential of the shape and its N-Quads from scratch, until a
    # second one comes and the shape is built and checked against it.
    witness: tuple[Any, str] | None = None
    shape: _Shape | None = None  # None: not built yet, or refused


class SharedShapes[Facts]:
    """Canonical N-Quads of documents built from facts, one RDF conversion per
    shape (see the module docstring).

    ``build`` turns facts (a dataclass) into a JSON-LD document; ``slots`` are
    the facts that may differ between documents of one shape. Two facts that
    agree on everything else are of the same shape, except that a slot left
    ``None`` makes another shape (the builder leaves its field out). ``group``
    sorts facts into groups that cannot share a shape (an achievement's id,
    say), so a batch of many shapes compares each credential with few.

    The first credential of a shape is canonicalised from scratch; the shape
    is built (two conversions) when a second one comes, so a shape of one
    credential costs what it did without shapes. Meant for one batch in one
    thread.
    """

    def __init__(
        self,
        build: Callable[[Facts], dict[str, Any]],
        slots: Sequence[Slot],
        *,
        group: Callable[[Facts], Hashable] = lambda facts: None,
        loader: ContextLoader | None = None,
    ) -> None:
        self._build = build
        self._slots = tuple(slots)
        self._group = group
        self._loader = loader or default_loader()
        self._entries: dict[Hashable, list[_Entry]] = {}
        #: Documents converted to RDF so far (credentials canonicalised from
        #: scratch, shapes and their checks).
        self.conversions = 0

    def _from_scratch(self, document: dict[str, Any]) -> str:
        self.conversions += 1
        return proofs.canonicalize(document, loader=self._loader)

    def _with(self, facts: Facts, side: str) -> Facts:
        return dataclasses.replace(
            facts,
            **{
                slot.field: getattr(slot, side)
                for slot in self._slots
                if getattr(facts, slot.field) is not None
            },
        )

    def _texts(self, facts: Facts, side: str) -> dict[str, str]:
        """Each placeholder's text (of ``side``) to the text of ``facts``."""
        return {
            _text(getattr(slot, side)): _text(getattr(facts, slot.field))
            for slot in self._slots
            if getattr(facts, slot.field) is not None
        }

    def _shape(self, key: Facts, witness: tuple[Facts, str]) -> _Shape | None:
        """The shape of ``key`` (facts holding the ``a`` placeholders), or None
        when it fails a check (see the module docstring); ``witness`` is a
        credential of the shape with its N-Quads from scratch."""
        other = self._with(key, "b")
        a_to_b = self._texts(other, "a")
        pattern = _placeholder_pattern(list(a_to_b))
        document_a, document_b = self._build(key), self._build(other)
        if _json_written_over(document_a, pattern, a_to_b) != document_b:
            logger.warning("Shared shape refused: its document is not parametric.")
            return None
        self.conversions += 1
        dataset_a = proofs.rdf_dataset(document_a, loader=self._loader)
        shape = _Shape.of(dataset_a, list(a_to_b))
        if proofs.canonicalize_dataset(shape.filled(a_to_b)) != self._from_scratch(
            document_b
        ):
            logger.warning("Shared shape refused: its quads are not parametric.")
            return None
        facts, nquads = witness
        if proofs.canonicalize_dataset(shape.filled(self._texts(facts, "a"))) != nquads:
            logger.error(
                "Shared shape refused: a credential's N-Quads differ from its "
                "canonicalisation from scratch."
            )
            return None
        return shape

    def canonical(self, facts: Facts) -> tuple[dict[str, Any], str]:
        """The document built from ``facts`` and its RDFC-1.0 N-Quads."""
        document = self._build(facts)
        if not all(
            _ABSOLUTE_IRI.match(getattr(facts, slot.field))
            for slot in self._slots
            if slot.iri
        ):
            return document, self._from_scratch(document)  # which refuses it
        key = self._with(facts, "a")
        entries = self._entries.setdefault(self._group(facts), [])
        entry = next((entry for entry in entries if entry.key == key), None)
        if entry is None:
            nquads = self._from_scratch(document)
            entries.append(_Entry(key, witness=(facts, nquads)))
            return document, nquads
        if entry.witness is not None:
            entry.shape = self._shape(key, entry.witness)
            entry.witness = None
        if entry.shape is None:
            return document, self._from_scratch(document)
        filled = entry.shape.filled(self._texts(facts, "a"))
        return document, proofs.canonicalize_dataset(filled)


_A = dt.datetime(1111, 11, 11, 11, 11, 11, tzinfo=dt.UTC)
_B = dt.datetime(2222, 2, 22, 22, 22, 22, tzinfo=dt.UTC)

#: The facts of an Open Badges 3.0 credential that differ between the
#: credentials of one achievement in a batch. The text placeholders hold
#: private-use characters, which no real text has; the IRIs stay absolute.
CREDENTIAL_SLOTS = (
    Slot("id", "urn:x-microcred:\ue000a-id", "urn:x-microcred:\ue000b-id", iri=True),
    Slot("identity_hash", "\ue000a-identity-hash", "\ue000b-identity-hash"),
    Slot("salt", "\ue000a-salt", "\ue000b-salt"),
    Slot("awarded_at", _A, _B),
    Slot("valid_from", _A + dt.timedelta(days=1), _B + dt.timedelta(days=1)),
    Slot("valid_until", _A + dt.timedelta(days=2), _B + dt.timedelta(days=2)),
    Slot(
        "status_list_url",
        "urn:x-microcred:\ue000a-status-list",
        "urn:x-microcred:\ue000b-status-list",
        iri=True,
    ),
    Slot("status_index", 1357913579135791357, 2468024680246802468),
    Slot("evidence_narrative", "\ue000a-narrative", "\ue000b-narrative"),
)


def credential_shapes(
    *, loader: ContextLoader | None = None
) -> SharedShapes[CredentialFacts]:
    """Shared shapes for Open Badges 3.0 credentials built from their facts."""
    return SharedShapes(
        credential_document,
        CREDENTIAL_SLOTS,
        group=lambda facts: facts.achievement.id,
        loader=loader,
    )
