"""The import contracts fail when broken: a copy of the tree with one forbidden import (the
domain reaching for psycopg, or for an edge package) makes ``lint-imports`` exit 1, while the
same copy untouched passes."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("ledger", "storage", "intake", "seed", "projections", "documents", "api")
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _tree(target: Path) -> Path:
    """A copy of the packages and the contracts, with no caches."""
    for package in PACKAGES:
        shutil.copytree(ROOT / package, target / package,
                        ignore=shutil.ignore_patterns("__pycache__", "static", "templates"))
    shutil.copy(ROOT / "pyproject.toml", target / "pyproject.toml")
    return target


def _lint(tree: Path) -> subprocess.CompletedProcess[str]:
    # The copy first on the path, so that it (not the installed tree) is what is analysed.
    env = {**os.environ, "PYTHONPATH": str(tree)}
    return subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=tree, env=env,
                          capture_output=True, text=True, timeout=300, check=False)


def _add_import(module: Path, line: str) -> None:
    source = module.read_text(encoding="utf-8")
    module.write_text(source.replace("from __future__ import annotations\n",
                                     f"from __future__ import annotations\n\n{line}\n", 1),
                      encoding="utf-8")


@pytest.mark.parametrize(("module", "line", "contract"), [
    ("ledger/money.py", "import psycopg  # noqa: F401", "The domain imports"),
    ("ledger/enrolment.py", "import sqlite3  # noqa: F401", "The domain imports"),
    ("ledger/claim.py", "import storage.settings  # noqa: F401", "The domain imports"),
    ("storage/bulk.py", "import api.errors  # noqa: F401", "Edges above the read side"),
])
def test_a_forbidden_import_fails_lint_imports(tmp_path: Path, module: str, line: str,
                                               contract: str) -> None:
    tree = _tree(tmp_path)
    assert _lint(tree).returncode == 0  # the copy as it is keeps every contract
    _add_import(tree / module, line)
    broken = _lint(tree)
    assert broken.returncode == 1, broken.stdout + broken.stderr
    assert f"{contract}" in broken.stdout and "BROKEN" in broken.stdout
