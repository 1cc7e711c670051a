"""Searching published practices (DESIGN §8): full text, facets with counts, practices like
this one. Visibility is the caller's to pass (`anyone_only` for a visitor).

The engines only find: for each query word, the practices containing it (a word of
PREFIX_MIN letters or more also finds the longer words it begins, so "idoso" finds
"idosos"). Ranking is this module's, over what they return, so SQLite and PostgreSQL
give the same order:

1. each word weighs its rarity (`idf`) among the practices the caller may see, and a
   practice's coverage is the sum over the words it contains, a word in its title
   counting TITLE_BOOST times (the engines find those too); the best CANDIDATES by
   coverage (and those tied with the last, up to MOST_TIED) are scored in full;
2. the full score is BM25 over weighted fields (title > need and approach > the other
   texts > outcomes), on the folded words the index stores. Ties go by publishing order.

Past the scored candidates the list goes on by coverage, so paging never ends early.
"""

from __future__ import annotations

import json
import math
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    ARRAY,
    BigInteger,
    ColumnElement,
    Connection,
    RowMapping,
    Select,
    TextClause,
    any_,
    bindparam,
    cast,
    column,
    func,
    select,
    table,
    text,
)

from collab.domain.search_text import STOPWORDS, query_tokens
from projections.practices import summary
from projections.search import FIELDS, TITLE, fts_name, pg_words
from projections.tables import Tables

Json = dict[str, Any]
Condition = ColumnElement[bool] | TextClause
FACETS = (
    "territory",
    "territory_kind",
    "theme",
    "sdg",
    "evidence",
    "sector_mix",
    "partnership_type",
    "status",
    "language",
)
CANDIDATES = 50  # practices scored in full (more when tied at the cut)
MOST_TIED = 120
PREFIX_MIN = 4
# Choosing the candidates: a word in the title counts as the title's weight says.
TITLE_BOOST = 4.0
MATCH_SHARE = 0.5  # of the query's weight a practice's words must carry to match
PREFIX_WEIGHT = 0.6  # a longer word found by its beginning counts for less than the word
WEIGHTS = {"title_n": 4.0, "core_n": 2.0, "more_n": 1.0, "outcomes_n": 0.5}
# BM25's saturation and length normalisation, with fixed typical field lengths (in words)
# rather than the corpus's averages: a score depends on its own practice only.
K1, B = 1.2, 0.5
TYPICAL = {"title_n": 8.0, "core_n": 90.0, "more_n": 90.0, "outcomes_n": 12.0}
SIMILAR_WORDS = 12
# "Like this one": what shared facets add to the text score, per facet value shared.
SHARED = {"theme": 1.5, "sdg": 0.75, "territory_kind": 1.0, "sector_mix": 1.0, "territory": 0.5}


@dataclass(frozen=True)
class Query:
    text: str = ""
    facets: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    anyone_only: bool = False
    limit: int = 20
    offset: int = 0
    partnership_id: str | None = None  # one partnership's practices only


@dataclass(frozen=True)
class Word:
    """A query word as the engines are asked for it, and as scoring counts it."""

    text: str

    @property
    def prefix(self) -> bool:
        return len(self.text) >= PREFIX_MIN

    def fts(self) -> str:
        return f'"{self.text}"*' if self.prefix else f'"{self.text}"'

    def tsquery(self) -> str:
        return f"'{self.text}':*" if self.prefix else f"'{self.text}'"

    def counts(self, padded: str) -> float:
        """How often the word occurs in a field, stored as `padded` makes it: the word
        itself counts 1, a longer word it begins counts PREFIX_WEIGHT."""
        exact = padded.count(f" {self.text} ")
        if not self.prefix:
            return float(exact)
        begins = padded.count(f" {self.text}")
        return exact + PREFIX_WEIGHT * (begins - exact)


def padded(words: str | None) -> str:
    """A field's words with every space doubled and one at each end, so that counting
    " w " finds every occurrence, repeats side by side included."""
    return f" {(words or '').replace(' ', '  ')} "


# -- what the engines find --------------------------------------------------------------


def matching(
    conn: Connection, t: Tables, words: Iterable[Word], *, title: bool = False
) -> Condition:
    """The practices containing any of the words (in their title only, if `title`), by
    the backend's full-text index."""
    s, found = t.practice_search, list(words)
    if conn.dialect.name == "postgresql":
        q = " | ".join(w.tsquery() for w in found)
        words_of = pg_words(f'"{s.name}".', TITLE if title else FIELDS)
        return text(f"{words_of} @@ CAST(:words AS tsquery)").bindparams(words=q)
    fts = fts_name(t)
    m = " OR ".join(w.fts() for w in found)
    if title:
        m = f"title_n : ({m})"
    docs: Select[Any] = (
        select(column("rowid"))
        .select_from(table(fts))
        .where(text(f'"{fts}" MATCH :words').bindparams(words=m))
    )
    return s.c.doc.in_(docs)


def filtered(t: Tables, query: Query) -> list[Condition]:
    """Visibility and the chosen facets: any chosen value of a facet, every facet."""
    s, f = t.practice_search, t.practice_facets
    found: list[Condition] = []
    if query.anyone_only:
        found.append(s.c.audience == "anyone")
    if query.partnership_id is not None:
        found.append(s.c.partnership_id == query.partnership_id)
    for name in sorted(query.facets):
        values = sorted(set(query.facets[name]))
        if values:
            chosen = select(f.c.doc).where(f.c.facet == name, f.c.value.in_(values))
            found.append(s.c.doc.in_(chosen))
    return found


def docs_with(
    conn: Connection, t: Tables, word: Word, where: list[Condition], *, title: bool = False
) -> set[int]:
    """The practices `where` admits that contain the word. On PostgreSQL the word's
    matches are found first (a materialised CTE from the GIN index) and only then
    filtered: left to choose, the planner filtered by facet first and computed the words
    of thousands of rows (150 ms instead of 3 ms at 20,000 practices)."""
    s = t.practice_search
    found = matching(conn, t, [word], title=title)
    if conn.dialect.name != "postgresql" or not where:
        return integers(conn, select(s.c.doc).where(found, *where))
    first = select(s.c.doc.label("doc")).where(found).cte("matched").prefix_with("MATERIALIZED")
    admitted = select(s.c.doc).where(*where)
    return integers(conn, select(first.c.doc).where(first.c.doc.in_(admitted)))


def integers(conn: Connection, query: Select[Any]) -> set[int]:
    """The one integer column a query selects, through the driver's own cursor: a common
    word's thousands of practices cost SQLAlchemy's row objects 40 ms at 20,000
    practices, the driver's tuples 2 ms."""
    compiled = query.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
    if compiled.positiontup is not None:
        params: Any = tuple(compiled.params[name] for name in compiled.positiontup)
    else:
        params = compiled.params
    cursor = conn.connection.cursor()
    try:
        cursor.execute(str(compiled), params)
        return {row[0] for row in cursor.fetchall()}
    finally:
        cursor.close()


# -- ranking (shared by both backends) --------------------------------------------------


def idf(total: int, found: int) -> float:
    return math.log(1 + (total - found + 0.5) / (found + 0.5))


def bm25(row: RowMapping, words: Mapping[Word, float]) -> float:
    """A practice's score for the words (each with its idf) over its weighted fields."""
    fields = {name: padded(row[name]) for name in FIELDS}
    lengths = {name: len((row[name] or "").split()) for name in FIELDS}
    score = 0.0
    for word, weight in words.items():
        tf = 0.0
        for name in FIELDS:
            found = word.counts(fields[name])
            if found:
                norm = 1 - B + B * lengths[name] / TYPICAL[name]
                tf += WEIGHTS[name] * found / norm
        if tf:
            score += weight * tf * (K1 + 1) / (tf + K1)
    return score


def cut(coverage: Mapping[int, float]) -> tuple[list[int], list[int]]:
    """The practices to score in full (the best by coverage, with those tied with the
    last, up to MOST_TIED), and the rest in coverage order."""
    ordered = sorted(coverage, key=lambda d: (-coverage[d], d))
    if len(ordered) <= CANDIDATES:
        return ordered, []
    last, end = coverage[ordered[CANDIDATES - 1]], CANDIDATES
    while end < min(len(ordered), MOST_TIED) and coverage[ordered[end]] == last:
        end += 1
    return ordered[:end], ordered[end:]


def ranked(
    conn: Connection,
    t: Tables,
    words: list[Word],
    where: list[Condition],
    share: float = MATCH_SHARE,
) -> tuple[list[tuple[int, float]], list[int], dict[Word, float]]:
    """(doc, score) of the scored candidates best first, then the other matching docs in
    coverage order, and each word's idf among the practices `where` admits. A practice
    matches when the words it contains carry at least `share` of the query's weight
    (any practice containing a one-word query's word; not one that shares only the most
    common of several words)."""
    s = t.practice_search
    total = conn.execute(select(func.count()).select_from(s).where(*where)).scalar_one()
    found = {w: docs_with(conn, t, w, where) for w in words}
    titled = {w: docs_with(conn, t, w, where, title=True) for w in words}
    weights = {w: idf(total, len(docs)) for w, docs in found.items()}
    carried: dict[int, float] = {}
    coverage: dict[int, float] = {}
    for w in words:  # a fixed order: the same float sums on every backend
        for doc in found[w]:
            carried[doc] = carried.get(doc, 0.0) + weights[w]
            boost = TITLE_BOOST if doc in titled[w] else 1.0
            coverage[doc] = coverage.get(doc, 0.0) + weights[w] * boost
    # Words no practice contains (a typo, a word from elsewhere) take no share.
    least = share * sum(weights[w] for w in words if found[w])
    scored, rest = cut({doc: c for doc, c in coverage.items() if carried[doc] >= least})
    rows: list[RowMapping] = []
    if scored:
        rows = list(conn.execute(select(s).where(s.c.doc.in_(scored))).mappings())
    scores = {row["doc"]: bm25(row, weights) for row in rows}
    best = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
    return best, rest, weights


def among(conn: Connection, col: ColumnElement[Any], docs: list[int]) -> Condition:
    """`col` is one of `docs`, however many: one parameter (a JSON array on SQLite, an
    array on PostgreSQL), never a statement with thousands of placeholders."""
    if conn.dialect.name == "postgresql":
        found: Condition = col == any_(cast(bindparam("docs", docs), ARRAY(BigInteger)))
        return found
    listed: Select[Any] = select(column("value")).select_from(
        func.json_each(bindparam("docs", json.dumps(docs)))
    )
    return col.in_(listed)


# -- facets ----------------------------------------------------------------------------


def facet_counts(
    conn: Connection, t: Tables, docs: Condition, chosen: Mapping[str, Collection[str]]
) -> dict[str, list[Json]]:
    """Each facet's values among the practices `docs` selects, with their counts."""
    f = t.practice_facets
    query = select(f.c.facet, f.c.value, func.count()).where(docs).group_by(f.c.facet, f.c.value)
    counts: dict[str, dict[str, int]] = {name: {} for name in FACETS}
    for name, value, count in conn.execute(query).tuples():
        if name in counts:
            counts[name][value] = count
    found = {}
    for name in FACETS:
        picked = set(chosen.get(name, ()))
        values = dict(counts[name])
        if name == "territory":
            values = territory_level(values, picked)
        for value in picked:
            values.setdefault(value, 0)
        order = sorted(values.items(), key=lambda item: (-item[1], item[0]))
        found[name] = [{"value": v, "count": c, "selected": v in picked} for v, c in order]
    return found


def territory_level(counts: Mapping[str, int], picked: Collection[str]) -> dict[str, int]:
    """The territory facet as a tree: the chosen codes and the children of each chosen
    code none of whose children is chosen; countries when none is chosen."""
    leaves = [c for c in picked if not any(o != c and o.startswith(c) for o in picked)]
    if not leaves:
        return {code: n for code, n in counts.items() if len(code) == 2}
    return {
        code: n
        for code, n in counts.items()
        if code in picked or any(code.startswith(c) and len(code) == len(c) + 1 for c in leaves)
    }


# -- the searches ----------------------------------------------------------------------


def summaries(conn: Connection, t: Tables, practice_ids: list[str]) -> dict[str, Json]:
    p = t.practices
    rows = conn.execute(select(p).where(p.c.practice_id.in_(practice_ids))).all()
    return {row.practice_id: summary(row) for row in rows}


def items_for(conn: Connection, t: Tables, page: list[tuple[int, float | None]]) -> list[Json]:
    """The practices of a page, as lists show them, each with its score."""
    if not page:
        return []
    s = t.practice_search
    docs = [doc for doc, _ in page]
    ids = dict(
        conn.execute(select(s.c.doc, s.c.practice_id).where(s.c.doc.in_(docs))).tuples().all()
    )
    shown = summaries(conn, t, list(ids.values()))
    return [
        {**shown[ids[doc]], "score": None if score is None else round(score, 6)}
        for doc, score in page
        if ids.get(doc) in shown
    ]


def search(conn: Connection, t: Tables, query: Query) -> Json:
    """The practices matching the query's words (any of them) and facets, best first (in
    the order first published when there are no words), a page of them, how many match
    in all, and each facet's values with their counts among them."""
    s, f = t.practice_search, t.practice_facets
    where = filtered(t, query)
    words = [Word(w) for w in query_tokens(query.text)]
    if words:
        best, rest, _ = ranked(conn, t, words, where)
        order: list[tuple[int, float | None]] = [*best, *((doc, None) for doc in rest)]
        total = len(order)
        page = order[query.offset : query.offset + query.limit]
        counted = among(conn, f.c.doc, sorted(doc for doc, _ in order))
    else:
        total = conn.execute(select(func.count()).select_from(s).where(*where)).scalar_one()
        docs = conn.execute(
            select(s.c.doc).where(*where).order_by(s.c.doc).offset(query.offset).limit(query.limit)
        ).scalars()
        page = [(doc, None) for doc in docs]
        counted = f.c.doc.in_(select(s.c.doc).where(*where))
    return {
        "items": items_for(conn, t, page),
        "total": total,
        "facets": facet_counts(conn, t, counted, query.facets),
    }


def similar(
    conn: Connection, t: Tables, practice_id: str, *, anyone_only: bool, limit: int = 5
) -> list[Json]:
    """Practices like this one: the words that mark its title, need and approach (the
    title's, then its most frequent other words), scored as a search, plus what it shares
    of themes, SDG goals, territory kind, sector mix and country. Itself excluded."""
    s = t.practice_search
    row = conn.execute(select(s).where(s.c.practice_id == practice_id)).mappings().first()
    if row is None:
        return []
    words = [Word(w) for w in marking_words(row["title_n"], row["core_n"])]
    if not words:
        return []
    live = Query(anyone_only=anyone_only, facets={"status": ("published",)})
    where = [s.c.doc != row["doc"], *filtered(t, live)]
    best, _, _ = ranked(conn, t, words, where, share=0.0)  # any shared word
    if not best:
        return []
    mine = facets_of(conn, t, [row["doc"]]).get(row["doc"], set())
    theirs = facets_of(conn, t, [doc for doc, _ in best])
    scored = [(doc, score + shared(mine, theirs.get(doc, set()))) for doc, score in best]
    scored.sort(key=lambda item: (-item[1], item[0]))
    return items_for(conn, t, [(doc, score) for doc, score in scored[:limit]])


def marking_words(title: str | None, core: str | None) -> list[str]:
    """Up to SIMILAR_WORDS words: the title's, then the need's and approach's most
    frequent (ties by first use), stopwords and words under 3 letters left out."""

    def usable(words: Iterable[str]) -> list[str]:
        return [w for w in words if len(w) >= 3 and w not in STOPWORDS]

    picked = list(dict.fromkeys(usable((title or "").split())))
    body = usable((core or "").split())
    counts: dict[str, int] = {}
    for w in body:
        counts[w] = counts.get(w, 0) + 1
    frequent = sorted(counts, key=lambda w: (-counts[w], body.index(w)))
    picked += [w for w in frequent if w not in picked]
    return picked[:SIMILAR_WORDS]


def facets_of(conn: Connection, t: Tables, docs: list[int]) -> dict[int, set[tuple[str, str]]]:
    f = t.practice_facets
    found: dict[int, set[tuple[str, str]]] = {}
    query = select(f.c.doc, f.c.facet, f.c.value).where(f.c.doc.in_(docs))
    for doc, name, value in conn.execute(query).tuples():
        found.setdefault(doc, set()).add((name, value))
    return found


def shared(mine: set[tuple[str, str]], theirs: set[tuple[str, str]]) -> float:
    """What two practices' shared facet values add to their likeness (a territory counts
    by its country only: a neighbour and a far region of one country count alike)."""
    both = mine & theirs
    return sum(
        SHARED[name]
        for name, value in both
        if name in SHARED and (name != "territory" or len(value) == 2)
    )
