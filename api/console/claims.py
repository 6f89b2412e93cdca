"""The claims pages: lists by status, benefit and programme (paged), and one claim's page with
its rule version and computation, its payouts and its history.

The lists read the claims list read model (:mod:`projections.lists`) and each claim at the
version it names, exactly as ``GET /api/v1/claims`` does, so a page and the API show the same
claims with the same figures; a claim's page reads the claim as ``GET /api/v1/claims/ID`` does
and its history from the log (:class:`projections.records.Records`). Personal numbers are
masked: the member's and the heir's NIK (``3671********0001``), the account (``****5432``).
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from flask import g, request
from werkzeug.wrappers import Response

from api.console.access import SECTION_BY_KEY, PageError, section_page
from api.console.blueprint import bp
from api.console.filters import FilterChoices, FilterError, Filters
from api.console.money_words import money_words
from api.console.render import render_page, wib
from api.console.views import filter_choices
from api.resources.common import listed
from api.state import ledger, projector, reader
from documents.formatting import WIB
from ledger.benefits import Benefit
from ledger.claim import Claim, ClaimStatus
from ledger.errors import ClaimNotFoundError, ProjectionStoppedError
from projections import lists
from projections.records import Records

#: Claims on one page of a list.
PAGE_SIZE = 50
STATUSES = tuple(status.value for status in ClaimStatus)
BENEFITS = tuple(benefit.value for benefit in Benefit)


@dataclass(frozen=True)
class ClaimList:
    """One page of claims and where the next begins (None: this is the last)."""

    claims: tuple[Claim, ...]
    next: int | None


def today(now: datetime) -> date:
    """The day it is in WIB (what a decision or a reconciliation is dated)."""
    return now.astimezone(WIB).date()


def mask_account(number: str | None) -> str:
    """An account number as pages show it: its last four digits only ("[dihapus]" once
    erased)."""
    if number == "[dihapus]":
        return number
    digits = "".join(ch for ch in str(number or "") if ch.isdigit())
    return f"****{digits[-4:]}" if digits else "-"


def period_range(period: str | None) -> tuple[date | None, date | None]:
    """The first and last day of a filter period (a year or a month)."""
    if not period:
        return None, None
    year = int(period[:4])
    if len(period) == 4:
        return date(year, 1, 1), date(year, 12, 31)
    month = int(period[5:7])
    last = (date(year + month // 12, month % 12 + 1, 1) - date.resolution)
    return date(year, month, 1), last


def page_filters(with_choices: bool = True) -> tuple[Filters, FilterChoices]:
    """The filter bar's values, checked (a value that does not fit: 400 with the reason)."""
    choices = filter_choices() if with_choices else FilterChoices()
    try:
        filters = Filters.from_query(request.args, choices)
    except FilterError as bad:
        raise PageError(400, money_words()["t"][bad.key]) from None
    g.filters = filters
    return filters, choices


def _choice(name: str, allowed: tuple[str, ...], problem: str) -> str | None:
    value = (request.args.get(name) or "").strip() or None
    if value is not None and value not in allowed:
        raise PageError(400, money_words()["t"][problem])
    return value


def after_cursor() -> int:
    """Where a page of a list begins (``after``: the cursor of the page before)."""
    raw = (request.args.get("after") or "0").strip()
    if not raw.isdigit():
        raise PageError(400, money_words()["t"]["bad_page"])
    return int(raw)


def claim_list(filters: Filters, *, status: str | None, benefit: str | None,
               after: int) -> ClaimList:
    """One page of claims, as the API's list reads them."""
    catch_up()
    start, end = period_range(filters.period)
    g.honoured = ("period", "funder", "programme", "district")  # every filter of the bar
    found = lists.claims(reader(), program=(filters.programme or "").upper(), status=status,
                         benefit=benefit, filed_from=start, filed_to=end,
                         district=filters.district, funder_region=filters.funder, after=after,
                         limit=PAGE_SIZE)
    return ClaimList(tuple(listed(found)), found.next)


def catch_up() -> None:
    """Bring the projections up to the log's head, as the API's lists do before answering (a
    list reads its writes), unless they are being rebuilt or stopped at an event."""
    worker = projector()
    if len(set(worker.positions().values())) == 1:
        with contextlib.suppress(ProjectionStoppedError):
            worker.catch_up()


def htmx_page(body: str, status: int, path: str) -> Response:
    """A page answer; for htmx, the address to show and keep (the checked query only)."""
    response = Response(body, status=status, mimetype="text/html")
    if request.headers.get("HX-Request") == "true" and request.method == "GET":
        response.headers["HX-Push-Url"] = path
    return response


@bp.route("/claims")
@section_page(SECTION_BY_KEY["claims"])
def claims() -> Response:
    """Claims by status, benefit and programme, fifty to a page."""
    filters, choices = page_filters()
    status = _choice("status", STATUSES, "bad_status")
    benefit = _choice("benefit", BENEFITS, "bad_benefit")
    after = after_cursor()
    found = claim_list(filters, status=status, benefit=benefit, after=after)
    extra = [(name, value) for name, value in (("status", status), ("benefit", benefit))
             if value]
    query = filters.query()
    for name, value in extra:
        query += ("&" if query else "?") + f"{name}={value}"
    body, code = render_page(
        "console/claims.html", section=SECTION_BY_KEY["claims"], choices=choices,
        filters=filters, found=found, chosen_status=status, benefit=benefit, after=after,
        statuses=STATUSES, benefits=BENEFITS, list_query=query, **money_words())
    return htmx_page(body, code, request.path + query)


@bp.route("/claims/<uuid:claim_id>")
@section_page(SECTION_BY_KEY["claims"])
def claim(claim_id: UUID) -> Response:
    """One claim: the rule version and computation, the decision, payouts, and its history."""
    g.filters = Filters()
    try:
        found = ledger().claim(claim_id)
    except ClaimNotFoundError:
        raise PageError(404, money_words()["t"]["claim_not_found"]) from None
    history = Records(ledger()).history("claim", claim_id)
    body, code = render_page(
        "console/claim.html", claim=found, history=history,
        account=mask_account(found.claimant.get("account_number")), stamp=recorded_stamp,
        **money_words())
    return htmx_page(body, code, request.path)


def recorded_stamp(text: str | None) -> str:
    """A recorded time of the log (ISO, UTC) as pages write it, in WIB."""
    if not text:
        return "-"
    return wib(datetime.fromisoformat(str(text).replace("Z", "+00:00")))
