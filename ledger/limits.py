"""The largest (and smallest) numbers the ledger accepts, each with the reason for its figure.

Every number that goes into an event is checked against one of these bounds: by the aggregates
and the application service (the domain), and again at the edges so that a client is told early
and the OpenAPI document states them (the API schemas, the command line, the import files).

Why bounds at all: a number the ledger accepts must fit every store and every sum the read
models make of it. PostgreSQL's ``BIGINT`` and SQLite's ``INTEGER`` hold at most 2^63 - 1
(about 9.2 x 10^18); the projection tables keep money in such columns and add amounts up
(a programme's paid and reversed totals, balances per branch and month, ceremony totals). A
ceiling of 10^32 was once accepted and then stopped every read model. Each figure below is far
beyond what a real programme meets, and small enough that thousands of the largest amounts still
add up inside 2^63.
"""

from __future__ import annotations

from ledger.calendar import FIRST_YEAR, LAST_YEAR
from ledger.errors import InvalidInputError
from ledger.money import rupiah

#: Any one amount of money: a budget ceiling, a payment order (SP2D), a payout, a statement line.
#: Rp1.000.000.000.000.000 (a thousand trillion rupiah) is about a quarter of Indonesia's whole
#: state budget (APBN 2025, about Rp3.600 trillion) and over ten times the largest province's
#: (DKI Jakarta, under Rp100 trillion): no city programme meets it. 9,000 such amounts still
#: add up inside 2^63 - 1, so no total a projection keeps can overflow before a programme has
#: been paid and reversed thousands of times at this size.
MAX_RUPIAH = 10**15

#: A contribution rate per member per month (one cover). The official package is Rp16.800
#: (JKK 1% of the Rp1.000.000 band + JKM Rp6.800); the highest BPU band pays about Rp200.000.
#: Rp10.000.000 is fifty times that; members x rate x months stays bounded by MAX_RUPIAH anyway.
MAX_RATE = 10_000_000

#: A declared monthly wage band. BPU bands run from Rp1.000.000 to a few tens of millions;
#: Rp1.000.000.000 a month is beyond any of them, and the largest benefit it computes
#: (120 months of incapacity pay, or 56 x wage) stays under Rp10^11 per claim.
MAX_WAGE_BAND = 1_000_000_000

#: People: members planned for a programme, members named in one payment order. Indonesia has
#: about 280 million inhabitants; 300 million also fits PostgreSQL's 32-bit INTEGER columns.
MAX_MEMBERS = 300_000_000

#: A programme's period in months: a five-year programme (an RPJMD term) at most.
MAX_PROGRAMME_MONTHS = 60

#: Months of grace after the last paid month: two years at most (the default is 3).
MAX_GRACE_MONTHS = 24

#: Years a programme keeps a person's personal data after their coverage ends (UU 27/2022: the
#: data may be erased once its retention period ends). Regional financial records are kept ten
#: years (the default); a programme may set 1 to 30: under a year no audit could cite the records,
#: and thirty is past any archive rule a city follows.
DEFAULT_RETENTION_YEARS = 10
MAX_RETENTION_YEARS = 30

#: Months of temporary incapacity (STMB) on one claim: ten years at most.
MAX_INCAPACITY_MONTHS = 120

#: Fiscal years a programme may belong to: those whose every date stays inside the years the
#: ledger's calendar handles (ledger.calendar: 2000-2100). Coverage looks back up to the grace
#: months from a programme's first month (January of its fiscal year at the earliest): 2002.
#: At the other end, from January of the fiscal year: the first month may be December (11),
#: the programme runs up to 60 months, incidents are covered up to the grace months after its
#: last month, and a JKK claim may be filed 60 months after the accident (the rule set's
#: 5-year expiry): 154 months, so 2100 - 12 = 2088.
JKK_CLAIM_WINDOW_MONTHS = 60
FIRST_FISCAL_YEAR = FIRST_YEAR + MAX_GRACE_MONTHS // 12
LAST_FISCAL_YEAR = LAST_YEAR - (
    11 + MAX_PROGRAMME_MONTHS - 1 + MAX_GRACE_MONTHS + JKK_CLAIM_WINDOW_MONTHS) // 12

#: A log position given as a cursor or cut-off: the store's positions are 64-bit; 2^62 leaves
#: room for arithmetic on them (``position + 1``) and is beyond any log that will ever exist.
MAX_POSITION = 2**62


def _is_whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def require_rupiah(value: object, what: str, *, field: str, minimum: int = 0,
                   maximum: int = MAX_RUPIAH) -> int:
    """A whole number of rupiah between ``minimum`` and ``maximum``, or a clear refusal.

    ``what`` names the figure as a clerk would ("the budget ceiling").
    """
    if not _is_whole(value):
        raise InvalidInputError(f"{what} must be a whole number of rupiah", field=field)
    assert isinstance(value, int)
    if value < minimum:
        floor = "zero or more" if minimum == 0 else f"at least {rupiah(minimum)}"
        raise InvalidInputError(f"{what} must be a whole number of rupiah, {floor}",
                                field=field)
    if value > maximum:
        raise InvalidInputError(f"{what} can be at most {rupiah(maximum)}", field=field)
    return value


def require_count(value: object, what: str, *, field: str, minimum: int, maximum: int) -> int:
    """A whole number between ``minimum`` and ``maximum`` (months, members, years)."""
    if not _is_whole(value):
        raise InvalidInputError(f"{what} must be a whole number", field=field)
    assert isinstance(value, int)
    if not minimum <= value <= maximum:
        raise InvalidInputError(
            f"{what} must be between {count_text(minimum)} and {count_text(maximum)}; got "
            f"{count_text(value)}", field=field)
    return value


def count_text(value: int) -> str:
    """A whole number as messages write it: dots for thousands from 10.000 on, as Indonesian
    text does (a year stays 2025)."""
    return f"{value:,}".replace(",", ".") if abs(value) >= 10_000 else str(value)
