"""Reading PDFs the way a test must: text as poppler extracts it, attachments, page images."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

from pypdf import PdfReader


def text_of(content: bytes) -> str:
    """The PDF's text (pdftotext), with runs of white space made single spaces."""
    done = subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=content,
                          capture_output=True, check=True, timeout=120)
    return " ".join(done.stdout.decode("utf-8").split())


def squeezed(text: str) -> str:
    """Text without any white space: a sentence wrapped anywhere still matches."""
    return "".join(text.split())


def attachments(content: bytes) -> dict[str, bytes]:
    found = PdfReader(io.BytesIO(content)).attachments
    return {name: files[0] for name, files in found.items()}


def pages(content: bytes) -> int:
    return len(PdfReader(io.BytesIO(content)).pages)


def page_images(content: bytes, folder: Path) -> list[Path]:
    """Every page rendered to PNG by pdftoppm (fails on a PDF it cannot draw)."""
    source = folder / "document.pdf"
    source.write_bytes(content)
    subprocess.run(["pdftoppm", "-r", "24", "-png", str(source), str(folder / "page")],
                   check=True, capture_output=True, timeout=300)
    return sorted(folder.glob("page-*.png"))
