"""The README's Layout section names only paths that exist: a newcomer who follows it to a
file finds the file (a module moved or renamed without the README fails here)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

#: A backticked path: a folder (ends in /) or a file with an extension, at the repository root.
PATH = re.compile(r"`([A-Za-z_.][\w./-]*(?:/|\.(?:py|md|html|css|js|toml)))`")


def layout_section() -> str:
    """The text of the README from ``## Layout`` to the next top-level section."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index("\n## Layout\n")
    end = text.find("\n## ", start + 1)
    return text[start:] if end == -1 else text[start:end]


def named_paths(section: str) -> list[str]:
    """Every path the section names in backticks (commands and names are left alone)."""
    return sorted({match for match in PATH.findall(section) if "/" in match or "." in match})


def test_the_layout_section_names_many_paths() -> None:
    # an extraction that found nothing would let any README pass
    paths = named_paths(layout_section())
    assert len(paths) > 100
    assert "ledger/commands/" in paths and "ledger/journal/note.py" in paths


def test_every_path_the_layout_section_names_exists() -> None:
    missing = [path for path in named_paths(layout_section()) if not (ROOT / path).exists()]
    assert missing == []


def test_every_module_of_the_domain_read_side_and_documents_is_named() -> None:
    """A module added to ledger/, projections/ or documents/ gets its line in the Layout."""
    named = set(named_paths(layout_section()))
    unnamed = [str(module.relative_to(ROOT)) for package in ("ledger", "projections", "documents")
               for module in sorted((ROOT / package).rglob("*.py"))
               if module.name != "__init__.py"
               and str(module.relative_to(ROOT)) not in named]
    assert unnamed == []
