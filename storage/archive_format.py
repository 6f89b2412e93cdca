"""The export file's lines: its manifest, its stored events, its checkpoints (signed and
co-signed), their form and how each line is read back (:mod:`storage.archive` writes the file,
:mod:`storage.archive_restore` reads it into an empty store; the whole format is told there).
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import asdict, dataclass
from typing import IO
from uuid import UUID

from ledger.errors import InvalidInputError, MalformedNoteError, RuleViolationError
from ledger.journal.checkpoint import Checkpoint, leaf_of
from ledger.journal.tlog import parse_checkpoint
from storage.archive_keys import IndexRecord, KeyRecord, parse_key_record
from storage.migration_tables import CheckpointBefore, MigrationRecord, from_export

FORMAT = "claims-ledger-export"
VERSION = 2  # 2: the data subjects' keys and the NIK index (issue 18)
PAGE = 5000


class ExportFileError(InvalidInputError):
    """The file is not a whole, unaltered export of this format."""

    rule = "export-file-invalid"


class RestoreOntoNonEmptyError(RuleViolationError):
    """A restore is only ever made into an empty ledger: a log is never merged into another."""

    rule = "restore-needs-empty-ledger"


@dataclass(frozen=True)
class Manifest:
    """What an export holds, checked again by the restore."""

    count: int
    root: str
    head: int
    checkpoints: int
    encrypted: bool
    created_from: str
    created_at: str
    format: str = FORMAT
    version: int = VERSION
    cosigned: int = 0
    migration: int = 0
    keys: int = 0
    index: int = 0

    def line(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)


@dataclass(frozen=True)
class Row:
    """One stored event as the table holds it."""

    position: int
    originator_id: str  # canonical: lower-case with dashes
    version: int
    topic: str
    state: bytes

    def leaf(self) -> bytes:
        return leaf_of(self.position, self.originator_id, self.version, self.topic, self.state)

    def line(self) -> str:
        return json.dumps({"position": self.position, "originator_id": self.originator_id,
                           "version": self.version, "topic": self.topic,
                           "state": base64.b64encode(self.state).decode("ascii")})


@dataclass(frozen=True)
class Cosigned:
    """A checkpoint one witness co-signed, as ``ledger_cosigned_checkpoints`` keeps it."""

    witness: str
    size: int
    root: str
    text: str


@dataclass(frozen=True)
class CheckpointLine:
    """A signed checkpoint of the log, as ``ledger_checkpoints`` keeps it."""

    text: str
    size: int
    root: str
    time: str


Record = (Row | CheckpointLine | Cosigned | KeyRecord | IndexRecord | MigrationRecord
          | CheckpointBefore)


def read_manifest(source: IO[str]) -> Manifest:
    """The manifest line at the top of an export, checked for form."""
    first = source.readline()
    try:
        found = json.loads(first)
        if not isinstance(found, dict) or found.get("format") != FORMAT:
            raise ValueError("no manifest")
        if found.get("version") != VERSION:
            raise ExportFileError(
                f"this export has format version {found.get('version')}; this ledger reads "
                f"version {VERSION}")
        return Manifest(**{k: found[k] for k in Manifest.__dataclass_fields__ if k in found})
    except ExportFileError:
        raise
    except (ValueError, KeyError, TypeError):
        raise ExportFileError("this file is not a claims-ledger export: its first line is not "
                              "an export manifest") from None


def parse_line(line: str, number: int) -> Record:
    try:
        found = json.loads(line)
        key = parse_key_record(found) or from_export(found)
        if key is not None:
            return key
        if "cosigned" in found:
            body = parse_checkpoint(str(found["cosigned"])).body
            return Cosigned(str(found["witness"]), body.size, body.root_hash.hex(),
                             str(found["cosigned"]))
        if "checkpoint" in found:
            kept = Checkpoint.from_text(str(found["checkpoint"]))
            return CheckpointLine(str(found["checkpoint"]), kept.size, kept.root.hex(), kept.time)
        return Row(int(found["position"]), str(UUID(str(found["originator_id"]))),
                   int(found["version"]), str(found["topic"]),
                   base64.b64decode(str(found["state"]), validate=True))
    except (ValueError, KeyError, TypeError, binascii.Error, InvalidInputError,
            MalformedNoteError):
        raise ExportFileError(f"line {number} of the file is not a stored event or a "
                              "checkpoint: the file is damaged") from None
