"""A witness's configuration file: its key file(s), the logs it follows, its state file.

::

    # The BPK witness of the Tangerang ledger
    key-file /etc/witness/bpk.key            (PRIVATE+KEY+bpk.go.id/witness+...+..., type 0x04)
    extra-key-file /etc/witness/bpk-pq.key   (optional: an ML-DSA-44 cosigner key, type 0x06)
    log jamsos.tangerangkota.go.id/ledger+1a2b3c4d+AQ...   (one line per log, its verifier key)
    state /var/lib/witness/state.json

Relative paths are read from the configuration file's directory. A log's origin is its verifier
key's name (tlog-checkpoint: the log's key name matches its origin).
"""

from __future__ import annotations

from pathlib import Path

from ledger.errors import ConfigurationError, MalformedNoteError
from ledger.journal.note import ED25519, SignerKey, VerifierKey
from witness.core import WitnessConfig


def parse_config(text: str, base: Path | str = ".") -> WitnessConfig:
    """The configuration of ``text``; files it names are read relative to ``base``."""
    base = Path(base)
    key: SignerKey | None = None
    extra: list[SignerKey] = []
    logs: dict[str, list[VerifierKey]] = {}
    state: Path | None = None
    for number, line in enumerate(text.splitlines(), 1):
        words = line.split()
        if not words or words[0].startswith("#"):
            continue
        if len(words) != 2:
            raise ConfigurationError(f"witness configuration line {number}: <keyword> <value>")
        keyword, value = words
        try:
            if keyword in ("key-file", "extra-key-file"):
                signer = SignerKey.parse((base / value).read_text(encoding="utf-8"))
                if keyword == "key-file":
                    key = signer
                else:
                    extra.append(signer)
            elif keyword == "log":
                vkey = VerifierKey.parse(value)
                if vkey.type != ED25519:
                    raise ConfigurationError(f"line {number}: a log key has type 0x01")
                logs.setdefault(vkey.name, []).append(vkey)
            elif keyword == "state":
                state = base / value
            else:
                raise ConfigurationError(f"line {number}: unknown keyword {keyword!r}")
        except (OSError, MalformedNoteError) as error:
            raise ConfigurationError(f"witness configuration line {number}: {error}") from None
    if key is None or state is None or not logs:
        raise ConfigurationError("a witness configuration names a key-file, a state file and "
                                 "at least one log")
    return WitnessConfig(key, {origin: tuple(keys) for origin, keys in logs.items()}, state,
                         tuple(extra))


def load_config(path: Path | str) -> WitnessConfig:
    """Read the configuration file at ``path``."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigurationError(f"cannot read the witness configuration {path}: "
                                 f"{error}") from None
    return parse_config(text, path.parent)
