"""LEDGER_DATABASE_URL, the one configuration variable, mapped onto the store's settings."""

from __future__ import annotations

from pathlib import Path

import pytest

from ledger.errors import ConfigurationError
from ledger.rule_sets import RULE_BOOK
from storage.log_index import open_ledger
from storage.settings import (
    RULE_BOOK_VARIABLE,
    StoreSettings,
    rule_book_from_environment,
    settings_from_url,
)


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


def test_the_rule_book_is_the_real_one_unless_ledger_rule_book_asks_for_the_test_set(
    sqlite_settings: StoreSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(RULE_BOOK_VARIABLE, raising=False)
    real = open_ledger(sqlite_settings)
    real.close()
    monkeypatch.setenv(RULE_BOOK_VARIABLE, "with-test-set")
    with_test_set = open_ledger(sqlite_settings)
    with_test_set.close()
    assert real.rule_book is RULE_BOOK
    assert [s.version for s in with_test_set.rule_book.sets] == [
        "PP82-2019/PP44-2015 v1", "TEST-2026-07 (fixture, not a regulation)"]
    # an argument of the session wins over the setting
    given = open_ledger(sqlite_settings, rule_book=RULE_BOOK)
    given.close()
    assert given.rule_book is RULE_BOOK


def test_an_unknown_rule_book_is_refused_in_words(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(RULE_BOOK_VARIABLE, "pp-2030")
    with pytest.raises(ConfigurationError, match=(
            r"LEDGER_RULE_BOOK must be unset or 'real' .* or 'with-test-set' .*; got 'pp-2030'")):
        rule_book_from_environment()
