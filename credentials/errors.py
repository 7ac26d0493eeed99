"""Domain errors of the credentials app's signing core.

Every error carries a message fit to show a registrar (translated at the
moment it is raised) and the facts behind it as attributes, so a service can
report them without parsing text.
"""

from __future__ import annotations

from collections.abc import Sequence


class ContextError(Exception):
    """A JSON-LD context could not be served from the vendored, pinned set."""


class ContextNotVendoredError(ContextError):
    """A document names a context URL we do not vendor; we never fetch one."""

    def __init__(self, message: str, *, url: str) -> None:
        super().__init__(message)
        self.url = url


class ContextIntegrityError(ContextError):
    """A vendored context file no longer matches the SHA-256 it is pinned to."""

    def __init__(self, message: str, *, url: str, expected: str, found: str) -> None:
        super().__init__(message)
        self.url = url
        self.expected = expected
        self.found = found


class MultikeyError(ValueError):
    """A Multikey, multibase string or did:key is malformed or not Ed25519."""


class SigningRefused(ValueError):
    """The document cannot be signed as it is; nothing was signed."""


class UndefinedTermError(SigningRefused):
    """Fields or types the document's contexts do not define.

    pyld drops such a field from what is signed without a word, and a
    verifier in safe mode (Digital Bazaar's) then rejects the credential.
    """

    def __init__(
        self, message: str, *, terms: Sequence[str], paths: Sequence[str]
    ) -> None:
        super().__init__(message)
        self.terms = tuple(terms)
        self.paths = tuple(paths)


class ControlCharacterError(SigningRefused):
    """Text holding a control character that canonicalisers disagree on."""

    def __init__(self, message: str, *, path: str, character: str) -> None:
        super().__init__(message)
        self.path = path
        self.character = character


class DateTimeError(SigningRefused):
    """A date-time field without a time of day or without a time zone."""

    def __init__(self, message: str, *, field: str, value: object) -> None:
        super().__init__(message)
        self.field = field
        self.value = value


class VerificationMethodError(SigningRefused):
    """The verification method is not a Multikey controlled by the issuer."""
