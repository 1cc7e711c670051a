"""B1's ceiling: a bare Flask endpoint doing one durable single-row INSERT + commit.

Served by gunicorn with the same settings as the service (`gunicorn benchmarks.b1_bare:app`),
into the same database (`COLLAB_DATABASE_URL`): SQLite WAL + synchronous=FULL, or
PostgreSQL with synchronous_commit=on. One connection per worker, opened on first use.
"""

from __future__ import annotations

import sqlite3
from typing import Any

import psycopg
from flask import Flask, Response, request

from collab.stores import StoreConfig

TABLE = "b1_bare"


class Bare:
    def __init__(self, config: StoreConfig) -> None:
        self.config = config
        self.conn: Any = None

    def connect(self) -> Any:
        if self.config.kind == "sqlite":
            conn = sqlite3.connect(self.config.sqlite_path, isolation_level=None, timeout=30)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute(f"CREATE TABLE IF NOT EXISTS {TABLE} (id INTEGER PRIMARY KEY, body TEXT)")
            return conn
        settings = self.config.postgres_settings()
        pg = psycopg.connect(
            **self.config.psycopg_kwargs(),
            options=f"-c search_path={settings['POSTGRES_SCHEMA']} -c synchronous_commit=on",
        )
        pg.execute(f"CREATE TABLE IF NOT EXISTS {TABLE} (id BIGSERIAL PRIMARY KEY, body TEXT)")
        pg.commit()
        return pg

    def insert(self, body: str) -> None:
        if self.conn is None:
            self.conn = self.connect()
        if self.config.kind == "sqlite":
            self.conn.execute("BEGIN IMMEDIATE")
            self.conn.execute(f"INSERT INTO {TABLE} (body) VALUES (?)", (body,))
            self.conn.execute("COMMIT")
        else:
            self.conn.execute(f"INSERT INTO {TABLE} (body) VALUES (%s)", (body,))
            self.conn.commit()


def create_bare_app() -> Flask:
    app = Flask("b1_bare")
    bare = Bare(StoreConfig.from_env())

    @app.post("/bare")
    def insert() -> Response:
        bare.insert(request.get_data(as_text=True))
        return Response('{"ok":true}', status=201, mimetype="application/json")

    return app


app = create_bare_app()
