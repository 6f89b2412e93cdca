"""The demo's year in a throwaway folder, made as a user makes it (``claims-ledger demo`` in a
fresh process: its SQLite file, with the demo's signed checkpoint kept in the journal), for the
console's pages to be read against the demo's own figures."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path


def demo_database(folder: Path) -> Path:
    """Run the demo into ``folder`` (empty) and give its database file."""
    installed = shutil.which("claims-ledger", path=str(Path(sys.executable).parent))
    command = [installed] if installed else [sys.executable, "-m", "api"]
    env = {k: v for k, v in os.environ.items() if k != "LEDGER_DATABASE_URL"}
    done = subprocess.run([*command, "demo", "--out", str(folder)], capture_output=True,
                          text=True, env=env, cwd=folder, timeout=600, check=False)
    assert done.returncode == 0, done.stderr
    return folder / "claims-ledger.sqlite"
