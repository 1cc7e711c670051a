"""Shared fixtures: one store configuration per backend, each test on a fresh database.

``store_config`` runs a test on memory, SQLite and PostgreSQL. PostgreSQL comes from
``COLLAB_TEST_POSTGRES_URL``; when it is unreachable its cases are skipped with the reason,
unless ``COLLAB_REQUIRE_POSTGRES=1`` (CI), which makes them fail instead.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from uuid import uuid4

import psycopg
import pytest
from psycopg.sql import SQL, Identifier

from collab.stores import StoreConfig

DEFAULT_TEST_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def _connect(config: StoreConfig) -> psycopg.Connection[tuple[object, ...]]:
    return psycopg.connect(**config.psycopg_kwargs(), connect_timeout=3, autocommit=True)


@pytest.fixture(scope="session")
def postgres_server() -> StoreConfig:
    """The test server's URL (schema ``public``); skips or fails when unreachable."""
    url = os.environ.get("COLLAB_TEST_POSTGRES_URL") or DEFAULT_TEST_POSTGRES_URL
    config = StoreConfig(url.split("?")[0])
    try:
        _connect(config).close()
    except psycopg.Error as e:
        reason = f"PostgreSQL unreachable at {config.url}: {' '.join(str(e).split())}"
        if os.environ.get("COLLAB_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"{reason} (COLLAB_REQUIRE_POSTGRES=1)")
        pytest.skip(f"{reason} (set COLLAB_REQUIRE_POSTGRES=1 to fail instead)")
    return config


@pytest.fixture
def postgres_config(postgres_server: StoreConfig) -> Iterator[StoreConfig]:
    """A schema of its own (created by the store, dropped afterwards)."""
    schema = f"test_{uuid4().hex[:16]}"
    yield StoreConfig(f"{postgres_server.url}?schema={schema}")
    with _connect(postgres_server) as conn:
        conn.execute(SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(Identifier(schema)))


@pytest.fixture
def sqlite_config(tmp_path: os.PathLike[str]) -> StoreConfig:
    return StoreConfig(f"sqlite:///{tmp_path}/collab.db")


@pytest.fixture
def memory_config() -> StoreConfig:
    return StoreConfig("memory://")


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_config(request: pytest.FixtureRequest) -> StoreConfig:
    """Each backend in turn, empty."""
    config: StoreConfig = request.getfixturevalue(f"{request.param}_config")
    return config


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def durable(request: pytest.FixtureRequest) -> StoreConfig:
    """The stores that outlive their application (memory:// does not), each empty."""
    config: StoreConfig = request.getfixturevalue(f"{request.param}_config")
    return config
