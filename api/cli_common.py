"""What every command shares: the console, and how a ledger refusal is shown."""

from __future__ import annotations

import sys

import click
from rich.console import Console

from ledger.application import Ledger
from ledger.errors import LedgerError, ProjectionStoppedError
from ledger.settings import settings_from_environment

# Piped or captured output gets a width that fits the tables instead of rich's 80 columns.
console = Console(width=None if sys.stdout.isatty() else 150)


class LedgerCommandError(click.ClickException):
    """A ledger refusal, shown as ``Error: <message>`` with exit status 2."""

    exit_code = 2


def open_ledger() -> Ledger:
    """The ledger of ``LEDGER_DATABASE_URL``, refused (and closed) if never initialised; the
    caller closes it."""
    ledger = Ledger(settings_from_environment())
    try:
        ledger.require_initialised()
    except LedgerError:
        ledger.close()
        raise
    return ledger


class LedgerFailureError(click.ClickException):
    """Not a refusal of what was asked but a fault of the ledger's own (its read models cannot
    apply an event): ``Error: <message>`` with exit status 1, like a failed ``verify``."""

    exit_code = 1


def refusal(error: LedgerError) -> click.ClickException:
    """The exception that prints a ledger error as one ``Error:`` line with its exit status."""
    if isinstance(error, ProjectionStoppedError):
        return LedgerFailureError(f"{error} [{error.rule}]")
    return LedgerCommandError(f"{error} [{error.rule}]")
