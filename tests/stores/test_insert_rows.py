"""Rows written by `collab.stores.sql.insert_tuples` read back as given, on every backend and
whichever way they go: PostgreSQL takes `COPY_FROM` rows or more as a COPY, fewer as
INSERTs (tabs, newlines, backslashes, "\\N", empty texts and NULLs included)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import BigInteger, Boolean, Column, Integer, MetaData, Table, Text, select, text

from collab.stores import StoreConfig
from collab.stores.sql import COPY_FROM, insert_tuples
from projections.engine import read_engine

AWKWARD = ["plain", "tab\there", "new\nline", "back\\slash", "\\N", "", "Mértola ✓", None]


def rows(count: int, start: int) -> list[tuple[Any, ...]]:
    return [
        (start + i, AWKWARD[i % len(AWKWARD)], i % 3 == 0, i - 5, '{"k": "v\\u00e9"}')
        for i in range(count)
    ]


@pytest.mark.parametrize("count", [COPY_FROM - 1, COPY_FROM, 5 * COPY_FROM])
def test_rows_read_back_as_written(store_config: StoreConfig, count: int) -> None:
    # Given an empty table of texts, integers and booleans
    engine = read_engine(store_config, writer=True)
    table = Table(
        "insert_rows_probe",
        MetaData(),
        Column("id", BigInteger, primary_key=True),
        Column("label", Text),
        Column("flag", Boolean),
        Column("n", Integer),
        Column("doc", Text),
    )
    try:
        with engine.begin() as conn:
            if store_config.kind == "postgres":
                schema = store_config.postgres_settings()["POSTGRES_SCHEMA"]
                conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
            table.create(conn)
        # When rows are written in one transaction, then a few more in another
        written = rows(count, 2**40) + rows(3, 10)
        with engine.begin() as conn:
            insert_tuples(conn, table, written[:count])
        with engine.begin() as conn:
            insert_tuples(conn, table, written[count:])
        # Then every row reads back exactly as written
        with engine.connect() as conn:
            found = [tuple(r) for r in conn.execute(select(table).order_by(table.c.id))]
        assert found == sorted(written)
    finally:
        engine.dispose()
