"""Witnesses: the ``witness`` group (a witness operator's commands: keygen, serve, answer) and
the ledger's side in the ``journal`` group (log-key, witness, proof) and ``--policy`` checks.

A witness is another party: ``witness serve`` and ``witness answer`` read only their own
configuration file and state, never the ledger's database (docs/witnesses.md).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from api.cli.common import FORCE, LedgerCommandError, ledger_session, refusal, require_output
from ledger.errors import LedgerError, MalformedNoteError
from ledger.journal.policy import Policy, parse_policy
from ledger.limits import MAX_POSITION
from projections.runner import Projector
from projections.witnessing import PolicyReport, Witnessing
from storage.settings import ConfiguredWitness, witnesses_from_environment
from witness.core import Witness

# -- the witness operator's commands ---------------------------------------------------------


@click.group("witness")
def witness_group() -> None:
    """A witness of someone's journal: its key, its HTTP service, its offline answers."""


@witness_group.command("keygen")
@click.argument("name")
@click.option("--key-file", type=click.Path(path_type=Path), required=True,
              help="Where to write the private key (keep it from the ledger's operators).")
@click.option("--ml-dsa", is_flag=True, help="A post-quantum ML-DSA-44 key (type 0x06).")
@FORCE
def witness_keygen(name: str, key_file: Path, ml_dsa: bool, force: bool) -> None:
    """Make a cosigner key named NAME (e.g. bpk.go.id/witness); print its public key."""
    from ledger.journal.note import COSIGNATURE_V1, MLDSA44_COSIGNATURE
    from witness.core import witness_key

    require_output(key_file, force)
    try:
        key = witness_key(name, MLDSA44_COSIGNATURE if ml_dsa else COSIGNATURE_V1)
    except MalformedNoteError as error:
        raise LedgerCommandError(f"{name!r} cannot name a key: {error.message}") from None
    key_file.write_text(key.to_text() + "\n", encoding="utf-8")
    key_file.chmod(0o600)
    click.echo(key.verifier().to_text())


def _load(config: Path) -> Witness:
    from witness.config import load_config

    try:
        return Witness(load_config(config))
    except LedgerError as error:
        raise refusal(error) from None


@witness_group.command("serve")
@click.option("--config", "config", type=click.Path(path_type=Path, dir_okay=False),
              required=True, help="The witness's configuration file (docs/witnesses.md).")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8090, show_default=True, type=int)
def witness_serve(config: Path, host: str, port: int) -> None:
    """Answer POST /add-checkpoint (C2SP tlog-witness) until stopped."""
    from witness.app import make_server

    witness = _load(config)
    server = make_server(witness, host, port)
    click.echo(f"witness {witness.config.key.name} on http://{host}:{server.port} "
               f"(following {', '.join(sorted(witness.config.logs))})", err=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


@witness_group.command("answer")
@click.option("--config", "config", type=click.Path(path_type=Path, dir_okay=False),
              required=True, help="The witness's configuration file.")
@click.argument("request", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.argument("answer", type=click.Path(path_type=Path))
@FORCE
def witness_answer(config: Path, request: Path, answer: Path, force: bool) -> None:
    """Offline mode: answer the REQUEST file into the ANSWER file (exit 1 when refused)."""
    from witness.core import answer_file, refusal_message

    require_output(answer, force, reading=request)
    witness = _load(config)
    result = answer_file(witness, request, answer)
    if result.status != 200:
        click.echo(f"REFUSED ({refusal_message(result)}); the answer file says why", err=True)
        sys.exit(1)
    click.echo(f"co-signed; give {answer} back to the ledger")


# -- the ledger's side --------------------------------------------------------------------------


def _signing_key() -> str:
    from storage.settings import signing_key_from_environment

    key = signing_key_from_environment()
    if key is None:
        raise LedgerCommandError("set LEDGER_SIGNING_KEY first ('claims-ledger journal keygen')")
    return key


@contextmanager
def witnessing_session() -> Iterator[Witnessing]:
    """The ledger's journal, caught up, with its origin (``LEDGER_ORIGIN``)."""
    from projections.journal import Journal
    from storage.settings import origin_from_environment

    origin = origin_from_environment()
    with ledger_session() as ledger:
        projector = Projector(ledger)
        try:
            projector.catch_up()
            yield Witnessing(Journal(ledger, projector.connection, projector.live), origin)
        finally:
            projector.close()


@click.command("log-key")
def journal_log_key() -> None:
    """Print the ledger's verifier key (origin+id+key) for witnesses and policy files."""
    from ledger.journal.tlog import log_signer
    from storage.settings import origin_from_environment

    try:
        click.echo(log_signer(_signing_key(), origin_from_environment()).verifier().to_text())
    except LedgerError as error:
        raise refusal(error) from None


def _configured(name: str) -> ConfiguredWitness:

    for witness in witnesses_from_environment():
        if witness.name == name:
            return witness
    raise LedgerCommandError(f"no witness {name!r} in the file LEDGER_WITNESSES names")


@click.command("witness")
@click.option("--request", "request_file", type=click.Path(path_type=Path, dir_okay=False),
              help="Offline: write the request for a witness that takes files.")
@click.option("--answer", "answer_file", type=click.Path(path_type=Path, dir_okay=False,
                                                         exists=True),
              help="Offline: keep the cosignature in this answer to --request.")
@click.option("--witness", "witness_name", help="The witness (as LEDGER_WITNESSES names it) of "
              "--request or --answer.")
@FORCE
def journal_witness(request_file: Path | None, answer_file: Path | None,
                    witness_name: str | None, force: bool) -> None:
    """Sign the journal's head as a C2SP checkpoint and ask each witness to co-sign it."""
    if answer_file is not None:
        if request_file is None or witness_name is None:
            raise LedgerCommandError("--answer needs the --request it answers and --witness")
        _take_answer(request_file, answer_file, witness_name)
        return
    key = _signing_key()
    try:
        if request_file is not None:
            require_output(request_file, force)
            with witnessing_session() as service:
                old = service.last_size(witness_name) if witness_name else 0
                checkpoint = service.checkpoint(key)
                request_file.write_bytes(service.request(checkpoint, old))
            click.echo(f"wrote the request for the checkpoint of {checkpoint.body.size} events "
                       f"(from size {old}) to {request_file}")
            return
        witnesses = witnesses_from_environment()
        if not witnesses:
            raise LedgerCommandError("no witness is configured: set LEDGER_WITNESSES to a file "
                                     "of NAME URL VERIFIER-KEY lines (README, Witnesses)")
        with witnessing_session() as service:
            checkpoint = service.checkpoint(key)
            outcomes = service.ask(witnesses, checkpoint)
    except LedgerError as error:
        raise refusal(error) from None
    click.echo(f"checkpoint of {checkpoint.body.size} events signed as "
               f"{checkpoint.body.origin}")
    for outcome in outcomes:
        click.echo(f"{'OK' if outcome.ok else 'REFUSED'}: {outcome.message}",
                   err=not outcome.ok)
    if any(outcome.fork for outcome in outcomes):
        click.echo("FORK: a witness saw another history of this journal.", err=True)
    if not all(outcome.ok for outcome in outcomes):
        sys.exit(1)


def _take_answer(request_file: Path, answer_file: Path, name: str) -> None:
    from ledger.journal.note import VerifierKey
    from ledger.journal.tlog import parse_checkpoint
    from witness.protocol import SIZE_CONTENT_TYPE, Answer, parse_add_checkpoint

    body = answer_file.read_bytes()
    try:
        witness = _configured(name)
        checkpoint = parse_checkpoint(parse_add_checkpoint(request_file.read_bytes()).checkpoint)
        key = VerifierKey.parse(witness.key)
        # An answer file holds the body only: cosignature lines, a size (409) or a reason.
        text = body.decode(errors="replace").strip()
        answer = (Answer(200, body) if body.startswith("— ".encode())
                  else Answer(409, body, SIZE_CONTENT_TYPE) if text.isdigit()
                  else Answer(422, body))
        with witnessing_session() as service:
            outcome = service.accept(name, key, checkpoint, answer)
    except LedgerError as error:
        raise refusal(error) from None
    if not outcome.ok:
        click.echo(f"REFUSED: {outcome.message}", err=True)
        sys.exit(1)
    click.echo(f"OK: {outcome.message}")


def _policy(policy_file: Path) -> Policy:

    try:
        return parse_policy(policy_file.read_bytes())
    except MalformedNoteError as error:
        raise LedgerCommandError(f"{policy_file} is not a policy file: {error.message}") from None


def show_policy_report(report: PolicyReport) -> None:
    """Print what ``verify --policy`` found; exit 1 unless the quorum holds and it matches."""
    if not report.verdict.ok:
        click.echo(f"NOT TRUSTED: {report.verdict.reason}", err=True)
        sys.exit(1)
    click.echo(report.verdict.reason)
    journal = report.journal
    assert journal is not None
    if not journal.ok:
        where = f"position {journal.position}: " if journal.position is not None else ""
        click.echo(f"MISMATCH at {where}{journal.reason}", err=True)
        sys.exit(1)
    own = (f"; the ledger's own {journal.checkpoints} checkpoint(s) match too"
           if journal.checkpoints else "")
    click.echo(f"OK: the journal recomputed from the stored events ({journal.events} events) "
               f"has the root the witnesses co-signed{own}")


def verify_with_policy(policy_file: Path, external: str | None) -> None:
    """``verify --policy`` and ``journal check --policy`` against the database."""
    policy = _policy(policy_file)
    try:
        with witnessing_session() as service:
            report = service.verify_with_policy(policy, external)
    except LedgerError as error:
        raise refusal(error) from None
    show_policy_report(report)


def check_tlog_proof_file(proof_file: Path, policy_file: Path, leaf_hash: str | None) -> None:
    """``journal check --policy FILE PROOF.tlog-proof``: no database at all."""
    from ledger.journal.policy import check_tlog_proof, parse_tlog_proof

    policy = _policy(policy_file)
    if leaf_hash is None:
        raise LedgerCommandError("give the event's leaf hash with --leaf-hash (the hex that "
                                 "'journal proof' printed, or recompute it from the event)")
    try:
        proof = parse_tlog_proof(proof_file.read_bytes())
        verdict = check_tlog_proof(proof, bytes.fromhex(leaf_hash), policy)
    except (MalformedNoteError, ValueError) as error:
        raise LedgerCommandError(f"{proof_file} is not a .tlog-proof: {error}") from None
    if not verdict.ok:
        click.echo(f"REFUSED: {verdict.reason}", err=True)
        sys.exit(1)
    click.echo(f"OK: the event is entry {proof.index} of {verdict.reason}")


@click.command("proof")
@click.option("--position", type=click.IntRange(1, MAX_POSITION), required=True)
@click.option("--tlog-proof", "out", type=click.Path(path_type=Path, dir_okay=False),
              required=True, help="The .tlog-proof file to write.")
@click.option("--policy", "policy_file", type=click.Path(path_type=Path, dir_okay=False,
                                                         exists=True),
              help="Prove in the latest checkpoint that meets this policy.")
@FORCE
def journal_proof(position: int, out: Path, policy_file: Path | None, force: bool) -> None:
    """Write the event at POSITION's inclusion proof in the latest co-signed checkpoint."""
    require_output(out, force)
    policy = _policy(policy_file) if policy_file else None
    try:
        with witnessing_session() as service:
            text, leaf = service.tlog_proof(position, policy)
    except LedgerError as error:
        raise refusal(error) from None
    out.write_text(text, encoding="utf-8")
    click.echo(f"wrote {out}; the event's leaf hash is {leaf.hex()}")


@click.command("cosigned")
def journal_cosigned() -> None:
    """Print the latest co-signed checkpoint with all its cosignatures (to keep outside)."""
    try:
        with witnessing_session() as service:
            kept = service.cosigned()
    except LedgerError as error:
        raise refusal(error) from None
    if not kept:
        raise LedgerCommandError("no co-signed checkpoint is kept yet; run 'claims-ledger "
                                 "journal witness' first")
    click.echo(kept[0], nl=False)
