"""The printed roster annex written straight into the audit report's PDF, not laid out by
WeasyPrint.

The annex is fixed-width text, one block of lines a page, under the same running header and
footer as the report's other pages. WeasyPrint's layout and drawing of those pages (shaping every
line, laying out four margin boxes a page) cost about 70 ms a page, while the pages need no
layout at all: every line sits a line-height below the last, in one monospaced font. So the
report is rendered by WeasyPrint up to the annex's heading (with an empty box the height of the
first block under it), and :class:`AnnexPages`, WeasyPrint's *finisher* (called with the
``pydyf.PDF`` right before it is written), draws the blocks: the first in that box, the others
on pages of their own appended after it, with the running header and footer drawn as WeasyPrint
draws them (same fonts, sizes, colours, baselines, kerning). Since the page count is only known
here, it also draws every page's "Halaman X dari Y" (the template leaves that margin box empty
when there is an annex).

The fonts are the system's DejaVu files WeasyPrint uses, subset to the glyphs drawn (fontTools,
WeasyPrint's own dependency) and embedded as Type 0 fonts with a ToUnicode map, so the text can
be searched and copied like the rest of the report.
"""

from __future__ import annotations

import hashlib
import subprocess
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from io import BytesIO
from itertools import pairwise
from pathlib import Path
from typing import Any

import pydyf  # type: ignore[import-untyped]
from fontTools import subset  # type: ignore[import-untyped]
from fontTools.ttLib import TTFont  # type: ignore[import-untyped]

# Where print.css puts things, in CSS px (WeasyPrint draws in CSS px, 0.75 pt each): A4, 15 mm
# side margins, a 20 mm top margin; the margin boxes' baselines as WeasyPrint sets them.
LEFT = 56.692913
RIGHT = 737.007874
TOP = 75.590551
HEADER_BASELINE = 41.25719
FOOTER_LEFT_BASELINE = 1091.734894
FOOTER_RIGHT_BASELINE = 1091.965851
#: The roster's lines: 6.2 pt DejaVu Sans Mono, line-height 1.22, colour #111.
ROSTER_PT = 6.2
ROSTER_LINE_HEIGHT = 1.22
#: Running header (7.5 pt, #555) and footer (left 7 pt, #777; right 7.5 pt, #555).
HEADER_PT, FOOTER_LEFT_PT = 7.5, 7.0
DARK, GREY, LIGHT = "0.066667 0.066667 0.066667", "0.333333 0.333333 0.333333", \
    "0.466667 0.466667 0.466667"
#: The id of the empty box the first block of rows is drawn in.
ANCHOR = "annex-rows"


def _px(points: float) -> float:
    """A font size in CSS px as Pango keeps it (1/1024 px)."""
    return round(points * 4 / 3 * 1024) / 1024


def block_height(lines: int) -> float:
    """The height in CSS px of a block of ``lines`` roster lines."""
    return lines * ROSTER_PT * 4 / 3 * ROSTER_LINE_HEIGHT


@lru_cache(maxsize=4)
def _font_file(family: str) -> Path:
    """The file fontconfig gives for ``family`` (the one WeasyPrint's Pango draws with); where
    fontconfig's command-line tools are not installed (only its library, which Pango loads),
    the family's regular file in the usual font folders."""
    try:
        found = subprocess.run(["fc-match", "-f", "%{file}", f"{family}:style=Book"],
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        found = ""
    if found:
        return Path(found)
    name = family.replace(" ", "") + ".ttf"
    for folder in (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"),
                   Path.home() / ".local/share/fonts", Path.home() / ".fonts"):
        for path in sorted(folder.rglob(name)) if folder.is_dir() else ():
            return path
    raise FileNotFoundError(f"the font {family} is not installed (its file {name} was not "
                            "found): install the DejaVu fonts (Debian: fonts-dejavu-core)")


class _Face:
    """One font file: its glyphs, advances and kerning pairs, read once."""

    def __init__(self, family: str) -> None:
        self.path = _font_file(family)
        self.data = self.path.read_bytes()
        font = TTFont(BytesIO(self.data), lazy=True)
        self.name = font["name"].getDebugName(6) or family.replace(" ", "")
        self.em = int(font["head"].unitsPerEm)
        head, hhea = font["head"], font["hhea"]
        self.bbox = [round(v * 1000 / self.em) for v in
                     (head.xMin, head.yMin, head.xMax, head.yMax)]
        self.ascent, self.descent = int(hhea.ascent), int(hhea.descent)
        cmap = font.getBestCmap()
        order = {name: index for index, name in enumerate(font.getGlyphOrder())}
        self.gid = {char: order[name] for char, name in cmap.items()}
        metrics = font["hmtx"].metrics
        self.advance = {order[name]: width for name, (width, _) in metrics.items()}
        kern = font["kern"].kernTables[0].kernTable if "kern" in font else {}
        self.kern = {(order[a], order[b]): value for (a, b), value in kern.items()
                     if a in order and b in order}

    def glyphs(self, text: str) -> list[int]:
        return [self.gid.get(ord(char), 0) for char in text]

    def hex_table(self, chars: set[str]) -> dict[int, str]:
        """A :meth:`str.translate` table from each of ``chars`` to its glyph id in hex (a
        character the font lacks to glyph 0): a whole line shown in one C-level call."""
        return {ord(char): f"{self.gid.get(ord(char), 0):04x}" for char in chars}

    def width(self, glyphs: Sequence[int], size: float) -> float:
        units = sum(self.advance.get(g, 0) for g in glyphs)
        units += sum(self.kern.get(pair, 0) for pair in pairwise(glyphs))
        return float(units * size / self.em)

    def shown(self, glyphs: Sequence[int], kerned: bool) -> str:
        """The glyphs as a TJ array, kerned in thousandths of an em as WeasyPrint writes."""
        parts = []
        for index, glyph in enumerate(glyphs):
            parts.append(f"<{glyph:04x}>")
            if kerned and index + 1 < len(glyphs):
                pair = self.kern.get((glyph, glyphs[index + 1]), 0)
                if pair:
                    parts.append(str(int(-pair * 1000 / self.em)))
        return "[" + "".join(parts) + "] TJ"


@lru_cache(maxsize=2)
def _face(family: str) -> _Face:
    return _Face(family)


def _text(face: _Face, font: str, size: float, x: float, y: float, text: str,
          kerned: bool = True) -> str:
    return (f"BT\n1 0 0 -1 {x:f} {y:f} Tm\n/{font} {size:f} Tf\n"
            f"{face.shown(face.glyphs(text), kerned)}\nET\n")


def _stream(operations: str) -> Any:
    """A content stream, deflated here (at zlib's default level: pydyf's level 9 takes several
    times as long for a few per cent less)."""
    data = zlib.compress(operations.encode("latin-1"))
    return pydyf.Stream([data], pydyf.Dictionary({"Filter": "/FlateDecode"}))


def _embed(pdf: Any, face: _Face, glyphs: set[int]) -> Any:
    """``face`` subset to ``glyphs`` as a Type 0 font (Identity-H, glyph ids kept, ToUnicode)."""
    unicode = {}
    for char, gid in sorted(face.gid.items(), reverse=True):  # the lowest code point wins
        if gid in glyphs and char <= 0xFFFF:
            unicode[gid] = char
    options = subset.Options()
    options.retain_gids = True
    options.layout_features = []
    subsetter = subset.Subsetter(options)
    subsetter.populate(gids=sorted(glyphs | {0}))
    font = TTFont(BytesIO(face.data))
    for table in ("GSUB", "GPOS", "GDEF", "kern", "FFTM"):  # not decoded only to be dropped
        if table in font:
            del font[table]
    subsetter.subset(font)
    out = BytesIO()
    font.save(out)
    program = pydyf.Stream([zlib.compress(out.getvalue())], pydyf.Dictionary(
        {"Filter": "/FlateDecode", "Length1": len(out.getvalue())}))
    pdf.add_object(program)
    tag = "".join(chr(65 + b % 26) for b in hashlib.md5(
        repr(sorted(glyphs)).encode(), usedforsecurity=False).digest()[:6])
    name = f"/{tag}+{face.name}"
    descriptor = pydyf.Dictionary({
        "Type": "/FontDescriptor", "FontName": name, "Flags": 32,
        "FontBBox": pydyf.Array(face.bbox), "ItalicAngle": 0,
        "Ascent": round(face.ascent * 1000 / face.em),
        "Descent": round(face.descent * 1000 / face.em),
        "CapHeight": face.bbox[3], "StemV": 80, "FontFile2": program.reference})
    pdf.add_object(descriptor)
    widths = pydyf.Array()
    for gid in sorted(glyphs):
        widths.extend([gid, pydyf.Array([round(face.advance.get(gid, 0) * 1000 / face.em)])])
    cid = pydyf.Dictionary({
        "Type": "/Font", "Subtype": "/CIDFontType2", "BaseFont": name,
        "CIDSystemInfo": pydyf.Dictionary({"Registry": pydyf.String("Adobe"),
                                           "Ordering": pydyf.String("Identity"),
                                           "Supplement": 0}),
        "FontDescriptor": descriptor.reference, "W": widths, "CIDToGIDMap": "/Identity"})
    pdf.add_object(cid)
    lines = "\n".join(f"<{gid:04x}> <{char:04x}>" for gid, char in sorted(unicode.items()))
    cmap = ("/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
            "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
            "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
            "1 begincodespacerange\n<0000> <ffff>\nendcodespacerange\n"
            f"{len(unicode)} beginbfchar\n{lines}\nendbfchar\n"
            "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend")
    to_unicode = _stream(cmap)
    pdf.add_object(to_unicode)
    font_object = pydyf.Dictionary({
        "Type": "/Font", "Subtype": "/Type0", "BaseFont": name, "Encoding": "/Identity-H",
        "DescendantFonts": pydyf.Array([cid.reference]), "ToUnicode": to_unicode.reference})
    pdf.add_object(font_object)
    return font_object.reference


def _object(pdf: Any, reference: bytes | str | int) -> Any:
    """The object a reference (``b"12 0 R"``, or a page's number in the page tree) is to."""
    if isinstance(reference, int):
        return pdf.objects[reference]
    return pdf.objects[int((reference.decode() if isinstance(reference, bytes)
                            else reference).split()[0])]


@dataclass(frozen=True)
class AnnexPages:
    """WeasyPrint's finisher that draws the roster annex (see the module's docstring)."""

    blocks: Sequence[str]
    header_left: str
    header_right: str
    footer_left: str
    page_word: str
    of_word: str

    def __call__(self, document: Any, pdf: Any) -> None:
        mono, sans = _face("DejaVu Sans Mono"), _face("DejaVu Sans")
        drawn = len(document.pages)
        total = drawn + len(self.blocks) - 1
        numbers = [f"{self.page_word} {n} {self.of_word} {total}" for n in range(1, total + 1)]
        chars = set().union(*map(set, self.blocks)) - {"\n"}
        mono_glyphs = set(mono.glyphs("".join(chars)))
        table = mono.hex_table(chars)
        sans_glyphs = {g for text in (self.header_left, self.header_right, self.footer_left,
                                      *numbers[-2:], "0123456789") for g in sans.glyphs(text)}
        kids = pdf.pages["Kids"]
        first_page = _object(pdf, kids[0])
        resources = _object(pdf, first_page["Resources"])
        fonts = _object(pdf, resources["Font"])
        fonts["ClMono"] = _embed(pdf, mono, mono_glyphs)
        fonts["ClSans"] = _embed(pdf, sans, sans_glyphs)
        save, restore = pydyf.Stream(["q"]), pydyf.Stream(["Q"])
        pdf.add_object(save)
        pdf.add_object(restore)
        # As WeasyPrint starts a page: CSS px from the top-left corner.
        start = f"1 0 0 -1 0 {document.pages[0].height * 0.75:f} cm\nq\n0.75 0 0 0.75 0 0 cm\n"
        anchored = next(i for i, page in enumerate(document.pages) if ANCHOR in page.anchors)
        pages = [_object(pdf, kids[3 * i]) for i in range(drawn)]
        for index, page in enumerate(pages):
            operations = start + self._page_number(sans, numbers[index])
            if index == anchored:
                operations += self._rows(mono, table, self.blocks[0],
                                         document.pages[index].anchors[ANCHOR][1])
            added = _stream(operations + "Q\n")
            pdf.add_object(added)
            page["Contents"] = pydyf.Array([save.reference, page["Contents"],
                                            restore.reference, added.reference])
        template = pages[-1]
        running = start + self._running(sans)  # the same on every page but its number
        for number, block in enumerate(self.blocks[1:], start=drawn + 1):
            operations = (running + self._page_number(sans, numbers[number - 1])
                          + self._rows(mono, table, block, TOP) + "Q\n")
            contents = _stream(operations)
            pdf.add_object(contents)
            page = pydyf.Dictionary({key: template[key] for key in (
                "Type", "Parent", "MediaBox", "Resources", "TrimBox", "BleedBox")})
            page["Contents"] = contents.reference
            pdf.add_page(page)

    def _rows(self, face: _Face, table: dict[int, str], block: str, top: float) -> str:
        size = _px(ROSTER_PT)
        step = ROSTER_PT * 4 / 3 * ROSTER_LINE_HEIGHT
        # Half the leading above the glyphs' height, then the ascent: the first baseline.
        baseline = top + (step - (face.ascent - face.descent) * size / face.em) / 2 \
            + face.ascent * size / face.em
        out = [f"{DARK} rg\nBT\n/ClMono {size:f} Tf\n"]
        for number, line in enumerate(block.split("\n")):
            out.append(f"1 0 0 -1 {LEFT:f} {baseline + number * step:f} Tm\n"
                       f"<{line.translate(table)}> Tj\n")
        out.append("ET\n")
        return "".join(out)

    def _running(self, face: _Face) -> str:
        header, footer = _px(HEADER_PT), _px(FOOTER_LEFT_PT)
        right = RIGHT - face.width(face.glyphs(self.header_right), header)
        return (f"{GREY} rg\n"
                + _text(face, "ClSans", header, LEFT, HEADER_BASELINE, self.header_left)
                + _text(face, "ClSans", header, right, HEADER_BASELINE, self.header_right)
                + f"{LIGHT} rg\n"
                + _text(face, "ClSans", footer, LEFT, FOOTER_LEFT_BASELINE, self.footer_left))

    def _page_number(self, face: _Face, text: str) -> str:
        size = _px(HEADER_PT)
        x = RIGHT - face.width(face.glyphs(text), size)
        return f"{GREY} rg\n" + _text(face, "ClSans", size, x, FOOTER_RIGHT_BASELINE, text)
