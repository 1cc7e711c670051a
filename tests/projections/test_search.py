# ruff: noqa: RUF001
"""The practices' search index as a projection (DESIGN §8): found as soon as a publishing
command returns, folded text, facets with counts (a NUTS region finds its areas' practices),
a visitor's search, practices like this one, the same index and results after a rebuild."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlalchemy import select

from api.wiring import follow_commands
from collab.application import Collab
from collab.practices.commands import WithdrawPractice
from projections.operations import rebuild
from projections.readside import ReadSide
from projections.search_query import Query, search, similar
from tests.application.practices import practice_fields, publish
from tests.application.world import World
from tests.fixtures.practice_corpus import Doc, corpus, load
from tests.projections.support import views_of


def found(read: ReadSide, text: str = "", **options: Any) -> dict[str, Any]:
    with read.reader() as conn:
        return search(conn, read.tables, Query(text=text, **options))


def ids(result: dict[str, Any]) -> list[str]:
    return [item["practice_id"] for item in result["items"]]


def counts(result: dict[str, Any], facet: str) -> dict[str, int]:
    return {v["value"]: v["count"] for v in result["facets"][facet]}


def three_practices(world: World) -> tuple[str, str, str]:
    """A Portuguese care practice (to anyone), a Greek one and a Spanish one (signed in)."""
    p = world.in_force(keys=("a", "b"))
    q = world.in_force(keys=("c", "d"))
    r = world.in_force(keys=("e", "f"))
    care = publish(
        world,
        p,
        audience="anyone",
        fields=practice_fields(
            world,
            title="Saúde ao domicílio para idosos isolados",
            territory={"country": "PT", "nuts": "PT150", "kind": "rural"},
        ),
    )
    greek = publish(
        world,
        q,
        fields=practice_fields(
            world,
            "c",
            title="Υγεία στο σπίτι για ηλικιωμένους",
            territory={"country": "GR", "nuts": "EL632", "kind": "island"},
            themes=["health_care"],
            sdg_targets=["3.8"],
            languages=["el"],
        ),
    )
    gardens = publish(
        world,
        r,
        fields=practice_fields(
            world,
            "e",
            title="Huertos comunitarios en el barrio",
            need={"statement": "Vecinos sin espacio verde.", "assessment": "Encuesta 2026."},
            approach="Parcelas cedidas por el ayuntamiento; talleres semanales.",
            territory={"country": "ES", "nuts": "ES618", "kind": "urban"},
            themes=["food_agriculture"],
            sdg_targets=["2.4"],
            languages=["es"],
        ),
    )
    return (
        care.result["practice_id"],
        greek.result["practice_id"],
        gardens.result["practice_id"],
    )


def test_a_published_practice_is_found_at_once_by_its_folded_words(
    app: Collab, read: ReadSide, world: World
) -> None:
    follow_commands(app, read)
    care, greek, gardens = three_practices(world)
    # Accents, case, tonos dropped; a word's beginning finds the longer word
    assert ids(found(read, "saude domicilio")) == [care]
    assert ids(found(read, "SAÚDE")) == [care]
    assert ids(found(read, "υγεια")) == [greek]
    assert ids(found(read, "ΥΓΕΊΑ σπιτι")) == [greek]
    assert ids(found(read, "huerto")) == [gardens]
    # Engine syntax and punctuation are only separators; nothing raises
    for odd in ('"', "*", "NEAR(", "huertos OR", "-:()^", "a" * 200, "\u0000x"):
        assert isinstance(found(read, odd)["total"], int)
    assert ids(found(read, '"huertos" AND (barrio*)')) == [gardens]
    # Every practice containing any word, the title's words ranked first
    both = found(read, "idosos vecinos")
    assert both["total"] == 2
    assert set(ids(both)) == {care, gardens}


def test_facets_count_and_narrow_and_a_region_finds_its_areas(
    app: Collab, read: ReadSide, world: World
) -> None:
    follow_commands(app, read)
    care, _greek, gardens = three_practices(world)
    everything = found(read)
    assert everything["total"] == 3
    assert counts(everything, "territory") == {"PT": 1, "EL": 1, "ES": 1}
    assert counts(everything, "theme")["health_care"] == 2
    assert counts(everything, "sdg") == {"3": 2, "10": 1, "2": 1}
    assert counts(everything, "status") == {"published": 3}
    # A NUTS1 and a NUTS2 code find the NUTS3 practice; the tree shows the next level
    for code in ("PT", "PT1", "PT15", "PT150"):
        assert ids(found(read, facets={"territory": (code,)})) == [care]
    narrowed = found(read, facets={"territory": ("PT1",)})
    assert counts(narrowed, "territory") == {"PT1": 1, "PT15": 1}
    assert [v["value"] for v in narrowed["facets"]["territory"] if v["selected"]] == ["PT1"]
    # Within a facet any value, across facets every one
    assert set(ids(found(read, facets={"territory": ("PT", "ES")}))) == {care, gardens}
    assert ids(found(read, facets={"territory": ("PT", "ES"), "theme": ("health_care",)})) == [care]
    assert ids(found(read, "huertos", facets={"sdg": ("3",)})) == []
    chosen = found(read, facets={"evidence": ("5",)})
    assert chosen["total"] == 0 and chosen["facets"]["evidence"] == [
        {"value": "5", "count": 0, "selected": True}
    ]
    # The partnership's type comes from its view
    assert sum(counts(everything, "partnership_type").values()) == 3


def test_a_visitor_searches_only_what_was_published_to_anyone(
    app: Collab, read: ReadSide, world: World
) -> None:
    follow_commands(app, read)
    care, greek, _gardens = three_practices(world)
    visitor = found(read, "", anyone_only=True)
    assert ids(visitor) == [care] and visitor["total"] == 1
    assert counts(visitor, "territory") == {"PT": 1}
    assert ids(found(read, "υγεια", anyone_only=True)) == []
    with read.reader() as conn:
        assert similar(conn, read.tables, care, anyone_only=True) == []
        liked = similar(conn, read.tables, care, anyone_only=False)
    assert next(x["practice_id"] for x in liked) == greek  # shares the care theme and words
    assert care not in [x["practice_id"] for x in liked]


def test_versions_and_withdrawal_change_the_index_and_a_rebuild_gives_it_again(
    app: Collab, read: ReadSide, world: World
) -> None:
    follow_commands(app, read)
    care, _greek, _gardens = three_practices(world)
    owner = found(read, facets={"territory": ("PT",)})["items"][0]["partnership_id"]
    fields = practice_fields(world, title="Visitas semanais da junta de freguesia")
    publish(world, owner, practice_id=care, fields=fields, audience="anyone")
    assert ids(found(read, "freguesia")) == [care]
    assert ids(found(read, "domicilio")) == []
    world.app.execute(world.as_broker(reason="Ended"), WithdrawPractice(care))
    assert counts(found(read), "status") == {"published": 2, "withdrawn": 1}
    assert ids(found(read, "freguesia", facets={"status": ("withdrawn",)})) == [care]
    before = views_of(read)
    results = [found(read, q) for q in ("freguesia", "υγεια huertos", "")]
    rebuild(read)
    assert views_of(read) == before
    assert [found(read, q) for q in ("freguesia", "υγεια huertos", "")] == results
    with read.reader() as conn:
        s = read.tables.practice_search
        assert len(conn.execute(select(s.c.doc)).all()) == 3


def test_a_word_in_one_title_ranks_that_practice_first_among_hundreds_sharing_it(
    app: Collab, read: ReadSide
) -> None:
    # Given 400 practices whose need names a rare word, the last published also in its
    # title: more practices share the word than are ever scored in full
    docs = corpus(400, seed=3)
    shared = [with_word(d, title=False) for d in docs[:-1]] + [with_word(docs[-1], title=True)]
    load(app, shared)
    read.catch_up()
    # When one searches for the word
    result = found(read, "zebrafish")
    # Then every practice matches, and the one with it in its title comes first
    assert result["total"] == 400
    assert ids(result)[0] == docs[-1].practice_id


def with_word(doc: Doc, *, title: bool) -> Doc:
    content = dict(doc.content)
    need = dict(content["need"])
    need["statement"] = f"{need['statement']} zebrafish"
    content["need"] = need
    if title:
        content["title"] = f"{content['title']} zebrafish"
    return replace(doc, content=content)
