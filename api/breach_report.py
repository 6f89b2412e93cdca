"""The breach report (UU 27/2022, 3 x 24 hours): whose personal data was read or written, by
whom, from the request log lines' ``actor``, ``role`` and ``subjects`` (``api/subjects.py``).

Pure: it reads log files and answers; it opens no store. A log file may hold other lines
(gunicorn's own text, a command's line, a request that touched nobody): they are skipped and
counted. A subject is a person (the Person aggregate's id) whenever a line named one; an id
seen on some line beside a person (an enrolment, a claim, an incident) is that person's on
every other line too, so a dossier logged by its claim id still counts under the worker.
A line about many people at once (an audit report with its roster, a feed bundle) is its own
subject: the programme, what it was and how many, as the line said.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import orjson

from api.subjects import KINDS
from documents.formatting import date_id, datetime_wib, number_id
from ledger.clock import WIB

_ID_SEGMENT = re.compile(r"/[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}"
                         r"-[0-9a-fA-F]{12}(?=/|$)")
#: The people an entry names, in the order they are its subjects (the worker, then the heir).
_PEOPLE = ("person", "claimant")


class BreachReportError(Exception):
    """A date or a file the report cannot use, said in plain words."""


def moment(text: str, *, end_of_day: bool = False) -> datetime:
    """``2025-03-24`` (the start of that day in WIB; its end with ``end_of_day``) or an ISO time
    (``2025-03-24T14:05``, WIB unless it names its zone)."""
    value = text.strip()
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            start = datetime.combine(day, time(0), WIB)
            return start + timedelta(days=1) if end_of_day else start
        found = datetime.fromisoformat(value)
    except ValueError:
        raise BreachReportError(
            f"{text!r} is not a date: write it as YYYY-MM-DD (2025-03-24, a whole day in WIB) "
            "or as a time, 2025-03-24T14:05 (WIB unless it says +00:00)") from None
    return found if found.tzinfo is not None else found.replace(tzinfo=WIB)


@dataclass
class Access:
    """One actor's use of one route on one subject: how many times, first and last."""

    actor: str
    role: str | None
    method: str
    route: str
    count: int = 0
    first: datetime | None = None
    last: datetime | None = None

    def saw(self, when: datetime) -> None:
        self.count += 1
        self.first = when if self.first is None or when < self.first else self.first
        self.last = when if self.last is None or when > self.last else self.last


@dataclass
class Subject:
    """A person (or an id no line tied to a person, or a many-people entry) and its accesses."""

    kind: str
    id: str
    also: set[str] = field(default_factory=set)
    many: dict[str, Any] | None = None
    accesses: dict[tuple[str, str | None, str, str], Access] = field(default_factory=dict)


@dataclass
class Report:
    since: datetime
    until: datetime | None
    files: list[str]
    lines: int = 0
    skipped: int = 0
    requests: int = 0
    subjects: dict[str, Subject] = field(default_factory=dict)


def read_log(paths: Iterable[Path]) -> Iterator[tuple[str, dict[str, Any] | None]]:
    """Each line of each file, parsed when it is a JSON object (None when it is not)."""
    for path in paths:
        try:
            handle = path.open("rb")
        except OSError as error:
            raise BreachReportError(f"cannot read the log file {path}: "
                                    f"{error.strerror or error}") from None
        with handle:
            for raw in handle:
                try:
                    parsed = orjson.loads(raw)
                except orjson.JSONDecodeError:
                    yield str(path), None
                    continue
                yield str(path), parsed if isinstance(parsed, dict) else None


def build(paths: list[Path], since: datetime, until: datetime | None = None,
          subject: str | None = None) -> Report:
    """The report over ``paths`` for requests logged in [since, until), maybe one subject's."""
    report = Report(since, until, [str(p) for p in paths])
    window: list[tuple[datetime, dict[str, Any], list[dict[str, Any]]]] = []
    owner: dict[str, str] = {}  # an enrolment, claim, incident id -> its person, as logged
    for _path, line in read_log(paths):
        report.lines += 1
        if line is None or line.get("event") != "request":
            report.skipped += 1
            continue
        entries = line.get("subjects")
        if not isinstance(entries, list):
            continue
        when = _when(line)
        for entry in entries:
            if isinstance(entry, dict) and entry.get("person"):
                for kind in KINDS:
                    if kind not in _PEOPLE and entry.get(kind):
                        owner.setdefault(str(entry[kind]), str(entry["person"]))
        if when is None or when < since or (until is not None and when >= until):
            continue
        report.requests += 1
        window.append((when, line, [e for e in entries if isinstance(e, dict)]))
    for when, line, listed in window:
        touched: dict[str, Subject] = {}  # once per request, however many entries name it
        for entry in listed:
            touched.update((s.id, s) for s in _subjects_of(entry, owner, report.subjects))
        for found in touched.values():
            if subject is None or subject == found.id or subject in found.also:
                _access(found, line).saw(when)
    report.subjects = {k: s for k, s in report.subjects.items() if s.accesses}
    return report


def _when(line: dict[str, Any]) -> datetime | None:
    try:
        found = datetime.fromisoformat(str(line.get("time")))
    except ValueError:
        return None
    return found if found.tzinfo is not None else None


def _subjects_of(entry: dict[str, Any], owner: dict[str, str],
                 known: dict[str, Subject]) -> list[Subject]:
    if "what" in entry:  # many people at once: its own subject
        key = "|".join(str(entry.get(k, "")) for k in ("programme", "what", "period"))
        many: dict[str, Any] = {k: entry[k] for k in ("programme", "what", "period", "count")
                                if k in entry}
        found = known.setdefault(key, Subject("many", key, many=many))
        found.many = many  # the latest count said
        return [found]
    ids = {kind: str(entry[kind]) for kind in KINDS if entry.get(kind)}
    others = {v for k, v in ids.items() if k not in _PEOPLE}
    people = [ids[k] for k in _PEOPLE if k in ids]
    if not people:
        people = [owner[i] for i in others if i in owner][:1]
    subjects: list[Subject] = []
    if people:
        for number, person in enumerate(people):
            found = known.setdefault(person, Subject("person", person))
            if number == 0:  # the records are the worker's; the heir is named on them
                found.also |= others
            subjects.append(found)
        return subjects
    kind, first = next((k, v) for k, v in ids.items())
    found = known.setdefault(first, Subject(kind, first))
    found.also |= others - {first}
    return [found]


def _access(subject: Subject, line: dict[str, Any]) -> Access:
    actor = str(line.get("actor") or "(no token)")
    role = line.get("role")
    method = str(line.get("method") or "-")
    route = _ID_SEGMENT.sub("/{id}", str(line.get("path") or "-"))
    key = (actor, str(role) if role else None, method, route)
    return subject.accesses.setdefault(key, Access(*key))


def as_json(report: Report) -> dict[str, Any]:
    """The report for a machine: times as ISO 8601 in WIB (+07:00)."""
    def iso(value: datetime | None) -> str | None:
        return value.astimezone(WIB).isoformat() if value else None

    return {
        "since": iso(report.since), "until": iso(report.until), "files": report.files,
        "lines": report.lines, "lines_skipped": report.skipped,
        "requests_with_subjects": report.requests,
        "subjects": [{
            "kind": s.kind, "id": s.id, "also": sorted(s.also), **({"many": s.many} if s.many
                                                                   else {}),
            "accesses": [{"actor": a.actor, "role": a.role, "method": a.method,
                          "route": a.route, "count": a.count, "first": iso(a.first),
                          "last": iso(a.last)} for a in _ordered(s)],
        } for s in _subjects(report)],
    }


def as_text(report: Report) -> list[str]:
    """The report for a person: a paragraph per subject, times in WIB."""
    until = "now" if report.until is None else datetime_wib(report.until)
    local = report.until.astimezone(WIB) if report.until else None
    if local is not None and local.time() == time(0):  # a day given: to the end of the day before
        until = f"the end of {date_id(local.date() - timedelta(days=1))}"
    people = sum(1 for s in report.subjects.values() if s.kind == "person")
    lines = [f"Personal data read or written from {datetime_wib(report.since)} to {until}: "
             f"{number_id(len(report.subjects))} subjects "
             f"({number_id(people)} {'person' if people == 1 else 'people'} by id) "
             f"in {number_id(report.requests)} requests; {number_id(report.lines)} log lines "
             f"read from {', '.join(report.files)}, {number_id(report.skipped)} not request "
             "lines."]
    for found in _subjects(report):
        lines.append("")
        lines.append(_heading(found))
        for access in _ordered(found):
            role = f" ({access.role})" if access.role else ""
            times = "once" if access.count == 1 else f"{number_id(access.count)} times"
            first, last = access.first, access.last
            assert first is not None and last is not None  # an access is made by a request
            span = (datetime_wib(first) if first == last
                    else f"{datetime_wib(first)} to {datetime_wib(last)}")
            lines.append(f"  {access.actor}{role}: {access.method} {access.route}, {times}, "
                         f"{span}")
    return lines


def _heading(found: Subject) -> str:
    if found.many is not None:
        what = found.many.get("what", "")
        programme = found.many.get("programme")
        period = found.many.get("period")
        count = found.many.get("count")
        parts = [f"many people: {what}"]
        if programme:
            parts.append(f"programme {programme}")
        if period:
            parts.append(f"period {period}")
        if count is not None:
            parts.append(f"{number_id(int(count))} listed")
        return ", ".join(parts)
    also = f" (also {', '.join(sorted(found.also))})" if found.also else ""
    return f"{found.kind} {found.id}{also}"


def _subjects(report: Report) -> list[Subject]:
    return sorted(report.subjects.values(), key=lambda s: (s.kind == "many", s.kind, s.id))


def _ordered(found: Subject) -> list[Access]:
    return sorted(found.accesses.values(), key=lambda a: (a.first or a.last, a.actor, a.route))
