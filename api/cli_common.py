"""What every command shares: the console, and how a ledger refusal is shown."""

from __future__ import annotations

import sys

import click
from rich.console import Console

from ledger.errors import LedgerError

# Piped or captured output gets a width that fits the tables instead of rich's 80 columns.
console = Console(width=None if sys.stdout.isatty() else 150)


class LedgerCommandError(click.ClickException):
    """A ledger refusal, shown as ``Error: <message>`` with exit status 2."""

    exit_code = 2


def refusal(error: LedgerError) -> LedgerCommandError:
    return LedgerCommandError(f"{error} [{error.rule}]")
