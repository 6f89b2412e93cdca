"""Reading PDFs the way a test must, with what pip installs (no system tools): text, lines,
attachments and page count with pypdf; page images and where each character is drawn with
pypdfium2 (PDFium, the engine of Chromium's PDF viewer)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from pypdf import PdfReader

#: Points in a millimetre (a PDF's unit is 1/72 inch).
MM = 72 / 25.4


def lines_of(content: bytes) -> list[str]:
    """The PDF's text line by line, as pypdf extracts it in reading order, every page."""
    reader = PdfReader(io.BytesIO(content))
    return [line for page in reader.pages for line in page.extract_text().splitlines()]


def text_of(content: bytes) -> str:
    """The PDF's text, with runs of white space (line ends too) made single spaces."""
    return " ".join(" ".join(lines_of(content)).split())


def squeezed(text: str) -> str:
    """Text without any white space: a sentence wrapped anywhere still matches."""
    return "".join(text.split())


def attachments(content: bytes) -> dict[str, bytes]:
    """The files embedded in the PDF, by name."""
    found = PdfReader(io.BytesIO(content)).attachments
    return {name: files[0] for name, files in found.items()}


def pages(content: bytes) -> int:
    return len(PdfReader(io.BytesIO(content)).pages)


def page_images(content: bytes, folder: Path, dpi: int = 24) -> list[Path]:
    """Every page drawn to PNG by PDFium (fails on a PDF it cannot draw)."""
    document = pdfium.PdfDocument(content)
    try:
        images = []
        for index in range(len(document)):
            path = folder / f"page-{index + 1:04d}.png"
            document[index].render(scale=dpi / 72).to_pil().save(path)
            images.append(path)
        return images
    finally:
        document.close()


@dataclass(frozen=True)
class Overflow:
    """A character drawn past the page's right margin."""

    page: int
    char: str
    right_mm: float
    limit_mm: float


def beyond_right_margin(content: bytes, margin_mm: float, tolerance_mm: float = 0.5,
                        first_pages: int | None = None) -> list[Overflow]:
    """Every visible character whose box ends right of ``margin_mm`` from the page's right edge
    (each page's own width, so landscape pages count too), on the first ``first_pages`` pages
    or all of them."""
    document = pdfium.PdfDocument(content)
    found = []
    try:
        count = len(document) if first_pages is None else min(first_pages, len(document))
        for index in range(count):
            page = document[index]
            width = page.get_width()
            limit = width - margin_mm * MM
            text = page.get_textpage()
            for char in range(text.count_chars()):
                letter = chr(pdfium_c.FPDFText_GetUnicode(text, char))
                if not letter.strip():
                    continue
                _, _, right, _ = text.get_charbox(char)
                if right > limit + tolerance_mm * MM:
                    found.append(Overflow(index + 1, letter, right / MM, limit / MM))
    finally:
        document.close()
    return found
