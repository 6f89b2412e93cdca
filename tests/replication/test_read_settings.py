"""LEDGER_READ_DATABASE_URL: optional, a PostgreSQL replica of a PostgreSQL primary."""

from __future__ import annotations

import pytest

from ledger.errors import ConfigurationError
from storage.settings import settings_from_environment, settings_from_url, with_read_replica

PRIMARY = "postgresql://ledger:secret@db1:5432/claims_ledger?schema=tng"


def test_unset_or_empty_readers_read_on_the_primary(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEDGER_DATABASE_URL", PRIMARY)
    monkeypatch.setenv("LEDGER_READ_DATABASE_URL", "  ")
    assert settings_from_environment().read is None
    monkeypatch.delenv("LEDGER_READ_DATABASE_URL")
    assert settings_from_environment().read is None


def test_the_replica_keeps_the_primarys_schema_and_keys_and_names_its_own_server(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEDGER_DATABASE_URL", PRIMARY)
    monkeypatch.setenv("LEDGER_READ_DATABASE_URL", "postgresql://reader@db2:6432/claims_ledger")
    settings = settings_from_environment()
    assert settings.read is not None
    env = settings.read.env
    assert (env["POSTGRES_HOST"], env["POSTGRES_PORT"], env["POSTGRES_USER"]) == (
        "db2", "6432", "reader")
    assert env["POSTGRES_SCHEMA"] == "tng"  # the very tables the primary writes
    assert env["POSTGRES_PASSWORD"] == ""   # the replica's own credentials, not the primary's
    assert settings.read.describe() == "PostgreSQL db2:6432/claims_ledger"
    assert settings.with_table_creation(True).read == settings.read


def test_a_replica_of_sqlite_or_a_replica_that_is_not_postgresql_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="PostgreSQL primary"):
        with_read_replica(settings_from_url("sqlite:///x.sqlite"), "postgresql://db2/x")
    with pytest.raises(ConfigurationError, match="postgresql://"):
        with_read_replica(settings_from_url(PRIMARY), "sqlite:///replica.sqlite")
    with pytest.raises(ConfigurationError, match="LEDGER_READ_DATABASE_URL"):
        with_read_replica(settings_from_url(PRIMARY), "postgresql://db2")
