"""Running the installed ``claims-ledger`` command as a user would: a fresh process."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path


def run_cli(*args: str, url: str | None, cwd: Path, timeout: int = 300,
            extra_env: dict[str, str] | None = None, stdin: str | None = None
            ) -> subprocess.CompletedProcess[str]:
    """The command with only ``url`` as its store (none: the embedded default), no signing key
    from the caller's environment, ``extra_env`` on top, and ``stdin`` typed into it."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("LEDGER_DATABASE_URL", "LEDGER_SIGNING_KEY")}
    if url is not None:
        env["LEDGER_DATABASE_URL"] = url
    env.update(extra_env or {})
    command = shutil.which("claims-ledger", path=str(Path(sys.executable).parent))
    prefix = [command] if command else [sys.executable, "-m", "api"]
    return subprocess.run([*prefix, *args], capture_output=True, text=True, env=env, cwd=cwd,
                          timeout=timeout, check=False, input=stdin)
