"""Reconciling a BPJS billing statement or a bank statement with the money the ledger recorded.

Each statement line is matched with a recorded contribution (by its SP2D number) or payout (by
its transfer reference), then amount and date are compared. What does not agree is a
discrepancy of one kind:

- ``missing_in_ledger``: a statement line whose reference the ledger never recorded;
- ``missing_in_statement``: a recorded payment the statement does not show;
- ``amount_differs``: same reference, another amount;
- ``date_differs``: same reference and amount, dates more than :data:`DATE_TOLERANCE_DAYS` apart;
- ``duplicated``: a reference the statement lists more than once (each line after the first).

A run is an aggregate of its own (:class:`Reconciliation`): ``RunRecorded`` then one
``DiscrepancyFound`` per discrepancy, saved together; ``DiscrepancyResolved`` (with the reason
and who resolved it) comes later. Its id follows from the statement's content and scope, so the
same statement reconciled again is recognised, not recorded twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import event

from ledger.aggregate import LedgerAggregate
from ledger.errors import InvalidInputError, NotFoundError, RuleViolationError
from ledger.limits import require_rupiah

RECONCILIATION_NAMESPACE = uuid5(NAMESPACE_URL, "claims-ledger:reconciliation")
SOURCES = ("bpjs", "bank")
KINDS = ("missing_in_ledger", "missing_in_statement", "amount_differs", "date_differs",
         "duplicated")
DATE_TOLERANCE_DAYS = 7


class ReconciliationNotFoundError(NotFoundError):
    rule = "reconciliation-not-found"


class DiscrepancyNotFoundError(NotFoundError):
    rule = "discrepancy-not-found"


class DiscrepancyAlreadyResolvedError(RuleViolationError):
    rule = "discrepancy-already-resolved"


@dataclass(frozen=True)
class StatementLine:
    line: int
    reference: str
    day: date
    amount: int
    description: str = ""


@dataclass(frozen=True)
class LedgerItem:
    """A money movement the ledger recorded: a contribution (SP2D) or a payout."""

    reference: str
    day: date
    amount: int
    kind: str  # "contribution" or "payout"


@dataclass(frozen=True)
class Discrepancy:
    kind: str
    reference: str
    statement_amount: int | None
    ledger_amount: int | None
    statement_date: date | None
    ledger_date: date | None
    line: int | None
    detail: str

    def as_record(self) -> dict[str, Any]:
        return {"kind": self.kind, "reference": self.reference,
                "statement_amount": self.statement_amount, "ledger_amount": self.ledger_amount,
                "statement_date": self.statement_date, "ledger_date": self.ledger_date,
                "line": self.line, "detail": self.detail}


def match(lines: list[StatementLine], items: list[LedgerItem]) -> tuple[int, list[Discrepancy]]:
    """How many lines matched, and every discrepancy, in statement order then ledger order."""
    by_reference: dict[str, LedgerItem] = {}
    for item in items:
        by_reference.setdefault(item.reference.strip().upper(), item)
    seen: dict[str, int] = {}
    used: set[str] = set()
    matched = 0
    found: list[Discrepancy] = []
    for line in lines:
        key = line.reference.strip().upper()
        if key in seen:
            found.append(Discrepancy("duplicated", line.reference, line.amount, None, line.day,
                                     None, line.line,
                                     f"listed again; first on line {seen[key]}"))
            continue
        seen[key] = line.line
        known = by_reference.get(key)
        if known is None:
            found.append(Discrepancy("missing_in_ledger", line.reference, line.amount, None,
                                     line.day, None, line.line,
                                     "the ledger has no payment with this reference"))
            continue
        used.add(key)
        item = known
        if item.amount != line.amount:
            found.append(Discrepancy("amount_differs", line.reference, line.amount, item.amount,
                                     line.day, item.day, line.line,
                                     f"statement {line.amount} vs ledger {item.amount}"))
        elif abs((item.day - line.day).days) > DATE_TOLERANCE_DAYS:
            found.append(Discrepancy("date_differs", line.reference, line.amount, item.amount,
                                     line.day, item.day, line.line,
                                     f"{abs((item.day - line.day).days)} days apart"))
        else:
            matched += 1
    for item in items:
        if item.reference.strip().upper() not in used:
            found.append(Discrepancy("missing_in_statement", item.reference, None, item.amount,
                                     None, item.day, None,
                                     f"recorded {item.kind} not on the statement"))
    return matched, found


def reconciliation_id(source: str, digest: str, program: str | None, month: str | None) -> UUID:
    return uuid5(RECONCILIATION_NAMESPACE, f"{source}|{digest}|{program or ''}|{month or ''}")


class Reconciliation(LedgerAggregate):
    """One statement reconciled: its scope, its counts, its discrepancies and their fate."""

    @staticmethod
    def create_id(source: str, statement_sha256: str, programme_code: str | None,
                  month: str | None, **_: Any) -> UUID:
        return reconciliation_id(source, statement_sha256, programme_code, month)

    @event("RunRecorded")
    def __init__(self, source: str, statement_sha256: str, programme_code: str | None,
                 month: str | None, statement_name: str, lines: int, ledger_items: int,
                 matched: int, run_on: date, actor: str) -> None:
        self.source = source
        self.statement_sha256 = statement_sha256
        self.programme_code = programme_code
        self.month = month
        self.statement_name = statement_name
        self.lines = lines
        self.ledger_items = ledger_items
        self.matched = matched
        self.run_on = run_on
        self.actor = actor
        self.discrepancies: dict[int, dict[str, Any]] = {}

    @event("DiscrepancyFound")
    def found(self, number: int, kind: str, reference: str, statement_amount: int | None,
              ledger_amount: int | None, statement_date: date | None, ledger_date: date | None,
              line: int | None, detail: str) -> None:
        self.discrepancies[number] = {"kind": kind, "reference": reference, "resolved": False}

    def resolve(self, number: int, reason: str, actor: str) -> None:
        """Close a discrepancy with the reason (a correcting entry, a bank error, ...)."""
        known = self.discrepancies.get(number)
        if known is None:
            raise DiscrepancyNotFoundError(
                f"reconciliation {self.id} has no discrepancy number {number} (it has 1-"
                f"{len(self.discrepancies)})", field="number")
        if known["resolved"]:
            raise DiscrepancyAlreadyResolvedError(
                f"discrepancy {number} of reconciliation {self.id} is already resolved")
        if not reason.strip():
            raise InvalidInputError("say why the discrepancy is resolved", field="reason")
        self._resolved(number, reason.strip(), actor)

    @event("DiscrepancyResolved")
    def _resolved(self, number: int, reason: str, actor: str) -> None:
        self.discrepancies[number]["resolved"] = True


def record_run(ledger: Any, *, source: str, digest: str, program: str | None,
               month: str | None, statement_name: str, lines: list[StatementLine],
               items: list[LedgerItem], run_on: date, actor: str) -> tuple[Reconciliation, bool]:
    """Match and record a run; (the run, True) or, for a statement already reconciled in the
    same scope, (the recorded run, False) and nothing new recorded."""
    if source not in SOURCES:
        raise InvalidInputError(f"source must be bpjs or bank; got '{source}'", field="source")
    try:
        existing: object = ledger.repository.get(
            reconciliation_id(source, digest, program, month))
    except AggregateNotFoundError:
        pass
    else:
        assert isinstance(existing, Reconciliation)
        return existing, False
    for line in lines:
        require_rupiah(line.amount, f"the amount on line {line.line} of the statement",
                       field="amount")
    matched, found = match(lines, items)

    def build() -> tuple[Reconciliation, list[Reconciliation]]:
        run = Reconciliation(source=source, statement_sha256=digest, programme_code=program,
                             month=month, statement_name=statement_name, lines=len(lines),
                             ledger_items=len(items), matched=matched, run_on=run_on,
                             actor=actor)
        for number, discrepancy in enumerate(found, start=1):
            run.found(number=number, **discrepancy.as_record())
        return run, [run]

    # Through the ledger's one place a command runs (not retried, as before).
    recorded: Reconciliation = ledger._command(build, retry=False)
    return recorded, True


def load_run(ledger: Any, run_id: str | UUID) -> Reconciliation:
    try:
        key = run_id if isinstance(run_id, UUID) else UUID(str(run_id))
        found: object = ledger.repository.get(key)
    except (ValueError, AggregateNotFoundError):
        raise ReconciliationNotFoundError(f"there is no reconciliation run {run_id}",
                                          field="run_id") from None
    if not isinstance(found, Reconciliation):
        raise ReconciliationNotFoundError(f"there is no reconciliation run {run_id}",
                                          field="run_id")
    return found


def resolve(ledger: Any, run_id: str | UUID, number: int, reason: str,
            actor: str) -> Reconciliation:
    """Resolve one discrepancy of a run (retried when another writer changed the run first)."""
    result: Reconciliation = ledger._update(lambda: load_run(ledger, run_id),
                                            lambda run: run.resolve(number, reason, actor))
    return result
