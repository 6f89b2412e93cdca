"""The store's master key: where it comes from, what is derived from it, and the check that says
a store is opened with its own key.

The master key (32 bytes; ``LEDGER_CIPHER_KEY`` or the file ``LEDGER_KEY_FILE``, see
:mod:`storage.settings`) is never stored in the database. Two keys are derived from it by HKDF
under distinct labels: the *index key* (HMAC of a normalised NIK, the keyed index) and the
*wrapping key* (AES-GCM over each data subject's own key). The store keeps a *key check*, the
HMAC of a fixed label under the master key, written by ``db init``: a process whose key is
missing or differs is refused at start, in plain words, before it touches anything.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from ledger.errors import ConfigurationError
from storage.settings import (
    CIPHER_KEY_VARIABLE,
    KEY_FILE_VARIABLE,
    StoreSettings,
    key_file_of,
    master_key_text,
)

INDEX_LABEL = b"claims-ledger/v1/nik-index"
WRAPPING_LABEL = b"claims-ledger/v1/key-wrapping"
CHECK_LABEL = b"claims-ledger/v1/master-key-check"
#: The row of the key check in the store's table of keys (``ledger_key_check``).
CHECK_TABLE = "ledger_key_check"


def _derive(secret: bytes, label: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=label).derive(secret)


@dataclass(frozen=True)
class MasterKey:
    """The master key's secret and the keys derived from it (never printed, never stored)."""

    secret: bytes = field(repr=False)

    @property
    def index_key(self) -> bytes:
        """The key of the NIK index's HMAC."""
        return _derive(self.secret, INDEX_LABEL)

    @property
    def wrapping_key(self) -> bytes:
        """The key that wraps each data subject's key."""
        return _derive(self.secret, WRAPPING_LABEL)

    @property
    def check(self) -> str:
        """The key check the store keeps: HMAC-SHA256 of a fixed label, hexadecimal."""
        return hmac.new(self.secret, CHECK_LABEL, hashlib.sha256).hexdigest()


def new_key_text() -> str:
    """A new master key, base64 of 32 random bytes (``claims-ledger db keygen``)."""
    return base64.b64encode(os.urandom(32)).decode("ascii")


def missing_key_message(settings: StoreSettings) -> str:
    """Why a store cannot be opened without its key, and where the key was looked for."""
    return (f"the master key of {settings.describe()} is missing: it is neither in "
            f"{CIPHER_KEY_VARIABLE} nor in the key file {key_file_of(settings)} "
            f"({KEY_FILE_VARIABLE}); without it no personal field can be read or sealed. Give "
            "the key the store was initialised with ('db init' made it); nothing was changed")


def load_master_key(settings: StoreSettings) -> MasterKey | None:
    """The store's master key, or None when none is configured or found."""
    text = master_key_text(settings)
    return None if text is None else MasterKey(base64.b64decode(text))


def ensure_master_key(settings: StoreSettings) -> MasterKey:
    """The store's master key; with none given or found, a new one written to the key file
    (mode 0600, never overwriting): only ``db init`` makes a key."""
    found = load_master_key(settings)
    if found is not None:
        return found
    path: Path = key_file_of(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = new_key_text()
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another 'db init' just made it: use that one
        loaded = load_master_key(settings)
        assert loaded is not None
        return loaded
    except OSError as error:
        raise ConfigurationError(f"cannot write the master key file {path}: {error.strerror}"
                                 ) from None
    with os.fdopen(descriptor, "w", encoding="ascii") as file:
        file.write(text + "\n")
    return MasterKey(base64.b64decode(text))
