"""What the reading pages (programmes, workers, findings, journal, documents) share: the read
side opened for one request, the filter bar checked, a page answered whole or as its htmx part,
and the words only these pages use (kept apart from :mod:`api.console.words` so each section's
words stay beside its views)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

from flask import g, request
from werkzeug.wrappers import Response

from api.console.access import SECTION_BY_KEY, PageError, Section
from api.console.blueprint import bp
from api.console.filters import FIELDS, FilterChoices, FilterError, Filters
from api.console.own_writes import read_on_replica
from api.console.reading_words import READING_WORDS
from api.console.render import language, render_page, words_now
from api.state import ledger, projector, replica, served_from
from ledger.errors import InvalidInputError, NotFoundError
from projections.cosigning import configured_policy
from projections.opening import open_read_side
from projections.read_side import ReadSide
from storage.settings import signing_key_from_environment


def reading_words() -> dict[str, str]:
    """The reading pages' own words in this request's language."""
    return READING_WORDS[language()]


class NothingProjectedYet(Exception):
    """The projections have applied no event yet (a new ledger, or a follower not started):
    the page says so in a sentence, and is not an error."""


@contextmanager
def read_side(at: int | None = None, as_of: date | None = None) -> Iterator[ReadSide]:
    """The read side for one page, as the API's reads open it (the embedded store catches its
    projections up first); a cut-off the ledger refuses is said in its words, as a 400."""
    if not ledger().settings.is_postgres:
        projector().catch_up()
    if at is None and as_of is None and projector().position() == 0:
        raise NothingProjectedYet
    mirror = replica() if read_on_replica(live=at is None and as_of is None) else None
    try:
        with open_read_side(ledger(), at, as_of=as_of,
                            signing_key=signing_key_from_environment(),
                            on_replica=mirror is not None, replica=mirror,
                            policy=configured_policy()) as view:
            served_from(view)  # the replica may have failed to open the reading
            yield view
    except InvalidInputError as bad:
        raise PageError(400, str(bad)) from None
    except NotFoundError as missing:
        raise PageError(404, str(missing)) from None


def checked_filters(section: Section) -> tuple[FilterChoices, Filters]:
    """The filter bar's lists and the filters of this request, checked against them."""
    from api.console.views import filter_choices

    choices = filter_choices() if section.filters else FilterChoices()
    try:
        filters = Filters.from_query(request.args, choices)
    except FilterError as bad:
        raise PageError(400, words_now()["t"][bad.key]) from None
    g.filters = filters
    return choices, filters


def page(section: Section, template: str, choices: FilterChoices | None = None,
         filters: Filters | None = None, status: int = 200, **context: Any) -> Response:
    """A section's page (or, for the filter bar's htmx request, its list part alone, with the
    checked filters as the address kept in history). A page without the filter bar reached
    with filters in its address (the navigation carries them) says they do not apply."""
    if filters is None and any(request.args.get(name) for name in FIELDS):
        choices, filters = checked_filters(section)
    body, code = render_page(template, status, section=section,
                             choices=choices or FilterChoices(), filters=filters,
                             w=reading_words(), **context)
    response = Response(body, status=code, mimetype="text/html")
    if filters is not None and request.headers.get("HX-Request") == "true":
        response.headers["HX-Push-Url"] = request.path + filters.query()
    return response


def position_arg(name: str = "position") -> int | None:
    """A log position from the query string (a whole number from 1), or None when absent."""
    text = (request.values.get(name) or "").strip()
    if not text:
        return None
    if not text.isdigit() or int(text) < 1:
        raise PageError(400, reading_words()["bad_position"])
    return int(text)


def date_arg(name: str) -> date | None:
    """A date (YYYY-MM-DD) from the query string or form, or None when absent."""
    text = (request.values.get(name) or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise PageError(400, reading_words()["bad_date"]) from None


@bp.errorhandler(NothingProjectedYet)
def _nothing_yet(_: NothingProjectedYet) -> Response:
    """A reading page before the projections hold anything: its shell and one sentence."""
    section = SECTION_BY_KEY[request.path.strip("/").split("/")[0]]
    choices, filters = checked_filters(section)
    return page(section, "console/nothing_yet.html", choices, filters)
