"""The witness's memory: per log origin, the size and root hash of the latest checkpoint it
co-signed, in one small JSON file of its own.

Checking a request against the stored size and recording the new one happen under one exclusive
lock (``fcntl.flock`` on a lock file beside the state), so two requests cannot both pass the
check and the smaller one roll the other back (the race ``tlog-witness`` warns about). A write
goes to a temporary file in the same directory, is fsynced, renamed over the state and the
directory fsynced: a crash leaves the old state or the new one, never half of either.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ledger.errors import ConfigurationError

FORMAT = "claims-ledger witness state v1"


@dataclass(frozen=True)
class LogState:
    """The latest checkpoint the witness co-signed for one log."""

    size: int
    root_hash: bytes


class StateFile:
    """The state file at ``path`` (created on first write), with its lock file beside it."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.lock_path = self.path.with_name(self.path.name + ".lock")

    @contextmanager
    def locked(self) -> Iterator[dict[str, LogState]]:
        """The state, held exclusively until the block ends; call :meth:`write` inside it."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.lock_path, "a+b") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield self.read()
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def read(self) -> dict[str, LogState]:
        """The stored state (empty before the first cosignature)."""
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as error:
            raise ConfigurationError(f"the witness state {self.path} cannot be read: "
                                     f"{error}") from None
        if raw.get("format") != FORMAT:
            raise ConfigurationError(f"{self.path} is not a witness state file")
        return {origin: LogState(int(log["size"]), base64.b64decode(log["root_hash"]))
                for origin, log in raw["logs"].items()}

    def write(self, state: dict[str, LogState]) -> None:
        """Replace the state atomically and durably (call it holding :meth:`locked`)."""
        document = {"format": FORMAT, "logs": {
            origin: {"size": log.size, "root_hash": base64.b64encode(log.root_hash).decode()}
            for origin, log in sorted(state.items())}}
        data = json.dumps(document, indent=2, sort_keys=True).encode() + b"\n"
        fd, temp = tempfile.mkstemp(prefix=self.path.name + ".", suffix=".tmp",
                                    dir=self.path.parent)
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temp, self.path)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
        directory = os.open(self.path.parent, os.O_RDONLY)
        try:
            os.fsync(directory)  # the rename itself survives a power cut
        finally:
            os.close(directory)
