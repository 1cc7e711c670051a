"""B11: practice search at 20,000 practices ÷ at 2,000, ÷ a bare full-text query, and the
search index's rebuild ÷ a raw scan of the log (issue 17).

Corpora: ``tests.fixtures.practice_corpus.corpus(n, seed=17)`` for n = 2,000 (the recall
test's corpus) and n = 20,000, generated separately with the same seed (the 20,000 are not
a superset of the 2,000: the generator balances topics and languages over its n). Each is
saved through the application (``load``: ``Collab.save`` of published practices) into a
store of its own, behind an embedded service whose read side is then caught up: two
SQLite files made for the run and, when PostgreSQL is reachable, two schemas of their own;
all removed after. Both stores are measured in the same rounds, call by call in turn.

Queries: every case of ``tests.fixtures.search_queries.QUERIES`` (text and facets, as the
recall test asks them, 20 results, signed in), once per round each after a warm-up pass.
A round's p95 is over its calls (one per query); the settings also give the p95 over
every call of the run.

1. ``B11.<backend>.scale``: ``projections.search_query.search`` on a reader connection
   (``read.reader()``, the connection's checkout included). Ratio = p95 at 2,000 ÷ p95 at
   20,000, target ≥ 0.5: ten times the practices cost at most twice the time (goal ≤ 2,
   written as "ratio ≥ target" like every benchmark: higher is better).
   ``….scale_http``: the same through ``GET /v1/practices?q=…&facet=…`` (Flask test
   client, bearer token), non-gating: it adds the same fixed cost to both sides.
2. ``B11.<backend>.bare``: at 20,000, one plain full-text query per search query returning
   the matching docs: the same OR of quoted (prefix) words the search sends
   (``Word.fts()`` against the FTS5 table; ``Word.tsquery()`` against the GIN-indexed
   ``pg_words()``), facets ignored. Ratio = bare p95 ÷ search p95, a comparison (not
   gating), reported against 0.2: a search asks the engine once per word and once for
   all of them, counts the matches, reads the candidates' rows to rank them in Python,
   counts every facet's values over the matches and reads the page's summaries, so five
   times one bare lookup is what it may cost.
3. ``B11.<backend>.rebuild``: with the 20,000 practices in the log (the 2,000 in a smoke
   run), the search projection alone rebuilt as ``projections.operations.rebuild``
   builds it: a fresh ``Follower`` (batches of ``REBUILD_BATCH``) over fresh tables
   without secondary indexes and only ``SearchProjection``, then ``ensure_index`` on them
   (the FTS5 table filled from the rows, or the GIN index), as the swap does. Ceiling:
   B3's raw paged scan and decode of the same events. Ratio = scan ÷ rebuild, target as
   B3 ≥ 0.4. The fresh tables are dropped between rounds, untimed.

When the scale line misses, the top of a cProfile of the slowest query at 20,000 is
printed and kept in its settings.
"""

from __future__ import annotations

import cProfile
import io
import pstats
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from flask import Flask

from api import create_app
from api.service import Service, Settings
from benchmarks import b3_rebuild
from benchmarks.b2_append import postgres_url
from benchmarks.b3_rebuild import postgres_store, scanner
from benchmarks.harness import Result, Timed, compare
from collab.actors.commands import EnrolActor
from collab.actors.handlers import OPERATOR
from collab.commands import Context
from collab.domain.search_text import query_tokens
from collab.stores import StoreConfig
from projections.engine import mark
from projections.follower import Follower
from projections.operations import REBUILD_BATCH
from projections.search import SearchProjection, drop_index, ensure_index, fts_name, pg_words
from projections.search_query import Query, Word, search
from projections.tables import define
from tests.fixtures.practice_corpus import Doc, corpus, load
from tests.fixtures.search_queries import QUERIES, SearchCase

SMALL, LARGE, SEED = 2_000, 20_000, 17
TARGET_SCALE = 0.5  # p95 at 20,000 at most twice p95 at 2,000
TARGET_BARE = 0.2
LIMIT = 20
PROFILE_LINES = 30
SERIES = ("small", "large", "bare", "bare_small", "http_small", "http_large")
# Per series, per round: one call's seconds per query.
Calls = dict[str, list[list[float]]]


@dataclass
class Store:
    """One corpus saved through an embedded service, its views caught up."""

    flask: Flask
    svc: Service
    auth: dict[str, str]
    practices: int
    load_seconds: float


@dataclass(frozen=True)
class Corpora:
    """Both corpora, and the seconds it took to generate them."""

    small: list[Doc]
    large: list[Doc]
    seconds: float


@contextmanager
def served(config: StoreConfig, docs: list[Doc]) -> Iterator[Store]:
    settings = Settings(store=config, mode="embedded", data_dir=None, seal_interval=3600)
    flask = create_app(settings)
    svc: Service = flask.extensions["collab"]
    try:
        started = time.perf_counter()
        load(svc.app, docs)
        svc.read.catch_up()
        loaded = time.perf_counter() - started
        analyse(svc)
        out = svc.app.execute(Context(OPERATOR), EnrolActor(role="broker"))
        token, _ = svc.credentials.issue(out.text("actor_id"), "b11", svc.now(), 1)
        yield Store(flask, svc, {"Authorization": f"Bearer {token}"}, len(docs), loaded)
    finally:
        svc.close()


def analyse(svc: Service) -> None:
    """PostgreSQL: the search tables vacuumed and analysed, as autovacuum does soon after a
    bulk load. Without it the GIN index's pending list (fastupdate), which holds a
    2,000-practice load whole, is read in full by every match: 30-40 ms instead of 0.2."""
    t = svc.read.tables
    with svc.read.writer.connect() as conn:
        if conn.dialect.name != "postgresql":
            return
        conn = conn.execution_options(isolation_level="AUTOCOMMIT")
        for table in (t.practice_search, t.practice_facets, t.practices):
            conn.exec_driver_sql(f'VACUUM (ANALYZE) "{table.name}"')


def query_of(q: SearchCase) -> Query:
    return Query(text=q.text, facets=q.facets, limit=LIMIT)


def direct(store: Store, q: SearchCase) -> Callable[[], float]:
    read, asked = store.svc.read, query_of(q)

    def run() -> float:
        start = time.perf_counter()
        with read.reader() as conn:
            search(conn, read.tables, asked)
        return time.perf_counter() - start

    return run


def bare(store: Store, q: SearchCase) -> Callable[[], float]:
    """The matching docs from the full-text index alone, for the search's words."""
    read, words = store.svc.read, [Word(w) for w in query_tokens(q.text)]
    with read.reader() as conn:
        postgres, placeholder = conn.dialect.name == "postgresql", mark(conn)
    if postgres:
        table = read.tables.practice_search.name
        sql = f'SELECT doc FROM "{table}" WHERE {pg_words()} @@ CAST({placeholder} AS tsquery)'
        words_are = " | ".join(w.tsquery() for w in words)
    else:
        fts = fts_name(read.tables)
        sql = f'SELECT rowid FROM "{fts}" WHERE "{fts}" MATCH {placeholder}'
        words_are = " OR ".join(w.fts() for w in words)

    def run() -> float:
        start = time.perf_counter()
        with read.reader() as conn:
            conn.exec_driver_sql(sql, (words_are,)).fetchall()
        return time.perf_counter() - start

    return run


def http(store: Store, q: SearchCase) -> Callable[[], float]:
    client, auth = store.flask.test_client(), store.auth
    params = [("q", q.text), ("limit", str(LIMIT))]
    params += [("facet", f"{name}:{v}") for name, values in q.facets.items() for v in values]
    path = f"/v1/practices?{urlencode(params)}"

    def run() -> float:
        start = time.perf_counter()
        response = client.get(path, headers=auth)
        response.get_data()
        elapsed = time.perf_counter() - start
        if response.status_code != 200:
            raise RuntimeError(f"GET {path}: {response.status_code} {response.text[:300]}")
        return elapsed

    return run


def check_same(small: Store, large: Store) -> None:
    """Both ways answer the same, and every query finds practices in both corpora."""
    for store in (small, large):
        client, read = store.flask.test_client(), store.svc.read
        for q in QUERIES:
            with read.reader() as conn:
                found = search(conn, read.tables, query_of(q))
            params = [("q", q.text), ("limit", str(LIMIT))]
            params += [("facet", f"{n}:{v}") for n, vs in q.facets.items() for v in vs]
            answer = client.get(f"/v1/practices?{urlencode(params)}", headers=store.auth).json
            if not found["total"] or answer is None or answer["total"] != found["total"]:
                raise RuntimeError(f"{q.text!r} at {store.practices}: {found['total']} found")


def timed_calls(small: Store, large: Store, rounds: int) -> Calls:
    """Per query, one call of each series in turn; a warm-up pass first."""
    per_query = [
        {
            "small": direct(small, q),
            "large": direct(large, q),
            "bare": bare(large, q),
            "bare_small": bare(small, q),
            "http_small": http(small, q),
            "http_large": http(large, q),
        }
        for q in QUERIES
    ]
    for calls in per_query:
        for call in calls.values():
            call()
    done: Calls = {name: [] for name in SERIES}
    for n in range(rounds):
        got: dict[str, list[float]] = {name: [] for name in SERIES}
        for calls in per_query:
            for name in SERIES:
                got[name].append(calls[name]())
        for name in SERIES:
            done[name].append(got[name])
        shown = ", ".join(f"{name} {p95(got[name]) * 1e3:.1f}" for name in SERIES)
        print(f"  B11 round {n + 1}/{rounds}: p95 ms {shown}", file=sys.stderr)
    return done


def p95(seconds: list[float]) -> float:
    return statistics.quantiles(seconds, n=20, method="inclusive")[18]


def line(
    bench_id: str,
    measured: list[list[float]],
    ceiling: list[list[float]],
    target: float,
    settings: dict[str, Any],
    *,
    gating: bool,
) -> Result:
    seconds = tuple((p95(a), p95(b)) for a, b in zip(measured, ceiling, strict=True))
    ratios = tuple(b / a for a, b in seconds)
    return Result(bench_id, ratios, target, settings, gating, seconds)


def over_all(calls: Calls) -> dict[str, float]:
    """p95 and median of every call of the run, per series, in milliseconds."""
    found = {}
    for name, rounds in calls.items():
        every = [s for got in rounds for s in got]
        found[f"{name}_p95_ms_all"] = round(p95(every) * 1e3, 3)
        found[f"{name}_p50_ms_all"] = round(statistics.median(every) * 1e3, 3)
    return found


def profile(call: Callable[[], float]) -> list[str]:
    profiler = cProfile.Profile()
    profiler.runcall(call)
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(PROFILE_LINES)
    return [text for text in out.getvalue().splitlines() if text.strip()]


def slowest(large: Store, calls: Calls) -> tuple[str, Callable[[], float]]:
    """The query with the highest median time at 20,000, and its call."""
    times = [statistics.median(got) for got in zip(*calls["large"], strict=True)]
    worst = QUERIES[times.index(max(times))]
    return worst.text, direct(large, worst)


# -- the rebuild -----------------------------------------------------------------------


def search_rebuilder(store: Store, head: int) -> Timed:
    """The search projection alone into fresh tables, its full-text index made after."""
    app, engine = store.svc.app, store.svc.read.writer
    fresh = define("b11_new_", indexes=False)

    def drop_fresh() -> None:
        with engine.begin() as conn:
            drop_index(conn, fresh)
            fresh.metadata.drop_all(conn)

    def run() -> float:
        drop_fresh()
        start = time.perf_counter()
        follower = Follower(app, engine, fresh, [SearchProjection(fresh)], REBUILD_BATCH)
        follower.setup()
        reached = follower.catch_up(head)
        with engine.begin() as conn:
            ensure_index(conn, fresh)
        elapsed = time.perf_counter() - start
        drop_fresh()
        if reached != head:
            raise RuntimeError(f"the search rebuild reached {reached}, the head is {head}")
        return elapsed

    return run


def rebuilt(bench_id: str, store: Store, rounds: int, settings: dict[str, Any]) -> Result:
    head = store.svc.head()
    return compare(
        bench_id,
        search_rebuilder(store, head),
        scanner(store.svc.app, head),
        target=b3_rebuild.TARGET,
        rounds=rounds,
        settings={
            **settings,
            "events": head,
            "practices_in_log": store.practices,
            "follower_batch": REBUILD_BATCH,
            "ceiling": "b3_rebuild.scanner: select_notifications + mapper.to_domain_event",
        },
    )


# -- one backend -----------------------------------------------------------------------


def measure(
    backend: str, configs: tuple[StoreConfig, StoreConfig], made: Corpora, smoke: bool
) -> list[Result]:
    rounds = 5 if smoke else 9
    with served(configs[0], made.small) as small, served(configs[1], made.large) as large:
        check_same(small, large)
        calls = timed_calls(small, large, rounds)
        settings: dict[str, Any] = {
            "backend": backend,
            "practices": [small.practices, large.practices],
            "corpus": f"practice_corpus.corpus(n, seed={SEED}) for each n (not a superset)",
            "corpus_seconds": made.seconds,
            "load_and_catch_up_seconds": [round(s.load_seconds, 1) for s in (small, large)],
            "queries": len(QUERIES),
            "limit": LIMIT,
            "rounds": rounds,
            "measured": "search_query.search on read.reader(), signed in (all audiences)",
            **over_all(calls),
        }
        results = [
            line(f"B11.{backend}.scale", calls["large"], calls["small"], TARGET_SCALE, settings,
                 gating=True),
            line(f"B11.{backend}.scale_http", calls["http_large"], calls["http_small"],
                 TARGET_SCALE, settings, gating=False),
            line(f"B11.{backend}.bare", calls["large"], calls["bare"], TARGET_BARE, settings,
                 gating=False),
            # Smoke: over the 2,000 practices' log (both sides grow with the events; five
            # rebuilds of 20,000 take a minute per backend).
            rebuilt(f"B11.{backend}.rebuild", small if smoke else large, 5 if smoke else 7,
                    settings),
        ]  # fmt: skip
        if not results[0].ok:
            text, call = slowest(large, calls)
            settings["slowest_query"] = text
            settings["slowest_profile"] = profile(call)
            print(f"B11 slowest query at {LARGE}: {text!r}", file=sys.stderr)
            print("\n".join(settings["slowest_profile"]), file=sys.stderr)
        return results


def corpora() -> Corpora:
    started = time.perf_counter()
    small, large = corpus(SMALL, SEED), corpus(LARGE, SEED)
    return Corpora(small, large, round(time.perf_counter() - started, 1))


@contextmanager
def sqlite_stores() -> Iterator[tuple[StoreConfig, StoreConfig]]:
    with tempfile.TemporaryDirectory(prefix="collab-b11-") as workdir:
        yield (
            StoreConfig(f"sqlite:///{Path(workdir) / 'small.db'}"),
            StoreConfig(f"sqlite:///{Path(workdir) / 'large.db'}"),
        )


@contextmanager
def postgres_stores(url: str) -> Iterator[tuple[StoreConfig, StoreConfig]]:
    with ExitStack() as stack:
        small = stack.enter_context(postgres_store(url, prefix="b11s"))
        large = stack.enter_context(postgres_store(url, prefix="b11l"))
        yield small, large


def run(smoke: bool = False) -> list[Result]:
    made = corpora()
    results = []
    with sqlite_stores() as configs:
        results += measure("sqlite", configs, made, smoke)
    if (url := postgres_url("B11")) is not None:
        with postgres_stores(url) as configs:
            results += measure("postgres", configs, made, smoke)
    return results
