"""A projection that cannot apply an event stops just before it, says so in one line naming the
projection, the position and the reason, keeps that where /readyz and ``status`` read it, and no
command prints a traceback for it.

The service refuses such events now (ledger/limits.py), so the tests write them the way a log
restored from elsewhere would hold them: straight through the library, past the rules.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from cli_run import run_cli

from api.app import create_app
from ledger.application import Ledger
from ledger.errors import ProjectionStoppedError
from ledger.limits import MAX_RUPIAH
from ledger.programme import Programme, ProgrammeTerms
from projections import bounds, runner
from projections.lag import measure
from projections.runner import Projector
from scenario import covered_member, tangerang_terms
from storage.log_index import open_ledger
from storage.settings import StoreSettings


def _forged_programme(terms: ProgrammeTerms, *, budget_ceiling: int,
                      programme_id: uuid.UUID | None = None) -> Programme:
    """A programme opened past the service's checks (as an old or foreign log may hold)."""
    fields: dict[str, Any] = dict(
        code=terms.code, name=terms.name, funder_name=terms.funder_name,
        funder_region=terms.funder_region, funding_source=terms.funding_source,
        fiscal_year=terms.fiscal_year, covers=list(terms.covers),
        rates=[r.as_record() for r in terms.rates], wage_band=terms.wage_band,
        budget_ceiling=budget_ceiling, dpa_reference=terms.dpa_reference,
        branches=list(terms.branches), deciles=list(terms.deciles),
        occupations=list(terms.occupations), first_month=terms.first_month,
        months=terms.months, grace_months=terms.grace_months,
        planned_members=terms.planned_members, opened_on=date(2025, 3, 1), actor="restored")
    if programme_id is None:
        return Programme(**fields)
    found: Programme = Programme._create(Programme.Opened,  # type: ignore[attr-defined]
                                         id=programme_id, **fields)
    return found


def _log_with_a_ceiling_of(ledger: Ledger, ceiling: int) -> int:
    """Members before and after a programme with ``ceiling``; its position."""
    covered_member(ledger, seed=7)
    ledger.save(_forged_programme(replace(tangerang_terms(), code="BIG-2025"),
                                  budget_ceiling=ceiling))
    bad = int(ledger.recorder.max_notification_id() or 0)
    covered_member(ledger, seed=8)
    return bad


def _stopped_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records
            if r.name.startswith("claims_ledger") and r.levelno >= logging.ERROR]


def test_a_ceiling_of_ten_to_the_32_in_the_log_stops_the_projections_just_before_it(
    ledger: Ledger, caplog: pytest.LogCaptureFixture,
) -> None:
    bad = _log_with_a_ceiling_of(ledger, 10**32)
    projector = Projector(ledger)
    try:
        with pytest.raises(ProjectionStoppedError) as stopped:
            projector.catch_up()
        error = stopped.value
        assert (error.projection, error.position, error.event) == (
            "budget", bad, "Programme.Opened")
        assert "the budget ceiling Rp100.000.000.000.000.000.000.000.000.000.000 is beyond " \
               "the ledger's bound of Rp1.000.000.000.000.000" in str(error)
        assert f"stay at position {bad - 1}" in str(error)
        # everything before it is applied, nothing after it
        assert set(projector.positions().values()) == {bad - 1}
        assert projector.failed_position() == bad
        # tried again (a follower, every API read in the embedded mode): the same error,
        # and still one log line
        for _ in range(3):
            with pytest.raises(ProjectionStoppedError):
                projector.catch_up()
        lines = _stopped_lines(caplog)
        assert len(lines) == 1
        assert "budget projection" in lines[0] and f"position {bad}" in lines[0]
    finally:
        projector.close()


def test_a_database_error_on_apply_is_found_by_applying_the_batch_in_parts(
    ledger: Ledger,
) -> None:
    # A second programme with the code of the first (another id): the read model's key
    # refuses it. Only the database can tell, and not which event of a batch it was.
    ledger.open_programme(tangerang_terms(), actor="admin")
    for seed in range(3):
        covered_member(ledger, seed=seed)
    ledger.save(_forged_programme(tangerang_terms(), budget_ceiling=5,
                                  programme_id=uuid.uuid4()))
    bad = int(ledger.recorder.max_notification_id() or 0)
    covered_member(ledger, seed=9)
    projector = Projector(ledger, batch_size=8)
    try:
        with pytest.raises(ProjectionStoppedError) as stopped:
            projector.catch_up()
        assert stopped.value.position == bad
        assert stopped.value.projection == "budget"
        assert "unique" in stopped.value.reason.lower()  # the store's own words
        assert projector.position() == bad - 1
    finally:
        projector.close()


def test_a_recorded_failure_clears_once_the_event_applies(
    ledger: Ledger, monkeypatch: pytest.MonkeyPatch,
) -> None:
    # 10^16 fits every column but is past the ledger's bound; a later version with a higher
    # bound (here: the bound raised) applies it, and the failure is gone.
    bad = _log_with_a_ceiling_of(ledger, 10 * MAX_RUPIAH)
    projector = Projector(ledger)
    try:
        with pytest.raises(ProjectionStoppedError):
            projector.catch_up()
        assert projector.failed_position() == bad
        raised = {**bounds.BOUNDS, "Programme.Opened": tuple(
            (path, 100 * MAX_RUPIAH if path == "budget_ceiling" else bound, unit, what)
            for path, bound, unit, what in bounds.BOUNDS["Programme.Opened"])}
        monkeypatch.setattr(bounds, "BOUNDS", raised)
        projector.catch_up()
        assert projector.failed_position() is None
        assert projector.position() == projector.head()
    finally:
        projector.close()


def test_readyz_and_status_name_the_projection_position_and_reason(
    store_settings: StoreSettings, tmp_path: Path,
) -> None:
    ledger = open_ledger(store_settings)
    try:
        bad = _log_with_a_ceiling_of(ledger, 10**32)
        projector = Projector(ledger)
        with pytest.raises(ProjectionStoppedError):
            projector.catch_up()
        projector.close()
    finally:
        ledger.close()
    app = create_app(store_settings)
    try:
        answer = app.test_client().get("/readyz")
        assert answer.status_code == 503
        body = answer.json
        assert body["failed"]["budget"]["position"] == bad
        assert f"the budget projection cannot apply the event at position {bad}" in \
            body["reason"]
        assert "Rp1.000.000.000.000.000" in body["reason"]
        assert "project --follow' running" not in body["reason"]  # not blamed on a projector
        metrics = app.test_client().get("/metrics").get_data(as_text=True)
        assert 'claims_ledger_projection_failed{projection="budget"} 1' in metrics
        assert 'claims_ledger_projection_failed{projection="coverage"} 0' in metrics
    finally:
        app.extensions["claims_ledger"].close()
    status = run_cli("status", url=store_settings.url, cwd=tmp_path)
    assert status.returncode == 1
    assert f"the budget projection cannot apply the event at position {bad}" in status.stdout
    assert "Traceback" not in status.stdout + status.stderr


@pytest.mark.parametrize("command", [
    ("project",), ("project", "--rebuild"), ("history", "--program", "TNG-2025"),
    ("journal", "prove", "1"), ("findings",), ("findings", "drift"),
    ("report", "audit", "--program", "TNG-2025", "-o", "laporan.pdf"),
])
def test_every_command_that_projects_prints_one_error_line_and_exits_1(
    sqlite_settings: StoreSettings, tmp_path: Path, command: tuple[str, ...],
) -> None:
    ledger = open_ledger(sqlite_settings)
    try:
        bad = _log_with_a_ceiling_of(ledger, 10**32)
    finally:
        ledger.close()
    done = run_cli(*command, url=sqlite_settings.url, cwd=tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("Error:")]
    assert errors == [
        f"Error: the budget projection cannot apply the event at position {bad} "
        "(Programme.Opened): the budget ceiling Rp100.000.000.000.000.000.000.000.000.000.000 "
        "is beyond the ledger's bound of Rp1.000.000.000.000.000; the projections stay at "
        f"position {bad - 1} until it can be applied (the log itself is intact) "
        "[projection-stopped]"]
    assert "Traceback" not in done.stdout + done.stderr
    assert not (tmp_path / "laporan.pdf").exists()


@pytest.mark.postgres
def test_on_postgres_the_commands_print_the_same_line(
    postgres_settings: StoreSettings, tmp_path: Path,
) -> None:
    ledger = open_ledger(postgres_settings)
    try:
        bad = _log_with_a_ceiling_of(ledger, 10**32)
    finally:
        ledger.close()
    for command in (("project",), ("findings",), ("history", "--program", "TNG-2025")):
        done = run_cli(*command, url=postgres_settings.url, cwd=tmp_path)
        assert done.returncode == 1, done.stdout + done.stderr
        assert f"Error: the budget projection cannot apply the event at position {bad} " \
            in done.stderr
        assert "Traceback" not in done.stdout + done.stderr


def _eventually(check: Any, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "not within the timeout"
        time.sleep(0.05)


def test_a_follower_stuck_at_an_event_keeps_running_says_it_once_and_moves_on_when_it_can(
    ledger: Ledger, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch,
) -> None:
    bad = _log_with_a_ceiling_of(ledger, 10 * MAX_RUPIAH)
    monkeypatch.setattr(runner, "BACKOFF_CAP_SECONDS", 0.2)  # retry often: the test is short
    projector = Projector(ledger)
    watcher = Projector(ledger)  # another connection, as /readyz would read
    stop = threading.Event()
    follower = threading.Thread(target=projector.follow, args=(stop, 0.05, "test-worker"))
    follower.start()
    try:
        _eventually(lambda: watcher.failed_position() == bad)
        time.sleep(1)  # many retries at the capped backoff
        assert follower.is_alive()
        assert len(_stopped_lines(caplog)) == 1
        lag = measure(ledger, watcher.connection)
        assert lag.follower is not None and lag.follower.state == "stopped"
        assert f"position {bad}" in str(lag.follower.detail)
        assert lag.not_ready(30) is not None and "budget projection" in str(lag.not_ready(30))
        # a version with a higher bound: the follower applies it and goes on
        raised = {**bounds.BOUNDS, "Programme.Opened": tuple(
            (path, 100 * MAX_RUPIAH if path == "budget_ceiling" else bound, unit, what)
            for path, bound, unit, what in bounds.BOUNDS["Programme.Opened"])}
        monkeypatch.setattr(bounds, "BOUNDS", raised)
        _eventually(lambda: watcher.position() == watcher.head())
        _eventually(lambda: (measure(ledger, watcher.connection).follower or lag.follower)
                    .state == "following")
        assert measure(ledger, watcher.connection).not_ready(30) is None
    finally:
        stop.set()
        follower.join(timeout=30)
        projector.close()
    assert not follower.is_alive()
    assert measure(ledger, watcher.connection).follower is None  # gone, not missing
    watcher.close()


def test_readyz_names_a_projector_not_heard_from_when_the_projections_fall_behind(
    store_settings: StoreSettings,
) -> None:
    ledger = open_ledger(store_settings)
    projector = Projector(ledger)
    try:
        covered_member(ledger)
        # a follower's row as one that stopped writing (cannot reach the database) leaves it
        long_ago = "2025-01-01T00:00:00+00:00"
        with projector.connection.transaction() as cursor:
            cursor.execute(projector.live.sql(
                "INSERT INTO {followers} (worker, state, since, seen_at, detail)"
                " VALUES (?, ?, ?, ?, ?)"), ("host:42", "following", long_ago, long_ago, None))
        lag = measure(ledger, projector.connection)
        reason = lag.not_ready(0)
        assert reason is not None
        assert "the projector (host:42) has not been heard from since 2025-01-01T00:00:00" \
            in reason
        assert "cannot reach the database, or it has stopped" in reason
        assert lag.as_json()["projector"]["heard_from"] is False
    finally:
        projector.close()
        ledger.close()
