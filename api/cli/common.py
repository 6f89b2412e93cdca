"""What every command shares: the console, the ledger session, and how a refusal is shown."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console

from ledger.application import Ledger
from ledger.clock import Clock, IdSource, RandomBytes
from ledger.errors import LedgerError, ProjectionStoppedError
from ledger.names import require_visible
from storage.log_index import open_ledger
from storage.settings import StoreSettings

# Piped or captured output gets a width that fits the tables instead of rich's 80 columns.
console = Console(width=None if sys.stdout.isatty() else 150)


class LedgerCommandError(click.ClickException):
    """A ledger refusal, shown as ``Error: <message>`` with exit status 2."""

    exit_code = 2


@contextmanager
def ledger_session(settings: StoreSettings | None = None, *, clock: Clock | None = None,
                   ids: IdSource | None = None, secrets: RandomBytes | None = None
                   ) -> Iterator[Ledger]:
    """A command's ledger: opened through storage on ``settings`` (default:
    ``LEDGER_DATABASE_URL``), refused at once in plain words (exit 2, nothing opened) when the
    database is not there, not reachable or never initialised; closed however the command
    ends. Refusals inside the block are the command's to show (some write an error file)."""
    try:
        ledger = open_ledger(settings, ready=True, clock=clock, ids=ids, secrets=secrets)
    except LedgerError as error:
        raise refusal(error) from None
    try:
        yield ledger
    finally:
        ledger.close()


class LedgerFailureError(click.ClickException):
    """Not a refusal of what was asked but a fault of the ledger's own (its read models cannot
    apply an event): ``Error: <message>`` with exit status 1, like a failed ``verify``."""

    exit_code = 1


def refusal(error: LedgerError) -> click.ClickException:
    """The exception that prints a ledger error as one ``Error:`` line with its exit status."""
    if isinstance(error, ProjectionStoppedError):
        return LedgerFailureError(f"{error} [{error.rule}]")
    return LedgerCommandError(f"{error} [{error.rule}]")


#: ``--force`` of every command that writes a file: without it an existing file is never
#: replaced (it may be an error file being corrected, or a report already handed over).
FORCE = click.option("--force", is_flag=True,
                     help="Replace the output file if it exists (without it: refuse, change "
                          "nothing).")


def require_output(path: Path, force: bool, *, reading: Path | None = None) -> Path:
    """Check, before anything is read or recorded, that ``path`` may be written: its folder
    exists (it is not made: a mistyped folder should not quietly appear), it is not a folder,
    it is not the file being read, and it does not exist yet unless ``force``."""
    folder = path.parent
    if not folder.is_dir():
        raise LedgerCommandError(
            f"the folder {folder} does not exist; create it first or write the file elsewhere "
            "(nothing was done)")
    if path.is_dir():
        raise LedgerCommandError(f"{path} is a folder; name a file (nothing was done)")
    if reading is not None and path.exists() and reading.exists() \
            and path.resolve() == reading.resolve():
        raise LedgerCommandError(
            f"{path} is the file being read; its refused rows must go to another file "
            "(--errors FILE)")
    if path.exists() and not force:
        raise LedgerCommandError(
            f"{path} already exists and is left as it is (nothing was done): name another "
            "file, move it away, or pass --force to replace it")
    return path


def _actor(_context: click.Context, _parameter: click.Parameter, value: str) -> str:
    """The ``--as`` name as it will be recorded: not empty, nothing hidden in it."""
    name = value.strip()
    if not name:
        raise click.BadParameter("name who is doing this (e.g. --as finance.rina)")
    try:
        require_visible(name, "the name given with --as", "actor")
    except LedgerError as error:
        raise click.BadParameter(str(error)) from None
    return name


#: ``--as`` of every command that records events: the actor recorded on each of them (the API
#: records its token's name instead). Without it the events say ``cli``.
ACTOR = click.option("--as", "actor", default="cli", show_default=True, callback=_actor,
                     help="Who is doing this: recorded as the actor of every event written "
                          "(the four-eyes rule and the audit trail read it).")


def _typed_nik(_context: click.Context, _parameter: click.Parameter,
               value: str | None) -> str | None:
    """``--nik -``: the NIK read from standard input (asked for, not echoed, at a terminal), so
    that it is in neither the process list other users see nor the shell's history."""
    if value != "-":
        return value
    if sys.stdin.isatty():
        typed = click.prompt("NIK", hide_input=True, err=True, default="", show_default=False)
    else:
        typed = sys.stdin.readline()
    if not typed.strip():
        raise click.UsageError("no NIK was typed on standard input (--nik - reads it there)")
    return str(typed).strip()


Command = TypeVar("Command", bound=Callable[..., Any])


def nik_option(help_text: str) -> Callable[[Command], Command]:
    """A command's ``--nik``: the NIK as typed, or ``-`` to read it from standard input."""
    return click.option(
        "--nik", callback=_typed_nik,
        help=f"{help_text} Give '-' to type it in instead (it then stays out of the process "
             f"list and the shell's history).")
