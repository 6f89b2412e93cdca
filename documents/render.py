"""HTML templates to PDF: Jinja2 for the words, WeasyPrint for the pages.

Reports must be reproducible: the same database and cut-off give byte-identical files, so an
inspector can regenerate a report and compare hashes. So nothing in a document comes from the
clock: its dates (the PDF's own and its attachments') are the recorded time of the last event
it covers, and everything is listed in a stable order.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from documents.formatting import (
    date_en,
    date_id,
    datetime_wib,
    month_en,
    month_id,
    number_id,
    outstanding,
    rupiah,
    weekday_date,
)
from documents.labels import INCIDENT_KIND, computation_label, words
from ledger.identity import mask_nik

_SOURCE_DATE_LOCK = threading.Lock()


@dataclass(frozen=True)
class Attached:
    """A file carried inside the PDF (the roster CSV)."""

    name: str
    content: bytes
    description: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


def _outstanding(amount: int, lang: str) -> Markup:
    """What is still owed, in a table cell: an overpayment's words on a line of their own above
    its amount, so that a column of figures stays as narrow as its figures."""
    said = outstanding(amount, lang)
    if amount >= 0:
        return Markup(escape(said))
    words, _, figure = said.rpartition(" ")
    return Markup('<span class="said">{}</span> {}').format(words, figure)


@lru_cache(maxsize=2)
def environment(lang: str) -> Environment:
    env = Environment(loader=PackageLoader("documents", "templates"),
                      autoescape=select_autoescape(["html"]), undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True)
    as_date = date_id if lang == "id" else date_en
    env.filters.update({
        "rupiah": rupiah, "number": number_id, "masked": _masked,
        "outstanding": lambda amount: _outstanding(amount, lang),
        "day": lambda value: as_date(_as_date(value)) if value else "-",
        "month": lambda value: month_id(value) if lang == "id" else month_en(value),
        "weekday": lambda value: weekday_date(_as_date(value), lang),
        "wib": lambda value: datetime_wib(value, lang) if value else "-",
        "short": lambda value: str(value)[:8] if value else "-",
        "css": _css_string,
        "wib_text": lambda value: datetime_wib(datetime.fromisoformat(value), lang)
        if value else "-",
        "unbroken": unbroken,
        "fact": lambda value, key: _fact(value, key, as_date, lang),
        "computation": lambda label: computation_label(str(label), lang),
    })
    env.globals.update(words(lang), lang=lang)
    return env


def _fact(value: Any, key: str, as_date: Any, lang: str) -> str:
    """One fact of an event, as a reader wants it: money in rupiah, dates in words, an incident's
    kind by its name."""
    if isinstance(value, bool):
        yes, no = ("ya", "tidak") if lang == "id" else ("yes", "no")
        return yes if value else no
    if key == "kind" and isinstance(value, str):
        return INCIDENT_KIND[lang].get(value, value)
    if isinstance(value, int) and key in ("amount", "entitlement", "paid_so_far"):
        return rupiah(value)
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            return str(as_date(date.fromisoformat(value)))
        except ValueError:
            return value
    return str(value)


def _css_string(text: str) -> Markup:
    """Text made safe inside a double-quoted CSS string in a <style> block (running headers):
    CSS escapes, not HTML ones, since a style block is not parsed as HTML."""
    escaped = str(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")
    return Markup(escaped.replace("<", "\\3c "))


def _masked(nik: str | None) -> str:
    return mask_nik(nik) if nik else "-"


def _as_date(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


#: A reference written in capitals, digits, dots and dashes between slashes: a payment order
#: (``SP2D/012/BPKAD/2025``, ``SP2D-KAB/SUSULAN/06``), a transfer (``TRF/15B10CEE``), a letter.
_REFERENCE = re.compile(r"[A-Z0-9][A-Z0-9.-]*(?:/[A-Z0-9][A-Z0-9.-]*)+")


def unbroken(text: Any) -> Markup:
    """Text (escaped) in which every reference stays whole: the line breaker may break after a
    slash, and a reader copying ``SP2D/012/BPKAD/`` from one line and ``2025`` from the next
    looks for an order that does not exist."""
    return Markup(_REFERENCE.sub(lambda m: f'<span class="nowrap">{m.group(0)}</span>',
                                 str(escape(str(text)))))


def qr_svg(text: str) -> str:
    """A QR code of ``text`` as an SVG data URI (an ``<img src>``), drawn by segno."""
    import segno

    return str(segno.make(text, error="m", micro=False).svg_data_uri(scale=4, border=2))


def html(template: str, lang: str, **context: Any) -> str:
    return environment(lang).get_template(template).render(**context)


def pdf(page: str, *, created: datetime, attachments: tuple[Attached, ...] = (),
        finisher: Callable[[Any, Any], None] | None = None) -> bytes:
    """Render the HTML to PDF bytes, with ``created`` as every date the file carries;
    ``finisher`` is given WeasyPrint's document and its ``pydyf.PDF`` before it is written
    (:class:`documents.annex_pdf.AnnexPages` draws pages there)."""
    from weasyprint import HTML, Attachment

    when = created.astimezone(UTC)
    files = [Attachment(string=a.content, name=a.name, description=a.description,
                        created=when, modified=when) for a in attachments]
    with _SOURCE_DATE_LOCK:
        # The embedded font subsets carry a 'modified' stamp that fontTools takes from the
        # clock unless SOURCE_DATE_EPOCH says otherwise (reproducible-builds.org): pin it to
        # the document's own date for the render, one render at a time.
        saved = os.environ.get("SOURCE_DATE_EPOCH")
        os.environ["SOURCE_DATE_EPOCH"] = str(int(when.timestamp()))
        try:
            document = HTML(string=page, base_url=".").render()
            document.metadata.created = when.isoformat()
            document.metadata.modified = when.isoformat()
            document.metadata.generator = "claims-ledger"
            return bytes(document.write_pdf(attachments=files, pdf_identifier=_identifier(page),
                                             finisher=_finished(finisher)))
        finally:
            if saved is None:
                os.environ.pop("SOURCE_DATE_EPOCH", None)
            else:
                os.environ["SOURCE_DATE_EPOCH"] = saved


#: zlib's level for the attached files: pydyf deflates every stream at level 9, which for a
#: city's roster CSV (4 MB at 22,800 members) takes about a second and is 4 to 5 times as long
#: as level 1 for a file about a tenth smaller.
ATTACHMENT_LEVEL = 1


def _finished(then: Callable[[Any, Any], None] | None) -> Callable[[Any, Any], None]:
    """WeasyPrint's finisher: the attached files deflated at :data:`ATTACHMENT_LEVEL`, then
    ``then``."""

    def finisher(document: Any, pdf: Any) -> None:
        for stream in pdf.objects:
            extra = getattr(stream, "extra", None)
            if extra is None or extra.get("Type") != "/EmbeddedFile" or not stream.compress:
                continue
            content = b"".join(part if isinstance(part, bytes) else str(part).encode()
                               for part in stream.stream)
            stream.stream = [zlib.compress(content, ATTACHMENT_LEVEL)]
            stream.compress = False
            extra["Filter"] = "/FlateDecode"
        if then is not None:
            then(document, pdf)

    return finisher


def _identifier(page: str) -> bytes:
    """The PDF's file identifier from its content, not from chance (reproducible files)."""
    return hashlib.md5(page.encode(), usedforsecurity=False).hexdigest().encode()
