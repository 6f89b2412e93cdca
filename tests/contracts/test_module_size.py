"""No module of the domain, the read side or the documents grows past 400 lines: a module that
long holds more than one concept and is split by concept (as ledger/commands/ and
projections/findings/ were)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LONGEST = 400


def test_no_module_of_ledger_projections_or_documents_is_over_400_lines() -> None:
    modules = [module for package in ("ledger", "projections", "documents")
               for module in sorted((ROOT / package).rglob("*.py"))]
    assert len(modules) > 50  # the packages were found
    too_long = {str(module.relative_to(ROOT)): length for module in modules
                if (length := len(module.read_text(encoding="utf-8").splitlines())) > LONGEST}
    assert too_long == {}
