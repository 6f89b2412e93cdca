"""The audit feed over HTTP on both stores: the audit-feed role reads the feed and nothing
else; clerks, approvers and finance are refused it as the API refuses elsewhere, auditors and
admins read it; the bundle is streamed as JSON Lines, resumable by position, and the command
line makes a feed token ('token create --role audit-feed') and writes the same bytes, which
'audit-feed check' checks and, tampered, refuses by line and position."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from audit_feed_story import FIRST_PAYMENT, record_story
from cli_run import run_cli
from http_client import Api

from api.app import create_app
from ledger.journal.bundle_check import check_bundle
from ledger.journal.checkpoint import new_private_key
from ledger.token import ROLES
from projections.runner import Projector
from storage.settings import StoreSettings

ORIGIN = "jamsos.tangerangkota.go.id/ledger"
FEED = "/api/v1/audit-feed"
SAMPLE_PATH_VALUES = {"uuid": "8f2b2c4e-0000-4000-8000-000000000000", "integer": "1"}


@pytest.fixture
def feed_env(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    env = {"LEDGER_SIGNING_KEY": new_private_key(), "LEDGER_ORIGIN": ORIGIN}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return env


@pytest.fixture
def api(store_settings: StoreSettings, feed_env: dict[str, str]) -> Iterator[Api]:
    """The story recorded on its dates, then a token per role (on the real clock)."""
    app = create_app(store_settings)
    ledger = app.extensions["claims_ledger"]
    record_story(ledger)
    projector = Projector(ledger)  # what 'project --follow' does beside the API
    projector.catch_up()
    projector.close()
    tokens = {role: ledger.issue_token(f"{role}.one", role, actor="test")[0] for role in ROLES}
    yield Api(app, app.test_client(), tokens)
    ledger.close()


def _bundle(api: Api, role: str = "audit-feed", query: str = "") -> Any:
    return api.get(f"{FEED}/TNG-2025/2025{query}", role)


def test_the_feed_role_reads_the_feed_and_nothing_else(api: Api) -> None:
    listed = api.get(FEED, "audit-feed")
    assert listed.status_code == 200, listed.json
    items = {(i["program"], i["period"]): i for i in listed.json["items"]}
    assert items[("TNG-2025", "2025-03")]["events"] == 9  # 3 x registered, started, enrolled
    assert items[("TNG-2025", "2025")]["href"] == (
        f"{FEED}/TNG-2025/2025?cut_off={listed.json['cut_off']}")
    assert ("TNG-SANTUNAN-2025", "2025-01") in items

    response = _bundle(api)
    assert response.status_code == 200
    assert response.is_streamed
    assert response.mimetype == "application/x-ndjson"
    lines = response.get_data().splitlines(keepends=True)
    assert json.loads(lines[0])["cut_off"] == int(response.headers["X-Cut-Off-Position"])
    assert check_bundle(lines).ok

    document = api.client.get("/api/v1/openapi.json").json
    refused = 0
    for path, item in document["paths"].items():
        if path.startswith(FEED) or "get" not in item:
            continue
        concrete = path
        for parameter in item.get("parameters", []) + item["get"].get("parameters", []):
            if parameter["in"] == "path":
                schema = parameter["schema"]
                value = SAMPLE_PATH_VALUES.get(schema.get("format") or schema.get("type"),
                                               "TNG-2025")
                concrete = concrete.replace("{" + parameter["name"] + "}", value)
        concrete = re.sub(r"\{nik\}", "3671085203900001", concrete)
        answer = api.get(concrete, "audit-feed")
        assert answer.status_code == 403, f"GET {concrete}: {answer.status_code}"
        assert "role 'audit-feed' may not do this" in answer.json["detail"]
        refused += 1
    assert refused >= 20
    assert api.post("/api/v1/programs", "audit-feed", {}).status_code == 403


@pytest.mark.parametrize("role", ["clerk", "approver", "finance"])
def test_clerks_approvers_and_finance_are_refused_the_feed_as_elsewhere(api: Api,
                                                                       role: str) -> None:
    for response in (api.get(FEED, role), _bundle(api, role)):
        assert response.status_code == 403
        assert response.content_type == "application/problem+json"
        assert response.json["detail"] == (f"role '{role}' may not do this; allowed: auditor, "
                                           "admin, audit-feed")
    assert api.client.get(FEED).status_code == 401


def test_auditors_and_admins_read_the_same_bundle_as_the_feed_role(api: Api) -> None:
    expected = _bundle(api).get_data()
    assert _bundle(api, "auditor").get_data() == expected
    assert _bundle(api, "admin").get_data() == expected


def test_a_bundle_resumed_over_http_is_the_tail_and_bad_requests_are_told_in_words(
    api: Api,
) -> None:
    whole = _bundle(api).get_data()
    cut_off = json.loads(whole.splitlines()[0])["cut_off"]
    payment = next(json.loads(line) for line in whole.splitlines()
                   if b"Contribution.Paid" in line)
    assert payment["data"]["amount"] == FIRST_PAYMENT
    tail = _bundle(api, query=f"?cut_off={cut_off}&from_position={payment['position']}")
    assert whole.endswith(tail.get_data()) and tail.get_data().startswith(b'{"actor"')

    bad = api.get(f"{FEED}/TNG-2025/2025-13", "audit-feed")
    assert bad.status_code == 422
    assert bad.json["errors"] == {"period": [
        "a period is a month (2025-03) or a year (2025); got '2025-13'"]}
    unknown = api.get(f"{FEED}/TNG-2099/2025", "audit-feed")
    assert unknown.status_code == 404
    assert "there is no programme TNG-2099 in the ledger" in unknown.json["detail"]
    beyond = _bundle(api, query="?cut_off=999999")
    assert beyond.status_code == 422
    assert "position 999999 is not in the log" in beyond.json["detail"]


def test_a_feed_token_made_by_the_command_line_gets_the_bytes_export_writes_and_check_checks(
    api: Api, store_settings: StoreSettings, feed_env: dict[str, str], tmp_path: Path,
) -> None:
    made = run_cli("token", "create", "--role", "audit-feed", "--name", "bpk.e-audit",
                   "--as", "admin.dinsos", url=store_settings.url, cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    api.tokens["bpk"] = made.stdout.strip()
    served = _bundle(api, "bpk").get_data()
    assert api.get("/api/v1/programs", "bpk").status_code == 403
    cut_off = str(json.loads(served.splitlines()[0])["cut_off"])
    out = tmp_path / "tng-2025.ndjson"
    done = run_cli("audit-feed", "export", "--program", "TNG-2025", "--period", "2025",
                   "--cut-off", cut_off, "--out", str(out), url=store_settings.url,
                   cwd=tmp_path, extra_env=feed_env)
    assert done.returncode == 0, done.stderr
    assert out.read_bytes() == served

    again = run_cli("audit-feed", "export", "--program", "TNG-2025", "--period", "2025-3",
                    "--out", str(out), url=store_settings.url, cwd=tmp_path, extra_env=feed_env)
    assert again.returncode == 2
    assert again.stderr.strip().endswith("already exists and is left as it is (nothing was "
                                         "done): name another file, move it away, or pass "
                                         "--force to replace it")
    month = run_cli("audit-feed", "export", "--program", "TNG-2025", "--period", "2025-3",
                    "--out", str(tmp_path / "m.ndjson"), url=store_settings.url, cwd=tmp_path,
                    extra_env=feed_env)
    assert month.returncode == 2
    assert month.stderr.strip() == ("Error: a period is a month (2025-03) or a year (2025); got "
                                    "'2025-3' [invalid-input]")
    assert not (tmp_path / "m.ndjson").exists()

    policy = tmp_path / "policy.txt"
    log_key = run_cli("journal", "log-key", url=store_settings.url, cwd=tmp_path,
                      extra_env=feed_env).stdout.strip()
    policy.write_text(f"log {log_key}\nquorum none\n", encoding="utf-8")
    checked = run_cli("audit-feed", "check", str(out), "--policy", str(policy), url=None,
                      cwd=tmp_path)
    assert checked.returncode == 0, checked.stderr
    assert "OK: TNG-2025 2025 at cut-off" in checked.stdout
    assert "the quorum 'none' holds" in checked.stdout

    lines = served.splitlines(keepends=True)
    index = next(i for i, line in enumerate(lines) if b"Contribution.Paid" in line)
    position = json.loads(lines[index])["position"]
    lines[index] = lines[index].replace(b'"amount":302400', b'"amount":3024000')
    out.write_bytes(b"".join(lines))
    refused = run_cli("audit-feed", "check", str(out), url=None, cwd=tmp_path)
    assert refused.returncode == 1
    assert (f"FAILED: line {index + 1}, the event at position {position}: its data differ "
            "from its stored state") in refused.stderr


def test_a_bundle_is_logged_as_its_programme_and_period_not_as_every_person_in_it(
        api: Api, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level("INFO", logger="claims_ledger.requests"):
        answer = _bundle(api)
        assert answer.status_code == 200
        answer.get_data()  # the stream read to its end, as a client does
    [line] = [r.fields for r in caplog.records  # type: ignore[attr-defined]
              if r.name == "claims_ledger.requests" and r.fields["path"].startswith(FEED)]
    assert line["subjects"] == [
        {"what": "audit feed bundle", "programme": "TNG-2025", "period": "2025"}]
    assert line["actor"] == "audit-feed.one"
