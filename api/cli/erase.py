"""``claims-ledger erase --nik NIK --reason TEXT --basis TEXT``: a person's personal data erased
(``--person ID`` instead of ``--nik``: by the person's id).

Erasure cannot be undone, so the command asks for more than access to the database: an admin's
API token (``--token``, or typed at the prompt, which does not echo it), checked as the API
checks it (known, not expired, not revoked, role admin). The token's name is recorded as the
actor of PersonErased, as a request to ``POST /api/v1/people/erase`` records it. The NIK is
never printed in full; the refusal names every reason the data is still needed.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import click
import orjson

from api.cli.common import (
    LedgerCommandError,
    console,
    ledger_session,
    nik_option,
    refusal,
)
from ledger.erasure import ErasureRefusedError
from ledger.errors import LedgerError


class Secret:
    """The token as the command holds it: its text never printed or logged (the command's own
    log line lists its parameters as text: this one reads "(hidden)")."""

    def __init__(self, value: str) -> None:
        self.value = value

    def __str__(self) -> str:
        return "(hidden)"

    __repr__ = __str__


def _secret(_context: click.Context, _parameter: click.Parameter, value: str) -> Secret:
    return Secret(value.strip())


@click.command("erase")
@nik_option("The NIK of the person (never printed in full).")
@click.option("--person", "person_id", metavar="ID",
              help="The person's id instead of the NIK (an erased person's NIK is no longer "
                   "known to the ledger: this is how an erasure is asked about again).")
@click.option("--reason", required=True, help="Why, in words (no NIK: kept for ever).")
@click.option("--basis", required=True,
              help="The legal basis and the request's reference, e.g. 'UU 27/2022 pasal 8; "
                   "permohonan no. PDP/2026/014' (no NIK: kept for ever).")
@click.option("--token", prompt="admin API token", hide_input=True, callback=_secret,
              help="An admin's API token (asked for, unechoed, when not given).")
@click.option("--json", "as_machine", is_flag=True, help="The report as one JSON object.")
def erase_command(nik: str | None, person_id: str | None, reason: str, basis: str,
                  token: Secret, as_machine: bool) -> None:
    """Erase a person's personal data (admin): refused, with every reason, while it is still
    needed; else PersonErased is recorded and their data key and NIK index row destroyed."""
    from api.idempotency import forget_answers_naming
    from api.resources.people import report_view

    if (nik is None) == (person_id is None):
        raise click.UsageError("name the person with --nik NIK or --person ID (one of them)")
    try:
        with ledger_session() as ledger:
            admin = ledger.authenticate(token.value, datetime.now(UTC))
            if admin.role != "admin":
                raise LedgerCommandError(
                    f"the token '{admin.name}' has the role {admin.role}: only an admin may "
                    "erase a person's data (nothing was done)")
            report = ledger.erase_person(nik, basis, reason, actor=admin.name,
                                         person_id=person_id)
            forget_answers_naming(ledger, (nik or "", report.person_id))
    except ErasureRefusedError as error:
        lines = [f"  - {reason.message} [{reason.rule}]" for reason in error.reasons]
        raise LedgerCommandError("the person's data is still needed, nothing was erased:\n"
                                 + "\n".join(lines)) from None
    except LedgerError as error:
        raise refusal(error) from None
    view: dict[str, Any] = report_view(report)
    if as_machine:
        click.echo(orjson.dumps(view).decode())
        return
    kinds = ", ".join(f"{kind} {count}" for kind, count in report.unreadable.items()) or "none"
    done = "finished an erasure recorded before" if report.completed_earlier_erasure \
        else "erased"
    console.print(f"[green]{done}[/green]: person {report.person_id} (NIK {report.masked_nik}) "
                  f"on {report.erased_on.isoformat()}, PersonErased at log position "
                  f"{report.position}")
    console.print(f"  destroyed: data key {'yes' if report.data_key_destroyed else 'already gone'}"
                  f", NIK index rows {report.index_rows_removed}")
    console.print(f"  events whose personal fields now read [dihapus]: {kinds}")
