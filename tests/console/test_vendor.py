"""The console's static files: vendored exactly as the manifest says, loaded from this site only,
shipped in the package."""

from __future__ import annotations

import hashlib
import re
import tomllib
from fnmatch import fnmatch
from pathlib import Path

import api.console

CONSOLE = Path(api.console.__file__).parent
VENDOR = CONSOLE / "static" / "vendor"
ROOT = CONSOLE.parent.parent


def _manifest() -> list[dict[str, str]]:
    lines = [line for line in (VENDOR / "MANIFEST").read_text().splitlines()
             if line and not line.startswith("#")]
    names = ("file", "package", "version", "source", "sha256")
    return [dict(zip(names, line.split("\t"), strict=True)) for line in lines]


def test_every_vendored_file_has_the_sha256_its_manifest_records() -> None:
    entries = _manifest()
    assert {e["file"] for e in entries} == {p.name for p in VENDOR.iterdir()} - {"MANIFEST"}
    for entry in entries:
        content = (VENDOR / entry["file"]).read_bytes()
        assert hashlib.sha256(content).hexdigest() == entry["sha256"], entry["file"]
        assert entry["source"].startswith(f"npm pack {entry['package']}@{entry['version']}")


def test_the_vendored_htmx_is_on_the_2_0_line_and_pico_is_2_1_1() -> None:
    versions = {e["package"]: e["version"] for e in _manifest()}
    assert versions["htmx.org"].startswith("2.0.")
    assert versions["@picocss/pico"] == "2.1.1"
    htmx = (VENDOR / f"htmx-{versions['htmx.org']}.min.js").read_text()
    assert f'version:"{versions["htmx.org"]}"' in htmx
    assert "Pico CSS ✨ v2.1.1" in (VENDOR / "pico-2.1.1.min.css").read_text()


def test_the_pages_load_scripts_and_styles_from_this_site_only() -> None:
    layout = (CONSOLE / "templates" / "console" / "layout.html").read_text()
    assets = re.findall(r"asset\('([^']+)'\)", layout)
    assert assets, "the layout names its files with asset(...)"
    for name in assets:
        assert (CONSOLE / "static" / name).is_file(), name
    for template in (CONSOLE / "templates" / "console").glob("*.html"):
        text = template.read_text()
        assert not re.search(r"(src|href)=\"(https?:)?//", text), template.name
        assert "<script>" not in text and " on" + "click=" not in text
    for css in (CONSOLE / "static").rglob("*.css"):
        assert not re.search(r"url\((?!\"?data:)", css.read_text()), css.name


def test_every_console_template_and_static_file_ships_in_the_package() -> None:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())
    patterns = data["tool"]["setuptools"]["package-data"]["api.console"]
    files = [p.relative_to(CONSOLE).as_posix() for folder in ("templates", "static")
             for p in (CONSOLE / folder).rglob("*") if p.is_file()]
    assert files
    for name in files:
        assert any(fnmatch(name, pattern) for pattern in patterns), name
