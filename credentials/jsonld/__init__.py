"""An offline JSON-LD document loader serving context files pinned by SHA-256.

Signing and verifying a Data Integrity proof canonicalises the credential as
RDF, and that needs every ``@context`` it names. Fetching them at run time
would let a web server change what our signatures mean (and would fail
offline), so the documents are vendored in ``contexts/`` with a
``MANIFEST.json`` naming, for each URL, the file, its SHA-256 and the
package it was taken from. The rules:

- only a URL listed in the manifest is served, by exact string match; any
  other URL raises :class:`~credentials.errors.ContextNotVendoredError` and
  nothing is fetched;
- a file is hashed when it is first read, and a file whose SHA-256 differs
  from the manifest's raises :class:`~credentials.errors.ContextIntegrityError`.

One loader instance keeps its own caches, so the cost of processing the VC
and Open Badges contexts is paid once per process, not once per credential:

- pyld's cache of resolved contexts (a ``ContextResolver`` over an LRU map),
  used instead of pyld's process-wide one so that loaders serving different
  documents for one URL never mix;
- a cache of *processed* active contexts kept by :meth:`ContextLoader.processor`.
  pyld 3.3 caches a processed context under the id of the context it was
  applied to, but gives a fresh id to the copy it makes for every
  non-propagating (type-scoped) context, so the Open Badges contexts' scoped
  definitions were rebuilt for every node of every credential (75 term
  definitions per credential, three quarters of the cost of a proof). Context
  processing is a pure function of the active context, the local context and
  the options, so we memoise it: the cached result is the one pyld built the
  first time for the same inputs. Tests check the output equals plain pyld's.

Use :func:`default_loader` rather than building loaders in a loop. A loader
is meant for one thread at a time (gunicorn sync workers, Celery prefork).

No ORM, no settings, no network.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cachetools import LRUCache  # pyld's own dependency, used by its resolver
from django.utils.translation import gettext as _
from frozendict import frozendict  # pyld's own dependency: its frozen contexts
from pyld import jsonld
from pyld.context_resolver import ContextResolver

from credentials.errors import ContextIntegrityError, ContextNotVendoredError

CONTEXTS_DIR = Path(__file__).resolve().parent / "contexts"
MANIFEST_NAME = "MANIFEST.json"

VC_V2 = "https://www.w3.org/ns/credentials/v2"
OB_V3P0 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
DATA_INTEGRITY_V2 = "https://w3id.org/security/data-integrity/v2"
MULTIKEY_V1 = "https://w3id.org/security/multikey/v1"
DID_V1 = "https://www.w3.org/ns/did/v1"
BITSTRING_STATUS_LIST_V1 = "https://www.w3.org/ns/credentials/status/v1"
OB_V2 = "https://w3id.org/openbadges/v2"

#: The contexts of an Open Badges 3.0 credential, in the order they appear.
OPEN_BADGE_CREDENTIAL_CONTEXT = (VC_V2, OB_V3P0)

# Contexts kept per loader: the vendored ones plus the inline contexts they
# hold, with room to spare for inline contexts of documents we verify.
_RESOLVED_CACHE_SIZE = 256
_PROCESSED_CACHE_SIZE = 1024


@dataclass(frozen=True)
class PinnedContext:
    """One vendored context: where it is served from and what it must hash to."""

    url: str
    file: str
    sha256: str
    source: Mapping[str, str]


def read_manifest(directory: Path) -> dict[str, PinnedContext]:
    """The pinned contexts listed in ``directory/MANIFEST.json``, by URL."""
    raw = json.loads((directory / MANIFEST_NAME).read_text(encoding="utf-8"))
    return {
        entry["url"]: PinnedContext(
            url=entry["url"],
            file=entry["file"],
            sha256=entry["sha256"],
            source=entry["source"],
        )
        for entry in raw["contexts"]
    }


class ContextLoader:
    """A pyld document loader that serves pinned files and never fetches.

    Call it as pyld calls a ``documentLoader`` (``loader(url, options)``).
    For speed, run pyld operations on :meth:`processor` with :meth:`options`:
    together they use this loader's caches of resolved and processed contexts.
    """

    def __init__(
        self,
        directory: Path = CONTEXTS_DIR,
        *,
        extra: Iterable[tuple[Path, Mapping[str, PinnedContext]]] = (),
    ) -> None:
        """Serve the contexts pinned in ``directory`` (and in ``extra`` sets).

        ``extra`` adds other directories with their own pins, e.g. the older
        contexts a test vector needs; a URL may be pinned only once.
        """
        self._pins: dict[str, tuple[Path, PinnedContext]] = {}
        for folder, pins in [(directory, read_manifest(directory)), *extra]:
            for url, pin in pins.items():
                if url in self._pins:
                    raise ValueError(f"context {url} is pinned twice")
                self._pins[url] = (folder, pin)
        self._documents: dict[str, dict[str, Any]] = {}
        self._resolved: LRUCache = LRUCache(maxsize=_RESOLVED_CACHE_SIZE)
        self._processed: LRUCache = LRUCache(maxsize=_PROCESSED_CACHE_SIZE)

    @property
    def urls(self) -> frozenset[str]:
        """Every context URL this loader serves."""
        return frozenset(self._pins)

    def pin(self, url: str) -> PinnedContext:
        """The pin of a served URL; raises ContextNotVendoredError otherwise."""
        try:
            return self._pins[url][1]
        except KeyError:
            raise ContextNotVendoredError(
                _(
                    "The JSON-LD context %(url)s is not one of the contexts we "
                    "vendor; contexts are never fetched from the network."
                )
                % {"url": url},
                url=url,
            ) from None

    def document(self, url: str) -> dict[str, Any]:
        """The parsed context document for ``url``, checked against its pin."""
        if url not in self._documents:
            pin = self.pin(url)
            folder = self._pins[url][0]
            raw = (folder / pin.file).read_bytes()
            found = hashlib.sha256(raw).hexdigest()
            if found != pin.sha256:
                raise ContextIntegrityError(
                    _(
                        "The vendored JSON-LD context %(url)s (%(file)s) does not "
                        "match its pinned SHA-256; refusing to use it."
                    )
                    % {"url": url, "file": pin.file},
                    url=url,
                    expected=pin.sha256,
                    found=found,
                )
            self._documents[url] = json.loads(raw)
        return copy.deepcopy(self._documents[url])

    def __call__(self, url: str, options: Any = None) -> dict[str, Any]:
        """pyld's document loader interface: a RemoteDocument for ``url``.

        The ``static`` tag lets pyld cache the processed context: a pinned
        file cannot change while the process runs.
        """
        return {
            "contextUrl": None,
            "documentUrl": url,
            "document": self.document(url),
            "tag": "static",
        }

    def options(self) -> dict[str, Any]:
        """pyld options for one operation: this loader and its context cache.

        A fresh ``ContextResolver`` per operation (it holds per-operation
        state) over this loader's long-lived cache of resolved contexts,
        rather than pyld's process-wide cache shared with other loaders.
        """
        return {
            "documentLoader": self,
            "contextResolver": ContextResolver(self._resolved, self),
        }

    def processor(
        self, on_property_dropped: Callable[[str | None], Any] = jsonld.noop
    ) -> jsonld.JsonLdProcessor:
        """A pyld processor sharing this loader's cache of processed contexts.

        After an operation its ``expanded`` attribute holds the expanded input.
        """
        return _CachingProcessor(self._processed, on_property_dropped)

    def verify_all(self) -> None:
        """Read and hash-check every pinned file now (at start-up, in tests)."""
        for url in self._pins:
            self.document(url)


class _CachingProcessor(jsonld.JsonLdProcessor):
    """pyld's processor, memoising context processing (see module docstring)."""

    def __init__(
        self, cache: LRUCache, on_property_dropped: Callable[[str | None], Any]
    ) -> None:
        super().__init__(on_property_dropped=on_property_dropped)
        self._cache = cache
        #: The last document this processor expanded (normalize expands once),
        #: so a caller can inspect what was signed without expanding twice.
        self.expanded: Any = None

    def expand(self, input_: Any, options: Any) -> Any:
        """pyld's expansion, keeping the result in :attr:`expanded`."""
        self.expanded = super().expand(input_, options)
        return self.expanded

    def _process_context(
        self,
        active_ctx: Any,
        local_ctx: Any,
        options: Any,
        override_protected: bool = False,
        propagate: bool = True,
        validate_scoped: bool = True,
        cycles: Any = None,
    ) -> Any:
        uuid = active_ctx.get("_uuid")
        if uuid is None or cycles:
            # A context being built (no id yet), or pyld's check of a scoped
            # context while defining a term: not worth keeping.
            return super()._process_context(
                active_ctx,
                local_ctx,
                options,
                override_protected,
                propagate,
                validate_scoped,
                cycles,
            )
        if isinstance(local_ctx, str):
            local_key: Any = local_ctx
        elif isinstance(local_ctx, list) and all(isinstance(c, str) for c in local_ctx):
            local_key = tuple(local_ctx)
        else:
            # An inline context: the object pyld holds in a term definition.
            # The entry keeps it alive, so its id is not reused meanwhile.
            local_key = id(local_ctx)
        key = (
            uuid,
            local_key,
            override_protected,
            propagate,
            validate_scoped,
            options.get("base"),
            options.get("processingMode"),
        )
        hit = self._cache.get(key)
        if hit is not None and (not isinstance(local_key, int) or hit[0] is local_ctx):
            return hit[1]
        processed = super()._process_context(
            active_ctx,
            local_ctx,
            options,
            override_protected,
            propagate,
            validate_scoped,
            cycles,
        )
        if isinstance(processed, frozendict):  # never a context still being built
            self._cache[key] = (local_ctx, processed)
        return processed


@functools.cache
def default_loader() -> ContextLoader:
    """The process's loader over the vendored contexts (one cache for all)."""
    return ContextLoader()
