"""LEDGER_DATABASE_URL, the one configuration variable, mapped onto the store's settings."""

from __future__ import annotations

from pathlib import Path

import pytest

from ledger.errors import ConfigurationError
from storage.settings import settings_from_url


def test_an_unset_url_means_the_embedded_file_in_the_working_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    settings = settings_from_url("")
    assert settings.backend == "sqlite"
    assert settings.env["SQLITE_DBNAME"] == str(tmp_path / "claims-ledger.sqlite")
    assert settings.env["CREATE_TABLE"] == "n"


def test_a_postgres_url_is_split_into_the_libraries_settings() -> None:
    settings = settings_from_url("postgresql://ledger:s%40cret@db.local:6543/claims?schema=kota")
    assert settings.is_postgres
    assert settings.env["PERSISTENCE_MODULE"] == "eventsourcing.postgres"
    assert settings.env["POSTGRES_HOST"] == "db.local"
    assert settings.env["POSTGRES_PORT"] == "6543"
    assert settings.env["POSTGRES_USER"] == "ledger"
    assert settings.env["POSTGRES_PASSWORD"] == "s@cret"
    assert settings.env["POSTGRES_DBNAME"] == "claims"
    assert settings.env["POSTGRES_SCHEMA"] == "kota"
    assert "s@cret" not in settings.describe()


def test_table_creation_is_allowed_only_when_asked() -> None:
    settings = settings_from_url("sqlite:///x.sqlite")
    assert settings.with_table_creation(True).env["CREATE_TABLE"] == "y"
    assert settings.env["CREATE_TABLE"] == "n"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://root@localhost/x", "must start with postgresql:// or sqlite:///"),
        ("postgresql://127.0.0.1:5432/", "must name a host and a database"),
        ("postgresql://h:99999/db", "bad port"),
        ("sqlite://relative", "sqlite:///path/to/file.sqlite"),
    ],
)
def test_a_malformed_url_is_refused_in_words(url: str, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        settings_from_url(url)
