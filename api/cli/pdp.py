"""``claims-ledger pdp report``: whose personal data was read or written, by whom, from the
request logs, for the 3 x 24 hour notice of UU 27/2022 (``api/breach_report.py``)."""

from __future__ import annotations

from pathlib import Path

import click
import orjson

from api.breach_report import BreachReportError, as_json, as_text, build, moment
from api.cli.common import ledger_session, nik_option
from ledger.errors import InvalidInputError
from ledger.identity import parse_nik


@click.group("pdp")
def pdp() -> None:
    """Personal data (UU 27/2022): the breach report."""


@pdp.command("report")
@click.option("--since", "since_text", required=True, metavar="DATE",
              help="from this day (YYYY-MM-DD, WIB) or time (2025-03-24T14:05)")
@click.option("--until", "until_text", metavar="DATE",
              help="up to the end of this day (WIB) or this time; default: now")
@click.option("--log", "logs", multiple=True, type=click.Path(path_type=Path),
              help="a JSON request log file (several: --log a --log b)")
@click.option("--subject", help="only this person's id (or an enrolment, claim, incident id)")
@nik_option("Only this NIK's person (the NIK is turned into its id through the ledger's keyed "
            "index, and not printed).")
@click.option("--json", "as_machine", is_flag=True, help="one JSON object, for a machine")
def report(since_text: str, until_text: str | None, logs: tuple[Path, ...],
           subject: str | None, nik: str | None, as_machine: bool) -> None:
    """Which people's personal data was read or written, by whom, what and when (WIB)."""
    if not logs:
        # The service writes its JSON lines to standard error (api/logs.py): where they are
        # kept (a file, journald, a collector) is the host's choice, so there is no default.
        raise click.UsageError(
            "say which log files to read with --log FILE (the service writes its request lines "
            "to standard error; give the file where they are kept, e.g. --log api.log)")
    if subject and nik:
        raise click.UsageError("give either --subject or --nik, not both")
    if nik is not None:
        try:
            number = parse_nik(nik.strip()).value
        except InvalidInputError:
            raise click.UsageError("--nik is not a valid NIK (16 digits, as on the KTP)"
                                   ) from None
        with ledger_session() as ledger:  # the NIK's subject, through the keyed index
            known = ledger.personal.subject_of(number)
        if known is None:
            raise click.ClickException("the ledger's index holds no such NIK (never recorded, "
                                       "or erased): give --subject instead")
        subject = str(known)
    try:
        since = moment(since_text)
        until = moment(until_text, end_of_day=True) if until_text else None
        if until is not None and until <= since:
            raise BreachReportError("--until must come after --since")
        found = build(list(logs), since, until, subject=subject)
    except BreachReportError as error:
        raise click.ClickException(str(error)) from None
    if as_machine:
        click.echo(orjson.dumps(as_json(found)).decode())
        return
    for line in as_text(found):
        click.echo(line)
