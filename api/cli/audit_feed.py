"""The audit feed on the command line: ``audit-feed export`` writes the same bytes as
``GET /api/v1/audit-feed/{program}/{period}``; ``audit-feed check`` checks a bundle with no
database (every leaf recomputed, every inclusion proof, the policy's quorum when given)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from api.cli.common import FORCE, LedgerCommandError, refusal, require_output
from ledger.errors import LedgerError, MalformedNoteError
from ledger.journal.bundle import Period
from ledger.journal.bundle_check import check_bundle
from ledger.limits import MAX_POSITION

POSITION = click.IntRange(1, MAX_POSITION)


@click.group("audit-feed")
def audit_feed() -> None:
    """The audit board's bundles: export one, check one."""


@audit_feed.command("export")
@click.option("--program", required=True, help="The programme's code, e.g. TNG-2025.")
@click.option("--period", required=True,
              help="A month (2025-03) or a year (2025) of recorded time, WIB.")
@click.option("--cut-off", "cut_off", type=POSITION,
              help="The last log position covered (default: the latest co-signed checkpoint's, "
                   "else the latest signed one's).")
@click.option("--from", "from_position", type=POSITION,
              help="Resume: the tail of the whole bundle from the first event at or after "
                   "this position.")
@click.option("--out", "out", type=click.Path(path_type=Path, dir_okay=False), required=True,
              help="The file to write (JSON Lines).")
@FORCE
def audit_feed_export(program: str, period: str, cut_off: int | None,
                      from_position: int | None, out: Path, force: bool) -> None:
    """Write one programme's bundle of one period, as the API serves it."""
    from api.cli.witness import witnessing_session
    from projections.audit_feed import AuditBundle, choose_cut
    from storage.settings import origin_from_environment, signing_key_from_environment

    require_output(out, force)
    try:
        chosen = Period.parse(period)
        with witnessing_session() as witnessing:
            cut = choose_cut(witnessing.journal.ledger, witnessing, cut_off,
                             signing_key_from_environment())
            built = AuditBundle(witnessing.journal.ledger, cut, program, chosen,
                                origin_from_environment())
            lines = 0
            partial = out.with_name(f".{out.name}.part")  # renamed once whole: never half a file
            try:
                with partial.open("wb") as target:
                    for line in built.lines(from_position):
                        target.write(line)
                        lines += 1
                partial.replace(out)
            finally:
                partial.unlink(missing_ok=True)
    except LedgerError as error:
        raise refusal(error) from None
    what = "lines" if from_position is None else f"lines (the tail from position {from_position})"
    click.echo(f"wrote {lines} {what} of {program} {chosen.text} at cut-off {cut.position} "
               f"({cut.tree.size} events in the checkpoint) to {out}")


@audit_feed.command("check")
@click.argument("bundle", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--policy", "policy_file", type=click.Path(path_type=Path, dir_okay=False,
                                                         exists=True),
              help="A C2SP tlog-policy file: check the checkpoint's signatures and quorum.")
def audit_feed_check(bundle: Path, policy_file: Path | None) -> None:
    """Check a bundle with no database: exit 1 naming each line that fails."""
    from ledger.journal.policy import parse_policy

    policy = None
    if policy_file is not None:
        try:
            policy = parse_policy(policy_file.read_bytes())
        except MalformedNoteError as error:
            raise LedgerCommandError(f"{policy_file} is not a policy file: {error.message}"
                                     ) from None
    with bundle.open("rb") as source:
        report = check_bundle(source, policy)
    if report.checkpoint:
        click.echo(f"checkpoint: {report.checkpoint}")
    if report.ok:
        click.echo(f"OK: {report.program} {report.period} at cut-off {report.cut_off}: "
                   f"{report.events} events, every leaf and inclusion proof checks, and the "
                   f"trailer's count and SHA-256 ({report.lines} lines)")
        return
    for problem in report.problems:
        click.echo(f"FAILED: {problem}", err=True)
    if report.more:
        click.echo(f"... and {report.more} more", err=True)
    sys.exit(1)
