"""The compose file and the image: the services operators run, each with its health check."""

from __future__ import annotations

import runpy
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


def _compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return loaded


def test_compose_file_names_the_services_with_health_checks() -> None:
    compose = _compose()
    services = compose["services"]
    assert set(services) == {"postgres", "postgres-replica", "db-init", "api", "projector"}
    for name in ("postgres", "postgres-replica", "api", "projector"):
        assert services[name]["healthcheck"]["test"], name
    assert "pg_isready" in " ".join(services["postgres"]["healthcheck"]["test"])
    assert "/readyz" in " ".join(services["api"]["healthcheck"]["test"])
    assert services["projector"]["healthcheck"]["test"][1:3] == ["claims-ledger", "status"]
    volume = services["postgres"]["volumes"][0].split(":")[0]
    assert volume in compose["volumes"]  # a named volume, not a host folder
    assert services["db-init"]["command"] == ["claims-ledger", "db", "init"]
    assert services["api"]["command"][0] == "gunicorn"
    assert services["projector"]["command"] == ["claims-ledger", "project", "--follow"]
    for name in ("api", "projector"):
        wanted = services[name]["depends_on"]["db-init"]["condition"]
        assert wanted == "service_completed_successfully", name
    assert services["db-init"]["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_compose_services_are_configured_by_environment_only() -> None:
    services = _compose()["services"]
    for name in ("db-init", "api", "projector"):
        environment = services[name]["environment"]
        assert environment["LEDGER_DATABASE_URL"].startswith("postgresql://"), name
        assert "LEDGER_CIPHER_KEY" in environment
        assert "volumes" not in services[name], f"{name} reads no files from the host"


def test_the_api_reads_on_the_replica_and_everything_else_stays_on_the_primary() -> None:
    compose = _compose()
    services = compose["services"]
    replica = services["postgres-replica"]
    script = " ".join(replica["command"])
    assert "pg_basebackup -h postgres" in script and " -R " in script  # streams from the primary
    assert "application_name=replica" in script
    assert replica["volumes"][0].split(":")[0] in compose["volumes"]
    assert replica["depends_on"]["postgres"]["condition"] == "service_healthy"
    read_url = services["api"]["environment"]["LEDGER_READ_DATABASE_URL"]
    assert read_url.startswith("postgresql://") and "@postgres-replica:5432/" in read_url
    assert services["api"]["depends_on"]["postgres-replica"]["condition"] == "service_healthy"
    for name in ("db-init", "projector"):  # writes and LISTEN/NOTIFY: the primary only
        assert "LEDGER_READ_DATABASE_URL" not in services[name]["environment"], name
    primary = " ".join(services["postgres"]["command"])
    assert "wal_level=replica" in primary and "synchronous_standby_names=" in primary
    hba = services["postgres"]["volumes"][1].split(":")[0]
    assert (ROOT / hba).read_text().count("host replication") == 1


def test_the_patroni_cluster_is_synchronous_strict_and_fronted_for_both_urls() -> None:
    patroni = yaml.safe_load((ROOT / "deploy" / "patroni" / "patroni.yml").read_text())
    dcs = patroni["bootstrap"]["dcs"]
    assert dcs["synchronous_mode"] is True and dcs["synchronous_mode_strict"] is True
    assert dcs["maximum_lag_on_failover"] == 0
    assert len(patroni["etcd3"]["hosts"].split(",")) == 3
    haproxy = (ROOT / "deploy" / "patroni" / "haproxy.cfg").read_text()
    assert "GET /primary" in haproxy and "GET /replica" in haproxy
    assert haproxy.count("check port 8008") == 6  # three nodes, two roles


def test_the_image_installs_the_package_with_weasyprint_system_libraries() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    for needed in ("libpango-1.0-0", "libpangoft2-1.0-0", "fonts-dejavu", "pip install ."):
        assert needed in dockerfile
    assert "COPY deploy deploy" in dockerfile


def test_the_gunicorn_config_serves_the_app_factory_with_workers_from_the_environment(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    monkeypatch.setenv("LEDGER_BIND", "127.0.0.1:9999")
    config = runpy.run_path(str(ROOT / "deploy" / "gunicorn.conf.py"))
    assert config["wsgi_app"] == "api.app:create_app()"
    assert config["workers"] == 3 and config["bind"] == ["127.0.0.1:9999"]
    assert config["accesslog"] is None  # the app logs requests itself, as JSON


def test_the_gunicorn_config_defaults_to_two_threaded_workers_and_builds_no_access_lines(
        monkeypatch: pytest.MonkeyPatch) -> None:
    for variable in ("WEB_CONCURRENCY", "LEDGER_THREADS"):
        monkeypatch.delenv(variable, raising=False)
    config = runpy.run_path(str(ROOT / "deploy" / "gunicorn.conf.py"))
    assert (config["workers"], config["threads"]) == (2, 4)  # one per core, gthread
    logger = config["logger_class"].__new__(config["logger_class"])
    # No atoms built for a line nobody writes: access() returns before touching its arguments.
    assert logger.access(None, None, None, None) is None


def _compose_command() -> list[str] | None:
    """The compose command this machine has: the docker plugin, or the standalone v1 tool."""
    if shutil.which("docker") and subprocess.run(
            ["docker", "compose", "version"], capture_output=True, check=False).returncode == 0:
        return ["docker", "compose"]
    return ["docker-compose"] if shutil.which("docker-compose") else None


@pytest.mark.skipif(_compose_command() is None,
                    reason="neither 'docker compose' nor 'docker-compose' is installed here; "
                           "the YAML checks above still run")
def test_docker_compose_accepts_the_file() -> None:
    command = _compose_command()
    assert command is not None
    done = subprocess.run([*command, "-f", str(ROOT / "docker-compose.yml"), "config",
                           "--quiet"], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
