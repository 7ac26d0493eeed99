"""Where the issuer's Ed25519 private keys live: never in git, never in the database.

A key is named by its key id (``2026-01``, ``main``...): lower-case letters,
digits and hyphens, starting with a letter or digit, at most 63 characters.
Its private key comes from, in this order:

1. the environment variable ``MICROCRED_SIGNING_KEY_<KEY ID>`` — the id upper-
   cased with hyphens as underscores (``2026-01`` → ``..._2026_01``) — holding
   a PEM private key (PKCS #8; literal ``\\n`` sequences are read as new lines)
   or the base64 of the raw 32-byte Ed25519 seed;
2. the file ``<SIGNING_KEYS_DIR>/<key id>.pem`` (PKCS #8 PEM, unencrypted),
   which must not be readable by group or others. ``SIGNING_KEYS_DIR``
   defaults to ``<BASE_DIR>/var/keys``; settings are read when a key is
   needed, never at import.

``generate`` writes new files only: the directory is created ``0700``, the
file ``0600`` with an exclusive create, so an existing key is never
overwritten. See docs/credentials-keys.md for rotation.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
import stat
from collections.abc import Mapping
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

ENV_PREFIX = "MICROCRED_SIGNING_KEY_"
KEY_FILE_SUFFIX = ".pem"
_KEY_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")


class KeyStoreError(Exception):
    """A signing key cannot be created or read; the message says why."""


class KeyNotFound(KeyStoreError):
    """No private key with this id, in the environment nor in the directory."""


class KeyExists(KeyStoreError):
    """A key with this id exists already; it is never overwritten."""


class InvalidKey(KeyStoreError):
    """The stored key is not a usable Ed25519 private key."""


def check_key_id(key_id: str) -> str:
    """``key_id`` if it is a valid key id, else ``KeyStoreError``."""
    if not isinstance(key_id, str) or not _KEY_ID.fullmatch(key_id):
        raise KeyStoreError(
            f"Invalid key id {key_id!r}: use 1 to 63 lower-case letters, digits "
            "and hyphens, starting with a letter or digit."
        )
    return key_id


def env_var_name(key_id: str) -> str:
    """The environment variable that may hold ``key_id``'s private key."""
    return ENV_PREFIX + check_key_id(key_id).upper().replace("-", "_")


def default_keys_dir() -> Path:
    """``settings.SIGNING_KEYS_DIR``, or ``<BASE_DIR>/var/keys`` when unset."""
    from django.conf import settings

    configured = getattr(settings, "SIGNING_KEYS_DIR", None)
    if configured:
        return Path(configured)
    return Path(settings.BASE_DIR) / "var" / "keys"


def private_key_from_text(text: str, *, source: str) -> Ed25519PrivateKey:
    """An Ed25519 private key from PEM or base64 seed text (``source`` names
    where the text came from, for error messages; the text never appears)."""
    text = text.strip().replace("\\n", "\n")
    if text.startswith("-----BEGIN"):
        return _from_pem(text.encode(), source=source)
    text = "".join(text.split()).rstrip("=")
    try:
        seed = base64.b64decode(
            text.replace("-", "+").replace("_", "/") + "=" * (-len(text) % 4),
            validate=True,
        )
    except (binascii.Error, ValueError) as error:
        raise InvalidKey(
            f"{source} is neither a PEM private key nor base64 text."
        ) from error
    if len(seed) != 32:
        raise InvalidKey(
            f"{source} decodes to {len(seed)} bytes; an Ed25519 seed is 32 bytes."
        )
    return Ed25519PrivateKey.from_private_bytes(seed)


def _from_pem(data: bytes, *, source: str) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except TypeError as error:  # encrypted PEM and no password
        raise InvalidKey(
            f"{source} is an encrypted private key; store it unencrypted and "
            "protect it with file permissions or a secret manager."
        ) from error
    except ValueError as error:
        raise InvalidKey(f"{source} is not a readable PEM private key.") from error
    if not isinstance(key, Ed25519PrivateKey):
        raise InvalidKey(
            f"{source} holds another kind of key ({type(key).__name__}), "
            "not an Ed25519 key."
        )
    return key


class KeyStore:
    """Ed25519 signing keys from the environment or a private directory.

    ``directory`` and ``environ`` default to ``SIGNING_KEYS_DIR`` (read at
    each call) and ``os.environ``; pass them to use another place.
    """

    def __init__(
        self,
        directory: Path | str | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        self._directory = Path(directory) if directory is not None else None
        self._environ = environ

    @property
    def directory(self) -> Path:
        return self._directory if self._directory is not None else default_keys_dir()

    @property
    def environ(self) -> Mapping[str, str]:
        return self._environ if self._environ is not None else os.environ

    def path(self, key_id: str) -> Path:
        """The file where ``key_id``'s private key is (or would be) kept."""
        return self.directory / f"{check_key_id(key_id)}{KEY_FILE_SUFFIX}"

    def exists(self, key_id: str) -> bool:
        """Whether a private key with this id is in the environment or a file."""
        return env_var_name(key_id) in self.environ or self.path(key_id).exists()

    def key_ids(self) -> list[str]:
        """Every key id available, from the environment and the directory."""
        ids = {
            name.removeprefix(ENV_PREFIX).lower().replace("_", "-")
            for name in self.environ
            if name.startswith(ENV_PREFIX)
        }
        if self.directory.is_dir():
            ids |= {path.stem for path in self.directory.glob(f"*{KEY_FILE_SUFFIX}")}
        return sorted(key_id for key_id in ids if _KEY_ID.fullmatch(key_id))

    def generate(self, key_id: str) -> Ed25519PublicKey:
        """Create a new private key file for ``key_id``; return its public key.

        Refuses (``KeyExists``) when the file exists or the environment
        already supplies this key id.
        """
        path = self.path(key_id)
        if env_var_name(key_id) in self.environ:
            raise KeyExists(
                f"Key {key_id!r} is supplied by ${env_var_name(key_id)}; "
                "not generating a file that it would hide."
            )
        self._make_directory()
        private_key = Ed25519PrivateKey.generate()
        pem = private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
        try:
            fd = os.open(path, flags, 0o600)
        except FileExistsError as error:
            raise KeyExists(
                f"Key {key_id!r} exists already at {path}; keys are never "
                "overwritten. Choose a new key id to rotate."
            ) from error
        try:
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "wb") as file:
                file.write(pem)
                file.flush()
                os.fsync(file.fileno())
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        return private_key.public_key()

    def load_private(self, key_id: str) -> Ed25519PrivateKey:
        """``key_id``'s private key, from the environment first, then the file."""
        name = env_var_name(key_id)
        if name in self.environ:
            return private_key_from_text(self.environ[name], source=f"${name}")
        path = self.path(key_id)
        try:
            mode = path.stat().st_mode
            if not stat.S_ISREG(mode):
                raise InvalidKey(f"{path} is not a file.")
            if os.name == "posix" and mode & 0o077:
                raise InvalidKey(
                    f"{path} can be read by other users (mode "
                    f"{stat.S_IMODE(mode):04o}); run: chmod 600 {path}"
                )
            data = path.read_bytes()
        except FileNotFoundError as error:
            raise KeyNotFound(
                f"No signing key {key_id!r}: set ${name}, or generate the key "
                f"into {path}."
            ) from error
        except PermissionError as error:
            raise KeyStoreError(
                f"Cannot read {path}: permission denied for this user."
            ) from error
        return _from_pem(data, source=str(path))

    def public_key(self, key_id: str) -> Ed25519PublicKey:
        return self.load_private(key_id).public_key()

    def public_key_bytes(self, key_id: str) -> bytes:
        """The raw 32-byte Ed25519 public key of ``key_id``."""
        return self.public_key(key_id).public_bytes_raw()

    def _make_directory(self) -> None:
        directory = self.directory
        if not directory.is_dir():
            directory.mkdir(mode=0o700, parents=True, exist_ok=True)
            directory.chmod(0o700)
