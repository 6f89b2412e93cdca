"""The ledger's side of witnessing on both stores (SQLite and PostgreSQL): cosignatures kept per
witness, asked again from the size each one holds, merged for a policy; a journal rewritten
under a kept cosigned checkpoint is neither signed again nor trusted."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from ledger.application import Ledger
from ledger.journal.checkpoint import new_private_key
from ledger.journal.note import SignerKey
from ledger.journal.policy import parse_policy
from ledger.journal.tlog import log_signer
from projections.journal import Journal
from projections.runner import Projector
from projections.witnessing import JournalForkError, Witnessing
from scenario import covered_member
from storage.settings import ConfiguredWitness, StoreSettings
from storage.store import postgres_connect_args
from witness.app import make_server
from witness.core import Witness, WitnessConfig, witness_key

ORIGIN = "jamsos.tangerangkota.go.id/ledger"


@pytest.fixture
def signing_key() -> str:
    return new_private_key()


@pytest.fixture
def witnessing(ledger: Ledger, signing_key: str) -> Iterator[tuple[Witnessing, Projector]]:
    for seed in (1, 2):
        covered_member(ledger, seed=seed)
    projector = Projector(ledger)
    projector.catch_up()
    yield Witnessing(Journal(ledger, projector.connection, projector.live), ORIGIN), projector
    projector.close()


@pytest.fixture
def online(tmp_path: Path, signing_key: str) -> Iterator[list[tuple[ConfiguredWitness,
                                                                  SignerKey]]]:
    log = log_signer(signing_key, ORIGIN).verifier()
    served = []
    for name in ("bpk", "ui"):
        key = witness_key(f"{name}.example.id/witness")
        witness = Witness(WitnessConfig(key, {ORIGIN: [log]}, tmp_path / name / "state.json"))
        server = make_server(witness)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        served.append((server, ConfiguredWitness(name, f"http://127.0.0.1:{server.port}",
                                                 key.verifier().to_text()), key))
    yield [(configured, key) for _, configured, key in served]
    for server, _, _ in served:
        server.shutdown()
        server.server_close()


def _policy(signing_key: str, witnesses: list[tuple[ConfiguredWitness, SignerKey]],
            quorum: str) -> str:
    lines = [f"log {log_signer(signing_key, ORIGIN).verifier().to_text()}"]
    lines += [f"witness {w.name} {w.key}" for w, _ in witnesses]
    lines += [f"group q {quorum} {' '.join(w.name for w, _ in witnesses)}", "quorum q"]
    return "\n".join(lines) + "\n"


def test_witnesses_co_sign_a_growing_journal_and_a_policy_decides(
    witnessing: tuple[Witnessing, Projector], online: list[tuple[ConfiguredWitness, SignerKey]],
    signing_key: str, ledger: Ledger,
) -> None:
    service, projector = witnessing
    configured = [w for w, _ in online]
    first = service.checkpoint(signing_key)
    assert all(o.ok for o in service.ask(configured, first))
    assert all(o.ok for o in service.ask(configured, first))  # asked twice, kept once
    assert service.cosigned()[0].count("bpk.example.id/witness") == 1
    assert service.last_size("bpk") == service.last_size("ui") == first.body.size

    covered_member(ledger, seed=3)
    projector.catch_up()
    grown = service.checkpoint(signing_key)
    assert grown.body.size > first.body.size
    outcomes = service.ask(configured, grown)
    assert [o.ok for o in outcomes] == [True, True], outcomes
    [latest, earlier] = service.cosigned()
    assert latest.splitlines()[1] == str(grown.body.size)
    assert earlier.splitlines()[1] == str(first.body.size)

    both = parse_policy(_policy(signing_key, online, "all"))
    report = service.verify_with_policy(both)
    assert report.ok and report.verdict.cosigned_by == ("bpk", "ui")
    assert report.journal is not None and report.journal.events == grown.body.size


def test_a_rewritten_journal_is_not_signed_again_nor_trusted(
    witnessing: tuple[Witnessing, Projector], online: list[tuple[ConfiguredWitness, SignerKey]],
    signing_key: str, ledger: Ledger, store_settings: StoreSettings,
) -> None:
    service, projector = witnessing
    assert all(o.ok for o in service.ask([w for w, _ in online],
                                         service.checkpoint(signing_key)))
    _edit_event(store_settings, ledger.events_table, position=4)
    projector.rebuild()
    with pytest.raises(JournalForkError, match="no longer matches the checkpoint"):
        service.checkpoint(signing_key)
    report = service.verify_with_policy(parse_policy(_policy(signing_key, online, "any")))
    assert report.verdict.ok and not report.ok
    assert report.journal is not None and "co-signed checkpoint" in report.journal.reason


def _edit_event(settings: StoreSettings, table: str, position: int) -> None:
    """A database superuser's edit of one stored event (the append-only guard off first);
    a space after its JSON keeps it readable while its bytes differ."""
    if settings.is_postgres:
        qualified = f'"{settings.env["POSTGRES_SCHEMA"]}".{table}'
        with psycopg.connect(**postgres_connect_args(settings), autocommit=True) as connection:
            connection.execute(f"ALTER TABLE {qualified} DISABLE TRIGGER USER")
            connection.execute(f"UPDATE {qualified} SET state = state || ' '::bytea "
                               f"WHERE notification_id = {position}")
        return
    import sqlite3

    connection = sqlite3.connect(settings.env["SQLITE_DBNAME"])
    with connection:
        connection.execute("DROP TRIGGER IF EXISTS ledger_append_only_update")
        connection.execute(f"UPDATE {table} SET state = CAST(CAST(state AS TEXT) || ' ' AS BLOB)"
                           f" WHERE rowid = {position}")
    connection.close()


def test_a_ledger_that_lost_its_cosignatures_asks_again_from_the_size_a_witness_names(
    witnessing: tuple[Witnessing, Projector], online: list[tuple[ConfiguredWitness, SignerKey]],
    signing_key: str, ledger: Ledger,
) -> None:
    service, projector = witnessing
    configured = [w for w, _ in online]
    first = service.checkpoint(signing_key)
    assert all(o.ok for o in service.ask(configured, first))
    with service.journal.connection.transaction() as cursor:
        cursor.execute(f"DELETE FROM {service.table}")  # e.g. restored from an older backup
    covered_member(ledger, seed=3)
    projector.catch_up()
    assert service.last_size("bpk") == 0
    grown = service.checkpoint(signing_key)
    # Each witness answers 409 with the size it holds; the ledger proves from there.
    outcomes = service.ask(configured, grown)
    assert [o.ok for o in outcomes] == [True, True], outcomes
    assert service.last_size("bpk") == grown.body.size > first.body.size
