"""StoreConfig parsing and the environment handed to eventsourcing."""

from __future__ import annotations

from pathlib import Path

import pytest
from eventsourcing.utils import resolve_topic

from collab.stores import StoreConfig, eventsourcing_env
from collab.stores.memory import MemoryStoreFactory
from collab.stores.postgres import PostgresStoreFactory
from collab.stores.sqlite import SQLiteStoreFactory


def test_default_is_sqlite_file_under_var_in_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)

    config = StoreConfig.from_env({})

    assert config.kind == "sqlite"
    assert config.url == f"sqlite:///{tmp_path}/var/collab.db"
    assert (tmp_path / "var").is_dir()


def test_data_dir_is_created_and_holds_the_database(tmp_path: Path) -> None:
    config = StoreConfig.from_env({"COLLAB_DATA_DIR": str(tmp_path / "a" / "b")})

    assert config.sqlite_path == tmp_path / "a" / "b" / "collab.db"
    assert config.sqlite_path.parent.is_dir()


def test_database_url_wins_over_data_dir(tmp_path: Path) -> None:
    environ = {"COLLAB_DATABASE_URL": "memory://", "COLLAB_DATA_DIR": str(tmp_path / "no")}

    assert StoreConfig.from_env(environ).kind == "memory"
    assert not (tmp_path / "no").exists()


def test_relative_sqlite_path_is_resolved_when_the_config_is_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)

    config = StoreConfig("sqlite:///data/x.db")

    assert config.url == f"sqlite:///{tmp_path}/data/x.db"
    assert config.sqlite_path.is_absolute()


def test_postgres_url_gives_library_settings() -> None:
    config = StoreConfig("postgresql+psycopg://app:p%40ss@db.example:6543/collab?schema=s1")

    assert config.kind == "postgres"
    assert config.postgres_settings() == {
        "POSTGRES_DBNAME": "collab",
        "POSTGRES_HOST": "db.example",
        "POSTGRES_PORT": "6543",
        "POSTGRES_USER": "app",
        "POSTGRES_PASSWORD": "p@ss",
        "POSTGRES_SCHEMA": "s1",
    }


def test_postgres_defaults_public_schema_port_and_empty_password() -> None:
    settings = StoreConfig("postgresql+psycopg://postgres@localhost/test").postgres_settings()

    assert settings["POSTGRES_SCHEMA"] == "public"
    assert settings["POSTGRES_PORT"] == "5432"
    assert settings["POSTGRES_PASSWORD"] == ""


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://u@h/db", "unsupported store URL"),
        ("postgresql://u@h/db", "use postgresql\\+psycopg://"),
        ("", "unsupported store URL"),
        ("sqlite:///:memory:", "use memory://"),
        ("postgresql+psycopg://h/db", "expected postgresql"),
        ("postgresql+psycopg://u@h/db?sslmode=off", "expected postgresql"),
        ("postgresql+psycopg://u@h/db?schema=a;drop", "plain SQL identifier"),
    ],
)
def test_bad_urls_are_refused_clearly(url: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        StoreConfig(url)


@pytest.mark.parametrize(
    ("url", "factory"),
    [
        ("memory://", MemoryStoreFactory),
        ("sqlite:////tmp/x.db", SQLiteStoreFactory),
        ("postgresql+psycopg://u@h/db", PostgresStoreFactory),
    ],
)
def test_env_selects_our_factory_class(url: str, factory: type) -> None:
    env = eventsourcing_env(StoreConfig(url))

    assert resolve_topic(env["PERSISTENCE_MODULE"]) is factory
    assert "POSTGRES_ENABLE_DB_FUNCTIONS" not in env


def test_env_carries_database_location() -> None:
    sqlite = eventsourcing_env(StoreConfig("sqlite:////srv/collab.db"))
    postgres = eventsourcing_env(StoreConfig("postgresql+psycopg://u@h:5433/db?schema=s"))

    assert sqlite["SQLITE_DBNAME"] == "/srv/collab.db"
    assert postgres["POSTGRES_SCHEMA"] == "s"
    assert postgres["POSTGRES_PORT"] == "5433"
