"""Logs: one JSON line per HTTP request and per service command, personal numbers always masked.

Everything under the ``claims_ledger`` logger (the Flask app's own logger included), the
development server's ``werkzeug`` logger and, where nothing else handles it, the root logger go
to standard error through one handler. Before that handler formats a record, a filter rewrites
its message, fields and traceback text with every personal number masked (:func:`mask`); request
logs carry no bodies, so names never reach them.

Two formats. The service processes (gunicorn's workers, ``claims-ledger serve`` and
``claims-ledger project --follow``) write JSON, one object a line. Any other command is a person
at a terminal: it writes no log line of its own, only what it prints and, on a refusal, the
``Error: ...`` line; warnings and errors from inside it are plain ``warning: ...`` text.
``LEDGER_LOG_FORMAT=json`` asks every command for JSON lines, one per command run
(``command``, ``params``, ``outcome``, ``exit_code``, ``duration_ms``, ``user``).
``LEDGER_LOG_LEVEL`` sets the level (default INFO).
"""

from __future__ import annotations

import getpass
import logging
import os
import re
import sys
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, TextIO

import click
import orjson
from flask import Flask, Response, g, request
from werkzeug.serving import WSGIRequestHandler

from api import subjects
from ledger.identity import mask_nik
from storage.settings import (
    LOG_FORMAT_VARIABLE,
    log_format_from_environment,
    log_level_from_environment,
)

ROOT = "claims_ledger"
#: ``LEDGER_LOG_FORMAT``: ``json`` for every command, or unset (``auto``) for JSON from the
#: service processes only.
FORMATS = ("auto", "json")
REQUEST_ID_HEADER = "X-Request-Id"
#: A client's request id is echoed only if it is short and plain; otherwise a new one is made.
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")
#: Probes come every few seconds; they are logged at DEBUG so they do not drown the requests.
_QUIET_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})

requests_log = logging.getLogger(f"{ROOT}.requests")
commands_log = logging.getLogger(f"{ROOT}.commands")

# -- masking -------------------------------------------------------------------------------------
#
# What counts as a personal number in a log line, precisely:
#
# - any run of 15 or more digits standing alone (not part of a longer run): a NIK or a KK number
#   (16), a NIK typed a digit short or long, a long bank account. Nothing else this service logs
#   is that long: log positions, counts and durations stay far below 10^15, and ISO dates and
#   times are runs of at most 4 digits;
# - a run of 6 to 20 digits right after a word that names a personal number (``nik``, ``kk``,
#   ``no_kk``, ``family_card``, ``kpj``, ``account``, ``rekening``, ``norek``, ... as in
#   ``kpj=25012345678``, ``"account_number": "0123456789"``, ``--kpj 25012345678``): a KPJ card
#   (11 digits), an account (6-20);
# - a whole URL path segment of 6 to 14 digits (``/members/25012345678/kpj``): this API's
#   ids are UUIDs and its positions and dates are query parameters, so a path segment of
#   digits alone is a number someone typed where an id belongs. No route takes a NIK in its
#   URL (``api/lookups.py``); this is the second line of defence for a client sending one
#   anyway (the refused ``/members/by-nik/<nik>/history``);
# - in structured fields (a command's parameters), the whole value of a field named like one
#   of those words.
#
# 15 or more digits keep the first and last four (``3671********0001``, the region and the
# serial, as on the printed documents); 10 to 14 digits keep the last four (``*******5678``,
# as a bank statement shows an account); fewer are masked whole.

_SIX_DIGITS = re.compile(r"\d{6}")
_LONG_NUMBER = re.compile(r"(?<!\d)\d{15,}(?!\d)")
_PERSONAL_WORDS = (r"nik|kk|no[ _.-]?kk|family[ _-]?card|kpj|account|acct|rek|rekening|norek"
                   r"|no[ _.-]?rek|bank[ _-]?account")
_LABELLED_NUMBER = re.compile(
    rf"(?i)\b(?:{_PERSONAL_WORDS})(?:_?[a-z]+)?"  # the word, maybe as account_number, nik_baru
    r"(?:[\s.:#=_-]*(?:number|nomor|num|no)\b)?"  # "account no.", "KPJ nomor"
    r"[^\w]{1,4}(\d{6,20})(?!\d)")
_DIGIT_SEGMENT = re.compile(r"(?<=/)\d{6,14}(?=[/?#\s\"']|$)")
_PERSONAL_KEY = re.compile(rf"(?i)(?:{_PERSONAL_WORDS})(?:[ _-]?(?:number|no|id))?")


def mask_number(digits: str) -> str:
    """A personal number masked by its length: ``3671********0001``, ``*******5678``, ``******``."""
    if len(digits) >= 15:
        return mask_nik(digits)
    if len(digits) >= 10:
        return "*" * (len(digits) - 4) + digits[-4:]
    return "*" * len(digits)


def _mask_labelled(found: re.Match[str]) -> str:
    # The number is the match's last group and ends it: keep the label and separator before it.
    whole = found.group(0)
    return whole[:found.start(1) - found.start(0)] + mask_number(found.group(1))


def mask(text: str) -> str:
    """``text`` with every personal number masked (see the rules above)."""
    if not _SIX_DIGITS.search(text):  # most lines: nothing long enough to be personal
        return text
    text = _LONG_NUMBER.sub(lambda found: mask_number(found.group()), text)
    text = _LABELLED_NUMBER.sub(_mask_labelled, text)
    return _DIGIT_SEGMENT.sub(lambda found: mask_number(found.group()), text)


def _mask_personal(value: Any) -> Any:
    """The value of a field named like a personal number: every digit of it masked."""
    text = str(value).strip()
    if text.isdigit():
        return mask_number(text)
    return re.sub(r"\d", "*", text) if any(c.isdigit() for c in text) else mask(str(value))


def _masked(value: Any, personal: bool = False) -> Any:
    if value is None or isinstance(value, (bool, float)):
        return value
    if personal and isinstance(value, (str, int)):
        return _mask_personal(value)
    if isinstance(value, str):
        return mask(value)
    if isinstance(value, int):
        return value if abs(value) < 10**14 else mask(str(value))
    if isinstance(value, Mapping):
        return {str(k): _masked(v, personal or _is_personal_key(k)) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_masked(v, personal) for v in value]
    return mask(str(value))


def _is_personal_key(key: object) -> bool:
    return isinstance(key, str) and _PERSONAL_KEY.fullmatch(key) is not None


#: Set on a record once :class:`MaskingFilter` has masked it, so formatters do not again.
MASKED = "ledger_masked"


class MaskingFilter(logging.Filter):
    """Rewrites a record in place so that no handler after it sees a personal number."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, MASKED, False):
            return True
        record.msg = mask(record.getMessage())
        record.args = None
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            record.fields = _masked(fields)
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask(record.exc_text)
        if record.stack_info:
            record.stack_info = mask(record.stack_info)
        setattr(record, MASKED, True)
        return True


def _ensure_masked(record: logging.LogRecord) -> None:
    # A formatter used without the filter (another handler's) still never writes a number out.
    if not getattr(record, MASKED, False):
        MaskingFilter().filter(record)


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC), level, logger, message, the record's fields."""

    def format(self, record: logging.LogRecord) -> str:
        _ensure_masked(record)
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            line.update(fields)
        if record.exc_text:
            line["exception"] = record.exc_text
        # orjson: the request path formats one of these per request; it is several times
        # faster than json.dumps and writes UTF-8 as it is.
        return orjson.dumps(line, default=str).decode("utf-8")


class PlainFormatter(logging.Formatter):
    """``warning: <message>`` for a person at a terminal (traceback text after it, if any)."""

    def format(self, record: logging.LogRecord) -> str:
        _ensure_masked(record)
        text = f"{record.levelname.lower()}: {record.getMessage()}"
        return f"{text}\n{record.exc_text}" if record.exc_text else text


class StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stderr`` is at the moment of writing (test runners swap it),
    every record masked first."""

    def __init__(self) -> None:
        super().__init__()
        self.addFilter(MaskingFilter())

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _: TextIO) -> None:
        pass  # always the current sys.stderr


_configured = threading.Lock()


def log_format() -> str:
    """``LEDGER_LOG_FORMAT`` (``auto`` when unset); anything else is refused in plain words."""
    value = log_format_from_environment()
    if value not in FORMATS:
        raise LogFormatError(f"{LOG_FORMAT_VARIABLE} must be 'json' (JSON log lines from every "
                             f"command) or unset (JSON from the services only), not {value!r}")
    return value


class LogFormatError(click.ClickException):
    """A ``LEDGER_LOG_FORMAT`` that is neither ``json`` nor unset: exit status 2."""

    exit_code = 2


def configure_logging(as_json: bool = True) -> None:
    """Send the ``claims_ledger`` logs (and the development server's, and the root logger's
    when nothing else handles it) to standard error, masked: as JSON lines, or as plain text."""
    with _configured:
        formatter: logging.Formatter = JsonFormatter() if as_json else PlainFormatter()
        ours = logging.getLogger(ROOT)
        handler = next((h for h in ours.handlers if isinstance(h, StderrHandler)), None)
        if handler is None:
            handler = StderrHandler()
            ours.addHandler(handler)
        handler.setFormatter(formatter)
        ours.propagate = False  # the root logger may have this handler too: one line each
        level = log_level_from_environment()
        ours.setLevel(level if level in logging.getLevelNamesMapping() else logging.INFO)
        # The development server's own access lines carry the raw URL; they are not written
        # (QuietRequestHandler), and whatever else it logs goes through the mask.
        werkzeug_log = logging.getLogger("werkzeug")
        werkzeug_log.handlers = [handler]
        werkzeug_log.setLevel(logging.WARNING)
        werkzeug_log.propagate = False
        root = logging.getLogger()
        if not root.handlers or all(isinstance(h, StderrHandler) for h in root.handlers):
            root.handlers = [handler]  # libraries' warnings: masked, in the same format


class QuietRequestHandler(WSGIRequestHandler):
    """The development server without its access line: the application logs every request
    itself, masked, with its id and actor; the server's line would repeat the raw URL."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return None


# -- HTTP requests -------------------------------------------------------------------------------


def register(app: Flask) -> None:
    """Give every request an id (``X-Request-Id``, kept from the client or made) and log it."""
    configure_logging(as_json=True)
    app.before_request(_start)
    app.after_request(_finish)


def request_id() -> str:
    """This request's id (the client's ``X-Request-Id`` if plain enough, else a new one)."""
    found: str | None = g.get("request_id")
    return found or "-"


def _start() -> None:
    offered = request.headers.get(REQUEST_ID_HEADER, "")
    # A made id is a hyphenated UUID: its groups of at most 12 hex digits can never look like
    # a personal number to the mask (32 hex digits in one run can: 15 decimal digits in a row).
    g.request_id = offered if _REQUEST_ID.match(offered) else str(uuid.uuid4())
    g.request_started = time.perf_counter()


def _finish(response: Response) -> Response:
    started = g.get("request_started")
    response.headers[REQUEST_ID_HEADER] = request_id()
    level = logging.DEBUG if request.path in _QUIET_PATHS else logging.INFO
    if not requests_log.isEnabledFor(level):
        return response
    fields = {
        "event": "request",
        "method": request.method,
        "path": request.path,
        "status": response.status_code,
        "duration_ms": round((time.perf_counter() - started) * 1000, 1) if started else None,
        "request_id": request_id(),
        "actor": g.get("actor"),
        "role": g.get("role"),
    }
    touched = subjects.collected()
    if touched is not None:  # whose personal data it read or wrote, by ids (api/subjects.py)
        fields["subjects"] = touched
    requests_log.log(level, "%s %s %s", request.method, request.path, response.status_code,
                     extra={"fields": fields})
    return response


# -- CLI commands --------------------------------------------------------------------------------

#: The commands that run as services, and when: they log JSON whatever LEDGER_LOG_FORMAT says.
SERVICE_COMMANDS: dict[str, Callable[[Mapping[str, Any]], bool]] = {
    "serve": lambda _params: True,
    "project": lambda params: bool(params.get("follow")),
}


def log_commands(group: click.Group) -> None:
    """Log every command run under ``group`` (found when it runs, so later additions count)."""
    if getattr(group, "_ledger_group_logged", False):
        return
    original: Callable[[click.Context, str], click.Command | None] = group.get_command

    def get_command(ctx: click.Context, name: str) -> click.Command | None:
        found = original(ctx, name)
        if isinstance(found, click.Group):
            log_commands(found)
            if found.invoke_without_command:  # it runs on its own too ('findings')
                _log_invocations(found)
        elif found is not None:
            _log_invocations(found)
        return found

    setattr(group, "get_command", get_command)  # noqa: B010  (an instance's method, replaced)
    setattr(group, "_ledger_group_logged", True)  # noqa: B010  (its own runs: _ledger_logged)


def _as_json(ctx: click.Context) -> bool:
    """JSON lines for a service process, or when LEDGER_LOG_FORMAT=json asks for them."""
    words = " ".join(ctx.command_path.split()[1:])
    service = SERVICE_COMMANDS.get(words)
    return log_format() == "json" or (service is not None and service(ctx.params))


def _log_invocations(command: click.Command) -> None:
    if getattr(command, "_ledger_logged", False):
        return
    original = command.invoke

    def invoke(ctx: click.Context) -> Any:
        as_json = _as_json(ctx)
        configure_logging(as_json)
        started = time.perf_counter()
        outcome, code = "ok", 0
        try:
            return original(ctx)
        except click.ClickException as error:
            outcome, code = "refused", error.exit_code
            raise
        except click.exceptions.Exit as error:
            code = error.exit_code
            outcome = "ok" if code == 0 else "failed"
            raise
        except SystemExit as error:
            code = error.code if isinstance(error.code, int) else 1
            outcome = "ok" if code == 0 else "failed"
            raise
        except KeyboardInterrupt:
            outcome, code = "interrupted", 130
            raise
        except Exception:
            outcome, code = "failed", 1
            raise
        finally:
            # A person at a terminal gets the command's own output only; a group that ran a
            # subcommand leaves the line to it.
            if as_json and ctx.invoked_subcommand is None:
                _command_line(ctx, outcome, code, started)

    setattr(command, "invoke", invoke)  # noqa: B010
    setattr(command, "_ledger_logged", True)  # noqa: B010


def _command_line(ctx: click.Context, outcome: str, code: int, started: float) -> None:
    words = ctx.command_path.split()[1:]  # without the program name
    params = {name: _param_text(value) for name, value in ctx.params.items()
              if value is not None and value is not False}
    fields = {
        "event": "command",
        "command": " ".join(words),
        "params": params,
        "outcome": outcome,
        "exit_code": code,
        "duration_ms": round((time.perf_counter() - started) * 1000, 1),
        "user": _user(),
    }
    level = logging.INFO if outcome in ("ok", "refused") else logging.ERROR
    commands_log.log(level, "%s: %s", " ".join(words), outcome, extra={"fields": fields})


def _param_text(value: Any) -> Any:
    if isinstance(value, (bool, int, float, str)):
        return value
    name = getattr(value, "name", None)  # an open file: its name, never its content
    return str(name) if isinstance(name, str) else str(value)


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return str(os.getuid())
