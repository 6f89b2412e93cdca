"""The filter bar every list page honours: period, funder, programme, district, in the URL.

The filters are the page's query string (``?period=2025-03&programme=TNG-2025``), so a filtered
page can be bookmarked, shared and reloaded, and the navigation carries them from page to page.
None of them is a personal number: a period, a region code, a programme code, a district code.
A value that is not one of those is refused with a sentence (and not written back on the page,
in case someone typed a NIK there).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

from ledger.regions import REGIONS

_PERIOD = re.compile(r"^\d{4}(?:-(?:0[1-9]|1[0-2]))?$")
_REGION = re.compile(r"^\d{2}\.\d{2}$")
_DISTRICT = re.compile(r"^\d{2}\.\d{2}\.\d{2}$")
#: A programme code as typed by hand when the list of programmes is not at hand: letters,
#: digits and a few separators, never a long run of digits (a NIK typed in the wrong box).
_PROGRAMME = re.compile(r"^(?!.*\d{7})[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$")

FIELDS = ("period", "funder", "programme", "district")


class FilterError(ValueError):
    """A filter value that is none of the accepted kinds; ``key`` names the sentence."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


@dataclass(frozen=True)
class Choice:
    """One option of a list: the value in the URL and what a person reads."""

    value: str
    label: str


@dataclass(frozen=True)
class FilterChoices:
    """What the bar offers; an empty list lets the field be typed (checked by its form)."""

    funders: tuple[Choice, ...] = ()
    programmes: tuple[Choice, ...] = ()
    districts: tuple[Choice, ...] = ()


@dataclass(frozen=True)
class Filters:
    """The filters of one request (None: not filtered on that)."""

    period: str | None = None
    funder: str | None = None
    programme: str | None = None
    district: str | None = None

    @classmethod
    def from_query(cls, args: Mapping[str, str], choices: FilterChoices) -> Filters:
        """The filters of a query string; :class:`FilterError` for a value that does not fit
        (other parameters are left to the page)."""
        values = {name: (args.get(name) or "").strip() or None for name in FIELDS}
        period, funder = values["period"], values["funder"]
        programme, district = values["programme"], values["district"]
        if period is not None and not _PERIOD.match(period):
            raise FilterError("bad_period")
        if funder is not None and not _known(funder, choices.funders, _REGION):
            raise FilterError("bad_funder")
        if programme is not None and not _known(programme, choices.programmes, _PROGRAMME):
            raise FilterError("bad_programme")
        if district is not None and not _known(district, choices.districts, _DISTRICT):
            raise FilterError("bad_district")
        return cls(period, funder, programme, district)

    @property
    def active(self) -> bool:
        """Whether any filter is set."""
        return any(getattr(self, name) for name in FIELDS)

    def query(self) -> str:
        """The query string that keeps these filters (``""`` when none is set)."""
        pairs = [(name, getattr(self, name)) for name in FIELDS if getattr(self, name)]
        return f"?{urlencode(pairs)}" if pairs else ""

    def unapplied(self, honoured: Iterable[str]) -> tuple[str, ...]:
        """The filters set that a page does not honour (it says so in a sentence)."""
        return tuple(name for name in FIELDS if getattr(self, name) and name not in honoured)

    def covers_month(self, month: str | None) -> bool:
        """Whether a ledger month (``2025-03``) falls in the period (no period: every month)."""
        return not self.period or bool(month and month.startswith(self.period))

    def items(self) -> list[tuple[str, str]]:
        """(field, value) of each filter set, in the bar's order."""
        return [(name, str(getattr(self, name))) for name in FIELDS if getattr(self, name)]


def _known(value: str, choices: Iterable[Choice], pattern: re.Pattern[str]) -> bool:
    offered = [choice.value for choice in choices]
    return value in offered if offered else bool(pattern.match(value))


def choices_from_programmes(rows: Iterable[Mapping[str, object]]) -> FilterChoices:
    """The bar's lists from the programmes on record (code, name, funder, funder's region):
    each funder once, each programme, and the districts the ledger knows in the funders'
    regions."""
    funders: dict[str, str] = {}
    programmes: list[Choice] = []
    for row in rows:
        region = str(row.get("funder_region") or "")
        funders.setdefault(region, str(row.get("funder_name") or region))
        code = str(row.get("programme") or row.get("code") or "")
        programmes.append(Choice(code, f"{code}: {row.get('name') or ''}".rstrip(": ")))
    districts = [Choice(code, f"{name} ({REGIONS[region].name})")
                 for region in funders if region in REGIONS
                 for code, name in REGIONS[region].districts.items()]
    return FilterChoices(
        funders=tuple(Choice(code, name) for code, name in sorted(funders.items())),
        programmes=tuple(sorted(programmes, key=lambda choice: choice.value)),
        districts=tuple(districts),
    )
