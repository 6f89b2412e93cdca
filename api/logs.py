"""Structured logs: one JSON line per HTTP request and per CLI command, NIKs always masked.

Everything under the ``claims_ledger`` logger (the Flask app's own logger included) goes to
standard error as one JSON object a line. Before any handler sees a record, a filter rewrites
its message, fields and traceback text with every 16-digit number (a NIK, or a KK number)
masked as ``3671********0001``; request logs carry no bodies, so names never reach them.
``LEDGER_LOG_LEVEL`` sets the level (default INFO).
"""

from __future__ import annotations

import getpass
import json
import logging
import os
import re
import sys
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TextIO

import click
from flask import Flask, Response, g, request

from ledger.identity import mask_nik

ROOT = "claims_ledger"
LEVEL_VARIABLE = "LEDGER_LOG_LEVEL"
REQUEST_ID_HEADER = "X-Request-Id"
#: A client's request id is echoed only if it is short and plain; otherwise a new one is made.
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")
#: 16 digits standing alone: a NIK (or a KK number, masked the same way).
_SIXTEEN_DIGITS = re.compile(r"(?<!\d)\d{16}(?!\d)")
#: Probes come every few seconds; they are logged at DEBUG so they do not drown the requests.
_QUIET_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})

requests_log = logging.getLogger(f"{ROOT}.requests")
commands_log = logging.getLogger(f"{ROOT}.commands")


def mask(text: str) -> str:
    """``text`` with every 16-digit number masked as :func:`ledger.identity.mask_nik` does."""
    return _SIXTEEN_DIGITS.sub(lambda found: mask_nik(found.group()), text)


def _masked(value: Any) -> Any:
    if isinstance(value, str):
        return mask(value)
    if isinstance(value, dict):
        return {str(k): _masked(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_masked(v) for v in value]
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return mask(str(value))


class MaskingFilter(logging.Filter):
    """Rewrites a record in place so that no handler after it sees an unmasked NIK."""

    def filter(self, record: logging.LogRecord) -> bool:
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
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC), level, logger, message, the record's fields."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": mask(record.getMessage()),
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            line.update(_masked(fields))
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            line["exception"] = mask(record.exc_text)
        return json.dumps(line, ensure_ascii=False, default=str)


class StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stderr`` is at the moment of writing (test runners swap it)."""

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


def configure_logging() -> None:
    """Send the ``claims_ledger`` logs to standard error as JSON (once per process)."""
    with _configured:
        root = logging.getLogger(ROOT)
        if any(isinstance(h, StderrHandler) for h in root.handlers):
            return
        handler = StderrHandler()
        handler.setFormatter(JsonFormatter())
        root.addHandler(handler)
        level = os.environ.get(LEVEL_VARIABLE, "INFO").upper()
        root.setLevel(level if level in logging.getLevelNamesMapping() else logging.INFO)


# -- HTTP requests -------------------------------------------------------------------------------


def register(app: Flask) -> None:
    """Give every request an id (``X-Request-Id``, kept from the client or made) and log it."""
    configure_logging()
    app.before_request(_start)
    app.after_request(_finish)


def request_id() -> str:
    """This request's id (the client's ``X-Request-Id`` if plain enough, else a new one)."""
    found: str | None = g.get("request_id")
    return found or "-"


def _start() -> None:
    offered = request.headers.get(REQUEST_ID_HEADER, "")
    g.request_id = offered if _REQUEST_ID.match(offered) else uuid.uuid4().hex
    g.request_started = time.perf_counter()


def _finish(response: Response) -> Response:
    started = g.get("request_started")
    response.headers[REQUEST_ID_HEADER] = request_id()
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
    level = logging.DEBUG if request.path in _QUIET_PATHS else logging.INFO
    requests_log.log(level, "%s %s %s", request.method, request.path, response.status_code,
                     extra={"fields": fields})
    return response


# -- CLI commands --------------------------------------------------------------------------------


def log_commands(group: click.Group) -> None:
    """Log every command run under ``group`` (found when it runs, so later additions count)."""
    if getattr(group, "_ledger_logged", False):
        return
    original: Callable[[click.Context, str], click.Command | None] = group.get_command

    def get_command(ctx: click.Context, name: str) -> click.Command | None:
        found = original(ctx, name)
        if isinstance(found, click.Group):
            log_commands(found)
        elif found is not None:
            _log_invocations(found)
        return found

    setattr(group, "get_command", get_command)  # noqa: B010  (an instance's method, replaced)
    setattr(group, "_ledger_logged", True)  # noqa: B010


def _log_invocations(command: click.Command) -> None:
    if getattr(command, "_ledger_logged", False):
        return
    original = command.invoke

    def invoke(ctx: click.Context) -> Any:
        configure_logging()
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
