"""The practices' search index: a projection like every view (DESIGN §8).

Fed by the follower in the views' batch transaction, so a practice is found as soon as a
publishing command returns (embedded) or within the views' lag (server); rebuilt from the
log with the views, and its two tables are in their digest.

- `practice_search`: per practice, its text fields folded by `collab.domain.search_text`
  (title; need and approach; the other texts; the outcomes' indicator names) and what a
  visitor may see. `doc` is the practice's first publishing position.
- `practice_facets`: one row per facet value: every level of its NUTS code (so a NUTS2
  region finds the practices of its NUTS3 areas), themes, SDG goals, evidence level,
  sector mix, partnership type, status, territory kind, languages.
- The full-text index beside them: an FTS5 table on SQLite (the `ascii` tokenizer, which
  keeps every non-ASCII character inside a word: the words are exactly ours), a GIN index
  on a `tsvector` of the same words on PostgreSQL. Like the secondary indexes, it is made
  at setup and at a rebuild's swap, never on a rebuild's fresh tables.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, select

from collab.domain import reference
from collab.domain.practice import Practice
from collab.domain.search_text import normalise
from collab.stores.sql import delete_many, insert_many
from projections.tables import Tables

if TYPE_CHECKING:  # the follower makes the search's index at setup: no cycle at run time
    from projections.follower import Change

FIELDS = ("title_n", "core_n", "more_n", "outcomes_n")


def fts_name(tables: Tables) -> str:
    """The SQLite FTS5 table's name (beside the search table, same prefix)."""
    return f"{tables.practice_search.name}_fts"


def gin_name(tables: Tables, fields: tuple[str, ...] = FIELDS) -> str:
    which = "words" if fields == FIELDS else "title"
    return f"{tables.practice_search.name}_{which}_idx"


def pg_words(column_prefix: str = "", fields: tuple[str, ...] = FIELDS) -> str:
    """The PostgreSQL `tsvector` of a row's words (of `fields`): exactly the folded tokens
    (no parser, no dictionary), so both backends match the same words. The GIN indexes and
    every query use these same expressions."""
    cols = " || ' ' || ".join(f"coalesce({column_prefix}{c}, '')" for c in fields)
    return f"array_to_tsvector(array_remove(string_to_array({cols}, ' '), ''))"


TITLE = ("title_n",)


def ensure_index(conn: Connection, tables: Tables) -> None:
    """Make the full-text index if it is missing, filled from the search table."""
    if conn.dialect.name == "postgresql":
        # fastupdate off: a pending list of new entries would be read in full by every
        # search until vacuum merged it (measured: 43 ms instead of 0.2 ms a query).
        for fields in (FIELDS, TITLE):
            conn.exec_driver_sql(
                f'CREATE INDEX IF NOT EXISTS "{gin_name(tables, fields)}" '
                f'ON "{tables.practice_search.name}" USING gin (({pg_words(fields=fields)})) '
                "WITH (fastupdate = off)"
            )
            conn.exec_driver_sql(f'ALTER INDEX "{gin_name(tables, fields)}" SET (fastupdate = off)')
        return
    name = fts_name(tables)
    found = conn.exec_driver_sql(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)
    ).first()
    if found is not None:
        return
    columns = ", ".join(FIELDS)
    conn.exec_driver_sql(
        f"CREATE VIRTUAL TABLE \"{name}\" USING fts5({columns}, tokenize = 'ascii')"
    )
    conn.exec_driver_sql(
        f'INSERT INTO "{name}" (rowid, {columns}) '
        f'SELECT doc, {columns} FROM "{tables.practice_search.name}"'
    )


def drop_index(conn: Connection, tables: Tables) -> None:
    """Drop the SQLite FTS5 table (a rebuild's swap makes it again on the new rows; the
    PostgreSQL index goes with its table)."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql(f'DROP TABLE IF EXISTS "{fts_name(tables)}"')


class SearchProjection:
    """The search rows of every practice touched in the batch, from its state after it."""

    name = "search"
    code_version = 1

    def __init__(self, tables: Tables) -> None:
        self.tables = tables
        # A rebuild's fresh tables have no full-text index until the swap makes it.
        self.live = bool(tables.indexes)

    def apply(self, conn: Connection, changes: Sequence[Change]) -> None:
        touched: dict[int, Practice] = {}
        firsts: dict[str, int] = {}
        for change in changes:
            after = change.after
            if isinstance(after, Practice):
                if type(change.event).__name__ == "Published":
                    firsts[str(after.id)] = change.position
                touched[self.doc_of(conn, str(after.id), firsts)] = after
        if not touched:
            return
        docs = sorted(touched)
        types = self.partnership_types(conn, {p.partnership_id for p in touched.values()})
        rows = [search_row(doc, touched[doc]) for doc in docs]
        facets = [
            {"doc": doc, "facet": f, "value": value}
            for doc in docs
            for f, value in facet_values(touched[doc], types.get(touched[doc].partnership_id))
        ]
        t = self.tables
        delete_many(conn, t.practice_search, "doc", docs)
        delete_many(conn, t.practice_facets, "doc", docs)
        insert_many(conn, t.practice_search, rows)
        insert_many(conn, t.practice_facets, facets)
        if self.live and conn.dialect.name == "sqlite":
            self.write_fts(conn, rows)

    def doc_of(self, conn: Connection, practice_id: str, firsts: Mapping[str, int]) -> int:
        """A practice's doc: its first publishing position (this batch's, or its row's)."""
        if practice_id in firsts:
            return firsts[practice_id]
        s = self.tables.practice_search
        found = conn.execute(select(s.c.doc).where(s.c.practice_id == practice_id)).scalar()
        if found is None:  # a later event of a practice published before the index existed
            p = self.tables.practices
            found = conn.execute(
                select(p.c.first_position).where(p.c.practice_id == practice_id)
            ).scalar()
        if found is None:
            raise LookupError(f"practice {practice_id} has no first publishing position")
        return int(found)

    def partnership_types(self, conn: Connection, ids: Iterable[str]) -> dict[str, str]:
        p = self.tables.partnerships
        query = select(p.c.partnership_id, p.c.partnership_type).where(
            p.c.partnership_id.in_(sorted(ids))
        )
        return {pid: kind for pid, kind in conn.execute(query).tuples() if kind is not None}

    def write_fts(self, conn: Connection, rows: list[dict[str, Any]]) -> None:
        name, columns = fts_name(self.tables), ", ".join(FIELDS)
        docs = [(r["doc"],) for r in rows]
        conn.exec_driver_sql(f'DELETE FROM "{name}" WHERE rowid = ?', docs)
        marks = ", ".join("?" * (len(FIELDS) + 1))
        conn.exec_driver_sql(
            f'INSERT INTO "{name}" (rowid, {columns}) VALUES ({marks})',
            [(r["doc"], *(r[c] for c in FIELDS)) for r in rows],
        )


def joined(*parts: object) -> str:
    return normalise(" ".join(str(p) for p in parts if p))


def search_row(doc: int, p: Practice) -> dict[str, Any]:
    """A practice's text fields, folded, by weight."""
    c = p.content
    lessons = [f"{x['what']} {x['why']}" for x in c.get("did_not_work", [])]
    indicators = (p.figures.get("outcomes") or {}).get("indicators", [])
    return {
        "doc": doc,
        "practice_id": str(p.id),
        "partnership_id": p.partnership_id,
        "status": "published" if p.withdrawn is None else "withdrawn",
        "audience": p.audience,
        "title_n": joined(c["title"]),
        "core_n": joined(c["need"]["statement"], c["need"]["assessment"], c["approach"]),
        "more_n": joined(
            c["target_group"],
            *c.get("methods", []),
            *lessons,
            *c.get("preconditions", []),
            c["evidence"]["basis"],
        ),
        "outcomes_n": joined(*(i["name"] for i in indicators)),
    }


def territory_codes(territory: Mapping[str, Any]) -> list[str]:
    """Every level of the practice's NUTS code, from its country down ("PT", "PT1",
    "PT18", "PT181"); the NUTS country code alone when it names no region."""
    nuts = territory.get("nuts")
    if not nuts:
        return [reference.nuts_country(territory["country"])]
    return [nuts[:n] for n in range(2, len(nuts) + 1)]


def facet_values(p: Practice, partnership_type: str | None) -> list[tuple[str, str]]:
    c = p.content
    found = [("territory", code) for code in territory_codes(c["territory"])]
    found.append(("territory_kind", c["territory"]["kind"]))
    found += [("theme", theme) for theme in c["themes"]]
    goals = dict.fromkeys(code.partition(".")[0] for code in c.get("sdg_targets", []))
    found += [("sdg", goal) for goal in goals]
    found.append(("evidence", str(c["evidence"]["level"])))
    mix = (p.figures.get("sector_mix") or {}).get("bucket")
    if mix:
        found.append(("sector_mix", mix))
    if partnership_type:
        found.append(("partnership_type", partnership_type))
    found.append(("status", "published" if p.withdrawn is None else "withdrawn"))
    found += [("language", code) for code in c["languages"]]
    return sorted(set(found))
